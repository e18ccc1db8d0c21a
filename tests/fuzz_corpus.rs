//! The fuzz corpora as regression tests: every input kept in `fuzz/corpus/`
//! (interesting inputs the fuzzer found, and the seeds it started from) goes
//! through the same code as its fuzz target and must not panic.

use std::path::Path;

fn no_input_panics(target: &str, exercise: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 10, "the {target} corpus is missing");
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| exercise(&data));
        assert!(outcome.is_ok(), "{} panics", path.display());
    }
}

#[test]
fn no_scenario_corpus_input_panics() {
    no_input_panics("scenario", boomtown::cli::exercise_scenario);
}

#[test]
fn no_arguments_corpus_input_panics() {
    no_input_panics("arguments", boomtown::cli::exercise);
}
