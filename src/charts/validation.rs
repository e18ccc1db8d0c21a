//! The validation charts: one row per observation compared, the model's median
//! (a dot) and 90 % band (a bar) beside the observed figure (a black triangle for
//! a value, a black line for a range or a bound). Shares, changes and ratios
//! share one chart in percent; birth and death rates have their own, per 1,000.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::draw::{Chart, DrawResult, FONT, PALETTE, SIZE, err};
use crate::observations::Use;
use crate::validation::{Comparison, PER_1000_A_YEAR};

/// Stem of the chart of shares, changes and ratios.
pub const SHARES_STEM: &str = "validation";

/// Stem of the chart of birth and death rates, written where any is compared.
pub const RATES_STEM: &str = "validation_rates";

/// A row of the chart.
struct Row {
    label: String,
    /// Model 5th, 50th and 95th percentiles, in the chart's unit.
    model: [f64; 3],
    /// Observed value, low and high bounds, in the chart's unit.
    observed: (Option<f64>, Option<f64>, Option<f64>),
}

/// A chart of a validation: the observations compared in one unit.
pub struct ValidationChart {
    rows: Vec<Row>,
    caption: &'static str,
    /// The axis's unit, as its description opens.
    unit: &'static str,
}

/// Height of one row, in pixels, where the rows need more than the default size.
const ROW_HEIGHT: u32 = 22;

impl ValidationChart {
    /// Shares, changes and ratios (employed per resident), in percent.
    pub fn shares(comparisons: &[Comparison]) -> Self {
        ValidationChart {
            rows: rows(comparisons, &["share", "ratio"], 100.0),
            caption: "The model against observed data",
            unit: "%",
        }
    }

    /// Birth and death rates, per 1,000 residents a year.
    pub fn rates(comparisons: &[Comparison]) -> Self {
        ValidationChart {
            rows: rows(comparisons, &[PER_1000_A_YEAR], 1.0),
            caption: "The model against observed birth and death rates",
            unit: "‰",
        }
    }

    /// Whether any observation was compared in this chart's unit.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The rows of the observations compared whose unit is one of `units`, scaled.
fn rows(comparisons: &[Comparison], units: &[&str], scale: f64) -> Vec<Row> {
    let scaled = |x: Option<f64>| x.map(|v| scale * v);
    comparisons
        .iter()
        .filter(|c| units.contains(&c.unit.as_str()))
        .filter_map(|c| {
            let model = c.model?.map(|v| scale * v);
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
                observed: (scaled(c.observed), scaled(c.low), scaled(c.high)),
            })
        })
        .collect()
}

impl Chart for ValidationChart {
    /// As tall as its rows need, so that their labels never overlap.
    fn size(&self) -> (u32, u32) {
        let (w, h) = SIZE;
        (w, h.max(140 + ROW_HEIGHT * self.rows.len() as u32))
    }

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
            .caption(self.caption, (FONT, 31))
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
            .x_desc(format!(
                "{}   ● model median, bar: 90 % band   ▲ observed, thin line: tolerance, thick: range or bound",
                self.unit
            ))
            .y_labels(self.rows.len() + 2)
            .y_label_formatter(&label)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .label_style((FONT, 17))
            .axis_desc_style((FONT, 18))
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
                (Some(v), low, high) => {
                    // A value with its stated tolerance: the tolerance as a
                    // thin line, so the verdict can be seen.
                    if low.is_some() || high.is_some() {
                        chart
                            .draw_series(LineSeries::new(
                                [(low.unwrap_or(x0), below), (high.unwrap_or(x1), below)],
                                ink.stroke_width(1),
                            ))
                            .map_err(err)?;
                    }
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
