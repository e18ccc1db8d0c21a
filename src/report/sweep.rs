//! The part of a run's report that only a sweep has: what it varies, a story
//! that contrasts its configurations, each configuration's own story, and the
//! key indicators against the swept values (chart and table).

use std::path::Path;

use serde::Serialize;

use super::narrative::{Contrasted, Paragraph, join_list, run_story};
use super::results::RunResults;
use super::{Batch, ChartView, contrasts, svg_uri};
use crate::charts::data::{Summaries, key_label};
use crate::charts::sweep::{POPULATION_CHANGE, Panel, SWEEP_DATA, SWEEP_STEM, SweepData, read};
use crate::error::Error;
use crate::format::{change, in_unit, range};
use crate::model::params::Params;
use crate::model::scorecard::{Group, SCORECARD};

/// The sweep chart's file in the output folder.
pub fn chart_file() -> String {
    format!("charts/{SWEEP_STEM}.svg")
}

/// One configuration's own story.
#[derive(Serialize)]
pub struct ConfigurationStory {
    label: String,
    story: Vec<Paragraph>,
}

/// The sweep part of the report.
#[derive(Serialize)]
pub struct SweepView {
    /// What the sweep varies and how to read the contrasts.
    intro: String,
    /// One sentence per key quantity, every configuration's value in it.
    contrasts: Vec<String>,
    /// Each configuration's story.
    stories: Vec<ConfigurationStory>,
    /// The chart of the key indicators (absent with `--no-charts`).
    chart: Option<ChartView>,
    /// Titles of the key indicators, the table's columns.
    indicators: Vec<String>,
    /// Per configuration: its label and one cell per key indicator.
    rows: Vec<(String, Vec<String>)>,
}

/// The sweep part of a run's report, from the folder's files.
pub fn view(
    dir: &Path,
    configurations: &[(String, RunResults)],
    params: &[Params],
    all: &Summaries,
    batch: &Batch,
    files: &[String],
) -> Result<SweepView, Error> {
    let data = read(dir, all)?.unwrap_or(SweepData {
        keys: Vec::new(),
        panels: Vec::new(),
    });
    let labels: Vec<String> = configurations.iter().map(|(l, _)| l.clone()).collect();
    let named: Vec<(String, &RunResults)> =
        configurations.iter().map(|(l, r)| (l.clone(), r)).collect();
    let stories = configurations
        .iter()
        .zip(params)
        .map(|((label, r), p)| ConfigurationStory {
            label: label.clone(),
            story: run_story(p, r),
        })
        .collect();
    let file = chart_file();
    let chart = if files.contains(&file) {
        Some(ChartView {
            title: "Key indicators against the swept values".into(),
            caption: format!(
                "One panel per indicator, one dot per configuration: the median, with a bar over the range that holds 90 % of the replicates. Where the bars of two configurations overlap, their difference may be chance. The numbers are in charts/{SWEEP_DATA}."
            ),
            uri: svg_uri(&dir.join(&file))?,
        })
    } else {
        None
    };
    Ok(SweepView {
        intro: intro(&data, &labels, batch.replicates),
        contrasts: contrasts(&named, Contrasted::Configurations),
        stories,
        chart,
        indicators: data.panels.iter().map(|p| p.title.clone()).collect(),
        rows: rows(&data.panels, &labels),
    })
}

/// What the sweep varies, and that every configuration ran the same seeds.
fn intro(data: &SweepData, labels: &[String], replicates: u32) -> String {
    let keys: Vec<String> = data.keys.iter().map(|k| key_label(k)).collect();
    format!(
        "This batch sweeps {}: {} configurations, one per combination of the swept values ({}). Each ran the same {replicates} replicate seed{}, so the configurations differ by their settings; the ranges show how much chance alone moves each figure.",
        join_list(&keys),
        labels.len(),
        labels.join("; "),
        if replicates == 1 { "" } else { "s" }
    )
}

/// The table of key indicators: one row per configuration.
fn rows(panels: &[Panel], labels: &[String]) -> Vec<(String, Vec<String>)> {
    labels
        .iter()
        .enumerate()
        .map(|(c, label)| {
            let cells = panels
                .iter()
                .map(|p| {
                    p.points
                        .iter()
                        .find(|x| x.configuration == c)
                        .map_or("–".into(), |x| cell(p, x.q))
                })
                .collect();
            (label.clone(), cells)
        })
        .collect()
}

/// A cell: the median, and the 90 % range when the replicates differ.
fn cell(p: &Panel, [lo, mid, hi]: [f64; 3]) -> String {
    if !mid.is_finite() {
        return "not defined".into();
    }
    let is_cost = SCORECARD
        .iter()
        .any(|d| d.name == p.name && d.group == Group::Cost);
    let median = if p.name == POPULATION_CHANGE {
        change(mid)
    } else if is_cost && mid == 0.0 {
        // As in the scorecard: a policy that cost nothing reads "none".
        "none".into()
    } else {
        in_unit(&p.unit, mid)
    };
    if (hi - lo).abs() < 1e-12 || !lo.is_finite() || !hi.is_finite() {
        median
    } else if p.name == POPULATION_CHANGE {
        format!("{median} ({} to {})", change(lo), change(hi))
    } else {
        format!("{median} ({})", range(&p.unit, lo, hi))
    }
}
