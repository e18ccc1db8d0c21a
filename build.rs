//! Rebuilds when the scenarios, the lessons, the report templates, the seed
//! facts or the live app's page change: all are built into the binary
//! (`include_dir!` and `include_str!`), and stable Rust does not track files
//! included by a procedural macro.
//!
//! Also sets `cfg(browser_test)` when the browser tests can run (Chromium at
//! `$BOOMTOWN_CHROMIUM` or `/usr/bin/chromium`) or must (`$CI` is set): without
//! it the test runner lists those tests as ignored, with the reason, rather than
//! passing tests that did nothing.

fn main() {
    println!("cargo:rerun-if-changed=scenarios");
    println!("cargo:rerun-if-changed=lessons");
    println!("cargo:rerun-if-changed=src/report/templates");
    println!("cargo:rerun-if-changed=seeds/facts.csv");
    println!("cargo:rerun-if-changed=src/charts/fonts");
    println!("cargo:rerun-if-changed=src/commands/serve/assets");
    println!("cargo:rustc-check-cfg=cfg(browser_test)");
    println!("cargo:rerun-if-env-changed=BOOMTOWN_CHROMIUM");
    println!("cargo:rerun-if-env-changed=CI");
    let chromium = std::env::var_os("BOOMTOWN_CHROMIUM")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromium".into());
    println!("cargo:rerun-if-changed={}", chromium.display());
    if chromium.is_file() || std::env::var_os("CI").is_some() {
        println!("cargo:rustc-cfg=browser_test");
    }
}
