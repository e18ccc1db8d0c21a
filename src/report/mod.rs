//! `report.html`: one self-contained page per run and per comparison, written for
//! a student: the question the scenario asks, its assumptions and their sources,
//! what happened (a story generated from the results, with their uncertainty), the
//! just-transition scorecard, and the charts inline. It is rendered with minijinja
//! templates (`src/report/templates/`) from the files of the output folder, never
//! from the model, so a merged batch gets the same report as a single run. The
//! page has no script and loads nothing: it opens offline and prints.

mod narrative;
mod results;
mod sweep;

use std::path::{Path, PathBuf};

use base64::Engine;
use minijinja::Environment;
use serde::Serialize;

use crate::error::Error;
use crate::explain::{Kind, explain, facts_text};
use crate::format::{self, in_unit, range};
use crate::model::params::{Params, Payer, PolicyAction, SectorKind};
use crate::model::scorecard::{Group, IndicatorDef, SCORECARD};
use crate::scenario::Scenario;
use narrative::{Contrasted, Paragraph, contrast, join_list, run_story};
pub use results::RunResults;

/// File name of the report in an output folder.
pub const REPORT: &str = "report.html";

/// The templates, built into the binary.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, text) in [
        ("base.html", include_str!("templates/base.html")),
        ("run.html", include_str!("templates/run.html")),
        ("compare.html", include_str!("templates/compare.html")),
        ("lesson.html", include_str!("templates/lesson.html")),
        ("validation.html", include_str!("templates/validation.html")),
        (
            "sensitivity.html",
            include_str!("templates/sensitivity.html"),
        ),
        ("markdown.html", include_str!("templates/markdown.html")),
    ] {
        env.add_template(name, text)
            .expect("the built-in templates parse");
    }
    env
}

fn render(template: &str, ctx: impl Serialize, path: &Path) -> Result<(), Error> {
    let env = environment();
    let html = env
        .get_template(template)
        .and_then(|t| t.render(minijinja::value::Serde(&ctx)))
        .map_err(|e| Error::Report(format!("{template}: {e:#}")))?;
    std::fs::write(path, html).map_err(|e| Error::io("writing", path, e))
}

/// A chart embedded in the page.
#[derive(Serialize)]
struct ChartView {
    title: String,
    caption: String,
    /// `data:` URI of the SVG.
    uri: String,
}

/// An SVG file as a `data:` URI, to embed in the page.
fn svg_uri(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// What to look for in each chart.
fn caption(stem: &str) -> (String, String) {
    let (title, text) = match stem {
        "population" => (
            "Population",
            "How many people live in the city. The line is the median replicate.",
        ),
        "population_index" => (
            "Population (start = 100)",
            "Residents relative to the start, so that cities of different sizes can be compared.",
        ),
        "unemployment_rate" => (
            "Unemployment rate",
            "Share of the labour force without a job and looking for one. When does it peak, and does it come back down?",
        ),
        "youth_unemployment_rate" => (
            "Youth unemployment",
            "The same for ages 16–24: the young are hit first, and they are the most likely to leave.",
        ),
        "long_term_unemployment_share" => (
            "Long-term unemployment",
            "Share of the unemployed out of work for a year or more: the people a transition most risks leaving behind.",
        ),
        "out_migration_rate" => (
            "Out-migration",
            "Residents leaving each year, per 1,000. Leaving is how a shrinking city ages.",
        ),
        "net_migration_rate" => ("Net migration", crate::charts::notes::NET_MIGRATION),
        "mean_wage" => (
            "Mean wage",
            "Mean monthly wage of those in work, at start-year prices.",
        ),
        "old_age_dependency_ratio" => (
            "Old-age dependency",
            "Residents aged 60+ per resident aged 16–59.",
        ),
        "employed" => ("Employment", "Residents holding a job."),
        "employment_by_sector" => (
            "Jobs by sector",
            "Medians, stacked. Watch the extractive sectors shrink, and see what, if anything, grows in their place.",
        ),
        "displaced_workers" => (
            "Where the displaced workers are",
            "Everyone who lost a job in a declining sector, by where they are at each date: back in work, still unemployed, in training, retired, gone, or dead.",
        ),
        "sector_output" => (
            "Output by sector",
            "Output of each sector relative to the start.",
        ),
        "sector_wages" => (
            "Wages by sector",
            "Mean monthly wage of those working in each sector, at start-year prices. Where people work on their own, more hands share the same customers: an income that stalls while others grow is work that hides unemployment.",
        ),
        "age_pyramid" => (
            "Age pyramid",
            "Residents by age and sex at the start and at the end: a narrowing base and a widening top mean an ageing city.",
        ),
        s if s.starts_with("reserves_") => (
            "Reserves",
            "Remaining reserves: once they fall below what full output needs, production and jobs follow them down.",
        ),
        _ => ("", ""),
    };
    let title = if title.is_empty() {
        stem.replace('_', " ")
    } else {
        title.to_string()
    };
    (title, text.to_string())
}

/// The scenarios whose data a chart shows: name, scenario, summaries.
type Shown<'a> = [(&'a str, &'a Scenario, &'a crate::charts::data::Summaries)];

/// Sentences computed from the data behind a chart: what its bands show and
/// stand for, and why a surprising line is what the assumptions make.
fn data_caption(stem: &str, shown: &Shown<'_>, replicates: u32) -> String {
    use crate::charts::notes;
    let metric = stem;
    let mut out = Vec::new();
    let bands: Vec<&[crate::charts::data::Band]> = shown
        .iter()
        .flat_map(|(_, _, sum)| {
            sum.series
                .iter()
                .filter(move |((_, m), _)| {
                    m == metric
                        || (stem == "sector_output" && m.starts_with("output_index_"))
                        || (stem == "sector_wages" && m.starts_with("mean_wage_"))
                })
                .map(|(_, b)| b.as_slice())
        })
        .collect();
    let several = shown.len() > 1;
    if !bands.is_empty() {
        if several {
            // What the lines are; the band sentence says what the shading is.
            out.push("One line per scenario: its median.".to_string());
        }
        out.push(notes::band_sentence(
            replicates,
            notes::widest_band(&bands, true),
        ));
        let uncertain: usize = shown
            .iter()
            .map(|(_, s, _)| s.design.dists.len())
            .max()
            .unwrap_or(0);
        out.push(notes::spread_sentence(uncertain));
    }
    // A sweep's small multiples name the configuration of each panel.
    if crate::charts::PER_CONFIGURATION.contains(&stem) {
        for (_, _, sum) in shown
            .iter()
            .filter(|(_, _, sum)| sum.configurations.len() > 1)
        {
            let labels: Vec<&str> = sum.configurations.values().map(String::as_str).collect();
            out.push(format!(
                "One panel per configuration, on the same axes: {}.",
                labels.join("; ")
            ));
        }
    }
    let each = |f: &dyn Fn(&Scenario, &crate::charts::data::Summaries) -> Option<String>| {
        shown
            .iter()
            .filter_map(|(name, s, sum)| {
                f(s, sum).map(|t| if several { format!("{name}: {t}") } else { t })
            })
            .collect::<Vec<_>>()
    };
    match stem {
        "mean_wage" => out.extend(each(&notes::wage)),
        "sector_output" => out.extend(each(&notes::output)),
        "sector_wages" => out.extend(each(&notes::shared_income)),
        "unemployment_rate" => {
            let named: Vec<(&str, &crate::charts::data::Summaries)> =
                shown.iter().map(|(n, _, sum)| (*n, *sum)).collect();
            out.extend(notes::unemployment(&named));
        }
        _ => {}
    }
    out.join(" ")
}

/// The SVG charts among a folder's files, embedded as `data:` URIs, each with
/// its caption: what to look for, then what the data behind it say.
fn charts(
    dir: &Path,
    files: &[String],
    shown: &Shown<'_>,
    replicates: u32,
) -> Result<Vec<ChartView>, Error> {
    files
        .iter()
        .filter(|f| f.starts_with("charts/") && f.ends_with(".svg"))
        .filter(|f| *f != &sweep::chart_file())
        .map(|f| {
            let stem = f.trim_start_matches("charts/").trim_end_matches(".svg");
            let (title, text) = caption(stem);
            let computed = data_caption(stem, shown, replicates);
            let caption = if computed.is_empty() {
                text
            } else {
                format!("{text} {computed}")
            };
            Ok(ChartView {
                title,
                caption,
                uri: svg_uri(&dir.join(f))?,
            })
        })
        .collect()
}

/// One row of the scorecard table.
#[derive(Serialize)]
struct ScoreRow {
    label: String,
    name: &'static str,
    /// One cell per scenario: median, the 90 % range, and a note.
    cells: Vec<[String; 3]>,
    description: &'static str,
    source: &'static str,
}

/// A part of the scorecard.
#[derive(Serialize)]
struct ScoreGroup {
    title: &'static str,
    rows: Vec<ScoreRow>,
}

/// Fewest displaced workers (median over replicates) whose shares the report
/// shows without a warning.
const FEW_DISPLACED: f64 = 20.0;

/// Whether an indicator is a share or average over the displaced workers.
fn per_displaced_worker(d: &IndicatorDef) -> bool {
    d.group == Group::Displaced && matches!(d.unit, "share" | "ratio" | "years of prior earnings")
}

/// Cluster investments a scenario gives no cost for, which the public cost
/// therefore leaves out.
pub(crate) fn uncosted(params: &Params) -> Vec<String> {
    params
        .policies
        .iter()
        .filter(|p| {
            matches!(p.action, PolicyAction::ClusterInvestment { cost_per_year, .. } if cost_per_year <= 0.0)
        })
        .map(|p| p.name.replace('_', " "))
        .collect()
}

/// One scenario's column of the scorecard: its results, replicates, and the
/// policies its public cost leaves out.
struct Column<'a> {
    results: &'a RunResults,
    replicates: u32,
    uncosted: Vec<String>,
}

/// An indicator's median as text: a cost of zero reads "none".
fn median_text(d: &IndicatorDef, s: &results::Stat) -> String {
    if d.group.is_cost() && s.p50 == 0.0 {
        "none".to_string()
    } else {
        in_unit(d.unit, s.p50)
    }
}

/// A scorecard cell: the median, the range, and what the reader should know.
fn cell(d: &IndicatorDef, c: &Column<'_>) -> [String; 3] {
    let Some(s) = c.results.indicator(d.name) else {
        let why = if d.group.is_cost() {
            // A cost is always counted: missing, it was not in the results read.
            "not in these results (written before it was counted)"
        } else {
            "no replicate had anyone to measure"
        };
        return ["not defined".into(), String::new(), why.into()];
    };
    let mut notes = Vec::new();
    if s.n < c.replicates as u64 {
        notes.push(format!("defined in {} of {} replicates", s.n, c.replicates));
    }
    let cohort = c.results.median("displaced_workers").unwrap_or(0.0);
    if per_displaced_worker(d) && cohort < FEW_DISPLACED {
        notes.push(format!(
            "rests on few workers ({} displaced in the median replicate)",
            format::num(cohort)
        ));
    }
    if d.group == Group::Cost
        && !c.uncosted.is_empty()
        && d.name != "public_cost_retraining"
        && d.name != "public_cost_early_retirement"
    {
        notes.push(format!(
            "leaves out {} (no cost given)",
            join_list(&c.uncosted)
        ));
    }
    let median = median_text(d, &s);
    let spread = if (s.p95 - s.p05).abs() < 1e-12 {
        String::new()
    } else {
        range(d.unit, s.p05, s.p95)
    };
    [median, spread, notes.join("; ")]
}

fn scorecard(columns: &[Column<'_>]) -> Vec<ScoreGroup> {
    [
        (
            Group::Displaced,
            "The workers displaced from declining sectors",
        ),
        (Group::City, "The city"),
        (Group::Cost, "The public cost of the policies"),
        (Group::EmployerCost, "What the policies cost employers"),
    ]
    .into_iter()
    .map(|(group, title)| ScoreGroup {
        title,
        rows: SCORECARD
            .iter()
            .filter(|d| d.group == group)
            .map(|d| ScoreRow {
                label: d.label.to_string(),
                name: d.name,
                cells: columns.iter().map(|c| cell(d, c)).collect(),
                description: d.description,
                source: d.source,
            })
            .collect(),
    })
    .collect()
}

/// A sector as the report describes it.
#[derive(Serialize)]
struct SectorView {
    name: String,
    kind: &'static str,
    share: String,
    wage: String,
    demand: String,
    resource: String,
}

/// A policy or event as the report describes it.
#[derive(Serialize)]
struct PolicyView {
    name: String,
    kind: &'static str,
    span: String,
    what: String,
}

/// A parameter and its source.
#[derive(Serialize)]
struct ParameterView {
    parameter: String,
    value: String,
    kind: &'static str,
    source: String,
}

/// What a scenario assumes, for the report.
#[derive(Serialize)]
struct Assumptions {
    population: String,
    start: String,
    years: u32,
    sectors: Vec<SectorView>,
    policies: Vec<PolicyView>,
    sources: String,
    parameters: Vec<ParameterView>,
}

fn assumptions(s: &Scenario) -> Assumptions {
    let p = &s.params;
    let sectors = p
        .sectors
        .iter()
        .map(|x| SectorView {
            name: x.name.replace('_', " "),
            kind: match x.kind {
                SectorKind::Extractive => "extractive (depletes a resource)",
                SectorKind::Tradable => "tradable (follows outside demand)",
                SectorKind::Local => "local services (follow local income)",
                SectorKind::Public => "public services (follow population)",
            },
            share: format::pct(x.employment_share),
            wage: format!("{} yuan/month", format::num(x.wage)),
            demand: x
                .demand
                .iter()
                .map(|(y, v)| format!("{v} in {y:.0}"))
                .collect::<Vec<_>>()
                .join(", "),
            resource: x.resource.as_ref().map_or(String::new(), |r| {
                format!(
                    "{} {} of reserves, {} {} a year at the start (about {:.0} years)",
                    format::num(r.reserves),
                    r.unit,
                    format::num(r.output),
                    r.unit,
                    r.reserves / r.output.max(1e-9)
                )
            }),
        })
        .collect();
    let sector = |i: usize| p.sectors[i].name.replace('_', " ");
    // A policy switched off (no seats, no take-up) is not in force.
    let policies = p
        .policies
        .iter()
        .filter(|x| x.action.has_effect())
        .map(|x| {
            let (kind, what) = match &x.action {
                PolicyAction::Retraining {
                    seats_per_10000,
                    duration_months,
                    target_sector,
                    cost_per_trainee_month,
                    ..
                } => (
                    "retraining",
                    format!(
                        "{seats_per_10000} seats per 10,000 residents, {duration_months}-month courses toward {}, {} yuan per trainee-month",
                        sector(*target_sector),
                        format::num(*cost_per_trainee_month)
                    ),
                ),
                PolicyAction::ClusterInvestment {
                    sector: s,
                    capacity_growth,
                    cost_per_year,
                } => (
                    "cluster investment",
                    format!(
                        "capacity of {} grows {} a year{}",
                        sector(*s),
                        format::pct(*capacity_growth),
                        if *cost_per_year > 0.0 {
                            format!(", at {} yuan a year", format::num(*cost_per_year))
                        } else {
                            ", cost not given".into()
                        }
                    ),
                ),
                PolicyAction::EarlyRetirement {
                    years_before,
                    allowance_share,
                    paid_by,
                    ..
                } => (
                    "early retirement",
                    format!(
                        "up to {years_before} years before the statutory age, with an allowance of {} of the wage, paid by {}",
                        format::pct(*allowance_share),
                        match paid_by {
                            Payer::Public => "the public",
                            Payer::Employer => "the employers",
                        }
                    ),
                ),
                PolicyAction::PublicJobs {
                    sector: s,
                    jobs_per_10000,
                } => (
                    "public jobs",
                    format!("{jobs_per_10000} posts per 10,000 residents in {}", sector(*s)),
                ),
                PolicyAction::LayoffWave { sector: s, share } => (
                    "layoff wave",
                    format!("{} of the jobs in {} cut at once", format::pct(*share), sector(*s)),
                ),
                PolicyAction::DemandShock { sector: s, factor } => (
                    "demand shock",
                    format!("demand for {} times {factor}", sector(*s)),
                ),
            };
            PolicyView {
                name: x.name.replace('_', " "),
                kind,
                // A run shortened with --set may leave a scenario's policy out.
                span: if p.horizon.overlaps(x.start, x.end) {
                    narrative::span(x.start, x.end)
                } else {
                    format!("{}, outside this run", narrative::span(x.start, x.end))
                },
                what,
            }
        })
        .collect();
    let rows = explain(s);
    let count = |k: Kind| rows.iter().filter(|r| r.kind == k).count();
    let missing = count(Kind::Missing);
    let sources = format!(
        "Its {} parameters by source: {} from the source articles, {} from published studies or statistics, {} calibrated to observed data, {} stated assumptions, {} definitions of what is modelled{}.",
        rows.len(),
        count(Kind::Fact),
        count(Kind::Study),
        count(Kind::Calibrated),
        count(Kind::Assumption),
        count(Kind::Definition),
        match missing {
            0 => String::new(),
            n => format!(
                ", and {n} without a source (values changed for this run, with --set for example, or given without one)"
            ),
        }
    );
    let parameters = rows
        .iter()
        .map(|r| {
            let facts = facts_text(r);
            ParameterView {
                parameter: r.parameter.clone(),
                value: r.value.clone(),
                kind: match r.kind {
                    Kind::Missing => "no source",
                    k => k.name(),
                },
                source: {
                    // The badge names the kind; the text need not repeat it.
                    let text = r.source.trim();
                    let text = ["assumption:", "study:"]
                        .iter()
                        .find_map(|p| text.strip_prefix(p))
                        .unwrap_or(text)
                        .trim();
                    if facts.is_empty() {
                        text.to_string()
                    } else {
                        format!("{text} [{facts}]")
                    }
                },
            }
        })
        .collect();
    Assumptions {
        population: format::num(p.population.size as f64),
        start: p.horizon.start.to_string(),
        years: p.horizon.months / 12,
        sectors,
        policies,
        sources,
        parameters,
    }
}

/// How a batch was run, for the reader who wants to reproduce it.
#[derive(Clone, Debug, Serialize)]
pub struct Batch {
    /// Master seed.
    pub seed: u64,
    /// Replicates per configuration.
    pub replicates: u32,
    /// The scenario hash of the manifest.
    pub hash: String,
    /// The lesson it was run for, if any.
    pub lesson: Option<crate::lessons::Lesson>,
}

/// A lesson as its report shows it: its Markdown rendered to HTML.
#[derive(Serialize)]
struct LessonView {
    number: u32,
    title: String,
    command: String,
    question: String,
    look_at: Vec<String>,
    discuss: Vec<String>,
}

/// Renders a line of the lessons' Markdown to HTML (raw HTML in it is shown as
/// text, not interpreted).
fn markdown(text: &str) -> String {
    use pulldown_cmark::{Event, Parser, html};
    let events = Parser::new(text).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    let out = out.trim();
    // One paragraph: keep its content only, to sit inside a list item.
    out.strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
        .unwrap_or(out)
        .to_string()
}

fn lesson_view(batch: &Batch) -> Option<LessonView> {
    batch.lesson.as_ref().map(|l| LessonView {
        number: l.number,
        title: l.title.clone(),
        command: l.command(),
        question: markdown(&l.question),
        look_at: l.look_at.iter().map(|i| markdown(i)).collect(),
        discuss: l.discuss.iter().map(|i| markdown(i)).collect(),
    })
}

/// Writes `report.html` into a run's output folder, from its files. `files` are
/// the folder's files (the charts among them are embedded). A sweep's report
/// gives every configuration: a story that contrasts them, each one's own
/// story, a scorecard with one column per configuration, and the chart of the
/// key indicators against the swept values.
pub fn write_run(dir: &Path, s: &Scenario, batch: &Batch, files: &[String]) -> Result<(), Error> {
    let configurations = RunResults::read_all(dir)?;
    let params: Vec<Params> = (0..configurations.len())
        .map(|c| s.configuration_params(c))
        .collect::<Result<_, _>>()?;
    let results = &configurations[0].1;
    // Chart captions speak of every configuration a chart shows.
    let all = crate::charts::data::read_summaries(&dir.join("summary.csv"))?;
    let charts = charts(dir, files, &[(&s.name, s, &all)], batch.replicates)?;
    let is_sweep = configurations.len() > 1;
    let sweep = if is_sweep {
        Some(sweep::view(
            dir,
            &configurations,
            &params,
            &all,
            batch,
            files,
        )?)
    } else {
        None
    };
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: String,
        description: String,
        question: String,
        story: Vec<Paragraph>,
        scorecard: Vec<ScoreGroup>,
        /// Column headings of the scorecard (the configurations of a sweep).
        columns: Vec<String>,
        assumptions: Assumptions,
        charts: Vec<ChartView>,
        sweep: Option<sweep::SweepView>,
        provenance: &'a Batch,
        lesson: Option<LessonView>,
        version: &'static str,
    }
    let columns: Vec<Column<'_>> = configurations
        .iter()
        .zip(&params)
        .map(|((_, results), p)| Column {
            results,
            replicates: batch.replicates,
            uncosted: uncosted(p),
        })
        .collect();
    let ctx = Ctx {
        name: s.name.clone(),
        description: s.description.clone(),
        question: s.question.clone(),
        story: if is_sweep {
            Vec::new()
        } else {
            run_story(&params[0], results)
        },
        scorecard: scorecard(&columns),
        columns: configurations.iter().map(|(l, _)| l.clone()).collect(),
        assumptions: assumptions(s),
        charts,
        sweep,
        provenance: batch,
        lesson: lesson_view(batch),
        version: env!("CARGO_PKG_VERSION"),
    };
    render("run.html", ctx, &dir.join(REPORT))
}

/// One scenario of a comparison: its name (subfolder), the scenario, its folder.
pub struct Compared<'a> {
    /// Subfolder name.
    pub name: String,
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Its output folder.
    pub dir: PathBuf,
    /// The address of its report from the comparison's report.
    pub link: String,
}

/// A parameter that differs between the compared scenarios.
#[derive(Serialize)]
struct Difference {
    parameter: String,
    /// Value and source in each scenario (empty where it has no such parameter).
    values: Vec<[String; 2]>,
}

fn differences(compared: &[Compared<'_>]) -> Vec<Difference> {
    let scenarios: Vec<&Scenario> = compared.iter().map(|c| c.scenario).collect();
    crate::explain::differences(&scenarios)
        .into_iter()
        .map(|(parameter, rows)| {
            // A policy switched off in one scenario is on, by default, in another
            // that has it without saying so: that one has the policy, not "nothing".
            let switched = parameter
                .strip_prefix("policies.")
                .and_then(|p| p.strip_suffix(".enabled"));
            let values = rows
                .into_iter()
                .zip(&scenarios)
                .map(|(r, s)| match r {
                    Some(r) => [r.value, r.source],
                    None if switched
                        .is_some_and(|name| s.params.policies.iter().any(|p| p.name == name)) =>
                    {
                        [
                            "true".into(),
                            "the default: a policy in the file is on".into(),
                        ]
                    }
                    None => [String::new(), String::new()],
                })
                .collect();
            Difference { parameter, values }
        })
        .collect()
}

/// What a scenario says in a contrast: its text and the ends of its 90 % range.
type Told = (String, f64, f64);

/// The sentences that contrast the compared scenarios.
fn comparison_story(compared: &[Compared<'_>], results: &[RunResults]) -> Vec<String> {
    let named: Vec<(String, &RunResults)> = compared
        .iter()
        .zip(results)
        .map(|(c, r)| (c.name.clone(), r))
        .collect();
    contrasts(&named, Contrasted::Scenarios)
}

/// One sentence per key quantity, contrasting named results (scenarios of a
/// comparison, or configurations of a sweep).
fn contrasts(named: &[(String, &RunResults)], what: Contrasted) -> Vec<String> {
    let mut out = Vec::new();
    // One contrast per quantity, told only when every scenario has it: each
    // scenario gives its text and the ends of its 90 % range.
    let mut add = |label: &str, value: &dyn Fn(&RunResults) -> Option<Told>| {
        let values: Option<Vec<(String, String, f64, f64)>> = named
            .iter()
            .map(|(name, r)| value(r).map(|(text, lo, hi)| (name.clone(), text, lo, hi)))
            .collect();
        if let Some(values) = values {
            out.push(contrast(label, &values, what));
        }
    };
    add("Population change over the run", &|r| {
        let (a, b) = r.ends("population")?;
        let rel = |x: f64| x / a.q[2].max(1.0) - 1.0;
        Some((format::change(rel(b.q[2])), rel(b.q[0]), rel(b.q[4])))
    });
    add("Peak unemployment", &|r| {
        let b = r.peak("unemployment_rate")?;
        let text = format!("{} (in {:.0})", format::pct(b.q[2]), b.year.floor());
        Some((text, b.q[0], b.q[4]))
    });
    add("Peak youth unemployment (16–24)", &|r| {
        let b = r.peak("youth_unemployment_rate")?;
        Some((format::pct(b.q[2]), b.q[0], b.q[4]))
    });
    let mut names = vec![
        "displaced_per_1000",
        "reemployed_within_12_months",
        "wage_replacement_ratio",
        "earnings_loss_years",
        "displaced_left_city",
        "young_adult_out_migration_rate",
        "old_age_dependency_ratio",
        "public_cost_total",
    ];
    // What employers pay is told where any of them pays: a cost moved from the
    // public to the employers must not read as a policy made free.
    const EMPLOYERS: &str = "employer_cost_early_retirement";
    if named
        .iter()
        .any(|(_, r)| r.median(EMPLOYERS).is_some_and(|c| c > 0.0))
    {
        names.push(EMPLOYERS);
    }
    for name in names {
        let Some(def) = SCORECARD.iter().find(|d| d.name == name) else {
            continue;
        };
        add(def.label, &|r| {
            let s = r.indicator(name)?;
            let mut text = median_text(def, &s);
            // A share of a handful of displaced workers says little.
            let cohort = r.median("displaced_workers").unwrap_or(0.0);
            if per_displaced_worker(def) && cohort < FEW_DISPLACED {
                text.push_str(&format!(
                    " (resting on few workers: {} displaced in the median replicate)",
                    format::num(cohort)
                ));
            }
            Some((text, s.p05, s.p95))
        });
    }
    out
}

/// Writes `report.html` into a comparison's folder, from the folders of its
/// scenarios and its own overlaid charts.
pub fn write_compare(
    dir: &Path,
    compared: &[Compared<'_>],
    batch: &Batch,
    files: &[String],
) -> Result<(), Error> {
    let results: Vec<RunResults> = compared
        .iter()
        .map(|c| RunResults::read(&c.dir))
        .collect::<Result<_, _>>()?;
    #[derive(Serialize)]
    struct ScenarioView {
        name: String,
        description: String,
        question: String,
        assumptions: Assumptions,
    }
    #[derive(Serialize)]
    struct Ctx {
        lesson: Option<LessonView>,
        names: Vec<String>,
        title: String,
        scenarios: Vec<ScenarioView>,
        story: Vec<String>,
        scorecard: Vec<ScoreGroup>,
        differences: Vec<Difference>,
        charts: Vec<ChartView>,
        /// `[name, address]` of each scenario's own report.
        links: Vec<[String; 2]>,
        /// Whether the runs are subfolders of the comparison (not `--from`).
        subfolders: bool,
        seed: u64,
        replicates: u32,
        version: &'static str,
    }
    let names: Vec<String> = compared.iter().map(|c| c.name.clone()).collect();
    let links: Vec<[String; 2]> = compared
        .iter()
        .map(|c| [c.name.clone(), c.link.clone()])
        .collect();
    let subfolders = compared
        .iter()
        .all(|c| c.link == format!("{}/{REPORT}", c.name));
    let differences = differences(compared);
    let ctx = Ctx {
        title: join_list(&names),
        scenarios: compared
            .iter()
            .map(|c| ScenarioView {
                name: c.name.clone(),
                description: c.scenario.description.clone(),
                question: c.scenario.question.clone(),
                assumptions: assumptions(c.scenario),
            })
            .collect(),
        story: comparison_story(compared, &results),
        scorecard: scorecard(
            &results
                .iter()
                .zip(compared)
                .map(|(results, c)| Column {
                    results,
                    replicates: batch.replicates,
                    uncosted: uncosted(&c.scenario.params),
                })
                .collect::<Vec<_>>(),
        ),
        differences,
        charts: charts(
            dir,
            files,
            &compared
                .iter()
                .zip(&results)
                .map(|(c, r)| (c.name.as_str(), c.scenario, &r.summaries))
                .collect::<Vec<_>>(),
            batch.replicates,
        )?,
        names,
        links,
        subfolders,
        lesson: lesson_view(batch),
        seed: batch.seed,
        replicates: batch.replicates,
        version: env!("CARGO_PKG_VERSION"),
    };
    render("compare.html", ctx, &dir.join(REPORT))
}

/// Writes `report.html` into a validation's folder: the verdict, every
/// observation against the model, and the chart.
pub fn write_validation(
    dir: &Path,
    rows: &[crate::validation::Comparison],
    verdict: &crate::validation::Verdict,
    replicates: u32,
) -> Result<(), Error> {
    use crate::charts::validation::{RATES_STEM, SHARES_STEM};
    use crate::validation::{model_text, observed_text, verdict_text};
    #[derive(Serialize)]
    struct RowView {
        scenario: String,
        indicator: String,
        base_date: String,
        date: String,
        observed_text: String,
        model_text: String,
        agrees: &'static str,
        purpose: &'static str,
        source: String,
        note: String,
    }
    #[derive(Serialize)]
    struct Ctx {
        verdict: String,
        rows: Vec<RowView>,
        names: Vec<String>,
        chart: String,
        rates_chart: Option<String>,
        replicates: u32,
        version: &'static str,
    }
    let mut names: Vec<String> = rows.iter().map(|r| r.folder.clone()).collect();
    names.dedup();
    let ctx = Ctx {
        verdict: verdict_text(verdict),
        rows: rows
            .iter()
            .map(|r| RowView {
                scenario: r.scenario.clone(),
                indicator: r.indicator.clone(),
                base_date: r.base_date.clone(),
                date: r.date.clone(),
                observed_text: observed_text(r),
                model_text: model_text(r),
                agrees: match r.agrees {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "–",
                },
                purpose: r.purpose,
                source: r.source.clone(),
                note: r.note.clone(),
            })
            .collect(),
        names,
        chart: svg_uri(&dir.join(format!("charts/{SHARES_STEM}.svg")))?,
        rates_chart: {
            let rates = dir.join(format!("charts/{RATES_STEM}.svg"));
            if rates.is_file() {
                Some(svg_uri(&rates)?)
            } else {
                None
            }
        },
        replicates,
        version: env!("CARGO_PKG_VERSION"),
    };
    render("validation.html", ctx, &dir.join(REPORT))
}

/// Writes the report of a sensitivity analysis: what was done, and for each
/// output its drivers in words beside its chart (`charts/<stem>.svg`, inlined).
pub fn write_sensitivity(
    dir: &Path,
    scenario: &str,
    method: &str,
    outputs: &[(String, Vec<String>, String)],
) -> Result<(), Error> {
    #[derive(Serialize)]
    struct OutputView {
        name: String,
        lines: Vec<String>,
        chart: String,
    }
    #[derive(Serialize)]
    struct Ctx {
        scenario: String,
        method: String,
        outputs: Vec<OutputView>,
        version: &'static str,
    }
    let outputs = outputs
        .iter()
        .map(|(name, lines, chart)| {
            Ok(OutputView {
                name: name.clone(),
                lines: lines.clone(),
                chart: svg_uri(&dir.join(chart))?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let ctx = Ctx {
        scenario: scenario.to_string(),
        method: method.to_string(),
        outputs,
        version: env!("CARGO_PKG_VERSION"),
    };
    render("sensitivity.html", ctx, &dir.join(REPORT))
}

/// Writes a report page from Markdown (the findings of a command) with its
/// charts (SVG files of the folder, inlined) after the text.
pub fn write_markdown_report(
    dir: &Path,
    title: &str,
    markdown: &str,
    charts: &[&str],
) -> Result<(), Error> {
    #[derive(Serialize)]
    struct Ctx {
        title: String,
        body: String,
        charts: Vec<String>,
        version: &'static str,
    }
    use pulldown_cmark::{Event, Options, Parser, html};
    // Raw HTML in the text (which quotes file names and ids from the user) is
    // shown as text, not interpreted.
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    let mut body = String::new();
    html::push_html(&mut body, events);
    let charts = charts
        .iter()
        .map(|c| svg_uri(&dir.join(c)))
        .collect::<Result<Vec<_>, Error>>()?;
    let ctx = Ctx {
        title: title.to_string(),
        body,
        charts,
        version: env!("CARGO_PKG_VERSION"),
    };
    render("markdown.html", ctx, &dir.join(REPORT))
}
