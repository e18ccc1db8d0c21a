//! Migration. Residents leave with a hazard shaped by age (Rogers–Castro), raised
//! by long unemployment and by the gap between the outside wage and the local
//! mean wage. Vacancies that local hiring leaves open draw newcomers, more so when
//! the sector pays well relative to the outside.

use rand::RngExt;
use rand_distr::{Distribution, Normal};

use super::City;
use super::people::{NO_SECTOR, Newcomer, Status, traits};
use super::sample::{categorical, monthly, poisson};

/// Longest unemployment (years) that keeps raising the out-migration hazard.
const UNEMPLOYMENT_EFFECT_CAP_YEARS: f64 = 5.0;

/// Youngest age (years) of a newcomer worker.
const NEWCOMER_MIN_AGE: u32 = 18;

/// Newcomer children are younger than this many months (15 years).
pub(super) const NEWCOMER_CHILD_MONTHS: i32 = 12 * 15;

/// Bound on the expected-wage ratio used in the hazard, so that a city with no
/// jobs left does not produce an unbounded hazard.
const MAX_PULL_RATIO: f64 = 4.0;

impl City {
    /// Mean monthly wage of the employed (yuan).
    pub(super) fn mean_wage(&self) -> f64 {
        let (mut bill, mut workers) = (0.0, 0u64);
        for s in 0..self.sectors.len() {
            bill += self.sectors[s].wage_level * self.people.wage_sum(s);
            workers += self.people.group_len(self.people.layout().employed(s));
        }
        if workers == 0 {
            0.0
        } else {
            bill / workers as f64
        }
    }

    /// Multiplier of the out-migration hazard from the ratio of expected wages
    /// outside and in the city, each weighted by the chance of having a job
    /// (Harris & Todaro 1970).
    fn wage_pull(&self) -> f64 {
        let m = &self.p.migration;
        let employed = self.count(Status::Employed) as f64;
        let labour_force = employed + self.unemployed_total() as f64;
        let local_employment = if labour_force > 0.0 {
            employed / labour_force
        } else {
            0.0
        };
        let local = self.mean_wage() * local_employment;
        let outside = self.outside_wage() * (1.0 - m.outside_unemployment_rate);
        let ratio = if local > 0.0 {
            outside / local
        } else {
            MAX_PULL_RATIO
        };
        ratio
            .clamp(1.0 / MAX_PULL_RATIO, MAX_PULL_RATIO)
            .powf(m.wage_gap_elasticity)
    }

    /// Residents who leave the city this month.
    pub(super) fn out_migration(&mut self) {
        let t = self.t;
        let m = &self.p.migration;
        let base = monthly(m.peak_annual_rate) * self.wage_pull();
        let (multiplier, effect) = (m.unemployed_multiplier, m.unemployment_effect);
        let unemployed_groups: Vec<usize> = self.unemployed_groups().iter().map(|g| g.2).collect();
        for group in 0..self.people.layout().groups() {
            if self.people.group_len(group) == 0 {
                continue;
            }
            let ceiling = if unemployed_groups.contains(&group) {
                multiplier * (1.0 + effect * UNEMPLOYMENT_EFFECT_CAP_YEARS)
            } else {
                1.0
            };
            self.thin(
                group,
                |sched, lo, hi| base * ceiling * sched.migration_bound(lo, hi),
                |p, sched| {
                    let mut h = base * sched.migration(p.age(t));
                    if p.status() == Status::Unemployed {
                        let years = (t - p.since()) as f64 / 12.0;
                        h *= multiplier * (1.0 + effect * years.min(UNEMPLOYMENT_EFFECT_CAP_YEARS));
                    }
                    h
                },
            );
            let n = self.chosen.len() as u64;
            for p in std::mem::take(&mut self.chosen) {
                self.record_departure(&p);
                self.people.put(p, Status::Left);
            }
            self.flows.out_migrants += n;
            self.ledger.leavers += n;
        }
    }

    /// Newcomers fill part of the vacancies left open after local hiring.
    pub(super) fn in_migration(&mut self) {
        let m = self.p.migration.clone();
        let outside = self.outside_wage();
        let age = Normal::new(m.newcomer_age_mean, m.newcomer_age_sd.max(1e-9)).expect("validated");
        let max_age = self.retirement_age(true).min(self.retirement_age(false)) as f64 - 1.0;
        for s in 0..self.sectors.len() {
            let ratio = self.sectors[s].wage_level / outside;
            let p = (m.fill_rate * ratio.powf(m.fill_wage_elasticity)).min(1.0);
            let arrivals = self.trials(self.sectors[s].vacancies, p);
            for _ in 0..arrivals {
                let years = age.sample(&mut self.rng).clamp(
                    NEWCOMER_MIN_AGE as f64,
                    max_age.max(NEWCOMER_MIN_AGE as f64),
                );
                let skill = categorical(&mut self.rng, &m.newcomer_skill_shares);
                let female = self.rng.random::<f64>() < self.p.population.female_share;
                self.people.add(Newcomer {
                    birth: self.t - (years * 12.0) as i32,
                    female,
                    skill,
                    status: Status::Employed,
                    sector: s as u8,
                    since: self.t,
                    wage_factor: self.p.labour.skill_premium[skill] as f32,
                    flags: traits::NEWCOMER | traits::WORKED,
                });
            }
            self.sectors[s].vacancies -= arrivals;
            let children = if self.reference {
                self.children_each(arrivals, m.newcomer_children)
            } else {
                poisson(&mut self.rng, arrivals as f64 * m.newcomer_children)
            };
            for _ in 0..children {
                let skill = categorical(&mut self.rng, &self.p.population.young_skill_shares);
                let age_months = self.rng.random_range(0..NEWCOMER_CHILD_MONTHS);
                self.people.add(Newcomer {
                    birth: self.t - age_months,
                    female: self.rng.random::<f64>() < self.p.demography.female_birth_share,
                    skill,
                    status: Status::Child,
                    sector: NO_SECTOR,
                    since: self.t,
                    wage_factor: 0.0,
                    flags: traits::NEWCOMER,
                });
            }
            let total = arrivals + children;
            self.flows.in_migrants += total;
            self.ledger.newcomers += total;
        }
    }
}
