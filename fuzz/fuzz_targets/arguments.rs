//! Fuzzes the command line: the input, split at NUL bytes, is the argument list
//! (any bytes, not only UTF-8), parsed as `boomtown` parses it; a parsed output
//! folder goes through the path checks. No input may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    boomtown::cli::exercise(data);
});
