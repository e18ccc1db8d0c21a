//! Helpers shared by the integration tests: run the built binary, read CSVs.

#![allow(dead_code)]

pub mod browser;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path of the `boomtown` binary built for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_boomtown"))
}

/// Runs `boomtown` with arguments in a folder and returns its output.
pub fn boomtown(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the boomtown binary runs")
}

/// Runs `boomtown` in a folder and fails the test, with its error output, if
/// it does not succeed.
pub fn run_ok(dir: &Path, args: &[&str]) {
    let o = boomtown(dir, args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
}

/// Runs `boomtown` so that it dies at a named point, as a `kill -9` there would
/// (see `boomtown::fault`), and checks that it did not succeed.
pub fn run_killed_at(dir: &Path, point: &str, args: &[&str]) -> Output {
    let o = Command::new(bin())
        .args(args)
        .env(boomtown::fault::VARIABLE, point)
        .current_dir(dir)
        .output()
        .expect("the boomtown binary runs");
    assert!(!o.status.success(), "{args:?} did not die at {point}");
    o
}

/// Runs `boomtown` and kills it if it takes longer than `seconds`: an input that
/// hangs fails the test instead of hanging the suite.
pub fn boomtown_within(dir: &Path, args: &[&str], seconds: u64) -> Output {
    use std::time::{Duration, Instant};
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the boomtown binary runs");
    let start = Instant::now();
    while child.try_wait().expect("waiting works").is_none() {
        if start.elapsed() > Duration::from_secs(seconds) {
            let _ = child.kill();
            panic!("{args:?} did not end within {seconds} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("the output is read")
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The repository's test scenarios folder.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios")
}

/// Reads a CSV file into its header and rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("csv opens");
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("row").iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The values of one column, as numbers.
pub fn column(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<f64> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    rows.iter()
        .map(|r| r[i].parse().expect("a number"))
        .collect()
}

/// Runs one replicate of a scenario and returns its snapshots.
pub fn simulate(s: &boomtown::scenario::Scenario, seed: u64) -> Vec<boomtown::model::Snapshot> {
    let mut city = boomtown::model::City::new(s.params.clone(), boomtown::model::model_rng(seed));
    let mut out = Vec::new();
    city.run(|snap| out.push(snap));
    out
}

/// One metric over the snapshots of a run.
pub fn series(
    s: &boomtown::scenario::Scenario,
    snaps: &[boomtown::model::Snapshot],
    name: &str,
) -> Vec<f64> {
    let i = boomtown::model::metrics::Metric::columns(&s.params)
        .iter()
        .position(|c| c.name == name)
        .unwrap_or_else(|| panic!("no metric {name}"));
    snaps.iter().map(|x| x.values[i]).collect()
}
