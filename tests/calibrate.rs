//! `boomtown calibrate` by recovery: figures made by the model at known
//! parameter values are calibrated back, and the posterior covers the values.

mod common;

use std::path::Path;

use common::{boomtown, fixtures, read_csv, run_ok, stderr};

const TRUTH: [(&str, f64); 2] = [
    ("labour.separation_rate", 0.01),
    ("migration.peak_annual_rate", 0.05),
];

fn fixture() -> String {
    fixtures()
        .join("calibration.toml")
        .to_string_lossy()
        .into_owned()
}

/// Runs the fixture at the true values and writes, as observations of the
/// scenario `calibration`, the mean over replicates of three of its figures,
/// each with a tolerance of twice the spread between replicates (at least a
/// fifth of the figure): the city's change over the run, its unemployment
/// rate in 2014 and its out-migration rate over 2015.
fn synthetic_observations(dir: &Path) -> std::path::PathBuf {
    let mut args = vec![
        "run".to_string(),
        fixture(),
        "--replicates".into(),
        "12".into(),
        "--set".into(),
        "simulation.report_every_months=1".into(),
        "--no-charts".into(),
        "--quiet".into(),
        "--out".into(),
        "truth".into(),
    ];
    for (k, v) in TRUTH {
        args.extend(["--set".into(), format!("{k}={v}")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_ok(dir, &args);
    let (header, rows) = read_csv(&dir.join("truth/timeseries.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let replicates: Vec<Vec<&Vec<String>>> = (0..12)
        .map(|r| {
            rows.iter()
                .filter(|row| row[col("replicate")] == r.to_string())
                .collect()
        })
        .collect();
    let at = |rs: &Vec<&Vec<String>>, date: &str, name: &str| -> f64 {
        rs.iter().find(|row| row[col("date")] == date).unwrap()[col(name)]
            .parse()
            .unwrap()
    };
    let mean_sd = |xs: Vec<f64>| {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt();
        (m, sd)
    };
    let change = mean_sd(
        replicates
            .iter()
            .map(|rs| at(rs, "2016-01", "population") / at(rs, "2010-01", "population") - 1.0)
            .collect(),
    );
    let unemployment = mean_sd(
        replicates
            .iter()
            .map(|rs| at(rs, "2014-01", "unemployment_rate"))
            .collect(),
    );
    let months: Vec<String> = (1..=12).map(|m| format!("2015-{m:02}")).collect();
    let leaving = mean_sd(
        replicates
            .iter()
            .map(|rs| {
                let mut dates = months.clone();
                dates.remove(0);
                dates.push("2016-01".into());
                dates
                    .iter()
                    .map(|d| at(rs, d, "out_migration_rate"))
                    .sum::<f64>()
                    / 12.0
            })
            .collect(),
    );
    let row = |id: &str, indicator: &str, base: &str, date: &str, (m, sd): (f64, f64)| {
        let tol = (2.0 * sd).max(0.2 * m.abs());
        format!(
            "{id},calibration,{indicator},{base},{date},{m},{},{},fit,synthetic: the model at known values,\n",
            m - tol,
            m + tol
        )
    };
    let text =
        String::from("id,scenario,indicator,base_date,date,value,low,high,use,source,note\n")
            + &row("size", "population_change", "2010-01", "2016-01", change)
            + &row(
                "unemployment",
                "unemployment_rate",
                "",
                "2014-01",
                unemployment,
            )
            + &row("leaving", "out_migration_rate", "", "2016-01", leaving);
    let path = dir.join("observations.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_posterior_covers_the_values_that_made_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let observations = synthetic_observations(dir.path());
    let scenario = fixture();
    run_ok(
        dir.path(),
        &[
            "calibrate",
            &scenario,
            "--observations",
            observations.to_str().unwrap(),
            "--particles",
            "60",
            "--generations",
            "4",
            "--out",
            "cal",
            "--quiet",
        ],
    );
    let (header, rows) = read_csv(&dir.path().join("cal/posterior.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    for (key, truth) in TRUTH {
        let r = rows.iter().find(|r| r[col("parameter")] == key).unwrap();
        let get = |n: &str| r[col(n)].parse::<f64>().unwrap();
        assert!(
            get("p05") <= truth && truth <= get("p95"),
            "{key}: the posterior's 5-95 % ({} to {}) misses {truth}",
            get("p05"),
            get("p95")
        );
    }
    // Out-migration is well identified by the data: its posterior is much
    // narrower than its prior.
    let r = rows
        .iter()
        .find(|r| r[col("parameter")] == "migration.peak_annual_rate")
        .unwrap();
    let width =
        |a: &str, b: &str| r[col(b)].parse::<f64>().unwrap() - r[col(a)].parse::<f64>().unwrap();
    assert!(width("p05", "p95") < 0.5 * width("prior_p05", "prior_p95"));
    // The tolerance shrinks from generation to generation.
    let (gh, gens) = read_csv(&dir.path().join("cal/generations.csv"));
    let tol: Vec<f64> = gens
        .iter()
        .skip(1)
        .map(|g| {
            g[gh.iter().position(|h| h == "tolerance").unwrap()]
                .parse()
                .unwrap()
        })
        .collect();
    assert!(tol.windows(2).all(|w| w[1] < w[0]), "{tol:?}");
    // The calibrated scenario runs, and says where its values come from.
    run_ok(dir.path(), &["check", "cal/calibrated.toml"]);
    let explained = common::stdout(&boomtown(dir.path(), &["explain", "cal/calibrated.toml"]));
    assert!(
        explained.contains("calibrated: chosen by ABC-SMC"),
        "{explained}"
    );
    for f in [
        "particles.csv",
        "fit.csv",
        "calibration.md",
        "report.html",
        "charts/posterior.png",
    ] {
        assert!(dir.path().join("cal").join(f).is_file(), "{f}");
    }
}

/// The same seed gives the same particles whatever the threads.
#[test]
fn a_calibration_is_reproducible_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let observations = synthetic_observations(dir.path());
    let scenario = fixture();
    for (threads, out) in [("1", "one"), ("2", "two")] {
        run_ok(
            dir.path(),
            &[
                "calibrate",
                &scenario,
                "--observations",
                observations.to_str().unwrap(),
                "--particles",
                "20",
                "--generations",
                "2",
                "--threads",
                threads,
                "--out",
                out,
                "--quiet",
            ],
        );
    }
    for f in [
        "particles.csv",
        "posterior.csv",
        "fit.csv",
        "calibrated.toml",
    ] {
        let a = std::fs::read(dir.path().join("one").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("two").join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn bad_calibration_requests_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let header = "id,scenario,indicator,base_date,date,value,low,high,use,source,note\n";
    let good = write(
        "good.csv",
        &format!("{header}a,calibration,unemployment_rate,,2014-01,0.06,,,fit,s,\n"),
    );
    let other = write(
        "other.csv",
        &format!("{header}a,hegang,unemployment_rate,,2014-01,0.06,,,fit,s,\n"),
    );
    let late = write(
        "late.csv",
        &format!("{header}a,calibration,unemployment_rate,,2090-01,0.06,,,fit,s,\n"),
    );
    let unknown = write(
        "unknown.csv",
        &format!("{header}a,calibration,unemployment,,2014-01,0.06,,,fit,s,\n"),
    );
    let of = |scenario: &str| {
        write(
            &format!("{scenario}.csv"),
            &format!("{header}a,{scenario},unemployment_rate,,2014-01,0.06,,,fit,s,\n"),
        )
    };
    let (test_city, of_choice) = (of("test-city"), of("choice"));
    let choice = write(
        "choice.toml",
        &format!(
            "extends = {:?}\n[labour]\nsearch_probability = {{ dist = \"choice\", values = [0.2, 0.3] }}\n",
            fixture()
        ),
    );
    let scenario = fixture();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![&scenario, "--observations", &other],
            "no observation of scenario `calibration`",
        ),
        (
            vec![
                &scenario,
                "--observations",
                &late,
                "--set",
                "simulation.years=6",
            ],
            "outside the run",
        ),
        (
            vec![&scenario, "--observations", &unknown],
            "not a column of timeseries.csv",
        ),
        (
            vec!["test-city", "--observations", &test_city],
            "no uncertain parameters",
        ),
        (
            vec![&choice, "--observations", &of_choice],
            "cannot be calibrated",
        ),
        (
            vec![&scenario, "--observations", &good, "--particles", "5"],
            "at least 10",
        ),
        (
            vec![&scenario, "--observations", &good, "--quantile", "1.5"],
            "between 0 and 1",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["calibrate"];
        all.extend(args.iter().copied());
        all.extend(["--out", "cal", "--quiet"]);
        let o = boomtown(dir.path(), &all);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{all:?}: {}", stderr(&o));
        assert!(!dir.path().join("cal").exists(), "{all:?} wrote its folder");
    }
}

/// A calibration killed after a finished generation resumes from it to the
/// files an uninterrupted one writes; `--shard` is refused with the reason.
#[test]
fn a_killed_calibration_resumes_from_its_last_generation() {
    let dir = tempfile::tempdir().unwrap();
    let observations = synthetic_observations(dir.path());
    let scenario = fixture();
    let args = [
        "calibrate",
        &scenario,
        "--observations",
        observations.to_str().unwrap(),
        "--particles",
        "20",
        "--generations",
        "3",
        "--quiet",
    ];
    let with = |more: &[&'static str]| -> Vec<&str> { [&args[..], more].concat() };
    run_ok(dir.path(), &with(&["--out", "straight"]));
    common::run_killed_at(dir.path(), "generation-kept", &with(&["--out", "killed"]));
    assert!(!dir.path().join("killed").exists());
    let kept = std::fs::read_dir(dir.path().join("killed.partial/jobs"))
        .unwrap()
        .count();
    assert_eq!(kept, 2, "the priors and generation 1 kept");
    run_ok(
        dir.path(),
        &with(&["--out", "killed", "--resume", "--threads", "1"]),
    );
    assert!(!dir.path().join("killed.partial").exists());
    for f in [
        "particles.csv",
        "generations.csv",
        "posterior.csv",
        "fit.csv",
        "calibrated.toml",
        "calibration.md",
        "report.html",
        "charts/posterior.svg",
    ] {
        let a = std::fs::read(dir.path().join("straight").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("killed").join(f)).unwrap();
        assert!(a == b, "{f} differs after resuming");
    }
    // Resuming a finished calibration leaves it as it is.
    run_ok(dir.path(), &with(&["--out", "killed", "--resume"]));
    let o = boomtown(dir.path(), &with(&["--out", "sharded", "--shard", "1/2"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot be split into shards"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
}
