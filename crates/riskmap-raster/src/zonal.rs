//! Exact pixel-to-township assignment and per-township statistics.
//!
//! **Rule:** a pixel belongs to the township whose polygon contains the
//! pixel's centre, boundary included; a centre on the shared border of
//! several townships (or inside overlapping ones) goes to the smallest
//! index. Pixels whose centre is in no polygon belong to none.
//!
//! Multipolygons must be valid (parts do not overlap, holes lie inside),
//! as the townships are after repair; the even–odd rule below would treat
//! an overlap of two parts as outside.
//!
//! **Method:** a scanline per polygon, in parallel over polygons. Every ring
//! edge (exteriors and holes alike) is visited once and yields, for each
//! pixel row whose centre line it spans, the x where it crosses that line.
//! Crossings counted half-open in y (`y_min ≤ y < y_max`) pair up into the
//! interior intervals of the even–odd rule; the edge's own points on the
//! line (a crossing point, or the whole of a horizontal edge) are added as
//! boundary intervals, so a centre on the boundary is inside. The columns
//! whose centres fall in a closed interval are labelled with an atomic
//! minimum, which makes the smallest index win without ordering the
//! threads. Cost: the polygons' edges plus their rows, not rows × edges.
//!
//! **Statistics** ([`zonal_sums`]) are area-weighted: each pixel counts with
//! its area, from [`row_areas`] — the exact area of a lon/lat cell on the
//! WGS84 ellipsoid (one value per row, since it depends on latitude only)
//! or `|dx·dy|` for a projected grid. Nodata pixels (the raster's nodata
//! value, or NaN) are left out of means but their area is kept apart
//! (`area_m2` vs `valid_area_m2`).

use std::sync::atomic::{AtomicU32, Ordering};

use geo::{InteriorPoint, LineString, MultiPolygon};
use rayon::prelude::*;
use riskmap_domain::layer::{Crs, Raster};

use crate::terrain::{slope_degrees, Edges, Spacing};

/// The label of a pixel in no township.
pub const NO_ZONE: u32 = u32::MAX;

/// Which township (index into the polygons) each pixel belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zones {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Row-major labels, [`NO_ZONE`] outside every polygon.
    pub labels: Vec<u32>,
    /// Number of polygons the labels index.
    pub zones: usize,
}

/// Labels every pixel of `raster`'s grid (its values are not read) with the
/// township containing the pixel's centre. `polygons` are in the raster's
/// CRS. The grid must be north-up (no rotation terms).
///
/// # Panics
/// If the geo-transform has rotation terms, or there are `u32::MAX` or more polygons.
pub fn assign_pixels(raster: &Raster, polygons: &[MultiPolygon<f64>]) -> Zones {
    let g = raster.geo_transform;
    assert!(
        g[2] == 0.0 && g[4] == 0.0,
        "rotated grids are not supported"
    );
    assert!(polygons.len() < NO_ZONE as usize, "too many polygons");
    let (w, h) = (raster.width, raster.height);
    let labels: Vec<AtomicU32> = (0..w * h).map(|_| AtomicU32::new(NO_ZONE)).collect();
    let row_of = |y: f64| (y - g[3]) / g[5] - 0.5;
    let col_of = |x: f64| (x - g[0]) / g[1] - 0.5;
    let row_y = |r: usize| g[3] + (r as f64 + 0.5) * g[5];
    polygons.par_iter().enumerate().for_each(|(index, mp)| {
        let rings = || {
            mp.0.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        };
        let (mut ymin, mut ymax) = (f64::INFINITY, f64::NEG_INFINITY);
        for c in rings().flat_map(|r: &LineString<f64>| r.0.iter()) {
            ymin = ymin.min(c.y);
            ymax = ymax.max(c.y);
        }
        // Row and column ranges are widened by one and then checked against
        // the exact centre coordinates, so that rounding in the index
        // arithmetic never drops a centre lying exactly on the boundary.
        let Some((r0, r1)) = row_range(row_of(ymin), row_of(ymax), h) else {
            return;
        };
        let mut crossings: Vec<Vec<f64>> = vec![Vec::new(); r1 - r0 + 1];
        let mut boundary: Vec<Vec<(f64, f64)>> = vec![Vec::new(); r1 - r0 + 1];
        for ring in rings() {
            for e in ring.lines() {
                let (a, b) = (e.start, e.end);
                let (lo, hi) = if a.y <= b.y { (a, b) } else { (b, a) };
                let Some((ra, rb)) = row_range(row_of(lo.y), row_of(hi.y), h) else {
                    continue;
                };
                for r in ra.max(r0)..=rb.min(r1) {
                    let y = row_y(r);
                    if y < lo.y || y > hi.y {
                        continue;
                    }
                    if lo.y == hi.y {
                        boundary[r - r0].push((a.x.min(b.x), a.x.max(b.x)));
                        continue;
                    }
                    let x = lo.x + (y - lo.y) * (hi.x - lo.x) / (hi.y - lo.y);
                    boundary[r - r0].push((x, x));
                    if y < hi.y {
                        crossings[r - r0].push(x);
                    }
                }
            }
        }
        let label = index as u32;
        let fill = |r: usize, a: f64, b: f64| {
            if let Some((c0, c1)) = row_range(col_of(a), col_of(b), w) {
                let (a, b) = (a.min(b), a.max(b));
                for c in c0..=c1 {
                    let x = g[0] + (c as f64 + 0.5) * g[1];
                    if a <= x && x <= b {
                        labels[r * w + c].fetch_min(label, Ordering::Relaxed);
                    }
                }
            }
        };
        for (k, xs) in crossings.iter_mut().enumerate() {
            xs.sort_by(f64::total_cmp);
            for pair in xs.chunks_exact(2) {
                fill(r0 + k, pair[0], pair[1]);
            }
            for &(a, b) in &boundary[k] {
                fill(r0 + k, a, b);
            }
        }
    });
    Zones {
        width: w,
        height: h,
        labels: labels.into_iter().map(AtomicU32::into_inner).collect(),
        zones: polygons.len(),
    }
}

/// The whole indices in `[min(a, b), max(a, b)]` clipped to `0..n`, if any,
/// Widened by one on each side: callers check the exact centres.
fn row_range(a: f64, b: f64, n: usize) -> Option<(usize, usize)> {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let (lo, hi) = (
        (lo.ceil() - 1.0).max(0.0),
        (hi.floor() + 1.0).min(n as f64 - 1.0),
    );
    (lo <= hi && n > 0).then_some((lo as usize, hi as usize))
}

/// Whether riskmap treats `crs` as lon/lat degrees.
pub fn is_geographic(crs: Crs) -> bool {
    // WGS84, CGCS2000, Beijing 1954, Xian 1980, New Beijing, NAD83, ETRS89,
    // GDA94, NAD83(CSRS): the lon/lat systems a DEM is commonly delivered in.
    matches!(
        crs,
        Crs::Epsg(4326 | 4490 | 4214 | 4610 | 4555 | 4269 | 4258 | 4283 | 4617) | Crs::Gcj02
    )
}

/// The area in m² of a pixel of each row: on the WGS84 ellipsoid for a
/// lon/lat raster (the exact area of the cell between two parallels and two
/// meridians), `|dx·dy|` for a projected one.
pub fn row_areas(raster: &Raster) -> Vec<f64> {
    let g = raster.geo_transform;
    if !is_geographic(raster.crs) {
        return vec![(g[1] * g[5]).abs(); raster.height];
    }
    const A: f64 = 6_378_137.0;
    const E2: f64 = 6.694_379_990_141_316e-3;
    let e = E2.sqrt();
    // Area from the equator to latitude φ per radian of longitude.
    let q = |lat: f64| {
        let s = lat.to_radians().sin();
        A * A * (1.0 - E2) / 2.0
            * (s / (1.0 - E2 * s * s) + ((1.0 + e * s) / (1.0 - e * s)).ln() / (2.0 * e))
    };
    let dlon = g[1].abs().to_radians();
    (0..raster.height)
        .map(|r| {
            let (y1, y2) = (g[3] + r as f64 * g[5], g[3] + (r + 1) as f64 * g[5]);
            dlon * (q(y1) - q(y2)).abs()
        })
        .collect()
}

/// Area-weighted sums of one raster over one township.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ZoneSums {
    /// Pixels assigned to the township.
    pub pixels: usize,
    /// Their area, m².
    pub area_m2: f64,
    /// Area of those with a value, m².
    pub valid_area_m2: f64,
    /// Σ value × pixel area over pixels with a value.
    pub weighted_sum: f64,
}

impl ZoneSums {
    /// The area-weighted mean of the values, if any pixel has one.
    pub fn mean(&self) -> Option<f64> {
        (self.valid_area_m2 > 0.0).then(|| self.weighted_sum / self.valid_area_m2)
    }

    fn add(mut self, o: &ZoneSums) -> ZoneSums {
        self.pixels += o.pixels;
        self.area_m2 += o.area_m2;
        self.valid_area_m2 += o.valid_area_m2;
        self.weighted_sum += o.weighted_sum;
        self
    }
}

/// Per township (indexed as the polygons `zones` was built from): the
/// area-weighted sums of `value(pixel)` over its pixels, skipping nodata and
/// NaN pixels and those for which `value` returns `None`.
///
/// # Panics
/// If `zones` was not built on `raster`'s grid size.
pub fn zonal_sums(
    raster: &Raster,
    zones: &Zones,
    value: impl Fn(f32) -> Option<f64> + Sync,
) -> Vec<ZoneSums> {
    assert_eq!(
        (zones.width, zones.height),
        (raster.width, raster.height),
        "zones are for another grid"
    );
    let areas = row_areas(raster);
    let nodata = raster.nodata;
    let w = raster.width;
    // Sums are taken over fixed blocks of rows and the blocks added in
    // order, so the floating-point result does not depend on how rayon splits
    // the work (a `fold`/`reduce` would associate the sums differently with
    // one or two threads, or even between two runs with the same number).
    const BLOCK_ROWS: usize = 32;
    let blocks: Vec<Vec<ZoneSums>> = raster
        .data
        .par_chunks(w * BLOCK_ROWS)
        .zip(zones.labels.par_chunks(w * BLOCK_ROWS))
        .enumerate()
        .map(|(b, (values, labels))| {
            let mut acc = vec![ZoneSums::default(); zones.zones];
            for (i, (&v, &l)) in values.iter().zip(labels).enumerate() {
                if l == NO_ZONE {
                    continue;
                }
                let r = b * BLOCK_ROWS + i / w;
                let s = &mut acc[l as usize];
                s.pixels += 1;
                s.area_m2 += areas[r];
                if v.is_nan() || nodata.is_some_and(|n| v as f64 == n) {
                    continue;
                }
                if let Some(x) = value(v) {
                    s.valid_area_m2 += areas[r];
                    s.weighted_sum += x * areas[r];
                }
            }
            acc
        })
        .collect();
    blocks
        .iter()
        .fold(vec![ZoneSums::default(); zones.zones], |a, b| {
            a.iter().zip(b).map(|(x, y)| x.add(y)).collect()
        })
}

/// The raster layers of one township that feed the natural-disaster score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TownshipTerrain {
    /// Area-weighted mean elevation, m.
    pub mean_elevation_m: Option<f64>,
    /// Share of the area (of pixels with a slope) steeper than the threshold.
    pub steep_share: Option<f64>,
    /// Area-weighted mean forest cover, 0–1.
    pub mean_forest_cover: Option<f64>,
    /// Σ cover × pixel area, in hectares.
    pub forest_area_ha: f64,
    /// Area of the township's DEM pixels, km².
    pub dem_area_km2: f64,
    /// The township contains no pixel centre of the DEM or of the forest
    /// raster (a raster coarser than the township), so that raster's values
    /// are those of the one pixel under the township's interior point; its
    /// areas then stay 0, since no pixel belongs to it.
    pub from_interior_point: bool,
}

/// Slope threshold of the natural-disaster score, degrees.
pub const STEEP_DEGREES: f64 = 25.0;

/// Per township: mean elevation, share of area steeper than `steep_degrees`
/// (slope by Horn's method, ellipsoidal spacing for lon/lat DEMs, edges
/// computed as `gdaldem -compute_edges` so that townships at the DEM's
/// border keep their edge pixels), mean forest cover and forest area (when
/// a forest raster is given). The DEM and forest rasters may have different
/// grids; `townships` are in their CRS.
///
/// A township that contains no pixel centre of a raster (a coarse raster, a
/// small township) takes the pixel under its interior point, and is flagged
/// ([`TownshipTerrain::from_interior_point`]), rather than getting no value.
pub fn township_terrain(
    dem: &Raster,
    forest: Option<&Raster>,
    townships: &[MultiPolygon<f64>],
    steep_degrees: f64,
) -> Vec<TownshipTerrain> {
    let dem_zones = assign_pixels(dem, townships);
    let spacing = if is_geographic(dem.crs) {
        Spacing::Geographic
    } else {
        Spacing::Projected
    };
    let slope = slope_degrees(dem, spacing, Edges::Compute);
    let elevation = zonal_sums(dem, &dem_zones, |v| Some(v as f64));
    let steep_value = |v: f64| if v > steep_degrees { 1.0 } else { 0.0 };
    let steep = zonal_sums(&slope, &dem_zones, |v| Some(steep_value(v as f64)));
    let cover = forest.map(|forest| {
        let same_grid = (dem.width, dem.height, dem.geo_transform)
            == (forest.width, forest.height, forest.geo_transform);
        let forest_zones = if same_grid {
            dem_zones.clone()
        } else {
            assign_pixels(forest, townships)
        };
        zonal_sums(forest, &forest_zones, |v| Some(v as f64))
    });
    townships
        .par_iter()
        .enumerate()
        .map(|(i, polygon)| {
            let mut t = TownshipTerrain {
                mean_elevation_m: elevation[i].mean(),
                steep_share: steep[i].mean(),
                mean_forest_cover: cover.as_ref().and_then(|c| c[i].mean()),
                forest_area_ha: cover.as_ref().map_or(0.0, |c| c[i].weighted_sum / 1e4),
                dem_area_km2: elevation[i].area_m2 / 1e6,
                from_interior_point: false,
            };
            // No pixel centre in the township, or none with a value.
            let no_dem_pixel = elevation[i].valid_area_m2 == 0.0;
            let no_forest_pixel = cover.as_ref().is_some_and(|c| c[i].valid_area_m2 == 0.0);
            if no_dem_pixel || no_forest_pixel {
                if let Some(p) = polygon.interior_point() {
                    if no_dem_pixel {
                        t.mean_elevation_m = dem.value_at(p.x(), p.y()).map(f64::from);
                        t.steep_share =
                            slope.value_at(p.x(), p.y()).map(f64::from).map(steep_value);
                        t.from_interior_point |= t.mean_elevation_m.is_some();
                    }
                    if no_forest_pixel {
                        t.mean_forest_cover =
                            forest.and_then(|f| f.value_at(p.x(), p.y()).map(f64::from));
                        t.from_interior_point |= t.mean_forest_cover.is_some();
                    }
                }
            }
            t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    /// A 2 × 2 grid of 0.1° pixels over lon 119.0–119.2, lat 29.0–29.2.
    fn coarse(values: [f32; 4]) -> Raster {
        Raster {
            width: 2,
            height: 2,
            geo_transform: [119.0, 0.1, 0.0, 29.2, 0.0, -0.1],
            crs: Crs::WGS84,
            nodata: Some(-9999.0),
            data: values.to_vec(),
        }
    }

    #[test]
    fn a_township_with_no_pixel_centre_takes_the_pixel_under_its_interior_point_flagged() {
        let dem = coarse([100.0, 200.0, 300.0, 400.0]);
        let forest = coarse([0.1, 0.2, 0.3, 0.4]);
        // Small: inside the top-right pixel, away from its centre (119.15, 29.15).
        let small = MultiPolygon(vec![polygon![
            (x: 119.11, y: 29.11), (x: 119.13, y: 29.11), (x: 119.13, y: 29.13), (x: 119.11, y: 29.13)
        ]]);
        // Large: covers the bottom-left pixel's centre (119.05, 29.05).
        let large = MultiPolygon(vec![polygon![
            (x: 119.0, y: 29.0), (x: 119.1, y: 29.0), (x: 119.1, y: 29.1), (x: 119.0, y: 29.1)
        ]]);
        let large_copy = large.clone();
        // Off the grid: nothing to sample, no value, not flagged.
        let off = MultiPolygon(vec![polygon![
            (x: 120.0, y: 29.0), (x: 120.01, y: 29.0), (x: 120.01, y: 29.01), (x: 120.0, y: 29.01)
        ]]);
        let t = township_terrain(&dem, Some(&forest), &[small, large, off], 25.0);
        assert_eq!(t[0].mean_elevation_m, Some(200.0));
        assert!((t[0].mean_forest_cover.unwrap() - 0.2).abs() < 1e-6);
        assert!(t[0].steep_share.is_some());
        assert!(t[0].from_interior_point);
        assert_eq!((t[0].dem_area_km2, t[0].forest_area_ha), (0.0, 0.0));
        assert_eq!(t[1].mean_elevation_m, Some(300.0));
        assert!(!t[1].from_interior_point);
        assert!(t[1].dem_area_km2 > 0.0);
        assert_eq!(t[2].mean_elevation_m, None);
        assert!(!t[2].from_interior_point);
        // Without a forest raster the DEM's values are still there.
        let t = township_terrain(&dem, None, &[large_copy], 25.0);
        assert_eq!(
            (t[0].mean_elevation_m, t[0].mean_forest_cover),
            (Some(300.0), None)
        );
    }
}
