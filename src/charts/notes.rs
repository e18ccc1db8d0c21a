//! Notes computed from the data and the parameters behind a chart: whether its
//! bands can be seen and what their spread stands for, and why a chart that
//! looks wrong is right (wages that grow in a shrinking city, output that holds
//! while jobs fall). Charts print the short forms under the drawing; the report
//! puts the long forms in the captions. Nothing here names a scenario: every
//! sentence is built from the numbers.

use super::data::{Band, Summaries};
use crate::explain::{Kind, explain};
use crate::format::num;
use crate::scenario::Scenario;

/// Narrowest 90 % band, as a share of the vertical axis, that a reader can see
/// (about five pixels of a 520-pixel plot).
const VISIBLE: f64 = 0.01;

/// The widest 90 % band of the series, as a share of the span of their values
/// (from zero when the axis starts there); `None` without any band.
pub fn widest_band(series: &[&[Band]], from_zero: bool) -> Option<f64> {
    let bands = || series.iter().flat_map(|s| s.iter());
    let finite = |v: f64| v.is_finite().then_some(v);
    let hi = bands().filter_map(|b| finite(b.q[4])).reduce(f64::max)?;
    let lo = bands().filter_map(|b| finite(b.q[0])).reduce(f64::min)?;
    let lo = if from_zero { lo.min(0.0) } else { lo };
    let span = (hi - lo).max(1e-12);
    bands()
        .map(|b| b.q[4] - b.q[0])
        .filter(|w| w.is_finite())
        .reduce(f64::max)
        .map(|w| w / span)
}

/// What the shading shows: the bands, or that they are too narrow to see, or
/// that one replicate has none.
pub fn band_sentence(replicates: u32, widest: Option<f64>) -> String {
    match (replicates, widest) {
        (0 | 1, _) | (_, None) => "One replicate: no bands.".into(),
        (_, Some(w)) if w < VISIBLE => format!(
            "Bands of the middle 50 % and 90 % of replicates too narrow to see (90 % within {} of the axis).",
            if w < 0.001 {
                "0.1 %".to_string()
            } else {
                format!("{:.1} %", 100.0 * w)
            }
        ),
        _ => "Shaded: middle 50 % and 90 % of replicates.".into(),
    }
}

/// What the spread between replicates stands for.
pub fn spread_sentence(uncertain: usize) -> String {
    match uncertain {
        0 => "The spread is chance alone (same parameters, other random draws), not uncertainty about the assumptions.".into(),
        1 => "The spread is chance plus the one uncertain parameter drawn per replicate.".into(),
        n => format!("The spread is chance plus the {n} uncertain parameters drawn per replicate."),
    }
}

/// A sector's weight, growth rates and name, for the notes below.
fn sectors(s: &Scenario) -> impl Iterator<Item = (&str, f64, f64, f64)> {
    s.params.sectors.iter().map(|x| {
        (
            x.name.as_str(),
            x.employment_share,
            x.wage_growth,
            x.productivity_growth,
        )
    })
}

/// How the sources of a set of parameters read: "stated assumptions",
/// "published studies", or a mix.
fn source_kinds(s: &Scenario, suffix: &str) -> String {
    let mut kinds: Vec<&'static str> = explain(s)
        .into_iter()
        .filter(|r| r.parameter.starts_with("sectors.") && r.parameter.ends_with(suffix))
        // The model's own defaults (a growth of 0) are not what the note is about.
        .filter(|r| r.set_in.file != crate::explain::MODEL_DEFAULT)
        .map(|r| match r.kind {
            Kind::Assumption => "stated assumptions",
            Kind::Fact => "the source articles",
            Kind::Study => "published studies",
            Kind::Calibrated => "calibration",
            Kind::Definition => "definitions",
            Kind::Missing => "no source",
        })
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds.join(" and ")
}

fn pct(x: f64) -> String {
    let p = 100.0 * x;
    if (p - p.round()).abs() < 0.05 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

/// Years between the first and last bands.
fn years(bands: &[Band]) -> f64 {
    match (bands.first(), bands.last()) {
        (Some(a), Some(b)) => b.year - a.year,
        _ => 0.0,
    }
}

/// Why the mean wage grows: the assumed real wage growth of the sectors, what
/// it compounds to over the run, and what the median mean wage did.
pub fn wage(s: &Scenario, sum: &Summaries) -> Option<String> {
    let bands = sum.series.get(&(0, "mean_wage".to_string()))?;
    let (first, last) = (bands.first()?.q[2], bands.last()?.q[2]);
    let span = years(bands);
    let (lo, hi) = sectors(s)
        .map(|(_, _, g, _)| g)
        .fold((f64::MAX, f64::MIN), |(a, b), g| (a.min(g), b.max(g)));
    let weight: f64 = sectors(s).map(|(_, w, _, _)| w).sum::<f64>().max(1e-12);
    let mean: f64 = sectors(s).map(|(_, w, g, _)| w * g).sum::<f64>() / weight;
    let rates = if (hi - lo).abs() < 1e-9 {
        pct(lo)
    } else {
        format!("{}–{}", pct(lo).trim_end_matches(" %"), pct(hi))
    };
    Some(format!(
        "Wages grow by assumption: {rates} a year in real terms by sector (`sectors.<name>.wage_growth`; source: {}). At the job-weighted mean of {}, that alone multiplies a wage by {:.1} over {span:.0} years; the median mean wage went from {} to {} yuan (×{:.1}). So a rising line is no sign of prosperity: it is the assumed growth, moved up or down by the mix of jobs that remain.",
        source_kinds(s, ".wage_growth"),
        pct(mean),
        (1.0 + mean).powf(span),
        num(first),
        num(last),
        last / first.max(1e-9),
    ))
}

/// The short form of [`wage`], for the chart's footer.
pub fn wage_short(s: &Scenario) -> String {
    let (lo, hi) = sectors(s)
        .map(|(_, _, g, _)| g)
        .fold((f64::MAX, f64::MIN), |(a, b), g| (a.min(g), b.max(g)));
    let rates = if (hi - lo).abs() < 1e-9 {
        pct(lo)
    } else {
        format!("{}–{}", pct(lo).trim_end_matches(" %"), pct(hi))
    };
    format!(
        "Real wages grow {rates} a year by assumption (sectors.<name>.wage_growth): the rise is mostly that."
    )
}

/// Sectors whose output holds up while their jobs fall: output per worker
/// grows, so the same output needs fewer workers.
pub fn output(s: &Scenario, sum: &Summaries) -> Option<String> {
    let ends = |metric: String| {
        let b = sum.series.get(&(0, metric))?;
        Some((b.first()?.q[2], b.last()?.q[2], years(b)))
    };
    let told: Vec<String> = sectors(s)
        .filter(|(_, _, _, p)| *p > 0.0)
        .filter_map(|(name, _, _, growth)| {
            let (o0, o1, span) = ends(format!("output_index_{name}"))?;
            let (e0, e1, _) = ends(format!("employed_{name}"))?;
            let jobs = e1 / e0.max(1e-9) - 1.0;
            let output = o1 / o0.max(1e-9) - 1.0;
            // Worth a word only where jobs fall clearly faster than output.
            (jobs < output - 0.1).then(|| {
                format!(
                    "{}: output {} while jobs {} {}, because output per worker grows {} a year by assumption (×{:.1} over {span:.0} years)",
                    name.replace('_', " "),
                    change(output),
                    if jobs < 0.0 { "fall" } else { "change" },
                    pct(jobs.abs()),
                    pct(growth),
                    (1.0 + growth).powf(span)
                )
            })
        })
        .collect();
    (!told.is_empty()).then(|| {
        format!(
            "Jobs can fall where output holds: {} (`sectors.<name>.productivity_growth`; source: {}).",
            told.join("; "),
            source_kinds(s, ".productivity_growth")
        )
    })
}

/// Where own-account work's income fell behind: for each own-account sector
/// whose median income falls below its start, how far and when, against what
/// its wage path alone would have paid by then.
pub fn shared_income(s: &Scenario, sum: &Summaries) -> Option<String> {
    let told: Vec<String> = s
        .params
        .sectors
        .iter()
        .filter(|x| x.is_own_account())
        .filter_map(|x| {
            let bands = sum.series.get(&(0, format!("mean_wage_{}", x.name)))?;
            let first = bands.first()?;
            let low = bands.iter().min_by(|a, b| a.q[2].total_cmp(&b.q[2]))?;
            (low.q[2] < 0.95 * first.q[2]).then(|| {
                let path = first.q[2] * (1.0 + x.wage_growth).powf(low.year - first.year);
                format!(
                    "{}: {} yuan a month at the start, {} at the lowest (in {:.0}), where its wage path alone would pay {}: more hands share its income",
                    x.name.replace('_', " "),
                    num(first.q[2]),
                    num(low.q[2]),
                    low.year.floor(),
                    num(path)
                )
            })
        })
        .collect();
    (!told.is_empty()).then(|| format!("{}.", told.join("; ")))
}

fn change(x: f64) -> String {
    if x.abs() < 0.005 {
        "stays flat".into()
    } else if x > 0.0 {
        format!("grows {}", pct(x))
    } else {
        format!("falls {}", pct(-x))
    }
}

/// Why a city's unemployment rate can end low although its jobs went: the
/// rate counts only those who stay and look for work, so leaving and retiring
/// lower it. Said for every scenario whose employment fell by a fifth or more.
pub fn unemployment(named: &[(&str, &Summaries)]) -> Option<String> {
    let ends = |sum: &Summaries, metric: &str| {
        let b = sum.series.get(&(0, metric.to_string()))?;
        Some((b.first()?.q[2], b.last()?.q[2]))
    };
    let told: Vec<String> = named
        .iter()
        .filter_map(|(name, sum)| {
            let (e0, e1) = ends(sum, "employed")?;
            let (_, u1) = ends(sum, "unemployment_rate")?;
            let (p0, p1) = ends(sum, "population")?;
            let jobs = e1 / e0.max(1e-9) - 1.0;
            (jobs <= -0.2).then(|| {
                format!(
                    "in {name} jobs fall {} and residents {}, yet unemployment ends at {}",
                    pct(-jobs),
                    pct((1.0 - p1 / p0.max(1e-9)).max(0.0)),
                    pct(u1)
                )
            })
        })
        .collect();
    (!told.is_empty()).then(|| {
        format!(
            "The rate counts only residents looking for work: {}. Those who leave the city or retire are not unemployed, so a shrinking city's rate can fall as its jobs go (see net migration and, in the scorecard, where the displaced workers went).",
            told.join("; ")
        )
    })
}

/// What the net-migration chart shows.
pub const NET_MIGRATION: &str = "Arrivals minus departures per 1,000 residents a year: below zero the city loses people by migration. Out-migration alone is not the story: a growing city can see as many leave, and more arrive.";
