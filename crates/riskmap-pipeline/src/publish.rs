//! Atomic publication of a run's results, and the lock that keeps two runs
//! off the same output folder.
//!
//! Layout of an output folder `OUT` after a run (`riskmap run` and
//! `riskmap validate`):
//!
//! ```text
//! OUT/.riskmap.lock                  held (flock) while a run is writing
//! OUT/.runs/<id>.partial/            the run being written (stale if its run died)
//! OUT/.runs/<id>/                    a finished run: every output and manifest.json
//! OUT/current -> .runs/<id>          the published run
//! OUT/manifest.json -> current/manifest.json
//! OUT/panel.parquet -> current/panel.parquet, heatmaps -> current/heatmaps, ...
//! ```
//!
//! A run writes every file into `.runs/<id>.partial/`. Only when every stage
//! has succeeded is that folder renamed to `.runs/<id>` and a new `current`
//! symlink renamed over the old one. `rename(2)` is atomic, so at every
//! instant `current` points at one complete run: a run killed at any moment
//! (even by `kill -9`) leaves the previous results in place and readable.
//! SPEC's file names stay readable directly under `OUT` through fixed,
//! relative links `NAME -> current/NAME`; they never change, only `current`
//! does. A reader that opens several files and must not see two different
//! runs resolves `OUT/current` once (e.g. `realpath OUT/current`) and reads
//! from that folder; the run before the current one is kept, so such a reader
//! has until the next-but-one run to finish.
//!
//! The lock is `OUT/.riskmap.lock`, held with `File::try_lock` (an advisory
//! `flock`). The kernel drops it when the process dies, however it dies, so
//! a lock file left by a killed run never blocks the next one. While holding
//! it, a run removes the stale `*.partial` folders of killed runs, runs older
//! than the previous one, and links whose target vanished.
//!
//! On platforms without symbolic links, results are moved into place file by
//! file (the older, per-file scheme), which is not atomic as a whole.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::PipelineError;

/// The lock file's name under the output folder.
pub const LOCK_FILE: &str = ".riskmap.lock";
/// The folder of runs under the output folder.
pub const RUNS_DIR: &str = ".runs";
/// The link to the published run.
pub const CURRENT: &str = "current";

fn io(p: &Path) -> impl Fn(std::io::Error) -> PipelineError + '_ {
    move |e| {
        PipelineError::Input(format!(
            "{}: {e}; check that the output folder is writable",
            p.display()
        ))
    }
}

/// One run's private folder, published atomically by [`Publish::commit`].
/// Holds the output folder's lock from creation until dropped.
pub struct Publish {
    out: PathBuf,
    id: String,
    dir: PathBuf,
    committed: bool,
    // Held for the lifetime of the run; the lock is released when the file closes.
    _lock: File,
}

impl Publish {
    /// Takes `OUT/.riskmap.lock` (failing with a clear message if another run
    /// holds it), cleans what killed runs left, and creates a fresh
    /// `OUT/.runs/<id>.partial/` to write into.
    pub fn new(out: &Path) -> Result<Publish, PipelineError> {
        std::fs::create_dir_all(out).map_err(io(out))?;
        let lock_path = out.join(LOCK_FILE);
        let mut lock = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&lock_path).unwrap_or_default();
                let holder = holder.trim();
                return Err(PipelineError::Input(format!(
                    "{}: another riskmap run{} is writing to this output folder; wait for it to finish or choose another --out",
                    out.display(),
                    if holder.is_empty() { String::new() } else { format!(" ({holder})") }
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
        }
        // The holder's pid, for the message above; purely informative.
        let _ = lock.set_len(0);
        let _ = writeln!(lock, "pid {}", std::process::id());

        let runs = out.join(RUNS_DIR);
        std::fs::create_dir_all(&runs).map_err(io(&runs))?;
        clean_stale(out, &runs);
        // Time, process and a per-process sequence number: two runs of one
        // process within a millisecond (as in tests) must not share a folder.
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = format!(
            "{}-{}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
            std::process::id(),
            SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let dir = runs.join(format!("{id}.partial"));
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Publish {
            out: out.to_owned(),
            id,
            dir,
            committed: false,
            _lock: lock,
        })
    }

    /// Where to write: this run's private folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Publishes the run: renames its folder to `.runs/<id>`, swaps `current`
    /// to it in one rename, makes sure every top-level name links through
    /// `current`, and removes runs older than the previous one.
    #[cfg(unix)]
    pub fn commit(mut self) -> Result<(), PipelineError> {
        use std::os::unix::fs::symlink;
        crate::progress::pause_point("publish");
        let runs = self.out.join(RUNS_DIR);
        let done = runs.join(&self.id);
        std::fs::rename(&self.dir, &done).map_err(io(&done))?;
        self.dir = done;
        crate::progress::pause_point("publish: renamed");

        let current = self.out.join(CURRENT);
        let previous = std::fs::read_link(&current).ok();
        let tmp = self.out.join(format!(".{CURRENT}.{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        symlink(Path::new(RUNS_DIR).join(&self.id), &tmp).map_err(io(&tmp))?;
        // The publication itself: one atomic rename. A `current` that is a real
        // folder (not ours) cannot be replaced by a rename; say so.
        std::fs::rename(&tmp, &current).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(&current)(e)
        })?;
        self.committed = true;
        crate::progress::pause_point("publish: swapped");

        // Top-level names: each is a fixed link through `current`. Files of an
        // older, unlinked layout are replaced (one rename each).
        let entries = std::fs::read_dir(&self.dir).map_err(io(&self.dir))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let target = Path::new(CURRENT).join(&name);
            let top = self.out.join(&name);
            if std::fs::read_link(&top).ok().as_deref() == Some(target.as_path()) {
                continue;
            }
            let link_tmp = self.out.join(format!(".{}.link", name.to_string_lossy()));
            let _ = std::fs::remove_file(&link_tmp);
            symlink(&target, &link_tmp).map_err(io(&link_tmp))?;
            if top.is_dir() && !top.is_symlink() {
                std::fs::remove_dir_all(&top).map_err(io(&top))?;
            }
            std::fs::rename(&link_tmp, &top).map_err(io(&top))?;
        }
        // Keep the new run and the one it replaced; older runs go.
        let keep: Vec<PathBuf> = [Some(Path::new(RUNS_DIR).join(&self.id)), previous]
            .into_iter()
            .flatten()
            .collect();
        if let Ok(entries) = std::fs::read_dir(&runs) {
            for e in entries.flatten() {
                let rel = Path::new(RUNS_DIR).join(e.file_name());
                if !keep.contains(&rel) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        remove_dangling_links(&self.out);
        Ok(())
    }

    /// Publishes the run by moving each file into place (no symbolic links).
    #[cfg(not(unix))]
    pub fn commit(mut self) -> Result<(), PipelineError> {
        let entries = std::fs::read_dir(&self.dir).map_err(io(&self.dir))?;
        for entry in entries.flatten() {
            let target = self.out.join(entry.file_name());
            if target.is_dir() {
                std::fs::remove_dir_all(&target).map_err(io(&target))?;
            }
            std::fs::rename(entry.path(), &target).map_err(io(&target))?;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        self.committed = true;
        Ok(())
    }
}

impl Drop for Publish {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes what killed runs left: `.runs/*.partial`, temporary links, and
/// staging folders of the older per-file scheme. Called under the lock.
fn clean_stale(out: &Path, runs: &Path) {
    if let Ok(entries) = std::fs::read_dir(runs) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().ends_with(".partial") {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(out) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".riskmap-staging-") {
                let _ = std::fs::remove_dir_all(e.path());
            } else if (name.starts_with(&format!(".{CURRENT}.")) || name.ends_with(".link"))
                && e.path().is_symlink()
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Removes top-level links through `current` whose target is gone (an
/// output the newest run no longer writes).
fn remove_dangling_links(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if let Ok(target) = std::fs::read_link(&path) {
            if target.starts_with(CURRENT) && !path.exists() {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p).unwrap()
    }

    #[test]
    fn only_a_committed_run_replaces_the_results_and_all_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let p = Publish::new(out).unwrap();
        std::fs::write(p.path().join("a.csv"), "1").unwrap();
        std::fs::write(p.path().join("b.csv"), "1").unwrap();
        p.commit().unwrap();
        assert_eq!(
            (read(&out.join("a.csv")), read(&out.join("b.csv"))),
            ("1".into(), "1".into())
        );
        {
            let p = Publish::new(out).unwrap();
            std::fs::write(p.path().join("a.csv"), "half").unwrap();
            // Dropped without commit, as when a stage fails.
        }
        assert_eq!(read(&out.join("a.csv")), "1");
        let p = Publish::new(out).unwrap();
        std::fs::write(p.path().join("a.csv"), "2").unwrap();
        p.commit().unwrap();
        assert_eq!(read(&out.join("a.csv")), "2");
        // b.csv is not in the newest run: its link is gone, not dangling.
        assert!(!out.join("b.csv").exists() && !out.join("b.csv").is_symlink());
        // Two runs kept: the published one and the one before it.
        let p = Publish::new(out).unwrap();
        std::fs::write(p.path().join("a.csv"), "3").unwrap();
        p.commit().unwrap();
        assert_eq!(std::fs::read_dir(out.join(RUNS_DIR)).unwrap().count(), 2);
        assert_eq!(read(&out.join("a.csv")), "3");
    }

    #[test]
    fn a_second_run_on_the_same_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Publish::new(dir.path()).unwrap();
        let second = Publish::new(dir.path());
        let msg = second.err().expect("the lock is held").to_string();
        assert!(msg.contains("another riskmap run"), "{msg}");
    }

    #[test]
    fn stale_partial_folders_are_removed_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(RUNS_DIR).join("x.partial");
        std::fs::create_dir_all(&stale).unwrap();
        let _p = Publish::new(dir.path()).unwrap();
        assert!(!stale.exists());
    }
}
