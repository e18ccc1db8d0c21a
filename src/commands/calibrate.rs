//! `boomtown calibrate`: fits a scenario's uncertain parameters to observed
//! figures by ABC-SMC (see `crate::calibration`). The priors are the
//! scenario's distributions; the data are the rows of an observations file
//! (the format `validate` reads) that name the scenario. The posterior is
//! written as weighted particles, summaries, the fit, charts, a report, and a
//! scenario file that extends the original with the posterior as its
//! distributions.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde_json::json;
use toml::{Table, Value};

use super::run::Progress;
use super::validate::{observed_run, unknown_indicator};
use crate::batch::{JobId, replicate_seed, simulate};
use crate::calibration::{Population, normalise, tolerance, weighted_quantile};
use crate::error::Error;
use crate::model::metrics::Metric;
use crate::observations::{Observation, Observations};
use crate::output::folder::{OutputPath, Replace, Staged};
use crate::output::partial::{Partial, begin_resumable, exact, read_exact};
use crate::scenario::design::Shape;
use crate::scenario::{self, Override, Scenario};
use crate::sensitivity::sampling::latin_hypercube;
use crate::validation::PER_1000_A_YEAR;

/// How to calibrate.
#[derive(Clone, Debug)]
pub struct CalibrateOptions {
    /// The scenario, as named on the command line (the calibrated file extends it).
    pub reference: String,
    /// `--set` overrides.
    pub overrides: Vec<Override>,
    /// The observations file.
    pub observations: PathBuf,
    /// Particles per generation.
    pub particles: usize,
    /// Most generations after the first (drawn from the priors).
    pub generations: usize,
    /// Quantile of the previous distances that sets the next tolerance.
    pub quantile: f64,
    /// A generation whose acceptance rate would fall below this ends the run.
    pub min_acceptance: f64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Output folder.
    pub out: PathBuf,
    /// Replace an output of other settings.
    pub force: bool,
    /// Continue an interrupted calibration from its last finished generation.
    pub resume: bool,
    /// The command line, for the manifest.
    pub command: Vec<String>,
}

/// Fewest particles accepted.
pub const MIN_PARTICLES: usize = 10;

/// One generation of the run.
#[derive(Clone, Debug)]
pub struct Generation {
    /// 0 for the draws from the priors.
    pub index: usize,
    /// Its tolerance (infinite for generation 0).
    pub epsilon: f64,
    /// Candidates simulated.
    pub proposed: usize,
    /// The population it made.
    pub population: Population,
    /// The model's figure for each observation, per particle.
    pub figures: Vec<Vec<f64>>,
}

/// What a calibration wrote.
#[derive(Clone, Debug)]
pub struct CalibrationReport {
    /// The output folder.
    pub out: PathBuf,
    /// Every generation.
    pub generations: Vec<Generation>,
    /// Why it stopped.
    pub stopped: String,
}

/// Keeps a finished generation (in the `.partial` folder).
type Keep<'a> = dyn Fn(&Generation) -> Result<(), Error> + Sync + 'a;

/// Simulates one candidate and returns its figures for the observations.
type Simulator<'a> = dyn Fn(&[f64], u32, u64) -> Result<Vec<f64>, Error> + Sync + 'a;

/// Runs the calibration and writes its folder.
pub fn calibrate(
    opts: &CalibrateOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<CalibrationReport, Error> {
    let started = SystemTime::now();
    let observations = Observations::read(&opts.observations).map_err(Error::Observations)?;
    let base = scenario::load(&opts.reference, &opts.overrides)?;
    let rows: Vec<Observation> = observations.of(&base.name).cloned().collect();
    if rows.is_empty() {
        return Err(Error::Usage(format!(
            "{} has no observation of scenario `{}` (its `scenario` column names: {}); \
             calibration fits a scenario to the rows that name it",
            opts.observations.display(),
            base.name,
            observations.scenarios().join(", ")
        )));
    }
    let scenario = scenario::load(
        &opts.reference,
        &observed_run(&base, rows.iter(), &opts.overrides)?,
    )?;
    check_design(&scenario, opts)?;
    let columns = Metric::columns(&scenario.params);
    let start = scenario.params.horizon.start;
    let end = start.plus(scenario.params.horizon.months as i32);
    // For each observation: its column and whether it is a yearly rate.
    let mut readers = Vec::new();
    for o in &rows {
        let Some(c) = columns.iter().position(|d| d.name == o.indicator.metric) else {
            return Err(unknown_indicator(&observations, o));
        };
        let annual = columns[c].unit == PER_1000_A_YEAR && !o.indicator.change;
        let first = if annual { o.date.plus(-11) } else { o.date };
        let base_date = o.base_date.unwrap_or(start);
        if first < start || o.date > end || base_date < start {
            return Err(Error::Observations(observations.error(
                o,
                "date",
                format!(
                    "{} is outside the run ({start} to {end}{}); calibration needs every \
                     observation inside it",
                    o.date,
                    if annual {
                        ", and a yearly rate needs its twelve months"
                    } else {
                        ""
                    }
                ),
            )));
        }
        readers.push((c, annual));
    }

    let out = OutputPath::new(&opts.out)?;
    let identity = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "calibrate": scenario.name,
        "scenario_hash": scenario.hash(opts.seed, 1),
        "observations": crate::output::assemble::sha256_hex(observations.text.as_bytes()),
        "particles": opts.particles,
        "generations": opts.generations,
        "quantile": opts.quantile,
        "min_acceptance": opts.min_acceptance,
    });
    let replace = Replace::forced(opts.force);
    let (_lock, finished) = begin_resumable(&out, &identity, opts.resume, replace)?;
    if finished {
        return Ok(CalibrationReport {
            out: out.path().to_path_buf(),
            generations: Vec::new(),
            stopped: "it had already finished".into(),
        });
    }
    // Each finished generation is kept here, so that a killed calibration
    // resumes from the last one.
    let partial = Partial::open(&out, &identity, opts.resume, replace)?;
    let mut kept = Vec::new();
    while partial.is_done(kept.len()) {
        kept.push(read_generation(&partial, kept.len())?);
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {} threads: {e}", opts.threads)))?;
    let simulator = |u: &[f64], index: u32, seed: u64| -> Result<Vec<f64>, Error> {
        let job = scenario.job_at_quantiles(0, index, u)?;
        let id = JobId {
            index: index as usize,
            configuration: 0,
            replicate: index,
        };
        let result = simulate(&job, id, seed)?;
        let at_month = |c: usize, d: crate::date::YearMonth| {
            let i = d.months_since(start);
            (i >= 0)
                .then(|| result.snapshots.get(i as usize))
                .flatten()
                .filter(|s| s.date == d)
                .map(|s| s.values[c])
        };
        Ok(rows
            .iter()
            .zip(&readers)
            .map(|(o, &(c, annual))| o.model_value(annual, start, |d| at_month(c, d)))
            .collect())
    };
    let keep = |g: &Generation| partial.write_record(g.index, generation_record(g));
    let ran = pool.install(|| {
        smc(
            opts,
            (scenario.design.dists.len(), &rows),
            (kept, &keep),
            &simulator,
            stop,
            progress,
        )
    });
    let (generations, stopped) = match ran {
        Err(Error::Stopped(_)) => {
            let done = (0..).take_while(|&g| partial.is_done(g)).count();
            return Err(Error::Interrupted {
                done,
                total: opts.generations + 1,
                what: "generations (the priors' and those after)",
                work: "calibration from the last finished generation",
                partial: partial.dir().to_path_buf(),
            });
        }
        other => other?,
    };

    let staged = Staged::new(&out, &identity, replace)?;
    write_outputs(&staged, &scenario, opts, &rows, &generations, &stopped)?;
    let last = generations.last().expect("generation 0 always runs");
    staged.write_manifest(
        json!({
            "program": "boomtown",
            "version": env!("CARGO_PKG_VERSION"),
            "command": opts.command,
            "scenario": scenario.name,
            "scenario_hash": identity["scenario_hash"],
            "observations": opts.observations.display().to_string(),
            "observations_sha256": identity["observations"],
            "observations_used": rows.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
            "parameters": scenario.design.dists.iter().map(|d| d.path.clone()).collect::<Vec<_>>(),
            "particles": opts.particles,
            "generations_run": generations.len() - 1,
            "final_tolerance": last.epsilon,
            "runs": generations.iter().map(|g| g.proposed).sum::<usize>(),
            "stopped": stopped,
            "seed": opts.seed,
            "threads": opts.threads,
            "files": OUTPUT_FILES,
        }),
        started,
    )?;
    let written = staged.commit()?;
    partial.remove(&out)?;
    Ok(CalibrationReport {
        out: written,
        generations,
        stopped,
    })
}

/// A finished generation as its `job.json` in the `.partial` folder; every
/// number as text that reads back to the same bits.
fn generation_record(g: &Generation) -> serde_json::Value {
    let p = &g.population;
    json!({
        "generation": g.index,
        "epsilon": g.epsilon.to_string(),
        "proposed": g.proposed,
        "particles": p.particles.iter().map(|x| exact(x)).collect::<Vec<_>>(),
        "weights": exact(&p.weights),
        "distances": exact(&p.distances),
        "figures": g.figures.iter().map(|x| exact(x)).collect::<Vec<_>>(),
    })
}

/// A generation [`generation_record`] kept.
fn read_generation(partial: &Partial, index: usize) -> Result<Generation, Error> {
    let r = partial.read_record(index)?;
    let rows = |key: &str| -> Option<Vec<Vec<f64>>> {
        r[key].as_array()?.iter().map(read_exact).collect()
    };
    let read = || -> Option<Generation> {
        Some(Generation {
            index: (r["generation"].as_u64()? as usize == index).then_some(index)?,
            epsilon: r["epsilon"].as_str()?.parse().ok()?,
            proposed: r["proposed"].as_u64()? as usize,
            population: Population {
                particles: rows("particles")?,
                weights: read_exact(&r["weights"])?,
                distances: read_exact(&r["distances"])?,
            },
            figures: rows("figures")?,
        })
    };
    read().ok_or_else(|| partial.damaged(index))
}

/// The files of a calibration folder.
const OUTPUT_FILES: [&str; 10] = [
    "manifest.json",
    "particles.csv",
    "generations.csv",
    "posterior.csv",
    "fit.csv",
    "calibrated.toml",
    "calibration.md",
    "report.html",
    "charts/posterior.png",
    "charts/posterior.svg",
];

fn check_design(scenario: &Scenario, opts: &CalibrateOptions) -> Result<(), Error> {
    let dists = &scenario.design.dists;
    if dists.is_empty() {
        return Err(Error::Usage(format!(
            "scenario `{}` has no uncertain parameters: give the ones to fit as distributions \
             (their priors) in the scenario file, e.g. `peak_annual_rate = {{ dist = \
             \"uniform\", low = 0.01, high = 0.06 }}` under [migration]",
            scenario.name
        )));
    }
    if let Some(d) = dists
        .iter()
        .find(|d| matches!(d.shape, Shape::Choice { .. }))
    {
        return Err(Error::Usage(format!(
            "{}: a `choice` distribution cannot be calibrated; give it a continuous prior \
             (uniform, normal, triangular, lognormal or beta)",
            d.path
        )));
    }
    if scenario.configurations() > 1 {
        return Err(Error::Usage(format!(
            "scenario `{}` sweeps {} configurations; calibration fits one configuration",
            scenario.name,
            scenario.configurations()
        )));
    }
    if opts.particles < MIN_PARTICLES {
        return Err(Error::Usage(format!(
            "--particles {}: expected at least {MIN_PARTICLES}",
            opts.particles
        )));
    }
    if !(opts.quantile > 0.0 && opts.quantile < 1.0) {
        return Err(Error::Usage(format!(
            "--quantile {}: expected a number between 0 and 1",
            opts.quantile
        )));
    }
    if !(opts.min_acceptance > 0.0 && opts.min_acceptance < 1.0) {
        return Err(Error::Usage(format!(
            "--min-acceptance {}: expected a number between 0 and 1",
            opts.min_acceptance
        )));
    }
    Ok(())
}

/// Distance of a candidate's figures to the observations: the root mean
/// square of their discrepancies (`Observation::discrepancy`); infinite when
/// the model has no figure for one of them.
pub fn distance(rows: &[Observation], figures: &[f64]) -> f64 {
    let mut sum = 0.0;
    for (o, &x) in rows.iter().zip(figures) {
        let d = o.discrepancy(x);
        if !d.is_finite() {
            return f64::INFINITY;
        }
        sum += d * d;
    }
    (sum / rows.len() as f64).sqrt()
}

/// The seed of the simulation of candidate `i` of generation `g`.
fn candidate_seed(master: u64, g: usize, i: usize) -> u64 {
    replicate_seed(
        master.wrapping_add((g as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        i as u32,
    )
}

/// The ABC-SMC loop: generation 0 from the priors (a Latin hypercube of the
/// particles), then generations whose tolerance is the `quantile` of the
/// previous distances, until `generations` are done, the acceptance rate
/// would fall below `min_acceptance`, or the tolerance stops shrinking.
/// Candidates are made in order from one seeded stream and simulated in
/// parallel in rounds; they are accepted in order, so the result does not
/// depend on the threads.
fn smc(
    opts: &CalibrateOptions,
    (k, rows): (usize, &[Observation]),
    (kept, keep): (Vec<Generation>, &Keep),
    simulator: &Simulator,
    stop: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Vec<Generation>, String), Error> {
    let n = opts.particles;
    let budget = (n as f64 / opts.min_acceptance).ceil() as usize;
    progress(Progress::Start {
        total: n * (opts.generations + 1),
        done: n * kept.len().min(opts.generations + 1),
    });
    let run = |g: usize, candidates: &[Vec<f64>], first: usize| {
        candidates
            .par_iter()
            .enumerate()
            .with_max_len(1)
            .map(|(i, u)| {
                if stop.load(Ordering::Relaxed) {
                    return Err(Error::Stopped("calibration interrupted".into()));
                }
                let index = first + i;
                let figures = simulator(u, index as u32, candidate_seed(opts.seed, g, index))?;
                Ok(figures)
            })
            .collect::<Result<Vec<Vec<f64>>, Error>>()
    };
    let mut generations = kept;
    if generations.is_empty() {
        // Generation 0: the priors.
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0xabc5_3c00_0000_0000);
        let prior = latin_hypercube(n, k, &mut rng);
        let figures = run(0, &prior, 0)?;
        for _ in 0..n {
            progress(Progress::JobDone);
        }
        let distances: Vec<f64> = figures.iter().map(|f| distance(rows, f)).collect();
        let first = Generation {
            index: 0,
            epsilon: f64::INFINITY,
            proposed: n,
            population: Population {
                particles: prior,
                weights: vec![1.0 / n as f64; n],
                distances,
            },
            figures,
        };
        keep(&first)?;
        generations.push(first);
    }
    let mut stopped = format!("{} generations done", opts.generations);
    // Each generation draws from its own seeded stream, so that one resumed
    // after a kill proposes exactly what it would have.
    for g in generations.len()..=opts.generations {
        let previous = &generations[g - 1].population;
        let epsilon = tolerance(&previous.distances, opts.quantile);
        if !epsilon.is_finite() {
            stopped = format!(
                "generation {g}: the model has no figure for some observation in most runs"
            );
            break;
        }
        if g > 1 && epsilon >= 0.999 * generations[g - 1].epsilon {
            stopped = format!("generation {g}: the tolerance stopped shrinking ({epsilon:.4})");
            break;
        }
        let scales = previous.kernel_scales();
        let mut rng = ChaCha8Rng::seed_from_u64(candidate_seed(opts.seed, g, usize::MAX >> 1));
        let (mut particles, mut weights, mut dists, mut figs) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut proposed = 0;
        while particles.len() < n && proposed < budget {
            let round = (n - particles.len()).max(n / 4).min(budget - proposed);
            let candidates: Vec<Vec<f64>> = (0..round)
                .map(|_| previous.propose(&scales, &mut rng))
                .collect();
            let results = run(g, &candidates, proposed)?;
            proposed += round;
            for (u, f) in candidates.into_iter().zip(results) {
                let d = distance(rows, &f);
                if d <= epsilon && particles.len() < n {
                    weights.push(previous.weight_of(&u, &scales));
                    particles.push(u);
                    dists.push(d);
                    figs.push(f);
                    progress(Progress::JobDone);
                }
            }
        }
        if particles.len() < n {
            stopped = format!(
                "generation {g}: fewer than {:.1} % of {proposed} candidates came within \
                 tolerance {epsilon:.4}; the previous generation is the posterior",
                100.0 * opts.min_acceptance
            );
            break;
        }
        normalise(&mut weights);
        let next = Generation {
            index: g,
            epsilon,
            proposed,
            population: Population {
                particles,
                weights,
                distances: dists,
            },
            figures: figs,
        };
        keep(&next)?;
        crate::fault::point("generation-kept");
        generations.push(next);
    }
    Ok((generations, stopped))
}

fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// A parameter's value at a quantile, as a number.
fn value_at(scenario: &Scenario, d: usize, u: f64) -> f64 {
    scenario.design.dists[d]
        .quantile(u)
        .ok()
        .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
        .unwrap_or(f64::NAN)
}

/// Posterior summary of one parameter.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Dotted key.
    pub parameter: String,
    /// The prior's 5th and 95th percentiles.
    pub prior: [f64; 2],
    /// Weighted mean and standard deviation.
    pub mean: f64,
    /// Weighted standard deviation.
    pub sd: f64,
    /// Weighted 5th, 50th and 95th percentiles.
    pub quantiles: [f64; 3],
}

fn summaries(scenario: &Scenario, last: &Population) -> Vec<Summary> {
    scenario
        .design
        .dists
        .iter()
        .enumerate()
        .map(|(d, dist)| {
            let values: Vec<f64> = last
                .particles
                .iter()
                .map(|p| value_at(scenario, d, p[d]))
                .collect();
            let w = &last.weights;
            let mean: f64 = values.iter().zip(w).map(|(v, w)| v * w).sum();
            let sd = values
                .iter()
                .zip(w)
                .map(|(v, w)| w * (v - mean).powi(2))
                .sum::<f64>()
                .sqrt();
            Summary {
                parameter: dist.path.clone(),
                prior: [value_at(scenario, d, 0.05), value_at(scenario, d, 0.95)],
                mean,
                sd,
                quantiles: [0.05, 0.5, 0.95].map(|q| weighted_quantile(&values, w, q)),
            }
        })
        .collect()
}

fn write_outputs(
    staged: &Staged,
    scenario: &Scenario,
    opts: &CalibrateOptions,
    rows: &[Observation],
    generations: &[Generation],
    stopped: &str,
) -> Result<(), Error> {
    let dists = &scenario.design.dists;
    // particles.csv
    let mut csv = String::from("generation,particle,weight,distance");
    for d in dists {
        csv += &format!(",{}", d.path);
    }
    for o in rows {
        csv += &format!(",{}", o.id);
    }
    csv.push('\n');
    for g in generations {
        let p = &g.population;
        for i in 0..p.particles.len() {
            let _ = write!(
                csv,
                "{},{i},{},{}",
                g.index,
                number(p.weights[i]),
                number(p.distances[i])
            );
            for d in 0..dists.len() {
                let _ = write!(csv, ",{}", number(value_at(scenario, d, p.particles[i][d])));
            }
            for x in &g.figures[i] {
                let _ = write!(csv, ",{}", number(*x));
            }
            csv.push('\n');
        }
    }
    staged.write("particles.csv", csv.as_bytes())?;
    // generations.csv
    let mut csv = String::from(
        "generation,tolerance,candidates,accepted,acceptance_rate,effective_sample_size\n",
    );
    for g in generations {
        let accepted = g.population.particles.len();
        let _ = writeln!(
            csv,
            "{},{},{},{accepted},{},{}",
            g.index,
            number(g.epsilon),
            g.proposed,
            number(accepted as f64 / g.proposed as f64),
            number(g.population.effective_sample_size())
        );
    }
    staged.write("generations.csv", csv.as_bytes())?;
    // posterior.csv
    let last = generations.last().expect("generation 0 always runs");
    let summary = summaries(scenario, &last.population);
    let mut csv = String::from("parameter,prior_p05,prior_p95,mean,sd,p05,p50,p95\n");
    for s in &summary {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{}",
            s.parameter,
            number(s.prior[0]),
            number(s.prior[1]),
            number(s.mean),
            number(s.sd),
            number(s.quantiles[0]),
            number(s.quantiles[1]),
            number(s.quantiles[2])
        );
    }
    staged.write("posterior.csv", csv.as_bytes())?;
    // fit.csv: the observations against the prior's and the posterior's runs.
    let band = |g: &Generation, j: usize| -> [f64; 3] {
        let x: Vec<f64> = g.figures.iter().map(|f| f[j]).collect();
        [0.05, 0.5, 0.95].map(|q| weighted_quantile(&x, &g.population.weights, q))
    };
    let mut csv = String::from(
        "id,indicator,base_date,date,observed,low,high,prior_p05,prior_p50,prior_p95,posterior_p05,posterior_p50,posterior_p95\n",
    );
    let mut fit_rows = Vec::new();
    for (j, o) in rows.iter().enumerate() {
        let (prior, post) = (band(&generations[0], j), band(last, j));
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            o.id,
            o.indicator,
            o.base_date.map(|d| d.to_string()).unwrap_or_default(),
            o.date,
            o.value.map(number).unwrap_or_default(),
            o.low.map(number).unwrap_or_default(),
            o.high.map(number).unwrap_or_default(),
            number(prior[0]),
            number(prior[1]),
            number(prior[2]),
            number(post[0]),
            number(post[1]),
            number(post[2])
        );
        fit_rows.push((o, prior, post));
    }
    staged.write("fit.csv", csv.as_bytes())?;
    staged.write(
        "calibrated.toml",
        calibrated_toml(scenario, opts, rows, &summary, last).as_bytes(),
    )?;
    let md = markdown(scenario, opts, generations, &summary, &fit_rows, stopped);
    staged.write("calibration.md", md.as_bytes())?;
    let charts = staged.path("charts");
    std::fs::create_dir_all(&charts).map_err(|e| Error::io("creating", &charts, e))?;
    let values: Vec<Vec<f64>> = (0..dists.len())
        .map(|d| {
            last.population
                .particles
                .iter()
                .map(|p| value_at(scenario, d, p[d]))
                .collect()
        })
        .collect();
    let chart = crate::charts::calibration::PosteriorChart {
        parameters: dists.iter().map(|d| d.path.clone()).collect(),
        values,
        weights: last.population.weights.clone(),
        prior: summary.iter().map(|s| s.prior).collect(),
    };
    crate::charts::save(&chart, &charts, "posterior")?;
    crate::report::write_markdown_report(
        &staged.path(""),
        &format!("Calibration of {}", scenario.name),
        &md,
        &["charts/posterior.svg"],
    )
}

/// A scenario that extends the original with each parameter's posterior as
/// its distribution: a normal with the posterior's mean and standard
/// deviation, truncated to the prior's range where the prior has one. The
/// marginals only: the correlations are in `particles.csv`.
fn calibrated_toml(
    scenario: &Scenario,
    opts: &CalibrateOptions,
    rows: &[Observation],
    summary: &[Summary],
    last: &Generation,
) -> String {
    let extends = match std::path::Path::new(&opts.reference).canonicalize() {
        Ok(path) if opts.reference.ends_with(".toml") => path.display().to_string(),
        _ => opts.reference.clone(),
    };
    let mut table = Table::new();
    table.insert("extends".into(), Value::String(extends));
    table.insert(
        "description".into(),
        Value::String(format!(
            "{} Calibrated: its uncertain parameters fitted to {} observation{} by ABC-SMC.",
            scenario.description,
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        )),
    );
    let ids: Vec<&str> = rows.iter().map(|o| o.id.as_str()).collect();
    let mut sources = Table::new();
    for (s, dist) in summary.iter().zip(&scenario.design.dists) {
        let (lo, hi) = prior_range(&dist.shape, dist.min, dist.max);
        let mut d = Table::new();
        d.insert("dist".into(), Value::String("normal".into()));
        d.insert("mean".into(), Value::Float(s.mean));
        d.insert("sd".into(), Value::Float(s.sd.max(f64::MIN_POSITIVE)));
        if let Some(lo) = lo {
            d.insert("min".into(), Value::Float(lo));
        }
        if let Some(hi) = hi {
            d.insert("max".into(), Value::Float(hi));
        }
        if dist.round {
            d.insert("round".into(), Value::Boolean(true));
        }
        insert_path(&mut table, &dist.path, Value::Table(d));
        sources.insert(
            dist.path.clone(),
            Value::String(format!(
                "calibrated: chosen by ABC-SMC ({} particles, {} generations, final tolerance \
                 {:.4}) to fit observations {} of {}; the posterior summarised as a normal with \
                 its mean and standard deviation{}; the weighted particles are in particles.csv",
                last.population.particles.len(),
                last.index,
                last.epsilon,
                ids.join(", "),
                opts.observations.display(),
                if lo.is_some() || hi.is_some() {
                    ", truncated to the prior's range"
                } else {
                    ""
                }
            )),
        );
    }
    table.insert("sources".into(), Value::Table(sources));
    format!(
        "# Made by boomtown calibrate: `{}` with its uncertain parameters' posteriors.\n# \
         Observations used to fit (they are no evidence of validity any more): {}.\n{}",
        scenario.name,
        ids.join(", "),
        toml::to_string(&table).unwrap_or_default()
    )
}

/// The range a prior gives its parameter: its bounds if it has any, and its
/// truncation.
fn prior_range(shape: &Shape, min: Option<f64>, max: Option<f64>) -> (Option<f64>, Option<f64>) {
    let (lo, hi) = match shape {
        Shape::Uniform { low, high }
        | Shape::Triangular { low, high, .. }
        | Shape::Beta { low, high, .. } => (Some(*low), Some(*high)),
        Shape::LogNormal { .. } => (Some(0.0), None),
        _ => (None, None),
    };
    (
        match (lo, min) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        },
        match (hi, max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        },
    )
}

/// Inserts a value at a dotted path, making the tables on the way.
fn insert_path(table: &mut Table, path: &str, value: Value) {
    let mut keys = path.split('.').peekable();
    let mut t = table;
    while let Some(key) = keys.next() {
        if keys.peek().is_none() {
            t.insert(key.to_string(), value);
            return;
        }
        t = t
            .entry(key.to_string())
            .or_insert_with(|| Value::Table(Table::new()))
            .as_table_mut()
            .expect("scenario paths name tables");
    }
}

fn markdown(
    scenario: &Scenario,
    opts: &CalibrateOptions,
    generations: &[Generation],
    summary: &[Summary],
    fit: &[(&Observation, [f64; 3], [f64; 3])],
    stopped: &str,
) -> String {
    let last = generations.last().expect("generation 0 always runs");
    let runs: usize = generations.iter().map(|g| g.proposed).sum();
    let mut md = format!(
        "# Calibration of `{}`\n\nABC-SMC over the scenario's {} uncertain parameters (their \
         distributions are the priors) against {} observations of {}: {} particles, {} \
         generations after the priors, {runs} runs. The last tolerance is {:.4} (the root mean \
         square of the observations' discrepancies, each in units of its own precision). It \
         stopped because: {stopped}.\n\n## Posterior\n\n| parameter | prior (5–95 %) | \
         posterior median | posterior 5–95 % | narrowed to |\n| --- | --- | --- | --- | --- |\n",
        scenario.name,
        summary.len(),
        fit.len(),
        opts.observations.display(),
        opts.particles,
        last.index,
        last.epsilon
    );
    for s in summary {
        let width = s.prior[1] - s.prior[0];
        let narrowed = if width > 0.0 {
            format!(
                "{:.0} % of the prior's",
                100.0 * (s.quantiles[2] - s.quantiles[0]) / width
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            md,
            "| `{}` | {:.4} to {:.4} | {:.4} | {:.4} to {:.4} | {narrowed} |",
            s.parameter, s.prior[0], s.prior[1], s.quantiles[1], s.quantiles[0], s.quantiles[2]
        );
    }
    md += "\n## Fit\n\nEach observation against the runs of the priors and of the posterior \
           (median and 5–95 % of the particles' runs).\n\n| observation | observed | priors | \
           posterior |\n| --- | --- | --- | --- |\n";
    for (o, prior, post) in fit {
        let observed = match (o.value, o.low, o.high) {
            (Some(v), Some(l), Some(h)) => format!("{v:.4} (tolerance {l:.4} to {h:.4})"),
            (Some(v), _, _) => format!("{v:.4}"),
            (None, Some(l), Some(h)) => format!("{l:.4} to {h:.4}"),
            (None, Some(l), None) => format!("above {l:.4}"),
            (None, None, Some(h)) => format!("below {h:.4}"),
            _ => String::new(),
        };
        let _ = writeln!(
            md,
            "| `{}` ({} at {}) | {observed} | {:.4} ({:.4} to {:.4}) | {:.4} ({:.4} to {:.4}) |",
            o.id, o.indicator, o.date, prior[1], prior[0], prior[2], post[1], post[0], post[2]
        );
    }
    md += "\n## How to read this\n\nThe posterior is what the observations, through the model, \
           say about the parameters within their priors; a posterior as wide as its prior means \
           the observations do not pin that parameter down. The observations used here were \
           used to fit: they are no evidence that the model is valid. `calibrated.toml` runs \
           the scenario with the posterior's marginals (`boomtown run calibrated.toml`); the \
           joint posterior, with its correlations, is the last generation of `particles.csv` \
           with its weights.\n";
    md
}
