//! The raster stage: `heatmaps/<measure>.tif` (kernel density of each point
//! measure) and `township_terrain.csv` (elevation, steep slopes and forest
//! per township from `dem` and `forest_cover`), through `riskmap-raster`.
//!
//! Heatmaps, as run writes them:
//! - one per event source (`incidents`, `fires`, `forest_fires`,
//!   `geohazard_events`), from that source's records of the current year
//!   (1 January to the as-of date), in events per km² per year: the density
//!   is divided by the share of the year covered, so a half year of data
//!   reads on the same scale as a whole one;
//! - on a grid in the region's UTM zone (the GeoTIFF carries it), covering
//!   the townships plus one bandwidth, with square cells of `cell_size_m`
//!   (default: the region's longer side over 800, at least 50 m);
//! - kernel `quartic` (ArcGIS Kernel Density's) or `gaussian`, bandwidth by
//!   ArcGIS's spatial variant of Silverman's rule unless `bandwidth_m` is set;
//!   optional weights per source (`deaths`, `injuries`, `loss_10k_cny`,
//!   `burned_area_ha`).
//!
//! Terrain: a DEM in any coordinate system GDAL knows, and the forest cover
//! in the same system (the township polygons are transformed to it); a pixel
//! belongs to the township that contains its centre.

use std::path::Path;

use chrono::Datelike;
use geo::MapCoordsInPlace;
use polars::prelude::{Column, DataFrame, PlSmallStr};
use rayon::prelude::*;
use riskmap_domain::{Crs, Raster, Source};
use riskmap_raster::grid::Grid;
use riskmap_raster::kde::{KdeSpec, Kernel};

use crate::config::{HeatmapConfig, HEATMAP_SOURCES};
use crate::error::PipelineError;
use crate::model::Validated;
use crate::region::Found;

/// How a weight field (one of [`crate::config::HEATMAP_WEIGHTS`]) is read
/// off an accepted record.
fn weight_field(field: &str) -> Option<fn(&crate::model::Accepted) -> f64> {
    match field {
        "deaths" => Some(|a| a.severity().deaths),
        "injuries" => Some(|a| a.severity().injuries),
        "loss_10k_cny" => Some(|a| a.severity().loss_10k_cny),
        "burned_area_ha" => Some(|a| a.burned_area_ha()),
        _ => None,
    }
}

/// One heatmap.
pub struct Heatmap {
    /// The measure (a source stem).
    pub measure: String,
    /// Density, events (or weight) per km² per year, in `crs`.
    pub raster: Raster,
    /// Points used.
    pub points: usize,
    /// Kernel bandwidth used, metres.
    pub bandwidth_m: f64,
}

/// Kernel density of each event source's current-year records.
pub fn heatmaps(v: &Validated, cfg: &HeatmapConfig) -> Result<Vec<Heatmap>, PipelineError> {
    let centre = v.region_centre();
    let epsg = riskmap_io::crs::utm_epsg(centre[0], centre[1]);
    // The townships' extent in metres.
    let mut corners: Vec<[f64; 2]> = v
        .index
        .polygons()
        .iter()
        .flat_map(|mp| mp.0.iter())
        .flat_map(|p| p.exterior().0.iter())
        .map(|c| [c.x, c.y])
        .collect();
    riskmap_io::crs::from_wgs84(epsg, &mut corners)
        .map_err(|e| PipelineError::Internal(format!("cannot project to EPSG:{epsg}: {e}")))?;
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for c in corners.iter().filter(|c| c[0].is_finite()) {
        lo = [lo[0].min(c[0]), lo[1].min(c[1])];
        hi = [hi[0].max(c[0]), hi[1].max(c[1])];
    }
    let cell = cfg
        .cell_size_m
        .unwrap_or_else(|| ((hi[0] - lo[0]).max(hi[1] - lo[1]) / 800.0).max(50.0));
    let year = v.current_year();
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
    let days_in_year = if chrono::NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366.0
    } else {
        365.0
    };
    let years = ((v.as_of - start).num_days() as f64 / days_in_year).clamp(1.0 / days_in_year, 1.0);
    let kernel = if cfg.kernel == "gaussian" {
        Kernel::Gaussian
    } else {
        Kernel::Quartic
    };

    HEATMAP_SOURCES
        .par_iter()
        .filter_map(|&source| {
            let weight_of = cfg.weights.get(source.stem()).and_then(|f| weight_field(f));
            let chosen: Vec<([f64; 2], f64)> = v
                .accepted
                .iter()
                .filter(|a| a.source == source && a.when.is_some_and(|t| t.year() == year))
                // Rows placed by township name or code have no point to smooth.
                .filter_map(|a| Some((a.point?, weight_of.map_or(1.0, |w| w(a)))))
                .collect();
            (!chosen.is_empty()).then_some((source, chosen, weight_of))
        })
        .map(|(source, chosen, weight_of)| {
            let mut points: Vec<[f64; 2]> = chosen.iter().map(|c| c.0).collect();
            riskmap_io::crs::from_wgs84(epsg, &mut points).map_err(|e| {
                PipelineError::Internal(format!("cannot project to EPSG:{epsg}: {e}"))
            })?;
            let weights: Option<Vec<f64>> = weight_of.map(|_| chosen.iter().map(|c| c.1).collect());
            // A single point (or all at one place) has no spread: fall back
            // to ten cells.
            let bandwidth = cfg
                .bandwidth_m
                .or_else(|| {
                    riskmap_raster::kde::bandwidth::arcgis_default(&points, weights.as_deref())
                })
                .filter(|b| *b > 0.0 && b.is_finite())
                .unwrap_or(10.0 * cell);
            let reach = if kernel == Kernel::Gaussian {
                3.0 * bandwidth
            } else {
                bandwidth
            };
            let grid = Grid::covering(
                lo[0] - reach,
                lo[1] - reach,
                hi[0] + reach,
                hi[1] + reach,
                cell,
            );
            let spec = KdeSpec {
                kernel,
                bandwidth,
                years: Some(years),
            };
            let raster = riskmap_raster::kde::heatmap(
                &points,
                weights.as_deref(),
                &grid,
                &spec,
                Crs::Epsg(epsg),
            )
            .map_err(|e| {
                PipelineError::Internal(format!("kernel density of {}: {e}", source.stem()))
            })?;
            Ok(Heatmap {
                measure: source.stem().to_owned(),
                raster,
                points: points.len(),
                bandwidth_m: bandwidth,
            })
        })
        .collect()
}

/// Writes `heatmaps/<measure>.tif`; returns the paths written, relative to `dir`.
pub fn write_heatmaps(maps: &[Heatmap], dir: &Path) -> Result<Vec<String>, PipelineError> {
    let folder = dir.join("heatmaps");
    std::fs::create_dir_all(&folder)
        .map_err(|e| PipelineError::Input(format!("{}: {e}", folder.display())))?;
    maps.iter()
        .map(|h| {
            let name = format!("heatmaps/{}.tif", h.measure);
            riskmap_io::write_raster(&h.raster, &dir.join(&name))?;
            Ok(name)
        })
        .collect()
}

/// Terrain per township, when a `dem` is in the folder (with `forest_cover`
/// when that is there too), in any raster format and coordinate system GDAL
/// reads. A raster that cannot be used is a warning naming the file and what
/// to do, and the stage goes on without it: terrain refines the
/// natural-disaster score, it is never a reason to stop the night's run.
pub fn township_terrain(
    v: &Validated,
    found: &[Found],
    config: &crate::config::Config,
    warnings: &mut Vec<String>,
) -> Result<Option<Vec<riskmap_raster::zonal::TownshipTerrain>>, PipelineError> {
    let mut read = |s: Source| -> Option<(std::path::PathBuf, riskmap_domain::Raster)> {
        let f = found.iter().find(|f| f.source == s)?;
        let crs = config
            .source(s)
            .crs
            .as_deref()
            .and_then(crate::config::parse_crs);
        match riskmap_io::read_raster_as(&f.path, crs) {
            Ok(r) => {
                warnings.extend(r.note);
                Some((f.path.clone(), r.raster))
            }
            Err(e) => {
                warnings.push(format!(
                    "{e}; {} is left out of the terrain per township",
                    s.stem()
                ));
                None
            }
        }
    };
    let Some((dem_path, dem)) = read(Source::Dem) else {
        return Ok(None);
    };
    let mut forest = read(Source::ForestCover);
    if let Some((forest_path, f)) = &forest {
        if f.crs != dem.crs {
            warnings.push(format!(
                "{}: the forest cover is in {} but the DEM in {}; forest cover is left out of the terrain per township (give both in one coordinate system)",
                forest_path.display(),
                f.crs,
                dem.crs
            ));
            forest = None;
        }
    }
    if dem.crs == Crs::Gcj02 {
        warnings.push(format!(
            "{}: a DEM in GCJ-02 is not supported; give it in EPSG:4326 or a projected system. Terrain per township is skipped",
            dem_path.display()
        ));
        return Ok(None);
    }
    let mut polygons = v.index.polygons().to_vec();
    if let Crs::Epsg(code) = dem.crs {
        if code != 4326 {
            for mp in polygons.iter_mut() {
                let mut coords: Vec<[f64; 2]> =
                    mp.0.iter()
                        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                        .flat_map(|r| r.0.iter().map(|c| [c.x, c.y]))
                        .collect();
                if let Err(e) = riskmap_io::crs::from_wgs84(code, &mut coords) {
                    warnings.push(format!(
                        "{}: cannot transform townships to EPSG:{code} ({e}); terrain per township is skipped",
                        dem_path.display()
                    ));
                    return Ok(None);
                }
                // Put them back in the same traversal order (the closure
                // must be Copy, hence the Cell).
                let next = std::cell::Cell::new(0);
                let coords = &coords;
                mp.map_coords_in_place(|_| {
                    let [x, y] = coords[next.get()];
                    next.set(next.get() + 1);
                    geo::coord! { x: x, y: y }
                });
            }
        }
    }
    let terrain = riskmap_raster::zonal::township_terrain(
        &dem,
        forest.as_ref().map(|(_, f)| f),
        &polygons,
        riskmap_raster::zonal::STEEP_DEGREES,
    );
    // Townships (codes) whose terrain matches `pick`, listed at most ten.
    let listed = |pick: &dyn Fn(&riskmap_raster::zonal::TownshipTerrain) -> bool| {
        let codes: Vec<&str> = terrain
            .iter()
            .zip(&v.townships)
            .filter(|(t, _)| pick(t))
            .map(|(_, t)| t.code.as_str())
            .collect();
        let more = if codes.len() > 10 { ", ..." } else { "" };
        (
            codes.len(),
            codes
                .iter()
                .take(10)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
                + more,
        )
    };
    let (n, codes) = listed(&|t| t.from_interior_point);
    if n > 0 {
        warnings.push(format!(
            "{}: {n} township(s) contain no pixel centre of the raster (it is coarser than they are), so each takes the pixel under its interior point (sampled_at = interior_point in township_terrain.csv): {codes}",
            dem_path.display(),
        ));
    }
    let (n, codes) = listed(&|t| t.mean_elevation_m.is_none());
    if n > 0 {
        warnings.push(format!(
            "{}: {n} township(s) have no DEM value (outside the raster, or only nodata there), so their elevation and slope are empty: {codes}",
            dem_path.display(),
        ));
    }
    Ok(Some(terrain))
}

/// Writes `township_terrain.csv`.
pub fn write_terrain(
    v: &Validated,
    terrain: &[riskmap_raster::zonal::TownshipTerrain],
    dir: &Path,
) -> Result<(), PipelineError> {
    let num = |name: &str, values: Vec<Option<f64>>| Column::new(PlSmallStr::from(name), values);
    let mut df = DataFrame::new(
        terrain.len(),
        vec![
            Column::new(
                PlSmallStr::from("code"),
                v.townships
                    .iter()
                    .map(|t| t.code.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                PlSmallStr::from("name"),
                v.townships
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>(),
            ),
            num(
                "mean_elevation_m",
                terrain.iter().map(|t| t.mean_elevation_m).collect(),
            ),
            num(
                "steep_share",
                terrain.iter().map(|t| t.steep_share).collect(),
            ),
            num(
                "mean_forest_cover",
                terrain.iter().map(|t| t.mean_forest_cover).collect(),
            ),
            num(
                "forest_area_ha",
                terrain.iter().map(|t| Some(t.forest_area_ha)).collect(),
            ),
            num(
                "dem_area_km2",
                terrain.iter().map(|t| Some(t.dem_area_km2)).collect(),
            ),
            Column::new(
                PlSmallStr::from("sampled_at"),
                terrain
                    .iter()
                    .map(|t| {
                        if t.from_interior_point {
                            "interior_point"
                        } else {
                            "pixels"
                        }
                    })
                    .collect::<Vec<_>>(),
            ),
        ],
    )
    .map_err(|e| PipelineError::Internal(e.to_string()))?;
    riskmap_io::write_table(&mut df, &dir.join("township_terrain.csv"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_weight_riskmap_toml_accepts_is_read_off_a_record() {
        for field in crate::config::HEATMAP_WEIGHTS {
            assert!(weight_field(field).is_some(), "{field}");
        }
        assert!(weight_field("vehicles").is_none());
    }
}
