//! The fuzz corpus as regression tests: every input kept in `fuzz/corpus/scenario`
//! (interesting inputs the fuzzer found, and the seeds it started from) goes
//! through the same code as the fuzz target and must not panic.

#[test]
fn no_corpus_input_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/scenario");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 10, "the corpus is missing");
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| boomtown::scenario::exercise(&data));
        assert!(outcome.is_ok(), "{} panics", path.display());
    }
}
