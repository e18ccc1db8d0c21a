//! The cohort of displaced workers: everyone who lost a job in a declining sector
//! (a demand-driven separation or a layoff wave), followed from their first
//! displacement to the end of the run, wherever they go.
//!
//! [`DisplacedTally`] counts the cohort by status and keeps the sums the
//! scorecard needs, updated by every status change of a member (through
//! `People::take` and `People::put`), so that nothing is recomputed by scanning
//! everyone.

use super::people::Status;

/// What the tally counts of one member of the cohort.
#[derive(Clone, Copy, Debug)]
pub struct Member {
    /// Current status.
    pub status: Status,
    /// Sector held or last held.
    pub sector: u8,
    /// Index of the month the current unemployment spell began (as in the
    /// cohort tally of the people store).
    pub since: usize,
    /// Personal wage factor.
    pub wage_factor: f32,
    /// Wage factor of the job before displacement.
    pub prior_factor: f32,
    /// Sector of that job.
    pub prior_sector: u8,
    /// Took early retirement.
    pub early_retired: bool,
    /// Took early retirement and has reached the statutory age since.
    pub past_statutory_age: bool,
}

impl Member {
    /// Whether the member's earnings are compared with their wage before
    /// displacement this month: while of working age in the city (in work, out
    /// of work, in training, inactive, or retired early but not yet at the
    /// statutory age). Normal retirement, death and leaving end the comparison.
    fn in_earnings_window(&self) -> bool {
        match self.status {
            Status::Employed | Status::Unemployed | Status::Training | Status::Inactive => true,
            Status::Retired => self.early_retired && !self.past_statutory_age,
            Status::Child | Status::Left | Status::Dead => false,
        }
    }
}

/// The displaced workers by status, with the sums their earnings need.
#[derive(Clone, Debug, PartialEq)]
pub struct DisplacedTally {
    /// Members by status (including those who left or died).
    by_status: [u64; 8],
    /// Unemployed members by the month their spell began.
    spells: Vec<u64>,
    /// Sum of the wage factors of employed members, by sector.
    wage_factors: Vec<f64>,
    /// Sum of the wage factors of the jobs before displacement of members in the
    /// earnings window, by the sector of those jobs.
    window_prior_factors: Vec<f64>,
}

impl DisplacedTally {
    /// An empty tally for a number of sectors and spell months.
    pub fn new(sectors: usize, spell_months: usize) -> Self {
        DisplacedTally {
            by_status: [0; 8],
            spells: vec![0; spell_months],
            wage_factors: vec![0.0; sectors],
            window_prior_factors: vec![0.0; sectors],
        }
    }

    /// Number of spell months covered.
    pub fn spell_months(&self) -> usize {
        self.spells.len()
    }

    /// Adds (`sign` 1) or removes (`sign` -1) a member in its current state.
    pub fn count(&mut self, m: Member, sign: i32) {
        let n = &mut self.by_status[m.status as usize];
        *n = n.wrapping_add_signed(sign as i64);
        match m.status {
            Status::Unemployed => {
                let n = &mut self.spells[m.since];
                *n = n.wrapping_add_signed(sign as i64);
            }
            Status::Employed => {
                self.wage_factors[m.sector as usize] += sign as f64 * m.wage_factor as f64
            }
            _ => {}
        }
        if m.in_earnings_window() {
            self.window_prior_factors[m.prior_sector as usize] +=
                sign as f64 * m.prior_factor as f64;
        }
    }

    /// Members now in a status.
    pub fn in_status(&self, status: Status) -> u64 {
        self.by_status[status as usize]
    }

    /// Members ever displaced (all statuses).
    pub fn total(&self) -> u64 {
        self.by_status.iter().sum()
    }

    /// Unemployed members whose spell began at or before spell index `index`.
    pub fn unemployed_since_at_most(&self, index: usize) -> u64 {
        let end = (index + 1).min(self.spells.len());
        self.spells[..end].iter().sum()
    }

    /// Sum of the wage factors of members employed in a sector.
    pub fn wage_factor_sum(&self, sector: usize) -> f64 {
        self.wage_factors[sector]
    }

    /// Sum of the wage factors of the jobs before displacement of the members
    /// whose earnings are compared with those jobs this month, for jobs in a
    /// sector: times the sector's wage, what those jobs would pay this month.
    pub fn window_prior_factor_sum(&self, sector: usize) -> f64 {
        self.window_prior_factors[sector]
    }

    /// Checks this tally against one built by a full scan of the residents
    /// (for tests). Leavers and the dead have no record left to scan, so their
    /// counts are not compared.
    pub fn agrees_with(&self, scan: &DisplacedTally) -> Result<(), String> {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-3 * (1.0 + b.abs());
        if self.by_status[..6] != scan.by_status[..6] || self.spells != scan.spells {
            return Err(format!(
                "displaced tally counts {:?}, a scan finds {:?}",
                self.by_status, scan.by_status
            ));
        }
        let drifted = |a: &[f64], b: &[f64]| a.iter().zip(b).any(|(&x, &y)| !close(x, y));
        if drifted(&self.window_prior_factors, &scan.window_prior_factors)
            || drifted(&self.wage_factors, &scan.wage_factors)
        {
            return Err("displaced wage sums drifted from a scan".into());
        }
        Ok(())
    }
}
