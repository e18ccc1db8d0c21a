//! Rebuilds when the scenarios, the lessons, the report templates or the seed
//! facts change: all are built into the binary (`include_dir!` and
//! `include_str!`), and stable Rust does not track files included by a
//! procedural macro.

fn main() {
    println!("cargo:rerun-if-changed=scenarios");
    println!("cargo:rerun-if-changed=lessons");
    println!("cargo:rerun-if-changed=src/report/templates");
    println!("cargo:rerun-if-changed=seeds/facts.csv");
    println!("cargo:rerun-if-changed=src/charts/fonts");
}
