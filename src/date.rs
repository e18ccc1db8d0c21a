//! Calendar months: the model steps one month at a time, and dates in scenario
//! files and outputs are written `YYYY-MM`.

use std::fmt;
use std::str::FromStr;

/// A calendar month, stored as months since January of year 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth(i32);

impl YearMonth {
    /// Builds a month from a year and a month number (1..=12).
    pub fn new(year: i32, month: u32) -> Option<Self> {
        (1..=12)
            .contains(&month)
            .then(|| YearMonth(year * 12 + month as i32 - 1))
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// The month number, 1..=12.
    pub fn month(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    /// This month moved by `months` (may be negative).
    pub fn plus(self, months: i32) -> Self {
        YearMonth(self.0 + months)
    }

    /// Whole months from `earlier` to `self` (negative if `self` is earlier).
    pub fn months_since(self, earlier: YearMonth) -> i32 {
        self.0 - earlier.0
    }

    /// The year as a fractional number (January = `year.0`), for interpolating paths.
    pub fn as_year_fraction(self) -> f64 {
        self.0 as f64 / 12.0
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl FromStr for YearMonth {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("expected a month as YYYY-MM (e.g. 2010-01), found {s:?}");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(1800..=2300).contains(&year) {
            return Err(format!("year {year} is outside 1800..=2300"));
        }
        YearMonth::new(year, month).ok_or_else(|| format!("month {month} is outside 01..=12"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d: YearMonth = "2013-07".parse().unwrap();
        assert_eq!((d.year(), d.month()), (2013, 7));
        assert_eq!(d.to_string(), "2013-07");
        assert_eq!(d.plus(6).to_string(), "2014-01");
        assert_eq!(d.plus(6).months_since(d), 6);
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "2013", "2013-13", "2013-00", "13-01", "2013-1", "abcd-01", "1700-01",
        ] {
            assert!(s.parse::<YearMonth>().is_err(), "{s}");
        }
    }
}
