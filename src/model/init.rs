//! The initial city: residents drawn from the scenario's age, sex and skill
//! structure, placed in work, unemployment, inactivity or retirement, and sectors
//! at their starting employment, vacancies and reserves.

use rand::RngExt;
use rand_distr::{Distribution, LogNormal};

use super::hazards::Schedules;
use super::params::Params;
use super::people::{NO_SECTOR, Newcomer, People, Status, traits};
use super::sample::categorical;
use super::{City, Flows, Ledger, ModelRng, SectorState};

/// Longest unemployment spell (months) drawn for people unemployed at the start.
const INITIAL_SPELL_MAX_MONTHS: i32 = 24;

pub(super) fn build(p: Params, mut rng: ModelRng) -> City {
    let n = p.population.size as usize;
    let months = p.horizon.months;
    let mut people = People::new(p.sectors.len(), months);
    let sched = Schedules::new(&p.demography, &p.migration);
    let sector_shares: Vec<f64> = p.sectors.iter().map(|s| s.employment_share).collect();
    let noise = LogNormal::new(
        -0.5 * p.labour.wage_dispersion.powi(2),
        p.labour.wage_dispersion,
    )
    .expect("wage_dispersion is validated");
    for _ in 0..n {
        let band = categorical(&mut rng, &p.population.age_shares);
        let age_months = 120 * band as i32 + rng.random_range(0..120);
        let birth = -age_months;
        let age = (age_months / 12) as u32;
        let female = rng.random::<f64>() < p.population.female_share;
        let shares = if age >= 25 {
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
        } else if rng.random::<f64>() < p.population.participation_rate {
            person.sector = categorical(&mut rng, &sector_shares) as u8;
            person.flags = traits::WORKED;
            person.wage_factor = (p.labour.skill_premium[skill] * noise.sample(&mut rng)) as f32;
            if rng.random::<f64>() < p.population.initial_unemployment_rate {
                person.status = Status::Unemployed;
                person.since = -rng.random_range(0..INITIAL_SPELL_MAX_MONTHS);
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
        people,
        rng,
        t: 0,
        sectors,
        flows: Flows::default(),
        tracker: super::scorecard::Tracker::new(months),
        initial_residents: n as u64,
        initial_income: 0.0,
        ledger: Ledger::default(),
        chosen: Vec::new(),
        slots: Vec::new(),
        hazards: Vec::new(),
        reference: false,
        p,
    };
    city.update_wages();
    city.initial_income = city.household_income();
    city
}
