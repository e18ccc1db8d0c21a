//! Checks a merged scenario and turns it into the model's parameters. Every error
//! names the file, line and key of the offending value.

use toml::Value;

use super::source::Merged;
use super::spec::{PolicyKind, PolicySpec, ScenarioSpec, SectorSpec};
use crate::date::YearMonth;
use crate::error::ScenarioError;
use crate::model::params::{
    AgeStructure, Horizon, Params, Policy, PolicyAction, Resource, Sector, SectorKind, interpolate,
};

type Result<T> = std::result::Result<T, ScenarioError>;

/// Tolerance when checking that shares sum to 1.
const SUM_TOLERANCE: f64 = 1e-6;

/// Most sectors a scenario may define (a person's sector is stored in one byte).
pub const MAX_SECTORS: usize = 64;

/// Most policies a scenario may define (a trainee's programme is stored in one
/// byte of their record).
pub const MAX_POLICIES: usize = 256;

/// Longest spin-up: long enough for the oldest labour-market histories that
/// matter (spells of unemployment of a few years, cohorts under 25) and short
/// of the century the store of people covers before the start.
pub const MAX_SPIN_UP_YEARS: u32 = 50;

/// Age (years) below which every initial resident must be: the store of
/// people covers births from 110 years before the start.
pub const MAX_INITIAL_AGE: u32 = 105;

/// Largest population one replicate may hold (people, including those born and
/// arriving during the run are checked separately by the model's capacity).
pub const MAX_POPULATION: u64 = 50_000_000;

/// Checks ranges and cross-references, and builds the model parameters.
pub fn validate(spec: &ScenarioSpec, m: &Merged) -> Result<Params> {
    let v = Checker { m };
    let horizon = v.horizon(spec)?;
    v.population(spec)?;
    v.demography(spec)?;
    v.labour(spec)?;
    v.economy(spec)?;
    v.migration(spec)?;
    let sectors = v.sectors(spec)?;
    let policies = v.policies(spec, &sectors, &horizon)?;
    v.sources(spec)?;
    let params = Params {
        horizon,
        population: spec.population.clone(),
        demography: spec.demography.clone(),
        labour: spec.labour.clone(),
        economy: spec.economy.clone(),
        migration: spec.migration.clone(),
        sectors,
        policies,
    };
    Ok(params)
}

struct Checker<'a> {
    m: &'a Merged,
}

impl Checker<'_> {
    fn err(&self, path: &str, message: impl Into<String>) -> ScenarioError {
        self.m.error(path, message)
    }

    fn range(&self, path: &str, x: f64, lo: f64, hi: f64) -> Result<()> {
        if !x.is_finite() {
            return Err(self.err(path, format!("expected a finite number, found {x}")));
        }
        if x < lo || x > hi {
            return Err(self.err(
                path,
                format!("expected a value between {lo} and {hi}, found {x}"),
            ));
        }
        Ok(())
    }

    fn share(&self, path: &str, x: f64) -> Result<()> {
        if !x.is_finite() || !(0.0..=1.0).contains(&x) {
            return Err(self.err(path, format!("expected a share between 0 and 1, found {x}")));
        }
        Ok(())
    }

    fn shares_sum_to_one(&self, path: &str, xs: &[f64]) -> Result<()> {
        for (i, &x) in xs.iter().enumerate() {
            if !x.is_finite() || !(0.0..=1.0).contains(&x) {
                return Err(self.err(
                    path,
                    format!(
                        "expected shares between 0 and 1, found {x} at position {}",
                        i + 1
                    ),
                ));
            }
        }
        let sum: f64 = xs.iter().sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            return Err(self.err(
                path,
                format!("expected shares summing to 1, found a sum of {sum}"),
            ));
        }
        Ok(())
    }

    fn month(&self, path: &str, s: &str) -> Result<YearMonth> {
        s.parse().map_err(|e: String| self.err(path, e))
    }

    fn horizon(&self, spec: &ScenarioSpec) -> Result<Horizon> {
        let s = &spec.simulation;
        let start = self.month("simulation.start", &s.start)?;
        if !(1..=200).contains(&s.years) {
            return Err(self.err(
                "simulation.years",
                format!("expected 1 to 200 years, found {}", s.years),
            ));
        }
        if s.replicates == 0 {
            return Err(self.err(
                "simulation.replicates",
                "expected at least 1 replicate, found 0",
            ));
        }
        let months = s.years * 12;
        if s.report_every_months == 0 || s.report_every_months > months {
            return Err(self.err(
                "simulation.report_every_months",
                format!(
                    "expected 1 to {months} months (the horizon), found {}",
                    s.report_every_months
                ),
            ));
        }
        if s.spin_up_years > MAX_SPIN_UP_YEARS {
            return Err(self.err(
                "simulation.spin_up_years",
                format!(
                    "expected 0 to {MAX_SPIN_UP_YEARS} years, found {}",
                    s.spin_up_years
                ),
            ));
        }
        Ok(Horizon {
            start,
            months,
            report_every: s.report_every_months,
            spin_up_months: 12 * s.spin_up_years,
        })
    }

    fn population(&self, spec: &ScenarioSpec) -> Result<()> {
        let p = &spec.population;
        if p.size == 0 || p.size > MAX_POPULATION {
            return Err(self.err(
                "population.size",
                population_size_range(&p.size.to_string()),
            ));
        }
        self.age_structure(&p.age_structure)?;
        self.share("population.pension_coverage", p.pension_coverage)?;
        self.shares_sum_to_one("population.skill_shares", &p.skill_shares)?;
        self.shares_sum_to_one("population.young_skill_shares", &p.young_skill_shares)?;
        self.share("population.participation_rate", p.participation_rate)?;
        self.range(
            "population.initial_unemployment_rate",
            p.initial_unemployment_rate,
            0.0,
            0.9,
        )
    }

    /// A census table of residents by sex and age band: bands of 1 to 20
    /// years that end before the oldest age the store of people covers, as
    /// many for women as for men, counts or shares that are finite, not
    /// negative, and not all zero.
    fn age_structure(&self, a: &AgeStructure) -> Result<()> {
        let path = "population.age_structure";
        if !(1..=20).contains(&a.band_years) {
            return Err(self.err(
                &format!("{path}.band_years"),
                format!("expected 1 to 20 years, found {}", a.band_years),
            ));
        }
        let most = (MAX_INITIAL_AGE / a.band_years) as usize;
        if a.male.is_empty() || a.male.len() > most {
            return Err(self.err(
                &format!("{path}.male"),
                format!(
                    "expected 1 to {most} bands of {} years (ages below {MAX_INITIAL_AGE}), found {}",
                    a.band_years,
                    a.male.len()
                ),
            ));
        }
        if a.female.len() != a.male.len() {
            return Err(self.err(
                &format!("{path}.female"),
                format!(
                    "expected as many bands as `male` ({}), found {}",
                    a.male.len(),
                    a.female.len()
                ),
            ));
        }
        for (sex, values) in [("male", &a.male), ("female", &a.female)] {
            if let Some((i, x)) = values
                .iter()
                .enumerate()
                .find(|(_, x)| !x.is_finite() || **x < 0.0)
            {
                return Err(self.err(
                    &format!("{path}.{sex}"),
                    format!(
                        "expected counts or shares of 0 or more, found {x} at position {}",
                        i + 1
                    ),
                ));
            }
        }
        let total: f64 = a.male.iter().chain(&a.female).sum();
        if !(total > 0.0 && total.is_finite()) {
            return Err(self.err(
                path,
                format!("expected some residents in `male` or `female`, found a total of {total}"),
            ));
        }
        Ok(())
    }

    fn demography(&self, spec: &ScenarioSpec) -> Result<()> {
        let d = &spec.demography;
        self.range(
            "demography.total_fertility_rate",
            d.total_fertility_rate,
            0.0,
            8.0,
        )?;
        self.range(
            "demography.fertility_mean_age",
            d.fertility_mean_age,
            18.0,
            40.0,
        )?;
        self.range("demography.fertility_sd_age", d.fertility_sd_age, 1.0, 10.0)?;
        self.share("demography.female_birth_share", d.female_birth_share)?;
        self.range(
            "demography.mortality_gompertz_a",
            d.mortality_gompertz_a,
            0.0,
            0.01,
        )?;
        self.range(
            "demography.mortality_gompertz_b",
            d.mortality_gompertz_b,
            0.0,
            0.2,
        )?;
        self.share("demography.infant_mortality", d.infant_mortality)?;
        self.range(
            "demography.male_mortality_ratio",
            d.male_mortality_ratio,
            0.2,
            5.0,
        )?;
        // Each point's factor holds for whole calendar years (and before the
        // first point, through the spin-up), so every point is checked, not
        // only the value at the start: a mortality factor of 0 would switch
        // death off.
        self.path_points("demography.mortality_path", &d.mortality_path, 0.01, 10.0)?;
        self.path_points("demography.fertility_path", &d.fertility_path, 0.0, 10.0)?;
        for (i, &a) in d.entry_age.iter().enumerate() {
            if !(14..=30).contains(&a) {
                return Err(self.err(
                    "demography.entry_age",
                    format!(
                        "expected entry ages between 14 and 30, found {a} at position {}",
                        i + 1
                    ),
                ));
            }
        }
        let max_entry = *d.entry_age.iter().max().unwrap_or(&0);
        for (key, age) in [
            ("demography.retirement_age_male", d.retirement_age_male),
            ("demography.retirement_age_female", d.retirement_age_female),
        ] {
            if age <= max_entry || age > 80 {
                return Err(self.err(
                    key,
                    format!("expected an age above the latest entry age ({max_entry}) and at most 80, found {age}"),
                ));
            }
        }
        for (key, age, statutory) in [
            (
                "demography.special_retirement_age_male",
                d.special_retirement_age_male,
                d.retirement_age_male,
            ),
            (
                "demography.special_retirement_age_female",
                d.special_retirement_age_female,
                d.retirement_age_female,
            ),
        ] {
            if age <= max_entry || age > statutory {
                return Err(self.err(
                    key,
                    format!(
                        "expected an age above the latest entry age ({max_entry}) and at most the statutory age ({statutory}), found {age}"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn labour(&self, spec: &ScenarioSpec) -> Result<()> {
        let l = &spec.labour;
        for (key, x) in [
            ("labour.separation_rate", l.separation_rate),
            ("labour.vacancy_rate", l.vacancy_rate),
            ("labour.separation_adjustment", l.separation_adjustment),
            ("labour.vacancy_adjustment", l.vacancy_adjustment),
            ("labour.initial_vacancy_rate", l.initial_vacancy_rate),
            ("labour.search_probability", l.search_probability),
            ("labour.default_transferability", l.default_transferability),
            ("labour.entrant_transferability", l.entrant_transferability),
            ("labour.wage_penalty_distance", l.wage_penalty_distance),
            ("labour.wage_penalty_per_year", l.wage_penalty_per_year),
        ] {
            self.share(key, x)?;
        }
        for &x in &l.skill_premium {
            self.range("labour.skill_premium", x, 0.05, 20.0)?;
        }
        self.range("labour.wage_dispersion", l.wage_dispersion, 0.0, 2.0)?;
        self.range(
            "labour.wage_penalty_max_years",
            l.wage_penalty_max_years,
            0.0,
            50.0,
        )?;
        self.range(
            "labour.entrant_wage_factor",
            l.entrant_wage_factor,
            0.05,
            2.0,
        )?;
        self.share("labour.discouragement_rate", l.discouragement_rate)?;
        self.share("labour.reentry_rate", l.reentry_rate)
    }

    fn economy(&self, spec: &ScenarioSpec) -> Result<()> {
        let e = &spec.economy;
        self.range(
            "economy.local_income_elasticity",
            e.local_income_elasticity,
            0.0,
            3.0,
        )?;
        self.range(
            "economy.public_population_elasticity",
            e.public_population_elasticity,
            0.0,
            3.0,
        )?;
        self.range("economy.pension", e.pension, 0.0, 1e6)?;
        self.range("economy.resident_pension", e.resident_pension, 0.0, 1e6)?;
        self.range("economy.pension_growth", e.pension_growth, -0.5, 0.5)?;
        self.range(
            "economy.unemployment_benefit",
            e.unemployment_benefit,
            0.0,
            1e6,
        )?;
        if e.benefit_months > 600 {
            return Err(self.err(
                "economy.benefit_months",
                format!("expected at most 600, found {}", e.benefit_months),
            ));
        }
        Ok(())
    }

    fn migration(&self, spec: &ScenarioSpec) -> Result<()> {
        let g = &spec.migration;
        self.share("migration.peak_annual_rate", g.peak_annual_rate)?;
        self.range("migration.child_level", g.child_level, 0.0, 10.0)?;
        self.range("migration.child_decay", g.child_decay, 0.0, 5.0)?;
        self.range("migration.peak_age", g.peak_age, 10.0, 60.0)?;
        self.range("migration.rise_rate", g.rise_rate, 0.01, 5.0)?;
        self.range("migration.decline_rate", g.decline_rate, 0.01, 5.0)?;
        self.range("migration.floor_level", g.floor_level, 0.0, 10.0)?;
        self.range(
            "migration.unemployed_multiplier",
            g.unemployed_multiplier,
            0.0,
            20.0,
        )?;
        self.share(
            "migration.outside_unemployment_rate",
            g.outside_unemployment_rate,
        )?;
        self.range(
            "migration.unemployment_effect",
            g.unemployment_effect,
            0.0,
            20.0,
        )?;
        self.range(
            "migration.wage_gap_elasticity",
            g.wage_gap_elasticity,
            0.0,
            20.0,
        )?;
        self.share("migration.gap_compensation", g.gap_compensation)?;
        self.range("migration.outside_wage", g.outside_wage, 1.0, 1e7)?;
        self.range(
            "migration.outside_wage_growth",
            g.outside_wage_growth,
            -0.5,
            0.5,
        )?;
        self.range("migration.hinterland_wage", g.hinterland_wage, 1.0, 1e7)?;
        self.range(
            "migration.hinterland_wage_growth",
            g.hinterland_wage_growth,
            -0.5,
            0.5,
        )?;
        self.share("migration.fill_rate", g.fill_rate)?;
        self.range(
            "migration.fill_wage_elasticity",
            g.fill_wage_elasticity,
            0.0,
            20.0,
        )?;
        self.range(
            "migration.newcomer_age_mean",
            g.newcomer_age_mean,
            16.0,
            60.0,
        )?;
        self.range("migration.newcomer_age_sd", g.newcomer_age_sd, 0.0, 20.0)?;
        self.range(
            "migration.children_per_mover",
            g.children_per_mover,
            0.0,
            5.0,
        )?;
        self.share("migration.left_behind_share", g.left_behind_share)?;
        self.share("migration.farm_youth_out_share", g.farm_youth_out_share)?;
        self.shares_sum_to_one("migration.newcomer_skill_shares", &g.newcomer_skill_shares)?;
        self.share("migration.female_share", g.female_share)?;
        self.share(
            "migration.background_arrival_rate",
            g.background_arrival_rate,
        )?;
        self.share(
            "migration.job_seeker_arrival_rate",
            g.job_seeker_arrival_rate,
        )?;
        self.share("migration.return_rate", g.return_rate)
    }

    fn sectors(&self, spec: &ScenarioSpec) -> Result<Vec<Sector>> {
        if spec.sectors.is_empty() {
            return Err(self.err("sectors", "expected at least one sector, found none"));
        }
        if spec.sectors.len() > MAX_SECTORS {
            return Err(self.err(
                "sectors",
                format!(
                    "expected at most {MAX_SECTORS} sectors, found {}",
                    spec.sectors.len()
                ),
            ));
        }
        let names: Vec<&str> = spec.sectors.keys().map(String::as_str).collect();
        let mut out = Vec::with_capacity(names.len());
        for (name, s) in &spec.sectors {
            out.push(self.sector(name, s, &names, spec)?);
        }
        let shares: Vec<f64> = out.iter().map(|s| s.employment_share).collect();
        let sum: f64 = shares.iter().sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            // Blame the share set last (in the file nearest the scenario, or --set).
            let blamed = names
                .iter()
                .map(|n| format!("sectors.{n}.employment_share"))
                .max_by_key(|k| self.m.rank(k))
                .unwrap_or_default();
            return Err(self.err(
                &blamed,
                format!("expected the sectors' employment_share values to sum to 1, found a sum of {sum}"),
            ));
        }
        Ok(out)
    }

    fn sector(
        &self,
        name: &str,
        s: &SectorSpec,
        names: &[&str],
        spec: &ScenarioSpec,
    ) -> Result<Sector> {
        let key = |k: &str| format!("sectors.{name}.{k}");
        check_identifier(name).map_err(|e| self.err(&format!("sectors.{name}"), e))?;
        self.share(&key("employment_share"), s.employment_share)?;
        self.range(&key("wage"), s.wage, 1.0, 1e7)?;
        self.range(&key("wage_growth"), s.wage_growth, -0.5, 0.5)?;
        self.range(
            &key("productivity_growth"),
            s.productivity_growth,
            -0.5,
            0.5,
        )?;
        for &f in &s.skill_fit {
            self.share(&key("skill_fit"), f)?;
        }
        self.share(&key("special_work_share"), s.special_work_share)?;
        // A sector's own turnover replaces both labour-wide rates, so that a
        // sector at its target keeps its size.
        let (separation_rate, vacancy_rate) = match s.separation_rate {
            Some(rate) => {
                self.share(&key("separation_rate"), rate)?;
                (rate, rate)
            }
            None => (spec.labour.separation_rate, spec.labour.vacancy_rate),
        };
        if let Some(rate) = s.elderly_exit_rate {
            self.share(&key("elderly_exit_rate"), rate)?;
        }
        if let Some(rate) = s.uptake_rate {
            self.share(&key("uptake_rate"), rate)?;
        }
        let start_year = self
            .month("simulation.start", &spec.simulation.start)?
            .as_year_fraction();
        let demand = self.demand_path(&key("demand"), &s.demand, start_year)?;
        let mut transferability = vec![spec.labour.default_transferability; names.len()];
        for (i, n) in names.iter().enumerate() {
            if *n == name {
                transferability[i] = 1.0;
            }
        }
        for (to, &a) in &s.transferability {
            let k = format!("{}.{to}", key("transferability"));
            let Some(i) = names.iter().position(|n| n == to) else {
                return Err(self.err(&k, unknown_sector(to, names)));
            };
            self.share(&k, a)?;
            transferability[i] = a;
        }
        let resource = self.resource(name, s)?;
        Ok(Sector {
            name: name.to_string(),
            kind: s.kind,
            employment_share: s.employment_share,
            wage: s.wage,
            wage_growth: s.wage_growth,
            productivity_growth: s.productivity_growth,
            demand,
            skill_fit: s.skill_fit,
            transferability,
            special_work_share: s.special_work_share,
            separation_rate,
            vacancy_rate,
            elderly_exit_rate: s.elderly_exit_rate,
            uptake_rate: s.uptake_rate,
            resource,
        })
    }

    /// The points of a `(year, value)` path: years in increasing order, every
    /// value between `lo` and `hi`.
    fn path_points(&self, path: &str, points: &[(f64, f64)], lo: f64, hi: f64) -> Result<()> {
        for (i, &(year, value)) in points.iter().enumerate() {
            self.range(path, year, 1800.0, 2300.0)?;
            self.range(path, value, lo, hi)?;
            if i > 0 && year <= points[i - 1].0 {
                return Err(self.err(
                    path,
                    format!(
                        "expected years in increasing order, found {year} after {}",
                        points[i - 1].0
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A demand path: years in increasing order, indices at least 0 and above
    /// 0 at the start. Empty: 1 from the start.
    fn demand_path(
        &self,
        path: &str,
        points: &[(f64, f64)],
        start_year: f64,
    ) -> Result<Vec<(f64, f64)>> {
        if points.is_empty() {
            return Ok(vec![(start_year, 1.0)]);
        }
        self.path_points(path, points, 0.0, 1e3)?;
        if interpolate(points, start_year) <= 0.0 {
            return Err(self.err(
                path,
                format!("expected a demand index above 0 at the start ({start_year}), found 0"),
            ));
        }
        Ok(points.to_vec())
    }

    fn resource(&self, name: &str, s: &SectorSpec) -> Result<Option<Resource>> {
        let key = |k: &str| format!("sectors.{name}.{k}");
        let fields = [
            ("reserves", s.reserves),
            ("output", s.output),
            ("min_reserve_years", s.min_reserve_years),
        ];
        if s.kind != SectorKind::Extractive {
            for (k, v) in fields {
                if v.is_some() {
                    return Err(self.err(&key(k), "applies only to sectors of kind \"extractive\""));
                }
            }
            if s.unit.is_some() {
                return Err(self.err(
                    &key("unit"),
                    "applies only to sectors of kind \"extractive\"",
                ));
            }
            return Ok(None);
        }
        let mut vals = [0.0; 3];
        for (i, (k, v)) in fields.into_iter().enumerate() {
            let Some(x) = v else {
                return Err(self.err(
                    &format!("sectors.{name}"),
                    format!(
                        "an extractive sector needs `{k}` (reserves, output and min_reserve_years)"
                    ),
                ));
            };
            self.range(&key(k), x, 1e-9, 1e15)?;
            vals[i] = x;
        }
        Ok(Some(Resource {
            reserves: vals[0],
            output: vals[1],
            min_reserve_years: vals[2],
            unit: s.unit.clone().unwrap_or_else(|| "units".into()),
        }))
    }

    fn policies(
        &self,
        spec: &ScenarioSpec,
        sectors: &[Sector],
        h: &Horizon,
    ) -> Result<Vec<Policy>> {
        if spec.policies.len() > MAX_POLICIES {
            return Err(self.err(
                "policies",
                format!(
                    "expected at most {MAX_POLICIES} policies, found {}",
                    spec.policies.len()
                ),
            ));
        }
        let names: Vec<&str> = sectors.iter().map(|s| s.name.as_str()).collect();
        let mut out = Vec::new();
        for (name, p) in &spec.policies {
            check_identifier(name).map_err(|e| self.err(&format!("policies.{name}"), e))?;
            self.policy_keys(name, p.kind)?;
            if !p.enabled {
                continue;
            }
            out.push(self.policy(name, p, &names, h)?);
        }
        Ok(out)
    }

    fn policy_keys(&self, name: &str, kind: PolicyKind) -> Result<()> {
        let Some(Value::Table(t)) = self.m.table.get("policies").and_then(|p| p.get(name)) else {
            return Ok(());
        };
        const COMMON: [&str; 5] = ["kind", "start", "end", "enabled", "description"];
        for key in t.keys() {
            if !COMMON.contains(&key.as_str()) && !kind.keys().contains(&key.as_str()) {
                return Err(self.err(
                    &format!("policies.{name}.{key}"),
                    format!(
                        "does not apply to a policy of this kind; its keys are: {}",
                        COMMON
                            .iter()
                            .chain(kind.keys())
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        for key in kind.keys() {
            let optional = [
                "eligible_sectors",
                "skill_upgrade",
                "cost_per_year",
                "paid_by",
            ];
            if !t.contains_key(*key) && !optional.contains(key) {
                return Err(self.err(
                    &format!("policies.{name}"),
                    format!("missing key `{key}` for this kind of policy"),
                ));
            }
        }
        Ok(())
    }

    fn policy(&self, name: &str, p: &PolicySpec, names: &[&str], h: &Horizon) -> Result<Policy> {
        let key = |k: &str| format!("policies.{name}.{k}");
        let start = self.month(&key("start"), &p.start)?;
        let last_month = h.last_month();
        let end = match &p.end {
            Some(e) => self.month(&key("end"), e)?,
            None if p.kind == PolicyKind::LayoffWave => start,
            None => last_month,
        };
        if end < start {
            return Err(self.err(
                &key("end"),
                format!("expected an end month not before start ({start}), found {end}"),
            ));
        }
        let sector = |k: &str, v: &Option<String>| -> Result<usize> {
            let s = v.as_deref().unwrap_or_default();
            names
                .iter()
                .position(|n| *n == s)
                .ok_or_else(|| self.err(&key(k), unknown_sector(s, names)))
        };
        let sector_list = |v: &Option<Vec<String>>| -> Result<Vec<usize>> {
            v.iter()
                .flatten()
                .map(|s| {
                    names
                        .iter()
                        .position(|n| n == s)
                        .ok_or_else(|| self.err(&key("eligible_sectors"), unknown_sector(s, names)))
                })
                .collect()
        };
        let num = |k: &str, v: Option<f64>, lo: f64, hi: f64| -> Result<f64> {
            let x = v.unwrap_or_default();
            self.range(&key(k), x, lo, hi).map(|_| x)
        };
        let action = match p.kind {
            PolicyKind::Retraining => PolicyAction::Retraining {
                seats_per_10000: num("seats_per_10000", p.seats_per_10000, 0.0, 10_000.0)?,
                take_up: num("take_up", p.take_up, 0.0, 1.0)?,
                duration_months: positive_months(self, &key("duration_months"), p.duration_months)?,
                min_months_unemployed: p.min_months_unemployed.unwrap_or_default(),
                eligible_sectors: sector_list(&p.eligible_sectors)?,
                target_sector: sector("target_sector", &p.target_sector)?,
                skill_upgrade: p.skill_upgrade.unwrap_or(false),
                cost_per_trainee_month: num(
                    "cost_per_trainee_month",
                    p.cost_per_trainee_month,
                    0.0,
                    1e7,
                )?,
            },
            PolicyKind::ClusterInvestment => PolicyAction::ClusterInvestment {
                sector: sector("sector", &p.sector)?,
                capacity_growth: num("capacity_growth", p.capacity_growth, -0.5, 2.0)?,
                cost_per_year: num("cost_per_year", p.cost_per_year, 0.0, 1e13)?,
            },
            PolicyKind::EarlyRetirement => PolicyAction::EarlyRetirement {
                years_before: match p.years_before {
                    Some(y @ 1..=20) => y,
                    other => {
                        return Err(self.err(
                            &key("years_before"),
                            format!("expected 1 to 20 years, found {}", other.unwrap_or(0)),
                        ));
                    }
                },
                take_up: num("take_up", p.take_up, 0.0, 1.0)?,
                allowance_share: num("allowance_share", p.allowance_share, 0.0, 2.0)?,
                eligible_sectors: sector_list(&p.eligible_sectors)?,
                paid_by: p.paid_by.unwrap_or_default(),
            },
            PolicyKind::PublicJobs => PolicyAction::PublicJobs {
                sector: sector("sector", &p.sector)?,
                jobs_per_10000: num("jobs_per_10000", p.jobs_per_10000, 0.0, 10_000.0)?,
            },
            PolicyKind::LayoffWave => PolicyAction::LayoffWave {
                sector: sector("sector", &p.sector)?,
                share: num("share", p.share, 0.0, 1.0)?,
            },
            PolicyKind::DemandShock => PolicyAction::DemandShock {
                sector: sector("sector", &p.sector)?,
                factor: num("factor", p.factor, 0.0, 100.0)?,
            },
        };
        Ok(Policy {
            name: name.to_string(),
            start,
            end,
            action,
        })
    }

    fn sources(&self, spec: &ScenarioSpec) -> Result<()> {
        for (path, source) in &spec.sources {
            let k = || format!("sources.\"{path}\"");
            if source.trim().is_empty() {
                return Err(self.err(&k(), "expected a source (a seed fact id, a study or an assumption), found an empty string"));
            }
            if !has_parameter(&self.m.table, path) {
                return Err(self.err(
                    &k(),
                    format!("names a parameter `{path}` that the scenario does not have"),
                ));
            }
        }
        Ok(())
    }
}

fn positive_months(c: &Checker<'_>, path: &str, v: Option<u32>) -> Result<u32> {
    match v {
        Some(m @ 1..=240) => Ok(m),
        other => Err(c.err(
            path,
            format!("expected 1 to 240 months, found {}", other.unwrap_or(0)),
        )),
    }
}

fn unknown_sector(name: &str, names: &[&str]) -> String {
    let hint = super::closest(name, names.iter().copied())
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default();
    format!(
        "no sector named `{name}`{hint}; sectors are: {}",
        names.join(", ")
    )
}

fn check_identifier(name: &str) -> std::result::Result<(), String> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.starts_with(|c: char| c.is_ascii_lowercase());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected a name of lowercase letters, digits and `_` starting with a letter, found `{name}`"
        ))
    }
}

/// Whether a key path, where `*` stands for any name, names at least one value.
fn has_parameter(table: &toml::Table, pattern: &str) -> bool {
    // Walks the table in place: the sources of a scenario are checked every
    // time a replicate's parameters are built, and copying the whole table for
    // each of them cost more than simulating a small city.
    fn walk(t: &toml::Table, parts: &[&str]) -> bool {
        match parts.split_first() {
            None => true,
            Some((&"*", rest)) => t.values().any(|x| within(x, rest)),
            Some((key, rest)) => t.get(*key).is_some_and(|x| within(x, rest)),
        }
    }
    fn within(v: &Value, parts: &[&str]) -> bool {
        parts.is_empty() || v.as_table().is_some_and(|t| walk(t, parts))
    }
    let parts: Vec<&str> = pattern.split('.').collect();
    walk(table, &parts)
}

/// The value at a dotted key path, if any.
pub fn lookup<'a>(table: &'a toml::Table, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut v = table.get(parts.next()?)?;
    for p in parts {
        v = v.as_table()?.get(p)?;
    }
    Some(v)
}

/// What a city size out of range is told.
pub(crate) fn population_size_range(found: &str) -> String {
    format!("expected 1 to {MAX_POPULATION} residents, found {found}")
}
