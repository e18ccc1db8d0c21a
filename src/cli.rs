//! The command line: arguments as clap reads them. Parsing checks every value's
//! form and range; `main` dispatches the parsed command.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::batch::Shard;
use crate::scenario::Override;

/// boomtown: what a mining city becomes when its resource runs out, and what policy
/// can change about it.
#[derive(Debug, Parser)]
#[command(name = "boomtown", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the named scenarios, one line each.
    List,
    /// Validate scenarios and print each one resolved (defaults and parents merged).
    Check {
        /// Scenario names or paths to .toml files.
        #[arg(required = true)]
        scenarios: Vec<OsString>,
        /// Override a scenario key, e.g. `--set simulation.years=10` (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<Override>,
    },
    /// Show every parameter of a scenario, its value and its source.
    Explain {
        /// Scenario name or path.
        scenario: OsString,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Override a scenario key, e.g. `--set simulation.years=10` (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<Override>,
    },
    /// Run a scenario's Monte Carlo batch and write its outputs.
    Run(RunArgs),
    /// Run several scenarios with the same seed and options, and compare them.
    Compare(CompareArgs),
    /// Run a guided lesson (see `lessons/`) and open its report; with no number,
    /// list the lessons.
    Lesson(LessonArgs),
    /// Run the city scenarios and set them against the observed data that ship
    /// with boomtown (or a file of your own): validation.csv, a chart and a report.
    Validate(ValidateArgs),
    /// Which of a scenario's uncertain parameters drive which outputs: Morris
    /// screening or Sobol indices over the scenario's distributions.
    Sensitivity(SensitivityArgs),
    /// Fit a scenario's uncertain parameters to observed figures by approximate
    /// Bayesian computation (ABC-SMC); writes the posterior and a calibrated scenario.
    Calibrate(CalibrateArgs),
    /// Combine the output folders of the shards of one batch.
    Merge {
        /// The shards' output folders, in any order.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder of the merged batch.
        #[arg(long, required = true)]
        out: PathBuf,
        /// Write the data files only, no charts.
        #[arg(long)]
        no_charts: bool,
        /// Replace an existing output of another batch (only ever a boomtown output).
        #[arg(long)]
        force: bool,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Start the live classroom: a local web app in which a class picks a
    /// scenario or a lesson, moves its levers and watches the city re-run.
    Serve(ServeArgs),
}

/// Options of `boomtown serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (default: a free one, printed at start).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Do not open the app in the browser.
    #[arg(long)]
    pub no_open: bool,
    /// Worker threads of each run (default: all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Runs simulated at the same time (for several tabs or students); more wait their turn.
    #[arg(long, default_value_t = 2, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub runs_at_once: u32,
}

/// Options of `boomtown validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Observations file (default: the shipped `seeds/observations.csv`).
    #[arg(long)]
    pub observations: Option<PathBuf>,
    /// Master seed, the same for every scenario (default: each scenario's own).
    #[arg(long, allow_negative_numbers = true, value_parser = seed)]
    pub seed: Option<u64>,
    /// Replicates of each scenario.
    #[arg(long, default_value_t = 10, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub replicates: u32,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Output folder (default: `output/validation`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a key in every scenario, e.g. `--set population.size=20000` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<Override>,
    /// Replace an existing output of other settings (only ever a boomtown output).
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors (no progress bar).
    #[arg(long)]
    pub quiet: bool,
}

/// Options of `boomtown calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Scenario name or path; its distributions are the priors.
    pub scenario: OsString,
    /// Observations file in the format of `seeds/observations.csv`; its rows
    /// that name the scenario are the data.
    #[arg(long, required = true)]
    pub observations: PathBuf,
    /// Particles per generation.
    #[arg(long, default_value_t = 200, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=100000))]
    pub particles: u32,
    /// Most generations after the draws from the priors.
    #[arg(long, default_value_t = 6, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub generations: u32,
    /// Quantile of a generation's distances that sets the next tolerance.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub quantile: f64,
    /// Stop when fewer candidates than this share come within tolerance.
    #[arg(long, default_value_t = 0.02, allow_negative_numbers = true)]
    pub min_acceptance: f64,
    /// Options shared with `run` and `sensitivity` (`--shard` is refused: the
    /// generations depend on each other; `--resume` continues from the last
    /// finished generation).
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Designs of `boomtown run --design`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DesignChoice {
    /// Each replicate draws each uncertain parameter independently.
    Independent,
    /// The replicates form a Latin hypercube (`simulation.design = "latin_hypercube"`).
    Lhs,
}

/// Methods of `boomtown sensitivity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SensitivityMethod {
    /// Morris elementary effects (mu*, sigma): screening, r (k + 1) runs.
    Morris,
    /// Sobol first-order and total indices (Saltelli design): N (k + 2) runs.
    Sobol,
}

/// Options of `boomtown sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario name or path; its distributions define the parameters studied.
    pub scenario: OsString,
    /// The analysis.
    #[arg(long, value_enum)]
    pub method: SensitivityMethod,
    /// Base samples (sobol: N, a power of two is best) or trajectories (morris: r)
    /// [default: 256 for sobol, 20 for morris].
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub samples: Option<u32>,
    /// Grid levels of the Morris design (an even number).
    #[arg(long, default_value_t = 4, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(2..=100))]
    pub levels: u32,
    /// Output to analyse (repeatable): `METRIC:STAT` with a column of
    /// timeseries.csv and STAT one of end, peak, min, mean, change or a date
    /// YYYY-MM, or a scorecard indicator [default: population:change,
    /// unemployment_rate:peak, youth_unemployment_rate:peak, earnings_loss_years].
    #[arg(long = "output", value_name = "OUTPUT")]
    pub outputs: Vec<String>,
    /// Runs of each design point, averaged, with the same seeds at every point.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub replicates: u32,
    /// Bootstrap resamples for the intervals.
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=100000))]
    pub resamples: u32,
    /// Options shared with `run` and `calibrate` (`--shard` runs a slice of the
    /// design's runs; `boomtown merge` combines the slices into the analysis).
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options of every command that runs one scenario's model into one output
/// folder (`run`, `sensitivity`, `calibrate`).
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Master seed (default: the scenario's `simulation.seed`).
    #[arg(long, allow_negative_numbers = true, value_parser = seed)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Run only the K-th of N slices of the model runs (for job arrays), e.g.
    /// `--shard 3/10`; `boomtown merge` combines the slices (`run` and
    /// `sensitivity`: a calibration's generations cannot be split).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Output folder (default: `output/<scenario name>`, with `-morris`, `-sobol`
    /// or `-calibration` appended for an analysis).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a scenario key, e.g. `--set simulation.start=2010-01` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<Override>,
    /// Finish work that was interrupted, keeping what it finished.
    #[arg(long)]
    pub resume: bool,
    /// Replace an existing output, or discard interrupted work, of other
    /// settings (only ever a boomtown output; never any other folder).
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors (no progress bar).
    #[arg(long)]
    pub quiet: bool,
}

/// Output formats of `boomtown explain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table to read.
    Table,
    /// CSV, one row per parameter.
    Csv,
}

/// Options of `boomtown compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more scenario names or paths (with `--from`, output folders of
    /// `boomtown run`).
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<OsString>,
    /// Compare finished runs instead of running: the arguments are the output
    /// folders of earlier `boomtown run`s (same seed and replicates), and nothing
    /// is run again.
    #[arg(long, conflicts_with_all = ["seed", "replicates", "overrides", "threads"])]
    pub from: bool,
    /// Write the data files and reports only, no charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Options shared with `boomtown lesson`.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// Options of a batch of several scenarios run alike (`compare`, `lesson`).
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Master seed, the same for every scenario (default: the first scenario's).
    #[arg(long, allow_negative_numbers = true, value_parser = seed)]
    pub seed: Option<u64>,
    /// Replicates of each scenario (default: the first scenario's `simulation.replicates`).
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub replicates: Option<u32>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Output folder (default: `output/compare-A-vs-B`, or `output/lesson-N`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a key in every scenario, e.g. `--set population.size=20000` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<Override>,
    /// Replace an existing output of other settings (only ever a boomtown output).
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors (no progress bar).
    #[arg(long)]
    pub quiet: bool,
}

/// Options of `boomtown lesson`.
#[derive(Debug, Args)]
pub struct LessonArgs {
    /// The lesson's number (omit it to list the lessons).
    pub number: Option<u32>,
    /// Options of the lesson's batch.
    #[command(flatten)]
    pub batch: BatchArgs,
    /// Do not open the report in a browser.
    #[arg(long)]
    pub no_open: bool,
}

/// Options of `boomtown run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario name (see `boomtown list`) or path to a .toml file.
    pub scenario: OsString,
    /// Replicates per configuration (default: the scenario's `simulation.replicates`);
    /// `--samples` is the same, the usual word for a Latin hypercube.
    #[arg(long, visible_alias = "samples", allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub replicates: Option<u32>,
    /// How replicates choose the scenario's uncertain parameters: independent
    /// draws, or a Latin hypercube over all of them (default: the scenario's
    /// `simulation.design`).
    #[arg(long, value_enum)]
    pub design: Option<DesignChoice>,
    /// Sweep a scenario key over values, e.g. `--sweep labour.search_probability=0.2,0.3`
    /// (repeatable; one configuration per combination).
    #[arg(long = "sweep", value_name = "KEY=V1,V2,...", value_parser = Override::parse_sweep)]
    pub sweeps: Vec<Override>,
    /// Write the data files only, no charts (faster for large sweeps and shards).
    #[arg(long)]
    pub no_charts: bool,
    /// Options shared with `sensitivity` and `calibrate`.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Feeds arbitrary bytes through everything that reads user input about a
/// scenario: the first line as a `--set`, `--sweep` and `--shard` argument, the
/// rest as a scenario file. Used by the fuzz target and its regression tests; it
/// must never panic, whatever the bytes.
pub fn exercise_scenario(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let _ = first.parse::<Shard>();
    let set: Vec<Override> = first.parse::<Override>().ok().into_iter().collect();
    let sweep: Vec<Override> = Override::parse_sweep(first).ok().into_iter().collect();
    for overrides in [&set, &sweep] {
        if let Ok(s) = crate::scenario::load_text("fuzz.toml", rest, overrides) {
            let _ = s.resolved_toml(s.seed, s.replicates);
            for c in 0..s.configurations().min(4) {
                let _ = s.job(c, 0, 1);
            }
        }
    }
}

/// Feeds arbitrary bytes through everything that reads the command line: the
/// bytes, split at NUL, are the arguments (not necessarily UTF-8); a parsed
/// command's output folder goes through the checks of [`OutputPath`] and the
/// paths derived from it, and an error message through [`printable`]. Used by the
/// `arguments` fuzz target and its regression tests; it must never panic, and it
/// writes nothing.
///
/// [`OutputPath`]: crate::output::folder::OutputPath
/// [`printable`]: crate::error::printable
pub fn exercise(data: &[u8]) {
    use clap::Parser;
    let args = std::iter::once(std::ffi::OsString::from("boomtown"))
        .chain(data.split(|&b| b == 0).map(os_string));
    let out = match Cli::try_parse_from(args) {
        Ok(cli) => match cli.command {
            Command::Run(run) => run.common.out,
            Command::Sensitivity(s) => s.common.out,
            Command::Calibrate(c) => c.common.out,
            Command::Compare(c) => c.batch.out,
            Command::Lesson(l) => l.batch.out,
            Command::Merge { out, .. } => Some(out),
            Command::Validate(v) => v.out,
            _ => None,
        },
        Err(e) => {
            let _ = crate::error::printable(&e.render().to_string());
            None
        }
    };
    if let Some(out) = out {
        match crate::output::folder::OutputPath::new(&out) {
            Ok(path) => {
                let _ = (path.name(), path.parent(), path.to_string());
                let _ = crate::output::partial::partial_dir(&path);
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
    let _ = crate::output::folder::Marker::parse(&String::from_utf8_lossy(data));
}

#[cfg(unix)]
fn os_string(bytes: &[u8]) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes).to_os_string()
}

#[cfg(not(unix))]
fn os_string(bytes: &[u8]) -> std::ffi::OsString {
    String::from_utf8_lossy(bytes).into_owned().into()
}

/// A master seed: a whole number from 0 to `i64::MAX` (the range TOML can hold,
/// so that `scenario.toml` reproduces the batch), with the range in the message
/// for anything else, negative numbers included.
fn seed(text: &str) -> Result<u64, String> {
    match text.trim().parse::<i128>() {
        Ok(n) if (0..=i64::MAX as i128).contains(&n) => Ok(n as u64),
        _ => Err(format!(
            "expected a whole number from 0 to {}, found `{text}`",
            i64::MAX
        )),
    }
}
