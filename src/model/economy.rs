//! Exogenous paths (wages, outside wage, demand, policy capacity) and each
//! sector's target labour demand: extraction limited by reserves, tradable
//! sectors following their demand paths, local services following household
//! income, public services following the population; every kind is also scaled by
//! its demand path, shocks and capacity.

use super::City;
use super::params::{PolicyAction, SectorKind, interpolate};
use super::people::Status;

impl City {
    /// Years elapsed since the start.
    pub(super) fn years(&self) -> f64 {
        // The spin-up before the start runs at the start's wages and prices.
        self.t.max(0) as f64 / 12.0
    }

    /// Outside monthly wage this month (yuan).
    pub(super) fn outside_wage(&self) -> f64 {
        let m = &self.p.migration;
        m.outside_wage * (1.0 + m.outside_wage_growth).powf(self.years())
    }

    /// Hinterland wage of the current month (see [`MigrationParams::hinterland_wage`]).
    ///
    /// [`MigrationParams::hinterland_wage`]: super::params::MigrationParams::hinterland_wage
    pub(super) fn hinterland_wage(&self) -> f64 {
        let m = &self.p.migration;
        m.hinterland_wage * (1.0 + m.hinterland_wage_growth).powf(self.years())
    }

    /// Base wages of the current month.
    pub(super) fn update_wages(&mut self) {
        let years = self.years();
        for s in 0..self.sectors.len() {
            let spec = &self.p.sectors[s];
            let mut level = spec.wage * (1.0 + spec.wage_growth).powf(years);
            // Own-account work's income is shared by its hands: more of them
            // than its land or its customers need earn less each (surplus
            // labour, Lewis 1954).
            if self.is_own_account(s) {
                let workers = self.employed_in(s) as f64;
                let needed = self.sectors[s].target;
                if workers > needed && needed > 0.0 {
                    level *= needed / workers;
                }
            }
            self.sectors[s].wage_level = level;
        }
    }

    /// Cluster investment grows capacity while active.
    pub(super) fn grow_capacity(&mut self) {
        let growth: Vec<(usize, f64)> = self
            .active()
            .filter_map(|a| match *a {
                PolicyAction::ClusterInvestment {
                    sector,
                    capacity_growth,
                    ..
                } => Some((sector, capacity_growth)),
                _ => None,
            })
            .collect();
        for (sector, rate) in growth {
            self.sectors[sector].capacity *= (1.0 + rate).powf(1.0 / 12.0);
        }
    }

    /// Demand multiplier from active demand shocks for a sector.
    fn shock(&self, sector: usize) -> f64 {
        self.active()
            .filter_map(|a| match *a {
                PolicyAction::DemandShock { sector: s, factor } if s == sector => Some(factor),
                _ => None,
            })
            .product()
    }

    /// Extra jobs from active public-jobs programmes in a sector.
    fn programme_jobs(&self, sector: usize) -> f64 {
        self.active()
            .filter_map(|a| match *a {
                PolicyAction::PublicJobs {
                    sector: s,
                    jobs_per_10000,
                } if s == sector => Some(jobs_per_10000 * self.initial_residents as f64 / 10_000.0),
                _ => None,
            })
            .sum()
    }

    /// Monthly household income in the city (yuan): wages of the sectors that bring
    /// money in (all but local services), pensions and unemployment benefits.
    pub(super) fn household_income(&self) -> f64 {
        let wages: f64 = self
            .p
            .sectors
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind != SectorKind::Local)
            .map(|(i, _)| self.sectors[i].wage_level * self.people.wage_sum(i))
            .sum();
        let e = &self.p.economy;
        // Those with a work record draw an urban-employee pension, the others a
        // residents' pension; both grow alike.
        let growth = (1.0 + e.pension_growth).powf(self.years());
        let pensioners = self.people.pensioners();
        let others = self.count(Status::Retired).saturating_sub(pensioners);
        let pensions =
            growth * (e.pension * pensioners as f64 + e.resident_pension * others as f64);
        // Benefits go to people who lost a job (first-time seekers have paid no
        // contributions), for their first `benefit_months` months out of work.
        let covered = self
            .people
            .unemployed_since_after(self.t - e.benefit_months as i32, Some(true));
        pensions + wages + e.unemployment_benefit * covered as f64
    }

    /// Unemployed residents now.
    pub(super) fn unemployed_total(&self) -> u64 {
        self.count(Status::Unemployed)
    }

    /// Sets every sector's target labour demand for this month; extractive sectors
    /// also deplete their reserves.
    pub(super) fn update_labour_demand(&mut self) {
        let year = self.date().as_year_fraction();
        let income_ratio = self.household_income() / self.initial_income.max(1.0);
        let population_ratio = self.residents() as f64 / self.initial_residents.max(1) as f64;
        for s in 0..self.sectors.len() {
            let spec = &self.p.sectors[s];
            let productivity = (1.0 + spec.productivity_growth).powf(self.years());
            let demand = interpolate(&spec.demand, year)
                / interpolate(&spec.demand, self.p.horizon.start.as_year_fraction());
            // What drives the sector, times its demand path, any active shock and
            // its capacity (grown by cluster investment, cut by layoff waves).
            let driver = match spec.kind {
                SectorKind::Extractive | SectorKind::Tradable => 1.0,
                SectorKind::Local => {
                    // Residents' spending buys fewer service jobs as service wages
                    // rise: the base wage's growth, not the shared wage of
                    // own-account work, which falls because more share the same
                    // spending and must not raise what that spending buys.
                    let wage_ratio = (1.0 + spec.wage_growth).powf(self.years());
                    (income_ratio / wage_ratio).powf(self.p.economy.local_income_elasticity)
                }
                SectorKind::Public => {
                    population_ratio.powf(self.p.economy.public_population_elasticity)
                }
            };
            let shock = self.shock(s);
            let wanted = driver * demand * shock * self.sectors[s].capacity;
            let output = match &spec.resource {
                Some(r) => {
                    let state = &mut self.sectors[s];
                    // Emergency orders (a demand shock above 1) let mines produce
                    // beyond their sustainable rate, drawing reserves down faster.
                    let ceiling = state.reserves / r.min_reserve_years / r.output * shock.max(1.0);
                    let out = wanted.min(ceiling).max(0.0);
                    state.reserves = (state.reserves - out * r.output / 12.0).max(0.0);
                    out
                }
                None => wanted,
            };
            let extra = self.programme_jobs(s);
            let state = &mut self.sectors[s];
            state.output_index = output;
            state.target = state.base_jobs * output / productivity + extra;
        }
    }
}
