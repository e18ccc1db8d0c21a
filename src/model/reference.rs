//! The reference mode of the monthly step (for tests, see [`City::reference`]).
//!
//! The same model with every event drawn by the simplest rule the model
//! description allows: one die roll per person (or per vacancy, or per trial) with
//! that person's own probability. Nothing here groups people, bounds hazards,
//! draws a binomial count or picks a subset by position; so nothing here depends
//! on the shortcuts that make the default draws fast. It is slow on purpose and is
//! only ever compared, in distribution, with the default draws
//! (`tests/reference.rs`).
//!
//! Each function replaces one group-level draw of the default mode, which calls it
//! once per pool or group when [`City::reference`] is set; everything else (the
//! order of the processes, the hazards, what happens to a person an event hits,
//! the bookkeeping through `People::transition`) is shared.

use rand::RngExt;

use super::City;
use super::hazards::Schedules;
use super::people::{People, Status};
use super::sample::categorical;

impl City {
    /// One die roll per member of a pool with the member's own hazard; the people
    /// hit are left in `self.chosen`. Replaces thinning (deaths, out-migration,
    /// early retirement, retraining applicants) and a binomial count followed by a
    /// uniform pick (separations, layoff waves).
    pub(super) fn thin_each(
        &mut self,
        pool: usize,
        hazard: impl Fn(&People, &Schedules, u32) -> f64,
    ) {
        self.chosen.clear();
        for &id in self.people.pool(pool) {
            if self.rng.random::<f64>() < hazard(&self.people, &self.sched, id) {
                self.chosen.push(id);
            }
        }
    }

    /// Successes in `n` trials with probability `p`, one die roll per trial.
    /// Replaces a binomial draw.
    pub(super) fn trials_each(&mut self, n: u64, p: f64) -> u64 {
        (0..n).filter(|_| self.rng.random::<f64>() < p).count() as u64
    }

    /// Babies born this month: one die roll per resident woman with the monthly
    /// fertility of her age. Replaces the binomial draws per cohort of the tally.
    pub(super) fn births_each(&mut self) -> u64 {
        let t = self.t;
        let mut babies = 0;
        for pool in 0..self.people.layout().len() {
            for &id in self.people.pool(pool) {
                if self.people.female(id)
                    && self.rng.random::<f64>() < self.sched.fertility(self.people.age(id, t))
                {
                    babies += 1;
                }
            }
        }
        babies
    }

    /// Everyone whose age milestone falls this month, found by looking at every
    /// resident's age: children who have reached their entry age, and people of
    /// working age (in or out of the labour force, or in training) who have reached
    /// the statutory retirement age. Replaces the calendar of milestones.
    pub(super) fn milestones_each(&self) -> Vec<u32> {
        let t = self.t;
        let mut due = Vec::new();
        for pool in 0..self.people.layout().len() {
            for &id in self.people.pool(pool) {
                let age = self.people.age(id, t);
                let reached = match self.people.status(id) {
                    Status::Child => age >= self.p.demography.entry_age[self.people.skill(id)],
                    Status::Employed | Status::Unemployed | Status::Training | Status::Inactive => {
                        age >= self.retirement_age(self.people.female(id))
                    }
                    Status::Retired | Status::Left | Status::Dead => false,
                };
                if reached {
                    due.push(id);
                }
            }
        }
        due
    }

    /// Children who arrive with `arrivals` newcomer workers: each worker brings a
    /// Poisson number of children with mean `mean`, drawn by counting uniforms
    /// until their product falls to `exp(-mean)` (Knuth's method). Replaces one
    /// Poisson draw for all the workers together.
    pub(super) fn children_each(&mut self, arrivals: u64, mean: f64) -> u64 {
        let limit = (-mean).exp();
        let mut children = 0;
        for _ in 0..arrivals {
            let mut product = self.rng.random::<f64>();
            while product > limit {
                children += 1;
                product *= self.rng.random::<f64>();
            }
        }
        children
    }

    /// Keeps a uniformly random subset of `k` members of `list` (all of them if
    /// there are at most `k`): every member gets an independent uniform key and
    /// the `k` smallest keys win. Replaces a partial Fisher–Yates shuffle.
    pub(super) fn keep_uniform(&mut self, list: &mut Vec<u32>, k: usize) {
        if list.len() <= k {
            return;
        }
        let mut keyed: Vec<(f64, u32)> = list
            .iter()
            .map(|&id| (self.rng.random::<f64>(), id))
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        list.clear();
        list.extend(keyed[..k].iter().map(|&(_, id)| id));
    }

    /// Job search and hiring, person by person, with the urn-ball success
    /// probabilities of the model (§7.11 of the model description):
    ///
    /// 1. every unemployed person searches with probability `search_probability`,
    ///    and a searcher applies to one sector drawn with weights `fit · V`;
    /// 2. each sector's success probability follows from its qualified
    ///    applications (a group-level quantity by definition);
    /// 3. each application succeeds with `s_j · fit`; groups are visited in pool
    ///    order, and when a group's successful applicants to a sector outnumber the
    ///    vacancies left there, a uniformly random subset of them is hired.
    ///
    /// Replaces binomial and multinomial counts followed by uniform picks.
    pub(super) fn match_each(&mut self) {
        let n = self.sectors.len();
        let vacancies: Vec<u64> = self.sectors.iter().map(|s| s.vacancies).collect();
        let groups = self.unemployed_groups();
        let search = self.p.labour.search_probability;
        // Applications of each group: (person, sector).
        let mut applications: Vec<Vec<(u32, usize)>> = vec![Vec::new(); groups.len()];
        let mut weights = vec![0.0; n];
        for (g, &(from, k, pool)) in groups.iter().enumerate() {
            for (j, w) in weights.iter_mut().enumerate() {
                *w = self.fit(from, j, k) * vacancies[j] as f64;
            }
            if weights.iter().all(|&w| w <= 0.0) {
                continue;
            }
            for &id in self.people.pool(pool) {
                if self.rng.random::<f64>() < search {
                    applications[g].push((id, categorical(&mut self.rng, &weights)));
                }
            }
        }
        let mut qualified = vec![0.0; n];
        for (g, &(from, k, _)) in groups.iter().enumerate() {
            for &(_, j) in &applications[g] {
                qualified[j] += self.fit(from, j, k);
            }
        }
        let success: Vec<f64> = (0..n)
            .map(|j| Self::urn_ball(vacancies[j] as f64, qualified[j]))
            .collect();
        let mut hires = vec![0u64; n];
        for (g, &(from, k, _)) in groups.iter().enumerate() {
            let mut successful: Vec<Vec<u32>> = vec![Vec::new(); n];
            for &(id, j) in &applications[g] {
                if self.rng.random::<f64>() < success[j] * self.fit(from, j, k) {
                    successful[j].push(id);
                }
            }
            for (j, mut hired) in successful.into_iter().enumerate() {
                self.keep_uniform(&mut hired, (vacancies[j] - hires[j]) as usize);
                for &id in &hired {
                    self.hire(id, j);
                }
                hires[j] += hired.len() as u64;
            }
        }
        for (j, h) in hires.into_iter().enumerate() {
            self.sectors[j].vacancies -= h;
            self.flows.hires += h;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{City, model_rng};
    use super::*;

    fn city() -> City {
        let s = crate::scenario::load("test-city", &[]).unwrap();
        City::new(s.params, model_rng(3)).reference()
    }

    #[test]
    fn keep_uniform_keeps_k_distinct_members() {
        let mut c = city();
        let mut list: Vec<u32> = (0..50).collect();
        c.keep_uniform(&mut list, 20);
        assert_eq!(list.len(), 20);
        list.sort();
        list.dedup();
        assert_eq!(list.len(), 20);
        assert!(list.iter().all(|&id| id < 50));
        let mut short: Vec<u32> = vec![4, 2];
        c.keep_uniform(&mut short, 5);
        assert_eq!(short, [4, 2]);
    }

    #[test]
    fn knuth_children_have_the_poisson_mean_and_variance() {
        let mut c = city();
        let (workers, mean) = (20_000u64, 0.7);
        let draws: Vec<f64> = (0..workers)
            .map(|_| c.children_each(1, mean) as f64)
            .collect();
        let m = draws.iter().sum::<f64>() / workers as f64;
        let v = draws.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (workers - 1) as f64;
        // Standard errors of the mean and of the variance of Poisson(0.7) draws
        // are about 0.006 and 0.01.
        assert!((m - mean).abs() < 0.03, "mean {m}");
        assert!((v - mean).abs() < 0.06, "variance {v}");
        assert_eq!(c.children_each(1000, 0.0), 0);
    }

    #[test]
    fn the_walk_over_ages_finds_whom_the_calendar_of_milestones_has_due() {
        // A city run with the default draws: at the start of every month, the
        // residents the calendar has due (those not yet retired) are exactly
        // those the reference walk finds by age.
        let s = crate::scenario::load(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/scenarios/all-policies.toml"
            ),
            &[],
        )
        .unwrap();
        let mut c = City::new(s.params, model_rng(8));
        let mut found = 0;
        while !c.finished() {
            let mut walk = c.milestones_each();
            let mut calendar: Vec<u32> = c.milestones[c.t as usize]
                .iter()
                .copied()
                .filter(|&id| {
                    !matches!(
                        c.people.status(id),
                        Status::Retired | Status::Left | Status::Dead
                    )
                })
                .collect();
            walk.sort();
            calendar.sort();
            assert_eq!(walk, calendar, "month {}", c.t);
            found += walk.len();
            c.step();
        }
        assert!(found > 100, "only {found} milestones");
    }
}
