//! Output folders belong to the user: boomtown writes, replaces or deletes only
//! what it can prove it made. Every test runs the real binary on real folders,
//! and checks that what was the user's is still there, byte for byte.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, boomtown, run_ok, stderr};

/// A short, small batch.
const QUICK: [&str; 6] = [
    "--set",
    "simulation.years=2",
    "--replicates",
    "2",
    "--no-charts",
    "--quiet",
];

fn run_args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "test-city", "--out", out];
    args.extend(QUICK);
    args.extend(extra);
    args
}

/// Every file below a folder with its content, not following links.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let kind = e.file_type().unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            if kind.is_dir() {
                out.push((rel, b"<dir>".to_vec()));
                stack.push(e.path());
            } else if kind.is_symlink() {
                let target = std::fs::read_link(e.path()).unwrap();
                out.push((rel, target.to_string_lossy().as_bytes().to_vec()));
            } else {
                out.push((rel, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A folder of the user's: a web app with its own `manifest.json`.
fn users_folder(path: &Path) {
    std::fs::create_dir_all(path.join("icons")).unwrap();
    std::fs::write(path.join("manifest.json"), r#"{"name": "my app"}"#).unwrap();
    std::fs::write(path.join("index.html"), "<h1>mine</h1>").unwrap();
    std::fs::write(path.join("icons/a.png"), [1u8, 2, 3]).unwrap();
}

fn assert_refused(o: &std::process::Output, needle: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    assert!(
        stderr(o).contains(needle),
        "expected `{needle}` in: {}",
        stderr(o)
    );
}

/// Names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_users_folder_is_never_replaced_whatever_its_files_are_called() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    users_folder(&app);
    let before = snapshot(&app);
    for extra in [&[][..], &["--force"][..], &["--resume"][..]] {
        let o = boomtown(dir.path(), &run_args("app", extra));
        assert_refused(&o, "not a boomtown output folder");
    }
    let o = boomtown(
        dir.path(),
        &[
            "compare",
            "test-city",
            "test-city",
            "--out",
            "app",
            "--force",
        ],
    );
    assert_refused(&o, "not a boomtown output folder");
    assert_eq!(snapshot(&app), before);
    assert_eq!(names(dir.path()), ["app"], "nothing left beside it");
}

#[test]
fn the_current_folder_and_its_parents_are_never_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    users_folder(&work);
    let before = snapshot(dir.path());
    for out in [".", "..", "./", "../work", "../..", "/"] {
        for extra in [&[][..], &["--force"][..]] {
            let o = boomtown(&work, &run_args(out, extra));
            assert_eq!(o.status.code(), Some(2), "--out {out}: {}", stderr(&o));
        }
    }
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_users_folder_named_like_a_partial_batch_is_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("out.partial");
    users_folder(&partial);
    std::fs::create_dir(partial.join("jobs")).unwrap();
    let before = snapshot(&partial);
    for extra in [&[][..], &["--force"][..], &["--resume"][..]] {
        let o = boomtown(dir.path(), &run_args("out", extra));
        assert_refused(&o, "not a boomtown batch in progress");
    }
    assert_eq!(snapshot(&partial), before);
}

#[cfg(unix)]
#[test]
fn links_are_never_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    users_folder(&real);
    std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("empty"), dir.path().join("to-empty")).unwrap();
    let before = snapshot(dir.path());
    let real_before = snapshot(&real);
    for out in ["link", "link/", "link/.", "to-empty", "to-empty/"] {
        for extra in [&[][..], &["--force"][..]] {
            let o = boomtown(dir.path(), &run_args(out, extra));
            assert_eq!(o.status.code(), Some(2), "--out {out}: {}", stderr(&o));
        }
    }
    assert_eq!(snapshot(dir.path()), before);
    // A link inside an output makes it someone else's too.
    run_ok(dir.path(), &run_args("o", &[]));
    std::os::unix::fs::symlink(&real, dir.path().join("o/charts-link")).unwrap();
    let o = boomtown(dir.path(), &run_args("o", &["--force"]));
    assert_refused(&o, "did not write");
    assert_eq!(snapshot(&real), real_before);
}

#[test]
fn another_batch_replaces_an_output_only_with_force_and_never_the_users_files_in_it() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(dir.path(), &run_args("o", &[]));
    let first = std::fs::read(dir.path().join("o/timeseries.csv")).unwrap();
    // The same batch again replaces it (outputs are byte-identical).
    run_ok(dir.path(), &run_args("o", &[]));
    assert_eq!(
        std::fs::read(dir.path().join("o/timeseries.csv")).unwrap(),
        first
    );
    // Another seed is another batch.
    let o = boomtown(dir.path(), &run_args("o", &["--seed", "9"]));
    assert_refused(&o, "--force");
    assert_eq!(
        std::fs::read(dir.path().join("o/timeseries.csv")).unwrap(),
        first
    );
    run_ok(dir.path(), &run_args("o", &["--seed", "9", "--force"]));
    assert_ne!(
        std::fs::read(dir.path().join("o/timeseries.csv")).unwrap(),
        first
    );
    // A note of the user's inside the output makes it theirs.
    std::fs::write(dir.path().join("o/notes.txt"), "my notes").unwrap();
    let o = boomtown(dir.path(), &run_args("o", &["--seed", "9", "--force"]));
    assert_refused(&o, "notes.txt");
    assert_eq!(
        std::fs::read(dir.path().join("o/notes.txt")).unwrap(),
        b"my notes"
    );
}

#[test]
fn scenario_names_cannot_point_outside_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    users_folder(&dir.path().join("output"));
    let before = snapshot(dir.path());
    for name in [
        "../escape",
        "a/b",
        "",
        "..",
        ".hidden",
        "=1+1",
        "@SUM(A1)",
        "bad\u{1b}[2J",
    ] {
        let file = dir.path().join("named.toml");
        let text = format!(
            "extends = \"test-city\"\nname = {}\n",
            toml::Value::from(name)
        );
        std::fs::write(&file, text).unwrap();
        let o = boomtown(dir.path(), &["run", "named.toml", "--quiet"]);
        std::fs::remove_file(&file).unwrap();
        assert_eq!(o.status.code(), Some(2), "name {name:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("key `name`"), "{}", stderr(&o));
        assert!(!stderr(&o).contains('\u{1b}'), "raw escape echoed");
    }
    assert_eq!(snapshot(dir.path()), before);
}

/// Runs a batch into `o` that dies at a named point, as a kill -9 there would.
fn run_killed_at(dir: &Path, point: &str, extra: &[&str]) {
    common::run_killed_at(dir, point, &run_args("o", extra));
}

#[test]
fn a_kill_during_replacement_leaves_the_old_or_the_new_output_whole() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(dir.path(), &run_args("o", &[]));
    let old = snapshot(&dir.path().join("o"));
    // A fresh run of the other batch elsewhere: what the new output must be.
    run_ok(dir.path(), &run_args("new", &["--seed", "9"]));
    let data = |s: &[(PathBuf, Vec<u8>)]| -> Vec<(PathBuf, Vec<u8>)> {
        s.iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "csv"))
            .cloned()
            .collect()
    };
    let new = data(&snapshot(&dir.path().join("new")));
    // Killed before the exchange: the old output, whole.
    run_killed_at(dir.path(), "commit", &["--seed", "9", "--force"]);
    assert_eq!(snapshot(&dir.path().join("o")), old);
    // Killed right after it: the new output, whole.
    run_killed_at(dir.path(), "swapped", &["--seed", "9", "--force"]);
    assert_eq!(data(&snapshot(&dir.path().join("o"))), new);
    // Staging folders were left by the kills; the next run of the output removes them.
    let stale = |d: &Path| {
        names(d)
            .iter()
            .filter(|n| n.starts_with(".boomtown-staging-"))
            .count()
    };
    assert!(stale(dir.path()) >= 2, "{:?}", names(dir.path()));
    run_ok(dir.path(), &run_args("o", &["--seed", "9", "--resume"]));
    assert_eq!(stale(dir.path()), 0, "{:?}", names(dir.path()));
    assert_eq!(data(&snapshot(&dir.path().join("o"))), new);
}

#[cfg(unix)]
fn signal(child: &std::process::Child, signal: i32) {
    // SAFETY: sends a signal to a child process this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
}

#[cfg(unix)]
#[test]
fn a_second_run_on_the_same_output_is_refused_while_the_first_writes() {
    let dir = tempfile::tempdir().unwrap();
    // Long enough to be caught running: more replicates of a bigger city.
    let slow = [
        "run",
        "test-city",
        "--out",
        "o",
        "--replicates",
        "12",
        "--threads",
        "1",
        "--set",
        "population.size=50000",
        "--no-charts",
        "--quiet",
    ];
    let mut first = Command::new(bin())
        .args(slow)
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lock = dir.path().join(".o.boomtown-lock");
    let start = Instant::now();
    while !dir.path().join("o.partial/jobs").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the first run never started"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    // Held still while the others try, so that the test does not depend on speed.
    signal(&first, libc::SIGSTOP);
    assert!(lock.exists());
    // The same batch, another batch, and another batch with --force: all refused.
    for extra in [
        &[][..],
        &["--seed", "3"][..],
        &["--seed", "3", "--force"][..],
    ] {
        let args = [&slow[..], extra].concat();
        let o = boomtown(dir.path(), &args);
        assert_refused(&o, "is writing this output folder");
    }
    signal(&first, libc::SIGCONT);
    let status = first.wait().unwrap();
    assert!(status.success());
    assert!(!lock.exists(), "the lock file is removed when released");
    // The first run's output holds its own batch only, as a lone run writes it.
    let alone = tempfile::tempdir().unwrap();
    let args: Vec<&str> = slow
        .iter()
        .map(|a| if *a == "o" { "alone" } else { a })
        .collect();
    run_ok(alone.path(), &args);
    for file in ["timeseries.csv", "experiments.csv", "indicators.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("o").join(file)).unwrap(),
            std::fs::read(alone.path().join("alone").join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn merge_and_compare_follow_the_same_rules() {
    let dir = tempfile::tempdir().unwrap();
    for k in ["1/2", "2/2"] {
        let out = format!("s{}", &k[..1]);
        run_ok(dir.path(), &run_args(&out, &["--shard", k]));
    }
    let app = dir.path().join("app");
    users_folder(&app);
    let before = snapshot(&app);
    let o = boomtown(
        dir.path(),
        &["merge", "s1", "s2", "--out", "app", "--force"],
    );
    assert_refused(&o, "not a boomtown output folder");
    let o = boomtown(dir.path(), &["merge", "s1", "s2", "--out", "s1", "--force"]);
    assert_refused(&o, "one of the shards");
    run_ok(
        dir.path(),
        &["merge", "s1", "s2", "--out", "m", "--no-charts", "--quiet"],
    );
    // The merged batch is the batch a single run makes: it replaces it freely.
    run_ok(dir.path(), &run_args("m", &[]));
    assert_eq!(snapshot(&app), before);
}

/// Runs a shell script in a private mount namespace (as root in it, through a user
/// namespace when not root), where it may mount a small file system. `None`
/// where the machine does not allow it.
#[cfg(target_os = "linux")]
fn in_mount_namespace(dir: &Path, script: &str) -> Option<std::process::Output> {
    let probe = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "true"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return None;
    }
    let o = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .env("BOOMTOWN", bin())
        .current_dir(dir)
        .output()
        .unwrap();
    Some(o)
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_or_read_only_disk_is_an_error_that_keeps_the_old_output() {
    let dir = tempfile::tempdir().unwrap();
    // On a 1 MiB file system: an output, then the disk filled by a file of the
    // user's, then another batch with --force; then the file system read-only.
    let script = r#"
        set -u
        mkdir small && mount -t tmpfs -o size=1m tmpfs small || exit 99
        q="--set simulation.years=2 --replicates 2 --no-charts --quiet"
        "$BOOMTOWN" run test-city --out small/o $q || exit 98
        find small/o -type f -exec sha256sum {} + | sort > before.txt
        dd if=/dev/zero of=small/filler bs=4k 2>/dev/null
        "$BOOMTOWN" run test-city --out small/o $q --seed 9 --force 2> full.err
        echo $? > full.code
        find small/o -type f -exec sha256sum {} + | sort > after.txt
        ls -a small > full.ls
        rm small/filler
        mount -o remount,ro small
        "$BOOMTOWN" run test-city --out small/p $q 2> ro.err
        echo $? > ro.code
    "#;
    let Some(o) = in_mount_namespace(dir.path(), script) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must allow a mount namespace (unshare) for the full-disk test"
        );
        eprintln!("full-disk test skipped: this machine allows no mount namespace");
        return;
    };
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    assert_eq!(read("full.code").trim(), "1", "{}", read("full.err"));
    assert!(
        read("full.err").contains("No space left on device"),
        "{}",
        read("full.err")
    );
    assert!(
        !read("full.err").contains("panicked"),
        "{}",
        read("full.err")
    );
    assert_eq!(
        read("before.txt"),
        read("after.txt"),
        "the old output changed"
    );
    assert!(
        !read("full.ls").contains(".boomtown-staging-"),
        "{}",
        read("full.ls")
    );
    assert!(
        !read("full.ls").contains("o.partial"),
        "{}",
        read("full.ls")
    );
    assert_eq!(read("ro.code").trim(), "2", "{}", read("ro.err"));
    assert!(
        read("ro.err").contains("cannot write in small"),
        "{}",
        read("ro.err")
    );
}

#[cfg(unix)]
#[test]
fn a_lock_file_that_is_not_boomtowns_is_never_written_or_followed() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("user");
    std::fs::create_dir(&user).unwrap();
    std::fs::write(user.join("data.txt"), "my precious data").unwrap();
    let lock = |name: &str| dir.path().join(format!(".{name}.boomtown-lock"));
    std::os::unix::fs::symlink(user.join("data.txt"), lock("a")).unwrap();
    std::os::unix::fs::symlink(user.join("new.txt"), lock("b")).unwrap();
    std::fs::hard_link(user.join("data.txt"), lock("c")).unwrap();
    std::fs::write(lock("d"), "my own notes").unwrap();
    for name in ["a", "b", "c", "d"] {
        let o = common::boomtown_within(dir.path(), &run_args(name, &[]), 60);
        assert_refused(&o, "is not a boomtown lock file");
        assert!(
            !dir.path().join(name).exists(),
            "{name}: an output was written"
        );
    }
    assert_eq!(
        std::fs::read_to_string(user.join("data.txt")).unwrap(),
        "my precious data"
    );
    assert!(
        !user.join("new.txt").exists(),
        "a file was created through a link"
    );
    assert_eq!(std::fs::read_to_string(lock("d")).unwrap(), "my own notes");
    // A lock file left by a killed run is boomtown's, and taken over.
    common::run_killed_at(dir.path(), "job-written", &run_args("e", &[]));
    assert!(lock("e").exists());
    run_ok(dir.path(), &run_args("e", &["--resume"]));
    assert!(!lock("e").exists());
}

#[test]
fn boomtowns_own_names_long_names_and_folders_inside_outputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(dir.path(), &run_args("o", &[]));
    let long = "x".repeat(230);
    for (out, expect) in [
        (".boomtown-staging-x", "boomtown's own"),
        ("out/.boomtown-staging-results", "boomtown's own"),
        ("x.partial", "boomtown's own"),
        (long.as_str(), "longer than 200 bytes"),
        ("o/nested", "is inside a boomtown output"),
        ("o/charts/deeper/still", "is inside a boomtown output"),
    ] {
        let o = boomtown(dir.path(), &run_args(out, &[]));
        assert_refused(&o, expect);
    }
    assert_eq!(names(dir.path()), ["o"], "nothing was created");
    // A runaway city leaves no folders behind either.
    let o = boomtown(
        dir.path(),
        &run_args(
            "x/y/z",
            &["--set", "population.size=1", "--set", "simulation.years=10"],
        ),
    );
    assert_refused(&o, "grow without bound: test-city: replicate 0");
    assert_eq!(names(dir.path()), ["o"]);
}

#[test]
fn what_a_kill_leaves_beside_an_output_is_removed_only_when_it_is_all_boomtowns() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(dir.path(), &run_args("o", &[]));
    let whole = snapshot(&dir.path().join("o"));
    // A copy of the output kept under a staging name, with a note of the user's
    // in it, and a forged staging folder with a thesis: both stay.
    let backup = dir.path().join(".boomtown-staging-backup");
    std::fs::create_dir(&backup).unwrap();
    for (rel, bytes) in &whole {
        let path = backup.join(rel);
        if bytes.as_slice() == b"<dir>" {
            std::fs::create_dir_all(&path).unwrap();
        } else {
            std::fs::write(&path, bytes).unwrap();
        }
    }
    std::fs::write(backup.join("notes.txt"), "notes").unwrap();
    let forged = dir.path().join(".boomtown-staging-old");
    std::fs::create_dir(&forged).unwrap();
    std::fs::copy(dir.path().join("o/.boomtown"), forged.join(".boomtown")).unwrap();
    std::fs::write(forged.join("thesis.tex"), "thesis").unwrap();
    // Kills while a .partial folder is made and while it is removed.
    common::run_killed_at(
        dir.path(),
        "partial-made",
        &run_args("o", &["--seed", "9", "--force"]),
    );
    common::run_killed_at(
        dir.path(),
        "discarding",
        &run_args("o", &["--seed", "9", "--force"]),
    );
    assert!(dir.path().join("o/timeseries.csv").is_file());
    run_ok(dir.path(), &run_args("o", &["--seed", "9", "--resume"]));
    assert_eq!(
        names(dir.path()),
        [".boomtown-staging-backup", ".boomtown-staging-old", "o"],
        "only the user's folders are left beside the output"
    );
    assert_eq!(
        std::fs::read_to_string(backup.join("notes.txt")).unwrap(),
        "notes"
    );
    assert_eq!(
        std::fs::read_to_string(forged.join("thesis.tex")).unwrap(),
        "thesis"
    );
}

#[test]
fn files_changed_or_added_by_the_user_make_the_folder_theirs() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(dir.path(), &run_args("o", &[]));
    // An edit to a file boomtown wrote: refused even for the same batch.
    let summary = dir.path().join("o/summary.csv");
    let mut text = std::fs::read_to_string(&summary).unwrap();
    text.push_str("my edits\n");
    std::fs::write(&summary, &text).unwrap();
    let o = boomtown(dir.path(), &run_args("o", &["--force"]));
    assert_refused(&o, "summary.csv (changed)");
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), text);
    // A note added to a batch in progress: the batch is not resumed over it.
    common::run_killed_at(dir.path(), "job-written", &run_args("p", &[]));
    std::fs::write(dir.path().join("p.partial/notes.txt"), "notes").unwrap();
    for extra in [&["--resume"][..], &["--force"][..]] {
        let o = boomtown(dir.path(), &run_args("p", extra));
        assert_refused(&o, "not a boomtown batch in progress");
    }
    assert!(dir.path().join("p.partial/notes.txt").is_file());
    // A job folder whose job.json was deleted by hand is simply run again.
    common::run_killed_at(
        dir.path(),
        "job-written",
        &run_args("q", &["--threads", "1"]),
    );
    let job = dir.path().join("q.partial/jobs/00000000");
    std::fs::remove_file(job.join("job.json")).unwrap();
    run_ok(dir.path(), &run_args("q", &["--resume"]));
}

#[cfg(unix)]
#[test]
fn an_empty_folder_of_the_users_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let e = dir.path().join("e");
    std::fs::create_dir(&e).unwrap();
    std::fs::set_permissions(&e, std::fs::Permissions::from_mode(0o2750)).unwrap();
    run_ok(dir.path(), &run_args("e", &[]));
    let mode = std::fs::metadata(&e).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o2750, "mode {mode:o}");
    assert!(e.join("timeseries.csv").is_file());
}

#[cfg(unix)]
#[test]
fn odd_entries_and_names_never_let_a_users_file_go() {
    let dir = tempfile::tempdir().unwrap();
    // A note of the user's in a batch's jobs folder, beside a link.
    common::run_killed_at(dir.path(), "job-written", &run_args("o", &[]));
    let jobs = dir.path().join("o.partial/jobs");
    std::fs::write(jobs.join("my-thesis.txt"), "thesis").unwrap();
    std::os::unix::fs::symlink("/nonexistent", jobs.join("zz-link")).unwrap();
    for extra in [&[][..], &["--resume"][..], &["--force"][..]] {
        let o = boomtown(dir.path(), &run_args("o", extra));
        assert_refused(&o, "not a boomtown batch in progress");
    }
    assert_eq!(
        std::fs::read_to_string(jobs.join("my-thesis.txt")).unwrap(),
        "thesis"
    );
    // Inside a batch in progress, or at a lock file's name: refused.
    for out in ["o.partial/x", ".p.boomtown-lock"] {
        let o = boomtown(dir.path(), &run_args(out, &[]));
        assert_eq!(o.status.code(), Some(2), "{out}: {}", stderr(&o));
    }
    // A folder where the lock file would go: refused as bad input, untouched.
    std::fs::create_dir(dir.path().join(".q.boomtown-lock")).unwrap();
    let o = boomtown(dir.path(), &run_args("q", &[]));
    assert_refused(&o, "is not a boomtown lock file");
    assert!(dir.path().join(".q.boomtown-lock").is_dir());
    // A finished output with files gone is not finished: --resume runs it again.
    run_ok(dir.path(), &run_args("r", &[]));
    let whole = std::fs::read(dir.path().join("r/timeseries.csv")).unwrap();
    std::fs::remove_file(dir.path().join("r/timeseries.csv")).unwrap();
    run_ok(dir.path(), &run_args("r", &["--resume"]));
    assert_eq!(
        std::fs::read(dir.path().join("r/timeseries.csv")).unwrap(),
        whole
    );
}

#[test]
fn what_a_killed_comparison_leaves_is_removed_by_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "compare",
        "test-city",
        "test-city",
        "--set",
        "simulation.years=2",
        "--replicates",
        "2",
        "--quiet",
        "--out",
        "c",
    ];
    common::run_killed_at(dir.path(), "job-written", &args);
    assert!(
        names(dir.path())
            .iter()
            .any(|n| n.starts_with(".boomtown-staging-"))
    );
    run_ok(dir.path(), &args);
    assert_eq!(names(dir.path()), ["c"]);
}
