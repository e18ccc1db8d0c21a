//! The model runs of an analysis's design (a sensitivity analysis: each design
//! point run `--replicates` times), handled like the jobs of a batch: numbered
//! point-major (run `p · R + r` is replicate `r` of point `p`), sliced by
//! `--shard K/N` with [`Plan::job_range`], each finished run kept at once in the
//! `.partial` folder so that an interrupted analysis resumes, and a shard's runs
//! written as a shard folder (`runs.csv`, `scenario.toml` and a manifest with
//! its slice and checksums) that `boomtown merge` reads back.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Instant, SystemTime};

use serde_json::{Value, json};

use super::run::Progress;
use crate::batch::{JobId, Plan, run_each};
use crate::error::Error;
use crate::output::folder::{OutputPath, Replace, Staged};
use crate::output::partial::{Partial, job_cost};

/// The file of a shard folder that holds its runs' numbers.
pub const RUNS_FILE: &str = "runs.csv";

/// The files of a shard folder whose SHA-256 its manifest records.
pub const SHARD_FILES: [&str; 2] = ["scenario.toml", RUNS_FILE];

/// Where and how an analysis runs its design.
pub struct Evaluation<'a> {
    /// The runs (configurations = design points) and the slice run here.
    pub plan: Plan,
    /// The output folder; its lock is held by the caller.
    pub out: &'a OutputPath,
    /// The analysis's identity: a `.partial` folder resumes only with the same.
    pub identity: &'a Value,
    /// Finish an interrupted analysis instead of starting over.
    pub resume: bool,
    /// What a `.partial` folder of other settings may undergo.
    pub replace: Replace,
    /// Worker threads.
    pub threads: usize,
}

/// The runs done: the `.partial` folder they are kept in (to remove once the
/// output is in place), each run's numbers in run order, and their cost.
pub struct Evaluated {
    /// The folder of finished runs.
    pub partial: Partial,
    /// The numbers read off each run of the slice, in run order.
    pub values: Vec<Vec<f64>>,
    /// Person-months simulated.
    pub person_months: u64,
    /// Seconds of computing summed over runs.
    pub compute_seconds: f64,
}

/// Runs the slice's runs not yet finished (`eval` simulates one and returns
/// the numbers read off it), keeping each in the `.partial` folder as it ends.
/// Stopped before every run finished, fails with [`Error::Interrupted`].
pub fn evaluate(
    e: &Evaluation<'_>,
    stop: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
    eval: impl Fn(JobId) -> Result<(Vec<f64>, u64), Error> + Sync,
) -> Result<Evaluated, Error> {
    let partial = Partial::open(e.out, e.identity, e.resume, e.replace)?;
    let range = e.plan.job_range();
    let pending: Vec<usize> = range.clone().filter(|&i| !partial.is_done(i)).collect();
    progress(Progress::Start {
        total: range.len(),
        done: range.len() - pending.len(),
    });
    let ran = run_each(&pending, e.threads, stop, |&i| {
        let started = Instant::now();
        let (values, person_months) = eval(e.plan.job(i))?;
        let seconds = started.elapsed().as_secs_f64();
        partial.write_values(i, &values, person_months, seconds)?;
        crate::fault::point("job-written");
        progress(Progress::JobDone);
        Ok(())
    });
    if let Err(failure) = ran {
        // A runaway city can never finish: nothing is kept to resume.
        if matches!(failure, Error::Runaway(_)) {
            let _ = partial.remove(e.out);
        }
        return Err(failure);
    }
    let unfinished = range.clone().filter(|&i| !partial.is_done(i)).count();
    if unfinished > 0 {
        return Err(Error::Interrupted {
            done: range.len() - unfinished,
            total: range.len(),
            what: "runs (design points x replicates)",
            work: "analysis",
            partial: partial.dir().to_path_buf(),
        });
    }
    let values = range
        .clone()
        .map(|i| partial.read_values(i))
        .collect::<Result<Vec<_>, _>>()?;
    let (person_months, compute_seconds) = range
        .map(|i| job_cost(&partial.job_dir(i)))
        .fold((0, 0.0), |(a, b), (pm, s)| (a + pm, b + s));
    Ok(Evaluated {
        partial,
        values,
        person_months,
        compute_seconds,
    })
}

/// Writes a shard's folder: `scenario.toml`, `runs.csv` (one row per run of
/// the slice: its number, point, replicate and the numbers read off it, each
/// written so that it reads back to the same bits) and `manifest.json` (the
/// given fields, the slice as `jobs` and `shard`, and the files' SHA-256).
pub fn write_shard(
    e: &Evaluation<'_>,
    scenario_toml: &str,
    names: &[String],
    values: &[Vec<f64>],
    mut manifest: Value,
    started: SystemTime,
) -> Result<PathBuf, Error> {
    let staged = Staged::new(e.out, e.identity, e.replace)?;
    staged.write("scenario.toml", scenario_toml.as_bytes())?;
    let mut csv = String::from("run,point,replicate");
    for n in names {
        csv.push(',');
        csv += n;
    }
    csv.push('\n');
    for (i, row) in e.plan.job_range().zip(values) {
        let id = e.plan.job(i);
        csv += &format!("{i},{},{}", id.configuration, id.replicate);
        for x in row {
            csv += &format!(",{x}");
        }
        csv.push('\n');
    }
    staged.write(RUNS_FILE, csv.as_bytes())?;
    let range = e.plan.job_range();
    let mut checksums = serde_json::Map::new();
    for file in SHARD_FILES {
        let sum = crate::output::assemble::sha256_file(&staged.path(file))?;
        checksums.insert(file.into(), sum.into());
    }
    manifest["jobs"] =
        json!({ "first": range.start, "end": range.end, "total": e.plan.total_jobs() });
    manifest["shard"] = json!(e.plan.shard.map(|s| s.to_string()));
    manifest["threads"] = json!(e.threads);
    manifest["checksums"] = Value::Object(checksums);
    manifest["files"] = json!(["manifest.json", "scenario.toml", RUNS_FILE]);
    staged.write_manifest(manifest, started)?;
    staged.commit()
}

/// The numbers of runs `first..end` from a shard folder's `runs.csv`, each row
/// checked to be the next run with `width` numbers.
pub fn read_runs(dir: &Path, first: u64, end: u64, width: usize) -> Result<Vec<Vec<f64>>, Error> {
    let path = dir.join(RUNS_FILE);
    let shown = crate::error::printable(&dir.display().to_string());
    let damaged = || {
        Error::Usage(format!(
            "{shown}: its {RUNS_FILE} does not hold the runs {first} to {end} its manifest names; \
             the shard is incomplete or damaged: rerun it"
        ))
    };
    let mut csv = crate::output::CsvFile::open(&path)?;
    let mut out = Vec::new();
    for row in csv.rows() {
        let row = row?;
        let expected = (first + out.len() as u64).to_string();
        if row.len() != 3 + width || row.get(0) != Some(expected.as_str()) {
            return Err(damaged());
        }
        let numbers = row
            .iter()
            .skip(3)
            .map(|x| x.parse::<f64>().map_err(|_| damaged()))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(numbers);
    }
    if out.len() as u64 != end - first {
        return Err(damaged());
    }
    Ok(out)
}
