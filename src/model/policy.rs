//! Policies and events that act on people: restructuring layoff waves, early
//! retirement, and retraining (intake and completion). Policies that act on
//! sectors (cluster investment, demand shocks, public jobs) are applied where
//! demand is computed (`economy.rs`).

use super::City;
use super::params::PolicyAction;
use super::people::{Change, Status, traits};
use super::sample::binomial;

impl City {
    /// Actions of the policies active this month.
    pub(super) fn active(&self) -> impl Iterator<Item = &PolicyAction> {
        let date = self.date();
        self.p
            .policies
            .iter()
            .filter(move |p| p.start <= date && date <= p.end)
            .map(|p| &p.action)
    }

    /// A layoff wave in its first month cuts a share of the sector's jobs at once
    /// and removes the same share of its capacity for good.
    pub(super) fn layoff_waves(&mut self) {
        let date = self.date();
        let waves: Vec<(usize, f64)> = self
            .p
            .policies
            .iter()
            .filter(|p| p.start == date)
            .filter_map(|p| match p.action {
                PolicyAction::LayoffWave { sector, share } => Some((sector, share)),
                _ => None,
            })
            .collect();
        for (sector, share) in waves {
            self.sectors[sector].capacity *= 1.0 - share;
            let pool = self.people.layout().employed(sector);
            let k = binomial(&mut self.rng, self.people.pool_len(pool), share);
            self.chosen.clear();
            self.people
                .pick(pool, k as usize, &mut self.rng, &mut self.chosen);
            let wage_level = self.sectors[sector].wage_level;
            for i in 0..self.chosen.len() {
                let id = self.chosen[i];
                self.lose_job(id, wage_level, true);
            }
            self.flows.separations += k;
        }
    }

    /// Pools of the employed and unemployed whose last sector is in `sectors`
    /// (all sectors when empty).
    fn worker_pools(&self, sectors: &[usize]) -> Vec<usize> {
        let l = self.people.layout();
        let n = self.sectors.len();
        let chosen: Vec<usize> = if sectors.is_empty() {
            (0..n).collect()
        } else {
            sectors.to_vec()
        };
        let mut pools: Vec<usize> = chosen.iter().map(|&s| l.employed(s)).collect();
        for &s in &chosen {
            for k in 0..super::params::SKILLS {
                pools.push(l.unemployed(s as u8, k));
            }
        }
        pools
    }

    /// Early retirement: eligible older workers take it with a monthly probability.
    pub(super) fn early_retirement(&mut self) {
        let schemes: Vec<(u32, f64, Vec<usize>)> = self
            .active()
            .filter_map(|a| match a {
                PolicyAction::EarlyRetirement {
                    years_before,
                    take_up,
                    eligible_sectors,
                } => Some((*years_before, *take_up, eligible_sectors.clone())),
                _ => None,
            })
            .collect();
        let t = self.t;
        let (male_age, female_age) = (self.retirement_age(false), self.retirement_age(true));
        for (years_before, take_up, sectors) in schemes {
            for pool in self.worker_pools(&sectors) {
                self.thin(pool, take_up, |p, _, id| {
                    let statutory = if p.female(id) { female_age } else { male_age };
                    if p.age(id, t) + years_before >= statutory {
                        take_up
                    } else {
                        0.0
                    }
                });
                for i in 0..self.chosen.len() {
                    let id = self.chosen[i];
                    self.people.transition(
                        id,
                        Status::Retired,
                        Change {
                            flags: traits::EARLY_RETIRED,
                            ..Change::default()
                        },
                    );
                }
                self.flows.early_retirements += self.chosen.len() as u64;
                self.flows.retirements += self.chosen.len() as u64;
            }
        }
    }

    /// Retraining intake: eligible unemployed people take free seats.
    pub(super) fn retraining_intake(&mut self) {
        let programmes: Vec<_> = self
            .active()
            .filter_map(|a| match a {
                PolicyAction::Retraining {
                    seats_per_10000,
                    take_up,
                    duration_months,
                    min_months_unemployed,
                    eligible_sectors,
                    target_sector,
                    ..
                } => Some((
                    *seats_per_10000,
                    *take_up,
                    *duration_months,
                    *min_months_unemployed,
                    eligible_sectors.clone(),
                    *target_sector,
                )),
                _ => None,
            })
            .collect();
        let t = self.t;
        let l = self.people.layout();
        for (seats_per_10000, take_up, duration, min_months, sectors, target) in programmes {
            let seats = (seats_per_10000 * self.initial_residents as f64 / 10_000.0).round() as u64;
            let mut pools: Vec<usize> = self.worker_pools(&sectors);
            pools.retain(|&p| (0..self.sectors.len()).all(|s| l.employed(s) != p));
            if sectors.is_empty() {
                for k in 0..super::params::SKILLS {
                    pools.push(l.unemployed(super::people::NO_SECTOR, k));
                }
            }
            for pool in pools {
                let free = seats.saturating_sub(self.people.pool_len(l.training(target)));
                if free == 0 {
                    break;
                }
                self.thin(pool, take_up, |p, _, id| {
                    if t - p.since(id) >= min_months as i32 {
                        take_up
                    } else {
                        0.0
                    }
                });
                self.chosen.truncate(free as usize);
                let end = (t + duration as i32) as usize;
                for i in 0..self.chosen.len() {
                    let id = self.chosen[i];
                    self.people.transition(
                        id,
                        Status::Training,
                        Change {
                            sector: Some(target as u8),
                            ..Change::default()
                        },
                    );
                    if let Some(list) = self.training_ends.get_mut(end) {
                        list.push(id);
                    }
                }
                self.flows.training_starts += self.chosen.len() as u64;
            }
        }
    }

    /// Trainees whose course ends this month rejoin the unemployed, with the target
    /// sector as their last sector (and a higher skill group if the course gives one).
    pub(super) fn training_completions(&mut self) {
        let Some(done) = self
            .training_ends
            .get_mut(self.t as usize)
            .map(std::mem::take)
        else {
            return;
        };
        let upgrades: Vec<(usize, bool)> = self
            .p
            .policies
            .iter()
            .filter_map(|p| match p.action {
                PolicyAction::Retraining {
                    target_sector,
                    skill_upgrade,
                    ..
                } => Some((target_sector, skill_upgrade)),
                _ => None,
            })
            .collect();
        for id in done {
            if self.people.status(id) != Status::Training {
                continue;
            }
            let target = self.people.sector(id) as usize;
            if upgrades.iter().any(|&(s, up)| s == target && up) {
                self.people.upgrade_skill(id);
            }
            self.people.transition(
                id,
                Status::Unemployed,
                Change {
                    since: Some(self.t),
                    flags: traits::RETRAINED,
                    ..Change::default()
                },
            );
        }
    }
}
