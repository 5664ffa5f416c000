//! The scores stage: builds [`riskmap_score::RegionInput`] from what the run
//! holds (validated records, the panel, the exposure) plus the attributes
//! scoring needs that validation does not keep (enterprise sectors, ledger
//! deadlines, community types, capacities, pipelines, scenic areas), scores
//! it, and writes `township_scores.csv`, `.parquet` and `scores_report.json`
//! (how every indicator was used and what was missing); it hands the
//! `.gpkg`'s layer to the caller, which writes it beside the report.
//!
//! Asset sources are read a second time here, by row: validation keeps
//! only what every source has (dates, labels, severity), and the rows it
//! accepted are the ones used, in the townships it assigned them to.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use geo::{Centroid, ChamberlainDuquetteArea, Geometry, MultiPolygon};
use polars::prelude::{Column, DataFrame, PlSmallStr};
use riskmap_domain::{RiskLevel, Source, VectorLayer};
use riskmap_io::Cells;
use riskmap_score::{
    Communities, Enterprises, GeohazardSites, HiddenHazards, RasterInputs, RegionInput,
    ScoreConfig, Scores, Series, Supervision, TownshipInput, HIGH_RISK_SECTORS,
    INCIDENT_CATEGORIES,
};

use crate::config::Config;
use crate::error::PipelineError;
use crate::model::Validated;
use crate::panel::Panel;
use crate::region::Found;
use crate::stage::StageEntry;

/// Files the stage writes, relative to the output folder.
pub const OUTPUTS: [&str; 4] = [
    "township_scores.csv",
    "township_scores.parquet",
    GEOPACKAGE,
    "scores_report.json",
];

/// Raster indicators per township (code order) from the raster stage's
/// zonal statistics (`township_terrain.csv`), when `dem` and `forest_cover`
/// were given.
pub fn raster_inputs(
    terrain: Option<&[riskmap_raster::zonal::TownshipTerrain]>,
) -> Option<Vec<RasterInputs>> {
    terrain.map(|t| {
        t.iter()
            .map(|z| RasterInputs {
                mean_elevation_m: z.mean_elevation_m,
                steep_share: z.steep_share,
                forest_cover: z.mean_forest_cover,
                forest_ha: z.mean_forest_cover.map(|_| z.forest_area_ha),
            })
            .collect()
    })
}

/// A source's records as text, renamed to SPEC columns, with the records
/// validation accepted from it (their townships and points).
struct Rows<'v> {
    records: riskmap_io::Records,
    /// The source's accepted records, in row order (as validation keeps
    /// them): a reference each, not a township and a point per file row.
    accepted: Vec<&'v crate::model::Accepted>,
}

impl Rows<'_> {
    fn col(&self, name: &str) -> Option<&Cells> {
        self.records.column(name)
    }

    /// Accepted rows: (row index, township).
    fn accepted(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.accepted.iter().map(|a| (a.row - 1, a.township))
    }

    /// Accepted rows with their points (WGS84, after any coordinate-system
    /// change and swap fix, as validation accepted them): (row index,
    /// township, point).
    fn accepted_points(&self) -> impl Iterator<Item = (usize, usize, Option<[f64; 2]>)> + '_ {
        self.accepted
            .iter()
            .map(|a| (a.row - 1, a.township, a.point))
    }
}

/// Reads `source`'s table for the scores: the SPEC `columns` named (after
/// the renaming of `riskmap.toml` and the default aliases) and no others, so
/// that a table of millions of rows holds only what is counted.
fn read_rows<'v>(
    source: Source,
    columns: &[&str],
    v: &'v Validated,
    found: &[Found],
    config: &Config,
) -> Result<Option<Rows<'v>>, PipelineError> {
    let Some(f) = found.iter().find(|f| f.source == source) else {
        return Ok(None);
    };
    let cfg = config.source(source);
    // The file's column names and their SPEC names, learnt from the header.
    let spec_names: std::cell::RefCell<HashMap<String, String>> = Default::default();
    let keep = |names: &[String]| -> Vec<bool> {
        let mut spec = names.to_vec();
        if crate::validate::rename_column_names(&mut spec, &cfg, &f.path, source.stem()).is_err() {
            // Read everything: the renaming below reports the problem.
            return vec![true; names.len()];
        }
        let flags = spec.iter().map(|c| columns.contains(&c.as_str())).collect();
        *spec_names.borrow_mut() = names.iter().cloned().zip(spec).collect();
        flags
    };
    let mut records = riskmap_io::read_records_keeping(&f.path, cfg.encoding.as_deref(), &keep)?;
    let spec_names = spec_names.into_inner();
    if spec_names.is_empty() {
        crate::validate::rename_columns(&mut records, &cfg, &f.path, source.stem())?;
    } else {
        for c in &mut records.columns {
            if let Some(spec) = spec_names.get(c) {
                c.clone_from(spec);
            }
        }
    }
    let height = records.height();
    let accepted = v
        .accepted
        .iter()
        .filter(|a| a.source == source && a.row <= height)
        .collect();
    Ok(Some(Rows { records, accepted }))
}

fn number(cells: Option<&Cells>, r: usize) -> Option<f64> {
    cells?.number(r).ok().flatten()
}

fn flag(cells: Option<&Cells>, r: usize) -> Option<bool> {
    let t = cells?
        .text(r)
        .map(|t| t.to_ascii_lowercase())
        .unwrap_or_default();
    match t.as_str() {
        "true" | "1" | "yes" | "y" | "是" | "t" => Some(true),
        "false" | "0" | "no" | "n" | "否" | "f" | "" => Some(false),
        _ => None,
    }
}

fn date(cells: Option<&Cells>, r: usize) -> Option<NaiveDate> {
    cells?
        .text(r)
        .and_then(|t| crate::validate::parse_when(&t, None))
        .map(|d| d.date())
}

fn text(cells: Option<&Cells>, r: usize) -> String {
    cells
        .and_then(|c| c.text(r))
        .map(|t| t.into_owned())
        .unwrap_or_default()
}

/// Kilometres between two lon/lat points (equirectangular at their mean
/// latitude: below 0.1% error at township distances).
fn km(a: [f64; 2], b: [f64; 2]) -> f64 {
    let k = (0.5 * (a[1] + b[1])).to_radians().cos();
    ((a[0] - b[0]) * 111.320 * k).hypot((a[1] - b[1]) * 110.574)
}

/// The nearest of a set of stations by [`km`], through an R-tree.
///
/// The tree holds the stations as unit vectors, where the straight-line
/// (chord) distance orders points as the great-circle distance does; every
/// station within 5 % more chord than the nearest is then measured with
/// [`km`] (within 0.1 % of the great circle at township distances), so the
/// answer is the brute-force minimum of [`km`] whenever the two metrics
/// agree within 5 %: exactly so in the test, with stations from 1 km to
/// hundreds of km apart. The nation preset's 689,603 communities against
/// 12,741 stations took 90 s by brute force.
struct NearestStation {
    tree: rstar::RTree<rstar::primitives::GeomWithData<[f64; 3], usize>>,
    stations: Vec<[f64; 2]>,
}

impl NearestStation {
    fn unit([lon, lat]: [f64; 2]) -> [f64; 3] {
        let (lon, lat) = (lon.to_radians(), lat.to_radians());
        [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
    }

    fn new(stations: Vec<[f64; 2]>) -> NearestStation {
        let items = stations
            .iter()
            .enumerate()
            .map(|(i, s)| rstar::primitives::GeomWithData::new(Self::unit(*s), i))
            .collect();
        NearestStation {
            tree: rstar::RTree::bulk_load(items),
            stations,
        }
    }

    /// Kilometres to the nearest station (`None` without stations).
    fn km(&self, p: [f64; 2]) -> Option<f64> {
        use rstar::PointDistance;
        let u = Self::unit(p);
        let nearest = self.tree.nearest_neighbor(&u)?;
        let reach = nearest.geom().distance_2(&u).sqrt() * 1.05 + 1e-9;
        self.tree
            .locate_within_distance(u, reach * reach)
            .map(|s| km(p, self.stations[s.data]))
            .reduce(f64::min)
    }
}

/// Builds the scoring input from the run's state.
pub fn build_input(
    v: &Validated,
    panel: &Panel,
    exposure: &HashMap<(usize, i32), f64>,
    found: &[Found],
    config: &Config,
    polygons: &[MultiPolygon<f64>],
    terrain: Option<&[riskmap_raster::zonal::TownshipTerrain]>,
) -> Result<RegionInput, PipelineError> {
    let n = v.townships.len();
    let as_of = v.as_of;
    // The current year is the year of the last day covered (a run on
    // 1 January scores the whole year just ended), as everywhere in the run.
    let as_of_year = v.current_year();
    let first_year = panel.years.0.min(as_of_year);
    let years = (as_of_year - first_year + 1) as usize;
    let days_in_year = if NaiveDate::from_ymd_opt(as_of_year, 2, 29).is_some() {
        366.0
    } else {
        365.0
    };
    let jan1 = NaiveDate::from_ymd_opt(as_of_year, 1, 1).expect("valid year");
    let year_fraction =
        ((as_of - jan1).num_days() as f64 / days_in_year).clamp(1.0 / days_in_year, 1.0);
    let has = |s: Source| found.iter().any(|f| f.source == s);
    // The measures the panel holds (points and area_counts alike).
    let measures = panel.measures();
    let has_measure = |prefix: &str| {
        let category = format!("{prefix}:");
        measures
            .iter()
            .any(|m| m == prefix || m.starts_with(&category))
    };
    let (has_incidents, has_fires, has_forest_fires, has_geohazard_events) = (
        has(Source::Incidents) || has_measure("incidents"),
        has(Source::Fires) || has_measure("fires"),
        has(Source::ForestFires) || has_measure("forest_fires"),
        has(Source::GeohazardEvents) || has_measure("geohazard_events"),
    );
    let grid = panel.cell_grid(&measures, n, first_year, as_of_year);

    // Yearly series straight from the panel.
    let series = |t: usize, measure: &str| -> Series {
        let mut s = Series::zeros(years);
        if let Ok(m) = measures.binary_search_by(|x| x.as_str().cmp(measure)) {
            for (k, c) in grid[m][t * years..(t + 1) * years].iter().enumerate() {
                (s.counts[k], s.deaths[k], s.injuries[k]) = (c.count, c.deaths, c.injuries);
            }
        }
        s
    };
    let mut towns: Vec<TownshipInput> = v
        .townships
        .iter()
        .enumerate()
        .map(|(t, town)| TownshipInput {
            code: town.code.clone(),
            name: town.name.clone(),
            population: exposure.get(&(t, as_of_year)).copied().or(town.population),
            area_km2: polygons[t].chamberlain_duquette_unsigned_area() / 1e6,
            incidents: has_incidents.then(|| {
                Box::new(INCIDENT_CATEGORIES.map(|c| series(t, &format!("incidents:{c}"))))
            }),
            fires: has_fires.then(|| series(t, "fires")),
            forest_fires: has_forest_fires.then(|| series(t, "forest_fires")),
            geohazard_events: has_geohazard_events.then(|| series(t, "geohazard_events")),
            ..Default::default()
        })
        .collect();

    // The asset sources are read one at a time, each dropped once counted:
    // read together, the nation's six tables (all their columns, 7.8M rows)
    // added 1.3 GB to the run's peak for a few seconds of parallel reading.
    let read = |source: Source, columns: &[&str]| read_rows(source, columns, v, found, config);
    if let Some(rows) = read(
        Source::HiddenHazards,
        &["deadline", "rectified_on", "supervision"],
    )? {
        let (deadline, rectified, supervision) = (
            rows.col("deadline"),
            rows.col("rectified_on"),
            rows.col("supervision"),
        );
        let mut ledgers = vec![HiddenHazards::default(); n];
        for a in &rows.accepted {
            let (r, t) = (a.row - 1, a.township);
            if date(rectified, r).is_some_and(|d| d < as_of) {
                continue;
            }
            let overdue = date(deadline, r).is_some_and(|d| d < as_of);
            let h = &mut ledgers[t];
            if a.label == Some("major") {
                let s = Supervision::parse(&text(supervision, r)).index();
                if overdue {
                    h.overdue_major[s] += 1.0;
                } else {
                    h.open_major[s] += 1.0;
                }
            } else if overdue {
                h.overdue_general += 1.0;
            } else {
                h.open_general += 1.0;
            }
        }
        for (town, h) in towns.iter_mut().zip(ledgers) {
            town.hidden_hazards = Some(h);
        }
    }

    if let Some(rows) = read(
        Source::Enterprises,
        &["sector", "major_hazard_source", "opened_on"],
    )? {
        let (sector, major, opened) = (
            rows.col("sector"),
            rows.col("major_hazard_source"),
            rows.col("opened_on"),
        );
        let sector_map = config
            .source(Source::Enterprises)
            .values
            .get("sector")
            .cloned()
            .unwrap_or_default();
        let cfg: &ScoreConfig = &config.scores;
        let since =
            as_of - chrono::Duration::days((cfg.new_enterprise_years * 365.25).round() as i64);
        let mut e: Vec<Enterprises> = vec![
            Enterprises {
                new_high_risk: opened.map(|_| 0.0),
                ..Default::default()
            };
            n
        ];
        for (r, t) in rows.accepted() {
            let s = text(sector, r);
            let s = sector_map.get(&s).map_or(s.as_str(), String::as_str);
            let high = HIGH_RISK_SECTORS.contains(&s);
            let x = &mut e[t];
            x.total += 1.0;
            if high {
                x.high_risk += 1.0;
                if let (Some(count), Some(d)) = (x.new_high_risk.as_mut(), date(opened, r)) {
                    if d >= since && d < as_of {
                        *count += 1.0;
                    }
                }
            }
            if flag(major, r) == Some(true) {
                x.major_hazard_sources += 1.0;
            }
        }
        for (town, x) in towns.iter_mut().zip(e) {
            town.enterprises = Some(x);
        }
    }

    // Where people live: communities weighted by households (1 each when
    // not given); the township's centroid stands in where it has none.
    let mut homes: Vec<Vec<([f64; 2], f64)>> = vec![Vec::new(); n];
    if let Some(rows) = read(Source::Communities, &["old", "highrise", "households"])? {
        let (old, high, households) = (
            rows.col("old"),
            rows.col("highrise"),
            rows.col("households"),
        );
        let mut c: Vec<Communities> = vec![
            Communities {
                total: 0.0,
                old: old.map(|_| 0.0),
                highrise: high.map(|_| 0.0)
            };
            n
        ];
        for (r, t, point) in rows.accepted_points() {
            c[t].total += 1.0;
            if let (Some(x), Some(true)) = (c[t].old.as_mut(), flag(old, r)) {
                *x += 1.0;
            }
            if let (Some(x), Some(true)) = (c[t].highrise.as_mut(), flag(high, r)) {
                *x += 1.0;
            }
            if let Some(p) = point {
                homes[t].push((p, number(households, r).unwrap_or(1.0).max(0.0)));
            }
        }
        for (town, x) in towns.iter_mut().zip(c) {
            town.communities = Some(x);
        }
    }
    for (t, h) in homes.iter_mut().enumerate() {
        if h.iter().map(|x| x.1).sum::<f64>() <= 0.0 {
            h.clear();
            if let Some(c) = polygons[t].centroid() {
                h.push(([c.x(), c.y()], 1.0));
            }
        }
    }

    if let Some(rows) = read(Source::FireStations, &[])? {
        let stations: Vec<[f64; 2]> = rows
            .accepted_points()
            .filter_map(|(_, _, point)| point)
            .collect();
        if !stations.is_empty() {
            use rayon::prelude::*;
            let nearest = NearestStation::new(stations);
            let d: Vec<Option<f64>> = homes
                .par_iter()
                .map(|h| {
                    let w: f64 = h.iter().map(|x| x.1).sum();
                    (w > 0.0).then(|| {
                        h.iter()
                            .map(|(p, wt)| wt * nearest.km(*p).unwrap_or(f64::INFINITY))
                            .sum::<f64>()
                            / w
                    })
                })
                .collect();
            for (town, d) in towns.iter_mut().zip(d) {
                town.fire_station_distance_km = d;
            }
        }
    }

    if let Some(rows) = read(Source::Shelters, &["capacity"])? {
        if let Some(cap) = rows.col("capacity") {
            let mut c = vec![0.0; n];
            for (r, t) in rows.accepted() {
                c[t] += number(Some(cap), r).unwrap_or(0.0);
            }
            for (town, c) in towns.iter_mut().zip(c) {
                town.shelter_capacity = Some(c);
            }
        }
    }

    if let Some(rows) = read(Source::GeohazardSites, &["status", "threatened_people"])? {
        let (status, people) = (rows.col("status"), rows.col("threatened_people"));
        let mut s: Vec<GeohazardSites> = vec![
            GeohazardSites {
                active: 0.0,
                threatened_people: people.map(|_| 0.0)
            };
            n
        ];
        for (r, t) in rows.accepted() {
            let st = text(status, r).to_ascii_lowercase();
            if matches!(
                st.as_str(),
                "treated" | "closed" | "已治理" | "已销号" | "销号"
            ) {
                continue;
            }
            s[t].active += 1.0;
            if let (Some(x), Some(p)) = (s[t].threatened_people.as_mut(), number(people, r)) {
                *x += p;
            }
        }
        for (town, s) in towns.iter_mut().zip(s) {
            town.geohazard_sites = Some(s);
        }
    }

    if let Some(f) = found.iter().find(|f| f.source == Source::Pipelines) {
        let layer = read_wgs84(f, config)?;
        let km_by_town = line_lengths(&layer.geometries, v);
        for (town, k) in towns.iter_mut().zip(km_by_town) {
            town.pipelines_km = Some(k);
        }
    }

    if let Some(f) = found.iter().find(|f| f.source == Source::ScenicAreas) {
        let layer = read_wgs84(f, config)?;
        let column = config
            .source(Source::ScenicAreas)
            .columns
            .get("annual_visitors")
            .cloned()
            .unwrap_or_else(|| "annual_visitors".into());
        if let Ok(c) = layer
            .attributes
            .column(&column)
            .and_then(|c| c.cast(&polars::prelude::DataType::Float64))
        {
            let values = c
                .f64()
                .map_err(|e| PipelineError::Internal(e.to_string()))?;
            let mut sum = vec![0.0; n];
            for (g, x) in layer.geometries.iter().zip(values.iter()) {
                // A scenic area counts in the township holding its centroid.
                if let (Some(c), Some(x)) = (g.centroid(), x) {
                    if let Some(t) = v.index.locate([c.x(), c.y()]) {
                        sum[t] += x;
                    }
                }
            }
            for (town, s) in towns.iter_mut().zip(sum) {
                town.scenic_visitors = Some(s);
            }
        }
    }

    if let Some(r) = raster_inputs(terrain) {
        for (town, r) in towns.iter_mut().zip(r) {
            town.raster = Some(r);
        }
    }
    Ok(RegionInput {
        first_year,
        as_of_year,
        year_fraction,
        townships: towns,
    })
}

fn read_wgs84(f: &Found, config: &Config) -> Result<VectorLayer, PipelineError> {
    let mut layer = riskmap_io::read_vector(&f.path)?;
    let crs = config
        .source(f.source)
        .crs
        .as_deref()
        .and_then(crate::config::parse_crs)
        .unwrap_or(layer.crs);
    for g in layer.geometries.iter_mut() {
        riskmap_io::crs::geometry_to_wgs84(crs, g).map_err(|e| {
            PipelineError::Input(format!(
                "{}: cannot transform from {crs}: {e}",
                f.path.display()
            ))
        })?;
    }
    Ok(layer)
}

/// Kilometres of line in each township: each segment is walked in steps of
/// at most 50 m and each step's midpoint located, so the error is at most
/// one step per border crossing.
fn line_lengths(geometries: &[Geometry<f64>], v: &Validated) -> Vec<f64> {
    let mut out = vec![0.0; v.townships.len()];
    let mut walk = |ls: &geo::LineString<f64>| {
        for seg in ls.0.windows(2) {
            let (a, b) = ([seg[0].x, seg[0].y], [seg[1].x, seg[1].y]);
            let len = km(a, b);
            let steps = (len / 0.05).ceil().max(1.0) as usize;
            for s in 0..steps {
                let f = (s as f64 + 0.5) / steps as f64;
                if let Some(t) = v
                    .index
                    .locate([a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])])
                {
                    out[t] += len / steps as f64;
                }
            }
        }
    };
    for g in geometries {
        match g {
            Geometry::LineString(ls) => walk(ls),
            Geometry::MultiLineString(m) => m.0.iter().for_each(&mut walk),
            _ => {}
        }
    }
    out
}

/// The output table (SPEC columns first).
pub fn frame(s: &Scores) -> Result<DataFrame, PipelineError> {
    let t = &s.townships;
    let text = |name: &str, f: &dyn Fn(&riskmap_score::TownshipScore) -> String| {
        Column::new(PlSmallStr::from(name), t.iter().map(f).collect::<Vec<_>>())
    };
    let num = |name: &str, f: &dyn Fn(&riskmap_score::TownshipScore) -> Option<f64>| {
        Column::new(PlSmallStr::from(name), t.iter().map(f).collect::<Vec<_>>())
    };
    let round = |x: f64| (x * 1e4).round() / 1e4;
    let mut cols = vec![
        text("code", &|x| x.code.clone()),
        text("name", &|x| x.name.clone()),
    ];
    for d in riskmap_score::Dimension::ALL {
        cols.push(num(d.name(), &|x| x.dimension(d).map(round)));
    }
    cols.push(num("risk", &|x| Some(round(x.risk))));
    cols.push(Column::new(
        PlSmallStr::from("rank"),
        t.iter().map(|x| x.rank as i64).collect::<Vec<_>>(),
    ));
    cols.push(text("level", &|x| x.level.key().to_owned()));
    cols.push(num("rank_p10", &|x| {
        Some(x.rank_p10).filter(|v| v.is_finite())
    }));
    cols.push(num("rank_p90", &|x| {
        Some(x.rank_p90).filter(|v| v.is_finite())
    }));
    cols.push(num("p_red", &|x| Some(x.p_red).filter(|v| v.is_finite())));
    cols.push(Column::new(
        PlSmallStr::from("unstable"),
        t.iter().map(|x| x.unstable).collect::<Vec<_>>(),
    ));
    cols.push(text("reasons_zh", &|x| {
        x.reasons
            .iter()
            .map(|r| r.zh.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }));
    cols.push(text("reasons_en", &|x| {
        x.reasons
            .iter()
            .map(|r| r.en.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }));
    cols.push(text("level_zh", &|x| x.level.label_zh().to_owned()));
    cols.push(text("missing", &|x| x.missing.join(" ")));
    DataFrame::new(t.len(), cols).map_err(|e| PipelineError::Internal(e.to_string()))
}

/// One township's risk score, as the scoring stage produces it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    /// The township's code (matched to the validated townships).
    pub code: String,
    /// Overall risk, 0–10.
    pub risk: f64,
    /// 1 = highest risk.
    pub rank: u32,
    /// Risk level.
    pub level: RiskLevel,
    /// Rank interval, lower end (10th percentile of the rank).
    pub rank_p10: f64,
    /// Rank interval, upper end (90th percentile of the rank).
    pub rank_p90: f64,
    /// Stock, incremental, natural, fire and coping, each 0–10, as
    /// `riskmap-score` gives them: the first four higher = more risk, coping
    /// higher = *better* capacity (the report draws its gap, 10 − coping).
    /// `None` where the dimension has no data for the township.
    pub dimensions: [Option<f64>; 5],
    /// The main reasons, most important first, in Chinese.
    pub reasons_zh: Vec<String>,
    /// The same reasons in English.
    pub reasons_en: Vec<String>,
}

/// The scores the report prints: one row per township (any order; townships
/// without a row are drawn as "no data" and left out of the ranking).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreTable {
    /// One row per township.
    pub rows: Vec<ScoreRow>,
}

/// What the stage did.
pub struct ScoresStage {
    /// The stage's files, relative to the output folder, the GeoPackage of
    /// [`ScoresStage::layer`] among them.
    pub written: Vec<&'static str>,
    /// Notes for the manifest's warnings: what was missing and what it affected.
    pub notes: Vec<String>,
    /// Timed steps: gathering the inputs, scoring, writing.
    pub stages: Vec<StageEntry>,
    /// The scores as the report prints them; `None` when the stage was skipped.
    pub table: Option<ScoreTable>,
    /// Why no scores were written, when no indicator tells townships apart.
    pub skipped: Option<crate::stage::Skipped>,
    /// `township_scores.gpkg`'s layer (every township's polygon), which the
    /// caller writes ([`GEOPACKAGE`]): GDAL takes one thread for it, so the
    /// run writes it beside the report.
    pub layer: Option<VectorLayer>,
}

/// The file of [`ScoresStage::layer`] (one of [`OUTPUTS`]).
pub const GEOPACKAGE: &str = "township_scores.gpkg";

/// The stage is skipped when no indicator is used: every one is missing,
/// constant across townships or weighted 0. Ranks and levels would then be
/// ties broken by code order, i.e. invented.
fn scores_precondition(scores: &riskmap_score::Scores) -> Option<crate::stage::Skipped> {
    if scores.indicators.iter().any(|r| r.status == "used") {
        return None;
    }
    let with = |status: &str| -> Vec<&str> {
        scores
            .indicators
            .iter()
            .filter(|r| r.status == status)
            .map(|r| r.id)
            .collect()
    };
    let (missing, constant) = (with("missing"), with("constant"));
    let list = |ids: &[&str]| {
        if ids.is_empty() {
            "none".to_owned()
        } else {
            ids.join(", ")
        }
    };
    Some(crate::stage::Skipped {
        stage: "scores".into(),
        reason: format!(
            "scores: no indicator tells the townships apart (missing everywhere: {}; the same in \
             every township: {}), so ranks and levels would be invented; the stage runs once \
             records or layers differ between townships (incidents, fires, hidden_hazards, \
             enterprises, population, a dem, ...)",
            list(&missing),
            list(&constant)
        ),
        reason_zh: format!(
            "风险评分：没有能区分各乡镇的指标（全部缺失{}个，各乡镇相同{}个），排名和等级无从给出；\
             有在各乡镇间不同的记录或图层（事故、火灾、隐患、企业、人口、高程等）后即可评分",
            missing.len(),
            constant.len()
        ),
    })
}

/// The scores as the report takes them.
fn score_table(scores: &riskmap_score::Scores) -> ScoreTable {
    ScoreTable {
        rows: scores
            .townships
            .iter()
            .map(|t| ScoreRow {
                code: t.code.clone(),
                risk: t.risk,
                rank: t.rank as u32,
                level: t.level,
                rank_p10: t.rank_p10,
                rank_p90: t.rank_p90,
                dimensions: t.dimensions,
                reasons_zh: t.reasons.iter().map(|r| r.zh.clone()).collect(),
                reasons_en: t.reasons.iter().map(|r| r.en.clone()).collect(),
            })
            .collect(),
    }
}

/// Runs the stage, writing into `out`.
pub fn run(
    v: &Validated,
    panel: &Panel,
    exposure: &HashMap<(usize, i32), f64>,
    found: &[Found],
    config: &Config,
    terrain: Option<&[riskmap_raster::zonal::TownshipTerrain]>,
    data: &Path,
    out: &Path,
) -> Result<ScoresStage, PipelineError> {
    let mut stages = Vec::new();
    let mut lap = {
        let mut t = Instant::now();
        move |name: &str, stages: &mut Vec<StageEntry>| {
            stages.push(StageEntry {
                name: name.into(),
                seconds: t.elapsed().as_secs_f64(),
                skipped: None,
            });
            t = Instant::now();
        }
    };
    let polygons = v.index.polygons().to_vec();
    let input = build_input(v, panel, exposure, found, config, &polygons, terrain)?;
    lap("scores: gather inputs", &mut stages);
    let scores = riskmap_score::score(&input, &config.scores).map_err(|e| {
        PipelineError::Input(format!("{}: {e}", data.join("riskmap.toml").display()))
    })?;
    lap("scores: compute (with Monte Carlo)", &mut stages);
    if let Some(skip) = scores_precondition(&scores) {
        return Ok(ScoresStage {
            written: Vec::new(),
            notes: Vec::new(),
            stages,
            table: None,
            skipped: Some(skip),
            layer: None,
        });
    }
    let mut df = frame(&scores)?;
    riskmap_io::write_table(&mut df, &out.join("township_scores.csv"))?;
    riskmap_io::write_table(&mut df, &out.join("township_scores.parquet"))?;
    let layer = VectorLayer {
        name: "township_scores".into(),
        crs: riskmap_domain::Crs::WGS84,
        geometries: polygons.into_iter().map(Geometry::MultiPolygon).collect(),
        attributes: df,
    };
    let report = serde_json::json!({
        "as_of_year": input.as_of_year,
        "first_year": input.first_year,
        "year_fraction": input.year_fraction,
        "draws": scores.draws,
        "dimensions_missing": scores.dimensions_missing,
        "missing": scores.missing,
        "indicators": scores.indicators,
        "config": config.scores,
    });
    let json = serde_json::to_string_pretty(&report)
        .map_err(|e| PipelineError::Internal(e.to_string()))?;
    std::fs::write(out.join("scores_report.json"), json + "\n")
        .map_err(|e| PipelineError::Input(format!("{}: {e}", out.display())))?;
    let mut notes: Vec<String> = scores
        .missing
        .iter()
        .map(|m| {
            if m.everywhere {
                format!("scores: indicator `{}` ({}) is not available for any township (from: {}); the {} dimension was scored without it, its weight spread over the others", m.indicator, m.dimension, m.sources, m.dimension)
            } else {
                format!("scores: indicator `{}` ({}) is missing for {} townships (from: {}); their {} score uses the other indicators", m.indicator, m.dimension, m.townships, m.sources, m.dimension)
            }
        })
        .collect();
    for d in &scores.dimensions_missing {
        notes.push(format!("scores: no indicator of the {d} dimension is available; risk combines the other dimensions"));
    }
    lap("scores: write", &mut stages);
    Ok(ScoresStage {
        written: OUTPUTS.to_vec(),
        notes,
        stages,
        table: Some(score_table(&scores)),
        skipped: None,
        layer: Some(layer),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_station_equals_brute_force() {
        // Stations dense (a county) and sparse (a handful over China, so
        // hundreds of km apart, where `km` strays most from the great
        // circle): the tree's answer is the brute-force minimum, exactly.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut uniform = |lo: f64, hi: f64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            lo + (hi - lo) * (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for (count, lon, lat) in [
            (400, (110.0, 111.0), (30.0, 31.0)),
            (12, (75.0, 135.0), (18.0, 53.0)),
        ] {
            let stations: Vec<[f64; 2]> = (0..count)
                .map(|_| [uniform(lon.0, lon.1), uniform(lat.0, lat.1)])
                .collect();
            let points: Vec<[f64; 2]> = (0..2_000)
                .map(|_| [uniform(lon.0, lon.1), uniform(lat.0, lat.1)])
                .collect();
            let tree = NearestStation::new(stations.clone());
            for p in points {
                let brute = stations
                    .iter()
                    .map(|s| km(p, *s))
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(tree.km(p), Some(brute), "{p:?}");
            }
        }
        assert_eq!(NearestStation::new(vec![]).km([110.0, 30.0]), None);
    }
}
