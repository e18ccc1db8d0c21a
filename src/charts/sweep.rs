//! What a sweep's chart shows: the key indicators of every configuration
//! against its swept values — the median and the range holding 90 % of the
//! replicates — read from `indicators_summary.csv` and, for the two city
//! trajectories, from `summary.csv`. The same numbers are written beside the
//! chart as `charts/sweep_indicators.csv`, so that the chart can be checked
//! against the files it comes from.

use std::collections::BTreeMap;
use std::path::Path;

use super::data::Summaries;
use crate::error::Error;
use crate::model::scorecard::SCORECARD;
use crate::output::CsvFile;
use crate::output::assemble::INDICATORS_SUMMARY;

/// File name of the chart's data, in `charts/`.
pub const SWEEP_DATA: &str = "sweep_indicators.csv";

/// Chart stem of the sweep chart.
pub const SWEEP_STEM: &str = "sweep_indicators";

/// The indicators a policy analyst reads first, in panel order: the city's
/// population and unemployment, what became of the displaced workers, and the
/// public cost. The first two come from `summary.csv`, the others from the
/// scorecard. [`EMPLOYER_COST`] follows them where any configuration has
/// employers pay: without it, moving a cost to the employers would read as free.
const KEY_INDICATORS: [&str; 6] = [
    POPULATION_CHANGE,
    PEAK_UNEMPLOYMENT,
    "reemployed_within_24_months",
    "earnings_loss_years",
    "displaced_left_city",
    "public_cost_total",
];

/// What the employers pay, shown where they pay anything.
const EMPLOYER_COST: &str = "employer_cost_early_retirement";

/// Population at the end against the median population at the start.
pub const POPULATION_CHANGE: &str = "population_change_to_end";

/// The unemployment rate in the month its median peaks.
pub const PEAK_UNEMPLOYMENT: &str = "peak_unemployment_rate";

/// One configuration's value of an indicator.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Configuration index.
    pub configuration: usize,
    /// Its swept values, in the order of the sweep's keys (as the CSV files write them).
    pub values: Vec<String>,
    /// 5th percentile, median and 95th percentile over replicates (NaN where undefined).
    pub q: [f64; 3],
}

/// One indicator across the configurations.
#[derive(Clone, Debug)]
pub struct Panel {
    /// Indicator name (as in `indicators_summary.csv`, or one of the two above).
    pub name: String,
    /// Title.
    pub title: String,
    /// Unit (`share` values are shown as percentages).
    pub unit: String,
    /// The file its numbers come from.
    pub source: &'static str,
    /// One point per configuration, in configuration order.
    pub points: Vec<Point>,
}

/// The key indicators of a sweep.
#[derive(Clone, Debug)]
pub struct SweepData {
    /// The swept keys, in sweep order (the first is the horizontal axis).
    pub keys: Vec<String>,
    /// One panel per key indicator.
    pub panels: Vec<Panel>,
}

/// Per configuration: its swept values, and per indicator its unit and statistics.
type ByConfiguration = BTreeMap<usize, (Vec<String>, BTreeMap<String, (String, [f64; 3])>)>;

/// Reads the key indicators of a sweep from an output folder; `None` when the
/// batch sweeps nothing.
pub fn read(dir: &Path, sum: &Summaries) -> Result<Option<SweepData>, Error> {
    let mut file = CsvFile::open(&dir.join(INDICATORS_SUMMARY))?;
    let Some(configuration) = file.optional("configuration") else {
        return Ok(None);
    };
    let [indicator, unit, p05, p50, p95] =
        ["indicator", "unit", "p05", "p50", "p95"].map(|c| file.column(c));
    let (indicator, unit, p05, p50, p95) = (indicator?, unit?, p05?, p50?, p95?);
    let keys = file.header[configuration + 1..indicator].to_vec();
    let mut by: ByConfiguration = BTreeMap::new();
    for record in file.rows() {
        let record = record?;
        let text = |i: usize| record.get(i).unwrap_or_default().to_string();
        let x = |i: usize| {
            record
                .get(i)
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        };
        let c: usize = record
            .get(configuration)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let entry = by.entry(c).or_insert_with(|| {
            (
                (configuration + 1..indicator).map(text).collect(),
                BTreeMap::new(),
            )
        });
        entry
            .1
            .insert(text(indicator), (text(unit), [x(p05), x(p50), x(p95)]));
    }
    let employers_pay = by
        .values()
        .any(|(_, stats)| stats.get(EMPLOYER_COST).is_some_and(|s| s.1[2] > 0.0));
    let panels = KEY_INDICATORS
        .iter()
        .chain(employers_pay.then_some(&EMPLOYER_COST))
        .map(|&name| panel(name, &by, sum))
        .collect();
    Ok(Some(SweepData { keys, panels }))
}

/// The panel of one key indicator.
fn panel(name: &str, by: &ByConfiguration, sum: &Summaries) -> Panel {
    let points = by
        .iter()
        .map(|(&c, (values, stats))| Point {
            configuration: c,
            values: values.clone(),
            q: match name {
                POPULATION_CHANGE => population_change(sum, c),
                PEAK_UNEMPLOYMENT => peak(sum, c, "unemployment_rate"),
                _ => stats.get(name).map_or([f64::NAN; 3], |s| s.1),
            },
        })
        .collect();
    let unit = SCORECARD
        .iter()
        .find(|d| d.name == name)
        .map_or("share", |d| d.unit);
    let (title, source) = match name {
        POPULATION_CHANGE => ("Population change to the end", "summary.csv"),
        PEAK_UNEMPLOYMENT => ("Peak unemployment rate", "summary.csv"),
        // The scorecard's labels sit under a heading that names the displaced
        // workers; a panel stands alone and must name them itself.
        "reemployed_within_24_months" => {
            ("Displaced re-employed within 2 years", INDICATORS_SUMMARY)
        }
        "earnings_loss_years" => ("Earnings lost per displaced worker", INDICATORS_SUMMARY),
        "displaced_left_city" => ("Displaced workers who left the city", INDICATORS_SUMMARY),
        EMPLOYER_COST => ("Allowances paid by employers", INDICATORS_SUMMARY),
        _ => ("Public cost of the policies", INDICATORS_SUMMARY),
    };
    Panel {
        name: name.to_string(),
        title: title.to_string(),
        unit: unit.to_string(),
        source,
        points,
    }
}

/// Population at the end relative to the median at the start, at the 5th,
/// 50th and 95th percentiles of the end.
fn population_change(sum: &Summaries, c: usize) -> [f64; 3] {
    let Some(bands) = sum.series.get(&(c, "population".to_string())) else {
        return [f64::NAN; 3];
    };
    let (Some(first), Some(last)) = (bands.first(), bands.last()) else {
        return [f64::NAN; 3];
    };
    let start = first.q[2].max(1.0);
    [last.q[0], last.q[2], last.q[4]].map(|x| x / start - 1.0)
}

/// A metric in the month its median peaks.
fn peak(sum: &Summaries, c: usize, metric: &str) -> [f64; 3] {
    sum.series
        .get(&(c, metric.to_string()))
        .and_then(|b| b.iter().max_by(|a, b| a.q[2].total_cmp(&b.q[2])))
        .map_or([f64::NAN; 3], |b| [b.q[0], b.q[2], b.q[4]])
}

/// Writes the chart's numbers as CSV: one row per indicator and configuration.
pub fn write_csv(data: &SweepData, path: &Path) -> Result<(), Error> {
    let csv_err = |source| Error::Csv {
        path: path.to_path_buf(),
        source,
    };
    let num = |x: f64| {
        if x.is_finite() {
            x.to_string()
        } else {
            String::new()
        }
    };
    // Built in memory and written atomically, so a failed run leaves no half file.
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["indicator".to_string(), "configuration".to_string()];
    header.extend(data.keys.iter().cloned());
    header.extend(["unit", "p05", "p50", "p95", "source"].map(String::from));
    w.write_record(&header).map_err(csv_err)?;
    for p in &data.panels {
        for point in &p.points {
            let mut row = vec![p.name.clone(), point.configuration.to_string()];
            row.extend(point.values.iter().cloned());
            row.push(p.unit.clone());
            row.extend(point.q.map(num));
            row.push(p.source.to_string());
            w.write_record(&row).map_err(csv_err)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv_err(csv::Error::from(e.into_error())))?;
    crate::output::write_atomic(path, &bytes)
}
