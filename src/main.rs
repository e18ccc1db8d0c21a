//! The `boomtown` command. Parses arguments, dispatches, and is the only place
//! that prints errors and chooses the exit code (0 success, 2 bad input, 1 other
//! failures, 130 when interrupted).

mod cli;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use boomtown::error::Error;
use boomtown::run::{Progress, RunOptions};
use boomtown::scenario::{self, source};
use cli::{Cli, Command, RunArgs};

/// Raised by Ctrl-C: workers finish the replicates in progress and start no more.
static STOP: AtomicBool = AtomicBool::new(false);

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
        Command::Merge { dirs, out, quiet } => {
            let command: Vec<String> = std::env::args().collect();
            let written = boomtown::merge::merge(&dirs, &out, &command)?;
            if !quiet {
                println!(
                    "boomtown: merged {} shards into {}",
                    dirs.len(),
                    written.display()
                );
            }
            Ok(())
        }
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
        println!("{}", s.resolved_toml(s.seed, s.replicates));
        eprintln!(
            "boomtown: {} is valid ({} configuration{}, {} uncertain parameter{})",
            s.name,
            s.configurations(),
            plural(s.configurations()),
            s.design.dists.len(),
            plural(s.design.dists.len())
        );
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn run(args: RunArgs) -> Result<(), Error> {
    let overrides: Vec<scenario::Override> =
        args.overrides.into_iter().chain(args.sweeps).collect();
    let scenario = scenario::load(&args.scenario, &overrides)?;
    let threads = args
        .threads
        .map(|t| t as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let opts = RunOptions {
        seed: args.seed.unwrap_or(scenario.seed),
        replicates: args.replicates.unwrap_or(scenario.replicates),
        threads,
        shard: args.shard,
        out: args
            .out
            .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name)),
        resume: args.resume,
        command: std::env::args().collect(),
    };
    let quiet = args.quiet;
    let _ = ctrlc::set_handler(move || {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        if !quiet {
            eprintln!(
                "\nboomtown: stopping after the replicates in progress (Ctrl-C again to abort)"
            );
        }
    });
    let bar = progress_bar(quiet);
    let report = boomtown::run::run(&scenario, &opts, &STOP, &|event| match event {
        Progress::Start { total, done } => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.reset_eta();
        }
        Progress::JobDone => bar.inc(1),
    });
    bar.finish_and_clear();
    let report = report?;
    if !quiet {
        println!(
            "boomtown: {} ({} replicate{} x {} configuration{}) written to {}",
            scenario.name,
            opts.replicates,
            plural(opts.replicates as usize),
            scenario.configurations(),
            plural(scenario.configurations()),
            report.out.display()
        );
    }
    Ok(())
}

/// A progress bar on standard error when it is a terminal and not `--quiet`.
fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} replicates  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
