//! Bytes → `gen_report::results::read_bytes_with` (as a Mocha JSON file): cases or an error, never a
//! panic; messages stay bounded. The same input is read with and without rerun merging.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/results.rs"]
mod results;

fuzz_target!(|data: &[u8]| {
    results::check(data, results::Flavour::Mocha);
});
