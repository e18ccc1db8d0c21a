//! `boomtown compare`: several scenarios run with the same seed and options, each
//! into its own subfolder, then overlaid charts and `comparison.csv` drawn from
//! their outputs; or, with `--from`, the same drawn from finished run folders.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

use serde_json::{Value, json};

use crate::charts::{Context, data::read_summaries, draw_compare};
use crate::commands::run::{Progress, RunOptions, run};
use crate::error::Error;
use crate::indicators::{ComparedRun, city_indicators, scorecard_summary, write_comparison};
use crate::output::assemble::{CHECKED_FILES, INDICATORS_SUMMARY, sha256_file};
use crate::output::folder::{OutputPath, begin};
use crate::report::{Batch, Compared, REPORT, write_compare};
use crate::scenario::Scenario;

/// Runs every scenario with the same options into `<out>/<name>/`, then writes the
/// comparison files; the whole folder appears at once when done.
pub fn compare(
    scenarios: &[Scenario],
    opts: &RunOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn(&str, Progress) + Sync),
) -> Result<PathBuf, Error> {
    let started = SystemTime::now();
    let names = folder_names(scenarios, &RESERVED);
    let out = OutputPath::new(&opts.out)?;
    let hashes: Vec<String> = scenarios
        .iter()
        .map(|s| s.hash(opts.seed, opts.replicates))
        .collect();
    let identity = comparison_identity(&names, &hashes, opts.seed, opts.replicates);
    let (_lock, staged) = begin(&out, &identity, opts.force)?;
    for (scenario, name) in scenarios.iter().zip(&names) {
        let sub_opts = RunOptions {
            out: staged.path(name),
            resume: false,
            force: false,
            lesson: None,
            ..opts.clone()
        };
        run_part(
            scenario,
            &sub_opts,
            stop,
            &|event| progress(name, event),
            "comparison",
        )?;
    }
    let parts: Vec<Part<'_>> = scenarios
        .iter()
        .zip(&names)
        .map(|(scenario, name)| Part {
            name: name.clone(),
            scenario,
            dir: staged.path(name),
            link: format!("{name}/report.html"),
        })
        .collect();
    let files = write_comparison_files(&staged, &parts, opts)?;
    let files: Vec<String> = files
        .into_iter()
        .chain(names.iter().map(|n| format!("{n}/")))
        .collect();
    let manifest = json!({
        "program": "boomtown",
        "version": env!("CARGO_PKG_VERSION"),
        "command": opts.command,
        "compare": names,
        "scenario_hashes": hashes,
        "seed": opts.seed,
        "replicates": opts.replicates,
        "threads": opts.threads,
        "files": files,
    });
    staged.write_manifest(manifest, started)?;
    staged.commit()
}

/// One scenario of a comparison: its folder name, its scenario, where its run
/// outputs are, and the link to its report from the comparison's report.
struct Part<'a> {
    name: String,
    scenario: &'a Scenario,
    dir: PathBuf,
    link: String,
}

/// Writes `comparison.csv`, the overlaid charts (unless `opts.charts` is off) and
/// the report of a comparison from its parts' run outputs; returns the files
/// written, for the manifest.
fn write_comparison_files(
    staged: &crate::output::folder::Staged,
    parts: &[Part<'_>],
    opts: &RunOptions,
) -> Result<Vec<String>, Error> {
    let mut loaded = Vec::new();
    let mut table = Vec::new();
    for part in parts {
        loaded.push((
            Context {
                name: part.name.clone(),
                ..Context::new(part.scenario, opts.replicates)?
            },
            read_summaries(&part.dir.join("summary.csv"))?,
        ));
        table.push(ComparedRun {
            name: part.name.clone(),
            city: city_indicators(&part.dir.join("timeseries.csv"))?,
            scorecard: scorecard_summary(&part.dir.join(INDICATORS_SUMMARY))?,
        });
    }
    write_comparison(&staged.path("comparison.csv"), &table)?;
    let charts: Vec<String> = if opts.charts {
        draw_compare(&staged.path(""), &loaded)?
            .into_iter()
            .map(|c| format!("charts/{c}"))
            .collect()
    } else {
        Vec::new()
    };
    let compared: Vec<Compared<'_>> = parts
        .iter()
        .map(|p| Compared {
            name: p.name.clone(),
            scenario: p.scenario,
            dir: p.dir.clone(),
            link: p.link.clone(),
        })
        .collect();
    let batch = Batch {
        seed: opts.seed,
        replicates: opts.replicates,
        hash: String::new(),
        lesson: opts.lesson.clone(),
    };
    write_compare(&staged.path(""), &compared, &batch, &charts)?;
    Ok(["manifest.json", "comparison.csv", REPORT]
        .into_iter()
        .map(String::from)
        .chain(charts)
        .collect())
}

/// Compares the finished outputs of earlier `boomtown run`s without running
/// anything: each folder must be a complete, single-configuration run written by
/// boomtown (its manifest says so and its data match the manifest's checksums),
/// and all must share the seed and the replicates. The comparison folder holds
/// the comparison's own files and links to each run's report where it is.
pub fn compare_folders(dirs: &[PathBuf], opts: &RunOptions) -> Result<PathBuf, Error> {
    let started = SystemTime::now();
    let runs: Vec<RunFolder> = dirs
        .iter()
        .map(|d| RunFolder::read(d))
        .collect::<Result<_, _>>()?;
    let first = &runs[0];
    for r in &runs[1..] {
        if (r.seed, r.replicates) != (first.seed, first.replicates) {
            return Err(Error::Usage(format!(
                "--from: {} was run with seed {} and {} replicates, {} with seed {} and {}: a comparison needs the same seeds and replicates; rerun one with --seed and --replicates",
                first.dir.display(),
                first.seed,
                first.replicates,
                r.dir.display(),
                r.seed,
                r.replicates
            )));
        }
    }
    let scenarios: Vec<Scenario> = runs.iter().map(|r| r.scenario.clone()).collect();
    let names = folder_names(&scenarios, &[]);
    let out = OutputPath::new(&opts.out)?;
    let hashes: Vec<&str> = runs.iter().map(|r| r.hash.as_str()).collect();
    let identity = comparison_identity(&names, &hashes, first.seed, first.replicates);
    let (_lock, staged) = begin(&out, &identity, opts.force)?;
    let parts: Vec<Part<'_>> = runs
        .iter()
        .zip(&scenarios)
        .zip(&names)
        .map(|((run, scenario), name)| Part {
            name: name.clone(),
            scenario,
            dir: run.dir.clone(),
            link: run.dir.join(REPORT).display().to_string(),
        })
        .collect();
    let opts = RunOptions {
        seed: first.seed,
        replicates: first.replicates,
        ..opts.clone()
    };
    let files = write_comparison_files(&staged, &parts, &opts)?;
    let manifest = json!({
        "program": "boomtown",
        "version": env!("CARGO_PKG_VERSION"),
        "command": opts.command,
        "compare": names,
        "from": runs.iter().map(|r| r.dir.display().to_string()).collect::<Vec<_>>(),
        "scenario_hashes": hashes,
        "seed": first.seed,
        "replicates": first.replicates,
        "files": files,
    });
    staged.write_manifest(manifest, started)?;
    staged.commit()
}

/// A finished run folder given to `compare --from`, checked.
struct RunFolder {
    dir: PathBuf,
    scenario: Scenario,
    hash: String,
    seed: u64,
    replicates: u32,
}

impl RunFolder {
    /// Reads and checks a run folder; every refusal names the folder and what
    /// was expected.
    fn read(dir: &Path) -> Result<RunFolder, Error> {
        let refuse = |why: String| {
            Error::Usage(format!(
                "--from {}: {why}; give the output folders of `boomtown run`",
                dir.display()
            ))
        };
        let dir = dir
            .canonicalize()
            .map_err(|e| refuse(format!("cannot be read ({e})")))?;
        let manifest_path = dir.join("manifest.json");
        let text = std::fs::read_to_string(&manifest_path).map_err(|_| {
            refuse("has no manifest.json, so it is not a finished boomtown output".into())
        })?;
        let m: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| refuse(format!("its manifest.json is not valid JSON ({e})")))?;
        if m["program"] != "boomtown" {
            return Err(refuse(
                "its manifest.json was not written by boomtown".into(),
            ));
        }
        if m.get("compare").is_some() || m["scenario"].as_str().is_none() {
            return Err(refuse(
                "it is not the output of `boomtown run` (a comparison, validation or analysis?)"
                    .into(),
            ));
        }
        if !m["shard"].is_null() {
            return Err(refuse(format!(
                "it is shard {} of a batch; merge the shards first with `boomtown merge`",
                m["shard"].as_str().unwrap_or("?")
            )));
        }
        if m["configurations"].as_u64() != Some(1) {
            return Err(refuse(format!(
                "it is a sweep of {} configurations; a comparison takes runs of one configuration",
                m["configurations"]
            )));
        }
        for file in CHECKED_FILES {
            let Some(expected) = m["checksums"][file].as_str() else {
                return Err(refuse(format!(
                    "its manifest records no checksum of {file} (written by another version of boomtown? rerun it)"
                )));
            };
            let path = dir.join(file);
            let regular = std::fs::symlink_metadata(&path).is_ok_and(|md| md.is_file());
            if !regular || sha256_file(&path)? != expected {
                return Err(refuse(format!(
                    "{file} is missing or differs from what its manifest records (changed since the run?)"
                )));
            }
        }
        let toml = dir.join("scenario.toml");
        let reference = toml
            .to_str()
            .ok_or_else(|| refuse("its path is not valid Unicode; rename it".into()))?;
        let scenario = crate::scenario::load(reference, &[])?;
        Ok(RunFolder {
            hash: m["scenario_hash"].as_str().unwrap_or_default().to_string(),
            seed: m["seed"].as_u64().unwrap_or_default(),
            replicates: m["replicates"]
                .as_u64()
                .and_then(|r| u32::try_from(r).ok())
                .unwrap_or_default(),
            scenario,
            dir,
        })
    }
}

/// Runs one scenario of a folder that is written whole or not at all (a
/// comparison, a validation): an interrupted run keeps nothing to resume, and
/// says so naming `what` was interrupted.
pub(crate) fn run_part(
    scenario: &Scenario,
    opts: &RunOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
    what: &str,
) -> Result<(), Error> {
    match run(scenario, opts, stop, progress) {
        Ok(_) => Ok(()),
        Err(Error::Interrupted { .. }) => Err(Error::Stopped(format!(
            "{what} interrupted; nothing was written"
        ))),
        Err(other) => Err(other),
    }
}

/// Names of the comparison's own files, which no subfolder may take.
const RESERVED: [&str; 4] = ["charts", "manifest.json", "comparison.csv", "report.html"];

/// Subfolder names: scenario names, made unique with a suffix where two scenarios
/// share one (e.g. two files called `city.toml`) or take one of the `reserved`
/// names of the folder's own files.
pub(crate) fn folder_names(scenarios: &[Scenario], reserved: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in scenarios {
        let mut name = s.name.clone();
        let mut k = 2;
        while names.contains(&name) || reserved.contains(&name.as_str()) {
            name = format!("{}-{k}", s.name);
            k += 1;
        }
        names.push(name);
    }
    names
}

/// The default output folder of a comparison: `output/compare-A-vs-B`.
pub fn default_out(scenarios: &[Scenario]) -> PathBuf {
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    Path::new("output").join(format!("compare-{}", names.join("-vs-")))
}

/// The settings that identify a comparison, the same whether its runs were made
/// for it or taken from finished folders (`--from`): a comparison replaces only
/// its own earlier output of the same identity.
fn comparison_identity(
    names: &[String],
    hashes: &[impl AsRef<str>],
    seed: u64,
    replicates: u32,
) -> Value {
    let hashes: Vec<&str> = hashes.iter().map(AsRef::as_ref).collect();
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "compare": names,
        "scenario_hashes": hashes,
        "seed": seed,
        "replicates": replicates,
    })
}
