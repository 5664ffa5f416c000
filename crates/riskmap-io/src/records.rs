//! Records as they come: every cell as text, whatever the file. Validation
//! (in the pipeline) parses the text and says, per row, what is wrong; the
//! reader only decodes.
//!
//! CSV may be UTF-8, UTF-8 with a byte-order mark, or GBK (as Excel writes
//! CSV on a Chinese Windows): UTF-8 is tried first and GBK used when the bytes
//! are not valid UTF-8. Parquet columns are cast to text. Point layers (GPKG,
//! GeoJSON, Shapefile, FlatGeobuf) give their attributes as text and their
//! point geometry as `lon`/`lat` columns.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;

use crate::IoError;

/// A table of text cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Records {
    /// Column names as in the file.
    pub columns: Vec<String>,
    /// Cells, column by column; `None` for a blank or null cell.
    pub cells: Vec<Vec<Option<String>>>,
    /// The text encoding the file was read with (`utf-8`, `utf-8-bom`, `gbk`, `binary`).
    pub encoding: &'static str,
}

impl Records {
    /// Number of rows.
    pub fn height(&self) -> usize {
        self.cells.first().map_or(0, Vec::len)
    }

    /// The cells of column `name`, if present.
    pub fn column(&self, name: &str) -> Option<&[Option<String>]> {
        self.columns.iter().position(|c| c == name).map(|i| self.cells[i].as_slice())
    }
}

/// Decodes CSV bytes to UTF-8, returning the text and the encoding used.
pub fn decode_text(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, &'static str) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        if let Ok(s) = std::str::from_utf8(rest) {
            return (s.into(), "utf-8-bom");
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.into(), "utf-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::GBK.decode(bytes);
            (text, "gbk")
        }
    }
}

fn frame_to_records(df: &DataFrame, path: &Path, encoding: &'static str) -> Result<Records, IoError> {
    let mut columns = Vec::new();
    let mut cells = Vec::new();
    for c in df.columns() {
        columns.push(c.name().trim().to_string());
        let text = c.cast(&DataType::String).map_err(IoError::table(path))?;
        let text = text.str().map_err(IoError::table(path))?;
        cells.push(text.iter().map(|v| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)).collect());
    }
    Ok(Records { columns, cells, encoding })
}

/// Reads a CSV (UTF-8, UTF-8 with BOM or GBK) or Parquet file as text cells.
pub fn read_records(path: &Path) -> Result<Records, IoError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" => {
            let bytes = std::fs::read(path).map_err(IoError::os(path))?;
            let (text, encoding) = decode_text(&bytes);
            let df = CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .into_reader_with_file_handle(Cursor::new(text.into_owned().into_bytes()))
                .finish()
                .map_err(IoError::table(path))?;
            frame_to_records(&df, path, encoding)
        }
        "parquet" => {
            let file = std::fs::File::open(path).map_err(IoError::os(path))?;
            let df = ParquetReader::new(file).finish().map_err(IoError::table(path))?;
            frame_to_records(&df, path, "binary")
        }
        "gpkg" | "geojson" | "json" | "shp" | "fgb" => {
            let layer = crate::read_vector(path)?;
            let mut rec = frame_to_records(&layer.attributes, path, "binary")?;
            let mut lon = Vec::with_capacity(layer.geometries.len());
            let mut lat = Vec::with_capacity(layer.geometries.len());
            for g in &layer.geometries {
                match g {
                    geo::Geometry::Point(p) => {
                        lon.push(Some(p.x().to_string()));
                        lat.push(Some(p.y().to_string()));
                    }
                    _ => {
                        lon.push(None);
                        lat.push(None);
                    }
                }
            }
            rec.columns.extend(["lon".to_owned(), "lat".to_owned()]);
            rec.cells.extend([lon, lat]);
            Ok(rec)
        }
        _ => Err(IoError::Format { path: path.to_owned(), supported: ".csv, .parquet, .gpkg, .geojson, .shp, .fgb" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_bom_and_gbk_csv_alike() {
        let dir = tempfile::tempdir().unwrap();
        let text = "编号,发生时间,经度\nA1,2021-04-04,119.5\nA2,,119.6\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let mut seen = Vec::new();
        for (name, bytes) in [("u.csv", text.as_bytes().to_vec()), ("b.csv", bom), ("g.csv", gbk.into_owned())] {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            let r = read_records(&p).unwrap();
            assert_eq!(r.columns, vec!["编号", "发生时间", "经度"]);
            assert_eq!(r.column("发生时间").unwrap(), &[Some("2021-04-04".to_owned()), None]);
            seen.push(r.encoding);
        }
        assert_eq!(seen, vec!["utf-8", "utf-8-bom", "gbk"]);
    }
}
