//! The `boomtown` command. Parses arguments, dispatches, and is the only place
//! that prints errors and chooses the exit code (0 success, 2 bad input, 1 other
//! failures, 130 when interrupted).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use boomtown::cli::{
    BatchArgs, CalibrateArgs, Cli, Command, CommonArgs, CompareArgs, DesignChoice, Format,
    LessonArgs, RunArgs, SensitivityArgs, SensitivityMethod, ValidateArgs,
};
use boomtown::commands::run::{Progress, RunOptions};
use boomtown::error::Error;
use boomtown::explain::Kind;
use boomtown::lessons::Lesson;
use boomtown::scenario::{self, source};

/// Raised by Ctrl-C: workers finish the replicates in progress and start no more.
static STOP: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    if let Some(message) = argument_with_control_character() {
        let _ = std::io::stderr().write_all(message.as_bytes());
        return ExitCode::from(2);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // clap uses 0 for --help and --version, 2 for usage errors.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
        Err(e) => {
            // The message quotes the arguments: shown, never obeyed.
            let text = boomtown::error::printable(&e.render().to_string());
            let _ = std::io::stderr().write_all(text.as_bytes());
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped reading (`boomtown explain ... | head`) is not a
        // failure: end quietly.
        Err(Error::Stdout(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            // Keys and paths in messages come from the user: shown, never obeyed.
            let text = format!(
                "boomtown: error: {}\n",
                boomtown::error::printable_line(&e.to_string())
            );
            let _ = std::io::stderr().write_all(text.as_bytes());
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// An argument with a control character (a line break, an escape sequence)
/// could fake or hide lines where a message quotes it: such arguments are
/// refused, before any parsing, with the argument shown escaped.
fn argument_with_control_character() -> Option<String> {
    std::env::args_os()
        .enumerate()
        .skip(1)
        .find_map(|(i, arg)| {
            let text = arg.to_string_lossy();
            text.chars().any(char::is_control).then(|| {
                let shown: String = text.chars().take(200).collect();
                format!(
                    "boomtown: error: invalid argument: argument {i} contains a control character \
                 (a line break, tab or escape sequence): {}\n",
                    boomtown::error::printable(&shown.replace('\n', "\\n").replace('\t', "\\t"))
                )
            })
        })
}

/// Writes text to standard output; a failure (a full disk, a closed pipe) is an
/// error, never a panic.
fn emit(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Stdout)
}

/// A line of news on standard error (a closed standard error is ignored).
fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{}", boomtown::error::printable(text));
}

/// The command line as given, for manifests (arguments that are not UTF-8 are
/// shown with replacement characters).
fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

fn dispatch(command: Command) -> Result<(), Error> {
    match command {
        Command::List => list(),
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
        Command::Validate(args) => validate(args),
        Command::Sensitivity(args) => sensitivity(args),
        Command::Calibrate(args) => calibrate(args),
        Command::Serve(args) => serve(args),
        Command::Merge {
            dirs,
            out,
            no_charts,
            force,
            quiet,
        } => {
            let replace = if force {
                boomtown::output::folder::Replace::AnyOutput
            } else {
                boomtown::output::folder::Replace::SameBatch
            };
            let written = boomtown::commands::merge::merge(
                &dirs,
                &out,
                &command_line(),
                !no_charts,
                replace,
            )?;
            if !quiet {
                emit(&format!(
                    "boomtown: merged {} shards into {}\n",
                    dirs.len(),
                    written.display()
                ))?;
            }
            Ok(())
        }
    }
}

fn list() -> Result<(), Error> {
    let names = source::builtin_names();
    let width = names.iter().map(|n| n.name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for n in names {
        let first_line = n.description.lines().next().unwrap_or("").trim();
        text += &format!("{:width$}  {}\n", n.name, first_line);
    }
    emit(&text)
}

fn check(scenarios: &[std::ffi::OsString], overrides: &[scenario::Override]) -> Result<(), Error> {
    // Validate all first, so a bad one is reported before anything is printed.
    let loaded = scenarios
        .iter()
        .map(|s| scenario::load_os(s, overrides))
        .collect::<Result<Vec<_>, _>>()?;
    for s in loaded {
        emit(&format!("{}\n", s.resolved_toml(s.seed, s.replicates)))?;
        note(&format!(
            "boomtown: {} is valid ({} configuration{}, {} uncertain parameter{})",
            s.name,
            s.configurations(),
            plural(s.configurations()),
            s.design.dists.len(),
            plural(s.design.dists.len())
        ));
    }
    Ok(())
}

fn explain(
    reference: &std::ffi::OsStr,
    format: Format,
    overrides: &[scenario::Override],
) -> Result<(), Error> {
    let s = scenario::load_os(reference, overrides)?;
    let rows = boomtown::explain::explain(&s);
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let header = [
                "parameter",
                "value",
                "set_in",
                "source_kind",
                "source",
                "facts",
            ];
            let write_err = |e: csv::Error| Error::Stdout(e.into());
            w.write_record(header).map_err(write_err)?;
            for r in &rows {
                w.write_record([
                    r.parameter.as_str(),
                    r.plain.as_str(),
                    &r.set_in.to_string(),
                    r.kind.name(),
                    r.source.as_str(),
                    &boomtown::explain::facts_text(r),
                ])
                .map_err(write_err)?;
            }
            let bytes = w.into_inner().map_err(|e| Error::Stdout(e.into_error()))?;
            emit(&String::from_utf8_lossy(&bytes))
        }
        Format::Table => {
            use std::fmt::Write as _;
            let mut t = format!("{}: {}\n\n", s.name, s.description);
            let width = rows.iter().map(|r| r.parameter.len()).max().unwrap_or(0);
            for r in &rows {
                let _ = writeln!(t, "{:width$}  = {}", r.parameter, r.value);
                let _ = writeln!(t, "{:width$}    set in {}", "", r.set_in);
                let _ = match r.kind {
                    Kind::Missing => writeln!(t, "{:width$}    no source for this value", ""),
                    Kind::Definition if r.source.is_empty() => {
                        writeln!(t, "{:width$}    (definition of the scenario)", "")
                    }
                    _ => writeln!(t, "{:width$}    {}", "", r.source),
                };
                for f in &r.facts {
                    let _ = writeln!(
                        t,
                        "{:width$}      fact {} = {} {} [{}] ({})",
                        "",
                        f.id,
                        f.value,
                        f.unit,
                        f.article_label(),
                        f.context
                    );
                }
            }
            let counts: Vec<String> = boomtown::explain::tally(&rows)
                .into_iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            let _ = writeln!(t, "\n{} parameters: {}", rows.len(), counts.join(", "));
            // Descriptions and sources come from scenario files: shown, never obeyed.
            emit(&boomtown::error::printable(&t))
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn run(args: RunArgs, lesson: Option<Lesson>) -> Result<PathBuf, Error> {
    let design = args.design.map(|d| {
        let value = match d {
            DesignChoice::Independent => "independent",
            DesignChoice::Lhs => "latin_hypercube",
        };
        format!("simulation.design={value}")
            .parse::<scenario::Override>()
            .expect("a design override parses")
    });
    let common = args.common;
    let overrides: Vec<scenario::Override> = common
        .overrides
        .into_iter()
        .chain(args.sweeps)
        .chain(design)
        .collect();
    let scenario = scenario::load_os(&args.scenario, &overrides)?;
    let opts = RunOptions {
        seed: common.seed.unwrap_or(scenario.seed),
        replicates: args.replicates.unwrap_or(scenario.replicates),
        threads: threads(common.threads),
        shard: common.shard,
        out: common
            .out
            .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name)),
        resume: common.resume,
        force: common.force,
        charts: !args.no_charts,
        command: command_line(),
        lesson,
    };
    let quiet = common.quiet;
    install_stop_handler(quiet);
    let bar = progress_bar(quiet);
    let report =
        boomtown::commands::run::run(&scenario, &opts, &STOP, &|event| advance(&bar, event));
    bar.finish_and_clear();
    let report = report?;
    if !quiet {
        emit(&format!(
            "boomtown: {} ({} replicate{} x {} configuration{}) written to {}\n",
            scenario.name,
            opts.replicates,
            plural(opts.replicates as usize),
            scenario.configurations(),
            plural(scenario.configurations()),
            report.out.display()
        ))?;
    }
    Ok(report.out)
}

fn compare(args: CompareArgs, lesson: Option<Lesson>) -> Result<PathBuf, Error> {
    let CompareArgs {
        scenarios,
        from,
        no_charts,
        batch: args,
    } = args;
    if from {
        return compare_folders(&scenarios, no_charts, args);
    }
    let scenarios = scenarios
        .iter()
        .map(|s| scenario::load_os(s, &args.overrides))
        .collect::<Result<Vec<_>, _>>()?;
    let first = &scenarios[0];
    let opts = RunOptions {
        seed: args.seed.unwrap_or(first.seed),
        replicates: args.replicates.unwrap_or(first.replicates),
        threads: threads(args.threads),
        shard: None,
        out: args
            .out
            .unwrap_or_else(|| boomtown::commands::compare::default_out(&scenarios)),
        resume: false,
        force: args.force,
        charts: !no_charts,
        command: command_line(),
        lesson,
    };
    install_stop_handler(args.quiet);
    let bar = progress_bar(args.quiet);
    let written = boomtown::commands::compare::compare(&scenarios, &opts, &STOP, &|name, event| {
        bar.set_message(name.to_string());
        advance(&bar, event)
    });
    bar.finish_and_clear();
    let written = written?;
    if !args.quiet {
        emit(&format!(
            "boomtown: compared {} scenarios ({} replicates each, seed {}) in {}\n",
            scenarios.len(),
            opts.replicates,
            opts.seed,
            written.display()
        ))?;
    }
    Ok(written)
}

/// Compares the outputs of earlier runs (`compare --from`), running nothing.
fn compare_folders(
    dirs: &[std::ffi::OsString],
    no_charts: bool,
    args: BatchArgs,
) -> Result<PathBuf, Error> {
    let dirs: Vec<PathBuf> = dirs.iter().map(PathBuf::from).collect();
    let names: Vec<String> = dirs
        .iter()
        .map(|d| {
            d.file_name()
                .map_or_else(|| "run".into(), |n| n.to_string_lossy().into_owned())
        })
        .collect();
    let opts = RunOptions {
        seed: 0,
        replicates: 0,
        threads: 1,
        shard: None,
        out: args.out.unwrap_or_else(|| {
            PathBuf::from("output").join(format!("compare-{}", names.join("-vs-")))
        }),
        resume: false,
        force: args.force,
        charts: !no_charts,
        command: command_line(),
        lesson: None,
    };
    let written = boomtown::commands::compare::compare_folders(&dirs, &opts)?;
    if !args.quiet {
        emit(&format!(
            "boomtown: compared {} runs in {}\n",
            dirs.len(),
            written.display()
        ))?;
    }
    Ok(written)
}

/// Runs the observed scenarios and sets them against the observations.
fn validate(args: ValidateArgs) -> Result<(), Error> {
    let opts = boomtown::commands::validate::ValidateOptions {
        seed: args.seed,
        replicates: args.replicates,
        threads: threads(args.threads),
        out: args
            .out
            .unwrap_or_else(|| PathBuf::from("output").join("validation")),
        force: args.force,
        overrides: args.overrides,
        observations: args.observations,
        command: command_line(),
    };
    install_stop_handler(args.quiet);
    let bar = progress_bar(args.quiet);
    let report = boomtown::commands::validate::validate(&opts, &STOP, &|name, event| {
        bar.set_message(name.to_string());
        advance(&bar, event)
    });
    bar.finish_and_clear();
    let report = report?;
    if !args.quiet {
        emit(&format!(
            "boomtown: {}\nboomtown: validation written to {}\n",
            boomtown::validation::verdict_text(&report.verdict),
            report.out.display()
        ))?;
    }
    Ok(())
}

fn calibrate(args: CalibrateArgs) -> Result<(), Error> {
    use boomtown::commands::calibrate as cal;
    let Some(reference) = args.scenario.to_str().map(str::to_string) else {
        return Err(Error::Usage(format!(
            "the scenario path {} is not valid Unicode; rename it",
            args.scenario.to_string_lossy()
        )));
    };
    let common = args.common;
    if let Some(shard) = common.shard {
        return Err(Error::Usage(format!(
            "--shard {shard}: a calibration cannot be split into shards, because each \
             generation of ABC-SMC proposes its candidates from the particles of the one before; \
             run it whole on one machine with more --threads (the result does not depend on \
             them), and after an interruption run it again with --resume to continue from the \
             last finished generation (docs/cluster.md)"
        )));
    }
    let scenario = scenario::load(&reference, &common.overrides)?;
    let opts = cal::CalibrateOptions {
        reference,
        overrides: common.overrides,
        observations: args.observations,
        particles: args.particles as usize,
        generations: args.generations as usize,
        quantile: args.quantile,
        min_acceptance: args.min_acceptance,
        seed: common.seed.unwrap_or(scenario.seed),
        threads: threads(common.threads),
        out: common.out.unwrap_or_else(|| {
            PathBuf::from("output").join(format!("{}-calibration", scenario.name))
        }),
        force: common.force,
        resume: common.resume,
        command: command_line(),
    };
    let quiet = common.quiet;
    install_stop_handler(quiet);
    let bar = progress_bar(quiet);
    let report = cal::calibrate(&opts, &STOP, &|event| advance(&bar, event));
    bar.finish_and_clear();
    let report = report?;
    if !quiet && report.generations.is_empty() {
        emit(&format!(
            "boomtown: the calibration in {} had already finished\n",
            report.out.display()
        ))?;
    } else if !quiet {
        let runs: usize = report.generations.iter().map(|g| g.proposed).sum();
        emit(&format!(
            "boomtown: {} generations, {runs} runs ({}); calibration written to {}\n",
            report.generations.len() - 1,
            report.stopped,
            report.out.display()
        ))?;
    }
    Ok(())
}

fn sensitivity(args: SensitivityArgs) -> Result<(), Error> {
    use boomtown::commands::sensitivity::{self as sa, Method, OutputSpec};
    let common = args.common;
    let scenario = scenario::load_os(&args.scenario, &common.overrides)?;
    let method = match args.method {
        SensitivityMethod::Morris => Method::Morris,
        SensitivityMethod::Sobol => Method::Sobol,
    };
    let outputs = if args.outputs.is_empty() {
        sa::default_outputs()
    } else {
        args.outputs
            .iter()
            .map(|o| {
                o.parse::<OutputSpec>()
                    .map_err(|e| Error::Usage(format!("--output {o}: {e}")))
            })
            .collect::<Result<_, _>>()?
    };
    let samples = args.samples.map_or(
        match method {
            Method::Sobol => 256,
            Method::Morris => 20,
        },
        |s| s as usize,
    );
    let name = match method {
        Method::Sobol => "sobol",
        Method::Morris => "morris",
    };
    let opts = sa::SensitivityOptions {
        method,
        samples,
        levels: args.levels as usize,
        replicates: args.replicates,
        outputs,
        seed: common.seed.unwrap_or(scenario.seed),
        threads: threads(common.threads),
        resamples: args.resamples as usize,
        out: common
            .out
            .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-{name}", scenario.name))),
        force: common.force,
        shard: common.shard,
        resume: common.resume,
        command: command_line(),
    };
    install_stop_handler(common.quiet);
    let bar = progress_bar(common.quiet);
    let report = sa::sensitivity(&scenario, &opts, &STOP, &|event| advance(&bar, event));
    bar.finish_and_clear();
    let report = report?;
    if !common.quiet {
        emit(&format!(
            "boomtown: {} runs; sensitivity written to {}\n",
            report.runs,
            report.out.display()
        ))?;
    }
    Ok(())
}

/// Lists the lessons, or runs one and opens its report.
fn lesson(args: LessonArgs) -> Result<(), Error> {
    let LessonArgs {
        number,
        batch: args,
        no_open,
    } = args;
    let Some(number) = number else {
        let mut text = String::new();
        for l in boomtown::lessons::lessons()? {
            text += &format!("{:2}  {}  ({})\n", l.number, l.title, l.command());
        }
        text += "\nRun one with `boomtown lesson N`; its text is in lessons/ of the source.\n";
        return emit(&text);
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
        emit(&format!(
            "Lesson {}: {}\n  {}\n",
            lesson.number,
            lesson.title,
            lesson.command()
        ))?;
    }
    let written = if lesson.scenarios.len() == 1 {
        run(
            RunArgs {
                scenario: lesson.scenarios[0].clone().into(),
                replicates: args.replicates,
                design: None,
                sweeps: Vec::new(),
                no_charts: false,
                common: CommonArgs {
                    seed: args.seed,
                    threads: args.threads,
                    shard: None,
                    out: Some(out),
                    overrides: args.overrides,
                    resume: false,
                    force: args.force,
                    quiet: args.quiet,
                },
            },
            Some(lesson),
        )?
    } else {
        compare(
            CompareArgs {
                scenarios: lesson.scenarios.iter().map(Into::into).collect(),
                from: false,
                no_charts: false,
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
        let verb = if opened { "opened" } else { "open" };
        let tail = if opened { "" } else { " in a browser" };
        emit(&format!("boomtown: {verb} {}{tail}\n", report.display()))?;
    }
    Ok(())
}

/// Serves the live app until Ctrl-C, printing its address (and opening it in
/// the browser when at a terminal, unless `--no-open`).
fn serve(args: boomtown::cli::ServeArgs) -> Result<(), Error> {
    let opts = boomtown::commands::serve::ServeOptions {
        port: args.port,
        threads: threads(args.threads),
        runs_at_once: args.runs_at_once as usize,
    };
    boomtown::commands::serve::serve(&opts, |address| {
        let url = format!("http://{address}/");
        let _ = emit(&format!(
            "boomtown serve: the app is at {url} (Ctrl-C to stop)\n"
        ));
        if !args.no_open && std::io::stdout().is_terminal() {
            let _ = open::that_detached(&url);
        }
    })
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
            note("\nboomtown: stopping after the replicates in progress (Ctrl-C again to abort)");
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
