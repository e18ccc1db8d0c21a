//! What the model reports: each metric is declared once here, with its name (the
//! CSV column), unit and meaning; a [`Snapshot`] holds one value per metric.

use super::City;
use super::params::{Params, SectorKind};
use super::people::{PoolLayout, Status};
use crate::date::YearMonth;

/// Ages (years, inclusive) of the youth labour force (China's official youth
/// unemployment rate covers ages 16–24).
pub const YOUTH_AGES: (u32, u32) = (16, 24);
/// Ages (years, inclusive) of the working-age population (China's statistical
/// definition, 16–59).
pub const WORKING_AGES: (u32, u32) = (16, 59);
/// Age from which residents count as old in the dependency ratio (60+).
pub const OLD_AGE: u32 = 60;
/// Months of unemployment from which a spell is long-term.
pub const LONG_TERM_MONTHS: i32 = 12;

/// One reported quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Residents.
    Population,
    /// Residents aged 16–59.
    WorkingAgePopulation,
    /// Residents holding a job.
    Employed,
    /// Residents unemployed and looking for work.
    Unemployed,
    /// Unemployed / (employed + unemployed).
    UnemploymentRate,
    /// The same, for ages 16–24.
    YouthUnemploymentRate,
    /// Share of the unemployed out of work for 12 months or more.
    LongTermUnemploymentShare,
    /// Residents who left during the interval.
    OutMigrants,
    /// People who moved in during the interval (workers and their children).
    InMigrants,
    /// Births during the interval.
    Births,
    /// Deaths during the interval.
    Deaths,
    /// Retired residents.
    Retirees,
    /// Mean monthly wage of the employed.
    MeanWage,
    /// Employment of a sector.
    EmployedIn(usize),
    /// Mean monthly wage of those employed in a sector (its wage level when
    /// nobody is).
    MeanWageIn(usize),
    /// Residents relative to the start (start = 100).
    PopulationIndex,
    /// Out-migrants per 1,000 residents per year, over the interval.
    OutMigrationRate,
    /// Out-migrants of one kind (what they were doing when they left) during
    /// the interval; the kinds add up to `OutMigrants`.
    OutMigrantsWho(Leaver),
    /// In-migrants who came one way (into a vacancy, in the background flow,
    /// as job seekers, as children with a parent) during the interval; the
    /// ways add up to `InMigrants`.
    InMigrantsHow(Arrival),
    /// In-migrants per 1,000 residents per year, over the interval.
    InMigrationRate,
    /// In-migrants minus out-migrants per 1,000 residents per year, over the
    /// interval: whether the city gains or loses people by migration, which
    /// out-migration alone does not say.
    NetMigrationRate,
    /// Births per 1,000 residents per year, over the interval (crude birth rate).
    BirthRate,
    /// Deaths per 1,000 residents per year, over the interval (crude death rate).
    DeathRate,
    /// Share of residents aged under 15 (0–14).
    ShareAgedUnder15,
    /// Share of residents aged 60 or more.
    ShareAged60Plus,
    /// Share of residents aged 65 or more.
    ShareAged65Plus,
    /// Residents holding a job per resident.
    EmployedPerResident,
    /// Residents in a retraining course.
    InTraining,
    /// Working-age residents outside the labour force.
    Inactive,
    /// Of those, discouraged workers (left after a long spell, may look again).
    Discouraged,
    /// Long-term unemployed who stopped looking during the interval.
    LabourForceExits,
    /// Discouraged workers who looked for work again during the interval.
    LabourForceReturns,
    /// School leavers who started work on their household's family farm
    /// during the interval (not hires: no vacancy was filled).
    FarmEntries,
    /// Unemployed people who took up own-account work on their own (a sector
    /// with an `uptake_rate`) during the interval (not hires either).
    OwnAccountStarts,
    /// Residents below working age.
    Children,
    /// Open vacancies, all sectors.
    Vacancies,
    /// Job separations during the interval.
    Separations,
    /// Hires of local unemployed people during the interval.
    Hires,
    /// Retirements (statutory and early) during the interval.
    Retirements,
    /// Early retirements during the interval.
    EarlyRetirements,
    /// Entries into retraining during the interval.
    TrainingStarts,
    /// Residents 60+ per resident aged 16–59.
    OldAgeDependencyRatio,
    /// Mean age of residents.
    MeanAge,
    /// The outside wage.
    OutsideWage,
    /// A sector's output relative to the start.
    OutputIndex(usize),
    /// An extractive sector's remaining reserves.
    Reserves(usize),
    /// Workers displaced from declining sectors so far (the cohort's size).
    Displaced,
    /// Members of the displaced cohort in a status (employed, unemployed, in
    /// training, retired, left, dead).
    DisplacedIn(Status),
    /// Share of jobs held in extractive sectors.
    ResourceJobShare,
    /// Public cost of the policies so far (million yuan).
    PublicCost,
    /// What the policies have cost employers so far (million yuan).
    EmployerCost,
}

/// The statuses the displaced cohort is reported in, with their column suffix.
pub const DISPLACED_STATUSES: [(Status, &str); 7] = [
    (Status::Employed, "employed"),
    (Status::Unemployed, "unemployed"),
    (Status::Training, "in_training"),
    (Status::Inactive, "inactive"),
    (Status::Retired, "retired"),
    (Status::Left, "left"),
    (Status::Dead, "died"),
];

/// What a resident who left was doing when they left: the breakdown of the
/// out-migrants, by the group they left from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leaver {
    /// Holding a job.
    Employed = 0,
    /// Out of work: unemployed, in a retraining course, or discouraged.
    Jobless = 1,
    /// Of working age and outside the labour force, not discouraged.
    Inactive = 2,
    /// Retired.
    Retired = 3,
    /// Below labour-force entry age: children who went with a parent, and
    /// students.
    Child = 4,
    /// School leavers of a farm household who did not take up its farm work
    /// and left at once to work elsewhere.
    FarmYouth = 5,
}

impl Leaver {
    /// Every kind, in column order.
    pub const ALL: [Leaver; 6] = [
        Leaver::Employed,
        Leaver::Jobless,
        Leaver::Inactive,
        Leaver::Retired,
        Leaver::Child,
        Leaver::FarmYouth,
    ];

    /// Column suffix and meaning.
    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Leaver::Employed => ("employed", "holding a job"),
            Leaver::Jobless => (
                "jobless",
                "out of work (unemployed, in a retraining course or discouraged)",
            ),
            Leaver::Inactive => (
                "inactive",
                "of working age and outside the labour force (not discouraged)",
            ),
            Leaver::Retired => ("retired", "retired"),
            Leaver::Child => (
                "children",
                "below labour-force entry age (children who went with a parent, and students)",
            ),
            Leaver::FarmYouth => (
                "farm_youth",
                "school leavers of a farm household who did not take up its farm work and left at once to work elsewhere",
            ),
        }
    }
}

/// How an in-migrant came (docs/ODD.md §7.12): the breakdown of the
/// in-migrants, by the flow that brought them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// Hired from outside into a vacancy that local hiring left open.
    Vacancy = 0,
    /// The background flow (students, family moves, moves from the
    /// surrounding counties), which does not depend on the economy.
    Background = 1,
    /// A job seeker from the hinterland, drawn by the city's expected income.
    JobSeeker = 2,
    /// A child under 15 who came with a parent of one of the other flows.
    Child = 3,
}

impl Arrival {
    /// Every way, in column order.
    pub const ALL: [Arrival; 4] = [
        Arrival::Vacancy,
        Arrival::Background,
        Arrival::JobSeeker,
        Arrival::Child,
    ];

    /// Column suffix and meaning.
    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Arrival::Vacancy => (
                "vacancies",
                "newcomers hired from outside into vacancies that local hiring left open",
            ),
            Arrival::Background => (
                "background",
                "arrivals of the background flow (students, family moves, moves from the surrounding counties)",
            ),
            Arrival::JobSeeker => (
                "job_seekers",
                "job seekers from the hinterland, drawn by the city's expected income",
            ),
            Arrival::Child => ("children", "children under 15 who came with a parent"),
        }
    }
}

/// A column of `timeseries.csv`: its name, unit and meaning.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDef {
    /// The metric.
    pub metric: Metric,
    /// Column name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Whether values are whole counts.
    pub integer: bool,
    /// One-line meaning.
    pub description: String,
}

impl Metric {
    /// The columns a scenario reports, in order: the fixed ones, employment by
    /// sector, then further metrics and per-sector output and reserves.
    pub fn columns(p: &Params) -> Vec<MetricDef> {
        use Metric::*;
        let mut list = vec![
            Population,
            WorkingAgePopulation,
            Employed,
            Unemployed,
            UnemploymentRate,
            YouthUnemploymentRate,
            LongTermUnemploymentShare,
            OutMigrants,
            InMigrants,
            Births,
            Deaths,
            Retirees,
            MeanWage,
        ];
        list.extend((0..p.sectors.len()).map(EmployedIn));
        list.extend((0..p.sectors.len()).map(MeanWageIn));
        list.push(PopulationIndex);
        list.extend(Leaver::ALL.map(OutMigrantsWho));
        list.extend(Arrival::ALL.map(InMigrantsHow));
        list.extend([
            OutMigrationRate,
            InMigrationRate,
            NetMigrationRate,
            BirthRate,
            DeathRate,
            ShareAgedUnder15,
            ShareAged60Plus,
            ShareAged65Plus,
            EmployedPerResident,
            InTraining,
            Inactive,
            Discouraged,
            LabourForceExits,
            LabourForceReturns,
            FarmEntries,
            OwnAccountStarts,
            Children,
            Vacancies,
            Separations,
            Hires,
            Retirements,
            EarlyRetirements,
            TrainingStarts,
            OldAgeDependencyRatio,
            MeanAge,
            OutsideWage,
            ResourceJobShare,
            PublicCost,
            EmployerCost,
            Displaced,
        ]);
        list.extend(DISPLACED_STATUSES.iter().map(|&(s, _)| DisplacedIn(s)));
        list.extend((0..p.sectors.len()).map(OutputIndex));
        list.extend(
            p.sectors
                .iter()
                .enumerate()
                .filter(|(_, s)| s.kind == SectorKind::Extractive)
                .map(|(i, _)| Reserves(i)),
        );
        list.into_iter().map(|m| m.def(p)).collect()
    }

    fn def(self, p: &Params) -> MetricDef {
        use Metric::*;
        let sector = |i: usize| p.sectors[i].name.as_str();
        let (name, unit, integer, description): (String, String, bool, String) = match self {
            Population => (
                "population".into(),
                "persons".into(),
                true,
                "residents at the date".into(),
            ),
            WorkingAgePopulation => (
                "working_age_population".into(),
                "persons".into(),
                true,
                "residents aged 16–59".into(),
            ),
            Employed => (
                "employed".into(),
                "persons".into(),
                true,
                "residents holding a job".into(),
            ),
            Unemployed => (
                "unemployed".into(),
                "persons".into(),
                true,
                "residents without a job, looking for one".into(),
            ),
            UnemploymentRate => (
                "unemployment_rate".into(),
                "share".into(),
                false,
                "unemployed / (employed + unemployed)".into(),
            ),
            YouthUnemploymentRate => (
                "youth_unemployment_rate".into(),
                "share".into(),
                false,
                "unemployment rate of residents aged 16–24".into(),
            ),
            LongTermUnemploymentShare => (
                "long_term_unemployment_share".into(),
                "share".into(),
                false,
                "share of the unemployed out of work 12 months or more".into(),
            ),
            OutMigrants => (
                "out_migrants".into(),
                "persons".into(),
                true,
                "residents who left since the previous row".into(),
            ),
            InMigrants => (
                "in_migrants".into(),
                "persons".into(),
                true,
                "people who moved in since the previous row".into(),
            ),
            Births => (
                "births".into(),
                "persons".into(),
                true,
                "births since the previous row".into(),
            ),
            Deaths => (
                "deaths".into(),
                "persons".into(),
                true,
                "deaths since the previous row".into(),
            ),
            Retirees => (
                "retirees".into(),
                "persons".into(),
                true,
                "retired residents at the date".into(),
            ),
            MeanWage => (
                "mean_wage".into(),
                "yuan/month".into(),
                false,
                "mean monthly wage of the employed, in yuan of the start year".into(),
            ),
            EmployedIn(i) => (
                format!("employed_{}", sector(i)),
                "persons".into(),
                true,
                format!("residents employed in {}", sector(i)),
            ),
            MeanWageIn(i) => (
                format!("mean_wage_{}", sector(i)),
                "yuan/month".into(),
                false,
                format!(
                    "mean monthly wage of the residents employed in {} (in own-account work and on family farms, each one's share of its income), in yuan of the start year; its wage level when nobody works in it",
                    sector(i)
                ),
            ),
            PopulationIndex => (
                "population_index".into(),
                "index".into(),
                false,
                "residents relative to the start (start = 100)".into(),
            ),
            OutMigrationRate => (
                "out_migration_rate".into(),
                "per 1,000/year".into(),
                false,
                "out-migrants since the previous row per 1,000 residents, per year".into(),
            ),
            InMigrationRate => (
                "in_migration_rate".into(),
                "per 1,000/year".into(),
                false,
                "in-migrants since the previous row per 1,000 residents, per year".into(),
            ),
            NetMigrationRate => (
                "net_migration_rate".into(),
                "per 1,000/year".into(),
                false,
                "in-migrants minus out-migrants since the previous row per 1,000 residents, per year"
                    .into(),
            ),
            BirthRate => (
                "birth_rate".into(),
                "per 1,000/year".into(),
                false,
                "births since the previous row per 1,000 residents, per year (crude birth rate)"
                    .into(),
            ),
            DeathRate => (
                "death_rate".into(),
                "per 1,000/year".into(),
                false,
                "deaths since the previous row per 1,000 residents, per year (crude death rate)"
                    .into(),
            ),
            ShareAgedUnder15 => (
                "share_aged_under_15".into(),
                "share".into(),
                false,
                "share of residents aged under 15".into(),
            ),
            ShareAged60Plus => (
                "share_aged_60_plus".into(),
                "share".into(),
                false,
                "share of residents aged 60 or more".into(),
            ),
            ShareAged65Plus => (
                "share_aged_65_plus".into(),
                "share".into(),
                false,
                "share of residents aged 65 or more".into(),
            ),
            EmployedPerResident => (
                "employed_per_resident".into(),
                "ratio".into(),
                false,
                "residents holding a job per resident (all ages)".into(),
            ),
            InTraining => (
                "in_training".into(),
                "persons".into(),
                true,
                "residents in a retraining course".into(),
            ),
            Inactive => (
                "inactive".into(),
                "persons".into(),
                true,
                "working-age residents outside the labour force (discouraged workers included)"
                    .into(),
            ),
            Discouraged => (
                "discouraged".into(),
                "persons".into(),
                true,
                "inactive residents who stopped looking after a long spell of unemployment and may look again".into(),
            ),
            LabourForceExits => (
                "labour_force_exits".into(),
                "persons".into(),
                true,
                "long-term unemployed who stopped looking since the previous row".into(),
            ),
            LabourForceReturns => (
                "labour_force_returns".into(),
                "persons".into(),
                true,
                "discouraged workers who looked for work again since the previous row".into(),
            ),
            FarmEntries => (
                "farm_entries".into(),
                "persons".into(),
                true,
                "school leavers who started work on their household's family farm since the previous row".into(),
            ),
            OwnAccountStarts => (
                "own_account_starts".into(),
                "persons".into(),
                true,
                "unemployed people who took up own-account work on their own (a sector with an uptake_rate) since the previous row".into(),
            ),
            Children => (
                "children".into(),
                "persons".into(),
                true,
                "residents below labour-force entry age".into(),
            ),
            Vacancies => (
                "vacancies".into(),
                "jobs".into(),
                true,
                "open vacancies, all sectors".into(),
            ),
            Separations => (
                "separations".into(),
                "persons".into(),
                true,
                "jobs ended since the previous row (turnover, cuts, layoff waves)".into(),
            ),
            Hires => (
                "hires".into(),
                "persons".into(),
                true,
                "local unemployed people hired since the previous row".into(),
            ),
            Retirements => (
                "retirements".into(),
                "persons".into(),
                true,
                "people who retired since the previous row (statutory and early)".into(),
            ),
            EarlyRetirements => (
                "early_retirements".into(),
                "persons".into(),
                true,
                "early retirements since the previous row".into(),
            ),
            TrainingStarts => (
                "training_starts".into(),
                "persons".into(),
                true,
                "entries into retraining since the previous row".into(),
            ),
            OldAgeDependencyRatio => (
                "old_age_dependency_ratio".into(),
                "ratio".into(),
                false,
                "residents aged 60+ per resident aged 16–59".into(),
            ),
            MeanAge => (
                "mean_age".into(),
                "years".into(),
                false,
                "mean age of residents".into(),
            ),
            OutsideWage => (
                "outside_wage".into(),
                "yuan/month".into(),
                false,
                "monthly wage available outside the city".into(),
            ),
            ResourceJobShare => (
                "resource_job_share".into(),
                "share".into(),
                false,
                "share of jobs held in extractive sectors".into(),
            ),
            PublicCost => (
                "public_cost".into(),
                "million yuan".into(),
                false,
                "public cost of the policies since the start (see indicators.csv)".into(),
            ),
            EmployerCost => (
                "employer_cost".into(),
                "million yuan".into(),
                false,
                "what the policies have cost employers since the start: the early-retirement allowances they pay (see indicators.csv)".into(),
            ),
            Displaced => (
                "displaced".into(),
                "persons".into(),
                true,
                "workers displaced from declining sectors since the start (each counted once)"
                    .into(),
            ),
            OutMigrantsWho(kind) => {
                let (suffix, doing) = kind.describe();
                (
                    format!("out_migrants_{suffix}"),
                    "persons".into(),
                    true,
                    format!("residents who left since the previous row who were {doing}"),
                )
            }
            InMigrantsHow(way) => {
                let (suffix, who) = way.describe();
                (
                    format!("in_migrants_{suffix}"),
                    "persons".into(),
                    true,
                    format!("people who moved in since the previous row: {who}"),
                )
            }
            DisplacedIn(status) => {
                let suffix = DISPLACED_STATUSES
                    .iter()
                    .find(|(s, _)| *s == status)
                    .map_or("other", |(_, n)| n);
                (
                    format!("displaced_{suffix}"),
                    "persons".into(),
                    true,
                    format!(
                        "displaced workers now {}",
                        suffix.replace('_', " ").replace("died", "dead")
                    ),
                )
            }
            OutputIndex(i) => (
                format!("output_index_{}", sector(i)),
                "index".into(),
                false,
                format!("output of {} relative to the start", sector(i)),
            ),
            Reserves(i) => (
                format!("reserves_{}", sector(i)),
                p.sectors[i]
                    .resource
                    .as_ref()
                    .map_or("units".into(), |r| r.unit.clone()),
                false,
                format!("remaining reserves of {}", sector(i)),
            ),
        };
        MetricDef {
            metric: self,
            name,
            unit,
            integer,
            description,
        }
    }
}

/// The state of the city at a reporting date.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// Months since the start.
    pub step: u32,
    /// The date (the first day of that month).
    pub date: YearMonth,
    /// One value per column of [`Metric::columns`].
    pub values: Vec<f64>,
    /// Residents by 5-year age group (0–4, ..., 95–99, 100+) and sex `[male, female]`.
    pub age_pyramid: Vec<[u64; 2]>,
}

/// Number of 5-year groups in the age pyramid (the last is 100+).
pub const PYRAMID_GROUPS: usize = 21;

impl City {
    /// Takes a snapshot and resets the interval's event counts.
    pub fn snapshot(&mut self) -> Snapshot {
        let t = self.t;
        let tally = self.people.tally();
        let sum = |c: [[u64; 6]; 2], statuses: &[Status]| -> u64 {
            statuses
                .iter()
                .map(|&s| c[0][s as usize] + c[1][s as usize])
                .sum()
        };
        let youth = tally.by_age(t, YOUTH_AGES.0, YOUTH_AGES.1);
        let working = tally.by_age(t, WORKING_AGES.0, WORKING_AGES.1);
        let old = tally.by_age(t, OLD_AGE, 200);
        let aged_65 = tally.by_age(t, 65, 200);
        let under_15 = tally.by_age(t, 0, 14);
        let residents = Status::RESIDENT;
        let youth_u = sum(youth, &[Status::Unemployed]) as f64;
        let youth_lf = youth_u + sum(youth, &[Status::Employed]) as f64;
        let working_pop = sum(working, &residents);
        let age_pyramid: Vec<[u64; 2]> = (0..PYRAMID_GROUPS as u32)
            .map(|g| {
                let hi = if g as usize == PYRAMID_GROUPS - 1 {
                    200
                } else {
                    5 * g + 4
                };
                let c = tally.by_age(t, 5 * g, hi);
                [c[0].iter().sum(), c[1].iter().sum()]
            })
            .collect();
        let mean_age = {
            let (mut total, mut n) = (0.0, 0u64);
            for age in 0..=120u32 {
                let hi = if age == 120 { 200 } else { age };
                let c = tally.by_age(t, age, hi);
                let k: u64 = c.iter().flatten().sum();
                total += k as f64 * (age as f64 + 0.5);
                n += k;
            }
            if n == 0 { 0.0 } else { total / n as f64 }
        };
        let employed = self.count(Status::Employed);
        let unemployed = self.count(Status::Unemployed);
        let long_term = self
            .people
            .unemployed_since_at_most(t - LONG_TERM_MONTHS, None);
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        let f = std::mem::replace(
            &mut self.flows,
            super::Flows {
                start: t,
                ..Default::default()
            },
        );
        let interval_years = (t - f.start) as f64 / 12.0;
        let resident_count = self.residents() as f64;
        // Events of the interval per 1,000 residents (at the date) per year.
        let per_1000_a_year =
            |events: u64| 1000.0 * ratio(events as f64, resident_count * interval_years);
        let p = &self.p;
        let values = Metric::columns(p)
            .iter()
            .map(|def| match def.metric {
                Metric::Population => self.residents() as f64,
                Metric::WorkingAgePopulation => working_pop as f64,
                Metric::Employed => employed as f64,
                Metric::Unemployed => unemployed as f64,
                Metric::UnemploymentRate => {
                    ratio(unemployed as f64, (employed + unemployed) as f64)
                }
                Metric::YouthUnemploymentRate => ratio(youth_u, youth_lf),
                Metric::LongTermUnemploymentShare => ratio(long_term as f64, unemployed as f64),
                Metric::OutMigrants => f.out_migrants() as f64,
                Metric::InMigrants => f.in_migrants() as f64,
                Metric::Births => f.births as f64,
                Metric::Deaths => f.deaths as f64,
                Metric::Retirees => self.count(Status::Retired) as f64,
                Metric::MeanWage => self.mean_wage(),
                Metric::EmployedIn(s) => self.employed_in(s) as f64,
                Metric::MeanWageIn(s) => self.mean_wage_in(s),
                Metric::PopulationIndex => {
                    100.0 * ratio(resident_count, self.initial_residents() as f64)
                }
                Metric::OutMigrantsWho(kind) => f.leavers[kind as usize] as f64,
                Metric::InMigrantsHow(way) => f.arrivals[way as usize] as f64,
                Metric::OutMigrationRate => per_1000_a_year(f.out_migrants()),
                Metric::InMigrationRate => per_1000_a_year(f.in_migrants()),
                Metric::NetMigrationRate => {
                    per_1000_a_year(f.in_migrants()) - per_1000_a_year(f.out_migrants())
                }
                Metric::BirthRate => per_1000_a_year(f.births),
                Metric::DeathRate => per_1000_a_year(f.deaths),
                Metric::ShareAgedUnder15 => ratio(sum(under_15, &residents) as f64, resident_count),
                Metric::ShareAged60Plus => ratio(sum(old, &residents) as f64, resident_count),
                Metric::ShareAged65Plus => ratio(sum(aged_65, &residents) as f64, resident_count),
                Metric::EmployedPerResident => ratio(employed as f64, resident_count),
                Metric::InTraining => self.count(Status::Training) as f64,
                Metric::Inactive => self.count(Status::Inactive) as f64,
                Metric::Discouraged => {
                    self.people.group_len(self.people.layout().discouraged()) as f64
                }
                Metric::LabourForceExits => f.labour_force_exits as f64,
                Metric::LabourForceReturns => f.labour_force_returns as f64,
                Metric::FarmEntries => f.farm_entries as f64,
                Metric::OwnAccountStarts => f.own_account_starts as f64,
                Metric::Children => self.people.group_len(PoolLayout::CHILD) as f64,
                Metric::Vacancies => self.sectors.iter().map(|s| s.vacancies).sum::<u64>() as f64,
                Metric::Separations => f.separations as f64,
                Metric::Hires => f.hires as f64,
                Metric::Retirements => f.retirements as f64,
                Metric::EarlyRetirements => f.early_retirements as f64,
                Metric::TrainingStarts => f.training_starts as f64,
                Metric::OldAgeDependencyRatio => {
                    ratio(sum(old, &residents) as f64, working_pop as f64)
                }
                Metric::MeanAge => mean_age,
                Metric::OutsideWage => self.outside_wage(),
                Metric::OutputIndex(s) => self.sectors[s].output_index,
                Metric::ResourceJobShare => ratio(self.resource_jobs() as f64, employed as f64),
                Metric::PublicCost => self.public_cost() / 1e6,
                Metric::EmployerCost => self.employer_cost() / 1e6,
                Metric::Displaced => self.people.displaced().total() as f64,
                Metric::DisplacedIn(s) => self.people.displaced().in_status(s) as f64,
                Metric::Reserves(s) => self.sectors[s].reserves,
            })
            .collect();
        Snapshot {
            step: t as u32,
            date: self.date(),
            values,
            age_pyramid,
        }
    }
}
