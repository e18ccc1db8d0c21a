//! First-order and total Sobol indices from Saltelli's design.
//!
//! With `f(A)`, `f(B)` and `f(A_B^(i))` the outputs at the rows of the base
//! matrices and of `A` with column `i` from `B` (see
//! [`Saltelli`](super::sampling::Saltelli)), and `V` the variance of the
//! outputs at the rows of `A` and `B` together:
//!
//! ```text
//! S_i  = mean( (f(B) − c) · (f(A_B^(i)) − f(A)) ) / V    Saltelli et al. 2010, table 2 (b)
//! ST_i = mean( (f(A) − f(A_B^(i)))² ) / (2 V)            Jansen 1999; Saltelli et al. 2010, table 2 (f)
//! ```
//!
//! where `c` is the mean of all the outputs: centring does not change what the
//! estimator estimates, but removes a bias of the first-order index when the
//! outputs' mean is far from zero (SALib centres the same way). These are the
//! estimators of SALib's `sobol.analyze`. Intervals are percentile bootstraps
//! over the rows.

use rand::Rng;

use super::{Estimate, bootstrap};

/// The indices of one parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Indices {
    /// First-order index: the share of the output's variance due to this
    /// parameter alone.
    pub first: Estimate,
    /// Total index: the share due to this parameter, alone and in interaction
    /// with any others.
    pub total: Estimate,
}

/// Outputs of a Saltelli design split by block.
#[derive(Clone, Debug)]
pub struct Outputs<'a> {
    /// `f(A)`, one per row.
    pub a: &'a [f64],
    /// `f(B)`, one per row.
    pub b: &'a [f64],
    /// `f(A_B^(i))` for every parameter `i`, each one per row.
    pub ab: Vec<&'a [f64]>,
    /// Mean of all the outputs.
    center: f64,
}

impl<'a> Outputs<'a> {
    /// The outputs of the blocks `A`, `B` and `A_B^(i)`, of the same length.
    pub fn new(a: &'a [f64], b: &'a [f64], ab: Vec<&'a [f64]>) -> Self {
        let count = a.len() * (2 + ab.len());
        let sum: f64 = a
            .iter()
            .chain(b)
            .chain(ab.iter().flat_map(|x| x.iter()))
            .sum();
        Outputs {
            a,
            b,
            ab,
            center: sum / count as f64,
        }
    }

    /// Splits the outputs of [`Saltelli::points`](super::sampling::Saltelli::points)
    /// (blocks `A`, `B`, `A_B^(1)`, ..., `A_B^(k)` of `n` rows each).
    pub fn split(y: &'a [f64], n: usize) -> Self {
        let k = (y.len() / n).saturating_sub(2);
        let ab = (0..k).map(|i| &y[(2 + i) * n..(3 + i) * n]).collect();
        Outputs::new(&y[..n], &y[n..2 * n], ab)
    }
}

/// Variance (population, divisor `m`) of the outputs at the rows `rows` of
/// `A` and of `B` together.
fn variance(y: &Outputs, rows: &[usize]) -> f64 {
    let m = 2.0 * rows.len() as f64;
    let mean = rows.iter().map(|&j| y.a[j] + y.b[j]).sum::<f64>() / m;
    rows.iter()
        .map(|&j| (y.a[j] - mean).powi(2) + (y.b[j] - mean).powi(2))
        .sum::<f64>()
        / m
}

/// First-order index of parameter `i` over the rows `rows`.
pub fn first_order(y: &Outputs, i: usize, rows: &[usize]) -> f64 {
    let n = rows.len() as f64;
    let num = rows
        .iter()
        .map(|&j| (y.b[j] - y.center) * (y.ab[i][j] - y.a[j]))
        .sum::<f64>()
        / n;
    num / variance(y, rows)
}

/// Total index of parameter `i` over the rows `rows`.
pub fn total_order(y: &Outputs, i: usize, rows: &[usize]) -> f64 {
    let n = rows.len() as f64;
    let num = rows
        .iter()
        .map(|&j| (y.a[j] - y.ab[i][j]).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    num / variance(y, rows)
}

/// Both indices of every parameter, with percentile bootstrap intervals of
/// level `confidence` from `resamples` resamplings of the rows. An output that
/// does not vary gives indices that are not numbers (NaN): nothing drives it.
pub fn indices<R: Rng + ?Sized>(
    y: &Outputs,
    resamples: usize,
    confidence: f64,
    rng: &mut R,
) -> Vec<Indices> {
    let n = y.a.len();
    (0..y.ab.len())
        .map(|i| {
            let first = bootstrap(n, resamples, confidence, rng, |rows| {
                first_order(y, i, &rows.collect::<Vec<_>>())
            });
            let total = bootstrap(n, resamples, confidence, rng, |rows| {
                total_order(y, i, &rows.collect::<Vec<_>>())
            });
            Indices { first, total }
        })
        .collect()
}
