//! Records as they come, whatever the file. Validation (in the pipeline)
//! parses each cell and says, per row, what is wrong; the reader only decodes.
//! Cells are read as text ([`Cells::text`]) or as numbers ([`Cells::number`]);
//! a column keeps the form the file gave it (a Parquet float column stays
//! floats, CSV text stays in polars' string array), so no cell is copied into
//! a `String` of its own unless a caller asks for it.
//!
//! CSV may be UTF-8, UTF-8 with a byte-order mark, or GBK (as Excel writes
//! CSV on a Chinese Windows): UTF-8 is tried first and GBK used when the bytes
//! are not valid UTF-8. Parquet columns keep their types. Point layers (GPKG,
//! GeoJSON, Shapefile, FlatGeobuf) give their attributes as text and their
//! point geometry as `lon`/`lat` columns.

use std::borrow::Cow;
use std::io::{Cursor, Read};
use std::path::Path;

use polars::prelude::*;

use crate::IoError;

/// One column of cells.
#[derive(Debug, Clone)]
pub enum Cells {
    /// Text decoded cell by cell (Excel, point layers' coordinates).
    Text(Vec<Option<String>>),
    /// Text in one polars string array (CSV, text and date columns of Parquet
    /// and layers), in a single chunk so that a cell is found in O(1).
    Str(StringChunked),
    /// Whole numbers as the file typed them.
    Int(Vec<Option<i64>>),
    /// Floating-point numbers as the file typed them.
    Float(Vec<Option<f64>>),
}

impl Cells {
    /// Number of cells.
    pub fn len(&self) -> usize {
        match self {
            Cells::Text(v) => v.len(),
            Cells::Str(s) => s.len(),
            Cells::Int(v) => v.len(),
            Cells::Float(v) => v.len(),
        }
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Cell `r` as trimmed text; `None` for a blank or null cell.
    pub fn text(&self, r: usize) -> Option<Cow<'_, str>> {
        match self {
            Cells::Text(v) => v[r].as_deref().map(Cow::Borrowed),
            Cells::Str(s) => s
                .get(r)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(Cow::Borrowed),
            Cells::Int(v) => v[r].map(|n| Cow::Owned(n.to_string())),
            Cells::Float(v) => v[r].map(|x| Cow::Owned(x.to_string())),
        }
    }

    /// Every cell as text, in order (see [`Cells::text`]).
    pub fn texts(&self) -> impl Iterator<Item = Option<Cow<'_, str>>> + '_ {
        (0..self.len()).map(|r| self.text(r))
    }

    /// Whether cell `r` is blank or null (without formatting a number as text).
    pub fn is_blank(&self, r: usize) -> bool {
        match self {
            Cells::Int(v) => v[r].is_none(),
            Cells::Float(v) => v[r].is_none(),
            _ => self.text(r).is_none(),
        }
    }

    /// Cell `r` as a number: `Ok(None)` for a blank cell, `Err(text)` for
    /// text that is not a number (NaN and infinities count as not numbers).
    pub fn number(&self, r: usize) -> Result<Option<f64>, Cow<'_, str>> {
        let finite = |x: f64| {
            if x.is_finite() {
                Ok(Some(x))
            } else {
                Err(Cow::Owned(x.to_string()))
            }
        };
        match self {
            Cells::Int(v) => Ok(v[r].map(|n| n as f64)),
            Cells::Float(v) => v[r].map_or(Ok(None), finite),
            _ => match self.text(r) {
                None => Ok(None),
                Some(t) => match t.parse::<f64>() {
                    Ok(x) => finite(x).map_err(|_| t),
                    Err(_) => Err(t),
                },
            },
        }
    }
}

/// A table of cells.
#[derive(Debug, Clone)]
pub struct Records {
    /// Column names as in the file.
    pub columns: Vec<String>,
    /// Cells, column by column.
    pub cells: Vec<Cells>,
    /// The text encoding the file was read with (`utf-8`, `utf-8-bom`, `gbk`, `binary`).
    pub encoding: &'static str,
}

impl Records {
    /// Number of rows.
    pub fn height(&self) -> usize {
        self.cells.first().map_or(0, Cells::len)
    }

    /// The cells of column `name`, if present.
    pub fn column(&self, name: &str) -> Option<&Cells> {
        self.columns
            .iter()
            .position(|c| c == name)
            .map(|i| &self.cells[i])
    }

    /// Column `name` copied out as text cells (convenient in tests and
    /// small tables; validation reads cells in place instead).
    pub fn text_column(&self, name: &str) -> Option<Vec<Option<String>>> {
        self.column(name)
            .map(|c| c.texts().map(|t| t.map(Cow::into_owned)).collect())
    }
}

/// Decodes CSV bytes to UTF-8, returning the text and the encoding used.
/// `forced` (`gbk` or `utf-8`) skips detection.
pub fn decode_text<'a>(
    bytes: &'a [u8],
    forced: Option<&str>,
) -> (std::borrow::Cow<'a, str>, &'static str) {
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

fn frame_to_records(
    df: &DataFrame,
    path: &Path,
    encoding: &'static str,
) -> Result<Records, IoError> {
    let mut columns = Vec::new();
    let mut cells = Vec::new();
    for c in df.columns() {
        columns.push(c.name().trim().to_string());
        let column = c.as_materialized_series();
        let typed = match column.dtype() {
            DataType::Float32 | DataType::Float64 => {
                let f = column
                    .cast(&DataType::Float64)
                    .map_err(IoError::table(path))?;
                Cells::Float(f.f64().map_err(IoError::table(path))?.iter().collect())
            }
            dt if dt.is_integer() => {
                let n = column
                    .cast(&DataType::Int64)
                    .map_err(IoError::table(path))?;
                Cells::Int(n.i64().map_err(IoError::table(path))?.iter().collect())
            }
            _ => {
                let text = column
                    .cast(&DataType::String)
                    .map_err(IoError::table(path))?;
                Cells::Str(
                    text.str()
                        .map_err(IoError::table(path))?
                        .rechunk()
                        .into_owned(),
                )
            }
        };
        cells.push(typed);
    }
    Ok(Records {
        columns,
        cells,
        encoding,
    })
}

/// Reads a CSV (UTF-8, UTF-8 with BOM or GBK), Parquet, Excel or point-layer
/// file as text cells, detecting a CSV's encoding.
pub fn read_records(path: &Path) -> Result<Records, IoError> {
    read_records_with(path, None)
}

/// As [`read_records`], with the CSV encoding given (`gbk`, `utf-8`) or detected (`None`).
///
/// A damaged file is an error naming it, never a crash: polars 0.55's
/// Parquet reader panics on some damaged files (a slice index out of range
/// in `column_idx_to_series`, found by `tests/proptest_records.rs`), so a
/// panic inside a reader is caught here and reported as
/// [`IoError::Content`]. (Readers keep no state across calls that a panic
/// could leave broken, so carrying on is safe.)
pub fn read_records_with(path: &Path, encoding: Option<&str>) -> Result<Records, IoError> {
    catching(path, || read_any(path, encoding, None))
}

/// Picks columns from a header: one flag per name.
pub type Keep<'a> = &'a dyn Fn(&[String]) -> Vec<bool>;

/// As [`read_records_with`], keeping the columns `keep` picks from the
/// file's header (at least one column is always kept, so the row count
/// stays). Parquet reads only those columns, which is what saves memory on
/// a table of millions of rows; other formats are read whole and the other
/// columns dropped.
pub fn read_records_keeping(
    path: &Path,
    encoding: Option<&str>,
    keep: Keep<'_>,
) -> Result<Records, IoError> {
    catching(path, || read_any(path, encoding, Some(keep)))
}

/// Runs a reader, reporting a panic inside it as [`IoError::Content`] (see
/// [`read_records_with`]).
fn catching(
    path: &Path,
    read: impl FnOnce() -> Result<Records, IoError>,
) -> Result<Records, IoError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read))
        .unwrap_or_else(|payload| Err(reader_panic(path, payload)))
}

/// `keep`'s flags for `names`, one per name, with the first column kept
/// when it picks none (so that the row count stays).
fn flags(keep: Keep<'_>, names: &[String]) -> Vec<bool> {
    let mut flags = keep(names);
    flags.resize(names.len(), false);
    if !flags.contains(&true) {
        if let Some(first) = flags.first_mut() {
            *first = true;
        }
    }
    flags
}

/// The error for a reader that panicked on `path`.
pub(crate) fn reader_panic(path: &Path, payload: Box<dyn std::any::Any + Send>) -> IoError {
    let why = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown failure".into());
    IoError::Content {
        path: path.to_owned(),
        message: format!(
            "the file is damaged or not in the format its ending says (the reader failed: {why}); export it again"
        ),
    }
}

/// Whether `file` is UTF-8 without a byte-order mark, checked a megabyte at
/// a time; the file is left at its start.
fn plain_utf8(file: &mut std::fs::File) -> std::io::Result<bool> {
    use std::io::{Seek, SeekFrom};
    let mut buf = vec![0u8; 1 << 20];
    // Bytes of a character cut by the end of the last read, moved to the front.
    let mut carry = 0;
    let mut first = true;
    let plain = loop {
        let n = file.read(&mut buf[carry..])?;
        if n == 0 {
            break carry == 0;
        }
        let filled = carry + n;
        if std::mem::take(&mut first) && buf[..filled].starts_with(b"\xEF\xBB\xBF") {
            break false;
        }
        match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => carry = 0,
            // Cut short at the end: complete it with the next read.
            Err(e) if e.error_len().is_none() => {
                buf.copy_within(e.valid_up_to()..filled, 0);
                carry = filled - e.valid_up_to();
            }
            Err(_) => break false,
        }
    };
    file.seek(SeekFrom::Start(0))?;
    Ok(plain)
}

/// Reads `path` by its ending; with `keep`, only the columns it picks.
fn read_any(
    path: &Path,
    encoding: Option<&str>,
    keep: Option<Keep<'_>>,
) -> Result<Records, IoError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut records = match ext.as_str() {
        "csv" => {
            let forced = encoding.filter(|e| *e != "auto");
            let options = CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                // One chunk a column (see `Cells::Str`), joined column by
                // column in parallel.
                .with_rechunk(true);
            let mut file = std::fs::File::open(path).map_err(IoError::os(path))?;
            let (df, encoding) =
                if forced.is_none() && plain_utf8(&mut file).map_err(IoError::os(path))? {
                    // UTF-8 without a byte-order mark (the common case): polars
                    // maps the file itself; nothing is read into memory first.
                    let df = options.into_reader_with_file_handle(file).finish();
                    (df, "utf-8")
                } else {
                    let mut bytes = Vec::new();
                    file.read_to_end(&mut bytes).map_err(IoError::os(path))?;
                    let (text, encoding) = decode_text(&bytes, forced);
                    let text = Cursor::new(text.into_owned().into_bytes());
                    (
                        options.into_reader_with_file_handle(text).finish(),
                        encoding,
                    )
                };
            let df = df.map_err(IoError::table(path))?;
            frame_to_records(&df, path, encoding)
        }
        "parquet" => {
            let file = std::fs::File::open(path).map_err(IoError::os(path))?;
            let mut reader = ParquetReader::new(file);
            if let Some(keep) = keep {
                // Only the columns picked are read.
                let names: Vec<String> = reader
                    .schema()
                    .map_err(IoError::table(path))?
                    .iter_names()
                    .map(|n| n.to_string())
                    .collect();
                let projection = flags(keep, &names)
                    .iter()
                    .enumerate()
                    .filter_map(|(i, k)| k.then_some(i))
                    .collect();
                reader = reader.with_projection(Some(projection));
            }
            let df = reader.finish().map_err(IoError::table(path))?;
            return frame_to_records(&df, path, "binary");
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
                        lon.push(Some(p.x()));
                        lat.push(Some(p.y()));
                    }
                    _ => {
                        lon.push(None);
                        lat.push(None);
                    }
                }
            }
            rec.columns.extend(["lon".to_owned(), "lat".to_owned()]);
            rec.cells.extend([Cells::Float(lon), Cells::Float(lat)]);
            Ok(rec)
        }
        _ => Err(IoError::Format {
            path: path.to_owned(),
            supported: ".csv, .parquet, .gpkg, .geojson, .shp, .fgb",
        }),
    }?;
    if let Some(keep) = keep {
        let kept = flags(keep, &records.columns);
        let columns = std::mem::take(&mut records.columns).into_iter();
        let cells = std::mem::take(&mut records.cells).into_iter();
        (records.columns, records.cells) = columns
            .zip(cells)
            .zip(kept)
            .filter_map(|(column, k)| k.then_some(column))
            .unzip();
    }
    Ok(records)
}

/// Reads the first sheet of a workbook: the first row is the header; dates
/// become ISO 8601 text, numbers their shortest decimal form.
fn read_workbook(path: &Path) -> Result<Records, IoError> {
    use calamine::{open_workbook_auto, Data, DataType, Reader};
    let content = |message: String| IoError::Content {
        path: path.to_owned(),
        message,
    };
    let mut book =
        open_workbook_auto(path).map_err(|e| content(format!("cannot open the workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| content("the workbook has no sheet".into()))?
        .map_err(|e| content(format!("cannot read the first sheet: {e}")))?;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|c| c.to_string().trim().to_owned()).collect())
        .unwrap_or_default();
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
    Ok(Records {
        columns: header,
        cells: cells.into_iter().map(Cells::Text).collect(),
        encoding: "binary",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_utf8_is_told_across_read_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let check = |bytes: &[u8]| {
            let p = dir.path().join("t.csv");
            std::fs::write(&p, bytes).unwrap();
            let mut f = std::fs::File::open(&p).unwrap();
            let plain = plain_utf8(&mut f).unwrap();
            let mut again = Vec::new();
            f.read_to_end(&mut again).unwrap();
            assert_eq!(again, bytes, "left at the start");
            plain
        };
        // Three-byte characters, shifted so that reads of 1 MiB cut them.
        for shift in 0..3 {
            let mut text = "x".repeat(shift);
            text.push_str(&"乡镇".repeat(400_000));
            assert!(check(text.as_bytes()), "shift {shift}");
            let mut cut = text.into_bytes();
            cut.pop(); // a character cut at the end of the file
            assert!(!check(&cut), "shift {shift}");
        }
        assert!(check(b""));
        assert!(!check(b"\xEF\xBB\xBFid\n1\n"), "a byte-order mark");
        let (gbk, _, _) = encoding_rs::GBK.encode("编号,乡镇\n1,城关镇\n");
        assert!(!check(&gbk));
    }

    #[test]
    fn reads_utf8_bom_and_gbk_csv_alike() {
        let dir = tempfile::tempdir().unwrap();
        let text = "编号,发生时间,经度\nA1,2021-04-04,119.5\nA2,,119.6\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let mut seen = Vec::new();
        for (name, bytes) in [
            ("u.csv", text.as_bytes().to_vec()),
            ("b.csv", bom),
            ("g.csv", gbk.into_owned()),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            let r = read_records(&p).unwrap();
            assert_eq!(r.columns, vec!["编号", "发生时间", "经度"]);
            let dates = r.column("发生时间").unwrap();
            assert_eq!(
                (dates.text(0).as_deref(), dates.text(1)),
                (Some("2021-04-04"), None)
            );
            assert_eq!(r.column("经度").unwrap().number(0), Ok(Some(119.5)));
            seen.push(r.encoding);
        }
        assert_eq!(seen, vec!["utf-8", "utf-8-bom", "gbk"]);
    }

    #[test]
    fn keeps_the_columns_asked_for_in_parquet_and_csv() {
        use polars::prelude::{Column, DataFrame};
        let dir = tempfile::tempdir().unwrap();
        let mut df = DataFrame::new(
            3,
            vec![
                Column::new("编号".into(), ["A1", "A2", "A3"]),
                Column::new("lon".into(), [119.5, 119.6, 119.7]),
                Column::new("sector".into(), ["化工", "", "烟花爆竹"]),
            ],
        )
        .unwrap();
        let parquet = dir.path().join("t.parquet");
        let csv = dir.path().join("t.csv");
        crate::write_table_verbatim(&mut df, &parquet).unwrap();
        crate::write_table_verbatim(&mut df, &csv).unwrap();
        for p in [&parquet, &csv] {
            let sector = |names: &[String]| names.iter().map(|n| n == "sector").collect();
            let r = read_records_keeping(p, None, &sector).unwrap();
            assert_eq!(r.columns, vec!["sector"], "{}", p.display());
            assert_eq!(r.height(), 3);
            assert_eq!(
                r.column("sector").unwrap().text(2).as_deref(),
                Some("烟花爆竹")
            );
            // Nothing asked for: the first column stays, so the rows do.
            let none = |names: &[String]| vec![false; names.len()];
            let r = read_records_keeping(p, None, &none).unwrap();
            assert_eq!(
                (r.columns.clone(), r.height()),
                (vec!["编号".to_owned()], 3)
            );
        }
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
        for (j, h) in ["编号", "发生时间", "经度", "纬度", "死亡人数"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, j as u16, *h).unwrap();
        }
        let date = rust_xlsxwriter::ExcelDateTime::parse_from_str("2021-04-04T10:30:00").unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
        sheet.write_string(1, 0, "SG1").unwrap();
        sheet
            .write_datetime_with_format(1, 1, &date, &format)
            .unwrap();
        sheet.write_number(1, 2, 119.62).unwrap();
        sheet.write_number(1, 3, 29.08).unwrap();
        sheet.write_number(1, 4, 1.0).unwrap();
        book.save(&p).unwrap();
        let r = read_records(&p).unwrap();
        assert_eq!(
            r.columns,
            vec!["编号", "发生时间", "经度", "纬度", "死亡人数"]
        );
        assert_eq!(
            r.column("发生时间").unwrap().text(0).as_deref(),
            Some("2021-04-04T10:30:00")
        );
        assert_eq!(r.column("经度").unwrap().text(0).as_deref(), Some("119.62"));
        assert_eq!(r.column("死亡人数").unwrap().text(0).as_deref(), Some("1"));
        assert_eq!(r.column("死亡人数").unwrap().number(0), Ok(Some(1.0)));
    }
}
