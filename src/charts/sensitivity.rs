//! Sensitivity charts, one per output: Sobol indices as bars with their
//! intervals (total index light, first-order dark, parameters from the
//! strongest down), or Morris's μ*–σ plane with a labelled point per parameter.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::draw::{Chart, DrawResult, FONT, PALETTE, err};

/// One parameter's Sobol indices: (value, low, high) each.
#[derive(Clone, Debug)]
pub struct SobolBar {
    /// Parameter key.
    pub parameter: String,
    /// First-order index and its interval.
    pub first: [f64; 3],
    /// Total index and its interval.
    pub total: [f64; 3],
}

/// Sobol indices of one output.
pub struct SobolChart {
    /// The output.
    pub output: String,
    /// Its parameters (drawn with the strongest total index at the top).
    pub bars: Vec<SobolBar>,
}

impl Chart for SobolChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(err)?;
        let mut bars = self.bars.clone();
        // Weakest at the bottom, strongest at the top.
        bars.sort_by(|a, b| a.total[0].total_cmp(&b.total[0]));
        let n = bars.len().max(1) as f64;
        let top = bars
            .iter()
            .flat_map(|b| [b.first[2], b.total[2], b.total[0]])
            .filter(|x| x.is_finite())
            .fold(1.0_f64, f64::max)
            .min(1.5);
        let bottom = bars
            .iter()
            .flat_map(|b| [b.first[1], b.first[0]])
            .filter(|x| x.is_finite())
            .fold(0.0_f64, f64::min)
            .max(-0.5);
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("What drives {}: Sobol indices", self.output),
                (FONT, 29),
            )
            .margin(18)
            .margin_right(44)
            .x_label_area_size(56)
            .y_label_area_size(400)
            .build_cartesian_2d(bottom..top, -0.5..n - 0.5)
            .map_err(err)?;
        let label = |y: &f64| {
            let i = y.round();
            if (y - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            bars.get(i as usize)
                .map(|b| b.parameter.clone())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_desc("share of the output's variance · light: total index · dark: first-order · line: 95 % interval")
            .y_labels(bars.len() + 2)
            .y_label_formatter(&label)
            .x_label_formatter(&|x| format!("{x:.1}"))
            .label_style((FONT, 17))
            .axis_desc_style((FONT, 18))
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .map_err(err)?;
        let color = PALETTE[0];
        for (i, b) in bars.iter().enumerate() {
            let y = i as f64;
            for (index, (offset, shade)) in [(b.total, (0.12, 0.35)), (b.first, (-0.12, 1.0))] {
                let [v, lo, hi] = index;
                let (dy, alpha) = (offset, shade);
                if !v.is_finite() {
                    continue;
                }
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, y + dy - 0.1), (v, y + dy + 0.1)],
                        color.mix(alpha).filled(),
                    )))
                    .map_err(err)?;
                if lo.is_finite() && hi.is_finite() {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            [(lo, y + dy), (hi, y + dy)],
                            BLACK.stroke_width(2),
                        )))
                        .map_err(err)?;
                }
            }
        }
        root.present().map_err(err)
    }
}

/// One parameter's Morris statistics.
#[derive(Clone, Debug)]
pub struct MorrisPoint {
    /// Parameter key.
    pub parameter: String,
    /// μ* and its interval.
    pub mu_star: [f64; 3],
    /// σ.
    pub sigma: f64,
}

/// Morris's μ*–σ plane for one output.
pub struct MorrisChart {
    /// The output.
    pub output: String,
    /// Its parameters.
    pub points: Vec<MorrisPoint>,
}

impl Chart for MorrisChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(err)?;
        let finite = |x: &f64| x.is_finite();
        let xmax = self
            .points
            .iter()
            .map(|p| p.mu_star[2].max(p.mu_star[0]))
            .filter(finite)
            .fold(0.0_f64, f64::max);
        let ymax = self
            .points
            .iter()
            .map(|p| p.sigma)
            .filter(finite)
            .fold(0.0_f64, f64::max);
        let (xmax, ymax) = (
            if xmax > 0.0 { xmax * 1.25 } else { 1.0 },
            if ymax > 0.0 { ymax * 1.2 } else { 1.0 },
        );
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("What drives {}: Morris screening", self.output),
                (FONT, 29),
            )
            .margin(18)
            .margin_right(44)
            .x_label_area_size(56)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..xmax, 0.0..ymax)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("μ*: mean absolute effect of a step in the parameter (bar: 95 % bootstrap interval)")
            .y_desc("σ: how much the effect depends on the others")
            .x_label_formatter(&|x| format!("{x:.3}"))
            .y_label_formatter(&|y| format!("{y:.3}"))
            .label_style((FONT, 17))
            .axis_desc_style((FONT, 18))
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .map_err(err)?;
        // σ = μ*: above this line effects change sign or size a lot with the
        // other parameters.
        let edge = xmax.min(ymax);
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (edge, edge)],
                RGBColor(160, 160, 160).stroke_width(1),
            ))
            .map_err(err)?;
        let color = PALETTE[0];
        for p in &self.points {
            let [v, lo, hi] = p.mu_star;
            if !v.is_finite() || !p.sigma.is_finite() {
                continue;
            }
            if lo.is_finite() && hi.is_finite() {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        [(lo, p.sigma), (hi, p.sigma)],
                        color.mix(0.5).stroke_width(2),
                    )))
                    .map_err(err)?;
            }
            chart
                .draw_series(std::iter::once(Circle::new(
                    (v, p.sigma),
                    6,
                    color.filled(),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    p.parameter.clone(),
                    (v, p.sigma),
                    (FONT, 16).into_font(),
                )))
                .map_err(err)?;
        }
        root.present().map_err(err)
    }
}
