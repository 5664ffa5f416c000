//! The demo county committed under `datasets/demo/` is exactly what
//! `riskmap synth --preset county --seed 2021` writes. Tables and the truth
//! must match byte for byte; GeoPackages and GeoTIFFs, whose bytes depend on
//! the GDAL version too, must match feature by feature and cell by cell.
//!
//! After an intended change to the generator, refresh the dataset with
//! `riskmap synth --preset county --seed 2021 --out datasets/demo` and say
//! why in the commit.

use std::path::Path;
use std::process::Command;

fn files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap() != "README.md" {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn synth_reproduces_the_committed_demo_county() {
    let committed = crate::support::repo().join("datasets/demo");
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args(["synth", "--preset", "county", "--seed", "2021", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        files(dir.path()),
        files(&committed),
        "the set of files differs"
    );
    for f in files(&committed) {
        let (a, b) = (committed.join(&f), dir.path().join(&f));
        if std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap() {
            continue;
        }
        match Path::new(&f).extension().and_then(|e| e.to_str()) {
            Some("gpkg") => {
                let (la, lb) = (riskmap_io::read_vector(&a).unwrap(), riskmap_io::read_vector(&b).unwrap());
                assert_eq!(la.geometries, lb.geometries, "{f}: geometries differ");
                assert!(la.attributes.equals_missing(&lb.attributes), "{f}: attributes differ");
            }
            Some("tif") => assert_eq!(riskmap_io::read_raster(&a).unwrap(), riskmap_io::read_raster(&b).unwrap(), "{f}: cells differ"),
            _ => panic!("{f} differs from the committed demo county; regenerate it if the change is intended"),
        }
    }
}
