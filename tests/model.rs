//! The model through the library API: accounting invariants at every step,
//! determinism, and qualitative behaviour that must emerge from the mechanisms.

mod common;

use boomtown::model::people::{Status, traits};
use boomtown::model::{City, model_rng};
use boomtown::scenario::{self, Scenario};
use common::{fixtures, series, simulate};

fn load(reference: &str) -> Scenario {
    scenario::load(reference, &[]).unwrap_or_else(|e| panic!("{reference}: {e}"))
}

fn fixture(name: &str) -> Scenario {
    load(fixtures().join(name).to_str().unwrap())
}

/// The farming test city with family farms whose school leavers may leave at
/// once, and own-account work in its services: every way in and out of work
/// that the shipped cities have and the other fixtures lack.
fn farming_city() -> Scenario {
    let keys: Vec<scenario::Override> = [
        "sectors.agriculture.elderly_exit_rate=0.05",
        "sectors.services.uptake_rate=0.05",
    ]
    .iter()
    .map(|k| k.parse().unwrap())
    .collect();
    let path = fixtures().join("farming.toml");
    scenario::load(path.to_str().unwrap(), &keys).unwrap()
}

#[test]
fn people_are_never_created_or_lost_by_accounting() {
    for s in [
        load("test-city"),
        fixture("all-policies.toml"),
        fixture("growing.toml"),
        farming_city(),
    ] {
        let mut city = City::new(s.params.clone(), model_rng(11));
        let initial = city.initial_residents();
        // The spin-up ends with exactly the residents drawn, and the same
        // consistent store.
        assert_eq!(initial, s.params.population.size, "{}", s.name);
        assert_eq!(city.residents(), initial, "{}", s.name);
        city.people()
            .check_consistency()
            .unwrap_or_else(|e| panic!("{} at the start: {e}", s.name));
        while !city.finished() {
            city.step();
            let l = city.ledger();
            assert_eq!(
                city.residents() + l.leavers,
                initial + l.births + l.newcomers - l.deaths,
                "{} month {}: residents + leavers - newcomers != initial + births - deaths",
                s.name,
                city.month()
            );
            // Every resident sits in the pool of their status, and the running
            // tallies and wage sums agree with a full scan.
            city.people()
                .check_consistency()
                .unwrap_or_else(|e| panic!("{} month {}: {e}", s.name, city.month()));
        }
    }
}

/// The ways of arriving, as the `in_migrants_<way>` columns name them.
const ARRIVAL_WAYS: [&str; 4] = ["vacancies", "background", "job_seekers", "children"];

/// The kinds of leaver, as the `out_migrants_<kind>` columns name them.
const LEAVER_KINDS: [&str; 6] = [
    "employed",
    "jobless",
    "inactive",
    "retired",
    "children",
    "farm_youth",
];

/// The identities between the columns of every snapshot of a run.
fn check_identities(s: &Scenario, snaps: &[boomtown::model::Snapshot]) {
    for snap in snaps {
        let get = |n: &str| series(s, std::slice::from_ref(snap), n)[0];
        let by_status = get("children")
            + get("employed")
            + get("unemployed")
            + get("in_training")
            + get("inactive")
            + get("retirees");
        assert_eq!(by_status, get("population"), "at {}", snap.date);
        // A total and its `<total>_<part>` columns.
        let parts_add_up = |total: &str, parts: &[&str], what: &str| {
            let sum: f64 = parts
                .iter()
                .map(|part| get(&format!("{total}_{part}")))
                .sum();
            assert_eq!(sum, get(total), "{what} at {}", snap.date);
        };
        parts_add_up("out_migrants", &LEAVER_KINDS, "leavers by kind");
        parts_add_up("in_migrants", &ARRIVAL_WAYS, "arrivals by way");
        let sectors: Vec<&str> = s.params.sectors.iter().map(|x| x.name.as_str()).collect();
        parts_add_up("employed", &sectors, "jobs by sector");
        // The sectors' mean wages, weighted by their workers, are the mean wage.
        let bill: f64 = sectors
            .iter()
            .map(|x| get(&format!("mean_wage_{x}")) * get(&format!("employed_{x}")))
            .sum();
        let mean = get("mean_wage");
        assert!(
            (bill / get("employed") - mean).abs() <= 1e-9 * mean,
            "sector wages against the mean wage at {}",
            snap.date
        );
        let pyramid: u64 = snap.age_pyramid.iter().map(|g| g[0] + g[1]).sum();
        assert_eq!(
            pyramid as f64,
            get("population"),
            "age pyramid at {}",
            snap.date
        );
        for v in &snap.values {
            assert!(v.is_finite(), "non-finite metric at {}", snap.date);
        }
    }
}

#[test]
fn snapshots_account_for_every_resident() {
    let s = fixture("all-policies.toml");
    let snaps = simulate(&s, 5);
    check_identities(&s, &snaps);
    // Every policy actually acted.
    let total = |n: &str| series(&s, &snaps, n).iter().sum::<f64>();
    assert!(total("training_starts") > 0.0, "nobody entered retraining");
    assert!(total("early_retirements") > 0.0, "nobody retired early");
    // And every way of arriving brought someone.
    for way in ARRIVAL_WAYS {
        assert!(
            total(&format!("in_migrants_{way}")) > 0.0,
            "nobody arrived as {way}"
        );
    }
}

/// The same identities in a city with family farms and own-account work, where
/// farm youth leave and the jobless start work on their own.
#[test]
fn snapshots_account_for_farm_youth_and_own_account_work() {
    let s = farming_city();
    let snaps = simulate(&s, 5);
    check_identities(&s, &snaps);
    let total = |n: &str| series(&s, &snaps, n).iter().sum::<f64>();
    for flow in [
        "out_migrants_farm_youth",
        "own_account_starts",
        "farm_entries",
    ] {
        assert!(total(flow) > 0.0, "no {flow}");
    }
}

#[test]
fn same_seed_same_run_and_replicates_differ() {
    let s = load("test-city");
    assert_eq!(simulate(&s, 3), simulate(&s, 3));
    let mut other = City::new(s.params.clone(), model_rng(4));
    let mut first = Vec::new();
    other.run(|x| first.push(x));
    assert_ne!(simulate(&s, 3), first, "another seed repeated the draws");
}

/// Mean over seeds of: mean unemployment rate after the first two years, total
/// out-migrants, final population.
fn outcomes(s: &Scenario) -> (f64, f64, f64) {
    let seeds = 1..=6u64;
    let n = seeds.clone().count() as f64;
    let (mut u, mut out, mut pop) = (0.0, 0.0, 0.0);
    for seed in seeds {
        let snaps = simulate(s, seed);
        let rate = series(s, &snaps, "unemployment_rate");
        let late = &rate[4..];
        u += late.iter().sum::<f64>() / late.len() as f64 / n;
        out += series(s, &snaps, "out_migrants").iter().sum::<f64>() / n;
        pop += series(s, &snaps, "population").last().unwrap() / n;
    }
    (u, out, pop)
}

#[test]
fn depleting_the_only_big_employer_raises_unemployment_and_out_migration() {
    let (base_u, base_out, base_pop) = outcomes(&load("test-city"));
    let (dep_u, dep_out, dep_pop) = outcomes(&fixture("depleting.toml"));
    assert!(
        dep_u > base_u + 0.05,
        "unemployment: depleting {dep_u:.3} vs baseline {base_u:.3}"
    );
    assert!(
        dep_out > base_out * 1.1,
        "out-migration: depleting {dep_out:.0} vs baseline {base_out:.0}"
    );
    assert!(
        dep_pop < base_pop,
        "population: depleting {dep_pop:.0} vs baseline {base_pop:.0}"
    );
}

#[test]
fn the_jobless_leave_more_readily_than_workers_and_every_kind_of_leaver_is_counted() {
    let s = fixture("depleting.toml");
    let snaps = simulate(&s, 5);
    let total = |n: &str| series(&s, &snaps, n).iter().sum::<f64>();
    // Leavers per resident-row of each status (the stocks at each row, the
    // flows since the previous one): a rate up to a constant.
    let jobless = total("unemployed") + total("in_training") + total("discouraged");
    let jobless_rate = total("out_migrants_jobless") / jobless;
    let employed_rate = total("out_migrants_employed") / total("employed");
    assert!(
        jobless_rate > 1.5 * employed_rate,
        "jobless {jobless_rate:.4} against employed {employed_rate:.4}"
    );
    // (A city without family farms has no farm youth.)
    for kind in &LEAVER_KINDS[..5] {
        assert!(
            total(&format!("out_migrants_{kind}")) > 0.0,
            "no one {kind} ever left"
        );
    }
}

#[test]
fn a_growing_sector_lowers_unemployment_and_out_migration() {
    let (dep_u, dep_out, dep_pop) = outcomes(&fixture("depleting.toml"));
    let (grow_u, grow_out, grow_pop) = outcomes(&fixture("growing.toml"));
    assert!(
        grow_u < dep_u - 0.05,
        "unemployment: growing {grow_u:.3} vs depleting {dep_u:.3}"
    );
    assert!(
        grow_out < dep_out,
        "out-migration: growing {grow_out:.0} vs depleting {dep_out:.0}"
    );
    assert!(
        grow_pop > dep_pop,
        "population: growing {grow_pop:.0} vs depleting {dep_pop:.0}"
    );
}

/// Growth is possible: a city whose new sector booms gains people, because
/// arrivals answer its jobs and wages, while the same city without the boom
/// loses people. Nothing in the scenarios says how many should come.
#[test]
fn a_booming_sector_makes_a_city_grow() {
    let grow = fixture("growing.toml");
    let (mut start, mut end, mut arrivals, mut leavers) = (0.0, 0.0, 0.0, 0.0);
    for seed in 1..=6u64 {
        let snaps = simulate(&grow, seed);
        let pop = series(&grow, &snaps, "population");
        start += pop[0];
        end += pop.last().unwrap();
        arrivals += series(&grow, &snaps, "in_migrants").iter().sum::<f64>();
        leavers += series(&grow, &snaps, "out_migrants").iter().sum::<f64>();
    }
    assert!(
        end > 1.04 * start,
        "a booming city should grow: {start} residents at the start, {end} at the end"
    );
    assert!(
        arrivals > 1.2 * leavers,
        "more should arrive than leave: {arrivals} arrivals, {leavers} leavers"
    );
    // `outcomes` gives the mean final population over the same six seeds.
    let (_, _, depleting_end) = outcomes(&fixture("depleting.toml"));
    let mean_start = start / 6.0;
    assert!(
        depleting_end < mean_start,
        "without the boom the city should shrink: {mean_start} residents at the start, \
         {depleting_end} at the end"
    );
}

/// The default mortality is calibrated to China's life expectancy at birth
/// (both sexes, weighted by the sex ratio at birth): 74.83 in 2010 (census life
/// table), 76.34 in 2015, 77.93 in 2020 (census), 78.2 in 2021, 78.6 in 2023,
/// 79.0 in 2024 and 79.25 in 2025 (National Health Commission); and to the
/// census's gap between women and men in 2010 (77.37 and 72.38).
#[test]
fn default_mortality_gives_chinas_life_expectancy_over_the_years() {
    use boomtown::model::hazards::Schedules;
    let s = load("test-city");
    let d = &s.params.demography;
    let boys = 1.0 - d.female_birth_share;
    let reported = [
        (2010, 74.83),
        (2015, 76.34),
        (2020, 77.93),
        (2021, 78.2),
        (2023, 78.6),
        (2024, 79.0),
        (2025, 79.25),
    ];
    for (year, expected) in reported {
        let sched = Schedules::new(d, &s.params.migration, year);
        let [women, men] = sched.life_expectancy();
        let both = d.female_birth_share * women + boys * men;
        assert!(
            (both - expected).abs() < 0.05,
            "{year}: life expectancy {both:.2}, expected {expected}"
        );
        if year == 2010 {
            assert!((women - 77.37).abs() < 0.3, "women {women:.2}");
            assert!((men - 72.38).abs() < 0.3, "men {men:.2}");
        }
    }
    // Held after the last point of the path.
    assert_eq!(d.mortality_factor(2040), d.mortality_factor(2025));
}

/// Change in the first year of each labour-market indicator, its largest
/// year-to-year change afterwards, over the mean of several replicates of the
/// test city held still (`steady.toml`: constant demand, no policy) at 20,000
/// residents, and the standard error of that mean first-year change (from the
/// spread of the replicates' own first-year changes).
fn first_year_jumps(spin_up_years: Option<u32>) -> Vec<(String, f64, f64, f64)> {
    let mut args = vec![
        "population.size=20000".to_string(),
        "simulation.report_every_months=12".to_string(),
    ];
    args.extend(spin_up_years.map(|y| format!("simulation.spin_up_years={y}")));
    let overrides: Vec<scenario::Override> = args.iter().map(|a| a.parse().unwrap()).collect();
    let path = fixtures().join("steady.toml");
    let s = scenario::load(path.to_str().unwrap(), &overrides).unwrap();
    let metrics = [
        "unemployment_rate",
        "youth_unemployment_rate",
        "long_term_unemployment_share",
    ];
    let seeds = 1..=16u64;
    let replicates = seeds.clone().count() as f64;
    let mut mean = vec![Vec::<f64>::new(); metrics.len()];
    let mut firsts = vec![Vec::<f64>::new(); metrics.len()];
    for seed in seeds {
        let snaps = simulate(&s, seed);
        for (m, name) in metrics.iter().enumerate() {
            let x = series(&s, &snaps, name);
            firsts[m].push(x[1] - x[0]);
            if mean[m].is_empty() {
                mean[m] = vec![0.0; x.len()];
            }
            for (acc, v) in mean[m].iter_mut().zip(x) {
                *acc += v / replicates;
            }
        }
    }
    metrics
        .iter()
        .zip(mean)
        .zip(firsts)
        .map(|((name, x), d)| {
            let first = (x[1] - x[0]).abs();
            let usual = x[1..]
                .windows(2)
                .map(|w| (w[1] - w[0]).abs())
                .fold(0.0, f64::max);
            let centre = d.iter().sum::<f64>() / replicates;
            let var = d.iter().map(|v| (v - centre).powi(2)).sum::<f64>() / (replicates - 1.0);
            (name.to_string(), first, usual, (var / replicates).sqrt())
        })
        .collect()
}

/// The settled start: with the default spin-up, constant demand and no policy,
/// unemployment, youth unemployment and the long-term share move in the first
/// year by no more than they move from one year to the next afterwards, up to
/// the sampling noise of the replicates' mean (two standard errors of the
/// first-year change). Without the spin-up they jump, which shows that the
/// check can fail.
#[test]
fn a_run_starts_settled() {
    for (name, first, usual, se) in first_year_jumps(None) {
        assert!(
            first <= usual + 2.0 * se,
            "{name}: first-year change {first:.4} above the usual {usual:.4} (standard error {se:.4})"
        );
    }
    let unsettled = first_year_jumps(Some(0));
    assert!(
        unsettled
            .iter()
            .any(|(_, first, usual, se)| first - 2.0 * se > 2.0 * usual),
        "without a spin-up the first year should jump: {unsettled:?}"
    );
}

/// Pensions go to those entitled: at the start, the share of the people past
/// the statutory age who have a work record (an urban-employee pension) is the
/// scenario's coverage, whether or not some of them still work on farms, and
/// the store's count of them agrees with a scan (`check_consistency`).
#[test]
fn the_share_of_retired_people_with_an_urban_pension_is_the_coverage() {
    for (coverage, farmers) in [(0.1, false), (0.46, false), (0.2, true)] {
        let mut keys = vec![
            "population.size=20000".to_string(),
            format!("population.pension_coverage={coverage}"),
        ];
        if farmers {
            keys.push("sectors.services.elderly_exit_rate=0.05".to_string());
        }
        let overrides: Vec<scenario::Override> = keys.iter().map(|a| a.parse().unwrap()).collect();
        let s = scenario::load("test-city", &overrides).unwrap();
        let city = City::new(s.params.clone(), model_rng(3));
        city.people().check_consistency().unwrap();
        let layout = city.people().layout();
        let d = &s.params.demography;
        let statutory = [d.retirement_age_male, d.retirement_age_female];
        let at_work: usize = layout
            .employed_all()
            .flat_map(|g| layout.pools_of(g))
            .map(|pool| {
                city.people()
                    .pool(pool)
                    .iter()
                    .filter(|p| p.birth() + 12 * (statutory[p.female() as usize] as i32) < 0)
                    .count()
            })
            .sum();
        assert_eq!(at_work > 0, farmers, "{at_work} past the age at work");
        let retired = city.people().group_len(layout.retired()) as f64;
        let share = city.people().pensioners() as f64 / (retired + at_work as f64);
        // Binomial standard error with a few thousand retired: about 0.01.
        assert!(
            (share - coverage).abs() < 0.04,
            "coverage {coverage}: {share:.3} of {retired} retired have a pension"
        );
    }
}

/// Discouraged workers: when the mine closes, some of the long-term
/// unemployed stop looking and leave the labour force, and some of them look
/// again later; without that exit, the unemployment rate peaks higher.
#[test]
fn long_term_unemployed_can_give_up_and_look_again() {
    let peak_and_flows = |rate: &str| {
        let o: Vec<scenario::Override> = [format!("labour.discouragement_rate={rate}")]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        let s = scenario::load(fixtures().join("depleting.toml").to_str().unwrap(), &o).unwrap();
        let (mut peak, mut exits, mut returns) = (0.0, 0.0, 0.0);
        for seed in 1..=4u64 {
            let snaps = simulate(&s, seed);
            peak += series(&s, &snaps, "unemployment_rate")
                .into_iter()
                .fold(0.0, f64::max)
                / 4.0;
            exits += series(&s, &snaps, "labour_force_exits").iter().sum::<f64>();
            returns += series(&s, &snaps, "labour_force_returns")
                .iter()
                .sum::<f64>();
        }
        (peak, exits, returns)
    };
    let (with, exits, returns) = peak_and_flows("0.05");
    let (without, none, _) = peak_and_flows("0.0");
    assert!(
        exits > 0.0 && returns > 0.0,
        "{exits} exits, {returns} returns"
    );
    assert_eq!(none, 0.0);
    assert!(
        with < without,
        "peak unemployment {with:.3} with discouragement, {without:.3} without"
    );
}

/// Special-type work: with every miner in it, the mine keeps almost none of its
/// men of 55 to the statutory 60 and of its women of 45 to 50 (only those hired
/// past that age, who never worked underground before it), while the other
/// sectors keep theirs; with no miner in it, the mine keeps its older workers.
#[test]
fn underground_workers_retire_at_the_special_ages() {
    // (men aged 55-59, women aged 45-49) at work or looking for work, in and
    // out of the mine.
    let older_workers = |share: f64| {
        let o: Vec<scenario::Override> = [
            "population.size=20000".to_string(),
            format!("sectors.mine.special_work_share={share}"),
        ]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
        let s = scenario::load("test-city", &o).unwrap();
        let mut city = City::new(s.params.clone(), model_rng(5));
        for _ in 0..24 {
            city.step();
        }
        let people = city.people();
        let l = people.layout();
        let mine = s
            .params
            .sectors
            .iter()
            .position(|x| x.name == "mine")
            .unwrap();
        let t = city.month();
        let (mut in_mine, mut elsewhere) = ([0u32; 2], [0u32; 2]);
        for group in 0..l.groups() {
            for pool in l.pools_of(group) {
                for p in people.pool(pool) {
                    let working_or_looking =
                        matches!(p.status(), Status::Employed | Status::Unemployed);
                    let (lo, hi) = if p.female() { (45, 49) } else { (55, 59) };
                    if !working_or_looking || !(lo..=hi).contains(&p.age(t)) {
                        continue;
                    }
                    let counts = if p.sector() as usize == mine {
                        &mut in_mine
                    } else {
                        &mut elsewhere
                    };
                    counts[p.female() as usize] += 1;
                }
            }
        }
        (in_mine, elsewhere)
    };
    let (special_mine, special_elsewhere) = older_workers(1.0);
    let (ordinary_mine, ordinary_elsewhere) = older_workers(0.0);
    for sex in 0..2 {
        assert!(ordinary_mine[sex] > 100, "{ordinary_mine:?}");
        assert!(
            special_mine[sex] * 5 < ordinary_mine[sex],
            "the mine keeps {special_mine:?} older workers, against {ordinary_mine:?} without special-type work"
        );
        let ratio = special_elsewhere[sex] as f64 / ordinary_elsewhere[sex] as f64;
        assert!(
            (0.8..1.25).contains(&ratio),
            "other sectors: {special_elsewhere:?} against {ordinary_elsewhere:?}"
        );
    }
}

/// Work with no statutory retirement (family farms): the workers of a sector
/// with an `elderly_exit_rate` are found past the statutory age from the start
/// on and leave it at about that rate a year, while every other sector keeps
/// nobody past the age; without the rate, the sector keeps nobody either.
/// Those who stop draw the residents' pension, not an employee's.
#[test]
fn workers_of_a_sector_with_no_statutory_retirement_stop_at_their_rate() {
    let rate = 0.3;
    let past_age_workers = |rate: Option<f64>| {
        let mut keys = vec!["population.size=20000".to_string()];
        if let Some(rate) = rate {
            keys.push(format!("sectors.services.elderly_exit_rate={rate}"));
            // As on the shipped family farms: nobody quits.
            keys.push("sectors.services.separation_rate=0".to_string());
        }
        let o: Vec<scenario::Override> = keys.iter().map(|a| a.parse().unwrap()).collect();
        let s = scenario::load("test-city", &o).unwrap();
        let services = s
            .params
            .sectors
            .iter()
            .position(|x| x.name == "services")
            .unwrap();
        let d = &s.params.demography;
        let statutory = [d.retirement_age_male, d.retirement_age_female];
        let mut city = City::new(s.params.clone(), model_rng(7));
        // Ids of the employed past the statutory age, in services and elsewhere.
        // People carry no id: birth month, sex, hiring month and personal wage
        // factor (a continuous draw) tell them apart.
        let sectors = s.params.sectors.len();
        let census = |city: &City| {
            let people = city.people();
            let l = people.layout();
            let t = city.month();
            let (mut services_ids, mut elsewhere) = (Vec::new(), 0);
            for s in 0..sectors {
                for pool in l.pools_of(l.employed(s)) {
                    for p in people.pool(pool) {
                        // Past the age before this month (those reaching it
                        // this month retire in the next step).
                        if p.birth() + 12 * (statutory[p.female() as usize] as i32) < t {
                            if s == services {
                                services_ids.push((
                                    p.birth(),
                                    p.female(),
                                    p.since(),
                                    p.wage_factor().to_bits(),
                                ));
                            } else {
                                elsewhere += 1;
                            }
                        }
                    }
                }
            }
            (services_ids, elsewhere)
        };
        // Those retired from services (their last sector): with a work record
        // (an urban-employee pension) or without.
        let records = |city: &City| {
            let (mut with_record, mut without) = (0, 0);
            let l = city.people().layout();
            for pool in l.pools_of(l.retired()) {
                for p in city.people().pool(pool) {
                    if p.sector() as usize == services {
                        if p.has(traits::WORKED) {
                            with_record += 1;
                        } else {
                            without += 1;
                        }
                    }
                }
            }
            [with_record, without]
        };
        let records_at_start = records(&city);
        let at_start = census(&city);
        for _ in 0..12 {
            city.step();
        }
        let before = census(&city);
        for _ in 0..12 {
            city.step();
        }
        let after = census(&city);
        let stayed = after.0.iter().filter(|id| before.0.contains(id)).count();
        // (Those retired at the start have a record with the probability of
        // the pension coverage.)
        (
            at_start,
            before,
            after,
            stayed,
            [records_at_start, records(&city)],
        )
    };
    let (start, before, after, stayed, retired) = past_age_workers(Some(rate));
    assert!(
        start.0.len() > 100,
        "{} past the age at the start",
        start.0.len()
    );
    assert!(
        before.0.len() > 100,
        "{} past the age after a year",
        before.0.len()
    );
    assert_eq!(start.1 + before.1 + after.1, 0, "other sectors keep nobody");
    // Those still at work a year later: (1 − rate), less the few who died,
    // left the city (a family farm dismisses nobody).
    let kept = stayed as f64 / before.0.len() as f64;
    assert!(
        (0.55..=1.0 - rate + 0.05).contains(&kept),
        "{kept:.3} of {} still at work after a year, at an exit rate of {rate}",
        before.0.len()
    );
    // Own-account work pays no urban-employee pension contributions: those who
    // stop draw the residents' pension.
    let [start_records, end_records] = retired;
    assert!(end_records[1] > start_records[1] + 50, "{retired:?}");
    assert!(
        end_records[0] <= start_records[0],
        "{retired:?}: retired from services with a work record"
    );
    let (start, before, after, _, retired) = past_age_workers(None);
    assert_eq!(start.0.len() + before.0.len() + after.0.len(), 0);
    let [start_records, end_records] = retired;
    assert!(
        end_records[0] > start_records[0] + 50,
        "{retired:?}: employees retire with a work record"
    );
}

/// Compensated income gaps: with `gap_compensation = 1` the pulls are measured
/// against the income ratios of the start, so a city whose incomes are far
/// below the outside's (the outside wage doubled) loses no more people in its
/// first two years than the same city with the outside's wage as set, and
/// draws as many job seekers; with 0, every gap moves people, and the city
/// with the richer outside loses more and draws fewer.
#[test]
fn compensated_income_gaps_move_nobody() {
    let flows = |compensation: f64, outside: f64| {
        let o: Vec<scenario::Override> = [
            "population.size=100000".to_string(),
            "simulation.years=2".to_string(),
            "simulation.report_every_months=24".to_string(),
            format!("migration.gap_compensation={compensation}"),
            format!("migration.outside_wage={outside}"),
        ]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
        let s = scenario::load("test-city", &o).unwrap();
        let snaps = simulate(&s, 11);
        let out: f64 = series(&s, &snaps, "out_migrants").iter().sum();
        let arrived: f64 = series(&s, &snaps, "in_migrants").iter().sum();
        (out, arrived)
    };
    let base = load("test-city").params.migration.outside_wage;
    let (out_same, in_same) = flows(1.0, base);
    let (out_rich, in_rich) = flows(1.0, 2.0 * base);
    assert!(
        (out_rich / out_same - 1.0).abs() < 0.1,
        "compensated: {out_same} and {out_rich} left"
    );
    assert!(
        (in_rich / in_same - 1.0).abs() < 0.1,
        "compensated: {in_same} and {in_rich} arrived"
    );
    let (out_same, _) = flows(0.0, base);
    let (out_rich, _) = flows(0.0, 2.0 * base);
    assert!(
        out_rich > 1.3 * out_same,
        "not compensated: {out_same} and {out_rich} left"
    );
}

/// Family farms (a sector with an `elderly_exit_rate`, own-account work): when
/// the land needs fewer hands, nobody is dismissed, and the school leavers of
/// farm households start work on the farm without a vacancy. The same farm run
/// as wage work dismisses its surplus into unemployment, and its school leavers
/// queue for jobs with everyone else's.
#[test]
fn family_farms_keep_their_hands_and_take_in_their_own_school_leavers() {
    let run = |family: bool| {
        let keys: Vec<scenario::Override> = if family {
            vec![
                "sectors.agriculture.elderly_exit_rate=0.05"
                    .parse()
                    .unwrap(),
            ]
        } else {
            Vec::new()
        };
        let path = fixtures().join("farming.toml");
        let s = scenario::load(path.to_str().unwrap(), &keys).unwrap();
        let farm = s
            .params
            .sectors
            .iter()
            .position(|x| x.name == "agriculture")
            .unwrap();
        // Months in which someone lost farm work to unemployment; farm
        // workers who started work in the run before the age of 25; youth
        // unemployment, summed over the rows of the run.
        let (mut dismissed_months, mut young_farmers, mut youth, mut entries) = (0, 0, 0.0, 0.0);
        for seed in 1..=4u64 {
            let mut city = City::new(s.params.clone(), model_rng(seed));
            while !city.finished() {
                city.step();
                let people = city.people();
                let l = people.layout();
                // (Some of the unemployed drawn at the start had farmed:
                // only spells begun in the run count.)
                let out_of_work = (0..3)
                    .flat_map(|k| l.pools_of(l.unemployed(farm as u8, k)))
                    .flat_map(|pool| people.pool(pool))
                    .filter(|p| p.since() >= 0)
                    .count();
                dismissed_months += (out_of_work > 0) as u32;
            }
            let people = city.people();
            let l = people.layout();
            let t = city.month();
            for pool in l.pools_of(l.employed(farm)) {
                young_farmers += people
                    .pool(pool)
                    .iter()
                    .filter(|p| p.since() >= 0 && p.age(t) < 25)
                    .count();
            }
            let snaps = simulate(&s, seed);
            youth += series(&s, &snaps, "youth_unemployment_rate")
                .iter()
                .sum::<f64>();
            entries += series(&s, &snaps, "farm_entries").iter().sum::<f64>();
        }
        (dismissed_months, young_farmers, youth, entries)
    };
    let (family_dismissed, family_young, family_youth, family_entries) = run(true);
    let (wage_dismissed, wage_young, wage_youth, wage_entries) = run(false);
    // The output counts them.
    assert!(
        family_entries >= family_young as f64 && wage_entries == 0.0,
        "farm_entries: {family_entries} with family farms ({family_young} young farmers \
         at the end), {wage_entries} without"
    );
    assert_eq!(
        family_dismissed, 0,
        "nobody leaves a family farm for unemployment"
    );
    assert!(
        wage_dismissed > 50,
        "a wage farm with too many hands dismisses them: {wage_dismissed} months with some out of work"
    );
    // The wage farm, above its need all along, opens no vacancy: its young
    // workers are those who were already there.
    assert!(
        family_young > 40 && family_young > 3 * wage_young,
        "school leavers join the family farm: {family_young} young farmers, {wage_young} on the wage farm"
    );
    assert!(
        family_youth < wage_youth,
        "youth unemployment: {family_youth:.2} with family farms, {wage_youth:.2} without"
    );
}
