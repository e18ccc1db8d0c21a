//! Writing a run's output folder. Files are staged in a temporary folder beside
//! the destination and moved into place only when all are written, so an
//! interrupted or failed run never leaves a half-written folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::error::Error;
use crate::model::metrics::{Metric, MetricDef, PYRAMID_GROUPS};
use crate::run::Batch;
use crate::scenario::Scenario;

/// A folder being written: files go to a staging folder until [`Staged::commit`].
pub struct Staged {
    dir: tempfile::TempDir,
    target: PathBuf,
}

impl Staged {
    /// Prepares to write `target`. Refuses to replace an existing folder that is
    /// not a boomtown output (it has no `manifest.json`).
    pub fn new(target: &Path) -> Result<Staged, Error> {
        if target.exists() && !target.join("manifest.json").is_file() {
            let empty = target.is_dir()
                && std::fs::read_dir(target)
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(false);
            if !empty {
                return Err(Error::Usage(format!(
                    "--out {}: exists and is not a boomtown output folder (no manifest.json); \
                     refusing to replace it",
                    target.display()
                )));
            }
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .map_err(|e| Error::io("creating output folder", &parent, e))?;
        let dir = tempfile::Builder::new()
            .prefix(".boomtown-staging-")
            .tempdir_in(&parent)
            .map_err(|e| Error::io("creating a staging folder in", &parent, e))?;
        Ok(Staged {
            dir,
            target: target.to_path_buf(),
        })
    }

    /// Path of a file inside the staging folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a whole file.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.path(name);
        std::fs::write(&path, bytes).map_err(|e| Error::io("writing", &path, e))
    }

    /// Moves the staged folder into place, replacing a previous output there.
    pub fn commit(self) -> Result<PathBuf, Error> {
        let staged = self.dir.keep();
        if self.target.exists() {
            std::fs::remove_dir_all(&self.target).map_err(|e| {
                let _ = std::fs::remove_dir_all(&staged);
                Error::io("replacing", &self.target, e)
            })?;
        }
        std::fs::rename(&staged, &self.target).map_err(|e| {
            let _ = std::fs::remove_dir_all(&staged);
            Error::io("moving the output into", &self.target, e)
        })?;
        Ok(self.target)
    }
}

/// The header of `timeseries.csv`.
pub fn timeseries_header(columns: &[MetricDef]) -> Vec<String> {
    ["scenario", "replicate", "step", "date"]
        .iter()
        .map(|s| s.to_string())
        .chain(columns.iter().map(|c| c.name.clone()))
        .collect()
}

/// Formats a value: whole counts without decimals, other values in the shortest
/// form that reads back to the same number.
pub fn format_value(def: &MetricDef, v: f64) -> String {
    if def.integer {
        format!("{}", v.round() as i64)
    } else {
        format!("{v}")
    }
}

/// Writes `timeseries.csv`: one row per replicate and reporting step.
pub fn write_timeseries(path: &Path, scenario: &Scenario, batch: &Batch) -> Result<(), Error> {
    let csv_err = |source| Error::Csv {
        path: path.to_path_buf(),
        source,
    };
    let columns = Metric::columns(&scenario.params);
    let mut w = csv::Writer::from_path(path).map_err(csv_err)?;
    w.write_record(timeseries_header(&columns))
        .map_err(csv_err)?;
    for r in &batch.replicates {
        for s in &r.snapshots {
            let mut row = vec![
                scenario.name.clone(),
                r.replicate.to_string(),
                s.step.to_string(),
                s.date.to_string(),
            ];
            row.extend(
                columns
                    .iter()
                    .zip(&s.values)
                    .map(|(c, &v)| format_value(c, v)),
            );
            w.write_record(&row).map_err(csv_err)?;
        }
    }
    w.flush().map_err(|e| Error::io("writing", path, e))
}

/// Writes `age_pyramid.csv`: residents by 5-year age group and sex, per replicate
/// and reporting step.
pub fn write_age_pyramid(path: &Path, scenario: &Scenario, batch: &Batch) -> Result<(), Error> {
    let csv_err = |source| Error::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut w = csv::Writer::from_path(path).map_err(csv_err)?;
    w.write_record([
        "scenario",
        "replicate",
        "step",
        "date",
        "age_group",
        "male",
        "female",
    ])
    .map_err(csv_err)?;
    for r in &batch.replicates {
        for s in &r.snapshots {
            for (g, counts) in s.age_pyramid.iter().enumerate() {
                let group = if g == PYRAMID_GROUPS - 1 {
                    "100+".to_string()
                } else {
                    format!("{}-{}", 5 * g, 5 * g + 4)
                };
                w.write_record([
                    scenario.name.clone(),
                    r.replicate.to_string(),
                    s.step.to_string(),
                    s.date.to_string(),
                    group,
                    counts[0].to_string(),
                    counts[1].to_string(),
                ])
                .map_err(csv_err)?;
            }
        }
    }
    w.flush().map_err(|e| Error::io("writing", path, e))
}

/// What the manifest records about the run besides the scenario.
pub struct RunInfo<'a> {
    /// The command line as given.
    pub command: &'a [String],
    /// Master seed used.
    pub seed: u64,
    /// Number of replicates.
    pub replicates: u32,
    /// When the run started.
    pub started: std::time::SystemTime,
}

/// The content of `manifest.json`.
pub fn manifest(scenario: &Scenario, info: &RunInfo<'_>, batch: &Batch) -> String {
    let finished = std::time::SystemTime::now();
    let elapsed = finished
        .duration_since(info.started)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let person_months = batch.person_months();
    let rate = if batch.seconds > 0.0 {
        person_months as f64 / batch.seconds
    } else {
        0.0
    };
    let chain: Vec<&str> = scenario
        .merged
        .chain
        .iter()
        .map(|f| f.label.as_str())
        .collect();
    let value = json!({
        "program": "boomtown",
        "version": env!("CARGO_PKG_VERSION"),
        "command": info.command,
        "scenario": scenario.name,
        "scenario_hash": scenario.hash(),
        "scenario_chain": chain,
        "seed": info.seed,
        "replicates": info.replicates,
        "threads": 1,
        "shard": serde_json::Value::Null,
        "start_month": scenario.params.horizon.start.to_string(),
        "months": scenario.params.horizon.months,
        "started": humantime::format_rfc3339_seconds(info.started).to_string(),
        "finished": humantime::format_rfc3339_seconds(finished).to_string(),
        "elapsed_seconds": elapsed,
        "simulation_seconds": batch.seconds,
        "person_months": person_months,
        "person_months_per_second": rate,
        "files": ["manifest.json", "scenario.toml", "timeseries.csv", "age_pyramid.csv"],
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes every file of a run and moves the folder into place.
pub fn write_run(
    target: &Path,
    scenario: &Scenario,
    info: &RunInfo<'_>,
    batch: &Batch,
) -> Result<PathBuf, Error> {
    let staged = Staged::new(target)?;
    staged.write("scenario.toml", scenario.resolved_toml().as_bytes())?;
    write_timeseries(&staged.path("timeseries.csv"), scenario, batch)?;
    write_age_pyramid(&staged.path("age_pyramid.csv"), scenario, batch)?;
    // The manifest is written last: its presence marks a complete output.
    let mut f = std::fs::File::create(staged.path("manifest.json"))
        .map_err(|e| Error::io("writing", staged.path("manifest.json"), e))?;
    f.write_all(manifest(scenario, info, batch).as_bytes())
        .map_err(|e| Error::io("writing", staged.path("manifest.json"), e))?;
    staged.commit()
}
