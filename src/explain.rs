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
    add_model_defaults(s, &mut rows);
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

/// Where a value left out of a scenario comes from.
pub const MODEL_DEFAULT: &str = "the model (the scenario leaves it out)";

/// Settings a sector takes when its table leaves them out, each with the
/// assumption behind the default (its demand path, which depends on the start
/// year, is added in [`add_model_defaults`]). A sector's turnover and
/// transferabilities fall back on `labour` keys that `defaults.toml` sets,
/// with their sources.
const SECTOR_DEFAULTS: [(&str, &str, &str); 3] = [
    (
        "skill_fit",
        "[1.0, 1.0, 1.0]",
        "assumption: (the model's default) every skill group fits the sector's jobs alike",
    ),
    (
        "productivity_growth",
        "0.0",
        "assumption: (the model's default) output per worker stays as at the start, so demand moves jobs one for one",
    ),
    (
        "special_work_share",
        "0.0",
        "assumption: (the model's default) none of the sector's workers is in special-type work, so all retire at the statutory age",
    ),
];

/// Settings a policy of a kind takes when its table leaves them out (its end,
/// which depends on the run, is added in [`add_model_defaults`]).
const POLICY_DEFAULTS: [(&str, &str, &str, &str); 3] = [
    (
        "early_retirement",
        "paid_by",
        "\"public\"",
        "assumption: (the model's default) the public pays the allowances unless the scenario says the employers do",
    ),
    (
        "retraining",
        "skill_upgrade",
        "false",
        "assumption: (the model's default) a course moves its graduates toward the target sector without raising their skill group",
    ),
    (
        "cluster_investment",
        "cost_per_year",
        "0.0",
        "assumption: (the model's default) no cost is given, so the public cost leaves the investment out (the report says so)",
    ),
];

/// Rows for the settings a scenario's sectors and policies take by default, so
/// that explain shows the values the model fills in, each placed after the
/// last row of its sector or policy.
fn add_model_defaults(s: &Scenario, rows: &mut Vec<Row>) {
    let table = &s.merged.table;
    let tables = |name: &str| {
        table
            .get(name)
            .and_then(Value::as_table)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k, v.as_table()?)))
    };
    let horizon = &s.params.horizon;
    let last_month = horizon.last_month();
    let mut missing: Vec<(String, String, &str)> = Vec::new();
    for (name, sector) in tables("sectors") {
        for (key, value, source) in SECTOR_DEFAULTS {
            if !sector.contains_key(key) {
                missing.push((format!("sectors.{name}.{key}"), value.into(), source));
            }
        }
        if !sector.contains_key("demand") {
            missing.push((
                format!("sectors.{name}.demand"),
                format!("[[{}.0, 1.0]]", horizon.start.year()),
                "assumption: (the model's default) no demand path: the sector's demand moves only with what drives its kind (household income for local services, the population for public services), and is otherwise flat",
            ));
        }
    }
    for (name, policy) in tables("policies") {
        let kind = policy
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        for (of_kind, key, value, source) in POLICY_DEFAULTS {
            if kind == of_kind && !policy.contains_key(key) {
                missing.push((format!("policies.{name}.{key}"), value.into(), source));
            }
        }
        if !policy.contains_key("end") {
            let wave = kind == "layoff_wave";
            let end = match policy.get("start").and_then(Value::as_str) {
                Some(start) if wave => start.to_string(),
                _ => last_month.to_string(),
            };
            missing.push((
                format!("policies.{name}.end"),
                format!("\"{end}\""),
                if wave {
                    "assumption: (the model's default) a layoff wave acts in its start month only"
                } else {
                    "assumption: (the model's default) the policy runs to the run's last month"
                },
            ));
        }
    }
    for (parameter, value, source) in missing {
        let owner = &parameter[..=parameter.rfind('.').unwrap_or(0)];
        let at = rows
            .iter()
            .rposition(|r| r.parameter.starts_with(owner))
            .map_or(rows.len(), |i| i + 1);
        let row = Row {
            plain: value.trim_matches('"').to_string(),
            value,
            set_in: Origin::file(MODEL_DEFAULT),
            kind: classify(source),
            source: source.to_string(),
            facts: Vec::new(),
            parameter,
        };
        rows.insert(at, row);
    }
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
