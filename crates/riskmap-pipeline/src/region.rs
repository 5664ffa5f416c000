//! Finding the sources of a region folder (SPEC: "found by its stem, anywhere
//! in the folder but `truth/`, with any supported ending").

use std::path::{Path, PathBuf};

use riskmap_domain::{GeometryKind, Source};

use crate::config::Config;
use crate::PipelineError;

/// Endings riskmap reads, by kind of source.
pub fn endings(kind: GeometryKind) -> &'static [&'static str] {
    match kind {
        GeometryKind::Polygon | GeometryKind::Line => &["gpkg", "geojson", "shp", "fgb"],
        GeometryKind::Point => &["csv", "parquet", "xlsx", "gpkg", "geojson", "shp", "fgb"],
        GeometryKind::Table => &["csv", "parquet", "xlsx"],
        GeometryKind::Raster => &["tif", "tiff"],
    }
}

/// A source found in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Which source.
    pub source: Source,
    /// Its file.
    pub path: PathBuf,
    /// The file's SHA-256, once computed.
    sha256: std::sync::OnceLock<String>,
}

impl Found {
    /// `source` in the file at `path`.
    pub fn new(source: Source, path: PathBuf) -> Found {
        Found {
            source,
            path,
            sha256: Default::default(),
        }
    }

    /// The file's SHA-256, read once per run: the input fingerprint and the
    /// manifest's per-source hashes both need it.
    pub fn sha256(&self) -> Result<String, riskmap_io::IoError> {
        if let Some(h) = self.sha256.get() {
            return Ok(h.clone());
        }
        let h = riskmap_io::sha256_file(&self.path)?;
        Ok(self.sha256.get_or_init(|| h).clone())
    }
}

fn walk(dir: &Path, root: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if dir == root && name == "truth" {
                continue;
            }
            walk(&path, root, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Finds every source in `data`: the files `riskmap.toml` names, and the
/// others by stem. Two files for one source is an error that names both,
/// since silently picking one would hide data.
pub fn find_sources(data: &Path, config: &Config) -> Result<Vec<Found>, PipelineError> {
    if !data.is_dir() {
        return Err(PipelineError::Input(format!(
            "{}: not a folder; --data must name a region folder (see `riskmap synth`)",
            data.display()
        )));
    }
    let mut files = Vec::new();
    walk(data, data, &mut files)
        .map_err(|e| PipelineError::Input(format!("{}: {e}", data.display())))?;
    let mut found: Vec<Found> = Vec::new();
    for (source, path) in config.paths(data) {
        if !path.is_file() {
            return Err(PipelineError::Input(format!(
                "{}: riskmap.toml names this file for `sources.{source}.path`, but it does not exist",
                path.display()
            )));
        }
        found.push(Found::new(source, path));
    }
    let configured: Vec<Source> = found.iter().map(|f| f.source).collect();
    for path in files {
        let (Some(stem), Some(ext)) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        let Some(source) = Source::from_stem(stem) else {
            continue;
        };
        if configured.contains(&source) {
            continue;
        }
        if !endings(source.geometry()).contains(&ext.to_ascii_lowercase().as_str()) {
            continue;
        }
        if let Some(other) = found.iter().find(|f| f.source == source) {
            return Err(PipelineError::Input(format!(
                "source `{source}` is in two files, {} and {}; keep one, or name the one to use in riskmap.toml ([sources.{source}] path = ...)",
                other.path.display(),
                path.display()
            )));
        }
        found.push(Found::new(source, path));
    }
    found.sort_by_key(|f| f.source);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sources_by_stem_outside_truth_and_rejects_doubles() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("truth")).unwrap();
        std::fs::create_dir_all(d.join("ledgers")).unwrap();
        for f in [
            "townships.gpkg",
            "ledgers/fires.csv",
            "truth/incidents.csv",
            "notes.txt",
            "dem.tif",
            "fires.txt",
        ] {
            std::fs::write(d.join(f), "").unwrap();
        }
        let found = find_sources(d, &Config::default()).unwrap();
        let names: Vec<_> = found.iter().map(|f| f.source).collect();
        assert_eq!(names, vec![Source::Townships, Source::Fires, Source::Dem]);
        std::fs::write(d.join("fires.parquet"), "").unwrap();
        let err = find_sources(d, &Config::default()).unwrap_err().to_string();
        assert!(
            err.contains("fires.csv") && err.contains("fires.parquet"),
            "{err}"
        );
    }
}
