//! Sensitivity analyses and Latin-hypercube batches beyond one machine: shards
//! merge into exactly the folder one run writes, an interrupted analysis resumes
//! to the uninterrupted result, and shards that do not belong together are
//! refused.

mod common;

use std::path::Path;

use common::{boomtown, fixtures, run_killed_at, run_ok, stderr};

fn sensitive() -> String {
    fixtures()
        .join("sensitive.toml")
        .to_string_lossy()
        .into_owned()
}

/// Every file of `a` (one level of subfolders) is in `b` with the same bytes,
/// and the other way round, except `manifest.json` and the ownership marker.
fn assert_same_folders(a: &Path, b: &Path) {
    let files = |d: &Path| -> Vec<String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(d).unwrap().map(|e| e.unwrap()) {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                for f in std::fs::read_dir(e.path()).unwrap().map(|f| f.unwrap()) {
                    out.push(format!("{name}/{}", f.file_name().to_string_lossy()));
                }
            } else if name != "manifest.json" && name != ".boomtown" {
                out.push(name);
            }
        }
        out.sort();
        out
    };
    let (fa, fb) = (files(a), files(b));
    assert_eq!(
        fa,
        fb,
        "{} and {} hold other files",
        a.display(),
        b.display()
    );
    assert!(fa.len() > 3, "{fa:?}");
    for f in fa {
        let (x, y) = (
            std::fs::read(a.join(&f)).unwrap(),
            std::fs::read(b.join(&f)).unwrap(),
        );
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn analysis<'a>(method: &'a str, scenario: &'a str) -> Vec<&'a str> {
    vec![
        "sensitivity",
        scenario,
        "--method",
        method,
        "--samples",
        "4",
        "--replicates",
        "2",
        "--set",
        "population.size=3000",
        "--quiet",
    ]
}

fn with<'a>(args: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    [args, more].concat()
}

#[test]
fn sensitivity_shards_merge_into_the_single_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = sensitive();
    for method in ["morris", "sobol"] {
        let args = analysis(method, &scenario);
        let single = format!("{method}-single");
        run_ok(dir.path(), &with(&args, &["--out", &single]));
        let mut shards = Vec::new();
        for k in 1..=3 {
            let (shard, out) = (format!("{k}/3"), format!("{method}-{k}"));
            run_ok(
                dir.path(),
                &with(&args, &["--shard", &shard, "--out", &out, "--threads", "1"]),
            );
            shards.push(out);
        }
        let manifest: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(&shards[1]).join("manifest.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(manifest["shard"], "2/3");
        assert!(manifest["checksums"]["runs.csv"].is_string());
        let merged = format!("{method}-merged");
        // In any order.
        shards.reverse();
        let mut merge = vec!["merge"];
        merge.extend(shards.iter().map(String::as_str));
        merge.extend(["--out", &merged, "--quiet"]);
        run_ok(dir.path(), &merge);
        assert_same_folders(&dir.path().join(&single), &dir.path().join(&merged));
    }
}

#[test]
fn latin_hypercube_shards_merge_into_the_single_batch() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "test-city",
        "--design",
        "lhs",
        "--samples",
        "7",
        "--set",
        "population.size=3000",
        "--quiet",
    ];
    run_ok(dir.path(), &with(&args, &["--out", "single"]));
    for k in 1..=2 {
        let (shard, out) = (format!("{k}/2"), format!("s{k}"));
        run_ok(
            dir.path(),
            &with(&args, &["--shard", &shard, "--out", &out, "--no-charts"]),
        );
    }
    // A slice of no job (more shards than jobs) writes a folder merge accepts.
    run_ok(
        dir.path(),
        &with(
            &args,
            &["--shard", "1/100", "--out", "empty", "--no-charts"],
        ),
    );
    run_ok(
        dir.path(),
        &["merge", "s2", "empty", "s1", "--out", "merged"],
    );
    assert_same_folders(&dir.path().join("single"), &dir.path().join("merged"));
}

#[test]
fn an_interrupted_analysis_resumes_to_the_uninterrupted_result() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = sensitive();
    let args = analysis("sobol", &scenario);
    run_ok(dir.path(), &with(&args, &["--out", "straight"]));
    // Killed (as by kill -9) right after its first run was kept.
    run_killed_at(
        dir.path(),
        "job-written",
        &with(&args, &["--out", "killed", "--threads", "1"]),
    );
    assert!(!dir.path().join("killed").exists());
    let kept = std::fs::read_dir(dir.path().join("killed.partial/jobs"))
        .unwrap()
        .filter(|e| {
            !e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(kept, 1, "one finished run kept");
    run_ok(dir.path(), &with(&args, &["--out", "killed", "--resume"]));
    assert!(!dir.path().join("killed.partial").exists());
    assert_same_folders(&dir.path().join("straight"), &dir.path().join("killed"));
    // A shard resumes the same way, and resuming finished work does nothing.
    let shard = with(&args, &["--shard", "1/2", "--out", "part"]);
    run_killed_at(dir.path(), "job-written", &shard);
    run_ok(dir.path(), &with(&shard, &["--resume"]));
    run_ok(dir.path(), &with(&shard, &["--resume"]));
    assert!(dir.path().join("part/runs.csv").is_file());
    // Other settings do not resume the analysis in progress.
    run_killed_at(dir.path(), "job-written", &with(&args, &["--out", "other"]));
    let o = boomtown(
        dir.path(),
        &with(&args, &["--out", "other", "--resume", "--seed", "9"]),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("started with other settings"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn shards_that_do_not_belong_together_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = sensitive();
    let args = analysis("morris", &scenario);
    for (k, seed, out) in [("1/2", "1", "a1"), ("2/2", "1", "a2"), ("2/2", "2", "b2")] {
        run_ok(
            dir.path(),
            &with(&args, &["--shard", k, "--seed", seed, "--out", out]),
        );
    }
    run_ok(
        dir.path(),
        &[
            "run",
            "test-city",
            "--shard",
            "2/2",
            "--out",
            "r2",
            "--quiet",
        ],
    );
    let refused = |dirs: &[&str], expected: &str| {
        let o = boomtown(dir.path(), &with(&with(&["merge"], dirs), &["--out", "m"]));
        assert_eq!(o.status.code(), Some(2), "{dirs:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{dirs:?}: {}", stderr(&o));
        assert!(!dir.path().join("m").exists());
    };
    refused(&["a1", "b2"], "their seed differs");
    refused(&["a1"], "some shards are missing");
    refused(&["a1", "r2"], "a sensitivity analysis");
    refused(&["a1", "a2", "a2"], "overlap");
    // A damaged shard.
    let runs = dir.path().join("a2/runs.csv");
    let text = std::fs::read_to_string(&runs).unwrap();
    std::fs::write(&runs, &text[..text.len() / 2]).unwrap();
    refused(&["a1", "a2"], "runs.csv is not the file this shard wrote");
    for bad in ["0/2", "3/2", "x"] {
        let o = boomtown(dir.path(), &with(&args, &["--shard", bad, "--out", "z"]));
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(stderr(&o).contains("expected K/N"), "{}", stderr(&o));
    }
}
