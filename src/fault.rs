//! Named points where a test can make the process die, to check that a kill at
//! that very moment loses nothing. `BOOMTOWN_TEST_ABORT_AT=NAME` aborts the
//! process (no destructors run, as with `kill -9`) when it reaches the point
//! `NAME`. Unset, as it always is outside the test suite, a point does nothing.

use std::sync::OnceLock;

/// The environment variable that names the point to abort at.
pub const VARIABLE: &str = "BOOMTOWN_TEST_ABORT_AT";

/// Aborts the process if the test asked to die here.
pub fn point(name: &str) {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    let at = AT.get_or_init(|| std::env::var(VARIABLE).ok());
    if at.as_deref() == Some(name) {
        std::process::abort();
    }
}
