//! Fuzz target: any bytes as a `.csv` source (see `checks::read_records_csv`).
//! The reader must return records or an error naming the file, never panic.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

/// One scratch folder for the whole run (the reader takes a path).
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("riskmap-fuzz-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fuzz_target!(
    init: checks::let_caught_panics_unwind(),
    |data: &[u8]| checks::read_records_csv(scratch(), data)
);
