//! Slope in degrees by Horn's method, computed as `gdaldem slope` (GDAL
//! 3.6, `apps/gdaldem_lib.cpp`) computes it, plus an ellipsoidal metre
//! spacing for lon/lat DEMs.
//!
//! For the 3 × 3 window `a0 a1 a2 / a3 a4 a5 / a6 a7 a8` (north row first):
//!
//! ```text
//! dx = ((a0 + 2a3 + a6) − (a2 + 2a5 + a8)) / ewres
//! dy = ((a6 + 2a7 + a8) − (a0 + 2a1 + a2)) / nsres
//! slope = atan(sqrt(dx² + dy²) / (8 · scale)) in degrees
//! ```
//!
//! with the sums taken in `f32` in that order (as gdaldem does on a float
//! window) and `ewres`, `nsres` the geo-transform's pixel sizes.
//!
//! Edges and nodata, as gdaldem:
//! - [`Edges::Nodata`] (gdaldem's default): the outer ring of cells is
//!   nodata (-9999), and so is every cell whose window holds a nodata value.
//! - [`Edges::Compute`] (`-compute_edges`): a missing row or column outside
//!   the grid is extrapolated linearly, `2a − b` from the two nearest; on the
//!   first and last rows the missing columns are instead clamped to the edge
//!   column before that extrapolation; a nodata neighbour takes the centre's
//!   value. A nodata centre stays nodata.
//!
//! Spacing ([`Spacing`]): a projected DEM uses its pixel sizes in metres. For
//! a lon/lat DEM gdaldem needs `-s 111120`, one metres-per-degree for both
//! axes, which overstates east–west spacing by `1/cos φ` (15 % at 30° N) and
//! so understates east–west slopes. [`Spacing::Geographic`] instead takes, for
//! each row, the metres per degree of the WGS84 ellipsoid at the latitude of
//! the row's centre: `M(φ)·π/180` north–south (meridian radius of curvature)
//! and `N(φ)·cos φ·π/180` east–west (prime vertical radius). riskmap uses it
//! for its EPSG:4326 DEMs; [`Spacing::Scale`] reproduces gdaldem's `-s`.

use rayon::prelude::*;
use riskmap_domain::layer::Raster;

/// The value gdaldem writes where slope is undefined.
pub const SLOPE_NODATA: f32 = -9999.0;

/// How cell sizes in metres are found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spacing {
    /// The geo-transform is in metres (a projected CRS); gdaldem's default.
    Projected,
    /// gdaldem's `-s scale`: horizontal units times `scale` are metres (111120
    /// for degrees).
    Scale(f64),
    /// Lon/lat in degrees: metres per degree of the WGS84 ellipsoid at each
    /// row's latitude.
    Geographic,
}

/// What happens at the outer ring of cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edges {
    /// Nodata, as gdaldem by default.
    Nodata,
    /// Extrapolated, as gdaldem `-compute_edges`.
    Compute,
}

/// WGS84 semi-major axis and first eccentricity squared.
const WGS84_A: f64 = 6_378_137.0;
const WGS84_E2: f64 = 6.694_379_990_141_316e-3;

/// Metres per degree of longitude and of latitude at latitude `lat` (degrees)
/// on the WGS84 ellipsoid.
pub fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let w2 = 1.0 - WGS84_E2 * phi.sin().powi(2);
    let n = WGS84_A / w2.sqrt();
    let m = WGS84_A * (1.0 - WGS84_E2) / (w2 * w2.sqrt());
    let k = std::f64::consts::PI / 180.0;
    (n * phi.cos() * k, m * k)
}

/// Slope in degrees of `dem`, same grid and CRS, nodata [`SLOPE_NODATA`].
pub fn slope_degrees(dem: &Raster, spacing: Spacing, edges: Edges) -> Raster {
    let (w, h) = (dem.width, dem.height);
    let g = dem.geo_transform;
    let mut out = vec![SLOPE_NODATA; w * h];
    let nodata = dem.nodata.map(|v| v as f32);
    let is_nodata = |v: f32| match nodata {
        Some(n) if n.is_nan() => v.is_nan(),
        Some(n) => v == n,
        None => false,
    };
    // 2a − b, or nodata if either is (gdaldem's INTERPOL).
    let interp = |a: f32, b: f32| {
        if is_nodata(a) || is_nodata(b) {
            nodata.unwrap_or(f32::NAN)
        } else {
            2.0 * a - b
        }
    };
    let compute = edges == Edges::Compute && w >= 2 && h >= 2;
    if !compute && (w < 3 || h < 3) {
        return Raster {
            data: out,
            nodata: Some(SLOPE_NODATA as f64),
            ..dem.clone()
        };
    }
    out.par_chunks_mut(w).enumerate().for_each(|(i, line)| {
        if !compute && (i == 0 || i == h - 1) {
            return;
        }
        let (ewres, nsres, scale) = match spacing {
            Spacing::Projected => (g[1], g[5], 1.0),
            Spacing::Scale(s) => (g[1], g[5], s),
            Spacing::Geographic => {
                let lat = g[3] + (i as f64 + 0.5) * g[5];
                let (mx, my) = metres_per_degree(lat);
                (g[1] * mx, g[5] * my, 1.0)
            }
        };
        let row = |k: usize| &dem.data[k * w..(k + 1) * w];
        for (j, o) in line.iter_mut().enumerate() {
            let edge_col = j == 0 || j == w - 1;
            if !compute && edge_col {
                continue;
            }
            let win: [f32; 9] = if i == 0 {
                let (jmin, jmax) = (j.saturating_sub(1), (j + 1).min(w - 1));
                let (r0, r1) = (row(0), row(1));
                [
                    interp(r0[jmin], r1[jmin]),
                    interp(r0[j], r1[j]),
                    interp(r0[jmax], r1[jmax]),
                    r0[jmin],
                    r0[j],
                    r0[jmax],
                    r1[jmin],
                    r1[j],
                    r1[jmax],
                ]
            } else if i == h - 1 {
                let (jmin, jmax) = (j.saturating_sub(1), (j + 1).min(w - 1));
                let (l1, l2) = (row(h - 2), row(h - 1));
                [
                    l1[jmin],
                    l1[j],
                    l1[jmax],
                    l2[jmin],
                    l2[j],
                    l2[jmax],
                    interp(l2[jmin], l1[jmin]),
                    interp(l2[j], l1[j]),
                    interp(l2[jmax], l1[jmax]),
                ]
            } else {
                let (l1, l2, l3) = (row(i - 1), row(i), row(i + 1));
                if j == 0 {
                    [
                        interp(l1[0], l1[1]),
                        l1[0],
                        l1[1],
                        interp(l2[0], l2[1]),
                        l2[0],
                        l2[1],
                        interp(l3[0], l3[1]),
                        l3[0],
                        l3[1],
                    ]
                } else if j == w - 1 {
                    [
                        l1[j - 1],
                        l1[j],
                        interp(l1[j], l1[j - 1]),
                        l2[j - 1],
                        l2[j],
                        interp(l2[j], l2[j - 1]),
                        l3[j - 1],
                        l3[j],
                        interp(l3[j], l3[j - 1]),
                    ]
                } else {
                    [
                        l1[j - 1],
                        l1[j],
                        l1[j + 1],
                        l2[j - 1],
                        l2[j],
                        l2[j + 1],
                        l3[j - 1],
                        l3[j],
                        l3[j + 1],
                    ]
                }
            };
            *o = window_slope(win, ewres, nsres, scale, compute, &is_nodata);
        }
    });
    Raster {
        data: out,
        nodata: Some(SLOPE_NODATA as f64),
        ..dem.clone()
    }
}

/// gdaldem's ComputeVal then GDALSlopeHornAlg on one window.
fn window_slope(
    mut a: [f32; 9],
    ewres: f64,
    nsres: f64,
    scale: f64,
    compute: bool,
    is_nodata: &impl Fn(f32) -> bool,
) -> f32 {
    if is_nodata(a[4]) {
        return SLOPE_NODATA;
    }
    for k in 0..9 {
        if is_nodata(a[k]) {
            if !compute {
                return SLOPE_NODATA;
            }
            a[k] = a[4];
        }
    }
    // Summed in f32 in gdaldem's order, then widened.
    let sx: f32 = (a[0] + a[3] + a[3] + a[6]) - (a[2] + a[5] + a[5] + a[8]);
    let sy: f32 = (a[6] + a[7] + a[7] + a[8]) - (a[0] + a[1] + a[1] + a[2]);
    let dx = sx as f64 / ewres;
    let dy = sy as f64 / nsres;
    let key = dx * dx + dy * dy;
    ((key.sqrt() / (8.0 * scale)).atan().to_degrees()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use riskmap_domain::layer::Crs;

    #[test]
    fn a_plane_has_its_slope_everywhere_in_metres_and_in_degrees() {
        // z = 0.3·east + 0.4·north (metres): slope atan(0.5) = 26.565°.
        let expected = 0.5f64.atan().to_degrees();
        let (w, h) = (7, 6);
        let proj = Raster {
            width: w,
            height: h,
            geo_transform: [500_000.0, 30.0, 0.0, 3_300_000.0, 0.0, -30.0],
            crs: Crs::Epsg(32650),
            nodata: None,
            data: (0..w * h)
                .map(|k| (0.3 * 30.0 * (k % w) as f64 - 0.4 * 30.0 * (k / w) as f64 + 500.0) as f32)
                .collect(),
        };
        // With computed edges the plane is recovered everywhere but at the
        // corners, where gdaldem clamps the missing column to the centre's
        // before extrapolating the missing row (so the corners read less).
        let s = slope_degrees(&proj, Spacing::Projected, Edges::Compute);
        for (k, &v) in s.data.iter().enumerate() {
            let corner = (k % w == 0 || k % w == w - 1) && (k / w == 0 || k / w == h - 1);
            assert_eq!(corner, (v as f64 - expected).abs() > 1e-3, "cell {k}: {v}");
        }
        let s = slope_degrees(&proj, Spacing::Projected, Edges::Nodata);
        assert_eq!(s.get(0, 3), SLOPE_NODATA);
        assert!((s.get(3, 3) as f64 - expected).abs() < 1e-3);

        // The same plane on a lon/lat grid at 30° N, cells of 0.001°.
        let (lon0, lat0, d) = (118.0, 30.01, 0.001);
        let geo = Raster {
            width: w,
            height: h,
            geo_transform: [lon0, d, 0.0, lat0, 0.0, -d],
            crs: Crs::WGS84,
            nodata: None,
            data: (0..w * h)
                .map(|k| {
                    let (c, r) = ((k % w) as f64 + 0.5, (k / w) as f64 + 0.5);
                    let lat = lat0 - r * d;
                    let (mx, my) = metres_per_degree(lat);
                    let (east, north) = (c * d * mx, -r * d * my);
                    (0.3 * east + 0.4 * north + 500.0) as f32
                })
                .collect(),
        };
        let s = slope_degrees(&geo, Spacing::Geographic, Edges::Nodata);
        for r in 1..h - 1 {
            for c in 1..w - 1 {
                // East–west metres per degree change by ~1e-5 across a
                // window, and f32 elevations carry ~3e-5 m: 0.01° is ample.
                assert!(
                    (s.get(c, r) as f64 - expected).abs() < 1e-2,
                    "({c},{r}) {}",
                    s.get(c, r)
                );
            }
        }
        // gdaldem's -s 111120 treats a degree of longitude as 111.12 km.
        let g = slope_degrees(&geo, Spacing::Scale(111_120.0), Edges::Nodata);
        assert!((g.get(3, 3) as f64 - expected).abs() > 1.0);
    }

    #[test]
    fn metres_per_degree_matches_the_wgs84_values() {
        // Oracle: pyproj's Geod(ellps="WGS84").inv over 1e-4° steps, times
        // 1e4 (geodesic over so short a step equals the arc): at the equator
        // 111_319.490_8 m per degree of longitude and 110_574.275_8 of
        // latitude; at 30° N, 96_486.280_3 and 110_852.442_5. Tolerance 1 mm.
        let (x, y) = metres_per_degree(0.0);
        assert!(
            (x - 111_319.490_8).abs() < 1e-3 && (y - 110_574.275_8).abs() < 1e-3,
            "{x} {y}"
        );
        let (x, y) = metres_per_degree(30.0);
        assert!(
            (x - 96_486.280_3).abs() < 1e-3 && (y - 110_852.442_5).abs() < 1e-3,
            "{x} {y}"
        );
    }
}
