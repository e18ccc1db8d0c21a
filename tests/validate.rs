//! `boomtown validate`: the observed scenarios against the observations, with the
//! files, the verdict and the errors a researcher relies on.

mod common;

use common::{boomtown, read_csv, run_ok, stderr, stdout};

/// Small cities, few replicates: the suite stays fast.
const SMALL: [&str; 4] = ["--replicates", "2", "--set", "population.size=3000"];

#[test]
fn validate_sets_every_shipped_observation_against_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let args = [&["validate", "--out", "v"][..], &SMALL].concat();
    let o = boomtown(dir.path(), &args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("test observations agree with the model"),
        "{}",
        stdout(&o)
    );
    let v = dir.path().join("v");
    for f in [
        "validation.csv",
        "validation.md",
        "observations.csv",
        "report.html",
        "manifest.json",
        "charts/validation.png",
        "charts/validation.svg",
        "charts/validation_rates.png",
        "charts/validation_rates.svg",
        "hegang/timeseries.csv",
        "baotou/timeseries.csv",
    ] {
        assert!(v.join(f).is_file(), "{f} missing");
    }
    let (header, rows) = read_csv(&v.join("validation.csv"));
    for column in [
        "scenario",
        "indicator",
        "date",
        "observed",
        "model_p05",
        "model_p50",
        "model_p95",
        "source",
    ] {
        assert!(header.iter().any(|h| h == column), "no column {column}");
    }
    let shipped = boomtown::observations::Observations::shipped().unwrap();
    assert_eq!(rows.len(), shipped.rows.len(), "one row per observation");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for row in &rows {
        let compared = row[col("status")] == "compared";
        assert_eq!(!row[col("model_p50")].is_empty(), compared, "{row:?}");
        if compared {
            let q: Vec<f64> = ["model_p05", "model_p50", "model_p95"]
                .iter()
                .map(|c| row[col(c)].parse().unwrap())
                .collect();
            assert!(q[0] <= q[1] && q[1] <= q[2], "{row:?}");
        }
    }
    // Birth and death rates have their chart, per 1,000, and the report shows both.
    let rates = std::fs::read_to_string(v.join("charts/validation_rates.svg")).unwrap();
    assert!(rates.contains("hegang · death rate · 2016-01"));
    let report = std::fs::read_to_string(v.join("report.html")).unwrap();
    assert_eq!(report.matches("<img src=\"data:image").count(), 2);
    // The chart marks the rows that chose a parameter, and only those.
    let chart = std::fs::read_to_string(v.join("charts/validation.svg")).unwrap();
    assert!(chart.contains("hegang · population change · 2010–2020 (fit)"));
    assert!(chart.contains("baotou · population change · 2020–2024"));
    assert!(!chart.contains("baotou · population change · 2020–2024 (fit)"));
    // The 1990s figure lies before the runs start: listed, not compared.
    let baiyin = rows
        .iter()
        .find(|r| r[col("id")] == "baiyin-unemployment-1990s")
        .unwrap();
    assert!(
        baiyin[col("status")].starts_with("not compared: outside the run"),
        "{baiyin:?}"
    );
    // The model's change is measured between the census dates, from the rows.
    let (th, ts) = read_csv(&v.join("hegang/timeseries.csv"));
    let (rep, date, pop) = (
        th.iter().position(|h| h == "replicate").unwrap(),
        th.iter().position(|h| h == "date").unwrap(),
        th.iter().position(|h| h == "population").unwrap(),
    );
    let at = |r: &str, d: &str| -> f64 {
        ts.iter().find(|x| x[rep] == r && x[date] == d).unwrap()[pop]
            .parse()
            .unwrap()
    };
    let changes: Vec<f64> = ["0", "1"]
        .iter()
        .map(|r| at(r, "2020-11") / at(r, "2010-11") - 1.0)
        .collect();
    let hegang = rows
        .iter()
        .find(|r| r[col("id")] == "hegang-census-2010-2020")
        .unwrap();
    let p50: f64 = hegang[col("model_p50")].parse().unwrap();
    assert!(
        (p50 - (changes[0] + changes[1]) / 2.0).abs() < 1e-9,
        "{p50} vs {changes:?}"
    );
    let report = std::fs::read_to_string(v.join("report.html")).unwrap();
    assert!(report.contains("The model against observed data") && report.contains("data:image"));
}

#[test]
fn validation_is_reproducible_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for (out, threads) in [("one", "1"), ("two", "2")] {
        let args = [
            &["validate", "--out", out, "--threads", threads, "--quiet"][..],
            &SMALL,
        ]
        .concat();
        run_ok(dir.path(), &args);
    }
    for f in ["validation.csv", "validation.md", "charts/validation.svg"] {
        assert_eq!(
            std::fs::read(dir.path().join("one").join(f)).unwrap(),
            std::fs::read(dir.path().join("two").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_users_observations_of_their_own_scenario_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mytown.toml"), "extends = \"test-city\"\n").unwrap();
    std::fs::write(
        dir.path().join("obs.csv"),
        "id,scenario,indicator,base_date,date,value,low,high,use,source,note\n\
         pop,mytown,population_change,2010-01,2015-01,-0.05,,,test,my survey,\n\
         u,mytown,unemployment_rate,,2014-01,,0.0,0.5,fit,my survey,a wide range\n",
    )
    .unwrap();
    let o = boomtown(
        dir.path(),
        &[
            "validate",
            "--observations",
            "obs.csv",
            "--replicates",
            "2",
            "--out",
            "v",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .contains("1 observation was used to fit parameters and is not counted as evidence"),
        "{}",
        stdout(&o)
    );
    let (header, rows) = read_csv(&dir.path().join("v/validation.csv"));
    assert_eq!(rows.len(), 2);
    let agrees = header.iter().position(|h| h == "agrees").unwrap();
    assert_eq!(
        rows[1][agrees], "true",
        "a median inside a 0–50 % range agrees"
    );
}

#[test]
fn bad_observations_name_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let header = "id,scenario,indicator,base_date,date,value,low,high,use,source,note\n";
    for (row, expect) in [
        (
            "a,test-city,populaton,,2015-01,1,,,test,s,",
            "obs.csv, line 2, key `indicator`",
        ),
        (
            "a,test-city,population,,2015-1,1,,,test,s,",
            "obs.csv, line 2, key `date`",
        ),
        (
            "a,nowhere,population,,2015-01,1,,,test,s,",
            "no scenario named `nowhere`",
        ),
        ("a,test-city,population,,2015-01,,,,test,s,", "key `value`"),
    ] {
        std::fs::write(dir.path().join("obs.csv"), format!("{header}{row}\n")).unwrap();
        let o = boomtown(
            dir.path(),
            &["validate", "--observations", "obs.csv", "--out", "v"],
        );
        assert_eq!(o.status.code(), Some(2), "{row}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{row}: {}", stderr(&o));
        assert!(!dir.path().join("v").exists());
    }
    std::fs::write(dir.path().join("empty.csv"), "").unwrap();
    let o = boomtown(dir.path(), &["validate", "--observations", "empty.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("empty.csv: is empty"), "{}", stderr(&o));
}

#[test]
fn an_unknown_scenario_in_observations_names_the_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("obs.csv"),
        "id,scenario,indicator,base_date,date,value,low,high,use,source,note\n\
         a,test-city,population,,2012-01,2000,,,test,s,\n\
         b,nosuchcity,population,,2012-01,2000,,,test,s,\n",
    )
    .unwrap();
    let o = boomtown(
        dir.path(),
        &["validate", "--observations", "obs.csv", "--out", "v"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("invalid observations: obs.csv, line 3, key `scenario`"),
        "{err}"
    );
    assert!(err.contains("no scenario named `nosuchcity`"), "{err}");
}

/// The header and the rows of the shipped `seeds/observations.csv` that `keep`
/// keeps.
fn shipped_rows(keep: impl Fn(&str) -> bool) -> Vec<String> {
    let shipped = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/observations.csv"),
    )
    .unwrap();
    let mut lines = shipped.lines();
    let mut kept = vec![lines.next().unwrap().to_string()];
    kept.extend(lines.filter(|l| keep(l)).map(str::to_string));
    kept
}

/// First-year rows the model is known to miss, with the reason (`docs/ODD.md`
/// §9). The test below fails if one of them comes to agree, so the list
/// shrinks as the model is mended and cannot hide a new miss.
const KNOWN_MISSES: &[(&str, &str)] = &[
    (
        "baiyin-census-2010-employment",
        "one participation rate shared by every city: 0.47 employed per resident against 0.53",
    ),
    (
        "zhuzhou-census-2010-employment",
        "one participation rate shared by every city: 0.47 employed per resident against 0.57",
    ),
    (
        "jinchang-census-2010-unemployment",
        "the census's non-farm unemployment was 6 % here against 10-11 % in Baiyin and \
         Heilongjiang's cities, a difference nothing shared by the cities makes",
    ),
    (
        "zhuzhou-census-2010-unemployment",
        "as Jinchang's: the census's non-farm unemployment was 6 %",
    ),
    (
        "hegang-death-rate-2015",
        "Heilongjiang's rate standing for the city's, whose people are older than the province's",
    ),
    (
        "baotou-death-rate-2015",
        "Inner Mongolia's rate standing for the city's, whose people are older than the province's",
    ),
];

/// The cities' first years against the statistics (`docs/validation.md`):
/// every birth and death rate, age share, unemployment rate and employment
/// per resident observed from the start (2010) to 2015, and every later birth
/// or death rate that a parameter was fitted to or that an archetype (with a
/// province's or the nation's age structure) is set against, holds within its
/// stated tolerance or bound, except the `KNOWN_MISSES`, which must still miss.
#[test]
fn the_first_years_agree_with_the_statistics_within_their_tolerances() {
    let dir = tempfile::tempdir().unwrap();
    let first_years = [
        "share_aged_",
        "birth_rate",
        "death_rate",
        "unemployment_rate",
        "employed_per_resident",
    ];
    let kept = shipped_rows(|line| {
        let fields: Vec<&str> = line.splitn(6, ',').collect();
        let (scenario, indicator, date) = (fields[1], fields[2], fields[4]);
        let archetype = scenario.ends_with("-like");
        let fit = line.contains(",fit,");
        let early = ("2010-01"..="2016-01").contains(&date);
        let kind = first_years.iter().any(|k| indicator.starts_with(k));
        let rate = indicator == "birth_rate" || indicator == "death_rate";
        kind && (early || (rate && (fit || archetype)))
    });
    // The header and the 60 rows the filter keeps from the shipped file (43
    // dated 2010-2015, 17 later fitted or archetype rates): a row added to
    // them must be seen here, not slip by.
    assert_eq!(
        kept.len(),
        61,
        "the shipped first-year observations: {kept:?}"
    );
    std::fs::write(dir.path().join("first.csv"), kept.join("\n") + "\n").unwrap();
    // Rates and shares do not depend on the city's size; fourteen years reach
    // 2024, the last national birth rate the fertility path was fitted to.
    // 200,000 residents and 5 replicates keep the median birth rate within
    // about 0.15 per 1,000 of its expectation, well inside the tightest
    // tolerance (0.5).
    run_ok(
        dir.path(),
        &[
            "validate",
            "--observations",
            "first.csv",
            "--out",
            "v",
            "--quiet",
            "--replicates",
            "5",
            "--set",
            "population.size=200000",
            "--set",
            "simulation.years=14",
        ],
    );
    let (header, rows) = read_csv(&dir.path().join("v/validation.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), kept.len() - 1);
    for row in &rows {
        assert_eq!(row[col("status")], "compared", "{row:?}");
        let id = &row[col("id")];
        let known = KNOWN_MISSES.iter().find(|(miss, _)| miss == id);
        let agrees = row[col("agrees")] == "true";
        let what = format!(
            "{id}: {} {} at {}: model median {} against {}..{}",
            row[col("scenario")],
            row[col("indicator")],
            row[col("date")],
            row[col("model_p50")],
            row[col("low")],
            row[col("high")]
        );
        match known {
            None => assert!(agrees, "{what}"),
            Some((_, why)) => assert!(
                !agrees,
                "{what} now agrees; take it off KNOWN_MISSES ({why}) and the docs' list of misses"
            ),
        }
    }
    for (miss, _) in KNOWN_MISSES {
        assert!(
            rows.iter().any(|r| &r[col("id")] == miss),
            "KNOWN_MISSES names {miss}, which is not a first-year row"
        );
    }
}

/// `boomtown validate` against the shipped observations whose id ends with
/// `suffix`, one for each of the six cities, at 200,000 residents and 2
/// replicates: the header and rows of `validation.csv`.
fn validate_the_six_cities(suffix: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let dir = tempfile::tempdir().unwrap();
    let kept = shipped_rows(|l| l.split(',').next().unwrap().ends_with(suffix));
    assert_eq!(kept.len(), 7, "the header and six rows: {kept:?}");
    std::fs::write(dir.path().join("census.csv"), kept.join("\n") + "\n").unwrap();
    run_ok(
        dir.path(),
        &[
            "validate",
            "--observations",
            "census.csv",
            "--out",
            "v",
            "--quiet",
            "--replicates",
            "2",
            "--set",
            "population.size=200000",
        ],
    );
    let (header, rows) = read_csv(&dir.path().join("v/validation.csv"));
    assert_eq!(rows.len(), 6);
    (header, rows)
}

/// The calibration of the base rate of leaving (`migration.peak_annual_rate`,
/// `docs/ODD.md` §7.13) holds: with it, every city scenario's population
/// change between the 2010 and 2020 censuses has the census's sign. Two of
/// them (Baotou, Zhuzhou) grew by 1-2 %, so a change to the model that tips
/// them back into decline fails here rather than silently. Migration rates do
/// not depend on the city's size, so 200,000 residents give the same signs.
#[test]
fn the_calibrated_base_rate_gets_every_census_change_right_in_sign() {
    let (header, rows) = validate_the_six_cities("-census-2010-2020");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for row in &rows {
        let observed: f64 = row[col("observed")].parse().unwrap();
        let model: f64 = row[col("model_p50")].parse().unwrap();
        assert_eq!(
            observed.signum(),
            model.signum(),
            "{}: census {observed}, model {model}",
            row[col("scenario")]
        );
    }
}

/// The calibration of the jobless's uptake of own-account work
/// (`sectors.own_account.uptake_rate`, `docs/ODD.md` §7.11) holds: every city
/// scenario's unemployment at the 2010 census stays within a point of its
/// bounds, and most within them. Before own-account work, four were 2.8 to 3.6
/// points above, so a change that takes the jobless's main exit away fails
/// here. Unemployment rates do not depend on the city's size, so 200,000
/// residents give the same rates.
#[test]
fn the_calibrated_uptake_keeps_the_2010_unemployment_near_the_census() {
    let (header, rows) = validate_the_six_cities("-census-2010-unemployment");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let bound = |row: &Vec<String>, name: &str, default: f64| {
        let v = &row[col(name)];
        if v.is_empty() {
            default
        } else {
            v.parse::<f64>().unwrap()
        }
    };
    let mut inside = 0;
    for row in &rows {
        let model: f64 = row[col("model_p50")].parse().unwrap();
        let (low, high) = (bound(row, "low", 0.0), bound(row, "high", 1.0));
        assert!(
            model > low - 0.01 && model < high + 0.01,
            "{}: model {model}, census bounds {low}..{high}",
            row[col("scenario")]
        );
        inside += (low..=high).contains(&model) as usize;
    }
    assert!(inside >= 3, "only {inside} of 6 within their bounds");
}
