//! The just-transition scorecard: the displaced cohort is accounted for, every
//! indicator is in its range, policies move the indicators through their
//! mechanisms, and `indicators.csv` holds per-replicate and summary rows.

mod common;

use boomtown::model::scorecard::SCORECARD;
use boomtown::model::{City, model_rng};
use boomtown::scenario::{self, Scenario};
use common::{fixtures, read_csv, run_ok, series, simulate};

fn load(reference: &str, size: &str) -> Scenario {
    let set = [format!("population.size={size}")];
    let overrides: Vec<_> = set
        .iter()
        .map(|s| s.parse().expect("a valid override"))
        .collect();
    scenario::load(reference, &overrides).unwrap_or_else(|e| panic!("{reference}: {e}"))
}

/// The scorecard of one replicate, by indicator name.
fn scorecard(s: &Scenario, seed: u64) -> impl Fn(&str) -> f64 {
    let mut city = City::new(s.params.clone(), model_rng(seed));
    city.run(|_| {});
    let values = city.scorecard();
    move |name: &str| {
        let i = SCORECARD
            .iter()
            .position(|d| d.name == name)
            .unwrap_or_else(|| panic!("no indicator {name}"));
        values[i]
    }
}

/// Median over seeds of one indicator.
fn median(s: &Scenario, name: &str, seeds: &[u64]) -> f64 {
    let mut v: Vec<f64> = seeds.iter().map(|&seed| scorecard(s, seed)(name)).collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn the_displaced_cohort_is_accounted_for_at_every_date() {
    let s = scenario::load(fixtures().join("all-policies.toml").to_str().unwrap(), &[]).unwrap();
    let snaps = simulate(&s, 3);
    let displaced = series(&s, &snaps, "displaced");
    let statuses = [
        "employed",
        "unemployed",
        "in_training",
        "inactive",
        "retired",
        "left",
        "died",
    ];
    let parts: Vec<Vec<f64>> = statuses
        .iter()
        .map(|st| series(&s, &snaps, &format!("displaced_{st}")))
        .collect();
    for (i, total) in displaced.iter().enumerate() {
        let sum: f64 = parts.iter().map(|p| p[i]).sum();
        assert_eq!(sum, *total, "at row {i}");
    }
    assert!(*displaced.last().unwrap() > 0.0, "nobody was displaced");
    for w in displaced.windows(2) {
        assert!(w[1] >= w[0], "the cohort shrank: {displaced:?}");
    }
}

#[test]
fn every_indicator_is_defined_and_in_range() {
    let s = scenario::load(fixtures().join("all-policies.toml").to_str().unwrap(), &[]).unwrap();
    for seed in [1, 2] {
        let get = scorecard(&s, seed);
        for def in SCORECARD {
            let v = get(def.name);
            if def.unit == "share" {
                assert!(v.is_nan() || (0.0..=1.0).contains(&v), "{} = {v}", def.name);
            }
            if def.group.is_cost() || def.unit == "persons" {
                assert!(v >= 0.0, "{} = {v}", def.name);
            }
        }
        // The fixture has every kind of policy: each part of the cost is paid.
        for part in [
            "public_cost_retraining",
            "public_cost_early_retirement",
            "public_cost_jobs_and_investment",
            "employer_cost_early_retirement",
        ] {
            assert!(get(part) > 0.0, "{part} is {}", get(part));
        }
        let total = get("public_cost_retraining")
            + get("public_cost_early_retirement")
            + get("public_cost_jobs_and_investment");
        assert!((get("public_cost_total") - total).abs() < 1e-9 * total.max(1.0));
        assert!(get("displaced_workers") > 0.0);
        assert!(get("training_participants") > 0.0);
        assert!(get("wage_replacement_ratio") > 0.0);
    }
}

#[test]
fn policies_move_the_scorecard_through_their_mechanisms() {
    let seeds = [1, 2, 3];
    // The variants' baseline: `hegang` itself has the internal retirement of 2016-2020.
    let base = load("hegang-no-policy", "6000");
    let retraining = load("hegang-retraining", "6000");
    let early = load("hegang-early-retirement", "6000");
    // Without a programme nobody trains and nothing is spent.
    assert_eq!(median(&base, "displaced_trained", &seeds), 0.0);
    assert_eq!(median(&base, "public_cost_total", &seeds), 0.0);
    assert!(median(&base, "training_placement_rate", &seeds).is_nan());
    // Retraining reaches the displaced, costs money, and places some graduates.
    assert!(median(&retraining, "displaced_trained", &seeds) > 0.2);
    assert!(median(&retraining, "public_cost_retraining", &seeds) > 0.0);
    assert!(median(&retraining, "training_placement_rate", &seeds) > 0.0);
    // Early retirement takes older workers out of the labour force, at a cost
    // (few of the displaced among them: a third of the miners have retired at
    // the special age of underground work before the window opens).
    assert!(median(&early, "early_retirees", &seeds) > 20.0);
    assert!(median(&early, "public_cost_early_retirement", &seeds) > 0.0);
    assert_eq!(
        median(&early, "employer_cost_early_retirement", &seeds),
        0.0
    );
    // The coal enterprises paid for the internal retirement of 2016-2020
    // (Guofa [2016] No. 7): its allowances are the employers' cost, not the public's.
    let internal = load("hegang", "6000");
    assert!(median(&internal, "early_retirees", &seeds) > 20.0);
    assert!(median(&internal, "employer_cost_early_retirement", &seeds) > 0.0);
    assert_eq!(
        median(&internal, "public_cost_early_retirement", &seeds),
        0.0
    );
    assert_eq!(median(&internal, "public_cost_total", &seeds), 0.0);
    // A depleting coal city displaces thousands of workers (a prefecture of a
    // million where coal is a fifth of the jobs) and they lose earnings.
    assert!(median(&base, "displaced_per_1000", &seeds) > 5.0);
    assert!(median(&base, "earnings_loss_years", &seeds) > 0.5);
    assert!(median(&base, "wage_replacement_ratio", &seeds) < 1.0);
}

#[test]
fn indicators_csv_holds_replicate_rows_and_the_summary_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        dir.path(),
        &[
            "run",
            fixtures().join("depleting.toml").to_str().unwrap(),
            "--replicates",
            "3",
            "--out",
            "r",
            "--quiet",
            "--no-charts",
        ],
    );
    let (header, rows) = read_csv(&dir.path().join("r/indicators.csv"));
    assert_eq!(
        header,
        [
            "scenario",
            "indicator",
            "group",
            "unit",
            "replicate",
            "value"
        ]
    );
    // One grain: every row is one replicate's value, `replicate` a whole number.
    assert_eq!(rows.len(), 3 * SCORECARD.len());
    assert!(rows.iter().all(|r| r[4].parse::<u32>().is_ok()));
    let (header, summary) = read_csv(&dir.path().join("r/indicators_summary.csv"));
    assert_eq!(
        header,
        [
            "scenario",
            "indicator",
            "group",
            "unit",
            "replicates",
            "mean",
            "sd",
            "p05",
            "p25",
            "p50",
            "p75",
            "p95"
        ]
    );
    assert_eq!(summary.len(), SCORECARD.len());
    for def in SCORECARD {
        let values: Vec<f64> = rows
            .iter()
            .filter(|r| r[1] == def.name && !r[5].is_empty())
            .map(|r| r[5].parse().unwrap())
            .collect();
        let row = summary
            .iter()
            .find(|r| r[1] == def.name)
            .unwrap_or_else(|| panic!("no summary of {}", def.name));
        assert_eq!(row[3], def.unit, "{}", def.name);
        assert_eq!(row[4], values.len().to_string(), "{}", def.name);
        if !values.is_empty() {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let p50: f64 = row[9].parse().unwrap();
            assert_eq!(p50, sorted[sorted.len() / 2], "{}", def.name);
        } else {
            assert!(row[5..].iter().all(String::is_empty), "{}", def.name);
        }
    }
}

/// Jobs lost by attrition are visible: a steel works that loses two thirds of
/// its demand over ten years sheds most of those jobs by not replacing the
/// workers who leave, and the scorecard reports them, while the displaced
/// cohort alone would show far fewer. The counts agree with the employment
/// columns of the run.
#[test]
fn jobs_lost_to_attrition_are_counted() {
    let path = fixtures().join("attrition.toml");
    let s = load(path.to_str().unwrap(), "10000");
    let snaps = simulate(&s, 4);
    let sectors: Vec<String> = s.params.sectors.iter().map(|x| x.name.clone()).collect();
    let lost_by_columns: f64 = sectors
        .iter()
        .map(|name| {
            let e = series(&s, &snaps, &format!("employed_{name}"));
            (e[0] - e[e.len() - 1]).max(0.0)
        })
        .sum();
    let card = scorecard(&s, 4);
    let lost = card("jobs_lost");
    let attrition = card("jobs_lost_to_attrition");
    assert_eq!(
        lost, lost_by_columns,
        "jobs lost against the employment columns"
    );
    let steel = series(&s, &snaps, "employed_steel");
    assert!(
        lost >= 0.5 * steel[0],
        "steel loses most of its {} jobs, so jobs lost ({lost}) should be large",
        steel[0]
    );
    assert!(attrition <= lost);
    assert!(
        attrition > card("displaced_workers"),
        "more jobs lost by attrition ({attrition}) than workers displaced ({})",
        card("displaced_workers")
    );
    let share = card("attrition_share_of_jobs_lost");
    assert!((share - attrition / lost).abs() < 1e-12);
}

/// The cost columns of `timeseries.csv` run up to the scorecard's totals: what
/// the public and the employers have paid by the last date is the run's
/// `public_cost_total` and `employer_cost_early_retirement`.
#[test]
fn the_cost_columns_end_at_the_scorecard_totals() {
    let s = scenario::load(fixtures().join("all-policies.toml").to_str().unwrap(), &[]).unwrap();
    let snaps = simulate(&s, 5);
    let get = scorecard(&s, 5);
    for (column, indicator) in [
        ("public_cost", "public_cost_total"),
        ("employer_cost", "employer_cost_early_retirement"),
    ] {
        let path = series(&s, &snaps, column);
        let last = *path.last().unwrap();
        assert!(last > 0.0, "{column}: nothing paid");
        assert!(
            (last - get(indicator)).abs() <= 1e-9 * last,
            "{column} ends at {last}, {indicator} is {}",
            get(indicator)
        );
        assert!(path.windows(2).all(|w| w[1] >= w[0]), "{column} fell");
    }
}
