//! Charts: every expected file is produced, decodes as an image of the stated
//! size, is not blank, and the SVGs parse; `compare` overlays scenarios.

mod common;

use std::path::Path;

use boomtown::charts::draw::SIZE;
use common::{boomtown, read_csv, stderr};

/// Decodes a PNG and returns its size and the share of pixels that are not white.
fn decode(path: &Path) -> ((u32, u32), f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let inked = pixels
        .chunks(channels)
        .filter(|p| p.iter().take(3).any(|&c| c < 235))
        .count();
    (
        (info.width, info.height),
        inked as f64 / (info.width * info.height) as f64,
    )
}

fn check_chart(dir: &Path, stem: &str) {
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    let (size, inked) = decode(&png);
    assert_eq!(size, SIZE, "{stem}.png size");
    assert!(
        inked > 0.02,
        "{stem}.png is nearly blank ({inked:.3} inked)"
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{stem}.svg: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some(SIZE.0.to_string().as_str()));
    assert!(
        doc.descendants().filter(|n| n.has_tag_name("text")).count() > 5,
        "{stem}.svg has no labels"
    );
}

#[test]
fn a_run_draws_every_chart() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = common::fixtures().join("all-policies.toml");
    let o = boomtown(
        dir.path(),
        &[
            "run",
            fixture.to_str().unwrap(),
            "--replicates",
            "3",
            "--out",
            "r",
            "--quiet",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let charts = dir.path().join("r/charts");
    let stems = [
        "population",
        "unemployment_rate",
        "youth_unemployment_rate",
        "long_term_unemployment_share",
        "out_migration_rate",
        "net_migration_rate",
        "mean_wage",
        "employment_by_sector",
        "displaced_workers",
        "sector_output",
        "sector_wages",
        "reserves_mine",
        "age_pyramid",
    ];
    for stem in stems {
        check_chart(&charts, stem);
    }
    let listed = std::fs::read_dir(&charts).unwrap().count();
    assert_eq!(listed, 2 * stems.len(), "unexpected chart files");
    // Policies are marked on the time axis.
    let svg = std::fs::read_to_string(charts.join("unemployment_rate.svg")).unwrap();
    assert!(
        svg.contains("restructuring (layoff wave, 2012)"),
        "no policy marker"
    );
    // The manifest lists the charts.
    let manifest = std::fs::read_to_string(dir.path().join("r/manifest.json")).unwrap();
    assert!(manifest.contains("charts/age_pyramid.png"));
}

#[test]
fn compare_overlays_scenarios_and_tabulates_indicators() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        common::fixtures().join("depleting.toml"),
        common::fixtures().join("growing.toml"),
    );
    let o = boomtown(
        dir.path(),
        &[
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--replicates",
            "3",
            "--quiet",
            "--set",
            "simulation.years=6",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("output/compare-depleting-vs-growing");
    for stem in [
        "population_index",
        "unemployment_rate",
        "youth_unemployment_rate",
        "out_migration_rate",
        "net_migration_rate",
    ] {
        check_chart(&out.join("charts"), stem);
        let svg = std::fs::read_to_string(out.join(format!("charts/{stem}.svg"))).unwrap();
        assert!(
            svg.contains(">\ndepleting\n<") || svg.contains(">depleting<"),
            "{stem}: no legend entry"
        );
        assert!(svg.contains("growing"), "{stem}: no legend entry");
    }
    for sub in ["depleting", "growing"] {
        assert!(
            out.join(sub).join("summary.csv").is_file(),
            "{sub} outputs missing"
        );
        check_chart(&out.join(sub).join("charts"), "population");
    }
    let (h, rows) = read_csv(&out.join("comparison.csv"));
    assert_eq!(
        h,
        [
            "scenario",
            "indicator",
            "group",
            "unit",
            "mean",
            "sd",
            "p05",
            "p50",
            "p95",
            "replicates"
        ]
    );
    let get = |s: &str, i: &str| -> f64 {
        rows.iter()
            .find(|r| r[0] == s && r[1] == i)
            .unwrap_or_else(|| panic!("{s} {i}"))[7]
            .parse()
            .unwrap()
    };
    assert!(get("depleting", "peak_unemployment_rate") > get("growing", "peak_unemployment_rate"));
    assert!(get("depleting", "population_change") < get("growing", "population_change"));
    // The displaced workers' scorecard is there too, as each run summarised it.
    for sub in ["depleting", "growing"] {
        for def in boomtown::model::scorecard::SCORECARD {
            let row = rows
                .iter()
                .find(|r| r[0] == sub && r[1] == def.name)
                .unwrap_or_else(|| panic!("{sub}: no {} in comparison.csv", def.name));
            assert_eq!(row[2], def.group.name());
        }
    }
    assert!(get("depleting", "displaced_workers") > 0.0);
}

/// `compare --from` compares finished runs without running them again, and gives
/// the same comparison as running them; it refuses a folder boomtown did not
/// write, and one whose data changed.
#[test]
fn compare_from_reuses_run_folders_and_refuses_others() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        common::fixtures().join("depleting.toml"),
        common::fixtures().join("growing.toml"),
    );
    let common_args = [
        "--replicates",
        "2",
        "--quiet",
        "--set",
        "simulation.years=4",
    ];
    let mut args = vec![
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        "ran",
    ];
    args.extend(common_args);
    args.push("--no-charts");
    let o = boomtown(dir.path(), &args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !dir.path().join("ran/charts").exists(),
        "--no-charts drew charts"
    );
    assert!(!dir.path().join("ran/depleting/charts").exists());
    let o = boomtown(
        dir.path(),
        &[
            "compare",
            "--from",
            "ran/depleting",
            "ran/growing",
            "--out",
            "reused",
            "--quiet",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(dir.path().join("ran/comparison.csv")).unwrap(),
        std::fs::read(dir.path().join("reused/comparison.csv")).unwrap(),
        "the comparison of the finished runs differs from the one that ran them"
    );
    check_chart(&dir.path().join("reused/charts"), "net_migration_rate");
    let report = std::fs::read_to_string(dir.path().join("reused/report.html")).unwrap();
    // It links each run's own report where it is (the HTML may escape `/`).
    let report = report.replace("&#x2f;", "/");
    assert!(
        report.contains("ran/depleting/report.html"),
        "no link to the run's report"
    );
    // Not boomtown's: refused, naming the folder, exit 2.
    std::fs::create_dir_all(dir.path().join("mine")).unwrap();
    std::fs::write(dir.path().join("mine/manifest.json"), "{}").unwrap();
    let o = boomtown(
        dir.path(),
        &[
            "compare",
            "--from",
            "mine",
            "ran/growing",
            "--out",
            "x",
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("mine") && stderr(&o).contains("not written by boomtown"),
        "{}",
        stderr(&o)
    );
    // A comparison is not a run.
    let o = boomtown(
        dir.path(),
        &[
            "compare",
            "--from",
            "ran",
            "ran/growing",
            "--out",
            "x",
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Data changed since the run: refused.
    let summary = dir.path().join("ran/growing/summary.csv");
    let mut text = std::fs::read_to_string(&summary).unwrap();
    text.push('\n');
    std::fs::write(&summary, text).unwrap();
    let o = boomtown(
        dir.path(),
        &[
            "compare",
            "--from",
            "ran/depleting",
            "ran/growing",
            "--out",
            "x",
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("summary.csv"), "{}", stderr(&o));
    assert!(!dir.path().join("x").exists());
}

#[test]
fn charts_do_not_depend_on_the_machine_fonts() {
    // Same inputs, same bytes: the font is embedded, nothing is looked up.
    let dir = tempfile::tempdir().unwrap();
    for out in ["a", "b"] {
        let o = boomtown(
            dir.path(),
            &[
                "run",
                "test-city",
                "--replicates",
                "2",
                "--out",
                out,
                "--quiet",
                "--threads",
                if out == "a" { "1" } else { "2" },
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in ["population.png", "population.svg", "age_pyramid.png"] {
        let (x, y) = (
            std::fs::read(dir.path().join("a/charts").join(f)).unwrap(),
            std::fs::read(dir.path().join("b/charts").join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs between identical runs");
    }
}
