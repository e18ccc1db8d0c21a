//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC, also
//! called ABC population Monte Carlo): the parts that do not know the model.
//!
//! Parameters live in the unit hypercube: coordinate `u` of a particle is the
//! quantile of its parameter's prior, so every prior is uniform there and the
//! prior density is constant inside the cube. A population is a set of
//! weighted particles; the next one is made by picking a particle by weight,
//! moving each coordinate by a normal step (a truncated normal, redrawn until
//! it is inside `[0, 1]`) of standard deviation `sqrt(2 · weighted variance)`
//! of that coordinate in the population (Beaumont, Cornuet, Marin & Robert
//! 2009), keeping it if its simulation lands within the tolerance, and
//! weighting it by prior over proposal density (Toni et al. 2009). The
//! tolerance of each generation is a quantile of the previous generation's
//! distances (Drovandi & Pettitt 2011; Del Moral, Doucet & Jasra 2012).

use rand::{Rng, RngExt};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

/// A weighted set of particles.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Population {
    /// Each particle's coordinates in the unit hypercube.
    pub particles: Vec<Vec<f64>>,
    /// Each particle's weight; they sum to one.
    pub weights: Vec<f64>,
    /// Each particle's distance to the observations.
    pub distances: Vec<f64>,
}

/// Smallest kernel scale, so that a population that has collapsed on one
/// value can still move.
const MIN_SCALE: f64 = 1e-4;

impl Population {
    /// Number of parameters.
    pub fn dimensions(&self) -> usize {
        self.particles.first().map_or(0, Vec::len)
    }

    /// The standard deviation of the perturbation of each coordinate:
    /// `sqrt(2 · weighted variance)` of the population (Beaumont et al. 2009).
    pub fn kernel_scales(&self) -> Vec<f64> {
        (0..self.dimensions())
            .map(|d| {
                let mean: f64 = self
                    .particles
                    .iter()
                    .zip(&self.weights)
                    .map(|(p, w)| w * p[d])
                    .sum();
                let var: f64 = self
                    .particles
                    .iter()
                    .zip(&self.weights)
                    .map(|(p, w)| w * (p[d] - mean).powi(2))
                    .sum();
                (2.0 * var).sqrt().max(MIN_SCALE)
            })
            .collect()
    }

    /// A new candidate: a particle picked by weight, each coordinate moved by
    /// a normal step of its scale, redrawn until it falls inside `[0, 1]`.
    pub fn propose<R: Rng + ?Sized>(&self, scales: &[f64], rng: &mut R) -> Vec<f64> {
        let parent = &self.particles[pick(&self.weights, rng)];
        parent
            .iter()
            .zip(scales)
            .map(|(&x, &s)| {
                let step = Normal::new(0.0, s).expect("a positive scale");
                loop {
                    let y = x + rand_distr::Distribution::sample(&step, rng);
                    if (0.0..=1.0).contains(&y) {
                        return y;
                    }
                }
            })
            .collect()
    }

    /// The importance weight (before normalisation) of an accepted candidate
    /// `u` made by [`Population::propose`]: the prior density (constant in the
    /// cube) over the density of proposing it,
    /// `1 / Σ_j w_j Π_d φ((u_d − p_jd)/s_d) / (s_d Z_jd)`, with `Z_jd` the mass
    /// of that normal inside `[0, 1]`.
    pub fn weight_of(&self, u: &[f64], scales: &[f64]) -> f64 {
        let std = Normal::new(0.0, 1.0).expect("the standard normal");
        let density: f64 = self
            .particles
            .iter()
            .zip(&self.weights)
            .map(|(p, w)| {
                let k: f64 = u
                    .iter()
                    .zip(p)
                    .zip(scales)
                    .map(|((&x, &m), &s)| {
                        let mass = std.cdf((1.0 - m) / s) - std.cdf(-m / s);
                        std.pdf((x - m) / s) / (s * mass.max(f64::MIN_POSITIVE))
                    })
                    .product();
                w * k
            })
            .sum();
        if density > 0.0 { 1.0 / density } else { 0.0 }
    }

    /// Effective sample size of the weights, `1 / Σ w²`.
    pub fn effective_sample_size(&self) -> f64 {
        1.0 / self.weights.iter().map(|w| w * w).sum::<f64>()
    }
}

/// Normalises weights to sum to one (all equal if they sum to zero).
pub fn normalise(weights: &mut [f64]) {
    let total: f64 = weights.iter().sum();
    let n = weights.len() as f64;
    for w in weights.iter_mut() {
        *w = if total > 0.0 { *w / total } else { 1.0 / n };
    }
}

/// An index drawn with probability proportional to its weight.
fn pick<R: Rng + ?Sized>(weights: &[f64], rng: &mut R) -> usize {
    let u: f64 = rng.random::<f64>() * weights.iter().sum::<f64>();
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc {
            return i;
        }
    }
    weights.len() - 1
}

/// The `q`-quantile of values with weights (the smallest value whose
/// cumulative weight reaches `q`); NaN values are left out.
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(v, _)| v.is_finite())
        .map(|(&v, &w)| (v, w))
        .collect();
    if pairs.is_empty() {
        return f64::NAN;
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    for (v, w) in &pairs {
        acc += w / total;
        if acc >= q - 1e-12 {
            return *v;
        }
    }
    pairs[pairs.len() - 1].0
}

/// The unweighted `q`-quantile of the finite distances (the next tolerance).
pub fn tolerance(distances: &[f64], q: f64) -> f64 {
    let ones = vec![1.0; distances.len()];
    weighted_quantile(distances, &ones, q)
}
