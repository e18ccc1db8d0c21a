//! Running a batch: prepare every job, run the ones not yet finished in parallel
//! (each written to the `.partial` folder as it ends), then assemble the output
//! folder.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

use serde_json::{Value, json};

use crate::batch::{JobId, Plan, Shard, run_parallel};
use crate::charts::{Context, draw_run};
use crate::error::Error;
use crate::output::assemble::{PART_FILES, SUMMARY_FILES, assemble};
use crate::output::folder::{
    Lock, OutputPath, Replace, check_replaceable, holds_output_of, remove_stale_staging,
};
use crate::output::partial::{Partial, job_cost, partial_dir};
use crate::output::tables::Tables;
use crate::scenario::Scenario;

/// How to run a batch.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Master seed.
    pub seed: u64,
    /// Replicates per configuration.
    pub replicates: u32,
    /// Worker threads.
    pub threads: usize,
    /// Slice of the batch to run, if any.
    pub shard: Option<Shard>,
    /// Output folder.
    pub out: PathBuf,
    /// Finish an interrupted batch instead of starting over.
    pub resume: bool,
    /// Replace an output (or discard an interrupted batch) of other settings
    /// (`--force`); only ever a boomtown output.
    pub force: bool,
    /// Draw the charts.
    pub charts: bool,
    /// The command line, for the manifest.
    pub command: Vec<String>,
    /// The lesson this batch is run for, shown in its report.
    pub lesson: Option<crate::lessons::Lesson>,
}

impl RunOptions {
    /// What an existing output (or interrupted batch) of other settings may undergo.
    pub fn replace(&self) -> Replace {
        Replace::forced(self.force)
    }
}

/// Progress of a batch, reported to the caller.
#[derive(Clone, Copy, Debug)]
pub enum Progress {
    /// The batch starts: jobs in all, jobs already finished (when resuming).
    Start {
        /// Jobs this run covers.
        total: usize,
        /// Jobs found finished.
        done: usize,
    },
    /// One more job finished.
    JobDone,
}

/// What a finished run produced.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// The output folder.
    pub out: PathBuf,
    /// Jobs run.
    pub jobs: usize,
    /// Person-months simulated.
    pub person_months: u64,
}

/// The settings that identify a batch: an interrupted batch resumes only with
/// the same ones, and shards merge only when they agree on them.
pub fn batch_identity(scenario: &Scenario, plan: &Plan) -> Value {
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "scenario": scenario.name,
        "scenario_hash": scenario.hash(plan.seed, plan.replicates),
        "seed": plan.seed,
        "replicates": plan.replicates,
        "configurations": plan.configurations,
        "shard": plan.shard.map(|s| s.to_string()),
    })
}

/// Runs a batch and writes its output folder.
pub fn run(
    scenario: &Scenario,
    opts: &RunOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<RunReport, Error> {
    let started = SystemTime::now();
    let plan = Plan {
        seed: opts.seed,
        replicates: opts.replicates,
        configurations: scenario.configurations(),
        shard: opts.shard,
    };
    plan.check_size()?;
    check_job_memory(plan.job_range().len())?;
    let jobs = plan.prepare(scenario)?;
    check_memory(&jobs, opts.threads)?;
    let out = OutputPath::new(&opts.out)?;
    let identity = batch_identity(scenario, &plan);
    let replace = opts.replace();
    check_replaceable(&out, &identity, replace)?;
    let _lock = Lock::acquire(&out)?;
    let partial_path = partial_dir(&out);
    if opts.resume
        && std::fs::symlink_metadata(&partial_path).is_err()
        && is_output_of(&out, &identity, opts.charts)
    {
        // Resuming a batch that already finished: nothing to do.
        remove_stale_staging(&out);
        return Ok(RunReport {
            out: out.path().to_path_buf(),
            jobs: 0,
            person_months: 0,
        });
    }
    let partial = Partial::open(&out, &identity, opts.resume, replace)?;
    let range = plan.job_range();
    let pending: Vec<(JobId, &crate::scenario::Job)> = range
        .clone()
        .zip(&jobs)
        .filter(|(i, _)| !partial.is_done(*i))
        .map(|(i, job)| (plan.job(i), job))
        .collect();
    progress(Progress::Start {
        total: range.len(),
        done: range.len() - pending.len(),
    });
    let tables = Tables::new(scenario);
    let first = range.start;
    let ran = run_parallel(&plan, &pending, opts.threads, stop, |result| {
        partial.write_job(&tables, &jobs[result.id.index - first], &result)?;
        crate::fault::point("job-written");
        progress(Progress::JobDone);
        Ok(())
    });
    if let Err(e) = ran {
        // A scenario that runs away can never finish: nothing is kept to resume.
        if let Error::Runaway(why) = e {
            let _ = partial.remove(&out);
            return Err(Error::Runaway(format!("{}: {why}", scenario.name)));
        }
        return Err(e);
    }
    let unfinished = range.clone().filter(|&i| !partial.is_done(i)).count();
    if unfinished > 0 {
        return Err(Error::Interrupted {
            done: range.len() - unfinished,
            total: range.len(),
            what: "runs (replicates x configurations)",
            work: "batch",
            partial: partial.dir().to_path_buf(),
        });
    }
    let parts: Vec<PathBuf> = range.clone().map(|i| partial.job_dir(i)).collect();
    let (person_months, compute_seconds) = parts
        .iter()
        .map(|p| job_cost(p))
        .fold((0, 0.0), |(a, b), (pm, s)| (a + pm, b + s));
    let manifest = manifest(
        scenario,
        &plan,
        &Record {
            command: &opts.command,
            threads: Some(opts.threads),
            started,
            person_months,
            compute_seconds,
            merged_from: None,
            charts: opts.charts,
        },
    );
    let written = assemble(
        &out,
        (&identity, replace),
        &tables,
        &scenario.resolved_toml(opts.seed, opts.replicates),
        &parts,
        &manifest,
        |dir| {
            let batch = crate::report::Batch {
                seed: opts.seed,
                replicates: opts.replicates,
                hash: scenario.hash(opts.seed, opts.replicates),
                lesson: opts.lesson.clone(),
            };
            finish_folder(dir, scenario, &batch, opts.charts)
        },
    )?;
    partial.remove(&out)?;
    Ok(RunReport {
        out: written,
        jobs: range.len(),
        person_months,
    })
}

/// Memory one resident costs a replicate, with room for a city that grows
/// during the run (measured: about 25 bytes; see docs/performance.md).
pub const BYTES_PER_PERSON: u64 = 32;

/// Refuses, before anything is allocated, a batch whose replicates running side
/// by side would need more memory than the machine has available.
fn check_memory(jobs: &[crate::scenario::Job], threads: usize) -> Result<(), Error> {
    let Some(available) = available_memory() else {
        return Ok(());
    };
    let mut sizes: Vec<u64> = jobs.iter().map(|j| j.params.population.size).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let need: u64 = sizes
        .iter()
        .take(threads.max(1))
        .map(|n| n * BYTES_PER_PERSON)
        .sum();
    if need <= available {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "this batch would need about {:.1} GiB of memory ({} replicate{} side by side, about {BYTES_PER_PERSON} bytes \
         per resident), but only {:.1} GiB is available; use fewer --threads or a smaller population.size",
        gib(need),
        sizes.len().min(threads.max(1)),
        if sizes.len().min(threads.max(1)) == 1 {
            ""
        } else {
            "s"
        },
        gib(available)
    )))
}

/// Memory one prepared job holds until it runs (its parameters, drawn values
/// and sweep values), with room to spare (measured: see the test below).
pub const BYTES_PER_JOB: u64 = 8 * 1024;

/// Refuses, before the jobs are prepared, a batch whose prepared jobs alone would
/// not fit in the memory available.
fn check_job_memory(jobs: usize) -> Result<(), Error> {
    let Some(available) = available_memory() else {
        return Ok(());
    };
    let need = (jobs as u64).saturating_mul(BYTES_PER_JOB);
    if need <= available / 2 {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "this batch has {jobs} runs (replicates x configurations); preparing them would need \
         about {:.1} GiB of the {:.1} GiB of memory available; use fewer --replicates or split \
         the batch with --shard K/N",
        gib(need),
        gib(available)
    )))
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

/// Memory available to this process: what the machine has available
/// (`MemAvailable` in `/proc/meminfo`), or less where the process's control group
/// has a lower limit (as a Slurm job's `--mem` sets); `None` where neither can be
/// read (not Linux).
fn available_memory() -> Option<u64> {
    let machine = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        });
    match (machine, cgroup_headroom()) {
        (Some(m), Some(c)) => Some(m.min(c)),
        (m, c) => m.or(c),
    }
}

/// Memory the process's control group may still use: its limit less its usage,
/// the tightest over the group and its parents (cgroup v2, else v1).
fn cgroup_headroom() -> Option<u64> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    headroom_in(&membership, Path::new("/sys/fs/cgroup"))
}

/// [`cgroup_headroom`] for a membership list (the text of `/proc/self/cgroup`) and
/// the folder the cgroup file systems are mounted in.
fn headroom_in(membership: &str, root: &Path) -> Option<u64> {
    let read =
        |path: PathBuf| -> Option<u64> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    let mut best: Option<u64> = None;
    let mut consider = |dir: &Path, limit: &str, usage: &str| {
        // "max" (v2) does not parse, and v1 writes "no limit" as a huge number.
        if let Some(limit) = read(dir.join(limit)).filter(|&l| l < 1 << 60) {
            let room = limit.saturating_sub(read(dir.join(usage)).unwrap_or(0));
            best = Some(best.map_or(room, |b| b.min(room)));
        }
    };
    for line in membership.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let relative = path.trim_start_matches('/');
        if controllers.is_empty() {
            // cgroup v2: the process's group and every parent up to the root.
            let mut dir = root.join(relative);
            loop {
                consider(&dir, "memory.max", "memory.current");
                if dir == root || !dir.pop() {
                    break;
                }
            }
        } else if controllers.split(',').any(|c| c == "memory") {
            let dir = root.join("memory").join(relative);
            consider(&dir, "memory.limit_in_bytes", "memory.usage_in_bytes");
        }
    }
    best
}

/// Whether `dir` holds the finished output of the batch with this identity
/// (with charts or without, as asked).
fn is_output_of(dir: &OutputPath, identity: &Value, charts: bool) -> bool {
    let manifest: Value = std::fs::read_to_string(dir.path().join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    manifest["charts"] == charts && holds_output_of(dir, identity)
}

/// Adds what is drawn from an assembled output folder: the charts (unless
/// `charts` is false) and the report. Returns their paths relative to the folder.
pub fn finish_folder(
    dir: &std::path::Path,
    scenario: &Scenario,
    batch: &crate::report::Batch,
    charts: bool,
) -> Result<Vec<String>, Error> {
    let mut files: Vec<String> = if charts {
        draw_run(dir, &Context::new(scenario, batch.replicates)?)?
            .into_iter()
            .map(|f| format!("charts/{f}"))
            .collect()
    } else {
        Vec::new()
    };
    // The report describes the batch as its `scenario.toml` records it (with the
    // batch's seed and replicates), as a merge of its shards would read it.
    let resolved = crate::scenario::load_text(
        "scenario.toml",
        &scenario.resolved_toml(batch.seed, batch.replicates),
        &[],
    )?;
    crate::report::write_run(dir, &resolved, batch, &files)?;
    files.push(crate::report::REPORT.to_string());
    Ok(files)
}

/// What the manifest records besides the scenario and the plan.
pub struct Record<'a> {
    /// The command line.
    pub command: &'a [String],
    /// Worker threads (none for a merge).
    pub threads: Option<usize>,
    /// When the command started.
    pub started: SystemTime,
    /// Person-months simulated.
    pub person_months: u64,
    /// Seconds of computing summed over jobs.
    pub compute_seconds: f64,
    /// Shard folders merged, for a merge.
    pub merged_from: Option<Vec<String>>,
    /// Whether charts were drawn.
    pub charts: bool,
}

/// The content of `manifest.json`.
pub fn manifest(scenario: &Scenario, plan: &Plan, r: &Record<'_>) -> Value {
    let finished = SystemTime::now();
    let elapsed = finished
        .duration_since(r.started)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let range = plan.job_range();
    let chain: Vec<&str> = scenario
        .merged
        .chain
        .iter()
        .map(|f| f.label.as_str())
        .collect();
    let rate = if r.compute_seconds > 0.0 {
        r.person_months as f64 / r.compute_seconds
    } else {
        0.0
    };
    let mut files: Vec<&str> = vec!["manifest.json", "scenario.toml"];
    files.extend(PART_FILES);
    files.extend(SUMMARY_FILES);
    let mut m = json!({
        "program": "boomtown",
        "version": env!("CARGO_PKG_VERSION"),
        "command": r.command,
        "scenario": scenario.name,
        "scenario_hash": scenario.hash(plan.seed, plan.replicates),
        "scenario_chain": chain,
        "seed": plan.seed,
        "replicates": plan.replicates,
        "configurations": plan.configurations,
        "sweeps": scenario.design.sweeps.iter().map(|s| s.path.as_str()).collect::<Vec<_>>(),
        "uncertain": scenario.design.dists.iter().map(|d| d.path.as_str()).collect::<Vec<_>>(),
        "jobs": { "first": range.start, "end": range.end, "total": plan.total_jobs() },
        "threads": r.threads,
        "shard": plan.shard.map(|s| s.to_string()),
        "charts": r.charts,
        "start_month": scenario.params.horizon.start.to_string(),
        "months": scenario.params.horizon.months,
        "report_every_months": scenario.params.horizon.report_every,
        "started": humantime::format_rfc3339_seconds(r.started).to_string(),
        "finished": humantime::format_rfc3339_seconds(finished).to_string(),
        "elapsed_seconds": elapsed,
        "compute_seconds": r.compute_seconds,
        "person_months": r.person_months,
        "person_months_per_second": rate,
        "files": files,
    });
    if let Some(from) = &r.merged_from {
        m["merged_from"] = json!(from);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prepared_job_fits_in_its_memory_estimate() {
        let scenario = crate::scenario::load("hegang-like", &[]).unwrap();
        let job = scenario.job(0, 0, 1).unwrap();
        // The record and the heap it owns (sectors, policies, schedules, ...).
        let heap = format!("{job:?}").len() as u64;
        let bytes = std::mem::size_of_val(&job) as u64 + heap;
        assert!(bytes < BYTES_PER_JOB, "a job holds about {bytes} bytes");
    }

    #[test]
    fn the_tightest_control_group_limit_counts() {
        let root = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = root.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        // v2: a job's group with 4 GiB (1 used) inside a user slice with 2 GiB free.
        write("memory.max", "max\n");
        write("user.slice/memory.max", "3221225472\n");
        write("user.slice/memory.current", "1073741824\n");
        write("user.slice/job_7/memory.max", "4294967296\n");
        write("user.slice/job_7/memory.current", "1073741824\n");
        let v2 = headroom_in("0::/user.slice/job_7\n", root.path());
        assert_eq!(v2, Some(2 << 30));
        // v1: a Slurm job's memory controller, with 512 MiB used of 1 GiB.
        write("memory/slurm/job_9/memory.limit_in_bytes", "1073741824\n");
        write("memory/slurm/job_9/memory.usage_in_bytes", "536870912\n");
        let v1 = headroom_in(
            "4:memory:/slurm/job_9\n2:cpu,cpuacct:/slurm/job_9\n",
            root.path(),
        );
        assert_eq!(v1, Some(512 << 20));
        // No limit anywhere.
        write("memory/free/memory.limit_in_bytes", "9223372036854771712\n");
        assert_eq!(headroom_in("4:memory:/free\n", root.path()), None);
        assert_eq!(headroom_in("garbage", root.path()), None);
    }

    #[test]
    fn available_memory_is_known_on_linux() {
        if cfg!(target_os = "linux") {
            let m = available_memory().expect("readable on Linux");
            assert!(m > 0);
        }
    }
}
