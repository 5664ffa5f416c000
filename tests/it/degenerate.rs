//! Degenerate region folders (issue 13, "never an internal error on input"):
//! `riskmap run`, the real binary, on a few hundred tiny folders that are
//! legal but extreme: less than one complete year of records, a single year
//! of the 19th century, one township, townships touching at a point only, an
//! island, multipart townships with holes, townships of 10,000+ vertices, a
//! source with zero rows or one, every event on one day or in one township,
//! population missing, zero or known for one township only, a measure that is
//! constant or all zero, an as-of date before every record.
//!
//! Every folder is a [`Recipe`] drawn from a seed (case `i` of the run is
//! `Recipe::draw(BASE_SEED, i)`), so a failure replays: the message prints the
//! recipe, and `RISKMAP_DEGENERATE_CASE=i` runs that case alone
//! (`RISKMAP_DEGENERATE_CASES=n` runs the first `n`). The geometry cycles
//! through every [`Geometry`] so that each one is covered whatever the count.
//!
//! What must hold: the exit code is never 2 (nor a panic); a run that
//! succeeds has `rows_read = accepted + rejected` for every source in
//! `manifest.json` and lists every stage of the job, run or skipped with a
//! reason; a run that fails with exit 1 says which file or flag is at fault.
//! Folders run two at a time (the CI machine has two cores). Most use the
//! default settings; one in five lowers the permutations and Monte Carlo draws
//! through `riskmap.toml`, which exercises the configuration path as well.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The seed every case is drawn from.
const BASE_SEED: u64 = 0x5EED_0013;

/// How many folders CI runs (SPEC's issue asks for at least 200).
const DEFAULT_CASES: usize = 216;

/// SplitMix64: a dozen lines, so the recipe of a case never depends on a
/// crate's version.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// The townships' layout.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Geometry {
    /// `cols × rows` squares sharing their edges exactly.
    Grid { cols: usize, rows: usize },
    /// A single township.
    One,
    /// Two squares touching at one corner only.
    CornerOnly,
    /// A row of squares and one far away with no neighbour.
    Island { cols: usize },
    /// A township of two parts, one with a hole that another township fills,
    /// and a third township between the parts.
    MultipartWithHoles,
    /// Two townships sharing a zigzag border; the first has 10,000+ vertices.
    ManyVertices,
}

const GEOMETRIES: [Geometry; 7] = [
    Geometry::Grid { cols: 3, rows: 2 },
    Geometry::One,
    Geometry::CornerOnly,
    Geometry::Island { cols: 2 },
    Geometry::MultipartWithHoles,
    Geometry::ManyVertices,
    Geometry::Grid { cols: 2, rows: 1 },
];

/// Which years the records cover, and the as-of date's relation to them.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Years {
    /// January to May of one year: no complete year at all.
    PartYear(i32),
    /// One whole year in the 19th century.
    Year1887,
    /// One complete year and a part of the next.
    YearAndAHalf(i32),
    /// Several complete years and a part.
    Several { first: i32, last: i32 },
    /// Two distant years with nothing in between.
    Gap(i32, i32),
}

/// The as-of date.
#[derive(Debug, Clone, Copy, PartialEq)]
enum AsOf {
    /// Not given: the day after the latest record.
    Default,
    /// The day after the last day of the records' span.
    AfterSpan,
    /// Before every record (every dated record is then in the future).
    BeforeEverything,
    /// 1 January of the year after the records.
    NewYear,
    /// Years after the records.
    Later,
}

/// How many rows a source has.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rows {
    Absent,
    /// The header only.
    Zero,
    One,
    Few(usize),
}

/// Where and when the events fall.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Spread {
    /// Random townships and dates.
    Anywhere,
    /// Every event in one township.
    OneTownship,
    /// Every event on one day.
    OneDay,
    /// Exactly one event per township and year: the count is constant, so
    /// Moran's I and Gi* are undefined.
    Constant,
    /// No event in the as-of year: the current year's measure is all zero.
    NoneThisYear,
}

/// What the folder says about population.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Population {
    /// A `population` column with a value for every township.
    Column,
    /// No population anywhere.
    Missing,
    /// Every township's population is 0.
    Zero,
    /// Only one township has a population.
    OneValue,
    /// A `population` table with a single row.
    TableOneRow,
    /// A `population` table with a header only.
    TableEmpty,
}

/// One degenerate folder.
#[derive(Debug, Clone)]
struct Recipe {
    case: usize,
    geometry: Geometry,
    years: Years,
    as_of: AsOf,
    /// Rows of incidents, fires, forest_fires, geohazard_events.
    events: [Rows; 4],
    spread: Spread,
    /// Rows of geohazard_sites, hidden_hazards, enterprises, communities,
    /// shelters, fire_stations.
    assets: [Rows; 6],
    area_counts: Rows,
    population: Population,
    /// Lower permutations and Monte Carlo draws in riskmap.toml.
    quick_config: bool,
}

const EVENT_SOURCES: [&str; 4] = ["incidents", "fires", "forest_fires", "geohazard_events"];
const ASSET_SOURCES: [&str; 6] = [
    "geohazard_sites",
    "hidden_hazards",
    "enterprises",
    "communities",
    "shelters",
    "fire_stations",
];

impl Recipe {
    fn draw(seed: u64, case: usize) -> Recipe {
        let mut r = Rng::new(seed, case as u64);
        let geometry = GEOMETRIES[case % GEOMETRIES.len()];
        let years = match r.below(6) {
            0 => Years::PartYear(2021),
            1 => Years::Year1887,
            2 => Years::YearAndAHalf(2020),
            3 => Years::Gap(1999, 2021),
            _ => Years::Several {
                first: 2016 + r.below(3) as i32,
                last: 2021,
            },
        };
        let as_of = r.pick(&[
            AsOf::Default,
            AsOf::Default,
            AsOf::AfterSpan,
            AsOf::BeforeEverything,
            AsOf::NewYear,
            AsOf::Later,
        ]);
        let rows = |r: &mut Rng| match r.below(5) {
            0 => Rows::Absent,
            1 => Rows::Zero,
            2 => Rows::One,
            _ => Rows::Few(2 + r.below(40)),
        };
        let mut events = [rows(&mut r), rows(&mut r), rows(&mut r), rows(&mut r)];
        if case % 11 == 3 {
            // A folder of townships and assets only: no event source at all.
            events = [Rows::Absent; 4];
        }
        let assets = [
            rows(&mut r),
            rows(&mut r),
            rows(&mut r),
            rows(&mut r),
            rows(&mut r),
            rows(&mut r),
        ];
        let area_counts = if r.chance(0.25) {
            rows(&mut r)
        } else {
            Rows::Absent
        };
        Recipe {
            case,
            geometry,
            years,
            as_of,
            events,
            spread: r.pick(&[
                Spread::Anywhere,
                Spread::Anywhere,
                Spread::OneTownship,
                Spread::OneDay,
                Spread::Constant,
                Spread::NoneThisYear,
            ]),
            assets,
            area_counts,
            population: r.pick(&[
                Population::Column,
                Population::Column,
                Population::Missing,
                Population::Zero,
                Population::OneValue,
                Population::TableOneRow,
                Population::TableEmpty,
            ]),
            quick_config: case % 5 == 4,
        }
    }

    /// The span of dates the records cover: (first day, last day).
    fn span(&self) -> (Date, Date) {
        match self.years {
            Years::PartYear(y) => (Date(y, 1, 5), Date(y, 5, 31)),
            Years::Year1887 => (Date(1887, 1, 1), Date(1887, 12, 31)),
            Years::YearAndAHalf(y) => (Date(y, 1, 1), Date(y + 1, 6, 30)),
            Years::Several { first, last } => (Date(first, 1, 1), Date(last, 6, 30)),
            Years::Gap(a, b) => (Date(a, 1, 1), Date(b, 6, 30)),
        }
    }

    /// The `--as-of` argument, if any.
    fn as_of_arg(&self) -> Option<String> {
        let (first, last) = self.span();
        match self.as_of {
            AsOf::Default => None,
            AsOf::AfterSpan => Some(last.next().to_string()),
            AsOf::BeforeEverything => Some(Date(first.0 - 1, 12, 31).to_string()),
            AsOf::NewYear => Some(Date(last.0 + 1, 1, 1).to_string()),
            AsOf::Later => Some(Date(last.0 + 3, 3, 15).to_string()),
        }
    }

    /// The year the statistics describe (roughly: the as-of year).
    fn current_year(&self) -> i32 {
        let (first, last) = self.span();
        match self.as_of {
            AsOf::BeforeEverything => first.0 - 1,
            AsOf::Later => last.0 + 3,
            _ => last.0,
        }
    }
}

/// A calendar date (no validation beyond what the generator needs: days ≤ 28
/// are drawn, and the few fixed dates are real).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
struct Date(i32, u32, u32);

impl Date {
    fn next(self) -> Date {
        let Date(y, m, d) = self;
        let days = match m {
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if d < days {
            Date(y, m, d + 1)
        } else if m < 12 {
            Date(y, m + 1, 1)
        } else {
            Date(y + 1, 1, 1)
        }
    }
    /// A date drawn in [from, to], month and day coarse (day ≤ 28).
    fn between(r: &mut Rng, from: Date, to: Date) -> Date {
        loop {
            let y = from.0 + r.below((to.0 - from.0 + 1) as usize) as i32;
            let d = Date(y, 1 + r.below(12) as u32, 1 + r.below(28) as u32);
            if d >= from && d <= to {
                return d;
            }
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0, self.1, self.2)
    }
}

/// A township: polygons (rings of lon/lat) and points safely inside it.
struct Town {
    polygons: Vec<Vec<Vec<(f64, f64)>>>,
    inside: Vec<(f64, f64)>,
}

/// Side of a square township, degrees (about 2 km).
const D: f64 = 0.02;
const X0: f64 = 120.0;
const Y0: f64 = 30.0;

/// Corner `(i, j)` of the lattice: every township computes a shared corner
/// with the same expression, so shared borders are bit-identical.
fn corner(i: i64, j: i64) -> (f64, f64) {
    (X0 + i as f64 * D, Y0 + j as f64 * D)
}

fn square_ring(i: i64, j: i64) -> Vec<(f64, f64)> {
    vec![
        corner(i, j),
        corner(i + 1, j),
        corner(i + 1, j + 1),
        corner(i, j + 1),
        corner(i, j),
    ]
}

fn centre(i: i64, j: i64) -> (f64, f64) {
    (X0 + (i as f64 + 0.5) * D, Y0 + (j as f64 + 0.5) * D)
}

fn square_town(i: i64, j: i64) -> Town {
    Town {
        polygons: vec![vec![square_ring(i, j)]],
        inside: vec![centre(i, j)],
    }
}

fn townships(geometry: Geometry) -> Vec<Town> {
    match geometry {
        Geometry::Grid { cols, rows } => (0..rows as i64)
            .flat_map(|j| (0..cols as i64).map(move |i| square_town(i, j)))
            .collect(),
        Geometry::One => vec![square_town(0, 0)],
        Geometry::CornerOnly => vec![square_town(0, 0), square_town(1, 1)],
        Geometry::Island { cols } => {
            let mut t: Vec<Town> = (0..cols as i64).map(|i| square_town(i, 0)).collect();
            t.push(square_town(cols as i64 + 10, 5));
            t
        }
        Geometry::MultipartWithHoles => {
            // A: a 3×3 block with the middle square as a hole, plus a square
            // part two cells east; B fills the hole; C sits between A's parts.
            let outer = vec![
                corner(0, 0),
                corner(3, 0),
                corner(3, 3),
                corner(0, 3),
                corner(0, 0),
            ];
            let hole = vec![
                corner(1, 1),
                corner(1, 2),
                corner(2, 2),
                corner(2, 1),
                corner(1, 1),
            ];
            vec![
                Town {
                    polygons: vec![vec![outer, hole], vec![square_ring(4, 0)]],
                    inside: vec![centre(0, 0), centre(2, 2), centre(4, 0)],
                },
                square_town(1, 1),
                square_town(3, 0),
            ]
        }
        Geometry::ManyVertices => {
            // The shared border x = X0 + D zigzags by 1e-5° (about a metre)
            // over 6,000 vertices; A's other sides are densified to 1,500 each.
            let n = 6000;
            let zig: Vec<(f64, f64)> = (0..=n)
                .map(|k| {
                    let x = X0 + D + if k % 2 == 1 { 1e-5 } else { 0.0 };
                    let y = if k == n {
                        Y0 + D
                    } else {
                        Y0 + D * k as f64 / n as f64
                    };
                    (x, y)
                })
                .collect();
            let line = |a: (f64, f64), b: (f64, f64), m: usize| -> Vec<(f64, f64)> {
                (0..m)
                    .map(|k| {
                        let t = k as f64 / m as f64;
                        (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
                    })
                    .collect()
            };
            let (sw, se, ne, nw) = (corner(0, 0), corner(1, 0), corner(1, 1), corner(0, 1));
            let mut a = line(sw, se, 1500);
            a.extend(zig.iter().copied().take(n));
            a.extend(line(ne, nw, 1500));
            a.extend(line(nw, sw, 1500));
            a.push(sw);
            let mut b: Vec<(f64, f64)> = zig.iter().rev().copied().collect();
            b.extend([corner(2, 0), corner(2, 1)]);
            b.push(ne);
            vec![
                Town {
                    polygons: vec![vec![a]],
                    inside: vec![centre(0, 0)],
                },
                square_town(1, 0),
            ]
        }
    }
}

fn ring_json(ring: &[(f64, f64)]) -> String {
    let mut s = String::from("[");
    for (k, (x, y)) in ring.iter().enumerate() {
        if k > 0 {
            s.push(',');
        }
        write!(s, "[{x},{y}]").unwrap();
    }
    s.push(']');
    s
}

fn code(i: usize) -> String {
    format!("339901{:03}000", i + 1)
}

/// Writes the folder; returns the files written (for the exit-1 check).
fn write_folder(recipe: &Recipe, dir: &Path) -> Vec<String> {
    let mut r = Rng::new(BASE_SEED ^ 0xF01D, recipe.case as u64);
    let towns = townships(recipe.geometry);
    let n = towns.len();
    let mut files = Vec::new();
    let mut write = |name: &str, body: String| {
        std::fs::write(dir.join(name), body).unwrap();
        files.push(name.to_owned());
    };

    // Townships, with the population column the recipe asks for.
    let mut features = Vec::new();
    for (i, t) in towns.iter().enumerate() {
        let population = match recipe.population {
            Population::Column => format!("{}", 1000 + r.below(50_000)),
            Population::Zero => "0".into(),
            Population::OneValue if i == 0 => "12345".into(),
            _ => "null".into(),
        };
        let geometry = if t.polygons.len() == 1 {
            let rings: Vec<String> = t.polygons[0].iter().map(|r| ring_json(r)).collect();
            format!(
                r#"{{"type":"Polygon","coordinates":[{}]}}"#,
                rings.join(",")
            )
        } else {
            let polys: Vec<String> = t
                .polygons
                .iter()
                .map(|p| {
                    let rings: Vec<String> = p.iter().map(|r| ring_json(r)).collect();
                    format!("[{}]", rings.join(","))
                })
                .collect();
            format!(
                r#"{{"type":"MultiPolygon","coordinates":[{}]}}"#,
                polys.join(",")
            )
        };
        let population = if recipe.population == Population::Missing {
            String::new()
        } else {
            format!(r#","population":{population}"#)
        };
        features.push(format!(
            r#"{{"type":"Feature","properties":{{"code":"{}","name":"镇{i}"{population}}},"geometry":{geometry}}}"#,
            code(i)
        ));
    }
    write(
        "townships.geojson",
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",\n")
        ),
    );
    match recipe.population {
        Population::TableOneRow => write(
            "population.csv",
            format!(
                "code,year,population\n{},{},5000\n",
                code(0),
                recipe.span().1 .0
            ),
        ),
        Population::TableEmpty => write("population.csv", "code,year,population\n".into()),
        _ => {}
    }

    // A point inside township `t`, jittered inside its safe area.
    let point = |r: &mut Rng, t: usize| {
        let (x, y) = towns[t].inside[r.below(towns[t].inside.len())];
        (
            x + (r.unit() - 0.5) * D * 0.6,
            y + (r.unit() - 0.5) * D * 0.6,
        )
    };
    let (first, last) = recipe.span();
    let this_year = recipe.current_year();
    let one_day = Date::between(&mut r, first, last);
    let one_town = r.below(n);
    // The (township, date) of each event row.
    let draw_events = |r: &mut Rng, rows: usize| -> Vec<(usize, Date)> {
        match recipe.spread {
            Spread::Constant => {
                // One event per township per year of the span: constant counts.
                let mut out = Vec::new();
                for y in first.0..=last.0 {
                    if matches!(recipe.years, Years::Gap(a, b) if y != a && y != b) {
                        continue;
                    }
                    let day = Date(y, first.1, first.2.max(1));
                    for t in 0..n {
                        out.push((t, day));
                    }
                }
                let _ = rows;
                out
            }
            _ => (0..rows)
                .map(|_| {
                    let t = match recipe.spread {
                        Spread::OneTownship => one_town,
                        _ => r.below(n),
                    };
                    let mut d = match recipe.spread {
                        Spread::OneDay => one_day,
                        _ => Date::between(r, first, last),
                    };
                    if let Years::Gap(a, b) = recipe.years {
                        d.0 = if r.chance(0.5) { a } else { b };
                    }
                    if recipe.spread == Spread::NoneThisYear && d.0 >= this_year {
                        // Nothing in the as-of year: such records move to
                        // the year before.
                        d.0 = this_year - 1;
                    }
                    (t, d)
                })
                .collect(),
        }
    };
    for (s, rows) in EVENT_SOURCES.iter().zip(recipe.events) {
        let count = match rows {
            Rows::Absent => continue,
            Rows::Zero => 0,
            Rows::One => 1,
            Rows::Few(k) => k,
        };
        let events = if count == 0 {
            Vec::new()
        } else {
            draw_events(&mut r, count)
        };
        let events: Vec<(usize, Date)> = match rows {
            Rows::One => events.into_iter().take(1).collect(),
            _ => events,
        };
        let mut body = String::from(match *s {
            "incidents" => "id,occurred_at,category,lon,lat,deaths,injuries,loss_10k_cny\n",
            "geohazard_events" => "id,occurred_at,type,lon,lat,deaths\n",
            "forest_fires" => "id,occurred_at,lon,lat,burned_area_ha\n",
            _ => "id,occurred_at,lon,lat,deaths,injuries,loss_10k_cny\n",
        });
        for (k, (t, d)) in events.iter().enumerate() {
            let (x, y) = point(&mut r, *t);
            let id = format!("{}{k}", &s[..2].to_uppercase());
            let hour = r.below(24);
            match *s {
                "incidents" => {
                    let c = r.pick(&["road_traffic", "industrial_trade", "fireworks", "other"]);
                    writeln!(
                        body,
                        "{id},{d}T{hour:02}:15:00,{c},{x:.6},{y:.6},{},0,1.5",
                        r.below(2)
                    )
                    .unwrap()
                }
                "geohazard_events" => {
                    let c = r.pick(&["landslide", "collapse", "debris_flow", "subsidence"]);
                    writeln!(body, "{id},{d},{c},{x:.6},{y:.6},0").unwrap()
                }
                "forest_fires" => {
                    writeln!(body, "{id},{d},{x:.6},{y:.6},{:.2}", r.unit() * 5.0).unwrap()
                }
                _ => writeln!(
                    body,
                    "{id},{d}T{hour:02}:00:00,{x:.6},{y:.6},0,{},0.3",
                    r.below(3)
                )
                .unwrap(),
            }
        }
        write(&format!("{s}.csv"), body);
    }

    for (s, rows) in ASSET_SOURCES.iter().zip(recipe.assets) {
        let count = match rows {
            Rows::Absent => continue,
            Rows::Zero => 0,
            Rows::One => 1,
            Rows::Few(k) => k,
        };
        let mut body = String::from(match *s {
            "geohazard_sites" => "id,type,lon,lat,threatened_people\n",
            "hidden_hazards" => "id,found_on,level,lon,lat,rectified_on\n",
            "enterprises" => "id,sector,lon,lat,major_hazard_source,employees,opened_on\n",
            "communities" => "id,lon,lat,old,highrise,households\n",
            _ => "id,lon,lat,capacity\n",
        });
        for k in 0..count {
            let t = if recipe.spread == Spread::OneTownship {
                one_town
            } else {
                r.below(n)
            };
            let (x, y) = point(&mut r, t);
            let id = format!("{}{k}", &s[..3].to_uppercase());
            let d = Date::between(&mut r, first, last);
            match *s {
                "geohazard_sites" => {
                    writeln!(body, "{id},landslide,{x:.6},{y:.6},{}", r.below(100)).unwrap()
                }
                "hidden_hazards" => {
                    let level = r.pick(&["major", "general"]);
                    let fixed = if r.chance(0.5) {
                        d.to_string()
                    } else {
                        String::new()
                    };
                    writeln!(body, "{id},{d},{level},{x:.6},{y:.6},{fixed}").unwrap()
                }
                "enterprises" => writeln!(
                    body,
                    "{id},{},{x:.6},{y:.6},{},{},{d}",
                    r.pick(&["manufacturing", "trade", "hazardous_chemicals"]),
                    r.chance(0.2),
                    r.below(500)
                )
                .unwrap(),
                "communities" => writeln!(
                    body,
                    "{id},{x:.6},{y:.6},{},{},{}",
                    r.chance(0.5),
                    r.chance(0.3),
                    r.below(900)
                )
                .unwrap(),
                _ => writeln!(body, "{id},{x:.6},{y:.6},{}", r.below(1000)).unwrap(),
            }
        }
        write(&format!("{s}.csv"), body);
    }

    let area_rows = match recipe.area_counts {
        Rows::Absent => None,
        Rows::Zero => Some(0),
        Rows::One => Some(1),
        Rows::Few(k) => Some(k.min(3 * n)),
    };
    if let Some(k) = area_rows {
        let mut body = String::from("code,year,measure,count,deaths\n");
        for j in 0..k {
            let year = if recipe.spread == Spread::Constant {
                last.0
            } else {
                first.0 + r.below((last.0 - first.0 + 1) as usize) as i32
            };
            let count = if recipe.spread == Spread::Constant {
                3
            } else {
                r.below(7)
            };
            writeln!(body, "{},{year},drowning,{count},0", code(j % n)).unwrap();
        }
        write("area_counts.csv", body);
    }

    if recipe.quick_config {
        write(
            "riskmap.toml",
            "[stats]\npermutations = 99\n\n[scores.uncertainty]\ndraws = 20\n".into(),
        );
    }
    files
}

/// Stages every full run records, run or skipped.
const STAGES: [&str; 7] = [
    "validate and join",
    "panel",
    "spatial statistics",
    "heatmaps",
    "forecast",
    "summary",
    "maps, charts and report",
];

/// Runs one case; `Err` is the failure message (with the recipe to replay).
fn run_case(recipe: &Recipe) -> Result<f64, String> {
    let dir = tempfile::tempdir().unwrap();
    // RISKMAP_DEGENERATE_KEEP=DIR keeps each case's folder and output in DIR/<case>.
    let root = match std::env::var_os("RISKMAP_DEGENERATE_KEEP") {
        Some(keep) => Path::new(&keep).join(recipe.case.to_string()),
        None => dir.path().to_path_buf(),
    };
    let data = root.join("data");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&data).unwrap();
    let files = write_folder(recipe, &data);
    let out = root.join("out");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_riskmap"));
    cmd.args(["run", "--log-format", "plain", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out);
    if let Some(d) = recipe.as_of_arg() {
        cmd.args(["--as-of", &d]);
    }
    let t = Instant::now();
    let o = cmd.output().expect("riskmap runs");
    let seconds = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let fail = |what: &str| {
        Err(format!(
            "case {} ({what}): replay with RISKMAP_DEGENERATE_CASE={}\nrecipe: {recipe:?}\nas-of: {:?}\nexit: {:?}\nstderr:\n{stderr}",
            recipe.case,
            recipe.case,
            recipe.as_of_arg(),
            o.status.code()
        ))
    };
    match o.status.code() {
        Some(0) => {
            let manifest = crate::support::manifest(&out);
            let context = format!("case {}: {recipe:?}", recipe.case);
            for input in manifest["inputs"].as_array().unwrap() {
                let n = |k: &str| input[k].as_u64().unwrap_or(u64::MAX);
                if n("rows_read") != n("accepted") + n("rejected") {
                    return fail(&format!("counts do not add up: {input}"));
                }
            }
            crate::support::assert_counts_add_up(&manifest, &context);
            let stages = manifest["stages"].as_array().unwrap();
            for s in STAGES {
                if !stages.iter().any(|e| e["name"] == s) {
                    return fail(&format!(
                        "stage {s} neither run nor skipped in the manifest"
                    ));
                }
            }
            for e in stages
                .iter()
                .filter(|e| e.get("skipped").is_some_and(|s| !s.is_null()))
            {
                let why = e["skipped"].as_str().unwrap_or("");
                let warned = manifest["warnings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|w| w.as_str().is_some_and(|w| w.contains(why)));
                if why.is_empty() || !warned || !stderr.contains(why) {
                    return fail(&format!(
                        "skipped stage {e} is not explained in the warnings and the log"
                    ));
                }
            }
            if !out.join("report.html").is_file() {
                return fail("no report.html");
            }
            Ok(seconds)
        }
        Some(1) => {
            let names_something =
                files.iter().any(|f| stderr.contains(f.as_str())) || stderr.contains("--as-of");
            if stderr.contains("riskmap: error:") && names_something {
                Ok(seconds)
            } else {
                fail("exit 1 without naming the file or flag at fault")
            }
        }
        _ => fail("internal error or crash"),
    }
}

#[test]
fn riskmap_run_never_fails_internally_on_degenerate_folders() {
    let cases: Vec<usize> = match std::env::var("RISKMAP_DEGENERATE_CASE") {
        Ok(i) => vec![i.parse().expect("RISKMAP_DEGENERATE_CASE is a case number")],
        Err(_) => {
            let n = std::env::var("RISKMAP_DEGENERATE_CASES")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(DEFAULT_CASES);
            (0..n).collect()
        }
    };
    let recipes: Vec<Recipe> = cases.iter().map(|&i| Recipe::draw(BASE_SEED, i)).collect();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let times = Mutex::new(Vec::new());
    let t = Instant::now();
    // Two workers: the CI machine has two cores, and each run is mostly
    // single-threaded on a folder this small.
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(recipe) = recipes.get(k) else { break };
                match run_case(recipe) {
                    Ok(secs) => times.lock().unwrap().push((secs, recipe.case)),
                    Err(e) => failures.lock().unwrap().push(e),
                }
            });
        }
    });
    let mut times = times.into_inner().unwrap();
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total: f64 = times.iter().map(|x| x.0).sum();
    eprintln!(
        "degenerate folders: {} runs in {:.1} s wall ({:.2} s per run on average; slowest: {:?})",
        recipes.len(),
        t.elapsed().as_secs_f64(),
        total / times.len().max(1) as f64,
        &times[..times.len().min(3)]
    );
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} folders failed:\n\n{}",
        failures.len(),
        recipes.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_recipe_kind_is_drawn() {
    // The generator covers what the issue lists, within the default count.
    let recipes: Vec<Recipe> = (0..DEFAULT_CASES)
        .map(|i| Recipe::draw(BASE_SEED, i))
        .collect();
    for g in GEOMETRIES {
        assert!(recipes.iter().any(|r| r.geometry == g), "{g:?}");
    }
    let any = |f: &dyn Fn(&Recipe) -> bool| recipes.iter().any(f);
    assert!(any(&|r| r.years == Years::Year1887));
    assert!(any(&|r| matches!(r.years, Years::PartYear(_))));
    assert!(any(&|r| r.as_of == AsOf::BeforeEverything));
    for s in [
        Spread::OneTownship,
        Spread::OneDay,
        Spread::Constant,
        Spread::NoneThisYear,
    ] {
        assert!(any(&|r| r.spread == s), "{s:?}");
    }
    for p in [
        Population::Missing,
        Population::Zero,
        Population::OneValue,
        Population::TableOneRow,
    ] {
        assert!(any(&|r| r.population == p), "{p:?}");
    }
    assert!(any(&|r| r.events.contains(&Rows::Zero)));
    assert!(any(&|r| r.events.contains(&Rows::One)));
    assert!(any(&|r| r.events.iter().all(|e| *e == Rows::Absent)));
    // Most folders run with the default settings.
    assert!(recipes.iter().filter(|r| r.quick_config).count() * 4 < recipes.len());
    // The many-vertex township has 10,000+ vertices.
    let towns = townships(Geometry::ManyVertices);
    assert!(towns[0].polygons[0][0].len() > 10_000);
}

/// The bug that opened issue 13: a folder whose records cover less than one
/// complete year (a bureau's first year of use) stopped with an internal
/// error in the forecast stage ("history of 0 years from a panel of 0").
/// The forecast is now skipped with a warning that says why and what would
/// make it run, everywhere a reader looks, and every other stage runs.
#[test]
fn less_than_one_complete_year_skips_the_forecast_and_runs_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::support::synth_county(dir.path(), 3, "2021..2021");
    let out = dir.path().join("out");
    let (log, manifest) = run_as_of(&data, &out, "2021-06-01");
    crate::support::assert_counts_add_up(&manifest, &log);
    let why = crate::support::skipped_reason(&manifest, "forecast");
    assert!(
        why.starts_with("forecast: needs 1 complete year of records, has 0"),
        "{why}"
    );
    assert!(manifest["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| *w == why));
    assert!(log.contains(&why), "{log}");
    assert!(!out.join("forecast.csv").exists());
    // Every other stage ran.
    for f in [
        "spatial_stats.csv",
        "global_stats.json",
        "township_scores.csv",
        "summary.en.md",
        "panel.parquet",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    assert_report_says_why(&out, "预测：需要至少1个完整年份的记录，现有0个");
}

/// A folder with nothing that tells townships apart (the township layer
/// alone) used to get a ranking and levels anyway: every risk 0, ties broken
/// by code order, the first townships "red". The scores stage is now skipped
/// with the reason, and the report leaves the ranking out.
#[test]
fn no_indicator_that_differs_skips_the_scores_instead_of_inventing_levels() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::support::synth_county(dir.path(), 5, "2020..2021");
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path.file_stem().is_some_and(|s| s != "townships") {
            if path.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            } else {
                std::fs::remove_file(&path).unwrap();
            }
        }
    }
    let out = dir.path().join("out");
    let (log, manifest) = run_as_of(&data, &out, "2022-01-01");
    let why = crate::support::skipped_reason(&manifest, "scores");
    assert!(
        why.starts_with("scores: no indicator tells the townships apart"),
        "{why}"
    );
    assert!(log.contains(&why), "{log}");
    assert!(
        !out.join("township_scores.csv").exists(),
        "no invented ranking is written"
    );
    assert_report_says_why(&out, "风险评分：没有能区分各乡镇的指标");
}

/// A mistyped year (0001, 1066) in a ledger used to stretch the panel over
/// every year since: townships × measures × centuries. Such a row is now
/// rejected with the reason; 1887 still reads (the degenerate cases above).
#[test]
fn a_record_dated_before_1800_is_rejected_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::support::synth_county(dir.path(), 6, "2020..2021");
    let ledger = data.join("incidents.csv");
    let text = std::fs::read_to_string(&ledger).unwrap();
    let header = text.lines().next().unwrap();
    let first = text.lines().nth(1).unwrap();
    let date = header
        .split(',')
        .position(|h| h == "occurred_at")
        .expect("synth writes occurred_at");
    let mut extra = String::new();
    for (k, year) in ["0001", "1066", "1799"].iter().enumerate() {
        let mut cells: Vec<String> = first.split(',').map(str::to_owned).collect();
        cells[0] = format!("OLD{k}");
        cells[date] = format!("{year}-05-01T08:00:00");
        extra.push_str(&cells.join(","));
        extra.push('\n');
    }
    let mut all = text.clone();
    if !all.ends_with('\n') {
        all.push('\n');
    }
    all.push_str(&extra);
    std::fs::write(&ledger, all).unwrap();
    let out = dir.path().join("out");
    let (log, manifest) = run_as_of(&data, &out, "2022-01-01");
    crate::support::assert_counts_add_up(&manifest, &log);
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    for k in 0..3 {
        let line = rejected
            .lines()
            .find(|l| l.contains(&format!("OLD{k}")))
            .unwrap_or_else(|| panic!("OLD{k} is in rejected.csv:\n{rejected}"));
        assert!(line.contains("before 1800"), "{line}");
    }
    let panel = riskmap_io::read_records(&out.join("panel.parquet")).unwrap();
    let years = panel.column("year").unwrap();
    let first_year = (0..panel.height())
        .filter_map(|r| years.number(r).ok().flatten())
        .fold(f64::INFINITY, f64::min);
    assert_eq!(
        first_year, 2020.0,
        "the panel starts with the ledger's real years"
    );
}

/// The report's data quality section gives the skipped stage's reason.
fn assert_report_says_why(out: &std::path::Path, reason_zh: &str) {
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains(reason_zh),
        "the report's data quality section says why: {reason_zh}"
    );
}

/// `riskmap run` with `--as-of` and a plain log, which must succeed: its log
/// and manifest.
fn run_as_of(
    data: &std::path::Path,
    out: &std::path::Path,
    as_of: &str,
) -> (String, serde_json::Value) {
    let o = crate::support::riskmap_ok(
        "run",
        data,
        out,
        &["--as-of", as_of, "--log-format", "plain"],
    );
    let log = String::from_utf8_lossy(&o.stderr).into_owned();
    (log, crate::support::manifest(out))
}
