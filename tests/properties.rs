//! Property tests: random valid scenarios (parameters drawn within their
//! documented ranges) never panic, keep the accounting identity every month, and
//! keep every metric finite and every rate within 0..1.

use boomtown::model::{City, metrics::Metric, model_rng, scorecard::SCORECARD};
use boomtown::scenario::{self, Override};
use proptest::prelude::*;

fn overrides(values: &[(&str, String)]) -> Vec<Override> {
    values
        .iter()
        .map(|(k, v)| format!("{k}={v}").parse().expect("a valid override"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_scenarios_keep_the_invariants(
        size in 50u64..1500,
        years in 1u32..6,
        separation in 0.0f64..0.2,
        search in 0.0f64..1.0,
        transferability in 0.0f64..1.0,
        peak_rate in 0.0f64..0.5,
        fill in 0.0f64..1.0,
        tfr in 0.0f64..4.0,
        reserves in 0.5f64..100.0,
        participation in 0.0f64..1.0,
        unemployment in 0.0f64..0.9,
        shock in 0.0f64..5.0,
        layoff in 0.0f64..1.0,
        seed in 0u64..1000,
    ) {
        let values = [
            ("population.size", size.to_string()),
            ("simulation.years", years.to_string()),
            ("simulation.report_every_months", "3".to_string()),
            ("labour.separation_rate", format!("{separation}")),
            ("labour.search_probability", format!("{search}")),
            ("labour.default_transferability", format!("{transferability}")),
            ("migration.peak_annual_rate", format!("{peak_rate}")),
            ("migration.fill_rate", format!("{fill}")),
            ("demography.total_fertility_rate", format!("{tfr}")),
            ("sectors.mine.reserves", format!("{reserves}")),
            ("population.participation_rate", format!("{participation}")),
            ("population.initial_unemployment_rate", format!("{unemployment}")),
            ("policies.shock.factor", format!("{shock}")),
            ("policies.wave.share", format!("{layoff}")),
        ];
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/all-policies.toml");
        let mut all = overrides(&values);
        all.extend(overrides(&[
            ("policies.shock.kind", "\"demand_shock\"".into()),
            ("policies.shock.start", "2010-06".into()),
            ("policies.shock.sector", "\"mine\"".into()),
            ("policies.wave.kind", "\"layoff_wave\"".into()),
            ("policies.wave.start", "2011-01".into()),
            ("policies.wave.sector", "\"services\"".into()),
        ]));
        let s = scenario::load(fixture.to_str().unwrap(), &all).expect("a valid scenario");
        let columns = Metric::columns(&s.params);
        let mut city = City::new(s.params.clone(), model_rng(seed));
        let initial = city.initial_residents();
        let mut snapshots = vec![city.snapshot()];
        while !city.finished() {
            city.step();
            let l = city.ledger();
            prop_assert_eq!(city.residents() + l.leavers, initial + l.births + l.newcomers - l.deaths);
            if city.month() % 3 == 0 {
                snapshots.push(city.snapshot());
            }
        }
        prop_assert!(city.people().check_consistency().is_ok());
        for snap in &snapshots {
            for (c, v) in columns.iter().zip(&snap.values) {
                prop_assert!(v.is_finite(), "{} = {} at {}", c.name, v, snap.date);
                // Net migration is the one signed metric: below zero when more leave.
                if c.name != "net_migration_rate" {
                    prop_assert!(*v >= 0.0, "{} = {} at {}", c.name, v, snap.date);
                }
                if c.unit == "share" {
                    prop_assert!(*v <= 1.0, "{} = {} at {}", c.name, v, snap.date);
                }
            }
        }
        // The scorecard: undefined (NaN) only where it is a share of nobody,
        // otherwise finite, and shares within 0..1.
        for (def, v) in SCORECARD.iter().zip(city.scorecard()) {
            if v.is_nan() {
                continue;
            }
            prop_assert!(v.is_finite(), "{} = {}", def.name, v);
            // The earnings lost can be negative (the displaced earned more than
            // their lost jobs would have paid), as docs/outputs.md says.
            if def.unit == "share" && def.name != "earnings_loss_share" {
                prop_assert!((0.0..=1.0).contains(&v), "{} = {}", def.name, v);
            }
        }
    }
}
