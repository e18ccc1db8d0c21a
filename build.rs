//! Rebuilds when the scenarios, the lessons, the report templates or the seed
//! facts change: all are built into the binary (`include_dir!` and
//! `include_str!`), and stable Rust does not track files included by a
//! procedural macro.
//!
//! Also tells the browser tests whether Chromium is here (`cfg(boomtown_chromium)`):
//! without it they are reported as ignored, with the reason, rather than
//! passing without having run. Under `CI` they always run, so a CI machine
//! without Chromium fails.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=scenarios");
    println!("cargo:rerun-if-changed=lessons");
    println!("cargo:rerun-if-changed=src/report/templates");
    println!("cargo:rerun-if-changed=seeds/facts.csv");
    println!("cargo:rerun-if-changed=src/charts/fonts");
    println!("cargo:rerun-if-changed=src/commands/serve/assets");

    println!("cargo::rustc-check-cfg=cfg(boomtown_chromium)");
    println!("cargo:rerun-if-env-changed=BOOMTOWN_CHROMIUM");
    println!("cargo:rerun-if-env-changed=CI");
    let chromium = std::env::var_os("BOOMTOWN_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    println!("cargo:rerun-if-changed={}", chromium.display());
    if chromium.is_file() || std::env::var_os("CI").is_some() {
        println!("cargo:rustc-cfg=boomtown_chromium");
    }
}
