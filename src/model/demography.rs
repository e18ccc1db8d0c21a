//! Births, deaths, labour-force entry and statutory retirement.

use rand::RngExt;

use super::City;
use super::people::{Change, NO_SECTOR, Newcomer, PoolLayout, Status};
use super::sample::categorical;

impl City {
    /// Deaths: each resident dies this month with the probability of their age and
    /// sex, drawn per pool by thinning.
    pub(super) fn deaths(&mut self) {
        let t = self.t;
        let oldest = self.people.tally().oldest_age(t).unwrap_or(0);
        let max_entry = *self.p.demography.entry_age.iter().max().unwrap_or(&0);
        let max_working = self.retirement_age(false).max(self.retirement_age(true));
        for pool in 0..self.people.layout().len() {
            let hi = match pool {
                PoolLayout::CHILD => max_entry,
                PoolLayout::RETIRED => oldest,
                _ => max_working,
            };
            let bound = self.sched.death_bound(0, hi.max(1));
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
        let t = self.t;
        let bound = self.sched.fertility_peak;
        let mut mothers = 0;
        for pool in 0..self.people.layout().len() {
            self.thin(pool, bound, |p, sched, id| {
                if p.female(id) {
                    sched.fertility(p.age(id, t))
                } else {
                    0.0
                }
            });
            mothers += self.chosen.len() as u64;
        }
        // Babies are added after all pools are drawn, so none is drawn as a mother.
        self.add_babies(mothers);
    }

    fn add_babies(&mut self, count: u64) {
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
        if let Some(due) = self.milestones.get_mut(t).map(std::mem::take) {
            for id in due {
                match self.people.status(id) {
                    Status::Child => self.enter_labour_force(id),
                    Status::Employed | Status::Unemployed | Status::Training | Status::Inactive => {
                        self.people
                            .transition(id, Status::Retired, Change::default());
                        self.flows.retirements += 1;
                    }
                    Status::Retired | Status::Left | Status::Dead => {}
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
