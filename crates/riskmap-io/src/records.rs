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
/// `forced` (`gbk` or `utf-8`) skips detection.
pub fn decode_text<'a>(bytes: &'a [u8], forced: Option<&str>) -> (std::borrow::Cow<'a, str>, &'static str) {
    match forced.map(str::to_ascii_lowercase).as_deref() {
        Some("gbk") => return (encoding_rs::GBK.decode(bytes).0, "gbk"),
        Some("utf-8" | "utf8") => {
            let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            return (String::from_utf8_lossy(rest), "utf-8");
        }
        _ => {}
    }
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

/// Reads a CSV (UTF-8, UTF-8 with BOM or GBK), Parquet, Excel or point-layer
/// file as text cells, detecting a CSV's encoding.
pub fn read_records(path: &Path) -> Result<Records, IoError> {
    read_records_with(path, None)
}

/// As [`read_records`], with the CSV encoding given (`gbk`, `utf-8`) or detected (`None`).
pub fn read_records_with(path: &Path, encoding: Option<&str>) -> Result<Records, IoError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" => {
            let bytes = std::fs::read(path).map_err(IoError::os(path))?;
            let (text, encoding) = decode_text(&bytes, encoding.filter(|e| *e != "auto"));
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
        "xlsx" | "xls" | "xlsb" | "ods" => read_workbook(path),
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

/// Reads the first sheet of a workbook: the first row is the header; dates
/// become ISO 8601 text, numbers their shortest decimal form.
fn read_workbook(path: &Path) -> Result<Records, IoError> {
    use calamine::{open_workbook_auto, Data, DataType, Reader};
    let content = |message: String| IoError::Content { path: path.to_owned(), message };
    let mut book = open_workbook_auto(path).map_err(|e| content(format!("cannot open the workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| content("the workbook has no sheet".into()))?
        .map_err(|e| content(format!("cannot read the first sheet: {e}")))?;
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().map(|r| r.iter().map(|c| c.to_string().trim().to_owned()).collect()).unwrap_or_default();
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
    for row in rows {
        for (j, column) in cells.iter_mut().enumerate() {
            let text = match row.get(j) {
                None | Some(Data::Empty) => None,
                Some(d @ Data::DateTime(_)) => d.as_datetime().map(|t| {
                    if t.time() == chrono::NaiveTime::MIN {
                        t.date().format("%Y-%m-%d").to_string()
                    } else {
                        t.format("%Y-%m-%dT%H:%M:%S").to_string()
                    }
                }),
                Some(Data::Float(f)) => Some(f.to_string()),
                Some(other) => Some(other.to_string().trim().to_owned()).filter(|s| !s.is_empty()),
            };
            column.push(text);
        }
    }
    Ok(Records { columns: header, cells, encoding: "binary" })
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

#[cfg(test)]
mod workbook_tests {
    use super::*;

    #[test]
    fn reads_an_excel_ledger_with_chinese_headers_and_dates() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("事故台账.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (j, h) in ["编号", "发生时间", "经度", "纬度", "死亡人数"].iter().enumerate() {
            sheet.write_string(0, j as u16, *h).unwrap();
        }
        let date = rust_xlsxwriter::ExcelDateTime::parse_from_str("2021-04-04T10:30:00").unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
        sheet.write_string(1, 0, "SG1").unwrap();
        sheet.write_datetime_with_format(1, 1, &date, &format).unwrap();
        sheet.write_number(1, 2, 119.62).unwrap();
        sheet.write_number(1, 3, 29.08).unwrap();
        sheet.write_number(1, 4, 1.0).unwrap();
        book.save(&p).unwrap();
        let r = read_records(&p).unwrap();
        assert_eq!(r.columns, vec!["编号", "发生时间", "经度", "纬度", "死亡人数"]);
        assert_eq!(r.column("发生时间").unwrap()[0].as_deref(), Some("2021-04-04T10:30:00"));
        assert_eq!(r.column("经度").unwrap()[0].as_deref(), Some("119.62"));
        assert_eq!(r.column("死亡人数").unwrap()[0].as_deref(), Some("1"));
    }
}
