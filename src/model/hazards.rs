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
    /// [`death_bound`](Self::death_bound) and
    /// [`migration_bound`](Self::migration_bound) over ages `a` and `a + 1`,
    /// by `a`: the two ages a birth cohort spans in a month, asked for by
    /// thinning once per pool.
    death_pair: Vec<f64>,
    migration_pair: Vec<f64>,
}

impl Schedules {
    /// Builds the schedules from the scenario's parameters, with the death and
    /// birth probabilities of calendar year `year` (see [`Schedules::set_year`]).
    pub fn new(d: &DemographyParams, m: &MigrationParams, year: i32) -> Self {
        let death = death_table(d, d.mortality_factor(year));
        let fertility = fertility_table(d, d.fertility_factor(year));
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
        let mut schedules = Schedules {
            death,
            fertility,
            migration: raw.into_iter().map(|r| r / top).collect(),
            death_pair: Vec::new(),
            migration_pair: Vec::new(),
        };
        schedules.death_pair = schedules.death_pairs();
        let ages = 0..MAX_AGE as u32;
        schedules.migration_pair = ages.map(|a| schedules.migration_over(a, a + 1)).collect();
        schedules
    }

    /// Sets the death and birth probabilities to those of a calendar year: the
    /// scenario's schedules times the year's factors (`demography.mortality_path`,
    /// `demography.fertility_path`).
    pub fn set_year(&mut self, d: &DemographyParams, year: i32) {
        self.death = death_table(d, d.mortality_factor(year));
        self.death_pair = self.death_pairs();
        self.fertility = fertility_table(d, d.fertility_factor(year));
    }

    fn death_pairs(&self) -> Vec<f64> {
        (0..MAX_AGE as u32)
            .map(|a| self.death_over(a, a + 1))
            .collect()
    }

    /// Monthly death probability at an age.
    pub fn death(&self, age: u32, female: bool) -> f64 {
        self.death[female as usize][(age as usize).min(MAX_AGE)]
    }

    /// Highest monthly death probability over ages `lo..=hi`, either sex.
    pub fn death_bound(&self, lo: u32, hi: u32) -> f64 {
        match self.death_pair.get(lo as usize) {
            Some(&bound) if hi == lo + 1 => bound,
            _ => self.death_over(lo, hi),
        }
    }

    fn death_over(&self, lo: u32, hi: u32) -> f64 {
        let (lo, hi) = ((lo as usize).min(MAX_AGE), (hi as usize).min(MAX_AGE));
        self.death
            .iter()
            .flat_map(|s| s[lo..=hi].iter().copied())
            .fold(0.0, f64::max)
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
        match self.migration_pair.get(lo as usize) {
            Some(&bound) if hi == lo + 1 => bound,
            _ => self.migration_over(lo, hi),
        }
    }

    fn migration_over(&self, lo: u32, hi: u32) -> f64 {
        let (lo, hi) = ((lo as usize).min(MAX_AGE), (hi as usize).min(MAX_AGE));
        self.migration[lo..=hi].iter().copied().fold(0.0, f64::max)
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
