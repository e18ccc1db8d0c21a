//! Assembling an output folder from parts (the job folders of a run, or the
//! folders of the shards being merged), in batch order: rows are copied through and
//! the summary is computed as they stream by. Runs and merges use this same code,
//! so a merged batch is byte-identical to a single run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::folder::{OutputPath, Replace, Staged};
use super::summary::Accumulator;
use super::tables::Tables;
use crate::error::Error;

/// The files every part holds, each with a header.
pub const PART_FILES: [&str; 4] = [
    "timeseries.csv",
    "age_pyramid.csv",
    "indicators.csv",
    "experiments.csv",
];

/// Assembles the output folder `target` from parts, in order, and moves it into
/// place. `finish` then adds files drawn from the assembled data (charts, the
/// report) and returns their paths relative to the folder; `manifest` is written last, listing them: its presence
/// marks a complete output.
pub fn assemble(
    target: &OutputPath,
    (identity, replace): (&serde_json::Value, Replace),
    tables: &Tables,
    scenario_toml: &str,
    parts: &[PathBuf],
    manifest: &serde_json::Value,
    finish: impl FnOnce(&Path) -> Result<Vec<String>, Error>,
) -> Result<PathBuf, Error> {
    let staged = Staged::new(target, identity, replace)?;
    staged.write("scenario.toml", scenario_toml.as_bytes())?;
    let headers = [
        tables.timeseries_header(),
        tables.pyramid_header(),
        tables.indicators_header(),
        tables.experiments_header(),
    ];
    let mut summary = SummaryBuilder::new(tables);
    let mut scorecard = ScorecardSummary::new(tables);
    for (file, header) in PART_FILES.iter().zip(&headers) {
        let out = staged.path(file);
        let csv_err = |source| Error::Csv {
            path: out.clone(),
            source,
        };
        let mut w = csv::Writer::from_path(&out).map_err(csv_err)?;
        w.write_record(header).map_err(csv_err)?;
        for part in parts {
            let path = part.join(file);
            let mut r = csv::Reader::from_path(&path).map_err(|source| Error::Csv {
                path: path.clone(),
                source,
            })?;
            let found = r.headers().map_err(|source| Error::Csv {
                path: path.clone(),
                source,
            })?;
            if found.iter().ne(header.iter().map(String::as_str)) {
                return Err(Error::Usage(format!(
                    "{}: its columns differ from this batch's; it belongs to another scenario or version",
                    path.display()
                )));
            }
            for record in r.records() {
                let record = record.map_err(|source| Error::Csv {
                    path: path.clone(),
                    source,
                })?;
                match *file {
                    "timeseries.csv" => summary.push(&record, &path)?,
                    "indicators.csv" => scorecard.push(&record, &path)?,
                    _ => {}
                }
                w.write_record(&record).map_err(csv_err)?;
            }
        }
        w.flush().map_err(|e| Error::io("writing", &out, e))?;
    }
    summary.write(&staged.path("summary.csv"))?;
    scorecard.write(&staged.path(INDICATORS_SUMMARY))?;
    let mut manifest = manifest.clone();
    manifest["checksums"] = checksums(&staged)?;
    let drawn = finish(&staged.path(""))?;
    if let Some(files) = manifest["files"].as_array_mut() {
        files.extend(drawn.into_iter().map(serde_json::Value::String));
    }
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
    staged.write("manifest.json", text.as_bytes())?;
    staged.commit()
}

/// The scorecard summarised over replicates, written beside `summary.csv`.
pub const INDICATORS_SUMMARY: &str = "indicators_summary.csv";

/// The files computed from the parts after them, in manifest order.
pub const SUMMARY_FILES: [&str; 2] = ["summary.csv", INDICATORS_SUMMARY];

/// The data files whose SHA-256 the manifest records, so that a damaged copy
/// (a shard truncated in transfer) is recognised before it is merged.
pub const CHECKED_FILES: [&str; 7] = [
    "scenario.toml",
    "timeseries.csv",
    "age_pyramid.csv",
    "indicators.csv",
    "experiments.csv",
    "summary.csv",
    INDICATORS_SUMMARY,
];

fn checksums(staged: &Staged) -> Result<serde_json::Value, Error> {
    let mut out = serde_json::Map::new();
    for file in CHECKED_FILES {
        out.insert(file.to_string(), sha256_file(&staged.path(file))?.into());
    }
    Ok(serde_json::Value::Object(out))
}

/// SHA-256 of a file, in hex, read in pieces.
pub fn sha256_file(path: &Path) -> Result<String, Error> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("reading", path, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| Error::io("reading", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// SHA-256 of bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Accumulators per configuration, step and metric, fed row by row.
struct SummaryBuilder<'a> {
    tables: &'a Tables,
    /// Key columns of each configuration.
    keys: BTreeMap<usize, Vec<String>>,
    /// Accumulators per (configuration, step), one per metric.
    cells: BTreeMap<(usize, u32), Vec<Accumulator>>,
    /// Date of each step.
    dates: BTreeMap<u32, String>,
}

impl<'a> SummaryBuilder<'a> {
    fn new(tables: &'a Tables) -> Self {
        SummaryBuilder {
            tables,
            keys: BTreeMap::new(),
            cells: BTreeMap::new(),
            dates: BTreeMap::new(),
        }
    }

    fn push(&mut self, row: &csv::StringRecord, path: &Path) -> Result<(), Error> {
        let k = self.tables.key_len();
        let bad = |what: &str| {
            Error::Usage(format!(
                "{}: malformed row ({what}): {row:?}",
                path.display()
            ))
        };
        let configuration: usize = if self.tables.sweeps.is_empty() {
            0
        } else {
            row.get(1)
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| bad("configuration"))?
        };
        let step: u32 = row
            .get(k + 1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("step"))?;
        self.keys
            .entry(configuration)
            .or_insert_with(|| row.iter().take(k).map(str::to_string).collect());
        self.dates
            .entry(step)
            .or_insert_with(|| row.get(k + 2).unwrap_or_default().to_string());
        let n = self.tables.metrics.len();
        let cell = self
            .cells
            .entry((configuration, step))
            .or_insert_with(|| vec![Accumulator::default(); n]);
        for (i, acc) in cell.iter_mut().enumerate() {
            let x: f64 = row
                .get(k + 3 + i)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| bad("value"))?;
            acc.push(x);
        }
        Ok(())
    }

    fn write(&self, path: &Path) -> Result<(), Error> {
        write_table(path, self.tables.summary_header(), |emit| {
            for (&configuration, key) in &self.keys {
                for (m, metric) in self.tables.metrics.iter().enumerate() {
                    for (&step, date) in &self.dates {
                        let Some(stats) = self
                            .cells
                            .get(&(configuration, step))
                            .and_then(|c| c[m].stats())
                        else {
                            continue;
                        };
                        let mut row = key.clone();
                        row.extend([metric.name.clone(), step.to_string(), date.clone()]);
                        row.push(format!("{}", stats.mean));
                        row.push(format!("{}", stats.sd));
                        row.extend(stats.quantiles.iter().map(|q| format!("{q}")));
                        emit(&row)?;
                    }
                }
            }
            Ok(())
        })
    }
}

/// Accumulators of the scorecard per configuration and indicator, fed by the
/// rows of `indicators.csv`; their summary is `indicators_summary.csv`.
struct ScorecardSummary<'a> {
    tables: &'a Tables,
    /// Per configuration: its key columns and its indicators, in the order the
    /// rows first name them.
    configurations: BTreeMap<usize, (Vec<String>, Vec<IndicatorCell>)>,
}

/// An indicator's name, group and unit, and its accumulator.
type IndicatorCell = (String, [String; 2], Accumulator);

impl<'a> ScorecardSummary<'a> {
    fn new(tables: &'a Tables) -> Self {
        ScorecardSummary {
            tables,
            configurations: BTreeMap::new(),
        }
    }

    /// Adds a per-replicate row.
    fn push(&mut self, row: &csv::StringRecord, path: &Path) -> Result<(), Error> {
        let k = self.tables.key_len();
        let bad = || Error::Usage(format!("{}: malformed row: {row:?}", path.display()));
        let configuration: usize = if self.tables.sweeps.is_empty() {
            0
        } else {
            row.get(1).and_then(|c| c.parse().ok()).ok_or_else(bad)?
        };
        let field = |i: usize| row.get(k + i).ok_or_else(bad);
        let (name, group, unit, value) = (field(0)?, field(1)?, field(2)?, field(4)?);
        let (_, cells) = self
            .configurations
            .entry(configuration)
            .or_insert_with(|| (row.iter().take(k).map(str::to_string).collect(), Vec::new()));
        let i = match cells.iter().position(|(n, _, _)| n == name) {
            Some(i) => i,
            None => {
                cells.push((
                    name.to_string(),
                    [group.to_string(), unit.to_string()],
                    Accumulator::default(),
                ));
                cells.len() - 1
            }
        };
        // An empty value is undefined in that replicate (a share of nobody).
        if !value.is_empty() {
            cells[i].2.push(value.parse().map_err(|_| bad())?);
        }
        Ok(())
    }

    /// Writes `indicators_summary.csv`: one row per configuration and
    /// indicator; statistics of an indicator defined in no replicate are empty.
    fn write(&self, path: &Path) -> Result<(), Error> {
        write_table(path, self.tables.indicators_summary_header(), |emit| {
            for (key, cells) in self.configurations.values() {
                for (name, [group, unit], acc) in cells {
                    let mut row = key.clone();
                    row.extend([name.clone(), group.clone(), unit.clone()]);
                    row.push(acc.count().to_string());
                    match acc.stats() {
                        Some(s) => {
                            row.push(format!("{}", s.mean));
                            row.push(format!("{}", s.sd));
                            row.extend(s.quantiles.iter().map(|q| format!("{q}")));
                        }
                        None => row.extend(std::iter::repeat_n(String::new(), 7)),
                    }
                    emit(&row)?;
                }
            }
            Ok(())
        })
    }
}

/// Writes a CSV file: the header, then each row `rows` emits, naming the file
/// in any error. Rows are written as they come, not held.
fn write_table(
    path: &Path,
    header: Vec<String>,
    rows: impl FnOnce(&mut dyn FnMut(&[String]) -> Result<(), Error>) -> Result<(), Error>,
) -> Result<(), Error> {
    let csv_err = |source| Error::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut w = csv::Writer::from_path(path).map_err(csv_err)?;
    w.write_record(header).map_err(csv_err)?;
    rows(&mut |row| w.write_record(row).map_err(csv_err))?;
    w.flush().map_err(|e| Error::io("writing", path, e))
}
