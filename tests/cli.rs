//! End-to-end tests of the command line: commands, outputs, determinism.

mod common;

use common::{boomtown, column, fixtures, read_csv, stderr, stdout};

#[test]
fn list_shows_the_named_scenarios_but_not_the_defaults_layer() {
    let dir = tempfile::tempdir().unwrap();
    let out = boomtown(dir.path(), &["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for name in ["hegang-like", "baotou-like", "test-city"] {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} missing:\n{text}"));
        assert!(
            line.len() > name.len() + 10,
            "{name} has no description: {line}"
        );
    }
    assert!(!text.lines().any(|l| l.starts_with("defaults")), "{text}");
}

#[test]
fn check_prints_the_resolved_scenario_with_defaults_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = boomtown(
        dir.path(),
        &[
            "check",
            "test-city",
            "hegang-like",
            "--set",
            "simulation.years=5",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // A default from the defaults layer, a value from the scenario, an override.
    assert!(text.contains("separation_rate = 0.01"), "{text}");
    assert!(text.contains("[sectors.mine]"), "{text}");
    assert!(text.contains("years = 5"), "{text}");
    assert!(
        text.contains("Chain: builtin:defaults <- builtin:test-city"),
        "{text}"
    );
}

#[test]
fn run_writes_manifest_resolved_scenario_and_timeseries() {
    let dir = tempfile::tempdir().unwrap();
    let out = boomtown(dir.path(), &["run", "test-city", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).is_empty() && stderr(&out).is_empty(),
        "--quiet printed something"
    );
    let folder = dir.path().join("output/test-city");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).unwrap())
            .unwrap();
    for key in [
        "version",
        "command",
        "scenario",
        "scenario_hash",
        "seed",
        "replicates",
        "threads",
        "started",
        "finished",
        "elapsed_seconds",
        "person_months",
    ] {
        assert!(
            manifest.get(key).is_some(),
            "manifest lacks {key}: {manifest}"
        );
    }
    assert_eq!(manifest["scenario"], "test-city");
    assert!(manifest["person_months"].as_u64().unwrap() > 2000 * 100);

    let (header, rows) = read_csv(&folder.join("timeseries.csv"));
    let expected = [
        "scenario",
        "replicate",
        "step",
        "date",
        "population",
        "working_age_population",
        "employed",
        "unemployed",
        "unemployment_rate",
        "youth_unemployment_rate",
        "long_term_unemployment_share",
        "out_migrants",
        "in_migrants",
        "births",
        "deaths",
        "retirees",
        "mean_wage",
        "employed_mine",
        "employed_services",
        "employed_public",
    ];
    assert_eq!(&header[..expected.len()], &expected);
    // Ten years reported every six months, plus the initial state.
    assert_eq!(rows.len(), 21);
    assert_eq!(rows[0][3], "2010-01");
    assert_eq!(rows[20][3], "2020-01");
    assert_eq!(column(&header, &rows, "population")[0], 2000.0);
    for rate in [
        "unemployment_rate",
        "youth_unemployment_rate",
        "long_term_unemployment_share",
    ] {
        assert!(
            column(&header, &rows, rate)
                .iter()
                .all(|r| (0.0..=1.0).contains(r)),
            "{rate} out of 0..1"
        );
    }
    // Employment by sector adds up to employment.
    let total = column(&header, &rows, "employed");
    let by_sector: Vec<f64> = ["employed_mine", "employed_services", "employed_public"]
        .iter()
        .map(|c| column(&header, &rows, c))
        .fold(vec![0.0; rows.len()], |acc, c| {
            acc.iter().zip(c).map(|(a, b)| a + b).collect()
        });
    assert_eq!(total, by_sector);

    let (pyramid_header, pyramid) = read_csv(&folder.join("age_pyramid.csv"));
    assert_eq!(
        pyramid_header,
        [
            "scenario",
            "replicate",
            "step",
            "date",
            "age_group",
            "male",
            "female"
        ]
    );
    let start: f64 = pyramid
        .iter()
        .filter(|r| r[2] == "0")
        .map(|r| r[5].parse::<f64>().unwrap() + r[6].parse::<f64>().unwrap())
        .sum();
    assert_eq!(start, 2000.0);
    assert!(
        std::fs::read_to_string(folder.join("scenario.toml"))
            .unwrap()
            .contains("[sectors.mine]")
    );
}

fn run_bytes(dir: &std::path::Path, out: &str, extra: &[&str]) -> Vec<Vec<u8>> {
    let mut args = vec!["run", "test-city", "--quiet", "--out", out];
    args.extend_from_slice(extra);
    let o = boomtown(dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    ["timeseries.csv", "age_pyramid.csv", "scenario.toml"]
        .iter()
        .map(|f| std::fs::read(dir.join(out).join(f)).unwrap())
        .collect()
}

#[test]
fn same_scenario_and_seed_give_byte_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let a = run_bytes(dir.path(), "a", &["--seed", "7"]);
    let b = run_bytes(dir.path(), "b", &["--seed", "7"]);
    let c = run_bytes(dir.path(), "c", &["--seed", "8"]);
    assert_eq!(a, b);
    assert_ne!(a[0], c[0], "another seed gives other draws");
}

#[test]
fn rerunning_the_resolved_scenario_reproduces_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_bytes(
        dir.path(),
        "first",
        &["--set", "simulation.years=4", "--seed", "3"],
    );
    // No options: the resolved file carries the seed and the replicates.
    let o = boomtown(
        dir.path(),
        &["run", "first/scenario.toml", "--quiet", "--out", "again"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let again = std::fs::read(dir.path().join("again/timeseries.csv")).unwrap();
    assert_eq!(first[0], again);
}

#[test]
fn named_scenarios_run_from_any_folder_and_replace_a_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let o = boomtown(
            dir.path(),
            &[
                "run",
                "test-city",
                "--quiet",
                "--out",
                "here",
                "--set",
                "simulation.years=1",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let entries: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        entries,
        ["here"],
        "staging folders left behind: {entries:?}"
    );
}

#[test]
fn refuses_to_replace_a_folder_that_is_not_an_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("precious")).unwrap();
    std::fs::write(dir.path().join("precious/notes.txt"), "keep me").unwrap();
    let o = boomtown(
        dir.path(),
        &["run", "test-city", "--quiet", "--out", "precious"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not a boomtown output folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("precious/notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn fixtures_extend_builtin_scenarios_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures().join("growing.toml");
    let o = boomtown(dir.path(), &["check", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("[sectors.newtech]") && text.contains("reserves = 8.5"),
        "{text}"
    );
}

#[test]
fn explain_lists_every_parameter_with_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let o = boomtown(dir.path(), &["explain", "baotou", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "parameter",
            "value",
            "set_in",
            "source_kind",
            "source",
            "facts"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let find = |p: &str| {
        rows.iter()
            .find(|x| &x[0] == p)
            .unwrap_or_else(|| panic!("no row {p}"))
    };
    let start = find("policies.rare_earth_base.start");
    assert_eq!(&start[3], "fact");
    assert!(
        start[5].contains(
            "baotou-rare-earth-reserve-base-designation = 2013 year (\u{201c}Resource-Rich Cities: \
             Riding the New Energy Wave\u{201d}, web article written for search engines, unsigned \
             and undated; 002_b6182a3581e03390.txt)"
        ),
        "{:?}",
        start
    );
    assert!(find("population.size")[2].starts_with("builtin:baotou, line"));
    assert_eq!(&find("labour.separation_rate")[2][..16], "builtin:defaults");
    assert!(rows.iter().all(|x| &x[3] != "MISSING"));
    // A value the scenario leaves out is listed with the model's default and
    // the assumption behind it; one the scenario sets is not listed twice.
    let fit = find("sectors.services.skill_fit");
    assert_eq!(
        (&fit[1], &fit[2], &fit[3]),
        (
            "[1.0, 1.0, 1.0]",
            "the model (the scenario leaves it out)",
            "assumption"
        )
    );
    let own = rows
        .iter()
        .filter(|x| &x[0] == "sectors.own_account.skill_fit")
        .collect::<Vec<_>>();
    assert_eq!(own.len(), 1);
    assert!(own[0][2].starts_with("builtin:baotou-like, line"));
    let variant = boomtown(
        dir.path(),
        &["explain", "hegang-early-retirement", "--format", "csv"],
    );
    let payer = stdout(&variant)
        .lines()
        .find(|l| l.starts_with("policies.early_retirement.paid_by,"))
        .map(String::from);
    assert!(
        payer.as_deref().is_some_and(
            |l| l.contains("public") && l.contains("the model (the scenario leaves it out)")
        ),
        "{payer:?}"
    );
    let table = boomtown(dir.path(), &["explain", "hegang-like"]);
    assert!(stdout(&table).contains("parameters:"), "{}", stdout(&table));
    let bad = boomtown(dir.path(), &["explain", "nowhere"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn explain_shows_a_switched_off_policy_before_its_settings() {
    // hegang-no-policy extends hegang and switches its internal retirement off:
    // the settings still print, so the reader learns first that none is in force.
    let dir = tempfile::tempdir().unwrap();
    let o = boomtown(
        dir.path(),
        &["explain", "hegang-no-policy", "--format", "csv"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(stdout(&o).as_bytes())
        .records()
        .map(|x| x.unwrap())
        .collect();
    let policy: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|x| x[0].starts_with("policies.internal_retirement."))
        .collect();
    assert!(policy.len() > 5, "{policy:?}");
    let first = policy[0];
    assert_eq!(&first[0], "policies.internal_retirement.enabled");
    assert_eq!(&first[1], "false");
    assert!(first[4].starts_with("switched off"), "{first:?}");
    // In force, the same policy has no such row.
    let on = boomtown(dir.path(), &["explain", "hegang", "--format", "csv"]);
    assert!(!stdout(&on).contains("switched off"), "{}", stdout(&on));
}
