//! Nothing half-written: a job writes into a hidden staging folder under its
//! output folder and moves each finished file into place only on success.
//! A failed or killed job leaves the previous results as they were (the
//! staging folder is removed on drop, or on the next run).

use std::path::{Path, PathBuf};

use crate::error::PipelineError;

/// A staging folder for one job's outputs.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates `out/.riskmap-staging-<pid>` (and `out`), removing stale
    /// staging folders of earlier, killed runs.
    pub fn new(out: &Path) -> Result<Staging, PipelineError> {
        let io = |p: &Path| {
            let p = p.to_owned();
            move |e: std::io::Error| {
                PipelineError::Input(format!(
                    "{}: {e}; check that the output folder is writable",
                    p.display()
                ))
            }
        };
        std::fs::create_dir_all(out).map_err(io(out))?;
        for entry in std::fs::read_dir(out).map_err(io(out))?.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(".riskmap-staging-")
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = out.join(format!(".riskmap-staging-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Staging {
            out: out.to_owned(),
            dir,
            committed: false,
        })
    }

    /// Where to write: the staging folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Moves every staged file and folder into the output folder, replacing
    /// what was there, and removes the staging folder.
    pub fn commit(mut self) -> Result<(), PipelineError> {
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|e| PipelineError::Internal(format!("{}: {e}", self.dir.display())))?;
        for entry in entries.flatten() {
            let target = self.out.join(entry.file_name());
            if target.is_dir() {
                std::fs::remove_dir_all(&target)
                    .map_err(|e| PipelineError::Input(format!("{}: {e}", target.display())))?;
            }
            std::fs::rename(entry.path(), &target)
                .map_err(|e| PipelineError::Input(format!("{}: {e}", target.display())))?;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_committed_job_replaces_the_results() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "old").unwrap();
        {
            let s = Staging::new(dir.path()).unwrap();
            std::fs::write(s.path().join("a.csv"), "half").unwrap();
            // Dropped without commit, as when a stage fails.
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.csv")).unwrap(),
            "old"
        );
        let s = Staging::new(dir.path()).unwrap();
        std::fs::write(s.path().join("a.csv"), "new").unwrap();
        s.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.csv")).unwrap(),
            "new"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
