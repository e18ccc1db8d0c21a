//! Running a batch: prepare every job, run the ones not yet finished in parallel
//! (each written to the `.partial` folder as it ends), then assemble the output
//! folder.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

use serde_json::{Value, json};

use crate::batch::{JobId, Plan, Shard, run_parallel};
use crate::charts::{Context, draw_run};
use crate::error::Error;
use crate::output::assemble::{PART_FILES, assemble};
use crate::output::partial::{Partial, job_cost, partial_dir};
use crate::output::{check_replaceable, tables::Tables};
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
    /// Draw the charts.
    pub charts: bool,
    /// The command line, for the manifest.
    pub command: Vec<String>,
    /// The lesson this batch is run for, shown in its report.
    pub lesson: Option<crate::lessons::Lesson>,
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
    let jobs = plan.prepare(scenario)?;
    check_memory(&jobs, opts.threads)?;
    check_replaceable(&opts.out)?;
    let identity = batch_identity(scenario, &plan);
    if opts.resume
        && !partial_dir(&opts.out).exists()
        && is_output_of(&opts.out, &identity, opts.charts)
    {
        // Resuming a batch that already finished: nothing to do.
        return Ok(RunReport {
            out: opts.out.clone(),
            jobs: 0,
            person_months: 0,
        });
    }
    let partial = Partial::open(&opts.out, &identity, opts.resume)?;
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
    run_parallel(&plan, &pending, opts.threads, stop, |result| {
        partial.write_job(&tables, &jobs[result.id.index - first], &result)?;
        progress(Progress::JobDone);
        Ok(())
    })?;
    let unfinished = range.clone().filter(|&i| !partial.is_done(i)).count();
    if unfinished > 0 {
        return Err(Error::Interrupted {
            done: range.len() - unfinished,
            total: range.len(),
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
    let out = assemble(
        &opts.out,
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
    partial.remove()?;
    Ok(RunReport {
        out,
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
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
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

/// Memory available to new processes, from `/proc/meminfo` (Linux); `None` where
/// it cannot be read.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Whether `dir` holds the finished output of the batch with this identity.
fn is_output_of(dir: &std::path::Path, identity: &Value, charts: bool) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        return false;
    };
    let manifest: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    manifest["charts"] == Value::Bool(charts)
        && identity
            .as_object()
            .is_some_and(|keys| keys.iter().all(|(k, v)| &manifest[k] == v))
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
        draw_run(dir, &Context::new(scenario, batch.replicates))?
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
    files.push("summary.csv");
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
