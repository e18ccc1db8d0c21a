//! The simulation core: one city, one agent per resident, monthly steps.
//!
//! No I/O, no threads: a [`City`] is built from validated [`Params`] and a seed,
//! stepped month by month, and observed through [`Snapshot`]s. The month's
//! schedule (see [`City::step`]) reads like the model description in
//! `docs/ODD.md`.

pub mod cohort;
pub mod hazards;
pub mod metrics;
pub mod params;
pub mod people;
pub mod sample;
pub mod scorecard;

mod demography;
mod economy;
mod init;
mod labour;
mod migration;
mod policy;
mod reference;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use hazards::Schedules;
pub use metrics::{MetricDef, Snapshot};
use params::Params;
use people::{People, Person, Status};

/// The random number generator of a replicate: portable and seedable, so the same
/// seed gives the same draws on every machine.
pub type ModelRng = ChaCha8Rng;

/// Builds a replicate's generator from its seed.
pub fn model_rng(seed: u64) -> ModelRng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// The state of one sector.
#[derive(Clone, Debug)]
struct SectorState {
    /// Jobs (employment plus vacancies) at the start: demand index 1.
    base_jobs: f64,
    /// Open vacancies.
    vacancies: u64,
    /// Target labour demand this month (jobs).
    target: f64,
    /// Capacity multiplier (cluster investment grows it, layoff waves cut it).
    capacity: f64,
    /// Remaining reserves (extractive sectors).
    reserves: f64,
    /// Output relative to the start.
    output_index: f64,
    /// Base wage this month (yuan).
    wage_level: f64,
}

/// Event counts accumulated between two snapshots.
#[derive(Clone, Debug, Default)]
struct Flows {
    /// Month the interval began.
    start: i32,
    births: u64,
    deaths: u64,
    /// The out-migrants by what they were doing, indexed by `Leaver`.
    leavers: [u64; metrics::Leaver::ALL.len()],
    /// The in-migrants by the flow that brought them, indexed by `Arrival`.
    arrivals: [u64; metrics::Arrival::ALL.len()],
    separations: u64,
    hires: u64,
    retirements: u64,
    early_retirements: u64,
    training_starts: u64,
    /// Long-term unemployed who stopped looking, and discouraged workers who
    /// looked again.
    labour_force_exits: u64,
    labour_force_returns: u64,
    /// School leavers who started on their household's family farm.
    farm_entries: u64,
    /// Unemployed people who took up own-account work on their own.
    own_account_starts: u64,
}

impl Flows {
    /// Residents who left: every kind of leaver.
    fn out_migrants(&self) -> u64 {
        self.leavers.iter().sum()
    }

    /// People who moved in: every way of arriving.
    fn in_migrants(&self) -> u64 {
        self.arrivals.iter().sum()
    }
}

/// One simulated city.
pub struct City {
    p: Params,
    sched: Schedules,
    /// The calendar year whose death and birth probabilities `sched` holds.
    schedule_year: i32,
    people: People,
    rng: ModelRng,
    /// Months simulated so far (the month being simulated next).
    t: i32,
    sectors: Vec<SectorState>,
    flows: Flows,
    /// Event records of the just-transition scorecard.
    tracker: scorecard::Tracker,
    /// Residents at the start.
    initial_residents: u64,
    /// Household income at the start (monthly, yuan).
    /// The ratios of expected incomes the migration pulls are measured
    /// against (all 1 for `PullReference::Parity`); set when the city is built.
    pull_reference: migration::PullRatios,
    initial_income: f64,
    /// Arrivals (births and newcomers) and departures (deaths and leavers) since
    /// the start, for the accounting identity.
    ledger: Ledger,
    /// The people an event has drawn this month, taken out of their pools until
    /// they are put back with their new status.
    chosen: Vec<Person>,
    /// Scratch: positions selected in a pool, and their hazards.
    slots: Vec<u32>,
    hazards: Vec<f64>,
    /// Scratch: the non-empty pools of a group being thinned, with their bounds.
    thin_pools: Vec<(usize, f64)>,
    /// Scratch: a copy of the set of a group's non-empty pools (see
    /// [`People::occupied_words`]).
    thin_words: Vec<u64>,
    /// Youngest and oldest age of each birth cohort in month `spans_at`
    /// (see [`City::cohort_ages`]): the same for every group, so worked out once
    /// a month rather than once per pool thinned. The oldest cohort's entry is
    /// not used, as its oldest member can die or leave within the month.
    spans: Vec<(u32, u32)>,
    spans_at: i32,
    /// Scratch: the pools scanned for the month's age milestones, each with
    /// its group.
    milestones: Vec<(usize, usize)>,
    /// The gaps of the last thinning walk, whose logarithm the next walk
    /// reuses if it has the same probability (see [`sample::Gaps::renew`]).
    gaps: sample::Gaps,
    /// Scratch: the base hazard of leaving of each sector's workers this
    /// month (see [`City::out_migration`]).
    sector_bases: Vec<f64>,
    /// Scratch: the tables of the month's job search and hiring.
    matching: Matching,
    /// Whether the monthly step draws every event person by person (the reference
    /// mode, see [`City::reference`]).
    reference: bool,
}

/// The tables of a month's job search and hiring (see
/// [`City::match_unemployed`]), kept between months so that they are not
/// allocated again each month. Group `g` of the unemployed and sector `j`
/// are at `g * sectors + j`.
#[derive(Clone, Debug, Default)]
struct Matching {
    /// How well each group's skills transfer to each sector (filled in the
    /// first month: it depends on the parameters alone).
    fits: Vec<f64>,
    /// Applications of each group to each sector.
    applications: Vec<u64>,
    /// Scratch: one group's weights over the sectors.
    weights: Vec<f64>,
    /// Urn-ball success probability of a qualified application, by sector.
    success: Vec<f64>,
    /// Hires so far, by sector, and one group's hires, by sector.
    hires: Vec<u64>,
    group_hires: Vec<u64>,
}

/// Running totals for the accounting identity
/// `residents + leavers - newcomers = initial + births - deaths`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Babies born in the city.
    pub births: u64,
    /// Residents who died.
    pub deaths: u64,
    /// Residents who moved away.
    pub leavers: u64,
    /// People who moved in.
    pub newcomers: u64,
}

impl City {
    /// Builds the initial city from validated parameters and a replicate's generator.
    pub fn new(p: Params, rng: ModelRng) -> Self {
        init::build(p, rng)
    }

    /// For tests: switches the monthly step to its **reference mode**, the same
    /// model with every event drawn by the simplest rule, one die roll per person
    /// (or per vacancy) with that person's probability, instead of thinning,
    /// binomial counts with uniform picks, and births by cohort. It is much slower
    /// and exists only to check that the default draws have the same distribution
    /// (`tests/reference.rs`); the draws differ, so the same seed gives a different
    /// run. Initialisation is the same in both modes.
    pub fn reference(mut self) -> Self {
        self.reference = true;
        self
    }

    /// Months simulated so far.
    pub fn month(&self) -> i32 {
        self.t
    }

    /// Whether the horizon is reached.
    pub fn finished(&self) -> bool {
        self.t >= self.p.horizon.months as i32
    }

    /// The people store (read-only).
    pub fn people(&self) -> &People {
        &self.people
    }

    /// Residents now.
    pub fn residents(&self) -> u64 {
        self.people.residents()
    }

    /// Residents at the start.
    pub fn initial_residents(&self) -> u64 {
        self.initial_residents
    }

    /// Births, deaths, leavers and newcomers since the start.
    pub fn ledger(&self) -> Ledger {
        self.ledger
    }

    /// Simulates one month. The order of the processes is the model's schedule.
    pub fn step(&mut self) {
        self.grow_capacity();
        self.update_vital_rates();
        self.deaths();
        self.births();
        self.age_milestones();
        self.elderly_exits();
        self.training_completions();
        self.layoff_waves();
        self.update_labour_demand();
        self.early_retirement();
        self.adjust_jobs();
        self.retraining_intake();
        self.match_unemployed();
        self.own_account_uptake();
        self.discouragement();
        self.in_migration();
        self.arrivals();
        self.out_migration();
        self.close_month_accounts();
        self.t += 1;
        self.update_wages();
    }

    /// Runs to the horizon, taking a snapshot at the start and every reporting
    /// interval; `observe` receives each one as it is taken.
    pub fn run(&mut self, mut observe: impl FnMut(Snapshot)) {
        observe(self.snapshot());
        while !self.finished() {
            self.step();
            if self.t % self.p.horizon.report_every as i32 == 0 || self.finished() {
                observe(self.snapshot());
            }
        }
    }

    fn count(&self, status: Status) -> u64 {
        let (l, people) = (self.people.layout(), &self.people);
        match status {
            Status::Child => people.group_len(people::PoolLayout::CHILD),
            Status::Inactive => {
                people.group_len(people::PoolLayout::INACTIVE) + people.group_len(l.discouraged())
            }
            Status::Retired => people.group_len(l.retired()),
            Status::Employed => people.groups_len(l.employed_all()),
            Status::Training => people.groups_len(l.training_all()),
            Status::Unemployed => people.groups_len(l.unemployed_all()),
            Status::Left | Status::Dead => 0,
        }
    }

    /// The date of the month being simulated.
    fn date(&self) -> crate::date::YearMonth {
        self.p.horizon.start.plus(self.t)
    }

    /// Thinning over a group: selects each member independently with their
    /// `hazard`, takes the selected out of their pools and leaves them in
    /// `self.chosen`. Members become candidates with probability
    /// `bound(schedules, youngest, oldest)`, a bound of the hazard over every
    /// age from `youngest` to `oldest` (whole years), found by walking with
    /// geometric gaps so that the cost is proportional to the candidates, not
    /// the members; each candidate is kept with probability `hazard / bound`.
    /// Every member ends up chosen with probability `hazard` exactly, whatever
    /// the bound, so the walk takes the cheapest of three forms:
    ///
    /// - once over the whole group with one bound over all its ages, when that
    ///   draws fewer candidates than the group has non-empty pools (a small
    ///   group: a bound per pool would cost more than the few extra candidates);
    /// - pool by pool with each birth cohort's own bound, the ages it has this
    ///   month (a large city: many members per pool, and a tight bound);
    /// - once over the whole group with the largest of the cohorts' bounds,
    ///   when that draws fewer gaps than a walk per pool.
    ///
    /// `bound` must not decrease when the range of ages widens. The hazard
    /// receives a record and the age schedules.
    ///
    /// In reference mode the bound is ignored and every member rolls a die with
    /// their own hazard.
    fn thin(
        &mut self,
        group: usize,
        bound: impl Fn(&Schedules, u32, u32) -> f64,
        hazard: impl Fn(&Person, &Schedules) -> f64,
    ) {
        if self.reference {
            return self.thin_each(group, hazard);
        }
        self.chosen.clear();
        let Some((oldest, youngest)) = self.people.occupied_span(group) else {
            return;
        };
        self.refresh_spans();
        let mut pools = std::mem::take(&mut self.thin_pools);
        pools.clear();
        let layout = self.people.layout();
        let ages = |c: usize| match c {
            0 => self.cohort_ages(layout.pool(group, 0)),
            c => self.spans[c],
        };
        let whole = bound(&self.sched, ages(youngest).0, ages(oldest).1).min(1.0);
        if whole <= 0.0 {
            self.thin_pools = pools;
            return;
        }
        let members = self.people.group_len(group) as usize;
        if members as f64 * whole <= self.people.occupied_count(group) as f64 {
            // Most months nobody in a small group is even a candidate: the
            // first gap is drawn before the pools are listed.
            let mut gaps = self.gaps.renew(whole);
            let first = gaps.first(&mut self.rng, members);
            if first < members {
                // The walk stops at its last candidate, usually well before
                // the last pool: the pools are read from a copy of the set of
                // occupied ones as it goes, not listed first.
                let mut words = std::mem::take(&mut self.thin_words);
                words.clear();
                words.extend_from_slice(self.people.occupied_words(group));
                let base = layout.pool(group, 0);
                let occupied = people::Ones::new(&words).map(|c| base + c);
                self.thin_group(occupied, &mut gaps, first, members, &hazard);
                self.thin_words = words;
            }
            self.gaps = gaps;
            self.thin_pools = pools;
            return;
        }
        // The non-empty pools and their bounds, and the expected number of
        // gaps drawn by each of the other two walks.
        let (mut per_pool, mut top, mut bounded) = (0.0, 0.0_f64, 0usize);
        // Cohorts, not pools, are walked: a pool's cohort would take a
        // division by the number of cohorts, a slow instruction, per pool.
        for cohort in people::Ones::new(self.people.occupied_words(group)) {
            let pool = layout.pool(group, cohort);
            let n = self.people.pool(pool).len();
            let (lo, hi) = ages(cohort);
            let b = bound(&self.sched, lo, hi).min(1.0);
            if b <= 0.0 {
                continue;
            }
            per_pool += 1.0 + n as f64 * b;
            top = top.max(b);
            bounded += n;
            pools.push((pool, b));
        }
        if 1.0 + bounded as f64 * top < per_pool {
            let mut gaps = self.gaps.renew(top);
            let first = gaps.first(&mut self.rng, bounded);
            self.thin_group(
                pools.iter().map(|&(pool, _)| pool),
                &mut gaps,
                first,
                bounded,
                &hazard,
            );
            self.gaps = gaps;
        } else {
            for &(pool, b) in &pools {
                self.thin_pool(pool, b, &hazard);
            }
        }
        self.thin_pools = pools;
    }

    /// Candidates of one pool with probability `b` each, kept with
    /// `hazard / b`.
    fn thin_pool(&mut self, pool: usize, b: f64, hazard: &impl Fn(&Person, &Schedules) -> f64) {
        let mut slots = std::mem::take(&mut self.slots);
        slots.clear();
        let members = self.people.pool(pool);
        let mut gaps = self.gaps.renew(b);
        let mut i = gaps.first(&mut self.rng, members.len());
        while i < members.len() {
            slots.push(i as u32);
            i = i.saturating_add(1).saturating_add(gaps.draw(&mut self.rng));
        }
        self.gaps = gaps;
        self.keep_and_take(pool, b, &mut slots, hazard);
        self.slots = slots;
    }

    /// Candidates over the `members` members of several pools taken one after
    /// the other, with the probability `top` of `gaps` each, kept with
    /// `hazard / top`; `next` is the first gap, already drawn from `gaps`.
    /// Each pool is read when the walk reaches it, so a pool's size is the
    /// one it has before any of its members is taken.
    fn thin_group(
        &mut self,
        pools: impl Iterator<Item = usize>,
        gaps: &mut sample::Gaps,
        mut next: usize,
        members: usize,
        hazard: &impl Fn(&Person, &Schedules) -> f64,
    ) {
        let mut slots = std::mem::take(&mut self.slots);
        let top = gaps.p();
        let mut offset = 0usize;
        for pool in pools {
            if next >= members {
                break;
            }
            let n = self.people.pool(pool).len();
            slots.clear();
            while next < offset + n {
                slots.push((next - offset) as u32);
                next = next
                    .saturating_add(1)
                    .saturating_add(gaps.draw(&mut self.rng));
            }
            offset += n;
            if !slots.is_empty() {
                self.keep_and_take(pool, top, &mut slots, hazard);
            }
        }
        self.slots = slots;
    }

    /// Keeps each candidate slot of a pool with probability `hazard / b` and
    /// takes the kept out of the pool into `self.chosen`.
    fn keep_and_take(
        &mut self,
        pool: usize,
        b: f64,
        slots: &mut Vec<u32>,
        hazard: &impl Fn(&Person, &Schedules) -> f64,
    ) {
        if slots.is_empty() {
            return;
        }
        let members = self.people.pool(pool);
        // The candidates' hazards first, then the draws: the records are
        // independent loads whose cache misses overlap.
        let mut hazards = std::mem::take(&mut self.hazards);
        hazards.clear();
        hazards.extend(
            slots
                .iter()
                .map(|&i| hazard(&members[i as usize], &self.sched)),
        );
        let mut kept = 0;
        for j in 0..slots.len() {
            if sample::accept(&mut self.rng, hazards[j], b) {
                slots[kept] = slots[j];
                kept += 1;
            }
        }
        slots.truncate(kept);
        self.people.take_slots(pool, slots, &mut self.chosen);
        self.hazards = hazards;
    }

    /// Hands each person an event has drawn (`self.chosen`) to `settle`, which
    /// puts them back with their new status. The list keeps its room: taking
    /// the vector out would leave an empty one for the next event to grow
    /// again, allocation by allocation, every month.
    fn settle_chosen(&mut self, mut settle: impl FnMut(&mut Self, Person)) {
        let mut chosen = std::mem::take(&mut self.chosen);
        for p in chosen.drain(..) {
            settle(self, p);
        }
        self.chosen = chosen;
    }

    /// Brings [`City::spans`] up to the month being simulated.
    fn refresh_spans(&mut self) {
        if self.spans_at == self.t {
            return;
        }
        // What `cohort_ages` gives for every cohort but the oldest, worked
        // out directly: a birth year's youngest member was born in its last
        // month, its oldest in its first.
        let t = self.t;
        let age = |birth: i32| ((t - birth).max(0) / 12) as u32;
        self.spans.clear();
        self.spans.push((0, 0));
        self.spans
            .extend((1..self.people.layout().cohorts()).map(|c| {
                let first = c as i32 * people::COHORT_MONTHS - people::COHORT_OFFSET;
                (age(first + people::COHORT_MONTHS - 1), age(first))
            }));
        self.spans_at = t;
    }

    /// Youngest and oldest age (whole years, inclusive) the members of a pool
    /// have this month: two consecutive ages for a birth year, and up to the
    /// oldest resident for the oldest cohort, which also holds everyone older.
    fn cohort_ages(&self, pool: usize) -> (u32, u32) {
        let (first, last) = self.people.layout().births(pool);
        let age = |birth: i32| ((self.t - birth).max(0) / 12) as u32;
        let oldest = if first < -people::COHORT_OFFSET {
            self.people.tally().oldest_age(self.t).unwrap_or(0)
        } else {
            age(first)
        };
        (age(last), oldest.max(age(last)))
    }

    /// Number of successes in `n` independent trials with probability `p` each
    /// (vacancies opened, vacancies filled by newcomers): one binomial draw, or in
    /// reference mode one die roll per trial.
    fn trials(&mut self, n: u64, p: f64) -> u64 {
        if self.reference {
            return self.trials_each(n, p);
        }
        sample::binomial(&mut self.rng, n, p)
    }

    /// Residents employed in a sector now.
    fn employed_in(&self, sector: usize) -> u64 {
        self.people.group_len(self.people.layout().employed(sector))
    }

    /// Statutory retirement age (years) of a person.
    fn retirement_age(&self, female: bool) -> u32 {
        if female {
            self.p.demography.retirement_age_female
        } else {
            self.p.demography.retirement_age_male
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// A family farm (a sector with an `elderly_exit_rate`) with more hands
    /// than its land needs shares its income among them: the base wage is the
    /// sector's times the hands needed over the hands at work. Run as wage
    /// work, the same farm pays the sector's wage whatever its size.
    #[test]
    fn a_family_farms_surplus_hands_share_its_income() {
        for family in [true, false] {
            let keys: Vec<crate::scenario::Override> = if family {
                vec![
                    "sectors.agriculture.elderly_exit_rate=0.05"
                        .parse()
                        .unwrap(),
                ]
            } else {
                Vec::new()
            };
            let s = crate::scenario::load("tests/scenarios/farming.toml", &keys).unwrap();
            let farm = s
                .params
                .sectors
                .iter()
                .position(|x| x.name == "agriculture")
                .unwrap();
            let mut city = City::new(s.params.clone(), model_rng(3));
            for _ in 0..60 {
                city.step();
            }
            let spec = &s.params.sectors[farm];
            let base = spec.wage * (1.0 + spec.wage_growth).powf(city.years());
            let workers = city.employed_in(farm) as f64;
            let needed = city.sectors[farm].target;
            let level = city.sectors[farm].wage_level;
            if family {
                assert!(
                    workers > 1.05 * needed,
                    "{workers} at work, {needed} needed"
                );
                let shared = base * needed / workers;
                assert!(
                    (level - shared).abs() < 1e-9 * base,
                    "{level} against {shared}"
                );
            } else {
                assert_eq!(level, base);
            }
        }
    }

    /// The jobless take up own-account work (a sector with an `uptake_rate`)
    /// without a vacancy, counted in `own_account_starts`; beyond what its
    /// customers need, its hands share its income, as on a family farm; and
    /// fewer people are unemployed than when nobody takes it up.
    #[test]
    fn the_jobless_take_up_own_account_work_and_share_its_income() {
        let run = |uptake: Option<&str>| {
            let keys: Vec<&str> = uptake.into_iter().collect();
            let (mut starts, mut unemployed) = (0, 0);
            let mut city = None;
            for seed in 1..=3 {
                let c = city_after("test-city", &keys, seed, 36);
                starts += c.flows.own_account_starts;
                unemployed += c.unemployed_total();
                city = Some(c);
            }
            (starts, unemployed, city.unwrap())
        };
        let (starts, unemployed, city) = run(Some("sectors.services.uptake_rate=0.3"));
        let (none_starts, none_unemployed, _) = run(None);
        assert!(
            starts > 100 && none_starts == 0,
            "{starts} and {none_starts} started"
        );
        assert!(
            (unemployed as f64) < 0.8 * none_unemployed as f64,
            "{unemployed} unemployed with own-account work, {none_unemployed} without"
        );
        let s = city
            .p
            .sectors
            .iter()
            .position(|x| x.name == "services")
            .unwrap();
        let spec = &city.p.sectors[s];
        let base = spec.wage * (1.0 + spec.wage_growth).powf(city.years());
        let workers = city.employed_in(s) as f64;
        let needed = city.sectors[s].target;
        assert!(workers > needed, "{workers} at work, {needed} needed");
        let level = city.sectors[s].wage_level;
        assert!(
            (level - base * needed / workers).abs() < 1e-9 * base,
            "{level} against {base} shared"
        );
    }

    /// A farm household's school leaver who does not take up its farm work
    /// leaves at once with the chance `farm_youth_out_share` (counted among
    /// the leavers as farm youth): none at 0, about half as many at 0.5 as at
    /// 1; and whether those who do not farm leave changes little how many
    /// start on the farm (a little more do, as the farms' share of the
    /// city's workers rises when the others leave).
    #[test]
    fn farm_youth_who_do_not_farm_leave_or_look_for_work() {
        let run = |share: &str| {
            let keys = ["sectors.agriculture.elderly_exit_rate=0.05", share];
            let (mut left, mut entries) = (0, 0);
            for seed in 1..=8 {
                let city = city_after("tests/scenarios/farming.toml", &keys, seed, 36);
                left += city.flows.leavers[metrics::Leaver::FarmYouth as usize];
                entries += city.flows.farm_entries;
            }
            (left as f64, entries as f64)
        };
        let (all, all_entries) = run("migration.farm_youth_out_share=1.0");
        let (half, half_entries) = run("migration.farm_youth_out_share=0.5");
        let (none, none_entries) = run("migration.farm_youth_out_share=0.0");
        assert!(all > 80.0 && none == 0.0, "{all} and {none} left");
        assert!(
            (0.35..0.65).contains(&(half / all)),
            "{half} left at 0.5, {all} at 1"
        );
        for entries in [all_entries, half_entries] {
            assert!(
                (entries - none_entries).abs() < 0.2 * none_entries,
                "{entries} and {none_entries} started on the farm"
            );
        }
    }

    /// A city of `scenario` with the overrides `keys`, after `months` months.
    fn city_after(scenario: &str, keys: &[&str], seed: u64, months: usize) -> City {
        let keys: Vec<crate::scenario::Override> =
            keys.iter().map(|k| k.parse().unwrap()).collect();
        let s = crate::scenario::load(scenario, &keys).unwrap();
        let mut city = City::new(s.params, model_rng(seed));
        for _ in 0..months {
            city.step();
        }
        city
    }

    /// Farm workers who leave a family farm leave most of their children
    /// behind with relatives (`migration.left_behind_share`): with every child
    /// left behind, far fewer children leave a farming city than when all go
    /// with their parents.
    #[test]
    fn farm_workers_who_leave_leave_their_children_behind() {
        let children_who_left = |left_behind: &str| {
            let keys = [
                "sectors.agriculture.elderly_exit_rate=0.05",
                // Most jobs on the farm, where incomes are low and many leave.
                "sectors.agriculture.employment_share=0.8",
                "sectors.mine.employment_share=0.1",
                "sectors.services.employment_share=0.05",
                "sectors.public.employment_share=0.05",
                "migration.children_per_mover=1.0",
                left_behind,
            ];
            let city = city_after("tests/scenarios/farming.toml", &keys, 4, 36);
            city.flows.leavers[metrics::Leaver::Child as usize]
        };
        let all_go = children_who_left("migration.left_behind_share=0.0");
        let all_stay = children_who_left("migration.left_behind_share=1.0");
        assert!(
            (all_stay as f64) < 0.8 * all_go as f64,
            "{all_stay} children left when all stay behind, {all_go} when all go"
        );
    }

    /// Job seekers from the hinterland are rural migrants and bring few of
    /// their children: with every child left behind, only the seekers
    /// themselves arrive; with none, their children come too.
    #[test]
    fn job_seekers_from_the_hinterland_leave_their_children_behind() {
        let arrived = |left_behind: &str| {
            let keys = [
                // Only job seekers arrive: no background flow, no newcomers
                // into vacancies.
                "migration.background_arrival_rate=0.0",
                "migration.fill_rate=0.0",
                "migration.job_seeker_arrival_rate=0.05",
                "migration.children_per_mover=1.0",
                left_behind,
            ];
            city_after("test-city", &keys, 6, 24).flows.in_migrants()
        };
        let all_come = arrived("migration.left_behind_share=0.0");
        let all_stay = arrived("migration.left_behind_share=1.0");
        assert!(
            (all_stay as f64) < 0.8 * all_come as f64,
            "{all_stay} arrived when every child stays behind, {all_come} when all come"
        );
    }

    /// Thinning over a group selects each member with exactly its own hazard:
    /// over many draws, how often each age group is chosen agrees with a
    /// reference that rolls one die per person (a chi-square comparison of the
    /// two). The hazard varies within birth cohorts too, so the bound matters.
    /// A hazard of at most `top`, drawn `draws` times.
    fn thinning_agrees_with_a_die_roll_per_person(top: f64, draws: usize) {
        let s = crate::scenario::load("test-city", &[]).unwrap();
        let mut city = City::new(s.params.clone(), model_rng(5));
        let group = people::PoolLayout::INACTIVE;
        let members: Vec<Person> = city
            .people
            .layout()
            .pools_of(group)
            .flat_map(|p| city.people.pool(p).to_vec())
            .collect();
        assert!(members.len() > 100);
        // A hazard that varies strongly with age, at most `top`.
        let hazard = |p: &Person| top * (p.age(0) % 10) as f64 / 9.0;
        let (mut fast, mut reference) = ([0u64; 10], [0u64; 10]);
        let mut rng = model_rng(9);
        for _ in 0..draws {
            city.thin(group, |_, _, _| top, |p, _| hazard(p));
            for p in std::mem::take(&mut city.chosen) {
                fast[(p.age(0) % 10) as usize] += 1;
                city.people.put(p, Status::Inactive);
            }
            for p in &members {
                if rng.random::<f64>() < hazard(p) {
                    reference[(p.age(0) % 10) as usize] += 1;
                }
            }
        }
        city.people.check_consistency().unwrap();
        // Two-sample chi-square over the age groups that can be chosen (9 degrees
        // of freedom at most; 27.9 is the 0.1 % critical value).
        let chi2: f64 = fast
            .iter()
            .zip(&reference)
            .filter(|(a, b)| **a + **b > 0)
            .map(|(&a, &b)| (a as f64 - b as f64).powi(2) / (a + b) as f64)
            .sum();
        assert!(
            chi2 < 27.9,
            "chi-square {chi2:.1}: fast {fast:?} vs reference {reference:?}"
        );
        assert_eq!(fast[0], 0, "a zero hazard was drawn");
    }

    /// The tables worked out directly each month agree with the rules they
    /// stand for: each birth cohort's ages with [`City::cohort_ages`], the
    /// pools of children under 15 with the months of birth of each pool, and
    /// the residents of an age range with the tally split by sex and status.
    #[test]
    fn the_months_tables_follow_their_rules() {
        let s = crate::scenario::load("test-city", &[]).unwrap();
        let mut city = City::new(s.params.clone(), model_rng(3));
        for _ in 0..40 {
            city.refresh_spans();
            let l = city.people.layout();
            for c in 1..l.cohorts() {
                assert_eq!(city.spans[c], city.cohort_ages(l.pool(0, c)), "cohort {c}");
            }
            let after = city.t - migration::NEWCOMER_CHILD_MONTHS;
            let young: Vec<usize> = l
                .pools_of(people::PoolLayout::CHILD)
                .filter(|&p| l.births(p).0 > after)
                .collect();
            assert_eq!(city.young_child_pools().collect::<Vec<_>>(), young);
            let tally = city.people.tally();
            for (lo, hi) in [(0, 200), (16, 24), (60, 60)] {
                let split = tally.by_age(city.t, lo, hi);
                let whole = split.iter().flatten().sum::<u64>();
                assert_eq!(tally.residents_of_age(city.t, lo, hi), whole);
            }
            city.step();
        }
    }

    /// A large hazard: the walk goes pool by pool or over the group with the
    /// largest of the cohorts' bounds.
    #[test]
    fn thinning_with_a_large_hazard_agrees_in_distribution_with_a_die_roll_per_person() {
        thinning_agrees_with_a_die_roll_per_person(0.3, 400);
    }

    /// A small hazard: fewer candidates than non-empty pools, so the walk goes
    /// over the whole group with one bound for all its ages.
    #[test]
    fn thinning_with_a_small_hazard_agrees_in_distribution_with_a_die_roll_per_person() {
        let s = crate::scenario::load("test-city", &[]).unwrap();
        let city = City::new(s.params.clone(), model_rng(5));
        let group = people::PoolLayout::INACTIVE;
        let members = city.people.group_len(group) as f64;
        assert!(members * 0.005 <= city.people.occupied_count(group) as f64);
        thinning_agrees_with_a_die_roll_per_person(0.005, 20_000);
    }
}
