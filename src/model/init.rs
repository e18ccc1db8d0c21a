//! The initial city: residents drawn from the scenario's age, sex and skill
//! structure, placed in work, unemployment, inactivity or retirement, and sectors
//! at their starting employment, vacancies and reserves; then a spin-up of the
//! labour market before the start, so that the first reported year shows the
//! model's own dynamics and not the way it was initialised.
//!
//! Why a spin-up: statuses drawn at random are not those the model's flows
//! produce. Drawn, every age group has the same unemployment rate and spells of
//! any length up to two years; simulated, school leavers queue for their first
//! job, so the young have more unemployment and most spells are short. Without a
//! spin-up the first year of every run jumps from the one to the other (youth
//! unemployment 5 % to 13 %, the long-term share 50 % to 15 %).
//!
//! How: the residents are drawn with the ages they have **at the start**, and
//! their statuses with the ages they had `spin_up_months` earlier; the clock then
//! runs from `-spin_up_months` to 0 with the labour market, the life course that
//! feeds it (labour-force entry, statutory retirement) and migration, but no
//! births, deaths or policies, at the start's wages. Labour demand follows the
//! labour force, leaving the scenario's `initial_unemployment_rate` of it without
//! a job, and holds still in the last months as in a run with constant demand.
//! At the end each ten-year age band is brought back to the number drawn for it,
//! so the city starts with exactly the scenario's population and age structure,
//! and a labour market (who is unemployed, for how long, who arrived) that the
//! model's own flows produced. Nothing in the spin-up is reported or counted.

use rand::RngExt;
use rand_distr::{Distribution, LogNormal};

use super::hazards::Schedules;
use super::params::{Params, Sector};
use super::people::{Handle, NO_SECTOR, Newcomer, People, Person, Status, traits};
use super::sample::categorical;
use super::scorecard::Tracker;
use super::{City, Flows, Ledger, ModelRng, SectorState};

/// Longest unemployment spell (months) drawn for people unemployed at the start.
const INITIAL_SPELL_MAX_MONTHS: i32 = 24;

/// Last months of the spin-up during which labour demand holds still.
const SPIN_UP_HELD_MONTHS: i32 = 36;

/// The sector (if any) in which someone past the statutory age at the start
/// of the spin-up still works: as if they had joined the labour force, held a
/// job of a sector with no statutory retirement with its share of the jobs,
/// and not yet stopped in the `years_past` years since the statutory age. No
/// draw is made in a scenario without such a sector.
fn elderly_worker_sector(p: &Params, rng: &mut ModelRng, years_past: u32) -> Option<usize> {
    if !p.sectors.iter().any(Sector::is_family_farm) {
        return None;
    }
    let draw = rng.random::<f64>();
    let mut cumulated = 0.0;
    for (s, sector) in p.sectors.iter().enumerate() {
        if let Some(rate) = sector.elderly_exit_rate {
            cumulated += p.population.participation_rate
                * sector.employment_share
                * (1.0 - rate).powi(years_past as i32);
            if draw < cumulated {
                return Some(s);
            }
        }
    }
    None
}

pub(super) fn build(p: Params, mut rng: ModelRng) -> City {
    let n = p.population.size as usize;
    let months = p.horizon.months;
    let spin_up = p.horizon.spin_up_months as i32;
    let mut people = People::new(p.sectors.len(), months);
    let start_year = p.horizon.start.year();
    let sched = Schedules::new(&p.demography, &p.migration, start_year);
    let sector_shares: Vec<f64> = p.sectors.iter().map(|s| s.employment_share).collect();
    let noise = LogNormal::new(
        -0.5 * p.labour.wage_dispersion.powi(2),
        p.labour.wage_dispersion,
    )
    .expect("wage_dispersion is validated");
    // One draw over (sex, band): men's bands first, then women's.
    let ages = &p.population.age_structure;
    let bands = ages.male.len();
    let band_months = 12 * ages.band_years as i32;
    let weights: Vec<f64> = ages.male.iter().chain(&ages.female).copied().collect();
    let mut band_counts = vec![0u64; bands];
    for _ in 0..n {
        let k = categorical(&mut rng, &weights);
        let (band, female) = (k % bands, k >= bands);
        band_counts[band] += 1;
        // Age at the start; the status is drawn for the age at the beginning of
        // the spin-up (0 for those not yet born then, who are children).
        let age_months = band_months * band as i32 + rng.random_range(0..band_months);
        let birth = -age_months;
        let age = ((age_months - spin_up).max(0) / 12) as u32;
        let shares = if age_months >= 12 * 25 {
            &p.population.skill_shares
        } else {
            &p.population.young_skill_shares
        };
        let skill = categorical(&mut rng, shares);
        let retirement = if female {
            p.demography.retirement_age_female
        } else {
            p.demography.retirement_age_male
        };
        let mut person = Newcomer {
            birth,
            female,
            skill,
            status: Status::Inactive,
            sector: NO_SECTOR,
            since: 0,
            wage_factor: 0.0,
            flags: 0,
        };
        if age < p.demography.entry_age[skill] {
            person.status = Status::Child;
        } else if age >= retirement {
            person.status = Status::Retired;
            if let Some(s) = elderly_worker_sector(&p, &mut rng, age - retirement) {
                person.status = Status::Employed;
                person.sector = s as u8;
                person.flags = traits::WORKED;
                person.wage_factor =
                    (p.labour.skill_premium[skill] * noise.sample(&mut rng)) as f32;
            }
        } else if rng.random::<f64>() < p.population.participation_rate {
            person.sector = categorical(&mut rng, &sector_shares) as u8;
            person.flags = traits::WORKED;
            person.wage_factor = (p.labour.skill_premium[skill] * noise.sample(&mut rng)) as f32;
            if rng.random::<f64>() < p.population.initial_unemployment_rate {
                person.status = Status::Unemployed;
                person.since = -spin_up - rng.random_range(0..INITIAL_SPELL_MAX_MONTHS);
            } else {
                person.status = Status::Employed;
            }
        }
        people.add(person);
    }
    let sectors = p
        .sectors
        .iter()
        .enumerate()
        .map(|(s, spec)| {
            let employed = people.group_len(people.layout().employed(s)) as f64;
            let vacancies = (employed * p.labour.initial_vacancy_rate).round() as u64;
            SectorState {
                base_jobs: (employed + vacancies as f64).max(1.0),
                vacancies,
                target: employed + vacancies as f64,
                capacity: 1.0,
                reserves: spec.resource.as_ref().map_or(0.0, |r| r.reserves),
                output_index: 1.0,
                wage_level: spec.wage,
            }
        })
        .collect();
    let mut city = City {
        sched,
        schedule_year: start_year,
        people,
        rng,
        t: -spin_up,
        sectors,
        flows: Flows::default(),
        tracker: Tracker::new(months, Vec::new()),
        initial_residents: n as u64,
        initial_income: 0.0,
        pull_reference: super::migration::PullRatios::parity(p.sectors.len()),
        ledger: Ledger::default(),
        chosen: Vec::new(),
        slots: Vec::new(),
        hazards: Vec::new(),
        thin_pools: Vec::new(),
        thin_words: Vec::new(),
        spans: Vec::new(),
        spans_at: i32::MIN,
        milestones: Vec::new(),
        sector_bases: Vec::new(),
        gaps: super::sample::Gaps::new(0.0),
        matching: Default::default(),
        reference: false,
        p,
    };
    city.update_wages();
    city.pull_reference = city.pull_ratios_now();
    city.spin_up(&band_counts, band_months);
    city.initial_income = city.household_income();
    city
}

impl City {
    /// Runs the labour market from the beginning of the spin-up to the start
    /// (see the module's documentation), then makes the start the reference of
    /// every index: each sector's jobs at the start are its demand index 1, and
    /// the event counts begin at zero.
    fn spin_up(&mut self, band_counts: &[u64], band_months: i32) {
        let unemployment = self.p.population.initial_unemployment_rate;
        let vacancy_rate = self.p.labour.initial_vacancy_rate;
        let shares: Vec<f64> = self.p.sectors.iter().map(|s| s.employment_share).collect();
        while self.t < 0 {
            self.age_milestones();
            self.elderly_exits();
            let employed = self.count(Status::Employed) as f64;
            let labour_force = employed + self.unemployed_total() as f64;
            // Demand for workers follows the labour force and leaves the initial
            // share of it without a job; jobs include the usual open vacancies.
            // The rate reached adds the unemployment of job search taking time.
            // In the last months, demand holds still, as in a run with constant
            // demand, so that the city reaches the start in the run's own regime.
            if self.t < -SPIN_UP_HELD_MONTHS {
                let wanted = labour_force * (1.0 - unemployment) * (1.0 + vacancy_rate);
                for (state, share) in self.sectors.iter_mut().zip(&shares) {
                    state.target = share * wanted;
                }
            }
            self.adjust_jobs();
            self.match_unemployed();
            self.own_account_uptake();
            self.discouragement();
            self.in_migration();
            self.arrivals();
            self.out_migration();
            self.t += 1;
        }
        // Jobs being reopened (left by retirees, not yet advertised) stay part
        // of each sector's demand at the start.
        let reopening: Vec<f64> = (0..self.sectors.len())
            .map(|s| {
                let state = &self.sectors[s];
                (state.target - self.employed_in(s) as f64 - state.vacancies as f64).max(0.0)
            })
            .collect();
        self.restore_age_structure(band_counts, band_months);
        self.grant_pensions();
        self.initial_residents = self.residents();
        let jobs: Vec<u64> = (0..self.sectors.len())
            .map(|s| self.employed_in(s))
            .collect();
        for ((state, &employed), reopening) in self.sectors.iter_mut().zip(&jobs).zip(reopening) {
            state.target = employed as f64 + state.vacancies as f64 + reopening;
            state.base_jobs = state.target.max(1.0);
        }
        self.flows = Flows::default();
        self.tracker = Tracker::new(self.p.horizon.months, jobs);
        self.ledger = Ledger::default();
    }
}

impl City {
    /// Workers past the statutory age before this month (those of sectors with no statutory
    /// retirement, §7.4 of the ODD).
    fn past_statutory_age_at_work(&self) -> u64 {
        let l = self.people.layout();
        let mut n = 0;
        for (s, sector) in self.p.sectors.iter().enumerate() {
            if !sector.is_family_farm() {
                continue;
            }
            for pool in l.pools_of(l.employed(s)) {
                n += self
                    .people
                    .pool(pool)
                    .iter()
                    .filter(|p| p.birth() + 12 * (self.retirement_age(p.female()) as i32) < self.t)
                    .count() as u64;
            }
        }
        n
    }

    /// Decides who among the retired at the start has a work record and so an
    /// urban-employee pension: each with the probability that makes the share
    /// of everyone past the statutory age `pension_coverage`, the share
    /// observed. (Whoever retires later has one if they ever held a job other
    /// than family farming.)
    fn grant_pensions(&mut self) {
        // The coverage is a share of everyone past the statutory age, farmers
        // still at work included (who draw no pension while they work).
        let past_age_at_work = self.past_statutory_age_at_work() as f64;
        let retired_count = self.count(Status::Retired) as f64;
        let coverage = if retired_count > 0.0 {
            (self.p.population.pension_coverage * (retired_count + past_age_at_work)
                / retired_count)
                .min(1.0)
        } else {
            0.0
        };
        let group = self.people.layout().retired();
        let mut retired = Vec::new();
        let mut slots = Vec::new();
        for pool in self.people.layout().pools_of(group) {
            slots.clear();
            slots.extend(0..self.people.pool(pool).len() as u32);
            self.people.take_slots(pool, &slots, &mut retired);
        }
        for mut p in retired {
            if self.rng.random::<f64>() < coverage {
                p.add_traits(traits::WORKED);
            } else {
                p.remove_traits(traits::WORKED);
            }
            self.people.put(p, Status::Retired);
        }
    }

    /// Brings each age band of the scenario's age structure (`band_months`
    /// wide) back to the number of residents drawn for it, after the spin-up's
    /// migration has moved people in and out: removes residents of a band that
    /// has gained, chosen uniformly, and copies residents of a band that has
    /// lost, chosen uniformly with replacement. A copy has the status, sector,
    /// spell and wage of the person copied, so the labour market's make-up
    /// within each band is kept in expectation. Residents older than the last
    /// band (arrivals) count in it. (A band emptied by the spin-up could not be
    /// refilled; with any realistic rates none is.)
    fn restore_age_structure(&mut self, targets: &[u64], band_months: i32) {
        let t = self.t;
        let bands = targets.len();
        let band = |p: &Person| (((t - p.birth()).max(0) / band_months) as usize).min(bands - 1);
        let pools = self.people.layout().pools();
        let mut counts = vec![0u64; bands];
        for pool in 0..pools {
            for p in self.people.pool(pool) {
                counts[band(p)] += 1;
            }
        }
        // Ranks, within each band in pool order, of the residents to remove
        // (distinct) or to copy (with replacement), sorted.
        let mut ranks: Vec<Vec<u64>> = vec![Vec::new(); bands];
        let mut removing = vec![false; bands];
        for b in 0..bands {
            let (have, want) = (counts[b], targets[b]);
            if have > want {
                removing[b] = true;
                let k = (have - want) as usize;
                ranks[b] = rand::seq::index::sample(&mut self.rng, have as usize, k)
                    .into_iter()
                    .map(|r| r as u64)
                    .collect();
            } else if have > 0 {
                ranks[b] = (0..want - have)
                    .map(|_| self.rng.random_range(0..have))
                    .collect();
            }
            ranks[b].sort_unstable();
        }
        let (mut seen, mut next) = (vec![0u64; bands], vec![0usize; bands]);
        let (mut removals, mut copies) = (Vec::new(), Vec::new());
        for pool in 0..pools {
            for (slot, p) in self.people.pool(pool).iter().enumerate() {
                let b = band(p);
                while next[b] < ranks[b].len() && ranks[b][next[b]] == seen[b] {
                    if removing[b] {
                        removals.push(Handle {
                            pool: pool as u32,
                            slot: slot as u32,
                        });
                    } else {
                        copies.push(*p);
                    }
                    next[b] += 1;
                }
                seen[b] += 1;
            }
        }
        // Last position first, so that the handles not yet used stay valid.
        for h in removals.into_iter().rev() {
            let p = self.people.take(h);
            self.people.put(p, Status::Left);
        }
        for p in copies {
            self.people.put(p, p.status());
        }
    }
}
