//! `riskmap backtest` and the forecast stage of `riskmap run`: the panel
//! turned into one [`riskmap_forecast::Panel`] per measure, the rolling-origin
//! backtest (`leaderboard.csv`, `predictions.parquet`), predictions made
//! elsewhere scored on the same footing (`--external`), and `forecast.csv`.
//!
//! What each measure's panel holds:
//! - years: from the first record to the last *complete* year, the last year
//!   whose 31 December is on or before the as-of date (a year still under
//!   way would look like a collapse in incidents);
//! - monthly counts where the measure has records (not for `area_counts`
//!   measures, which are yearly);
//! - exposure: the population of each year (the `population` table, else the
//!   township's own population); a missing year takes the nearest known
//!   year's value, and the forecast year the last known year's. A township
//!   with no population at all takes the median of the others;
//! - covariates: log population density (people per km²), and log
//!   densities of enterprises and of registered geohazard sites (per km²,
//!   each count plus one) where the region has those ledgers, and the log
//!   forest share (plus 0.01) and the steep share (slope over 25°) where it
//!   has a DEM and a forest layer;
//! - neighbours: townships sharing at least one boundary vertex (queen
//!   contiguity for tessellations that share their borders exactly, as
//!   synthetic regions and topologically clean layers do);
//! - truth: on synthetic regions, `truth/intensity.parquet` summed over months.
//!
//! **How `run` picks the model of a measure.** The backtest runs every
//! built-in model but `oracle` on the last [`RUN_ORIGINS`] origins of that
//! measure, and the model with the lowest mean CRPS wins (ties to the model
//! listed first in `riskmap_forecast::models::NAMES`). CRPS is chosen
//! because `forecast.csv` publishes a distribution (mean, p10, p50, p90),
//! and CRPS rewards a good mean and honest spread together. The winner is
//! refitted on every complete year and forecasts the year after.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use polars::prelude::{Column, DataFrame, DataType, PlSmallStr};
use rayon::prelude::*;
use riskmap_forecast::backtest::{self, LeaderRow, Measure, PredictionRow};
use riskmap_forecast::{Forecaster, Panel, Predictive};
use rustc_hash::FxHashMap;

use crate::error::PipelineError;
use crate::model::Validated;
use crate::staging::Staging;

/// Origins the forecast stage of `run` backtests on to pick a model.
pub const RUN_ORIGINS: usize = 3;

/// The largest region whose nightly forecast stage considers `bym2`. Its
/// dense Laplace fit costs about n³ per Newton step: a county's 18
/// townships take milliseconds, a province's 1,311 about 1.6 s per fit,
/// which the stage would pay for every measure and origin (and every
/// night the complete years change). `riskmap backtest` runs it up to
/// `riskmap_forecast::models::bym2::MAX_TOWNSHIPS`.
pub const BYM2_RUN_MAX: usize = 300;

/// Origins `backtest` uses when `--origins` is not given (the last ones).
pub const DEFAULT_ORIGINS: usize = 5;

/// What `backtest` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct BacktestOptions {
    /// The region folder.
    pub data: PathBuf,
    /// Where results go.
    pub out: PathBuf,
    /// Models by name (default: every built-in model).
    pub models: Option<Vec<String>>,
    /// First and last origin (last fitted year), inclusive.
    pub origins: Option<(i32, i32)>,
    /// Predictions made elsewhere, in the `predictions.parquet` layout.
    pub external: Option<PathBuf>,
    /// The as-of date, `YYYY-MM-DD`.
    pub as_of: Option<String>,
}

/// What a backtest did.
#[derive(Debug, Clone)]
pub struct BacktestReport {
    /// The leaderboard written.
    pub leaderboard: Vec<LeaderRow>,
    /// Origins used.
    pub origins: Vec<i32>,
    /// Measures and townships.
    pub measures: usize,
    /// Townships.
    pub townships: usize,
    /// Models skipped on some measure, and why.
    pub notes: Vec<String>,
    /// Seconds spent in the models (wall time of the parallel backtest).
    pub seconds: f64,
}

/// The measures of a validated region, ready for the forecasting models,
/// with the township areas (km²) for PAI and the last complete year.
pub struct Prepared {
    /// One panel per measure.
    pub measures: Vec<Measure>,
    /// Township areas, km².
    pub area: Vec<f64>,
    /// Last complete year.
    pub last_year: i32,
}

/// Townships that share a boundary vertex (coordinates compared exactly).
///
/// Every vertex is listed with its township and the list sorted by the
/// coordinates' bits (in parallel): the townships of one run of equal
/// coordinates are neighbours. (A hash map from vertex to townships, on one
/// thread, took 3.1 s of the nation's forecast stage.)
pub fn shared_vertex_neighbours(polygons: &[geo::MultiPolygon<f64>]) -> Vec<Vec<usize>> {
    let mut vertices: Vec<(u64, u64, u32)> = polygons
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, mp)| {
            mp.0.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|r| r.0.iter())
                .map(move |c| (c.x.to_bits(), c.y.to_bits(), i as u32))
        })
        .collect();
    vertices.par_sort_unstable();
    vertices.dedup();
    let mut out = vec![Vec::new(); polygons.len()];
    for owners in vertices.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        if owners.len() > 1 {
            for a in owners {
                for b in owners {
                    if a.2 != b.2 {
                        out[a.2 as usize].push(b.2 as usize);
                    }
                }
            }
        }
    }
    out.par_iter_mut().for_each(|l| {
        l.sort_unstable();
        l.dedup();
    });
    out
}

fn internal(e: impl std::fmt::Display) -> PipelineError {
    PipelineError::Internal(e.to_string())
}

/// Reads `truth/intensity.parquet` into (code, year, measure) → expected per year.
fn read_truth(data: &Path) -> Result<Option<HashMap<(String, i32, String), f64>>, PipelineError> {
    let path = data.join("truth").join("intensity.parquet");
    if !path.exists() {
        return Ok(None);
    }
    let df = riskmap_io::read_table(&path)?;
    let bad = |e: polars::error::PolarsError| {
        PipelineError::Input(format!(
            "{}: {e}; expected columns code, year, month, measure, expected",
            path.display()
        ))
    };
    let code = df
        .column("code")
        .and_then(|c| c.cast(&DataType::String))
        .map_err(bad)?;
    let year = df
        .column("year")
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(bad)?;
    let measure = df
        .column("measure")
        .and_then(|c| c.cast(&DataType::String))
        .map_err(bad)?;
    let expected = df
        .column("expected")
        .and_then(|c| c.cast(&DataType::Float64))
        .map_err(bad)?;
    let mut out: HashMap<(String, i32, String), f64> = HashMap::new();
    let (c, y, m, e) = (
        code.str().map_err(bad)?,
        year.i32().map_err(bad)?,
        measure.str().map_err(bad)?,
        expected.f64().map_err(bad)?,
    );
    for (((c, y), m), e) in c.iter().zip(y.iter()).zip(m.iter()).zip(e.iter()) {
        if let (Some(c), Some(y), Some(m), Some(e)) = (c, y, m, e) {
            *out.entry((c.to_owned(), y, m.to_owned())).or_default() += e;
        }
    }
    Ok(Some(out))
}

/// Builds one panel per measure from the validated region and its panel.
/// `truth_in`: the region folder whose `truth/` the oracle may read; only
/// `riskmap backtest` passes it. The nightly run passes `None`: it never
/// reads `truth/`, so a damaged or absent truth cannot touch its forecasts.
pub fn prepare(
    v: &Validated,
    panel: &crate::panel::Panel,
    exposure: &HashMap<(usize, i32), f64>,
    terrain: Option<&[riskmap_raster::zonal::TownshipTerrain]>,
    truth_in: Option<&Path>,
) -> Result<Prepared, PipelineError> {
    use geo::ChamberlainDuquetteArea;
    let n = v.townships.len();
    let first = panel.years.0;
    let last = v.last_complete_year();
    let years: Vec<i32> = (first..=last).collect();
    let t = years.len();
    let polygons = v.index.polygons();
    let area: Vec<f64> = polygons
        .iter()
        .map(|p| p.chamberlain_duquette_unsigned_area() / 1e6)
        .collect();
    let neighbours = shared_vertex_neighbours(polygons);

    // Exposure for years first..=last+1, gaps filled from the nearest known year.
    let mut expo: Vec<Vec<Option<f64>>> = (0..n)
        .map(|i| {
            (first..=last + 1)
                .map(|y| exposure.get(&(i, y)).copied())
                .collect()
        })
        .collect();
    let known: Vec<f64> = expo
        .iter()
        .filter_map(|r| r.iter().rev().flatten().next().copied())
        .collect();
    let has_exposure = !known.is_empty();
    let median = {
        let mut k = known.clone();
        k.sort_by(f64::total_cmp);
        k.get(k.len() / 2).copied().unwrap_or(1.0)
    };
    let exposure_rows: Vec<Vec<f64>> = expo
        .iter_mut()
        .map(|row| {
            (0..row.len())
                .map(|j| {
                    let nearest = (0..row.len())
                        .filter(|&k| row[k].is_some())
                        .min_by_key(|&k| (k as i64 - j as i64).abs() * 2 + i64::from(k > j));
                    nearest.and_then(|k| row[k]).unwrap_or(median)
                })
                .collect()
        })
        .collect();
    // Covariates: log population density, and the log densities (per km²,
    // plus one) of enterprises and of registered geohazard sites where the
    // region has those ledgers.
    let mut covariates: Vec<Vec<f64>> = vec![Vec::new(); n];
    if has_exposure {
        for (i, c) in covariates.iter_mut().enumerate() {
            c.push((exposure_rows[i][t.saturating_sub(1)].max(1.0) / area[i].max(1e-6)).ln());
        }
    }
    for source in [
        riskmap_domain::Source::Enterprises,
        riskmap_domain::Source::GeohazardSites,
    ] {
        let mut count = vec![0.0; n];
        for a in v.accepted.iter().filter(|a| a.source == source) {
            count[a.township] += 1.0;
        }
        if count.iter().any(|c| *c > 0.0) {
            for (i, c) in covariates.iter_mut().enumerate() {
                c.push(((count[i] + 1.0) / area[i].max(1e-6)).ln());
            }
        }
    }
    // Terrain, where the region has a DEM and a forest layer: the log forest
    // share (plus 1 %) and the share of steep land.
    if let Some(terrain) = terrain.filter(|t| t.len() == n) {
        let forest: Vec<Option<f64>> = terrain.iter().map(|t| t.mean_forest_cover).collect();
        if forest.iter().all(Option::is_some) {
            for (c, f) in covariates.iter_mut().zip(&forest) {
                c.push((f.unwrap_or(0.0).max(0.0) + 0.01).ln());
            }
        }
        let steep: Vec<Option<f64>> = terrain.iter().map(|t| t.steep_share).collect();
        if steep.iter().all(Option::is_some) {
            for (c, s) in covariates.iter_mut().zip(&steep) {
                c.push(s.unwrap_or(0.0));
            }
        }
    }
    if covariates.iter().all(Vec::is_empty) {
        covariates.clear();
    }
    let truth = match truth_in {
        Some(data) => read_truth(data)?,
        None => None,
    };

    let names = panel.measures();
    let grid = panel.cell_grid(&names, n, first, last);
    // Monthly counts per township of each measure the monthly panel has,
    // in one pass over it (a pass per measure compared 50M names on the
    // nation).
    let number: FxHashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(k, m)| (m.as_str(), k))
        .collect();
    let mut monthly_grids: Vec<Option<Vec<Vec<f64>>>> = vec![None; names.len()];
    for ((i, y, mo, m), cell) in &panel.monthly {
        let Some(&k) = number.get(m.as_str()) else {
            continue;
        };
        let mm = monthly_grids[k].get_or_insert_with(|| vec![vec![0.0; 12 * t]; n]);
        if *y >= first && *y <= last {
            mm[*i][12 * (*y - first) as usize + (*mo as usize - 1)] = cell.count;
        }
    }
    let mut measures = Vec::new();
    for ((name, cells), monthly) in names.iter().zip(&grid).zip(monthly_grids) {
        let counts: Vec<Vec<f64>> = (0..n)
            .map(|i| cells[i * t..(i + 1) * t].iter().map(|c| c.count).collect())
            .collect();
        let truth = truth.as_ref().and_then(|tr| {
            let rows: Option<Vec<Vec<f64>>> = v
                .townships
                .iter()
                .map(|town| {
                    (first..=last + 1)
                        .map(|y| tr.get(&(town.code.clone(), y, name.clone())).copied())
                        .collect()
                })
                .collect();
            rows
        });
        let p = Panel {
            years: years.clone(),
            counts,
            monthly,
            exposure: has_exposure.then(|| exposure_rows.clone()),
            covariates: covariates.clone(),
            neighbours: neighbours.clone(),
            truth,
        };
        p.check()
            .map_err(|e| internal(format!("panel of {name}: {e}")))?;
        measures.push(Measure {
            name: name.clone(),
            panel: p,
        });
    }
    Ok(Prepared {
        measures,
        area,
        last_year: last,
    })
}

/// Validates the region and builds its panel, as `run` does.
fn load(data: &Path, as_of: Option<&str>) -> Result<(Validated, Prepared), PipelineError> {
    let as_of = match as_of {
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                PipelineError::Input(format!(
                    "--as-of {d}: not a date; write it as YYYY-MM-DD, e.g. 2021-12-01"
                ))
            })?,
        ),
        None => None,
    };
    let config = crate::config::Config::load(data)?;
    let found = crate::region::find_sources(data, &config)?;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let v = crate::validate::validate(data, &found, &config, as_of, today)?;
    let mut warnings = Vec::new();
    let population = match found
        .iter()
        .find(|f| f.source == riskmap_domain::Source::Population)
    {
        Some(f) => crate::panel::read_population(&f.path, &mut warnings)?,
        None => Default::default(),
    };
    let panel = crate::panel::build(&v);
    let exposure = crate::panel::exposure(&v, &population, (panel.years.0, panel.years.1 + 1));
    let terrain = crate::rasters::township_terrain(&v, &found, &config, &mut warnings)?;
    let prepared = prepare(&v, &panel, &exposure, terrain.as_deref(), Some(data))?;
    Ok((v, prepared))
}

/// Reads `--external` predictions and turns them into scored rows.
fn read_external(
    path: &Path,
    b: &backtest::Backtest,
    measures: &[Measure],
    codes: &HashMap<&str, usize>,
) -> Result<Vec<(String, Vec<PredictionRow>)>, PipelineError> {
    let df = riskmap_io::read_table(path)?;
    let need = "columns model, origin, code, measure, year, mean, p10, p50, p90 (optional: size, the negative binomial size)";
    let bad = |e: polars::error::PolarsError| {
        PipelineError::Input(format!(
            "{}: {e}; external predictions need {need}",
            path.display()
        ))
    };
    let text = |name: &str| -> Result<Vec<Option<String>>, PipelineError> {
        let c = df
            .column(name)
            .and_then(|c| c.cast(&DataType::String))
            .map_err(bad)?;
        Ok(c.str()
            .map_err(bad)?
            .iter()
            .map(|s| s.map(str::to_owned))
            .collect())
    };
    let num = |name: &str| -> Result<Vec<Option<f64>>, PipelineError> {
        let c = df
            .column(name)
            .and_then(|c| c.cast(&DataType::Float64))
            .map_err(bad)?;
        Ok(c.f64().map_err(bad)?.iter().collect())
    };
    let (model, code, measure) = (text("model")?, text("code")?, text("measure")?);
    let (origin, year, mean, p10, p50, p90) = (
        num("origin")?,
        num("year")?,
        num("mean")?,
        num("p10")?,
        num("p50")?,
        num("p90")?,
    );
    let size = if df.column("size").is_ok() {
        num("size")?
    } else {
        vec![None; df.height()]
    };
    let mut out: Vec<(String, Vec<PredictionRow>)> = Vec::new();
    for r in 0..df.height() {
        let row_err = |field: &str, why: &str| {
            PipelineError::Input(format!(
                "{}: row {}, field `{field}`: {why}",
                path.display(),
                r + 1
            ))
        };
        let name = model[r].clone().ok_or_else(|| row_err("model", "empty"))?;
        let k = measure[r]
            .as_deref()
            .and_then(|m| b.measures.iter().position(|x| x == m))
            .ok_or_else(|| row_err("measure", "not a measure of this region"))?;
        let i = code[r]
            .as_deref()
            .and_then(|c| codes.get(c).copied())
            .ok_or_else(|| row_err("code", "not a township of this region"))?;
        let o = origin[r].ok_or_else(|| row_err("origin", "empty"))? as i32;
        let y = year[r].unwrap_or(f64::from(o + 1)) as i32;
        if y != o + 1 {
            return Err(row_err("year", "must be origin + 1"));
        }
        let p = &measures[k].panel;
        let idx = (y - p.years[0]) as usize;
        let actual = *p.counts[i]
            .get(idx)
            .filter(|_| y > p.years[0])
            .ok_or_else(|| row_err("year", "outside the region's complete years"))?;
        let mu = mean[r].ok_or_else(|| row_err("mean", "empty"))?;
        let s = Predictive::count(mu, size[r]).summary(Some(actual));
        let row = PredictionRow {
            model: 0,
            measure: k,
            origin: o,
            series: i,
            year: y,
            actual,
            mean: mu,
            p10: p10[r].unwrap_or(f64::NAN),
            p50: p50[r].unwrap_or(f64::NAN),
            p90: p90[r].unwrap_or(f64::NAN),
            crps: s.crps,
            calibration: s.calibration,
        };
        match out.iter_mut().find(|(m, _)| *m == name) {
            Some((_, rows)) => rows.push(row),
            None => out.push((name, vec![row])),
        }
    }
    Ok(out)
}

/// `leaderboard.csv`: SPEC's columns in SPEC's order, then `pai`, the
/// coverage of the central 50 % and 95 % intervals, the PIT histogram
/// (`pit_1` … `pit_10`, each bin's share; 0.1 each when calibrated) and
/// `pooled_measures` (`;`-separated: the measure, or for `all` the measures
/// of the set every model predicted).
fn leaderboard_frame(board: &[LeaderRow]) -> Result<DataFrame, PipelineError> {
    let f = |name: &str, g: &dyn Fn(&LeaderRow) -> f64| {
        Column::new(
            PlSmallStr::from(name),
            board.iter().map(g).collect::<Vec<f64>>(),
        )
    };
    let mut cols = vec![
        Column::new(
            PlSmallStr::from("model"),
            board.iter().map(|r| r.model.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            PlSmallStr::from("measure"),
            board.iter().map(|r| r.measure.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            PlSmallStr::from("n"),
            board.iter().map(|r| r.n as i64).collect::<Vec<_>>(),
        ),
        f("mae", &|r| r.mae),
        f("rmse", &|r| r.rmse),
        f("poisson_deviance", &|r| r.poisson_deviance),
        f("crps", &|r| r.crps),
        f("coverage_80", &|r| r.coverage_80),
        f("spearman", &|r| r.spearman),
        f("hit_rate_top10pct", &|r| r.hit_rate_top10pct),
        f("seconds", &|r| r.seconds),
        f("pai", &|r| r.pai),
        f("coverage_50", &|r| r.coverage_50),
        f("coverage_95", &|r| r.coverage_95),
    ];
    for j in 0..backtest::PIT_BINS {
        cols.push(f(&format!("pit_{}", j + 1), &|r| r.pit[j]));
    }
    cols.push(Column::new(
        PlSmallStr::from("pooled_measures"),
        board.iter().map(|r| r.pooled.join(";")).collect::<Vec<_>>(),
    ));
    DataFrame::new(board.len(), cols).map_err(internal)
}

fn predictions_frame(b: &backtest::Backtest, codes: &[String]) -> Result<DataFrame, PipelineError> {
    let r = &b.rows;
    let f = |g: fn(&PredictionRow) -> f64| r.iter().map(g).collect::<Vec<f64>>();
    let cols = vec![
        Column::new(
            PlSmallStr::from("model"),
            r.iter()
                .map(|x| b.models[x.model].clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            PlSmallStr::from("origin"),
            r.iter().map(|x| x.origin).collect::<Vec<_>>(),
        ),
        Column::new(
            PlSmallStr::from("code"),
            r.iter()
                .map(|x| codes[x.series].clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            PlSmallStr::from("measure"),
            r.iter()
                .map(|x| b.measures[x.measure].clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            PlSmallStr::from("year"),
            r.iter().map(|x| x.year).collect::<Vec<_>>(),
        ),
        Column::new(PlSmallStr::from("actual"), f(|x| x.actual)),
        Column::new(PlSmallStr::from("mean"), f(|x| x.mean)),
        Column::new(PlSmallStr::from("p10"), f(|x| x.p10)),
        Column::new(PlSmallStr::from("p50"), f(|x| x.p50)),
        Column::new(PlSmallStr::from("p90"), f(|x| x.p90)),
        Column::new(PlSmallStr::from("crps"), f(|x| x.crps)),
    ];
    DataFrame::new(r.len(), cols).map_err(internal)
}

fn models_by_name(names: &[String]) -> Result<Vec<Box<dyn Forecaster>>, PipelineError> {
    names
        .iter()
        .map(|n| {
            riskmap_forecast::models::by_name(n.trim()).ok_or_else(|| {
                PipelineError::Input(format!(
                    "--models: no model `{n}`; choose from {}",
                    riskmap_forecast::models::NAMES.join(", ")
                ))
            })
        })
        .collect()
}

/// Runs `riskmap backtest`.
pub fn run_backtest(opts: &BacktestOptions) -> Result<BacktestReport, PipelineError> {
    let staging = Staging::new(&opts.out)?;
    let (v, prepared) = load(&opts.data, opts.as_of.as_deref())?;
    let names: Vec<String> = match &opts.models {
        Some(m) => m.clone(),
        None => riskmap_forecast::models::NAMES
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let models = models_by_name(&names)?;
    let first = prepared
        .measures
        .first()
        .map_or(prepared.last_year, |m| m.panel.years[0]);
    let origins: Vec<i32> = match opts.origins {
        Some((a, b)) => (a..=b).collect(),
        None => {
            ((prepared.last_year - DEFAULT_ORIGINS as i32).max(first)..prepared.last_year).collect()
        }
    };
    let usable: Vec<i32> = origins
        .iter()
        .copied()
        .filter(|o| *o >= first && *o < prepared.last_year)
        .collect();
    if usable.is_empty() {
        return Err(PipelineError::Input(format!(
            "--origins: none of {origins:?} can be evaluated; origins are last fitted years from {first} to {} (the last complete year is {})",
            prepared.last_year - 1,
            prepared.last_year
        )));
    }
    let t = Instant::now();
    let mut b = backtest::run(&prepared.measures, &models, &usable);
    let seconds = t.elapsed().as_secs_f64();
    if let Some(path) = &opts.external {
        let codes: HashMap<&str, usize> = v
            .townships
            .iter()
            .enumerate()
            .map(|(i, t)| (t.code.as_str(), i))
            .collect();
        for (name, rows) in read_external(path, &b, &prepared.measures, &codes)? {
            b.add_external(&name, rows);
        }
    }
    let board = backtest::leaderboard(&b, Some(&prepared.area));
    let codes: Vec<String> = v.townships.iter().map(|t| t.code.clone()).collect();
    riskmap_io::write_table(
        &mut leaderboard_frame(&board)?,
        &staging.path().join("leaderboard.csv"),
    )?;
    riskmap_io::write_table(
        &mut predictions_frame(&b, &codes)?,
        &staging.path().join("predictions.parquet"),
    )?;
    write_leaderboard_chart(&board, staging.path())?;
    staging.commit()?;
    Ok(BacktestReport {
        leaderboard: board,
        origins: usable,
        measures: prepared.measures.len(),
        townships: v.townships.len(),
        notes: b.notes,
        seconds,
    })
}

/// Writes `leaderboard.png` and `leaderboard.svg`: the models' mean CRPS over
/// the pooled set (the `all` rows, which pool the same predictions for every
/// model), best first, each with its PIT histogram and interval coverage.
fn write_leaderboard_chart(board: &[backtest::LeaderRow], dir: &Path) -> Result<(), PipelineError> {
    let rows: Vec<riskmap_render::LeaderRow> = board
        .iter()
        .filter(|r| r.measure == "all")
        .map(|r| riskmap_render::LeaderRow {
            model: r.model.clone(),
            crps: r.crps,
            calibration: Some(riskmap_render::Calibration {
                coverage: [r.coverage_50, r.coverage_80, r.coverage_95],
                pit: r.pit,
            }),
        })
        .collect();
    let figure = riskmap_render::leaderboard_chart(
        &rows,
        "leaderboard",
        riskmap_render::Lang::Zh,
        riskmap_render::RenderOptions::default(),
    )
    .map_err(|e| PipelineError::Internal(format!("leaderboard chart: {e}")))?;
    let io = |e: std::io::Error| PipelineError::Input(format!("{}: {e}", dir.display()));
    std::fs::write(dir.join("leaderboard.png"), &figure.png).map_err(io)?;
    std::fs::write(dir.join("leaderboard.svg"), &figure.svg).map_err(io)?;
    Ok(())
}

/// The forecasts of `run`, in memory: one row per township and measure
/// (what `forecast.csv` holds) and one per measure for the region total.
#[derive(Debug, Clone, Default)]
pub struct Forecasts {
    /// The year forecast (the year after the last complete year).
    pub year: i32,
    /// Per township and measure.
    pub rows: Vec<ForecastRow>,
    /// Per measure, the region total: `(measure, model, summary)`. The total
    /// series is backtested on its own and forecast by the model that won on
    /// it, so its p10–p90 range describes the county's count, which the sum
    /// of township quantiles would not.
    pub totals: Vec<(String, String, riskmap_forecast::predictive::Summary)>,
}

/// One township and measure of `forecast.csv`.
#[derive(Debug, Clone)]
pub struct ForecastRow {
    /// Township index.
    pub township: usize,
    /// Measure.
    pub measure: String,
    /// Model used.
    pub model: String,
    /// Mean and quantiles.
    pub summary: riskmap_forecast::predictive::Summary,
}

/// Complete years of records the forecast stage needs: one, which the
/// historic mean fits on. Choosing a model by backtest needs more, and a
/// measure too short for it falls back to the historic mean (see
/// [`forecast_stage`]), so one year is enough to forecast.
pub const MIN_FORECAST_YEARS: i32 = 1;

/// Why the forecast stage of `run` cannot compute anything, if it cannot:
/// fewer than [`MIN_FORECAST_YEARS`] complete years before the as-of date
/// (a bureau's first year of records), or no measure at all. The reason
/// says what would make the stage run.
pub fn forecast_precondition(
    v: &Validated,
    panel: &crate::panel::Panel,
) -> Option<crate::stage::Skipped> {
    let first = panel.years.0;
    let last = v.last_complete_year();
    let complete = (last - first + 1).max(0);
    let skipped = |reason: String, reason_zh: String| crate::stage::Skipped {
        stage: "forecast".into(),
        reason,
        reason_zh,
    };
    if complete < MIN_FORECAST_YEARS {
        let year = if complete == 0 { first } else { last + 1 };
        return Some(skipped(
            format!(
                "forecast: needs {MIN_FORECAST_YEARS} complete year of records, has {complete} \
                 (records from {first}, as-of date {}); it runs once the records cover a whole \
                 calendar year, 1 January to 31 December {year}, and the as-of date is after it",
                v.as_of
            ),
            format!(
                "预测：需要至少{MIN_FORECAST_YEARS}个完整年份的记录，现有{complete}个；记录覆盖{year}年1月1日至12月31日且截止日期在其后时即可预测"
            ),
        ));
    }
    if panel.yearly.is_empty() {
        return Some(skipped(
            "forecast: no measure to forecast (no event records and no area_counts rows); \
             it runs once incidents, fires, forest_fires, geohazard_events or area_counts hold records"
                .into(),
            "预测：没有可预测的类别（无事件记录，也无area_counts数据）；有事故、火灾、森林火灾、地质灾害或area_counts记录后即可预测".into(),
        ));
    }
    None
}

/// The forecast stage of `run`: picks a model per measure by backtest, writes
/// `forecast.csv` into `dir` and returns the forecasts.
///
/// The backtests that choose the models read complete years only; their
/// choices are kept in `cache` by the prepared panels, so a night with one
/// more day of records (same complete years) skips them.
pub fn forecast_stage(
    v: &Validated,
    panel: &crate::panel::Panel,
    exposure: &HashMap<(usize, i32), f64>,
    terrain: Option<&[riskmap_raster::zonal::TownshipTerrain]>,
    dir: &Path,
    cache: &crate::cache::Cache,
) -> Result<(Vec<&'static str>, Forecasts), PipelineError> {
    let prepared = prepare(v, panel, exposure, terrain, None)?;
    let townships = v.townships.len();
    let candidates: Vec<Box<dyn Forecaster>> = riskmap_forecast::models::NAMES
        .iter()
        .filter(|n| **n != "oracle")
        .filter(|n| **n != "bym2" || townships <= BYM2_RUN_MAX)
        .filter_map(|n| riskmap_forecast::models::by_name(n))
        .collect();
    let last = prepared.last_year;
    let origins: Vec<i32> = (last - RUN_ORIGINS as i32..last).collect();
    let totals: Vec<Measure> = prepared
        .measures
        .iter()
        .map(|m| Measure {
            name: m.name.clone(),
            panel: m.panel.total(),
        })
        .collect();
    let mut key = crate::cache::KeyBuilder::new("forecast model choice");
    for c in &candidates {
        key.str(&c.name());
    }
    key.u64(last as u64);
    // Each measure's panel hashed on its own, side by side (a nation's are
    // 250 MB), into the key in measure order.
    let panel_keys: Vec<String> = prepared
        .measures
        .par_iter()
        .map(|m| {
            let mut k = crate::cache::KeyBuilder::new("forecast panel");
            k.str(&m.name);
            hash_panel(&mut k, &m.panel);
            k.finish().into_string()
        })
        .collect();
    for k in &panel_keys {
        key.str(k);
    }
    // One measure at a time (`choose_by_crps_each`): the choice is per
    // measure anyway, and a nation's members' forecasts and CRPS for every
    // measure at once (models × measures × origins × 40,000 townships) would
    // be held together.
    let (chosen, chosen_totals) = cache.memo("forecast model choice", &key.finish(), || {
        (
            backtest::choose_by_crps_each(&prepared.measures, &candidates, &origins),
            backtest::choose_by_crps_each(&totals, &candidates, &origins),
        )
    });
    let mut out = Forecasts {
        year: last + 1,
        ..Default::default()
    };
    for (m, choice) in prepared.measures.iter().zip(chosen) {
        // A measure too short to backtest is forecast by the historic mean.
        let name = choice.unwrap_or_else(|| "historic_mean".to_owned());
        let f = riskmap_forecast::models::by_name(&name)
            .expect("a built-in model")
            .forecast(&m.panel.history(m.panel.years.len()));
        for (i, p) in f.iter().enumerate() {
            out.rows.push(ForecastRow {
                township: i,
                measure: m.name.clone(),
                model: name.clone(),
                summary: p.summary(None),
            });
        }
    }
    // The region totals: one series per measure, its own backtest and model.
    for (m, choice) in totals.iter().zip(chosen_totals) {
        let name = choice.unwrap_or_else(|| "historic_mean".to_owned());
        let f = riskmap_forecast::models::by_name(&name)
            .expect("a built-in model")
            .forecast(&m.panel.history(m.panel.years.len()));
        if let Some(p) = f.first() {
            out.totals.push((m.name.clone(), name, p.summary(None)));
        }
    }
    let r = &out.rows;
    let mut df = DataFrame::new(
        r.len(),
        vec![
            Column::new(
                PlSmallStr::from("code"),
                r.iter()
                    .map(|x| v.townships[x.township].code.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                PlSmallStr::from("measure"),
                r.iter().map(|x| x.measure.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(PlSmallStr::from("year"), vec![out.year; r.len()]),
            Column::new(
                PlSmallStr::from("mean"),
                r.iter().map(|x| x.summary.mean).collect::<Vec<_>>(),
            ),
            Column::new(
                PlSmallStr::from("p10"),
                r.iter().map(|x| x.summary.p10).collect::<Vec<_>>(),
            ),
            Column::new(
                PlSmallStr::from("p50"),
                r.iter().map(|x| x.summary.p50).collect::<Vec<_>>(),
            ),
            Column::new(
                PlSmallStr::from("p90"),
                r.iter().map(|x| x.summary.p90).collect::<Vec<_>>(),
            ),
            Column::new(
                PlSmallStr::from("model"),
                r.iter().map(|x| x.model.as_str()).collect::<Vec<_>>(),
            ),
        ],
    )
    .map_err(internal)?;
    riskmap_io::write_table(&mut df, &dir.join("forecast.csv"))?;
    Ok((vec!["forecast.csv"], out))
}

/// Feeds every field of a forecasting panel to a cache key.
fn hash_panel(key: &mut crate::cache::KeyBuilder, p: &riskmap_forecast::Panel) {
    let rows = |key: &mut crate::cache::KeyBuilder, rows: &[Vec<f64>]| {
        key.u64(rows.len() as u64);
        for r in rows {
            key.f64s(r);
        }
    };
    key.usizes(&p.years.iter().map(|y| *y as usize).collect::<Vec<_>>());
    rows(key, &p.counts);
    for opt in [&p.monthly, &p.exposure, &p.truth] {
        match opt {
            Some(r) => rows(key.u64(1), r),
            None => {
                key.u64(0);
            }
        }
    }
    rows(key, &p.covariates);
    key.u64(p.neighbours.len() as u64);
    for n in &p.neighbours {
        key.usizes(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_share_a_vertex() {
        use geo::{polygon, MultiPolygon};
        let sq = |x: f64, y: f64| {
            MultiPolygon(vec![
                polygon![(x: x, y: y), (x: x + 1.0, y: y), (x: x + 1.0, y: y + 1.0), (x: x, y: y + 1.0)],
            ])
        };
        // Three squares in a row and one touching the third at a corner only.
        let n = shared_vertex_neighbours(&[
            sq(0.0, 0.0),
            sq(1.0, 0.0),
            sq(2.0, 0.0),
            sq(3.0, 1.0),
            sq(10.0, 10.0),
        ]);
        assert_eq!(n, vec![vec![1], vec![0, 2], vec![1, 3], vec![2], vec![]]);
    }
}
