//! The story of a run, written from its results: what happened to the city, to
//! the workers who lost their jobs, and what the policies cost. Every number is
//! a median over replicates, with the range that holds 90 % of them where it
//! matters.

use serde::Serialize;

use super::results::RunResults;
use crate::charts::data::Band;
use crate::format::{about, change, num, pct, range};
use crate::model::params::{Params, SectorKind};

/// One paragraph of the story, with a heading.
#[derive(Clone, Debug, Serialize)]
pub struct Paragraph {
    /// Short heading.
    pub heading: String,
    /// The text.
    pub text: String,
}

fn year(b: &Band) -> String {
    format!("{:.0}", b.year.floor())
}

/// `median (90 % of replicates: lo–hi)` for a share.
fn share_with_range(b: &Band) -> String {
    if (b.q[4] - b.q[0]).abs() < 1e-12 {
        pct(b.q[2])
    } else {
        format!(
            "{} (90 % of replicates: {})",
            pct(b.q[2]),
            range("share", b.q[0], b.q[4])
        )
    }
}

/// The story of a run, or of one configuration of a sweep: `p` are its
/// parameters, `r` its results.
pub fn run_story(p: &Params, r: &RunResults) -> Vec<Paragraph> {
    let mut out = Vec::new();
    if let Some(x) = population(r) {
        out.push(x);
    }
    if let Some(w) = work(p, r) {
        out.push(w);
    }
    if let Some(x) = displaced(r) {
        out.push(x);
    }
    if let Some(x) = ageing(r) {
        out.push(x);
    }
    out.push(policies(p, r));
    out
}

fn population(r: &RunResults) -> Option<Paragraph> {
    let (first, last) = r.ends("population")?;
    let start = first.q[2];
    if start <= 0.0 {
        return None;
    }
    let rel = |x: f64| x / start - 1.0;
    let mut text = format!(
        "The city had {} residents in {}. By {} it had {} ({} in the median replicate; 90 % of replicates between {} and {}).",
        num(start.round()),
        year(&first),
        year(&last),
        num(last.q[2].round()),
        change(rel(last.q[2])),
        change(rel(last.q[0])),
        change(rel(last.q[4])),
    );
    if let Some(peak) = r.peak("out_migration_rate") {
        text.push_str(&format!(
            " Out-migration was highest in {}, when {} residents in 1,000 left in a year.",
            year(&peak),
            num(peak.q[2])
        ));
    }
    Some(Paragraph {
        heading: "Population".into(),
        text,
    })
}

fn work(p: &Params, r: &RunResults) -> Option<Paragraph> {
    let peak = r.peak("unemployment_rate")?;
    let (_, last) = r.ends("unemployment_rate")?;
    let mut text = format!(
        "Unemployment peaked in {} at {}, and was {} at the end.",
        year(&peak),
        share_with_range(&peak),
        pct(last.q[2])
    );
    if let Some(youth) = r.peak("youth_unemployment_rate") {
        let harder = youth.q[2] > peak.q[2];
        text.push_str(&format!(
            " {}their unemployment peaked at {} in {}.",
            if harder {
                "Young people (16–24) were hit harder: "
            } else {
                "For young people (16–24), "
            },
            pct(youth.q[2]),
            year(&youth)
        ));
    }
    // Which sectors lost and gained the most jobs.
    let mut moves: Vec<(String, f64, f64)> = p
        .sectors
        .iter()
        .filter_map(|sector| {
            let (a, b) = r.ends(&format!("employed_{}", sector.name))?;
            Some((
                sector.name.replace('_', " "),
                a.q[2].round(),
                b.q[2].round(),
            ))
        })
        .collect();
    moves.sort_by(|a, b| (a.2 - a.1).total_cmp(&(b.2 - b.1)));
    if let (Some((total_a, total_b)), Some(loser)) = (r.ends("employed"), moves.first()) {
        text.push_str(&format!(
            " Jobs went from {} to {}; {} lost the most ({} to {})",
            num(total_a.q[2].round()),
            num(total_b.q[2].round()),
            loser.0,
            num(loser.1),
            num(loser.2)
        ));
        match moves.last() {
            Some(g) if g.2 > g.1 => text.push_str(&format!(
                ", while {} grew the most ({} to {}).",
                g.0,
                num(g.1),
                num(g.2)
            )),
            _ => text.push_str(", and no sector grew."),
        }
    }
    if let Some((a, b)) = r.ends("resource_job_share") {
        text.push_str(&format!(
            " The extractive sectors' share of jobs went from {} to {}.",
            pct(a.q[2]),
            pct(b.q[2])
        ));
    }
    Some(Paragraph {
        heading: "Work".into(),
        text,
    })
}

fn displaced(r: &RunResults) -> Option<Paragraph> {
    let n = r.indicator("displaced_workers")?;
    if n.p50 < 1.0 {
        let mut text = "Hardly anyone was laid off in demand-driven cuts or layoff waves in the \
                        median replicate: the sectors that declined shrank through retirements and \
                        departures that were not replaced, and through ordinary turnover."
            .to_string();
        text.push_str(&attrition(r));
        return Some(Paragraph {
            heading: "The displaced workers".into(),
            text,
        });
    }
    let mut text = format!(
        "{} workers ({} per 1,000 residents at the start) were laid off from declining sectors, in demand-driven cuts or layoff waves (90 % of replicates: {}); the scorecard follows them wherever they go.",
        num(n.p50),
        num(r.median("displaced_per_1000").unwrap_or(f64::NAN)),
        range("persons", n.p05, n.p95)
    );
    if n.p50 < 20.0 {
        text.push_str(" With so few of them, the shares below say little.");
    }
    let within = |k: &str| r.indicator(&format!("reemployed_within_{k}_months"));
    if let Some(one) = within("12") {
        text.push_str(&format!(
            " Within a year, {} of them had found new work in the city (90 % of replicates: {})",
            pct(one.p50),
            range("share", one.p05, one.p95)
        ));
        match within("60") {
            Some(five) => text.push_str(&format!("; within five years, {}.", pct(five.p50))),
            None => text.push('.'),
        }
    }
    let at_end: Vec<String> = [
        ("displaced_employed_at_end", "held a job in the city"),
        ("displaced_retired_at_end", "were retired"),
        ("displaced_left_city", "had left the city"),
        ("displaced_died", "had died"),
        (
            "displaced_long_term_unemployed",
            "were long-term unemployed",
        ),
    ]
    .iter()
    .filter_map(|(name, what)| {
        let share = r.median(name)?;
        (share > 0.0).then(|| format!("{} {what}", pct(share)))
    })
    .collect();
    if !at_end.is_empty() {
        text.push_str(&format!(" At the end, {}.", join_list(&at_end)));
    }
    if let Some(early) = r.median("displaced_retired_early").filter(|&x| x > 0.0) {
        text.push_str(&format!(
            " {} of them had taken early retirement.",
            pct(early)
        ));
    }
    if let Some(w) = r.median("wage_replacement_ratio") {
        text.push_str(&format!(
            " Those who found work were paid on average {} of what their old job would have paid.",
            pct(w)
        ));
    }
    if let (Some(years), Some(share)) = (
        r.indicator("earnings_loss_years"),
        r.median("earnings_loss_share"),
    ) {
        text.push_str(&format!(
            " Over the run, each displaced worker lost on average {:.1} years of their former earnings ({:.1}–{:.1} in 90 % of replicates), {} of what the lost jobs would have paid.",
            years.p50, years.p05, years.p95, pct(share)
        ));
    }
    text.push_str(&attrition(r));
    Some(Paragraph {
        heading: "The displaced workers".into(),
        text,
    })
}

/// The jobs the shrinking sectors lost without laying anyone off, told beside
/// the displaced: a sector that sheds most of its jobs by not refilling them
/// leaves no displaced worker to follow, and its cost falls on those not hired.
fn attrition(r: &RunResults) -> String {
    let Some(jobs) = r
        .indicator("jobs_lost_to_attrition")
        .filter(|j| j.p50 >= 1.0)
    else {
        return String::new();
    };
    let share = r
        .median("attrition_share_of_jobs_lost")
        .map(|s| format!("{} of all the jobs they lost; ", pct(s)))
        .unwrap_or_default();
    format!(
        " Besides, the shrinking sectors lost {} jobs without a layoff ({share}90 % of replicates: {}): \
         posts not refilled when their holders retired, died or left, whose cost falls on those \
         who are not hired rather than on anyone laid off.",
        num(jobs.p50),
        range("jobs", jobs.p05, jobs.p95)
    )
}

fn ageing(r: &RunResults) -> Option<Paragraph> {
    let (a, b) = r.ends("old_age_dependency_ratio")?;
    let mut text = format!(
        "For every resident of working age (16–59) there were {} residents aged 60 or more at the start and {} at the end.",
        num(a.q[2]),
        num(b.q[2])
    );
    if let Some(y) = r.median("young_adult_out_migration_rate") {
        text.push_str(&format!(
            " Young adults (16–29) left at {} per 1,000 a year over the run{}",
            num(y),
            if b.q[2] > 1.1 * a.q[2] {
                ": the young leave, the old stay."
            } else {
                "."
            }
        ));
    }
    if let Some((a, b)) = r.ends("mean_age") {
        text.push_str(&format!(
            " The mean age went from {:.1} to {:.1} years.",
            a.q[2], b.q[2]
        ));
    }
    Some(Paragraph {
        heading: "Ageing".into(),
        text,
    })
}

fn policies(p: &Params, r: &RunResults) -> Paragraph {
    let heading = "Policies and their cost".to_string();
    // A policy present but switched off (no seats, say), or outside the run (a
    // run shortened with --set), did nothing: it is not told as if it had run.
    let (names, outside): (Vec<_>, Vec<_>) = p
        .policies
        .iter()
        .filter(|x| x.action.has_effect())
        .partition(|x| p.horizon.overlaps(x.start, x.end));
    let name = |x: &&crate::model::params::Policy| {
        format!("{} ({})", x.name.replace('_', " "), span(x.start, x.end))
    };
    let names: Vec<String> = names.iter().map(name).collect();
    if names.is_empty() && !outside.is_empty() {
        let outside: Vec<String> = outside.iter().map(name).collect();
        return Paragraph {
            heading,
            text: format!(
                "No policy or event acts within this run: {} {} outside it.",
                join_list(&outside),
                if outside.len() == 1 { "falls" } else { "fall" }
            ),
        };
    }
    if names.is_empty() {
        return Paragraph {
            heading,
            text: "No policy responds in this scenario, and no event (a layoff wave, a demand shock) is scheduled.".into(),
        };
    }
    let mut text = format!(
        "Policies and events in this scenario: {}.",
        join_list(&names)
    );
    if let Some(cost) = r.indicator("public_cost_total").filter(|c| c.p50 > 0.0) {
        text.push_str(&format!(
            " They cost the public {} million yuan over the run (90 % of replicates: {})",
            num(cost.p50),
            range("million yuan", cost.p05, cost.p95)
        ));
        match r.median("displaced_workers").filter(|&n| n >= 1.0) {
            Some(n) => text.push_str(&format!(
                ", about {} yuan for each worker displaced (a ratio: the policies also reach people who were never displaced).",
                about(cost.p50 * 1e6 / n)
            )),
            None => text.push('.'),
        }
    } else {
        text.push_str(" None of them has a public cost in the scenario.");
    }
    let uncosted = super::uncosted(p);
    if !uncosted.is_empty() {
        text.push_str(&format!(
            " The scenario gives no cost for {}, so the public cost leaves {} out.",
            join_list(&uncosted),
            if uncosted.len() == 1 { "it" } else { "them" }
        ));
    }
    if let (Some(n), Some(public)) = (
        r.median("early_retirees").filter(|&n| n >= 1.0),
        r.median("public_cost_early_retirement"),
    ) {
        // Results written before employers' costs were counted have none.
        let employers = r.median("employer_cost_early_retirement").unwrap_or(0.0);
        let payer = match (public > 0.0, employers > 0.0) {
            (true, true) => ", paid partly by the public and partly by their employers",
            (false, true) => ", paid by their employers, not the public",
            (true, false) => ", paid by the public",
            (false, false) => "",
        };
        text.push_str(&format!(
            " {} people retired early, drawing allowances of about {} yuan each until the statutory age{payer}.",
            num(n),
            about((public + employers) * 1e6 / n)
        ));
    }
    if let Some(t) = r.median("training_participants").filter(|&t| t > 0.0) {
        text.push_str(&format!(" {} people started a retraining course", num(t)));
        match r.median("training_placement_rate") {
            Some(p) => text.push_str(&format!(
                "; six months after their course, {} of the graduates still in the city had a job.",
                pct(p)
            )),
            None => text.push('.'),
        }
    }
    let extractive = p.sectors.iter().any(|x| x.kind == SectorKind::Extractive);
    if !extractive {
        text.push_str(" (The scenario has no extractive sector.)");
    }
    Paragraph { heading, text }
}

/// A policy's active span: whole years as `2014–2030`, else months.
pub(super) fn span(start: crate::date::YearMonth, end: crate::date::YearMonth) -> String {
    let (a, b) = (start.to_string(), end.to_string());
    if a == b {
        // A one-off event, such as a layoff wave.
        return a;
    }
    match (a.strip_suffix("-01"), b.strip_suffix("-12")) {
        (Some(y0), Some(y1)) if y0 == y1 => y0.to_string(),
        (Some(y0), Some(y1)) => format!("{y0}–{y1}"),
        _ => format!("{a} to {b}"),
    }
}

/// `a, b and c`.
pub fn join_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What is contrasted: scenarios of a comparison, or configurations of a sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Contrasted {
    /// Named scenarios (`9 % in hegang`).
    Scenarios,
    /// A sweep's configurations, named by their settings (`9 % where seats = 0`).
    Configurations,
}

/// What to say about one indicator across scenarios or configurations: the
/// medians, and whether their 90 % ranges overlap (if they do, the difference
/// may be chance).
pub fn contrast(label: &str, values: &[(String, String, f64, f64)], what: Contrasted) -> String {
    let (noun, at) = match what {
        Contrasted::Scenarios => ("scenario", "in"),
        Contrasted::Configurations => ("configuration", "where"),
    };
    if values.len() > 1 && values.iter().all(|v| v.1 == values[0].1) {
        let every = if values.len() == 2 {
            format!("both {noun}s")
        } else {
            format!("every {noun}")
        };
        return format!("{label}: {} in {every}.", values[0].1);
    }
    let parts: Vec<String> = values
        .iter()
        .map(|(name, median, _, _)| format!("{median} {at} {name}"))
        .collect();
    // Pairs whose 90 % ranges overlap: their difference may be chance.
    let mut overlapping = Vec::new();
    for (i, (a, _, lo, hi)) in values.iter().enumerate() {
        for (b, _, lo2, hi2) in &values[i + 1..] {
            if lo <= hi2 && lo2 <= hi {
                overlapping.push(format!("{a} and {b}"));
            }
        }
    }
    let pairs = values.len() * (values.len() - 1) / 2;
    let note = match overlapping.len() {
        0 => ".".to_string(),
        n if n == pairs && values.len() > 2 => {
            " — their 90 % ranges all overlap, so these differences may be chance.".to_string()
        }
        _ if values.len() == 2 => {
            " — the 90 % ranges overlap, so this difference may be chance.".to_string()
        }
        _ => format!(
            " — the 90 % ranges of {} overlap, so those differences may be chance.",
            join_list(&overlapping)
        ),
    };
    format!("{label}: {}{note}", join_list(&parts))
}

#[cfg(test)]
mod tests {
    use super::span;
    use crate::date::YearMonth;

    #[test]
    fn spans_read_as_years_or_months() {
        let m = |y, mo| YearMonth::new(y, mo).unwrap();
        assert_eq!(span(m(2016, 1), m(2020, 12)), "2016–2020");
        assert_eq!(span(m(2016, 1), m(2016, 12)), "2016");
        assert_eq!(span(m(2016, 6), m(2016, 6)), "2016-06");
        assert_eq!(span(m(2014, 3), m(2025, 12)), "2014-03 to 2025-12");
    }
}
