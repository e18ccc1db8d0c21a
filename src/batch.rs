//! A batch: the jobs (configuration × replicate) of a scenario, the slice of them a
//! shard runs, and running them in parallel with rayon.
//!
//! Each job is fully determined by (scenario, master seed, configuration,
//! replicate): its seed derives from the master seed and the replicate index
//! only, so replicate `r` sees the same random numbers in every configuration
//! (common random numbers), and the result of a job does not depend on which
//! thread runs it or on how the batch is split.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{Error, ScenarioError};
use crate::model::{City, Snapshot, model_rng};
use crate::scenario::{Job, Scenario};

/// The seed of a replicate, derived from the master seed and its index.
pub fn replicate_seed(master: u64, replicate: u32) -> u64 {
    let digest = Sha256::digest(format!("boomtown replicate {master} {replicate}").as_bytes());
    u64::from_le_bytes(digest[..8].try_into().expect("a digest has 32 bytes"))
}

/// Most jobs (replicates x configurations) one process prepares and runs; each
/// prepared job holds its parameters in memory until it runs.
pub const MAX_JOBS: usize = 1_000_000;

/// The K-th of N slices of a batch (1-based K).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This slice, 1..=count.
    pub index: u32,
    /// Number of slices.
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (e.g. 3/10), found `{s}`");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What to run: the scenario's jobs, possibly one shard of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Master seed.
    pub seed: u64,
    /// Replicates per configuration.
    pub replicates: u32,
    /// Number of configurations.
    pub configurations: usize,
    /// The slice run here, if any.
    pub shard: Option<Shard>,
}

/// One job: a replicate of a configuration, by its index in the batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobId {
    /// Index in the whole batch (configuration-major).
    pub index: usize,
    /// Configuration index.
    pub configuration: usize,
    /// Replicate index.
    pub replicate: u32,
}

impl Plan {
    /// Jobs in the whole batch (saturating: [`Plan::check_size`] refuses a
    /// batch that large).
    pub fn total_jobs(&self) -> usize {
        self.configurations.saturating_mul(self.replicates as usize)
    }

    /// The range of job indices this plan runs: all of them, or a shard's
    /// contiguous slice (slices differ in size by at most one job).
    pub fn job_range(&self) -> std::ops::Range<usize> {
        let total = self.total_jobs();
        match self.shard {
            None => 0..total,
            Some(Shard { index, count }) => {
                // In 128 bits, so that no product of a job count and a shard
                // number can overflow.
                let at = |k: u32| (total as u128 * k as u128 / count as u128) as usize;
                at(index - 1)..at(index)
            }
        }
    }

    /// Refuses, before anything is drawn or allocated, a batch whose job count
    /// overflows or whose jobs this process runs exceed [`MAX_JOBS`].
    pub fn check_size(&self) -> Result<(), Error> {
        let total = self.configurations.checked_mul(self.replicates as usize);
        let here = self.job_range().len();
        if total.is_some() && here <= MAX_JOBS {
            return Ok(());
        }
        Err(Error::Usage(format!(
            "{} replicates x {} configurations make {} runs for this process; at most {MAX_JOBS} \
             are allowed in one process: use fewer --replicates or split the batch with --shard K/N",
            self.replicates,
            self.configurations,
            total.map_or("too many".to_string(), |t| here.min(t).to_string())
        )))
    }

    /// The job with a given index.
    pub fn job(&self, index: usize) -> JobId {
        let r = self.replicates as usize;
        JobId {
            index,
            configuration: index / r,
            replicate: (index % r) as u32,
        }
    }

    /// Draws and validates the parameters of every job this plan runs, so that an
    /// invalid draw is reported before anything is simulated or written.
    pub fn prepare(&self, scenario: &Scenario) -> Result<Vec<Job>, ScenarioError> {
        let hypercube = scenario.latin_hypercube(self.seed, self.replicates);
        self.job_range()
            .map(|i| {
                let id = self.job(i);
                match &hypercube {
                    Some(points) => scenario.job_at_quantiles(
                        id.configuration,
                        id.replicate,
                        &points[id.replicate as usize],
                    ),
                    None => scenario.job(
                        id.configuration,
                        id.replicate,
                        replicate_seed(self.seed, id.replicate),
                    ),
                }
            })
            .collect()
    }
}

/// The result of one job.
#[derive(Clone, Debug)]
pub struct JobResult {
    /// Which job.
    pub id: JobId,
    /// The replicate's seed.
    pub seed: u64,
    /// Snapshots at the start and every reporting interval.
    pub snapshots: Vec<Snapshot>,
    /// The just-transition scorecard at the end (one value per indicator).
    pub scorecard: Vec<f64>,
    /// Residents at the start of each simulated month, summed.
    pub person_months: u64,
    /// Seconds of computing spent on the job.
    pub seconds: f64,
}

/// Most residents a replicate may reach: four times its initial population (or
/// 10,000 more for a very small city), and never more than 100 million. Resource
/// cities do not quadruple within a scenario's horizon; a replicate that does is
/// a runaway (in-migration or policies feeding on themselves) that would
/// otherwise run until memory is exhausted.
pub fn population_limit(initial: u64) -> u64 {
    initial
        .saturating_mul(4)
        .max(initial.saturating_add(10_000))
        .min(100_000_000)
}

/// Simulates one job; fails if the city outgrows [`population_limit`].
pub fn simulate(job: &Job, id: JobId, seed: u64) -> Result<JobResult, Error> {
    let result = simulate_watched(job, id, seed, &Watch::NONE)?;
    Ok(result.expect("a job that nothing stops runs to its end"))
}

/// What watches a job month by month: a flag that abandons it, and a callback
/// told of every simulated month (for progress within a long replicate).
pub struct Watch<'a> {
    /// Raised to abandon the job at the end of the current month.
    pub stop: Option<&'a AtomicBool>,
    /// Called after every simulated month.
    pub month: Option<&'a (dyn Fn() + Sync)>,
}

impl Watch<'_> {
    /// Nothing watches: the job runs to its end.
    pub const NONE: Watch<'static> = Watch {
        stop: None,
        month: None,
    };
}

/// [`simulate`], watched: `Ok(None)` when the job was abandoned because the
/// stop flag was raised.
pub fn simulate_watched(
    job: &Job,
    id: JobId,
    seed: u64,
    watch: &Watch<'_>,
) -> Result<Option<JobResult>, Error> {
    let started = Instant::now();
    let mut city = City::new(job.params.clone(), model_rng(seed));
    let limit = population_limit(city.initial_residents());
    let mut snapshots = vec![city.snapshot()];
    let mut person_months = 0;
    let every = job.params.horizon.report_every as i32;
    while !city.finished() {
        if watch.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Ok(None);
        }
        person_months += city.residents();
        city.step();
        if let Some(month) = watch.month {
            month();
        }
        if city.residents() > limit {
            return Err(Error::Runaway(format!(
                "replicate {} of configuration {}: the city grew from {} to {} residents by month {} \
                 of the run, past the limit of {limit} (four times its initial population, or 10,000 \
                 more for a small city); the \
                 scenario's in-migration or policies make it grow without bound (check the \
                 `migration` settings and growth policies such as `public_jobs` and \
                 `cluster_investment`)",
                id.replicate,
                id.configuration,
                city.initial_residents(),
                city.residents(),
                city.month()
            )));
        }
        if city.month() % every == 0 || city.finished() {
            snapshots.push(city.snapshot());
        }
    }
    Ok(Some(JobResult {
        id,
        seed,
        scorecard: city.scorecard(),
        snapshots,
        person_months,
        seconds: started.elapsed().as_secs_f64(),
    }))
}

/// Runs jobs on `threads` threads, handing each result to `done` as it finishes
/// (in completion order). Jobs not yet started when `stop` is raised are skipped.
/// Returns the first error `done` reported, if any.
pub fn run_parallel(
    plan: &Plan,
    jobs: &[(JobId, &Job)],
    threads: usize,
    stop: &AtomicBool,
    done: impl Fn(JobResult) -> Result<(), Error> + Sync,
) -> Result<(), Error> {
    run_each(jobs, threads, stop, |&(id, job)| {
        simulate(job, id, replicate_seed(plan.seed, id.replicate)).and_then(&done)
    })
}

/// Does `work` for every item on `threads` threads, one item per thread at a
/// time. Items not yet started when `stop` is raised, or once one failed, are
/// skipped; returns the first error.
pub fn run_each<T: Sync>(
    items: &[T],
    threads: usize,
    stop: &AtomicBool,
    work: impl Fn(&T) -> Result<(), Error> + Sync,
) -> Result<(), Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?;
    let failed = AtomicBool::new(false);
    pool.install(|| {
        items.par_iter().with_max_len(1).try_for_each(|item| {
            if stop.load(Ordering::Relaxed) || failed.load(Ordering::Relaxed) {
                return Ok(());
            }
            work(item).inspect_err(|_| failed.store(true, Ordering::Relaxed))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_job_once() {
        for total_reps in [1u32, 7, 10] {
            for n in 1..=5u32 {
                let mut seen = Vec::new();
                for k in 1..=n {
                    let plan = Plan {
                        seed: 1,
                        replicates: total_reps,
                        configurations: 3,
                        shard: Some(Shard { index: k, count: n }),
                    };
                    seen.extend(plan.job_range());
                }
                assert_eq!(seen, (0..3 * total_reps as usize).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn parses_shards() {
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { index: 2, count: 5 }));
        for bad in ["0/5", "6/5", "5", "a/b", "1/0", "", "4294967296/4294967297"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shard_ranges_do_not_overflow_with_huge_numbers() {
        let big = Plan {
            seed: 1,
            replicates: u32::MAX,
            configurations: 100_000,
            shard: Some(Shard {
                index: u32::MAX,
                count: u32::MAX,
            }),
        };
        let range = big.job_range();
        assert_eq!(range.end, big.total_jobs());
        assert!(range.len() <= big.total_jobs() / (u32::MAX as usize) + 1);
        assert!(big.check_size().is_ok(), "one slice of 100,000 jobs");
        let whole = Plan { shard: None, ..big };
        assert!(whole.check_size().is_err());
    }

    #[test]
    fn replicate_seeds_differ_and_are_stable() {
        assert_ne!(replicate_seed(1, 0), replicate_seed(1, 1));
        assert_ne!(replicate_seed(1, 0), replicate_seed(2, 0));
        assert_eq!(replicate_seed(1, 3), replicate_seed(1, 3));
    }
}
