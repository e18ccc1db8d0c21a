//! `boomtown explain`: every parameter of a resolved scenario, its value, where it
//! was set, and its source — a seed fact (shown with its figure and article), a
//! cited study, or a stated assumption.

use std::collections::BTreeMap;

use toml::Value;

use crate::error::Origin;
use crate::facts::{Fact, cited, facts};
use crate::scenario::Scenario;
use crate::scenario::attribution::attribute;

/// What kind of source a parameter has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A fact extracted from a source article (`seeds/facts.csv`).
    Fact,
    /// A cited study or official statistic.
    Study,
    /// Chosen to fit an observation (the text says to what, and by what method).
    Calibrated,
    /// A stated modelling assumption.
    Assumption,
    /// Part of the scenario's definition (a sector's kind, the sector a policy acts
    /// on): a choice of what to model, not a quantity needing a source.
    Definition,
    /// No source given for the value as set.
    Missing,
}

impl Kind {
    /// Lower-case name, as printed.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Fact => "fact",
            Kind::Study => "study",
            Kind::Calibrated => "calibrated",
            Kind::Assumption => "assumption",
            Kind::Definition => "definition",
            Kind::Missing => "MISSING",
        }
    }
}

/// One parameter of a scenario.
#[derive(Clone, Debug)]
pub struct Row {
    /// Dotted key path.
    pub parameter: String,
    /// Value, as TOML text.
    pub value: String,
    /// Value as plain text: a string without its TOML quotes, anything else
    /// as TOML writes it (for CSV, where quoting is the file's business).
    pub plain: String,
    /// Where the value was set.
    pub set_in: Origin,
    /// Kind of source.
    pub kind: Kind,
    /// The source text.
    pub source: String,
    /// Facts the source cites.
    pub facts: Vec<Fact>,
}

/// Keys that define what is modelled rather than a quantity.
const DEFINITIONS: [&str; 6] = [
    "kind",
    "sector",
    "target_sector",
    "eligible_sectors",
    "unit",
    "enabled",
];

/// What the `enabled` row of a switched-off policy says in place of a source.
pub const SWITCHED_OFF: &str =
    "switched off in this scenario: none of the policy's settings is in force";

/// Every parameter of a scenario with its source (see
/// [`crate::scenario::attribution`] for which source vouches for a value). A
/// policy switched off (`enabled = false`, often by a variant that extends the
/// file defining it) shows that first, before its settings.
pub fn explain(s: &Scenario) -> Vec<Row> {
    let mut rows = attributed(s);
    let off: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            let r = &rows[i];
            r.parameter.starts_with("policies.")
                && r.parameter.ends_with(".enabled")
                && r.plain == "false"
        })
        .collect();
    for i in off {
        if rows[i].kind == Kind::Definition {
            rows[i].source = SWITCHED_OFF.to_string();
        }
        // The policy's first row, at worst the switch itself: the switch moves
        // there and the rows between shift down by one.
        let policy = rows[i].parameter.trim_end_matches("enabled").to_string();
        let first = rows
            .iter()
            .position(|r| r.parameter.starts_with(&policy))
            .unwrap_or(i);
        rows[first..=i].rotate_right(1);
    }
    rows
}

fn attributed(s: &Scenario) -> Vec<Row> {
    let known = facts();
    attribute(s)
        .into_iter()
        .map(|a| {
            let last = a.path.rsplit('.').next().unwrap_or(&a.path);
            let (kind, source) = match a.source {
                Some(text) => (classify(&text), text),
                None if DEFINITIONS.contains(&last) => (Kind::Definition, String::new()),
                None => (Kind::Missing, String::new()),
            };
            Row {
                plain: match a.value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                },
                value: a.value.to_string(),
                set_in: a.set_in,
                kind,
                facts: cited(&source, &known).into_iter().cloned().collect(),
                source,
                parameter: a.path,
            }
        })
        .collect()
}

fn classify(text: &str) -> Kind {
    let lower = text.trim_start().to_lowercase();
    if lower.starts_with("fact") {
        Kind::Fact
    } else if lower.starts_with("study") {
        Kind::Study
    } else if lower.starts_with("calibrated") {
        Kind::Calibrated
    } else {
        Kind::Assumption
    }
}

/// Counts of rows by kind of source.
pub fn tally(rows: &[Row]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for r in rows {
        *counts.entry(r.kind.name()).or_insert(0) += 1;
    }
    counts
}

/// The facts of a row, as `id = value unit (article title, kind; file)`.
pub fn facts_text(row: &Row) -> String {
    row.facts
        .iter()
        .map(|f| format!("{} = {} {} ({})", f.id, f.value, f.unit, f.article_label()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The parameters whose values differ between scenarios, in the order they first
/// appear, each with its row in every scenario (`None` where a scenario has no
/// such parameter). This is what a comparison reports as "what made them differ",
/// and what a lesson's claim about its pair is checked against.
pub fn differences(scenarios: &[&Scenario]) -> Vec<(String, Vec<Option<Row>>)> {
    let tables: Vec<Vec<Row>> = scenarios.iter().map(|s| explain(s)).collect();
    let mut order: Vec<String> = Vec::new();
    for t in &tables {
        for r in t {
            if !order.contains(&r.parameter) {
                order.push(r.parameter.clone());
            }
        }
    }
    order
        .into_iter()
        .filter_map(|path| {
            let rows: Vec<Option<Row>> = tables
                .iter()
                .map(|t| t.iter().find(|r| r.parameter == path).cloned())
                .collect();
            let value = |r: &Option<Row>| r.as_ref().map(|r| r.value.clone());
            let differ = rows.iter().any(|r| value(r) != value(&rows[0]));
            differ.then_some((path, rows))
        })
        .collect()
}
