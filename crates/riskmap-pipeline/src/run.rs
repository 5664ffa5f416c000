//! `riskmap run`: the nightly job. Today it reads every source of the region
//! folder, checks that townships are there, and writes `manifest.json`; the
//! stages after that are built by the issues named in [`PLANNED_STAGES`].

use std::path::PathBuf;
use std::time::Instant;

use riskmap_domain::{GeometryKind, Source};
use serde::Serialize;

use crate::region::{find_sources, Found};
use crate::staging::Staging;
use crate::PipelineError;

/// Stages of the nightly job that are not built yet, with the issue that builds them.
pub const PLANNED_STAGES: &[(&str, &str)] = &[
    ("validate and join (rejected.csv, assigned.parquet, panel.parquet, summary.*.md)", "issue 3"),
    ("spatial statistics and heatmaps (spatial_stats.csv, global_stats.json, heatmaps/)", "issue 4"),
    ("risk scores (township_scores.*)", "issue 5"),
    ("forecast (forecast.csv)", "issue 6"),
    ("maps, charts and report (maps/, charts/, report.html)", "issue 7"),
];

/// What `run` is asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The region folder.
    pub data: PathBuf,
    /// Where results go.
    pub out: PathBuf,
    /// The as-of date, `YYYY-MM-DD`, if given.
    pub as_of: Option<String>,
}

/// One input, as the manifest lists it.
#[derive(Debug, Clone, Serialize)]
pub struct InputEntry {
    /// Source stem.
    pub source: String,
    /// Path relative to the region folder.
    pub path: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Rows (features, records) read; for a raster, its cells.
    pub rows_read: usize,
}

/// A stage and its wall time.
#[derive(Debug, Clone, Serialize)]
pub struct StageEntry {
    /// Stage name.
    pub name: String,
    /// Seconds.
    pub seconds: f64,
}

/// An output and its hash.
#[derive(Debug, Clone, Serialize)]
pub struct OutputEntry {
    /// Path relative to the output folder.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// riskmap's version.
    pub version: String,
    /// The as-of date asked for, if any.
    pub as_of: Option<String>,
    /// Every source read.
    pub inputs: Vec<InputEntry>,
    /// SPEC sources that were not in the folder.
    pub missing: Vec<String>,
    /// Stages run, with timings.
    pub stages: Vec<StageEntry>,
    /// Stages of the nightly job that are not built yet.
    pub not_built: Vec<String>,
    /// Files written, with hashes (the manifest itself excepted).
    pub outputs: Vec<OutputEntry>,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The manifest written.
    pub manifest: Manifest,
    /// Where it was written.
    pub manifest_path: PathBuf,
}

fn rows_of(found: &Found) -> Result<usize, PipelineError> {
    let path = &found.path;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match (found.source.geometry(), ext.as_str()) {
        (GeometryKind::Raster, _) => riskmap_io::read_raster(path).map(|r| r.width * r.height).map_err(Into::into),
        (_, "csv" | "parquet") => riskmap_io::read_table(path).map(|df| df.height()).map_err(Into::into),
        (_, "xlsx") => Err(PipelineError::Input(format!(
            "{}: reading Excel workbooks arrives with the ingest stage (issue 3); export the sheet as CSV for now",
            path.display()
        ))),
        _ => riskmap_io::read_vector(path).map(|l| l.geometries.len()).map_err(Into::into),
    }
}

/// Runs the job.
pub fn run(opts: &RunOptions) -> Result<RunReport, PipelineError> {
    if let Some(d) = &opts.as_of {
        if parse_date(d).is_none() {
            return Err(PipelineError::Input(format!("--as-of {d}: not a date; write it as YYYY-MM-DD, e.g. 2021-12-01")));
        }
    }
    let staging = Staging::new(&opts.out)?;
    let mut stages = Vec::new();

    let t = Instant::now();
    let found = find_sources(&opts.data)?;
    if !found.iter().any(|f| f.source == Source::Townships) {
        return Err(PipelineError::Input(format!(
            "{}: no townships; add townships.gpkg (or .geojson, .shp, .fgb) with columns code and name",
            opts.data.display()
        )));
    }
    let mut inputs = Vec::new();
    for f in &found {
        let rows_read = rows_of(f)?;
        inputs.push(InputEntry {
            source: f.source.stem().to_owned(),
            path: f.path.strip_prefix(&opts.data).unwrap_or(&f.path).to_string_lossy().into_owned(),
            sha256: riskmap_io::sha256_file(&f.path)?,
            rows_read,
        });
    }
    stages.push(StageEntry { name: "read".into(), seconds: t.elapsed().as_secs_f64() });

    let missing = Source::ALL.iter().filter(|s| !found.iter().any(|f| f.source == **s)).map(|s| s.stem().to_owned()).collect();
    let manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        as_of: opts.as_of.clone(),
        inputs,
        missing,
        stages,
        not_built: PLANNED_STAGES.iter().map(|(s, issue)| format!("{s}: {issue}")).collect(),
        outputs: Vec::new(),
    };
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| PipelineError::Internal(e.to_string()))?;
    std::fs::write(staging.path().join("manifest.json"), json + "\n")
        .map_err(|e| PipelineError::Input(format!("{}: {e}", staging.path().display())))?;
    staging.commit()?;
    Ok(RunReport { manifest, manifest_path: opts.out.join("manifest.json") })
}

/// Parses `YYYY-MM-DD` strictly (month and day in range, leap years known).
fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    (s.len() == 10).then(|| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_dates_are_checked_strictly() {
        assert_eq!(parse_date("2021-12-01"), chrono::NaiveDate::from_ymd_opt(2021, 12, 1));
        assert!(parse_date("2020-02-29").is_some());
        assert_eq!(parse_date("2021-02-29"), None);
        assert_eq!(parse_date("2021-13-01"), None);
        assert_eq!(parse_date("2021-1-01"), None);
    }
}
