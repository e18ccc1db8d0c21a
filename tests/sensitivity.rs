//! The sensitivity estimators against functions whose indices are known
//! (Ishigami, Sobol's g-function) and against SALib's numbers on the same
//! samples (`tests/data/sensitivity/`, made by `salib_reference.py` there).

mod common;

use boomtown::sensitivity::sampling::{Saltelli, latin_hypercube};
use boomtown::sensitivity::{morris, sobol};
use common::read_csv;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::f64::consts::PI;

const G_A: [f64; 6] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];

fn ishigami(x: &[f64]) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

fn g_function(x: &[f64]) -> f64 {
    G_A.iter()
        .zip(x)
        .map(|(a, x)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
        .product()
}

/// Analytical (first-order, total) indices of the Ishigami function with
/// a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008, §4.9).
fn ishigami_indices() -> [(f64, f64); 3] {
    let (a, b) = (7.0_f64, 0.1_f64);
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    [(v1 / v, (v1 + v13) / v), (v2 / v, v2 / v), (0.0, v13 / v)]
}

/// Analytical (first-order, total) indices of the g-function.
fn g_indices() -> Vec<(f64, f64)> {
    let vi: Vec<f64> = G_A
        .iter()
        .map(|a| 1.0 / (3.0 * (1.0 + a).powi(2)))
        .collect();
    let v = vi.iter().map(|x| 1.0 + x).product::<f64>() - 1.0;
    (0..G_A.len())
        .map(|i| {
            let others: f64 = (0..G_A.len())
                .filter(|&j| j != i)
                .map(|j| 1.0 + vi[j])
                .product();
            (vi[i] / v, vi[i] * others / v)
        })
        .collect()
}

fn data(name: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/sensitivity")
        .join(name);
    let (header, rows) = read_csv(&path);
    let rows = rows
        .iter()
        .map(|r| r.iter().map(|v| v.parse().unwrap()).collect())
        .collect();
    (header, rows)
}

#[test]
fn sobol_estimators_agree_with_salib_on_the_same_sample() {
    let (_, rows) = data("sobol_ishigami_sample.csv");
    let (_, salib) = data("sobol_ishigami_salib.csv");
    let k = 3;
    // SALib's order: for each base row, A, A_B^(1..k), B.
    let y: Vec<f64> = rows
        .iter()
        .map(|r| {
            let y = ishigami(&r[..k]);
            assert!((y - r[k]).abs() < 1e-9, "the Ishigami function as SALib's");
            y
        })
        .collect();
    let block =
        |offset: usize| -> Vec<f64> { y.iter().skip(offset).step_by(k + 2).copied().collect() };
    let (a, b) = (block(0), block(k + 1));
    let ab: Vec<Vec<f64>> = (1..=k).map(block).collect();
    let outputs = sobol::Outputs::new(&a, &b, ab.iter().map(Vec::as_slice).collect());
    let rows: Vec<usize> = (0..a.len()).collect();
    for (i, reference) in salib.iter().enumerate().take(k) {
        let (s1, st) = (
            sobol::first_order(&outputs, i, &rows),
            sobol::total_order(&outputs, i, &rows),
        );
        let (r1, rt) = (reference[0], reference[1]);
        assert!(
            (s1 - r1).abs() < 1e-9,
            "S1 of x{}: {s1} against SALib's {r1}",
            i + 1
        );
        assert!(
            (st - rt).abs() < 1e-9,
            "ST of x{}: {st} against SALib's {rt}",
            i + 1
        );
    }
}

#[test]
fn morris_statistics_agree_with_salib_on_the_same_sample() {
    let (_, rows) = data("morris_g_sample.csv");
    let (_, salib) = data("morris_g_salib.csv");
    let k = G_A.len();
    let points: Vec<Vec<f64>> = rows.iter().map(|r| r[..k].to_vec()).collect();
    let y: Vec<f64> = points.iter().map(|x| g_function(x)).collect();
    for (r, y) in rows.iter().zip(&y) {
        assert!((r[k] - y).abs() < 1e-9, "the g-function as SALib's");
    }
    let effects = morris::elementary_effects(&points, &y, k).unwrap();
    let stats = morris::statistics(&effects, 100, 0.95, &mut ChaCha8Rng::seed_from_u64(1));
    for (i, s) in stats.iter().enumerate() {
        let [mu, mu_star, sigma] = [salib[i][0], salib[i][1], salib[i][2]];
        assert!(
            (s.mu - mu).abs() < 1e-9,
            "mu of x{}: {} against {mu}",
            i + 1,
            s.mu
        );
        assert!(
            (s.mu_star.value - mu_star).abs() < 1e-9,
            "mu* of x{}",
            i + 1
        );
        assert!((s.sigma - sigma).abs() < 1e-9, "sigma of x{}", i + 1);
        assert!(s.mu_star.low <= s.mu_star.value && s.mu_star.value <= s.mu_star.high);
    }
}

/// Runs a function over a Saltelli design of `n` base rows and returns the
/// indices, the unit design mapped by `scale`.
fn saltelli_indices(
    n: usize,
    k: usize,
    f: impl Fn(&[f64]) -> f64,
    scale: impl Fn(f64) -> f64,
) -> Vec<sobol::Indices> {
    let design = Saltelli::new(n, k, 7).unwrap();
    let y: Vec<f64> = design
        .points()
        .iter()
        .map(|u| f(&u.iter().map(|&x| scale(x)).collect::<Vec<_>>()))
        .collect();
    let outputs = sobol::Outputs::split(&y, n);
    sobol::indices(&outputs, 200, 0.95, &mut ChaCha8Rng::seed_from_u64(3))
}

#[test]
fn sobol_indices_of_the_ishigami_function_are_its_known_ones() {
    let got = saltelli_indices(4096, 3, ishigami, |u| -PI + 2.0 * PI * u);
    for (i, (g, (s1, st))) in got.iter().zip(ishigami_indices()).enumerate() {
        assert!(
            (g.first.value - s1).abs() < 0.03,
            "S1 of x{}: {:?} against {s1:.4}",
            i + 1,
            g.first
        );
        assert!(
            (g.total.value - st).abs() < 0.03,
            "ST of x{}: {:?} against {st:.4}",
            i + 1,
            g.total
        );
        assert!(g.first.low < g.first.high && g.total.low < g.total.high);
    }
}

#[test]
fn sobol_indices_of_the_g_function_are_its_known_ones() {
    let got = saltelli_indices(4096, G_A.len(), g_function, |u| u);
    for (i, (g, (s1, st))) in got.iter().zip(g_indices()).enumerate() {
        assert!(
            (g.first.value - s1).abs() < 0.03,
            "S1 of x{}: {:?} against {s1:.4}",
            i + 1,
            g.first
        );
        assert!(
            (g.total.value - st).abs() < 0.03,
            "ST of x{}: {:?} against {st:.4}",
            i + 1,
            g.total
        );
    }
}

#[test]
fn morris_ranks_the_g_function_parameters_by_importance() {
    let k = G_A.len();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let points = morris::trajectories(50, k, 4, &mut rng);
    assert_eq!(points.len(), 50 * (k + 1));
    assert!(points.iter().flatten().all(|&x| (0.0..=1.0).contains(&x)));
    let y: Vec<f64> = points.iter().map(|x| g_function(x)).collect();
    let effects = morris::elementary_effects(&points, &y, k).unwrap();
    assert!(
        effects.iter().all(|e| e.len() == 50),
        "one effect per trajectory"
    );
    let stats = morris::statistics(&effects, 100, 0.95, &mut rng);
    let mu_star: Vec<f64> = stats.iter().map(|s| s.mu_star.value).collect();
    // The smaller a_i, the more x_i matters; the last two hardly matter.
    for i in 0..3 {
        assert!(mu_star[i] > mu_star[i + 1], "{mu_star:?}");
    }
    assert!(
        mu_star[4] < 0.1 * mu_star[0] && mu_star[5] < 0.1 * mu_star[0],
        "{mu_star:?}"
    );
}

#[test]
fn a_latin_hypercube_fills_every_stratum_once() {
    let (n, k) = (37, 5);
    let points = latin_hypercube(n, k, &mut ChaCha8Rng::seed_from_u64(9));
    assert_eq!(points.len(), n);
    for d in 0..k {
        let mut strata: Vec<usize> = points.iter().map(|p| (p[d] * n as f64) as usize).collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..n).collect::<Vec<_>>(), "dimension {d}");
    }
}

#[test]
fn designs_refuse_sizes_they_cannot_hold() {
    assert!(Saltelli::new(0, 3, 1).is_err());
    assert!(Saltelli::new(1 << 17, 3, 1).is_err());
    assert!(Saltelli::new(16, 0, 1).is_err());
    assert!(Saltelli::new(16, 200, 1).is_err());
    let d = Saltelli::new(16, 4, 1).unwrap();
    assert_eq!(d.points().len(), 16 * 6);
    // A_B^(i) is A with column i from B.
    let p = d.points();
    assert_eq!(p[2 * 16 + 3][0], d.b[3][0]);
    assert_eq!(p[2 * 16 + 3][1..], d.a[3][1..]);
}

// The command, run as a user would.

use common::{boomtown, fixtures, run_ok, stderr};

fn sensitive() -> String {
    fixtures()
        .join("sensitive.toml")
        .to_string_lossy()
        .into_owned()
}

/// `boomtown sensitivity` on a small city: the parameter that sets how fast
/// people leave drives the city's size, the cost of a course drives nothing
/// but the cost (with the same random numbers at every point, its total index
/// on the size is exactly zero), and the files have the documented shape.
#[test]
fn sobol_analysis_finds_what_drives_the_city() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = sensitive();
    run_ok(
        dir.path(),
        &[
            "sensitivity",
            &scenario,
            "--method",
            "sobol",
            "--samples",
            "32",
            "--output",
            "population:change",
            "--output",
            "public_cost_retraining",
            "--out",
            "sa",
            "--quiet",
        ],
    );
    let (header, rows) = read_csv(&dir.path().join("sa/sensitivity.csv"));
    assert_eq!(
        header,
        [
            "method",
            "output",
            "parameter",
            "index",
            "value",
            "ci_low",
            "ci_high"
        ]
    );
    // 2 outputs x 3 parameters x (S1, ST).
    assert_eq!(rows.len(), 12);
    let value = |output: &str, parameter: &str, index: &str| -> f64 {
        rows.iter()
            .find(|r| r[1] == output && r[2].ends_with(parameter) && r[3] == index)
            .unwrap_or_else(|| panic!("no {output} {parameter} {index}"))[4]
            .parse()
            .unwrap()
    };
    let size = "population:change";
    assert!(value(size, "peak_annual_rate", "ST") > 0.6);
    assert_eq!(value(size, "cost_per_trainee_month", "ST"), 0.0);
    assert!(value("public_cost_retraining", "cost_per_trainee_month", "ST") > 0.3);
    let (samples_header, samples) = read_csv(&dir.path().join("sa/samples.csv"));
    assert_eq!(samples.len(), 32 * (3 + 2), "N (k + 2) points");
    assert_eq!(samples_header[0], "point");
    assert!(samples_header.contains(&"migration.peak_annual_rate".to_string()));
    let words = std::fs::read_to_string(dir.path().join("sa/sensitivity.md")).unwrap();
    let (first, second) = (
        words.find("migration.peak_annual_rate explains").unwrap(),
        words.find("labour.separation_rate explains").unwrap(),
    );
    assert!(
        first < second,
        "the strongest driver is named first:\n{words}"
    );
    let report = std::fs::read_to_string(dir.path().join("sa/report.html")).unwrap();
    assert!(report.contains("migration.peak_annual_rate explains"));
    assert!(report.contains(";base64,PHN2Zy"), "charts inlined as SVG");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("sa/manifest.json")).unwrap(),
    )
    .unwrap();
    for file in manifest["files"].as_array().unwrap() {
        let file = file.as_str().unwrap();
        assert!(
            dir.path().join("sa").join(file).is_file(),
            "{file} is listed but missing"
        );
    }
    assert!(dir.path().join("sa/charts/population-change.svg").is_file());
    assert!(
        dir.path()
            .join("sa/charts/public_cost_retraining.png")
            .is_file()
    );
}

/// Same seed, same files, whatever the number of threads.
#[test]
fn a_morris_analysis_is_reproducible_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = sensitive();
    for (threads, out) in [("1", "one"), ("2", "two")] {
        run_ok(
            dir.path(),
            &[
                "sensitivity",
                &scenario,
                "--method",
                "morris",
                "--samples",
                "6",
                "--replicates",
                "2",
                "--threads",
                threads,
                "--out",
                out,
                "--quiet",
            ],
        );
    }
    for file in ["sensitivity.csv", "samples.csv", "sensitivity.md"] {
        let a = std::fs::read(dir.path().join("one").join(file)).unwrap();
        let b = std::fs::read(dir.path().join("two").join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
    let (_, rows) = read_csv(&dir.path().join("one/sensitivity.csv"));
    // 4 default outputs x 3 parameters x (mu, mu_star, sigma).
    assert_eq!(rows.len(), 36);
    let (_, samples) = read_csv(&dir.path().join("one/samples.csv"));
    assert_eq!(samples.len(), 6 * 4, "r (k + 1) points");
}

/// Bad requests are refused with a message that says what to do, exit code 2,
/// and nothing written.
#[test]
fn bad_sensitivity_requests_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = sensitive();
    let uncertain = fixtures().join("uncertain.toml");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["test-city", "--method", "morris"],
            "no uncertain parameters",
        ),
        (
            vec![uncertain.to_str().unwrap(), "--method", "morris"],
            "sweeps 2 configurations",
        ),
        (
            vec![&scenario, "--method", "sobol", "--samples", "2"],
            "at least 4",
        ),
        (
            vec![&scenario, "--method", "morris", "--levels", "3"],
            "even number",
        ),
        (
            vec![
                &scenario,
                "--method",
                "morris",
                "--output",
                "unemployment_rat:peak",
            ],
            "did you mean `unemployment_rate`",
        ),
        (
            vec![
                &scenario,
                "--method",
                "morris",
                "--output",
                "unemployment_rate",
            ],
            "needs a summary",
        ),
        (
            vec![
                &scenario,
                "--method",
                "morris",
                "--output",
                "population:soon",
            ],
            ":YYYY-MM",
        ),
        (
            vec![
                &scenario,
                "--method",
                "morris",
                "--output",
                "population:2099-01",
            ],
            "not a reported row",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["sensitivity"];
        all.extend(args.iter().copied());
        all.extend(["--out", "sa", "--quiet"]);
        let o = boomtown(dir.path(), &all);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{all:?}: {}", stderr(&o));
        assert!(!dir.path().join("sa").exists(), "{all:?} wrote its folder");
    }
}

/// `run --design lhs`: the replicates' draws of every uncertain parameter fall
/// one in each of as many equally likely strata as there are replicates, and
/// a shard of the batch draws what the whole batch gives its replicates.
#[test]
fn a_latin_hypercube_run_spreads_the_replicates_over_each_range() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = sensitive();
    let args = |out: &'static str, shard: Option<&'static str>| {
        let mut a = vec![
            "run",
            scenario.as_str(),
            "--design",
            "lhs",
            "--samples",
            "10",
            "--set",
            "simulation.years=1",
            "--no-charts",
            "--quiet",
            "--out",
            out,
        ];
        if let Some(s) = shard {
            a.extend(["--shard", s]);
        }
        a
    };
    run_ok(dir.path(), &args("whole", None));
    run_ok(dir.path(), &args("second", Some("2/2")));
    let (header, rows) = read_csv(&dir.path().join("whole/experiments.csv"));
    assert_eq!(rows.len(), 10);
    // The uniform ranges of the fixture.
    for (key, low, high) in [
        ("labour.separation_rate", 0.008, 0.012),
        ("migration.peak_annual_rate", 0.01, 0.09),
        ("policies.retraining.cost_per_trainee_month", 500.0, 3000.0),
    ] {
        let c = header.iter().position(|h| h == key).unwrap();
        let mut strata: Vec<usize> = rows
            .iter()
            .map(|r| ((r[c].parse::<f64>().unwrap() - low) / (high - low) * 10.0) as usize)
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..10).collect::<Vec<_>>(), "{key}");
    }
    let (_, second) = read_csv(&dir.path().join("second/experiments.csv"));
    assert_eq!(second, rows[5..].to_vec(), "the second shard's replicates");
}
