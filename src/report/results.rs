//! The results a report is written from: the summaries (`summary.csv`) and the
//! scorecard summary (`indicators_summary.csv`) of an output folder, per
//! configuration of a sweep (a batch without sweeps has one).

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
    /// Reads the results of an output folder (its first configuration).
    pub fn read(dir: &Path) -> Result<Self, Error> {
        let mut all = Self::read_all(dir)?;
        Ok(all.swap_remove(0).1)
    }

    /// Reads the results of every configuration of an output folder, in
    /// configuration order, each with its label (`key = value, ...`; empty
    /// without sweeps). Each holds its own configuration as configuration 0.
    pub fn read_all(dir: &Path) -> Result<Vec<(String, Self)>, Error> {
        let summaries = read_summaries(&dir.join("summary.csv"))?;
        let mut indicators = read_indicator_summary(&dir.join(INDICATORS_SUMMARY))?;
        Ok(summaries
            .configurations
            .iter()
            .map(|(&c, label)| {
                let series = summaries
                    .series
                    .iter()
                    .filter(|((k, _), _)| *k == c)
                    .map(|((_, m), b)| ((0, m.clone()), b.clone()))
                    .collect();
                let own = Summaries {
                    configurations: [(0, label.clone())].into(),
                    series,
                };
                let results = RunResults {
                    summaries: own,
                    indicators: indicators.remove(&c).unwrap_or_default(),
                };
                (label.clone(), results)
            })
            .collect())
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

/// Indicators by configuration and name.
type ByConfiguration = BTreeMap<usize, BTreeMap<String, Stat>>;

/// `indicators_summary.csv`, by configuration (0 without sweeps).
fn read_indicator_summary(path: &Path) -> Result<ByConfiguration, Error> {
    let mut file = CsvFile::open(path)?;
    let [indicator, n, mean, p05, p50, p95] =
        ["indicator", "replicates", "mean", "p05", "p50", "p95"].map(|c| file.column(c));
    let (indicator, n, mean, p05, p50, p95) = (indicator?, n?, mean?, p05?, p50?, p95?);
    let configuration = file.optional("configuration");
    let mut out: ByConfiguration = BTreeMap::new();
    for record in file.rows() {
        let record = record?;
        let c: usize = configuration
            .and_then(|i| record.get(i)?.parse().ok())
            .unwrap_or(0);
        let x = |i: usize| {
            record
                .get(i)
                .unwrap_or_default()
                .parse()
                .unwrap_or(f64::NAN)
        };
        out.entry(c).or_default().insert(
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
