//! The properties the fuzz targets check, shared by the cargo-fuzz targets
//! (`fuzz_targets/*.rs`, coverage-guided, nightly, by hand) and the stable
//! replay that CI runs (`tests/it/fuzz_replay.rs`: the corpus plus seeded
//! mutations). Each function panics when its property fails.

// Each fuzz target uses one of these.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::path::{Component, Path};

use chrono::NaiveDate;
use riskmap_pipeline::config::Config;
use riskmap_pipeline::model::Validated;
use riskmap_pipeline::region::find_sources;
use riskmap_pipeline::validate::{parse_when, validate};
use riskmap_pipeline::PipelineError;

/// Any bytes as `dir/incidents.csv`, read with the encoding detected, forced
/// to GBK and forced to UTF-8: records whose columns all have the table's
/// height and whose cells read as text and numbers, or an error naming the file.
pub fn read_records_csv(dir: &Path, data: &[u8]) {
    let path = dir.join("incidents.csv");
    std::fs::write(&path, data).unwrap();
    for encoding in [None, Some("gbk"), Some("utf-8")] {
        match riskmap_io::read_records_with(&path, encoding) {
            Ok(r) => {
                for c in &r.cells {
                    assert_eq!(c.len(), r.height());
                    for i in 0..c.len() {
                        let _ = (c.text(i), c.number(i));
                    }
                }
            }
            Err(e) => assert!(e.to_string().contains("incidents.csv"), "{e}"),
        }
    }
}

/// Any bytes as `dir/riskmap.toml`: loaded, or refused with an input error
/// (exit 1) naming the file.
pub fn config_toml(dir: &Path, data: &[u8]) {
    std::fs::write(dir.join("riskmap.toml"), data).unwrap();
    if let Err(e) = Config::load(dir) {
        assert_eq!(e.exit_code(), 1, "{e}");
        assert!(e.to_string().contains("riskmap.toml"), "{e}");
    }
}

/// Cell text, optionally followed by NUL and a chrono `date_format`: a
/// date-time or `None`, and a date-time round-trips through ISO 8601.
pub fn parse_when_round_trips(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let (text, custom) = match s.split_once('\0') {
        Some((t, f)) => (t, Some(f)),
        None => (s, None),
    };
    if let Some(t) = parse_when(text, custom) {
        let iso = t.format("%Y-%m-%dT%H:%M:%S%.f").to_string();
        assert_eq!(parse_when(&iso, None), Some(t), "{iso}");
    }
}

/// The fixed townships layer of the region target: two 0.1° squares side by
/// side (a shared border, so that snapping and ties are exercised), with
/// population and county.
pub const TOWNSHIPS_GEOJSON: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"339901001000","name":"甲镇","population":12000,"county":"示例县"},"geometry":{"type":"Polygon","coordinates":[[[120.0,30.0],[120.1,30.0],[120.1,30.1],[120.0,30.1],[120.0,30.0]]]}},
{"type":"Feature","properties":{"code":"339901002000","name":"乙镇","population":8000,"county":"示例县"},"geometry":{"type":"Polygon","coordinates":[[[120.1,30.0],[120.2,30.0],[120.2,30.1],[120.1,30.1],[120.1,30.0]]]}}
]}"#;

/// The fixed point source of the vector target: inside each township, on
/// their shared border, just outside and far outside.
pub const INCIDENTS_CSV: &str = "id,occurred_at,category,lon,lat,deaths\nA1,2021-03-01,industrial_trade,120.05,30.05,0\nA2,2021-03-02T08:00:00,road_traffic,120.15,30.05,1\nA3,2021-03-03,other,120.1,30.05,0\nA4,2021-03-04,other,120.2005,30.05,0\nA5,2021-03-05,other,100,20,0\n";

/// "Today" for the region checks, fixed so that the default as-of date
/// (and so every outcome) depends on the input alone.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 30).expect("a date")
}

/// Empties `dir` (files of the previous input must not leak into this one).
fn fresh(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
}

/// A file name the region target may write: a plain name inside the folder,
/// not one of the fixed files.
fn plain_name(name: &[u8]) -> Option<&str> {
    let name = std::str::from_utf8(name).ok()?.trim_end_matches('\r');
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && !matches!(name, "riskmap.toml" | "townships.geojson");
    ok.then_some(name)
}

/// Whether every `path` the configuration names stays inside the region
/// folder. Paths elsewhere (absolute, `..`) are allowed by SPEC but would make
/// the fuzzer read this machine's files (`/dev/zero` never ends), so such
/// inputs are skipped.
fn paths_stay_inside(config: &Config) -> bool {
    config
        .sources
        .values()
        .filter_map(|s| s.path.as_deref())
        .all(|p| {
            Path::new(p)
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        })
}

/// A refusal must be an input error (exit 1) naming a file of the folder, or
/// the folder itself.
fn assert_refusal_names_the_folder(e: &PipelineError, dir: &Path) {
    assert_eq!(e.exit_code(), 1, "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains(&*dir.to_string_lossy()),
        "names no file: {msg}"
    );
}

/// What SPEC promises of a validated folder: for every source
/// `rows_read = accepted + rejected`, `outside` among the rejected and
/// `snapped` among the accepted, as many rejections listed as counted, as many
/// records kept as accepted, each in a township and dated before the as-of
/// date; then the panel and the year-to-date summary build from it.
fn assert_counts_add_up(v: &Validated) {
    let mut rejected_by_source: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &v.rejections {
        *rejected_by_source.entry(r.source.as_str()).or_default() += 1;
    }
    let mut accepted_by_source: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &v.accepted {
        *accepted_by_source.entry(a.source.stem()).or_default() += 1;
        assert!(
            a.township < v.townships.len(),
            "{} row {}",
            a.source.stem(),
            a.row
        );
        if let Some(t) = a.when {
            assert!(
                t.date() < v.as_of,
                "{} row {} dated {t}, as of {}",
                a.source.stem(),
                a.row,
                v.as_of
            );
        }
    }
    assert!(v.area_counts.iter().all(|a| a.township < v.townships.len()));
    assert_eq!(
        v.counts.first().map(|c| c.source.as_str()),
        Some("townships")
    );
    let mut seen = HashSet::new();
    for c in &v.counts {
        let s = c.source.as_str();
        assert!(seen.insert(s), "{s} counted twice");
        assert_eq!(c.rows_read, c.accepted + c.rejected, "{s}: {c:?}");
        assert!(c.outside <= c.rejected, "{s}: {c:?}");
        assert!(c.snapped + c.swapped_fixed <= c.accepted, "{s}: {c:?}");
        let kept = match s {
            "townships" => v.townships.len(),
            "area_counts" => v.area_counts.len(),
            _ => accepted_by_source.get(s).copied().unwrap_or(0),
        };
        assert_eq!(kept, c.accepted, "{s}: records kept vs accepted, {c:?}");
        assert_eq!(
            rejected_by_source.get(s).copied().unwrap_or(0),
            c.rejected,
            "{s}: rejections listed vs counted"
        );
    }
    for r in &v.rejections {
        let c = v
            .counts
            .iter()
            .find(|c| c.source == r.source)
            .expect("a counted source");
        assert!(
            (1..=c.rows_read).contains(&r.row),
            "{}: row {} of {}",
            r.source,
            r.row,
            c.rows_read
        );
    }
    let panel = riskmap_pipeline::panel::build(v);
    assert!(panel.years.0 <= panel.years.1, "{:?}", panel.years);
    let _ = riskmap_pipeline::summary::render(v);
}

/// Loads the configuration, finds the sources and validates the folder;
/// checks the outcome. Returns false if the input was skipped.
fn check_region(dir: &Path) -> bool {
    let config = match Config::load(dir) {
        Ok(c) => c,
        Err(e) => {
            assert_refusal_names_the_folder(&e, dir);
            return true;
        }
    };
    if !paths_stay_inside(&config) {
        return false;
    }
    let found = match find_sources(dir, &config) {
        Ok(f) => f,
        Err(e) => {
            assert_refusal_names_the_folder(&e, dir);
            return true;
        }
    };
    match validate(dir, &found, &config, None, today()) {
        Ok(v) => assert_counts_add_up(&v),
        Err(e) => assert_refusal_names_the_folder(&e, dir),
    }
    true
}

/// `riskmap.toml` plus a small region folder. The input is
/// `TOML \0 NAME \n BYTES`: the text before the first NUL is written as
/// `riskmap.toml`, BYTES as the file NAME (a plain file name; `incidents.csv`
/// when NAME is not one, and no file when there is no NUL), next to the fixed
/// two-township layer [`TOWNSHIPS_GEOJSON`]. The folder is validated as
/// `riskmap validate` does (configuration, sources by stem or by `path`,
/// every row checked and joined), then the panel and the year-to-date summary
/// are built: nothing panics, counts add up, a refusal is exit 1 naming the
/// file or folder.
pub fn region_folder(dir: &Path, data: &[u8]) {
    fresh(dir);
    std::fs::write(dir.join("townships.geojson"), TOWNSHIPS_GEOJSON).unwrap();
    let (toml, rest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    std::fs::write(dir.join("riskmap.toml"), toml).unwrap();
    if let Some(rest) = rest {
        let (name, bytes) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (plain_name(&rest[..i]), &rest[i + 1..]),
            None => (None, rest),
        };
        std::fs::write(dir.join(name.unwrap_or("incidents.csv")), bytes).unwrap();
    }
    check_region(dir);
}

/// Any bytes as `townships.geojson` (GDAL reads it: GeoJSON, or whatever
/// format GDAL recognises in the bytes), next to the fixed point source
/// [`INCIDENTS_CSV`]. `riskmap_io::read_vector` returns a layer whose
/// attributes have a row per geometry, or an error naming the file; then the
/// folder validates as in [`region_folder`] (townships checked, repaired or
/// refused; points joined; counts add up). Only Rust-side failures are
/// caught: a crash inside GDAL itself would stop the process.
pub fn vector_layer(dir: &Path, data: &[u8]) {
    fresh(dir);
    let path = dir.join("townships.geojson");
    std::fs::write(&path, data).unwrap();
    std::fs::write(dir.join("incidents.csv"), INCIDENTS_CSV).unwrap();
    match riskmap_io::read_vector(&path) {
        Ok(layer) => assert_eq!(layer.attributes.height(), layer.geometries.len()),
        Err(e) => {
            assert!(e.to_string().contains("townships.geojson"), "{e}");
            return;
        }
    }
    check_region(dir);
}

/// For the fuzz targets: a panic that riskmap catches (the table readers turn
/// a reader's panic into "the file is damaged") is not a failure, so the
/// libFuzzer hook that aborts on every panic is replaced by one that prints
/// each panic location once and lets it unwind; a panic that escapes the
/// property still aborts (libfuzzer-sys catches it and aborts) and is a crash.
pub fn let_caught_panics_unwind() {
    let seen = std::sync::Mutex::new(HashSet::new());
    std::panic::set_hook(Box::new(move |info| {
        let at = info.location().map(|l| l.to_string()).unwrap_or_default();
        if seen
            .lock()
            .map(|mut s| s.insert(at.clone()))
            .unwrap_or(false)
        {
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("panic at {at}: {msg} (unwinding; later panics here not shown)");
        }
    }));
}

/// GDAL prints every error it returns to stderr; riskmap reads the message
/// from the error itself, so the fuzz targets and the replay silence the
/// printing (millions of "ERROR 4: ..." lines otherwise).
pub fn quiet_gdal() {
    gdal::config::set_error_handler(|_, _, _| {});
}
