//! Tables: CSV and Parquet through polars.

use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use crate::IoError;

fn ending(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Writes `df` as CSV (UTF-8, header, `,`) or Parquet, by the file's ending.
/// Parent folders are created.
///
/// A CSV is written safe to open in a spreadsheet (see [`spreadsheet_safe`]):
/// outputs echo text from the input (township names, ids, labels), and a
/// bureau opens them in Excel or WPS. Parquet keeps every value as it is.
/// Data meant to be read back as input (a synthetic region) is written with
/// [`write_table_verbatim`].
pub fn write_table(df: &mut DataFrame, path: &Path) -> Result<(), IoError> {
    if ending(path) == "csv" {
        let mut safe = spreadsheet_safe(df).map_err(IoError::table(path))?;
        return write_table_verbatim(&mut safe, path);
    }
    write_table_verbatim(df, path)
}

/// Writes `df` as CSV or Parquet by the file's ending, every text cell as it
/// is (no spreadsheet neutralising): for input data such as a synthetic
/// region, which must read back exactly.
pub fn write_table_verbatim(df: &mut DataFrame, path: &Path) -> Result<(), IoError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(IoError::os(parent))?;
    }
    match ending(path).as_str() {
        "csv" => {
            let mut file = File::create(path).map_err(IoError::os(path))?;
            CsvWriter::new(&mut file)
                .include_header(true)
                .finish(df)
                .map_err(IoError::table(path))
        }
        "parquet" => {
            let file = File::create(path).map_err(IoError::os(path))?;
            ParquetWriter::new(file)
                .finish(df)
                .map(|_| ())
                .map_err(IoError::table(path))
        }
        _ => Err(IoError::Format {
            path: path.to_owned(),
            supported: ".csv, .parquet",
        }),
    }
}

/// Writes one table batch after batch, CSV or Parquet by the file's ending
/// and every text cell as it is, like [`write_table_verbatim`]: for a table
/// too large to hold whole (a nation's ground truth). A CSV gets its header
/// once and reads back as if written in one piece; a Parquet file gets the
/// row groups each batch would get from [`write_table_verbatim`]. Every batch
/// must have the first one's columns.
pub struct TableWriter {
    path: std::path::PathBuf,
    sink: Sink,
    /// The first batch's columns, which every batch must have.
    schema: Option<SchemaRef>,
}

enum Sink {
    Csv { file: File, header: bool },
    Parquet(ParquetSink),
}

/// A Parquet file's writer is made by the first batch, which gives the schema.
enum ParquetSink {
    /// No batch yet.
    Waiting(File),
    /// Boxed: the writer is large.
    Writing(Box<polars::io::parquet::write::BatchedWriter<File>>),
    /// A batch failed; the file is unusable.
    Failed,
}

impl TableWriter {
    /// Creates the file (and its parent folders).
    pub fn create(path: &Path) -> Result<TableWriter, IoError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(IoError::os(parent))?;
        }
        let file = || File::create(path).map_err(IoError::os(path));
        let sink = match ending(path).as_str() {
            "csv" => Sink::Csv {
                file: file()?,
                header: true,
            },
            "parquet" => Sink::Parquet(ParquetSink::Waiting(file()?)),
            _ => {
                return Err(IoError::Format {
                    path: path.to_owned(),
                    supported: ".csv, .parquet",
                })
            }
        };
        Ok(TableWriter {
            path: path.to_owned(),
            sink,
            schema: None,
        })
    }

    /// The error for a writer that an earlier batch broke.
    fn broken(&self) -> IoError {
        IoError::Content {
            path: self.path.clone(),
            message: "an earlier batch failed to write; the file is incomplete".into(),
        }
    }

    /// Appends `df`'s rows; a batch whose columns (names and types) are not
    /// the first batch's is an error, and nothing of it is written.
    pub fn write(&mut self, df: &mut DataFrame) -> Result<(), IoError> {
        let path = self.path.clone();
        match &self.schema {
            Some(first) if first != df.schema() => {
                return Err(IoError::Content {
                    path,
                    message: format!(
                        "a batch with columns {:?} after batches with {:?} (a bug in the writer's caller)",
                        df.get_column_names(),
                        first.iter_names().collect::<Vec<_>>()
                    ),
                })
            }
            Some(_) => {}
            None => self.schema = Some(df.schema().clone()),
        }
        match &mut self.sink {
            Sink::Csv { file, header } => {
                CsvWriter::new(file)
                    .include_header(*header)
                    .finish(df)
                    .map_err(IoError::table(&path))?;
                *header = false;
            }
            Sink::Parquet(state) => {
                // Failed until this batch is written.
                let mut writer = match std::mem::replace(state, ParquetSink::Failed) {
                    ParquetSink::Waiting(file) => Box::new(
                        ParquetWriter::new(file)
                            .batched(df.schema())
                            .map_err(IoError::table(&path))?,
                    ),
                    ParquetSink::Writing(writer) => writer,
                    ParquetSink::Failed => return Err(self.broken()),
                };
                let batch = polars::frame::chunk_df_for_writing(df, 512 * 512)
                    .map_err(IoError::table(&path))?;
                writer.write_batch(&batch).map_err(IoError::table(&path))?;
                *state = ParquetSink::Writing(writer);
            }
        }
        Ok(())
    }

    /// Finishes the file (a Parquet file's footer; a table without columns
    /// if no batch came).
    pub fn finish(self) -> Result<(), IoError> {
        let path = &self.path;
        match self.sink {
            Sink::Csv { .. } => Ok(()),
            Sink::Parquet(ParquetSink::Writing(writer)) => {
                writer.finish().map(|_| ()).map_err(IoError::table(path))
            }
            Sink::Parquet(ParquetSink::Waiting(file)) => ParquetWriter::new(file)
                .finish(&mut DataFrame::empty())
                .map(|_| ())
                .map_err(IoError::table(path)),
            Sink::Parquet(ParquetSink::Failed) => Err(self.broken()),
        }
    }
}

/// Whether a text cell would be taken as a formula by a spreadsheet: it
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP, "CSV
/// Injection").
pub fn is_formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A copy of `df` whose text cells are safe to open in a spreadsheet: a cell
/// that [`is_formula_like`] gets a leading apostrophe, as OWASP recommends, so
/// that Excel, WPS and LibreOffice show it as text instead of evaluating it.
/// Number columns are untouched (a negative number stays a number), and so is
/// every text cell that does not need it; the CSV writer quotes cells that hold
/// a comma, a quote or a line break.
pub fn spreadsheet_safe(df: &DataFrame) -> PolarsResult<DataFrame> {
    let mut out = df.clone();
    for name in df.get_column_names_owned() {
        let column = df.column(&name)?;
        if column.dtype() != &DataType::String {
            continue;
        }
        let text = column.str()?;
        if !text.iter().flatten().any(is_formula_like) {
            continue;
        }
        let safe: StringChunked = text
            .iter()
            .map(|v| {
                v.map(|t| {
                    if is_formula_like(t) {
                        std::borrow::Cow::Owned(format!("'{t}"))
                    } else {
                        std::borrow::Cow::Borrowed(t)
                    }
                })
            })
            .collect();
        out.replace(&name, safe.with_name(name.clone()).into_column())?;
    }
    Ok(out)
}

/// Reads a UTF-8 CSV or a Parquet file, by the file's ending.
pub fn read_table(path: &Path) -> Result<DataFrame, IoError> {
    match ending(path).as_str() {
        "csv" => CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(path.to_owned()))
            .and_then(|r| r.finish())
            .map_err(IoError::table(path)),
        "parquet" => {
            let file = File::open(path).map_err(IoError::os(path))?;
            // polars' Parquet reader panics on some damaged files: report
            // them as errors naming the file (see `read_records_with`).
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                ParquetReader::new(file).finish()
            }))
            .map_err(|payload| crate::records::reader_panic(path, payload))?
            .map_err(IoError::table(path))
        }
        _ => Err(IoError::Format {
            path: path.to_owned(),
            supported: ".csv, .parquet",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_parquet_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut df = df!("code" => ["339901001000", "339901002000"], "count" => [3i64, 0], "rate" => [0.5f64, 119.123456]).unwrap();
        for name in ["t.csv", "sub/t.parquet"] {
            let p = dir.path().join(name);
            write_table(&mut df, &p).unwrap();
            let back = read_table(&p).unwrap();
            assert_eq!(back.shape(), (2, 3));
            assert_eq!(
                back.column("rate").unwrap().f64().unwrap().get(1),
                Some(119.123456)
            );
        }
        assert!(matches!(
            write_table(&mut df, &dir.path().join("t.txt")),
            Err(IoError::Format { .. })
        ));
    }

    #[test]
    fn a_table_written_in_batches_reads_back_as_the_whole() {
        let dir = tempfile::tempdir().unwrap();
        let n = 600_000; // more than one Parquet row group
        let whole = df!(
            "id" => (0..n).map(|i| format!("=SG{i:07}")).collect::<Vec<_>>(),
            "row" => (1..=n as i64).collect::<Vec<_>>(),
            "x" => (0..n).map(|i| i as f64 / 7.0).collect::<Vec<_>>()
        )
        .unwrap();
        for name in ["t.csv", "t.parquet"] {
            let (once, batched) = (dir.path().join(name), dir.path().join(format!("b{name}")));
            write_table_verbatim(&mut whole.clone(), &once).unwrap();
            let mut w = TableWriter::create(&batched).unwrap();
            for (offset, len) in [(0, 1), (1, 300_000), (300_001, 0), (300_001, 299_999)] {
                w.write(&mut whole.slice(offset, len)).unwrap();
            }
            w.finish().unwrap();
            // Text is written as it is (no apostrophe before `=`).
            assert_eq!(read_table(&batched).unwrap(), whole, "{name}");
            if name.ends_with("csv") {
                assert_eq!(
                    std::fs::read(&once).unwrap(),
                    std::fs::read(&batched).unwrap()
                );
            }
        }
        // A batch of other columns is an error and writes nothing.
        let mut w = TableWriter::create(&dir.path().join("mixed.parquet")).unwrap();
        w.write(&mut whole.slice(0, 10)).unwrap();
        let mut other = df!("other" => ["a", "b"]).unwrap();
        assert!(matches!(w.write(&mut other), Err(IoError::Content { .. })));
        w.write(&mut whole.slice(10, 5)).unwrap();
        w.finish().unwrap();
        assert_eq!(
            read_table(&dir.path().join("mixed.parquet")).unwrap(),
            whole.slice(0, 15)
        );
        let empty = dir.path().join("empty.parquet");
        TableWriter::create(&empty).unwrap().finish().unwrap();
        assert_eq!(read_table(&empty).unwrap().shape(), (0, 0));
        assert!(matches!(
            TableWriter::create(&dir.path().join("t.xlsx")),
            Err(IoError::Format { .. })
        ));
    }

    #[test]
    fn csv_text_that_a_spreadsheet_would_evaluate_is_neutralised_and_numbers_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "衢江区",
            "a=b",
        ];
        let mut df =
            df!("name" => names, "rate" => [-1.5f64, 0.0, 2.0, -3.0, 1.0, 1.0, 1.0, 1.0]).unwrap();
        let p = dir.path().join("t.csv");
        write_table(&mut df, &p).unwrap();
        let back = read_table(&p).unwrap();
        let got: Vec<&str> = back
            .column("name")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(
            got,
            [
                "'=HYPERLINK(\"http://x\",\"y\")",
                "'+1",
                "'-2",
                "'@SUM(A1)",
                "'\tx",
                "'\rx",
                "衢江区",
                "a=b"
            ]
        );
        // Numbers stay numbers, negative ones included.
        assert_eq!(
            back.column("rate").unwrap().f64().unwrap().get(0),
            Some(-1.5)
        );
        // The caller's frame and Parquet keep the text as it was.
        assert_eq!(df.column("name").unwrap().str().unwrap().get(2), Some("-2"));
        let q = dir.path().join("t.parquet");
        write_table(&mut df, &q).unwrap();
        assert_eq!(
            read_table(&q)
                .unwrap()
                .column("name")
                .unwrap()
                .str()
                .unwrap()
                .get(0),
            Some(names[0])
        );
        // Verbatim writing is for inputs that must read back exactly.
        write_table_verbatim(&mut df, &p).unwrap();
        assert_eq!(
            read_table(&p)
                .unwrap()
                .column("name")
                .unwrap()
                .str()
                .unwrap()
                .get(2),
            Some("-2")
        );
    }
}
