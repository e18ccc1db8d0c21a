//! Chart types drawn with plotters: fan charts (median and 50 % / 90 % bands of one
//! or several series), stacked areas, and age pyramids. Each chart draws the
//! same way on a PNG and an SVG backend.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::Band;

/// Width and height of every chart, in pixels.
pub const SIZE: (u32, u32) = (1200, 700);

/// Font family registered from the embedded font.
pub const FONT: &str = "sans-serif";

/// Distinct colours for series (a colour-blind-friendly qualitative palette).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(240, 228, 66),
];

/// A policy or event span marked on time axes.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Short label.
    pub label: String,
    /// First year (fractional).
    pub start: f64,
    /// Last year (fractional); equal to `start` for a one-off event.
    pub end: f64,
}

/// One series of a fan chart.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Bands in time order.
    pub bands: Vec<Band>,
    /// Colour.
    pub color: RGBColor,
}

/// How values are shown on the vertical axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// As they are.
    Plain,
    /// Shares shown as percentages.
    Percent,
}

impl Scale {
    fn apply(self, x: f64) -> f64 {
        match self {
            Scale::Plain => x,
            Scale::Percent => 100.0 * x,
        }
    }
}

/// Error text of a drawing failure.
pub type DrawResult = Result<(), String>;

/// Something that draws itself on any plotters backend.
pub trait Chart {
    /// Draws the chart on a drawing area.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;

    /// Its size in pixels.
    fn size(&self) -> (u32, u32) {
        SIZE
    }
}

pub(super) fn font(size: u32) -> FontDesc<'static> {
    (FONT, size).into_font()
}

/// A drawing error as the text a [`DrawResult`] carries.
pub(super) fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Formats axis values with as many decimals as the axis span needs.
fn axis_format(span: f64) -> impl Fn(&f64) -> String {
    move |v: &f64| {
        if span >= 20.0 {
            compact(*v)
        } else if span >= 2.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.2}")
        }
    }
}

/// Formats an axis value compactly (12,000 → 12k; 1,500,000 → 1.5M).
pub fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 || v == v.round() {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A chart with years across and values up.
type TimeChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Title, axes, grid and labels of a chart over time.
fn time_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Result<TimeChart<'a, DB>, String> {
    // A panel is too short for the axis's note on medians; the chart's note says it.
    let y_desc = if area.dim_in_pixel().0 < SIZE.0 {
        y_desc.trim_end_matches(" (median over replicates)")
    } else {
        y_desc
    };
    let mut chart = ChartBuilder::on(area)
        .caption(title, title_font(area))
        .margin(18)
        .margin_right(44)
        .x_label_area_size(52)
        .y_label_area_size(86)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let y_format = axis_format(y1 - y0);
    chart
        .configure_mesh()
        .x_desc("Year")
        .y_desc(y_desc)
        .x_labels(12)
        .y_labels(8)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&y_format)
        .label_style(font(18))
        .axis_desc_style(font(20))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// The legend box, in an upper corner.
fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut TimeChart<'a, DB>,
    corner: SeriesLabelPosition,
) -> DrawResult {
    chart
        .configure_series_labels()
        .label_font(font(18))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(190, 190, 190))
        .position(corner)
        .draw()
        .map_err(err)
}

/// Where the legend goes so that it does not hide the data: the upper corner on
/// whose side the data stay lower, with the vertical axis raised until the
/// legend's box (about `entries` lines high and a third of the width wide) fits
/// above them. Returns the corner, the top of the axis, and the box's height
/// as a share of the plot's.
fn legend_place(
    points: &[(f64, f64)],
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    entries: usize,
) -> (SeriesLabelPosition, f64, f64) {
    // The plotting area is about 520 pixels high; a legend line takes about 24.
    let height = ((entries as f64 * 24.0 + 16.0) / 520.0).min(0.6);
    let width = (x1 - x0) * 0.35;
    let highest = |keep: &dyn Fn(f64) -> bool| {
        points
            .iter()
            .filter(|(x, _)| keep(*x))
            .map(|&(_, y)| y)
            .fold(y0, f64::max)
    };
    let right = highest(&|x| x >= x1 - width);
    let left = highest(&|x| x <= x0 + width);
    let (corner, under) = if left < right {
        (SeriesLabelPosition::UpperLeft, left)
    } else {
        (SeriesLabelPosition::UpperRight, right)
    };
    let top = y0 + (under - y0) / (1.0 - height);
    (corner, y1.max(top), height)
}

/// Where the legend's box is, so that marker labels keep out of it: its corner
/// and its height as a share of the plot's.
#[derive(Clone, Copy)]
struct LegendBox {
    left: bool,
    height: f64,
}

impl LegendBox {
    fn new(corner: &SeriesLabelPosition, height: f64) -> Self {
        LegendBox {
            left: matches!(corner, SeriesLabelPosition::UpperLeft),
            height,
        }
    }

    /// Whether a label starting at `x` (its text about a quarter of the plot
    /// wide) would run under the box (a third of the plot wide).
    fn covers(&self, x: f64, (x0, x1): (f64, f64)) -> bool {
        let width = x1 - x0;
        if self.left {
            x < x0 + 0.36 * width
        } else {
            x + 0.25 * width > x1 - 0.36 * width
        }
    }
}

/// A fan chart: for each series its median line and the bands holding the middle
/// 50 % and 90 % of replicates, with policy and event spans marked.
pub struct FanChart {
    /// Title.
    pub title: String,
    /// Vertical axis description (with unit).
    pub y_desc: String,
    /// How values are shown.
    pub scale: Scale,
    /// Series to overlay.
    pub series: Vec<Series>,
    /// Policy and event spans.
    pub markers: Vec<Marker>,
    /// Note under the chart.
    pub note: String,
    /// Whether the vertical axis starts at zero.
    pub from_zero: bool,
    /// A highest value the vertical axis must reach (shared by panels).
    pub top: Option<f64>,
}

fn year_range<'a>(bands: impl Iterator<Item = &'a Band>) -> (f64, f64) {
    let (lo, hi) = bands.fold((f64::MAX, f64::MIN), |(lo, hi), b| {
        (lo.min(b.year), hi.max(b.year))
    });
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo, lo + 1.0)
    } else {
        (lo, hi)
    }
}

fn draw_markers<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    markers: &[Marker],
    legend: LegendBox,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> DrawResult {
    let grey = RGBColor(90, 90, 90);
    for (k, m) in markers.iter().enumerate() {
        if m.end < x0 || m.start > x1 {
            continue;
        }
        let (a, b) = (m.start.max(x0), m.end.min(x1));
        if b > a {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a, y0), (b, y1)],
                    grey.mix(0.07).filled(),
                )))
                .map_err(err)?;
        }
        chart
            .draw_series(DashedLineSeries::new(
                vec![(a, y0), (a, y1)],
                6,
                4,
                grey.stroke_width(1),
            ))
            .map_err(err)?;
        // Where spans overlap, their shades merge: a dotted line marks where
        // each one ends (its label gives the year).
        if m.end > m.start && m.end <= x1 {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(b, y0), (b, y1)],
                    2,
                    4,
                    grey.stroke_width(1),
                ))
                .map_err(err)?;
        }
        // Labels under the legend's box would be hidden: start below it.
        let below = if legend.covers(a, (x0, x1)) {
            legend.height + 0.01
        } else {
            0.0
        };
        let y = y1 - (y1 - y0) * (below + 0.04 + 0.055 * (k % 4) as f64);
        let x = a + (x1 - x0) * 0.004;
        chart
            .draw_series(std::iter::once(Text::new(
                m.label.clone(),
                (x, y),
                font(16).color(&grey),
            )))
            .map_err(err)?;
    }
    Ok(())
}

/// Height of one line of a note, in pixels.
const NOTE_LINE: u32 = 21;

/// The title's font: smaller on a panel narrower than a whole chart, so that a
/// configuration's settings fit above it.
fn title_font<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> FontDesc<'static> {
    font(if area.dim_in_pixel().0 < SIZE.0 {
        21
    } else {
        31
    })
}

/// The space to leave under a chart for its note (one line per `\n`).
pub(super) fn note_space(note: &str) -> u32 {
    28 + NOTE_LINE * (note.lines().count().max(1) as u32 - 1)
}

pub(super) fn draw_note<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    note: &str,
) -> DrawResult {
    let (_, h) = root.dim_in_pixel();
    let lines: Vec<&str> = note.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let up = (lines.len() - 1 - i) as i32 * NOTE_LINE as i32;
        root.draw(&Text::new(
            line.to_string(),
            (16, h as i32 - 26 - up),
            font(16).color(&RGBColor(90, 90, 90)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

impl Chart for FanChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(err)?;
        let (x0, x1) = year_range(self.series.iter().flat_map(|s| &s.bands));
        let values = self
            .series
            .iter()
            .flat_map(|s| &s.bands)
            .flat_map(|b| b.q)
            .filter(|v| v.is_finite());
        let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (lo, hi) = if lo > hi {
            (0.0, 1.0)
        } else {
            (self.scale.apply(lo), self.scale.apply(hi))
        };
        let hi = self.top.map_or(hi, |t| hi.max(self.scale.apply(t)));
        let lo = if self.from_zero { lo.min(0.0) } else { lo };
        let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.02).max(1e-9);
        let (y0, y1) = (
            if self.from_zero && lo >= 0.0 {
                0.0
            } else {
                lo - pad
            },
            hi + pad * 2.0,
        );
        let scale = self.scale;
        let outer: Vec<(f64, f64)> = self
            .series
            .iter()
            .flat_map(|s| &s.bands)
            .map(|b| (b.year, scale.apply(b.q[4])))
            .filter(|(_, y)| y.is_finite())
            .collect();
        let (corner, y1, height) = legend_place(&outer, (x0, x1), (y0, y1), self.series.len());
        let legend = LegendBox::new(&corner, height);
        let area = root.margin(0, note_space(&self.note), 0, 0);
        let mut chart = time_axes(&area, &self.title, &self.y_desc, (x0, x1), (y0, y1))?;
        draw_markers(&mut chart, &self.markers, legend, (x0, x1), (y0, y1))?;
        for s in &self.series {
            let pts = |i: usize| -> Vec<(f64, f64)> {
                s.bands
                    .iter()
                    .map(|b| (b.year, scale.apply(b.q[i])))
                    .collect()
            };
            for (outer, inner, alpha) in [(4usize, 0usize, 0.14), (3, 1, 0.28)] {
                let mut ring = pts(outer);
                ring.extend(pts(inner).into_iter().rev());
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        ring,
                        s.color.mix(alpha).filled(),
                    )))
                    .map_err(err)?;
            }
            let color = s.color;
            chart
                .draw_series(LineSeries::new(pts(2), color.stroke_width(3)))
                .map_err(err)?
                .label(&s.label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 26, y)], color.stroke_width(3))
                });
        }
        draw_legend(&mut chart, corner)?;
        draw_note(root, &self.note)
    }
}

impl FanChart {
    /// The highest value it shows (the top of its widest band).
    pub fn highest(&self) -> f64 {
        self.series
            .iter()
            .flat_map(|s| &s.bands)
            .map(|b| b.q[4])
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    }
}

/// Stacked areas of several series' medians (e.g. employment by sector).
pub struct StackedChart {
    /// Title.
    pub title: String,
    /// Vertical axis description.
    pub y_desc: String,
    /// Layers from the bottom up.
    pub layers: Vec<Series>,
    /// Policy and event spans.
    pub markers: Vec<Marker>,
    /// Note under the chart.
    pub note: String,
    /// A highest total the vertical axis must reach (shared by panels).
    pub top: Option<f64>,
}

impl StackedChart {
    /// The highest total of its layers' medians.
    pub fn highest(&self) -> f64 {
        let steps = self.layers.first().map_or(0, |l| l.bands.len());
        (0..steps)
            .map(|i| {
                self.layers
                    .iter()
                    .filter_map(|l| l.bands.get(i))
                    .map(|b| b.q[2].max(0.0))
                    .sum::<f64>()
            })
            .fold(0.0, f64::max)
    }
}

impl Chart for StackedChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(err)?;
        let (x0, x1) = year_range(self.layers.iter().flat_map(|s| &s.bands));
        let steps = self.layers.first().map_or(0, |l| l.bands.len());
        let mut tops = vec![vec![0.0; steps]];
        for layer in &self.layers {
            let below = tops.last().expect("starts with the baseline").clone();
            tops.push(
                below
                    .iter()
                    .zip(&layer.bands)
                    .map(|(b, band)| b + band.q[2].max(0.0))
                    .collect(),
            );
        }
        let hi = tops
            .last()
            .into_iter()
            .flatten()
            .copied()
            .fold(self.top.unwrap_or(1.0), f64::max)
            * 1.12;
        let total: Vec<(f64, f64)> = self
            .layers
            .first()
            .map(|l| l.bands.iter().map(|b| b.year).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .zip(tops.last().cloned().unwrap_or_default())
            .collect();
        let (corner, hi, height) = legend_place(&total, (x0, x1), (0.0, hi), self.layers.len());
        let legend = LegendBox::new(&corner, height);
        let area = root.margin(0, note_space(&self.note), 0, 0);
        let mut chart = time_axes(&area, &self.title, &self.y_desc, (x0, x1), (0.0, hi))?;
        for (i, layer) in self.layers.iter().enumerate() {
            let years: Vec<f64> = layer.bands.iter().map(|b| b.year).collect();
            let mut ring: Vec<(f64, f64)> = years
                .iter()
                .copied()
                .zip(tops[i + 1].iter().copied())
                .collect();
            ring.extend(years.iter().copied().zip(tops[i].iter().copied()).rev());
            let color = layer.color;
            chart
                .draw_series(std::iter::once(Polygon::new(
                    ring,
                    color.mix(0.85).filled(),
                )))
                .map_err(err)?
                .label(&layer.label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 18, y + 6)], color.filled())
                });
        }
        draw_markers(&mut chart, &self.markers, legend, (x0, x1), (0.0, hi))?;
        draw_legend(&mut chart, corner)?;
        draw_note(root, &self.note)
    }
}

/// Two age pyramids side by side (men left, women right), on the same scale.
pub struct PyramidChart {
    /// Title.
    pub title: String,
    /// Panels: a label and `[male, female]` counts per group, youngest first.
    pub panels: Vec<(String, Vec<[f64; 2]>)>,
    /// Group labels.
    pub groups: Vec<String>,
    /// Note under the chart.
    pub note: String,
    /// A largest count the horizontal axis must reach (shared by panels).
    pub top: Option<f64>,
}

impl PyramidChart {
    /// The largest count of any group in any of its panels.
    pub fn highest(&self) -> f64 {
        self.panels
            .iter()
            .flat_map(|(_, c)| c.iter().flatten())
            .copied()
            .fold(0.0, f64::max)
    }
}

impl Chart for PyramidChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(err)?;
        let body = root.margin(0, note_space(&self.note), 0, 0);
        let (top, rest) = body.split_vertically(50);
        top.titled(&self.title, title_font(&top)).map_err(err)?;
        let max = self.highest().max(self.top.unwrap_or(1.0)).max(1.0) * 1.08;
        let n = self.groups.len().max(1) as f64;
        let groups = &self.groups;
        let (men, women) = (RGBColor(0, 114, 178), RGBColor(213, 94, 0));
        for (area, (label, counts)) in rest
            .split_evenly((1, self.panels.len().max(1)))
            .iter()
            .zip(&self.panels)
        {
            let mut chart = ChartBuilder::on(area)
                .caption(label, font(23))
                .margin(14)
                .x_label_area_size(48)
                .y_label_area_size(62)
                .build_cartesian_2d(-max..max, -0.5..n - 0.5)
                .map_err(err)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .x_desc("Residents (men left, women right)")
                .x_labels(7)
                .y_labels(groups.len().max(2) / 2 + 1)
                .x_label_formatter(&|x| compact(x.abs()))
                .y_label_formatter(&|y| {
                    let i = y.round() as usize;
                    if (y - y.round()).abs() < 1e-6 && i.is_multiple_of(2) {
                        groups.get(i).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .label_style(font(17))
                .axis_desc_style(font(18))
                .light_line_style(RGBColor(240, 240, 240))
                .draw()
                .map_err(err)?;
            chart
                .draw_series(counts.iter().enumerate().flat_map(|(g, c)| {
                    let y = g as f64;
                    [
                        Rectangle::new([(-c[0], y - 0.42), (0.0, y + 0.42)], men.filled()),
                        Rectangle::new([(0.0, y - 0.42), (c[1], y + 0.42)], women.filled()),
                    ]
                }))
                .map_err(err)?;
        }
        draw_note(root, &self.note)
    }
}

/// Height of one panel of small multiples, in pixels.
const PANEL_HEIGHT: u32 = 430;

/// Small multiples: one chart per configuration of a sweep, on shared axes,
/// under one title and one note, in two columns (wide enough for a time axis).
pub struct Panels<C> {
    /// Title.
    pub title: String,
    /// The panels, each titled with its configuration.
    pub panels: Vec<C>,
    /// Note under the panels.
    pub note: String,
}

impl<C> Panels<C> {
    /// Columns and rows of the grid.
    fn grid(&self) -> (usize, usize) {
        let n = self.panels.len().max(1);
        let cols = n.min(2);
        (cols, n.div_ceil(cols))
    }
}

impl<C: Chart> Chart for Panels<C> {
    fn size(&self) -> (u32, u32) {
        let (_, rows) = self.grid();
        (
            SIZE.0,
            60 + rows as u32 * PANEL_HEIGHT + note_space(&self.note),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(err)?;
        let body = root.margin(0, note_space(&self.note), 0, 0);
        let (top, rest) = body.split_vertically(60);
        top.titled(&self.title, font(31)).map_err(err)?;
        let (cols, rows) = self.grid();
        for (area, panel) in rest.split_evenly((rows, cols)).iter().zip(&self.panels) {
            panel.draw(area)?;
        }
        draw_note(root, &self.note)
    }
}
