//! Fuzzes scenario parsing and validation, and the `--set`, `--sweep` and
//! `--shard` arguments: no input may panic. The first line of an input is used as
//! a command-line argument, the rest as a scenario file.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    boomtown::cli::exercise_scenario(data);
});
