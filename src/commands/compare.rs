//! `boomtown compare`: several scenarios run with the same seed and options, each
//! into its own subfolder, then overlaid charts and `comparison.csv` drawn from
//! their outputs.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

use serde_json::json;

use crate::charts::{Context, data::read_summaries, draw_compare};
use crate::commands::run::{Progress, RunOptions, run};
use crate::error::Error;
use crate::indicators::{city_indicators, write_comparison};
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
    let identity = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "compare": names,
        "scenario_hashes": hashes,
        "seed": opts.seed,
        "replicates": opts.replicates,
    });
    let (_lock, staged) = begin(&out, &identity, opts.force)?;
    let mut loaded = Vec::new();
    let mut table = Vec::new();
    for (scenario, name) in scenarios.iter().zip(&names) {
        let sub = staged.path(name);
        let sub_opts = RunOptions {
            out: sub.clone(),
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
        loaded.push((
            Context {
                name: name.clone(),
                ..Context::new(scenario, opts.replicates)
            },
            read_summaries(&sub.join("summary.csv"))?,
        ));
        table.push((name.clone(), city_indicators(&sub.join("timeseries.csv"))?));
    }
    write_comparison(&staged.path("comparison.csv"), &table)?;
    let charts: Vec<String> = draw_compare(&staged.path(""), &loaded)?
        .into_iter()
        .map(|c| format!("charts/{c}"))
        .collect();
    let compared: Vec<Compared<'_>> = scenarios
        .iter()
        .zip(&names)
        .map(|(scenario, name)| Compared {
            name: name.clone(),
            scenario,
            dir: staged.path(name),
        })
        .collect();
    let batch = Batch {
        seed: opts.seed,
        replicates: opts.replicates,
        hash: String::new(),
        lesson: opts.lesson.clone(),
    };
    write_compare(&staged.path(""), &compared, &batch, &charts)?;
    let files: Vec<String> = ["manifest.json", "comparison.csv", REPORT]
        .into_iter()
        .map(String::from)
        .chain(charts)
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
