//! Bad input, tried on purpose (issue 8): `riskmap validate` on region
//! folders that are wrong in the ways real exports are wrong. The run never
//! panics (exit 101) nor calls bad input an internal error (exit 2): it
//! rejects rows with a reason (and `rows_read = accepted + rejected` for
//! every source in `manifest.json`), or stops with exit 1 and a message that
//! names the file at fault.
//!
//! Two parts: hand-made nasty fixtures (a truncated GeoPackage, an empty
//! layer, mixed geometry types, a zero-area polygon, NaN/inf/1e308
//! coordinates, a text file named .xlsx, an unknown EPSG code), and a
//! property test over generated folders (32 cases by default, each one run
//! of the binary; set `PROPTEST_CASES` for more).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use proptest::prelude::*;

/// A square township ring around (x, y), 0.1° on a side, as GeoJSON.
fn square(x: f64, y: f64) -> String {
    format!(
        "[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]",
        x1 = x + 0.1,
        y1 = y + 0.1
    )
}

fn feature(code: &str, geometry: &str) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"code":"{code}","name":"镇{code}"}},"geometry":{geometry}}}"#
    )
}

fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",\n")
    )
}

fn polygon(rings: &str) -> String {
    format!(r#"{{"type":"Polygon","coordinates":{rings}}}"#)
}

/// Two plain townships side by side.
fn two_townships() -> String {
    collection(&[
        feature("339901001000", &polygon(&square(120.0, 30.0))),
        feature("339901002000", &polygon(&square(120.1, 30.0))),
    ])
}

const INCIDENTS: &str = "id,occurred_at,lon,lat,category,deaths\nA1,2021-03-01,120.05,30.05,industrial_trade,0\nA2,2021-03-02,120.15,30.05,industrial_trade,1\n";

/// Writes `files` into a fresh region folder and runs `riskmap validate` on it.
fn validate(files: &[(&str, &[u8])]) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    for (name, bytes) in files {
        std::fs::write(data.join(name), bytes).unwrap();
    }
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args(["validate", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    (o, dir)
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The run stopped with exit 1 and a message naming `file`.
fn assert_refused_naming(o: &Output, file: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", text(o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("riskmap: error:") && stderr.contains(file),
        "the message must name {file}: {}",
        text(o)
    );
}

/// The run succeeded and every source's counts add up; returns the manifest.
fn assert_counts_add_up(o: &Output, dir: &Path) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "{}", text(o));
    let manifest = crate::support::manifest(&dir.join("out"));
    crate::support::assert_counts_add_up(&manifest, &text(o));
    manifest
}

fn input<'a>(manifest: &'a serde_json::Value, source: &str) -> &'a serde_json::Value {
    manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source"] == source)
        .unwrap_or_else(|| panic!("no {source} in {manifest}"))
}

fn rejected_reasons(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("out/rejected.csv")).unwrap()
}

/// A real GeoPackage of the demo county's townships (written once by `riskmap synth`).
fn real_gpkg() -> &'static [u8] {
    static GPKG: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    GPKG.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
            .args([
                "synth",
                "--preset",
                "county",
                "--seed",
                "1",
                "--years",
                "2021..2021",
                "--out",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        let path: PathBuf = dir.path().join("townships.gpkg");
        std::fs::read(path).unwrap()
    })
}

#[test]
fn a_truncated_geopackage_is_refused_naming_the_file() {
    let gpkg = real_gpkg();
    assert!(gpkg.len() > 1000);
    let (o, _dir) = validate(&[
        ("townships.gpkg", &gpkg[..1000]),
        ("incidents.csv", INCIDENTS.as_bytes()),
    ]);
    assert_refused_naming(&o, "townships.gpkg");
}

#[test]
fn an_empty_townships_layer_is_refused_naming_the_file() {
    let (o, _dir) = validate(&[
        ("townships.geojson", collection(&[]).as_bytes()),
        ("incidents.csv", INCIDENTS.as_bytes()),
    ]);
    assert_refused_naming(&o, "townships.geojson");
}

#[test]
fn a_point_among_the_township_polygons_is_refused_naming_the_file() {
    let layer = collection(&[
        feature("339901001000", &polygon(&square(120.0, 30.0))),
        feature(
            "339901002000",
            r#"{"type":"Point","coordinates":[120.15,30.05]}"#,
        ),
    ]);
    let (o, _dir) = validate(&[
        ("townships.geojson", layer.as_bytes()),
        ("incidents.csv", INCIDENTS.as_bytes()),
    ]);
    assert_refused_naming(&o, "townships.geojson");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("339901002000"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_zero_area_township_is_reported_and_its_points_rejected_or_placed() {
    // 002 is a flat "polygon" (all vertices on one line): no area, no interior.
    let layer = collection(&[
        feature("339901001000", &polygon(&square(120.0, 30.0))),
        feature(
            "339901002000",
            &polygon("[[[120.1,30.0],[120.2,30.0],[120.15,30.0],[120.1,30.0]]]"),
        ),
    ]);
    let (o, dir) = validate(&[
        ("townships.geojson", layer.as_bytes()),
        ("incidents.csv", INCIDENTS.as_bytes()),
    ]);
    let manifest = assert_counts_add_up(&o, dir.path());
    let warnings = manifest["warnings"].to_string();
    assert!(
        warnings.contains("339901002000"),
        "the degenerate township must be reported: {warnings}"
    );
    // A1 lies in the good township; A2 lies where 002 has no area, so it is
    // rejected as outside (it is 5.5 km from any border).
    let incidents = input(&manifest, "incidents");
    assert_eq!(
        (
            incidents["accepted"].as_u64(),
            incidents["rejected"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert!(rejected_reasons(dir.path()).contains("outside the region"));
}

#[test]
fn nan_infinite_and_huge_coordinates_are_rejected_with_reasons() {
    let csv = "id,occurred_at,lon,lat,category\n\
               A1,2021-03-01,NaN,30.05,industrial_trade\n\
               A2,2021-03-01,inf,30.05,industrial_trade\n\
               A3,2021-03-01,120.05,-inf,industrial_trade\n\
               A4,2021-03-01,1e308,30.05,industrial_trade\n\
               A5,2021-03-01,120.05,1e309,industrial_trade\n\
               A6,2021-03-01,-1e308,-1e308,industrial_trade\n\
               A7,2021-03-01,120.05,30.05,industrial_trade\n";
    let (o, dir) = validate(&[
        ("townships.geojson", two_townships().as_bytes()),
        ("incidents.csv", csv.as_bytes()),
    ]);
    let manifest = assert_counts_add_up(&o, dir.path());
    let incidents = input(&manifest, "incidents");
    assert_eq!(
        (
            incidents["accepted"].as_u64(),
            incidents["rejected"].as_u64()
        ),
        (Some(1), Some(6))
    );
    let reasons = rejected_reasons(dir.path());
    for id in ["A1", "A2", "A3", "A4", "A5", "A6"] {
        assert!(
            reasons.contains(&format!(",{id},")),
            "{id} must be rejected with a reason:\n{reasons}"
        );
    }
}

/// Duplicate ids name the first row with the id among the rows that passed
/// the missing-field checks; a row rejected for a missing field does not
/// count as the first, and a duplicate of a row rejected for another reason
/// (a bad date) is still a duplicate.
#[test]
fn duplicate_ids_name_the_first_row_with_the_id() {
    let csv = "id,occurred_at,lon,lat,category\n\
               A,2021-03-01,120.05,30.05,industrial_trade\n\
               B,not a date,120.05,30.05,industrial_trade\n\
               C,,120.05,30.05,industrial_trade\n\
               A,2021-03-02,120.05,30.05,industrial_trade\n\
               C,2021-03-03,120.05,30.05,industrial_trade\n\
               B,2021-03-04,120.05,30.05,industrial_trade\n\
               C,2021-03-05,120.05,30.05,industrial_trade\n\
                A ,2021-03-06,120.05,30.05,industrial_trade\n";
    let (o, dir) = validate(&[
        ("townships.geojson", two_townships().as_bytes()),
        ("incidents.csv", csv.as_bytes()),
    ]);
    assert_counts_add_up(&o, dir.path());
    let reasons = rejected_reasons(dir.path());
    let line = |row: usize| {
        reasons
            .lines()
            .find(|l| l.starts_with(&format!("incidents,{row},")))
            .unwrap_or_else(|| panic!("row {row} is not rejected:\n{reasons}"))
            .to_owned()
    };
    // Row numbers are data rows, 1-based: A is row 1, B 2, C (no date) 3.
    assert!(line(3).contains("missing"), "{}", line(3));
    assert!(line(4).contains("first seen on row 1"), "{}", line(4));
    assert!(line(6).contains("first seen on row 2"), "{}", line(6));
    // C on row 3 was rejected before the check: row 5 is the first C.
    assert!(!reasons.contains("incidents,5,"), "{reasons}");
    assert!(line(7).contains("first seen on row 5"), "{}", line(7));
    // Cells are trimmed, so \" A \" is A.
    assert!(line(8).contains("first seen on row 1"), "{}", line(8));
}

#[test]
fn a_text_file_named_xlsx_is_refused_naming_the_file() {
    let (o, _dir) = validate(&[
        ("townships.geojson", two_townships().as_bytes()),
        ("incidents.xlsx", INCIDENTS.as_bytes()),
    ]);
    assert_refused_naming(&o, "incidents.xlsx");
}

#[test]
fn an_unknown_epsg_code_is_refused_naming_the_file() {
    for (source, file) in [
        ("incidents", "incidents.csv"),
        ("townships", "townships.geojson"),
    ] {
        let toml = format!("[sources.{source}]\ncrs = \"EPSG:999999\"\n");
        let (o, _dir) = validate(&[
            ("townships.geojson", two_townships().as_bytes()),
            ("incidents.csv", INCIDENTS.as_bytes()),
            ("riskmap.toml", toml.as_bytes()),
        ]);
        // Either the configuration or the file it applies to is named.
        assert_eq!(o.status.code(), Some(1), "{source}: {}", text(&o));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.contains("999999") && (stderr.contains("riskmap.toml") || stderr.contains(file)),
            "{source}: {}",
            text(&o)
        );
    }
}

#[test]
fn a_township_layer_declared_in_a_wrong_coordinate_system_does_not_panic() {
    // Lon/lat degrees declared as a projected CGCS2000 zone (metres): the
    // townships land near the equator by the central meridian, the points
    // fall outside them and are rejected with a reason.
    let toml = "[sources.townships]\ncrs = \"EPSG:4549\"\n";
    let (o, dir) = validate(&[
        ("townships.geojson", two_townships().as_bytes()),
        ("incidents.csv", INCIDENTS.as_bytes()),
        ("riskmap.toml", toml.as_bytes()),
    ]);
    let manifest = assert_counts_add_up(&o, dir.path());
    assert_eq!(input(&manifest, "incidents")["accepted"].as_u64(), Some(0));
}

// The generated folders. Townships: a few polygons drawn from plain
// squares, bow-ties, zero-area rings, slivers, NaN and 1e300 coordinates,
// points and lines mixed in, duplicate and missing codes. Incidents: a CSV of
// random cells (dates in odd forms, numbers and non-numbers, blanks), in UTF-8
// or GBK. Optionally a riskmap.toml with a coordinate system and date format.

fn township_geometry(k: usize) -> BoxedStrategy<String> {
    let (x, y) = (120.0 + 0.1 * k as f64, 30.0);
    prop_oneof![
        6 => Just(polygon(&square(x, y))),
        1 => Just(polygon(&format!("[[[{x},{y}],[{x1},{y1}],[{x1},{y}],[{x},{y1}],[{x},{y}]]]", x1 = x + 0.1, y1 = y + 0.1))),
        1 => Just(polygon(&format!("[[[{x},{y}],[{x1},{y}],[{x},{y}]]]", x1 = x + 0.1))),
        1 => Just(polygon(&format!("[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y}]]]", x1 = x + 0.1, y1 = y + 1e-13))),
        1 => Just(polygon(&format!("[[[{x},{y}],[1e300,{y}],[1e300,1e300],[{x},{y}]]]"))),
        1 => Just(polygon(&format!("[[[{x},{y}],[NaN,{y}],[{x},{y1}],[{x},{y}]]]", y1 = y + 0.1))),
        1 => Just(format!(r#"{{"type":"Point","coordinates":[{x},{y}]}}"#)),
        1 => Just(format!(r#"{{"type":"MultiPolygon","coordinates":[{},{}]}}"#, square(x, y), square(x, y + 0.05))),
        1 => Just(r#"{"type":"Polygon","coordinates":[]}"#.to_owned()),
    ]
    .boxed()
}

fn townships_layer() -> impl Strategy<Value = String> {
    prop::collection::vec((0..4usize, prop::bool::weighted(0.9)), 1..4).prop_flat_map(|specs| {
        let geometries: Vec<BoxedStrategy<String>> =
            specs.iter().enumerate().map(|(k, _)| township_geometry(k)).collect();
        (Just(specs), geometries).prop_map(|(specs, geometries)| {
            let features: Vec<String> = specs
                .iter()
                .zip(&geometries)
                .map(|((code, has_code), g)| {
                    let code = if *has_code { format!(r#""339901{:03}000""#, code + 1) } else { "null".into() };
                    format!(r#"{{"type":"Feature","properties":{{"code":{code},"name":"镇"}},"geometry":{g}}}"#)
                })
                .collect();
            collection(&features)
        })
    })
}

fn garbage_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (120.0..120.3f64).prop_map(|x| x.to_string()),
        3 => (29.95..30.15f64).prop_map(|x| x.to_string()),
        2 => prop::sample::select(vec![
            "", "NaN", "inf", "-1", "1e308", "0", "2021-03-01", "2021/3/1", "2021年3月1日", "01/03/2021",
            "2021-02-30", "2021-03-01T25:00", "9999-12-31", "industrial_trade", "工贸", "不详", "\"a,b\"",
            "  120.05  ", "120,05", "１２０.０５", "30.05°",
        ]).prop_map(str::to_owned),
        1 => "[^\n\r,\"]{0,6}",
    ]
}

fn incidents_csv() -> impl Strategy<Value = (Vec<u8>, usize)> {
    (
        prop::collection::vec(prop::collection::vec(garbage_cell(), 6), 0..20),
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(rows, gbk, drop_header_column)| {
            let header = if drop_header_column {
                "id,occurred_at,lon,category,deaths,x"
            } else {
                "id,occurred_at,lon,lat,category,deaths"
            };
            let mut s = header.to_owned();
            for (i, r) in rows.iter().enumerate() {
                // Some ids repeat, some are blank.
                let id = match i % 7 {
                    5 => String::new(),
                    6 => "A0".into(),
                    _ => format!("A{i}"),
                };
                s.push_str(&format!("\n{id},{}", r[1..].join(",")));
            }
            let n = rows.len();
            let bytes = if gbk {
                encoding_rs::GBK.encode(&s).0.into_owned()
            } else {
                s.into_bytes()
            };
            (bytes, n)
        })
}

fn config() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.3,
        (
            prop::option::of(prop::sample::select(vec![
                "EPSG:4326",
                "EPSG:4490",
                "GCJ02",
                "EPSG:4549",
                "EPSG:32651",
                "EPSG:999999",
            ])),
            prop::option::of(prop::sample::select(vec![
                "%Y年%m月%d日",
                "%d/%m/%Y",
                "%",
                "%Q",
                "%Y-%m-%d %H",
            ])),
            prop::sample::select(vec!["incidents", "townships"]),
        )
            .prop_map(|(crs, date_format, source)| {
                let mut s = format!("[sources.{source}]\n");
                if let Some(c) = crs {
                    s.push_str(&format!("crs = \"{c}\"\n"));
                }
                if let (Some(f), "incidents") = (date_format, source) {
                    s.push_str(&format!("date_format = \"{f}\"\n"));
                }
                s
            }),
    )
}

fn cases(default: u32) -> ProptestConfig {
    match std::env::var("PROPTEST_CASES") {
        Ok(_) => ProptestConfig::default(),
        Err(_) => ProptestConfig::with_cases(default),
    }
}

proptest! {
    #![proptest_config(cases(32))]

    #[test]
    fn validate_on_a_generated_bad_folder_never_panics(
        layer in townships_layer(),
        (csv, rows) in incidents_csv(),
        toml in config(),
    ) {
        let mut files: Vec<(&str, &[u8])> = vec![("townships.geojson", layer.as_bytes()), ("incidents.csv", &csv)];
        if let Some(t) = &toml {
            files.push(("riskmap.toml", t.as_bytes()));
        }
        let (o, dir) = validate(&files);
        match o.status.code() {
            Some(0) => {
                let manifest = assert_counts_add_up(&o, dir.path());
                prop_assert_eq!(input(&manifest, "incidents")["rows_read"].as_u64(), Some(rows as u64));
            }
            Some(1) => {
                let stderr = String::from_utf8_lossy(&o.stderr);
                prop_assert!(
                    ["townships.geojson", "incidents.csv", "riskmap.toml"].iter().any(|f| stderr.contains(f)),
                    "exit 1 must name the file: {}", text(&o)
                );
            }
            _ => prop_assert!(false, "neither success nor a clear refusal:\n{}\n--- townships:\n{}\n--- config:\n{:?}", text(&o), layer, toml),
        }
    }
}
