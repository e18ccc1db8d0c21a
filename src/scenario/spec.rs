//! The shape of a scenario file, as serde reads it. Validation (`validate.rs`) turns
//! it into the model's [`Params`](crate::model::params::Params).

use indexmap::IndexMap;
use serde::Deserialize;

use crate::model::params::{
    DemographyParams, EconomyParams, LabourParams, MigrationParams, Payer, PopulationParams,
    SKILLS, SectorKind,
};

/// A whole scenario after merging its `extends` chain.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Name of the scenario (taken from the top file, or its file name).
    #[serde(default)]
    pub name: Option<String>,
    /// One or two sentences saying what the scenario represents.
    pub description: String,
    /// The question the scenario asks, for the report (optional).
    #[serde(default)]
    pub question: Option<String>,
    /// Horizon, seed and replicates.
    pub simulation: SimulationSpec,
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
    /// Sectors by name, in file order.
    #[serde(default)]
    pub sectors: IndexMap<String, SectorSpec>,
    /// Policies and events by name, in file order.
    #[serde(default)]
    pub policies: IndexMap<String, PolicySpec>,
    /// Source of each parameter, by dotted key path.
    #[serde(default)]
    pub sources: IndexMap<String, String>,
}

/// `[simulation]`: horizon, seed, replicates, reporting.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationSpec {
    /// First month, `YYYY-MM`.
    pub start: String,
    /// Length of the run in years.
    pub years: u32,
    /// Master seed of the random number generator.
    pub seed: u64,
    /// Number of replicates.
    pub replicates: u32,
    /// Months between two rows of `timeseries.csv`.
    pub report_every_months: u32,
    /// Years of labour-market history simulated before the start, not reported.
    pub spin_up_years: u32,
    /// How the replicates' uncertain parameters are chosen.
    pub design: Sampling,
}

/// How the replicates of a batch choose their uncertain parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Each replicate draws each parameter independently.
    #[default]
    Independent,
    /// The replicates together form a Latin hypercube: each parameter's
    /// distribution is cut into as many equally likely strata as there are
    /// replicates, and every stratum is used once.
    LatinHypercube,
}

/// `[sectors.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectorSpec {
    /// What drives its demand.
    pub kind: SectorKind,
    /// Share of initial employment.
    pub employment_share: f64,
    /// Base monthly wage at the start (yuan).
    pub wage: f64,
    /// Annual growth of the base wage.
    pub wage_growth: f64,
    /// Annual growth of output per worker.
    #[serde(default)]
    pub productivity_growth: f64,
    /// Demand index by year, `[[year, index], ...]`.
    #[serde(default)]
    pub demand: Vec<(f64, f64)>,
    /// How well each skill group fits the sector's jobs.
    #[serde(default = "full_fit")]
    pub skill_fit: [f64; SKILLS],
    /// Transferability from this sector to others, by sector name.
    #[serde(default)]
    pub transferability: IndexMap<String, f64>,
    /// Reserves at the start (extractive sectors).
    pub reserves: Option<f64>,
    /// Annual output at the start (extractive sectors).
    pub output: Option<f64>,
    /// Minimum reserve-to-production ratio in years (extractive sectors).
    pub min_reserve_years: Option<f64>,
    /// Unit of reserves and output (extractive sectors).
    pub unit: Option<String>,
    /// Share of its workers in special-type work, who retire at the special ages.
    #[serde(default)]
    pub special_work_share: f64,
    /// Monthly share of its jobs that end for reasons other than falling
    /// demand, and of new vacancies it opens (default: `labour.separation_rate`
    /// and `labour.vacancy_rate`).
    pub separation_rate: Option<f64>,
    /// Annual probability that a worker past the statutory retirement age
    /// stops working, for work that has no statutory retirement (family
    /// farms); absent: the sector's workers retire at the statutory age.
    /// Setting it makes the sector own-account family work in every respect
    /// (docs/ODD.md sections 7.1, 7.4 and 7.9): no dismissals, school leavers
    /// of its households join it, its income is shared, no employee pension.
    pub elderly_exit_rate: Option<f64>,
    /// Monthly probability that an unemployed resident takes up this work on
    /// their own (times their skill fit): own-account work such as street
    /// trade (docs/ODD.md section 7.11); absent: nobody does.
    pub uptake_rate: Option<f64>,
}

fn full_fit() -> [f64; SKILLS] {
    [1.0; SKILLS]
}

/// The kinds of policy and event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// See [`PolicyAction::Retraining`](crate::model::params::PolicyAction::Retraining).
    Retraining,
    /// See [`PolicyAction::ClusterInvestment`](crate::model::params::PolicyAction::ClusterInvestment).
    ClusterInvestment,
    /// See [`PolicyAction::EarlyRetirement`](crate::model::params::PolicyAction::EarlyRetirement).
    EarlyRetirement,
    /// See [`PolicyAction::PublicJobs`](crate::model::params::PolicyAction::PublicJobs).
    PublicJobs,
    /// See [`PolicyAction::LayoffWave`](crate::model::params::PolicyAction::LayoffWave).
    LayoffWave,
    /// See [`PolicyAction::DemandShock`](crate::model::params::PolicyAction::DemandShock).
    DemandShock,
}

impl PolicyKind {
    /// The keys a policy of this kind takes besides `kind`, `start`, `end`,
    /// `enabled` and `description`.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            PolicyKind::Retraining => &[
                "seats_per_10000",
                "take_up",
                "duration_months",
                "min_months_unemployed",
                "eligible_sectors",
                "target_sector",
                "skill_upgrade",
                "cost_per_trainee_month",
            ],
            PolicyKind::ClusterInvestment => &["sector", "capacity_growth", "cost_per_year"],
            PolicyKind::EarlyRetirement => &[
                "years_before",
                "take_up",
                "allowance_share",
                "eligible_sectors",
                "paid_by",
            ],
            PolicyKind::PublicJobs => &["sector", "jobs_per_10000"],
            PolicyKind::LayoffWave => &["sector", "share"],
            PolicyKind::DemandShock => &["sector", "factor"],
        }
    }
}

/// `[policies.NAME]`: every key any kind takes; validation checks which apply.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct PolicySpec {
    pub kind: PolicyKind,
    pub start: String,
    pub end: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub description: Option<String>,
    pub seats_per_10000: Option<f64>,
    pub take_up: Option<f64>,
    pub duration_months: Option<u32>,
    pub min_months_unemployed: Option<u32>,
    pub eligible_sectors: Option<Vec<String>>,
    pub target_sector: Option<String>,
    pub skill_upgrade: Option<bool>,
    pub cost_per_trainee_month: Option<f64>,
    pub sector: Option<String>,
    pub capacity_growth: Option<f64>,
    pub years_before: Option<u32>,
    pub allowance_share: Option<f64>,
    pub paid_by: Option<Payer>,
    pub cost_per_year: Option<f64>,
    pub jobs_per_10000: Option<f64>,
    pub share: Option<f64>,
    pub factor: Option<f64>,
}

fn yes() -> bool {
    true
}
