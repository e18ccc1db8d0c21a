//! The policies and events marked on time axes. A sweep may switch a policy off
//! in some of its configurations (no retraining seats, say): its marker then
//! names where it is off, and a policy off everywhere is not marked at all, so
//! that no chart shows a policy where none ran.

use super::data::configuration_label;
use super::draw::Marker;
use crate::error::Error;
use crate::model::params::{Policy, PolicyAction};
use crate::scenario::Scenario;

/// The markers of a scenario, over all its configurations.
pub fn markers(s: &Scenario) -> Result<Vec<Marker>, Error> {
    let n = s.configurations();
    // Each distinct marker with the configurations in which its policy acts.
    let mut found: Vec<(Marker, Vec<usize>)> = Vec::new();
    for c in 0..n {
        let params = s.configuration_params(c)?;
        for p in params.policies.iter().filter(|p| p.action.has_effect()) {
            let m = marker(p);
            match found.iter_mut().find(|(x, _)| *x == m) {
                Some((_, on)) => on.push(c),
                None => found.push((m, vec![c])),
            }
        }
    }
    Ok(found
        .into_iter()
        .map(|(mut m, on)| {
            if on.len() < n {
                m.label = format!("{} {}", m.label, where_on(s, &on, n));
            }
            m
        })
        .collect())
}

/// Where a policy acts, when not in every configuration: the fewer of the
/// configurations where it acts or does not, named when there are few.
fn where_on(s: &Scenario, on: &[usize], n: usize) -> String {
    let off: Vec<usize> = (0..n).filter(|c| !on.contains(c)).collect();
    let names = |cs: &[usize]| {
        cs.iter()
            .map(|&c| configuration_label(&s.design.configuration(c)))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    if off.len() <= 2 && off.len() <= on.len() {
        format!("— not where {}", names(&off))
    } else if on.len() <= 2 {
        format!("— only where {}", names(on))
    } else {
        format!("— in {} of {n} configurations", on.len())
    }
}

/// The marker of one policy: its name, its kind when the name does not say it,
/// and its years.
fn marker(p: &Policy) -> Marker {
    let kind = match p.action {
        PolicyAction::Retraining { .. } => "retraining",
        PolicyAction::ClusterInvestment { .. } => "cluster investment",
        PolicyAction::EarlyRetirement { .. } => "early retirement",
        PolicyAction::PublicJobs { .. } => "public jobs",
        PolicyAction::LayoffWave { .. } => "layoff wave",
        PolicyAction::DemandShock { .. } => "demand shock",
    };
    // Where spans overlap, only the years in the label tell where each one ends.
    let years = if p.end.year() > p.start.year() {
        format!("{}–{}", p.start.year(), p.end.year())
    } else {
        p.start.year().to_string()
    };
    let name = p.name.replace('_', " ");
    // "retraining (retraining, 2014)" says the kind twice.
    let label = if name == kind {
        format!("{name} ({years})")
    } else {
        format!("{name} ({kind}, {years})")
    };
    Marker {
        label,
        start: p.start.as_year_fraction(),
        end: p.end.plus(1).as_year_fraction(),
    }
}
