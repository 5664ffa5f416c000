//! Fuzz target: `riskmap.toml` plus a small region folder (see
//! `checks::region_folder`): the configuration, one point source or
//! `area_counts` file of any name, and a fixed two-township layer, validated
//! in-process as `riskmap validate` does. Never a panic; counts add up.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

/// One scratch region folder for the whole run, emptied for every input.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        std::env::temp_dir().join(format!("riskmap-fuzz-region-{}", std::process::id()))
    })
}

fuzz_target!(
    init: {
        checks::let_caught_panics_unwind();
        checks::quiet_gdal();
    },
    |data: &[u8]| checks::region_folder(scratch(), data)
);
