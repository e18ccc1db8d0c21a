//! The model's parameters: validated, ready to use. Scenario files deserialize into
//! these (see `scenario`), and the model trusts them: every range is checked at the
//! boundary. Each field's meaning, default and source are in `docs/ODD.md`.

use serde::{Deserialize, Serialize};

use crate::date::YearMonth;

/// Number of skill (education) groups: 0 = primary or less, 1 = secondary,
/// 2 = tertiary.
pub const SKILLS: usize = 3;

/// Initial population and its structure.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationParams {
    /// Residents at the start (one agent each).
    pub size: u64,
    /// Residents at the start by sex and age band.
    pub age_structure: AgeStructure,
    /// Shares of adults (ages 25+) by skill group; sum to 1.
    pub skill_shares: [f64; SKILLS],
    /// Shares of young people (under 25, and everyone born during the run) by the skill
    /// group they will reach; sum to 1.
    pub young_skill_shares: [f64; SKILLS],
    /// Share of working-age people who are in the labour force (the rest are inactive).
    pub participation_rate: f64,
    /// Share of the labour force unemployed at the start.
    pub initial_unemployment_rate: f64,
    /// Share of the residents past the statutory age at the start who have a
    /// work record and draw an urban-employee pension (farmers still at work
    /// count among them and draw nothing while they work).
    pub pension_coverage: f64,
}

/// The residents at the start by sex and age band (a census table): counts or
/// shares, normalised over both sexes together.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgeStructure {
    /// Width of each age band (years), from age 0. The last band is as wide as
    /// the others: a census's open last group (85+) is drawn within 85–89.
    pub band_years: u32,
    /// Men by band.
    pub male: Vec<f64>,
    /// Women by band (as many bands as `male`).
    pub female: Vec<f64>,
}

/// Births, deaths, and the ages at which people enter and leave the labour force.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DemographyParams {
    /// Total fertility rate (children per woman over her life).
    pub total_fertility_rate: f64,
    /// Mean age of mothers at birth (years).
    pub fertility_mean_age: f64,
    /// Standard deviation of mothers' age at birth (years).
    pub fertility_sd_age: f64,
    /// Share of births that are girls.
    pub female_birth_share: f64,
    /// Gompertz mortality level `a` in `a·exp(b·age)` (annual hazard at age 0).
    pub mortality_gompertz_a: f64,
    /// Gompertz mortality slope `b` (per year of age).
    pub mortality_gompertz_b: f64,
    /// Annual death hazard in the first year of life (infant mortality).
    pub infant_mortality: f64,
    /// Men's death hazard relative to women's at the same age.
    pub male_mortality_ratio: f64,
    /// How death rates change over time: `(year, factor)` points, interpolated
    /// linearly and held beyond the ends, by which the hazards at every age
    /// (infants' included) are multiplied in that calendar year. Empty: 1 always.
    #[serde(default)]
    pub mortality_path: Vec<(f64, f64)>,
    /// How fertility changes over time: `(year, factor)` points, as
    /// `mortality_path`, by which the birth probability at every age is
    /// multiplied in that calendar year. Empty: 1 always.
    #[serde(default)]
    pub fertility_path: Vec<(f64, f64)>,
    /// Age (years) of entry into the labour force, by skill group.
    pub entry_age: [u32; SKILLS],
    /// Statutory retirement age of men (years).
    pub retirement_age_male: u32,
    /// Statutory retirement age of women (years).
    pub retirement_age_female: u32,
    /// Statutory retirement age of men in special-type work: underground,
    /// high-altitude, high-temperature, very heavy or hazardous work (years).
    pub special_retirement_age_male: u32,
    /// Statutory retirement age of women in special-type work (years).
    pub special_retirement_age_female: u32,
}

/// The labour market (labour-flow network dynamics, wages on hiring).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LabourParams {
    /// Monthly probability that a job ends for reasons unrelated to demand.
    pub separation_rate: f64,
    /// Monthly vacancies opened per employee to replace ordinary separations.
    pub vacancy_rate: f64,
    /// Speed at which excess employment (over target demand) is shed, per month.
    pub separation_adjustment: f64,
    /// Speed at which missing jobs (under target demand) are opened, per month.
    pub vacancy_adjustment: f64,
    /// Open vacancies as a share of employment at the start.
    pub initial_vacancy_rate: f64,
    /// Monthly probability that an unemployed person applies for a job.
    pub search_probability: f64,
    /// Skill transferability between two different sectors not listed in a sector's
    /// `transferability` table (0 = useless, 1 = as good as staying).
    pub default_transferability: f64,
    /// Transferability of a first-time job seeker (no previous sector) to any sector.
    pub entrant_transferability: f64,
    /// Wage relative to the sector's base wage, by skill group.
    pub skill_premium: [f64; SKILLS],
    /// Standard deviation of the log of personal wage factors at the start.
    pub wage_dispersion: f64,
    /// Wage loss on re-employment per unit of skill distance (1 − transferability).
    pub wage_penalty_distance: f64,
    /// Wage loss on re-employment per year spent out of work.
    pub wage_penalty_per_year: f64,
    /// Cap on the years out of work counted in the wage penalty.
    pub wage_penalty_max_years: f64,
    /// Wage factor of a first job, relative to an experienced worker of the same skill.
    pub entrant_wage_factor: f64,
    /// Monthly probability that someone unemployed for 12 months or more stops
    /// looking and leaves the labour force (a discouraged worker).
    pub discouragement_rate: f64,
    /// Monthly probability that a discouraged worker looks for work again.
    pub reentry_rate: f64,
}

/// Household income outside wages, and how local demand follows income.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EconomyParams {
    /// Elasticity of local-services labour demand to local household income.
    pub local_income_elasticity: f64,
    /// Elasticity of public-sector labour demand to the resident population.
    pub public_population_elasticity: f64,
    /// Mean monthly urban-employee pension at the start (yuan), for retired
    /// people with a work record.
    pub pension: f64,
    /// Monthly residents' pension at the start (yuan), for retired people
    /// without one.
    pub resident_pension: f64,
    /// Annual growth of pensions.
    pub pension_growth: f64,
    /// Monthly unemployment benefit (yuan).
    pub unemployment_benefit: f64,
    /// Months an unemployed person receives the benefit.
    pub benefit_months: u32,
}

/// Out-migration (Rogers–Castro age profile), in-migration into vacancies, and
/// arrivals from the hinterland: a background flow and job seekers drawn by
/// expected income (Harris–Todaro), who may return if they find no work.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationParams {
    /// Annual probability of leaving at the peak age of the profile, for a resident
    /// with no unemployment and no wage gap to the outside.
    pub peak_annual_rate: f64,
    /// Childhood component level, relative to the labour-force peak (a1/a2).
    pub child_level: f64,
    /// Childhood component rate of decline with age (alpha1, per year).
    pub child_decay: f64,
    /// Labour-force component: mean age of the peak (mu2, years).
    pub peak_age: f64,
    /// Labour-force component: rate of rise before the peak (lambda2, per year).
    pub rise_rate: f64,
    /// Labour-force component: rate of decline after the peak (alpha2, per year).
    pub decline_rate: f64,
    /// Constant component at all ages, relative to the peak (c/a2).
    pub floor_level: f64,
    /// Hazard of an unemployed resident relative to an employed one of the same age.
    pub unemployed_multiplier: f64,
    /// Further relative increase in an unemployed resident's hazard per year out of
    /// work (capped at 5 years).
    pub unemployment_effect: f64,
    /// Elasticity of the hazard to the ratio of the expected wage outside to the
    /// expected wage in the city (wage times the chance of having a job).
    pub wage_gap_elasticity: f64,
    /// Share (in logs) of the gaps in expected income at the beginning of the
    /// spin-up that are compensated (cost of living, amenities, family and
    /// land ties) and move nobody: the pulls measure the ratio of expected
    /// incomes against the ratio of the start to this power. 0: any gap
    /// moves people (Harris & Todaro 1970); 1: only changes in the gaps do
    /// (a spatial equilibrium at the start; Roback 1982, Blanchard & Katz 1992).
    #[serde(default)]
    pub gap_compensation: f64,
    /// Unemployment rate outside the city, for the expected outside wage.
    pub outside_unemployment_rate: f64,
    /// Monthly wage available outside the city at the start (yuan).
    pub outside_wage: f64,
    /// Annual growth of the outside wage.
    pub outside_wage_growth: f64,
    /// Monthly income a job seeker from the hinterland (the rural rest of the
    /// province and the country) gives up to come, at the start (yuan): what
    /// the city's expected income is set against for arrivals.
    pub hinterland_wage: f64,
    /// Annual growth of the hinterland wage.
    pub hinterland_wage_growth: f64,
    /// Monthly probability that a vacancy left unfilled by local hiring is filled by
    /// a newcomer, at wage parity with the outside.
    pub fill_rate: f64,
    /// Elasticity of that probability to the ratio of the sector wage to the outside wage.
    pub fill_wage_elasticity: f64,
    /// Mean age of newcomers (years).
    pub newcomer_age_mean: f64,
    /// Standard deviation of newcomers' age (years).
    pub newcomer_age_sd: f64,
    /// Children (under 15) who move with each mover of parenting age (20–49), in
    /// or out, on average (a rural mover: times `1 − left_behind_share`);
    /// children under 15 move only with a parent.
    pub children_per_mover: f64,
    /// Share of the children of a rural mover (a farm worker who leaves, a job
    /// seeker from the hinterland) who stay behind with relatives instead of
    /// moving with them.
    pub left_behind_share: f64,
    /// Share of the school leavers of a farm household who do not take up its
    /// farm work who leave the city at once to work elsewhere; the others look
    /// for work in the city.
    pub farm_youth_out_share: f64,
    /// Shares of newcomers by skill group; sum to 1.
    pub newcomer_skill_shares: [f64; SKILLS],
    /// Share of women among the people who arrive.
    pub female_share: f64,
    /// Arrivals per resident and year that do not depend on the city's economy
    /// (students, family moves, moves from the surrounding counties), aged 15 or
    /// more, with the Rogers–Castro profile's ages.
    pub background_arrival_rate: f64,
    /// Job seekers arriving per resident and year when the expected income in
    /// the city (mean wage times the employment rate) equals the outside's; the
    /// rate follows the ratio of the two with `wage_gap_elasticity`.
    pub job_seeker_arrival_rate: f64,
    /// Annual probability that an arrival who has not yet found a job in the
    /// city leaves again (return migration), on top of the usual hazard.
    pub return_rate: f64,
}

/// What drives a sector's labour demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SectorKind {
    /// Extracts a finite resource stock; output follows demand until reserves run low.
    Extractive,
    /// Sells outside the city; output follows an exogenous demand path.
    Tradable,
    /// Serves residents; demand follows local household income.
    Local,
    /// Public services; demand follows the resident population.
    Public,
}

/// Who pays for a policy: the scorecard counts the public's cost apart from what
/// the employers bear.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Payer {
    /// The public purse (the default: the policies of the scenarios are public).
    #[default]
    Public,
    /// The employers, as in the internal retirement of China's state enterprises.
    Employer,
}

/// A sector, validated: names replaced by indices, paths sorted.
#[derive(Clone, Debug)]
pub struct Sector {
    /// The sector's name (`coal`), used in column names.
    pub name: String,
    /// What drives its demand.
    pub kind: SectorKind,
    /// Share of the initially employed who work in it.
    pub employment_share: f64,
    /// Base monthly wage at the start (yuan).
    pub wage: f64,
    /// Annual growth of the base wage.
    pub wage_growth: f64,
    /// Annual growth of output per worker (automation).
    pub productivity_growth: f64,
    /// Demand index by year (piecewise linear, flat beyond the ends); 1 at the start.
    pub demand: Vec<(f64, f64)>,
    /// How well each skill group fits its jobs (multiplies transferability).
    pub skill_fit: [f64; SKILLS],
    /// Transferability from this sector to each sector (index by sector).
    pub transferability: Vec<f64>,
    /// Share of its workers in special-type work (underground mining, ...), who
    /// reach their statutory age at the special retirement ages.
    pub special_work_share: f64,
    /// Monthly probability that a job ends for reasons other than falling
    /// demand (turnover).
    pub separation_rate: f64,
    /// Monthly share of its jobs the sector opens as new vacancies besides
    /// those that demand growth opens.
    pub vacancy_rate: f64,
    /// Work with no statutory retirement (family farms): its workers go on
    /// past the statutory age and stop with this annual probability. `None`:
    /// they retire at the statutory age, as employees do. A sector with the
    /// rate is own-account family work throughout ([`Sector::is_family_farm`]):
    /// it dismisses nobody, takes in its households' school leavers, shares
    /// its income among its hands and pays no employee pension.
    pub elderly_exit_rate: Option<f64>,
    /// Own-account work that the jobless take up (street trade, repairs,
    /// small shops): each month an unemployed resident starts work in it with
    /// this probability times the fit of their schooling (`skill_fit`).
    /// `None`: nobody takes it up on their own. A sector with the rate, like
    /// a family farm, is own-account work ([`Sector::is_own_account`]).
    pub uptake_rate: Option<f64>,
    /// Resource stock, for extractive sectors.
    pub resource: Option<Resource>,
}

impl Sector {
    /// Whether the sector is family farming: own-account work with no
    /// statutory retirement (an `elderly_exit_rate`). It dismisses nobody,
    /// takes in its households' school leavers, shares its income among its
    /// hands and pays no employee pension.
    pub fn is_family_farm(&self) -> bool {
        self.elderly_exit_rate.is_some()
    }

    /// Whether the sector is own-account work (a family farm, or work the
    /// jobless take up on their own, an `uptake_rate`): nobody employs its
    /// workers, so it dismisses nobody, opens no vacancies to replace those
    /// who go and shares its income among its hands.
    pub fn is_own_account(&self) -> bool {
        self.is_family_farm() || self.uptake_rate.is_some()
    }
}

/// The finite stock an extractive sector depletes.
#[derive(Clone, Debug)]
pub struct Resource {
    /// Reserves at the start (in `unit`).
    pub reserves: f64,
    /// Annual output at the start (in `unit` per year).
    pub output: f64,
    /// Output cannot exceed reserves divided by this many years.
    pub min_reserve_years: f64,
    /// Unit of reserves and output (e.g. `Mt`).
    pub unit: String,
}

/// A policy or event, active over a span of months.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The name the scenario gives it.
    pub name: String,
    /// First month it is active.
    pub start: YearMonth,
    /// Last month it is active (inclusive).
    pub end: YearMonth,
    /// What it does.
    pub action: PolicyAction,
}

/// What a policy does while active.
#[derive(Clone, Debug)]
pub enum PolicyAction {
    /// Training seats for the unemployed, moving them toward a target sector.
    Retraining {
        /// Training places open at once, per 10,000 residents at the start.
        seats_per_10000: f64,
        /// Monthly probability that an eligible unemployed person takes a free seat.
        take_up: f64,
        /// Length of the course (months).
        duration_months: u32,
        /// Months of unemployment before one is eligible.
        min_months_unemployed: u32,
        /// Sectors whose former workers are eligible (empty = all).
        eligible_sectors: Vec<usize>,
        /// The sector the course trains for.
        target_sector: usize,
        /// Whether the course raises the trainee's skill group by one.
        skill_upgrade: bool,
        /// Public cost per trainee and month (yuan).
        cost_per_trainee_month: f64,
    },
    /// Investment that grows a sector's capacity (e.g. a national cluster designation).
    ClusterInvestment {
        /// The sector that grows.
        sector: usize,
        /// Annual growth of its capacity while active (kept afterwards).
        capacity_growth: f64,
        /// Public cost per year while active (yuan; 0 when the scenario does not
        /// give it).
        cost_per_year: f64,
    },
    /// Early retirement for older workers of given sectors.
    EarlyRetirement {
        /// How many years before the statutory age one may go.
        years_before: u32,
        /// Monthly probability that an eligible person takes it.
        take_up: f64,
        /// Monthly allowance until the statutory age, as a share of the last wage.
        allowance_share: f64,
        /// Sectors whose workers (employed or unemployed) are eligible (empty = all).
        eligible_sectors: Vec<usize>,
        /// Who pays the allowances: the public, or the employers (an enterprise's
        /// internal retirement).
        paid_by: Payer,
    },
    /// Public-welfare or remediation jobs added to a sector's demand.
    PublicJobs {
        /// The sector that offers them.
        sector: usize,
        /// Jobs per 10,000 residents at the start.
        jobs_per_10000: f64,
    },
    /// A one-off restructuring: a share of a sector's jobs cut at once, for good.
    LayoffWave {
        /// The sector cut.
        sector: usize,
        /// Share of its employment laid off, and of its capacity removed.
        share: f64,
    },
    /// A temporary change of demand for a sector (e.g. an energy-crisis coal restart).
    DemandShock {
        /// The sector concerned.
        sector: usize,
        /// Demand multiplier while active.
        factor: f64,
    },
}

impl PolicyAction {
    /// Whether the policy changes anything: a retraining programme with no
    /// seats, or a demand shock of factor 1, is present in the file but off
    /// (a sweep often includes such a value as its baseline).
    pub fn has_effect(&self) -> bool {
        match self {
            PolicyAction::Retraining {
                seats_per_10000, ..
            } => *seats_per_10000 > 0.0,
            PolicyAction::ClusterInvestment {
                capacity_growth,
                cost_per_year,
                ..
            } => *capacity_growth != 0.0 || *cost_per_year > 0.0,
            PolicyAction::EarlyRetirement {
                years_before,
                take_up,
                ..
            } => *years_before > 0 && *take_up > 0.0,
            PolicyAction::PublicJobs { jobs_per_10000, .. } => *jobs_per_10000 > 0.0,
            PolicyAction::LayoffWave { share, .. } => *share > 0.0,
            PolicyAction::DemandShock { factor, .. } => *factor != 1.0,
        }
    }
}

/// Simulation horizon and reporting.
#[derive(Clone, Debug)]
pub struct Horizon {
    /// First simulated month.
    pub start: YearMonth,
    /// Number of monthly steps.
    pub months: u32,
    /// Months between two reported rows.
    pub report_every: u32,
    /// Months simulated before the start and not reported, so that the labour
    /// market starts settled (see `init.rs`).
    pub spin_up_months: u32,
}

impl Horizon {
    /// The last simulated month.
    pub fn last_month(&self) -> YearMonth {
        self.start.plus(self.months as i32 - 1)
    }

    /// Whether months `start` to `end` (inclusive) meet the run: a policy
    /// outside it never acts (a run shortened with `--set` may leave one out).
    pub fn overlaps(&self, start: YearMonth, end: YearMonth) -> bool {
        start <= self.last_month() && end >= self.start
    }
}

/// Everything the model needs for one replicate.
#[derive(Clone, Debug)]
pub struct Params {
    /// Horizon and reporting.
    pub horizon: Horizon,
    /// Initial population.
    pub population: PopulationParams,
    /// Demography.
    pub demography: DemographyParams,
    /// Labour market.
    pub labour: LabourParams,
    /// Incomes and local demand.
    pub economy: EconomyParams,
    /// Migration.
    pub migration: MigrationParams,
    /// Sectors, in scenario order.
    pub sectors: Vec<Sector>,
    /// Policies and events, in scenario order.
    pub policies: Vec<Policy>,
}

impl DemographyParams {
    /// The factor on death rates in a calendar year: `mortality_path` at that
    /// year (1 without a path).
    pub fn mortality_factor(&self, year: i32) -> f64 {
        interpolate(&self.mortality_path, year as f64)
    }

    /// The factor on birth probabilities in a calendar year: `fertility_path`
    /// at that year (1 without a path).
    pub fn fertility_factor(&self, year: i32) -> f64 {
        interpolate(&self.fertility_path, year as f64)
    }
}

/// Linear interpolation in a `(year, value)` path, flat beyond its ends.
pub fn interpolate(path: &[(f64, f64)], year: f64) -> f64 {
    match path {
        [] => 1.0,
        [(_, v)] => *v,
        _ => {
            if year <= path[0].0 {
                return path[0].1;
            }
            for w in path.windows(2) {
                let ((x0, y0), (x1, y1)) = (w[0], w[1]);
                if year <= x1 {
                    return y0 + (y1 - y0) * (year - x0) / (x1 - x0);
                }
            }
            path[path.len() - 1].1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::interpolate;

    #[test]
    fn interpolates_and_holds_ends() {
        let path = [(2000.0, 1.0), (2010.0, 0.5)];
        assert_eq!(interpolate(&path, 1990.0), 1.0);
        assert_eq!(interpolate(&path, 2005.0), 0.75);
        assert_eq!(interpolate(&path, 2030.0), 0.5);
    }
}
