//! The shipped scenarios: every parameter has a source, every cited fact exists,
//! and the qualitative contrasts they are built to teach emerge from the model
//! (on reduced populations, over several replicates).

use boomtown::explain::{Kind, explain};
use boomtown::facts::facts;
use boomtown::model::Snapshot;
use boomtown::scenario::{self, Override, Scenario, source::builtin_names};

mod common;

use common::{read_csv, series, simulate};

fn load(name: &str, size: u64) -> Scenario {
    let o: Override = format!("population.size={size}").parse().unwrap();
    scenario::load(name, &[o]).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn max(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::MIN, f64::max)
}

#[test]
fn every_shipped_parameter_has_a_source_and_every_cited_fact_exists() {
    let known = facts();
    let names = builtin_names();
    assert!(
        names.len() >= 14,
        "expected the archetypes, six cities and five variants"
    );
    for n in &names {
        let s = scenario::load(&n.name, &[]).unwrap_or_else(|e| panic!("{}: {e}", n.name));
        assert!(!s.description.is_empty(), "{} has no description", n.name);
        for row in explain(&s) {
            assert!(
                row.kind != Kind::Missing,
                "{}: `{}` has no source",
                n.name,
                row.parameter
            );
            // A source says what it rests on: "assumption" alone tells a reader
            // of the report nothing about what was assumed.
            let said = row
                .source
                .split_once(':')
                .map_or("", |(_, text)| text.trim());
            assert!(
                row.kind == Kind::Definition || !said.is_empty() || !row.facts.is_empty(),
                "{}: the source of `{}` is only `{}`; say what was assumed or where it comes from",
                n.name,
                row.parameter,
                row.source
            );
            // Every fact id a source names (a word after "fact" or "facts") exists.
            let words: Vec<&str> = row
                .source
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .collect();
            for pair in words.windows(2) {
                if (pair[0] == "fact" || pair[0] == "facts") && pair[1].contains('-') {
                    assert!(
                        known.contains_key(pair[1]),
                        "{}: `{}` cites unknown fact {}",
                        n.name,
                        row.parameter,
                        pair[1]
                    );
                }
            }
        }
    }
    for city in [
        "hegang", "qitaihe", "baiyin", "baotou", "jinchang", "zhuzhou",
    ] {
        assert!(
            names.iter().any(|n| n.name == city),
            "no scenario for {city}"
        );
        let s = scenario::load(city, &[]).unwrap();
        let facts_cited = explain(&s).iter().filter(|r| !r.facts.is_empty()).count();
        assert!(
            facts_cited > 0 || city == "hegang",
            "{city} cites no seed fact"
        );
    }
}

#[test]
fn hegang_like_declines_while_baotou_like_grows_and_absorbs_its_displaced_workers() {
    let (h, b) = (load("hegang-like", 8000), load("baotou-like", 8000));
    for seed in 1..=3 {
        let (hs, bs) = (simulate(&h, seed), simulate(&b, seed));
        let pop = |s: &Scenario, x: &[Snapshot]| {
            let p = series(s, x, "population");
            p[p.len() - 1] / p[0] - 1.0
        };
        let (hp, bp) = (pop(&h, &hs), pop(&b, &bs));
        let (hu, bu) = (
            max(&series(&h, &hs, "unemployment_rate")),
            max(&series(&b, &bs, "unemployment_rate")),
        );
        assert!(
            hp < -0.2,
            "seed {seed}: hegang-like population change {hp:.3}"
        );
        // The recovery half of the story: the pivoting city ends its run
        // (2040) with at least the people it started with (2010).
        assert!(
            bp >= 0.0,
            "seed {seed}: baotou-like population change {bp:.3}"
        );
        assert!(
            hp < bp - 0.15,
            "seed {seed}: population change hegang-like {hp:.3} vs baotou-like {bp:.3}"
        );
        // Own-account work takes up much of the declining city's jobless
        // (docs/ODD.md §7.11): its unemployment peaks higher, and a far
        // larger share of its workers end up working on their own.
        assert!(
            hu > bu + 0.02,
            "seed {seed}: peak unemployment hegang-like {hu:.3} vs baotou-like {bu:.3}"
        );
        let own_share = |s: &Scenario, x: &[Snapshot]| {
            let own = series(s, x, "employed_own_account");
            let employed = series(s, x, "employed");
            own.iter()
                .zip(&employed)
                .map(|(o, e)| o / e)
                .fold(0.0, f64::max)
        };
        let (ho, bo) = (own_share(&h, &hs), own_share(&b, &bs));
        assert!(
            ho > bo + 0.08,
            "seed {seed}: peak share working on their own hegang-like {ho:.3} vs baotou-like {bo:.3}"
        );
        let rare = series(&b, &bs, "employed_rare_earths");
        assert!(
            rare[rare.len() - 1] > 2.0 * rare[0],
            "seed {seed}: the new sector did not grow"
        );
    }
}

#[test]
fn policy_variants_act_through_their_mechanisms() {
    let base = load("hegang-no-policy", 8000);
    let peak = |s: &Scenario| {
        (1..=3)
            .map(|seed| max(&series(s, &simulate(s, seed), "unemployment_rate")))
            .sum::<f64>()
            / 3.0
    };
    let p0 = peak(&base);
    // Discouraged workers, special-type retirement and a prefecture where coal
    // is a fifth of the jobs keep the peaks low and close; the mean over the
    // years the cluster grows is steadier than a peak.
    let cluster = load("hegang-cluster", 8000);
    let mean_unemployment = |s: &Scenario| {
        (1..=3)
            .map(|seed| {
                let snaps = simulate(s, seed);
                let u: Vec<f64> = series(s, &snaps, "unemployment_rate")
                    .into_iter()
                    .zip(&snaps)
                    .filter(|(_, x)| (2015..=2030).contains(&x.date.year()))
                    .map(|(u, _)| u)
                    .collect();
                u.iter().sum::<f64>() / u.len() as f64
            })
            .sum::<f64>()
            / 3.0
    };
    let (u0, u1) = (mean_unemployment(&base), mean_unemployment(&cluster));
    assert!(
        u1 < u0 - 0.002,
        "hegang-cluster: mean unemployment 2015-2030 {u1:.4} vs no policy {u0:.4}"
    );
    assert!(
        peak(&cluster) < p0,
        "hegang-cluster: a higher peak than no policy"
    );
    // Early retirement takes older coal workers out of the labour force.
    let early = load("hegang-early-retirement", 8000);
    let (a, b) = (simulate(&base, 1), simulate(&early, 1));
    let early_retirements: f64 = series(&early, &b, "early_retirements").iter().sum();
    assert!(
        early_retirements > 50.0,
        "only {early_retirements} early retirements"
    );
    let retirees = |s: &Scenario, x: &[Snapshot]| {
        let i = x.iter().position(|snap| snap.date.year() == 2020).unwrap();
        series(s, x, "retirees")[i]
    };
    assert!(retirees(&early, &b) > retirees(&base, &a));
    // The coal restart raises coal employment while it lasts (2022) and leaves
    // less coal afterwards.
    let restart = load("hegang-coal-restart", 8000);
    let (a, b) = (simulate(&base, 1), simulate(&restart, 1));
    let at = |s: &Scenario, x: &[Snapshot], m: &str, year: i32| {
        let i = x.iter().position(|snap| snap.date.year() == year).unwrap();
        series(s, x, m)[i]
    };
    assert!(at(&restart, &b, "employed_coal", 2023) > 1.1 * at(&base, &a, "employed_coal", 2023));
    assert!(at(&restart, &b, "reserves_coal", 2026) < at(&base, &a, "reserves_coal", 2026));
    // Retraining puts people into courses.
    let retraining = load("hegang-retraining", 8000);
    let starts: f64 = series(&retraining, &simulate(&retraining, 1), "training_starts")
        .iter()
        .sum();
    assert!(starts > 50.0, "only {starts} trainees");
}

/// Every scenario's age structure is the census table it cites, copied exactly
/// from `seeds/census2010_age_sex.csv`: the nation's for the defaults (seen
/// through `baotou-like`), Heilongjiang's for `hegang-like`, each city's own.
#[test]
fn age_structures_are_the_census_tables_they_cite() {
    let seeds =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/census2010_age_sex.csv");
    let (header, rows) = read_csv(&seeds);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (scenario, area) in [
        ("baotou-like", "china"),
        ("hegang-like", "heilongjiang"),
        ("hegang", "hegang"),
        ("qitaihe", "qitaihe"),
        ("baiyin", "baiyin"),
        ("jinchang", "jinchang"),
        ("baotou", "baotou"),
        ("zhuzhou", "zhuzhou"),
    ] {
        let counts = |sex: &str| -> Vec<f64> {
            rows.iter()
                .filter(|r| r[col("area")] == area)
                .map(|r| r[col(sex)].parse().unwrap())
                .collect()
        };
        let a = &load(scenario, 1000).params.population.age_structure;
        assert_eq!(a.band_years, 5, "{scenario}");
        assert!(!counts("male").is_empty(), "no rows for {area}");
        assert_eq!(a.male, counts("male"), "{scenario}: men against {area}");
        assert_eq!(
            a.female,
            counts("female"),
            "{scenario}: women against {area}"
        );
        let source = explain(&load(scenario, 1000))
            .into_iter()
            .find(|r| r.parameter == "population.age_structure.male")
            .unwrap();
        assert!(
            source.source.contains("census2010_age_sex.csv") && source.source.contains(area),
            "{scenario}: the source should cite the seed file and {area}: {}",
            source.source
        );
    }
}

/// Every scenario's jobs are the census employment it cites
/// (`seeds/census2010_employment.csv`): its farm, market-service and public
/// sectors each take the share of the census industries they stand for, and its
/// industrial sectors together the share of mining, manufacturing and
/// utilities (how those divide among a city's own industries is stated as an
/// assumption). The archetypes take the jobs of their model city's urban
/// districts, the city scenarios those of the whole prefecture.
#[test]
fn sector_shares_are_the_census_employment_they_cite() {
    let seeds =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/census2010_employment.csv");
    let (header, rows) = read_csv(&seeds);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let in_sections = |area: &str, sections: &str| -> f64 {
        let employed = |r: &&Vec<String>| r[col("employed")].parse::<f64>().unwrap();
        let of_area: Vec<&Vec<String>> = rows.iter().filter(|r| r[col("area")] == area).collect();
        assert_eq!(
            of_area.len(),
            20,
            "{area}: the census has 20 industry sections"
        );
        let total: f64 = of_area.iter().map(employed).sum();
        let part: f64 = of_area
            .iter()
            .filter(|r| sections.contains(r[col("section")].as_str()))
            .map(employed)
            .sum();
        part / total
    };
    for (scenario, area) in [
        ("hegang-like", "hegang_districts"),
        ("baotou-like", "baotou_districts"),
        ("hegang", "hegang"),
        ("qitaihe", "qitaihe"),
        ("baiyin", "baiyin"),
        ("jinchang", "jinchang"),
        ("baotou", "baotou"),
        ("zhuzhou", "zhuzhou"),
    ] {
        let loaded = load(scenario, 1000);
        let sectors = &loaded.params.sectors;
        let share = |name: &str| {
            sectors
                .iter()
                .find(|s| s.name == name)
                .unwrap_or_else(|| panic!("{scenario} has no sector {name}"))
                .employment_share
        };
        let industrial: f64 = sectors
            .iter()
            .filter(|s| {
                !["agriculture", "services", "own_account", "public"].contains(&s.name.as_str())
            })
            .map(|s| s.employment_share)
            .sum();
        // Shares are given to a tenth of a point; one of them may be nudged by
        // as much again so that they sum to one.
        for (what, model, census) in [
            ("agriculture", share("agriculture"), in_sections(area, "A")),
            ("industry", industrial, in_sections(area, "BCD")),
            // The census counts own-account workers among the jobs of
            // their trade: market services, where the scenarios carve them
            // out.
            (
                "services",
                share("services") + share("own_account"),
                in_sections(area, "EFGHIJKLMOR"),
            ),
            ("public", share("public"), in_sections(area, "NPQST")),
        ] {
            assert!(
                (model - census).abs() < 0.0016,
                "{scenario}: {what} takes {model:.4} of jobs, the census of {area} {census:.4}"
            );
        }
        let source = explain(&loaded)
            .into_iter()
            .find(|r| r.parameter == "sectors.agriculture.employment_share")
            .unwrap();
        assert!(
            source.source.contains("census2010_employment.csv")
                && source.source.contains(&format!("area {area}")),
            "{scenario}: the farm share should cite the seed file and {area}: {}",
            source.source
        );
    }
}

/// What each calibrated parameter was fitted to: `fit` rows of
/// `seeds/observations.csv` (an indicator at each of the dates listed, on a
/// scenario that has the calibrated value; a change is dated `BASE..DATE`, so
/// that a change over another period is not taken for it), or China's reported life
/// expectancy, which is not a row of the file and is held by
/// `tests/model.rs` (`default_mortality_gives_chinas_life_expectancy_over_the_years`).
/// A parameter declared `calibrated` without an entry here fails the test
/// below, so the link from a fitted value to its evidence is always stated.
enum FittedTo {
    Rows {
        indicator: &'static str,
        dates: &'static [&'static str],
    },
    LifeExpectancy,
}

/// Each entry: the parameter, the built-in scenario whose file sets the value
/// (`None`: wherever it is set), and what it was fitted to.
const FITTED_TO: &[(&str, Option<&str>, FittedTo)] = &[
    // The base rate of leaving, to the six census changes of 2010-2020.
    (
        "migration.peak_annual_rate",
        Some("defaults"),
        FittedTo::Rows {
            indicator: "population_change",
            dates: &["2010-11..2020-11"],
        },
    ),
    // The jobless's uptake of own-account work, to the six cities'
    // unemployment at the 2010 census (set in each file that defines the
    // sector).
    (
        "sectors.own_account.uptake_rate",
        None,
        FittedTo::Rows {
            indicator: "unemployment_rate",
            dates: &["2010-11"],
        },
    ),
    // Gansu's cities, to the province's rate of 2011 (its row of 2015 was not
    // read); every other scenario to its population's rate of 2015.
    (
        "demography.total_fertility_rate",
        Some("baiyin"),
        FittedTo::Rows {
            indicator: "birth_rate",
            dates: &["2012-01"],
        },
    ),
    (
        "demography.total_fertility_rate",
        Some("jinchang"),
        FittedTo::Rows {
            indicator: "birth_rate",
            dates: &["2012-01"],
        },
    ),
    (
        "demography.total_fertility_rate",
        None,
        FittedTo::Rows {
            indicator: "birth_rate",
            dates: &["2016-01"],
        },
    ),
    // The national path, and each province's own (its fitted years differ).
    (
        "demography.fertility_path",
        Some("defaults"),
        FittedTo::Rows {
            indicator: "birth_rate",
            dates: &[
                "2017-01", "2018-01", "2019-01", "2020-01", "2021-01", "2022-01", "2023-01",
                "2024-01",
            ],
        },
    ),
    (
        "demography.fertility_path",
        Some("hegang-like"),
        FittedTo::Rows {
            indicator: "birth_rate",
            dates: &["2020-01", "2022-01", "2023-01"],
        },
    ),
    (
        "demography.fertility_path",
        Some("baotou"),
        FittedTo::Rows {
            indicator: "birth_rate",
            dates: &["2022-01"],
        },
    ),
    (
        "demography.fertility_path",
        Some("zhuzhou"),
        FittedTo::Rows {
            indicator: "birth_rate",
            dates: &["2022-01", "2023-01"],
        },
    ),
    (
        "demography.fertility_path",
        Some("baiyin"),
        FittedTo::Rows {
            indicator: "birth_rate",
            dates: &["2023-01"],
        },
    ),
    (
        "demography.fertility_path",
        Some("jinchang"),
        FittedTo::Rows {
            indicator: "birth_rate",
            dates: &["2023-01"],
        },
    ),
    (
        "demography.mortality_gompertz_a",
        None,
        FittedTo::LifeExpectancy,
    ),
    ("demography.mortality_path", None, FittedTo::LifeExpectancy),
    (
        "demography.male_mortality_ratio",
        None,
        FittedTo::LifeExpectancy,
    ),
];

/// The date of an observation as `FITTED_TO` names it: `BASE..DATE` for a
/// change, `DATE` for a level.
fn fitted_date(o: &boomtown::observations::Observation) -> String {
    match o.base_date {
        Some(base) => format!("{base}..{}", o.date),
        None => o.date.to_string(),
    }
}

/// Whether an entry of `FITTED_TO` for the scenario file `file` (a built-in
/// scenario's name; any file if `None`) covers a value set in `set_in`
/// (`builtin:NAME, line N`).
fn set_in_file(file: Option<&str>, set_in: &str) -> bool {
    let origin = set_in.split(", line").next().unwrap_or(set_in);
    file.is_none_or(|f| origin.strip_prefix("builtin:") == Some(f))
}

/// `fit` rows that no parameter was fitted to: the age shares at the start,
/// which check the initialisation (the age structure is the census's).
const INITIALISATION_CHECKS: &[&str] = &["share_aged_60_plus", "share_aged_65_plus"];

/// Calibrated is declared, and what it was fitted to is on record: every
/// parameter whose source says `calibrated` names how it was found and has an
/// entry in `FITTED_TO`; the shipped observations hold a `fit` row for each
/// date it was fitted to, on a scenario that takes that very value (the same
/// file and line), so the validation never counts it as evidence; and every
/// `fit` row is claimed by such a value or is a check of the initialisation.
#[test]
fn every_calibrated_value_has_its_fit_observation() {
    use boomtown::observations::{Observations, Use};
    let shipped = Observations::shipped().unwrap();
    let fit_rows: Vec<_> = shipped
        .rows
        .iter()
        .filter(|o| o.purpose == Use::Fit)
        .collect();
    // The calibrated values of each scenario that has fit rows: (parameter, set in).
    let calibrated_in = |scenario: &str| -> Vec<(String, String)> {
        explain(&load(scenario, 1000))
            .into_iter()
            .filter(|r| r.kind == Kind::Calibrated)
            .map(|r| (r.parameter, r.set_in.to_string()))
            .collect()
    };
    let mut calibrated = 0;
    for named in builtin_names() {
        let name = named.name;
        for r in explain(&load(&name, 1000)) {
            if r.kind != Kind::Calibrated {
                continue;
            }
            calibrated += 1;
            assert!(
                r.source.contains("chosen") && !r.source.contains("assumption"),
                "{name}: {}: a calibrated source says what was chosen and how: {}",
                r.parameter,
                r.source
            );
            let Some((_, _, target)) = FITTED_TO.iter().find(|(p, file, _)| {
                *p == r.parameter && set_in_file(*file, &r.set_in.to_string())
            }) else {
                panic!(
                    "{name}: {} (set in {}) is calibrated, but FITTED_TO does not say what to",
                    r.parameter, r.set_in
                )
            };
            let value = (r.parameter.clone(), r.set_in.to_string());
            match target {
                FittedTo::Rows { indicator, dates } => {
                    for date in *dates {
                        assert!(
                            fit_rows
                                .iter()
                                .any(|o| o.indicator.to_string() == *indicator
                                    && fitted_date(o) == *date
                                    && calibrated_in(&o.scenario).contains(&value)),
                            "{name}: {} (set in {}) was fitted to {indicator} at {date}, but no `fit` row of that indicator and date is on a scenario with that value",
                            r.parameter,
                            r.set_in
                        );
                    }
                }
                FittedTo::LifeExpectancy => assert!(
                    r.source.contains("life expectancy") || r.source.contains("life table"),
                    "{name}: {} is said to be fitted to life expectancy, but its source does not say so: {}",
                    r.parameter,
                    r.source
                ),
            }
        }
    }
    assert!(
        calibrated > 0,
        "the shipped scenarios calibrate their fertility"
    );
    // And the other way: every fit row is the target of a calibrated value of
    // its scenario, or a check of the initialisation.
    for o in &fit_rows {
        let indicator = o.indicator.to_string();
        if INITIALISATION_CHECKS.contains(&indicator.as_str()) {
            continue;
        }
        let date = fitted_date(o);
        let claimed = calibrated_in(&o.scenario)
            .iter()
            .any(|(parameter, set_in)| {
                FITTED_TO.iter().any(|(p, file, target)| {
                    p == parameter
                        && set_in_file(*file, set_in)
                        && matches!(target, FittedTo::Rows { indicator: i, dates }
                        if *i == indicator && dates.contains(&date.as_str()))
                })
            });
        assert!(
            claimed,
            "observation {} (line {}) is marked `fit`, but no calibrated value of {} was fitted to {indicator} at {date}",
            o.id, o.line, o.scenario
        );
    }
}

#[test]
fn the_heilongjiang_coal_cities_offer_internal_retirement_while_the_2016_opinion_ran() {
    // Each yearly snapshot is dated the month after the year whose flows it holds.
    let taken = |name: &str| -> Vec<(i32, f64)> {
        let s = load(name, 8000);
        let snaps = simulate(&s, 1);
        series(&s, &snaps, "early_retirements")
            .into_iter()
            .zip(&snaps)
            .map(|(n, x)| (x.date.year() - 1, n))
            .collect()
    };
    for city in ["hegang", "qitaihe"] {
        for (year, n) in taken(city) {
            if (2016..=2020).contains(&year) {
                assert!(n > 0.0, "{city}: nobody took internal retirement in {year}");
            } else {
                assert_eq!(n, 0.0, "{city}: {n} internal retirements in {year}");
            }
        }
    }
    assert!(
        taken("hegang-no-policy").iter().all(|(_, n)| *n == 0.0),
        "the baseline of the policy variants has no internal retirement"
    );
}
