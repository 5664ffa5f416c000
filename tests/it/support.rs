//! Helpers shared by the root tests: running the `riskmap` binary under test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The checkout under test, read when the test runs. Not `env!`: a target
/// directory shared by two checkouts reuses a test binary built in the other
/// one (cargo's fingerprints leave the checkout's path out), and a path baked
/// in at compile time would then read the other checkout's files.
pub fn repo() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .expect("cargo test sets CARGO_MANIFEST_DIR")
}

/// Runs `riskmap` with the arguments given (any mix of `&str`, paths), and
/// returns its output; panics only if the binary cannot start.
macro_rules! riskmap {
    ($($arg:expr),* $(,)?) => {{
        let out: ::std::process::Output = ::std::process::Command::new(env!("CARGO_BIN_EXE_riskmap"))
            $(.arg($arg))*
            .output()
            .expect("riskmap runs");
        out
    }};
}
pub(crate) use riskmap;

/// A command's stdout followed by its stderr, as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A CSV file's rows as column → text (read as riskmap reads tables).
pub fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let df = riskmap_io::read_records(path).unwrap();
    (0..df.height())
        .map(|r| {
            df.columns
                .iter()
                .zip(&df.cells)
                .map(|(c, v)| {
                    (
                        c.clone(),
                        v.text(r).map(|c| c.into_owned()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .collect()
}

/// `OUT/manifest.json`, parsed.
pub fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

/// Every source of a manifest reads `rows_read = accepted + rejected`.
pub fn assert_counts_add_up(manifest: &serde_json::Value, context: &str) {
    for input in manifest["inputs"].as_array().unwrap() {
        let n = |k: &str| input[k].as_u64().unwrap();
        assert_eq!(
            n("rows_read"),
            n("accepted") + n("rejected"),
            "{input}: counts do not add up\n{context}"
        );
    }
}

/// `riskmap COMMAND --data DATA --out OUT EXTRA…`, which must succeed.
pub fn riskmap_ok(command: &str, data: &Path, out: &Path, extra: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args([command, "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("riskmap runs");
    assert!(o.status.success(), "riskmap {command}: {}", text(&o));
    o
}

/// Writes the synthetic county of `seed` over `years` (`Y1..Y2`) into
/// `dir/data` and returns that folder.
pub fn synth_county(dir: &Path, seed: u64, years: &str) -> PathBuf {
    synth_county_into(&dir.join("data"), seed, &["--years", years])
}

/// Writes the synthetic county of `seed`, with further `synth` arguments,
/// into `data` and returns it.
pub fn synth_county_into(data: &Path, seed: u64, extra: &[&str]) -> PathBuf {
    synth_into(data, "county", seed, extra)
}

/// Writes the synthetic region of `preset` and `seed`, with further `synth`
/// arguments, into `data` and returns it.
pub fn synth_into(data: &Path, preset: &str, seed: u64, extra: &[&str]) -> PathBuf {
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args(["synth", "--preset", preset, "--seed", &seed.to_string()])
        .args(extra)
        .arg("--out")
        .arg(data)
        .output()
        .expect("riskmap runs");
    assert!(o.status.success(), "{}", text(&o));
    data.to_owned()
}

/// Why the manifest says `stage` was skipped; panics if it is not listed as
/// skipped.
pub fn skipped_reason(manifest: &serde_json::Value, stage: &str) -> String {
    let entry = manifest["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["name"] == stage)
        .unwrap_or_else(|| panic!("the {stage} stage is listed"));
    entry["skipped"]
        .as_str()
        .unwrap_or_else(|| panic!("the {stage} stage says why it was skipped"))
        .to_owned()
}
