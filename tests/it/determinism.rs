//! The same inputs give byte-identical outputs with one or two threads:
//! `riskmap run` on datasets/demo with RAYON_NUM_THREADS (and polars'
//! POLARS_MAX_THREADS) at 1 and at 2. Every file must match byte for byte,
//! except `manifest.json`, which is compared without its stage timings.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Every file under `dir`, recursively (following the published links), by relative path.
fn files(dir: &Path, rel: &Path, acc: &mut Vec<(PathBuf, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let rel = rel.join(e.file_name());
        if path.is_dir() {
            files(&path, &rel, acc);
        } else {
            acc.push((rel, std::fs::read(&path).unwrap()));
        }
    }
}

fn without_seconds(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.remove("seconds");
            map.values_mut().for_each(without_seconds);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(without_seconds),
        _ => {}
    }
}

#[test]
fn run_gives_the_same_bytes_with_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::support::repo().join("datasets/demo");
    let mut results = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(threads);
        let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
            .env("RAYON_NUM_THREADS", threads)
            .env("POLARS_MAX_THREADS", threads)
            .args(["run", "--log-format", "plain", "--data"])
            .arg(&data)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // The published run, read through `current` as a careful reader would.
        let mut all = Vec::new();
        files(&out.join("current"), Path::new(""), &mut all);
        results.push(all);
    }
    let (one, two) = (&results[0], &results[1]);
    let names = |r: &Vec<(PathBuf, Vec<u8>)>| r.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(one), names(two), "the same files");
    assert!(one.len() >= 10, "{:?}", names(one));
    let mut differ = Vec::new();
    for ((name, a), (_, b)) in one.iter().zip(two) {
        if name == Path::new("manifest.json") {
            let mut a: serde_json::Value = serde_json::from_slice(a).unwrap();
            let mut b: serde_json::Value = serde_json::from_slice(b).unwrap();
            without_seconds(&mut a);
            without_seconds(&mut b);
            if a != b {
                differ.push(format!("manifest.json: {a:#}\n---\n{b:#}"));
            }
        } else if a != b {
            differ.push(name.display().to_string());
        }
    }
    assert!(
        differ.is_empty(),
        "differ between 1 and 2 threads: {differ:#?}"
    );
}
