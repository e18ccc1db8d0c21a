//! Random draws used by the model: event counts per group, and the thinning step
//! that turns a group count into exact per-person hazards.

use rand::{Rng, RngExt};
use rand_distr::{Binomial, Distribution, Poisson};

/// A Binomial(n, p) draw; `p` is clamped to 0..=1.
pub fn binomial<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    if n == 0 || p.is_nan() || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    inversion(rng, n, p).unwrap_or_else(|| Binomial::new(n, p).map(|d| d.sample(rng)).unwrap_or(0))
}

/// Most binomial draws of a month have a small mean (a few hires, leavers or
/// births in a group), and `rand_distr` draws those by inversion (BINV, the
/// method of Kachitvichyanukul and Schmeiser): one uniform walked down the
/// probabilities from P(X = 0) = q^n. Setting it up computed q^n with `powf`,
/// which cost more than the draw itself. This is the same inversion on the
/// same uniform, with q^n by repeated squaring (`powi`): the same draws up to
/// the last bits of P(X = 0). It is used where `rand_distr` would use BINV
/// (a mean under 10) and `n` is small enough for the squarings to stay within
/// about 1e-11 of q^n; `None` leaves the other cases to `rand_distr`.
fn inversion<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> Option<u64> {
    // Constants of `rand_distr`'s BINV: its mean threshold, and the count past
    // which a walk that round-off has kept going starts again.
    const MEAN_LIMIT: f64 = 10.0;
    const MAX_X: u64 = 110;
    const MAX_N: u64 = 1 << 16;
    let flipped = p > 0.5;
    let p = if flipped { 1.0 - p } else { p };
    let q = 1.0 - p;
    if n > MAX_N || n as f64 * p >= MEAN_LIMIT || q == 1.0 {
        return None;
    }
    let s = p / q;
    let a = (n as f64 + 1.0) * s;
    let none = power(q, n as u32);
    let x = 'walk: loop {
        let (mut r, mut u, mut x) = (none, rng.random::<f64>(), 0);
        while u > r {
            u -= r;
            x += 1;
            if x > MAX_X {
                continue 'walk;
            }
            r *= a / x as f64 - s;
        }
        break x;
    };
    Some(if flipped { n - x } else { x })
}

/// `q^n` by the square and multiply of `f64::powi` (the runtime's
/// `__powidf2`): the same products in the same order, so the same bits, but
/// each bit of `n` chooses its factor (`q^(2^i)` or an exact 1) without a
/// branch. `powi` branches on every bit, and those branches, taken at random
/// from one draw to the next, were mispredicted more often than any other
/// in the monthly step.
fn power(q: f64, n: u32) -> f64 {
    let (mut square, mut bits, mut product) = (q, n, 1.0_f64);
    loop {
        // All ones when the bit is set, else zero: the factor is picked by
        // masking its bits, which leaves the compiler no branch to make.
        let mask = u64::from(bits & 1).wrapping_neg();
        let factor = (square.to_bits() & mask) | (1.0_f64.to_bits() & !mask);
        product *= f64::from_bits(factor);
        bits >>= 1;
        if bits == 0 {
            return product;
        }
        square *= square;
    }
}

/// A Poisson(lambda) draw (0 for a non-positive mean).
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u64 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    Poisson::new(lambda)
        .map(|d| d.sample(rng) as u64)
        .unwrap_or(0)
}

/// Number of failures before the first success in Bernoulli(p) trials: walking
/// a list with these gaps selects each element independently with probability
/// `p`. Returns `usize::MAX` when `p` is 0.
pub fn geometric<R: Rng + ?Sized>(rng: &mut R, p: f64) -> usize {
    Gaps::new(p).draw(rng)
}

/// The gaps of a walk that selects each element with probability `p`
/// ([`geometric`] draws), with the logarithm of `1 - p` worked out once for
/// the whole walk rather than once per gap, and only if a gap needs it.
#[derive(Clone, Copy, Debug)]
pub struct Gaps {
    p: f64,
    /// `ln(1 - p)`, NaN until a gap needs it.
    log_q: f64,
}

impl Gaps {
    /// The gaps for a probability `p` of selection.
    pub fn new(p: f64) -> Self {
        Gaps { p, log_q: f64::NAN }
    }

    /// The gaps for `p`, keeping the logarithm already worked out if `p` is
    /// the probability of these: many walks of a month share their
    /// probability (a rate that is the same for every age), and the logarithm
    /// costs as much as a few gaps.
    pub fn renew(self, p: f64) -> Self {
        if p == self.p { self } else { Gaps::new(p) }
    }

    /// The probability of selection.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// One gap: failures before the next success; `usize::MAX` when `p` is 0.
    pub fn draw<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        match self.certain() {
            Some(gap) => gap,
            None => self.gap(rng.random()),
        }
    }

    /// The first gap of a walk over `len` elements: the same as
    /// [`draw`](Self::draw) from the same uniform, except that any gap of
    /// `len` or more (nobody selected) may come back as `len`.
    ///
    /// Most walks over a pool or a small group select nobody, and this is
    /// found from the uniform alone: nobody is selected when `1 - u` is at
    /// most `(1 - p)^len`, which is at least `1 - len p`, so any `u` above
    /// `len p` (with room for round-off) selects nobody, and the two
    /// logarithms of a gap are left undone.
    pub fn first<R: Rng + ?Sized>(&mut self, rng: &mut R, len: usize) -> usize {
        if let Some(gap) = self.certain() {
            return gap;
        }
        let u: f64 = rng.random();
        if u > len as f64 * self.p * (1.0 + 1e-9) + 1e-12 {
            return len;
        }
        self.gap(u)
    }

    /// The gap when `p` leaves no chance: 0 when `p` is 1, `usize::MAX` when
    /// it is 0.
    fn certain(&self) -> Option<usize> {
        if self.p >= 1.0 {
            Some(0)
        } else if self.p <= 0.0 {
            Some(usize::MAX)
        } else {
            None
        }
    }

    /// The gap drawn by a uniform `u` in `[0, 1)`.
    fn gap(&mut self, u: f64) -> usize {
        if self.log_q.is_nan() {
            self.log_q = (-self.p).ln_1p();
        }
        // 1 - u lies in (0, 1], so its logarithm is finite and not positive,
        // and the ratio is not negative: its floor is its truncation, which
        // the cast does (saturating at `usize::MAX`, as the gap of a walk that
        // never selects anyone should) without a call to `floor`.
        ((1.0 - u).ln() / self.log_q) as usize
    }
}

/// Accepts a thinned candidate: true with probability `hazard / bound`.
///
/// Taking each member of a group as a candidate with probability `bound` and
/// keeping each candidate with probability `hazard_i / bound` selects every
/// member independently with probability `hazard_i`: the same distribution as a
/// die roll per person, at a cost proportional to the candidates instead of the
/// group.
pub fn accept<R: Rng + ?Sized>(rng: &mut R, hazard: f64, bound: f64) -> bool {
    if hazard >= bound {
        return true;
    }
    hazard > 0.0 && rng.random::<f64>() * bound < hazard
}

/// Index drawn from a discrete distribution given by non-negative weights.
pub fn categorical<R: Rng + ?Sized>(rng: &mut R, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, &w) in weights.iter().enumerate() {
        if u < w {
            return i;
        }
        u -= w;
    }
    weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
}

/// A discrete distribution prepared for many draws: the running sums of its
/// weights, searched by bisection. A draw uses one uniform, like
/// [`categorical`], and lands in the same category up to rounding.
#[derive(Clone, Debug)]
pub struct Cumulative(Vec<f64>);

impl Cumulative {
    /// Prepares the distribution of non-negative `weights`.
    pub fn new(weights: &[f64]) -> Self {
        let mut sum = 0.0;
        Cumulative(
            weights
                .iter()
                .map(|&w| {
                    sum += w;
                    sum
                })
                .collect(),
        )
    }

    /// An index drawn with probability proportional to its weight.
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let total = self.0.last().copied().unwrap_or(0.0);
        let u = rng.random::<f64>() * total;
        self.0
            .partition_point(|&c| c <= u)
            .min(self.0.len().saturating_sub(1))
    }
}

/// Splits `n` trials over categories with the given weights (a multinomial draw by
/// successive binomials), writing the counts into `out`.
pub fn multinomial<R: Rng + ?Sized>(rng: &mut R, n: u64, weights: &[f64], out: &mut [u64]) {
    let mut left = n;
    let mut rest: f64 = weights.iter().sum();
    for (o, &w) in out.iter_mut().zip(weights) {
        if left == 0 || rest <= 0.0 {
            *o = 0;
            continue;
        }
        let k = binomial(rng, left, w / rest);
        *o = k;
        left -= k;
        rest -= w;
    }
}

/// Converts an annual probability into a monthly one.
pub fn monthly(annual: f64) -> f64 {
    1.0 - (1.0 - annual.clamp(0.0, 1.0)).powf(1.0 / 12.0)
}

/// Converts an annual hazard rate into a monthly probability.
pub fn monthly_from_rate(rate: f64) -> f64 {
    1.0 - (-rate.max(0.0) / 12.0).exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// A prepared distribution draws what `categorical` draws from the same
    /// uniform, weight zero never.
    #[test]
    fn cumulative_draws_like_categorical() {
        let weights = [0.0, 0.3, 1.2, 0.0, 0.05, 2.0, 0.4];
        let table = Cumulative::new(&weights);
        let (mut a, mut b) = (ChaCha8Rng::seed_from_u64(3), ChaCha8Rng::seed_from_u64(3));
        let mut differ = 0;
        for _ in 0..100_000 {
            let (x, y) = (table.draw(&mut a), categorical(&mut b, &weights));
            assert!(weights[x] > 0.0, "drew a zero weight: {x}");
            differ += usize::from(x != y);
        }
        // Only a uniform within rounding of a boundary can land apart.
        assert!(differ <= 1, "{differ} draws differ");
    }

    #[test]
    fn thinning_matches_per_person_probability() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (n, bound, hazard) = (200_000u64, 0.2, 0.05);
        let candidates = binomial(&mut rng, n, bound);
        let kept = (0..candidates)
            .filter(|_| accept(&mut rng, hazard, bound))
            .count() as f64;
        let expected = n as f64 * hazard;
        let sd = (n as f64 * hazard * (1.0 - hazard)).sqrt();
        assert!(
            (kept - expected).abs() < 5.0 * sd,
            "kept {kept}, expected {expected}"
        );
    }

    #[test]
    fn geometric_gaps_select_each_element_with_probability_p() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (n, p) = (1_000_000usize, 0.01);
        let mut hits = vec![0u32; 10];
        let mut i = geometric(&mut rng, p);
        while i < n {
            hits[i % 10] += 1;
            i = i.saturating_add(1).saturating_add(geometric(&mut rng, p));
        }
        let expected = n as f64 * p / 10.0;
        for h in hits {
            assert!(
                (h as f64 - expected).abs() < 5.0 * expected.sqrt(),
                "{h} vs {expected}"
            );
        }
    }

    /// The inversion used for small means draws what `rand_distr` draws from
    /// the same stream (both sides of p = 1/2, means up to the limit), and so
    /// has its distribution; elsewhere `rand_distr` draws itself.
    #[test]
    fn small_mean_binomials_are_rand_distrs_draws() {
        let (mut a, mut b) = (ChaCha8Rng::seed_from_u64(11), ChaCha8Rng::seed_from_u64(11));
        let cases = [
            (1, 0.3),
            (7, 0.02),
            (40, 0.2),
            (3_000, 0.001),
            (5_000, 0.0019),
            (65_536, 0.000_05),
            (9, 0.97),
            (120, 0.93),
        ];
        let mut drawn = 0;
        for (n, p) in cases {
            let exact = Binomial::new(n, p).unwrap();
            for _ in 0..20_000 {
                let x = inversion(&mut a, n, p).expect("a small mean");
                assert_eq!(x, exact.sample(&mut b), "Binomial({n}, {p})");
                drawn += x;
            }
        }
        assert!(drawn > 0);
        for (n, p) in [(100, 0.2), (1 << 17, 0.000_01), (10, 1e-17)] {
            assert_eq!(inversion(&mut a, n, p), None, "Binomial({n}, {p})");
        }
    }

    /// The first gap of a walk is the gap `geometric` draws from the same
    /// uniform, or, when that gap passes the end, a gap that passes it too:
    /// the walk selects the same elements.
    #[test]
    fn a_first_gap_selects_what_a_geometric_gap_selects() {
        let (mut a, mut b) = (ChaCha8Rng::seed_from_u64(8), ChaCha8Rng::seed_from_u64(8));
        let mut short = 0;
        for p in [0.0, 1e-7, 1e-4, 0.003, 0.05, 0.3, 0.9, 1.0] {
            for len in [0, 1, 2, 5, 30, 400, 10_000] {
                for _ in 0..2_000 {
                    let (first, gap) = (Gaps::new(p).first(&mut a, len), geometric(&mut b, p));
                    if gap < len {
                        assert_eq!(first, gap, "p {p}, {len} elements");
                        short += 1;
                    } else {
                        assert!(first >= len, "p {p}, {len} elements: {first} for {gap}");
                    }
                }
            }
        }
        assert!(short > 10_000);
    }

    /// The power used by the binomial inversion is `powi`'s, bit for bit.
    #[test]
    fn power_is_powi_bit_for_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        for n in (0..=1024).chain([4095, 4096, 40_000, 65_535, 65_536]) {
            for _ in 0..50 {
                let q = 1.0 - rng.random::<f64>().powi(3);
                assert_eq!(power(q, n).to_bits(), q.powi(n as i32).to_bits(), "{q}^{n}");
            }
        }
    }

    /// A gap is the floor of a ratio that is never negative, taken by a
    /// cast: the same gap as the floor itself, up to the saturation at
    /// `usize::MAX`, for probabilities from the tiniest to almost 1 and
    /// uniforms from 0 to the largest below 1.
    #[test]
    fn a_gap_is_the_floor_of_its_ratio() {
        let floor_gap = |p: f64, u: f64| {
            let g = ((1.0 - u).ln() / (-p).ln_1p()).floor();
            if g >= usize::MAX as f64 {
                usize::MAX
            } else {
                g as usize
            }
        };
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let largest_below_one = 1.0 - f64::EPSILON / 2.0;
        for p in [1e-300, 1e-17, 1e-9, 1e-4, 0.01, 0.3, 0.5, 0.99, 1.0 - 1e-12] {
            let mut gaps = Gaps::new(p);
            for u in [0.0, 1e-300, 1e-12, 0.5, largest_below_one] {
                assert_eq!(gaps.gap(u), floor_gap(p, u), "p {p}, u {u}");
            }
            for _ in 0..20_000 {
                let u: f64 = rng.random();
                assert_eq!(gaps.gap(u), floor_gap(p, u), "p {p}, u {u}");
            }
        }
    }

    #[test]
    fn multinomial_conserves_trials() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut out = [0u64; 4];
        multinomial(&mut rng, 1000, &[1.0, 0.0, 2.0, 1.0], &mut out);
        assert_eq!(out.iter().sum::<u64>(), 1000);
        assert_eq!(out[1], 0);
    }

    #[test]
    fn monthly_compounds_to_annual() {
        let m = monthly(0.1);
        assert!(((1.0 - m).powi(12) - 0.9).abs() < 1e-12);
    }
}
