//! The spatial statistics stage: `spatial_stats.csv`, `global_stats.json`,
//! `emerging_hotspots.csv` and the layer of `emerging_hotspots_grid.gpkg`
//! (which the caller writes or copies from the cache), from the panel and
//! the accepted points, through `riskmap-stats`.
//!
//! What is computed on what (SPEC's definitions, and the choices SPEC leaves):
//! - The year described is [`Validated::current_year`]: 1 January to the
//!   as-of date. `count` is that year's records, `exposure` its population.
//! - `rate` = count / exposure; `rate_eb` is Marshall's global empirical
//!   Bayes rate; `rate_seb` the local (spatial) EB rate over each township and
//!   its queen neighbours.
//! - Moran's I (global and local, row-standardised queen weights) and Gi*
//!   (binary weights with the township itself) are computed on `rate_eb` when
//!   every township has an exposure, else on `count` (the JSON says which):
//!   raw rates of small populations are dominated by noise, which would make
//!   clusters of small townships.
//! - `trend` is the Mann–Kendall tau of the yearly counts over the complete
//!   years ([`Validated::last_complete_year`]): a partial current year would
//!   bias every trend down.
//! - A measure whose values are all equal (say, no fireworks accidents
//!   anywhere) has no Moran's I or Gi*: those cells are empty, LISA is `ns`.
//! - Emerging hot spots use the complete years as time steps, per township
//!   (queen neighbours) and on a grid of `cell_size_m` cells in the UTM zone
//!   of the region, for each point source.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::{Column, DataFrame, PlSmallStr};
use rayon::prelude::*;
use riskmap_domain::{Crs, Source, VectorLayer};
use riskmap_render::HotSpotClass;
use riskmap_stats::emerging::{Category, EmergingOptions, GridOptions, LocationTrend};
use riskmap_stats::moran::{GlobalMoran, GlobalMoranOptions, LocalMoranOptions};
use riskmap_stats::weights::{QueenOptions, Weights};
use serde::Serialize;

use crate::config::StatsConfig;
use crate::error::PipelineError;
use crate::model::Validated;
use crate::panel::Panel;

/// One township and measure of `spatial_stats.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatRow {
    /// Township index.
    pub township: usize,
    /// Measure.
    pub measure: String,
    /// Records in the current year.
    pub count: f64,
    /// Population.
    pub exposure: Option<f64>,
    /// count / exposure.
    pub rate: Option<f64>,
    /// Global empirical Bayes rate.
    pub rate_eb: Option<f64>,
    /// Local (spatial) empirical Bayes rate.
    pub rate_seb: Option<f64>,
    /// Local Moran's Iᵢ.
    pub local_moran_i: Option<f64>,
    /// Its conditional-permutation pseudo p-value.
    pub local_moran_p: Option<f64>,
    /// HH, LL, HL, LH or ns.
    pub lisa: &'static str,
    /// Gi* z-score.
    pub gi_star_z: Option<f64>,
    /// Mann–Kendall tau of the yearly counts.
    pub trend: Option<f64>,
    /// Its two-sided p-value.
    pub trend_p: Option<f64>,
}

/// Global Moran's I of one measure, as `global_stats.json` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct GlobalEntry {
    /// Measure.
    pub measure: String,
    /// What the statistic was computed on: `rate_eb` or `count`.
    pub variable: &'static str,
    /// The statistic, or `null` with `note` when it is undefined.
    pub moran: Option<GlobalMoran>,
    /// Why there is no statistic, if there is none.
    pub note: Option<String>,
}

/// The contents of `global_stats.json`.
#[derive(Debug, Clone, Serialize)]
pub struct GlobalStats {
    /// The year described.
    pub year: i32,
    /// From 1 January of `year` to the day before this date.
    pub as_of: String,
    /// Spatial weights used.
    pub weights: WeightsSummary,
    /// One entry per measure.
    pub measures: Vec<GlobalEntry>,
}

/// What the weights were.
#[derive(Debug, Clone, Serialize)]
pub struct WeightsSummary {
    /// `queen`.
    pub kind: &'static str,
    /// Townships.
    pub n: usize,
    /// Neighbour pairs (each counted once).
    pub pairs: usize,
    /// Mean number of neighbours.
    pub mean_neighbours: f64,
    /// Codes of townships without neighbours.
    pub islands: Vec<String>,
}

/// One township (or grid cell) of an emerging hot spot analysis.
#[derive(Debug, Clone)]
pub struct EmergingRow {
    /// Measure.
    pub measure: String,
    /// Township index, or grid cell number for the grid.
    pub location: usize,
    /// The class.
    pub trend: LocationTrend,
}

/// A measure's emerging hot spots on the grid.
#[derive(Debug, Clone)]
pub struct GridResult {
    /// Measure (a point source).
    pub measure: String,
    /// The analysis: cells and their classes.
    pub hotspots: riskmap_stats::emerging::GridHotspots,
}

/// Everything the stage computed.
pub struct SpatialStats {
    /// Queen contiguity of the townships.
    pub weights: Weights,
    /// `spatial_stats.csv` rows, by measure then township.
    pub rows: Vec<StatRow>,
    /// `global_stats.json`.
    pub global: GlobalStats,
    /// Per township emerging hot spots, by measure then township.
    pub emerging: Vec<EmergingRow>,
    /// Grid emerging hot spots per point source.
    pub grids: Vec<GridResult>,
    /// EPSG code of the grid's metric system (UTM).
    pub grid_epsg: u32,
    /// What the grid layer ([`grid_layer`]) is made from: the grids' cache
    /// keys, in order, and the version of GDAL that writes it.
    pub grid_key: crate::cache::Key,
    /// Things a reader should know (islands, undefined statistics).
    pub warnings: Vec<String>,
}

impl SpatialStats {
    /// Frees what only the stage's own files read, once they are written:
    /// the report reads the grids' cells and categories and nothing else.
    /// On the nation the rest (per township rows, per cell z-scores) is about
    /// 1 GB, which was held through every later stage.
    pub fn drop_written(&mut self) {
        self.rows = Vec::new();
        self.emerging = Vec::new();
        for g in &mut self.grids {
            g.hotspots.cube.counts = Vec::new();
            for l in &mut g.hotspots.locations {
                l.z = Vec::new();
                l.p = Vec::new();
                l.trend = None;
            }
        }
    }
}

/// The Chinese name of an emerging hot spot category, as the map legend and
/// the report print it.
pub fn category_zh(c: Category) -> &'static str {
    hot_spot_class(c).label(riskmap_render::Lang::Zh)
}

/// The renderer's twin of an emerging hot spot category.
pub fn hot_spot_class(c: Category) -> HotSpotClass {
    use HotSpotClass as H;
    match c {
        Category::NoPattern => H::NoPattern,
        Category::NewHot => H::NewHot,
        Category::ConsecutiveHot => H::ConsecutiveHot,
        Category::IntensifyingHot => H::IntensifyingHot,
        Category::PersistentHot => H::PersistentHot,
        Category::DiminishingHot => H::DiminishingHot,
        Category::SporadicHot => H::SporadicHot,
        Category::OscillatingHot => H::OscillatingHot,
        Category::HistoricalHot => H::HistoricalHot,
        Category::NewCold => H::NewCold,
        Category::ConsecutiveCold => H::ConsecutiveCold,
        Category::IntensifyingCold => H::IntensifyingCold,
        Category::PersistentCold => H::PersistentCold,
        Category::DiminishingCold => H::DiminishingCold,
        Category::SporadicCold => H::SporadicCold,
        Category::OscillatingCold => H::OscillatingCold,
        Category::HistoricalCold => H::HistoricalCold,
    }
}

/// Computes the stage.
///
/// The emerging hot spot grids read complete years only; each is kept in
/// `cache` by the points it is computed from, so that a night with one more
/// day of records does not recompute them.
pub fn compute(
    v: &Validated,
    panel: &Panel,
    exposure: &HashMap<(usize, i32), f64>,
    cfg: &StatsConfig,
    cache: &crate::cache::Cache,
) -> SpatialStats {
    let n = v.townships.len();
    let year = v.current_year();
    let (first, last_complete) = (panel.years.0, v.last_complete_year());
    let weights =
        riskmap_stats::weights::queen_contiguity(v.index.polygons(), &QueenOptions::default());
    let mut warnings = Vec::new();
    let islands: Vec<String> = weights
        .islands()
        .into_iter()
        .map(|i| v.townships[i].code.clone())
        .collect();
    if !islands.is_empty() {
        warnings.push(format!(
            "townships without neighbours (islands), which local statistics treat as not significant: {}",
            islands.join(", ")
        ));
    }

    let measures = panel.measures();
    let expo: Vec<Option<f64>> = (0..n)
        .map(|t| exposure.get(&(t, year)).copied().filter(|p| *p > 0.0))
        .collect();
    let all_exposed = expo.iter().all(Option::is_some);
    let expo_values: Vec<f64> = expo.iter().map(|e| e.unwrap_or(0.0)).collect();
    let steps: Vec<i32> = (first..=last_complete).collect();
    // Counts by township and year, from the first year to the current one.
    let last = year.max(last_complete);
    let span = (last - first + 1).max(0) as usize;
    let at = |y: i32| (first..=last).contains(&y).then(|| (y - first) as usize);
    let counts = panel.cell_grid(&measures, n, first, last);

    let per_measure: Vec<(Vec<StatRow>, GlobalEntry, Vec<EmergingRow>)> = measures
        .par_iter()
        .zip(&counts)
        .map(|(m, grid)| {
            let count: Vec<f64> = (0..n)
                .map(|t| at(year).map_or(0.0, |k| grid[t * span + k].count))
                .collect();
            let rate: Vec<Option<f64>> = (0..n).map(|t| expo[t].map(|e| count[t] / e)).collect();
            let (rate_eb, rate_seb) = if all_exposed {
                (
                    riskmap_stats::rates::empirical_bayes(&count, &expo_values).ok(),
                    riskmap_stats::rates::spatial_empirical_bayes(&count, &expo_values, &weights)
                        .ok(),
                )
            } else {
                (None, None)
            };
            let (variable, y) = match &rate_eb {
                Some(eb) => ("rate_eb", eb.clone()),
                None => ("count", count.clone()),
            };
            let global = riskmap_stats::moran::global_moran(
                &y,
                &weights,
                &GlobalMoranOptions {
                    permutations: cfg.permutations,
                    seed: cfg.seed,
                    ..Default::default()
                },
            );
            let local = riskmap_stats::moran::local_moran(
                &y,
                &weights,
                &LocalMoranOptions {
                    permutations: cfg.permutations,
                    seed: cfg.seed,
                    alpha: cfg.alpha,
                    fdr: cfg.fdr,
                },
            );
            let gi = riskmap_stats::getis_ord::gi_star(&y, &weights);
            let series: Vec<Vec<f64>> = (0..n)
                .map(|t| {
                    steps
                        .iter()
                        .map(|&yr| at(yr).map_or(0.0, |k| grid[t * span + k].count))
                        .collect()
                })
                .collect();
            let rows = (0..n)
                .map(|t| {
                    let mk = riskmap_stats::mann_kendall::mann_kendall(&series[t]).ok();
                    StatRow {
                        township: t,
                        measure: m.clone(),
                        count: count[t],
                        exposure: expo[t],
                        rate: rate[t],
                        rate_eb: rate_eb.as_ref().map(|r| r[t]),
                        rate_seb: rate_seb.as_ref().map(|r| r[t]),
                        local_moran_i: local.as_ref().ok().map(|l| l.ii[t]),
                        local_moran_p: local.as_ref().ok().map(|l| l.p_sim[t]),
                        lisa: local.as_ref().map_or("ns", |l| l.class[t].as_str()),
                        gi_star_z: gi.as_ref().ok().map(|g| g.z[t]),
                        trend: mk.as_ref().map(|k| k.tau).filter(|t| t.is_finite()),
                        trend_p: mk.as_ref().map(|k| k.p).filter(|p| p.is_finite()),
                    }
                })
                .collect();
            let entry = match global {
                Ok(g) => GlobalEntry {
                    measure: m.clone(),
                    variable,
                    moran: Some(g),
                    note: None,
                },
                Err(e) => GlobalEntry {
                    measure: m.clone(),
                    variable,
                    moran: None,
                    note: Some(e.to_string()),
                },
            };
            let flat: Vec<f64> = series.iter().flatten().copied().collect();
            let emerging_options = EmergingOptions {
                time_window: cfg.time_window,
                alpha: cfg.alpha,
                ..Default::default()
            };
            let emerging = riskmap_stats::emerging::emerging_townships(
                &flat,
                steps.len(),
                &weights,
                &emerging_options,
            )
            .map(|trends| {
                trends
                    .into_iter()
                    .enumerate()
                    .map(|(t, trend)| EmergingRow {
                        measure: m.clone(),
                        location: t,
                        trend,
                    })
                    .collect()
            })
            .unwrap_or_default();
            (rows, entry, emerging)
        })
        .collect();

    let mut rows = Vec::new();
    let mut entries = Vec::new();
    let mut emerging = Vec::new();
    for (r, e, em) in per_measure {
        rows.extend(r);
        entries.push(e);
        emerging.extend(em);
    }

    // The grid: each point source's records in the complete years, in metres.
    let centre = v.region_centre();
    let grid_epsg = riskmap_io::crs::utm_epsg(centre[0], centre[1]);
    let keyed: Vec<(crate::cache::Key, GridResult)> = [
        Source::Incidents,
        Source::Fires,
        Source::ForestFires,
        Source::GeohazardEvents,
    ]
    .par_iter()
    .filter_map(|&source| {
        let picked: Vec<([f64; 2], usize)> = v
            .accepted
            .iter()
            .filter(|a| a.source == source)
            .filter_map(|a| {
                use chrono::Datelike;
                let y = a.when?.year();
                // Rows placed by township name or code have no grid cell.
                let point = a.point?;
                (first..=last_complete)
                    .contains(&y)
                    .then_some((point, (y - first) as usize))
            })
            .collect();
        if picked.is_empty() {
            return None;
        }
        let mut points: Vec<[f64; 2]> = picked.iter().map(|p| p.0).collect();
        let t: Vec<usize> = picked.iter().map(|p| p.1).collect();
        let key = crate::cache::KeyBuilder::new("emerging grid")
            .str(source.stem())
            .u64(grid_epsg as u64)
            .u64(steps.len() as u64)
            .json(cfg)
            .f64s(points.as_flattened())
            .usizes(&t)
            .finish();
        let hotspots: Option<_> = cache.memo("emerging grid", &key, || {
            riskmap_io::crs::from_wgs84(grid_epsg, &mut points).ok()?;
            let options = GridOptions {
                cell_size: cfg.cell_size_m,
                emerging: EmergingOptions {
                    time_window: cfg.time_window,
                    alpha: cfg.alpha,
                    ..Default::default()
                },
                ..Default::default()
            };
            riskmap_stats::emerging::emerging_grid(&points, &t, steps.len(), &options).ok()
        });
        Some((
            key,
            GridResult {
                measure: source.stem().to_owned(),
                hotspots: hotspots?,
            },
        ))
    })
    .collect();
    let mut grid_key = crate::cache::KeyBuilder::new("emerging grid layer");
    grid_key
        .str(&riskmap_io::writer_versions())
        .u64(grid_epsg as u64);
    let mut grids = Vec::with_capacity(keyed.len());
    for (key, grid) in keyed {
        grid_key.str(&key.into_string());
        grids.push(grid);
    }

    let pairs = weights.n_links() / 2;
    SpatialStats {
        global: GlobalStats {
            year,
            as_of: v.as_of.to_string(),
            weights: WeightsSummary {
                kind: "queen",
                n,
                pairs,
                mean_neighbours: weights.n_links() as f64 / n.max(1) as f64,
                islands,
            },
            measures: entries,
        },
        weights,
        rows,
        emerging,
        grids,
        grid_epsg,
        grid_key: grid_key.finish(),
        warnings,
    }
}

/// The grid layer's file, which [`write`] leaves to the caller: built by
/// [`grid_layer`], it is written beside the later stages (GDAL, one thread;
/// 1.44M cells for a nation took seconds), or copied from the cache.
pub const GRID_FILE: &str = "emerging_hotspots_grid.gpkg";

/// Writes the stage's tables into `dir`; returns their names.
pub fn write(
    v: &Validated,
    s: &SpatialStats,
    dir: &Path,
) -> Result<Vec<&'static str>, PipelineError> {
    let internal = |e: polars::error::PolarsError| PipelineError::Internal(e.to_string());
    let text = |name: &str, values: Vec<&str>| Column::new(PlSmallStr::from(name), values);
    let num = |name: &str, values: Vec<Option<f64>>| Column::new(PlSmallStr::from(name), values);
    let code = |t: usize| v.townships[t].code.as_str();
    let name = |t: usize| v.townships[t].name.as_str();
    let r = &s.rows;
    let mut df = DataFrame::new(
        r.len(),
        vec![
            text("code", r.iter().map(|x| code(x.township)).collect()),
            text("name", r.iter().map(|x| name(x.township)).collect()),
            text("measure", r.iter().map(|x| x.measure.as_str()).collect()),
            num("count", r.iter().map(|x| Some(x.count)).collect()),
            num("exposure", r.iter().map(|x| x.exposure).collect()),
            num("rate", r.iter().map(|x| x.rate).collect()),
            num("rate_eb", r.iter().map(|x| x.rate_eb).collect()),
            num("rate_seb", r.iter().map(|x| x.rate_seb).collect()),
            num("local_moran_i", r.iter().map(|x| x.local_moran_i).collect()),
            num("local_moran_p", r.iter().map(|x| x.local_moran_p).collect()),
            text("lisa", r.iter().map(|x| x.lisa).collect()),
            num("gi_star_z", r.iter().map(|x| x.gi_star_z).collect()),
            num("trend", r.iter().map(|x| x.trend).collect()),
            num("trend_p", r.iter().map(|x| x.trend_p).collect()),
        ],
    )
    .map_err(internal)?;
    riskmap_io::write_table(&mut df, &dir.join("spatial_stats.csv"))?;
    // Freed before the next frame is built (shadowing would keep it).
    drop(df);

    let json = serde_json::to_string_pretty(&s.global)
        .map_err(|e| PipelineError::Internal(e.to_string()))?;
    std::fs::write(dir.join("global_stats.json"), json + "\n")
        .map_err(|e| PipelineError::Input(format!("{}: {e}", dir.display())))?;

    let e = &s.emerging;
    let mut df = DataFrame::new(
        e.len(),
        vec![
            text("code", e.iter().map(|x| code(x.location)).collect()),
            text("name", e.iter().map(|x| name(x.location)).collect()),
            text("measure", e.iter().map(|x| x.measure.as_str()).collect()),
            text(
                "category",
                e.iter().map(|x| x.trend.category.as_str()).collect(),
            ),
            text(
                "category_zh",
                e.iter().map(|x| category_zh(x.trend.category)).collect(),
            ),
            Column::new(
                PlSmallStr::from("hot_years"),
                e.iter()
                    .map(|x| x.trend.hot_steps as i64)
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                PlSmallStr::from("cold_years"),
                e.iter()
                    .map(|x| x.trend.cold_steps as i64)
                    .collect::<Vec<_>>(),
            ),
            num(
                "last_z",
                e.iter().map(|x| x.trend.z.last().copied()).collect(),
            ),
            num(
                "z_trend_tau",
                e.iter()
                    .map(|x| x.trend.trend.as_ref().map(|k| k.tau))
                    .collect(),
            ),
            num(
                "z_trend_p",
                e.iter()
                    .map(|x| x.trend.trend.as_ref().map(|k| k.p))
                    .collect(),
            ),
        ],
    )
    .map_err(internal)?;
    riskmap_io::write_table(&mut df, &dir.join("emerging_hotspots.csv"))?;
    Ok(vec![
        "spatial_stats.csv",
        "global_stats.json",
        "emerging_hotspots.csv",
    ])
}

/// The grid layer of [`GRID_FILE`]: one feature per occupied cell and point
/// source. Built before [`SpatialStats::drop_written`] (it reads the cells'
/// counts).
pub fn grid_layer(s: &SpatialStats) -> Result<VectorLayer, PipelineError> {
    let internal = |e: polars::error::PolarsError| PipelineError::Internal(e.to_string());
    let text = |name: &str, values: Vec<&str>| Column::new(PlSmallStr::from(name), values);
    let mut geometries = Vec::new();
    let (mut measure, mut category, mut category_zh_col, mut total, mut hot, mut cold) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for g in &s.grids {
        let cube = &g.hotspots.cube;
        for (k, loc) in g.hotspots.locations.iter().enumerate() {
            let (lo, hi) = cube.cell_bounds(k);
            geometries.push(geo::Geometry::Polygon(
                geo::Rect::new(
                    geo::coord! { x: lo[0], y: lo[1] },
                    geo::coord! { x: hi[0], y: hi[1] },
                )
                .to_polygon(),
            ));
            measure.push(g.measure.as_str());
            category.push(loc.category.as_str());
            category_zh_col.push(category_zh(loc.category));
            total.push(
                cube.counts[k * cube.n_steps..(k + 1) * cube.n_steps]
                    .iter()
                    .sum::<f64>(),
            );
            hot.push(loc.hot_steps as i64);
            cold.push(loc.cold_steps as i64);
        }
    }
    let attributes = DataFrame::new(
        geometries.len(),
        vec![
            text("measure", measure),
            text("category", category),
            text("category_zh", category_zh_col),
            Column::new(PlSmallStr::from("count"), total),
            Column::new(PlSmallStr::from("hot_years"), hot),
            Column::new(PlSmallStr::from("cold_years"), cold),
        ],
    )
    .map_err(internal)?;
    Ok(VectorLayer {
        name: "emerging_hotspots_grid".into(),
        crs: Crs::Epsg(s.grid_epsg),
        geometries,
        attributes,
    })
}
