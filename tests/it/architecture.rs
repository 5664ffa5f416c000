//! Rules of ARCHITECTURE.md that a test can keep: the core crates never
//! depend on gdal, plotters or clap, and every module says what it is for.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    crate::support::repo()
}

/// Crates that must stay free of file formats, plotting and the command line.
const CORE: &[&str] = &["riskmap-domain", "riskmap-synth", "riskmap-spatial", "riskmap-stats", "riskmap-forecast", "riskmap-raster", "riskmap-score"];

#[test]
fn core_crates_do_not_depend_on_gdal_plotters_or_clap() {
    for name in CORE {
        let manifest =
            std::fs::read_to_string(root().join("crates").join(name).join("Cargo.toml")).unwrap();
        for banned in ["gdal", "plotters", "clap", "riskmap-io", "riskmap-pipeline"] {
            let line = manifest.lines().find(|l| {
                l.trim_start().starts_with(&format!("{banned}."))
                    || l.trim_start().starts_with(&format!("{banned} ="))
            });
            assert!(line.is_none(), "{name} depends on {banned}: {line:?}");
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_module_opens_with_a_doc_paragraph() {
    let mut files = Vec::new();
    for dir in ["src", "crates", "tests", "benches"] {
        rust_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 20);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            text.trim_start().starts_with("//!"),
            "{} does not open with a //! paragraph",
            f.display()
        );
    }
}
