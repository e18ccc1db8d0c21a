//! The results a report is written from: the summaries (`summary.csv`) and the
//! scorecard summary (`indicators_summary.csv`) of an output folder, first configuration.

use std::collections::BTreeMap;
use std::path::Path;

use crate::charts::data::{Band, Summaries, read_summaries};
use crate::error::Error;
use crate::output::CsvFile;
use crate::output::assemble::INDICATORS_SUMMARY;

/// An indicator summarised over replicates.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stat {
    /// Replicates in which it is defined.
    pub n: u64,
    /// Mean.
    pub mean: f64,
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// What a report needs of one output folder.
#[derive(Clone, Debug)]
pub struct RunResults {
    /// Quantile bands of every metric.
    pub summaries: Summaries,
    /// The scorecard, by indicator name (only indicators defined in some replicate).
    pub indicators: BTreeMap<String, Stat>,
}

impl RunResults {
    /// Reads the results of an output folder.
    pub fn read(dir: &Path) -> Result<Self, Error> {
        Ok(RunResults {
            summaries: read_summaries(&dir.join("summary.csv"))?,
            indicators: read_indicator_summary(&dir.join(INDICATORS_SUMMARY))?,
        })
    }

    /// The bands of a metric, first configuration.
    pub fn series(&self, metric: &str) -> &[Band] {
        self.summaries
            .series
            .get(&(0, metric.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// The first and last bands of a metric.
    pub fn ends(&self, metric: &str) -> Option<(Band, Band)> {
        let s = self.series(metric);
        Some((*s.first()?, *s.last()?))
    }

    /// The band at which a metric's median peaks.
    pub fn peak(&self, metric: &str) -> Option<Band> {
        self.series(metric)
            .iter()
            .copied()
            .max_by(|a, b| a.q[2].total_cmp(&b.q[2]))
    }

    /// An indicator, if defined in at least one replicate.
    pub fn indicator(&self, name: &str) -> Option<Stat> {
        self.indicators.get(name).copied().filter(|s| s.n > 0)
    }

    /// An indicator's median, if defined.
    pub fn median(&self, name: &str) -> Option<f64> {
        self.indicator(name).map(|s| s.p50)
    }
}

/// `indicators_summary.csv` (first configuration).
fn read_indicator_summary(path: &Path) -> Result<BTreeMap<String, Stat>, Error> {
    let mut file = CsvFile::open(path)?;
    let [indicator, n, mean, p05, p50, p95] =
        ["indicator", "replicates", "mean", "p05", "p50", "p95"].map(|c| file.column(c));
    let (indicator, n, mean, p05, p50, p95) = (indicator?, n?, mean?, p05?, p50?, p95?);
    let mut out: BTreeMap<String, Stat> = BTreeMap::new();
    for record in file.first_configuration_rows() {
        let record = record?;
        let x = |i: usize| {
            record
                .get(i)
                .unwrap_or_default()
                .parse()
                .unwrap_or(f64::NAN)
        };
        out.insert(
            record.get(indicator).unwrap_or_default().to_string(),
            Stat {
                n: record.get(n).and_then(|v| v.parse().ok()).unwrap_or(0),
                mean: x(mean),
                p05: x(p05),
                p50: x(p50),
                p95: x(p95),
            },
        );
    }
    Ok(out)
}
