//! Morris's elementary-effects screening (Morris 1991).
//!
//! A trajectory starts at a random point of a grid of `levels` values per
//! parameter (`0, 1/(levels−1), ..., 1`) and moves one parameter at a time, in
//! random order, by `Δ = levels / (2 (levels − 1))` up or down. The elementary
//! effect of the parameter moved is the change of the output divided by the
//! signed step. Over `r` trajectories, each parameter has `r` effects:
//!
//! - `μ`, their mean (its sign says which way the parameter pushes);
//! - `μ*`, the mean of their absolute values (Campolongo, Cariboni & Saltelli
//!   2007): how much the parameter matters, used to rank them;
//! - `σ`, their standard deviation (divisor `r − 1`): how much the effect
//!   depends on where the others are, i.e. nonlinearity or interaction.
//!
//! These are SALib's `morris.analyze` statistics; the interval on `μ*` is a
//! percentile bootstrap over trajectories. Effects are in the unit scale of
//! the design (a step of Δ in a parameter's quantile), as in SALib.

use rand::seq::SliceRandom;
use rand::{Rng, RngExt};

use super::{Estimate, bootstrap};

/// Step between the two points of an elementary effect, in the unit scale.
pub fn delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// `r` trajectories of `k + 1` points each in `k` dimensions, on a grid of
/// `levels` values (an even number, at least 2), concatenated: trajectory `t`
/// is points `t (k + 1)` to `t (k + 1) + k`.
pub fn trajectories<R: Rng + ?Sized>(
    r: usize,
    k: usize,
    levels: usize,
    rng: &mut R,
) -> Vec<Vec<f64>> {
    let step = delta(levels);
    let grid = (levels - 1) as f64;
    // Starting levels that leave room for a step up: 0 ..= levels/2 − 1.
    let low_levels = levels / 2;
    let mut out = Vec::with_capacity(r * (k + 1));
    let mut order: Vec<usize> = (0..k).collect();
    for _ in 0..r {
        // Each parameter moves between a lower value and that value plus Δ,
        // starting at either end.
        let lower: Vec<f64> = (0..k)
            .map(|_| rng.random_range(0..low_levels) as f64 / grid)
            .collect();
        let mut x: Vec<f64> = lower
            .iter()
            .map(|&lo| if rng.random::<bool>() { lo + step } else { lo })
            .collect();
        order.shuffle(rng);
        out.push(x.clone());
        for &i in &order {
            x[i] = if x[i] > lower[i] {
                lower[i]
            } else {
                lower[i] + step
            };
            out.push(x.clone());
        }
    }
    out
}

/// The statistics of one parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effects {
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect, with its bootstrap interval.
    pub mu_star: Estimate,
    /// Standard deviation of the elementary effects.
    pub sigma: f64,
}

/// The elementary effects of each of `k` parameters (one per trajectory, in
/// trajectory order), from the points of consecutive trajectories of `k + 1`
/// points and their outputs `y`. The parameter moved between two points is the
/// one coordinate that differs; the effect is the change of `y` over the
/// signed step.
pub fn elementary_effects(
    points: &[Vec<f64>],
    y: &[f64],
    k: usize,
) -> Result<Vec<Vec<f64>>, String> {
    if points.len() != y.len() || !points.len().is_multiple_of(k + 1) {
        return Err(format!(
            "expected trajectories of {} points with one output each, found {} points and {} outputs",
            k + 1,
            points.len(),
            y.len()
        ));
    }
    let mut effects = vec![Vec::with_capacity(points.len() / (k + 1)); k];
    for (t, trajectory) in points.chunks(k + 1).enumerate() {
        let outputs = &y[t * (k + 1)..(t + 1) * (k + 1)];
        for s in 0..k {
            let (from, to) = (&trajectory[s], &trajectory[s + 1]);
            let moved: Vec<usize> = (0..k).filter(|&i| from[i] != to[i]).collect();
            let &[i] = moved.as_slice() else {
                return Err(format!(
                    "trajectory {t}, step {s}: expected one parameter to move, found {}",
                    moved.len()
                ));
            };
            effects[i].push((outputs[s + 1] - outputs[s]) / (to[i] - from[i]));
        }
    }
    Ok(effects)
}

/// `μ`, `μ*` (with a percentile bootstrap interval of level `confidence` over
/// `resamples` resamplings of the trajectories) and `σ` of each parameter's
/// elementary effects.
pub fn statistics<R: Rng + ?Sized>(
    effects: &[Vec<f64>],
    resamples: usize,
    confidence: f64,
    rng: &mut R,
) -> Vec<Effects> {
    effects
        .iter()
        .map(|ee| {
            let r = ee.len() as f64;
            let mu = ee.iter().sum::<f64>() / r;
            let sigma = if ee.len() > 1 {
                (ee.iter().map(|e| (e - mu).powi(2)).sum::<f64>() / (r - 1.0)).sqrt()
            } else {
                f64::NAN
            };
            let mu_star = bootstrap(ee.len(), resamples, confidence, rng, |picks| {
                let (mut sum, mut count) = (0.0, 0usize);
                for j in picks {
                    sum += ee[j].abs();
                    count += 1;
                }
                sum / count as f64
            });
            Effects { mu, mu_star, sigma }
        })
        .collect()
}
