//! Finding the sources of a region folder (SPEC: "found by its stem, anywhere
//! in the folder but `truth/`, with any supported ending").

use std::path::{Path, PathBuf};

use riskmap_domain::{GeometryKind, Source};

use crate::config::Config;
use crate::error::PipelineError;

/// Endings riskmap reads, by kind of source. A raster source is read in any
/// format GDAL opens, whatever its ending (see [`find_region`]); these are
/// the common ones, for messages.
pub fn endings(kind: GeometryKind) -> &'static [&'static str] {
    match kind {
        GeometryKind::Polygon | GeometryKind::Line => &["gpkg", "geojson", "shp", "fgb"],
        GeometryKind::Point => &[
            "csv", "parquet", "xlsx", "xls", "xlsb", "ods", "gpkg", "geojson", "shp", "fgb",
        ],
        GeometryKind::Table => &["csv", "parquet", "xlsx", "xls", "xlsb", "ods"],
        GeometryKind::Raster => &["tif", "tiff", "nc", "asc", "img", "vrt"],
    }
}

/// Endings of files that travel beside a layer or raster (a shapefile's
/// parts, world files, GDAL's and ArcGIS's side files, SQLite journals):
/// never a source of their own, and never worth a warning.
const SIDECARS: &[&str] = &[
    "dbf",
    "shx",
    "prj",
    "cpg",
    "qix",
    "sbn",
    "sbx",
    "fix",
    "xml",
    "aux",
    "ovr",
    "rrd",
    "tfw",
    "tifw",
    "tfwx",
    "wld",
    "jgw",
    "pgw",
    "hdr",
    "msk",
    "qmd",
    "qml",
    "sld",
    "lyr",
    "lock",
    "gpkg-wal",
    "gpkg-shm",
    "gpkg-journal",
    "ige",
    "rde",
    "stx",
    "md5",
    "sha256",
];

/// A file whose stem names a source but which riskmap cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The source its stem names.
    pub source: Source,
    /// The file.
    pub path: PathBuf,
    /// Why it is not read, and what to do.
    pub why: String,
}

/// What a region folder holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionFiles {
    /// The sources found, in SPEC order.
    pub found: Vec<Found>,
    /// Files named like a source that cannot be read (warnings, never "missing").
    pub unreadable: Vec<Unreadable>,
}

/// Why a file of `source` with `ending` is not read, and what to do.
fn unreadable_because(source: Source, ending: &str) -> String {
    let kind = source.geometry();
    let hint = match ending {
        "et" | "ett" | "numbers" => "save it as .xlsx or CSV (UTF-8 or GBK)",
        "txt" | "tsv" | "dat" => "save it as CSV with a header row",
        "kml" | "kmz" | "tab" | "mif" | "dxf" | "json" => {
            "convert it to GeoPackage or GeoJSON (ogr2ogr)"
        }
        _ if kind == GeometryKind::Raster => {
            "GDAL cannot open it as a raster; convert it to GeoTIFF (gdal_translate)"
        }
        _ => "convert it to one of the supported formats",
    };
    format!(
        "`{source}` is not read from a .{ending} file; {hint} (riskmap reads {} for `{source}`)",
        if kind == GeometryKind::Raster {
            "any raster GDAL opens: .tif, .nc, .asc, .img, .vrt, ...".to_owned()
        } else {
            endings(kind)
                .iter()
                .map(|e| format!(".{e}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    )
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
    find_region(data, config).map(|r| r.found)
}

/// [`find_sources`], with the files named like a source that cannot be read.
pub fn find_region(data: &Path, config: &Config) -> Result<RegionFiles, PipelineError> {
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
    let mut unreadable = Vec::new();
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
        let ext = ext.to_ascii_lowercase();
        if configured.contains(&source) || SIDECARS.contains(&ext.as_str()) {
            continue;
        }
        let readable = if source.geometry() == GeometryKind::Raster {
            endings(GeometryKind::Raster).contains(&ext.as_str()) || riskmap_io::is_raster(&path)
        } else {
            endings(source.geometry()).contains(&ext.as_str())
        };
        if !readable {
            let why = unreadable_because(source, &ext);
            unreadable.push(Unreadable { source, path, why });
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
    // A file that could not be read matters only where no readable file
    // stands for its source.
    unreadable.retain(|u| !found.iter().any(|f| f.source == u.source));
    Ok(RegionFiles { found, unreadable })
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

    #[test]
    fn a_file_named_like_a_source_that_cannot_be_read_is_said_not_missing() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "townships.shp",
            "townships.dbf",
            "townships.prj",
            "dem.nc",
            "forest_cover.xyz",
            "incidents.et",
            "fires.csv",
            "fires.txt",
        ] {
            std::fs::write(d.join(f), "").unwrap();
        }
        let r = find_region(d, &Config::default()).unwrap();
        let names: Vec<_> = r.found.iter().map(|f| f.source).collect();
        assert_eq!(names, vec![Source::Townships, Source::Fires, Source::Dem]);
        let said: Vec<_> = r
            .unreadable
            .iter()
            .map(|u| (u.source, u.why.as_str()))
            .collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert_eq!(said[0].0, Source::ForestCover);
        assert!(said[0].1.contains("GDAL cannot open it"), "{}", said[0].1);
        assert_eq!(said[1].0, Source::Incidents);
        assert!(said[1].1.contains(".xlsx"), "{}", said[1].1);
    }
}
