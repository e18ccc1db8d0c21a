//! `report.html` and the lessons: the report of a run and of a comparison is one
//! self-contained page with the question, the assumptions and their sources, the
//! story, the scorecard and every chart inline; `boomtown lesson` runs a lesson
//! and puts its questions in the report. (`tests/browser.rs` renders the pages.)

mod common;

use boomtown::model::scorecard::SCORECARD;
use common::{boomtown, fixtures, read_csv, run_ok, stderr, stdout};

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What every report must be: one page that loads nothing from elsewhere.
fn assert_self_contained(html: &str, what: &str) {
    for forbidden in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "url(http",
        "{{",
        "{%",
    ] {
        assert!(!html.contains(forbidden), "{what}: contains `{forbidden}`");
    }
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{what}: not an HTML page"
    );
}

#[test]
fn a_run_report_tells_the_story_with_its_sources_scorecard_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = fixtures().join("all-policies.toml");
    run_ok(
        dir.path(),
        &[
            "run",
            scenario.to_str().unwrap(),
            "--replicates",
            "3",
            "--out",
            "r",
            "--quiet",
        ],
    );
    let html = read(&dir.path().join("r/report.html"));
    assert_self_contained(&html, "run report");
    // The question and the description of the scenario.
    assert!(html.contains("The question"));
    // The story, with numbers and their uncertainty.
    for heading in [
        "Population",
        "Work",
        "The displaced workers",
        "Ageing",
        "Policies and their cost",
    ] {
        assert!(
            html.contains(&format!("<h3>{heading}</h3>")),
            "no {heading} paragraph"
        );
    }
    assert!(html.contains("90 % of replicates"));
    // Every indicator of the scorecard, with its source in policy practice.
    for def in SCORECARD {
        assert!(
            html.contains(&format!("data-indicator=\"{}\"", def.name)),
            "{} missing",
            def.name
        );
    }
    assert!(html.contains("ILO (2015)"));
    // The jobs that went without a layoff are told beside the displaced, with
    // the scorecard's median: a sector that sheds its jobs by not refilling
    // them must not read as a decline that cost nobody anything.
    let (header, rows) = read_csv(&dir.path().join("r/indicators_summary.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let attrition = rows
        .iter()
        .find(|r| r[col("indicator")] == "jobs_lost_to_attrition")
        .map(|r| r[col("p50")].parse::<f64>().unwrap())
        .unwrap();
    assert!(
        attrition >= 1.0,
        "the fixture's sectors shrink: {attrition}"
    );
    assert!(
        html.contains(&format!(
            "lost {} jobs without a layoff",
            boomtown::format::num(attrition)
        )),
        "the story does not tell the {attrition} jobs lost without a layoff"
    );
    // Every chart inline, as many as the folder holds.
    let svgs = std::fs::read_dir(dir.path().join("r/charts"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "svg")
        })
        .count();
    assert_eq!(
        html.matches("src=\"data:image/svg+xml;base64,").count(),
        svgs
    );
    // The assumptions: sectors, policies (every kind of the fixture), sources.
    for text in [
        "layoff wave",
        "retraining",
        "early retirement",
        "public jobs",
        "cluster investment",
    ] {
        assert!(html.contains(text), "no policy `{text}` in the assumptions");
    }
    assert!(html.contains("kind-assumption"));
    // Captions print large numbers as the text does, with thousands separators.
    let wages = html
        .split("the median mean wage went from ")
        .nth(1)
        .and_then(|rest| rest.split(" yuan").next())
        .expect("no wage caption");
    for amount in wages.split(" to ") {
        assert!(
            amount.len() > 4 && amount.contains(','),
            "a wage of thousands without separators: {wages}"
        );
    }
    // The manifest lists the report.
    let manifest = read(&dir.path().join("r/manifest.json"));
    assert!(manifest.contains("\"report.html\""));
    // Without a sweep: no sweep section, chart or per-configuration story, and
    // the scorecard keeps its median and range columns.
    assert!(!html.contains("id=\"sweep\""));
    assert!(!html.contains("The story where"));
    assert!(html.contains("<th>Median</th><th>90 % of replicates</th>"));
    assert!(!dir.path().join("r/charts/sweep_indicators.csv").exists());
    let stacked = read(&dir.path().join("r/charts/employment_by_sector.svg"));
    assert!(!stacked.contains("by configuration"));
}

#[test]
fn a_run_without_charts_still_has_its_report() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        dir.path(),
        &[
            "run",
            "test-city",
            "--replicates",
            "2",
            "--out",
            "r",
            "--quiet",
            "--no-charts",
        ],
    );
    let html = read(&dir.path().join("r/report.html"));
    assert_self_contained(&html, "report without charts");
    assert!(html.contains("--no-charts"));
    assert!(!html.contains("data:image"));
}

#[test]
fn a_comparison_report_puts_the_scenarios_side_by_side_and_says_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        fixtures().join("depleting.toml"),
        fixtures().join("growing.toml"),
    );
    run_ok(
        dir.path(),
        &[
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--replicates",
            "3",
            "--out",
            "c",
            "--quiet",
        ],
    );
    let html = read(&dir.path().join("c/report.html"));
    assert_self_contained(&html, "comparison report");
    assert!(html.contains("depleting and growing"));
    // One column per scenario in the scorecard.
    assert!(html.contains("<th>depleting</th><th>growing</th>"));
    // The story contrasts the medians and flags overlapping ranges.
    assert!(html.contains("Population change over the run:"));
    // What made them differ: the growing fixture adds a sector.
    assert!(
        html.contains("sectors.newtech"),
        "the added sector is not listed as a difference"
    );
    // Each caption says once what the lines are and once what the shading is.
    for caption in html.split("<figcaption>").skip(1) {
        let caption = caption.split("</figcaption>").next().unwrap();
        assert_eq!(
            caption.matches("One line per scenario").count(),
            1,
            "{caption}"
        );
        assert_eq!(caption.matches("50 % and 90 %").count(), 1, "{caption}");
    }
    // Each scenario keeps its own report.
    for sub in ["depleting", "growing"] {
        assert!(dir.path().join(format!("c/{sub}/report.html")).is_file());
    }
    let manifest = read(&dir.path().join("c/manifest.json"));
    assert!(manifest.contains("\"report.html\""));
}

#[test]
fn a_policy_switched_off_in_one_scenario_shows_as_on_in_the_other() {
    // `hegang-no-policy` switches off the internal retirement `hegang` has.
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        dir.path(),
        &[
            "compare",
            "hegang-no-policy",
            "hegang",
            "--replicates",
            "1",
            "--set",
            "population.size=3000",
            "--out",
            "c",
            "--quiet",
            "--no-charts",
        ],
    );
    let html = read(&dir.path().join("c/report.html"));
    let row = html
        .split("<tr>")
        .find(|r| r.contains("policies.internal_retirement.enabled"))
        .expect("the switch is listed as what differs");
    assert!(row.contains("false"), "{row}");
    assert!(
        row.contains("the default: a policy in the file is on"),
        "{row}"
    );
    assert!(!row.contains("not in this scenario"), "{row}");
    // The mines paid for it: the contrast says so, so that a cost moved off the
    // public purse does not read as a free policy, and the policy says who pays.
    assert!(
        html.contains(
            "Early-retirement allowances paid by employers: none in hegang-no-policy and"
        ),
        "the employers' cost is contrasted"
    );
    assert!(html.contains("Public cost of the policies: none in both scenarios"));
    assert!(html.contains("of the wage, paid by the employers"));
}

#[test]
fn a_lesson_runs_and_its_report_carries_the_questions() {
    let dir = tempfile::tempdir().unwrap();
    let o = boomtown(dir.path(), &["lesson"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listing = stdout(&o);
    assert!(
        listing
            .lines()
            .filter(|l| l.contains("boomtown compare"))
            .count()
            >= 4
    );

    let o = boomtown(
        dir.path(),
        &[
            "lesson",
            "2",
            "--set",
            "population.size=3000",
            "--set",
            "simulation.years=6",
            "--replicates",
            "2",
            "--no-open",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("output/lesson-2/report.html"));
    let html = read(&dir.path().join("output/lesson-2/report.html"));
    assert_self_contained(&html, "lesson report");
    assert!(html.contains("Lesson 2: Retraining the displaced"));
    assert!(html.contains("Questions for discussion"));
    assert!(html.contains("boomtown compare hegang-no-policy hegang-retraining"));

    let o = boomtown(dir.path(), &["lesson", "99", "--no-open"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no lesson 99"), "{}", stderr(&o));
}

#[test]
fn a_policy_without_a_cost_is_named_as_left_out_not_counted_as_free() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        dir.path(),
        &[
            "run",
            "hegang-cluster",
            "--set",
            "population.size=3000",
            "--set",
            "simulation.years=6",
            "--replicates",
            "2",
            "--out",
            "r",
            "--quiet",
            "--no-charts",
        ],
    );
    let html = read(&dir.path().join("r/report.html"));
    assert!(
        html.contains("gives no cost for new energy cluster"),
        "the story does not say the cluster is not costed"
    );
    assert!(html.contains("leaves out new energy cluster (no cost given)"));
    // Values changed on the command line are shown without a source.
    assert!(html.contains("kind-no-source"));
}

/// The `[p05, p50, p95]` of one indicator by configuration, as written in a
/// CSV file with those columns (`indicators_summary.csv`, the sweep chart's data).
fn points(path: &std::path::Path, indicator: &str) -> Vec<(String, [f64; 3])> {
    let (header, rows) = common::read_csv(path);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    rows.iter()
        .filter(|r| r[col("indicator")] == indicator)
        .map(|r| {
            let x = |n: &str| r[col(n)].parse().unwrap();
            (
                r[col("configuration")].clone(),
                [x("p05"), x("p50"), x("p95")],
            )
        })
        .collect()
}

#[test]
fn a_sweep_report_presents_every_configuration_and_its_key_indicators() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = fixtures().join("all-policies.toml");
    run_ok(
        dir.path(),
        &[
            "run",
            scenario.to_str().unwrap(),
            "--replicates",
            "2",
            "--sweep",
            "policies.retraining.seats_per_10000=0,40,120",
            "--out",
            "s",
            "--quiet",
        ],
    );
    let out = dir.path().join("s");
    let html = read(&out.join("report.html"));
    assert_self_contained(&html, "sweep report");
    // Every configuration is named in the story, its own story and the scorecard.
    for value in ["0", "40", "120"] {
        let label = format!("retraining seats per 10000 = {value}");
        assert!(
            html.contains(&format!("The story where {label}")),
            "no story for {label}"
        );
        assert!(
            html.contains(&format!("<th>{label}</th>")),
            "no scorecard or table column for {label}"
        );
    }
    assert!(!html.contains("first configuration"));
    // The charts of sectors, statuses and ages are small multiples: one panel
    // per configuration, each titled with its settings, and the caption names
    // every configuration.
    let labels: Vec<String> = ["0", "40", "120"]
        .iter()
        .map(|v| format!("retraining seats per 10000 = {v}"))
        .collect();
    for stem in boomtown::charts::PER_CONFIGURATION {
        let svg = read(&out.join(format!("charts/{stem}.svg")));
        assert!(
            svg.contains("by configuration"),
            "{stem}: not by configuration"
        );
        for label in &labels {
            assert_eq!(
                svg.matches(label.as_str()).count(),
                1,
                "{stem}: no panel for {label}"
            );
        }
    }
    assert_eq!(
        html.matches(
            &format!(
                "One panel per configuration, on the same axes: {}.",
                labels.join("; ")
            )[..]
        )
        .count(),
        boomtown::charts::PER_CONFIGURATION.len()
    );
    assert!(!html.contains("It shows only the configuration"));
    // The key indicators against the swept value: chart, section and data,
    // whose scorecard numbers are those of indicators_summary.csv.
    assert!(html.contains("id=\"sweep\""));
    assert!(out.join("charts/sweep_indicators.png").exists());
    assert!(html.contains("Key indicators against the swept values"));
    let chart_data = out.join("charts/sweep_indicators.csv");
    // The city's internal retirement is paid by the employers: their cost has
    // a panel of its own, since the public cost leaves it out.
    for indicator in [
        "reemployed_within_24_months",
        "public_cost_total",
        "employer_cost_early_retirement",
    ] {
        let shown = points(&chart_data, indicator);
        assert_eq!(shown.len(), 3, "{indicator}: one point per configuration");
        assert_eq!(
            shown,
            points(&out.join("indicators_summary.csv"), indicator)
        );
    }
    // No cost where the programme has no seats.
    let cost = points(&chart_data, "public_cost_total");
    assert!(cost[0].1[1] < cost[1].1[1]);
    // The retraining marker says where the programme is off, and the story of
    // that configuration does not list it among the policies that ran.
    let svg = read(&out.join("charts/unemployment_rate.svg"));
    assert!(
        svg.contains("not where retraining seats per 10000 = 0"),
        "the retraining marker does not say where it is off"
    );
    let off = html
        .split("The story where retraining seats per 10000 = 0")
        .nth(1)
        .and_then(|rest| rest.split("</details>").next())
        .unwrap();
    assert!(!off.contains("retraining ("), "{off}");
}

/// A run shortened with `--set simulation.years` leaves a scenario's later
/// event out: the report says so instead of telling it as if it had happened.
#[test]
fn a_report_says_when_an_event_falls_outside_a_shortened_run() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        dir.path(),
        &[
            "run",
            "zhuzhou",
            "--replicates",
            "1",
            "--set",
            "simulation.years=2",
            "--set",
            "population.size=5000",
            "--no-charts",
            "--out",
            "short",
            "--quiet",
        ],
    );
    let html = read(&dir.path().join("short/report.html"));
    assert!(html.contains("outside this run"), "the policy table");
    assert!(
        html.contains("No policy or event acts within this run: factory relocation"),
        "the story"
    );
}
