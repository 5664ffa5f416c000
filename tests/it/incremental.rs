//! The incremental cache, as the nightly job meets it on the demo county:
//! the same inputs again recompute nothing; one more day of records (the
//! as-of date one day later) reuses what reads complete years only; and the
//! warm run writes the same bytes as a cold run with `--no-cache`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::manifest;

fn run(out: &Path, as_of: &str, extra: &[&str]) -> Output {
    let data = crate::support::repo().join("datasets/demo");
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args(["run", "--log-format", "plain", "--as-of", as_of, "--data"])
        .arg(&data)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn names(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// Every published file but the manifest, by relative path.
fn files(dir: &Path, rel: &Path, acc: &mut Vec<(PathBuf, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let (path, rel) = (e.path(), rel.join(e.file_name()));
        if path.is_dir() {
            files(&path, &rel, acc);
        } else if rel != Path::new("manifest.json") {
            acc.push((rel, std::fs::read(&path).unwrap()));
        }
    }
}

#[test]
fn a_warm_run_skips_what_did_not_change_and_writes_the_cold_run_s_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let warm = dir.path().join("warm");

    // Night 1: cold; the stages that read complete years are computed and stored.
    run(&warm, "2021-12-15", &[]);
    let m1 = manifest(&warm);
    let misses = names(&m1["cache"]["misses"]);
    assert!(
        misses.contains(&"forecast model choice".to_owned()),
        "{misses:?}"
    );
    assert!(misses.contains(&"emerging grid".to_owned()), "{misses:?}");
    // The grid's GeoPackage too: the warm night copies it, and the bytes
    // compared below include it.
    assert!(
        misses.contains(&"emerging grid layer".to_owned()),
        "{misses:?}"
    );
    assert!(names(&m1["cache"]["hits"]).is_empty());
    let fingerprint = m1["input_fingerprint"].as_str().unwrap().to_owned();
    assert_eq!(fingerprint.len(), 64);
    let published = std::fs::read_link(warm.join("current")).unwrap();

    // The same night again: nothing to recompute, nothing republished.
    let o = run(&warm, "2021-12-15", &[]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("inputs unchanged"), "{stdout}");
    assert_eq!(std::fs::read_link(warm.join("current")).unwrap(), published);
    assert_eq!(manifest(&warm), m1);

    // Night 2: one more day of records. The complete years are the same, so
    // every cached stage hits; the rest is recomputed.
    run(&warm, "2021-12-16", &[]);
    let m2 = manifest(&warm);
    assert_ne!(m2["input_fingerprint"].as_str().unwrap(), fingerprint);
    assert!(
        names(&m2["cache"]["misses"]).is_empty(),
        "{:?}",
        m2["cache"]
    );
    assert_eq!(
        names(&m2["cache"]["hits"]),
        misses,
        "the same results, now reused"
    );
    assert_ne!(
        m2["inputs"], m1["inputs"],
        "a day more of records was accepted"
    );

    // The same night cold: the same bytes.
    let cold = dir.path().join("cold");
    run(&cold, "2021-12-16", &["--no-cache"]);
    let m3 = manifest(&cold);
    assert_eq!(m3["cache"]["enabled"], false);
    assert_eq!(m3["input_fingerprint"], m2["input_fingerprint"]);
    assert_eq!(m3["outputs"], m2["outputs"], "the manifest's hashes agree");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    files(&warm.join("current"), Path::new(""), &mut a);
    files(&cold.join("current"), Path::new(""), &mut b);
    assert!(a.len() >= 20, "{}", a.len());
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(
            ba == bb,
            "{} differs between the warm and the cold run",
            pa.display()
        );
    }

    // Only this run's entries are kept: the cache does not grow night by night.
    let entries = |d: &Path| -> usize {
        std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .map(|s| std::fs::read_dir(s.path()).unwrap().count())
            .sum()
    };
    assert_eq!(entries(&warm.join(".cache")), misses.len());
}
