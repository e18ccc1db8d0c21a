//! The rows of the CSV files: headers and the formatting of one job's rows. Every
//! row starts with the scenario, the configuration and its swept values (when the
//! scenario has sweeps) and the replicate, so each file loads on its own.

use toml::Value;

use crate::batch::JobResult;
use crate::model::metrics::{Metric, MetricDef, PYRAMID_GROUPS};
use crate::model::scorecard::SCORECARD;
use crate::scenario::{Job, Scenario};

/// The columns shared by the files of a scenario.
#[derive(Clone, Debug)]
pub struct Tables {
    /// Scenario name (first column of every row).
    pub scenario: String,
    /// Swept key paths (empty without sweeps).
    pub sweeps: Vec<String>,
    /// Uncertain key paths.
    pub drawn: Vec<String>,
    /// Metric columns of `timeseries.csv`.
    pub metrics: Vec<MetricDef>,
}

/// Text of a scenario value in a CSV cell.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(x) => format!("{x}"),
        Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Formats a metric value: whole counts without decimals, other values in the
/// shortest form that reads back to the same number.
pub fn format_value(def: &MetricDef, v: f64) -> String {
    if def.integer {
        format!("{}", v.round() as i64)
    } else {
        format!("{v}")
    }
}

impl Tables {
    /// The tables of a scenario.
    pub fn new(s: &Scenario) -> Self {
        Tables {
            scenario: s.name.clone(),
            sweeps: s.design.sweeps.iter().map(|w| w.path.clone()).collect(),
            drawn: s.design.dists.iter().map(|d| d.path.clone()).collect(),
            metrics: Metric::columns(&s.params),
        }
    }

    fn key_header(&self) -> Vec<String> {
        let mut h = vec!["scenario".to_string()];
        if !self.sweeps.is_empty() {
            h.push("configuration".into());
            h.extend(self.sweeps.iter().cloned());
        }
        h
    }

    /// Number of leading columns that identify a configuration.
    pub fn key_len(&self) -> usize {
        self.key_header().len()
    }

    fn key(&self, job: &Job) -> Vec<String> {
        let mut k = vec![self.scenario.clone()];
        if !self.sweeps.is_empty() {
            k.push(job.configuration.to_string());
            k.extend(job.swept.iter().map(|(_, v)| value_text(v)));
        }
        k
    }

    /// Header of `timeseries.csv`.
    pub fn timeseries_header(&self) -> Vec<String> {
        let mut h = self.key_header();
        h.extend(["replicate", "step", "date"].map(String::from));
        h.extend(self.metrics.iter().map(|m| m.name.clone()));
        h
    }

    /// Header of `age_pyramid.csv`.
    pub fn pyramid_header(&self) -> Vec<String> {
        let mut h = self.key_header();
        h.extend(["replicate", "step", "date", "age_group", "male", "female"].map(String::from));
        h
    }

    /// Header of `experiments.csv`.
    pub fn experiments_header(&self) -> Vec<String> {
        let mut h = self.key_header();
        h.extend(["replicate", "seed"].map(String::from));
        h.extend(self.drawn.iter().cloned());
        h
    }

    /// Header of `indicators.csv`: one row per replicate and indicator (its
    /// summary over replicates is `indicators_summary.csv`, so that every row of
    /// a file has the same grain and `replicate` is always a whole number).
    pub fn indicators_header(&self) -> Vec<String> {
        let mut h = self.key_header();
        h.extend(["indicator", "group", "unit", "replicate", "value"].map(String::from));
        h
    }

    /// Header of `indicators_summary.csv`: one row per configuration and
    /// indicator, the replicates in which it is defined and their statistics.
    pub fn indicators_summary_header(&self) -> Vec<String> {
        let mut h = self.key_header();
        h.extend(
            [
                "indicator",
                "group",
                "unit",
                "replicates",
                "mean",
                "sd",
                "p05",
                "p25",
                "p50",
                "p75",
                "p95",
            ]
            .map(String::from),
        );
        h
    }

    /// Rows of `indicators.csv` for one job (an undefined value is left empty).
    pub fn indicator_rows(&self, job: &Job, r: &JobResult) -> Vec<Vec<String>> {
        SCORECARD
            .iter()
            .zip(&r.scorecard)
            .map(|(def, &v)| {
                let mut row = self.key(job);
                row.extend([
                    def.name.to_string(),
                    def.group.name().to_string(),
                    def.unit.to_string(),
                    job.replicate.to_string(),
                    if v.is_finite() {
                        format!("{v}")
                    } else {
                        String::new()
                    },
                ]);
                row
            })
            .collect()
    }

    /// Header of `summary.csv`.
    pub fn summary_header(&self) -> Vec<String> {
        let mut h = self.key_header();
        h.extend(
            [
                "metric", "step", "date", "mean", "sd", "p05", "p25", "p50", "p75", "p95",
            ]
            .map(String::from),
        );
        h
    }

    /// Rows of `timeseries.csv` for one job.
    pub fn timeseries_rows(&self, job: &Job, r: &JobResult) -> Vec<Vec<String>> {
        r.snapshots
            .iter()
            .map(|s| {
                let mut row = self.key(job);
                row.extend([
                    job.replicate.to_string(),
                    s.step.to_string(),
                    s.date.to_string(),
                ]);
                row.extend(
                    self.metrics
                        .iter()
                        .zip(&s.values)
                        .map(|(m, &v)| format_value(m, v)),
                );
                row
            })
            .collect()
    }

    /// Rows of `age_pyramid.csv` for one job.
    pub fn pyramid_rows(&self, job: &Job, r: &JobResult) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for s in &r.snapshots {
            for (g, counts) in s.age_pyramid.iter().enumerate() {
                let group = if g == PYRAMID_GROUPS - 1 {
                    "100+".to_string()
                } else {
                    format!("{}-{}", 5 * g, 5 * g + 4)
                };
                let mut row = self.key(job);
                row.extend([
                    job.replicate.to_string(),
                    s.step.to_string(),
                    s.date.to_string(),
                    group,
                    counts[0].to_string(),
                    counts[1].to_string(),
                ]);
                rows.push(row);
            }
        }
        rows
    }

    /// The row of `experiments.csv` for one job.
    pub fn experiments_row(&self, job: &Job, r: &JobResult) -> Vec<String> {
        let mut row = self.key(job);
        row.extend([job.replicate.to_string(), r.seed.to_string()]);
        row.extend(job.drawn.iter().map(|(_, v)| value_text(v)));
        row
    }
}
