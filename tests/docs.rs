//! The documentation keeps up with the code: every output column is in
//! `docs/outputs.md`, and every parameter of the defaults layer is in `docs/ODD.md`.

mod common;

use boomtown::model::metrics::Metric;
use boomtown::output::tables::Tables;
use boomtown::scenario;

fn doc(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join(name),
    )
    .unwrap()
}

#[test]
fn every_output_column_is_documented() {
    let outputs = doc("outputs.md");
    let fixtures = common::fixtures();
    let references = [
        "hegang-like".to_string(),
        "baotou-like".to_string(),
        "test-city".to_string(),
        fixtures
            .join("all-policies.toml")
            .to_string_lossy()
            .into_owned(),
    ];
    for reference in &references {
        let s = scenario::load(reference, &[]).unwrap();
        let names: Vec<String> = Metric::columns(&s.params)
            .into_iter()
            .map(|c| c.name)
            .collect();
        let t = Tables::new(&s);
        let headers = [
            t.timeseries_header(),
            t.pyramid_header(),
            t.experiments_header(),
            t.summary_header(),
            t.indicators_header(),
            t.indicators_summary_header(),
        ];
        for name in names.iter().chain(headers.iter().flatten()) {
            // Per-sector columns are documented by their pattern.
            let pattern = ["employed_", "mean_wage_", "output_index_", "reserves_"]
                .iter()
                .find(|p| name.starts_with(*p) && !["employed"].contains(&name.as_str()))
                .map(|p| format!("`{p}<sector>`"));
            let documented = outputs.contains(&format!("`{name}`"))
                || pattern.is_some_and(|p| outputs.contains(&p));
            assert!(
                documented,
                "{reference}: column `{name}` is not in docs/outputs.md"
            );
        }
    }
    for file in [
        "comparison.csv",
        "charts/",
        "manifest.json",
        "summary.csv",
        "experiments.csv",
        "indicators.csv",
        "indicators_summary.csv",
        "report.html",
    ] {
        assert!(
            outputs.contains(file),
            "docs/outputs.md does not describe {file}"
        );
    }
    for def in boomtown::model::scorecard::SCORECARD {
        let row = format!("| `{}` | {} | {} |", def.name, def.group.name(), def.unit);
        assert!(
            outputs.contains(&row),
            "scorecard indicator {} is not documented with its group and unit ({row})",
            def.name
        );
    }
    for indicator in boomtown::indicators::CITY_INDICATORS {
        assert!(
            outputs.contains(&format!("`{}`", indicator.name)),
            "indicator {} undocumented",
            indicator.name
        );
    }
}

#[test]
fn every_default_parameter_is_in_the_odd() {
    let odd = doc("ODD.md");
    let defaults: toml::Table = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/defaults.toml"),
    )
    .unwrap()
    .parse()
    .unwrap();
    for (section, value) in &defaults {
        let Some(table) = value.as_table() else {
            continue;
        };
        if section == "sources" {
            continue;
        }
        for key in table.keys() {
            let path = format!("{section}.{key}");
            assert!(
                odd.contains(&format!("`{path}`")),
                "parameter `{path}` is not in docs/ODD.md"
            );
            assert!(
                defaults["sources"].get(&path).is_some(),
                "parameter `{path}` has no source in defaults.toml"
            );
        }
    }
}

#[test]
fn the_validation_table_lists_every_shipped_observation() {
    let table = doc("validation.md");
    let observations = boomtown::observations::Observations::shipped().unwrap();
    for o in &observations.rows {
        let row = table
            .lines()
            .find(|l| {
                l.starts_with(&format!("| {} | {} |", o.scenario, o.indicator))
                    && l.contains(&o.date.to_string())
            })
            .unwrap_or_else(|| {
                panic!(
                    "docs/validation.md lacks {}; regenerate it with `boomtown validate`",
                    o.id
                )
            });
        assert!(row.contains(&o.source), "{row}");
    }
    let outputs = doc("outputs.md");
    for column in boomtown::observations::COLUMNS {
        assert!(
            outputs.contains(&format!("`{column}`")),
            "observations column {column}"
        );
    }
}

#[test]
fn the_table_of_sources_by_scenario_counts_what_explain_counts() {
    // docs/scenarios.md tabulates, for every shipped scenario, the last line of
    // `boomtown explain`: a parameter or a source added to a file must show there.
    let text = doc("scenarios.md");
    let header = "| scenario | parameters | assumption | study | fact | calibrated | definition |";
    let start = text.find(header).expect("the table of sources by scenario");
    let columns: Vec<&str> = header.trim_matches('|').split('|').map(str::trim).collect();
    let mut listed = Vec::new();
    for line in text[start..].lines().skip(2) {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let name = cells[0].trim_matches('`');
        let s = scenario::load(name, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
        let rows = boomtown::explain::explain(&s);
        let counts = boomtown::explain::tally(&rows);
        for (column, cell) in columns.iter().zip(&cells).skip(1) {
            let actual = if *column == "parameters" {
                rows.len()
            } else {
                counts.get(column).copied().unwrap_or(0)
            };
            assert_eq!(
                cell.parse::<usize>().ok(),
                Some(actual),
                "docs/scenarios.md: `{name}` has {actual} {column}, the table says {cell}"
            );
        }
        listed.push(name.to_string());
    }
    for file in
        std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
            .unwrap()
    {
        let path = file.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if stem != "defaults" {
            assert!(
                listed.contains(&stem),
                "docs/scenarios.md: `{stem}` is not in the table of sources"
            );
        }
    }
}
