//! `boomtown sensitivity`: which of a scenario's uncertain parameters drive which
//! outputs. The scenario's distributions define the space; a design (Morris
//! trajectories or Saltelli's matrices) picks points in it, each point is run
//! (`--replicates` times, with the same random numbers at every point), and the
//! estimators of `crate::sensitivity` turn the outputs into indices.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use toml::Value;

use super::design_runs::{Evaluation, evaluate, read_runs, write_shard};
use super::merge::ShardDir;
use super::run::Progress;
use crate::batch::{JobId, Plan, Shard, replicate_seed, simulate};
use crate::error::Error;
use crate::model::metrics::Metric;
use crate::model::scorecard::SCORECARD;
use crate::output::folder::{Lock, OutputPath, Replace, Staged, check_replaceable};
use crate::output::partial::begin_resumable;
use crate::scenario::{Scenario, closest};
use crate::sensitivity::{morris, sampling::Saltelli, sobol};

/// The analysis to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Morris's elementary effects: cheap screening.
    Morris,
    /// Sobol indices from Saltelli's design: variance shares.
    Sobol,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Morris => "morris",
            Method::Sobol => "sobol",
        }
    }
}

/// Fewest base rows (Sobol) or trajectories (Morris) accepted: below this the
/// bootstrap intervals say nothing.
pub const MIN_SAMPLES: usize = 4;

/// What to read off a run.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputSpec {
    /// A column of `timeseries.csv`, summarised over the run.
    Metric {
        /// Column name.
        name: String,
        /// How the run's series becomes one number.
        stat: Stat,
    },
    /// An indicator of the scorecard (`indicators.csv`).
    Indicator(String),
}

/// How a series becomes one number.
#[derive(Clone, Debug, PartialEq)]
pub enum Stat {
    /// Its value in the last row.
    End,
    /// Its highest value.
    Peak,
    /// Its lowest value.
    Min,
    /// Its mean over the rows after the first.
    Mean,
    /// Last value over first value, less one.
    Change,
    /// Its value in the row of a date (`YYYY-MM`).
    At(crate::date::YearMonth),
}

impl std::fmt::Display for OutputSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputSpec::Indicator(n) => write!(f, "{n}"),
            OutputSpec::Metric { name, stat } => {
                let s = match stat {
                    Stat::End => "end".to_string(),
                    Stat::Peak => "peak".into(),
                    Stat::Min => "min".into(),
                    Stat::Mean => "mean".into(),
                    Stat::Change => "change".into(),
                    Stat::At(d) => d.to_string(),
                };
                write!(f, "{name}:{s}")
            }
        }
    }
}

impl std::str::FromStr for OutputSpec {
    type Err = String;

    /// `METRIC:STAT` (STAT one of `end`, `peak`, `min`, `mean`, `change` or a
    /// date `YYYY-MM`) or the name of a scorecard indicator.
    fn from_str(s: &str) -> Result<Self, String> {
        let Some((name, stat)) = s.split_once(':') else {
            return Ok(OutputSpec::Indicator(s.trim().to_string()));
        };
        let stat = match stat.trim() {
            "end" => Stat::End,
            "peak" => Stat::Peak,
            "min" => Stat::Min,
            "mean" => Stat::Mean,
            "change" => Stat::Change,
            other => Stat::At(other.parse().map_err(|_| {
                format!(
                    "expected `{name}:end`, `:peak`, `:min`, `:mean`, `:change` or `:YYYY-MM`, found `{s}`"
                )
            })?),
        };
        Ok(OutputSpec::Metric {
            name: name.trim().to_string(),
            stat,
        })
    }
}

/// The outputs analysed when none are named: the city's size, its worst
/// unemployment, and what the displaced lose.
pub fn default_outputs() -> Vec<OutputSpec> {
    [
        "population:change",
        "unemployment_rate:peak",
        "youth_unemployment_rate:peak",
        "earnings_loss_years",
    ]
    .iter()
    .map(|s| s.parse().expect("default outputs parse"))
    .collect()
}

/// How to run an analysis.
#[derive(Clone, Debug)]
pub struct SensitivityOptions {
    /// Morris or Sobol.
    pub method: Method,
    /// Base rows (Sobol) or trajectories (Morris).
    pub samples: usize,
    /// Grid levels of Morris's design.
    pub levels: usize,
    /// Runs of each design point, with the same seeds at every point.
    pub replicates: u32,
    /// Outputs to analyse.
    pub outputs: Vec<OutputSpec>,
    /// Master seed (design and model).
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Bootstrap resamples for the intervals.
    pub resamples: usize,
    /// Output folder.
    pub out: PathBuf,
    /// Replace an output of other settings.
    pub force: bool,
    /// Run only this slice of the design's runs, written as a shard folder.
    pub shard: Option<Shard>,
    /// Finish an interrupted analysis, keeping its finished runs.
    pub resume: bool,
    /// The command line, for the manifest.
    pub command: Vec<String>,
}

/// Level of the bootstrap intervals.
pub const CONFIDENCE: f64 = 0.95;

/// One row of `sensitivity.csv`.
#[derive(Clone, Debug)]
pub struct IndexRow {
    /// The output.
    pub output: String,
    /// The parameter (dotted key).
    pub parameter: String,
    /// `S1`, `ST` (Sobol) or `mu`, `mu_star`, `sigma` (Morris).
    pub index: &'static str,
    /// Its estimate.
    pub value: f64,
    /// Lower end of its interval (empty when there is none).
    pub low: Option<f64>,
    /// Upper end of its interval.
    pub high: Option<f64>,
}

/// What an analysis wrote.
#[derive(Clone, Debug)]
pub struct SensitivityReport {
    /// The output folder.
    pub out: PathBuf,
    /// Every index.
    pub rows: Vec<IndexRow>,
    /// Model runs made.
    pub runs: usize,
}

/// Runs the analysis and writes its folder (with `--shard`, a shard folder of
/// its slice of the runs, which `boomtown merge` combines).
pub fn sensitivity(
    scenario: &Scenario,
    opts: &SensitivityOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<SensitivityReport, Error> {
    let started = SystemTime::now();
    check_request(scenario, opts)?;
    let readers = output_readers(scenario, &opts.outputs)?;
    let design = design(scenario, opts)?;
    let plan = Plan {
        seed: opts.seed,
        replicates: opts.replicates,
        configurations: design.points.len(),
        shard: opts.shard,
    };
    plan.check_size()?;
    let out = OutputPath::new(&opts.out)?;
    let identity = identity(scenario, opts);
    let replace = Replace::forced(opts.force);
    let (_lock, finished) = begin_resumable(&out, &identity, opts.resume, replace)?;
    if finished {
        return Ok(SensitivityReport {
            out: out.path().to_path_buf(),
            rows: Vec::new(),
            runs: 0,
        });
    }
    let evaluation = Evaluation {
        plan,
        out: &out,
        identity: &identity,
        resume: opts.resume,
        replace,
        threads: opts.threads,
    };
    let done = evaluate(&evaluation, stop, progress, |id| {
        let point = id.configuration;
        let job = scenario.job_at(0, point as u32, design.values[point].clone())?;
        let run = JobId {
            index: point,
            configuration: 0,
            replicate: id.replicate,
        };
        let result = simulate(&job, run, replicate_seed(opts.seed, id.replicate))?;
        let numbers = readers
            .iter()
            .map(|read| read(&result.snapshots, &result.scorecard))
            .collect();
        Ok((numbers, result.person_months))
    })?;
    let runs = done.values.len();
    let cost = json!({
        "person_months": done.person_months,
        "compute_seconds": done.compute_seconds,
    });
    let (written, rows) = if opts.shard.is_some() {
        let mut manifest = manifest_head(scenario, opts, &identity);
        manifest["analysis"] = json!("sensitivity");
        manifest["cost"] = cost;
        let names: Vec<String> = opts.outputs.iter().map(ToString::to_string).collect();
        let toml = scenario.resolved_toml(opts.seed, opts.replicates);
        let written = write_shard(&evaluation, &toml, &names, &done.values, manifest, started)?;
        (written, Vec::new())
    } else {
        let made = Made {
            out: &out,
            identity: &identity,
            replace,
            started,
            extra: json!({ "threads": opts.threads, "cost": cost }),
        };
        analyse(scenario, opts, &design, &done.values, &made)?
    };
    done.partial.remove(&out)?;
    Ok(SensitivityReport {
        out: written,
        rows,
        runs,
    })
}

/// Combines the shard folders of one analysis (checked by `boomtown merge` to
/// agree, to cover every run once and to be unchanged) into the folder a single
/// `boomtown sensitivity` writes. The analysis is what the shards' manifests
/// record; `scenario` is their resolved scenario.
pub fn merge_shards(
    scenario: &Scenario,
    shards: &[ShardDir],
    out: &OutputPath,
    command: &[String],
    replace: Replace,
) -> Result<PathBuf, Error> {
    let started = SystemTime::now();
    let head = &shards[0].manifest;
    let dir = crate::error::printable(&shards[0].dir.display().to_string());
    let field = |key: &str| {
        head[key].as_u64().ok_or_else(|| {
            Error::Usage(format!(
                "{dir}: its manifest.json has no `{key}`; it was not written by this version of \
                 boomtown, or was edited"
            ))
        })
    };
    let method = match head["method"].as_str() {
        Some("sobol") => Method::Sobol,
        _ => Method::Morris,
    };
    let outputs = head["outputs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| o.as_str().unwrap_or_default().parse::<OutputSpec>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Usage(format!("{dir}: manifest.json: {e}")))?;
    let opts = SensitivityOptions {
        method,
        samples: field("samples")? as usize,
        levels: field("levels")? as usize,
        replicates: field("replicates")? as u32,
        outputs,
        seed: field("seed")?,
        threads: 1,
        resamples: field("resamples")? as usize,
        out: out.path().to_path_buf(),
        force: replace == Replace::AnyOutput,
        shard: None,
        resume: false,
        command: command.to_vec(),
    };
    check_request(scenario, &opts)?;
    let design = design(scenario, &opts)?;
    let mut values = Vec::new();
    for s in shards {
        values.extend(read_runs(&s.dir, s.first, s.end, opts.outputs.len())?);
    }
    if values.len() != design.points.len() * opts.replicates as usize {
        return Err(Error::Usage(format!(
            "{dir}: the shards hold {} runs, but the analysis their manifests describe has {}",
            values.len(),
            design.points.len() * opts.replicates as usize
        )));
    }
    // The merged analysis is the one the shards are slices of, with the
    // scenario hash they ran under.
    let mut identity = identity(scenario, &opts);
    identity["scenario_hash"] = head["scenario_hash"].clone();
    check_replaceable(out, &identity, replace)?;
    let _lock = Lock::acquire(out)?;
    let person_months: u64 = shards
        .iter()
        .map(|s| s.manifest["cost"]["person_months"].as_u64().unwrap_or(0))
        .sum();
    let compute_seconds: f64 = shards
        .iter()
        .map(|s| {
            s.manifest["cost"]["compute_seconds"]
                .as_f64()
                .unwrap_or(0.0)
        })
        .sum();
    let made = Made {
        out,
        identity: &identity,
        replace,
        started,
        extra: json!({
            "threads": null,
            "cost": { "person_months": person_months, "compute_seconds": compute_seconds },
            "merged_from": shards.iter().map(|s| s.dir.display().to_string()).collect::<Vec<_>>(),
        }),
    };
    Ok(analyse(scenario, &opts, &design, &values, &made)?.0)
}

/// Refuses, before anything runs, an analysis the scenario or options cannot make.
fn check_request(scenario: &Scenario, opts: &SensitivityOptions) -> Result<(), Error> {
    if scenario.design.dists.is_empty() {
        return Err(Error::Usage(format!(
            "scenario `{}` has no uncertain parameters: give the ones to study as distributions \
             in the scenario file, e.g. `separation_rate = {{ dist = \"uniform\", low = 0.008, \
             high = 0.012 }}` under [labour] (docs/ODD.md, section 6.1)",
            scenario.name
        )));
    }
    if scenario.configurations() > 1 {
        return Err(Error::Usage(format!(
            "scenario `{}` sweeps {} configurations; a sensitivity analysis explores its uncertain \
             parameters in one configuration: give swept keys a single value (or a distribution)",
            scenario.name,
            scenario.configurations()
        )));
    }
    if opts.samples < MIN_SAMPLES {
        return Err(Error::Usage(format!(
            "--samples {}: expected at least {MIN_SAMPLES} {}",
            opts.samples,
            match opts.method {
                Method::Sobol => "base samples",
                Method::Morris => "trajectories",
            }
        )));
    }
    if opts.method == Method::Morris && (opts.levels < 2 || opts.levels % 2 == 1) {
        return Err(Error::Usage(format!(
            "--levels {}: expected an even number of at least 2",
            opts.levels
        )));
    }
    Ok(())
}

/// An analysis's design: its points in the unit cube, and each point's
/// parameter values.
struct Design {
    points: Vec<Vec<f64>>,
    values: Vec<Vec<(String, Value)>>,
}

/// The design's points and their values, checked (a value the scenario refuses
/// is reported before anything runs).
fn design(scenario: &Scenario, opts: &SensitivityOptions) -> Result<Design, Error> {
    let dists = &scenario.design.dists;
    let k = dists.len();
    let points: Vec<Vec<f64>> = match opts.method {
        Method::Sobol => Saltelli::new(opts.samples, k, (opts.seed & 0xffff_ffff) as u32)
            .map_err(|e| Error::Usage(format!("--samples {}: {e}", opts.samples)))?
            .points(),
        Method::Morris => morris::trajectories(
            opts.samples,
            k,
            opts.levels,
            &mut ChaCha8Rng::seed_from_u64(opts.seed),
        ),
    };
    // Morris's grid values 0, 1/(p−1), ..., 1 stand for the centres of p
    // equal-probability bins of each distribution, so that a distribution
    // without bounds has finite levels; Sobol points are quantiles as they are.
    let levels = opts.levels as f64;
    let to_quantile = |x: f64| match opts.method {
        Method::Sobol => x,
        Method::Morris => (x * (levels - 1.0) + 0.5) / levels,
    };
    let values = points
        .iter()
        .map(|u| {
            dists
                .iter()
                .zip(u)
                .map(|(d, &x)| {
                    d.quantile(to_quantile(x))
                        .map(|v| (d.path.clone(), v))
                        .map_err(|e| Error::Usage(format!("{}: {e}", d.path)))
                })
                .collect()
        })
        .collect::<Result<_, _>>()?;
    Ok(Design { points, values })
}

/// The settings that identify an analysis: an interrupted one resumes only
/// with the same, and shards merge only when they agree on them.
fn identity(scenario: &Scenario, opts: &SensitivityOptions) -> serde_json::Value {
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "sensitivity": scenario.name,
        "scenario_hash": scenario.hash(opts.seed, opts.replicates),
        "method": opts.method.name(),
        "samples": opts.samples,
        "levels": opts.levels,
        "replicates": opts.replicates,
        "seed": opts.seed,
        "resamples": opts.resamples,
        "outputs": opts.outputs.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "shard": opts.shard.map(|s| s.to_string()),
    })
}

/// The manifest fields that describe the analysis (an analysis's own and its
/// shards').
fn manifest_head(
    scenario: &Scenario,
    opts: &SensitivityOptions,
    identity: &serde_json::Value,
) -> serde_json::Value {
    json!({
        "program": "boomtown",
        "version": env!("CARGO_PKG_VERSION"),
        "command": opts.command,
        "scenario": scenario.name,
        "scenario_hash": identity["scenario_hash"],
        "method": opts.method.name(),
        "samples": opts.samples,
        "levels": opts.levels,
        "replicates": opts.replicates,
        "seed": opts.seed,
        "parameters": scenario.design.dists.iter().map(|d| d.path.clone()).collect::<Vec<_>>(),
        "outputs": opts.outputs.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "resamples": opts.resamples,
    })
}

/// Where an analysis's folder goes, and what its manifest adds (threads and
/// cost for a run, the shards for a merge).
struct Made<'a> {
    out: &'a OutputPath,
    identity: &'a serde_json::Value,
    replace: Replace,
    started: SystemTime,
    extra: serde_json::Value,
}

/// The indices from every run's numbers (in run order), written with the
/// charts, the report and the manifest; the same for a single analysis and a
/// merge of its shards.
fn analyse(
    scenario: &Scenario,
    opts: &SensitivityOptions,
    design: &Design,
    values: &[Vec<f64>],
    made: &Made<'_>,
) -> Result<(PathBuf, Vec<IndexRow>), Error> {
    let dists = &scenario.design.dists;
    let k = dists.len();
    let points = &design.points;
    let runs = values.len();
    // Each point's mean over its replicates, summed in replicate order.
    let replicates = opts.replicates as usize;
    let y: Vec<Vec<f64>> = values
        .chunks(replicates)
        .map(|runs| {
            let mut sums = vec![0.0; opts.outputs.len()];
            for run in runs {
                for (s, x) in sums.iter_mut().zip(run) {
                    *s += x;
                }
            }
            sums.into_iter()
                .map(|s| s / opts.replicates as f64)
                .collect()
        })
        .collect();
    let values = &design.values;
    let staged = Staged::new(made.out, made.identity, made.replace)?;

    let names: Vec<String> = opts.outputs.iter().map(ToString::to_string).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5eed_b007);
    let mut rows = Vec::new();
    for (o, name) in names.iter().enumerate() {
        let series: Vec<f64> = y.iter().map(|row| row[o]).collect();
        match opts.method {
            Method::Sobol => {
                let outputs = sobol::Outputs::split(&series, opts.samples);
                for (d, ix) in dists.iter().zip(sobol::indices(
                    &outputs,
                    opts.resamples,
                    CONFIDENCE,
                    &mut rng,
                )) {
                    for (index, e) in [("S1", ix.first), ("ST", ix.total)] {
                        rows.push(IndexRow {
                            output: name.clone(),
                            parameter: d.path.clone(),
                            index,
                            value: e.value,
                            low: Some(e.low),
                            high: Some(e.high),
                        });
                    }
                }
            }
            Method::Morris => {
                let effects = morris::elementary_effects(points, &series, k)
                    .map_err(|e| Error::Usage(format!("Morris design: {e}")))?;
                let stats = morris::statistics(&effects, opts.resamples, CONFIDENCE, &mut rng);
                for (d, s) in dists.iter().zip(stats) {
                    let plain = |index, value| IndexRow {
                        output: name.clone(),
                        parameter: d.path.clone(),
                        index,
                        value,
                        low: None,
                        high: None,
                    };
                    rows.push(plain("mu", s.mu));
                    rows.push(IndexRow {
                        low: Some(s.mu_star.low),
                        high: Some(s.mu_star.high),
                        ..plain("mu_star", s.mu_star.value)
                    });
                    rows.push(plain("sigma", s.sigma));
                }
            }
        }
    }

    let charts = draw_charts(&staged.path("charts"), opts.method, &names, &rows)?;
    staged.write(
        "sensitivity.csv",
        indices_csv(opts.method, &rows).as_bytes(),
    )?;
    staged.write(
        "samples.csv",
        samples_csv(scenario, values, &names, &y).as_bytes(),
    )?;
    let found = findings(scenario, opts, &rows, runs);
    staged.write("sensitivity.md", markdown(scenario, &found).as_bytes())?;
    crate::report::write_sensitivity(
        &staged.path(""),
        &scenario.name,
        &found.method,
        &found
            .outputs
            .iter()
            .map(|(o, lines)| {
                (
                    o.clone(),
                    lines.clone(),
                    format!("charts/{}.svg", chart_stem(o)),
                )
            })
            .collect::<Vec<_>>(),
    )?;
    let files: Vec<String> = [
        "manifest.json",
        "samples.csv",
        "sensitivity.csv",
        "sensitivity.md",
        "report.html",
    ]
    .into_iter()
    .map(String::from)
    .chain(charts.iter().map(|f| format!("charts/{f}")))
    .collect();
    let mut manifest = manifest_head(scenario, opts, made.identity);
    manifest["runs"] = json!(runs);
    manifest["confidence"] = json!(CONFIDENCE);
    manifest["files"] = json!(files);
    if let (Some(m), Some(extra)) = (manifest.as_object_mut(), made.extra.as_object()) {
        m.extend(extra.clone());
    }
    staged.write_manifest(manifest, made.started)?;
    Ok((staged.commit()?, rows))
}

/// The file stem of an output's chart: `population:change` → `population-change`.
pub fn chart_stem(output: &str) -> String {
    output
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// One chart per output (Sobol bars or Morris's μ*–σ plane); returns the files.
fn draw_charts(
    dir: &std::path::Path,
    method: Method,
    outputs: &[String],
    rows: &[IndexRow],
) -> Result<Vec<String>, Error> {
    use crate::charts::sensitivity::{MorrisChart, MorrisPoint, SobolBar, SobolChart};
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
    let mut files = Vec::new();
    for output in outputs {
        let of: Vec<&IndexRow> = rows.iter().filter(|r| &r.output == output).collect();
        let mut parameters: Vec<&str> = Vec::new();
        for r in &of {
            if !parameters.contains(&r.parameter.as_str()) {
                parameters.push(&r.parameter);
            }
        }
        let get = |parameter: &str, index: &str| -> [f64; 3] {
            of.iter()
                .find(|r| r.parameter == parameter && r.index == index)
                .map_or([f64::NAN; 3], |r| {
                    [
                        r.value,
                        r.low.unwrap_or(f64::NAN),
                        r.high.unwrap_or(f64::NAN),
                    ]
                })
        };
        let stem = chart_stem(output);
        let saved = match method {
            Method::Sobol => crate::charts::save(
                &SobolChart {
                    output: output.clone(),
                    bars: parameters
                        .iter()
                        .map(|p| SobolBar {
                            parameter: p.to_string(),
                            first: get(p, "S1"),
                            total: get(p, "ST"),
                        })
                        .collect(),
                },
                dir,
                &stem,
            )?,
            Method::Morris => crate::charts::save(
                &MorrisChart {
                    output: output.clone(),
                    points: parameters
                        .iter()
                        .map(|p| MorrisPoint {
                            parameter: p.to_string(),
                            mu_star: get(p, "mu_star"),
                            sigma: get(p, "sigma")[0],
                        })
                        .collect(),
                },
                dir,
                &stem,
            )?,
        };
        files.extend(saved);
    }
    Ok(files)
}

/// Reads one output off a run's snapshots and scorecard.
type Reader = Box<dyn Fn(&[crate::model::Snapshot], &[f64]) -> f64 + Send + Sync>;

/// A reader for each output, checked against the scenario's columns and the
/// scorecard's indicators.
fn output_readers(scenario: &Scenario, outputs: &[OutputSpec]) -> Result<Vec<Reader>, Error> {
    if outputs.is_empty() {
        return Err(Error::Usage("expected at least one --output".into()));
    }
    let columns: Vec<String> = Metric::columns(&scenario.params)
        .into_iter()
        .map(|c| c.name)
        .collect();
    outputs
        .iter()
        .map(|o| -> Result<Reader, Error> {
            match o {
                OutputSpec::Indicator(name) => {
                    let Some(i) = SCORECARD.iter().position(|d| d.name == name) else {
                        let hint = closest(name, SCORECARD.iter().map(|d| d.name))
                            .or_else(|| closest(name, columns.iter().map(String::as_str)))
                            .map(|c| format!(" (did you mean `{c}`?)"))
                            .unwrap_or_default();
                        return Err(Error::Usage(format!(
                            "--output {name}: not a scorecard indicator (indicators.csv){hint}; a \
                             column of timeseries.csv needs a summary, e.g. `{name}:peak`, `:end`, \
                             `:change` or `:2030-01`"
                        )));
                    };
                    Ok(Box::new(move |_, card| card[i]))
                }
                OutputSpec::Metric { name, stat } => {
                    let Some(c) = columns.iter().position(|n| n == name) else {
                        let hint = closest(name, columns.iter().map(String::as_str))
                            .map(|c| format!(" (did you mean `{c}`?)"))
                            .unwrap_or_default();
                        return Err(Error::Usage(format!(
                            "--output {o}: `{name}` is not a column of timeseries.csv{hint}"
                        )));
                    };
                    if let Stat::At(date) = stat {
                        let h = &scenario.params.horizon;
                        let months = date.months_since(h.start);
                        if months < 0
                            || months > h.months as i32
                            || months % h.report_every as i32 != 0
                        {
                            return Err(Error::Usage(format!(
                                "--output {o}: {date} is not a reported row of the run (from {} \
                                 every {} months for {} months)",
                                h.start, h.report_every, h.months
                            )));
                        }
                    }
                    let stat = stat.clone();
                    Ok(Box::new(move |snaps, _| summarise(snaps, c, &stat)))
                }
            }
        })
        .collect()
}

fn summarise(snaps: &[crate::model::Snapshot], c: usize, stat: &Stat) -> f64 {
    let values = snaps.iter().map(|s| s.values[c]);
    match stat {
        Stat::End => snaps.last().map_or(f64::NAN, |s| s.values[c]),
        Stat::Peak => values.skip(1).fold(f64::NAN, f64::max),
        Stat::Min => values.skip(1).fold(f64::NAN, f64::min),
        Stat::Mean => {
            let v: Vec<f64> = values.skip(1).collect();
            v.iter().sum::<f64>() / v.len() as f64
        }
        Stat::Change => match (snaps.first(), snaps.last()) {
            (Some(a), Some(b)) => b.values[c] / a.values[c] - 1.0,
            _ => f64::NAN,
        },
        Stat::At(date) => snaps
            .iter()
            .find(|s| s.date == *date)
            .map_or(f64::NAN, |s| s.values[c]),
    }
}

fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

fn indices_csv(method: Method, rows: &[IndexRow]) -> String {
    let mut out = String::from("method,output,parameter,index,value,ci_low,ci_high\n");
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            method.name(),
            r.output,
            r.parameter,
            r.index,
            number(r.value),
            r.low.map(number).unwrap_or_default(),
            r.high.map(number).unwrap_or_default()
        );
    }
    out
}

fn samples_csv(
    scenario: &Scenario,
    values: &[Vec<(String, Value)>],
    outputs: &[String],
    y: &[Vec<f64>],
) -> String {
    let mut out = String::from("point");
    for d in &scenario.design.dists {
        out += &format!(",{}", d.path);
    }
    for o in outputs {
        out += &format!(",{o}");
    }
    out.push('\n');
    for (p, (v, y)) in values.iter().zip(y).enumerate() {
        out += &p.to_string();
        for (_, x) in v {
            out += &format!(",{}", x.as_float().map_or(x.to_string(), number));
        }
        for x in y {
            out += &format!(",{}", number(*x));
        }
        out.push('\n');
    }
    out
}

/// The analysis in words: what was done, and for each output (in the order
/// asked for) its parameters from the strongest to the weakest, one sentence
/// each.
pub struct Findings {
    /// The method, the design and how to read the indices.
    pub method: String,
    /// Each output and its sentences.
    pub outputs: Vec<(String, Vec<String>)>,
}

fn findings(
    scenario: &Scenario,
    opts: &SensitivityOptions,
    rows: &[IndexRow],
    runs: usize,
) -> Findings {
    let mut by_output: Vec<(&str, Vec<&IndexRow>)> = Vec::new();
    for r in rows {
        match by_output.iter_mut().find(|(o, _)| *o == r.output) {
            Some((_, list)) => list.push(r),
            None => by_output.push((r.output.as_str(), vec![r])),
        }
    }
    let mut method = match opts.method {
        Method::Sobol => format!(
            "Sobol indices from Saltelli's design: {} base samples, {} parameters, {runs} runs \
             ({} per point). S1 is the share of an output's variance that a parameter explains \
             alone, ST the share it explains alone and with the others; intervals are {}% \
             bootstrap intervals over {} resamples.",
            opts.samples,
            scenario.design.dists.len(),
            opts.replicates,
            CONFIDENCE * 100.0,
            opts.resamples
        ),
        Method::Morris => format!(
            "Morris elementary effects: {} trajectories on a {}-level grid, {} parameters, {runs} \
             runs ({} per point). mu* ranks how much a parameter moves an output (per step of \
             its quantile), mu says which way, sigma how much the effect depends on the other \
             parameters (nonlinearity or interaction).",
            opts.samples,
            opts.levels,
            scenario.design.dists.len(),
            opts.replicates
        ),
    };
    method += " Each point's runs use the same random numbers as every other point's, so \
               differences come from the parameters; the model's own chance still adds to \
               every index, so compare with more --replicates before reading small ones.";
    let key = match opts.method {
        Method::Sobol => "ST",
        Method::Morris => "mu_star",
    };
    let pct = |x: f64| (100.0 * x).clamp(0.0, 100.0);
    let outputs = by_output
        .into_iter()
        .map(|(output, rows)| {
            let mut ranked: Vec<&&IndexRow> = rows.iter().filter(|r| r.index == key).collect();
            ranked.sort_by(|a, b| b.value.total_cmp(&a.value));
            if ranked.iter().all(|r| !r.value.is_finite()) {
                return (
                    output.to_string(),
                    vec!["The output did not vary over the design: nothing here drives it.".into()],
                );
            }
            let find = |parameter: &str, index: &str| {
                rows.iter()
                    .find(|x| x.parameter == parameter && x.index == index)
                    .map_or(f64::NAN, |x| x.value)
            };
            let lines = ranked
                .into_iter()
                .map(|r| {
                    let (lo, hi) = (r.low.unwrap_or(f64::NAN), r.high.unwrap_or(f64::NAN));
                    match opts.method {
                        Method::Sobol => {
                            let s1 = find(&r.parameter, "S1");
                            if s1 < r.value {
                                format!(
                                    "{} explains about {:.0} % of its variance alone and {:.0} % \
                                     with its interactions (total index {:.2}, interval {:.2} to \
                                     {:.2})",
                                    r.parameter,
                                    pct(s1),
                                    pct(r.value),
                                    r.value,
                                    lo,
                                    hi
                                )
                            } else {
                                // A first-order estimate above the total one is
                                // noise: they are equal without interactions.
                                format!(
                                    "{} explains about {:.0} % of its variance, with no \
                                     interaction the sample can tell apart (total index {:.2}, \
                                     interval {:.2} to {:.2}; first-order {:.2})",
                                    r.parameter,
                                    pct(r.value),
                                    r.value,
                                    lo,
                                    hi,
                                    s1
                                )
                            }
                        }
                        Method::Morris => {
                            let (mu, sigma) =
                                (find(&r.parameter, "mu"), find(&r.parameter, "sigma"));
                            let way = if mu > 0.5 * r.value {
                                "raises it"
                            } else if mu < -0.5 * r.value {
                                "lowers it"
                            } else {
                                "moves it both ways"
                            };
                            format!(
                                "{}: mu* {:.4} (interval {:.4} to {:.4}); {way} (mu {:.4}); \
                                 sigma {:.4}{}",
                                r.parameter,
                                r.value,
                                lo,
                                hi,
                                mu,
                                sigma,
                                if sigma > r.value {
                                    ", larger than mu*: its effect depends strongly on the others"
                                } else {
                                    ""
                                }
                            )
                        }
                    }
                })
                .collect();
            (output.to_string(), lines)
        })
        .collect();
    Findings { method, outputs }
}

/// The findings as Markdown.
fn markdown(scenario: &Scenario, f: &Findings) -> String {
    let mut md = format!("# Sensitivity of `{}`\n\n{}\n", scenario.name, f.method);
    for (output, lines) in &f.outputs {
        let _ = write!(md, "\n## {output}\n\n");
        for l in lines {
            let _ = writeln!(md, "- {l}");
        }
    }
    md
}
