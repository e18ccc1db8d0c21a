//! The store of people: one agent per resident, one 20-byte [`Person`] record
//! each, kept **inside** the pool of its group (status, sector, skill) and birth
//! year. There are no person ids and no index from ids to records: an event
//! that draws a person reads one record, and moving a person to another pool
//! copies the record to the end of that pool and fills the hole with the last
//! record of the old one.
//!
//! Why this layout (`docs/performance.md`):
//! - one cache miss per person an event touches, where an id and a separate
//!   record cost two or three;
//! - splitting each group by birth year makes the ages within a pool span two
//!   whole years, so the bounds used to thin deaths and out-migration are tight;
//! - age milestones (labour-force entry, statutory retirement) are found by
//!   scanning the one birth year that reaches them, so no calendar of ids is
//!   kept; and the records of the dead and of leavers are not kept either.
//!
//! Every change of status goes through [`People::take`] and [`People::put`],
//! which keep the pools, the cohort tally and the running sums consistent; no
//! statistic is ever recomputed by scanning everyone.

use rand::{Rng, RngExt};

use super::cohort::{DisplacedTally, Member};
use super::params::{Payer, SKILLS};

/// What a person is doing this month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Status {
    /// Too young to work (child or student).
    Child = 0,
    /// Holds a job in a sector.
    Employed = 1,
    /// In the labour force, without a job, looking for one.
    Unemployed = 2,
    /// In a retraining course.
    Training = 3,
    /// Of working age but out of the labour force.
    Inactive = 4,
    /// Retired (statutory or early).
    Retired = 5,
    /// Moved out of the city.
    Left = 6,
    /// Died.
    Dead = 7,
}

impl Status {
    /// Statuses of residents (people who live in the city).
    pub const RESIDENT: [Status; 6] = [
        Status::Child,
        Status::Employed,
        Status::Unemployed,
        Status::Training,
        Status::Inactive,
        Status::Retired,
    ];

    /// Whether the person lives in the city.
    pub fn is_resident(self) -> bool {
        (self as u8) < 6
    }
}

/// Sector value of someone who never held a job.
pub const NO_SECTOR: u8 = u8::MAX;

/// Sector value of a discouraged worker (out of the labour force after a long
/// spell of unemployment, and who may look again) who never held a job. A
/// discouraged worker who did keeps their last sector; the inactive who never
/// looked for work have [`NO_SECTOR`]. So, for the inactive, the sector says
/// which group they are in.
pub const DISCOURAGED_NO_SECTOR: u8 = u8::MAX - 1;

/// Bits of the `traits` byte.
pub mod traits {
    /// Set for women.
    pub const FEMALE: u8 = 1;
    /// Skill group, two bits.
    pub const SKILL_SHIFT: u8 = 1;
    /// Mask of the skill bits.
    pub const SKILL_MASK: u8 = 0b110;
    /// Lost a job in a layoff or a demand-driven separation at least once.
    pub const DISPLACED: u8 = 1 << 3;
    /// Completed a retraining course.
    pub const RETRAINED: u8 = 1 << 4;
    /// Arrived in the city during the run, aged 15 or more (children who come
    /// with a parent grow up as residents).
    pub const NEWCOMER: u8 = 1 << 5;
    /// Took early retirement.
    pub const EARLY_RETIRED: u8 = 1 << 6;
    /// Has held a job (and so paid unemployment insurance contributions).
    pub const WORKED: u8 = 1 << 7;
}

/// Bits of the `marks` byte: where a person stands in the record of the
/// displaced-worker cohort (see `cohort.rs`).
/// The upper six bits hold the sector of the job before the last job loss (see
/// [`Person::prior_sector`]), which is why scenarios have at most 64 sectors.
pub mod marks {
    /// Displaced and not re-employed since.
    pub const AWAITING_REEMPLOYMENT: u8 = 1;
    /// Took early retirement and has since reached the statutory age (their
    /// earnings are no longer compared with their wage before displacement).
    pub const PAST_STATUTORY_AGE: u8 = 1 << 1;
    /// Shift of the prior sector.
    pub const PRIOR_SECTOR_SHIFT: u8 = 2;
    /// Mask of the flag bits.
    pub const FLAGS: u8 = 0b11;
}

/// Months of birth before the start that the cohort tally covers (people older
/// than this at the start are counted in the oldest cohort).
pub const COHORT_OFFSET: i32 = 110 * 12;

/// Months of birth that share a pool: one birth year.
pub const COHORT_MONTHS: i32 = 12;

/// Index of the birth cohort (birth year since [`COHORT_OFFSET`]) of a month of
/// birth, before clamping to the cohorts a layout has.
fn cohort_index(birth: i32) -> usize {
    ((birth + COHORT_OFFSET).max(0) / COHORT_MONTHS) as usize
}

/// Where a person's record lives: a pool and a position in it. A handle stays
/// valid until its pool loses a record at or before that position (taking the
/// records of one pool in decreasing order of position keeps the others valid).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Handle {
    /// Pool index.
    pub pool: u32,
    /// Position in the pool.
    pub slot: u32,
}

/// The groups people are pooled by (status, with sector and skill where they
/// matter), each split into one pool per birth year. Groups are laid out as:
/// child, inactive, employed by sector, in training by target sector,
/// unemployed by (last sector or none, skill), retired, discouraged.
#[derive(Clone, Copy, Debug)]
pub struct PoolLayout {
    sectors: usize,
    cohorts: usize,
}

impl PoolLayout {
    /// Group of children.
    pub const CHILD: usize = 0;
    /// Group of inactive people.
    pub const INACTIVE: usize = 1;

    /// The layout for a number of sectors and a horizon in months.
    pub fn new(sectors: usize, months: u32) -> Self {
        PoolLayout {
            sectors,
            cohorts: cohort_index(months as i32) + 1,
        }
    }

    /// Number of groups.
    pub fn groups(&self) -> usize {
        self.discouraged() + 1
    }

    /// Number of birth cohorts (pools per group).
    pub fn cohorts(&self) -> usize {
        self.cohorts
    }

    /// Number of pools.
    pub fn pools(&self) -> usize {
        self.groups() * self.cohorts
    }

    /// Group of the employed of a sector.
    pub fn employed(&self, sector: usize) -> usize {
        2 + sector
    }

    /// Group of trainees for a target sector.
    pub fn training(&self, sector: usize) -> usize {
        2 + self.sectors + sector
    }

    /// Group of the unemployed by last sector ([`NO_SECTOR`] for first-time
    /// seekers) and skill.
    pub fn unemployed(&self, sector: u8, skill: usize) -> usize {
        let s = if sector == NO_SECTOR {
            self.sectors
        } else {
            sector as usize
        };
        2 + 2 * self.sectors + s * SKILLS + skill
    }

    /// Groups of the unemployed, of every last sector and skill.
    pub fn unemployed_all(&self) -> std::ops::Range<usize> {
        self.unemployed(0, 0)..self.retired()
    }

    /// Groups of the employed, one per sector.
    pub fn employed_all(&self) -> std::ops::Range<usize> {
        self.employed(0)..self.employed(0) + self.sectors
    }

    /// The sector whose employed `group` holds, if it is a group of the employed.
    pub fn employed_sector(&self, group: usize) -> Option<usize> {
        self.employed_all()
            .contains(&group)
            .then(|| group - self.employed(0))
    }

    /// Groups of trainees, one per target sector.
    pub fn training_all(&self) -> std::ops::Range<usize> {
        self.training(0)..self.training(0) + self.sectors
    }

    /// Group of retired people.
    pub fn retired(&self) -> usize {
        2 + 2 * self.sectors + (self.sectors + 1) * SKILLS
    }

    /// Group of discouraged workers: inactive people who left the labour
    /// force after a long spell of unemployment and may look for work again.
    pub fn discouraged(&self) -> usize {
        self.retired() + 1
    }

    /// Groups of people of working age: employed, in training, unemployed,
    /// inactive and discouraged.
    pub fn working_age(&self) -> impl Iterator<Item = usize> + use<> {
        std::iter::once(Self::INACTIVE)
            .chain(2..self.retired())
            .chain([self.discouraged()])
    }

    /// The group a person of this status, sector and skill belongs to.
    pub fn group_of(&self, status: Status, sector: u8, skill: usize) -> Option<usize> {
        match status {
            Status::Child => Some(Self::CHILD),
            Status::Inactive if sector == NO_SECTOR => Some(Self::INACTIVE),
            Status::Inactive => Some(self.discouraged()),
            Status::Retired => Some(self.retired()),
            Status::Employed => Some(self.employed(sector as usize)),
            Status::Training => Some(self.training(sector as usize)),
            Status::Unemployed => Some(self.unemployed(sector, skill)),
            Status::Left | Status::Dead => None,
        }
    }

    /// Birth cohort of a month of birth.
    pub fn cohort(&self, birth: i32) -> usize {
        cohort_index(birth).min(self.cohorts - 1)
    }

    /// Pool of a group's birth cohort.
    pub fn pool(&self, group: usize, cohort: usize) -> usize {
        group * self.cohorts + cohort
    }

    /// Pools of a group, one per birth cohort, oldest first.
    pub fn pools_of(&self, group: usize) -> std::ops::Range<usize> {
        group * self.cohorts..(group + 1) * self.cohorts
    }

    /// Months of birth (first, last) of the people a pool can hold. The oldest
    /// cohort also holds everyone born before it.
    pub fn births(&self, pool: usize) -> (i32, i32) {
        let c = (pool % self.cohorts) as i32;
        let first = if c == 0 {
            i32::MIN / 2
        } else {
            c * COHORT_MONTHS - COHORT_OFFSET
        };
        (first, (c + 1) * COHORT_MONTHS - COHORT_OFFSET - 1)
    }

    /// Group of a pool.
    pub fn group(&self, pool: usize) -> usize {
        pool / self.cohorts
    }

    /// Birth cohort of a pool.
    pub fn cohort_of(&self, pool: usize) -> usize {
        pool % self.cohorts
    }
}

/// Makes room for one more element, growing by an eighth rather than doubling:
/// at millions of people, doubling would leave up to half of a large array unused.
fn grow<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact(v.len() / 8 + 16);
    }
}

/// Gives back the room of a pool that has shrunk to under half its capacity
/// (a birth year's pool of workers empties as they retire).
fn trim<T>(v: &mut Vec<T>) {
    if v.capacity() > 64 && v.len() < v.capacity() / 2 {
        v.shrink_to(v.len() + v.len() / 8);
    }
}

/// One person's fields, packed together (20 bytes) so that an event touching a
/// randomly drawn person costs one cache miss.
#[derive(Clone, Copy, Debug)]
pub struct Person {
    /// Month of birth (months since the start).
    birth: i16,
    /// Month the current unemployment spell began.
    since: i16,
    /// For a trainee, the month the course ends; for a course graduate, the
    /// month of the placement check (six months after the course).
    due: i16,
    /// Current status.
    status: Status,
    /// Sector held or last held (the target sector for a trainee), or
    /// [`NO_SECTOR`].
    sector: u8,
    /// Sex, skill group and flags (see [`traits`]).
    traits: u8,
    /// Displacement record (see [`marks`]).
    marks: u8,
    /// For a trainee, the index of the programme (the policy) they attend.
    programme: u8,
    /// For an early retiree, who pays their allowance (a [`Payer`] as its index).
    payer: u8,
    /// Personal wage factor (multiplies the sector's base wage); for an early
    /// retiree, who earns no wage, the monthly allowance in yuan.
    wage_factor: f32,
    /// Wage factor of the job held before the first displacement or, for someone
    /// never displaced, before the last job loss; 0 if none. With the prior
    /// sector (in `marks`) it gives what that job would pay in any month.
    prior_factor: f32,
}

impl Person {
    /// Month of birth.
    pub fn birth(&self) -> i32 {
        self.birth as i32
    }

    /// Age in whole years at month `t`.
    pub fn age(&self, t: i32) -> u32 {
        ((t - self.birth as i32).max(0) / 12) as u32
    }

    /// Current status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Sector held, or last held, or [`NO_SECTOR`].
    pub fn sector(&self) -> u8 {
        self.sector
    }

    /// Whether a woman.
    pub fn female(&self) -> bool {
        self.traits & traits::FEMALE != 0
    }

    /// Skill group.
    pub fn skill(&self) -> usize {
        ((self.traits & traits::SKILL_MASK) >> traits::SKILL_SHIFT) as usize
    }

    /// Whether a trait bit is set.
    pub fn has(&self, flag: u8) -> bool {
        self.traits & flag != 0
    }

    /// Month the current unemployment spell began.
    pub fn since(&self) -> i32 {
        self.since as i32
    }

    /// The trainee's course end or the graduate's placement check (see the field).
    pub fn due(&self) -> i32 {
        self.due as i32
    }

    /// The trainee's programme.
    pub fn programme(&self) -> usize {
        self.programme as usize
    }

    /// Personal wage factor.
    pub fn wage_factor(&self) -> f32 {
        self.wage_factor
    }

    /// Wage factor of the job before the first displacement or, for someone
    /// never displaced, before the last job loss; 0 if none.
    pub fn prior_factor(&self) -> f32 {
        self.prior_factor
    }

    /// Sector of that job.
    pub fn prior_sector(&self) -> usize {
        (self.marks >> marks::PRIOR_SECTOR_SHIFT) as usize
    }

    /// The monthly allowance an early retiree draws until the statutory age
    /// (yuan), and who pays it; `None` for anyone else.
    pub fn allowance(&self) -> Option<(f64, Payer)> {
        let drawing = self.status == Status::Retired
            && self.traits & traits::EARLY_RETIRED != 0
            && self.marks & marks::PAST_STATUTORY_AGE == 0;
        let payer = if self.payer == Payer::Employer as u8 {
            Payer::Employer
        } else {
            Payer::Public
        };
        drawing.then_some((self.wage_factor as f64, payer))
    }

    /// Whether a mark bit is set.
    pub fn marked(&self, mark: u8) -> bool {
        self.marks & mark != 0
    }

    /// Sets the sector held or last held.
    pub fn set_sector(&mut self, sector: u8) {
        self.sector = sector;
    }

    /// Sets the month the unemployment spell began.
    pub fn set_since(&mut self, month: i32) {
        self.since = month as i16;
    }

    /// Sets the personal wage factor.
    pub fn set_wage_factor(&mut self, factor: f32) {
        self.wage_factor = factor;
    }

    /// Sets trait bits.
    pub fn add_traits(&mut self, flags: u8) {
        self.traits |= flags;
    }

    /// Clears trait flags.
    pub fn remove_traits(&mut self, flags: u8) {
        self.traits &= !flags;
    }

    /// Sets and clears mark bits.
    pub fn set_marks(&mut self, set: u8, clear: u8) {
        let (set, clear) = (set & marks::FLAGS, clear & marks::FLAGS);
        self.marks = (self.marks | set) & !clear;
    }

    /// Retires a person early on a monthly allowance (yuan) paid by `payer`
    /// until the statutory age. The caller puts the record back as retired.
    pub fn retire_early(&mut self, allowance: f64, payer: Payer) {
        self.traits |= traits::EARLY_RETIRED;
        self.wage_factor = allowance as f32;
        self.payer = payer as u8;
    }

    /// Starts a course: its programme and the month it ends.
    pub fn start_course(&mut self, programme: usize, ends: i32) {
        self.programme = programme as u8;
        self.due = ends as i16;
    }

    /// Sets the month of a graduate's placement check.
    pub fn set_placement_check(&mut self, month: i32) {
        self.due = month as i16;
    }

    /// Raises the skill group by one (up to the highest).
    pub fn upgrade_skill(&mut self) {
        let skill = (self.skill() + 1).min(SKILLS - 1);
        self.traits = (self.traits & !traits::SKILL_MASK) | ((skill as u8) << traits::SKILL_SHIFT);
    }

    /// Records the job an employed person is about to lose. A displaced
    /// worker's job before displacement is kept for good: it is what later
    /// earnings are compared with.
    pub fn remember_job(&mut self) {
        if self.traits & traits::DISPLACED == 0 {
            self.prior_factor = self.wage_factor;
            self.marks = (self.marks & marks::FLAGS) | (self.sector << marks::PRIOR_SECTOR_SHIFT);
        }
    }

    /// What the displaced tally counts of this person.
    fn member(&self) -> Member {
        Member {
            status: self.status,
            sector: self.sector,
            since: Tally::index(self.since as i32),
            wage_factor: self.wage_factor,
            prior_factor: self.prior_factor,
            prior_sector: self.marks >> marks::PRIOR_SECTOR_SHIFT,
            early_retired: self.traits & traits::EARLY_RETIRED != 0,
            past_statutory_age: self.marks & marks::PAST_STATUTORY_AGE != 0,
        }
    }
}

/// A new person's attributes.
#[derive(Clone, Copy, Debug)]
pub struct Newcomer {
    /// Month of birth (months since the start; negative before it).
    pub birth: i32,
    /// Woman?
    pub female: bool,
    /// Skill group.
    pub skill: usize,
    /// Initial status.
    pub status: Status,
    /// Sector held (employed) or last held (unemployed), or [`NO_SECTOR`].
    pub sector: u8,
    /// Month the current unemployment spell began (if unemployed).
    pub since: i32,
    /// Personal wage factor.
    pub wage_factor: f32,
    /// Extra trait bits.
    pub flags: u8,
}

impl Newcomer {
    /// A child born in month `birth` (a baby, or a child who arrives with a
    /// parent) who joins the city in month `now`.
    pub fn child(birth: i32, female: bool, skill: usize, now: i32) -> Self {
        Newcomer {
            birth,
            female,
            skill,
            status: Status::Child,
            sector: NO_SECTOR,
            since: now,
            wage_factor: 0.0,
            flags: 0,
        }
    }
}

/// The residents, pooled by group and birth year, with the tallies and sums
/// kept current by every change of status. Leavers and the dead are counted
/// (in the ledger and the displaced tally) but their records are not kept.
#[derive(Clone, Debug)]
pub struct People {
    layout: PoolLayout,
    pools: Vec<Vec<Person>>,
    /// For each group, the birth cohorts whose pool holds anyone. Scans of a
    /// group (thinning, uniform picks) visit only those: in a small city most
    /// pools are empty (an unemployed group of a few dozen people spread over
    /// a hundred and fifty birth years), and visiting them all cost more than
    /// the events drawn.
    occupied: CohortSets,
    /// Residents in each group.
    group_len: Vec<u64>,
    tally: Tally,
    /// Unemployed people by month their spell began, `[never held a job, held a
    /// job]`.
    spells: [Vec<u32>; 2],
    wage_sums: Vec<f64>,
    /// Retired residents with a work record (the `WORKED` flag): those who
    /// draw an urban-employee pension.
    pensioners: u64,
    /// Monthly allowances of the early retirees before the statutory age, by
    /// payer (yuan).
    allowances: [f64; 2],
    /// The displaced workers by status, kept like the tally.
    displaced: DisplacedTally,
    /// Resident course graduates by the month of their placement check:
    /// `[not employed, employed]`.
    placement: Vec<[u32; 2]>,
    /// Scratch for uniform picks: ranks in a group.
    ranks: Vec<u64>,
    /// Scratch: positions selected in a pool.
    slots: Vec<u32>,
    /// Scratch: the pools a pick takes from, each with the end of its
    /// positions in `slots`.
    visit: Vec<(usize, usize)>,
}

/// For each group, the set of birth cohorts whose pool holds anyone: a bit per
/// cohort, in words of 64 laid out group after group. Every thinning walk and
/// uniform pick asks which pools of a group are occupied, a hundred-odd times
/// a month, so the set is read a word at a time with no more than a bit
/// count, a count of trailing or leading zeros, or a clear of the lowest bit.
#[derive(Clone, Debug, PartialEq, Eq)]
struct CohortSets {
    /// Words per group.
    words: usize,
    bits: Vec<u64>,
    /// Cohorts in each group's set, kept as bits are set and cleared.
    counts: Vec<u32>,
}

impl CohortSets {
    /// Empty sets of `cohorts` cohorts for `groups` groups.
    fn new(groups: usize, cohorts: usize) -> Self {
        let words = cohorts.div_ceil(64);
        CohortSets {
            words,
            bits: vec![0; groups * words],
            counts: vec![0; groups],
        }
    }

    /// The words of a group's set.
    fn of(&self, group: usize) -> &[u64] {
        &self.bits[group * self.words..(group + 1) * self.words]
    }

    fn insert(&mut self, group: usize, cohort: usize) {
        let (word, bit) = (
            &mut self.bits[group * self.words + cohort / 64],
            1 << (cohort % 64),
        );
        self.counts[group] += u32::from(*word & bit == 0);
        *word |= bit;
    }

    fn remove(&mut self, group: usize, cohort: usize) {
        let (word, bit) = (
            &mut self.bits[group * self.words + cohort / 64],
            1 << (cohort % 64),
        );
        self.counts[group] -= u32::from(*word & bit != 0);
        *word &= !bit;
    }

    /// The lowest cohort in a group's set.
    fn first(&self, group: usize) -> Option<usize> {
        let words = self.of(group);
        let i = words.iter().position(|&w| w != 0)?;
        Some(i * 64 + words[i].trailing_zeros() as usize)
    }

    /// The highest cohort in a group's set.
    fn last(&self, group: usize) -> Option<usize> {
        let words = self.of(group);
        let i = words.iter().rposition(|&w| w != 0)?;
        Some(i * 64 + 63 - words[i].leading_zeros() as usize)
    }

    /// Number of cohorts in a group's set.
    fn count(&self, group: usize) -> usize {
        self.counts[group] as usize
    }

    /// The cohorts in a group's set, lowest first.
    fn ones(&self, group: usize) -> Ones<'_> {
        Ones::new(self.of(group))
    }
}

/// The cohorts of a set of cohorts given by its words (see
/// [`CohortSets::ones`] and [`People::occupied_words`]), lowest first.
pub struct Ones<'a> {
    /// The words not yet started, the current one first.
    words: &'a [u64],
    /// The cohort of the current word's lowest bit.
    base: usize,
    /// The bits of the current word not yet returned.
    rest: u64,
}

impl<'a> Ones<'a> {
    /// The cohorts of a set given by its words.
    pub fn new(words: &'a [u64]) -> Self {
        Ones {
            words,
            base: 0,
            rest: words.first().copied().unwrap_or(0),
        }
    }
}

impl Iterator for Ones<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.rest == 0 {
            self.words = self.words.get(1..).filter(|w| !w.is_empty())?;
            self.base += 64;
            self.rest = self.words[0];
        }
        let bit = self.rest.trailing_zeros() as usize;
        self.rest &= self.rest - 1;
        Some(self.base + bit)
    }
}

/// Residents counted by month of birth, sex and status, kept current by every
/// transition: ages, youth and dependency figures come from it without a scan.
#[derive(Clone, Debug)]
pub struct Tally {
    counts: Vec<[[u32; 6]; 2]>,
    /// Residents and resident women by month of birth: the sums of `counts`
    /// that the births (women of each age) and the scorecard (young adults)
    /// need every month, kept rather than summed again.
    totals: Vec<[u32; 2]>,
}

impl Tally {
    fn index(birth: i32) -> usize {
        (birth + COHORT_OFFSET).max(0) as usize
    }

    /// An empty tally of `births` months of birth.
    fn new(births: usize) -> Self {
        Tally {
            counts: vec![[[0; 6]; 2]; births],
            totals: vec![[0; 2]; births],
        }
    }

    /// Counts a resident in (`delta` 1) or out (-1). Every move of a person
    /// calls it twice, so it is inlined into the moves, and the sums in
    /// `totals` are kept without a branch.
    #[inline(always)]
    fn add(&mut self, birth: i32, female: bool, status: Status, delta: i32) {
        let i = Self::index(birth);
        if i >= self.counts.len() {
            self.grow(i + 1);
        }
        let c = &mut self.counts[i][female as usize][status as usize];
        *c = c.wrapping_add_signed(delta);
        let [all, women] = &mut self.totals[i];
        *all = all.wrapping_add_signed(delta);
        *women = women.wrapping_add_signed(delta * female as i32);
    }

    /// Makes room for `births` months of birth.
    #[cold]
    fn grow(&mut self, births: usize) {
        self.counts.resize(births, [[0; 6]; 2]);
        self.totals.resize(births, [0; 2]);
    }

    /// Residents of each status whose age in whole years at month `t` lies in
    /// `lo..=hi`, by sex: `[male, female][status]`.
    pub fn by_age(&self, t: i32, lo: u32, hi: u32) -> [[u64; 6]; 2] {
        let mut out = [[0u64; 6]; 2];
        for c in &self.counts[self.months_of_age(t, lo, hi)] {
            for sex in 0..2 {
                for s in 0..6 {
                    out[sex][s] += c[sex][s] as u64;
                }
            }
        }
        out
    }

    /// Residents whose age in whole years at month `t` lies in `lo..=hi`:
    /// the sum of [`by_age`](Self::by_age), without splitting it.
    pub fn residents_of_age(&self, t: i32, lo: u32, hi: u32) -> u64 {
        self.totals[self.months_of_age(t, lo, hi)]
            .iter()
            .map(|&[all, _]| all as u64)
            .sum()
    }

    /// Resident women whose age in whole years at month `t` is `age` (the
    /// mothers of a year of age): the births of each month need only these.
    pub fn women_of_age(&self, t: i32, age: u32) -> u64 {
        self.totals[self.months_of_age(t, age, age)]
            .iter()
            .map(|&[_, women]| women as u64)
            .sum()
    }

    /// The months of birth (indices of `counts` and `totals`) whose age in
    /// whole years at month `t` lies in `lo..=hi`.
    fn months_of_age(&self, t: i32, lo: u32, hi: u32) -> std::ops::Range<usize> {
        // age in whole years = (t - birth) / 12, so birth in (t - 12(hi+1), t - 12 lo].
        let first = Self::index(t - 12 * (hi as i32 + 1) + 1);
        let last = Self::index(t - 12 * lo as i32).min(self.counts.len().saturating_sub(1));
        if self.counts.is_empty() || first > last {
            return 0..0;
        }
        first..last + 1
    }

    /// Age in whole years of the oldest resident at month `t`, if any.
    pub fn oldest_age(&self, t: i32) -> Option<u32> {
        let i = self
            .counts
            .iter()
            .position(|c| c.iter().flatten().any(|&n| n > 0))?;
        let birth = i as i32 - COHORT_OFFSET;
        Some(((t - birth).max(0) / 12) as u32)
    }
}

impl People {
    /// An empty store for a number of sectors and a horizon in months.
    pub fn new(sectors: usize, months: u32) -> Self {
        let layout = PoolLayout::new(sectors, months);
        let births = COHORT_OFFSET as usize + months as usize + 1;
        People {
            layout,
            pools: vec![Vec::new(); layout.pools()],
            occupied: CohortSets::new(layout.groups(), layout.cohorts()),
            group_len: vec![0; layout.groups()],
            tally: Tally::new(births),
            spells: std::array::from_fn(|_| vec![0; births]),
            wage_sums: vec![0.0; sectors],
            pensioners: 0,
            allowances: [0.0; 2],
            displaced: DisplacedTally::new(sectors, births),
            placement: vec![[0; 2]; months as usize + 1],
            ranks: Vec::new(),
            slots: Vec::new(),
            visit: Vec::new(),
        }
    }

    /// The displaced workers by status.
    pub fn displaced(&self) -> &DisplacedTally {
        &self.displaced
    }

    /// The pool layout.
    pub fn layout(&self) -> PoolLayout {
        self.layout
    }

    /// Records of a pool.
    pub fn pool(&self, pool: usize) -> &[Person] {
        &self.pools[pool]
    }

    /// The pools of a group that hold anyone, oldest cohort first (the order
    /// of [`PoolLayout::pools_of`]).
    pub fn occupied(&self, group: usize) -> impl Iterator<Item = usize> + '_ {
        let first = self.layout.pool(group, 0);
        self.occupied.ones(group).map(move |c| first + c)
    }

    /// The set of birth cohorts whose pool of a group holds anyone, as words
    /// of 64 bits (cohort `c` is bit `c % 64` of word `c / 64`): a walk that
    /// changes the pools as it goes copies them and reads them with [`Ones`].
    pub fn occupied_words(&self, group: usize) -> &[u64] {
        self.occupied.of(group)
    }

    /// The oldest and the youngest birth cohort of a group's non-empty pools,
    /// or `None` if the group is empty.
    pub fn occupied_span(&self, group: usize) -> Option<(usize, usize)> {
        self.occupied.first(group).zip(self.occupied.last(group))
    }

    /// Number of a group's non-empty pools.
    pub fn occupied_count(&self, group: usize) -> usize {
        self.occupied.count(group)
    }

    /// Records that a pool has just become empty.
    fn vacate(&mut self, pool: usize) {
        let (group, cohort) = (self.layout.group(pool), self.layout.cohort_of(pool));
        self.occupied.remove(group, cohort);
    }

    /// Residents in a range of groups.
    pub fn groups_len(&self, groups: std::ops::Range<usize>) -> u64 {
        self.group_len[groups].iter().sum()
    }

    /// Residents: everyone in a pool.
    pub fn residents(&self) -> u64 {
        self.group_len.iter().sum()
    }

    /// Residents in a group.
    pub fn group_len(&self, group: usize) -> u64 {
        self.group_len[group]
    }

    /// The cohort tally.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Resident course graduates whose placement check falls in month `t`, and
    /// how many of them are employed.
    pub fn placement_check(&self, t: i32) -> (u64, u64) {
        let [idle, employed] = self.placement.get(t as usize).copied().unwrap_or([0, 0]);
        ((idle + employed) as u64, employed as u64)
    }

    /// Unemployed people whose spell began in or before month `t` (those out of
    /// work at least `now - t` months at month `now`). `worked` selects people who
    /// held a job before (`Some(true)`), first-time seekers (`Some(false)`), or both.
    pub fn unemployed_since_at_most(&self, t: i32, worked: Option<bool>) -> u64 {
        self.spells_begun(0..Self::spell_end(t), worked)
    }

    /// Unemployed people whose spell began after month `t`; `worked` as for
    /// [`unemployed_since_at_most`](Self::unemployed_since_at_most). Counts the
    /// few recent months rather than the whole history before them.
    pub fn unemployed_since_after(&self, t: i32, worked: Option<bool>) -> u64 {
        self.spells_begun(Self::spell_end(t)..usize::MAX, worked)
    }

    /// The end of the months of spells begun in or before month `t`.
    fn spell_end(t: i32) -> usize {
        ((t + COHORT_OFFSET).max(-1) + 1) as usize
    }

    /// Unemployed people whose spell began in a range of months (indices of
    /// `spells`).
    fn spells_begun(&self, months: std::ops::Range<usize>, worked: Option<bool>) -> u64 {
        let groups: &[usize] = match worked {
            None => &[0, 1],
            Some(false) => &[0],
            Some(true) => &[1],
        };
        groups
            .iter()
            .map(|&g| {
                let spells = &self.spells[g];
                let end = months.end.min(spells.len());
                spells[months.start.min(end)..end]
                    .iter()
                    .map(|&n| n as u64)
                    .sum::<u64>()
            })
            .sum()
    }

    /// Sum of the wage factors of a sector's employees.
    pub fn wage_sum(&self, sector: usize) -> f64 {
        self.wage_sums[sector]
    }

    /// Retired residents with a work record, who draw an urban-employee
    /// pension (the other retired draw a residents' pension).
    pub fn pensioners(&self) -> u64 {
        self.pensioners
    }

    /// What the resident early retirees draw this month, in allowances paid
    /// by `payer` (yuan).
    pub fn allowances(&self, payer: Payer) -> f64 {
        self.allowances[payer as usize]
    }

    /// Adds a person.
    pub fn add(&mut self, p: Newcomer) {
        let traits = (p.female as u8) | ((p.skill as u8) << traits::SKILL_SHIFT) | p.flags;
        let person = Person {
            birth: p.birth as i16,
            since: p.since as i16,
            due: 0,
            status: p.status,
            sector: p.sector,
            traits,
            marks: 0,
            programme: 0,
            payer: 0,
            wage_factor: p.wage_factor,
            prior_factor: 0.0,
        };
        self.put(person, p.status);
    }

    /// Takes a person's record out of its pool, removing them from every count
    /// (the last record of the pool fills the hole). The caller changes what it
    /// needs and [`put`](Self::put)s the record back with its new status.
    pub fn take(&mut self, h: Handle) -> Person {
        let list = &mut self.pools[h.pool as usize];
        let p = list.swap_remove(h.slot as usize);
        trim(list);
        if list.is_empty() {
            self.vacate(h.pool as usize);
        }
        self.uncount(&p);
        p
    }

    /// Puts a record into the pool of `status` (or, for leavers and the dead,
    /// only into the displaced tally), adding them to every count.
    pub fn put(&mut self, mut p: Person, status: Status) {
        p.status = status;
        if p.traits & traits::DISPLACED != 0 {
            self.displaced.count(p.member(), 1);
        }
        let Some(group) = self.layout.group_of(status, p.sector, p.skill()) else {
            return;
        };
        let cohort = self.layout.cohort(p.birth());
        let list = &mut self.pools[self.layout.pool(group, cohort)];
        grow(list);
        list.push(p);
        if list.len() == 1 {
            self.occupied.insert(group, cohort);
        }
        self.group_len[group] += 1;
        self.tally.add(p.birth(), p.female(), status, 1);
        match status {
            Status::Unemployed => {
                let worked = (p.traits & traits::WORKED != 0) as usize;
                self.spells[worked][Tally::index(p.since())] += 1
            }
            Status::Employed => self.wage_sums[p.sector as usize] += p.wage_factor as f64,
            Status::Retired => {
                self.pensioners += (p.traits & traits::WORKED != 0) as u64;
                if let Some((allowance, payer)) = p.allowance() {
                    self.allowances[payer as usize] += allowance;
                }
            }
            _ => {}
        }
        if p.traits & traits::RETRAINED != 0
            && let Some(c) = self.placement.get_mut(p.due.max(0) as usize)
        {
            c[(status == Status::Employed) as usize] += 1;
        }
    }

    /// Removes a resident record (taken out of its pool) from every count.
    fn uncount(&mut self, p: &Person) {
        if p.traits & traits::DISPLACED != 0 {
            self.displaced.count(p.member(), -1);
        }
        let group = self
            .layout
            .group_of(p.status, p.sector, p.skill())
            .expect("pools hold residents");
        self.group_len[group] -= 1;
        self.tally.add(p.birth(), p.female(), p.status, -1);
        match p.status {
            Status::Unemployed => {
                let worked = (p.traits & traits::WORKED != 0) as usize;
                self.spells[worked][Tally::index(p.since())] -= 1
            }
            Status::Employed => self.wage_sums[p.sector as usize] -= p.wage_factor as f64,
            Status::Retired => {
                self.pensioners -= (p.traits & traits::WORKED != 0) as u64;
                if let Some((allowance, payer)) = p.allowance() {
                    self.allowances[payer as usize] -= allowance;
                }
            }
            _ => {}
        }
        if p.traits & traits::RETRAINED != 0
            && let Some(c) = self.placement.get_mut(p.due.max(0) as usize)
        {
            c[(p.status == Status::Employed) as usize] -= 1;
        }
    }

    /// Takes the records at `slots` (increasing positions) out of a pool and
    /// appends them to `out`.
    ///
    /// The records are first all copied out and only then removed, last
    /// position first (so that the positions not yet removed stay valid): the
    /// copies are independent loads, so their cache misses overlap instead of
    /// being paid one after the other.
    pub fn take_slots(&mut self, pool: usize, slots: &[u32], out: &mut Vec<Person>) {
        if slots.is_empty() {
            return;
        }
        let start = out.len();
        let list = &mut self.pools[pool];
        out.extend(slots.iter().map(|&slot| list[slot as usize]));
        for &slot in slots.iter().rev() {
            list.swap_remove(slot as usize);
        }
        trim(list);
        if list.is_empty() {
            self.vacate(pool);
        }
        for p in &out[start..] {
            self.uncount(p);
        }
    }

    /// Takes out of a pool every record that `pred` selects, appending them to
    /// `out`.
    pub fn take_where(
        &mut self,
        pool: usize,
        pred: impl Fn(&Person) -> bool,
        out: &mut Vec<Person>,
    ) {
        if self.pools[pool].is_empty() {
            return;
        }
        let mut slots = std::mem::take(&mut self.slots);
        slots.clear();
        slots.extend(
            self.pools[pool]
                .iter()
                .enumerate()
                .filter(|(_, p)| pred(p))
                .map(|(i, _)| i as u32),
        );
        self.take_slots(pool, &slots, out);
        self.slots = slots;
    }

    /// Takes `k` distinct members of a group, chosen uniformly at random over
    /// all its birth cohorts, out of their pools and appends them to `out` in
    /// random order.
    ///
    /// The members' ranks in the group (cohorts one after the other) are a
    /// uniform `k`-subset of `0..n`: ranks are drawn independently and
    /// uniformly, repeats are dropped and more are drawn until there are `k`.
    /// Every step treats all ranks alike, so every `k`-subset is equally
    /// likely. When `k` is more than half the group, the members left out are
    /// drawn that way instead. Knowing all the ranks first lets the records be
    /// loaded together (see [`take_slots`](Self::take_slots)).
    pub fn pick<R: Rng + ?Sized>(
        &mut self,
        group: usize,
        k: usize,
        rng: &mut R,
        out: &mut Vec<Person>,
    ) {
        use rand::seq::SliceRandom;
        let n = self.group_len[group];
        let k = (k as u64).min(n);
        if k == 0 {
            return;
        }
        let complement = 2 * k > n;
        let draws = if complement { n - k } else { k };
        let mut ranks = std::mem::take(&mut self.ranks);
        ranks.clear();
        while (ranks.len() as u64) < draws {
            let missing = draws - ranks.len() as u64;
            ranks.extend((0..missing).map(|_| rng.random_range(0..n)));
            ranks.sort_unstable();
            ranks.dedup();
        }
        // The positions of the ranks in their pools are found first and taken
        // after, so that the walk over the non-empty pools changes nothing it
        // walks over, and the pools where nobody was picked cost no call.
        let mut slots = std::mem::take(&mut self.slots);
        slots.clear();
        let mut visit = std::mem::take(&mut self.visit);
        visit.clear();
        let mut next = ranks.iter().copied().peekable();
        let mut offset = 0u64;
        for pool in self.occupied(group) {
            if !complement && next.peek().is_none() {
                break;
            }
            let len = self.pools[pool].len() as u64;
            let before = slots.len();
            if complement {
                // Every rank of this pool that is not left out.
                let mut slot = 0;
                while let Some(&r) = next.peek().filter(|&&r| r < offset + len) {
                    slots.extend((slot..r - offset).map(|s| s as u32));
                    slot = r - offset + 1;
                    next.next();
                }
                slots.extend((slot..len).map(|s| s as u32));
            } else {
                while let Some(r) = next.next_if(|&r| r < offset + len) {
                    slots.push((r - offset) as u32);
                }
            }
            if slots.len() > before {
                visit.push((pool, slots.len()));
            }
            offset += len;
        }
        let start = out.len();
        let mut begin = 0;
        for &(pool, end) in &visit {
            self.take_slots(pool, &slots[begin..end], out);
            begin = end;
        }
        self.visit = visit;
        self.slots = slots;
        self.ranks = ranks;
        out[start..].shuffle(rng);
    }

    /// Checks the internal bookkeeping against a full scan (for tests): every
    /// resident is in the pool of their group and birth year, and the counts,
    /// tallies and sums match.
    pub fn check_consistency(&self) -> Result<(), String> {
        let mut scan = People::new(self.wage_sums.len(), self.placement.len() as u32 - 1);
        for (pool, list) in self.pools.iter().enumerate() {
            for p in list {
                let group = self.layout.group_of(p.status, p.sector, p.skill());
                let expected = group.map(|g| self.layout.pool(g, self.layout.cohort(p.birth())));
                if expected != Some(pool) {
                    return Err(format!(
                        "a person with status {:?} born in month {} is in pool {pool}, expected {expected:?}",
                        p.status, p.birth
                    ));
                }
                scan.put(*p, p.status);
            }
        }
        if scan.group_len != self.group_len {
            return Err(format!(
                "group sizes {:?}, a scan finds {:?}",
                self.group_len, scan.group_len
            ));
        }
        if scan.occupied != self.occupied {
            return Err("the occupied pools disagree with a scan".into());
        }
        if scan.tally.counts != self.tally.counts || scan.tally.totals != self.tally.totals {
            return Err("the cohort tally disagrees with a scan".into());
        }
        if scan.spells != self.spells {
            return Err("the spell histogram disagrees with a scan".into());
        }
        if scan.placement != self.placement {
            return Err("the placement tally disagrees with a scan".into());
        }
        if scan.pensioners != self.pensioners {
            return Err(format!(
                "{} pensioners counted, a scan finds {}",
                self.pensioners, scan.pensioners
            ));
        }
        let drifted = |sum: f64, direct: f64| (direct - sum).abs() > 1e-3 * (1.0 + direct.abs());
        for (s, (&sum, &direct)) in self.wage_sums.iter().zip(&scan.wage_sums).enumerate() {
            if drifted(sum, direct) {
                return Err(format!("wage sum of sector {s} drifted: {sum} vs {direct}"));
            }
        }
        for (payer, (&sum, &direct)) in self.allowances.iter().zip(&scan.allowances).enumerate() {
            if drifted(sum, direct) {
                return Err(format!(
                    "allowances of payer {payer} drifted: {sum} vs {direct}"
                ));
            }
        }
        self.displaced.agrees_with(&scan.displaced)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sets of occupied cohorts answer as a list of the cohorts would:
    /// lowest, highest, how many and which, in order, through inserts and
    /// removes (repeated ones too) over several words.
    #[test]
    fn cohort_sets_answer_as_a_list_would() {
        let (groups, cohorts) = (3, 141);
        let mut sets = CohortSets::new(groups, cohorts);
        let mut lists = vec![std::collections::BTreeSet::new(); groups];
        let mut state = 12345u64;
        for _ in 0..5_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let (group, cohort) = (
                (state >> 33) as usize % groups,
                (state >> 40) as usize % cohorts,
            );
            if state >> 63 == 1 {
                sets.insert(group, cohort);
                lists[group].insert(cohort);
            } else {
                sets.remove(group, cohort);
                lists[group].remove(&cohort);
            }
            for (g, list) in lists.iter().enumerate() {
                assert_eq!(sets.first(g), list.first().copied());
                assert_eq!(sets.last(g), list.last().copied());
                assert_eq!(sets.count(g), list.len());
                assert!(sets.ones(g).eq(list.iter().copied()));
            }
        }
    }

    fn person(birth: i32, status: Status) -> Newcomer {
        Newcomer {
            birth,
            female: birth % 2 == 0,
            skill: 1,
            status,
            sector: if status == Status::Employed {
                0
            } else {
                NO_SECTOR
            },
            since: 0,
            wage_factor: 1.0,
            flags: 0,
        }
    }

    /// The ranges of groups by status hold exactly the groups of that status.
    #[test]
    fn group_ranges_hold_the_groups_of_their_status() {
        let l = PoolLayout::new(3, 24);
        let of = |status: Status| -> Vec<usize> {
            let mut groups: Vec<usize> = (0..3u8)
                .chain([NO_SECTOR])
                .flat_map(|s| (0..SKILLS).map(move |k| (s, k)))
                .filter_map(|(s, k)| {
                    let sector_held = s != NO_SECTOR || status == Status::Unemployed;
                    sector_held.then(|| l.group_of(status, s, k)).flatten()
                })
                .collect();
            groups.sort_unstable();
            groups.dedup();
            groups
        };
        assert_eq!(
            of(Status::Unemployed),
            l.unemployed_all().collect::<Vec<_>>()
        );
        assert_eq!(of(Status::Employed), l.employed_all().collect::<Vec<_>>());
        assert_eq!(of(Status::Training), l.training_all().collect::<Vec<_>>());
    }

    #[test]
    fn a_record_is_twenty_bytes() {
        assert_eq!(std::mem::size_of::<Person>(), 20);
    }

    #[test]
    fn picks_are_distinct_members_of_the_group_across_cohorts() {
        let mut people = People::new(2, 24);
        for b in 0..300 {
            people.add(person(-12 * 40 - b, Status::Employed));
            people.add(person(-12 * 40 - b, Status::Inactive));
        }
        let group = people.layout().employed(0);
        let mut rng = super::super::model_rng(1);
        let mut out = Vec::new();
        people.pick(group, 120, &mut rng, &mut out);
        assert_eq!(out.len(), 120);
        assert!(out.iter().all(|p| p.status() == Status::Employed));
        let mut births: Vec<i32> = out.iter().map(|p| p.birth()).collect();
        births.sort();
        births.dedup();
        assert_eq!(births.len(), 120, "a member was picked twice");
        assert_eq!(people.group_len(group), 180);
        for p in out {
            people.put(p, Status::Unemployed);
        }
        people.check_consistency().unwrap();
    }

    #[test]
    fn every_member_is_picked_equally_often() {
        // Three cohorts of very different sizes: each member's chance of being
        // among 5 picked out of 60 is 1/12, whatever their cohort.
        let sizes = [5, 15, 40];
        let mut hits = [0u64; 3];
        let mut rng = super::super::model_rng(2);
        let rounds = 20_000;
        for _ in 0..rounds {
            let mut people = People::new(1, 12);
            for (c, &n) in sizes.iter().enumerate() {
                for _ in 0..n {
                    people.add(person(-12 * (30 + c as i32), Status::Employed));
                }
            }
            let mut out = Vec::new();
            people.pick(people.layout().employed(0), 5, &mut rng, &mut out);
            for p in out {
                hits[((-p.birth() / 12) - 30) as usize] += 1;
            }
        }
        for (c, &n) in sizes.iter().enumerate() {
            let expected = rounds as f64 * n as f64 / 12.0;
            let sd = (expected * (1.0 - 1.0 / 12.0)).sqrt() * 3.0;
            assert!(
                (hits[c] as f64 - expected).abs() < 4.0 * sd,
                "cohort {c}: {} hits, expected {expected}",
                hits[c]
            );
        }
    }
}
