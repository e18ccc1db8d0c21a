//! Key indicators of a city's trajectory, computed per replicate from a run's
//! `timeseries.csv` (first configuration) and summarised over replicates. They
//! are what `comparison.csv` reports side by side.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;
use crate::output::CsvFile;
use crate::output::summary::{Accumulator, Stats};

/// One indicator: its name, unit and meaning.
#[derive(Clone, Copy, Debug)]
pub struct Indicator {
    /// Column value in `comparison.csv`.
    pub name: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Meaning.
    pub description: &'static str,
}

/// The city indicators, in report order.
pub const CITY_INDICATORS: [Indicator; 11] = [
    Indicator {
        name: "population_change",
        unit: "relative change",
        description: "population at the end relative to the start, minus 1",
    },
    Indicator {
        name: "employment_change",
        unit: "relative change",
        description: "employment at the end relative to the start, minus 1",
    },
    Indicator {
        name: "peak_unemployment_rate",
        unit: "share",
        description: "highest unemployment rate of any reported step",
    },
    Indicator {
        name: "peak_unemployment_year",
        unit: "year",
        description: "year of the highest unemployment rate",
    },
    Indicator {
        name: "peak_youth_unemployment_rate",
        unit: "share",
        description: "highest youth (16-24) unemployment rate of any reported step",
    },
    Indicator {
        name: "final_unemployment_rate",
        unit: "share",
        description: "unemployment rate at the end",
    },
    Indicator {
        name: "final_long_term_unemployment_share",
        unit: "share",
        description: "share of the unemployed out of work 12+ months at the end",
    },
    Indicator {
        name: "out_migrants_per_1000",
        unit: "per 1,000 initial residents",
        description: "residents who left over the whole run, per 1,000 residents at the start",
    },
    Indicator {
        name: "net_migration_per_1000",
        unit: "per 1,000 initial residents",
        description: "arrivals minus departures over the whole run, per 1,000 residents at the start",
    },
    Indicator {
        name: "final_old_age_dependency_ratio",
        unit: "ratio",
        description: "residents 60+ per resident aged 16-59 at the end",
    },
    Indicator {
        name: "mean_wage_change",
        unit: "relative change",
        description: "mean wage of the employed at the end relative to the start, minus 1",
    },
];

/// Per-replicate running values while reading a time series.
#[derive(Clone, Debug, Default)]
struct Track {
    first: Option<[f64; 3]>,
    last: [f64; 6],
    /// Highest unemployment rate and its year.
    peak: Option<(f64, f64)>,
    peak_youth: f64,
    out: f64,
    arrivals: f64,
}

/// Reads a run's `timeseries.csv` and returns, for each indicator, its
/// accumulator over replicates (first configuration only).
pub fn city_indicators(path: &Path) -> Result<Vec<Accumulator>, Error> {
    let mut file = CsvFile::open(path)?;
    let col = |name: &str| file.column(name);
    let (replicate, date) = (col("replicate")?, col("date")?);
    let names = [
        "population",
        "employed",
        "mean_wage",
        "unemployment_rate",
        "youth_unemployment_rate",
        "long_term_unemployment_share",
        "out_migrants",
        "old_age_dependency_ratio",
        "in_migrants",
    ];
    let idx: Vec<usize> = names.iter().map(|n| col(n)).collect::<Result<_, _>>()?;
    let mut tracks: BTreeMap<u64, Track> = BTreeMap::new();
    for record in file.first_configuration_rows() {
        let record = record?;
        let num = |i: usize| {
            record
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        let v: Vec<f64> = idx.iter().map(|&i| num(i)).collect();
        let rep: u64 = record
            .get(replicate)
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        let year = crate::charts::data::year_of(record.get(date).unwrap_or_default());
        let t = tracks.entry(rep).or_default();
        t.first.get_or_insert([v[0], v[1], v[2]]);
        t.last = [v[0], v[1], v[2], v[3], v[5], v[7]];
        if t.peak.is_none_or(|(rate, _)| v[3] > rate) {
            t.peak = Some((v[3], year));
        }
        t.peak_youth = t.peak_youth.max(v[4]);
        t.out += v[6];
        t.arrivals += v[8];
    }
    let mut acc = vec![Accumulator::default(); CITY_INDICATORS.len()];
    let change = |end: f64, start: f64| if start > 0.0 { end / start - 1.0 } else { 0.0 };
    for t in tracks.values() {
        let first = t.first.unwrap_or([0.0; 3]);
        let (peak, peak_year) = t.peak.unwrap_or((0.0, 0.0));
        let per_1000 = |n: f64| {
            if first[0] > 0.0 {
                1000.0 * n / first[0]
            } else {
                0.0
            }
        };
        let values = [
            change(t.last[0], first[0]),
            change(t.last[1], first[1]),
            peak,
            peak_year.floor(),
            t.peak_youth,
            t.last[3],
            t.last[4],
            per_1000(t.out),
            per_1000(t.arrivals - t.out),
            t.last[5],
            change(t.last[2], first[2]),
        ];
        for (a, v) in acc.iter_mut().zip(values) {
            a.push(v);
        }
    }
    Ok(acc)
}

/// One scenario's rows of `comparison.csv`: its folder name, its city
/// indicators, and its scorecard summary as `indicators_summary.csv` holds it.
pub struct ComparedRun {
    /// Folder name of the scenario in the comparison.
    pub name: String,
    /// The city indicators, in the order of [`CITY_INDICATORS`].
    pub city: Vec<Accumulator>,
    /// The scorecard, one row per indicator (first configuration).
    pub scorecard: Vec<ScorecardStat>,
}

/// An indicator of the scorecard summarised over replicates, as text: the
/// fields of its `comparison.csv` row after `scenario`.
pub type ScorecardStat = Vec<String>;

/// The columns of `comparison.csv`.
const COMPARISON_COLUMNS: [&str; 10] = [
    "scenario",
    "indicator",
    "group",
    "unit",
    "mean",
    "sd",
    "p05",
    "p50",
    "p95",
    "replicates",
];

/// Reads the first configuration of a run's `indicators_summary.csv`, as the
/// fields of `comparison.csv` after `scenario` (same names in both files).
pub fn scorecard_summary(path: &Path) -> Result<Vec<ScorecardStat>, Error> {
    let mut file = CsvFile::open(path)?;
    let idx: Vec<usize> = COMPARISON_COLUMNS[1..]
        .iter()
        .map(|c| file.column(c))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for record in file.first_configuration_rows() {
        let record = record?;
        out.push(
            idx.iter()
                .map(|&i| record.get(i).unwrap_or_default().to_string())
                .collect(),
        );
    }
    Ok(out)
}

/// The `group` of the city indicators in `comparison.csv`, which come from the
/// time series rather than the scorecard.
pub const TRAJECTORY: &str = "trajectory";

/// Writes `comparison.csv`: one row per scenario and indicator, with the mean,
/// standard deviation and 5th, 50th and 95th percentiles over replicates: first
/// the city's trajectory (group `trajectory`), then the just-transition
/// scorecard (groups `displaced_workers`, `city`, `public_cost`, `employer_cost`).
pub fn write_comparison(path: &Path, rows: &[ComparedRun]) -> Result<(), Error> {
    let csv_err = |source| Error::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut w = csv::Writer::from_path(path).map_err(csv_err)?;
    w.write_record(COMPARISON_COLUMNS).map_err(csv_err)?;
    for run in rows {
        for (ind, acc) in CITY_INDICATORS.iter().zip(&run.city) {
            let Some(Stats {
                mean,
                sd,
                quantiles,
            }) = acc.stats()
            else {
                continue;
            };
            w.write_record([
                run.name.clone(),
                ind.name.to_string(),
                TRAJECTORY.to_string(),
                ind.unit.to_string(),
                format!("{mean}"),
                format!("{sd}"),
                format!("{}", quantiles[0]),
                format!("{}", quantiles[2]),
                format!("{}", quantiles[4]),
                acc.count().to_string(),
            ])
            .map_err(csv_err)?;
        }
        for fields in &run.scorecard {
            let row = std::iter::once(&run.name).chain(fields);
            w.write_record(row).map_err(csv_err)?;
        }
    }
    w.flush().map_err(|e| Error::io("writing", path, e))
}
