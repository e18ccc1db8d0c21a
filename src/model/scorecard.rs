//! The just-transition scorecard: who bears the cost of the shift, and what
//! helps. It follows the cohort of displaced workers (see `cohort.rs`) and a few
//! city-wide outcomes, and adds up the cost of the policies: the public's, and
//! what employers bear.
//!
//! Each indicator is declared once in [`SCORECARD`] with its unit, meaning and
//! the policy practice it comes from; [`City::scorecard`] computes them at the
//! end of a replicate from counts kept up to date by the events.

use super::City;
use super::params::{Payer, PolicyAction, SectorKind};
use super::people::{Person, Status, marks, traits};

/// Months after displacement at which re-employment is measured.
pub const REEMPLOYMENT_MONTHS: [i32; 4] = [6, 12, 24, 60];
/// Months after a course at which trainees' placement is measured (the ESF+
/// result indicator: in employment six months after leaving).
pub const PLACEMENT_MONTHS: i32 = 6;
/// Ages (years, inclusive) of the young adults whose out-migration is followed
/// (the EU's youth statistics cover 15–29; the model's working age starts at 16).
pub const YOUNG_ADULT_AGES: (u32, u32) = (16, 29);

/// Which part of the scorecard an indicator belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// About the cohort of displaced workers.
    Displaced,
    /// About the city as a whole.
    City,
    /// The public cost of the policies.
    Cost,
    /// What the policies cost the employers (not the public).
    EmployerCost,
}

impl Group {
    /// Name used in `indicators.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Group::Displaced => "displaced_workers",
            Group::City => "city",
            Group::Cost => "public_cost",
            Group::EmployerCost => "employer_cost",
        }
    }

    /// Whether its indicators are costs (the public's or the employers'): in
    /// yuan, never negative, and "none" when zero.
    pub fn is_cost(self) -> bool {
        matches!(self, Group::Cost | Group::EmployerCost)
    }
}

/// One indicator of the scorecard.
#[derive(Clone, Copy, Debug)]
pub struct IndicatorDef {
    /// Name (the `indicator` column of `indicators.csv`).
    pub name: &'static str,
    /// Short label for a table or a chart.
    pub label: &'static str,
    /// Part of the scorecard.
    pub group: Group,
    /// Unit.
    pub unit: &'static str,
    /// What it measures, in one sentence.
    pub description: &'static str,
    /// Where the indicator comes from in policy practice or research.
    pub source: &'static str,
}

/// The scorecard, in report order.
pub const SCORECARD: [IndicatorDef; 30] = [
    IndicatorDef {
        name: "displaced_workers",
        label: "Workers displaced",
        group: Group::Displaced,
        unit: "persons",
        description: "workers who lost a job in a declining sector (a demand-driven cut or a layoff wave) during the run, counted once, at their first displacement",
        source: "ILO (2015), Guidelines for a just transition: the workers affected are at the centre of the transition",
    },
    IndicatorDef {
        name: "displaced_per_1000",
        label: "Displaced per 1,000 residents",
        group: Group::Displaced,
        unit: "per 1,000 initial residents",
        description: "displaced workers per 1,000 residents at the start",
        source: "ILO (2015), Guidelines for a just transition: the workers affected are at the centre of the transition",
    },
    IndicatorDef {
        name: "reemployed_within_6_months",
        label: "Re-employed within 6 months",
        group: Group::Displaced,
        unit: "share",
        description: "share of the workers displaced at least 6 months before the end who found a job in the city within 6 months",
        source: "OECD (2013), Employment Outlook, ch. 4: re-employment of displaced workers; ILO (2015) on active labour market policies",
    },
    IndicatorDef {
        name: "reemployed_within_12_months",
        label: "Re-employed within 12 months",
        group: Group::Displaced,
        unit: "share",
        description: "the same within 12 months (of those displaced at least 12 months before the end)",
        source: "OECD (2013), Employment Outlook, ch. 4: re-employment of displaced workers; ILO (2015) on active labour market policies",
    },
    IndicatorDef {
        name: "reemployed_within_24_months",
        label: "Re-employed within 2 years",
        group: Group::Displaced,
        unit: "share",
        description: "the same within 24 months (of those displaced at least 24 months before the end)",
        source: "OECD (2013), Employment Outlook, ch. 4: re-employment of displaced workers; ILO (2015) on active labour market policies",
    },
    IndicatorDef {
        name: "reemployed_within_60_months",
        label: "Re-employed within 5 years",
        group: Group::Displaced,
        unit: "share",
        description: "the same within 60 months (of those displaced at least 60 months before the end)",
        source: "OECD (2013), Employment Outlook, ch. 4: re-employment of displaced workers; ILO (2015) on active labour market policies",
    },
    IndicatorDef {
        name: "displaced_long_term_unemployed",
        label: "Long-term unemployed at the end",
        group: Group::Displaced,
        unit: "share",
        description: "share of the displaced who, at the end, are unemployed and have been for 12 months or more",
        source: "ILO (2015) on social protection; long-term unemployment (12 months or more) as in ILO labour statistics",
    },
    IndicatorDef {
        name: "displaced_employed_at_end",
        label: "In work in the city at the end",
        group: Group::Displaced,
        unit: "share",
        description: "share of the displaced holding a job in the city at the end",
        source: "OECD (2013), Employment Outlook, ch. 4: re-employment of displaced workers",
    },
    IndicatorDef {
        name: "displaced_retired_at_end",
        label: "Retired at the end",
        group: Group::Displaced,
        unit: "share",
        description: "share of the displaced retired at the end, at the statutory age or early",
        source: "ILO (2015) on social protection: pensions for older displaced workers",
    },
    IndicatorDef {
        name: "displaced_retired_early",
        label: "Retired early",
        group: Group::Displaced,
        unit: "share",
        description: "share of the displaced who took early retirement",
        source: "ILO (2015) on social protection: early retirement and pension bridging as transition measures",
    },
    IndicatorDef {
        name: "displaced_left_city",
        label: "Left the city",
        group: Group::Displaced,
        unit: "share",
        description: "share of the displaced who moved away from the city",
        source: "EU Just Transition Fund (Regulation (EU) 2021/1056): territorial plans assess the demographic impact of the transition",
    },
    IndicatorDef {
        name: "displaced_died",
        label: "Died",
        group: Group::Displaced,
        unit: "share",
        description: "share of the displaced who died during the run (so that the statuses at the end add up)",
        source: "cohort accounting: completes the statuses of the displaced at the end",
    },
    IndicatorDef {
        name: "wage_replacement_ratio",
        label: "Wage of the new job vs the old",
        group: Group::Displaced,
        unit: "ratio",
        description: "mean ratio of the wage of the first job after displacement to what the lost job would have paid in the same month, over the displaced who found one",
        source: "OECD (2013), Employment Outlook, ch. 4: earnings of displaced workers on re-employment",
    },
    IndicatorDef {
        name: "earnings_loss_years",
        label: "Earnings lost (years of former pay)",
        group: Group::Displaced,
        unit: "years of prior earnings",
        description: "earnings lost after displacement up to the end of the run (while of working age in the city), against what the lost job would have paid, per displaced worker, in years of their wage at displacement",
        source: "Jacobson, LaLonde & Sullivan (1993), AER 83(4); Davis & von Wachter (2011), BPEA: cumulative earnings losses of displaced workers",
    },
    IndicatorDef {
        name: "earnings_loss_share",
        label: "Share of former earnings lost",
        group: Group::Displaced,
        unit: "share",
        description: "earnings lost after displacement as a share of what the lost jobs would have paid over the same months",
        source: "Jacobson, LaLonde & Sullivan (1993), AER 83(4); Davis & von Wachter (2011), BPEA: cumulative earnings losses of displaced workers",
    },
    IndicatorDef {
        name: "displaced_trained",
        label: "Started a retraining course",
        group: Group::Displaced,
        unit: "share",
        description: "share of the displaced who started a retraining course",
        source: "ESF+ common output indicator: participants (Regulation (EU) 2021/1057, Annex I), here among the displaced; ILO (2015) on skills development",
    },
    IndicatorDef {
        name: "jobs_lost",
        label: "Jobs lost in shrinking sectors",
        group: Group::City,
        unit: "jobs",
        description: "for each sector with fewer workers at the end than at the start, the difference, summed: the jobs the shrinking sectors lost, whether or not anyone was laid off",
        source: "Davis & Haltiwanger (1992), QJE 107:819: job destruction is measured by the fall in employment of shrinking units, apart from the worker flows behind it",
    },
    IndicatorDef {
        name: "jobs_lost_to_attrition",
        label: "Jobs lost without a layoff",
        group: Group::City,
        unit: "jobs",
        description: "of the jobs lost, those that no one was laid off from: for each shrinking sector, its jobs lost minus its workers laid off (demand-driven cuts and layoff waves), where positive; the jobs of workers who retired, died, left or quit and were not replaced",
        source: "Davis & Haltiwanger (1992), QJE 107:819: job destruction beyond the separations it forces; attrition (not replacing leavers) as the way state enterprises shed workers",
    },
    IndicatorDef {
        name: "attrition_share_of_jobs_lost",
        label: "Share of job loss by attrition",
        group: Group::City,
        unit: "share",
        description: "jobs lost to attrition over jobs lost: the part of the decline that no displaced worker carries, and that falls instead on those who are not hired",
        source: "Davis & Haltiwanger (1992), QJE 107:819",
    },
    IndicatorDef {
        name: "young_adult_out_migration_rate",
        label: "Young adults (16–29) leaving, per 1,000 a year",
        group: Group::City,
        unit: "per 1,000/year",
        description: "residents aged 16–29 who left, per 1,000 residents aged 16–29 and per year, over the run",
        source: "EU Just Transition Fund (Regulation (EU) 2021/1056): the demographic impact; EU youth statistics cover ages 15–29",
    },
    IndicatorDef {
        name: "old_age_dependency_ratio",
        label: "Old-age dependency ratio at the end",
        group: Group::City,
        unit: "ratio",
        description: "residents aged 60+ per resident aged 16–59 at the end",
        source: "Old-age dependency ratio as in UN and Eurostat statistics (here 60+ over 16–59, China's retirement and working ages); JTF demographic impact",
    },
    IndicatorDef {
        name: "resource_job_share",
        label: "Share of jobs in extractive sectors at the end",
        group: Group::City,
        unit: "share",
        description: "share of jobs held in extractive sectors at the end",
        source: "EU Just Transition Fund (Regulation (EU) 2021/1056): territorial plans identify employment in the declining sectors",
    },
    IndicatorDef {
        name: "early_retirees",
        label: "People who retired early",
        group: Group::City,
        unit: "persons",
        description: "people who took early retirement during the run (displaced or not): the beneficiaries of early-retirement schemes",
        source: "ILO (2015) on social protection: who early retirement covers",
    },
    IndicatorDef {
        name: "training_participants",
        label: "People who started a course",
        group: Group::City,
        unit: "persons",
        description: "people who started a retraining course during the run",
        source: "ESF+ common output indicator: participants (Regulation (EU) 2021/1057, Annex I)",
    },
    IndicatorDef {
        name: "training_placement_rate",
        label: "Graduates in work 6 months after their course",
        group: Group::City,
        unit: "share",
        description: "share of course graduates still in the city 6 months after their course who hold a job then",
        source: "ESF+ common result indicator: participants in employment six months after leaving (Regulation (EU) 2021/1057, Annex I)",
    },
    IndicatorDef {
        name: "public_cost_total",
        label: "Public cost of the policies",
        group: Group::Cost,
        unit: "million yuan",
        description: "public cost of all policies over the run (retraining, early-retirement allowances, public jobs, cluster investment), undiscounted",
        source: "ILO (2015): policies for a just transition are to be planned and financed",
    },
    IndicatorDef {
        name: "public_cost_retraining",
        label: "of which retraining",
        group: Group::Cost,
        unit: "million yuan",
        description: "cost of the retraining courses started (cost per trainee-month times course months within the run)",
        source: "Cost of training measures of the kind the JTF and ESF+ finance",
    },
    IndicatorDef {
        name: "public_cost_early_retirement",
        label: "of which early-retirement allowances",
        group: Group::Cost,
        unit: "million yuan",
        description: "early-retirement allowances the public pays, month by month from retirement until the statutory age or death (within the run); a retiree who leaves the city keeps theirs",
        source: "ILO (2015) on social protection: the cost of pension bridging",
    },
    IndicatorDef {
        name: "public_cost_jobs_and_investment",
        label: "of which public jobs and investment",
        group: Group::Cost,
        unit: "million yuan",
        description: "wages of public-welfare and remediation posts, plus cluster investment where the scenario gives its cost",
        source: "EU Just Transition Fund: investment in new economic activities; public employment programmes",
    },
    IndicatorDef {
        name: "employer_cost_early_retirement",
        label: "Early-retirement allowances paid by employers",
        group: Group::EmployerCost,
        unit: "million yuan",
        description: "allowances of early-retirement schemes the employers pay (internal retirement in state enterprises), counted as the public's are, undiscounted; not part of the public cost",
        source: "State Council, Guofa [2016] No. 7: coal enterprises pay their internally retired staff a living allowance until the statutory age",
    },
];

/// Event records the scorecard needs beyond the displaced tally.
#[derive(Clone, Debug, Default)]
pub(super) struct Tracker {
    /// Workers first displaced in each month.
    displaced_in: Vec<u64>,
    /// Of those, how many were re-employed within each of [`REEMPLOYMENT_MONTHS`].
    reemployed_within: Vec<[u64; 4]>,
    /// Re-employed displaced workers, and the sum of their wage replacement ratios.
    reemployed: u64,
    replacement_sum: f64,
    /// Sum over the cohort of the wage at displacement (yuan/month).
    prior_wage_sum: f64,
    /// Earnings lost, and earnings the lost jobs would have paid, summed over
    /// the months of the earnings window (yuan).
    earnings_lost: f64,
    earnings_expected: f64,
    displaced_retired_early: u64,
    early_retirees: u64,
    displaced_trained: u64,
    training_participants: u64,
    /// Course graduates resident at their placement check, and those of them
    /// employed.
    placement_checked: u64,
    placed: u64,
    young_leavers: u64,
    /// Residents aged 16–29, summed over months.
    young_person_months: u64,
    /// Public cost (yuan): retraining, early retirement, public jobs and investment.
    cost: [f64; 3],
    /// Early-retirement allowances the employers pay (yuan).
    employer_cost: f64,
    /// Workers employed in each sector at the start.
    jobs_at_start: Vec<u64>,
    /// Workers laid off in each sector (demand-driven cuts and layoff waves,
    /// every time, not only a worker's first displacement).
    laid_off: Vec<u64>,
}

impl Tracker {
    /// An empty record for a horizon in months, with each sector's
    /// employment at the start.
    pub(super) fn new(months: u32, jobs_at_start: Vec<u64>) -> Self {
        let n = months as usize + 1;
        Tracker {
            displaced_in: vec![0; n],
            reemployed_within: vec![[0; 4]; n],
            laid_off: vec![0; jobs_at_start.len()],
            jobs_at_start,
            ..Tracker::default()
        }
    }
}

impl City {
    /// Months left in the run from the month being simulated (included).
    fn months_left(&self) -> i32 {
        self.p.horizon.months as i32 - self.t
    }

    /// Records a layoff from a sector (every displacement, first or not).
    pub(super) fn record_layoff(&mut self, sector: usize) {
        if let Some(n) = self.tracker.laid_off.get_mut(sector) {
            *n += 1;
        }
    }

    /// Jobs the shrinking sectors lost since the start, and of those the jobs
    /// no one was laid off from.
    fn jobs_lost(&self) -> (u64, u64) {
        let tr = &self.tracker;
        let (mut lost, mut attrition) = (0, 0);
        for (s, &start) in tr.jobs_at_start.iter().enumerate() {
            let now = self.employed_in(s);
            let fall = start.saturating_sub(now);
            lost += fall;
            attrition += fall.saturating_sub(tr.laid_off[s]);
        }
        (lost, attrition)
    }

    /// Records a worker's first displacement, at the wage they had.
    pub(super) fn record_displacement(&mut self, p: &mut Person, wage: f64) {
        self.tracker.displaced_in[self.t as usize] += 1;
        self.tracker.prior_wage_sum += wage;
        p.set_marks(marks::AWAITING_REEMPLOYMENT, 0);
    }

    /// Records a hire: a displaced worker's first job after displacement gives
    /// the re-employment delay and the wage replacement ratio.
    pub(super) fn record_hire(&mut self, p: &mut Person, wage: f64) {
        if !p.marked(marks::AWAITING_REEMPLOYMENT) {
            return;
        }
        // The spell that began at displacement is still the current one: training
        // keeps it, and nothing else moves an awaiting worker back to work.
        let displaced = p.since();
        let delay = self.t - displaced;
        let within = &mut self.tracker.reemployed_within[displaced as usize];
        for (k, &months) in REEMPLOYMENT_MONTHS.iter().enumerate() {
            if delay <= months {
                within[k] += 1;
            }
        }
        let prior = self.prior_job_wage(p);
        if prior > 0.0 {
            self.tracker.reemployed += 1;
            self.tracker.replacement_sum += wage / prior;
        }
        p.set_marks(0, marks::AWAITING_REEMPLOYMENT);
    }

    /// What the job a person held before their displacement (or, if never
    /// displaced, before their last job loss) would pay this month (yuan; 0 if
    /// they never lost a job).
    pub(super) fn prior_job_wage(&self, p: &Person) -> f64 {
        let s = p.prior_sector();
        self.sectors
            .get(s)
            .map_or(0.0, |st| st.wage_level * p.prior_factor() as f64)
    }

    /// Records an early retirement. Its allowance is counted month by month
    /// while it is paid (see [`close_month_accounts`](Self::close_month_accounts)).
    pub(super) fn record_early_retirement(&mut self, p: &Person) {
        self.tracker.early_retirees += 1;
        if p.has(traits::DISPLACED) {
            self.tracker.displaced_retired_early += 1;
        }
    }

    /// Adds allowances (a month's, or the rest a leaver will draw) to their
    /// payer's cost.
    fn pay_allowance(&mut self, allowance: f64, paid_by: Payer) {
        match paid_by {
            Payer::Public => self.tracker.cost[1] += allowance,
            Payer::Employer => self.tracker.employer_cost += allowance,
        }
    }

    /// An early retiree reaching the statutory age: their allowance has ended
    /// and their earnings are no longer compared with their former wage.
    pub(super) fn record_statutory_age(&mut self, p: &mut Person) {
        if p.has(traits::EARLY_RETIRED) {
            p.set_marks(marks::PAST_STATUTORY_AGE, 0);
        }
    }

    /// Records the start of a retraining course and its cost.
    pub(super) fn record_training_start(&mut self, p: &Person, duration: u32, cost_per_month: f64) {
        self.tracker.training_participants += 1;
        if p.has(traits::DISPLACED) {
            self.tracker.displaced_trained += 1;
        }
        let months = (duration as i32).min(self.months_left());
        self.tracker.cost[0] += cost_per_month * months as f64;
    }

    /// Schedules a graduate's placement check, counted by the people store
    /// among the graduates due that month.
    pub(super) fn record_graduation(&self, p: &mut Person) {
        p.set_placement_check(self.t + PLACEMENT_MONTHS);
    }

    /// Records a resident leaving. An early retiree keeps drawing their
    /// allowance elsewhere: what it will pay them from this month to the
    /// statutory age (within the run) is owed now, since they are no longer
    /// followed.
    pub(super) fn record_departure(&mut self, p: &Person) {
        let age = p.age(self.t);
        if (YOUNG_ADULT_AGES.0..=YOUNG_ADULT_AGES.1).contains(&age) {
            self.tracker.young_leavers += 1;
        }
        if let Some((allowance, paid_by)) = p.allowance() {
            let statutory = 12 * self.retirement_age(p.female()) as i32;
            let months = (statutory - (self.t - p.birth())).clamp(0, self.months_left());
            self.pay_allowance(allowance * months as f64, paid_by);
        }
    }

    /// The month's accounts, at the end of the month: the displaced cohort's
    /// earnings against their former wages, young adults in the city, placement
    /// checks due, and the running cost of public jobs and investment.
    pub(super) fn close_month_accounts(&mut self) {
        let cohort = self.people.displaced();
        let earned: f64 = (0..self.sectors.len())
            .map(|s| self.sectors[s].wage_level * cohort.wage_factor_sum(s))
            .sum();
        let expected: f64 = (0..self.sectors.len())
            .map(|s| self.sectors[s].wage_level * cohort.window_prior_factor_sum(s))
            .sum();
        self.tracker.earnings_expected += expected;
        self.tracker.earnings_lost += expected - earned;

        self.tracker.young_person_months +=
            self.people
                .tally()
                .residents_of_age(self.t, YOUNG_ADULT_AGES.0, YOUNG_ADULT_AGES.1);

        let (checked, placed) = self.people.placement_check(self.t);
        self.tracker.placement_checked += checked;
        self.tracker.placed += placed;

        let scale = self.initial_residents as f64 / 10_000.0;
        let monthly: f64 = self
            .active()
            .map(|a| match *a {
                PolicyAction::PublicJobs {
                    sector,
                    jobs_per_10000,
                } => jobs_per_10000 * scale * self.sectors[sector].wage_level,
                PolicyAction::ClusterInvestment { cost_per_year, .. } => cost_per_year / 12.0,
                _ => 0.0,
            })
            .sum();
        self.tracker.cost[2] += monthly;
        // Early retirees still resident draw this month's allowance; the dead
        // no longer do, and leavers were counted as they left.
        for paid_by in [Payer::Public, Payer::Employer] {
            let allowances = self.people.allowances(paid_by);
            self.pay_allowance(allowances, paid_by);
        }
    }

    /// Jobs held in extractive sectors.
    pub(super) fn resource_jobs(&self) -> u64 {
        (0..self.sectors.len())
            .filter(|&s| self.p.sectors[s].kind == SectorKind::Extractive)
            .map(|s| self.employed_in(s))
            .sum()
    }

    /// Public cost of the policies so far (yuan).
    pub(super) fn public_cost(&self) -> f64 {
        self.tracker.cost.iter().sum()
    }

    /// What the policies have cost employers so far (yuan).
    pub(super) fn employer_cost(&self) -> f64 {
        self.tracker.employer_cost
    }

    /// The scorecard of this replicate so far: one value per entry of
    /// [`SCORECARD`], NaN where it is undefined (a share of nobody).
    pub fn scorecard(&self) -> Vec<f64> {
        let share = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        let tr = &self.tracker;
        let cohort = self.people.displaced();
        let total = cohort.total() as f64;
        // Of those displaced at least k months before the last month simulated.
        let last = self.t - 1;
        let reemployed = |k: usize| {
            let months = REEMPLOYMENT_MONTHS[k];
            let end = (last - months + 1).clamp(0, tr.displaced_in.len() as i32) as usize;
            let at_risk: u64 = tr.displaced_in[..end].iter().sum();
            let found: u64 = tr.reemployed_within[..end].iter().map(|w| w[k]).sum();
            share(found as f64, at_risk as f64)
        };
        // Spell months are indexed like the cohort tally (offset by COHORT_OFFSET).
        let long_term = cohort.unemployed_since_at_most(
            (self.t - super::metrics::LONG_TERM_MONTHS + super::people::COHORT_OFFSET).max(0)
                as usize,
        );
        let employed: f64 = (0..self.sectors.len())
            .map(|s| self.employed_in(s) as f64)
            .sum();
        let extractive = self.resource_jobs() as f64;
        let working = self.people.tally().by_age(
            self.t,
            super::metrics::WORKING_AGES.0,
            super::metrics::WORKING_AGES.1,
        );
        let old = self
            .people
            .tally()
            .by_age(self.t, super::metrics::OLD_AGE, 200);
        let residents = |c: [[u64; 6]; 2]| c.iter().flatten().sum::<u64>() as f64;
        let (jobs_lost, attrition) = self.jobs_lost();
        let million = |yuan: f64| yuan / 1e6;
        // The array's length is checked against the scorecard's at compile time.
        let values: [f64; SCORECARD.len()] = [
            total,
            1000.0 * total / self.initial_residents.max(1) as f64,
            reemployed(0),
            reemployed(1),
            reemployed(2),
            reemployed(3),
            share(long_term as f64, total),
            share(cohort.in_status(Status::Employed) as f64, total),
            share(cohort.in_status(Status::Retired) as f64, total),
            share(tr.displaced_retired_early as f64, total),
            share(cohort.in_status(Status::Left) as f64, total),
            share(cohort.in_status(Status::Dead) as f64, total),
            share(tr.replacement_sum, tr.reemployed as f64),
            share(tr.earnings_lost, 12.0 * tr.prior_wage_sum),
            share(tr.earnings_lost, tr.earnings_expected),
            share(tr.displaced_trained as f64, total),
            jobs_lost as f64,
            attrition as f64,
            share(attrition as f64, jobs_lost as f64),
            share(
                1000.0 * tr.young_leavers as f64,
                tr.young_person_months as f64 / 12.0,
            ),
            share(residents(old), residents(working)),
            share(extractive, employed),
            tr.early_retirees as f64,
            tr.training_participants as f64,
            share(tr.placed as f64, tr.placement_checked as f64),
            million(self.public_cost()),
            million(tr.cost[0]),
            million(tr.cost[1]),
            million(tr.cost[2]),
            million(tr.employer_cost),
        ];
        values.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::super::metrics::Leaver;
    use super::super::{City, model_rng};
    use super::*;

    /// An early retiree's allowance is counted month by month while it is
    /// paid: it stops when the retiree dies, and one who leaves the city keeps
    /// drawing it, so what is left to the statutory age is counted as they go.
    #[test]
    fn allowances_are_counted_as_they_are_paid() {
        let s = crate::scenario::load("test-city", &[]).unwrap();
        let mut city = City::new(s.params.clone(), model_rng(7));
        let group = city.people.layout().employed(0);
        let mut rng = model_rng(8);
        let mut retirees = Vec::new();
        city.people.pick(group, 2, &mut rng, &mut retirees);
        let (allowance, paid_by) = (1_000.0, Payer::Employer);
        for mut p in retirees {
            city.record_early_retirement(&p);
            p.retire_early(allowance, paid_by);
            city.people.put(p, Status::Retired);
        }
        assert_eq!(city.people.allowances(paid_by), 2.0 * allowance);
        assert_eq!(city.people.allowances(Payer::Public), 0.0);
        city.close_month_accounts();
        city.close_month_accounts();
        assert_eq!(city.tracker.employer_cost, 4.0 * allowance);

        let mut retired = Vec::new();
        let layout = city.people.layout();
        for pool in layout.pools_of(layout.retired()) {
            city.people
                .take_where(pool, |p| p.allowance().is_some(), &mut retired);
        }
        assert_eq!(retired.len(), 2);
        assert_eq!(city.people.allowances(paid_by), 0.0);
        // One dies: their allowance stops.
        city.people.put(retired[0], Status::Dead);
        // One leaves in the month after next: the months left to their
        // statutory age, within the run, are owed.
        city.t += 2;
        let leaver = retired[1];
        let statutory = 12 * city.retirement_age(leaver.female()) as i32;
        let owed = (statutory - (city.t - leaver.birth())).min(city.months_left());
        assert!(
            owed > 2,
            "the retiree is {} months from the statutory age",
            owed
        );
        city.leave(leaver, Leaver::Retired);
        city.close_month_accounts();
        assert_eq!(city.tracker.employer_cost, (4.0 + owed as f64) * allowance);
        assert_eq!(city.tracker.cost, [0.0; 3]);
        city.people.check_consistency().unwrap();
    }

    /// The allowance ends in the month the retiree reaches the statutory age.
    #[test]
    fn an_allowance_stops_at_the_statutory_age() {
        let s = crate::scenario::load("test-city", &[]).unwrap();
        let mut city = City::new(s.params.clone(), model_rng(7));
        let services = s.params.sectors.iter().position(|x| x.name == "services");
        let layout = city.people.layout();
        let t0 = city.t;
        let (male, female) = (city.retirement_age(false), city.retirement_age(true));
        let statutory_month =
            move |p: &Person| p.birth() + 12 * (if p.female() { female } else { male }) as i32;
        let mut found = Vec::new();
        for pool in layout.pools_of(layout.employed(services.unwrap())) {
            city.people.take_where(
                pool,
                |p| (t0 + 2..t0 + 24).contains(&statutory_month(p)),
                &mut found,
            );
        }
        let mut retiree = found
            .pop()
            .expect("a service worker within two years of the age");
        for p in found {
            city.people.put(p, Status::Employed);
        }
        let last = statutory_month(&retiree);
        city.record_early_retirement(&retiree);
        retiree.retire_early(1_000.0, Payer::Public);
        city.people.put(retiree, Status::Retired);
        for month in t0..last + 3 {
            city.t = month;
            city.age_milestones();
            city.close_month_accounts();
        }
        assert_eq!(city.tracker.cost[1], 1_000.0 * (last - t0) as f64);
        assert_eq!(city.people.allowances(Payer::Public), 0.0);
        city.people.check_consistency().unwrap();
    }

    /// Family farmers work past the statutory age (§7.4 of the ODD): they are
    /// past an early-retirement window, not in it, so none of them draws an
    /// allowance.
    #[test]
    fn farmers_past_the_statutory_age_do_not_retire_early() {
        let keys: Vec<crate::scenario::Override> = [
            "sectors.agriculture.elderly_exit_rate=0.05",
            "policies.early.kind=early_retirement",
            "policies.early.start=2010-01",
            "policies.early.years_before=5",
            "policies.early.take_up=1.0",
            "policies.early.allowance_share=0.7",
            "policies.early.eligible_sectors=[\"agriculture\"]",
        ]
        .iter()
        .map(|k| k.parse().unwrap())
        .collect();
        let s = crate::scenario::load("tests/scenarios/farming.toml", &keys).unwrap();
        let farm = s
            .params
            .sectors
            .iter()
            .position(|x| x.name == "agriculture");
        let mut city = City::new(s.params.clone(), model_rng(3));
        let (male, female) = (city.retirement_age(false), city.retirement_age(true));
        let past = move |p: &Person, t: i32| p.age(t) >= if p.female() { female } else { male };
        let layout = city.people.layout();
        let old_farmers = layout
            .pools_of(layout.employed(farm.unwrap()))
            .flat_map(|pool| city.people.pool(pool).iter())
            .filter(|p| past(p, city.t))
            .count();
        assert!(old_farmers > 0, "no farmer past the statutory age to test");
        city.step();
        let retirees: Vec<&Person> = layout
            .pools_of(layout.retired())
            .flat_map(|pool| city.people.pool(pool).iter())
            .filter(|p| p.allowance().is_some())
            .collect();
        assert!(!retirees.is_empty(), "nobody retired early");
        assert!(retirees.iter().all(|p| !past(p, city.t - 1)));
    }
}
