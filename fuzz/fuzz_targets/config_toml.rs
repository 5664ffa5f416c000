//! Fuzz target: any text as `riskmap.toml`. `Config::load` must load it or
//! refuse it with an input error (exit 1) naming the file, never panic.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use riskmap_pipeline::config::Config;

/// One scratch region folder for the whole run (`Config::load` takes a folder).
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("riskmap-fuzz-toml-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch();
    std::fs::write(dir.join("riskmap.toml"), data).unwrap();
    if let Err(e) = Config::load(dir) {
        assert_eq!(e.exit_code(), 1, "{e}");
        assert!(e.to_string().contains("riskmap.toml"), "{e}");
    }
});
