//! The store of people: one agent per resident, one 20-byte record each (plus 4
//! bytes per resident for its pool entry and 4 for a pending age milestone),
//! grouped into pools by status so that events can be drawn per group and applied
//! only to the people they hit.
//!
//! Every change of status goes through [`People::transition`], which keeps the
//! pools, the cohort tally and the running sums consistent; no statistic is ever
//! recomputed by scanning everyone.

use super::cohort::{DisplacedTally, Member};
use super::params::SKILLS;

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
    /// Arrived in the city during the run.
    pub const NEWCOMER: u8 = 1 << 5;
    /// Took early retirement.
    pub const EARLY_RETIRED: u8 = 1 << 6;
    /// Has held a job (and so paid unemployment insurance contributions).
    pub const WORKED: u8 = 1 << 7;
}

/// Bits of the `marks` byte: where a person stands in the record of the
/// displaced-worker cohort (see `cohort.rs`).
/// The upper six bits hold the sector of the job before the last job loss (see
/// `People::prior_sector`), which is why scenarios have at most 64 sectors.
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

/// Months of birth grouped into one pool of retired people: retirees are pooled by
/// birth decade, so the age range of each pool, and with it the bound used to draw
/// deaths, stays ten years wide without anyone ever changing pools.
pub const RETIRED_GROUP_MONTHS: i32 = 120;

/// Which pool holds the people of a status (and sector, skill, or birth decade).
/// Pools are laid out as: child, inactive, employed by sector, in training by
/// target sector, unemployed by (last sector or none, skill), retired by birth
/// decade.
#[derive(Clone, Copy, Debug)]
pub struct PoolLayout {
    sectors: usize,
    retired_groups: usize,
}

impl PoolLayout {
    /// Pool of children.
    pub const CHILD: usize = 0;
    /// Pool of inactive people.
    pub const INACTIVE: usize = 1;

    /// The layout for a number of sectors and a horizon in months.
    pub fn new(sectors: usize, months: u32) -> Self {
        let births = COHORT_OFFSET + months as i32 + 1;
        let retired_groups = (births / RETIRED_GROUP_MONTHS + 1) as usize;
        PoolLayout {
            sectors,
            retired_groups,
        }
    }

    /// Number of pools.
    pub fn len(&self) -> usize {
        self.first_retired() + self.retired_groups
    }

    /// Whether there are no pools (never: children and inactive people always have one).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Pool of the employed of a sector.
    pub fn employed(&self, sector: usize) -> usize {
        2 + sector
    }

    /// Pool of trainees for a target sector.
    pub fn training(&self, sector: usize) -> usize {
        2 + self.sectors + sector
    }

    /// Pool of the unemployed by last sector ([`NO_SECTOR`] for first-time seekers)
    /// and skill.
    pub fn unemployed(&self, sector: u8, skill: usize) -> usize {
        let s = if sector == NO_SECTOR {
            self.sectors
        } else {
            sector as usize
        };
        2 + 2 * self.sectors + s * SKILLS + skill
    }

    fn first_retired(&self) -> usize {
        2 + 2 * self.sectors + (self.sectors + 1) * SKILLS
    }

    /// Pools of retired people (one per birth decade).
    pub fn retired_pools(&self) -> std::ops::Range<usize> {
        self.first_retired()..self.len()
    }

    /// Pool of retired people born in a month.
    pub fn retired(&self, birth: i32) -> usize {
        let group = ((birth + COHORT_OFFSET).max(0) / RETIRED_GROUP_MONTHS) as usize;
        self.first_retired() + group.min(self.retired_groups - 1)
    }

    /// Months of birth (first, last) of the people a retired pool can hold.
    pub fn retired_births(&self, pool: usize) -> (i32, i32) {
        let g = (pool - self.first_retired()) as i32;
        let first = g * RETIRED_GROUP_MONTHS - COHORT_OFFSET;
        let first = if g == 0 { i32::MIN / 2 } else { first };
        (first, (g + 1) * RETIRED_GROUP_MONTHS - COHORT_OFFSET - 1)
    }

    /// The pool a person of this status, sector, skill and month of birth belongs to.
    pub fn of(&self, status: Status, sector: u8, skill: usize, birth: i32) -> Option<usize> {
        match status {
            Status::Child => Some(Self::CHILD),
            Status::Inactive => Some(Self::INACTIVE),
            Status::Retired => Some(self.retired(birth)),
            Status::Employed => Some(self.employed(sector as usize)),
            Status::Training => Some(self.training(sector as usize)),
            Status::Unemployed => Some(self.unemployed(sector, skill)),
            Status::Left | Status::Dead => None,
        }
    }
}

/// Makes room for one more element, growing by an eighth rather than doubling:
/// at millions of people, doubling would leave up to half of a large array unused.
fn grow<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact(v.len() / 8 + 64);
    }
}

/// One person's fields, packed together (20 bytes) so that an event touching a
/// randomly drawn person costs one cache miss, not one per field.
#[derive(Clone, Copy, Debug)]
struct Core {
    /// Month of birth (months since the start).
    birth: i16,
    /// Month the current unemployment spell began.
    since: i16,
    /// Current status.
    status: Status,
    /// Sector held or last held, or [`NO_SECTOR`].
    sector: u8,
    /// Sex, skill group and flags (see [`traits`]).
    traits: u8,
    /// Displacement record (see [`marks`]); fits in what would be padding.
    marks: u8,
    /// Personal wage factor (multiplies the sector's base wage).
    wage_factor: f32,
    /// Wage factor of the job held before the first displacement or, for someone
    /// never displaced, before the last job loss; 0 if none. With the prior
    /// sector (in `marks`) it gives what that job would pay in any month.
    prior_factor: f32,
    /// Position in the pool of the person's status.
    slot: u32,
}

impl Core {
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

/// The fields of a status change besides the status itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct Change {
    /// New sector, if it changes.
    pub sector: Option<u8>,
    /// New spell start, if it changes.
    pub since: Option<i32>,
    /// New wage factor, if it changes.
    pub wage_factor: Option<f32>,
    /// Trait bits to set.
    pub flags: u8,
}

/// Everyone who ever lived in the city during the run (leavers and the dead keep
/// their record, so cohorts can be followed).
#[derive(Clone, Debug)]
pub struct People {
    /// Everyone's fields, one record per person.
    core: Vec<Core>,
    layout: PoolLayout,
    pools: Vec<Vec<u32>>,
    tally: Tally,
    /// Unemployed people by month their spell began, `[never held a job, held a
    /// job]`.
    spells: [Vec<u32>; 2],
    wage_sums: Vec<f64>,
    /// The displaced workers by status, kept like the tally.
    displaced: DisplacedTally,
}

/// Residents counted by month of birth, sex and status, kept current by every
/// transition: ages, youth and dependency figures come from it without a scan.
#[derive(Clone, Debug)]
pub struct Tally {
    counts: Vec<[[u32; 6]; 2]>,
}

impl Tally {
    fn index(birth: i32) -> usize {
        (birth + COHORT_OFFSET).max(0) as usize
    }

    fn add(&mut self, birth: i32, female: bool, status: Status, delta: i32) {
        let i = Self::index(birth);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, [[0; 6]; 2]);
        }
        let c = &mut self.counts[i][female as usize][status as usize];
        *c = c.wrapping_add_signed(delta);
    }

    /// Residents of each status whose age in whole years at month `t` lies in
    /// `lo..=hi`, by sex: `[male, female][status]`.
    pub fn by_age(&self, t: i32, lo: u32, hi: u32) -> [[u64; 6]; 2] {
        let mut out = [[0u64; 6]; 2];
        // age in whole years = (t - birth) / 12, so birth in (t - 12(hi+1), t - 12 lo].
        let first = Self::index(t - 12 * (hi as i32 + 1) + 1);
        let last = Self::index(t - 12 * lo as i32).min(self.counts.len().saturating_sub(1));
        if self.counts.is_empty() || first > last {
            return out;
        }
        for c in &self.counts[first..=last] {
            for sex in 0..2 {
                for s in 0..6 {
                    out[sex][s] += c[sex][s] as u64;
                }
            }
        }
        out
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
    /// An empty store for a number of sectors, with room for `capacity` people.
    pub fn new(sectors: usize, capacity: usize, months: u32) -> Self {
        let layout = PoolLayout::new(sectors, months);
        People {
            core: Vec::with_capacity(capacity),
            layout,
            pools: vec![Vec::new(); layout.len()],
            tally: Tally {
                counts: vec![[[0; 6]; 2]; COHORT_OFFSET as usize + months as usize + 1],
            },
            spells: std::array::from_fn(|_| vec![0; COHORT_OFFSET as usize + months as usize + 1]),
            wage_sums: vec![0.0; sectors],
            displaced: DisplacedTally::new(sectors, COHORT_OFFSET as usize + months as usize + 1),
        }
    }

    /// The displaced workers by status.
    pub fn displaced(&self) -> &DisplacedTally {
        &self.displaced
    }

    /// Number of records (residents, leavers and the dead).
    pub fn len(&self) -> usize {
        self.core.len()
    }

    /// Whether no one was ever added.
    pub fn is_empty(&self) -> bool {
        self.core.is_empty()
    }

    /// The pool layout.
    pub fn layout(&self) -> PoolLayout {
        self.layout
    }

    /// Members of a pool.
    pub fn pool(&self, pool: usize) -> &[u32] {
        &self.pools[pool]
    }

    /// Size of a pool.
    pub fn pool_len(&self, pool: usize) -> u64 {
        self.pools[pool].len() as u64
    }

    /// The cohort tally.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Unemployed people whose spell began in or before month `t` (those out of
    /// work at least `now - t` months at month `now`). `worked` selects people who
    /// held a job before (`Some(true)`), first-time seekers (`Some(false)`), or both.
    pub fn unemployed_since_at_most(&self, t: i32, worked: Option<bool>) -> u64 {
        let end = ((t + COHORT_OFFSET).max(-1) + 1) as usize;
        let groups: &[usize] = match worked {
            None => &[0, 1],
            Some(false) => &[0],
            Some(true) => &[1],
        };
        groups
            .iter()
            .map(|&g| {
                let spells = &self.spells[g];
                spells[..end.min(spells.len())]
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

    /// Adds a person and returns their id.
    pub fn add(&mut self, p: Newcomer) -> u32 {
        let id = self.core.len() as u32;
        let traits = (p.female as u8) | ((p.skill as u8) << traits::SKILL_SHIFT) | p.flags;
        grow(&mut self.core);
        self.core.push(Core {
            birth: p.birth as i16,
            since: p.since as i16,
            status: Status::Dead,
            sector: p.sector,
            traits,
            marks: 0,
            wage_factor: p.wage_factor,
            prior_factor: 0.0,
            slot: u32::MAX,
        });
        self.enter(id, p.status);
        id
    }

    /// Month of birth.
    pub fn birth(&self, id: u32) -> i32 {
        self.core[id as usize].birth as i32
    }

    /// Age in whole years at month `t`.
    pub fn age(&self, id: u32, t: i32) -> u32 {
        ((t - self.birth(id)).max(0) / 12) as u32
    }

    /// Current status.
    pub fn status(&self, id: u32) -> Status {
        self.core[id as usize].status
    }

    /// Sector held, or last held, or [`NO_SECTOR`].
    pub fn sector(&self, id: u32) -> u8 {
        self.core[id as usize].sector
    }

    /// Whether a woman.
    pub fn female(&self, id: u32) -> bool {
        self.core[id as usize].traits & traits::FEMALE != 0
    }

    /// Skill group.
    pub fn skill(&self, id: u32) -> usize {
        ((self.core[id as usize].traits & traits::SKILL_MASK) >> traits::SKILL_SHIFT) as usize
    }

    /// Whether a trait bit is set.
    pub fn has(&self, id: u32, flag: u8) -> bool {
        self.core[id as usize].traits & flag != 0
    }

    /// Month the current unemployment spell began.
    pub fn since(&self, id: u32) -> i32 {
        self.core[id as usize].since as i32
    }

    /// Personal wage factor.
    pub fn wage_factor(&self, id: u32) -> f32 {
        self.core[id as usize].wage_factor
    }

    /// Wage factor of the job before the first displacement or, for someone
    /// never displaced, before the last job loss; 0 if none.
    pub fn prior_factor(&self, id: u32) -> f32 {
        self.core[id as usize].prior_factor
    }

    /// Sector of that job.
    pub fn prior_sector(&self, id: u32) -> usize {
        (self.core[id as usize].marks >> marks::PRIOR_SECTOR_SHIFT) as usize
    }

    /// Records the job an employed person is about to lose. A displaced
    /// worker's job before displacement is kept for good: it is what later
    /// earnings are compared with.
    pub fn remember_job(&mut self, id: u32) {
        let c = &mut self.core[id as usize];
        if c.traits & traits::DISPLACED == 0 {
            c.prior_factor = c.wage_factor;
            c.marks = (c.marks & marks::FLAGS) | (c.sector << marks::PRIOR_SECTOR_SHIFT);
        }
    }

    /// Whether a mark bit is set.
    pub fn marked(&self, id: u32, mark: u8) -> bool {
        self.core[id as usize].marks & mark != 0
    }

    /// Sets and clears mark bits, keeping the displaced tally current.
    pub fn set_marks(&mut self, id: u32, set: u8, clear: u8) {
        let i = id as usize;
        let displaced = self.core[i].traits & traits::DISPLACED != 0;
        if displaced {
            self.count_displaced(i, -1);
        }
        let (set, clear) = (set & marks::FLAGS, clear & marks::FLAGS);
        self.core[i].marks = (self.core[i].marks | set) & !clear;
        if displaced {
            self.count_displaced(i, 1);
        }
    }

    fn count_displaced(&mut self, i: usize, sign: i32) {
        self.displaced.count(self.core[i].member(), sign);
    }

    /// Raises a person's skill group by one (up to the highest).
    pub fn upgrade_skill(&mut self, id: u32) {
        let skill = (self.skill(id) + 1).min(SKILLS - 1);
        let status = self.status(id);
        self.leave(id);
        let t = &mut self.core[id as usize].traits;
        *t = (*t & !traits::SKILL_MASK) | ((skill as u8) << traits::SKILL_SHIFT);
        self.enter(id, status);
    }

    /// Moves a person to a new status, updating pools, tallies and sums.
    pub fn transition(&mut self, id: u32, to: Status, change: Change) {
        self.leave(id);
        let i = id as usize;
        if let Some(s) = change.sector {
            self.core[i].sector = s;
        }
        if let Some(s) = change.since {
            self.core[i].since = s as i16;
        }
        if let Some(w) = change.wage_factor {
            self.core[i].wage_factor = w;
        }
        self.core[i].traits |= change.flags;
        self.enter(id, to);
    }

    fn leave(&mut self, id: u32) {
        let i = id as usize;
        let status = self.core[i].status;
        if !status.is_resident() {
            return;
        }
        if self.core[i].traits & traits::DISPLACED != 0 {
            self.count_displaced(i, -1);
        }
        let pool = self
            .layout
            .of(status, self.core[i].sector, self.skill(id), self.birth(id))
            .expect("residents belong to a pool");
        let slot = self.core[i].slot as usize;
        let list = &mut self.pools[pool];
        list.swap_remove(slot);
        if let Some(&moved) = list.get(slot) {
            self.core[moved as usize].slot = slot as u32;
        }
        self.core[i].slot = u32::MAX;
        self.tally.add(self.birth(id), self.female(id), status, -1);
        match status {
            Status::Unemployed => {
                let worked = (self.core[i].traits & traits::WORKED != 0) as usize;
                self.spells[worked][Tally::index(self.core[i].since as i32)] -= 1
            }
            Status::Employed => {
                self.wage_sums[self.core[i].sector as usize] -= self.core[i].wage_factor as f64
            }
            _ => {}
        }
    }

    fn enter(&mut self, id: u32, status: Status) {
        let i = id as usize;
        self.core[i].status = status;
        if self.core[i].traits & traits::DISPLACED != 0 {
            self.count_displaced(i, 1);
        }
        let Some(pool) =
            self.layout
                .of(status, self.core[i].sector, self.skill(id), self.birth(id))
        else {
            return;
        };
        self.core[i].slot = self.pools[pool].len() as u32;
        grow(&mut self.pools[pool]);
        self.pools[pool].push(id);
        self.tally.add(self.birth(id), self.female(id), status, 1);
        match status {
            Status::Unemployed => {
                let worked = (self.core[i].traits & traits::WORKED != 0) as usize;
                self.spells[worked][Tally::index(self.core[i].since as i32)] += 1
            }
            Status::Employed => {
                self.wage_sums[self.core[i].sector as usize] += self.core[i].wage_factor as f64
            }
            _ => {}
        }
    }

    /// Moves `k` distinct members of a pool, chosen uniformly at random, to the end
    /// of the pool and appends them to `out` (a partial Fisher–Yates shuffle).
    pub fn pick<R: rand::Rng + ?Sized>(
        &mut self,
        pool: usize,
        k: usize,
        rng: &mut R,
        out: &mut Vec<u32>,
    ) {
        use rand::RngExt;
        let list = &mut self.pools[pool];
        let n = list.len();
        let k = k.min(n);
        for i in 0..k {
            let j = rng.random_range(0..n - i);
            let last = n - 1 - i;
            list.swap(j, last);
            self.core[list[j] as usize].slot = j as u32;
            self.core[list[last] as usize].slot = last as u32;
        }
        out.extend_from_slice(&list[n - k..]);
    }

    /// Checks the internal bookkeeping against a full scan (for tests): every
    /// resident is in the pool its status says, at the slot it records, and the
    /// tallies and sums match.
    pub fn check_consistency(&self) -> Result<(), String> {
        let mut counted = 0usize;
        for (p, list) in self.pools.iter().enumerate() {
            for (slot, &id) in list.iter().enumerate() {
                let i = id as usize;
                if self.core[i].slot as usize != slot {
                    return Err(format!(
                        "person {id} in pool {p} at slot {slot} records slot {}",
                        self.core[i].slot
                    ));
                }
                if self.layout.of(
                    self.core[i].status,
                    self.core[i].sector,
                    self.skill(id),
                    self.birth(id),
                ) != Some(p)
                {
                    return Err(format!(
                        "person {id} with status {:?} is in pool {p}",
                        self.core[i].status
                    ));
                }
            }
            counted += list.len();
        }
        let residents = self.core.iter().filter(|c| c.status.is_resident()).count();
        if counted != residents {
            return Err(format!(
                "{counted} people in pools but {residents} residents"
            ));
        }
        let tallied: u64 = self
            .tally
            .counts
            .iter()
            .flatten()
            .flatten()
            .map(|&n| n as u64)
            .sum();
        if tallied != residents as u64 {
            return Err(format!(
                "tally counts {tallied} residents, store has {residents}"
            ));
        }
        let unemployed = self
            .core
            .iter()
            .filter(|c| c.status == Status::Unemployed)
            .count() as u64;
        let spells: u64 = self.spells.iter().flatten().map(|&n| n as u64).sum();
        if spells != unemployed {
            return Err(format!(
                "spell histogram counts {spells}, store has {unemployed} unemployed"
            ));
        }
        for (s, &sum) in self.wage_sums.iter().enumerate() {
            let direct: f64 = self.pools[self.layout.employed(s)]
                .iter()
                .map(|&id| self.core[id as usize].wage_factor as f64)
                .sum();
            if (direct - sum).abs() > 1e-3 * (1.0 + direct.abs()) {
                return Err(format!("wage sum of sector {s} drifted: {sum} vs {direct}"));
            }
        }
        let mut scan = DisplacedTally::new(self.wage_sums.len(), self.displaced.spell_months());
        for i in 0..self.core.len() {
            if self.core[i].traits & traits::DISPLACED != 0 {
                scan.count(self.core[i].member(), 1);
            }
        }
        self.displaced.agrees_with(&scan)
    }
}
