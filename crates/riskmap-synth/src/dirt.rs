//! Realistic dirt in the records, so that ingest has something to catch.
//!
//! Each row of a dirtied source gets at most one kind of dirt, drawn with the
//! rates below (per row). Every dirtied row is listed in `truth/dirt.csv`.
//!
//! | kind | rate | what happens |
//! | --- | --- | --- |
//! | `missing_field` | 0.8% | a required field (date, lon, lat, id or category) is blank |
//! | `swapped_lonlat` | 0.4% | lon and lat are exchanged |
//! | `outside` | 0.3% | the point is moved 20–500 m beyond the region's outer border |
//! | `duplicate_id` | 0.5% | the row is exported twice (exact copy on the next line) |
//! | `negative_count` | 0.2% | deaths or injuries is -1 (sources that have them) |
//! | `unknown_category` | 0.3% | incidents only: a local label (`交通事故`, `工贸`, ...) |
//! | `wrong_township_code` | 0.5% | incidents only: `township_code` names a neighbour |
//! | `bad_date` | 0.2% | the date is unparseable (`2021/13/45`, `不详`) |
//! | `future_date` | 0.1% | the year is mistyped into the future (`2021` → `2201`) |

use geo::{Contains, Distance, Euclidean, Point};
use riskmap_domain::Source;

use crate::frame::{round6, Frame};
use crate::region::Town;
use crate::rng::Stream;
use crate::table::{Table, Value};

/// A kind of dirt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dirt {
    /// A required field is blank.
    MissingField,
    /// Lon and lat exchanged.
    SwappedLonLat,
    /// Point beyond the region's border.
    Outside,
    /// Row exported twice.
    DuplicateId,
    /// A count is negative.
    NegativeCount,
    /// A category label outside the vocabulary.
    UnknownCategory,
    /// The reported township code disagrees with the location.
    WrongTownshipCode,
    /// An unparseable date.
    BadDate,
    /// A date in the future.
    FutureDate,
}

impl Dirt {
    /// Every kind.
    pub const ALL: &'static [Dirt] = &[
        Dirt::MissingField,
        Dirt::SwappedLonLat,
        Dirt::Outside,
        Dirt::DuplicateId,
        Dirt::NegativeCount,
        Dirt::UnknownCategory,
        Dirt::WrongTownshipCode,
        Dirt::BadDate,
        Dirt::FutureDate,
    ];

    /// Its name in `truth/dirt.csv`.
    pub fn key(self) -> &'static str {
        match self {
            Dirt::MissingField => "missing_field",
            Dirt::SwappedLonLat => "swapped_lonlat",
            Dirt::Outside => "outside",
            Dirt::DuplicateId => "duplicate_id",
            Dirt::NegativeCount => "negative_count",
            Dirt::UnknownCategory => "unknown_category",
            Dirt::WrongTownshipCode => "wrong_township_code",
            Dirt::BadDate => "bad_date",
            Dirt::FutureDate => "future_date",
        }
    }

    /// Its rate per row.
    pub fn rate(self) -> f64 {
        match self {
            Dirt::MissingField => 0.008,
            Dirt::SwappedLonLat => 0.004,
            Dirt::Outside => 0.003,
            Dirt::DuplicateId => 0.005,
            Dirt::NegativeCount => 0.002,
            Dirt::UnknownCategory => 0.003,
            Dirt::WrongTownshipCode => 0.005,
            Dirt::BadDate => 0.002,
            Dirt::FutureDate => 0.001,
        }
    }
}

/// The kinds of dirt each source gets; sources not listed stay clean.
pub fn kinds_for(source: Source) -> &'static [Dirt] {
    use Dirt::*;
    match source {
        Source::Incidents => &[
            MissingField,
            SwappedLonLat,
            Outside,
            DuplicateId,
            NegativeCount,
            UnknownCategory,
            WrongTownshipCode,
            BadDate,
            FutureDate,
        ],
        Source::Fires | Source::GeohazardEvents => &[
            MissingField,
            SwappedLonLat,
            Outside,
            DuplicateId,
            NegativeCount,
            BadDate,
            FutureDate,
        ],
        Source::ForestFires => &[
            MissingField,
            SwappedLonLat,
            Outside,
            DuplicateId,
            BadDate,
            FutureDate,
        ],
        Source::HiddenHazards => &[MissingField, SwappedLonLat, Outside, DuplicateId, BadDate],
        Source::Enterprises => &[MissingField, SwappedLonLat, Outside, DuplicateId],
        _ => &[],
    }
}

/// One dirtied row, for `truth/dirt.csv`.
#[derive(Debug, Clone)]
pub struct DirtRecord {
    /// Index of the row in the final table (0-based).
    pub row: usize,
    /// What was done.
    pub kind: Dirt,
    /// Detail: the field, or the distance outside.
    pub detail: String,
}

/// Dirties `table` in place. `origin[r]` is the township row `r` was generated
/// in; it is kept aligned when rows are duplicated.
pub fn apply(
    seed: u64,
    source: Source,
    table: &mut Table,
    origin: &mut Vec<usize>,
    towns: &[Town],
    frame: &Frame,
) -> Vec<DirtRecord> {
    let kinds = kinds_for(source);
    if kinds.is_empty() {
        return Vec::new();
    }
    let mut rng = Stream::new(seed, source.stem(), 0xd1);
    let (lon, lat) = (table.col("lon"), table.col("lat"));
    let date_col = table
        .columns
        .iter()
        .position(|c| *c == "occurred_at" || *c == "found_on");
    let count_cols: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(**c, "deaths" | "injuries"))
        .map(|(i, _)| i)
        .collect();
    let required: Vec<usize> = source
        .required_columns()
        .iter()
        .map(|c| table.col(c))
        .collect();
    let outer_rows = origin.iter().filter(|&&t| towns[t].outer).count().max(1);
    let outer_boost = (origin.len() as f64 / outer_rows as f64).min(50.0);

    let rows = std::mem::take(&mut table.rows);
    let old_origin = std::mem::take(origin);
    let mut records = Vec::new();
    for (mut row, town) in rows.into_iter().zip(old_origin) {
        let u = rng.uniform();
        let mut acc = 0.0;
        // Only rows of border townships can be pushed outside, so their
        // chance is raised to keep the overall rate.
        let outer = towns[town].outer;
        let kind = kinds.iter().copied().find(|k| {
            acc += match k {
                Dirt::Outside if outer => k.rate() * outer_boost,
                Dirt::Outside => 0.0,
                _ => k.rate(),
            };
            u < acc
        });
        let mut detail = String::new();
        let mut duplicate = false;
        let applied = match kind {
            None => None,
            Some(Dirt::MissingField) => {
                let c = required[rng.below(required.len())];
                row[c] = Value::Null;
                detail = table.columns[c].to_string();
                kind
            }
            Some(Dirt::SwappedLonLat) => {
                row.swap(lon, lat);
                kind
            }
            Some(Dirt::Outside) => push_outside(&mut rng, town, towns, frame).map(|(p, metres)| {
                row[lon] = p.0.into();
                row[lat] = p.1.into();
                detail = format!("{metres:.0} m outside");
                Dirt::Outside
            }),
            Some(Dirt::DuplicateId) => {
                duplicate = true;
                None
            }
            Some(Dirt::NegativeCount) if !count_cols.is_empty() => {
                let c = count_cols[rng.below(count_cols.len())];
                row[c] = Value::Int(-1);
                detail = table.columns[c].to_string();
                kind
            }
            Some(Dirt::UnknownCategory) => {
                let c = table.col("category");
                row[c] = ["交通事故", "工贸", "建筑", "火工品", "溺水"][rng.below(5)].into();
                kind
            }
            Some(Dirt::WrongTownshipCode) if !towns[town].neighbors.is_empty() => {
                let c = table.col("township_code");
                let n = &towns[town].neighbors;
                row[c] = towns[n[rng.below(n.len())]].code.clone().into();
                kind
            }
            Some(Dirt::BadDate) if date_col.is_some() => {
                let c = date_col.expect("checked");
                row[c] = ["2021/13/45", "不详", "20210230", "2021-02-30"][rng.below(4)].into();
                detail = table.columns[c].to_string();
                kind
            }
            Some(Dirt::FutureDate) if date_col.is_some() => {
                let c = date_col.expect("checked");
                if let Value::Str(s) = &row[c] {
                    // 2021 -> 2201: the typo of swapped middle digits.
                    let mut chars: Vec<char> = s.chars().collect();
                    chars.swap(1, 2);
                    if chars[1] == '0' {
                        chars[1] = '2';
                    }
                    row[c] = chars.into_iter().collect::<String>().into();
                }
                detail = table.columns[c].to_string();
                kind
            }
            Some(_) => None,
        };
        if let Some(k) = applied {
            records.push(DirtRecord {
                row: table.rows.len(),
                kind: k,
                detail: detail.clone(),
            });
        }
        if duplicate {
            table.rows.push(row.clone());
            origin.push(town);
            records.push(DirtRecord {
                row: table.rows.len(),
                kind: Dirt::DuplicateId,
                detail: "copy of the row above".into(),
            });
        }
        table.rows.push(row);
        origin.push(town);
    }
    records
}

/// A point 20–500 m beyond the region's border near township `t`, as rounded
/// lon/lat, with its distance from the region in metres.
fn push_outside(
    rng: &mut Stream,
    t: usize,
    towns: &[Town],
    frame: &Frame,
) -> Option<((f64, f64), f64)> {
    let town = &towns[t];
    if town.border_vertices.is_empty() {
        return None;
    }
    for _ in 0..20 {
        let v = town.border_vertices[rng.below(town.border_vertices.len())];
        let (dx, dy) = (v[0] - town.site[0], v[1] - town.site[1]);
        let norm = dx.hypot(dy);
        let d = if rng.chance(0.5) {
            rng.range(0.02, 0.09)
        } else {
            rng.range(0.15, 0.5)
        };
        let (lon, lat) = frame.to_lonlat(v[0] + dx / norm * d, v[1] + dy / norm * d);
        let (lon, lat) = (round6(lon), round6(lat));
        let p = Point::new(lon, lat);
        let nearby = std::iter::once(t).chain(town.neighbors.iter().copied());
        if nearby.clone().any(|j| towns[j].polygon.contains(&p)) {
            continue;
        }
        let (x, y) = frame.to_km(lon, lat);
        let km = nearby
            .map(|j| Euclidean.distance(&Point::new(x, y), towns[j].poly_km.exterior()))
            .fold(f64::INFINITY, f64::min);
        return Some(((lon, lat), km * 1000.0));
    }
    None
}
