//! A live run: the batch a `boomtown run` would simulate, kept in memory and
//! summarised for the page (quantiles of every metric at every reporting date,
//! and of every scorecard indicator), with progress by simulated month and a
//! flag that abandons it when the page goes away.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use crate::batch::{Plan, Watch, replicate_seed, simulate_watched};
use crate::error::Error;
use crate::model::metrics::Metric;
use crate::model::scorecard::SCORECARD;
use crate::output::summary::Accumulator;
use crate::scenario::Scenario;

/// Quantiles of one quantity over the replicates: 5 %, 25 %, 50 %, 75 %, 95 %.
#[derive(Clone, Debug, Serialize)]
pub struct Band {
    /// At 5 %.
    pub p05: f64,
    /// At 25 %.
    pub p25: f64,
    /// The median.
    pub p50: f64,
    /// At 75 %.
    pub p75: f64,
    /// At 95 %.
    pub p95: f64,
}

/// One metric over time.
#[derive(Clone, Debug, Serialize)]
pub struct Series {
    /// Column name, as in `timeseries.csv`.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Meaning.
    pub description: String,
    /// Quantiles at each date (`null` where no replicate has a value).
    pub bands: Vec<Option<Band>>,
}

/// One scorecard indicator.
#[derive(Clone, Debug, Serialize)]
pub struct Score {
    /// Name, as in `indicators.csv`.
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// Part of the scorecard.
    pub group: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Meaning.
    pub description: &'static str,
    /// Quantiles over the replicates (`None` where it is undefined in every
    /// replicate, e.g. re-employment without displaced workers).
    pub band: Option<Band>,
}

/// What a live run shows.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// Reporting dates, `YYYY-MM`.
    pub dates: Vec<String>,
    /// Every metric of `timeseries.csv`.
    pub series: Vec<Series>,
    /// The just-transition scorecard.
    pub scorecard: Vec<Score>,
    /// Replicates summarised.
    pub replicates: u32,
    /// Residents simulated, summed over months and replicates.
    pub person_months: u64,
}

/// Progress of a live run, shared with whoever reports it.
#[derive(Debug, Default)]
pub struct Progress {
    /// Months simulated so far, over every replicate.
    pub months: AtomicU64,
    /// Months to simulate in all.
    pub total: AtomicU64,
}

/// Simulates `replicates` replicates of the scenario's first configuration
/// with master seed `seed` on `threads` threads. Returns `Ok(None)` when `stop`
/// was raised before the end.
pub fn simulate(
    scenario: &Scenario,
    seed: u64,
    replicates: u32,
    threads: usize,
    progress: &Progress,
    stop: &AtomicBool,
) -> Result<Option<Outcome>, Error> {
    let plan = Plan {
        seed,
        replicates,
        configurations: 1,
        shard: None,
    };
    plan.check_size()?;
    let jobs = plan.prepare(scenario)?;
    let horizon = &scenario.params.horizon;
    let months_per_job = u64::from(horizon.months + horizon.spin_up_months);
    progress
        .total
        .store(months_per_job * jobs.len() as u64, Ordering::Relaxed);
    let tick = || {
        progress.months.fetch_add(1, Ordering::Relaxed);
    };
    let watch = Watch {
        stop: Some(stop),
        month: Some(&tick),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?;
    let results = Mutex::new(Vec::with_capacity(jobs.len()));
    pool.install(|| {
        jobs.par_iter()
            .enumerate()
            .with_max_len(1)
            .try_for_each(|(i, job)| {
                let id = plan.job(i);
                let seed = replicate_seed(plan.seed, id.replicate);
                if let Some(result) = simulate_watched(job, id, seed, &watch)? {
                    results
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .push(result);
                }
                Ok::<(), Error>(())
            })
    })?;
    if stop.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let mut results = results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Replicates finish in any order; summaries are taken in replicate order so
    // that a run is the same whatever the threads did.
    results.sort_by_key(|r| r.id.index);
    let columns = Metric::columns(&scenario.params);
    let dates: Vec<String> = results
        .first()
        .map(|r| r.snapshots.iter().map(|s| s.date.to_string()).collect())
        .unwrap_or_default();
    let series = columns
        .iter()
        .enumerate()
        .map(|(c, def)| Series {
            name: def.name.clone(),
            unit: def.unit.clone(),
            description: def.description.clone(),
            bands: (0..dates.len())
                .map(|t| {
                    band(
                        results
                            .iter()
                            .filter_map(|r| r.snapshots.get(t).map(|s| s.values[c])),
                    )
                })
                .collect(),
        })
        .collect();
    let scorecard = SCORECARD
        .iter()
        .enumerate()
        .map(|(i, def)| Score {
            name: def.name,
            label: def.label,
            group: def.group.name(),
            unit: def.unit,
            description: def.description,
            band: band(results.iter().map(|r| r.scorecard[i])),
        })
        .collect();
    Ok(Some(Outcome {
        dates,
        series,
        scorecard,
        replicates,
        person_months: results.iter().map(|r| r.person_months).sum(),
    }))
}

/// The quantiles of the finite values, as `summary.csv` computes them.
fn band(values: impl Iterator<Item = f64>) -> Option<Band> {
    let mut acc = Accumulator::default();
    values.filter(|v| v.is_finite()).for_each(|v| acc.push(v));
    acc.stats().map(|s| {
        let [p05, p25, p50, p75, p95] = s.quantiles;
        Band {
            p05,
            p25,
            p50,
            p75,
            p95,
        }
    })
}
