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
//! the bookkeeping through `People::take` and `People::put`) is shared.

use rand::RngExt;

use super::City;
use super::hazards::Schedules;
use super::people::{Handle, Person};
use super::sample::categorical;

impl City {
    /// One die roll per member of a group with the member's own hazard; the
    /// people hit are taken out of their pools into `self.chosen`. Replaces
    /// thinning (deaths, out-migration, early retirement, retraining applicants)
    /// and a binomial count followed by a uniform pick (separations, layoff
    /// waves).
    pub(super) fn thin_each(&mut self, group: usize, hazard: impl Fn(&Person, &Schedules) -> f64) {
        self.chosen.clear();
        let mut slots = std::mem::take(&mut self.slots);
        for pool in self.people.layout().pools_of(group) {
            slots.clear();
            for (i, p) in self.people.pool(pool).iter().enumerate() {
                if self.rng.random::<f64>() < hazard(p, &self.sched) {
                    slots.push(i as u32);
                }
            }
            self.people.take_slots(pool, &slots, &mut self.chosen);
        }
        self.slots = slots;
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
        for pool in 0..self.people.layout().pools() {
            for p in self.people.pool(pool) {
                if p.female() && self.rng.random::<f64>() < self.sched.fertility(p.age(t)) {
                    babies += 1;
                }
            }
        }
        babies
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

    /// Puts a uniformly random subset of `k` members of `list` (all of them if
    /// there are at most `k`) first: every member gets an independent uniform
    /// key and the list is ordered by key. Replaces a partial Fisher–Yates
    /// shuffle.
    pub(super) fn keep_uniform<T: Copy>(&mut self, list: &mut [T], k: usize) {
        if list.len() <= k {
            return;
        }
        let mut keyed: Vec<(f64, T)> = list
            .iter()
            .map(|&x| (self.rng.random::<f64>(), x))
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (slot, (_, x)) in list.iter_mut().zip(keyed) {
            *slot = x;
        }
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
        let groups: Vec<_> = self.unemployed_groups().collect();
        let search = self.p.labour.search_probability;
        let l = self.people.layout();
        // Applications of each group: (where the applicant is, sector).
        let mut applications: Vec<Vec<(Handle, usize)>> = vec![Vec::new(); groups.len()];
        let mut weights = vec![0.0; n];
        for (g, &(from, k, group)) in groups.iter().enumerate() {
            for (j, w) in weights.iter_mut().enumerate() {
                *w = self.fit(from, j, k) * vacancies[j] as f64;
            }
            if weights.iter().all(|&w| w <= 0.0) {
                continue;
            }
            for pool in l.pools_of(group) {
                for slot in 0..self.people.pool(pool).len() {
                    if self.rng.random::<f64>() < search {
                        let h = Handle {
                            pool: pool as u32,
                            slot: slot as u32,
                        };
                        applications[g].push((h, categorical(&mut self.rng, &weights)));
                    }
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
        // Everyone hired, with their sector; taken out of their pools only once
        // all are chosen, so that the positions stay valid meanwhile.
        let mut hired: Vec<(Handle, usize)> = Vec::new();
        for (g, &(from, k, _)) in groups.iter().enumerate() {
            let mut successful: Vec<Vec<Handle>> = vec![Vec::new(); n];
            for &(h, j) in &applications[g] {
                if self.rng.random::<f64>() < success[j] * self.fit(from, j, k) {
                    successful[j].push(h);
                }
            }
            for (j, mut list) in successful.into_iter().enumerate() {
                let room = (vacancies[j] - hires[j]) as usize;
                self.keep_uniform(&mut list, room);
                list.truncate(room);
                hired.extend(list.iter().map(|&h| (h, j)));
                hires[j] += list.len() as u64;
            }
        }
        // Last positions first within each pool.
        hired.sort_by_key(|&(h, _)| std::cmp::Reverse(h));
        for (h, j) in hired {
            let p = self.people.take(h);
            self.hire(p, j);
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

    fn city() -> City {
        let s = crate::scenario::load("test-city", &[]).unwrap();
        City::new(s.params, model_rng(3)).reference()
    }

    #[test]
    fn keep_uniform_reorders_the_list_without_losing_anyone() {
        let mut c = city();
        let mut list: Vec<u32> = (0..50).collect();
        c.keep_uniform(&mut list, 20);
        assert_ne!(list, (0..50).collect::<Vec<u32>>());
        list.sort();
        assert_eq!(list, (0..50).collect::<Vec<u32>>());
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
    fn the_birth_years_scanned_hold_everyone_whose_milestone_is_due() {
        // A city run with the default draws: at the start of every month, the
        // residents whose milestone is due are all in the few birth years the
        // default scan looks at (as many as a walk over every pool finds).
        let s = crate::scenario::load(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/scenarios/all-policies.toml"
            ),
            &[],
        )
        .unwrap();
        let mut c = City::new(s.params, model_rng(8));
        let due = |c: &mut City| -> usize {
            let mut pools = Vec::new();
            c.milestone_pools(&mut pools);
            pools
                .into_iter()
                .map(|(pool, group)| {
                    assert_eq!(group, c.people.layout().group(pool));
                    let rule = c.milestone_rule(group);
                    c.people.pool(pool).iter().filter(|p| rule(p)).count()
                })
                .sum()
        };
        let mut found = 0;
        while !c.finished() {
            let scanned = due(&mut c);
            c.reference = true;
            let walked = due(&mut c);
            c.reference = false;
            assert_eq!(scanned, walked, "month {}", c.t);
            found += scanned;
            c.step();
        }
        assert!(found > 100, "only {found} milestones");
    }
}
