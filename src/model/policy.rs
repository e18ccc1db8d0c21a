//! Policies and events that act on people: restructuring layoff waves, early
//! retirement, and retraining (intake and completion). Policies that act on
//! sectors (cluster investment, demand shocks, public jobs) are applied where
//! demand is computed (`economy.rs`).

use super::City;
use super::params::{Payer, PolicyAction};
use rand::RngExt;

use super::params::SKILLS;
use super::people::{NO_SECTOR, Status, traits};
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
            let group = self.people.layout().employed(sector);
            self.chosen.clear();
            if self.reference {
                self.thin_each(group, |_, _| share);
            } else {
                let k = binomial(&mut self.rng, self.people.group_len(group), share);
                self.people
                    .pick(group, k as usize, &mut self.rng, &mut self.chosen);
            }
            let k = self.chosen.len() as u64;
            let wage_level = self.sectors[sector].wage_level;
            self.settle_chosen(|city, p| city.lose_job(p, wage_level, true));
            self.flows.separations += k;
        }
    }

    /// Groups of the employed and unemployed whose last sector is in `sectors`
    /// (all sectors when empty).
    fn worker_groups(&self, sectors: &[usize]) -> Vec<usize> {
        let l = self.people.layout();
        let n = self.sectors.len();
        let chosen: Vec<usize> = if sectors.is_empty() {
            (0..n).collect()
        } else {
            sectors.to_vec()
        };
        let mut groups: Vec<usize> = chosen.iter().map(|&s| l.employed(s)).collect();
        for &s in &chosen {
            for k in 0..SKILLS {
                groups.push(l.unemployed(s as u8, k));
            }
        }
        groups
    }

    /// Early retirement: eligible older workers take it with a monthly probability.
    pub(super) fn early_retirement(&mut self) {
        let schemes: Vec<(u32, f64, f64, Vec<usize>, Payer)> = self
            .active()
            .filter_map(|a| match a {
                PolicyAction::EarlyRetirement {
                    years_before,
                    take_up,
                    allowance_share,
                    eligible_sectors,
                    paid_by,
                } => Some((
                    *years_before,
                    *take_up,
                    *allowance_share,
                    eligible_sectors.clone(),
                    *paid_by,
                )),
                _ => None,
            })
            .collect();
        let t = self.t;
        let (male_age, female_age) = (self.retirement_age(false), self.retirement_age(true));
        for (years_before, take_up, allowance_share, sectors, paid_by) in schemes {
            // Only birth years that have reached the window can take it up.
            let youngest_eligible = male_age.min(female_age).saturating_sub(years_before);
            for group in self.worker_groups(&sectors) {
                self.thin(
                    group,
                    |_, _, oldest| {
                        if oldest >= youngest_eligible {
                            take_up
                        } else {
                            0.0
                        }
                    },
                    |p, _| {
                        // Within the window and not yet at the statutory age
                        // (farmers work past it, §7.4 of the ODD).
                        let statutory = if p.female() { female_age } else { male_age };
                        let age = p.age(t);
                        if age + years_before >= statutory && age < statutory {
                            take_up
                        } else {
                            0.0
                        }
                    },
                );
                let n = self.chosen.len() as u64;
                self.settle_chosen(|city, mut p| {
                    // The allowance is a share of the current wage, or of the
                    // last one for someone out of work.
                    let wage = match p.status() {
                        Status::Employed => {
                            let s = p.sector() as usize;
                            city.sectors[s].wage_level * p.wage_factor() as f64
                        }
                        _ => city.prior_job_wage(&p),
                    };
                    city.record_early_retirement(&p);
                    p.retire_early(allowance_share * wage, paid_by);
                    city.people.put(p, Status::Retired);
                });
                self.flows.early_retirements += n;
                self.flows.retirements += n;
            }
        }
    }

    /// Retraining intake: eligible unemployed people who want a seat this month
    /// are drawn from every eligible pool; when they outnumber the free seats, the
    /// seats go to a uniformly random subset of them.
    pub(super) fn retraining_intake(&mut self) {
        let date = self.date();
        let programmes: Vec<usize> = self
            .p
            .policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.start <= date && date <= p.end)
            .filter(|(_, p)| matches!(p.action, PolicyAction::Retraining { .. }))
            .map(|(i, _)| i)
            .collect();
        let t = self.t;
        let l = self.people.layout();
        for policy in programmes {
            let PolicyAction::Retraining {
                seats_per_10000,
                take_up,
                duration_months: duration,
                min_months_unemployed: min_months,
                ref eligible_sectors,
                target_sector: target,
                cost_per_trainee_month,
                ..
            } = self.p.policies[policy].action
            else {
                continue;
            };
            let sectors = eligible_sectors.clone();
            let seats = (seats_per_10000 * self.initial_residents as f64 / 10_000.0).round() as u64;
            let free = seats.saturating_sub(self.people.group_len(l.training(target))) as usize;
            if free == 0 {
                continue;
            }
            let mut groups: Vec<usize> = self
                .worker_groups(&sectors)
                .into_iter()
                .filter(|&p| (0..self.sectors.len()).all(|s| l.employed(s) != p))
                .collect();
            if sectors.is_empty() {
                groups.extend((0..SKILLS).map(|k| l.unemployed(NO_SECTOR, k)));
            }
            // Applicants are taken out of their pools; those who get no seat are
            // put back unchanged.
            let mut applicants = Vec::new();
            for group in groups {
                // One course per person: graduates do not start another.
                self.thin(
                    group,
                    |_, _, _| take_up,
                    |p, _| {
                        if t - p.since() >= min_months as i32 && !p.has(traits::RETRAINED) {
                            take_up
                        } else {
                            0.0
                        }
                    },
                );
                applicants.extend_from_slice(&self.chosen);
            }
            // Partial Fisher-Yates: the first `free` applicants after the shuffle
            // are a uniform random subset.
            let taken = free.min(applicants.len());
            if self.reference {
                self.keep_uniform(&mut applicants, taken);
            } else {
                for i in 0..taken {
                    let j = self.rng.random_range(i..applicants.len());
                    applicants.swap(i, j);
                }
            }
            for &p in &applicants[taken..] {
                self.people.put(p, p.status());
            }
            for &p in &applicants[..taken] {
                let mut p = p;
                p.set_sector(target as u8);
                p.start_course(policy, t + duration as i32);
                self.record_training_start(&p, duration, cost_per_trainee_month);
                self.people.put(p, Status::Training);
            }
            self.flows.training_starts += taken as u64;
        }
    }

    /// Trainees whose course ends this month rejoin the unemployed, with the target
    /// sector as their last sector (and a higher skill group if their programme
    /// gives one). Their unemployment spell goes on from where it began: time in
    /// training counts as time out of work. Trainees are few, so every pool of
    /// trainees is scanned for the courses that end.
    pub(super) fn training_completions(&mut self) {
        let t = self.t;
        let l = self.people.layout();
        self.chosen.clear();
        for s in 0..self.sectors.len() {
            if self.people.group_len(l.training(s)) == 0 {
                continue;
            }
            let pools: Vec<usize> = self.people.occupied(l.training(s)).collect();
            for pool in pools {
                self.people
                    .take_where(pool, |p| p.due() <= t, &mut self.chosen);
            }
        }
        self.settle_chosen(|city, mut p| {
            if let PolicyAction::Retraining {
                skill_upgrade: true,
                ..
            } = city.p.policies[p.programme()].action
            {
                p.upgrade_skill();
            }
            p.add_traits(traits::RETRAINED);
            city.record_graduation(&mut p);
            city.people.put(p, Status::Unemployed);
        });
    }
}
