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
pub fn write_table(df: &mut DataFrame, path: &Path) -> Result<(), IoError> {
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
}
