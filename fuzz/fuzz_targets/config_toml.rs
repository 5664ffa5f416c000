//! Fuzz target: any text as `riskmap.toml` (see `checks::config_toml`).
//! `Config::load` must load it or refuse it naming the file, never panic.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

/// One scratch region folder for the whole run (`Config::load` takes a folder).
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("riskmap-fuzz-toml-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fuzz_target!(
    init: checks::let_caught_panics_unwind(),
    |data: &[u8]| checks::config_toml(scratch(), data)
);
