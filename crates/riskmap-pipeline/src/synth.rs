//! `riskmap synth`: generate a region and write it as a SPEC region folder,
//! with its ground truth under `truth/`.

use std::path::Path;
use std::time::Instant;

use riskmap_domain::Source;
use riskmap_io::{write_raster, write_table_verbatim as write_table, write_vector, TableWriter};
use riskmap_synth::{generate_each, Piece, Preset, SynthConfig};

use crate::error::PipelineError;
use crate::staging::Staging;

/// How tables are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// UTF-8 CSV, as a bureau's exports come.
    Csv,
    /// Parquet, for large regions.
    Parquet,
}

impl TableFormat {
    fn ending(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
        }
    }
}

/// What `synth` generates and how it writes it.
#[derive(Debug, Clone, Copy)]
pub struct SynthOptions {
    /// Region size, seed and years.
    pub config: SynthConfig,
    /// Table format; CSV for the county, Parquet for larger presets by default.
    pub table_format: TableFormat,
}

impl SynthOptions {
    /// The defaults for a preset and seed: years 2015–2021.
    pub fn new(preset: Preset, seed: u64) -> SynthOptions {
        SynthOptions {
            config: SynthConfig {
                preset,
                seed,
                years: DEFAULT_YEARS,
                boundaries: Default::default(),
                emergent: Default::default(),
            },
            table_format: if preset == Preset::County {
                TableFormat::Csv
            } else {
                TableFormat::Parquet
            },
        }
    }
}

/// Default data years: seven years ending with the year of the county report.
pub const DEFAULT_YEARS: (i32, i32) = (2015, 2021);

/// What was written.
#[derive(Debug, Clone)]
pub struct SynthSummary {
    /// Townships generated.
    pub townships: usize,
    /// Rows per written table, by file name.
    pub rows: Vec<(String, usize)>,
    /// Seconds spent generating (with the tables, written as they come) and
    /// writing the rest (townships, layers, rasters, the small truth tables).
    pub seconds: (f64, f64),
}

/// Generates the region and writes it to `out` (replacing files of the same
/// names; nothing is written if generation fails).
pub fn write_region(opts: &SynthOptions, out: &Path) -> Result<SynthSummary, PipelineError> {
    let t0 = Instant::now();
    // A configuration that cannot be generated touches nothing on disk.
    opts.config.check()?;
    let staging = Staging::new(out)?;
    let dir = staging.path();
    let truth = dir.join("truth");
    let mut rows = Vec::new();
    // Tables are written as they come and dropped, so that a nation is never
    // held whole; the two large truth tables are written piece by piece.
    let mut origins =
        TableWriter::create(&truth.join(format!("origins.{}", opts.table_format.ending())))?;
    let mut intensity = TableWriter::create(&truth.join("intensity.parquet"))?;
    let mut region = generate_each(&opts.config, |piece| -> Result<(), PipelineError> {
        match piece {
            Piece::Table(source, mut df) => {
                let format = if source == Source::Population {
                    TableFormat::Csv
                } else {
                    opts.table_format
                };
                let name = format!("{}.{}", source.stem(), format.ending());
                write_table(&mut df, &dir.join(&name))?;
                rows.push((name, df.height()));
            }
            Piece::Origins(mut df) => origins.write(&mut df)?,
            Piece::Intensity(mut df) => intensity.write(&mut df)?,
        }
        Ok(())
    })?;
    origins.finish()?;
    intensity.finish()?;
    let generated = t0.elapsed().as_secs_f64();

    write_vector(&region.townships, &dir.join("townships.gpkg"))?;
    rows.insert(
        0,
        (
            "townships.gpkg".to_owned(),
            region.townships.geometries.len(),
        ),
    );
    for (source, layer) in &region.layers {
        let name = format!("{}.gpkg", source.stem());
        write_vector(layer, &dir.join(&name))?;
        rows.push((name, layer.geometries.len()));
    }
    for (source, raster) in &region.rasters {
        let name = format!("{}.tif", source.stem());
        write_raster(raster, &dir.join(&name))?;
        rows.push((name, raster.width * raster.height));
    }
    let t = &mut region.truth;
    write_table(&mut t.dirt, &truth.join("dirt.csv"))?;
    write_table(&mut t.effects, &truth.join("effects.csv"))?;
    write_table(&mut t.townships, &truth.join("townships.csv"))?;
    write_table(&mut t.emergent, &truth.join("emergent_clusters.csv"))?;
    let params = serde_json::to_string_pretty(&t.params)
        .map_err(|e| PipelineError::Internal(e.to_string()))?;
    std::fs::write(truth.join("params.json"), params + "\n")
        .map_err(|e| PipelineError::Input(format!("{}: {e}", truth.display())))?;
    staging.commit()?;
    Ok(SynthSummary {
        townships: region.townships.geometries.len(),
        rows,
        seconds: (generated, t0.elapsed().as_secs_f64() - generated),
    })
}
