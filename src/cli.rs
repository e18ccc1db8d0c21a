//! The command line: arguments as clap reads them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use boomtown::scenario::Override;

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
        scenarios: Vec<String>,
        /// Override a scenario key, e.g. `--set simulation.years=10` (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<Override>,
    },
    /// Run a scenario and write its outputs.
    Run(RunArgs),
}

/// Options of `boomtown run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario name (see `boomtown list`) or path to a .toml file.
    pub scenario: String,
    /// Master seed (default: the scenario's `simulation.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of replicates (default: the scenario's `simulation.replicates`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub replicates: Option<u32>,
    /// Output folder (default: `output/<scenario name>`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a scenario key, e.g. `--set simulation.start=2010-01` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<Override>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}
