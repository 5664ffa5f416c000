//! Property tests of the record readers on generated bad input: CSV that is
//! ragged, quoted wrongly, GBK and UTF-8 mixed, or plain byte soup; Excel
//! and Parquet files that are truncated or not what their ending says;
//! GeoJSON point layers with odd geometries. `read_records` must never
//! panic: it returns records (each column as long as the table) or an
//! `IoError` that names the file.
//!
//! Cases per property: a few hundred by default (seconds); set
//! `PROPTEST_CASES` for a bigger batch.

use std::path::Path;

use proptest::prelude::*;
use riskmap_io::{read_records, read_records_with, IoError, Records};

/// The configured number of cases: `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> ProptestConfig {
    match std::env::var("PROPTEST_CASES") {
        Ok(_) => ProptestConfig::default(),
        Err(_) => ProptestConfig::with_cases(default),
    }
}

/// Checks a reader's answer: consistent records, or an error naming `path`.
fn check(path: &Path, result: Result<Records, IoError>) -> Result<(), TestCaseError> {
    match result {
        Ok(r) => {
            prop_assert_eq!(r.columns.len(), r.cells.len());
            let h = r.height();
            for c in &r.cells {
                prop_assert_eq!(c.len(), h);
            }
            // Every cell can be read as text and as a number without panicking.
            for c in &r.cells {
                for i in 0..h {
                    let _ = (c.text(i), c.number(i), c.is_blank(i));
                }
            }
        }
        Err(e) => {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            prop_assert!(e.to_string().contains(&name), "{}", e);
        }
    }
    Ok(())
}

/// A CSV cell: numbers (also NaN, inf, 1e308), dates in odd forms, Chinese
/// text, quotes, separators and line breaks inside and outside quotes.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "-?[0-9]{1,4}(\\.[0-9]{0,6})?",
        prop_oneof![
            Just("NaN"),
            Just("inf"),
            Just("-inf"),
            Just("1e308"),
            Just("1e309"),
            Just("-0"),
            Just("0x1F"),
            Just("１２３"),
            Just("2021/4/4"),
            Just("2021年4月4日"),
            Just("04-04-2021"),
            Just("20210404"),
            Just("2021-02-30"),
            Just("工贸"),
            Just("不详"),
            Just("\"unterminated"),
            Just("a\"b"),
            Just("\"x,y\""),
            Just("\"line\nbreak\""),
            Just(","),
            Just(";"),
            Just("\t"),
            Just("\r"),
            Just("\u{FEFF}"),
        ]
        .prop_map(str::to_owned),
        "[^\n]{0,6}",
    ]
}

fn csv_text() -> impl Strategy<Value = String> {
    let header = prop::collection::vec(
        prop_oneof![
            Just("id".to_owned()),
            Just("lon".to_owned()),
            Just("lat".to_owned()),
            Just("编号".to_owned()),
            Just("发生时间".to_owned()),
            Just(String::new()),
            "[a-z]{1,3}",
        ],
        0..6,
    );
    let rows = prop::collection::vec(prop::collection::vec(cell(), 0..8), 0..12);
    (header, rows, prop::sample::select(vec!["\n", "\r\n", "\r"])).prop_map(|(h, rows, eol)| {
        let mut s = h.join(",");
        for r in rows {
            s.push_str(eol);
            s.push_str(&r.join(","));
        }
        s
    })
}

/// Bytes of a CSV-like file: UTF-8 text, the same in GBK, with a BOM, mixed
/// (a GBK line inside UTF-8), truncated mid-character, or byte soup.
fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => csv_text().prop_map(String::into_bytes),
        1 => csv_text().prop_map(|s| encoding_rs::GBK.encode(&s).0.into_owned()),
        1 => csv_text().prop_map(|s| [b"\xEF\xBB\xBF".as_slice(), s.as_bytes()].concat()),
        1 => (csv_text(), csv_text()).prop_map(|(a, b)| {
            let mut v = a.into_bytes();
            v.push(b'\n');
            v.extend_from_slice(&encoding_rs::GBK.encode(&b).0);
            v
        }),
        1 => (csv_text(), any::<prop::sample::Index>()).prop_map(|(s, cut)| {
            let b = s.into_bytes();
            let n = if b.is_empty() { 0 } else { cut.index(b.len()) };
            b[..n].to_vec()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..256),
        1 => prop::collection::vec(prop::sample::select(b"\"\r\n,;\t\xEF\xBB\xBF\x81\xFE0a".to_vec()), 0..64),
    ]
}

proptest! {
    #![proptest_config(cases(500))]

    #[test]
    fn csv_of_any_bytes_never_panics(
        bytes in csv_bytes(),
        encoding in prop::option::of(prop::sample::select(vec!["gbk", "utf-8", "auto", "GBK"])),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("incidents.csv");
        std::fs::write(&path, &bytes).unwrap();
        check(&path, read_records_with(&path, encoding))?;
    }
}

/// A small real workbook and Parquet file, written once, whose bytes the
/// properties below truncate and flip.
fn real_files() -> &'static (Vec<u8>, Vec<u8>) {
    static FILES: std::sync::OnceLock<(Vec<u8>, Vec<u8>)> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let x = dir.path().join("a.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (j, h) in ["id", "occurred_at", "lon", "lat"].iter().enumerate() {
            sheet.write_string(0, j as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "A1").unwrap();
        sheet.write_string(1, 1, "2021-04-04").unwrap();
        sheet.write_number(1, 2, 119.6).unwrap();
        sheet.write_number(1, 3, 29.1).unwrap();
        book.save(&x).unwrap();
        let p = dir.path().join("a.parquet");
        let mut df = polars::prelude::df!("id" => ["A1", "A2"], "lon" => [119.6, f64::NAN], "lat" => [29.1, 1e308]).unwrap();
        riskmap_io::write_table(&mut df, &p).unwrap();
        (std::fs::read(x).unwrap(), std::fs::read(p).unwrap())
    })
}

/// Damage to a real file: cut it short, flip some bytes, or both.
fn damaged(original: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    (
        any::<prop::sample::Index>(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        any::<bool>(),
    )
        .prop_map(move |(cut, flips, truncate)| {
            let mut b = original.to_vec();
            for (at, byte) in flips {
                let i = at.index(b.len());
                b[i] = byte;
            }
            if truncate {
                b.truncate(cut.index(b.len()));
            }
            b
        })
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn a_damaged_workbook_never_panics(bytes in damaged(&real_files().0)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("incidents.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        check(&path, read_records(&path))?;
    }

    // Known and open (issue 8): polars' Parquet reader can panic inside its
    // own worker threads on damaged pages, where `catch_unwind` on our thread
    // does not reach, and one damaged page asked for 2^61 bytes. Run it by
    // hand with `cargo test --release -p riskmap-io --test proptest_records
    // -- --ignored` until the reader checks pages before decoding.
    #[test]
    #[ignore = "polars panics in its worker threads on some damaged Parquet pages (open, issue 8)"]
    fn a_damaged_parquet_file_never_panics(bytes in damaged(&real_files().1)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("incidents.parquet");
        std::fs::write(&path, &bytes).unwrap();
        check(&path, read_records(&path))?;
    }

    #[test]
    fn text_named_xlsx_or_parquet_never_panics(bytes in csv_bytes(), ext in prop::sample::select(vec!["xlsx", "xls", "ods", "parquet"])) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("incidents.{ext}"));
        std::fs::write(&path, &bytes).unwrap();
        check(&path, read_records(&path))?;
    }
}

/// GeoJSON coordinates: ordinary, huge, or the NaN and Infinity literals
/// some writers emit.
fn json_number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-180.0..180.0f64).prop_map(|x| x.to_string()),
        1 => prop::sample::select(vec!["NaN", "Infinity", "-Infinity", "1e308", "1e400", "-0", "null", "\"119.5\""]).prop_map(str::to_owned),
    ]
}

fn geometry() -> impl Strategy<Value = String> {
    prop_oneof![
        (json_number(), json_number())
            .prop_map(|(x, y)| format!(r#"{{"type":"Point","coordinates":[{x},{y}]}}"#)),
        Just(r#"{"type":"Point","coordinates":[]}"#.to_owned()),
        Just("null".to_owned()),
        Just(r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#.to_owned()),
        Just(r#"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#.to_owned()),
        Just(r#"{"type":"GeometryCollection","geometries":[]}"#.to_owned()),
    ]
}

proptest! {
    #![proptest_config(cases(200))]

    #[test]
    fn a_geojson_point_layer_of_odd_features_never_panics(
        features in prop::collection::vec((geometry(), cell()), 0..6),
        crs in prop::option::of(prop::sample::select(vec!["EPSG:999999", "EPSG:4549", "urn:ogc:def:crs:EPSG::4490", "nonsense"])),
    ) {
        let features: Vec<String> = features
            .into_iter()
            .enumerate()
            .map(|(i, (g, c))| format!(r#"{{"type":"Feature","properties":{{"id":"F{i}","note":{}}},"geometry":{g}}}"#, serde_json::to_string(&c).unwrap()))
            .collect();
        let crs = crs.map_or(String::new(), |c| format!(r#""crs":{{"type":"name","properties":{{"name":"{c}"}}}},"#));
        let text = format!(r#"{{"type":"FeatureCollection",{crs}"features":[{}]}}"#, features.join(","));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fires.geojson");
        std::fs::write(&path, text).unwrap();
        check(&path, read_records(&path))?;
    }
}
