//! Migration. Residents leave with a hazard shaped by age (Rogers–Castro), raised
//! by long unemployment and by the gap between the expected income outside and
//! in the city (Harris–Todaro); arrivals who found no job may return. People
//! arrive three ways: newcomers into the vacancies that local hiring leaves open
//! (more where the sector pays well), a background flow that does not depend on
//! the economy (students, family moves, moves from the surrounding counties), and
//! job seekers drawn by the city's expected income against the outside's. Movers
//! of parenting age bring or take their children; children under 15 never move
//! on their own.

use rand::RngExt;
use rand_distr::{Distribution, Normal};

use super::City;
use super::metrics::{Arrival, Leaver};
use super::people::{NO_SECTOR, Newcomer, Person, PoolLayout, Status, traits};
use super::sample::{Cumulative, categorical, monthly, poisson};

/// Longest unemployment (years) that keeps raising the out-migration hazard.
const UNEMPLOYMENT_EFFECT_CAP_YEARS: f64 = 5.0;

/// Youngest age (years) of a newcomer worker.
const NEWCOMER_MIN_AGE: u32 = 18;

/// Newcomer children are younger than this many months (15 years).
pub(super) const NEWCOMER_CHILD_MONTHS: i32 = 12 * 15;

/// Ages (years, inclusive) of the movers who bring or take children: the ages
/// at which most parents of children under 15 are, with the default fertility
/// schedule (mean age at birth 29).
const PARENT_AGES: (u32, u32) = (20, 49);

/// Youngest and oldest age (years) of a background arrival: younger children
/// come only with a parent; the constant term of the Rogers–Castro profile is
/// not extended to the very old.
const BACKGROUND_ARRIVAL_AGES: (u32, u32) = (15, 74);

/// Bound on the expected-wage ratio used in the hazard, so that a city with no
/// jobs left does not produce an unbounded hazard.
const MAX_PULL_RATIO: f64 = 4.0;

impl City {
    /// Mean monthly wage of the employed (yuan).
    pub(super) fn mean_wage(&self) -> f64 {
        let (mut bill, mut workers) = (0.0, 0u64);
        for s in 0..self.sectors.len() {
            bill += self.sectors[s].wage_level * self.people.wage_sum(s);
            workers += self.employed_in(s);
        }
        if workers == 0 {
            0.0
        } else {
            bill / workers as f64
        }
    }

    /// Mean monthly wage of those employed in sector `s`: its wage level times
    /// their mean wage factor (the level alone when nobody works in it).
    pub(super) fn mean_wage_in(&self, s: usize) -> f64 {
        let level = self.sectors[s].wage_level;
        match self.employed_in(s) {
            0 => level,
            workers => level * self.people.wage_sum(s) / workers as f64,
        }
    }

    /// Ratio of the expected wage outside to the expected wage in the city, each
    /// weighted by the chance of having a job (Harris & Todaro 1970), against
    /// the reference ratio, bounded to `[1/4, 4]` so that a city with no jobs
    /// left gives a finite pull.
    fn outside_advantage(&self) -> f64 {
        relative(
            self.income_ratio(self.outside_wage()),
            self.pull_reference.outside,
        )
    }

    /// The same ratio for a job seeker of the hinterland: the income given up
    /// to come (the hinterland wage) against the city's expected income.
    fn hinterland_advantage(&self) -> f64 {
        relative(
            self.income_ratio(self.hinterland_wage()),
            self.pull_reference.hinterland,
        )
    }

    /// Ratio of an expected income elsewhere (`wage` with the outside's chance
    /// of a job) to the city's expected income; `None` if the city's is 0.
    fn income_ratio(&self, wage: f64) -> Option<f64> {
        let m = &self.p.migration;
        let employed = self.count(Status::Employed) as f64;
        let labour_force = employed + self.unemployed_total() as f64;
        let local_employment = if labour_force > 0.0 {
            employed / labour_force
        } else {
            0.0
        };
        let local = self.mean_wage() * local_employment;
        let elsewhere = wage * (1.0 - m.outside_unemployment_rate);
        (local > 0.0).then(|| elsewhere / local)
    }

    /// Ratio of the expected income outside to the mean wage of sector `s`;
    /// `None` if it has no workers.
    fn sector_income_ratio(&self, s: usize) -> Option<f64> {
        let m = &self.p.migration;
        let employed = self.employed_in(s);
        if employed == 0 {
            return None;
        }
        let wage = self.sectors[s].wage_level * self.people.wage_sum(s) / employed as f64;
        let outside = self.outside_wage() * (1.0 - m.outside_unemployment_rate);
        (wage > 0.0).then(|| outside / wage)
    }

    /// The references of the pulls: the ratios of expected incomes now, to
    /// the power `migration.gap_compensation` (all 1 when it is 0). A ratio
    /// that cannot be measured (no jobs) counts as 1, and a sector with no
    /// workers takes the city's.
    pub(super) fn pull_ratios_now(&self) -> PullRatios {
        let sectors = self.sectors.len();
        let c = self.p.migration.gap_compensation;
        if c == 0.0 {
            return PullRatios::parity(sectors);
        }
        let outside = self.income_ratio(self.outside_wage()).unwrap_or(1.0);
        PullRatios {
            outside: outside.powf(c),
            hinterland: self
                .income_ratio(self.hinterland_wage())
                .unwrap_or(1.0)
                .powf(c),
            sectors: (0..sectors)
                .map(|s| self.sector_income_ratio(s).unwrap_or(outside).powf(c))
                .collect(),
        }
    }

    /// Multiplier of the out-migration hazard of people without a job of
    /// their own: the outside's advantage in expected income, to the power
    /// `wage_gap_elasticity`.
    fn wage_pull(&self) -> f64 {
        self.outside_advantage()
            .powf(self.p.migration.wage_gap_elasticity)
    }

    /// Multiplier of the out-migration hazard of a worker of sector `s`: the
    /// expected income outside against the wage the worker has, the sector's
    /// mean (Harris & Todaro compare a mover's own prospects, and a farm
    /// labourer's are not a miner's), to the power `wage_gap_elasticity`,
    /// bounded as [`Self::outside_advantage`] is.
    fn sector_pull(&self, s: usize) -> f64 {
        relative(self.sector_income_ratio(s), self.pull_reference.sectors[s])
            .powf(self.p.migration.wage_gap_elasticity)
    }

    /// Residents who leave the city this month, and the children who leave
    /// with them.
    pub(super) fn out_migration(&mut self) {
        let t = self.t;
        let m = &self.p.migration;
        let peak = monthly(m.peak_annual_rate);
        let others = peak * self.wage_pull();
        // The sectors' bases are all worked out before anyone leaves (a
        // leaver changes the mean wage of their sector), into a list kept
        // between months.
        let mut sector_bases = std::mem::take(&mut self.sector_bases);
        sector_bases.clear();
        sector_bases.extend((0..self.sectors.len()).map(|s| peak * self.sector_pull(s)));
        let returning = monthly(m.return_rate);
        let (multiplier, effect) = (m.unemployed_multiplier, m.unemployment_effect);
        let unemployed_groups = self.people.layout().unemployed_all();
        // Leavers of parenting age: those who take their children, and farm
        // workers, who mostly leave theirs behind with grandparents.
        let (mut parents, mut farm_parents) = (0, 0);
        for group in 0..self.people.layout().groups() {
            if self.people.group_len(group) == 0 {
                continue;
            }
            // The jobless: the unemployed, and discouraged workers who stopped
            // looking but would take a job, as the unemployed would.
            let jobless =
                unemployed_groups.contains(&group) || group == self.people.layout().discouraged();
            // The workers of a sector have its base; everyone else the city's.
            let base = match self.people.layout().employed_sector(group) {
                Some(s) => sector_bases[s],
                None => others,
            };
            let (ceiling, extra) = if jobless {
                (
                    multiplier * (1.0 + effect * UNEMPLOYMENT_EFFECT_CAP_YEARS),
                    returning,
                )
            } else {
                (1.0, 0.0)
            };
            self.thin(
                group,
                |sched, lo, hi| base * ceiling * sched.migration_bound(lo, hi) + extra,
                |p, sched| {
                    leaving_hazard(
                        p,
                        t,
                        sched.migration(p.age(t)),
                        base,
                        jobless.then_some((multiplier, effect, returning)),
                    )
                },
            );
            let counted = if self.works_on_family_farm(group) {
                &mut farm_parents
            } else {
                &mut parents
            };
            let kind = leaver_kind(&self.people.layout(), group);
            self.settle_chosen(|city, p| {
                *counted += is_parent_age(&p, t) as u64;
                city.leave(p, kind);
            });
        }
        self.sector_bases = sector_bases;
        self.children_leave(parents, farm_parents);
    }

    /// Children under 15 who leave with `parents` leavers of parenting age
    /// and `rural_parents` farm workers of those ages (see
    /// [`Self::children_of`]), taken uniformly among the city's children
    /// under 15 (all of them if there are fewer).
    fn children_leave(&mut self, parents: u64, rural_parents: u64) {
        let wanted = self.children_of(parents, rural_parents);
        if wanted == 0 {
            return;
        }
        let pools = self.young_child_pools();
        let mut available: u64 = pools
            .clone()
            .map(|p| self.people.pool(p).len() as u64)
            .sum();
        let mut left = 0;
        while left < wanted && available > 0 {
            // A uniform child: a rank among all of them, found pool by pool.
            let mut rank = self.rng.random_range(0..available);
            for pool in pools.clone() {
                let len = self.people.pool(pool).len() as u64;
                if rank < len {
                    let child = self.people.take(super::people::Handle {
                        pool: pool as u32,
                        slot: rank as u32,
                    });
                    self.leave(child, Leaver::Child);
                    break;
                }
                rank -= len;
            }
            available -= 1;
            left += 1;
        }
    }

    /// A resident leaves the city for good, counted as a leaver of `kind`
    /// (and in the ledger and the scorecard).
    pub(super) fn leave(&mut self, p: Person, kind: Leaver) {
        self.record_departure(&p);
        self.people.put(p, Status::Left);
        self.flows.leavers[kind as usize] += 1;
        self.ledger.leavers += 1;
    }

    /// The pools of children that can hold someone under 15 (born less than
    /// [`NEWCOMER_CHILD_MONTHS`] ago): the pools whose first month of birth is
    /// after `t - NEWCOMER_CHILD_MONTHS`, the youngest birth years.
    pub(super) fn young_child_pools(&self) -> std::ops::Range<usize> {
        let l = self.people.layout();
        let after = self.t - NEWCOMER_CHILD_MONTHS;
        // Months of birth only grow with the cohort, so these pools are the
        // ones after the cohort of `after` (the oldest cohort, which holds
        // everyone born before it, is never among them).
        let pools = l.pools_of(PoolLayout::CHILD);
        let first = l.pool(PoolLayout::CHILD, l.cohort(after) + 1);
        first.min(pools.end)..pools.end
    }

    /// Children who move with `parents` movers of parenting age, a Poisson
    /// number with mean `children_per_mover` each, and with `rural_parents`
    /// rural movers of those ages (farm workers who leave, job seekers from
    /// the hinterland), who leave the share `left_behind_share` of their
    /// children behind: a Poisson number with mean `children_per_mover ·
    /// (1 − left_behind_share)` each.
    fn children_of(&mut self, parents: u64, rural_parents: u64) -> u64 {
        let m = &self.p.migration;
        let mean = m.children_per_mover;
        let rural_mean = mean * (1.0 - m.left_behind_share);
        if self.reference {
            self.children_each(parents, mean) + self.children_each(rural_parents, rural_mean)
        } else {
            poisson(
                &mut self.rng,
                parents as f64 * mean + rural_parents as f64 * rural_mean,
            )
        }
    }

    /// Newcomers fill part of the vacancies left open after local hiring.
    pub(super) fn in_migration(&mut self) {
        let m = self.p.migration.clone();
        let outside = self.outside_wage();
        let age = Normal::new(m.newcomer_age_mean, m.newcomer_age_sd.max(1e-9)).expect("validated");
        let max_age = self.retirement_age(true).min(self.retirement_age(false)) as f64 - 1.0;
        let mut parents = 0;
        for s in 0..self.sectors.len() {
            let ratio = self.sectors[s].wage_level / outside;
            let p = (m.fill_rate * ratio.powf(m.fill_wage_elasticity)).min(1.0);
            let arrivals = self.trials(self.sectors[s].vacancies, p);
            for _ in 0..arrivals {
                let years = age.sample(&mut self.rng).clamp(
                    NEWCOMER_MIN_AGE as f64,
                    max_age.max(NEWCOMER_MIN_AGE as f64),
                );
                let skill = categorical(&mut self.rng, &m.newcomer_skill_shares);
                let female = self.rng.random::<f64>() < self.p.migration.female_share;
                let birth = self.t - (years * 12.0) as i32;
                parents += in_parent_ages(self.t, birth) as u64;
                self.people.add(Newcomer {
                    birth,
                    female,
                    skill,
                    status: Status::Employed,
                    sector: s as u8,
                    since: self.t,
                    wage_factor: self.p.labour.skill_premium[skill] as f32,
                    flags: traits::NEWCOMER | traits::WORKED,
                });
            }
            self.sectors[s].vacancies -= arrivals;
            self.flows.arrivals[Arrival::Vacancy as usize] += arrivals;
            self.ledger.newcomers += arrivals;
        }
        self.children_arrive(parents, 0);
    }

    /// Arrivals from the hinterland this month: the background flow and the
    /// job seekers drawn by the city's expected income, each a binomial share
    /// of the residents, with ages from the Rogers–Castro profile. Job seekers
    /// arrive unemployed and search like first-time seekers; background
    /// arrivals take the status of their age (student, job seeker or inactive,
    /// retired).
    pub(super) fn arrivals(&mut self) {
        let m = &self.p.migration;
        let residents = self.residents();
        let background = monthly(m.background_arrival_rate);
        let attraction = (1.0 / self.hinterland_advantage()).powf(m.wage_gap_elasticity);
        let seekers = (monthly(m.job_seeker_arrival_rate) * attraction).min(1.0);
        let background = self.trials(residents, background);
        let seekers = self.trials(residents, seekers);
        let youngest_retirement = self.retirement_age(true).min(self.retirement_age(false));
        let seeker_ages = self.arrival_ages((
            NEWCOMER_MIN_AGE,
            youngest_retirement.saturating_sub(1).max(NEWCOMER_MIN_AGE),
        ));
        let background_ages = self.arrival_ages(BACKGROUND_ARRIVAL_AGES);
        let (mut parents, mut seeker_parents) = (0, 0);
        for _ in 0..background {
            let birth = self.arrival_birth(&background_ages);
            let female = self.rng.random::<f64>() < self.p.migration.female_share;
            let shares = if self.t - birth >= 12 * 25 {
                self.p.population.skill_shares
            } else {
                self.p.population.young_skill_shares
            };
            let skill = categorical(&mut self.rng, &shares);
            let age = ((self.t - birth) / 12) as u32;
            let status = if age < self.p.demography.entry_age[skill] {
                Status::Child
            } else if age >= self.retirement_age(female) {
                Status::Retired
            } else if self.rng.random::<f64>() < self.p.population.participation_rate {
                Status::Unemployed
            } else {
                Status::Inactive
            };
            parents += (in_parent_ages(self.t, birth) && status != Status::Child) as u64;
            self.add_arrival(birth, female, skill, status);
        }
        for _ in 0..seekers {
            let birth = self.arrival_birth(&seeker_ages);
            let female = self.rng.random::<f64>() < self.p.migration.female_share;
            let skill = categorical(&mut self.rng, &self.p.migration.newcomer_skill_shares);
            seeker_parents += in_parent_ages(self.t, birth) as u64;
            self.add_arrival(birth, female, skill, Status::Unemployed);
        }
        let n = background + seekers;
        self.flows.arrivals[Arrival::Background as usize] += background;
        self.flows.arrivals[Arrival::JobSeeker as usize] += seekers;
        self.ledger.newcomers += n;
        // Job seekers come from the countryside, as rural migrants do.
        self.children_arrive(parents, seeker_parents);
    }

    /// A month of birth for an arrival aged `ages` (inclusive), with the
    /// Rogers–Castro profile as the distribution of ages.
    fn arrival_birth(&mut self, ages: &ArrivalAges) -> i32 {
        let age = ages.youngest + ages.weights.draw(&mut self.rng) as u32;
        self.t - 12 * age as i32 - self.rng.random_range(0..12)
    }

    /// The distribution of the ages (inclusive) of arrivals: the Rogers–Castro
    /// profile over those ages.
    fn arrival_ages(&self, ages: (u32, u32)) -> ArrivalAges {
        let last = self.sched.migration.len() - 1;
        let hi = (ages.1.max(ages.0) as usize).min(last);
        let lo = (ages.0 as usize).min(hi);
        ArrivalAges {
            youngest: lo as u32,
            weights: Cumulative::new(&self.sched.migration[lo..=hi]),
        }
    }

    /// Adds an arrival from the hinterland, without a job in the city yet.
    fn add_arrival(&mut self, birth: i32, female: bool, skill: usize, status: Status) {
        let flags = if status == Status::Child {
            0
        } else {
            traits::NEWCOMER
        };
        self.people.add(Newcomer {
            birth,
            female,
            skill,
            status,
            sector: NO_SECTOR,
            since: self.t,
            wage_factor: 0.0,
            flags,
        });
    }

    /// Children under 15 who come with `parents` arrivals of parenting age
    /// and `rural_parents` rural arrivals of those ages ([`Self::children_of`]).
    fn children_arrive(&mut self, parents: u64, rural_parents: u64) {
        let children = self.children_of(parents, rural_parents);
        for _ in 0..children {
            let skill = categorical(&mut self.rng, &self.p.population.young_skill_shares);
            let age_months = self.rng.random_range(0..NEWCOMER_CHILD_MONTHS);
            let female = self.rng.random::<f64>() < self.p.demography.female_birth_share;
            self.people
                .add(Newcomer::child(self.t - age_months, female, skill, self.t));
        }
        self.flows.arrivals[Arrival::Child as usize] += children;
        self.ledger.newcomers += children;
    }
}

/// Ages of arrivals, ready to draw from.
struct ArrivalAges {
    youngest: u32,
    weights: Cumulative,
}

/// What the residents of a group are doing, as the out-migrants are reported.
fn leaver_kind(l: &PoolLayout, group: usize) -> Leaver {
    if group == PoolLayout::CHILD {
        Leaver::Child
    } else if group == PoolLayout::INACTIVE {
        Leaver::Inactive
    } else if l.employed_all().contains(&group) {
        Leaver::Employed
    } else if group == l.retired() {
        Leaver::Retired
    } else {
        // The unemployed, trainees and the discouraged.
        Leaver::Jobless
    }
}

/// Whether someone born in month `birth` is of parenting age at month `t`.
fn in_parent_ages(t: i32, birth: i32) -> bool {
    let age = ((t - birth).max(0) / 12) as u32;
    (PARENT_AGES.0..=PARENT_AGES.1).contains(&age)
}

/// Whether a leaver takes children with them: of parenting age and not
/// themselves a child (student) or retired.
fn is_parent_age(p: &Person, t: i32) -> bool {
    !matches!(p.status(), Status::Child | Status::Retired) && in_parent_ages(t, p.birth())
}

/// The ratios of expected incomes (elsewhere over here) that the pulls are
/// measured against.
#[derive(Clone, Debug)]
pub(super) struct PullRatios {
    /// The outside's expected income over the city's.
    pub outside: f64,
    /// The hinterland's over the city's.
    pub hinterland: f64,
    /// The outside's over each sector's mean wage.
    pub sectors: Vec<f64>,
}

impl PullRatios {
    /// Equality as the reference: every ratio 1.
    pub fn parity(sectors: usize) -> PullRatios {
        PullRatios {
            outside: 1.0,
            hinterland: 1.0,
            sectors: vec![1.0; sectors],
        }
    }
}

/// A ratio of expected incomes against its reference, bounded to `[1/4, 4]`;
/// the upper bound if the ratio cannot be measured (nothing earned here).
fn relative(ratio: Option<f64>, reference: f64) -> f64 {
    ratio
        .map_or(MAX_PULL_RATIO, |r| r / reference)
        .clamp(1.0 / MAX_PULL_RATIO, MAX_PULL_RATIO)
}

/// Monthly hazard of leaving: the age profile times the pull of the outside.
/// For the jobless (a person of the unemployed or discouraged groups, given as
/// `(multiplier, effect, returning)`) it is raised by the time since they lost
/// their job, and arrivals who have not found a job in the city also return
/// with `returning`. Children under 15 leave only with a parent.
fn leaving_hazard(
    p: &Person,
    t: i32,
    profile: f64,
    base: f64,
    jobless: Option<(f64, f64, f64)>,
) -> f64 {
    if p.status() == Status::Child && t - p.birth() < NEWCOMER_CHILD_MONTHS {
        return 0.0;
    }
    let mut h = base * profile;
    if let Some((multiplier, effect, returning)) = jobless {
        let years = (t - p.since()) as f64 / 12.0;
        h *= multiplier * (1.0 + effect * years.min(UNEMPLOYMENT_EFFECT_CAP_YEARS));
        if p.has(traits::NEWCOMER) && !p.has(traits::WORKED) {
            h += returning;
        }
    }
    h
}

#[cfg(test)]
mod leaver_tests {
    use super::*;
    use crate::model::people::{DISCOURAGED_NO_SECTOR, Status};

    /// Every group a person can be in is reported as the kind their status
    /// says, whatever their sector and skill.
    #[test]
    fn every_group_is_reported_as_its_status() {
        let l = PoolLayout::new(3, 1200);
        let sectors = [0u8, 1, 2, NO_SECTOR, DISCOURAGED_NO_SECTOR];
        for status in Status::RESIDENT {
            for &sector in &sectors {
                // Workers and trainees always have a sector.
                let no_sector = sector == NO_SECTOR || sector == DISCOURAGED_NO_SECTOR;
                if no_sector && matches!(status, Status::Employed | Status::Training) {
                    continue;
                }
                for skill in 0..3 {
                    let Some(group) = l.group_of(status, sector, skill) else {
                        continue;
                    };
                    let expected = match status {
                        Status::Child => Leaver::Child,
                        Status::Employed => Leaver::Employed,
                        Status::Retired => Leaver::Retired,
                        Status::Inactive if group == PoolLayout::INACTIVE => Leaver::Inactive,
                        _ => Leaver::Jobless,
                    };
                    assert_eq!(
                        leaver_kind(&l, group),
                        expected,
                        "{status:?}, sector {sector}, skill {skill}"
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod children_tests {
    use crate::model::{City, model_rng};

    /// A city of the test scenario whose rural movers leave the share
    /// `left_behind` of their children behind, in the default or the reference
    /// mode of drawing.
    fn city(left_behind: f64, reference: bool) -> City {
        let mut s = crate::scenario::load("test-city", &[]).unwrap();
        s.params.migration.children_per_mover = 0.3;
        s.params.migration.left_behind_share = left_behind;
        let city = City::new(s.params, model_rng(11));
        if reference { city.reference() } else { city }
    }

    /// Rural movers (farm workers who leave, job seekers from the hinterland)
    /// take or bring `children_per_mover · (1 − left_behind_share)` children
    /// each on average, other movers `children_per_mover`: none when all are
    /// left behind, and the other movers' children are not affected.
    #[test]
    fn rural_movers_leave_the_left_behind_share_of_their_children() {
        for reference in [false, true] {
            let mut all_stay = city(1.0, reference);
            assert_eq!(all_stay.children_of(0, 20_000), 0);
            let families = all_stay.children_of(20_000, 0) as f64;
            // Poisson with mean 6,000: within five standard deviations.
            assert!(
                (families - 6_000.0).abs() < 5.0 * 6_000f64.sqrt(),
                "{families}"
            );
            let mut most_stay = city(0.73, reference);
            let rural = most_stay.children_of(0, 100_000) as f64;
            let mean = 100_000.0 * 0.3 * 0.27;
            assert!(
                (rural - mean).abs() < 5.0 * mean.sqrt(),
                "{rural} against {mean}"
            );
            // Both kinds of movers at once: the two means add up.
            let both = most_stay.children_of(20_000, 20_000) as f64;
            let mean = 20_000.0 * 0.3 + 20_000.0 * 0.3 * 0.27;
            assert!(
                (both - mean).abs() < 5.0 * mean.sqrt(),
                "{both} against {mean}"
            );
        }
    }
}
