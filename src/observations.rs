//! Observed figures the model is held against: census populations, the source
//! articles' figures, published statistics. One format serves both uses:
//! `boomtown validate` compares the city scenarios with the observations marked
//! `test`, and calibration fits the uncertain parameters to those marked `fit`,
//! so that no observation is used both to fit the model and to claim it valid.
//!
//! The file is CSV with the columns of [`COLUMNS`] (see `docs/outputs.md`,
//! *Observations*). The project's own observations are `seeds/observations.csv`,
//! built into the binary; a user may give a file of their own in the same format.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::date::YearMonth;
use crate::error::{Origin, ScenarioError};

/// The observations shipped with boomtown.
pub const OBSERVATIONS_CSV: &str = include_str!("../seeds/observations.csv");

/// The label of the shipped file in messages.
pub const SHIPPED: &str = "seeds/observations.csv";

/// The columns of an observations file, in order.
pub const COLUMNS: [&str; 11] = [
    "id",
    "scenario",
    "indicator",
    "base_date",
    "date",
    "value",
    "low",
    "high",
    "use",
    "source",
    "note",
];

/// Suffix of an indicator that is the relative change of a metric.
pub const CHANGE_SUFFIX: &str = "_change";

/// Largest observations file read, in bytes.
const MAX_BYTES: u64 = 16 << 20;

/// What an observation is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Use {
    /// Held out: used only to test the model.
    Test,
    /// Used to fit (calibrate) parameters; never cited as validation.
    Fit,
}

impl Use {
    /// The word in the file.
    pub fn name(self) -> &'static str {
        match self {
            Use::Test => "test",
            Use::Fit => "fit",
        }
    }
}

/// What is observed: a metric of `timeseries.csv` at a date, or its relative
/// change from a base date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indicator {
    /// The metric's column in `timeseries.csv` (e.g. `population`).
    pub metric: String,
    /// Whether the observation is the relative change `x(date) / x(base) - 1`.
    pub change: bool,
}

impl Indicator {
    /// Reads `metric` or `metric_change`.
    pub fn parse(text: &str) -> Indicator {
        match text.strip_suffix(CHANGE_SUFFIX) {
            Some(metric) => Indicator {
                metric: metric.to_string(),
                change: true,
            },
            None => Indicator {
                metric: text.to_string(),
                change: false,
            },
        }
    }
}

impl std::fmt::Display for Indicator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let suffix = if self.change { CHANGE_SUFFIX } else { "" };
        write!(f, "{}{suffix}", self.metric)
    }
}

/// One observed figure: a value, a range (`low` to `high`), or a bound on one
/// side only (an article's "above 25 %").
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// Stable id.
    pub id: String,
    /// The scenario it is a figure of.
    pub scenario: String,
    /// What is observed.
    pub indicator: Indicator,
    /// For a change: the date it is measured from.
    pub base_date: Option<YearMonth>,
    /// The date it refers to.
    pub date: YearMonth,
    /// The observed value, if one is given.
    pub value: Option<f64>,
    /// Lower bound, if any.
    pub low: Option<f64>,
    /// Upper bound, if any.
    pub high: Option<f64>,
    /// Fit or test.
    pub purpose: Use,
    /// Where the figure comes from: a fact id, a study, a statistical yearbook.
    pub source: String,
    /// Anything a reader should know (scope, reference year, how it was derived).
    pub note: String,
    /// Line of the file it was read from.
    pub line: usize,
}

impl Observation {
    /// The central observed figure: the value, else the middle of a range, else
    /// the one bound.
    pub fn central(&self) -> f64 {
        match (self.value, self.low, self.high) {
            (Some(v), _, _) => v,
            (None, Some(l), Some(h)) => (l + h) / 2.0,
            (None, Some(b), None) | (None, None, Some(b)) => b,
            (None, None, None) => f64::NAN,
        }
    }

    /// Whether a modelled value agrees with the observation: within the range
    /// or on the right side of a bound (for a value given with `low` and
    /// `high`, its stated tolerance); for a single value alone, never exactly
    /// (the error says how far).
    pub fn admits(&self, x: f64) -> bool {
        let above = self.low.is_none_or(|l| x >= l);
        let below = self.high.is_none_or(|h| x <= h);
        self.has_bounds() && above && below
    }

    /// Whether the observation gives a range or a bound (with or without a
    /// value inside it).
    pub fn has_bounds(&self) -> bool {
        self.low.is_some() || self.high.is_some()
    }

    /// The model's figure for this observation in one run, where `at(date)`
    /// is the metric's value in the monthly row of a date. A rate per year of
    /// events (`annual`: births, deaths, moves) is the mean of the twelve
    /// monthly rows that end at the date, as yearbooks report it; a change is
    /// the value at the date over the value at the base date (else the start)
    /// less one. Not a number when a row is missing.
    pub fn model_value(
        &self,
        annual: bool,
        start: YearMonth,
        at: impl Fn(YearMonth) -> Option<f64>,
    ) -> f64 {
        if self.indicator.change {
            let base = self.base_date.unwrap_or(start);
            return match (at(self.date), at(base)) {
                (Some(x), Some(b)) if b != 0.0 => x / b - 1.0,
                _ => f64::NAN,
            };
        }
        if annual {
            let months: Vec<f64> = (0..12).filter_map(|k| at(self.date.plus(-k))).collect();
            return if months.len() == 12 {
                months.iter().sum::<f64>() / 12.0
            } else {
                f64::NAN
            };
        }
        at(self.date).unwrap_or(f64::NAN)
    }

    /// How far a model figure is from this observation, in units of the
    /// observation's own precision: for a value with a tolerance (`low`,
    /// `high`), the error over the tolerance's half-width; for a value alone,
    /// the relative error; for a range, 0 inside and the distance to the
    /// nearer end over the half-width outside; for a bound, 0 on its right
    /// side and the relative shortfall otherwise.
    pub fn discrepancy(&self, x: f64) -> f64 {
        let relative = |target: f64| if target != 0.0 { target.abs() } else { 1.0 };
        match (self.value, self.low, self.high) {
            (Some(v), Some(l), Some(h)) if h > l => (x - v) / ((h - l) / 2.0),
            (Some(v), _, _) => (x - v) / relative(v),
            (None, Some(l), Some(h)) => {
                let half = ((h - l) / 2.0).max(f64::MIN_POSITIVE);
                if x < l {
                    (l - x) / half
                } else if x > h {
                    (x - h) / half
                } else {
                    0.0
                }
            }
            (None, Some(l), None) => ((l - x) / relative(l)).max(0.0),
            (None, None, Some(h)) => ((x - h) / relative(h)).max(0.0),
            (None, None, None) => f64::NAN,
        }
    }
}

/// Observations read from a file, in file order.
#[derive(Clone, Debug, Default)]
pub struct Observations {
    /// How messages name the file.
    pub label: String,
    /// The observations.
    pub rows: Vec<Observation>,
    /// The file's text, as read (for a copy beside the results, and its hash).
    pub text: String,
}

/// A row as it stands in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    id: String,
    scenario: String,
    indicator: String,
    base_date: String,
    date: String,
    value: String,
    low: String,
    high: String,
    #[serde(rename = "use")]
    purpose: String,
    source: String,
    note: String,
}

impl Observations {
    /// The observations shipped with boomtown.
    pub fn shipped() -> Result<Observations, ScenarioError> {
        Observations::parse(SHIPPED, OBSERVATIONS_CSV)
    }

    /// Reads a user's observations file (a regular file of at most 16 MiB).
    pub fn read(path: &Path) -> Result<Observations, ScenarioError> {
        let label = path.display().to_string();
        let fail = |m: String| ScenarioError::in_file(label.clone(), m);
        let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
        if !meta.is_file() {
            return Err(fail(
                "is not a regular file; expected an observations CSV".into(),
            ));
        }
        if meta.len() > MAX_BYTES {
            return Err(fail(format!("is larger than {} MiB", MAX_BYTES >> 20)));
        }
        let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            fail(format!(
                "is not valid UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })?;
        Observations::parse(&label, &text)
    }

    /// Parses the text of an observations file; `label` names it in messages.
    pub fn parse(label: &str, text: &str) -> Result<Observations, ScenarioError> {
        let at = |line: usize, key: Option<&str>, message: String| ScenarioError {
            origin: Origin {
                file: label.to_string(),
                line: Some(line),
            },
            key: key.map(str::to_string),
            message,
        };
        if text.trim().is_empty() {
            return Err(ScenarioError::in_file(
                label,
                format!("is empty; expected a CSV header: {}", COLUMNS.join(",")),
            ));
        }
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| at(1, None, format!("malformed CSV header: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        if header != COLUMNS {
            return Err(at(
                1,
                None,
                format!(
                    "expected the columns {}, found {}",
                    COLUMNS.join(","),
                    header.join(",")
                ),
            ));
        }
        let mut rows = Vec::new();
        let mut ids = BTreeSet::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line() as usize);
                at(line, None, format!("malformed CSV row: {e}"))
            })?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            let row: Row = record
                .deserialize(Some(&csv::StringRecord::from(header.clone())))
                .map_err(|e| at(line, None, format!("malformed row: {e}")))?;
            let observation =
                Observation::from_row(row, line).map_err(|(key, m)| at(line, Some(key), m))?;
            if !ids.insert(observation.id.clone()) {
                return Err(at(
                    line,
                    Some("id"),
                    format!(
                        "`{}` is used by an earlier row; ids must be unique",
                        observation.id
                    ),
                ));
            }
            rows.push(observation);
        }
        if rows.is_empty() {
            return Err(ScenarioError::in_file(
                label,
                "has a header but no observations",
            ));
        }
        Ok(Observations {
            label: label.to_string(),
            rows,
            text: text.to_string(),
        })
    }

    /// The scenarios observed, sorted.
    pub fn scenarios(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self.rows.iter().map(|o| o.scenario.as_str()).collect();
        set.into_iter().map(str::to_string).collect()
    }

    /// The observations of one scenario.
    pub fn of<'a>(&'a self, scenario: &'a str) -> impl Iterator<Item = &'a Observation> + 'a {
        self.rows.iter().filter(move |o| o.scenario == scenario)
    }

    /// An error about an observation, naming the file, its line and a column.
    pub fn error(
        &self,
        o: &Observation,
        column: &str,
        message: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError {
            origin: Origin {
                file: self.label.clone(),
                line: Some(o.line),
            },
            key: Some(column.to_string()),
            message: message.into(),
        }
    }
}

impl Observation {
    fn from_row(r: Row, line: usize) -> Result<Observation, (&'static str, String)> {
        let text = |key: &'static str, v: &str| -> Result<String, (&'static str, String)> {
            let v = v.trim();
            if v.is_empty() {
                Err((key, "is empty".into()))
            } else {
                Ok(v.to_string())
            }
        };
        let number = |key: &'static str, v: &str| -> Result<Option<f64>, (&'static str, String)> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => Err((
                    key,
                    format!("expected a finite number or nothing, found `{v}`"),
                )),
            }
        };
        let month = |key: &'static str, v: &str| -> Result<YearMonth, (&'static str, String)> {
            v.trim().parse().map_err(|e| (key, e))
        };
        let id = text("id", &r.id)?;
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err((
                "id",
                format!("expected letters, digits, `-` and `_`, found `{id}`"),
            ));
        }
        let indicator = Indicator::parse(&text("indicator", &r.indicator)?);
        let base_date = match r.base_date.trim() {
            "" => None,
            v => Some(month("base_date", v)?),
        };
        if base_date.is_some() && !indicator.change {
            return Err((
                "base_date",
                format!("is only for a change (`{indicator}{CHANGE_SUFFIX}`); leave it empty"),
            ));
        }
        let date = month("date", &r.date)?;
        if base_date.is_some_and(|b| b >= date) {
            return Err(("base_date", "must come before `date`".into()));
        }
        let (value, low, high) = (
            number("value", &r.value)?,
            number("low", &r.low)?,
            number("high", &r.high)?,
        );
        if value.is_none() && low.is_none() && high.is_none() {
            return Err((
                "value",
                "give a value, a range (low, high) or one bound".into(),
            ));
        }
        if let (Some(l), Some(h)) = (low, high)
            && l > h
        {
            return Err(("low", format!("{l} is above high {h}")));
        }
        if let Some(v) = value
            && (low.is_some_and(|l| v < l) || high.is_some_and(|h| v > h))
        {
            return Err(("value", format!("{v} is outside low..high")));
        }
        let purpose = match r.purpose.trim() {
            "test" => Use::Test,
            "fit" => Use::Fit,
            other => return Err(("use", format!("expected `test` or `fit`, found `{other}`"))),
        };
        Ok(Observation {
            id,
            scenario: text("scenario", &r.scenario)?,
            indicator,
            base_date,
            date,
            value,
            low,
            high,
            purpose,
            source: text("source", &r.source)?,
            note: r.note.trim().to_string(),
            line,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,scenario,indicator,base_date,date,value,low,high,use,source,note\n";

    #[test]
    fn the_shipped_observations_parse() {
        let o = Observations::shipped().unwrap();
        assert!(o.rows.len() >= 8);
        for city in [
            "baiyin", "baotou", "hegang", "jinchang", "qitaihe", "zhuzhou",
        ] {
            assert!(o.scenarios().contains(&city.to_string()), "{city}");
        }
    }

    #[test]
    fn values_ranges_and_bounds() {
        let text = format!(
            "{HEADER}a,x,population_change,2010-11,2020-11,-0.1,,,test,census,\n\
             b,x,unemployment_rate,,2015-01,,0.04,0.06,fit,yearbook,\n\
             c,x,youth_unemployment_rate,,2023-01,,0.25,,test,fact q,above\n"
        );
        let o = Observations::parse("obs.csv", &text).unwrap();
        assert_eq!(o.rows[0].indicator.metric, "population");
        assert!(o.rows[0].indicator.change);
        assert_eq!(o.rows[1].central(), 0.05);
        assert!(o.rows[1].admits(0.045) && !o.rows[1].admits(0.07));
        assert!(o.rows[2].admits(0.3) && !o.rows[2].admits(0.2));
        assert_eq!(o.rows[1].purpose, Use::Fit);
        assert_eq!(o.rows[2].line, 4);
    }

    #[test]
    fn bad_files_name_the_line_and_column() {
        let cases = [
            ("", "is empty"),
            ("id,scenario\n", "expected the columns"),
            (HEADER, "no observations"),
            (
                "id,scenario,indicator,base_date,date,value,low,high,use,source,note,extra\n",
                "expected the columns",
            ),
        ];
        for (text, expect) in cases {
            let e = Observations::parse("obs.csv", text)
                .unwrap_err()
                .to_string();
            assert!(e.contains(expect), "{text:?}: {e}");
        }
        let rows = [
            ("a,x,population,,2020-13,1,,,test,s,", "line 2, key `date`"),
            ("a,x,population,,2020-01,,,,test,s,", "key `value`"),
            ("a,x,population,,2020-01,nan,,,test,s,", "finite number"),
            ("a,x,population,,2020-01,1,2,3,test,s,", "outside low..high"),
            ("a,x,population,,2020-01,,3,2,test,s,", "above high"),
            ("a,x,population,,2020-01,1,,,both,s,", "key `use`"),
            (
                "a,x,population,2010-01,2020-01,1,,,test,s,",
                "only for a change",
            ),
            (
                "a,x,population_change,2021-01,2020-01,1,,,test,s,",
                "must come before",
            ),
            ("a,x,population,,2020-01,1,,,test,,", "key `source`"),
            ("a b,x,population,,2020-01,1,,,test,s,", "key `id`"),
            ("a,x,population,,2020-01,1,,,test,s", "malformed"),
        ];
        for (row, expect) in rows {
            let text = format!("{HEADER}{row}\n");
            let e = Observations::parse("obs.csv", &text)
                .unwrap_err()
                .to_string();
            assert!(e.contains("obs.csv, line 2"), "{row}: {e}");
            assert!(e.contains(expect), "{row}: {e}");
        }
        let twice = format!(
            "{HEADER}a,x,population,,2020-01,1,,,test,s,\na,x,population,,2021-01,1,,,test,s,\n"
        );
        let e = Observations::parse("obs.csv", &twice)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3, key `id`") && e.contains("unique"),
            "{e}"
        );
    }
}
