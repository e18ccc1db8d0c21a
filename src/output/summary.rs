//! Summaries over replicates: mergeable accumulators of mean, standard deviation
//! and exact quantiles, fed one replicate at a time.

/// The quantiles reported in `summary.csv`.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// Running statistics of one metric at one step of one configuration.
///
/// Mean and variance are updated with Welford's method and merged with the
/// pairwise formula of Chan, Golub & LeVeque (1979); quantiles are exact, from the
/// values themselves (one `f64` per replicate), so accumulators of two slices of
/// a batch merge into exactly what one accumulator of the whole batch holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Accumulator {
    n: u64,
    mean: f64,
    m2: f64,
    values: Vec<f64>,
}

/// The statistics reported for one cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (0 with fewer than two values).
    pub sd: f64,
    /// Quantiles at [`QUANTILES`].
    pub quantiles: [f64; 5],
}

impl Accumulator {
    /// Adds one observation.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
        self.values.push(x);
    }

    /// Adds the observations of another accumulator.
    pub fn merge(&mut self, other: &Accumulator) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = other.clone();
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        self.mean += delta * other.n as f64 / n as f64;
        self.m2 += other.m2 + delta * delta * (self.n as f64 * other.n as f64) / n as f64;
        self.n = n;
        self.values.extend_from_slice(&other.values);
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The statistics, or `None` without observations.
    pub fn stats(&self) -> Option<Stats> {
        if self.n == 0 {
            return None;
        }
        let mut sorted = self.values.clone();
        sorted.sort_by(f64::total_cmp);
        let sd = if self.n > 1 {
            (self.m2 / (self.n - 1) as f64).max(0.0).sqrt()
        } else {
            0.0
        };
        Some(Stats {
            mean: self.mean,
            sd,
            quantiles: QUANTILES.map(|q| quantile(&sorted, q)),
        })
    }
}

/// Quantile of sorted values by linear interpolation between order statistics
/// (Hyndman & Fan 1996 definition 7, the default of R and NumPy).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_a_direct_computation() {
        let xs = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0];
        let mut acc = Accumulator::default();
        xs.iter().for_each(|&x| acc.push(x));
        let s = acc.stats().unwrap();
        // numpy.percentile(xs, [5, 25, 50, 75, 95]) = [1, 2.5, 4, 5, 7.5]
        assert_eq!(s.quantiles, [1.0, 2.5, 4.0, 5.0, 7.5]);
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        assert!((s.mean - mean).abs() < 1e-12 && (s.sd - var.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn merging_two_halves_equals_one_pass() {
        let xs: Vec<f64> = (0..101).map(|i| ((i * 37) % 101) as f64 * 0.37).collect();
        let (mut whole, mut a, mut b) = (
            Accumulator::default(),
            Accumulator::default(),
            Accumulator::default(),
        );
        xs.iter().for_each(|&x| whole.push(x));
        xs[..40].iter().for_each(|&x| a.push(x));
        xs[40..].iter().for_each(|&x| b.push(x));
        a.merge(&b);
        let (s, t) = (whole.stats().unwrap(), a.stats().unwrap());
        assert_eq!(s.quantiles, t.quantiles);
        assert!((s.mean - t.mean).abs() < 1e-12 && (s.sd - t.sd).abs() < 1e-12);
        assert_eq!(a.count(), 101);
    }
}
