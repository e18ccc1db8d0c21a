//! Births, deaths, labour-force entry and statutory retirement.

use rand::RngExt;

use super::City;
use super::hazards;
use super::metrics::Leaver;
use super::migration;
use super::params::{SKILLS, Sector};
use super::people::{NO_SECTOR, Newcomer, Person, PoolLayout, Status, marks, traits};
use super::sample::categorical;
use super::sample::{binomial, monthly};

impl City {
    /// Death and birth probabilities change with the calendar year
    /// (`demography.mortality_path`, `demography.fertility_path`): they are set
    /// in the first month simulated of each year.
    pub(super) fn update_vital_rates(&mut self) {
        let year = self.date().year();
        if year != self.schedule_year {
            self.schedule_year = year;
            self.sched.set_year(&self.p.demography, year);
        }
    }

    /// Deaths: each resident dies this month with the probability of their age and
    /// sex, drawn per pool by thinning.
    pub(super) fn deaths(&mut self) {
        let t = self.t;
        for group in 0..self.people.layout().groups() {
            if self.people.group_len(group) == 0 {
                continue;
            }
            self.thin(
                group,
                |sched, lo, hi| sched.death_bound(lo, hi),
                |p, sched| sched.death(p.age(t), p.female()),
            );
            let n = self.chosen.len() as u64;
            self.settle_chosen(|city, p| city.people.put(p, Status::Dead));
            self.flows.deaths += n;
            self.ledger.deaths += n;
        }
    }

    /// Births: each woman gives birth with the probability of her age.
    pub(super) fn births(&mut self) {
        // Who the mother is does not matter to the model (there are no households),
        // so births are drawn per year of age from the women counted in the cohort
        // tally: Binomial(women of that age, monthly fertility at that age). This is
        // the same distribution as a draw per woman, at no cost per person.
        if self.reference {
            let babies = self.births_each();
            return self.add_babies(babies);
        }
        let mut babies = 0;
        for age in 0..=hazards::MAX_AGE as u32 {
            let p = self.sched.fertility(age);
            if p > 0.0 {
                let women = self.people.tally().women_of_age(self.t, age);
                babies += binomial(&mut self.rng, women, p);
            }
        }
        self.add_babies(babies);
    }

    pub(super) fn add_babies(&mut self, count: u64) {
        let female_share = self.p.demography.female_birth_share;
        for _ in 0..count {
            let female = self.rng.random::<f64>() < female_share;
            let skill = categorical(&mut self.rng, &self.p.population.young_skill_shares);
            self.people
                .add(Newcomer::child(self.t, female, skill, self.t));
        }
        self.flows.births += count;
        self.ledger.births += count;
    }

    /// Age milestones due this month: children reach working age (and join the
    /// labour force or stay inactive); people of working age reach the statutory
    /// retirement age and retire; early retirees reach it too, which ends the
    /// comparison of their earnings with their former wage.
    pub(super) fn age_milestones(&mut self) {
        self.chosen.clear();
        let mut pools = std::mem::take(&mut self.milestones);
        self.milestone_pools(&mut pools);
        for &(pool, group) in &pools {
            let due = self.milestone_rule(group);
            self.people.take_where(pool, due, &mut self.chosen);
        }
        self.milestones = pools;
        self.settle_chosen(|city, p| match p.status() {
            Status::Child => city.enter_labour_force(p),
            Status::Retired => {
                let mut p = p;
                city.record_statutory_age(&mut p);
                city.people.put(p, Status::Retired);
            }
            _ => {
                let mut p = p;
                city.end_pension_record(&mut p);
                city.people.put(p, Status::Retired);
                city.flows.retirements += 1;
            }
        });
        self.special_work_retirement();
    }

    /// Special-type work: in the month they reach the special retirement age
    /// of their sex, the workers of a sector, and those out of work whose last
    /// job was in it, retire with the probability that they did such work
    /// (the sector's `special_work_share`); the others go on to the ordinary
    /// statutory age. The draw is made once, at that birthday, so only one
    /// birth month per sex is scanned.
    fn special_work_retirement(&mut self) {
        let t = self.t;
        let d = &self.p.demography;
        let ages = [
            d.special_retirement_age_male,
            d.special_retirement_age_female,
        ];
        let l = self.people.layout();
        let mut retiring = std::mem::take(&mut self.chosen);
        retiring.clear();
        for s in 0..self.sectors.len() {
            let share = self.p.sectors[s].special_work_share;
            if share <= 0.0 {
                continue;
            }
            let groups: [usize; SKILLS + 2] = std::array::from_fn(|i| match i {
                0 => l.employed(s),
                i if i <= SKILLS => l.unemployed(s as u8, i - 1),
                _ => l.discouraged(),
            });
            for (female, &age) in [false, true].into_iter().zip(&ages) {
                if age >= self.retirement_age(female) {
                    continue;
                }
                let birth = t - 12 * age as i32;
                for &group in &groups {
                    let pool = l.pool(group, l.cohort(birth));
                    let mut slots = std::mem::take(&mut self.slots);
                    slots.clear();
                    for (i, p) in self.people.pool(pool).iter().enumerate() {
                        let due =
                            p.birth() == birth && p.female() == female && p.sector() as usize == s;
                        if due && self.rng.random::<f64>() < share {
                            slots.push(i as u32);
                        }
                    }
                    self.people.take_slots(pool, &slots, &mut retiring);
                    self.slots = slots;
                }
            }
        }
        for p in retiring.drain(..) {
            self.people.put(p, Status::Retired);
            self.flows.retirements += 1;
        }
        self.chosen = retiring;
    }

    /// Work with no statutory retirement (family farms): the workers of a
    /// sector with an `elderly_exit_rate` who are past the statutory age of
    /// their sex stop working with that probability a year, and retire.
    /// Drawn by thinning, like deaths; pools of birth years too young to be
    /// past the age are skipped by their bound.
    pub(super) fn elderly_exits(&mut self) {
        let t = self.t;
        let retire = [self.retirement_age(false), self.retirement_age(true)];
        let earliest = retire[0].min(retire[1]);
        for s in 0..self.sectors.len() {
            let Some(rate) = self.p.sectors[s].elderly_exit_rate else {
                continue;
            };
            let p = monthly(rate);
            let group = self.people.layout().employed(s);
            if self.people.group_len(group) == 0 {
                continue;
            }
            self.thin(
                group,
                move |_, _, oldest| if oldest >= earliest { p } else { 0.0 },
                move |person, _| {
                    let age = retire[person.female() as usize] as i32;
                    if person.birth() + 12 * age <= t {
                        p
                    } else {
                        0.0
                    }
                },
            );
            let n = self.chosen.len() as u64;
            self.settle_chosen(|city, mut person| {
                city.end_pension_record(&mut person);
                city.people.put(person, Status::Retired)
            });
            self.flows.retirements += n;
        }
    }

    /// Family farming is own-account work: no employer pays urban-employee
    /// pension contributions for it, so someone who retires from it (or out of
    /// work after it) draws the residents' pension, whatever jobs they held
    /// before: their work record (`WORKED`) is dropped. Every other retiree
    /// keeps it.
    pub(super) fn end_pension_record(&self, p: &mut Person) {
        let own_account = self
            .p
            .sectors
            .get(p.sector() as usize)
            .is_some_and(Sector::is_family_farm);
        if own_account {
            p.remove_traits(traits::WORKED);
        }
    }

    /// Who in a group has a milestone due by this month: a child at or past
    /// the entry age of their skill group, a person of working age at or past
    /// the statutory retirement age (except the workers of a sector with no
    /// statutory retirement), an early retiree at or past it who is not yet
    /// marked so.
    pub(super) fn milestone_rule(&self, group: usize) -> impl Fn(&Person) -> bool + use<> {
        let t = self.t;
        let entry = self.p.demography.entry_age;
        let retire = [self.retirement_age(false), self.retirement_age(true)];
        let l = self.people.layout();
        let works_on = self.works_on_family_farm(group);
        let kind = if group == PoolLayout::CHILD {
            0
        } else if group == l.retired() {
            2
        } else if works_on {
            3
        } else {
            1
        };
        move |p: &Person| match kind {
            0 => p.birth() + 12 * entry[p.skill()] as i32 <= t,
            1 => p.birth() + 12 * retire[p.female() as usize] as i32 <= t,
            // Work with no statutory retirement: see `elderly_exits`.
            3 => false,
            _ => {
                p.has(traits::EARLY_RETIRED)
                    && !p.marked(marks::PAST_STATUTORY_AGE)
                    && p.birth() + 12 * retire[p.female() as usize] as i32 <= t
            }
        }
    }

    /// The pools that can hold someone whose milestone falls this month. A
    /// milestone is reached at a month of birth plus a whole number of years,
    /// so only one birth year per entry age and per statutory age is concerned:
    /// nobody is ever added past a milestone except newcomer children (up to 15
    /// years old) past a young entry age, whose birth years are scanned too.
    /// In reference mode, every pool of children, of working age and of retired
    /// people. The pools are written into `pools`, each with its group (which
    /// a pool would give only through a division, a slow instruction).
    pub(super) fn milestone_pools(&self, pools: &mut Vec<(usize, usize)>) {
        let l = self.people.layout();
        let t = self.t;
        pools.clear();
        let child = PoolLayout::CHILD;
        if self.reference {
            pools.extend(l.pools_of(child).map(|pool| (pool, child)));
            for g in l.working_age().chain([l.retired()]) {
                pools.extend(l.pools_of(g).map(|pool| (pool, g)));
            }
            return;
        }
        // The pools are scanned in increasing order (the order of the people
        // drawn, and so of every later draw, depends on it). The list is built
        // in that order rather than sorted: sorting some eighty pairs every
        // month was over a quarter of the cost of the milestones in a small
        // city. Children's pools (group 0) come first, a handful of cohorts
        // sorted on their own; then every other group, in increasing order,
        // with its one or two retirement cohorts.
        for &a in &self.p.demography.entry_age {
            let last = t - 12 * a as i32;
            let first = t - (12 * a as i32).max(migration::NEWCOMER_CHILD_MONTHS);
            for c in l.cohort(first)..=l.cohort(last) {
                pools.push((l.pool(child, c), child));
            }
        }
        pools.sort_unstable();
        pools.dedup();
        let [men, women] =
            [false, true].map(|female| l.cohort(t - 12 * self.retirement_age(female) as i32));
        let (young, old) = (men.min(women), men.max(women));
        // The groups of working age and the retired are every group after the
        // children's.
        debug_assert!({
            let mut groups: Vec<usize> = l.working_age().chain([l.retired()]).collect();
            groups.sort_unstable();
            groups.into_iter().eq(1..l.groups())
        });
        for g in 1..l.groups() {
            pools.push((l.pool(g, young), g));
            if old != young {
                pools.push((l.pool(g, old), g));
            }
        }
    }

    fn enter_labour_force(&mut self, mut p: Person) {
        let participates = self.rng.random::<f64>() < self.p.population.participation_rate;
        p.set_sector(NO_SECTOR);
        p.set_since(self.t);
        if !participates {
            self.people.put(p, Status::Inactive);
            return;
        }
        // The guards draw in turn: whether the household farms, then (for a
        // farm household) whether they take up its work, then (if not)
        // whether they leave; a city without family farms draws nothing.
        match self.farm_household_of() {
            Some(s) if self.rng.random::<f64>() < self.p.sectors[s].skill_fit[p.skill()] => {
                self.hire(p, s);
                self.flows.farm_entries += 1;
            }
            Some(_) if self.rng.random::<f64>() < self.p.migration.farm_youth_out_share => {
                self.leave(p, Leaver::FarmYouth);
            }
            _ => self.people.put(p, Status::Unemployed),
        }
    }

    /// The family farm of a school leaver's household, if it farms: each
    /// family farm (a sector of own-account work, see
    /// [`Sector::is_family_farm`]) with the chance that a worker of the city
    /// works on it. The leaver takes up its work with the chance that their
    /// schooling suits it (`skill_fit`: graduates seldom go back to the land);
    /// if not, they leave to work elsewhere with the chance
    /// `farm_youth_out_share`, or look for work in the city (Knight, Deng &
    /// Li 2011: rural youth farmed or left).
    fn farm_household_of(&mut self) -> Option<usize> {
        // Most cities have no family farm: no draw, the same random numbers.
        let employed = self.count(Status::Employed);
        if employed == 0 || !(0..self.sectors.len()).any(|s| self.is_family_farm(s)) {
            return None;
        }
        let u = self.rng.random::<f64>();
        let mut cumulative = 0.0;
        for s in 0..self.sectors.len() {
            if !self.is_family_farm(s) {
                continue;
            }
            cumulative += self.employed_in(s) as f64 / employed as f64;
            if u < cumulative {
                return Some(s);
            }
        }
        None
    }

    /// Whether sector `s` is family farming ([`Sector::is_family_farm`]).
    pub(super) fn is_family_farm(&self, s: usize) -> bool {
        self.p.sectors[s].is_family_farm()
    }

    /// Whether sector `s` is own-account work ([`Sector::is_own_account`]).
    pub(super) fn is_own_account(&self, s: usize) -> bool {
        self.p.sectors[s].is_own_account()
    }

    /// Whether `group` is the group of the workers of a family farm.
    pub(super) fn works_on_family_farm(&self, group: usize) -> bool {
        self.people
            .layout()
            .employed_sector(group)
            .is_some_and(|s| self.is_family_farm(s))
    }
}
