//! The data charts are drawn from: the summaries (`summary.csv`) and the age
//! pyramids (`age_pyramid.csv`) of an output folder. Charts read these files,
//! never the model.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;
use crate::output::CsvFile;
use crate::output::summary::quantile;

/// One step of a summarised metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    /// Time, in years (2010.5 = July 2010).
    pub year: f64,
    /// 5th, 25th, 50th, 75th and 95th percentiles over replicates.
    pub q: [f64; 5],
}

/// The summaries of one output folder, by configuration and metric.
#[derive(Clone, Debug, Default)]
pub struct Summaries {
    /// Label of each configuration (empty without sweeps).
    pub configurations: BTreeMap<usize, String>,
    /// Bands by (configuration, metric), in step order.
    pub series: BTreeMap<(usize, String), Vec<Band>>,
}

/// Median age pyramids of one output folder: `[male, female]` per 5-year group.
#[derive(Clone, Debug, Default)]
pub struct Pyramids {
    /// Year and median counts of the first reported step.
    pub start: (f64, Vec<[f64; 2]>),
    /// Year and median counts of the last reported step.
    pub end: (f64, Vec<[f64; 2]>),
    /// Group labels (`0-4`, ..., `100+`).
    pub groups: Vec<String>,
}

/// `YYYY-MM` as a fractional year.
pub fn year_of(date: &str) -> f64 {
    let (y, m) = date.split_once('-').unwrap_or((date, "1"));
    y.parse::<f64>().unwrap_or(0.0) + (m.parse::<f64>().unwrap_or(1.0) - 1.0) / 12.0
}

/// A swept key as a legend shows it: without its section and with spaces
/// (`policies.retraining.seats_per_10000` → `retraining seats per 10000`).
pub fn key_label(key: &str) -> String {
    let rest = key.split_once('.').map_or(key, |(_, rest)| rest);
    rest.replace(['.', '_'], " ")
}

/// One swept setting as legends and captions show it: `key = value`.
pub fn setting(key: &str, value: &str) -> String {
    format!("{} = {value}", key_label(key))
}

/// A configuration's swept values as legends and captions show them,
/// `key = value, key = value` (as `summary.csv` writes the values).
pub fn configuration_label(swept: &[(String, toml::Value)]) -> String {
    swept
        .iter()
        .map(|(k, v)| setting(k, &crate::output::tables::value_text(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads `summary.csv`.
pub fn read_summaries(path: &Path) -> Result<Summaries, Error> {
    let mut file = CsvFile::open(path)?;
    let header = file.header.clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (metric, date) = (col("metric").unwrap_or(1), col("date").unwrap_or(3));
    let mean = col("mean").unwrap_or(4);
    let configuration = col("configuration");
    let mut out = Summaries::default();
    for record in file.rows() {
        let record = record?;
        let c = configuration
            .and_then(|i| record.get(i)?.parse().ok())
            .unwrap_or(0);
        if let Some(i) = configuration {
            // The configuration's swept values, `key = value`, for legends.
            let label: Vec<String> = (i + 1..metric)
                .map(|k| setting(&header[k], record.get(k).unwrap_or_default()))
                .collect();
            out.configurations
                .entry(c)
                .or_insert_with(|| label.join(", "));
        }
        let value = |k: usize| {
            record
                .get(k)
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        };
        let band = Band {
            year: year_of(record.get(date).unwrap_or_default()),
            q: [
                value(mean + 2),
                value(mean + 3),
                value(mean + 4),
                value(mean + 5),
                value(mean + 6),
            ],
        };
        let name = record.get(metric).unwrap_or_default().to_string();
        out.series.entry((c, name)).or_default().push(band);
    }
    out.configurations.entry(0).or_default();
    Ok(out)
}

/// `[male, female]` counts over replicates, by age group.
type GroupCounts = BTreeMap<usize, Vec<[f64; 2]>>;

/// Reads `age_pyramid.csv` and takes, for each configuration, the median over
/// replicates of each group at the first and last reported steps.
pub fn read_pyramids(path: &Path) -> Result<BTreeMap<usize, Pyramids>, Error> {
    let mut file = CsvFile::open(path)?;
    let header = file.header.clone();
    let configuration = header.iter().position(|h| h == "configuration");
    let mut rows: BTreeMap<usize, Vec<csv::StringRecord>> = BTreeMap::new();
    for record in file.rows() {
        let record = record?;
        let c = configuration
            .and_then(|i| record.get(i)?.parse().ok())
            .unwrap_or(0);
        rows.entry(c).or_default().push(record);
    }
    Ok(rows
        .into_iter()
        .map(|(c, records)| (c, pyramids_of(&header, &records)))
        .collect())
}

/// The start and end pyramids of one configuration's rows.
fn pyramids_of(header: &[String], records: &[csv::StringRecord]) -> Pyramids {
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or(0);
    let (step, date, group, male, female) = (
        col("step"),
        col("date"),
        col("age_group"),
        col("male"),
        col("female"),
    );

    // Per step: its year, and each group's counts over replicates.
    let mut cells: BTreeMap<u32, (f64, GroupCounts)> = BTreeMap::new();
    let mut groups: Vec<String> = Vec::new();
    for record in records {
        let s: u32 = record.get(step).and_then(|v| v.parse().ok()).unwrap_or(0);
        let g = record.get(group).unwrap_or_default().to_string();
        let gi = groups.iter().position(|x| *x == g).unwrap_or_else(|| {
            groups.push(g);
            groups.len() - 1
        });
        let num = |i: usize| record.get(i).and_then(|v| v.parse().ok()).unwrap_or(0.0);
        let entry = cells.entry(s).or_insert_with(|| {
            (
                year_of(record.get(date).unwrap_or_default()),
                BTreeMap::new(),
            )
        });
        entry
            .1
            .entry(gi)
            .or_default()
            .push([num(male), num(female)]);
    }
    let median_of =
        |(year, by_group): &(f64, BTreeMap<usize, Vec<[f64; 2]>>)| -> (f64, Vec<[f64; 2]>) {
            let counts = by_group
                .values()
                .map(|v| {
                    let mut m: Vec<f64> = v.iter().map(|x| x[0]).collect();
                    let mut f: Vec<f64> = v.iter().map(|x| x[1]).collect();
                    m.sort_by(f64::total_cmp);
                    f.sort_by(f64::total_cmp);
                    [quantile(&m, 0.5), quantile(&f, 0.5)]
                })
                .collect();
            (*year, counts)
        };
    let (Some(first), Some(last)) = (cells.values().next(), cells.values().last()) else {
        return Pyramids::default();
    };
    Pyramids {
        start: median_of(first),
        end: median_of(last),
        groups,
    }
}
