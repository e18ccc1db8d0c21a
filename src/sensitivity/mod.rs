//! Global sensitivity analysis: which uncertain parameters drive which outputs.
//!
//! The designs (points in the unit hypercube, one coordinate per uncertain
//! parameter, mapped to each parameter's distribution by its quantile function)
//! and the estimators, with no knowledge of the model, files or threads:
//!
//! - [`sampling`]: Latin hypercube samples, and Saltelli's base matrices from an
//!   Owen-scrambled Sobol sequence;
//! - [`sobol`]: first-order and total Sobol indices (Saltelli et al. 2010 and
//!   Jansen 1999 estimators) with bootstrap intervals;
//! - [`morris`]: Morris's elementary-effects screening (Morris 1991, with the
//!   μ* of Campolongo, Cariboni & Saltelli 2007).
//!
//! The estimators are checked against functions whose indices are known
//! (Ishigami, Sobol's g-function) and against SALib on the same samples
//! (`tests/sensitivity.rs`).

pub mod morris;
pub mod sampling;
pub mod sobol;

use rand::{Rng, RngExt};

/// A point estimate with a bootstrap interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The estimate from the whole sample.
    pub value: f64,
    /// Lower end of the bootstrap percentile interval.
    pub low: f64,
    /// Upper end of the bootstrap percentile interval.
    pub high: f64,
}

/// Percentile bootstrap: `statistic` on the whole sample of `n` items, and
/// the `(1 − confidence)/2` and `(1 + confidence)/2` quantiles of `resamples`
/// recomputations on samples of `n` items drawn with replacement (the indices
/// are handed to `statistic`).
pub fn bootstrap<R: Rng + ?Sized>(
    n: usize,
    resamples: usize,
    confidence: f64,
    rng: &mut R,
    statistic: impl Fn(&mut dyn Iterator<Item = usize>) -> f64,
) -> Estimate {
    let value = statistic(&mut (0..n));
    if n == 0 || resamples == 0 {
        return Estimate {
            value,
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    let mut draws: Vec<f64> = (0..resamples)
        .map(|_| {
            let picks: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            statistic(&mut picks.into_iter())
        })
        .collect();
    draws.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let i = (q * (resamples - 1) as f64).round() as usize;
        draws[i.min(resamples - 1)]
    };
    Estimate {
        value,
        low: at((1.0 - confidence) / 2.0),
        high: at((1.0 + confidence) / 2.0),
    }
}
