//! The levers of the live app: the handful of scenario values a teacher moves in
//! class, found in each scenario by what it contains (its extractive sectors, its
//! policies), and how a lever's value becomes the `--set` options of the command
//! line. A lever is only ever a `--set`: what the app runs is what
//! `boomtown run SCENARIO --set ...` runs, and the app shows that command.

use std::collections::BTreeMap;

use serde::Serialize;
use toml::{Table, Value};

use crate::date::YearMonth;
use crate::model::params::SectorKind;
use crate::scenario::{Override, Scenario};

/// How a lever is entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// A number, with a range the control offers (validation decides what is
    /// allowed: a value outside the control's range is still sent, and
    /// refused or accepted by the scenario's own rules).
    Number,
    /// A month, `YYYY-MM`.
    Month,
    /// On or off.
    Toggle,
    /// One of the lever's `options`.
    Choice,
}

/// One lever, as the page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Lever {
    /// The dotted scenario key it sets (unique; errors about that key are shown
    /// next to this lever).
    pub id: String,
    /// The group of controls it belongs to.
    pub group: String,
    /// Short label.
    pub label: String,
    /// What moving it does, in one sentence.
    pub help: String,
    /// Unit of the value.
    pub unit: String,
    /// How it is entered.
    pub input: Input,
    /// Range and step the control offers (numbers only).
    pub min: Option<f64>,
    /// Upper end of the control's range.
    pub max: Option<f64>,
    /// Step of the control.
    pub step: Option<f64>,
    /// The values a choice offers (empty for other inputs).
    pub options: Vec<String>,
    /// The months a month lever may take, `YYYY-MM` (empty ends for other
    /// inputs, or no bound): a policy must start within the run to act in it
    /// (a layoff wave acts only in its start month, so it may not start before
    /// the run either).
    pub months: [String; 2],
    /// The scenario's own value, as `--set` takes it.
    pub value: String,
    /// Where the scenario's value comes from (its source), or why the lever
    /// starts where it does.
    pub source: String,
    /// The policy this lever belongs to, when it is one of a policy's settings
    /// (the page greys it out while the policy is off).
    pub policy: Option<String>,
}

/// The control of a number lever: how it is entered, and the range and step
/// it offers.
type Control = (Input, Option<f64>, Option<f64>, Option<f64>);

/// A policy setting the page offers: key, label, help, unit and control.
type Setting = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Control,
);

/// How a lever's value becomes `--set` options.
#[derive(Clone, Debug)]
enum Apply {
    /// `--set id=value`.
    Set,
    /// The value is the demand level at the last point of the sector's demand
    /// path; the other points stay.
    DemandEnd(Vec<(f64, f64)>),
    /// The `enabled` switch of a policy the scenario does not have: turning it on
    /// adds the policy with these settings (the other levers of the policy then
    /// override them).
    AddPolicy(Vec<(String, Value)>),
}

/// The levers of one scenario.
#[derive(Clone, Debug)]
pub struct Levers {
    levers: Vec<Lever>,
    apply: Vec<Apply>,
}

/// A lever value that cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeverError {
    /// The lever.
    pub id: String,
    /// What was expected and what was found.
    pub message: String,
}

/// The policies the app can add to a scenario that lacks them (their kind, which
/// also names their table, and
/// where the settings it starts from come from). Retraining and early
/// retirement start from the settings of the policy variants of Hegang, whose
/// files give the assumptions behind each; no scenario has public jobs, so
/// their level is the app's own round number, said as such; a layoff wave lets
/// a class add a restructuring such as the coal groups' cuts of 2015–2016.
const ADDABLE: [(&str, &str); 4] = [
    (
        "retraining",
        "as in the scenario `hegang-retraining` (its assumptions), from four years after the start to the end of the run",
    ),
    (
        "early_retirement",
        "as in the scenario `hegang-early-retirement` (its assumptions), from four years after the start to the end of the run",
    ),
    (
        "public_jobs",
        "assumption of the app: a round 50 jobs per 10,000 residents in the city's public sector, from four years after \
         the start to the end of the run; no scenario sets public jobs",
    ),
    (
        "layoff_wave",
        "assumption of the app: a quarter of the jobs of the city's largest resource sector cut at once, four years after \
         the start; for scale, the Longmay Group, whose mines are those of Hegang and Qitaihe, announced in September 2015 \
         that it would shed 100,000 of its 240,000 staff, about 40 % (China Daily, 26 September 2015)",
    ),
];

impl Levers {
    /// The levers of a scenario.
    pub fn of(scenario: &Scenario) -> Levers {
        let horizon = &scenario.params.horizon;
        let mut b = Builder {
            run: (horizon.start, horizon.last_month()),
            table: &scenario.merged.table,
            sources: crate::explain::explain(scenario)
                .into_iter()
                .map(|r| (r.parameter, r.source))
                .collect(),
            out: Levers {
                levers: Vec::new(),
                apply: Vec::new(),
            },
        };
        let p = &scenario.params;
        let extractive: Vec<&str> = p
            .sectors
            .iter()
            .filter(|s| s.kind == SectorKind::Extractive)
            .map(|s| s.name.as_str())
            .collect();
        for s in p
            .sectors
            .iter()
            .filter(|s| s.kind == SectorKind::Extractive)
        {
            let group = format!("Resource: {}", s.name);
            if let Some(&(year, level)) = s.demand.last() {
                let id = format!("sectors.{}.demand", s.name);
                let lever = b.lever(
                    &id,
                    &group,
                    &format!("Demand for {} in {}", s.name, year as i32),
                    &format!(
                        "the market's demand for the city's {} at the end of its demand path, relative to 2010 \
                         (1 = as much as in 2010); the path runs straight to it from the point before",
                        s.name
                    ),
                    "× 2010 level",
                    (Input::Number, Some(0.0), Some(2.0), Some(0.05)),
                );
                lever.value = number_text(level);
                b.out.apply.push(Apply::DemandEnd(s.demand.clone()));
            }
            let id = format!("sectors.{}.reserves", s.name);
            if get(b.table, &id).is_some() {
                let unit = get(b.table, &format!("sectors.{}.unit", s.name))
                    .and_then(Value::as_str)
                    .unwrap_or("units")
                    .to_string();
                b.set(
                    &id,
                    &group,
                    &format!("Reserves of {}", s.name),
                    "the recoverable stock at the start; when it runs low, output and jobs fall whatever the demand",
                    &unit,
                    (Input::Number, Some(0.0), None, Some(1.0)),
                );
            }
        }
        let policies: Vec<(String, String)> = get(b.table, "policies")
            .and_then(Value::as_table)
            .map(|t| {
                t.iter()
                    .filter_map(|(name, v)| {
                        let kind = v.get("kind")?.as_str()?;
                        Some((name.clone(), kind.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (name, kind) in &policies {
            b.policy_levers(name, kind, None);
        }
        let start = p.horizon.start;
        let four_years_on = format!("{}-01", start.year() + 4);
        let largest = |kind: SectorKind| {
            p.sectors
                .iter()
                .filter(|s| s.kind == kind)
                .max_by(|a, b| a.employment_share.total_cmp(&b.employment_share))
                .map(|s| s.name.clone())
        };
        // The added policy's table is named after its kind.
        for (kind, origin) in ADDABLE {
            let name = kind;
            if policies.iter().any(|(_, k)| k == kind) {
                continue;
            }
            let eligible = Value::Array(
                extractive
                    .iter()
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            );
            let mut template: Vec<(&str, Value)> = vec![
                ("kind", Value::String(kind.into())),
                ("start", Value::String(four_years_on.clone())),
            ];
            match kind {
                "retraining" => {
                    let Some(target) = largest(SectorKind::Local) else {
                        continue;
                    };
                    if extractive.is_empty() {
                        continue;
                    }
                    template.extend([
                        ("seats_per_10000", Value::Float(40.0)),
                        ("take_up", Value::Float(0.1)),
                        ("duration_months", Value::Integer(6)),
                        ("min_months_unemployed", Value::Integer(3)),
                        ("eligible_sectors", eligible),
                        ("target_sector", Value::String(target)),
                        ("skill_upgrade", Value::Boolean(true)),
                        ("cost_per_trainee_month", Value::Float(1500.0)),
                    ]);
                }
                "early_retirement" => {
                    if extractive.is_empty() {
                        continue;
                    }
                    template.extend([
                        ("years_before", Value::Integer(5)),
                        ("take_up", Value::Float(0.05)),
                        ("allowance_share", Value::Float(0.7)),
                        ("eligible_sectors", eligible),
                    ]);
                }
                "layoff_wave" => {
                    let Some(resource) = largest(SectorKind::Extractive) else {
                        continue;
                    };
                    template.extend([
                        ("sector", Value::String(resource)),
                        ("share", Value::Float(0.25)),
                    ]);
                }
                _ => {
                    let Some(public) = largest(SectorKind::Public) else {
                        continue;
                    };
                    template.extend([
                        ("sector", Value::String(public)),
                        ("jobs_per_10000", Value::Float(50.0)),
                    ]);
                }
            }
            let template: Vec<(String, Value)> = template
                .into_iter()
                .map(|(k, v)| (format!("policies.{name}.{k}"), v))
                .collect();
            b.policy_levers(name, kind, Some((template, origin)));
        }
        b.set(
            "economy.benefit_months",
            "Labour market",
            "Unemployment benefit length",
            "months an unemployed worker draws the benefit after losing a job",
            "months",
            (Input::Number, Some(0.0), Some(60.0), Some(1.0)),
        );
        b.set(
            "migration.outside_wage",
            "Migration",
            "Wage outside the city",
            "the monthly wage a mover expects elsewhere in 2010: the higher it is, the stronger the pull out of the city \
             (and the weaker the pull in)",
            "yuan / month",
            (Input::Number, Some(1000.0), Some(6000.0), Some(100.0)),
        );
        b.set(
            "migration.peak_annual_rate",
            "Migration",
            "Mobility of young adults",
            "the yearly chance that a resident at the peak age of moving considers leaving (Rogers–Castro peak)",
            "share / year",
            (Input::Number, Some(0.0), Some(0.2), Some(0.005)),
        );
        b.out
    }

    /// The levers, in the order the page shows them.
    pub fn list(&self) -> &[Lever] {
        &self.levers
    }

    /// The `--set` options that put the levers at `values` (lever id → value as
    /// typed). Levers left at the scenario's value add nothing, and the settings
    /// of a policy the scenario lacks count only while the policy is switched on.
    pub fn overrides(
        &self,
        values: &BTreeMap<String, String>,
    ) -> Result<Vec<Override>, LeverError> {
        if let Some(unknown) = values
            .keys()
            .find(|k| !self.levers.iter().any(|l| &l.id == *k))
        {
            return Err(LeverError {
                id: unknown.clone(),
                message: format!(
                    "no lever `{unknown}` in this scenario; its levers are {}",
                    self.levers
                        .iter()
                        .map(|l| format!("`{}`", l.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        // Policies the scenario lacks (their switch adds them), and those of
        // them switched on: the settings of the others are left out.
        let absent: Vec<&str> = self
            .levers
            .iter()
            .zip(&self.apply)
            .filter(|(l, a)| {
                matches!(a, Apply::AddPolicy(_))
                    && values.get(&l.id).is_none_or(|v| v.trim() != "true")
            })
            .filter_map(|(l, _)| l.policy.as_deref())
            .collect();
        let mut sets: Vec<String> = Vec::new();
        for (lever, apply) in self.levers.iter().zip(&self.apply) {
            let Some(raw) = values.get(&lever.id) else {
                continue;
            };
            let raw = raw.trim();
            let absent_policy = lever.policy.as_deref().is_some_and(|p| absent.contains(&p));
            match apply {
                Apply::AddPolicy(template) => {
                    if raw == "true" {
                        sets.extend(template.iter().map(|(k, v)| format!("{k}={}", set_text(v))));
                    } else if raw != "false" {
                        return Err(LeverError {
                            id: lever.id.clone(),
                            message: format!("expected true or false, found `{raw}`"),
                        });
                    }
                }
                _ if absent_policy => {}
                _ if raw == lever.value => {}
                Apply::Set if lever.input == Input::Month => {
                    within_months(lever, raw)?;
                    sets.push(format!("{}={raw}", lever.id));
                }
                Apply::Set => sets.push(format!("{}={raw}", lever.id)),
                Apply::DemandEnd(points) => {
                    let level: f64 = raw.parse().map_err(|_| LeverError {
                        id: lever.id.clone(),
                        message: format!("expected a number (the demand level), found `{raw}`"),
                    })?;
                    let mut path = points.clone();
                    if let Some(last) = path.last_mut() {
                        last.1 = level;
                    }
                    let text: Vec<String> = path
                        .iter()
                        .map(|(y, v)| format!("[{}, {}]", y, number_text(*v)))
                        .collect();
                    sets.push(format!("{}=[{}]", lever.id, text.join(", ")));
                }
            }
        }
        // A lever moved from an added policy's starting setting replaces it:
        // each key once, at its last value, so the command reads as it runs.
        let key_of = |s: &String| s.split('=').next().unwrap_or_default().to_string();
        let mut seen = std::collections::BTreeSet::new();
        let mut sets: Vec<String> = sets
            .into_iter()
            .rev()
            .filter(|s| seen.insert(key_of(s)))
            .collect();
        sets.reverse();
        sets.into_iter()
            .map(|s| {
                s.parse::<Override>().map_err(|message| LeverError {
                    id: s.split('=').next().unwrap_or_default().to_string(),
                    message,
                })
            })
            .collect()
    }

    /// The lever that sets `key` (or the table `key` lies in), for showing an
    /// error about that key next to its control.
    pub fn lever_for_key(&self, key: &str) -> Option<&Lever> {
        self.levers
            .iter()
            .filter(|l| key == l.id || key.starts_with(&format!("{}.", l.id)))
            .max_by_key(|l| l.id.len())
            .or_else(|| {
                // An error about a whole policy the app added belongs to its switch.
                self.levers.iter().find(|l| {
                    l.policy
                        .as_deref()
                        .is_some_and(|p| key.starts_with(&format!("policies.{p}")))
                        && l.input == Input::Toggle
                })
            })
    }
}

/// What the levers are built from.
struct Builder<'a> {
    table: &'a Table,
    sources: BTreeMap<String, String>,
    /// The run's first and last months.
    run: (YearMonth, YearMonth),
    out: Levers,
}

impl Builder<'_> {
    /// Adds a lever set as `--set id=value`; returns it for adjustment.
    fn lever(
        &mut self,
        id: &str,
        group: &str,
        label: &str,
        help: &str,
        unit: &str,
        (input, min, max, step): Control,
    ) -> &mut Lever {
        let value = get(self.table, id)
            .map(crate::output::tables::value_text)
            .unwrap_or_default();
        let source = self.sources.get(id).cloned().unwrap_or_default();
        self.out.levers.push(Lever {
            id: id.to_string(),
            group: group.to_string(),
            label: label.to_string(),
            help: help.to_string(),
            unit: unit.to_string(),
            input,
            min,
            max,
            step,
            options: Vec::new(),
            months: [String::new(), String::new()],
            value,
            source,
            policy: None,
        });
        self.out.levers.last_mut().expect("just pushed")
    }

    fn set(
        &mut self,
        id: &str,
        group: &str,
        label: &str,
        help: &str,
        unit: &str,
        control: Control,
    ) {
        self.lever(id, group, label, help, unit, control);
        self.out.apply.push(Apply::Set);
    }

    /// The levers of policy `name` of `kind`: in the scenario already, or (with a
    /// template) one the app can add.
    fn policy_levers(
        &mut self,
        name: &str,
        kind: &str,
        added: Option<(Vec<(String, Value)>, &str)>,
    ) {
        let template = added.as_ref().map(|(t, _)| t);
        let group = format!("Policy: {}", name.replace('_', " "));
        let key = |k: &str| format!("policies.{name}.{k}");
        let value_of = |k: &str| {
            template
                .as_ref()
                .and_then(|t| t.iter().find(|(p, _)| *p == key(k)))
                .map(|(_, v)| crate::output::tables::value_text(v))
        };
        let switch = key("enabled");
        let adding = template.is_some();
        let lever = self.lever(
            &switch,
            &group,
            if adding {
                "Add this policy"
            } else {
                "Policy on"
            },
            match kind {
                "retraining" => "courses that move laid-off workers of the declining sectors toward other work",
                "early_retirement" => "lets older workers of the declining sectors retire before the statutory age, on an allowance",
                "public_jobs" => "the city creates public jobs in proportion to its residents",
                "cluster_investment" => "public support that grows a sector's capacity, and with it its hiring",
                "demand_shock" => "an outside change in demand for a sector's product",
                "layoff_wave" => "a one-off cut of a share of a sector's jobs",
                _ => "a policy of the scenario",
            },
            "",
            (Input::Toggle, None, None, None),
        );
        lever.policy = Some(name.to_string());
        if adding {
            lever.value = "false".into();
            lever.source = format!(
                "not in this scenario; switched on, it is added to this city's own sectors with settings {}",
                added.as_ref().map_or("", |(_, origin)| origin)
            );
        } else if lever.value.is_empty() {
            lever.value = "true".into();
        }
        self.out.apply.push(match template {
            Some(t) => Apply::AddPolicy(t.clone()),
            None => Apply::Set,
        });
        let settings: &[Setting] = match kind {
            "retraining" => &[
                (
                    "seats_per_10000",
                    "Training seats",
                    "course places per 10,000 residents, open at once",
                    "per 10,000 residents",
                    (Input::Number, Some(0.0), Some(200.0), Some(5.0)),
                ),
                (
                    "take_up",
                    "Take-up",
                    "share of eligible laid-off workers who start a course each month while seats are free",
                    "share / month",
                    (Input::Number, Some(0.0), Some(1.0), Some(0.01)),
                ),
            ],
            "early_retirement" => &[
                (
                    "years_before",
                    "Years before statutory age",
                    "how many years early an eligible worker may retire",
                    "years",
                    (Input::Number, Some(0.0), Some(10.0), Some(1.0)),
                ),
                (
                    "take_up",
                    "Take-up",
                    "share of eligible workers who take it each month",
                    "share / month",
                    (Input::Number, Some(0.0), Some(1.0), Some(0.01)),
                ),
                (
                    "paid_by",
                    "Paid by",
                    "who pays the allowances: the public, or the employers (as the coal enterprises paid for their internal retirement); the scorecard counts each apart",
                    "",
                    (Input::Choice, None, None, None),
                ),
                (
                    "allowance_share",
                    "Allowance",
                    "the early-retirement allowance, until the statutory age, as a share of the last wage",
                    "share of wage",
                    (Input::Number, Some(0.0), Some(1.0), Some(0.05)),
                ),
            ],
            "public_jobs" => &[(
                "jobs_per_10000",
                "Public jobs",
                "extra public jobs per 10,000 residents while the policy runs",
                "per 10,000 residents",
                (Input::Number, Some(0.0), Some(500.0), Some(10.0)),
            )],
            "cluster_investment" => &[(
                "capacity_growth",
                "Cluster growth",
                "yearly growth of the supported sector's capacity while the policy runs",
                "share / year",
                (Input::Number, Some(0.0), Some(0.5), Some(0.01)),
            )],
            "demand_shock" => &[(
                "factor",
                "Demand factor",
                "demand for the sector's product is multiplied by this while the event lasts",
                "factor",
                (Input::Number, Some(0.0), Some(3.0), Some(0.05)),
            )],
            "layoff_wave" => &[(
                "share",
                "Share laid off",
                "share of the sector's jobs cut at the start of the event",
                "share",
                (Input::Number, Some(0.0), Some(1.0), Some(0.05)),
            )],
            _ => &[],
        };
        let mut all = vec![(
            "start",
            "Starts",
            "the month the policy starts",
            "month",
            (Input::Month, None, None, None),
        )];
        all.extend_from_slice(settings);
        // The months its start may take: a layoff wave acts only in its start
        // month, so within the run; another policy must start by the run's
        // last month, and by its own end if it has one (validation refuses an
        // end before the start).
        let wave = kind == "layoff_wave";
        let own_end = get(self.table, &key("end"))
            .and_then(Value::as_str)
            .and_then(|e| e.parse::<YearMonth>().ok())
            .filter(|_| !wave);
        let months = [
            if wave {
                self.run.0.to_string()
            } else {
                String::new()
            },
            own_end
                .map_or(self.run.1, |e| e.min(self.run.1))
                .to_string(),
        ];
        for (k, label, help, unit, control) in all {
            let id = key(k);
            let lever = self.lever(&id, &group, label, help, unit, control);
            lever.policy = Some(name.to_string());
            if lever.input == Input::Month {
                lever.months = months.clone();
            }
            if let (Some(v), Some((_, origin))) = (value_of(k), &added) {
                lever.value = v;
                lever.source = origin.to_string();
            }
            if let Some((options, default)) = choices(k) {
                lever.options = options.iter().map(|o| o.to_string()).collect();
                if lever.value.is_empty() {
                    lever.value = default.to_string();
                    lever.source = match &added {
                        Some((_, origin)) => format!("{origin}, which leaves it to the default"),
                        None => "not set in the scenario, so the default".into(),
                    };
                }
            }
            self.out.apply.push(Apply::Set);
        }
    }
}

/// Checks a month lever's value against the months it may take.
fn within_months(lever: &Lever, raw: &str) -> Result<(), LeverError> {
    let error = |message: String| LeverError {
        id: lever.id.clone(),
        message,
    };
    let month: YearMonth = raw
        .parse()
        .map_err(|_| error(format!("expected a month as YYYY-MM, found `{raw}`")))?;
    let bound = |text: &str| text.parse::<YearMonth>().ok();
    let [first, last] = &lever.months;
    let early = bound(first).is_some_and(|f| month < f);
    let late = bound(last).is_some_and(|l| month > l);
    if early || late {
        let range = if first.is_empty() {
            format!("at the latest {last}, the run's or the policy's last month")
        } else {
            format!(
                "from {first} to {last}, the run's months, since a layoff wave acts only in its start month"
            )
        };
        return Err(error(format!("expected a month {range}; found {raw}")));
    }
    Ok(())
}

/// The values a policy setting chosen from a list may take, and its default.
fn choices(key: &str) -> Option<(&'static [&'static str], &'static str)> {
    match key {
        "paid_by" => Some((&["public", "employer"], "public")),
        _ => None,
    }
}

/// The value at a dotted path of a table.
fn get<'t>(table: &'t Table, path: &str) -> Option<&'t Value> {
    let mut segments = path.split('.');
    let mut value = table.get(segments.next()?)?;
    for s in segments {
        value = value.as_table()?.get(s)?;
    }
    Some(value)
}

/// A number as `--set` takes it and as TOML writes it (`1.0`, `0.6`).
fn number_text(x: f64) -> String {
    Value::Float(x).to_string()
}

/// A value as the text after `--set key=` (strings unquoted where `--set`
/// reads them back the same, arrays and numbers as TOML).
fn set_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levers(name: &str) -> Levers {
        Levers::of(&crate::scenario::load(name, &[]).expect("a built-in scenario"))
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn args(l: &Levers, pairs: &[(&str, &str)]) -> Vec<String> {
        l.overrides(&values(pairs))
            .expect("valid levers")
            .into_iter()
            .map(|o| o.arg)
            .collect()
    }

    #[test]
    fn a_scenario_has_levers_for_its_resource_and_its_policies() {
        let l = levers("hegang-retraining");
        let ids: Vec<&str> = l.list().iter().map(|l| l.id.as_str()).collect();
        for id in [
            "sectors.coal.demand",
            "sectors.coal.reserves",
            "policies.retraining.seats_per_10000",
            "policies.retraining.start",
            "policies.internal_retirement.enabled",
            "policies.internal_retirement.take_up",
            "economy.benefit_months",
            "migration.outside_wage",
        ] {
            assert!(ids.contains(&id), "{id} in {ids:?}");
        }
        // The city's own internal retirement, switched off in the variants'
        // baseline, is offered as it is rather than added as a new policy.
        assert!(!ids.contains(&"policies.early_retirement.enabled"));
        let internal = l
            .list()
            .iter()
            .find(|l| l.id == "policies.internal_retirement.enabled");
        assert_eq!(internal.map(|s| s.value.as_str()), Some("false"));
        let seats = l
            .list()
            .iter()
            .find(|l| l.id == "policies.retraining.seats_per_10000");
        assert_eq!(seats.map(|s| s.value.as_str()), Some("40"));
        assert!(seats.is_some_and(|s| s.source.starts_with("assumption")));
    }

    #[test]
    fn who_pays_for_early_retirement_is_a_choice_that_starts_where_the_scenario_does() {
        let paid_by = |scenario: &str, id: &str| {
            let l = levers(scenario);
            let lever = l.list().iter().find(|l| l.id == id).cloned();
            (l, lever.unwrap_or_else(|| panic!("{id} in {scenario}")))
        };
        let (l, internal) = paid_by("hegang", "policies.internal_retirement.paid_by");
        assert_eq!(internal.input, Input::Choice);
        assert_eq!(internal.options, ["public", "employer"]);
        assert_eq!(internal.value, "employer");
        assert!(internal.source.starts_with("study"), "{}", internal.source);
        assert_eq!(
            args(&l, &[("policies.internal_retirement.paid_by", "public")]),
            ["policies.internal_retirement.paid_by=public"]
        );
        // Not set in the file: the default, which the model applies too.
        let (_, variant) = paid_by(
            "hegang-early-retirement",
            "policies.early_retirement.paid_by",
        );
        assert_eq!(variant.value, "public");
        let (_, added) = paid_by("hegang-like", "policies.early_retirement.paid_by");
        assert_eq!(added.value, "public");
    }

    #[test]
    fn untouched_levers_change_nothing() {
        let l = levers("hegang-like");
        let all: BTreeMap<String, String> = l
            .list()
            .iter()
            .map(|l| (l.id.clone(), l.value.clone()))
            .collect();
        assert_eq!(l.overrides(&all).expect("valid"), vec![]);
    }

    #[test]
    fn demand_keeps_the_path_and_moves_its_end() {
        let l = levers("hegang-like");
        assert_eq!(
            args(&l, &[("sectors.coal.demand", "0.2")]),
            ["sectors.coal.demand=[[2010, 1.0], [2025, 1.0], [2040, 0.2]]"]
        );
    }

    #[test]
    fn a_policy_is_added_only_when_switched_on_and_its_levers_then_apply() {
        let l = levers("hegang-like");
        assert_eq!(
            args(&l, &[("policies.retraining.take_up", "0.5")]),
            Vec::<String>::new()
        );
        let on = args(
            &l,
            &[
                ("policies.retraining.enabled", "true"),
                ("policies.retraining.take_up", "0.5"),
            ],
        );
        assert!(on.contains(&"policies.retraining.kind=retraining".to_string()));
        assert!(on.contains(&"policies.retraining.eligible_sectors=[\"coal\"]".to_string()));
        assert_eq!(
            on.last().map(String::as_str),
            Some("policies.retraining.take_up=0.5")
        );
        let scenario = crate::scenario::load(
            "hegang-like",
            &l.overrides(&values(&[("policies.retraining.enabled", "true")]))
                .expect("valid"),
        );
        assert!(scenario.is_ok(), "{scenario:?}");
    }

    /// A resource city without a layoff wave can be given one: a quarter of
    /// its largest resource sector's jobs, whose share and month the class
    /// moves; a city with its own wave is offered that one instead.
    #[test]
    fn a_layoff_wave_can_be_added_to_the_resource_sector() {
        let l = levers("hegang-like");
        let wave = l
            .list()
            .iter()
            .find(|l| l.id == "policies.layoff_wave.enabled");
        assert!(wave.is_some_and(|w| w.value == "false" && w.source.contains("Longmay")));
        let on = args(
            &l,
            &[
                ("policies.layoff_wave.enabled", "true"),
                ("policies.layoff_wave.share", "0.4"),
                ("policies.layoff_wave.start", "2016-01"),
            ],
        );
        for arg in [
            "policies.layoff_wave.kind=layoff_wave",
            "policies.layoff_wave.sector=coal",
            "policies.layoff_wave.share=0.4",
            "policies.layoff_wave.start=2016-01",
        ] {
            assert!(on.iter().any(|a| a == arg), "{arg} in {on:?}");
        }
        // The lever replaces the added policy's starting month and share.
        for key in ["start", "share"] {
            let prefix = format!("policies.layoff_wave.{key}=");
            assert_eq!(
                on.iter().filter(|a| a.starts_with(&prefix)).count(),
                1,
                "{on:?}"
            );
        }
        let overrides = l
            .overrides(&values(&[
                ("policies.layoff_wave.enabled", "true"),
                ("policies.layoff_wave.share", "0.4"),
            ]))
            .expect("valid");
        assert!(crate::scenario::load("hegang-like", &overrides).is_ok());
        // The depleting test city with a policy of every kind has its own wave.
        let own = levers("tests/scenarios/all-policies.toml");
        let ids: Vec<&str> = own.list().iter().map(|l| l.id.as_str()).collect();
        assert!(ids.contains(&"policies.restructuring.share"), "{ids:?}");
        assert!(!ids.contains(&"policies.layoff_wave.enabled"), "{ids:?}");
    }

    /// A policy must start by the run's last month to act in it, and a layoff
    /// wave, which acts only in its start month, within the run.
    #[test]
    fn a_policy_start_outside_the_run_names_its_lever() {
        let l = levers("hegang-like");
        let on = |start: &str, policy: &str| {
            l.overrides(&values(&[
                (&format!("policies.{policy}.enabled"), "true"),
                (&format!("policies.{policy}.start"), start),
            ]))
        };
        let wave = l
            .list()
            .iter()
            .find(|l| l.id == "policies.layoff_wave.start")
            .unwrap();
        assert_eq!(wave.months, ["2010-01".to_string(), "2039-12".to_string()]);
        assert!(on("2016-01", "layoff_wave").is_ok());
        for bad in ["2041-01", "2009-12"] {
            let e = on(bad, "layoff_wave").expect_err(bad);
            assert_eq!(e.id, "policies.layoff_wave.start");
            assert!(
                e.message.contains("from 2010-01 to 2039-12"),
                "{}",
                e.message
            );
        }
        // Other policies may have started before the run, not after it, nor
        // after their own end.
        assert!(on("2008-01", "retraining").is_ok());
        let own = levers("hegang-early-retirement");
        let start = own
            .list()
            .iter()
            .find(|l| l.id == "policies.early_retirement.start")
            .unwrap();
        assert_eq!(start.months[1], "2025-12");
        let late = on("2041-01", "retraining").expect_err("after the run");
        assert!(
            late.message.contains("at the latest 2039-12"),
            "{}",
            late.message
        );
        let text = on("soon", "retraining").expect_err("not a month");
        assert!(
            text.message.contains("expected a month as YYYY-MM"),
            "{}",
            text.message
        );
    }

    #[test]
    fn bad_values_name_their_lever() {
        let l = levers("hegang-like");
        let e = l
            .overrides(&values(&[("sectors.coal.demand", "lots")]))
            .expect_err("not a number");
        assert_eq!(e.id, "sectors.coal.demand");
        let e = l
            .overrides(&values(&[("population.size", "5")]))
            .expect_err("not a lever");
        assert!(e.message.contains("no lever"), "{}", e.message);
        assert_eq!(
            l.lever_for_key("policies.retraining.take_up")
                .map(|l| l.id.as_str()),
            Some("policies.retraining.take_up")
        );
    }
}
