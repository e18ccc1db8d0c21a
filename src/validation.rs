//! An observation set against the model, and how a reader is told of it: the
//! rows and verdict of `boomtown validate`, in words for its table, its chart
//! and its report page.

use serde::Serialize;

/// One observation set against the model.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The observation's id.
    pub id: String,
    /// Scenario, as the observations name it.
    pub scenario: String,
    /// The subfolder its run is in.
    pub folder: String,
    /// Indicator.
    pub indicator: String,
    /// Its unit: the metric's (`share`, `per 1,000/year`, `persons`...), and
    /// `share` for a change.
    pub unit: String,
    /// Base date of a change, if any.
    pub base_date: String,
    /// Date.
    pub date: String,
    /// Observed value, range or bound, as given.
    pub observed: Option<f64>,
    /// Lower bound.
    pub low: Option<f64>,
    /// Upper bound.
    pub high: Option<f64>,
    /// The model's 5th, 50th and 95th percentiles over replicates, when compared.
    pub model: Option<[f64; 3]>,
    /// Model median less the central observed figure.
    pub error: Option<f64>,
    /// Whether the model agrees: an observed value inside the model's 90 % band;
    /// for a range or bound, the model's median inside it.
    pub agrees: Option<bool>,
    /// Fit or test.
    pub purpose: &'static str,
    /// Why it was not compared, if it was not.
    pub status: String,
    /// Source.
    pub source: String,
    /// Note.
    pub note: String,
}

/// The headline figures over the `test` observations compared.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Verdict {
    /// Test observations compared.
    pub compared: usize,
    /// Of those, how many the model agrees with.
    pub agree: usize,
    /// The population changes compared, period by period (in order of their
    /// base date, then their date): the census decade is not mixed with the
    /// years after it.
    pub population: Vec<PopulationPeriod>,
    /// Observations used to fit, listed apart.
    pub fit: usize,
    /// Of those, how many were compared (inside the runs), and how many of
    /// these the model meets: how well the fit went, which is not evidence.
    pub fit_compared: usize,
    /// See `fit_compared`.
    pub fit_agree: usize,
    /// The fitted population changes, period by period, as for `population`.
    pub fit_population: Vec<PopulationPeriod>,
    /// Observations not compared (outside the runs), test or fit.
    pub not_compared: usize,
}

/// The population changes of one period compared with the model.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PopulationPeriod {
    /// The period's first date.
    pub base_date: String,
    /// Its last date.
    pub date: String,
    /// Population changes of this period compared.
    pub changes: usize,
    /// Of those, how many have the right sign.
    pub right_sign: usize,
    /// Their mean absolute error, in percentage points.
    pub mae_pp: f64,
}

/// Unit of the metrics that count events per 1,000 residents and year.
pub const PER_1000_A_YEAR: &str = "per 1,000/year";

/// A figure in its unit: a share (or a change) as a percentage with one
/// decimal, a rate per 1,000 a year in per mille, a ratio with two decimals,
/// a count as a whole number with thousands separators.
fn shown(unit: &str, x: f64) -> String {
    match unit {
        "share" => format!("{:.1} %", 100.0 * x),
        PER_1000_A_YEAR => format!("{x:.1} ‰"),
        "ratio" | "index" => format!("{x:.2}"),
        _ => crate::format::num(x.round()),
    }
}

/// The observed figure as a reader would say it.
pub fn observed_text(c: &Comparison) -> String {
    let s = |x: f64| shown(&c.unit, x);
    match (c.observed, c.low, c.high) {
        (Some(v), _, _) => s(v),
        (None, Some(l), Some(h)) => format!("{} to {}", s(l), s(h)),
        (None, Some(l), None) => format!("above {}", s(l)),
        (None, None, Some(h)) => format!("below {}", s(h)),
        (None, None, None) => String::new(),
    }
}

/// The model's median and band as a reader would say it.
pub fn model_text(c: &Comparison) -> String {
    let s = |x: f64| shown(&c.unit, x);
    c.model
        .map(|[lo, mid, hi]| format!("{} ({} to {})", s(mid), s(lo), s(hi)))
        .unwrap_or_else(|| c.status.clone())
}

/// The headline sentence of a verdict.
pub fn verdict_text(v: &Verdict) -> String {
    let plural = |n: usize| {
        if n == 1 {
            ("observation", "is", "falls", "was")
        } else {
            ("observations", "are", "fall", "were")
        }
    };
    let mut out = format!(
        "{} of {} test observations agree with the model",
        v.agree, v.compared
    );
    out += &periods_text(&v.population);
    out += ".";
    if v.not_compared > 0 {
        let (noun, verb, falls, _) = plural(v.not_compared);
        out += &format!(
            " {} {noun} {falls} outside the runs and {verb} not compared.",
            v.not_compared
        );
    }
    if v.fit > 0 {
        let (noun, verb, _, was) = plural(v.fit);
        out += &format!(
            " {} {noun} {was} used to fit parameters and {verb} not counted as evidence",
            v.fit
        );
        // With none of them inside the runs there is no fit to speak of.
        if v.fit_compared > 0 {
            out += &format!(
                "; the fitted model meets {} of the {} compared{}",
                v.fit_agree,
                v.fit_compared,
                periods_text(&v.fit_population)
            );
        }
        out += ".";
    }
    out
}

/// The population changes of each period: right signs and mean absolute error.
fn periods_text(periods: &[PopulationPeriod]) -> String {
    let mut out = String::new();
    for (i, p) in periods.iter().enumerate() {
        let lead = if i == 0 { "; population changes" } else { ";" };
        out += &format!(
            "{lead} {} → {}: the sign is right in {} of {}, mean absolute error {:.1} \
             percentage points",
            p.base_date, p.date, p.right_sign, p.changes, p.mae_pp
        );
    }
    out
}
