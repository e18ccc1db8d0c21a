//! The experimental design of a scenario: parameters given as distributions
//! (sampled once per replicate) and parameters given as several values (a sweep:
//! one configuration per combination).
//!
//! A distribution is a table with a `dist` key, e.g.
//! `separation_rate = { dist = "normal", mean = 0.01, sd = 0.002, min = 0.0 }`.
//! A sweep is an array where one value is expected, e.g. `take_up = [0.1, 0.2]`
//! (for a parameter that is itself an array, an array of such arrays).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, LogNormal, Normal, Triangular, Uniform};
use sha2::{Digest, Sha256};
use toml::{Table, Value};

use super::source::{Merged, join};
use crate::error::ScenarioError;
use crate::model::sample::categorical;

/// Parameters whose value is itself an array, with the nesting depth of that
/// array (`*` stands for any sector or policy name).
const ARRAY_KEYS: &[(&str, usize)] = &[
    ("population.age_structure.male", 1),
    ("population.age_structure.female", 1),
    ("population.skill_shares", 1),
    ("population.young_skill_shares", 1),
    ("demography.entry_age", 1),
    ("demography.mortality_path", 2),
    ("demography.fertility_path", 2),
    ("labour.skill_premium", 1),
    ("migration.newcomer_skill_shares", 1),
    ("sectors.*.skill_fit", 1),
    ("sectors.*.demand", 2),
    ("policies.*.eligible_sectors", 1),
];

/// Keys that cannot vary within a batch: they fix the shape of the outputs.
const FIXED_KEYS: &[&str] = &[
    "simulation.*",
    "sectors.*.kind",
    "sectors.*.unit",
    "policies.*.kind",
];

/// Tables that hold text, never parameters.
const TEXT_KEYS: &[&str] = &["name", "description", "question", "sources", "extends"];

/// Most draws tried to land a truncated distribution inside `min..=max`.
const MAX_TRUNCATION_TRIES: usize = 10_000;

/// A parameter swept over several values.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// Dotted key path.
    pub path: String,
    /// The values, in file order.
    pub values: Vec<Value>,
}

/// The shape of a parameter distribution (field names are the scenario keys).
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Shape {
    /// Normal(mean, sd).
    Normal { mean: f64, sd: f64 },
    /// Log-normal with the given median and standard deviation of the log.
    LogNormal { median: f64, sigma: f64 },
    /// Uniform on `low..high`.
    Uniform { low: f64, high: f64 },
    /// Triangular on `low..high` with its peak at `mode`.
    Triangular { low: f64, mode: f64, high: f64 },
    /// Beta(alpha, beta), scaled to `low..high` (default 0..1).
    Beta {
        alpha: f64,
        beta: f64,
        low: f64,
        high: f64,
    },
    /// One of several values, with optional weights.
    Choice {
        values: Vec<Value>,
        weights: Vec<f64>,
    },
}

/// A parameter drawn once per replicate.
#[derive(Clone, Debug, PartialEq)]
pub struct Dist {
    /// Dotted key path.
    pub path: String,
    /// The distribution.
    pub shape: Shape,
    /// Draws below this are redrawn (truncation).
    pub min: Option<f64>,
    /// Draws above this are redrawn (truncation).
    pub max: Option<f64>,
    /// Round draws to whole numbers (for whole-number parameters).
    pub round: bool,
}

/// Every swept and uncertain parameter of a scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Design {
    /// Swept parameters, in file order; the last varies fastest.
    pub sweeps: Vec<Sweep>,
    /// Uncertain parameters, in file order.
    pub dists: Vec<Dist>,
}

fn matches(pattern: &str, path: &str) -> bool {
    let (p, k): (Vec<&str>, Vec<&str>) = (pattern.split('.').collect(), path.split('.').collect());
    if pattern.ends_with(".*") {
        return k.len() >= p.len() - 1 && p[..p.len() - 1].iter().zip(&k).all(|(a, b)| a == b);
    }
    p.len() == k.len() && p.iter().zip(&k).all(|(a, b)| *a == "*" || a == b)
}

fn array_depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.first().map_or(0, array_depth),
        _ => 0,
    }
}

impl Design {
    /// Finds the sweeps and distributions of a merged scenario and checks them.
    pub fn find(m: &Merged) -> Result<Design, ScenarioError> {
        let mut design = Design::default();
        design.walk(m, &m.table, "")?;
        Ok(design)
    }

    fn walk(&mut self, m: &Merged, table: &Table, prefix: &str) -> Result<(), ScenarioError> {
        for (key, value) in table {
            let path = join(prefix, key);
            if prefix.is_empty() && TEXT_KEYS.contains(&key.as_str()) {
                continue;
            }
            let expected = ARRAY_KEYS
                .iter()
                .find(|(p, _)| matches(p, &path))
                .map_or(0, |&(_, d)| d);
            let fixed = FIXED_KEYS.iter().any(|p| matches(p, &path));
            match value {
                Value::Table(t) if super::source::is_distribution(t) => {
                    if fixed {
                        return Err(m.error(
                            &path,
                            "cannot be uncertain: it fixes the shape of the outputs",
                        ));
                    }
                    self.dists.push(parse_dist(m, &path, t)?);
                }
                Value::Table(t) => self.walk(m, t, &path)?,
                Value::Array(values) if array_depth(value) == expected + 1 => {
                    if fixed {
                        return Err(
                            m.error(&path, "cannot be swept: it fixes the shape of the outputs")
                        );
                    }
                    if values.is_empty() {
                        return Err(m.error(&path, "is an empty sweep: give at least one value"));
                    }
                    self.sweeps.push(Sweep {
                        path,
                        values: values.clone(),
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Number of configurations (combinations of swept values); 1 without sweeps.
    pub fn configurations(&self) -> usize {
        // Saturating, so that many long sweeps cannot wrap around to a small
        // count: the caller refuses more than `MAX_CONFIGURATIONS`.
        self.sweeps
            .iter()
            .fold(1usize, |n, s| n.saturating_mul(s.values.len()))
    }

    /// The swept values of configuration `c` (0-based), last sweep fastest.
    pub fn configuration(&self, c: usize) -> Vec<(String, Value)> {
        let mut rest = c;
        let mut out: Vec<(String, Value)> = self
            .sweeps
            .iter()
            .rev()
            .map(|s| {
                let i = rest % s.values.len();
                rest /= s.values.len();
                (s.path.clone(), s.values[i].clone())
            })
            .collect();
        out.reverse();
        out
    }

    /// A central value of every distribution (its mean, median, mode or first
    /// choice), used to check a scenario before anything is drawn.
    pub fn central(&self) -> Vec<(String, Value)> {
        self.dists
            .iter()
            .map(|d| {
                let x = match &d.shape {
                    Shape::Normal { mean, .. } => *mean,
                    Shape::LogNormal { median, .. } => *median,
                    Shape::Uniform { low, high } => 0.5 * (low + high),
                    Shape::Triangular { mode, .. } => *mode,
                    Shape::Beta {
                        alpha,
                        beta,
                        low,
                        high,
                    } => low + (high - low) * alpha / (alpha + beta),
                    Shape::Choice { values, .. } => return (d.path.clone(), values[0].clone()),
                };
                (d.path.clone(), d.number(x))
            })
            .collect()
    }

    /// Draws every uncertain parameter for one replicate, given the replicate's
    /// seed. Each parameter has its own random stream, keyed by that seed and the
    /// parameter's path (with the replicate index as stream number), so that adding
    /// an uncertain parameter does not change the draws of the others, and
    /// replicate `r` draws the same values in every configuration.
    pub fn sample(&self, seed: u64, replicate: u64) -> Result<Vec<(String, Value)>, String> {
        self.dists
            .iter()
            .map(|d| d.sample(seed, replicate).map(|v| (d.path.clone(), v)))
            .collect()
    }
}

impl Dist {
    fn number(&self, x: f64) -> Value {
        if self.round {
            Value::Integer(x.round() as i64)
        } else {
            Value::Float(x)
        }
    }

    fn rng(&self, seed: u64, replicate: u64) -> ChaCha8Rng {
        let digest = Sha256::digest(format!("{seed}/{}", self.path).as_bytes());
        let mut key = [0u8; 32];
        key.copy_from_slice(&digest);
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(replicate);
        rng
    }

    /// Draws this parameter for one replicate.
    pub fn sample(&self, seed: u64, replicate: u64) -> Result<Value, String> {
        let mut rng = self.rng(seed, replicate);
        if let Shape::Choice { values, weights } = &self.shape {
            return Ok(values[categorical(&mut rng, weights)].clone());
        }
        for _ in 0..MAX_TRUNCATION_TRIES {
            let x = match self.shape {
                Shape::Normal { mean, sd } => Normal::new(mean, sd)
                    .map_err(|e| e.to_string())?
                    .sample(&mut rng),
                Shape::LogNormal { median, sigma } => LogNormal::new(median.ln(), sigma)
                    .map_err(|e| e.to_string())?
                    .sample(&mut rng),
                Shape::Uniform { low, high } => Uniform::new(low, high)
                    .map_err(|e| e.to_string())?
                    .sample(&mut rng),
                Shape::Triangular { low, mode, high } => Triangular::new(low, high, mode)
                    .map_err(|e| e.to_string())?
                    .sample(&mut rng),
                Shape::Beta {
                    alpha,
                    beta,
                    low,
                    high,
                } => {
                    low + (high - low)
                        * Beta::new(alpha, beta)
                            .map_err(|e| e.to_string())?
                            .sample(&mut rng)
                }
                Shape::Choice { .. } => unreachable!("handled above"),
            };
            let x = if self.round { x.round() } else { x };
            if self.min.is_none_or(|m| x >= m) && self.max.is_none_or(|m| x <= m) {
                return Ok(self.number(x));
            }
        }
        Err(format!(
            "no draw fell inside min..max in {MAX_TRUNCATION_TRIES} tries; widen the bounds or move the distribution"
        ))
    }
}

impl Dist {
    /// The value at quantile `u` (in `[0, 1]`) of this parameter's
    /// distribution truncated to `min..=max`: `u` is first mapped to
    /// `F(min) + u (F(max) − F(min))`, so that a design spread evenly over the
    /// unit interval is spread over the truncated distribution the way
    /// replicates' draws are. Used by designs (Latin hypercube, sensitivity)
    /// that choose the points instead of drawing them.
    pub fn quantile(&self, u: f64) -> Result<Value, String> {
        use statrs::distribution::{
            Beta as BetaQ, ContinuousCDF, LogNormal as LogNormalQ, Normal as NormalQ,
            Triangular as TriangularQ, Uniform as UniformQ,
        };
        if !(0.0..=1.0).contains(&u) {
            return Err(format!("a quantile must be in [0, 1], found {u}"));
        }
        let (scale, shift, cdf): (f64, f64, Box<dyn ContinuousCDF<f64, f64>>) = match &self.shape {
            Shape::Choice { values, weights } => {
                let total: f64 = weights.iter().sum();
                let mut acc = 0.0;
                for (v, w) in values.iter().zip(weights) {
                    acc += w / total;
                    if u < acc {
                        return Ok(v.clone());
                    }
                }
                return Ok(values.last().cloned().unwrap_or(Value::Float(f64::NAN)));
            }
            Shape::Normal { mean, sd } => (
                1.0,
                0.0,
                Box::new(NormalQ::new(*mean, *sd).map_err(|e| e.to_string())?),
            ),
            Shape::LogNormal { median, sigma } => (
                1.0,
                0.0,
                Box::new(LogNormalQ::new(median.ln(), *sigma).map_err(|e| e.to_string())?),
            ),
            Shape::Uniform { low, high } => (
                1.0,
                0.0,
                Box::new(UniformQ::new(*low, *high).map_err(|e| e.to_string())?),
            ),
            Shape::Triangular { low, mode, high } => (
                1.0,
                0.0,
                Box::new(TriangularQ::new(*low, *high, *mode).map_err(|e| e.to_string())?),
            ),
            Shape::Beta {
                alpha,
                beta,
                low,
                high,
            } => (
                high - low,
                *low,
                Box::new(BetaQ::new(*alpha, *beta).map_err(|e| e.to_string())?),
            ),
        };
        // Bounds in the unscaled distribution's terms.
        let unscaled = |x: f64| (x - shift) / scale;
        let lo = self.min.map_or(0.0, |m| cdf.cdf(unscaled(m)));
        let hi = self.max.map_or(1.0, |m| cdf.cdf(unscaled(m)));
        if hi <= lo {
            return Err("min..max leaves no probability to draw from".into());
        }
        // An unbounded tail has no quantile 0 or 1: stop a hair inside.
        let q = (lo + u * (hi - lo)).clamp(1e-12, 1.0 - 1e-12);
        let x = shift + scale * cdf.inverse_cdf(q);
        let x = if self.round { x.round() } else { x };
        let x = match (self.min, self.max) {
            (Some(m), _) if x < m => m,
            (_, Some(m)) if x > m => m,
            _ => x,
        };
        Ok(self.number(x))
    }
}

/// Keys a distribution table may have, by `dist`.
fn dist_keys(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "normal" => &["mean", "sd"],
        "lognormal" => &["median", "sigma"],
        "uniform" => &["low", "high"],
        "triangular" => &["low", "mode", "high"],
        "beta" => &["alpha", "beta"],
        "choice" => &["values"],
        _ => return None,
    })
}

fn parse_dist(m: &Merged, path: &str, t: &Table) -> Result<Dist, ScenarioError> {
    let key = |k: &str| join(path, k);
    let kind = t.get("dist").and_then(Value::as_str).ok_or_else(|| {
        m.error(&key("dist"), "expected the name of a distribution (normal, lognormal, uniform, triangular, beta, choice)")
    })?;
    let required = dist_keys(kind).ok_or_else(|| {
        m.error(
            &key("dist"),
            format!("unknown distribution `{kind}`; expected normal, lognormal, uniform, triangular, beta or choice"),
        )
    })?;
    let optional: &[&str] = match kind {
        "choice" => &["weights"],
        "beta" => &["low", "high", "min", "max", "round"],
        _ => &["min", "max", "round"],
    };
    for k in t.keys() {
        if k != "dist" && !required.contains(&k.as_str()) && !optional.contains(&k.as_str()) {
            let all: Vec<&str> = required.iter().chain(optional).copied().collect();
            return Err(m.error(
                &key(k),
                format!(
                    "is not a key of a `{kind}` distribution; its keys are: dist, {}",
                    all.join(", ")
                ),
            ));
        }
    }
    for k in required {
        if !t.contains_key(*k) {
            return Err(m.error(path, format!("a `{kind}` distribution needs `{k}`")));
        }
    }
    let num = |k: &str| -> Result<f64, ScenarioError> {
        match t.get(k) {
            Some(Value::Float(x)) if x.is_finite() => Ok(*x),
            Some(Value::Integer(i)) => Ok(*i as f64),
            Some(other) => {
                Err(m.error(&key(k), format!("expected a finite number, found {other}")))
            }
            None => Err(m.error(path, format!("missing `{k}`"))),
        }
    };
    let opt =
        |k: &str| -> Result<Option<f64>, ScenarioError> { t.get(k).map(|_| num(k)).transpose() };
    let bad = |k: &str, msg: String| Err(m.error(&key(k), msg));
    let shape = match kind {
        "normal" => {
            let (mean, sd) = (num("mean")?, num("sd")?);
            if sd < 0.0 {
                return bad(
                    "sd",
                    format!("expected a standard deviation of at least 0, found {sd}"),
                );
            }
            Shape::Normal { mean, sd }
        }
        "lognormal" => {
            let (median, sigma) = (num("median")?, num("sigma")?);
            if median <= 0.0 {
                return bad(
                    "median",
                    format!("expected a median above 0, found {median}"),
                );
            }
            if sigma < 0.0 {
                return bad(
                    "sigma",
                    format!("expected a sigma of at least 0, found {sigma}"),
                );
            }
            Shape::LogNormal { median, sigma }
        }
        "uniform" => {
            let (low, high) = (num("low")?, num("high")?);
            if low >= high {
                return bad(
                    "high",
                    format!("expected high above low ({low}), found {high}"),
                );
            }
            Shape::Uniform { low, high }
        }
        "triangular" => {
            let (low, mode, high) = (num("low")?, num("mode")?, num("high")?);
            if low >= high {
                return bad(
                    "high",
                    format!("expected high above low ({low}), found {high}"),
                );
            }
            if !(low..=high).contains(&mode) {
                return bad(
                    "mode",
                    format!("expected a mode between low ({low}) and high ({high}), found {mode}"),
                );
            }
            Shape::Triangular { low, mode, high }
        }
        "beta" => {
            let (alpha, beta) = (num("alpha")?, num("beta")?);
            for (k, v) in [("alpha", alpha), ("beta", beta)] {
                if v <= 0.0 {
                    return bad(k, format!("expected a shape parameter above 0, found {v}"));
                }
            }
            let (low, high) = (opt("low")?.unwrap_or(0.0), opt("high")?.unwrap_or(1.0));
            if low >= high {
                return bad(
                    "high",
                    format!("expected high above low ({low}), found {high}"),
                );
            }
            Shape::Beta {
                alpha,
                beta,
                low,
                high,
            }
        }
        _ => {
            let values = match t.get("values") {
                Some(Value::Array(v)) if !v.is_empty() => v.clone(),
                other => {
                    return bad(
                        "values",
                        format!(
                            "expected a non-empty array of values, found {}",
                            other.map_or("nothing".into(), |v| v.to_string())
                        ),
                    );
                }
            };
            let weights = match t.get("weights") {
                None => vec![1.0; values.len()],
                Some(Value::Array(w)) => {
                    let w: Option<Vec<f64>> = w
                        .iter()
                        .map(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
                        .collect();
                    match w {
                        Some(w)
                            if w.len() == values.len()
                                && w.iter().all(|x| x.is_finite() && *x >= 0.0)
                                && w.iter().sum::<f64>() > 0.0
                                && w.iter().sum::<f64>().is_finite() =>
                        {
                            w
                        }
                        _ => {
                            return bad(
                                "weights",
                                format!(
                                    "expected {} non-negative weights, not all 0, with a finite sum",
                                    values.len()
                                ),
                            );
                        }
                    }
                }
                Some(other) => {
                    return bad(
                        "weights",
                        format!("expected an array of weights, found {other}"),
                    );
                }
            };
            Shape::Choice { values, weights }
        }
    };
    let (min, max) = (opt("min")?, opt("max")?);
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        return bad(
            "max",
            format!("expected max at least min ({lo}), found {hi}"),
        );
    }
    let round = match t.get("round") {
        None => false,
        Some(Value::Boolean(b)) => *b,
        Some(other) => return bad("round", format!("expected true or false, found {other}")),
    };
    let dist = Dist {
        path: path.to_string(),
        shape,
        min,
        max,
        round,
    };
    let central = Design {
        sweeps: vec![],
        dists: vec![dist.clone()],
    }
    .central();
    let x = central
        .first()
        .and_then(|(_, v)| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)));
    if let Some(x) = x
        && (min.is_some_and(|lo| x < lo) || max.is_some_and(|hi| x > hi))
    {
        return Err(m.error(
            path,
            format!("the distribution's central value {x} lies outside min..max"),
        ));
    }
    Ok(dist)
}

/// Sets dotted key paths in a table (creating tables on the way).
pub fn set_paths(table: &mut Table, values: &[(String, Value)]) {
    for (path, value) in values {
        let mut t = &mut *table;
        let mut parts: Vec<&str> = path.split('.').collect();
        let last = parts.pop().unwrap_or_default();
        for p in parts {
            t = match t
                .entry(p.to_string())
                .or_insert_with(|| Value::Table(Table::new()))
            {
                Value::Table(inner) => inner,
                other => {
                    *other = Value::Table(Table::new());
                    other.as_table_mut().expect("just made a table")
                }
            };
        }
        t.insert(last.to_string(), value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(text: &str) -> Merged {
        let mut m = Merged::default();
        m.overlay(&text.parse::<Table>().unwrap(), "", &|_| {
            crate::error::Origin::file("t.toml")
        });
        m
    }

    #[test]
    fn finds_sweeps_and_distributions() {
        let m = merged(
            "[labour]\nsearch_probability = [0.1, 0.2, 0.3]\nseparation_rate = { dist = \"uniform\", low = 0.005, high = 0.02 }\n\
             [population]\nskill_shares = [0.6, 0.3, 0.1]\n[population.age_structure]\nmale = [[0.5, 0.5], [0.4, 0.6]]\n",
        );
        let d = Design::find(&m).unwrap();
        assert_eq!(d.sweeps.len(), 2, "{d:?}");
        assert_eq!(d.configurations(), 6);
        assert_eq!(d.dists.len(), 1);
        let c = d.configuration(5);
        assert_eq!(c[0].1, Value::Float(0.3));
        assert_eq!(
            c[1].1,
            Value::Array(vec![Value::Float(0.4), Value::Float(0.6)])
        );
    }

    fn draws(text: &str, n: u64) -> Vec<f64> {
        let d = Design::find(&merged(&format!("[labour]\nseparation_rate = {text}\n"))).unwrap();
        (0..n)
            .map(|r| {
                let v = d.sample(42, r).unwrap().remove(0).1;
                v.as_float()
                    .or_else(|| v.as_integer().map(|i| i as f64))
                    .unwrap()
            })
            .collect()
    }

    fn mean_sd(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        (
            m,
            (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt(),
        )
    }

    /// Sample mean and standard deviation of 20,000 draws against the
    /// distributions' theoretical moments (tolerance: about 5 standard errors).
    #[test]
    fn draws_follow_their_distributions() {
        let n = 20_000;
        let cases: [(&str, f64, f64); 5] = [
            ("{ dist = \"normal\", mean = 2.0, sd = 0.5 }", 2.0, 0.5),
            (
                "{ dist = \"uniform\", low = 1.0, high = 3.0 }",
                2.0,
                2.0 / 12f64.sqrt(),
            ),
            (
                "{ dist = \"triangular\", low = 0.0, mode = 1.0, high = 4.0 }",
                5.0 / 3.0,
                (13.0f64 / 18.0).sqrt(),
            ),
            (
                "{ dist = \"beta\", alpha = 2.0, beta = 6.0 }",
                0.25,
                (12.0f64 / (64.0 * 9.0)).sqrt(),
            ),
            (
                "{ dist = \"lognormal\", median = 1.0, sigma = 0.25 }",
                (0.03125f64).exp(),
                ((0.0625f64).exp() - 1.0).sqrt() * (0.03125f64).exp(),
            ),
        ];
        for (text, mean, sd) in cases {
            let (m, s) = mean_sd(&draws(text, n));
            let se = sd / (n as f64).sqrt();
            assert!((m - mean).abs() < 5.0 * se, "{text}: mean {m} vs {mean}");
            assert!((s - sd).abs() < 0.03 * sd, "{text}: sd {s} vs {sd}");
        }
        let xs = draws("{ dist = \"normal\", mean = 0.0, sd = 1.0, min = 0.0 }", n);
        assert!(xs.iter().all(|&x| x >= 0.0), "truncation");
        let (m, _) = mean_sd(&xs);
        assert!(
            (m - (2.0 / std::f64::consts::PI).sqrt()).abs() < 0.03,
            "half-normal mean {m}"
        );
        let xs = draws(
            "{ dist = \"choice\", values = [1, 2], weights = [3, 1] }",
            n,
        );
        let ones = xs.iter().filter(|&&x| x == 1.0).count() as f64 / n as f64;
        assert!((ones - 0.75).abs() < 0.02, "choice weights: {ones}");
        let xs = draws(
            "{ dist = \"uniform\", low = 0.5, high = 3.5, round = true }",
            2000,
        );
        assert!(
            xs.iter()
                .all(|x| x.fract() == 0.0 && (1.0..=3.0).contains(x))
        );
    }

    #[test]
    fn each_parameter_and_replicate_has_its_own_stream() {
        let d = Design::find(&merged(
            "[labour]\nseparation_rate = { dist = \"uniform\", low = 0.0, high = 1.0 }\n\
             vacancy_rate = { dist = \"uniform\", low = 0.0, high = 1.0 }\n",
        ))
        .unwrap();
        let a = d.sample(1, 0).unwrap();
        assert_ne!(a[0].1, a[1].1);
        assert_ne!(a, d.sample(1, 1).unwrap());
        assert_eq!(a, d.sample(1, 0).unwrap());
    }

    #[test]
    fn rejects_empty_sweeps_and_fixed_keys() {
        assert!(Design::find(&merged("[labour]\nsearch_probability = []\n")).is_err());
        assert!(Design::find(&merged("[simulation]\nyears = [1, 2]\n")).is_err());
        assert!(
            Design::find(&merged("[policies.p]\neligible_sectors = []\n"))
                .unwrap()
                .sweeps
                .is_empty()
        );
    }
}
