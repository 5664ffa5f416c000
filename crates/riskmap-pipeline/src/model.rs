//! The run's data model: what validation hands every later stage. Townships
//! in code order, accepted point records and `area_counts` rows, rejections
//! with a typed kind, counts per source, and the as-of date with the one
//! definition of the current and the last complete year.
//!
//! Every stage reads these types; this module imports no other module of
//! the crate, so that it sits at the bottom of the pipeline.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use riskmap_domain::Source;
use riskmap_spatial::join::TownshipIndex;
use serde::Serialize;

/// The as-of year: the year of the last day the data cover. Records dated on
/// or after the as-of date are future, so the data end the day before it,
/// and a run on 1 January describes the whole year just ended, not an empty
/// new one.
pub fn current_year(as_of: NaiveDate) -> i32 {
    as_of
        .pred_opt()
        .expect("a date after the start of time")
        .year()
}

/// The last calendar year the data cover completely, 1 January to
/// 31 December: the current year when the as-of date is 1 January of the
/// next year, else the year before it. (On 31 December the data end on
/// 30 December, so that year is not complete yet.)
pub fn last_complete_year(as_of: NaiveDate) -> i32 {
    if as_of.ordinal() == 1 {
        current_year(as_of)
    } else {
        current_year(as_of) - 1
    }
}

/// A rejected row, as `rejected.csv` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    /// Source stem.
    pub source: String,
    /// Data row, from 1.
    pub row: usize,
    /// The row's id, if it has one.
    pub id: Option<String>,
    /// The field at fault.
    pub field: String,
    /// Why, and what to do.
    pub reason: String,
    /// The kind of problem, which the report groups rejections by.
    #[serde(skip)]
    pub kind: RejectKind,
}

/// An accepted row whose reported `township_code` is not the code of the
/// township its location lies in (`township_code_mismatches.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeMismatch {
    /// Source stem.
    pub source: String,
    /// Data row, from 1.
    pub row: usize,
    /// The row's id.
    pub id: String,
    /// The code the row reports.
    pub reported: String,
    /// The code of the township its location lies in.
    pub located: String,
}

/// The kind of problem a row was rejected for: the report counts
/// rejections by kind and field, in words of its own; the reason says the
/// details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectKind {
    /// An id seen on an earlier row of the source.
    DuplicateId,
    /// A required field is blank.
    Missing,
    /// A date that no known form reads.
    Unparseable,
    /// No coordinates, and the township code or name matches no township.
    NoTownship,
    /// No coordinates, and two townships share the name.
    AmbiguousTownship,
    /// An `area_counts` code that no township has.
    UnknownTownshipCode,
    /// A label outside the field's vocabulary.
    NotInVocabulary,
    /// A point outside the region, beyond the snap tolerance.
    Outside,
    /// A point whose lon and lat look exchanged.
    Swapped,
    /// Coordinates off the globe (NaN, beyond ±180°/±90° after the transform).
    OffGlobe,
    /// Dated on or after the as-of date.
    Future,
    /// Dated before [`crate::validate::EARLIEST_YEAR`].
    TooEarly,
    /// A number that is not one, or negative where counts cannot be.
    InvalidNumber,
}

/// Counts per source, as `manifest.json` lists them.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct SourceCounts {
    /// Source stem.
    pub source: String,
    /// Path relative to the region folder.
    pub path: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Text encoding the file was read with.
    pub encoding: String,
    /// Rows read.
    pub rows_read: usize,
    /// Rows accepted.
    pub accepted: usize,
    /// Rows rejected.
    pub rejected: usize,
    /// Accepted rows snapped onto the region.
    pub snapped: usize,
    /// Rejected rows outside the region.
    pub outside: usize,
    /// Accepted rows whose lon and lat were exchanged and swapped back
    /// (only with `fix_swapped = true`).
    pub swapped_fixed: usize,
    /// Accepted rows without coordinates, placed by their `township_code`.
    #[serde(default)]
    pub placed_by_code: usize,
    /// Accepted rows without coordinates, placed by their township name.
    #[serde(default)]
    pub placed_by_name: usize,
}

/// How an accepted record was placed in its township (`assigned.parquet`'s
/// `placed_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacedBy {
    /// By its lon/lat, in the polygon that contains it (or snapped onto it).
    Location,
    /// No coordinates: by its `township_code`.
    Code,
    /// No coordinates: by its township name.
    Name,
}

impl PlacedBy {
    /// The value written in `assigned.parquet`.
    pub fn key(self) -> &'static str {
        match self {
            PlacedBy::Location => "location",
            PlacedBy::Code => "code",
            PlacedBy::Name => "name",
        }
    }
}

/// What a record cost: deaths, injuries and direct loss; 0 where not given.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Severity {
    /// People dead.
    pub deaths: f64,
    /// People injured.
    pub injuries: f64,
    /// Direct loss, 10k CNY.
    pub loss_10k_cny: f64,
}

/// What the fire brigade sent to a fire: vehicles, personnel, and the
/// people it rescued; 0 where not given.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Dispatch {
    /// Vehicles.
    pub vehicles: f64,
    /// Personnel.
    pub personnel: f64,
    /// People rescued.
    pub rescued: f64,
}

/// An accepted point record.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// Source.
    pub source: Source,
    /// Data row, from 1.
    pub row: usize,
    /// Township index (code order).
    pub township: usize,
    /// Where: WGS84 lon/lat (after any coordinate transform and swap fix);
    /// `None` for a row placed by its township's code or name, which counts
    /// everywhere except where a point is needed (kernel density, grids).
    pub point: Option<[f64; 2]>,
    /// How the row was placed.
    pub placed_by: PlacedBy,
    /// Date of the record (occurred_at or found_on), if the source is dated.
    pub when: Option<NaiveDateTime>,
    /// Category, type or level as a SPEC key, where the source has one.
    pub label: Option<&'static str>,
    /// The values only some sources carry; `None` where all are empty or
    /// zero (every enterprise, community, shelter, ...). Read through the
    /// accessors below.
    pub detail: Option<Box<Detail>>,
}

/// The values of a record that only some sources carry, boxed apart from
/// [`Accepted`]: inline they were 80 of each row's 152 bytes, zero on most
/// of the nation's 10.6M rows.
#[derive(Debug, Clone, Default)]
pub struct Detail {
    /// Deaths, injuries and direct loss; 0 where not given.
    pub severity: Severity,
    /// Fire-brigade dispatch; 0 where not given.
    pub dispatch: Dispatch,
    /// Burned area of a forest fire, ha; 0 where not given.
    pub burned_area_ha: f64,
    /// Hidden hazards only: `deadline` and `rectified_on`, where given.
    pub extra_dates: [Option<NaiveDate>; 2],
    /// Hidden hazards only: `sector`, where given (for the overdue list).
    pub sector: Option<Box<str>>,
}

impl Detail {
    /// The box, or `None` when every value is empty or +0 (compared bit for
    /// bit, so that a −0 read is kept as read).
    pub fn boxed(self) -> Option<Box<Detail>> {
        let zero = |v: f64| v.to_bits() == 0;
        let Detail {
            severity: s,
            dispatch: d,
            burned_area_ha,
            extra_dates,
            sector,
        } = &self;
        let empty = [
            s.deaths,
            s.injuries,
            s.loss_10k_cny,
            d.vehicles,
            d.personnel,
            d.rescued,
            *burned_area_ha,
        ]
        .into_iter()
        .all(zero)
            && extra_dates.iter().all(Option::is_none)
            && sector.is_none();
        (!empty).then(|| Box::new(self))
    }
}

impl Accepted {
    /// Deaths, injuries and direct loss; 0 where not given.
    pub fn severity(&self) -> Severity {
        self.detail
            .as_ref()
            .map_or_else(Severity::default, |d| d.severity)
    }

    /// Fire-brigade dispatch; 0 where not given.
    pub fn dispatch(&self) -> Dispatch {
        self.detail
            .as_ref()
            .map_or_else(Dispatch::default, |d| d.dispatch)
    }

    /// Burned area of a forest fire, ha; 0 where not given.
    pub fn burned_area_ha(&self) -> f64 {
        self.detail.as_ref().map_or(0.0, |d| d.burned_area_ha)
    }

    /// Hidden hazards only: `deadline` and `rectified_on`, where given.
    pub fn extra_dates(&self) -> [Option<NaiveDate>; 2] {
        self.detail.as_ref().map_or([None; 2], |d| d.extra_dates)
    }

    /// Hidden hazards only: `sector`, where given.
    pub fn sector(&self) -> Option<&str> {
        self.detail.as_ref()?.sector.as_deref()
    }
}

/// The ids of the accepted point rows in one buffer, in the order of
/// [`Validated::accepted`]: `ids.get(k)` is `accepted[k]`'s id. A `String`
/// per row cost 40–50 bytes of each of the nation's 10.6M rows (pointer,
/// length, capacity and a heap block); here a row costs its text and one end.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    text: String,
    ends: Vec<usize>,
}

impl Ids {
    /// Room for `rows` ids.
    pub fn with_capacity(rows: usize) -> Ids {
        Ids {
            text: String::new(),
            ends: Vec::with_capacity(rows),
        }
    }

    /// Appends the next row's id.
    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    /// Appends `other`'s ids after these.
    pub fn append(&mut self, other: &Ids) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.ends.extend(other.ends.iter().map(|e| base + e));
    }

    /// The id of row `k`.
    pub fn get(&self, k: usize) -> &str {
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.text[start..self.ends[k]]
    }
}

/// An accepted row of `area_counts`: counts already aggregated by township.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaCount {
    /// Township index (code order).
    pub township: usize,
    /// Year.
    pub year: i32,
    /// Measure name.
    pub measure: String,
    /// Count, deaths, injuries, direct loss (10k CNY).
    pub values: [f64; 4],
}

/// A township as read.
#[derive(Debug, Clone)]
pub struct Township {
    /// 12-digit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Population, from the layer's `population` column if it has one.
    pub population: Option<f64>,
    /// County, from the layer's `county` column if it has one (the report's title).
    pub county: Option<String>,
}

/// Everything validation found.
pub struct Validated {
    /// Townships in code order.
    pub townships: Vec<Township>,
    /// Accepted rows of `area_counts`.
    pub area_counts: Vec<AreaCount>,
    /// The spatial index over them.
    pub index: TownshipIndex,
    /// Counts per source, in SPEC order (townships first).
    pub counts: Vec<SourceCounts>,
    /// Rejected rows.
    pub rejections: Vec<Rejection>,
    /// Accepted point rows.
    pub accepted: Vec<Accepted>,
    /// Their ids, in the same order.
    pub ids: Ids,
    /// Labels outside a vocabulary, with how often each occurred.
    pub unknown_labels: BTreeMap<(String, String, String), usize>,
    /// Accepted rows whose reported township_code disagrees with their location.
    pub code_mismatches: Vec<CodeMismatch>,
    /// The as-of date used.
    pub as_of: NaiveDate,
    /// Problems that did not stop the run (invalid township polygons, ...).
    pub warnings: Vec<String>,
    /// Wall time of validation's steps, in order: (step, seconds).
    pub timings: Vec<(&'static str, f64)>,
}

impl Validated {
    /// The as-of year: the year of the last day the data cover (the day
    /// before the as-of date), so that a run on 1 January describes the
    /// whole year just ended, not an empty new one.
    pub fn current_year(&self) -> i32 {
        current_year(self.as_of)
    }

    /// The last year with complete data: the current year when the as-of
    /// date is 1 January of the next year, else the year before it.
    pub fn last_complete_year(&self) -> i32 {
        last_complete_year(self.as_of)
    }

    /// The townships' bounding box, lon/lat: (lower left, upper right).
    pub fn region_bounds(&self) -> ([f64; 2], [f64; 2]) {
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for c in self
            .index
            .polygons()
            .iter()
            .flat_map(|mp| mp.0.iter())
            .flat_map(|p| p.exterior().0.iter())
        {
            lo = [lo[0].min(c.x), lo[1].min(c.y)];
            hi = [hi[0].max(c.x), hi[1].max(c.y)];
        }
        (lo, hi)
    }

    /// The centre of the townships' bounding box, lon/lat.
    pub fn region_centre(&self) -> [f64; 2] {
        let (lo, hi) = self.region_bounds();
        [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every month end and year end, and the day after each, for a span of
    /// years with a leap year: the last complete year is the last year whose
    /// 31 December lies before the as-of date.
    #[test]
    fn last_complete_year_at_every_month_end_and_year_end() {
        for year in 2019..=2025 {
            for month in 1..=12 {
                let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap();
                let month_end = NaiveDate::from_ymd_opt(year, month, 1)
                    .unwrap()
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap()
                    .pred_opt()
                    .unwrap();
                for as_of in [first, month_end, month_end.succ_opt().unwrap()] {
                    let data_end = as_of.pred_opt().unwrap();
                    let want = if data_end.month() == 12 && data_end.day() == 31 {
                        data_end.year()
                    } else {
                        data_end.year() - 1
                    };
                    assert_eq!(last_complete_year(as_of), want, "as-of {as_of}");
                    assert_eq!(current_year(as_of), data_end.year(), "as-of {as_of}");
                }
            }
        }
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(last_complete_year(d(2022, 1, 1)), 2021);
        assert_eq!(last_complete_year(d(2021, 12, 31)), 2020);
        assert_eq!(last_complete_year(d(2021, 12, 1)), 2020);
        assert_eq!(current_year(d(2022, 1, 1)), 2021);
    }
}
