//! Births, deaths, labour-force entry and statutory retirement.

use rand::RngExt;

use super::City;
use super::hazards;
use super::people::{Change, NO_SECTOR, Newcomer, Status};
use super::sample::binomial;
use super::sample::categorical;

impl City {
    /// Deaths: each resident dies this month with the probability of their age and
    /// sex, drawn per pool by thinning.
    pub(super) fn deaths(&mut self) {
        let t = self.t;
        for pool in 0..self.people.layout().len() {
            if self.people.pool_len(pool) == 0 {
                continue;
            }
            let (lo, hi) = self.pool_ages(pool);
            let bound = self.sched.death_bound(lo, hi.max(lo));
            self.thin(pool, bound, |p, sched, id| {
                sched.death(p.age(id, t), p.female(id))
            });
            for i in 0..self.chosen.len() {
                let id = self.chosen[i];
                self.people.transition(id, Status::Dead, Change::default());
            }
            self.flows.deaths += self.chosen.len() as u64;
            self.ledger.deaths += self.chosen.len() as u64;
        }
    }

    /// Births: each woman gives birth with the probability of her age.
    pub(super) fn births(&mut self) {
        // Who the mother is does not matter to the model (there are no households),
        // so births are drawn per year of age from the women counted in the cohort
        // tally: Binomial(women of that age, monthly fertility at that age). This is
        // the same distribution as a draw per woman, at no cost per person.
        if self.reference {
            let babies = self.births_each();
            return self.add_babies(babies);
        }
        let mut babies = 0;
        for age in 0..=hazards::MAX_AGE as u32 {
            let p = self.sched.fertility(age);
            if p > 0.0 {
                let women: u64 = self.people.tally().by_age(self.t, age, age)[1].iter().sum();
                babies += binomial(&mut self.rng, women, p);
            }
        }
        self.add_babies(babies);
    }

    pub(super) fn add_babies(&mut self, count: u64) {
        let female_share = self.p.demography.female_birth_share;
        for _ in 0..count {
            let female = self.rng.random::<f64>() < female_share;
            let skill = categorical(&mut self.rng, &self.p.population.young_skill_shares);
            let id = self.people.add(Newcomer {
                birth: self.t,
                female,
                skill,
                status: Status::Child,
                sector: NO_SECTOR,
                since: self.t,
                wage_factor: 0.0,
                flags: 0,
            });
            self.schedule_milestone(id);
        }
        self.flows.births += count;
        self.ledger.births += count;
    }

    /// Age milestones due this month: children reach working age (and join the
    /// labour force or stay inactive); workers reach the statutory retirement age.
    pub(super) fn age_milestones(&mut self) {
        let t = self.t as usize;
        self.milestones_done = self.t;
        // Entering the labour force schedules retirement, never in this month, so
        // one pass empties the list.
        let due = self.milestones.get_mut(t).map(std::mem::take);
        // The reference mode finds the people due by their age instead.
        let due = if self.reference {
            Some(self.milestones_each())
        } else {
            due
        };
        if let Some(due) = due {
            for id in due {
                match self.people.status(id) {
                    Status::Child => self.enter_labour_force(id),
                    Status::Employed | Status::Unemployed | Status::Training | Status::Inactive => {
                        self.people
                            .transition(id, Status::Retired, Change::default());
                        self.flows.retirements += 1;
                    }
                    Status::Retired => self.record_statutory_age(id),
                    Status::Left | Status::Dead => {}
                }
            }
        }
    }

    fn enter_labour_force(&mut self, id: u32) {
        let participates = self.rng.random::<f64>() < self.p.population.participation_rate;
        let to = if participates {
            Status::Unemployed
        } else {
            Status::Inactive
        };
        self.people.transition(
            id,
            to,
            Change {
                sector: Some(NO_SECTOR),
                since: Some(self.t),
                ..Change::default()
            },
        );
        self.schedule_milestone(id);
    }
}
