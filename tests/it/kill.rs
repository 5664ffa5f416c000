//! A run killed with SIGKILL at any moment leaves the previous results intact
//! and readable, and the next run succeeds (the lock dies with its process and
//! stale run folders are cleaned). The run is paused at known stages through
//! the test-only hook `RISKMAP_TEST_PAUSE_AT` (see riskmap-pipeline's
//! progress.rs) and also killed at fixed delays, which land wherever they land.
//! These runs use `--no-cache`, since the same inputs again would otherwise
//! be skipped as unchanged; a last part kills runs that read and write the
//! incremental cache.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn demo() -> PathBuf {
    crate::support::repo().join("datasets/demo")
}

fn riskmap_run(out: &Path) -> Command {
    let mut c = riskmap_run_cached(out);
    c.arg("--no-cache");
    c
}

/// A run that uses the incremental cache (add `--as-of` to vary the inputs).
fn riskmap_run_cached(out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_riskmap"));
    c.args(["run", "--log-format", "plain", "--data"])
        .arg(demo())
        .arg("--out")
        .arg(out);
    c
}

/// Checks that `out` holds one complete run: the manifest parses and every
/// output it lists is there with its sha256. Returns the manifest.
fn assert_intact(out: &Path, when: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("manifest.json"))
        .unwrap_or_else(|e| panic!("{when}: manifest.json unreadable: {e}"));
    let m: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{when}: manifest.json: {e}"));
    let outputs = m["outputs"].as_array().expect("outputs");
    assert!(
        outputs.len() >= 10,
        "{when}: only {} outputs",
        outputs.len()
    );
    for o in outputs {
        let path = out.join(o["path"].as_str().unwrap());
        let sum = riskmap_io::sha256_file(&path)
            .unwrap_or_else(|e| panic!("{when}: {} unreadable: {e}", path.display()));
        assert_eq!(
            sum,
            o["sha256"].as_str().unwrap(),
            "{when}: {} changed",
            path.display()
        );
    }
    m
}

/// Starts a run paused at `stage`, waits until it says so, and returns it
/// (still paused). Panics if the run ends or stays silent for long.
fn paused_at(out: &Path, stage: &str) -> Child {
    let mut child = riskmap_run(out)
        .env("RISKMAP_TEST_PAUSE_AT", stage)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let marker = format!("test pause at {stage}");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(&marker) {
                let _ = tx.send(Ok(()));
            } else if line.contains("error") {
                let _ = tx.send(Err(line));
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(300)) {
        Ok(Ok(())) => child,
        other => {
            let _ = child.kill();
            panic!("run never paused at {stage}: {other:?}");
        }
    }
}

/// Starts `cmd` and SIGKILLs it after `ms` milliseconds, wherever it is.
fn kill_after(cmd: &mut Command, ms: u64) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(ms));
    let _ = child.kill();
    let _ = child.wait();
}

fn kill9(mut child: Child) {
    // `Child::kill` sends SIGKILL on Unix: the process gets no chance to clean up.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
}

#[test]
fn a_run_killed_at_any_stage_leaves_the_last_good_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = riskmap_run(&out).output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let good = assert_intact(&out, "after the first run");

    // A second run on the same folder while one is writing is refused, exit 1.
    let holder = paused_at(&out, "validate and join");
    let second = riskmap_run(&out).output().unwrap();
    assert_eq!(second.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&second.stderr);
    assert!(msg.contains("another riskmap run"), "{msg}");
    kill9(holder);
    assert_intact(&out, "after a kill in validation");

    for stage in [
        "panel",
        "spatial statistics",
        "forecast",
        "publish",
        "publish: renamed",
        "publish: swapped",
    ] {
        kill9(paused_at(&out, stage));
        let m = assert_intact(&out, &format!("after a kill at {stage}"));
        // Before the swap the old run is what readers see; from the swap on,
        // the new one, complete. Either way, the same inputs give the same outputs.
        assert_eq!(m["outputs"], good["outputs"], "after a kill at {stage}");
    }

    // Kills at arbitrary moments, wherever they land.
    for ms in [50, 150, 300, 600, 1200] {
        kill_after(&mut riskmap_run(&out), ms);
        assert_intact(&out, &format!("after a kill at {ms} ms"));
    }

    // The next run succeeds and leaves nothing of the killed ones behind.
    let last = riskmap_run(&out).output().unwrap();
    assert!(
        last.status.success(),
        "{}",
        String::from_utf8_lossy(&last.stderr)
    );
    assert_intact(&out, "after the last run");
    let runs: Vec<String> = std::fs::read_dir(out.join(".runs"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        runs.len() <= 2 && runs.iter().all(|r| !r.ends_with(".partial")),
        "{runs:?}"
    );

    // Runs that read and write the cache, killed mid-way: the published
    // results stay intact, and the next cached run succeeds with the bytes of
    // an uncached one (a half-written cache entry is never read).
    for (ms, as_of) in [
        (300, "2021-11-01"),
        (900, "2021-11-02"),
        (1800, "2021-11-03"),
    ] {
        kill_after(riskmap_run_cached(&out).args(["--as-of", as_of]), ms);
        assert_intact(&out, &format!("after a kill of a cached run at {ms} ms"));
    }
    let cached = riskmap_run_cached(&out)
        .args(["--as-of", "2021-11-03"])
        .output()
        .unwrap();
    assert!(
        cached.status.success(),
        "{}",
        String::from_utf8_lossy(&cached.stderr)
    );
    let warm = assert_intact(&out, "after a cached run");
    let cold_out = dir.path().join("cold");
    let cold = riskmap_run(&cold_out)
        .args(["--as-of", "2021-11-03"])
        .output()
        .unwrap();
    assert!(
        cold.status.success(),
        "{}",
        String::from_utf8_lossy(&cold.stderr)
    );
    assert_eq!(assert_intact(&cold_out, "cold")["outputs"], warm["outputs"]);
    let leftovers: Vec<_> = std::fs::read_dir(out.join(".cache"))
        .unwrap()
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().flatten())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            !(name.ends_with(".bin") || name.ends_with(".gpkg"))
        })
        .map(|e| e.path())
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
