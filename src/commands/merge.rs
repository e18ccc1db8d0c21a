//! Merging the shards of a batch (`boomtown merge`): the shards' rows are
//! assembled in batch order into exactly the files a single run writes.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

use crate::batch::Plan;

use crate::commands::design_runs::SHARD_FILES;
use crate::commands::run::{Record, finish_folder, manifest};
use crate::error::Error;
use crate::output::assemble::{CHECKED_FILES, assemble, sha256_file};
use crate::output::folder::{Lock, OutputPath, Replace, check_replaceable};
use crate::output::tables::Tables;
use crate::scenario;

/// Keys of `manifest.json` on which every shard of a sensitivity analysis must agree.
/// (The scenario's hash covers the seed and replicates: it comes last, so that
/// a message names the plainer difference.)
const SAME_ANALYSIS: [&str; 10] = [
    "version",
    "scenario",
    "method",
    "samples",
    "levels",
    "replicates",
    "seed",
    "resamples",
    "outputs",
    "scenario_hash",
];

/// Keys of `manifest.json` on which every shard of a batch must agree.
const SAME_BATCH: [&str; 6] = [
    "version",
    "scenario",
    "scenario_hash",
    "seed",
    "replicates",
    "configurations",
];

/// A shard's folder, its manifest and the jobs (or an analysis's runs) it holds.
pub struct ShardDir {
    /// The folder.
    pub dir: PathBuf,
    /// Its `manifest.json`.
    pub manifest: Value,
    /// Its first job.
    pub first: u64,
    /// One past its last job.
    pub end: u64,
}

fn read_shard(dir: &Path) -> Result<ShardDir, Error> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::Usage(format!(
            "{}: not a finished boomtown output folder ({e})",
            dir.display()
        ))
    })?;
    let manifest: Value = serde_json::from_str(&text)
        .map_err(|e| Error::Usage(format!("{}: malformed manifest.json ({e})", dir.display())))?;
    let jobs = &manifest["jobs"];
    match (
        jobs["first"].as_u64(),
        jobs["end"].as_u64(),
        manifest["program"].as_str(),
    ) {
        (Some(first), Some(end), Some("boomtown"))
            if first <= end && end <= jobs["total"].as_u64().unwrap_or(0) =>
        {
            Ok(ShardDir {
                dir: dir.to_path_buf(),
                manifest,
                first,
                end,
            })
        }
        _ => Err(Error::Usage(format!(
            "{}: manifest.json does not describe a boomtown batch (or its job range is damaged)",
            dir.display()
        ))),
    }
}

/// Merges shard folders into one output folder.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    command: &[String],
    charts: bool,
    replace: Replace,
) -> Result<PathBuf, Error> {
    let started = SystemTime::now();
    let out = OutputPath::new(out)?;
    refuse_shard_as_output(dirs, &out)?;
    let mut shards = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>, _>>()?;
    // An empty shard (more shards than jobs) sorts before the one that starts
    // where it is.
    shards.sort_by_key(|s| (s.first, s.end));
    let sensitivity = shards[0].manifest["analysis"] == "sensitivity";
    check_same_work(
        &shards,
        if sensitivity {
            &SAME_ANALYSIS
        } else {
            &SAME_BATCH
        },
    )?;
    check_coverage(&shards)?;
    let head = &shards[0];
    let toml_path = head.dir.join("scenario.toml");
    let scenario_toml =
        std::fs::read_to_string(&toml_path).map_err(|e| Error::io("reading", &toml_path, e))?;
    for s in &shards[1..] {
        let other = std::fs::read_to_string(s.dir.join("scenario.toml")).unwrap_or_default();
        if other != scenario_toml {
            return Err(Error::Usage(format!(
                "{} and {} ran different resolved scenarios",
                head.dir.display(),
                s.dir.display()
            )));
        }
    }
    if sensitivity {
        for s in &shards {
            verify_shard(s, &SHARD_FILES)?;
        }
        let scenario = scenario::load_text(&toml_path.display().to_string(), &scenario_toml, &[])?;
        return crate::commands::sensitivity::merge_shards(
            &scenario, &shards, &out, command, replace,
        );
    }
    for s in &shards {
        verify_shard(s, &CHECKED_FILES)?;
    }
    let scenario = scenario::load_text(&toml_path.display().to_string(), &scenario_toml, &[])?;
    for s in &shards {
        verify_rows(s, &scenario)?;
    }
    let plan = Plan {
        seed: head.manifest["seed"].as_u64().unwrap_or(0),
        replicates: head.manifest["replicates"].as_u64().unwrap_or(0) as u32,
        configurations: head.manifest["configurations"].as_u64().unwrap_or(0) as usize,
        shard: None,
    };
    let sum = |key: &str| {
        shards
            .iter()
            .map(|s| s.manifest[key].as_f64().unwrap_or(0.0))
            .sum::<f64>()
    };
    let mut m = manifest(
        &scenario,
        &plan,
        &Record {
            command,
            threads: None,
            started,
            person_months: sum("person_months") as u64,
            compute_seconds: sum("compute_seconds"),
            merged_from: Some(shards.iter().map(|s| s.dir.display().to_string()).collect()),
            charts,
        },
    );
    // The merged scenario keeps the hash the shards ran under.
    m["scenario_hash"] = head.manifest["scenario_hash"].clone();
    let parts: Vec<PathBuf> = shards.iter().map(|s| s.dir.clone()).collect();
    // The merged batch is the batch the shards are slices of: a single run of it
    // has the same identity.
    let mut identity = serde_json::Map::new();
    for key in SAME_BATCH {
        identity.insert(key.to_string(), head.manifest[key].clone());
    }
    identity.insert("shard".into(), Value::Null);
    let identity = Value::Object(identity);
    check_replaceable(&out, &identity, replace)?;
    let _lock = Lock::acquire(&out)?;
    let batch = crate::report::Batch {
        seed: plan.seed,
        replicates: plan.replicates,
        hash: m["scenario_hash"].as_str().unwrap_or_default().to_string(),
        lesson: None,
    };
    assemble(
        &out,
        (&identity, replace),
        &Tables::new(&scenario),
        &scenario_toml,
        &parts,
        &m,
        |dir| finish_folder(dir, &scenario, &batch, charts),
    )
}

/// The merged output may not be one of the shards it is made from.
fn refuse_shard_as_output(dirs: &[PathBuf], out: &OutputPath) -> Result<(), Error> {
    let Ok(target) = std::fs::canonicalize(out.path()) else {
        return Ok(());
    };
    if dirs
        .iter()
        .any(|d| std::fs::canonicalize(d).is_ok_and(|d| d == target))
    {
        return Err(Error::Usage(format!(
            "--out {out}: is one of the shards being merged; name a new folder"
        )));
    }
    Ok(())
}

/// Every shard is of the same work: the same kind (a batch or an analysis) and
/// the same values of `keys` in their manifests.
fn check_same_work(shards: &[ShardDir], keys: &[&str]) -> Result<(), Error> {
    let head = &shards[0];
    let kind = |s: &ShardDir| match s.manifest["analysis"].as_str() {
        Some(a) => format!("a {a} analysis"),
        None => "a batch".to_string(),
    };
    for s in &shards[1..] {
        if s.manifest["analysis"] != head.manifest["analysis"] {
            return Err(Error::Usage(format!(
                "{} and {} are not shards of one batch: the first is a shard of {}, the second \
                 of {}",
                head.dir.display(),
                s.dir.display(),
                kind(head),
                kind(s)
            )));
        }
        for key in keys {
            if s.manifest[key] != head.manifest[key] {
                return Err(Error::Usage(format!(
                    "{} and {} are not shards of one batch: their {key} differs ({} vs {})",
                    head.dir.display(),
                    s.dir.display(),
                    head.manifest[key],
                    s.manifest[key]
                )));
            }
        }
    }
    Ok(())
}

/// The shards (sorted by their first job) cover every job once.
fn check_coverage(shards: &[ShardDir]) -> Result<(), Error> {
    let total = shards[0].manifest["jobs"]["total"].as_u64().unwrap_or(0);
    let mut next = 0;
    for s in shards {
        if s.first != next {
            let what = if s.first < next {
                "overlap"
            } else {
                "leave a gap"
            };
            return Err(Error::Usage(format!(
                "the shards {what} at job {next} ({} starts at job {}); give every shard of the batch once",
                s.dir.display(),
                s.first
            )));
        }
        next = s.end;
    }
    if next != total {
        return Err(Error::Usage(format!(
            "the shards cover jobs 0 to {next} of {total}; some shards are missing"
        )));
    }
    Ok(())
}

/// A shard's files are those its manifest recorded: each file's SHA-256 matches.
fn verify_shard(shard: &ShardDir, files: &[&str]) -> Result<(), Error> {
    let shown = crate::error::printable(&shard.dir.display().to_string());
    for file in files {
        let Some(expected) = shard.manifest["checksums"][file].as_str() else {
            return Err(Error::Usage(format!(
                "{shown}: its manifest.json records no checksum of {file}; it was not written \
                 by this version of boomtown, or was edited"
            )));
        };
        let path = shard.dir.join(file);
        let found = sha256_file(&path)
            .map_err(|_| Error::Usage(format!("{shown}: {file} is missing or cannot be read")))?;
        if found != expected {
            return Err(Error::Usage(format!(
                "{shown}: {file} is not the file this shard wrote (its checksum differs from the \
                 one in manifest.json): it was damaged or cut short, e.g. by an interrupted copy; \
                 copy or rerun this shard again"
            )));
        }
    }
    Ok(())
}

/// A shard's tables hold exactly its jobs: one `experiments.csv` row per job, in
/// order, and one `timeseries.csv` row per job and reporting step.
fn verify_rows(shard: &ShardDir, scenario: &scenario::Scenario) -> Result<(), Error> {
    let shown = crate::error::printable(&shard.dir.display().to_string());
    let jobs = shard.end.saturating_sub(shard.first);
    let horizon = &scenario.params.horizon;
    let every = horizon.report_every.max(1) as u64;
    let months = horizon.months as u64;
    let steps = 1 + months / every + u64::from(!months.is_multiple_of(every));
    let tables = Tables::new(scenario);
    let replicate_column = tables.key_len();
    let replicates = shard.manifest["replicates"].as_u64().unwrap_or(0).max(1);
    let count = |file: &str, check: &mut dyn FnMut(u64, &csv::StringRecord) -> bool| {
        let path = shard.dir.join(file);
        let mut csv = crate::output::CsvFile::open(&path)?;
        let mut n = 0u64;
        for row in csv.rows() {
            if !check(n, &row?) {
                return Ok(None);
            }
            n += 1;
        }
        Ok::<_, Error>(Some(n))
    };
    let expected_replicate = |i: u64| ((shard.first + i) % replicates).to_string();
    let experiments = count("experiments.csv", &mut |i, row| {
        row.get(replicate_column) == Some(expected_replicate(i).as_str())
    })?;
    let timeseries = count("timeseries.csv", &mut |i, row| {
        row.get(replicate_column) == Some(expected_replicate(i / steps).as_str())
    })?;
    if experiments == Some(jobs) && timeseries == Some(jobs * steps) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{shown}: its tables do not hold the jobs {} to {} its manifest names ({} runs of {steps} \
         reporting steps each); the shard is incomplete or damaged: rerun it",
        shard.first, shard.end, jobs
    )))
}
