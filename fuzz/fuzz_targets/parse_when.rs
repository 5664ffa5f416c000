//! Fuzz target: record dates. The input is the cell text, optionally
//! followed by a NUL byte and a `date_format`; `parse_when` must return a
//! date-time or `None`, never panic, and what it returns must round-trip
//! through its ISO 8601 form.

#![no_main]

use libfuzzer_sys::fuzz_target;
use riskmap_pipeline::validate::parse_when;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let (text, custom) = match s.split_once('\0') {
        Some((t, f)) => (t, Some(f)),
        None => (s, None),
    };
    if let Some(t) = parse_when(text, custom) {
        let iso = t.format("%Y-%m-%dT%H:%M:%S%.f").to_string();
        assert_eq!(parse_when(&iso, None), Some(t), "{iso}");
    }
});
