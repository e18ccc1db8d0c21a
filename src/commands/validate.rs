//! `boomtown validate`: the scenarios named in an observations file (by default
//! the city scenarios and `seeds/observations.csv`) run with the same seed and
//! replicates, each into its own subfolder, and every observation set against the
//! model's median and 90 % band at its date: `validation.csv`, a chart, a table
//! in Markdown for the docs, and a page in the report style.
//!
//! Observations marked `fit` are listed apart: a figure a parameter was fitted to
//! is no evidence that the model is valid.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

use serde_json::json;

use super::run::{Progress, RunOptions};
use crate::date::YearMonth;
use crate::error::Error;
use crate::model::metrics::Metric;
use crate::observations::{Observation, Observations, Use};
use crate::output::CsvFile;
use crate::output::folder::{OutputPath, begin};
use crate::output::summary::Accumulator;
use crate::scenario::{self, Override, Scenario};
use crate::validation::{
    Comparison, PER_1000_A_YEAR, PopulationPeriod, Verdict, model_text, observed_text, verdict_text,
};

/// Names of the validation's own files, which no subfolder may take.
const RESERVED: [&str; 6] = [
    "charts",
    "manifest.json",
    "observations.csv",
    "validation.csv",
    "validation.md",
    "report.html",
];

/// How to run a validation.
#[derive(Clone, Debug)]
pub struct ValidateOptions {
    /// Master seed (default: each scenario's own).
    pub seed: Option<u64>,
    /// Replicates of each scenario.
    pub replicates: u32,
    /// Worker threads.
    pub threads: usize,
    /// Output folder.
    pub out: PathBuf,
    /// Replace an output of other settings.
    pub force: bool,
    /// `--set` overrides applied to every scenario.
    pub overrides: Vec<Override>,
    /// A user's observations file (default: the shipped one).
    pub observations: Option<PathBuf>,
    /// The command line, for the manifest.
    pub command: Vec<String>,
}

/// What a validation wrote.
#[derive(Clone, Debug)]
pub struct ValidationReport {
    /// The output folder.
    pub out: PathBuf,
    /// Every observation and its comparison.
    pub rows: Vec<Comparison>,
    /// The headline figures.
    pub verdict: Verdict,
}

/// Runs the observed scenarios and compares them with the observations.
pub fn validate(
    opts: &ValidateOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn(&str, Progress) + Sync),
) -> Result<ValidationReport, Error> {
    let started = SystemTime::now();
    let observations = match &opts.observations {
        Some(path) => Observations::read(path),
        None => Observations::shipped(),
    }
    .map_err(Error::Observations)?;
    let text = observations.text.clone();
    let names = observations.scenarios();
    let scenarios = names
        .iter()
        .map(|name| prepare(name, &observations, &opts.overrides))
        .collect::<Result<Vec<_>, _>>()?;
    // Subfolders are named after the scenarios as loaded (validated names), not
    // after what the observations file says (which may be a path).
    let folders = super::compare::folder_names(&scenarios, &RESERVED);
    let out = OutputPath::new(&opts.out)?;
    let seed_of = |s: &Scenario| opts.seed.unwrap_or(s.seed);
    let identity = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "validate": names,
        "scenario_hashes": scenarios.iter().map(|s| s.hash(seed_of(s), opts.replicates)).collect::<Vec<_>>(),
        "observations": crate::output::assemble::sha256_hex(text.as_bytes()),
        "replicates": opts.replicates,
    });
    let (_lock, staged) = begin(&out, &identity, opts.force)?;
    let mut rows = Vec::new();
    for ((scenario, name), folder) in scenarios.iter().zip(&names).zip(&folders) {
        let sub = staged.path(folder);
        let sub_opts = RunOptions {
            seed: seed_of(scenario),
            replicates: opts.replicates,
            threads: opts.threads,
            shard: None,
            out: sub.clone(),
            resume: false,
            force: false,
            charts: false,
            command: opts.command.clone(),
            lesson: None,
        };
        super::compare::run_part(
            scenario,
            &sub_opts,
            stop,
            &|event| progress(folder, event),
            "validation",
        )?;
        let series = read_series(&sub.join("timeseries.csv"))?;
        rows.extend(
            observations
                .of(name)
                .map(|o| compare(o, scenario, folder, &series)),
        );
    }
    let verdict = verdict(&rows);
    staged.write("observations.csv", text.as_bytes())?;
    write_csv(&staged.path("validation.csv"), &rows)?;
    staged.write("validation.md", markdown(&rows, &verdict, opts).as_bytes())?;
    std::fs::create_dir_all(staged.path("charts"))
        .map_err(|e| Error::io("creating", staged.path("charts"), e))?;
    use crate::charts::validation::{RATES_STEM, SHARES_STEM, ValidationChart};
    let mut files = crate::charts::save(
        &ValidationChart::shares(&rows),
        &staged.path("charts"),
        SHARES_STEM,
    )?
    .to_vec();
    let rates = ValidationChart::rates(&rows);
    if !rates.is_empty() {
        files.extend(crate::charts::save(
            &rates,
            &staged.path("charts"),
            RATES_STEM,
        )?);
    }
    crate::report::write_validation(&staged.path(""), &rows, &verdict, opts.replicates)?;
    let listed: Vec<String> = [
        "manifest.json",
        "observations.csv",
        "validation.csv",
        "validation.md",
        "report.html",
    ]
    .into_iter()
    .map(String::from)
    .chain(files.iter().map(|f| format!("charts/{f}")))
    .chain(folders.iter().map(|n| format!("{n}/")))
    .collect();
    let manifest = json!({
        "program": "boomtown",
        "version": env!("CARGO_PKG_VERSION"),
        "command": opts.command,
        "validate": names,
        "scenario_hashes": identity["scenario_hashes"],
        "observations": opts.observations.as_ref().map_or(crate::observations::SHIPPED.to_string(), |p| p.display().to_string()),
        "observations_sha256": identity["observations"],
        "seeds": scenarios.iter().map(seed_of).collect::<Vec<_>>(),
        "replicates": opts.replicates,
        "threads": opts.threads,
        "files": listed,
    });
    staged.write_manifest(manifest, started)?;
    let out = staged.commit()?;
    Ok(ValidationReport { out, rows, verdict })
}

/// Loads a scenario for validation: monthly rows, a horizon that reaches its last
/// observation (unless `--set simulation.years` says otherwise), and every
/// indicator checked against the scenario's metrics before anything runs.
fn prepare(
    name: &str,
    observations: &Observations,
    overrides: &[Override],
) -> Result<Scenario, Error> {
    let base = scenario::load(name, overrides).map_err(|e| {
        // A scenario the observations name but that cannot be found is the
        // observations file's error.
        match observations.of(name).next() {
            Some(o) if e.origin.file == name => {
                Error::Observations(observations.error(o, "scenario", e.message))
            }
            _ => e.into(),
        }
    })?;
    for o in observations.of(name) {
        let known = Metric::columns(&base.params)
            .iter()
            .any(|c| c.name == o.indicator.metric);
        if !known {
            return Err(unknown_indicator(observations, o));
        }
    }
    Ok(scenario::load(
        name,
        &observed_run(&base, observations.of(name), overrides)?,
    )?)
}

/// An observation whose indicator is not a column of the scenario's runs.
pub(crate) fn unknown_indicator(observations: &Observations, o: &Observation) -> Error {
    Error::Observations(observations.error(
        o,
        "indicator",
        format!(
            "`{}` is not a column of timeseries.csv (see docs/outputs.md), nor such a column \
             with `_change`",
            o.indicator
        ),
    ))
}

/// The overrides that make a scenario's run fit for comparison with
/// observations: monthly rows, and a horizon that reaches the last
/// observation (unless `--set simulation.years` says otherwise), then the
/// user's own.
pub(crate) fn observed_run<'a>(
    base: &Scenario,
    observations: impl Iterator<Item = &'a Observation>,
    overrides: &[Override],
) -> Result<Vec<Override>, Error> {
    let start = base.params.horizon.start;
    let last = observations
        .map(|o| o.date.months_since(start))
        .max()
        .unwrap_or(0);
    let years = (last / 12 + 1).clamp(1, 200);
    let mut all: Vec<Override> = Vec::new();
    if !overrides.iter().any(|o| o.path == "simulation.years") {
        all.push(internal(&format!("simulation.years={years}"))?);
    }
    all.extend(overrides.iter().cloned());
    all.push(internal("simulation.report_every_months=1")?);
    Ok(all)
}

fn internal(arg: &str) -> Result<Override, Error> {
    arg.parse()
        .map_err(|e: String| Error::Usage(format!("{arg}: {e}")))
}

/// Each replicate's rows of configuration 0: per replicate, the values of every
/// metric by date.
type Series = BTreeMap<String, BTreeMap<String, Vec<f64>>>;

/// Reads `timeseries.csv` into per-replicate series, one map per metric column
/// by date (the first configuration only).
fn read_series(path: &Path) -> Result<(Vec<String>, Series), Error> {
    let mut csv = CsvFile::open(path)?;
    let header = csv.header.clone();
    let replicate = csv.column("replicate")?;
    let date = csv.column("date")?;
    let first_metric = date + 1;
    let mut series: Series = BTreeMap::new();
    for row in csv.first_configuration_rows() {
        let row = row?;
        let values: Vec<f64> = row
            .iter()
            .skip(first_metric)
            .map(|v| v.parse().unwrap_or(f64::NAN))
            .collect();
        series
            .entry(row.get(replicate).unwrap_or_default().to_string())
            .or_default()
            .insert(row.get(date).unwrap_or_default().to_string(), values);
    }
    Ok((header[first_metric..].to_vec(), series))
}

/// Sets one observation against the model's replicates.
fn compare(
    o: &Observation,
    s: &Scenario,
    folder: &str,
    (metrics, series): &(Vec<String>, Series),
) -> Comparison {
    let mut c = Comparison {
        id: o.id.clone(),
        scenario: o.scenario.clone(),
        folder: folder.to_string(),
        indicator: o.indicator.to_string(),
        unit: String::new(),
        base_date: o.base_date.map(|d| d.to_string()).unwrap_or_default(),
        date: o.date.to_string(),
        observed: o.value,
        low: o.low,
        high: o.high,
        model: None,
        error: None,
        agrees: None,
        purpose: o.purpose.name(),
        status: String::new(),
        source: o.source.clone(),
        note: o.note.clone(),
    };
    let unit = Metric::columns(&s.params)
        .into_iter()
        .find(|d| d.name == o.indicator.metric)
        .map(|d| d.unit)
        .unwrap_or_default();
    c.unit = if o.indicator.change {
        "share".into()
    } else {
        unit.clone()
    };
    let start = s.params.horizon.start;
    let end = start.plus(s.params.horizon.months as i32);
    let inside = |d: YearMonth| d >= start && d <= end;
    if !inside(o.date) || o.base_date.is_some_and(|b| !inside(b)) {
        c.status = format!("not compared: outside the run ({start} to {end})");
        return c;
    }
    let Some(m) = metrics.iter().position(|x| *x == o.indicator.metric) else {
        c.status = "not compared: no such column".into();
        return c;
    };
    // A rate per year of events (births, deaths, moves) is compared over the
    // twelve months that end at the date, as yearbooks report it: the mean of
    // the monthly rows, each of which is already a rate per year.
    let annual = unit == PER_1000_A_YEAR;
    if annual && o.date.plus(-11) <= start {
        c.status = format!(
            "not compared: the twelve months before {} are not all inside the run",
            o.date
        );
        return c;
    }
    let mut acc = Accumulator::default();
    for by_date in series.values() {
        let x = o.model_value(annual && !o.indicator.change, start, |d| {
            by_date.get(&d.to_string()).map(|v| v[m])
        });
        if x.is_finite() {
            acc.push(x);
        }
    }
    let Some(stats) = acc.stats() else {
        c.status = "not compared: the model has no value there (e.g. no one of that age)".into();
        return c;
    };
    let [p05, _, p50, _, p95] = stats.quantiles;
    c.model = Some([p05, p50, p95]);
    c.error = Some(p50 - o.central());
    c.agrees = Some(match o.value {
        Some(v) if !o.has_bounds() => p05 <= v && v <= p95,
        _ => o.admits(p50),
    });
    c.status = "compared".into();
    c
}

fn verdict(rows: &[Comparison]) -> Verdict {
    let mut v = Verdict::default();
    // Absolute errors and right signs of the population changes, by period:
    // the test rows, and apart the fitted ones.
    type Periods<'a> = BTreeMap<(&'a str, &'a str), (Vec<f64>, usize)>;
    let (mut tested, mut fitted): (Periods, Periods) = Default::default();
    for c in rows {
        let fit = c.purpose == Use::Fit.name();
        if fit {
            v.fit += 1;
        }
        let (Some([_, p50, _]), Some(agrees)) = (c.model, c.agrees) else {
            v.not_compared += 1;
            continue;
        };
        if fit {
            v.fit_compared += 1;
            v.fit_agree += usize::from(agrees);
        } else {
            v.compared += 1;
            v.agree += usize::from(agrees);
        }
        if c.indicator == "population_change"
            && let Some(observed) = c.observed
        {
            let periods = if fit { &mut fitted } else { &mut tested };
            let (errors, right_sign) = periods
                .entry((c.base_date.as_str(), c.date.as_str()))
                .or_default();
            *right_sign += usize::from(p50.signum() == observed.signum());
            errors.push((p50 - observed).abs() * 100.0);
        }
    }
    let summed = |periods: Periods| -> Vec<PopulationPeriod> {
        periods
            .into_iter()
            .map(
                |((base_date, date), (errors, right_sign))| PopulationPeriod {
                    base_date: base_date.to_string(),
                    date: date.to_string(),
                    changes: errors.len(),
                    right_sign,
                    mae_pp: errors.iter().sum::<f64>() / errors.len() as f64,
                },
            )
            .collect()
    };
    v.population = summed(tested);
    v.fit_population = summed(fitted);
    v
}

fn cell(x: Option<f64>) -> String {
    x.map(|v| format!("{v}")).unwrap_or_default()
}

fn write_csv(path: &Path, rows: &[Comparison]) -> Result<(), Error> {
    let csv_err = |source| Error::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut w = csv::Writer::from_path(path).map_err(csv_err)?;
    w.write_record([
        "scenario",
        "indicator",
        "base_date",
        "date",
        "observed",
        "low",
        "high",
        "model_p05",
        "model_p50",
        "model_p95",
        "error",
        "agrees",
        "use",
        "status",
        "id",
        "source",
    ])
    .map_err(csv_err)?;
    for c in rows {
        let [p05, p50, p95] = c.model.map_or([None; 3], |m| m.map(Some));
        w.write_record([
            c.scenario.clone(),
            c.indicator.clone(),
            c.base_date.clone(),
            c.date.clone(),
            cell(c.observed),
            cell(c.low),
            cell(c.high),
            cell(p05),
            cell(p50),
            cell(p95),
            cell(c.error),
            c.agrees.map(|a| a.to_string()).unwrap_or_default(),
            c.purpose.to_string(),
            c.status.clone(),
            c.id.clone(),
            c.source.clone(),
        ])
        .map_err(csv_err)?;
    }
    w.flush().map_err(|e| Error::io("writing", path, e))
}

/// The validation table in Markdown, for `docs/validation.md`.
fn markdown(rows: &[Comparison], v: &Verdict, opts: &ValidateOptions) -> String {
    let mut out = String::from(
        "# Validation: the model against observed data\n\n\
         Regenerated by `boomtown validate` (this file is `validation.md` in its output folder), \
         from the observations in `seeds/observations.csv`, each with its source. Observations \
         marked `test` were not used to choose any parameter; those marked `fit` were, and are not \
         counted in the verdict. The model column gives the median over replicates and, in \
         brackets, the 90 % band: the spread that chance gives, and the scenario's uncertain \
         parameters where it has any. An observed value given alone agrees when it lies inside the \
         band; an observed range or bound, or a value with its stated tolerance, when the median \
         lies inside it. The band narrows as runs grow: at full size a value given alone agrees \
         only when the model is within a few tenths of a point of it, and a smaller run agrees \
         more often, so read the distance between the median and the observed value as well as \
         the verdict. Where the model and the observations part, `docs/ODD.md` (section 9, \
         known simplifications and limitations, and section 7.13) says what was measured and \
         what was tried.\n\n",
    );
    out += &format!(
        "Replicates per scenario: {}. Options: {}.\n\n**{}**\n\n",
        opts.replicates,
        if opts.overrides.is_empty() {
            "none".to_string()
        } else {
            opts.overrides
                .iter()
                .map(|o| format!("`--set {}`", o.arg))
                .collect::<Vec<_>>()
                .join(", ")
        },
        verdict_text(v)
    );
    out += "| scenario | indicator | date | observed | model | agrees | use | source |\n";
    out += "| --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for c in rows {
        let date = if c.base_date.is_empty() {
            c.date.clone()
        } else {
            format!("{} → {}", c.base_date, c.date)
        };
        let agrees = match c.agrees {
            Some(true) => "yes",
            Some(false) => "no",
            None => "–",
        };
        out += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            c.scenario,
            c.indicator,
            date,
            observed_text(c),
            model_text(c),
            agrees,
            c.purpose,
            c.source.replace('|', "/")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test comparison of a population change over `base..date`.
    fn change(base: &str, date: &str, observed: f64, p50: f64) -> Comparison {
        Comparison {
            id: format!("{base}-{date}-{observed}"),
            scenario: "city".into(),
            folder: "city".into(),
            indicator: "population_change".into(),
            unit: "share".into(),
            base_date: base.into(),
            date: date.into(),
            observed: Some(observed),
            low: None,
            high: None,
            model: Some([p50 - 0.01, p50, p50 + 0.01]),
            error: Some(p50 - observed),
            agrees: Some(false),
            purpose: Use::Test.name(),
            status: "compared".into(),
            source: String::new(),
            note: String::new(),
        }
    }

    /// The verdict sums up the population changes of each period apart, the
    /// earliest period first, whatever the order of the rows.
    #[test]
    fn population_changes_are_summed_up_period_by_period() {
        let rows = [
            change("2020-11", "2024-01", 0.02, 0.01),
            change("2010-11", "2020-11", -0.10, -0.14),
            change("2010-11", "2020-11", 0.02, -0.04),
        ];
        let v = verdict(&rows);
        assert_eq!(v.compared, 3);
        let periods: Vec<_> = v
            .population
            .iter()
            .map(|p| {
                (
                    p.base_date.as_str(),
                    p.date.as_str(),
                    p.changes,
                    p.right_sign,
                )
            })
            .collect();
        assert_eq!(
            periods,
            [("2010-11", "2020-11", 2, 1), ("2020-11", "2024-01", 1, 1)]
        );
        assert!((v.population[0].mae_pp - 5.0).abs() < 1e-9);
        assert!((v.population[1].mae_pp - 1.0).abs() < 1e-9);
        let text = verdict_text(&v);
        assert!(
            text.contains(
                "population changes 2010-11 → 2020-11: the sign is right in 1 of 2, mean \
                 absolute error 5.0 percentage points; 2020-11 → 2024-01: the sign is right in \
                 1 of 1, mean absolute error 1.0 percentage points."
            ),
            "{text}"
        );
    }

    /// Fitted rows are not evidence, but how well the fit went is said apart.
    #[test]
    fn the_fitted_population_changes_are_summed_up_apart() {
        let mut fitted = change("2010-11", "2020-11", -0.10, -0.04);
        fitted.purpose = Use::Fit.name();
        fitted.agrees = Some(true);
        // A fitted row outside a shortened run is counted as not compared,
        // and not in the fit's denominator.
        let mut outside = change("2010-11", "2030-11", -0.2, 0.0);
        outside.purpose = Use::Fit.name();
        outside.model = None;
        outside.agrees = None;
        let rows = [change("2020-11", "2024-01", 0.02, 0.01), fitted, outside];
        let v = verdict(&rows);
        assert_eq!(
            (v.compared, v.fit, v.fit_compared, v.fit_agree),
            (1, 2, 1, 1)
        );
        assert_eq!(v.not_compared, 1);
        assert_eq!(v.population.len(), 1);
        assert_eq!(v.fit_population.len(), 1);
        assert!((v.fit_population[0].mae_pp - 6.0).abs() < 1e-9);
        let text = verdict_text(&v);
        assert!(
            text.ends_with(
                "2 observations were used to fit parameters and are not counted as evidence; \
                 the fitted model meets 1 of the 1 compared; population changes 2010-11 → 2020-11: the sign \
                 is right in 1 of 1, mean absolute error 6.0 percentage points."
            ),
            "{text}"
        );
        // None inside the runs: nothing is said of a fit.
        let v = verdict(&rows[2..]);
        assert!(
            verdict_text(&v).ends_with(
                "1 observation was used to fit parameters and is not counted as evidence."
            ),
            "{}",
            verdict_text(&v)
        );
    }
}
