//! Fuzz target: any bytes as the townships layer `townships.geojson` (see
//! `checks::vector_layer`), read through GDAL by `riskmap_io::read_vector`
//! and validated with a fixed point source. Only Rust-side panics are
//! findings of this target; a crash inside GDAL (C++) is GDAL's, see
//! README.md.

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
        std::env::temp_dir().join(format!("riskmap-fuzz-vector-{}", std::process::id()))
    })
}

fuzz_target!(
    init: {
        checks::let_caught_panics_unwind();
        checks::quiet_gdal();
    },
    |data: &[u8]| checks::vector_layer(scratch(), data)
);
