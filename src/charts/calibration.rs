//! The posterior of a calibration: for each parameter, a weighted histogram
//! of the last generation's particles over the prior's 5–95 % range (the
//! diagonal), and for each pair of parameters the particles (below it).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::draw::{Chart, DrawResult, FONT, PALETTE, err};

/// Bins of each histogram.
const BINS: usize = 20;

/// The posterior's marginals and pairs.
pub struct PosteriorChart {
    /// Parameter keys.
    pub parameters: Vec<String>,
    /// Each parameter's value in each particle.
    pub values: Vec<Vec<f64>>,
    /// Each particle's weight.
    pub weights: Vec<f64>,
    /// Each parameter's prior 5th and 95th percentiles.
    pub prior: Vec<[f64; 2]>,
}

impl PosteriorChart {
    /// The axis range of a parameter: the prior's 5–95 % range widened to hold
    /// every particle.
    fn range(&self, d: usize) -> (f64, f64) {
        let finite = self.values[d].iter().copied().filter(|x| x.is_finite());
        let lo = finite.clone().fold(self.prior[d][0], f64::min);
        let hi = finite.fold(self.prior[d][1], f64::max);
        if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        }
    }
}

impl Chart for PosteriorChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(err)?;
        let k = self.parameters.len().max(1);
        let root = root
            .titled(
                "Posterior: each parameter (diagonal) and each pair (below)",
                (FONT, 26),
            )
            .map_err(err)?;
        let panels = root.split_evenly((k, k));
        let color = PALETTE[0];
        for (i, panel) in panels.iter().enumerate() {
            let (row, col) = (i / k, i % k);
            if col > row {
                continue;
            }
            let (x0, x1) = self.range(col);
            let short = |d: usize| {
                self.parameters[d]
                    .rsplit('.')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            };
            if row == col {
                let width = (x1 - x0) / BINS as f64;
                let mut mass = [0.0; BINS];
                for (x, w) in self.values[col].iter().zip(&self.weights) {
                    if x.is_finite() {
                        let b = (((x - x0) / width) as usize).min(BINS - 1);
                        mass[b] += w;
                    }
                }
                let top = mass.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.1;
                let mut chart = ChartBuilder::on(panel)
                    .caption(short(col), (FONT, 16))
                    .margin(6)
                    .x_label_area_size(26)
                    .y_label_area_size(10)
                    .build_cartesian_2d(x0..x1, 0.0..top)
                    .map_err(err)?;
                chart
                    .configure_mesh()
                    .disable_y_axis()
                    .x_labels(3)
                    .x_label_formatter(&|x| format!("{x:.3}"))
                    .label_style((FONT, 12))
                    .light_line_style(WHITE)
                    .draw()
                    .map_err(err)?;
                chart
                    .draw_series(mass.iter().enumerate().map(|(b, &m)| {
                        let a = x0 + b as f64 * width;
                        Rectangle::new([(a, 0.0), (a + width, m)], color.mix(0.7).filled())
                    }))
                    .map_err(err)?;
            } else {
                let (y0, y1) = self.range(row);
                let mut chart = ChartBuilder::on(panel)
                    .margin(6)
                    .x_label_area_size(26)
                    .y_label_area_size(46)
                    .build_cartesian_2d(x0..x1, y0..y1)
                    .map_err(err)?;
                chart
                    .configure_mesh()
                    .x_labels(3)
                    .y_labels(3)
                    .x_label_formatter(&|x| format!("{x:.3}"))
                    .y_label_formatter(&|y| format!("{y:.3}"))
                    .label_style((FONT, 12))
                    .light_line_style(WHITE)
                    .draw()
                    .map_err(err)?;
                let wmax = self.weights.iter().copied().fold(0.0, f64::max).max(1e-12);
                chart
                    .draw_series(
                        self.values[col]
                            .iter()
                            .zip(&self.values[row])
                            .zip(&self.weights)
                            .filter(|((x, y), _)| x.is_finite() && y.is_finite())
                            .map(|((&x, &y), &w)| {
                                Circle::new((x, y), 3, color.mix(0.2 + 0.8 * w / wmax).filled())
                            }),
                    )
                    .map_err(err)?;
            }
        }
        root.present().map_err(err)
    }
}
