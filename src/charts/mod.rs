//! Charts of a run or a comparison, drawn from the summaries in an output folder
//! (never from the model), as PNG and SVG. The font is embedded in the binary
//! (DejaVu Sans, licence in `src/charts/fonts/`), so charts render the same on a
//! machine with no fonts installed.

pub mod calibration;
pub mod data;
pub mod draw;
pub mod markers;
pub mod notes;
pub mod sensitivity;
pub mod sweep;
pub mod sweep_chart;
pub mod validation;

use std::path::Path;
use std::sync::OnceLock;

use plotters::prelude::*;

use crate::error::Error;
use crate::model::params::SectorKind;
use crate::scenario::Scenario;
use data::{Summaries, read_pyramids, read_summaries};
use draw::{Chart, FanChart, Marker, PALETTE, PyramidChart, Scale, Series, StackedChart};

static FONT_BYTES: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");

/// Registers the embedded font with plotters (once per process).
fn ensure_font() -> Result<(), Error> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(draw::FONT, FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Chart("the embedded font could not be loaded".into()))
    }
}

/// How each fan-charted metric is shown: metric, title, vertical axis, scale.
const FAN_SPECS: [(&str, &str, &str, Scale); 10] = [
    ("population", "Population", "Residents", Scale::Plain),
    (
        "population_index",
        "Population (start = 100)",
        "Index",
        Scale::Plain,
    ),
    (
        "unemployment_rate",
        "Unemployment rate",
        "% of the labour force",
        Scale::Percent,
    ),
    (
        "youth_unemployment_rate",
        "Youth unemployment rate (ages 16–24)",
        "% of the labour force aged 16–24",
        Scale::Percent,
    ),
    (
        "long_term_unemployment_share",
        "Long-term unemployment (12+ months)",
        "% of the unemployed",
        Scale::Percent,
    ),
    (
        "out_migration_rate",
        "Out-migration",
        "Leavers per 1,000 residents per year",
        Scale::Plain,
    ),
    (
        "net_migration_rate",
        "Net migration",
        "Arrivals minus departures per 1,000 residents per year",
        Scale::Plain,
    ),
    (
        "mean_wage",
        "Mean wage of the employed",
        "Yuan per month (start-year prices)",
        Scale::Plain,
    ),
    (
        "old_age_dependency_ratio",
        "Old-age dependency ratio",
        "Residents 60+ per resident aged 16–59",
        Scale::Plain,
    ),
    (
        "employed",
        "Employment",
        "Residents holding a job",
        Scale::Plain,
    ),
];

/// The fan charts of a run.
pub const RUN_FANS: [&str; 7] = [
    "population",
    "unemployment_rate",
    "youth_unemployment_rate",
    "long_term_unemployment_share",
    "out_migration_rate",
    "net_migration_rate",
    "mean_wage",
];

/// The overlaid charts of a comparison.
pub const COMPARE_FANS: [&str; 9] = [
    "population_index",
    "unemployment_rate",
    "youth_unemployment_rate",
    "long_term_unemployment_share",
    "out_migration_rate",
    "net_migration_rate",
    "mean_wage",
    "old_age_dependency_ratio",
    "employed",
];

/// Title, vertical axis and scale of a fan-charted metric.
fn fan_spec(metric: &'static str) -> (&'static str, &'static str, Scale) {
    FAN_SPECS
        .iter()
        .find(|(m, ..)| *m == metric)
        .map_or((metric, "", Scale::Plain), |&(_, title, y, scale)| {
            (title, y, scale)
        })
}

/// What charts need to know about a scenario besides its summaries.
#[derive(Clone, Debug)]
pub struct Context {
    /// Scenario name, for titles.
    pub name: String,
    /// Policies and events to mark on time axes.
    pub markers: Vec<Marker>,
    /// Sector names, whether extractive, and the unit of their reserves.
    pub sectors: Vec<(String, bool, String)>,
    /// Replicates per configuration, for notes.
    pub replicates: u32,
    /// How many parameters are drawn per replicate (their spread adds to chance).
    pub uncertain: usize,
    /// Why the mean wage grows, in a line (the assumed wage growth).
    pub wage_note: String,
}

impl Context {
    /// The context of a scenario run with a number of replicates.
    pub fn new(s: &Scenario, replicates: u32) -> Result<Self, Error> {
        let markers = markers::markers(s)?;
        let sectors = s
            .params
            .sectors
            .iter()
            .map(|sec| {
                let unit = sec
                    .resource
                    .as_ref()
                    .map(|r| r.unit.clone())
                    .unwrap_or_default();
                (sec.name.clone(), sec.kind == SectorKind::Extractive, unit)
            })
            .collect();
        Ok(Context {
            name: s.name.clone(),
            markers,
            sectors,
            replicates,
            uncertain: s.design.dists.len(),
            wage_note: notes::wage_short(s),
        })
    }
}

/// Saves a chart as `<stem>.svg` and `<stem>.png` in `dir`; returns the file names.
///
/// The chart is drawn once, as SVG; the PNG is that SVG rasterised with the same
/// embedded font, so the two always agree.
pub fn save(chart: &impl Chart, dir: &Path, stem: &str) -> Result<[String; 2], Error> {
    ensure_font()?;
    let (png, svg) = (format!("{stem}.png"), format!("{stem}.svg"));
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, chart.size()).into_drawing_area();
        chart
            .draw(&root)
            .and_then(|()| root.present().map_err(draw::err))
            .map_err(|e| Error::Chart(format!("drawing {}: {e}", dir.join(&svg).display())))?;
    }
    let svg_path = dir.join(&svg);
    std::fs::write(&svg_path, &text).map_err(|e| Error::io("writing", &svg_path, e))?;
    let png_path = dir.join(&png);
    let bytes = rasterise(&text)
        .map_err(|e| Error::Chart(format!("drawing {}: {e}", png_path.display())))?;
    std::fs::write(&png_path, bytes).map_err(|e| Error::io("writing", &png_path, e))?;
    Ok([png, svg])
}

/// Renders SVG text to PNG bytes, with the embedded font as the only font.
fn rasterise(svg: &str) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    // Parsing the font takes longer than drawing a chart: do it once.
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    let options = OPTIONS.get_or_init(|| {
        let mut options = usvg::Options::default();
        let fonts = options.fontdb_mut();
        fonts.load_font_data(FONT_BYTES.to_vec());
        fonts.set_sans_serif_family(EMBEDDED_FAMILY);
        options.font_family = EMBEDDED_FAMILY.into();
        options
    });
    let tree = usvg::Tree::from_str(svg, options).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("empty chart")?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| e.to_string())
}

/// Family name of the embedded font.
const EMBEDDED_FAMILY: &str = "DejaVu Sans";

/// Any of the chart types, so that charts of different types can be drawn in
/// parallel from one list.
enum AnyChart {
    Fan(FanChart),
    Stacked(StackedChart),
    Pyramid(PyramidChart),
    Sweep(sweep_chart::SweepChart),
    StackedPanels(draw::Panels<StackedChart>),
    FanPanels(draw::Panels<FanChart>),
    PyramidPanels(draw::Panels<PyramidChart>),
}

/// Draws charts in parallel; returns the file names in list order.
fn save_all(dir: &Path, jobs: Vec<(String, AnyChart)>) -> Result<Vec<String>, Error> {
    use rayon::prelude::*;
    let saved: Vec<[String; 2]> = jobs
        .par_iter()
        .map(|(stem, chart)| match chart {
            AnyChart::Fan(c) => save(c, dir, stem),
            AnyChart::Stacked(c) => save(c, dir, stem),
            AnyChart::Pyramid(c) => save(c, dir, stem),
            AnyChart::Sweep(c) => save(c, dir, stem),
            AnyChart::StackedPanels(c) => save(c, dir, stem),
            AnyChart::FanPanels(c) => save(c, dir, stem),
            AnyChart::PyramidPanels(c) => save(c, dir, stem),
        })
        .collect::<Result<_, _>>()?;
    Ok(saved.into_iter().flatten().collect())
}

/// The note under a fan chart: what the line is, whether the bands can be seen,
/// what their spread stands for, and the markers.
fn band_note(replicates: u32, uncertain: usize, series: &[Series], markers: bool) -> String {
    let bands: Vec<&[data::Band]> = series.iter().map(|s| s.bands.as_slice()).collect();
    format!(
        "Line: median of {replicates} replicate{}. {}\n{}{}",
        if replicates == 1 { "" } else { "s" },
        notes::band_sentence(replicates, notes::widest_band(&bands, true)),
        notes::spread_sentence(uncertain),
        if markers {
            " Dashed lines and grey spans: policies and events (dotted: where one ends)."
        } else {
            ""
        }
    )
}

/// Metrics counted over the interval before each row: the first row has no
/// interval, so its zero is left off the charts rather than drawn as a fall.
const FLOWS: [&str; 3] = [
    "out_migration_rate",
    "net_migration_rate",
    "in_migration_rate",
];

/// The bands of a metric as charts show them (flows without their first row).
fn chart_bands(metric: &str, bands: &[data::Band]) -> Vec<data::Band> {
    let skip = usize::from(FLOWS.contains(&metric) && bands.len() > 1);
    bands[skip..].to_vec()
}

/// Series of one metric, one per configuration.
fn config_series(sum: &Summaries, metric: &str) -> Vec<Series> {
    sum.configurations
        .iter()
        .filter_map(|(&c, label)| {
            let bands = chart_bands(metric, sum.series.get(&(c, metric.to_string()))?);
            let label = if label.is_empty() {
                "median".to_string()
            } else {
                label.clone()
            };
            Some(Series {
                label,
                bands,
                color: PALETTE[c % PALETTE.len()],
            })
        })
        .collect()
}

/// The charts of a run whose layers, lines or panels are already sectors,
/// statuses or years: a sweep draws them as small multiples, one panel per
/// configuration.
pub const PER_CONFIGURATION: [&str; 5] = [
    "employment_by_sector",
    "displaced_workers",
    "sector_output",
    "sector_wages",
    "age_pyramid",
];

/// Draws every chart of a run into `<dir>/charts/`, from the folder's
/// `summary.csv` and `age_pyramid.csv`. Returns the files written.
pub fn draw_run(dir: &Path, ctx: &Context) -> Result<Vec<String>, Error> {
    let out = dir.join("charts");
    std::fs::create_dir_all(&out).map_err(|e| Error::io("creating", &out, e))?;
    let sum = read_summaries(&dir.join("summary.csv"))?;
    let markers = !ctx.markers.is_empty();
    let mut jobs = Vec::new();
    for metric in RUN_FANS {
        let (title, y_desc, scale) = fan_spec(metric);
        let series = config_series(&sum, metric);
        let mut note = band_note(ctx.replicates, ctx.uncertain, &series, markers);
        if metric == "mean_wage" {
            note = format!("{note}\n{}", ctx.wage_note);
        }
        let chart = FanChart {
            title: format!("{}: {title}", ctx.name),
            y_desc: y_desc.into(),
            scale,
            series,
            markers: ctx.markers.clone(),
            note,
            from_zero: true,
            top: None,
        };
        jobs.push((metric.to_string(), AnyChart::Fan(chart)));
    }
    jobs.extend(per_configuration_charts(ctx, &sum));
    for (i, (name, extractive, unit)) in ctx.sectors.iter().enumerate() {
        if !extractive {
            continue;
        }
        // One line per configuration of a sweep, else one line in the sector's colour.
        let mut series = config_series(&sum, &format!("reserves_{name}"));
        if series.is_empty() {
            continue;
        }
        if let [only] = series.as_mut_slice() {
            only.label = name.replace('_', " ");
            only.color = PALETTE[i % PALETTE.len()];
        }
        let chart = FanChart {
            title: format!(
                "{}: Remaining reserves of {}",
                ctx.name,
                name.replace('_', " ")
            ),
            y_desc: format!("Reserves ({unit})"),
            scale: Scale::Plain,
            note: band_note(ctx.replicates, ctx.uncertain, &series, markers),
            series,
            markers: ctx.markers.clone(),
            from_zero: true,
            top: None,
        };
        jobs.push((format!("reserves_{name}"), AnyChart::Fan(chart)));
    }
    jobs.push(("age_pyramid".into(), pyramid_chart(dir, ctx, &sum)?));
    let Some(data) = sweep::read(dir, &sum)? else {
        return save_all(&out, jobs);
    };
    sweep::write_csv(&data, &out.join(sweep::SWEEP_DATA))?;
    let chart = sweep_chart::SweepChart {
        title: format!("{}: key indicators across the sweep", ctx.name),
        note: sweep_chart_note(ctx.replicates),
        data,
    };
    jobs.push((sweep::SWEEP_STEM.into(), AnyChart::Sweep(chart)));
    let mut files = save_all(&out, jobs)?;
    files.push(sweep::SWEEP_DATA.into());
    Ok(files)
}

/// The note under the sweep chart: what dots and bars are, how the two city
/// panels are read, and where the numbers are.
fn sweep_chart_note(replicates: u32) -> String {
    format!(
        "Dots: median of the {replicates} replicate{} of each configuration; bars: the range holding 90 % of them (5th to 95th percentile).\n\
         Population change: the end against the median start. Peak unemployment: the month the median peaks. Numbers: charts/{}.",
        if replicates == 1 { "" } else { "s" },
        sweep::SWEEP_DATA
    )
}

/// One series per sector of the per-sector metric `<prefix><sector>` of
/// configuration `c`, in sector order and colours.
fn sector_series(ctx: &Context, sum: &Summaries, c: usize, prefix: &str) -> Vec<Series> {
    ctx.sectors
        .iter()
        .enumerate()
        .filter_map(|(i, (name, _, _))| {
            let bands = sum.series.get(&(c, format!("{prefix}{name}")))?.clone();
            Some(Series {
                label: name.replace('_', " "),
                bands,
                color: PALETTE[i % PALETTE.len()],
            })
        })
        .collect()
}

/// One series per status of the displaced cohort of configuration `c`.
fn displaced_series(sum: &Summaries, c: usize) -> Vec<Series> {
    crate::model::metrics::DISPLACED_STATUSES
        .iter()
        .enumerate()
        .filter_map(|(i, (_, suffix))| {
            let bands = sum.series.get(&(c, format!("displaced_{suffix}")))?.clone();
            Some(Series {
                label: suffix.replace('_', " "),
                bands,
                color: PALETTE[i % PALETTE.len()],
            })
        })
        .collect()
}

/// What a layer of a stacked chart shows: `median over N replicates`.
fn layer_note(ctx: &Context) -> String {
    format!(
        "median over {} replicate{}",
        ctx.replicates,
        if ctx.replicates == 1 { "" } else { "s" },
    )
}

/// What the panels of a sweep's chart are (nothing without a sweep).
fn panels_note(sum: &Summaries) -> String {
    if sum.configurations.len() > 1 {
        "\nOne panel per configuration, on shared axes.".into()
    } else {
        String::new()
    }
}

/// A chart a sweep draws as small multiples.
trait Panel: Sized {
    /// The highest value it shows.
    fn highest(&self) -> f64;
    /// Makes its axes reach `top`, shared with the other panels.
    fn share(&mut self, top: f64);
    /// Sets the note under it.
    fn set_note(&mut self, note: String);
    /// The chart alone.
    fn one(self) -> AnyChart;
    /// The chart as small multiples.
    fn many(panels: draw::Panels<Self>) -> AnyChart;
}

impl Panel for StackedChart {
    fn highest(&self) -> f64 {
        StackedChart::highest(self)
    }
    fn share(&mut self, top: f64) {
        self.top = Some(top);
    }
    fn set_note(&mut self, note: String) {
        self.note = note;
    }
    fn one(self) -> AnyChart {
        AnyChart::Stacked(self)
    }
    fn many(panels: draw::Panels<Self>) -> AnyChart {
        AnyChart::StackedPanels(panels)
    }
}

impl Panel for FanChart {
    fn highest(&self) -> f64 {
        FanChart::highest(self)
    }
    fn share(&mut self, top: f64) {
        self.top = Some(top);
    }
    fn set_note(&mut self, note: String) {
        self.note = note;
    }
    fn one(self) -> AnyChart {
        AnyChart::Fan(self)
    }
    fn many(panels: draw::Panels<Self>) -> AnyChart {
        AnyChart::FanPanels(panels)
    }
}

impl Panel for PyramidChart {
    fn highest(&self) -> f64 {
        PyramidChart::highest(self)
    }
    fn share(&mut self, top: f64) {
        self.top = Some(top);
    }
    fn set_note(&mut self, note: String) {
        self.note = note;
    }
    fn one(self) -> AnyChart {
        AnyChart::Pyramid(self)
    }
    fn many(panels: draw::Panels<Self>) -> AnyChart {
        AnyChart::PyramidPanels(panels)
    }
}

/// One chart, or, with a sweep, the same chart as small multiples: one panel
/// per configuration, titled with its settings, on shared axes, under `note`
/// and what the panels are (`panels`). `make` draws configuration `c` under a
/// title, with the markers it shows.
fn panels_of<C: Panel>(
    ctx: &Context,
    sum: &Summaries,
    (title, note, panels): (&str, String, &str),
    make: impl Fn(usize, String, Vec<Marker>) -> C,
) -> AnyChart {
    if sum.configurations.len() < 2 {
        let mut one = make(0, format!("{}: {title}", ctx.name), ctx.markers.clone());
        one.set_note(note);
        return one.one();
    }
    let mut charts: Vec<C> = sum
        .configurations
        .iter()
        .map(|(&c, label)| make(c, label.clone(), Vec::new()))
        .collect();
    let highest = charts.iter().map(C::highest).fold(0.0, f64::max);
    for chart in &mut charts {
        chart.share(highest);
    }
    C::many(draw::Panels {
        title: format!("{}: {title}, by configuration", ctx.name),
        panels: charts,
        note: format!("{note}{panels}"),
    })
}

/// The charts over time whose layers or lines are already sectors or statuses:
/// one chart of a single configuration, small multiples of a sweep.
fn per_configuration_charts(ctx: &Context, sum: &Summaries) -> Vec<(String, AnyChart)> {
    let markers = !ctx.markers.is_empty();
    let plain = panels_note(sum);
    // Panels leave the policies to the overlaid charts, which mark them.
    let many = if markers && !plain.is_empty() {
        format!("{plain} Policies are marked on the overlaid charts.")
    } else {
        plain.clone()
    };
    let stacked =
        |title: &str, y_desc: &str, note: String, layers: &dyn Fn(usize) -> Vec<Series>| {
            panels_of(ctx, sum, (title, note, &many), |c, title, markers| {
                StackedChart {
                    title,
                    y_desc: y_desc.into(),
                    layers: layers(c),
                    markers,
                    note: String::new(),
                    top: None,
                }
            })
        };
    let mut jobs = vec![
        (
            "employment_by_sector".to_string(),
            stacked(
                "Employment by sector",
                "Residents employed (median over replicates)",
                format!("Each layer: {}.", layer_note(ctx)),
                &|c| sector_series(ctx, sum, c, "employed_"),
            ),
        ),
        (
            "displaced_workers".to_string(),
            stacked(
                "Where the displaced workers are",
                "Workers displaced since the start (median over replicates)",
                format!(
                    "Everyone who lost a job in a declining sector, by status at each date; each layer: {}.",
                    layer_note(ctx)
                ),
                &|c| displaced_series(sum, c),
            ),
        ),
    ];
    // A fan chart of a per-sector column: one median line and bands per sector.
    let by_sector = |prefix: &str, title: &str, y_desc: &str, why: &str| {
        let all: Vec<Series> = sum
            .configurations
            .keys()
            .flat_map(|&c| sector_series(ctx, sum, c, prefix))
            .collect();
        let note = format!(
            "{}\n{why}",
            band_note(
                ctx.replicates,
                ctx.uncertain,
                &all,
                markers && plain.is_empty()
            ),
        );
        panels_of(ctx, sum, (title, note, &many), |c, title, markers| {
            FanChart {
                title,
                y_desc: y_desc.into(),
                scale: Scale::Plain,
                note: String::new(),
                series: sector_series(ctx, sum, c, prefix),
                markers,
                from_zero: true,
                top: None,
            }
        })
    };
    jobs.push((
        "sector_output".into(),
        by_sector(
            "output_index_",
            "Output by sector",
            "Output (start = 1)",
            "Output per worker grows by assumption (sectors.<name>.productivity_growth): a sector's jobs fall faster than its output.",
        ),
    ));
    jobs.push((
        "sector_wages".into(),
        by_sector(
            "mean_wage_",
            "Mean wage by sector",
            "Yuan per month (start-year prices)",
            "In own-account work and on family farms the hands share the income: more of them than the work needs earn less each.",
        ),
    ));
    jobs
}

/// The age pyramids at the start and the end: one chart of a single
/// configuration, small multiples of a sweep.
fn pyramid_chart(dir: &Path, ctx: &Context, sum: &Summaries) -> Result<AnyChart, Error> {
    let plain = panels_note(sum);
    let pyramids = read_pyramids(&dir.join("age_pyramid.csv"))?;
    let panel =
        |(year, counts): &(f64, Vec<[f64; 2]>)| (format!("{:.0}", year.floor()), counts.clone());
    let note = "Residents by 5-year age group, median over replicates.".to_string();
    let title = "Age pyramid at the start and at the end";
    let pyramid = panels_of(ctx, sum, (title, note, &plain), |c, title, _| {
        let p = pyramids.get(&c).cloned().unwrap_or_default();
        PyramidChart {
            title,
            panels: vec![panel(&p.start), panel(&p.end)],
            groups: p.groups.clone(),
            note: String::new(),
            top: None,
        }
    });
    Ok(pyramid)
}

/// Draws the overlaid charts of a comparison into `<dir>/charts/`: one series per
/// scenario (its first configuration). Returns the files written.
pub fn draw_compare(dir: &Path, scenarios: &[(Context, Summaries)]) -> Result<Vec<String>, Error> {
    let out = dir.join("charts");
    std::fs::create_dir_all(&out).map_err(|e| Error::io("creating", &out, e))?;
    let replicates = scenarios.first().map_or(0, |(c, _)| c.replicates);
    let names: Vec<&str> = scenarios.iter().map(|(c, _)| c.name.as_str()).collect();
    let mut jobs = Vec::new();
    for metric in COMPARE_FANS {
        let (title, y_desc, scale) = fan_spec(metric);
        let series = scenarios
            .iter()
            .enumerate()
            .filter_map(|(i, (ctx, sum))| {
                let bands = chart_bands(metric, sum.series.get(&(0, metric.to_string()))?);
                Some(Series {
                    label: ctx.name.clone(),
                    bands,
                    color: PALETTE[i % PALETTE.len()],
                })
            })
            .collect::<Vec<_>>();
        let bands: Vec<&[data::Band]> = series.iter().map(|s| s.bands.as_slice()).collect();
        let uncertain: Vec<usize> = scenarios.iter().map(|(c, _)| c.uncertain).collect();
        let spread = if uncertain.iter().all(|&u| u == 0) {
            notes::spread_sentence(0)
        } else {
            "The spread is chance plus the uncertain parameters some scenarios draw per replicate."
                .into()
        };
        let mut note = format!(
            "Lines: medians of {replicates} replicates each, same seeds. {}\n{spread}",
            notes::band_sentence(replicates, notes::widest_band(&bands, true))
        );
        if metric == "mean_wage" {
            note = format!("{note}\n{}", scenarios[0].0.wage_note);
        }
        let chart = FanChart {
            title: format!("{title}: {}", names.join(" vs ")),
            y_desc: y_desc.into(),
            scale,
            series,
            markers: Vec::new(),
            note,
            from_zero: true,
            top: None,
        };
        jobs.push((metric.to_string(), AnyChart::Fan(chart)));
    }
    save_all(&out, jobs)
}
