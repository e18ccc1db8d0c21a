//! Monte Carlo batches: thread-count independence, shards and merge, resume after
//! an interruption, sweeps, and summaries checked against a direct computation.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, boomtown, column, fixtures, read_csv, run_ok, stderr};

const DATA_FILES: [&str; 10] = [
    "timeseries.csv",
    "age_pyramid.csv",
    "indicators.csv",
    "experiments.csv",
    "summary.csv",
    "scenario.toml",
    "charts/unemployment_rate.png",
    "charts/age_pyramid.svg",
    "charts/displaced_workers.svg",
    "report.html",
];

fn uncertain() -> String {
    fixtures()
        .join("uncertain.toml")
        .to_string_lossy()
        .into_owned()
}

fn assert_same_files(a: &Path, b: &Path) {
    for f in DATA_FILES {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn outputs_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let s = uncertain();
    run_ok(
        dir.path(),
        &[
            "run",
            &s,
            "--replicates",
            "6",
            "--threads",
            "1",
            "--out",
            "one",
            "--quiet",
        ],
    );
    run_ok(
        dir.path(),
        &[
            "run",
            &s,
            "--replicates",
            "6",
            "--threads",
            "3",
            "--out",
            "three",
            "--quiet",
        ],
    );
    assert_same_files(&dir.path().join("one"), &dir.path().join("three"));
}

#[test]
fn merged_shards_equal_a_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let s = uncertain();
    run_ok(
        dir.path(),
        &["run", &s, "--replicates", "5", "--out", "whole", "--quiet"],
    );
    for k in 1..=3 {
        let shard = format!("{k}/3");
        run_ok(
            dir.path(),
            &[
                "run",
                &s,
                "--replicates",
                "5",
                "--shard",
                &shard,
                "--out",
                &format!("part{k}"),
                "--quiet",
            ],
        );
    }
    // Any order of the shard folders.
    run_ok(
        dir.path(),
        &[
            "merge", "part2", "part3", "part1", "--out", "merged", "--quiet",
        ],
    );
    assert_same_files(&dir.path().join("whole"), &dir.path().join("merged"));

    let o = boomtown(dir.path(), &["merge", "part1", "part3", "--out", "gap"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("gap"), "{}", stderr(&o));
    assert!(!dir.path().join("gap").exists());
    run_ok(
        dir.path(),
        &[
            "run",
            &s,
            "--replicates",
            "5",
            "--seed",
            "99",
            "--shard",
            "2/3",
            "--out",
            "other",
            "--quiet",
        ],
    );
    let o = boomtown(
        dir.path(),
        &["merge", "part1", "other", "part3", "--out", "mixed"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not shards of one batch"),
        "{}",
        stderr(&o)
    );
}

/// Copies a shard folder (files only, one level of subfolders).
fn copy_shard(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn damaged_or_incomplete_shards_are_refused_by_merge() {
    let dir = tempfile::tempdir().unwrap();
    let quick = [
        "--set",
        "simulation.years=2",
        "--replicates",
        "4",
        "--no-charts",
        "--quiet",
    ];
    for k in 1..=2 {
        let (shard, out) = (format!("{k}/2"), format!("s{k}"));
        let args = [
            &["run", "test-city", "--shard", &shard, "--out", &out][..],
            &quick,
        ]
        .concat();
        run_ok(dir.path(), &args);
    }
    let merge = |second: &str| {
        boomtown(
            dir.path(),
            &["merge", "s1", second, "--out", "merged", "--no-charts"],
        )
    };
    let cut = |path: &Path| {
        let text = std::fs::read_to_string(path).unwrap();
        let keep = text.trim_end().rsplit_once('\n').unwrap().0.to_string() + "\n";
        std::fs::write(path, &keep).unwrap();
        keep
    };
    // A copy cut short: its checksum no longer matches.
    copy_shard(&dir.path().join("s2"), &dir.path().join("cut"));
    cut(&dir.path().join("cut/timeseries.csv"));
    let o = merge("cut");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("timeseries.csv is not the file this shard wrote"),
        "{}",
        stderr(&o)
    );
    // Cut short and its manifest made to agree: the rows do not cover the jobs.
    let manifest_path = dir.path().join("cut/manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    let kept = std::fs::read(dir.path().join("cut/timeseries.csv")).unwrap();
    manifest["checksums"]["timeseries.csv"] = sha256_hex(&kept).into();
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let o = merge("cut");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("do not hold the jobs 2 to 4"),
        "{}",
        stderr(&o)
    );
    // A file gone missing.
    copy_shard(&dir.path().join("s2"), &dir.path().join("lost"));
    std::fs::remove_file(dir.path().join("lost/experiments.csv")).unwrap();
    let o = merge("lost");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("experiments.csv is missing"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("merged").exists());
    // The intact shards still merge.
    let o = merge("s2");
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_single_replicate_reruns_alone_with_its_shard() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        dir.path(),
        &[
            "run",
            "test-city",
            "--replicates",
            "4",
            "--out",
            "all",
            "--quiet",
            "--set",
            "simulation.years=2",
        ],
    );
    run_ok(
        dir.path(),
        &[
            "run",
            "test-city",
            "--replicates",
            "4",
            "--shard",
            "3/4",
            "--out",
            "third",
            "--quiet",
            "--set",
            "simulation.years=2",
        ],
    );
    let (h, all) = read_csv(&dir.path().join("all/timeseries.csv"));
    let (_, third) = read_csv(&dir.path().join("third/timeseries.csv"));
    let replicate = h.iter().position(|c| c == "replicate").unwrap();
    let expected: Vec<_> = all.into_iter().filter(|r| r[replicate] == "2").collect();
    assert_eq!(third, expected);
}

#[test]
fn an_interrupted_batch_resumes_to_the_uninterrupted_result() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "test-city",
        "--replicates",
        "30",
        "--set",
        "population.size=10000",
        "--quiet",
    ];
    let child = Command::new(bin())
        .args(args)
        .args(["--out", "batch", "--threads", "1"])
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once a few replicates have finished.
    let jobs = dir.path().join("batch.partial/jobs");
    let deadline = Instant::now() + Duration::from_secs(120);
    while finished_jobs(&jobs) < 3 {
        assert!(Instant::now() < deadline, "no replicate finished in time");
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--resume"));
    assert!(
        !dir.path().join("batch").exists(),
        "an unfinished batch left an output folder"
    );
    let kept = std::fs::read_dir(&jobs).unwrap().count();
    assert!((3..30).contains(&kept), "{kept} replicates kept");

    run_ok(
        dir.path(),
        &[&args[..], &["--out", "batch", "--resume", "--threads", "2"]].concat(),
    );
    assert!(
        !dir.path().join("batch.partial").exists(),
        "the partial folder was not cleaned up"
    );
    run_ok(dir.path(), &[&args[..], &["--out", "straight"]].concat());
    assert_same_files(&dir.path().join("batch"), &dir.path().join("straight"));
}

#[test]
fn resume_starts_or_skips_when_there_is_nothing_to_resume_and_refuses_other_settings() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "test-city",
        "--resume",
        "--out",
        "x",
        "--no-charts",
        "--set",
        "simulation.years=2",
    ];
    // No batch in progress: --resume starts one.
    run_ok(dir.path(), &args);
    let first = std::fs::read(dir.path().join("x/timeseries.csv")).unwrap();
    // The batch is finished: --resume leaves it as it is.
    run_ok(dir.path(), &args);
    assert_eq!(
        std::fs::read(dir.path().join("x/timeseries.csv")).unwrap(),
        first
    );
    // A batch in progress with other settings is not resumed, nor discarded
    // without --force.
    common::run_killed_at(
        dir.path(),
        "job-written",
        &[
            "run",
            "test-city",
            "--out",
            "y",
            "--seed",
            "5",
            "--threads",
            "1",
            "--quiet",
        ],
    );
    assert_eq!(finished_jobs(&dir.path().join("y.partial/jobs")), 1);
    let o = boomtown(dir.path(), &["run", "test-city", "--resume", "--out", "y"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("other settings"), "{}", stderr(&o));
    let o = boomtown(dir.path(), &["run", "test-city", "--out", "y"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(finished_jobs(&dir.path().join("y.partial/jobs")), 1);
    let short = ["--set", "simulation.years=2", "--no-charts", "--quiet"];
    run_ok(
        dir.path(),
        &[&["run", "test-city", "--out", "y", "--force"][..], &short].concat(),
    );
    assert!(!dir.path().join("y.partial").exists());
}

#[test]
fn sweeps_make_one_configuration_per_combination() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        dir.path(),
        &[
            "run",
            &uncertain(),
            "--replicates",
            "2",
            "--out",
            "sweep",
            "--quiet",
            "--sweep",
            "economy.local_income_elasticity=0.5,1.0,1.5",
        ],
    );
    let (h, rows) = read_csv(&dir.path().join("sweep/timeseries.csv"));
    assert_eq!(
        &h[..5],
        [
            "scenario",
            "configuration",
            "labour.search_probability",
            "economy.local_income_elasticity",
            "replicate"
        ]
    );
    let configs: std::collections::BTreeSet<(String, String, String)> = rows
        .iter()
        .map(|r| (r[1].clone(), r[2].clone(), r[3].clone()))
        .collect();
    assert_eq!(configs.len(), 6);
    assert!(
        configs.contains(&("5".into(), "0.35".into(), "1.5".into())),
        "{configs:?}"
    );
    // Every configuration's replicate 0 draws the same uncertain values.
    let (eh, ex) = read_csv(&dir.path().join("sweep/experiments.csv"));
    assert_eq!(ex.len(), 12);
    let sep = eh
        .iter()
        .position(|c| c == "labour.separation_rate")
        .unwrap();
    let rep = eh.iter().position(|c| c == "replicate").unwrap();
    let draws: std::collections::BTreeSet<&String> = ex
        .iter()
        .filter(|r| r[rep] == "0")
        .map(|r| &r[sep])
        .collect();
    assert_eq!(
        draws.len(),
        1,
        "common random numbers across configurations"
    );
    let (sh, summary) = read_csv(&dir.path().join("sweep/summary.csv"));
    assert_eq!(sh[3], "economy.local_income_elasticity");
    assert!(summary.iter().any(|r| r[1] == "5" && r[4] == "population"));

    let o = boomtown(
        dir.path(),
        &[
            "run",
            "test-city",
            "--sweep",
            "labour.search_probability=",
            "--out",
            "e",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let file = dir.path().join("empty.toml");
    std::fs::write(
        &file,
        "extends = \"test-city\"\n[labour]\nsearch_probability = []\n",
    )
    .unwrap();
    let o = boomtown(dir.path(), &["run", file.to_str().unwrap(), "--out", "e"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line 3, key `labour.search_probability`: is an empty sweep"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("e").exists());
}

#[test]
fn invalid_distributions_name_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    for (body, expect) in [
        (
            "separation_rate = { dist = \"normal\", mean = 0.01, sd = -1 }",
            "key `labour.separation_rate.sd`",
        ),
        (
            "separation_rate = { dist = \"uniform\", low = 0.02, high = 0.01 }",
            "key `labour.separation_rate.high`",
        ),
        (
            "separation_rate = { dist = \"triangular\", low = 0.0, mode = 0.5, high = 0.1 }",
            "key `labour.separation_rate.mode`",
        ),
        (
            "separation_rate = { dist = \"beta\", alpha = 0, beta = 2 }",
            "key `labour.separation_rate.alpha`",
        ),
        (
            "separation_rate = { dist = \"gaussian\", mean = 0.01, sd = 0.1 }",
            "unknown distribution `gaussian`",
        ),
        (
            "separation_rate = { dist = \"normal\", mean = 0.01 }",
            "needs `sd`",
        ),
        (
            "separation_rate = { dist = \"choice\", values = [] }",
            "non-empty array",
        ),
        (
            "separation_rate = { dist = \"normal\", mean = 0.01, sd = 0.1, spread = 2 }",
            "key `labour.separation_rate.spread`",
        ),
        (
            "separation_rate = { dist = \"uniform\", low = 2.0, high = 3.0 }",
            "share between 0 and 1",
        ),
    ] {
        let file = dir.path().join("d.toml");
        std::fs::write(
            &file,
            format!("extends = \"test-city\"\n[labour]\n{body}\n"),
        )
        .unwrap();
        let o = boomtown(dir.path(), &["run", "d.toml", "--out", "o"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{body}: {err}");
        assert!(
            err.contains("d.toml, line 3") && err.contains(expect),
            "{body}: {err}"
        );
        assert!(!dir.path().join("o").exists() && !dir.path().join("o.partial").exists());
    }
}

#[test]
fn summary_quantiles_match_a_direct_computation() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        dir.path(),
        &[
            "run",
            "test-city",
            "--replicates",
            "7",
            "--out",
            "b",
            "--quiet",
            "--set",
            "simulation.years=2",
        ],
    );
    let (h, rows) = read_csv(&dir.path().join("b/timeseries.csv"));
    let (sh, summary) = read_csv(&dir.path().join("b/summary.csv"));
    let step = h.iter().position(|c| c == "step").unwrap();
    for metric in ["population", "unemployment_rate", "mean_wage"] {
        let values = column(&h, &rows, metric);
        for s in ["12", "24"] {
            let mut xs: Vec<f64> = rows
                .iter()
                .zip(&values)
                .filter(|(r, _)| r[step] == s)
                .map(|(_, &v)| v)
                .collect();
            assert_eq!(xs.len(), 7);
            xs.sort_by(f64::total_cmp);
            let q = |p: f64| {
                let h = 6.0 * p;
                let lo = h.floor() as usize;
                xs[lo] + (h - lo as f64) * (xs[(lo + 1).min(6)] - xs[lo])
            };
            let mean = xs.iter().sum::<f64>() / 7.0;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 6.0).sqrt();
            let row = summary
                .iter()
                .find(|r| r[1] == metric && r[2] == s)
                .unwrap();
            let got = |name: &str| {
                row[sh.iter().position(|c| c == name).unwrap()]
                    .parse::<f64>()
                    .unwrap()
            };
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
            assert!(
                close(got("mean"), mean) && close(got("sd"), sd),
                "{metric} step {s}"
            );
            for (name, p) in [
                ("p05", 0.05),
                ("p25", 0.25),
                ("p50", 0.5),
                ("p75", 0.75),
                ("p95", 0.95),
            ] {
                assert!(
                    close(got(name), q(p)),
                    "{metric} step {s} {name}: {} vs {}",
                    got(name),
                    q(p)
                );
            }
        }
    }
}

/// Finished job folders in a `.partial` folder (temporary ones start with a dot).
fn finished_jobs(jobs: &Path) -> usize {
    std::fs::read_dir(jobs)
        .map(|d| {
            d.filter(|e| {
                !e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with('.')
            })
            .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_batch_killed_at_any_point_resumes_to_the_uninterrupted_result() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "test-city",
        "--replicates",
        "24",
        "--set",
        "population.size=10000",
        "--quiet",
        "--threads",
        "2",
    ];
    run_ok(dir.path(), &[&args[..], &["--out", "straight"]].concat());
    // Kill -9 after a varying number of finished replicates: whatever was being
    // written at that moment, only complete job folders count, and --resume
    // completes the batch.
    for (round, after) in [1usize, 5, 11].into_iter().enumerate() {
        let out = format!("killed{round}");
        let mut child = Command::new(bin())
            .args(args)
            .args(["--out", &out])
            .current_dir(dir.path())
            .spawn()
            .unwrap();
        let jobs = dir.path().join(format!("{out}.partial/jobs"));
        let deadline = Instant::now() + Duration::from_secs(120);
        while finished_jobs(&jobs) < after && child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "no replicate finished in time");
            std::thread::sleep(Duration::from_millis(5));
        }
        // SIGKILL (std's kill), a no-op if the batch already finished.
        let _ = child.kill();
        child.wait().unwrap();
        // Every file in a finished job folder is complete.
        if let Ok(entries) = std::fs::read_dir(&jobs) {
            for e in entries.map(|e| e.unwrap()) {
                if !e.file_name().to_string_lossy().starts_with('.') {
                    assert!(
                        e.path().join("job.json").is_file(),
                        "incomplete job folder {:?}",
                        e.path()
                    );
                }
            }
        }
        run_ok(
            dir.path(),
            &[&args[..], &["--out", &out, "--resume"]].concat(),
        );
        assert_same_files(&dir.path().join("straight"), &dir.path().join(&out));
    }
}
