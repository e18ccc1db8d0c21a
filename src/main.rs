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
use boomtown::explain::Kind;
use boomtown::lessons::Lesson;
use boomtown::run::{Progress, RunOptions};
use boomtown::scenario::{self, source};
use cli::{BatchArgs, Cli, Command, CompareArgs, Format, LessonArgs, RunArgs};

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
        Command::Explain {
            scenario,
            format,
            overrides,
        } => explain(&scenario, format, &overrides),
        Command::Run(args) => run(args, None).map(|_| ()),
        Command::Compare(args) => compare(args, None).map(|_| ()),
        Command::Lesson(args) => lesson(args),
        Command::Merge {
            dirs,
            out,
            no_charts,
            quiet,
        } => {
            let command: Vec<String> = std::env::args().collect();
            let written = boomtown::merge::merge(&dirs, &out, &command, !no_charts)?;
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

fn explain(reference: &str, format: Format, overrides: &[scenario::Override]) -> Result<(), Error> {
    let s = scenario::load(reference, overrides)?;
    let rows = boomtown::explain::explain(&s);
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let header = [
                "parameter",
                "value",
                "set_in",
                "source_kind",
                "source",
                "facts",
            ];
            let write_err =
                |e: csv::Error| Error::Usage(format!("writing to standard output: {e}"));
            w.write_record(header).map_err(write_err)?;
            for r in &rows {
                w.write_record([
                    r.parameter.as_str(),
                    r.value.as_str(),
                    &r.set_in.to_string(),
                    r.kind.name(),
                    r.source.as_str(),
                    &boomtown::explain::facts_text(r),
                ])
                .map_err(write_err)?;
            }
            w.flush()
                .map_err(|e| Error::io("writing", "standard output", e))?;
        }
        Format::Table => {
            println!("{}: {}\n", s.name, s.description);
            let width = rows.iter().map(|r| r.parameter.len()).max().unwrap_or(0);
            for r in &rows {
                println!("{:width$}  = {}", r.parameter, r.value);
                println!("{:width$}    set in {}", "", r.set_in);
                match r.kind {
                    Kind::Missing => println!("{:width$}    no source for this value", ""),
                    Kind::Definition => println!("{:width$}    (definition of the scenario)", ""),
                    _ => println!("{:width$}    {}", "", r.source),
                }
                for f in &r.facts {
                    println!(
                        "{:width$}      fact {} = {} {} [{}] ({})",
                        "", f.id, f.value, f.unit, f.article, f.context
                    );
                }
            }
            let counts: Vec<String> = boomtown::explain::tally(&rows)
                .into_iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            println!("\n{} parameters: {}", rows.len(), counts.join(", "));
        }
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn run(args: RunArgs, lesson: Option<Lesson>) -> Result<PathBuf, Error> {
    let overrides: Vec<scenario::Override> =
        args.overrides.into_iter().chain(args.sweeps).collect();
    let scenario = scenario::load(&args.scenario, &overrides)?;
    let opts = RunOptions {
        seed: args.seed.unwrap_or(scenario.seed),
        replicates: args.replicates.unwrap_or(scenario.replicates),
        threads: threads(args.threads),
        shard: args.shard,
        out: args
            .out
            .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name)),
        resume: args.resume,
        charts: !args.no_charts,
        command: std::env::args().collect(),
        lesson,
    };
    let quiet = args.quiet;
    install_stop_handler(quiet);
    let bar = progress_bar(quiet);
    let report = boomtown::run::run(&scenario, &opts, &STOP, &|event| advance(&bar, event));
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
    Ok(report.out)
}

fn compare(args: CompareArgs, lesson: Option<Lesson>) -> Result<PathBuf, Error> {
    let CompareArgs {
        scenarios,
        batch: args,
    } = args;
    let scenarios = scenarios
        .iter()
        .map(|s| scenario::load(s, &args.overrides))
        .collect::<Result<Vec<_>, _>>()?;
    let first = &scenarios[0];
    let opts = RunOptions {
        seed: args.seed.unwrap_or(first.seed),
        replicates: args.replicates.unwrap_or(first.replicates),
        threads: threads(args.threads),
        shard: None,
        out: args
            .out
            .unwrap_or_else(|| boomtown::compare::default_out(&scenarios)),
        resume: false,
        charts: true,
        command: std::env::args().collect(),
        lesson,
    };
    install_stop_handler(args.quiet);
    let bar = progress_bar(args.quiet);
    let written = boomtown::compare::compare(&scenarios, &opts, &STOP, &|name, event| {
        bar.set_message(name.to_string());
        advance(&bar, event)
    });
    bar.finish_and_clear();
    let written = written?;
    if !args.quiet {
        println!(
            "boomtown: compared {} scenarios ({} replicates each, seed {}) in {}",
            scenarios.len(),
            opts.replicates,
            opts.seed,
            written.display()
        );
    }
    Ok(written)
}

/// Lists the lessons, or runs one and opens its report.
fn lesson(args: LessonArgs) -> Result<(), Error> {
    let LessonArgs {
        number,
        batch: args,
        no_open,
    } = args;
    let Some(number) = number else {
        for l in boomtown::lessons::lessons()? {
            println!("{:2}  {}  ({})", l.number, l.title, l.command());
        }
        println!("\nRun one with `boomtown lesson N`; its text is in lessons/ of the source.");
        return Ok(());
    };
    let mut lesson = boomtown::lessons::lesson(number)?;
    // The options that change the results, so that the report names the exact
    // equivalent command.
    lesson.options = args
        .seed
        .map(|s| format!("--seed {s}"))
        .into_iter()
        .chain(args.replicates.map(|r| format!("--replicates {r}")))
        .chain(args.overrides.iter().map(|o| format!("--set {}", o.arg)))
        .chain(args.out.as_ref().map(|o| format!("--out {}", o.display())))
        .collect();
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(lesson.default_out()));
    if !args.quiet {
        println!(
            "Lesson {}: {}\n  {}",
            lesson.number,
            lesson.title,
            lesson.command()
        );
    }
    let written = if lesson.scenarios.len() == 1 {
        run(
            RunArgs {
                scenario: lesson.scenarios[0].clone(),
                seed: args.seed,
                replicates: args.replicates,
                threads: args.threads,
                shard: None,
                out: Some(out),
                overrides: args.overrides,
                sweeps: Vec::new(),
                resume: false,
                no_charts: false,
                quiet: args.quiet,
            },
            Some(lesson),
        )?
    } else {
        compare(
            CompareArgs {
                scenarios: lesson.scenarios.clone(),
                batch: BatchArgs {
                    out: Some(out),
                    ..args
                },
            },
            Some(lesson),
        )?
    };
    let report = written.join(boomtown::report::REPORT);
    // Open the report only for a person at a terminal.
    let opened =
        !no_open && std::io::stdout().is_terminal() && open::that_detached(&report).is_ok();
    if !args.quiet {
        if opened {
            println!("boomtown: opened {}", report.display());
        } else {
            println!("boomtown: open {} in a browser", report.display());
        }
    }
    Ok(())
}

fn threads(requested: Option<u32>) -> usize {
    requested
        .map(|t| t as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Ctrl-C stops the batch after the replicates in progress; a second one aborts.
fn install_stop_handler(quiet: bool) {
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
}

fn advance(bar: &ProgressBar, event: Progress) {
    match event {
        Progress::Start { total, done } => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.reset_eta();
        }
        Progress::JobDone => bar.inc(1),
    }
}

/// A progress bar on standard error when it is a terminal and not `--quiet`.
fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} replicates  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
