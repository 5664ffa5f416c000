//! The properties the fuzz targets check, shared by the cargo-fuzz targets
//! (`fuzz_targets/*.rs`, coverage-guided, nightly, by hand) and the stable
//! replay that CI runs (`tests/it/fuzz_replay.rs`: the corpus plus seeded
//! mutations). Each function panics when its property fails.

// Each fuzz target uses one of these.
#![allow(dead_code)]

use std::path::Path;

use riskmap_pipeline::config::Config;
use riskmap_pipeline::validate::parse_when;

/// Any bytes as `dir/incidents.csv`, read with the encoding detected, forced
/// to GBK and forced to UTF-8: records whose columns all have the table's
/// height and whose cells read as text and numbers, or an error naming the file.
pub fn read_records_csv(dir: &Path, data: &[u8]) {
    let path = dir.join("incidents.csv");
    std::fs::write(&path, data).unwrap();
    for encoding in [None, Some("gbk"), Some("utf-8")] {
        match riskmap_io::read_records_with(&path, encoding) {
            Ok(r) => {
                for c in &r.cells {
                    assert_eq!(c.len(), r.height());
                    for i in 0..c.len() {
                        let _ = (c.text(i), c.number(i));
                    }
                }
            }
            Err(e) => assert!(e.to_string().contains("incidents.csv"), "{e}"),
        }
    }
}

/// Any bytes as `dir/riskmap.toml`: loaded, or refused with an input error
/// (exit 1) naming the file.
pub fn config_toml(dir: &Path, data: &[u8]) {
    std::fs::write(dir.join("riskmap.toml"), data).unwrap();
    if let Err(e) = Config::load(dir) {
        assert_eq!(e.exit_code(), 1, "{e}");
        assert!(e.to_string().contains("riskmap.toml"), "{e}");
    }
}

/// Cell text, optionally followed by NUL and a chrono `date_format`: a
/// date-time or `None`, and a date-time round-trips through ISO 8601.
pub fn parse_when_round_trips(data: &[u8]) {
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
}
