//! Age schedules precomputed by year of age: mortality (Gompertz with an infant
//! term), fertility (a normal curve scaled to the total fertility rate), and the
//! Rogers–Castro migration profile.

use super::params::{DemographyParams, MigrationParams};
use super::sample::monthly_from_rate;

/// Highest age (years) the schedules cover; older people use the last entry.
pub const MAX_AGE: usize = 120;

/// Monthly death probabilities by year of age, `[male, female][age]`: Gompertz
/// with an infant term, men's hazard a fixed multiple of women's, all times
/// `factor`.
fn death_table(d: &DemographyParams, factor: f64) -> [Vec<f64>; 2] {
    let death_rate = |age: usize, male: bool| {
        let base = if age == 0 {
            d.infant_mortality.max(d.mortality_gompertz_a)
        } else {
            d.mortality_gompertz_a * (d.mortality_gompertz_b * age as f64).exp()
        };
        let ratio = if male { d.male_mortality_ratio } else { 1.0 };
        monthly_from_rate(base * ratio * factor)
    };
    [
        (0..=MAX_AGE).map(|a| death_rate(a, true)).collect(),
        (0..=MAX_AGE).map(|a| death_rate(a, false)).collect(),
    ]
}

/// Monthly birth probabilities of a woman by year of age: a normal curve over
/// ages 15–49 scaled to the total fertility rate, times `factor`.
fn fertility_table(d: &DemographyParams, factor: f64) -> Vec<f64> {
    (0..=MAX_AGE)
        .map(|a| {
            if !(15..50).contains(&a) {
                return 0.0;
            }
            let z = (a as f64 + 0.5 - d.fertility_mean_age) / d.fertility_sd_age;
            let density =
                (-0.5 * z * z).exp() / (d.fertility_sd_age * (2.0 * std::f64::consts::PI).sqrt());
            monthly_from_rate(d.total_fertility_rate * factor * density)
        })
        .collect()
}

/// Monthly probabilities by year of age.
#[derive(Clone, Debug)]
pub struct Schedules {
    /// Death probability per month, `[male, female][age]`.
    pub death: [Vec<f64>; 2],
    /// Birth probability per month for a woman of each age.
    pub fertility: Vec<f64>,
    /// Rogers–Castro profile normalised to 1 at its highest age.
    pub migration: Vec<f64>,
    /// The highest value of each schedule over any range of ages, for
    /// [`death_bound`](Self::death_bound) (either sex: the bound of the
    /// higher of the two death rates at each age is the higher of the two
    /// bounds, found in one look-up instead of two) and
    /// [`migration_bound`](Self::migration_bound): thinning asks for them once
    /// per pool and once per group every month.
    death_max: RangeMax,
    migration_max: RangeMax,
    /// What the death and birth tables were last built from (NaN before they
    /// are): see [`set_year`](Self::set_year).
    death_inputs: [f64; 5],
    fertility_inputs: [f64; 4],
}

/// The highest of a list of values over any range of positions, in two
/// look-ups (a sparse table): for each width 2^k, the highest value of every
/// window of that width. A range is covered by two windows of the largest
/// width that fits in it. Thinning a group asks for the bound of a hazard
/// over all its members' ages, up to a century of them, for every group every
/// month; folding over the schedule each time cost more, in a small city,
/// than the draws it bounded.
#[derive(Clone, Debug)]
struct RangeMax(Vec<Vec<f64>>);

impl RangeMax {
    fn new(values: &[f64]) -> Self {
        let mut levels = vec![values.to_vec()];
        let mut width = 1;
        while 2 * width <= values.len() {
            let below = &levels[levels.len() - 1];
            let level = (0..=values.len() - 2 * width)
                .map(|i| below[i].max(below[i + width]))
                .collect();
            levels.push(level);
            width *= 2;
        }
        RangeMax(levels)
    }

    /// The highest value at positions `lo..=hi` (`hi` capped at the last
    /// position), and never below 0.
    fn over(&self, lo: usize, hi: usize) -> f64 {
        let hi = hi.min(self.0[0].len() - 1);
        if lo > hi {
            return 0.0;
        }
        let k = (hi + 1 - lo).ilog2() as usize;
        let level = &self.0[k];
        level[lo].max(level[hi + 1 - (1 << k)]).max(0.0)
    }
}

impl Schedules {
    /// Builds the schedules from the scenario's parameters, with the death and
    /// birth probabilities of calendar year `year` (see [`Schedules::set_year`]).
    pub fn new(d: &DemographyParams, m: &MigrationParams, year: i32) -> Self {
        let raw: Vec<f64> = (0..=MAX_AGE)
            .map(|a| {
                let x = a as f64 + 0.5;
                let u = x - m.peak_age;
                m.child_level * (-m.child_decay * x).exp()
                    + (-m.decline_rate * u - (-m.rise_rate * u).exp()).exp()
                    + m.floor_level
            })
            .collect();
        let top = raw.iter().copied().fold(f64::MIN_POSITIVE, f64::max);
        let migration: Vec<f64> = raw.into_iter().map(|r| r / top).collect();
        // The vital rates are filled in by `set_year`, the one place that
        // builds them, so the start and every later year agree.
        let mut schedules = Schedules {
            death: [Vec::new(), Vec::new()],
            death_max: RangeMax::new(&[]),
            fertility: Vec::new(),
            migration_max: RangeMax::new(&migration),
            migration,
            death_inputs: [f64::NAN; 5],
            fertility_inputs: [f64::NAN; 4],
        };
        schedules.set_year(d, year);
        schedules
    }

    /// Sets the death and birth probabilities to those of a calendar year: the
    /// scenario's schedules times the year's factors (`demography.mortality_path`,
    /// `demography.fertility_path`).
    ///
    /// A table is rebuilt only when what it is built from has changed: the
    /// paths are flat over most years (before the first point, after the
    /// last), and rebuilding the tables, a few hundred `exp` and the bounds,
    /// cost about 2 % of a small city's run. Comparing the inputs rather than
    /// the year keeps the tables right whatever `d` is given.
    pub fn set_year(&mut self, d: &DemographyParams, year: i32) {
        let factor = d.mortality_factor(year);
        let death_inputs = [
            d.infant_mortality,
            d.mortality_gompertz_a,
            d.mortality_gompertz_b,
            d.male_mortality_ratio,
            factor,
        ];
        if death_inputs != self.death_inputs {
            self.death = death_table(d, factor);
            let [male, female] = &self.death;
            let either: Vec<f64> = male.iter().zip(female).map(|(m, f)| m.max(*f)).collect();
            self.death_max = RangeMax::new(&either);
            self.death_inputs = death_inputs;
        }
        let factor = d.fertility_factor(year);
        let fertility_inputs = [
            d.fertility_mean_age,
            d.fertility_sd_age,
            d.total_fertility_rate,
            factor,
        ];
        if fertility_inputs != self.fertility_inputs {
            self.fertility = fertility_table(d, factor);
            self.fertility_inputs = fertility_inputs;
        }
    }

    /// Monthly death probability at an age.
    pub fn death(&self, age: u32, female: bool) -> f64 {
        self.death[female as usize][(age as usize).min(MAX_AGE)]
    }

    /// Highest monthly death probability over ages `lo..=hi`, either sex.
    pub fn death_bound(&self, lo: u32, hi: u32) -> f64 {
        self.death_max.over((lo as usize).min(MAX_AGE), hi as usize)
    }

    /// Monthly birth probability for a woman of an age.
    pub fn fertility(&self, age: u32) -> f64 {
        self.fertility[(age as usize).min(MAX_AGE)]
    }

    /// Migration profile at an age (1 at the peak).
    pub fn migration(&self, age: u32) -> f64 {
        self.migration[(age as usize).min(MAX_AGE)]
    }

    /// Highest migration profile value over ages `lo..=hi`.
    pub fn migration_bound(&self, lo: u32, hi: u32) -> f64 {
        self.migration_max
            .over((lo as usize).min(MAX_AGE), hi as usize)
    }

    /// Period life expectancy at birth implied by the mortality schedule (women,
    /// men), in years: used to document and test the defaults.
    pub fn life_expectancy(&self) -> [f64; 2] {
        let mut out = [0.0; 2];
        for (sex, e) in out.iter_mut().enumerate() {
            let mut alive = 1.0;
            let mut months = 0.0;
            for age in 0..=MAX_AGE {
                for _ in 0..12 {
                    months += alive;
                    alive *= 1.0 - self.death[1 - sex][age];
                }
            }
            *e = months / 12.0;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bounds are the highest value of the schedules over every range of
    /// ages, as a fold over the range finds it, for ranges past the last age
    /// too; and they still are after the death rates of a later year are set.
    #[test]
    fn bounds_are_the_highest_value_over_the_ages() {
        let s = crate::scenario::load("test-city", &[]).unwrap();
        let d = &s.params.demography;
        let mut sched = Schedules::new(d, &s.params.migration, 2010);
        check_bounds(&sched);
        sched.set_year(d, 2025);
        assert!(
            sched.death(80, false) < Schedules::new(d, &s.params.migration, 2010).death(80, false)
        );
        check_bounds(&sched);
    }

    fn check_bounds(sched: &Schedules) {
        let highest = |values: &[f64], lo: u32, hi: u32| {
            let (lo, hi) = ((lo as usize).min(MAX_AGE), (hi as usize).min(MAX_AGE));
            values[lo..=hi].iter().copied().fold(0.0, f64::max)
        };
        for lo in 0..=MAX_AGE as u32 + 2 {
            for hi in lo..=MAX_AGE as u32 + 3 {
                let death = highest(&sched.death[0], lo, hi).max(highest(&sched.death[1], lo, hi));
                assert_eq!(sched.death_bound(lo, hi), death, "deaths, {lo}..={hi}");
                let migration = highest(&sched.migration, lo, hi);
                assert_eq!(
                    sched.migration_bound(lo, hi),
                    migration,
                    "migration, {lo}..={hi}"
                );
            }
        }
    }
}
