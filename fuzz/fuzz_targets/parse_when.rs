//! Fuzz target: record dates (see `checks::parse_when_round_trips`): cell
//! text, optionally NUL and a `date_format`; `parse_when` must never panic,
//! and what it returns must round-trip through ISO 8601.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(
    init: checks::let_caught_panics_unwind(),
    |data: &[u8]| checks::parse_when_round_trips(data)
);
