//! The chart of a sweep: one small panel per key indicator, with the first
//! swept key across (on a numeric axis when all its values are numbers, else as
//! categories) and, per configuration, the median as a dot and the range of
//! 90 % of replicates as a bar. With several swept keys, one colour (and, on a
//! numeric axis, one line) per combination of the other keys' values.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{key_label, setting};
use super::draw::{Chart, DrawResult, PALETTE, compact, draw_note, err, font, note_space};
use super::sweep::{Panel, SweepData};

/// The chart of a sweep's key indicators.
pub struct SweepChart {
    /// Title.
    pub title: String,
    /// The indicators and their points.
    pub data: SweepData,
    /// Note under the chart.
    pub note: String,
}

/// The horizontal axis: the first key's values, as numbers or as categories.
struct Axis {
    /// The distinct values, in configuration order.
    values: Vec<String>,
    /// Whether every value is a number (then placed at its value).
    numeric: bool,
}

impl Axis {
    fn new(data: &SweepData) -> Self {
        let mut values: Vec<String> = Vec::new();
        for p in data.panels.iter().take(1).flat_map(|p| &p.points) {
            let v = p.values.first().cloned().unwrap_or_default();
            if !values.contains(&v) {
                values.push(v);
            }
        }
        let numeric = values
            .iter()
            .all(|v| v.parse::<f64>().is_ok_and(f64::is_finite));
        Axis { values, numeric }
    }

    /// Where a value sits on the axis.
    fn x(&self, v: &str) -> f64 {
        if self.numeric {
            v.parse().unwrap_or(0.0)
        } else {
            self.values.iter().position(|x| x == v).unwrap_or(0) as f64
        }
    }

    /// The axis range, with room around the outer points.
    fn range(&self) -> (f64, f64) {
        let xs: Vec<f64> = self.values.iter().map(|v| self.x(v)).collect();
        let (lo, hi) = xs
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        if lo > hi {
            (-0.5, 0.5)
        } else if !self.numeric || lo == hi {
            (lo - 0.5, hi + 0.5)
        } else {
            let pad = (hi - lo) * 0.08;
            (lo - pad, hi + pad)
        }
    }

    /// The label of a tick at `x`: the value itself, or the category there.
    fn label(&self, x: f64) -> String {
        if self.numeric {
            compact(x)
        } else if (x - x.round()).abs() < 1e-6 && x >= 0.0 {
            self.values
                .get(x.round() as usize)
                .cloned()
                .unwrap_or_default()
        } else {
            String::new()
        }
    }
}

/// The lines of a panel: one per combination of the keys after the first,
/// named `key = value, ...` (a single unnamed line without such keys).
fn groups(data: &SweepData) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in data.panels.iter().take(1).flat_map(|p| &p.points) {
        let g = group_of(&data.keys, &p.values);
        if !out.contains(&g) {
            out.push(g);
        }
    }
    out
}

fn group_of(keys: &[String], values: &[String]) -> String {
    keys.iter()
        .zip(values)
        .skip(1)
        .map(|(k, v)| setting(k, v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Shares are shown as percentages.
fn shown(unit: &str, x: f64) -> f64 {
    if unit == "share" { 100.0 * x } else { x }
}

fn unit_text(unit: &str) -> String {
    if unit == "share" {
        "%".into()
    } else {
        unit.to_string()
    }
}

impl SweepChart {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
        axis: &Axis,
        groups: &[String],
    ) -> DrawResult {
        let unit = panel.unit.as_str();
        let ys = panel
            .points
            .iter()
            .flat_map(|p| p.q)
            .filter(|y| y.is_finite())
            .map(|y| shown(unit, y));
        let (lo, hi) = ys.fold((0.0f64, 0.0f64), |(a, b), y| (a.min(y), b.max(y)));
        let pad = ((hi - lo) * 0.1).max(1e-9);
        let (y0, y1) = (if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad);
        let (x0, x1) = axis.range();
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.title, font(19))
            .margin(8)
            .margin_right(16)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        let n = axis.values.len();
        chart
            .configure_mesh()
            .x_desc(key_label(&self.data.keys[0]))
            .y_desc(unit_text(unit))
            .x_labels(if axis.numeric { 6 } else { 2 * n + 1 })
            .y_labels(5)
            .x_label_formatter(&|x| axis.label(*x))
            .y_label_formatter(&|y| compact(*y))
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(220, 220, 220))
            .draw()
            .map_err(err)?;
        // Lines side by side at one value are shifted a little, so that their
        // bars do not hide one another.
        let step = if axis.numeric {
            (x1 - x0) * 0.015
        } else {
            0.08
        };
        for (g, name) in groups.iter().enumerate() {
            let shift = (g as f64 - (groups.len() as f64 - 1.0) / 2.0) * step;
            let color = PALETTE[g % PALETTE.len()];
            let points: Vec<(f64, [f64; 3])> = panel
                .points
                .iter()
                .filter(|p| group_of(&self.data.keys, &p.values) == *name)
                .filter(|p| p.q[1].is_finite())
                .map(|p| {
                    let x = axis.x(p.values.first().map_or("", String::as_str)) + shift;
                    (x, p.q.map(|y| shown(unit, y)))
                })
                .collect();
            // A line between categories would suggest an order they lack.
            if axis.numeric {
                let mut line: Vec<(f64, f64)> = points.iter().map(|(x, q)| (*x, q[1])).collect();
                line.sort_by(|a, b| a.0.total_cmp(&b.0));
                chart
                    .draw_series(LineSeries::new(line, color.stroke_width(2)))
                    .map_err(err)?;
            }
            for (x, q) in &points {
                if q[0].is_finite() && q[2].is_finite() {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(*x, q[0]), (*x, q[2])],
                            color.mix(0.6).stroke_width(3),
                        )))
                        .map_err(err)?;
                }
                chart
                    .draw_series(std::iter::once(Circle::new((*x, q[1]), 5, color.filled())))
                    .map_err(err)?;
            }
        }
        Ok(())
    }
}

impl Chart for SweepChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(err)?;
        let body = root.margin(0, note_space(&self.note), 0, 0);
        let groups = groups(&self.data);
        let legend = groups.len() > 1;
        let (top, rest) = body.split_vertically(if legend { 78 } else { 50 });
        top.draw(&Text::new(self.title.clone(), (16, 10), font(27)))
            .map_err(err)?;
        if legend {
            let mut x = 16;
            for (g, name) in groups.iter().enumerate() {
                let color = PALETTE[g % PALETTE.len()];
                top.draw(&PathElement::new(
                    vec![(x, 60), (x + 26, 60)],
                    color.stroke_width(3),
                ))
                .map_err(err)?;
                top.draw(&Text::new(name.clone(), (x + 32, 51), font(16)))
                    .map_err(err)?;
                x += 60 + 8 * name.chars().count() as i32;
            }
        }
        let axis = Axis::new(&self.data);
        let cols = 3.min(self.data.panels.len().max(1));
        let rows = self.data.panels.len().div_ceil(cols).max(1);
        for (area, panel) in rest
            .split_evenly((rows, cols))
            .iter()
            .zip(&self.data.panels)
        {
            self.draw_panel(area, panel, &axis, &groups)?;
        }
        draw_note(root, &self.note)?;
        root.present().map_err(err)
    }
}
