//! Numbers as a student reads them: percentages, thousands separators, signed
//! changes, and ranges over replicates.

/// A share as a percentage: one decimal below 10 %, whole numbers above.
pub fn pct(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let p = 100.0 * x;
    if p.abs() < 10.0 && p.round() != p {
        format!("{p:.1}\u{a0}%")
    } else {
        format!("{p:.0}\u{a0}%")
    }
}

/// A signed change given as a share (`-0.56` → `−56 %`).
pub fn change(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let text = pct(x.abs());
    if (100.0 * x).round() == 0.0 {
        text
    } else if x < 0.0 {
        format!("\u{2212}{text}")
    } else {
        format!("+{text}")
    }
}

/// A number with thousands separators (whole numbers from 100 up, two
/// significant decimals below).
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x.abs() >= 100.0 || (x.fract() == 0.0 && x.abs() < 1e15) {
        // Half away from zero, as `f64::round`, so a count reads the same
        // wherever it is rounded.
        let digits = format!("{}", x.abs().round());
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if x < 0.0 {
            format!("\u{2212}{out}")
        } else {
            out
        }
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// A figure said with "about": two significant digits from 100 up (77,812
/// reads 78,000), as `num` below that; more digits would claim a precision
/// the replicates do not have.
pub fn about(x: f64) -> String {
    if !x.is_finite() || x.abs() < 100.0 {
        return num(x);
    }
    let scale = 10f64.powi(x.abs().log10().floor() as i32 - 1);
    num((x / scale).round() * scale)
}

/// A value in its unit, as shown in tables.
pub fn in_unit(unit: &str, x: f64) -> String {
    match unit {
        "share" => pct(x),
        "persons" => num(x.round()),
        "million yuan" => format!("{} million yuan", num(x)),
        "years of prior earnings" => format!("{x:.1} years"),
        _ => num(x),
    }
}

/// A range over replicates in a unit (`12–18 %`).
pub fn range(unit: &str, lo: f64, hi: f64) -> String {
    if !lo.is_finite() || !hi.is_finite() {
        return "–".into();
    }
    match unit {
        "share" => {
            let (a, b) = (pct(lo), pct(hi));
            if a == b {
                // Both ends round alike: one more decimal, or one value.
                let (a, b) = (format!("{:.1}", 100.0 * lo), format!("{:.1}", 100.0 * hi));
                return if a == b {
                    pct(lo)
                } else {
                    format!("{a}–{b}\u{a0}%")
                };
            }
            format!("{}–{b}", a.trim_end_matches("\u{a0}%"))
        }
        "years of prior earnings" => format!("{lo:.1}–{hi:.1} years"),
        "million yuan" => format!("{}–{} million yuan", num(lo), num(hi)),
        "persons" => format!("{}–{}", num(lo.round()), num(hi.round())),
        _ => format!("{}–{}", num(lo), num(hi)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_reading() {
        assert_eq!(pct(0.184), "18\u{a0}%");
        assert_eq!(pct(0.045), "4.5\u{a0}%");
        assert_eq!(pct(0.05), "5\u{a0}%");
        assert_eq!(change(-0.562), "\u{2212}56\u{a0}%");
        assert_eq!(change(0.12), "+12\u{a0}%");
        assert_eq!(num(1234567.4), "1,234,567");
        assert_eq!(num(-2500.0), "\u{2212}2,500");
        assert_eq!(num(2.5), "2.50");
        assert_eq!(num(1.0), "1");
        assert_eq!(range("share", 0.1, 0.2), "10–20\u{a0}%");
        assert_eq!(range("persons", 1000.0, 2000.0), "1,000–2,000");
        // "About": two significant digits from 100 up.
        assert_eq!(about(77_812.0), "78,000");
        assert_eq!(about(995.0), "1,000");
        assert_eq!(about(-81_355.0), "\u{2212}81,000");
        assert_eq!(about(99.9), "99.9");
        assert_eq!(about(850.0), "850");
    }
}
