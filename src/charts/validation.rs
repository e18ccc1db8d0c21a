//! The validation chart: one row per observation compared, the model's median
//! (a dot) and 90 % band (a bar) beside the observed figure (a black diamond for
//! a value, a black bar for a range, an arrow from a bound).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::draw::{Chart, DrawResult, FONT, PALETTE, err};
use crate::observations::Use;
use crate::validation::Comparison;

/// A row of the chart.
struct Row {
    label: String,
    /// Model 5th, 50th and 95th percentiles, in percent.
    model: [f64; 3],
    /// Observed value, low and high bounds, in percent.
    observed: (Option<f64>, Option<f64>, Option<f64>),
}

/// The chart of a validation (shares and changes only: levels have other units
/// and are in the table).
pub struct ValidationChart {
    rows: Vec<Row>,
}

impl ValidationChart {
    /// The rows of the observations compared whose indicator is a share or a change.
    pub fn new(comparisons: &[Comparison]) -> Self {
        let pct = |x: Option<f64>| x.map(|v| 100.0 * v);
        let rows = comparisons
            .iter()
            .filter(|c| c.unit == "share")
            .filter_map(|c| {
                let model = c.model?.map(|v| 100.0 * v);
                let date = if c.base_date.is_empty() {
                    c.date.clone()
                } else {
                    format!("{}–{}", &c.base_date[..4], &c.date[..4])
                };
                // A row that chose a parameter is marked: its agreement is
                // not evidence, and the chart must not read as if it were.
                let fitted = if c.purpose == Use::Fit.name() {
                    " (fit)"
                } else {
                    ""
                };
                Some(Row {
                    label: format!(
                        "{} · {} · {date}{fitted}",
                        c.scenario,
                        c.indicator.replace('_', " ")
                    ),
                    model,
                    observed: (pct(c.observed), pct(c.low), pct(c.high)),
                })
            })
            .collect();
        ValidationChart { rows }
    }
}

impl Chart for ValidationChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(err)?;
        let mut values: Vec<f64> = vec![0.0];
        for r in &self.rows {
            values.extend(r.model);
            values.extend(
                [r.observed.0, r.observed.1, r.observed.2]
                    .into_iter()
                    .flatten(),
            );
        }
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = ((hi - lo) * 0.08).max(1.0);
        let (x0, x1) = (lo - pad, hi + pad);
        let n = self.rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(root)
            .caption("The model against observed data", (FONT, 31))
            .margin(18)
            .margin_right(44)
            .x_label_area_size(52)
            .y_label_area_size(420)
            .build_cartesian_2d(x0..x1, -0.5..n - 0.5)
            .map_err(err)?;
        let label = |y: &f64| {
            let i = y.round();
            if (y - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            self.rows
                .get(i as usize)
                .map(|r| r.label.clone())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_desc(
                "%    ● model median, bar its 90 % band    ▲ observed value, line a range or bound",
            )
            .y_labels(self.rows.len() + 2)
            .y_label_formatter(&label)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .label_style((FONT, 17))
            .axis_desc_style((FONT, 20))
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .map_err(err)?;
        let model = PALETTE[0];
        let ink = BLACK;
        for (i, r) in self.rows.iter().enumerate() {
            let y = i as f64;
            let [p05, p50, p95] = r.model;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(p05, y - 0.12), (p95, y + 0.12)],
                    model.mix(0.35).filled(),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Circle::new((p50, y), 7, model.filled())))
                .map_err(err)?;
            let below = y - 0.28;
            match r.observed {
                (Some(v), _, _) => {
                    chart
                        .draw_series(std::iter::once(TriangleMarker::new(
                            (v, below),
                            9,
                            ink.filled(),
                        )))
                        .map_err(err)?;
                }
                (None, low, high) => {
                    let from = low.unwrap_or(x0);
                    let to = high.unwrap_or(x1);
                    chart
                        .draw_series(LineSeries::new(
                            [(from, below), (to, below)],
                            ink.stroke_width(3),
                        ))
                        .map_err(err)?;
                    for bound in [low, high].into_iter().flatten() {
                        chart
                            .draw_series(std::iter::once(PathElement::new(
                                [(bound, below - 0.1), (bound, below + 0.1)],
                                ink.stroke_width(3),
                            )))
                            .map_err(err)?;
                    }
                }
            }
        }
        root.present().map_err(err)
    }
}
