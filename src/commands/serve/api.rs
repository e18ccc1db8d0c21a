//! The HTTP interface of `boomtown serve`: the page and its assets, the
//! catalogue of scenarios and lessons, each scenario's levers, live runs
//! streamed as JSON lines, and downloads of a run's files.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

use super::levers::Levers;
use super::{ServeOptions, assets, export, live};
use crate::error::Error;
use crate::scenario::{Override, Scenario};

/// Most replicates a live run may ask for.
pub const MAX_REPLICATES: u32 = 100;

/// The server's shared state.
pub struct App {
    threads: usize,
    permits: Arc<Semaphore>,
    running: AtomicUsize,
    queued: AtomicUsize,
    shutdown: AtomicBool,
    exports: export::Cache,
}

impl App {
    /// Stops every run in progress (the server is shutting down).
    pub fn shut_down(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
    }
}

/// The routes, and the state they share.
pub fn router(opts: &ServeOptions) -> (Arc<App>, Router) {
    let app = Arc::new(App {
        threads: opts.threads.max(1),
        permits: Arc::new(Semaphore::new(opts.runs_at_once.max(1))),
        running: AtomicUsize::new(0),
        queued: AtomicUsize::new(0),
        shutdown: AtomicBool::new(false),
        exports: export::Cache::default(),
    });
    let router = Router::new()
        .route("/", get(|| async { assets::page("index.html") }))
        .route(
            "/assets/{*file}",
            get(|Path(file): Path<String>| async move { assets::page(&file) }),
        )
        .route("/api/catalog", get(catalog))
        .route("/api/scenario/{name}", get(scenario))
        .route("/api/status", get(status))
        .route("/api/run", post(run))
        .route("/api/export/{file}", post(download))
        .fallback(|| async { fail(StatusCode::NOT_FOUND, "no such page", None) })
        .with_state(app.clone());
    (app, router)
}

/// An error as the page shows it: a message and, where it is about one
/// control, that control's id.
pub struct Problem {
    status: StatusCode,
    message: String,
    field: Option<String>,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let text = crate::error::printable(&self.message);
        (
            self.status,
            Json(json!({ "error": text, "field": self.field })),
        )
            .into_response()
    }
}

/// A [`Problem`] as a response.
fn fail(status: StatusCode, message: &str, field: Option<&str>) -> Response {
    problem(status, message, field).into_response()
}

fn problem(status: StatusCode, message: &str, field: Option<&str>) -> Problem {
    Problem {
        status,
        message: message.to_string(),
        field: field.map(str::to_string),
    }
}

/// A request for a run: the scenario, the levers moved (id → value as typed)
/// and the run's size.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    scenario: String,
    #[serde(default, deserialize_with = "lever_values")]
    levers: BTreeMap<String, String>,
    population: Option<u64>,
    replicates: Option<u32>,
    seed: Option<u64>,
}

/// Lever values as the page's controls hold them, as text; a number or
/// true/false sent as such is taken as its text, as `--set` would read it.
fn lever_values<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    BTreeMap::<String, Value>::deserialize(d)?
        .into_iter()
        .map(|(id, v)| match v {
            Value::String(text) => Ok((id, text)),
            Value::Number(n) => Ok((id, n.to_string())),
            Value::Bool(b) => Ok((id, b.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "lever `{id}`: expected text, a number or true/false, found {other}"
            ))),
        })
        .collect()
}

/// A run request checked and turned into what `boomtown run` would run.
pub struct Prepared {
    /// The validated scenario, levers applied.
    pub scenario: Scenario,
    /// Master seed.
    pub seed: u64,
    /// Replicates.
    pub replicates: u32,
    /// The command line that runs the same batch.
    pub command: Vec<String>,
}

/// Checks a request the way the command line checks its arguments.
fn prepare(request: Result<Json<RunRequest>, JsonRejection>) -> Result<Prepared, Problem> {
    let Json(r) = request.map_err(|e| problem(StatusCode::BAD_REQUEST, &e.body_text(), None))?;
    if !crate::scenario::source::builtin_names()
        .iter()
        .any(|n| n.name == r.scenario)
    {
        return Err(problem(
            StatusCode::NOT_FOUND,
            &format!(
                "no built-in scenario `{}` (see the list of scenarios)",
                r.scenario
            ),
            Some("scenario"),
        ));
    }
    let plain = crate::scenario::load(&r.scenario, &[]).map_err(|e| {
        problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &Error::from(e).to_string(),
            None,
        )
    })?;
    let levers = Levers::of(&plain);
    let mut overrides = levers
        .overrides(&r.levers)
        .map_err(|e| problem(StatusCode::BAD_REQUEST, &e.message, Some(&e.id)))?;
    if let Some(size) = r.population {
        let o: Override = format!("population.size={size}")
            .parse()
            .map_err(|e: String| problem(StatusCode::BAD_REQUEST, &e, Some("population")))?;
        overrides.insert(0, o);
    }
    let seed = r.seed.unwrap_or(plain.seed);
    if seed > i64::MAX as u64 {
        return Err(problem(
            StatusCode::BAD_REQUEST,
            &format!(
                "the seed must be a whole number from 0 to {}, found {seed}",
                i64::MAX
            ),
            Some("seed"),
        ));
    }
    let replicates = r.replicates.unwrap_or(plain.replicates);
    if !(1..=MAX_REPLICATES).contains(&replicates) {
        return Err(problem(
            StatusCode::BAD_REQUEST,
            &format!(
                "replicates must be from 1 to {MAX_REPLICATES} in the app, found {replicates}"
            ),
            Some("replicates"),
        ));
    }
    let scenario = crate::scenario::load(&r.scenario, &overrides).map_err(|e| {
        let field = e.key.as_deref().and_then(|key| {
            if key == "population.size" {
                Some("population".to_string())
            } else {
                levers.lever_for_key(key).map(|l| l.id.clone())
            }
        });
        problem(
            StatusCode::BAD_REQUEST,
            &Error::from(e).to_string(),
            field.as_deref(),
        )
    })?;
    let mut command: Vec<String> = ["boomtown", "run", &r.scenario]
        .iter()
        .map(|s| s.to_string())
        .collect();
    command.extend(["--seed".into(), seed.to_string()]);
    command.extend(["--replicates".into(), replicates.to_string()]);
    for o in &overrides {
        command.extend(["--set".into(), o.arg.clone()]);
    }
    Ok(Prepared {
        scenario,
        seed,
        replicates,
        command,
    })
}

/// A command line as a POSIX shell reads it.
pub fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.,:/=+@%".contains(c));
            if plain {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn catalog() -> Response {
    let scenarios: Vec<Value> = crate::scenario::source::builtin_names()
        .into_iter()
        .map(|n| json!({ "name": n.name, "description": n.description }))
        .collect();
    let lessons = match crate::lessons::lessons() {
        Ok(l) => l,
        Err(e) => return fail(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string(), None),
    };
    Json(json!({
        "scenarios": scenarios,
        "lessons": lessons,
        "max_replicates": MAX_REPLICATES,
        "teaching": { "population": TEACHING_POPULATION, "replicates": TEACHING_REPLICATES },
    }))
    .into_response()
}

/// The city size the app starts with: a run of its replicates takes about a
/// second on a laptop (docs/performance.md).
pub const TEACHING_POPULATION: u64 = 20_000;
/// The replicates the app starts with.
pub const TEACHING_REPLICATES: u32 = 8;

async fn scenario(Path(name): Path<String>) -> Response {
    if !crate::scenario::source::builtin_names()
        .iter()
        .any(|n| n.name == name)
    {
        return fail(
            StatusCode::NOT_FOUND,
            &format!("no built-in scenario `{name}`"),
            Some("scenario"),
        );
    }
    let s = match tokio::task::spawn_blocking(move || crate::scenario::load(&name, &[])).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            return fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                &Error::from(e).to_string(),
                None,
            );
        }
        Err(e) => return fail(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string(), None),
    };
    let levers = Levers::of(&s);
    Json(json!({
        "name": s.name,
        "description": s.description,
        "question": s.question,
        "population": s.params.population.size,
        "replicates": s.replicates,
        "seed": s.seed,
        "start": s.params.horizon.start.to_string(),
        "levers": levers.list(),
    }))
    .into_response()
}

async fn status(State(app): State<Arc<App>>) -> Response {
    Json(json!({
        "running": app.running.load(Ordering::SeqCst),
        "queued": app.queued.load(Ordering::SeqCst),
    }))
    .into_response()
}

/// Raises a run's stop flag when dropped: the response stream holds it, so a
/// page that goes away stops its run.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Starts a run and streams it as JSON lines: `queued` (when other runs are
/// ahead), `progress` (months simulated of the total), then `result` (or
/// `error`, or `cancelled` when the server shuts down).
async fn run(
    State(app): State<Arc<App>>,
    request: Result<Json<RunRequest>, JsonRejection>,
) -> Response {
    let prepared = match tokio::task::spawn_blocking(move || prepare(request)).await {
        Ok(Ok(p)) => p,
        Ok(Err(problem)) => return problem.into_response(),
        Err(e) => return fail(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string(), None),
    };
    let (tx, rx) = mpsc::channel::<String>(8);
    let stop = Arc::new(AtomicBool::new(false));
    let guard = StopOnDrop(stop.clone());
    tokio::spawn(drive(app, prepared, tx, stop));
    let stream = ReceiverStream::new(rx).map(move |line| {
        let _held = &guard;
        Ok::<_, Infallible>(line)
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "application/x-ndjson")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string(), None))
}

fn line(v: &Value) -> String {
    let mut s = v.to_string();
    s.push('\n');
    s
}

/// Runs a prepared batch, reporting to `tx` until it ends or the page leaves.
async fn drive(app: Arc<App>, p: Prepared, tx: mpsc::Sender<String>, stop: Arc<AtomicBool>) {
    let permit = match app.permits.clone().try_acquire_owned() {
        Ok(permit) => permit,
        Err(_) => {
            app.queued.fetch_add(1, Ordering::SeqCst);
            let _ = tx.send(line(&json!({ "event": "queued" }))).await;
            let permit = app.permits.clone().acquire_owned().await;
            app.queued.fetch_sub(1, Ordering::SeqCst);
            match permit {
                Ok(permit) => permit,
                Err(_) => return,
            }
        }
    };
    if stop.load(Ordering::SeqCst) || tx.is_closed() {
        return;
    }
    app.running.fetch_add(1, Ordering::SeqCst);
    let started = Instant::now();
    let progress = Arc::new(live::Progress::default());
    let command = shell_words(&p.command);
    let toml = p.scenario.resolved_toml(p.seed, p.replicates);
    let uncertain: Vec<String> = p
        .scenario
        .design
        .dists
        .iter()
        .map(|d| d.path.clone())
        .collect();
    let task = tokio::task::spawn_blocking({
        let (progress, stop, threads) = (progress.clone(), stop.clone(), app.threads);
        move || live::simulate(&p.scenario, p.seed, p.replicates, threads, &progress, &stop)
    });
    tokio::pin!(task);
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let outcome = loop {
        tokio::select! {
            done = &mut task => break done,
            _ = tick.tick() => {
                if app.shutdown.load(Ordering::SeqCst) {
                    stop.store(true, Ordering::SeqCst);
                }
                let event = json!({
                    "event": "progress",
                    "months": progress.months.load(Ordering::Relaxed),
                    "total": progress.total.load(Ordering::Relaxed),
                });
                if tx.send(line(&event)).await.is_err() {
                    stop.store(true, Ordering::SeqCst);
                }
            }
        }
    };
    app.running.fetch_sub(1, Ordering::SeqCst);
    drop(permit);
    let event = match outcome {
        Ok(Ok(Some(outcome))) => json!({
            "event": "result",
            "seconds": started.elapsed().as_secs_f64(),
            "command": command,
            "toml": toml,
            "uncertain": uncertain,
            "outcome": outcome,
        }),
        Ok(Ok(None)) => json!({ "event": "cancelled" }),
        Ok(Err(e)) => json!({ "event": "error", "error": crate::error::printable(&e.to_string()) }),
        Err(e) => json!({ "event": "error", "error": e.to_string() }),
    };
    let _ = tx.send(line(&event)).await;
}

/// A file of the output folder `boomtown run` writes for the same request.
async fn download(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    request: Result<Json<RunRequest>, JsonRejection>,
) -> Response {
    let Some(&(name, mime)) = export::FILES.iter().find(|(n, _)| *n == file) else {
        return fail(
            StatusCode::NOT_FOUND,
            &format!(
                "no file `{file}` to download; there are {}",
                export::FILES.map(|(n, _)| n).join(", ")
            ),
            None,
        );
    };
    let app2 = app.clone();
    let made = tokio::task::spawn_blocking(move || {
        let p = prepare(request)?;
        app2.exports
            .file(&p, app2.threads, name)
            .map_err(|e| problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string(), None))
    })
    .await;
    match made {
        Ok(Ok(bytes)) => Response::builder()
            .header(header::CONTENT_TYPE, mime)
            .header(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            )
            .body(Body::from(bytes))
            .unwrap_or_else(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string(), None)),
        Ok(Err(problem)) => problem.into_response(),
        Err(e) => fail(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string(), None),
    }
}
