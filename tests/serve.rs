//! `boomtown serve` at the level of its HTTP interface: the server is started
//! for real on a free local port and asked what a page would ask, and what a
//! careless or broken client would send.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::server::Server;
use common::{column, read_csv, run_ok};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// Status and body of a request.
fn call(method: &str, url: &str, body: Option<&str>) -> (u16, String) {
    let agent = agent();
    let mut response = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        (_, Some(b)) => agent
            .post(url)
            .header("content-type", "application/json")
            .send(b),
        (_, None) => agent.post(url).send_empty(),
    }
    .expect("the server answers");
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(50 << 20)
        .read_to_string()
        .expect("a text body");
    (status, text)
}

/// The JSON lines of a run.
fn run(server: &Server, request: &Value) -> Vec<Value> {
    let (status, text) = call("POST", &server.at("/api/run"), Some(&request.to_string()));
    assert_eq!(status, 200, "{text}");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

fn small(scenario: &str) -> Value {
    json!({ "scenario": scenario, "population": 3000, "replicates": 3, "seed": 7 })
}

#[test]
fn the_page_and_everything_it_loads_come_from_the_server() {
    let server = Server::start(&[]);
    let (status, page) = call("GET", &server.at("/"), None);
    assert_eq!(status, 200);
    assert!(page.contains("<title>boomtown"), "{page}");
    // Every script and style the page loads is on the server itself.
    let mut loaded = 0;
    for attr in ["src=\"", "href=\""] {
        for part in page.split(attr).skip(1) {
            let target = part.split('"').next().unwrap_or_default();
            assert!(
                target.starts_with('/'),
                "the page loads {target} from elsewhere"
            );
            let (status, body) = call("GET", &server.at(target), None);
            assert_eq!(status, 200, "{target}");
            assert!(!body.is_empty(), "{target}");
            loaded += 1;
        }
    }
    assert!(loaded >= 4, "scripts, styles and the licence");
    let (_, app) = call("GET", &server.at("/assets/app.js"), None);
    assert!(
        !app.contains("http://") && !app.contains("https://"),
        "the app's script fetches nothing from the internet"
    );
    let (status, body) = call("GET", &server.at("/assets/../Cargo.toml"), None);
    assert_eq!(status, 404, "{body}");
}

#[test]
fn the_catalogue_lists_scenarios_and_lessons_and_each_scenario_its_levers() {
    let server = Server::start(&[]);
    let (status, text) = call("GET", &server.at("/api/catalog"), None);
    assert_eq!(status, 200);
    let catalog: Value = serde_json::from_str(&text).unwrap();
    let names: Vec<&str> = catalog["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.contains(&"hegang-like") && names.contains(&"baotou-like"));
    let lessons = catalog["lessons"].as_array().unwrap();
    assert!(!lessons.is_empty());
    assert!(
        lessons
            .iter()
            .all(|l| !l["question"].as_str().unwrap_or("").is_empty()
                && !l["discuss"].as_array().unwrap().is_empty())
    );
    let (status, text) = call("GET", &server.at("/api/scenario/baotou-like"), None);
    assert_eq!(status, 200);
    let levers: Value = serde_json::from_str(&text).unwrap();
    let ids: Vec<&str> = levers["levers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    // baotou-like has two clusters: their growth is a lever.
    assert!(
        ids.iter().any(|id| id.ends_with(".capacity_growth")),
        "{ids:?}"
    );
    let (status, _) = call("GET", &server.at("/api/scenario/nowhere"), None);
    assert_eq!(status, 404);
}

#[test]
fn a_run_streams_its_progress_then_what_the_command_it_shows_computes() {
    let server = Server::start(&[]);
    let request = json!({
        "scenario": "hegang-like",
        "population": 3000,
        "replicates": 3,
        "seed": 7,
        "levers": { "sectors.coal.demand": "0.3", "economy.benefit_months": "12" }
    });
    let events = run(&server, &request);
    assert!(
        events.iter().any(|e| e["event"] == "progress"),
        "progress before the result"
    );
    let result = events.last().unwrap();
    assert_eq!(result["event"], "result", "{result}");
    let command = result["command"].as_str().unwrap();
    assert_eq!(
        command,
        "boomtown run hegang-like --seed 7 --replicates 3 --set population.size=3000 \
         --set 'sectors.coal.demand=[[2010, 1.0], [2025, 1.0], [2040, 0.3]]' --set economy.benefit_months=12"
    );
    // The command, run from the command line, computes what the page shows.
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = command
        .replace('\'', "")
        .split(" --")
        .skip(1)
        .flat_map(|option| {
            let (flag, value) = option.split_once(' ').unwrap();
            [format!("--{flag}"), value.to_string()]
        })
        .collect();
    let mut argv: Vec<&str> = vec![
        "run",
        "hegang-like",
        "--out",
        "cli",
        "--quiet",
        "--no-charts",
    ];
    argv.extend(args.iter().map(String::as_str));
    run_ok(dir.path(), &argv);
    let (header, rows) = read_csv(&dir.path().join("cli/summary.csv"));
    let metric = header.iter().position(|h| h == "metric").unwrap();
    let population: Vec<Vec<String>> = rows
        .into_iter()
        .filter(|r| r[metric] == "population")
        .collect();
    let cli = column(&header, &population, "p50");
    let served: Vec<f64> = result["outcome"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "population")
        .unwrap()["bands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["p50"].as_f64().unwrap())
        .collect();
    assert_eq!(served, cli, "the page's medians are those of summary.csv");
    let toml = result["toml"].as_str().unwrap();
    let written = std::fs::read_to_string(dir.path().join("cli/scenario.toml")).unwrap();
    assert_eq!(
        toml, written,
        "the TOML shown is the scenario.toml of the run"
    );
}

#[test]
fn runs_at_the_same_time_give_the_same_answer_and_wait_their_turn() {
    let server = Server::start(&["--runs-at-once", "1", "--threads", "1"]);
    let request = small("hegang-like");
    let results: Vec<Vec<Value>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| run(&server, &request)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        results.iter().flatten().any(|e| e["event"] == "queued"),
        "with one run at a time, some waited"
    );
    let outcomes: Vec<&Value> = results
        .iter()
        .map(|events| &events.last().unwrap()["outcome"])
        .collect();
    assert!(outcomes[0].is_object());
    assert!(
        outcomes.iter().all(|o| *o == outcomes[0]),
        "same request, same result"
    );
}

#[test]
fn bad_requests_get_the_command_lines_errors_with_the_control_they_concern() {
    let server = Server::start(&[]);
    let post = |body: &str| -> (u16, Value) {
        let (status, text) = call("POST", &server.at("/api/run"), Some(body));
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON error: {text}")),
        )
    };
    let (status, e) = post("{not json");
    assert_eq!(status, 400);
    assert!(!e["error"].as_str().unwrap().is_empty());
    let (status, e) = post(r#"{"scenario": "hegang-like", "colour": "red"}"#);
    assert_eq!(status, 400);
    assert!(e["error"].as_str().unwrap().contains("colour"), "{e}");
    let (status, e) = post(r#"{"scenario": "../../etc/passwd"}"#);
    assert_eq!(
        (status, e["field"].as_str()),
        (404, Some("scenario")),
        "{e}"
    );
    let (status, e) = post(&json!({"scenario": "hegang-like", "replicates": 0}).to_string());
    assert_eq!(
        (status, e["field"].as_str()),
        (400, Some("replicates")),
        "{e}"
    );
    let (status, e) = post(&json!({"scenario": "hegang-like", "population": 0}).to_string());
    assert_eq!(
        (status, e["field"].as_str()),
        (400, Some("population")),
        "{e}"
    );
    // A value the model refuses gets the message `boomtown run --set` gives.
    let (status, e) = post(
        &json!({"scenario": "hegang-like", "levers": {
            "policies.retraining.enabled": "true",
            "policies.retraining.take_up": "2"
        }})
        .to_string(),
    );
    assert_eq!(status, 400);
    assert_eq!(e["field"], "policies.retraining.take_up", "{e}");
    let message = e["error"].as_str().unwrap();
    assert!(
        message.starts_with("invalid scenario: --set policies.retraining.take_up=2"),
        "{message}"
    );
    // Sent as a number and a boolean, the same values say the same.
    let (status, e) = post(
        &json!({"scenario": "hegang-like", "levers": {
            "policies.retraining.enabled": true,
            "policies.retraining.take_up": 2
        }})
        .to_string(),
    );
    assert_eq!(
        (status, e["field"].as_str()),
        (400, Some("policies.retraining.take_up")),
        "{e}"
    );
    let (status, e) = post(
        &json!({"scenario": "hegang-like", "levers": {"sectors.coal.demand": "lots"}}).to_string(),
    );
    assert_eq!(
        (status, e["field"].as_str()),
        (400, Some("sectors.coal.demand")),
        "{e}"
    );
    let (status, e) =
        post(&json!({"scenario": "hegang-like", "levers": {"population.size": "5"}}).to_string());
    assert_eq!(status, 400);
    assert!(e["error"].as_str().unwrap().contains("no lever"), "{e}");
    let (status, _) = call(
        "POST",
        &server.at("/api/export/..%2Fscenario.toml"),
        Some("{}"),
    );
    assert_eq!(status, 404);
}

#[test]
fn a_page_that_goes_away_stops_its_run() {
    let server = Server::start(&["--threads", "1"]);
    // A full-scale city: minutes of work if nothing stopped it.
    let body =
        json!({ "scenario": "hegang-like", "population": 2_000_000, "replicates": 4 }).to_string();
    let mut stream = TcpStream::connect(server.host()).unwrap();
    write!(
        stream,
        "POST /api/run HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        server.host(),
        body.len()
    )
    .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    let status = |server: &Server| -> Value {
        serde_json::from_str(&call("GET", &server.at("/api/status"), None).1).unwrap()
    };
    // Read until the run reports progress, then hang up.
    let started = Instant::now();
    while !line.contains("\"progress\"") {
        line.clear();
        reader.read_line(&mut line).unwrap();
        assert!(started.elapsed() < Duration::from_secs(120), "no progress");
    }
    assert_eq!(status(&server)["running"], 1);
    drop(reader);
    stream.shutdown(std::net::Shutdown::Both).unwrap();
    drop(stream);
    let hung_up = Instant::now();
    while status(&server)["running"] != 0 {
        assert!(
            hung_up.elapsed() < Duration::from_secs(60),
            "the run goes on after its page went away"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The server goes on serving.
    let events = run(&server, &small("test-city"));
    assert_eq!(events.last().unwrap()["event"], "result");
}

#[test]
fn downloads_are_the_files_boomtown_run_writes() {
    let server = Server::start(&[]);
    let request = small("test-city").to_string();
    let (status, csv) = call(
        "POST",
        &server.at("/api/export/indicators.csv"),
        Some(&request),
    );
    assert_eq!(status, 200, "{csv}");
    assert!(
        csv.starts_with("scenario,"),
        "{}",
        &csv[..csv.len().min(200)]
    );
    let (status, report) = call(
        "POST",
        &server.at("/api/export/report.html"),
        Some(&request),
    );
    assert_eq!(status, 200);
    assert!(report.contains("<html") && report.contains("test-city"));
    let (status, e) = call(
        "POST",
        &server.at("/api/export/manifest.json"),
        Some(&request),
    );
    assert_eq!(status, 404, "{e}");
    let mut raw = TcpStream::connect(server.host()).unwrap();
    // A request line that is not HTTP gets an answer, not a hang or a crash.
    raw.write_all(b"HELLO\r\n\r\n").unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut answer = String::new();
    let _ = raw.read_to_string(&mut answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );
    let (status, _) = call("GET", &server.at("/api/status"), None);
    assert_eq!(status, 200, "still serving");
}
