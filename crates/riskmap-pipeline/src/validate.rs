//! Validation: every row of every point source is accepted or rejected with a
//! reason, and every accepted point is placed in its township.
//!
//! Row numbers count data rows from 1 (the header is not a row). For each
//! source, `rows_read = accepted + rejected`; points snapped onto the region
//! are accepted and also counted in `snapped`; points outside the region
//! beyond the snap tolerance are rejected and also counted in `outside`.
//!
//! Records dated on or after the as-of date are rejected as future. The
//! default as-of date is the day after the latest record dated no later than
//! today, so by default no valid record is future.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use geo::{Area, Geometry, MakeValid, MultiPolygon, Validation};
use rayon::prelude::*;
use riskmap_domain::{GeohazardType, GeometryKind, HazardLevel, IncidentCategory, Source};
use riskmap_io::{Cells, Records};
use riskmap_spatial::join::{Assignment, TownshipIndex};

use crate::config::{Config, SourceConfig, DEFAULT_ALIASES};
use crate::error::PipelineError;
use crate::model::{
    Accepted, AreaCount, CodeMismatch, Detail, Dispatch, Ids, PlacedBy, RejectKind, Rejection,
    Severity, SourceCounts, Township, Validated,
};
use crate::region::Found;

/// The earliest year a record may carry. A mistyped date (year 0001, 1066)
/// would otherwise stretch the panel over every year since, townships ×
/// measures × centuries of zeros; 1800 leaves room for historic ledgers.
pub const EARLIEST_YEAR: i32 = 1800;

/// Checks `area_counts` rows: a known township code, a year, a measure and
/// non-negative numbers; the rest are rejected with a reason.
fn check_area_counts(
    f: &Found,
    cfg: &SourceConfig,
    data: &Path,
    code_index: &HashMap<&str, usize>,
) -> Result<(Vec<AreaCount>, Vec<Rejection>, SourceCounts), PipelineError> {
    let mut records = riskmap_io::read_records_with(&f.path, cfg.encoding.as_deref())?;
    rename_columns(&mut records, cfg, &f.path, f.source.stem())?;
    for col in f.source.required_columns() {
        if records.column(col).is_none() {
            return Err(input_err(
                &f.path,
                format!("no column `{col}`; area_counts needs code, year, measure and count"),
            ));
        }
    }
    let col = |n: &str| records.column(n);
    let (code, year, measure) = (
        col("code").expect("checked"),
        col("year").expect("checked"),
        col("measure").expect("checked"),
    );
    let numbers: Vec<Option<&Cells>> = ["count", "deaths", "injuries", "loss_10k_cny"]
        .iter()
        .map(|n| col(n))
        .collect();
    let (mut rows, mut rejected) = (Vec::new(), Vec::new());
    for r in 0..records.height() {
        let code_text = code.text(r);
        let reject = |kind: RejectKind, field: &str, reason: String| Rejection {
            source: "area_counts".into(),
            row: r + 1,
            id: code_text.as_deref().map(str::to_owned),
            field: field.into(),
            reason,
            kind,
        };
        let Some(t) = code_text.as_deref().and_then(|c| code_index.get(c)) else {
            rejected.push(reject(
                RejectKind::UnknownTownshipCode,
                "code",
                format!(
                    "unknown township code `{}`",
                    code_text.as_deref().unwrap_or("")
                ),
            ));
            continue;
        };
        let Some(y) = year
            .number(r)
            .ok()
            .flatten()
            .filter(|y| y.fract() == 0.0 && (f64::from(EARLIEST_YEAR)..=2200.0).contains(y))
        else {
            rejected.push(reject(
                RejectKind::InvalidNumber,
                "year",
                format!(
                    "year `{}` is not a year",
                    year.text(r).as_deref().unwrap_or("")
                ),
            ));
            continue;
        };
        let Some(m) = measure.text(r).map(Cow::into_owned) else {
            rejected.push(reject(
                RejectKind::Missing,
                "measure",
                "missing measure".into(),
            ));
            continue;
        };
        let mut values = [0.0; 4];
        let mut bad = None;
        for (k, (name, column)) in ["count", "deaths", "injuries", "loss_10k_cny"]
            .iter()
            .zip(&numbers)
            .enumerate()
        {
            match column.map(|c| c.number(r)) {
                None | Some(Ok(None)) if k == 0 => {
                    bad = Some((RejectKind::Missing, *name, "missing count".to_owned()))
                }
                None | Some(Ok(None)) => {}
                Some(Ok(Some(v))) if v >= 0.0 => values[k] = v,
                Some(Ok(Some(v))) => {
                    bad = Some((
                        RejectKind::InvalidNumber,
                        *name,
                        format!("{name} `{v}` is not a non-negative number"),
                    ))
                }
                Some(Err(text)) => {
                    bad = Some((
                        RejectKind::InvalidNumber,
                        *name,
                        format!("{name} `{text}` is not a non-negative number"),
                    ))
                }
            }
        }
        if let Some((kind, field, reason)) = bad {
            rejected.push(reject(kind, field, reason));
            continue;
        }
        rows.push(AreaCount {
            township: *t,
            year: y as i32,
            measure: m,
            values,
        });
    }
    let counts = SourceCounts {
        source: "area_counts".into(),
        path: relative(data, &f.path),
        sha256: f.sha256()?,
        encoding: records.encoding.to_owned(),
        rows_read: records.height(),
        accepted: rows.len(),
        rejected: rejected.len(),
        ..Default::default()
    };
    Ok((rows, rejected, counts))
}

fn input_err(path: &Path, msg: impl std::fmt::Display) -> PipelineError {
    PipelineError::Input(format!("{}: {msg}", path.display()))
}

/// Reads and checks the townships layer: renamed columns, any coordinate
/// system (transformed to WGS84), invalid polygons reported.
pub(crate) fn read_townships(
    path: &Path,
    cfg: &SourceConfig,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Township>, Vec<MultiPolygon<f64>>), PipelineError> {
    let mut layer = riskmap_io::read_vector(path)?;
    let crs = match &cfg.crs {
        Some(c) => crate::config::parse_crs(c).expect("checked when the configuration was loaded"),
        None => layer.crs,
    };
    for g in layer.geometries.iter_mut() {
        riskmap_io::crs::geometry_to_wgs84(crs, g)
            .map_err(|e| input_err(path, format!("cannot transform from {crs}: {e}")))?;
    }
    let column_of = |name: &str| {
        cfg.columns
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_owned())
    };
    let text = |name: &str| -> Result<Vec<Option<String>>, PipelineError> {
        let name = column_of(name);
        let name = name.as_str();
        let c = layer.attributes.column(name).map_err(|_| {
            input_err(path, format!("no column `{name}`; townships need `code` and `name` (rename columns in riskmap.toml)"))
        })?;
        let c = c
            .cast(&polars::prelude::DataType::String)
            .map_err(|e| input_err(path, e))?;
        Ok(c.str()
            .map_err(|e| input_err(path, e))?
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect())
    };
    let (codes, names) = (text("code")?, text("name")?);
    let population: Vec<Option<f64>> = match text("population") {
        Ok(p) => p
            .into_iter()
            .map(|v| v.and_then(|v| v.parse().ok()))
            .collect(),
        Err(_) => vec![None; codes.len()],
    };
    // The optional county name, by code (for the report's title).
    let county: HashMap<String, String> = match text("county") {
        Ok(c) => codes
            .iter()
            .zip(c)
            .filter_map(|(k, c)| Some((k.clone()?, c?)))
            .collect(),
        Err(_) => HashMap::new(),
    };
    let mut features = Vec::with_capacity(codes.len());
    for (i, (((code, name), population), geom)) in codes
        .into_iter()
        .zip(names)
        .zip(population)
        .zip(layer.geometries)
        .enumerate()
    {
        let code = code.ok_or_else(|| {
            input_err(
                path,
                format!(
                    "feature {} has no code; every township needs a unique code",
                    i + 1
                ),
            )
        })?;
        let mp = match geom {
            Geometry::Polygon(p) => MultiPolygon(vec![p]),
            Geometry::MultiPolygon(mp) => mp,
            other => {
                return Err(input_err(
                    path,
                    format!("feature {} ({code}) is a {other:?}, not a polygon", i + 1),
                ))
            }
        };
        // A vertex off the globe (NaN, infinite, beyond ±180°/±90°) is a
        // wrong coordinate system or a broken file, never a place: points
        // could not be joined to such a township reliably, so stop and say
        // which feature and why (found by tests/it/bad_input.rs: a NaN or 1e300
        // vertex reached the spatial index).
        if let Some(c) = geo::CoordsIter::coords_iter(&mp).find(|c| {
            !(c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0)
        }) {
            return Err(input_err(
                path,
                format!(
                    "feature {} ({code}) has a vertex off the globe (lon {}, lat {} after reading the layer as {crs}); check the layer's coordinates and its coordinate system (sources.townships.crs in riskmap.toml)",
                    i + 1,
                    c.x,
                    c.y
                ),
            ));
        }
        features.push((code, name.unwrap_or_default(), population, mp));
    }
    // Invalid rings (self-intersections, bow-ties, spikes) are repaired with
    // geo's prepair-style MakeValid, and said; never used silently. The fast
    // sweep-line test clears the common case; geo's full check runs on the rest.
    let checked: Vec<(String, String, Option<f64>, MultiPolygon<f64>, Option<String>)> = features
        .into_par_iter()
        .map(|(code, name, population, mp)| {
            if riskmap_spatial::valid::certainly_valid(&mp) || mp.is_valid() {
                // A ring with no area (all vertices on a line) passes geo's
                // validity check, which looks for crossings only: say it.
                // (A crossing ring, whose signed area may also be zero, is
                // repaired below instead.)
                let warning = (mp.unsigned_area() <= 0.0).then(|| {
                    format!(
                        "{}: township {code} has no area (its ring is flat or empty); no point can fall inside it, fix the layer",
                        path.display()
                    )
                });
                return (code, name, population, mp, warning);
            }
            match mp.make_valid() {
                Ok(fixed) if !fixed.0.is_empty() && fixed.is_valid() => {
                    let warning = format!(
                        "{}: township {code} was not a valid polygon (self-intersecting or degenerate ring); repaired (area {:.6} → {:.6} square degrees), check the layer",
                        path.display(),
                        mp.unsigned_area(),
                        fixed.unsigned_area()
                    );
                    (code, name, population, fixed, Some(warning))
                }
                _ => {
                    let warning = format!(
                        "{}: township {code} is not a valid polygon and could not be repaired; points are joined to it as drawn, fix the layer",
                        path.display()
                    );
                    (code, name, population, mp, Some(warning))
                }
            }
        })
        .collect();
    let mut rows: Vec<(String, String, Option<f64>, MultiPolygon<f64>)> =
        Vec::with_capacity(checked.len());
    for (code, name, population, mp, warning) in checked {
        warnings.extend(warning);
        rows.push((code, name, population, mp));
    }
    if rows.is_empty() {
        return Err(input_err(path, "no townships in the layer"));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(input_err(
            path,
            format!(
                "code {} is used twice; township codes must be unique",
                w[0].0
            ),
        ));
    }
    // The polygons are moved, not copied (a real layer has millions of vertices).
    Ok(rows
        .into_iter()
        .map(|(code, name, population, mp)| {
            let township = Township {
                county: county.get(&code).cloned(),
                code,
                name,
                population,
            };
            (township, mp)
        })
        .unzip())
}

/// Parses a record date: ISO 8601 date-time (`T` or space) or a date, also with `/`.
pub fn parse_when(text: &str, custom: Option<&str>) -> Option<NaiveDateTime> {
    if let Some(f) = custom {
        let t = text.trim();
        if let Some(v) = NaiveDateTime::parse_from_str(t, f).ok().or_else(|| {
            NaiveDate::parse_from_str(t, f)
                .ok()
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight"))
        }) {
            return Some(v);
        }
    }
    let t = text.trim();
    // The shapes of nearly every export, read digit by digit (chrono's
    // general parser took a third of a row's checks); anything else, or a
    // date these digits do not make, goes the general way below.
    if let Some(v) = parse_iso_digits(t.as_bytes()) {
        return Some(v);
    }
    parse_general(t)
}

/// `YYYY-MM-DD`, or that and `T` or a space and `HH:MM` or `HH:MM:SS`,
/// exactly, as a valid date-time; `None` for any other text. Whatever it
/// reads, [`parse_general`] reads the same (tested).
fn parse_iso_digits(t: &[u8]) -> Option<NaiveDateTime> {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        t[range].iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let at = |i: usize, c: u8| t[i] == c;
    if !matches!(t.len(), 10 | 16 | 19) || !at(4, b'-') || !at(7, b'-') {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?;
    let (hour, minute, second) = match t.len() {
        10 => (0, 0, 0),
        n => {
            if !(at(10, b'T') || at(10, b' ')) || !at(13, b':') || (n == 19 && !at(16, b':')) {
                return None;
            }
            let second = if n == 19 { digits(17..19)? } else { 0 };
            (digits(11..13)?, digits(14..16)?, second)
        }
    };
    date.and_hms_opt(hour, minute, second)
}

/// A date-time or date in any of the accepted layouts, through chrono.
fn parse_general(t: &str) -> Option<NaiveDateTime> {
    // ISO 8601 through chrono's FromStr first, which is much faster than
    // trying formats one by one.
    if let Ok(v) = t.parse::<NaiveDateTime>() {
        return Some(v);
    }
    if let Ok(d) = t.parse::<NaiveDate>() {
        return Some(d.and_hms_opt(0, 0, 0).expect("midnight"));
    }
    const DATETIME: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ];
    const DATE: &[&str] = &["%Y-%m-%d", "%Y/%m/%d"];
    DATETIME
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .or_else(|| {
            DATE.iter()
                .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight"))
        })
}

/// Numeric columns that must not be negative, where a source has them.
const COUNTS: &[&str] = &[
    "deaths",
    "injuries",
    "loss_10k_cny",
    "evacuated",
    "vehicles",
    "personnel",
    "rescued",
    "burned_area_ha",
    "threatened_people",
    "threatened_property_10k_cny",
    "capacity",
    "employees",
    "households",
];

fn date_field(source: Source) -> Option<&'static str> {
    match source {
        Source::HiddenHazards => Some("found_on"),
        s if s.is_event() => Some("occurred_at"),
        _ => None,
    }
}

/// The vocabulary field of a source, and how a label maps to its SPEC key.
fn vocabulary_field(source: Source) -> Option<(&'static str, fn(&str) -> Option<&'static str>)> {
    match source {
        Source::Incidents => Some(("category", |t| {
            IncidentCategory::from_label(t).map(IncidentCategory::key)
        })),
        Source::GeohazardEvents | Source::GeohazardSites => Some(("type", |t| {
            GeohazardType::from_label(t).map(GeohazardType::key)
        })),
        Source::HiddenHazards => Some(("level", |t| {
            HazardLevel::from_label(t).map(HazardLevel::key)
        })),
        _ => None,
    }
}

/// Renames columns to SPEC names: first those `riskmap.toml` names, then the
/// common Chinese headers of [`DEFAULT_ALIASES`] where the SPEC name is absent.
pub(crate) fn rename_columns(
    records: &mut Records,
    cfg: &SourceConfig,
    path: &Path,
    stem: &str,
) -> Result<(), PipelineError> {
    rename_column_names(&mut records.columns, cfg, path, stem)
}

/// The renaming of [`rename_columns`] on a header alone.
pub(crate) fn rename_column_names(
    columns: &mut [String],
    cfg: &SourceConfig,
    path: &Path,
    stem: &str,
) -> Result<(), PipelineError> {
    for (spec, in_file) in &cfg.columns {
        let i = columns.iter().position(|c| c == in_file).ok_or_else(|| {
            input_err(
                path,
                format!(
                    "riskmap.toml maps `{spec}` to column `{in_file}` ([sources.{stem}.columns]), but the file has no such column (found: {})",
                    columns.join(", ")
                ),
            )
        })?;
        columns[i] = spec.clone();
    }
    for (alias, spec) in DEFAULT_ALIASES {
        if !columns.iter().any(|c| c == spec) {
            if let Some(i) = columns.iter().position(|c| c == alias) {
                columns[i] = (*spec).to_owned();
            }
        }
    }
    Ok(())
}

/// A row that passed the field checks, waiting for the as-of and spatial checks.
struct Candidate {
    /// Data row, from 1; its id is cell `row - 1` of the source's id column
    /// (kept apart: a `String` a row cost a nation's validation 10M
    /// allocations and ~0.2 GB).
    row: usize,
    when: Option<NaiveDateTime>,
    /// `None` when lon and lat are both empty (the row may name its township).
    point: Option<[f64; 2]>,
    /// The township the row names, if it names one: boxed, since most rows
    /// name none, and three empty strings inline cost 72 bytes a row.
    named: Option<Box<Named>>,
    label: Option<&'static str>,
    /// Severity, dispatch, burned area, a hidden hazard's dates and sector.
    detail: Option<Box<Detail>>,
}

/// The township a row names: its `township_code`, and its township and
/// county names (these kept only for a row without a point, the only rows
/// they place).
struct Named {
    code: Option<String>,
    township: Option<String>,
    county: Option<String>,
}

impl Candidate {
    fn reported_code(&self) -> Option<&str> {
        self.named.as_ref()?.code.as_deref()
    }

    fn township_name(&self) -> Option<&str> {
        self.named.as_ref()?.township.as_deref()
    }

    fn county(&self) -> Option<&str> {
        self.named.as_ref()?.county.as_deref()
    }
}

struct SourceRead {
    found: Found,
    /// Rows in the file, the encoding it was read with and its SHA-256; the
    /// cells themselves are dropped once checked, so they do not stay in
    /// memory through the join.
    rows_read: usize,
    encoding: &'static str,
    sha256: String,
    /// The rows that passed, in row order, in the chunks they were checked in.
    candidates: Vec<Vec<Candidate>>,
    rejections: Vec<Rejection>,
    /// The id column, the one column kept from the file.
    ids: Cells,
}

/// The field checks of a chunk of rows.
#[derive(Default)]
struct ChunkChecks {
    /// Rows that passed, in row order.
    candidates: Vec<Candidate>,
    /// Rows that did not, in row order; `true` when rejected before the
    /// duplicate-id check (see [`RowCheck::Missing`]).
    rejections: Vec<(Rejection, bool)>,
    /// Labels outside the vocabulary: (field, text) and count.
    tally: BTreeMap<(String, String), usize>,
}

/// What the field checks of one row found. Rows are checked in parallel
/// chunks; duplicate ids are found afterwards over all of them, so
/// a row's outcome keeps the precedence of the checks: missing id or
/// required field, then duplicate id, then the rest.
enum RowCheck {
    /// Rejected before the duplicate-id check (missing id or required field).
    Missing(Rejection),
    /// Passed the missing-field checks; the later checks' outcome.
    Checked(Result<Candidate, Rejection>),
}

/// The columns of a point source that validation reads.
struct PointColumns<'a> {
    source: Source,
    ids: &'a Cells,
    /// Absent in a ledger that only names townships.
    lons: Option<&'a Cells>,
    lats: Option<&'a Cells>,
    /// Required columns other than lon and lat, which may be empty together.
    required: Vec<(&'static str, &'a Cells)>,
    dates: Option<&'a Cells>,
    vocab: Option<(&'static str, fn(&str) -> Option<&'static str>, &'a Cells)>,
    counts: Vec<(&'static str, &'a Cells)>,
    /// `township_code`, `township` and `county`, where the file has them.
    reported: Option<&'a Cells>,
    township_names: Option<&'a Cells>,
    counties: Option<&'a Cells>,
    /// Hidden hazards: `deadline` and `rectified_on` columns, if present.
    extra_dates: [(&'static str, Option<&'a Cells>); 2],
    /// Hidden hazards: the `sector` column, if present.
    sector: Option<&'a Cells>,
}

impl PointColumns<'_> {
    fn check(
        &self,
        r: usize,
        cfg: &SourceConfig,
        unknown: &mut BTreeMap<(String, String), usize>,
    ) -> RowCheck {
        let stem = self.source.stem();
        let row = r + 1;
        let id = self.ids.text(r);
        let reject = |kind: RejectKind, field: &str, reason: String| Rejection {
            source: stem.to_owned(),
            row,
            id: id.as_deref().map(str::to_owned),
            field: field.to_owned(),
            reason,
            kind,
        };
        if id.is_none() {
            return RowCheck::Missing(reject(RejectKind::Missing, "id", "missing id".into()));
        }
        if let Some((field, _)) = self.required.iter().find(|(_, cells)| cells.is_blank(r)) {
            return RowCheck::Missing(reject(
                RejectKind::Missing,
                field,
                format!("missing {field}"),
            ));
        }
        RowCheck::Checked(self.check_fields(r, cfg, unknown, &reject).map(|mut c| {
            c.row = row;
            c
        }))
    }

    fn check_fields(
        &self,
        r: usize,
        cfg: &SourceConfig,
        unknown: &mut BTreeMap<(String, String), usize>,
        reject: &dyn Fn(RejectKind, &str, String) -> Rejection,
    ) -> Result<Candidate, Rejection> {
        let stem = self.source.stem();
        let when = match self.dates.map(|d| d.text(r)) {
            None => None,
            Some(None) => {
                return Err(reject(
                    RejectKind::Missing,
                    date_field(self.source).expect("dated"),
                    "missing date".into(),
                ))
            }
            Some(Some(text)) => match parse_when(&text, cfg.date_format.as_deref()) {
                Some(t) => Some(t),
                None => {
                    return Err(reject(
                        RejectKind::Unparseable,
                        date_field(self.source).expect("dated"),
                        format!("unparseable date `{text}`; write ISO 8601 (2021-04-04T10:30:00 or 2021-04-04)"),
                    ))
                }
            },
        };
        // Optional dates are blank or a date; anything else is rejected like
        // a bad record date, since a deadline read wrongly would misreport
        // the hazard as overdue or on time.
        let mut extra_dates = [None; 2];
        for (slot, (field, cells)) in extra_dates.iter_mut().zip(&self.extra_dates) {
            if let Some(text) = cells.and_then(|c| c.text(r)) {
                match parse_when(&text, cfg.date_format.as_deref()) {
                    Some(t) => *slot = Some(t.date()),
                    None => {
                        return Err(reject(
                            RejectKind::Unparseable,
                            field,
                            format!("unparseable {field} `{text}`; write ISO 8601 (2021-04-04)"),
                        ))
                    }
                }
            }
        }
        let mut label = None;
        if let Some((field, key_of, values)) = self.vocab {
            let Some(text) = values.text(r) else {
                return Err(reject(
                    RejectKind::Missing,
                    field,
                    format!("missing {field}"),
                ));
            };
            let mapped = cfg
                .values
                .get(field)
                .and_then(|m| m.get(text.as_ref()))
                .map_or(text.as_ref(), String::as_str);
            match key_of(mapped) {
                Some(key) => label = Some(key),
                None => {
                    *unknown
                        .entry((field.to_owned(), text.to_string()))
                        .or_default() += 1;
                    return Err(reject(RejectKind::NotInVocabulary, field, format!("unknown {field} `{text}`; map it in riskmap.toml under [sources.{stem}.values.{field}]")));
                }
            }
        }
        let mut bad_count = None;
        let mut severity = Severity::default();
        let mut dispatch = Dispatch::default();
        let mut burned_area_ha = 0.0;
        for (name, cells) in &self.counts {
            match cells.number(r) {
                Ok(None) => {}
                Ok(Some(v)) if v >= 0.0 => match *name {
                    "deaths" => severity.deaths = v,
                    "injuries" => severity.injuries = v,
                    "loss_10k_cny" => severity.loss_10k_cny = v,
                    "vehicles" => dispatch.vehicles = v,
                    "personnel" => dispatch.personnel = v,
                    "rescued" => dispatch.rescued = v,
                    "burned_area_ha" => burned_area_ha = v,
                    _ => {}
                },
                Ok(Some(v)) => {
                    bad_count = Some((*name, format!("negative or invalid {name} ({v})")))
                }
                Err(text) => bad_count = Some((*name, format!("{name} `{text}` is not a number"))),
            }
        }
        if let Some((field, reason)) = bad_count {
            return Err(reject(RejectKind::InvalidNumber, field, reason));
        }
        // Each coordinate read once: `None` without the column, `Ok(None)`
        // when blank.
        type Number<'c> = Option<Result<Option<f64>, Cow<'c, str>>>;
        let (lon, lat): (Number, Number) = (
            self.lons.map(|c| c.number(r)),
            self.lats.map(|c| c.number(r)),
        );
        let blank = |n: &Number| matches!(n, None | Some(Ok(None)));
        let coord = |n: Number, name: &str| -> Result<f64, Rejection> {
            match n {
                Some(Ok(Some(v))) => Ok(v),
                None | Some(Ok(None)) => {
                    Err(reject(RejectKind::Missing, name, format!("missing {name}")))
                }
                Some(Err(text)) => Err(reject(
                    RejectKind::InvalidNumber,
                    name,
                    format!("{name} `{text}` is not a number"),
                )),
            }
        };
        let text = |cells: Option<&Cells>| cells.and_then(|c| c.text(r)).map(Cow::into_owned);
        let reported_code = text(self.reported);
        // Both coordinates empty: the row is placed by the township it names,
        // after the as-of check; without a township it is rejected there.
        let point = if blank(&lon) && blank(&lat) {
            None
        } else {
            Some([coord(lon, "lon")?, coord(lat, "lat")?])
        };
        let (township, county) = match point {
            None => (text(self.township_names), text(self.counties)),
            Some(_) => (None, None),
        };
        let named =
            (reported_code.is_some() || township.is_some() || county.is_some()).then(|| {
                Box::new(Named {
                    code: reported_code,
                    township,
                    county,
                })
            });
        Ok(Candidate {
            row: 0,
            when,
            point,
            named,
            label,
            detail: Detail {
                severity,
                dispatch,
                burned_area_ha,
                extra_dates,
                sector: self.sector.and_then(|c| c.text(r)).map(|t| t.into()),
            }
            .boxed(),
        })
    }
}

fn check_rows(
    found: &Found,
    records: &Records,
    cfg: &SourceConfig,
    unknown: &mut UnknownLabels,
) -> Result<(Vec<Vec<Candidate>>, Vec<Rejection>), PipelineError> {
    let source = found.source;
    let stem = source.stem();
    // A ledger may have no coordinate columns at all when its rows name their
    // township instead.
    let names_townships =
        records.column("township_code").is_some() || records.column("township").is_some();
    for col in source.required_columns() {
        let optional = names_townships && matches!(*col, "lon" | "lat");
        if records.column(col).is_none() && !optional {
            return Err(input_err(
                &found.path,
                format!("no column `{col}` (found: {}); rename it in riskmap.toml under [sources.{stem}.columns], or give the township of each row (a `township_code` or `township` column, e.g. 乡镇)", records.columns.join(", ")),
            ));
        }
    }
    let col = |name: &str| records.column(name);
    let columns = PointColumns {
        source,
        ids: col("id").expect("checked"),
        lons: col("lon"),
        lats: col("lat"),
        required: source
            .required_columns()
            .iter()
            .filter(|c| !matches!(**c, "lon" | "lat"))
            .map(|c| (*c, col(c).expect("checked")))
            .collect(),
        dates: date_field(source).and_then(col),
        vocab: vocabulary_field(source).and_then(|(f, ok)| col(f).map(|c| (f, ok, c))),
        counts: COUNTS
            .iter()
            .filter_map(|c| col(c).map(|v| (*c, v)))
            .collect(),
        reported: col("township_code"),
        township_names: col("township"),
        counties: col("county"),
        extra_dates: if source == Source::HiddenHazards {
            [
                ("deadline", col("deadline")),
                ("rectified_on", col("rectified_on")),
            ]
        } else {
            [("deadline", None), ("rectified_on", None)]
        },
        sector: if source == Source::HiddenHazards {
            col("sector")
        } else {
            None
        },
    };

    // The field checks of a row depend on that row alone: check chunks of
    // rows in parallel, each keeping its candidates where they are made
    // (a nation's millions are not copied into one list).
    const CHUNK: usize = 16_384;
    let height = records.height();
    let chunks: Vec<ChunkChecks> = (0..height.div_ceil(CHUNK))
        .into_par_iter()
        .map(|k| {
            let mut chunk = ChunkChecks::default();
            for r in k * CHUNK..((k + 1) * CHUNK).min(height) {
                match columns.check(r, cfg, &mut chunk.tally) {
                    RowCheck::Missing(rejection) => chunk.rejections.push((rejection, true)),
                    RowCheck::Checked(Ok(c)) => chunk.candidates.push(c),
                    RowCheck::Checked(Err(rejection)) => chunk.rejections.push((rejection, false)),
                }
            }
            chunk
        })
        .collect();

    // Duplicate ids among the rows that passed the missing-field checks: the
    // ids are hashed in parallel, the (hash, row) pairs sorted, and rows of
    // one hash compared as text, so that `first_of[r]`, for a row r whose id
    // came before, is the first row with that id (1-based).
    let id_of = |r: usize| columns.ids.text(r).expect("checked");
    let hashed = |r: usize| {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        id_of(r).hash(&mut h);
        (h.finish(), r)
    };
    let mut keyed: Vec<(u64, usize)> = chunks
        .par_iter()
        .flat_map_iter(|chunk| {
            let checked = chunk.rejections.iter().filter(|(_, missing)| !missing);
            chunk
                .candidates
                .iter()
                .map(|c| c.row - 1)
                .chain(checked.map(|(rejection, _)| rejection.row - 1))
                .map(hashed)
        })
        .collect();
    keyed.par_sort_unstable();
    let mut first_of: BTreeMap<usize, usize> = BTreeMap::new();
    for run in keyed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        // Rows ascending; equal hashes with different ids are told apart here.
        let mut firsts: Vec<(Cow<'_, str>, usize)> = Vec::new();
        for &(_, r) in run {
            let id = id_of(r);
            match firsts.iter().find(|(f, _)| *f == id) {
                Some((_, first)) => {
                    first_of.insert(r, first + 1);
                }
                None => firsts.push((id, r)),
            }
        }
    }
    drop(keyed);
    // A duplicate id comes before the later checks' reasons.
    let duplicate = |row: usize, first: usize| Rejection {
        source: stem.to_owned(),
        row,
        id: Some(id_of(row - 1).into_owned()),
        field: "id".into(),
        reason: format!("duplicate id; first seen on row {first}"),
        kind: RejectKind::DuplicateId,
    };
    let mut candidates = Vec::with_capacity(chunks.len());
    let mut rejections = Vec::new();
    for chunk in chunks {
        for ((field, text), n) in chunk.tally {
            *unknown.entry((stem.to_owned(), field, text)).or_default() += n;
        }
        let mut rows = chunk.candidates;
        if !first_of.is_empty() {
            rows.retain(|c| match first_of.get(&(c.row - 1)) {
                Some(&first) => {
                    rejections.push(duplicate(c.row, first));
                    false
                }
                None => true,
            });
        }
        candidates.push(rows);
        for (rejection, missing) in chunk.rejections {
            match first_of.get(&(rejection.row - 1)) {
                Some(&first) if !missing => rejections.push(duplicate(rejection.row, first)),
                _ => rejections.push(rejection),
            }
        }
    }
    // In row order, as the rows came.
    rejections.sort_by_key(|r| r.row);
    Ok((candidates, rejections))
}

/// Labels outside the vocabulary: (source, field, text) → rows.
type UnknownLabels = BTreeMap<(String, String, String), usize>;

/// The point sources of the folder, each read and checked, with the labels
/// outside the vocabulary it holds; `None` if `stop` was set before all were
/// (the townships failed: their error is the one to report, now).
///
/// Sources are read and checked one at a time, in source order: the
/// Parquet reader and the row checks are parallel inside a source, and a
/// source's cells are dropped before the next is read but for its id column
/// (read side by side, the nation's largest tables held their cells at
/// once: ~1 GB more peak).
fn read_point_sources(
    found: &[Found],
    config: &Config,
    stop: &AtomicBool,
) -> Result<Option<Vec<(SourceRead, UnknownLabels)>>, PipelineError> {
    let mut sources = Vec::new();
    for f in found
        .iter()
        .filter(|f| f.source.geometry() == GeometryKind::Point)
    {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        sources.push(read_point_source(f, config)?);
    }
    Ok(Some(sources))
}

/// One point source read and checked (see [`read_point_sources`]).
fn read_point_source(
    f: &Found,
    config: &Config,
) -> Result<(SourceRead, UnknownLabels), PipelineError> {
    let cfg = config.source(f.source);
    let mut records = riskmap_io::read_records_with(&f.path, cfg.encoding.as_deref())?;
    rename_columns(&mut records, &cfg, &f.path, f.source.stem())?;
    let mut unknown = BTreeMap::new();
    let (candidates, rejections) = check_rows(f, &records, &cfg, &mut unknown)?;
    let rows_read = records.height();
    let id_column = records
        .columns
        .iter()
        .position(|c| c == "id")
        .expect("checked");
    let mut read = SourceRead {
        found: f.clone(),
        rows_read,
        encoding: records.encoding,
        sha256: f.sha256()?,
        candidates,
        rejections,
        ids: records.cells.swap_remove(id_column),
    };
    drop(records);
    if let Some(crs) = cfg.crs.as_deref().and_then(crate::config::parse_crs) {
        let mut points: Vec<[f64; 2]> = read
            .candidates
            .iter()
            .flatten()
            .filter_map(|c| c.point)
            .collect();
        riskmap_io::crs::to_wgs84(crs, &mut points)
            .map_err(|e| input_err(&f.path, format!("cannot transform from {crs}: {e}")))?;
        let slots = read
            .candidates
            .iter_mut()
            .flatten()
            .filter_map(|c| c.point.as_mut());
        for (slot, p) in slots.zip(points) {
            *slot = p;
        }
    }
    Ok((read, unknown))
}

/// Validates every point source of the folder and joins it to the townships.
pub fn validate(
    data: &Path,
    found: &[Found],
    config: &Config,
    as_of: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Validated, PipelineError> {
    let snap_m = config.validate.snap_tolerance_m;
    let mut warnings = Vec::new();
    let townships_found = found
        .iter()
        .find(|f| f.source == Source::Townships)
        .ok_or_else(|| input_err(data, "no townships; add townships.gpkg (or .geojson, .shp, .fgb) with columns code and name"))?;
    // The townships and the point sources need nothing of each other until
    // the join, so they are read side by side: GDAL reads the townships on
    // one thread while the Parquet readers and row checks take the other.
    let stop = AtomicBool::new(false);
    let (townships_read, checked) = rayon::join(
        || {
            let clock = std::time::Instant::now();
            let mut warnings = Vec::new();
            let read = read_townships(
                &townships_found.path,
                &config.source(Source::Townships),
                &mut warnings,
            );
            // A bad townships layer is reported without waiting for every
            // point source to be read (minutes for a nation).
            stop.store(read.is_err(), Ordering::Relaxed);
            read.map(|(townships, polygons)| {
                let index = TownshipIndex::new(polygons);
                (townships, index, warnings, clock.elapsed().as_secs_f64())
            })
        },
        || {
            let clock = std::time::Instant::now();
            read_point_sources(found, config, &stop).map(|c| (c, clock.elapsed().as_secs_f64()))
        },
    );
    let (townships, index, township_warnings, township_seconds) = townships_read?;
    warnings.extend(township_warnings);
    let (checked, point_seconds) = checked?;
    let checked = checked.expect("stopped only when the townships failed");
    let mut timings = vec![
        ("read and index townships", township_seconds),
        ("read and check point sources", point_seconds),
    ];
    let mut clock = std::time::Instant::now();
    let mut lap = |step: &'static str| {
        timings.push((step, clock.elapsed().as_secs_f64()));
        clock = std::time::Instant::now();
    };
    let mut counts = vec![SourceCounts {
        source: "townships".into(),
        path: relative(data, &townships_found.path),
        sha256: townships_found.sha256()?,
        encoding: "binary".into(),
        rows_read: townships.len(),
        accepted: townships.len(),
        ..Default::default()
    }];
    let mut unknown_labels = BTreeMap::new();
    let mut reads = Vec::with_capacity(checked.len());
    for (read, unknown) in checked {
        for (k, n) in unknown {
            *unknown_labels.entry(k).or_insert(0) += n;
        }
        reads.push(read);
    }

    let as_of = match as_of {
        Some(d) => d,
        None => {
            let latest = reads
                .iter()
                .flat_map(|s| s.candidates.iter().flatten())
                .filter_map(|c| c.when)
                .map(|t| t.date())
                .filter(|d| *d <= today)
                .max();
            latest.map_or(today, |d| {
                d.succ_opt().expect("a date before the end of time")
            })
        }
    };

    let names = crate::township_names::TownshipNames::new(&townships, &config.township_aliases)
        .map_err(|why| input_err(&data.join("riskmap.toml"), why))?;
    let mut rejections = Vec::new();
    let rows: usize = reads
        .iter()
        .flat_map(|r| r.candidates.iter().map(Vec::len))
        .sum();
    let mut accepted = Vec::with_capacity(rows);
    let mut ids = Ids::with_capacity(rows);
    let mut code_mismatches = Vec::new();
    let join = JoinRules {
        index: &index,
        names: &names,
        townships: &townships,
        snap_m,
        fix_swapped: config.validate.fix_swapped,
        as_of,
    };
    for read in reads {
        let SourceRead {
            found: f,
            rows_read,
            encoding,
            sha256,
            candidates,
            rejections: mut rejected,
            ids: source_ids,
        } = read;
        let mut c = SourceCounts {
            source: f.source.stem().to_owned(),
            path: relative(data, &f.path),
            sha256,
            encoding: encoding.to_owned(),
            rows_read,
            ..Default::default()
        };
        // Each chunk of candidates is joined on its own, then the chunks'
        // results are appended in row order.
        let joined: Vec<Joined> = candidates
            .into_par_iter()
            .map(|chunk| join.chunk(f.source, &source_ids, chunk))
            .collect();
        for j in joined {
            c.snapped += j.counts.snapped;
            c.outside += j.counts.outside;
            c.swapped_fixed += j.counts.swapped_fixed;
            c.placed_by_code += j.counts.placed_by_code;
            c.placed_by_name += j.counts.placed_by_name;
            rejected.extend(j.rejected);
            code_mismatches.extend(j.mismatches);
            accepted.extend(j.accepted);
            ids.append(&j.ids);
        }
        c.rejected = rejected.len();
        c.accepted = c.rows_read - c.rejected;
        rejections.extend(rejected);
        counts.push(c);
    }
    lap("join points to townships");
    let mut area_counts = Vec::new();
    if let Some(f) = found.iter().find(|f| f.source == Source::AreaCounts) {
        let code_index: HashMap<&str, usize> = townships
            .iter()
            .enumerate()
            .map(|(i, t)| (t.code.as_str(), i))
            .collect();
        let (rows, rejected, c) =
            check_area_counts(f, &config.source(Source::AreaCounts), data, &code_index)?;
        area_counts = rows;
        rejections.extend(rejected);
        counts.push(c);
    }
    lap("read and check area counts");
    Ok(Validated {
        townships,
        area_counts,
        index,
        counts,
        rejections,
        accepted,
        ids,
        unknown_labels,
        code_mismatches,
        as_of,
        warnings,
        timings,
    })
}

/// What joining a point source's candidates needs: the townships and their
/// index, the names that place rows without coordinates, and the rules.
struct JoinRules<'a> {
    index: &'a TownshipIndex,
    names: &'a crate::township_names::TownshipNames<'a>,
    townships: &'a [Township],
    snap_m: f64,
    fix_swapped: bool,
    as_of: NaiveDate,
}

/// One chunk of candidates joined: the rows accepted (their ids apart), the
/// rows rejected and the code mismatches, in row order, and its counts.
#[derive(Default)]
struct Joined {
    accepted: Vec<Accepted>,
    ids: Ids,
    rejected: Vec<Rejection>,
    mismatches: Vec<CodeMismatch>,
    /// Only the snapped, outside, swapped and placed-by counts are kept.
    counts: SourceCounts,
}

impl JoinRules<'_> {
    /// Checks the dates of `chunk`'s candidates against the as-of date and
    /// places each in its township: by its point, else by the township it
    /// names.
    fn chunk(&self, source: Source, ids: &Cells, chunk: Vec<Candidate>) -> Joined {
        let stem = source.stem();
        let mut out = Joined {
            accepted: Vec::with_capacity(chunk.len()),
            ids: Ids::with_capacity(chunk.len()),
            ..Default::default()
        };
        let c = &mut out.counts;
        for cand in chunk {
            let id = ids.text(cand.row - 1).expect("checked");
            let reject = |kind: RejectKind, field: &str, reason: String| Rejection {
                source: stem.to_owned(),
                row: cand.row,
                id: Some(id.clone().into_owned()),
                field: field.to_owned(),
                reason,
                kind,
            };
            if let Some(t) = cand.when {
                if t.year() < EARLIEST_YEAR {
                    out.rejected.push(reject(
                        RejectKind::TooEarly,
                        date_field(source).expect("dated"),
                        format!(
                            "dated {}, before {EARLIEST_YEAR}: riskmap reads records from \
                             {EARLIEST_YEAR} on; check the date column and its date_format",
                            t.date()
                        ),
                    ));
                    continue;
                }
                if t.date() >= self.as_of {
                    out.rejected.push(reject(
                        RejectKind::Future,
                        date_field(source).expect("dated"),
                        format!(
                            "dated {} on or after the as-of date {}",
                            t.date(),
                            self.as_of
                        ),
                    ));
                    continue;
                }
            }
            let (township, point, placed_by) = match cand.point {
                Some(p) => match locate(self.index, p, self.snap_m, self.fix_swapped, c) {
                    Ok((township, point)) => (township, Some(point), PlacedBy::Location),
                    Err((kind, field, reason)) => {
                        out.rejected.push(reject(kind, field, reason));
                        continue;
                    }
                },
                None => match place_by_township(self.names, &cand) {
                    Ok((township, by)) => {
                        match by {
                            PlacedBy::Code => c.placed_by_code += 1,
                            _ => c.placed_by_name += 1,
                        }
                        (township, None, by)
                    }
                    Err((kind, field, reason)) => {
                        out.rejected.push(reject(kind, field, reason));
                        continue;
                    }
                },
            };
            if let Some(reported) = cand.reported_code() {
                if reported != self.townships[township].code {
                    out.mismatches.push(CodeMismatch {
                        source: stem.to_owned(),
                        row: cand.row,
                        id: id.clone().into_owned(),
                        reported: reported.to_owned(),
                        located: self.townships[township].code.clone(),
                    });
                }
            }
            out.ids.push(&id);
            out.accepted.push(Accepted {
                source,
                row: cand.row,
                township,
                point,
                placed_by,
                when: cand.when,
                label: cand.label,
                detail: cand.detail,
            });
        }
        out
    }
}

/// The township of a row with coordinates (the point as accepted, after any
/// swap fix), or the field and reason it is rejected with; counts snapped,
/// swapped and outside points in `c`.
fn locate(
    index: &TownshipIndex,
    p: [f64; 2],
    snap_m: f64,
    fix_swapped: bool,
    c: &mut SourceCounts,
) -> Result<(usize, [f64; 2]), (RejectKind, &'static str, String)> {
    match index.assign(p, snap_m) {
        Assignment::Inside(i) => Ok((i, p)),
        Assignment::Snapped(i, _) => {
            c.snapped += 1;
            Ok((i, p))
        }
        _ if swapped_in_region(index, p, snap_m) => {
            if fix_swapped {
                c.swapped_fixed += 1;
                let q = [p[1], p[0]];
                Ok((index.assign(q, snap_m).township().expect("checked"), q))
            } else {
                Err((RejectKind::Swapped, "lon", "lon and lat appear swapped (exchanged, the point lies in the region); fix the source, or set fix_swapped = true under [validate] in riskmap.toml".into()))
            }
        }
        Assignment::Outside(d) => {
            c.outside += 1;
            let how_far = if d.is_finite() {
                format!("{d:.0} m")
            } else {
                "more than 50 km".into()
            };
            Err((
                RejectKind::Outside,
                "lon",
                format!("outside the region by {how_far} (snap tolerance {snap_m} m)"),
            ))
        }
        Assignment::Invalid => Err((
            RejectKind::OffGlobe,
            "lon",
            format!("coordinates ({}, {}) are not on the globe", p[0], p[1]),
        )),
    }
}

/// The township of a row whose lon and lat are both empty: by its
/// `township_code` (exact), else by its township name (see
/// [`crate::township_names`]); or the field and reason it is rejected with.
fn place_by_township(
    names: &crate::township_names::TownshipNames<'_>,
    cand: &Candidate,
) -> Result<(usize, PlacedBy), (RejectKind, &'static str, String)> {
    use crate::township_names::NamePlacement;
    if let Some(code) = cand.reported_code() {
        return names.by_code(code).map(|i| (i, PlacedBy::Code)).ok_or_else(|| {
            (
                RejectKind::NoTownship,
                "township_code",
                format!("no coordinates, and no township has the code `{code}`; give lon and lat, or a township code from the townships layer"),
            )
        });
    }
    let Some(name) = cand.township_name() else {
        return Err((
            RejectKind::Missing,
            "lon",
            "missing lon and lat, and no township_code or township (乡镇) to place the row by"
                .into(),
        ));
    };
    match names.by_name(name, cand.county()) {
        NamePlacement::Placed(i) => Ok((i, PlacedBy::Name)),
        NamePlacement::Unknown => Err((
            RejectKind::NoTownship,
            "township",
            format!("no coordinates, and no township is named `{name}`; give lon and lat, a township_code, or map the name under [township_aliases] in riskmap.toml"),
        )),
        NamePlacement::Ambiguous(candidates) => Err((
            RejectKind::AmbiguousTownship,
            "township",
            format!(
                "ambiguous township name `{name}`: {}; give the row's county (a `county` column, e.g. 区县) or its township_code",
                names.describe(&candidates)
            ),
        )),
    }
}

/// Whether the point, with lon and lat exchanged, lies in the region.
fn swapped_in_region(index: &TownshipIndex, p: [f64; 2], snap_m: f64) -> bool {
    index.assign([p[1], p[0]], snap_m).township().is_some()
}

/// `path` relative to the region folder, as the manifest lists it.
pub(crate) fn relative(data: &Path, path: &Path) -> String {
    path.strip_prefix(data)
        .map(PathBuf::from)
        .unwrap_or_else(|_| path.to_owned())
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_sources_are_not_read_once_the_townships_failed() {
        // A file that cannot be read: reading it would be an error, so an
        // answer of `None` shows that it was not read.
        let dir = tempfile::tempdir().unwrap();
        let found = [Found::new(
            Source::Incidents,
            dir.path().join("incidents.csv"),
        )];
        let config = Config::default();
        let stop = AtomicBool::new(true);
        assert!(matches!(
            read_point_sources(&found, &config, &stop),
            Ok(None)
        ));
        stop.store(false, Ordering::Relaxed);
        assert!(read_point_sources(&found, &config, &stop).is_err());
    }

    #[test]
    fn dates_parse_in_the_forms_exports_use() {
        assert!(parse_when("2021-04-04T10:30:00", None).is_some());
        assert!(parse_when("2021-04-04 10:30", None).is_some());
        assert_eq!(
            parse_when("2021/04/04", None).unwrap().to_string(),
            "2021-04-04 00:00:00"
        );
        for bad in ["2021/13/45", "不详", "20210230", "2021-02-30"] {
            assert!(parse_when(bad, None).is_none(), "{bad}");
        }
        assert_eq!(
            parse_when("2021年04月04日", Some("%Y年%m月%d日"))
                .unwrap()
                .to_string(),
            "2021-04-04 00:00:00"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// The digit-by-digit reader agrees with chrono wherever it answers,
        /// and answers for every valid date-time in its shapes.
        #[test]
        fn iso_digits_read_as_chrono_does(
            t in "[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?|[0-9 :T/-]{8,20}|(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-4]):[0-6][0-9](:[0-6][0-9])?)?"
        ) {
            let general = parse_general(&t);
            match parse_iso_digits(t.as_bytes()) {
                Some(v) => proptest::prop_assert_eq!(Some(v), general, "{}", t),
                None => {
                    // Zero-padded fields in the reader's shapes (chrono also
                    // takes unpadded ones, and second 60 as a leap second).
                    let shape = b"0000-00-00T00:00:00";
                    let padded = matches!(t.len(), 10 | 16 | 19)
                        && t.bytes().zip(shape).all(|(b, s)| match s {
                            b'0' => b.is_ascii_digit(),
                            b'T' => b == b'T' || b == b' ',
                            _ => b == *s,
                        });
                    let leap = general.is_some_and(|g| g.and_utc().timestamp_subsec_nanos() > 0);
                    proptest::prop_assert!(
                        !padded || general.is_none() || leap,
                        "{} read only by chrono as {:?}", t, general
                    )
                }
            }
        }
    }
}
