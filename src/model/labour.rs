//! The labour market, after the labour-flow network model of del Rio-Chanona et
//! al. (2021): separations and vacancy openings move each sector's employment
//! toward its target demand; unemployed people apply to sectors weighted by open
//! vacancies and by how well their skills transfer; vacancies hire among
//! applicants (urn-ball matching); the re-employment wage depends on the skill
//! distance and the time out of work.

use super::City;
use super::metrics::LONG_TERM_MONTHS;
use super::params::SKILLS;
use super::people::{DISCOURAGED_NO_SECTOR, NO_SECTOR, Person, Status, traits};
use super::sample::{binomial, multinomial};

impl City {
    /// Moves employment toward target demand: withdraws vacancies beyond demand,
    /// separates workers (ordinary turnover plus demand-driven cuts), and opens
    /// vacancies (replacement plus missing jobs).
    pub(super) fn adjust_jobs(&mut self) {
        let l = self.p.labour.clone();
        for s in 0..self.sectors.len() {
            let group = self.people.layout().employed(s);
            let employed = self.people.group_len(group);
            let state = &mut self.sectors[s];
            let excess = employed as f64 + state.vacancies as f64 - state.target;
            if excess > 0.0 {
                let withdrawn = (excess.ceil() as u64).min(state.vacancies);
                state.vacancies -= withdrawn;
            }
            let excess = (employed as f64 + state.vacancies as f64 - state.target).max(0.0);
            // Own-account work (a family farm, street trade) dismisses nobody:
            // its surplus hands stay at work, sharing its income
            // (`update_wages`), until they stop, die or leave.
            let cut = if employed > 0 && !self.is_own_account(s) {
                (l.separation_adjustment * excess / employed as f64).min(1.0)
            } else {
                0.0
            };
            let turnover = self.p.sectors[s].separation_rate;
            let p_sep = turnover + (1.0 - turnover) * cut;
            self.chosen.clear();
            if self.reference {
                self.thin_each(group, |_, _| p_sep);
            } else {
                let k = binomial(&mut self.rng, employed, p_sep);
                self.people
                    .pick(group, k as usize, &mut self.rng, &mut self.chosen);
            }
            let k = self.chosen.len() as u64;
            // A separation caused by falling demand displaces the worker; ordinary
            // turnover does not. Each separation is demand-driven with the share
            // of the cut in its probability.
            // Before the start (the spin-up) demand only follows the labour
            // force, and nobody is displaced.
            let displaced_share = if p_sep > 0.0 && self.t >= 0 {
                (p_sep - turnover) / p_sep
            } else {
                0.0
            };
            let wage_level = self.sectors[s].wage_level;
            self.settle_chosen(|city, p| {
                let displaced = rand::RngExt::random::<f64>(&mut city.rng) < displaced_share;
                city.lose_job(p, wage_level, displaced);
            });
            self.flows.separations += k;
            let employed = self.people.group_len(group);
            let state = &mut self.sectors[s];
            let missing = state.target - employed as f64 - state.vacancies as f64;
            // Own-account work's new hands are a family farm's own school
            // leavers (`enter_labour_force`) or the jobless who take it up
            // (`own_account_uptake`): it opens a vacancy only for work it
            // lacks hands for, never to replace those who go.
            let replacement = if self.is_own_account(s) {
                0.0
            } else {
                self.p.sectors[s].vacancy_rate
            };
            let mut opened = self.trials(employed, replacement);
            if missing > 0.0 {
                opened += self.trials(missing.round() as u64, l.vacancy_adjustment);
            }
            self.sectors[s].vacancies += opened;
        }
    }

    /// Ends a person's job (their record taken out of the employed): they
    /// become unemployed, keeping their sector as the last one held, and their
    /// wage is remembered; or, past the statutory age (a worker of a sector
    /// with no statutory retirement), they retire.
    pub(super) fn lose_job(&mut self, mut p: Person, wage_level: f64, displaced: bool) {
        let wage = wage_level * p.wage_factor() as f64;
        let first_displacement = displaced && !p.has(traits::DISPLACED);
        p.remember_job();
        p.set_since(self.t);
        if displaced {
            self.record_layoff(p.sector() as usize);
            p.add_traits(traits::DISPLACED);
        }
        if first_displacement {
            self.record_displacement(&mut p, wage);
        }
        if p.birth() + 12 * self.retirement_age(p.female()) as i32 <= self.t {
            self.end_pension_record(&mut p);
            self.flows.retirements += 1;
            self.people.put(p, Status::Retired);
        } else {
            self.people.put(p, Status::Unemployed);
        }
    }

    /// Transferability from a last sector (or none) to a target sector, for a
    /// skill group: the chance that an application is good enough to be hired.
    pub(super) fn fit(&self, from: u8, to: usize, skill: usize) -> f64 {
        let a = if from == NO_SECTOR {
            self.p.labour.entrant_transferability
        } else {
            self.p.sectors[from as usize].transferability[to]
        };
        a * self.p.sectors[to].skill_fit[skill]
    }

    /// Job search and hiring for all unemployed people this month.
    pub(super) fn match_unemployed(&mut self) {
        if self.reference {
            return self.match_each();
        }
        let n = self.sectors.len();
        // The month's tables are kept between months (`City::matching`): a small
        // city's hiring is a few draws, and allocating them every month cost
        // about as much.
        let mut m = std::mem::take(&mut self.matching);
        if m.fits.is_empty() {
            self.fill_fits(&mut m.fits);
        }
        let groups = self.unemployed_groups().count();
        // Applications of each group to each sector.
        m.applications.clear();
        m.applications.resize(groups * n, 0);
        m.weights.clear();
        m.weights.resize(n, 0.0);
        for (g, (_, _, group)) in self.unemployed_groups().enumerate() {
            let size = self.people.group_len(group);
            if size == 0 {
                continue;
            }
            let fits = &m.fits[g * n..(g + 1) * n];
            for (j, w) in m.weights.iter_mut().enumerate() {
                *w = fits[j] * self.sectors[j].vacancies as f64;
            }
            if m.weights.iter().all(|&w| w <= 0.0) {
                continue;
            }
            let applicants = binomial(&mut self.rng, size, self.p.labour.search_probability);
            multinomial(
                &mut self.rng,
                applicants,
                &m.weights,
                &mut m.applications[g * n..(g + 1) * n],
            );
        }
        // Urn-ball matching: with `a` qualified applications spread over `v`
        // vacancies, a vacancy receives at least one with probability
        // 1 - exp(-a/v); each application succeeds with v(1 - exp(-a/v))/a times
        // the applicant's fit.
        m.success.clear();
        m.success.extend((0..n).map(|j| {
            let v = self.sectors[j].vacancies as f64;
            let qualified: f64 = (0..groups)
                .map(|g| m.applications[g * n + j] as f64 * m.fits[g * n + j])
                .sum();
            Self::urn_ball(v, qualified)
        }));
        m.hires.clear();
        m.hires.resize(n, 0);
        for (g, (_, _, group)) in self.unemployed_groups().enumerate() {
            let applications = &m.applications[g * n..(g + 1) * n];
            if applications.iter().all(|&a| a == 0) {
                continue;
            }
            m.group_hires.clear();
            m.group_hires.resize(n, 0);
            for (j, &apps) in applications.iter().enumerate() {
                if apps == 0 {
                    continue;
                }
                let p_hire = m.success[j] * m.fits[g * n + j];
                let h = binomial(&mut self.rng, apps, p_hire);
                // Never more hires than vacancies (rare: only when the draw
                // overshoots the expected count).
                let h = h.min(self.sectors[j].vacancies - m.hires[j]);
                m.group_hires[j] = h;
                m.hires[j] += h;
            }
            let total: u64 = m.group_hires.iter().sum();
            if total == 0 {
                continue;
            }
            self.chosen.clear();
            self.people
                .pick(group, total as usize, &mut self.rng, &mut self.chosen);
            let hired = std::mem::take(&mut self.chosen);
            let mut next = 0;
            for (j, &h) in m.group_hires.iter().enumerate() {
                for &p in &hired[next..next + h as usize] {
                    self.hire(p, j);
                }
                next += h as usize;
            }
            self.chosen = hired;
        }
        for (j, &h) in m.hires.iter().enumerate() {
            self.sectors[j].vacancies -= h;
            self.flows.hires += h;
        }
        self.matching = m;
    }

    /// The fit of every group of unemployed people (in the order of
    /// [`City::unemployed_groups`]) to every sector, group by group. It
    /// depends on the parameters alone, which do not change during a run, so
    /// it is worked out in the first month and kept.
    fn fill_fits(&self, fits: &mut Vec<f64>) {
        fits.clear();
        for (from, k, _) in self.unemployed_groups() {
            fits.extend((0..self.sectors.len()).map(|j| self.fit(from, j, k)));
        }
    }

    /// The jobless who take up own-account work on their own this month (after
    /// the month's hiring): in each sector with an `uptake_rate`, each
    /// unemployed person with that probability times the fit of their
    /// schooling. Nobody hires them; they share the sector's income.
    pub(super) fn own_account_uptake(&mut self) {
        for s in 0..self.sectors.len() {
            let Some(rate) = self.p.sectors[s].uptake_rate else {
                continue;
            };
            let fit = self.p.sectors[s].skill_fit.map(|f| rate * f);
            for (_, k, group) in self.unemployed_groups() {
                let p = fit[k];
                self.thin(group, |_, _, _| p, |_, _| p);
                let n = self.chosen.len() as u64;
                self.settle_chosen(|city, person| city.hire(person, s));
                self.flows.own_account_starts += n;
            }
        }
    }

    /// Moves between unemployment and discouragement: people unemployed for 12
    /// months or more stop looking with probability `discouragement_rate` a
    /// month and leave the labour force; discouraged workers look again with
    /// probability `reentry_rate`. The spell keeps its start (`since`) through
    /// both moves: time out of work is counted from the job loss, for the wage
    /// penalty, the benefit and the long-term share.
    pub(super) fn discouragement(&mut self) {
        let t = self.t;
        let (leave, rejoin) = (
            self.p.labour.discouragement_rate,
            self.p.labour.reentry_rate,
        );
        let long_term = |p: &Person| t - p.since() >= LONG_TERM_MONTHS;
        let layout = self.people.layout();
        // The discouraged who look again are drawn first, so that nobody both
        // leaves and comes back in the same month.
        if rejoin > 0.0 {
            self.thin(layout.discouraged(), |_, _, _| rejoin, |_, _| rejoin);
            self.settle_chosen(|city, mut p| {
                if p.sector() == DISCOURAGED_NO_SECTOR {
                    p.set_sector(NO_SECTOR);
                }
                city.people.put(p, Status::Unemployed);
                city.flows.labour_force_returns += 1;
            });
        }
        if leave > 0.0 {
            for (_, _, group) in self.unemployed_groups() {
                self.thin(
                    group,
                    |_, _, _| leave,
                    |p, _| if long_term(p) { leave } else { 0.0 },
                );
                self.settle_chosen(|city, mut p| {
                    if p.sector() == NO_SECTOR {
                        p.set_sector(DISCOURAGED_NO_SECTOR);
                    }
                    city.people.put(p, Status::Inactive);
                    city.flows.labour_force_exits += 1;
                });
            }
        }
    }

    /// The groups of unemployed people, in group order: (last sector or
    /// [`NO_SECTOR`], skill group, group index). The iterator borrows nothing,
    /// so the city can change while it runs.
    pub(super) fn unemployed_groups(&self) -> impl Iterator<Item = (u8, usize, usize)> + use<> {
        let n = self.sectors.len();
        let layout = self.people.layout();
        (0..=n).flat_map(move |s| {
            let from = if s == n { NO_SECTOR } else { s as u8 };
            (0..SKILLS).map(move |k| (from, k, layout.unemployed(from, k)))
        })
    }

    /// Urn-ball success probability of a qualified application to a sector with
    /// `vacancies` open vacancies and `qualified` qualified applications.
    pub(super) fn urn_ball(vacancies: f64, qualified: f64) -> f64 {
        if vacancies > 0.0 && qualified > 0.0 {
            vacancies * (1.0 - (-qualified / vacancies).exp()) / qualified
        } else {
            0.0
        }
    }

    /// Hires a person (their record taken out of the unemployed) into a sector
    /// at a wage that reflects their skill, how far the new job is from their
    /// old one and how long they were out of work.
    pub(super) fn hire(&mut self, mut p: Person, sector: usize) {
        let l = &self.p.labour;
        let skill = p.skill();
        let from = p.sector();
        let factor = if from == NO_SECTOR {
            l.skill_premium[skill] * l.entrant_wage_factor
        } else {
            let distance = 1.0 - self.p.sectors[from as usize].transferability[sector];
            let years_out = ((self.t - p.since()) as f64 / 12.0).min(l.wage_penalty_max_years);
            l.skill_premium[skill]
                * (1.0 - l.wage_penalty_distance * distance)
                * (1.0 - l.wage_penalty_per_year * years_out).max(0.0)
        };
        p.set_sector(sector as u8);
        p.set_wage_factor(factor as f32);
        p.add_traits(traits::WORKED);
        self.record_hire(&mut p, self.sectors[sector].wage_level * factor);
        self.people.put(p, Status::Employed);
    }
}
