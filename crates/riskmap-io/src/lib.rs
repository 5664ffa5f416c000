//! riskmap's edge: everything that touches files. Tables go through polars
//! (CSV, Parquet), vector layers and rasters through GDAL (GeoPackage,
//! GeoJSON, Shapefile, FlatGeobuf, GeoTIFF). The rest of riskmap exchanges
//! in-memory `DataFrame`s, [`riskmap_domain::VectorLayer`]s and
//! [`riskmap_domain::Raster`]s and never names a format.
//!
//! Every error says which file and what to do ([`IoError`]).
//!
//! ```no_run
//! use std::path::Path;
//! use polars::prelude::*;
//!
//! let mut df = df!("code" => ["339901001000"], "year" => [2021])?;
//! riskmap_io::write_table(&mut df, Path::new("out/population.csv"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod crs;
mod error;
pub mod hash;
pub mod raster;
pub mod records;
pub mod table;
pub mod vector;

pub use error::IoError;
pub use hash::sha256_file;
pub use raster::{is_raster, raster_cells, read_raster, read_raster_as, write_raster, RasterRead};
pub use records::{read_records, read_records_keeping, read_records_with, Cells, Keep, Records};
pub use table::{read_table, spreadsheet_safe, write_table, write_table_verbatim, TableWriter};
pub use vector::{read_vector, write_vector, writer_versions};
