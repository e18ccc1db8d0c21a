//! Running a scenario: one model per replicate, each with its own generator
//! derived from the master seed and the replicate index.

use std::time::Instant;

use crate::model::{City, Snapshot, replicate_rng};
use crate::scenario::Scenario;

/// The snapshots of one replicate.
#[derive(Clone, Debug)]
pub struct ReplicateResult {
    /// Replicate index (0-based).
    pub replicate: u32,
    /// Snapshots at the start and every reporting interval.
    pub snapshots: Vec<Snapshot>,
    /// Person-months simulated (residents at the start of each month, summed).
    pub person_months: u64,
}

/// Runs one replicate of a scenario.
pub fn run_replicate(scenario: &Scenario, seed: u64, replicate: u32) -> ReplicateResult {
    let mut city = City::new(
        scenario.params.clone(),
        replicate_rng(seed, replicate as u64),
    );
    let mut snapshots = Vec::new();
    let mut person_months = 0;
    snapshots.push(city.snapshot());
    while !city.finished() {
        person_months += city.residents();
        city.step();
        let every = scenario.params.horizon.report_every as i32;
        if city.month() % every == 0 || city.finished() {
            snapshots.push(city.snapshot());
        }
    }
    ReplicateResult {
        replicate,
        snapshots,
        person_months,
    }
}

/// What a batch produced, with its timing.
#[derive(Clone, Debug)]
pub struct Batch {
    /// One result per replicate, in replicate order.
    pub replicates: Vec<ReplicateResult>,
    /// Wall-clock seconds spent simulating.
    pub seconds: f64,
}

impl Batch {
    /// Person-months simulated over all replicates.
    pub fn person_months(&self) -> u64 {
        self.replicates.iter().map(|r| r.person_months).sum()
    }
}

/// Runs replicates `0..replicates` of a scenario in order.
pub fn run_batch(
    scenario: &Scenario,
    seed: u64,
    replicates: u32,
    mut progress: impl FnMut(u32),
) -> Batch {
    let started = Instant::now();
    let results = (0..replicates)
        .map(|r| {
            let result = run_replicate(scenario, seed, r);
            progress(r);
            result
        })
        .collect();
    Batch {
        replicates: results,
        seconds: started.elapsed().as_secs_f64(),
    }
}
