//! Designs in the unit hypercube `[0, 1)^k`.

use rand::seq::SliceRandom;
use rand::{Rng, RngExt};

/// Most points a Sobol-sequence design can have per matrix (the sequence's
/// length in `sobol_burley`).
pub const MAX_SOBOL_POINTS: usize = 1 << 16;

/// Most parameters a Saltelli design can have (two matrices of that many
/// columns each, within the sequence's 256 dimensions).
pub const MAX_SOBOL_PARAMETERS: usize = 128;

/// A Latin hypercube sample of `n` points in `k` dimensions (McKay, Beckman &
/// Conover 1979): in every dimension each of the `n` equal strata holds
/// exactly one point, uniformly placed within it, and the strata are paired
/// across dimensions at random.
pub fn latin_hypercube<R: Rng + ?Sized>(n: usize, k: usize, rng: &mut R) -> Vec<Vec<f64>> {
    let mut points = vec![vec![0.0; k]; n];
    let mut strata: Vec<usize> = (0..n).collect();
    for d in 0..k {
        strata.shuffle(rng);
        for (point, &s) in points.iter_mut().zip(&strata) {
            point[d] = (s as f64 + rng.random::<f64>()) / n as f64;
        }
    }
    points
}

/// Saltelli's design for first-order and total indices (Saltelli et al. 2010):
/// two independent base matrices `A` and `B` of `n` rows and `k` columns, taken
/// from one Owen-scrambled Sobol sequence of `2k` dimensions (`A` the first
/// `k`, `B` the next `k`), and the `k` matrices `A_B^(i)`: `A` with its column
/// `i` taken from `B`.
#[derive(Clone, Debug, PartialEq)]
pub struct Saltelli {
    /// Base matrix `A`, `n` rows.
    pub a: Vec<Vec<f64>>,
    /// Base matrix `B`, `n` rows.
    pub b: Vec<Vec<f64>>,
}

impl Saltelli {
    /// The base matrices for `n` rows and `k` parameters; `seed` picks one of
    /// the sequence's independent scramblings.
    pub fn new(n: usize, k: usize, seed: u32) -> Result<Self, String> {
        if n == 0 || n > MAX_SOBOL_POINTS {
            return Err(format!(
                "expected between 1 and {MAX_SOBOL_POINTS} base samples, found {n}"
            ));
        }
        if k == 0 || k > MAX_SOBOL_PARAMETERS {
            return Err(format!(
                "expected between 1 and {MAX_SOBOL_PARAMETERS} parameters, found {k}"
            ));
        }
        let row = |i: usize, first: usize| -> Vec<f64> {
            (0..k)
                .map(|d| {
                    let u = sobol_burley::sample(i as u32, (first + d) as u32, seed) as f64;
                    // The sequence's f32 values can round to 1.0 in f64 terms
                    // only if they are 1.0; keep them inside [0, 1).
                    u.min(1.0 - f64::EPSILON)
                })
                .collect()
        };
        Ok(Saltelli {
            a: (0..n).map(|i| row(i, 0)).collect(),
            b: (0..n).map(|i| row(i, k)).collect(),
        })
    }

    /// Rows of each matrix.
    pub fn n(&self) -> usize {
        self.a.len()
    }

    /// Parameters.
    pub fn k(&self) -> usize {
        self.a.first().map_or(0, Vec::len)
    }

    /// Every point to evaluate, `n (k + 2)` of them, in blocks: the rows of
    /// `A`, the rows of `B`, then the rows of `A_B^(1)`, ..., `A_B^(k)`.
    pub fn points(&self) -> Vec<Vec<f64>> {
        let mut out = Vec::with_capacity(self.n() * (self.k() + 2));
        out.extend(self.a.iter().cloned());
        out.extend(self.b.iter().cloned());
        for i in 0..self.k() {
            out.extend(self.a.iter().zip(&self.b).map(|(a, b)| {
                let mut row = a.clone();
                row[i] = b[i];
                row
            }));
        }
        out
    }
}
