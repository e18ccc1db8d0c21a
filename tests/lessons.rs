//! Every lesson's claim about its scenarios is true of them: the parameters its
//! front matter says differ (`differ`) are exactly those that do, as the
//! comparison report lists them.

use boomtown::lessons::lessons;
use boomtown::scenario;

/// Whether a parameter falls under a claimed path or prefix.
fn covers(claim: &str, parameter: &str) -> bool {
    parameter == claim || parameter.starts_with(&format!("{claim}."))
}

#[test]
fn every_lesson_states_exactly_what_its_scenarios_differ_in() {
    for lesson in lessons().unwrap() {
        if lesson.scenarios.len() < 2 {
            continue;
        }
        let loaded: Vec<_> = lesson
            .scenarios
            .iter()
            .map(|s| scenario::load(s, &[]).unwrap())
            .collect();
        let refs: Vec<_> = loaded.iter().collect();
        let differing: Vec<String> = boomtown::explain::differences(&refs)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert!(
            !lesson.differ.is_empty(),
            "{}: the front matter does not say what its scenarios differ in (`differ`); they differ in {differing:?}",
            lesson.file
        );
        let unclaimed: Vec<&String> = differing
            .iter()
            .filter(|p| !lesson.differ.iter().any(|c| covers(c, p)))
            .collect();
        assert!(
            unclaimed.is_empty(),
            "{}: the scenarios also differ in {unclaimed:?}, which `differ` does not name",
            lesson.file
        );
        for claim in &lesson.differ {
            assert!(
                differing.iter().any(|p| covers(claim, p)),
                "{}: `differ` names {claim}, in which the scenarios do not differ",
                lesson.file
            );
        }
    }
}
