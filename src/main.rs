//! The `boomtown` command. Parses arguments, dispatches, and is the only place
//! that prints errors and chooses the exit code (0 success, 2 bad input, 1 other).

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use clap::Parser;

use boomtown::error::Error;
use boomtown::output::{RunInfo, write_run};
use boomtown::run::run_batch;
use boomtown::scenario::{self, source};
use cli::{Cli, Command, RunArgs};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap uses 0 for --help and --version, 2 for usage errors.
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("boomtown: error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn dispatch(command: Command) -> Result<(), Error> {
    match command {
        Command::List => {
            list();
            Ok(())
        }
        Command::Check {
            scenarios,
            overrides,
        } => check(&scenarios, &overrides),
        Command::Run(args) => run(args),
    }
}

fn list() {
    let names = source::builtin_names();
    let width = names.iter().map(|n| n.name.len()).max().unwrap_or(0);
    for n in names {
        let first_line = n.description.lines().next().unwrap_or("").trim();
        println!("{:width$}  {}", n.name, first_line);
    }
}

fn check(scenarios: &[String], overrides: &[scenario::Override]) -> Result<(), Error> {
    // Validate all first, so a bad one is reported before anything is printed.
    let loaded = scenarios
        .iter()
        .map(|s| scenario::load(s, overrides))
        .collect::<Result<Vec<_>, _>>()?;
    for s in loaded {
        println!("{}", s.resolved_toml());
        eprintln!("boomtown: {} is valid", s.name);
    }
    Ok(())
}

fn run(args: RunArgs) -> Result<(), Error> {
    let started = SystemTime::now();
    let scenario = scenario::load(&args.scenario, &args.overrides)?;
    let seed = args.seed.unwrap_or(scenario.seed);
    let replicates = args.replicates.unwrap_or(scenario.replicates);
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
    let quiet = args.quiet;
    let batch = run_batch(&scenario, seed, replicates, |r| {
        if !quiet {
            eprintln!("boomtown: replicate {} of {replicates} done", r + 1);
        }
    });
    let command: Vec<String> = std::env::args().collect();
    let info = RunInfo {
        command: &command,
        seed,
        replicates,
        started,
    };
    let written = write_run(&out, &scenario, &info, &batch)?;
    if !quiet {
        println!(
            "boomtown: {} ({} replicate{}, {} months) written to {}",
            scenario.name,
            replicates,
            if replicates == 1 { "" } else { "s" },
            scenario.params.horizon.months,
            written.display()
        );
    }
    Ok(())
}
