//! Pixel-to-township assignment against brute force (geo's `Intersects`,
//! boundary inclusive, first polygon wins, per pixel centre) on seeded
//! random overlapping polygons with holes and on lattice-aligned polygons
//! whose edges and shared borders run through pixel centres; pixel areas
//! against known areas; and the township terrain layers on a DEM with a
//! known slope.

use geo::{coord, Contains, Intersects, LineString, MultiPolygon, Point, Polygon};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use riskmap_domain::layer::{Crs, Raster};
use riskmap_raster::terrain::metres_per_degree;
use riskmap_raster::zonal::{assign_pixels, row_areas, township_terrain, zonal_sums, NO_ZONE};

fn raster(width: usize, height: usize, geo_transform: [f64; 6], crs: Crs) -> Raster {
    Raster {
        width,
        height,
        geo_transform,
        crs,
        nodata: None,
        data: vec![0.0; width * height],
    }
}

fn brute_force(r: &Raster, polys: &[MultiPolygon<f64>]) -> Vec<u32> {
    let mut out = Vec::with_capacity(r.width * r.height);
    for row in 0..r.height {
        for col in 0..r.width {
            let (x, y) = r.cell_center(col, row);
            let p = Point::new(x, y);
            out.push(
                polys
                    .iter()
                    .position(|m| m.intersects(&p))
                    .map_or(NO_ZONE, |i| i as u32),
            );
        }
    }
    out
}

/// A star-shaped polygon around (cx, cy), sometimes with a square hole
/// small enough to stay inside (vertices are at least 0.4 r out, so edges at
/// least 0.4 r·cos 36° = 0.32 r; the hole's corners are 0.21 r out).
fn star(rng: &mut ChaCha8Rng, cx: f64, cy: f64, radius: f64) -> Polygon<f64> {
    let n = rng.random_range(5..40);
    let mut ring: Vec<_> = (0..n)
        .map(|k| {
            let a = k as f64 / n as f64 * std::f64::consts::TAU;
            let r = radius * (0.4 + 0.6 * rng.random::<f64>());
            coord! { x: cx + r * a.cos(), y: cy + r * a.sin() }
        })
        .collect();
    ring.push(ring[0]);
    let holes = if rng.random::<f64>() < 0.4 {
        let h = 0.15 * radius;
        vec![LineString::from(vec![
            (cx - h, cy - h),
            (cx + h, cy - h),
            (cx + h, cy + h),
            (cx - h, cy + h),
            (cx - h, cy - h),
        ])]
    } else {
        vec![]
    };
    Polygon::new(LineString::from(ring), holes)
}

#[test]
fn random_polygons_match_brute_force() {
    for seed in 0..6 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // A lon/lat grid like the county DEM's: ~100 m cells near 30° N.
        let (lon0, lat1, d) = (118.2, 30.1, 0.001);
        let r = raster(160, 120, [lon0, d, 0.0, lat1, 0.0, -d], Crs::WGS84);
        let polys: Vec<MultiPolygon<f64>> = (0..25)
            .map(|_| {
                let parts = rng.random_range(1..3);
                // Parts of one multipolygon must not overlap (a valid
                // multipolygon, as the townships are after repair).
                let mut discs: Vec<(f64, f64, f64)> = Vec::new();
                while discs.len() < parts {
                    let (cx, cy) = (
                        lon0 + rng.random::<f64>() * 0.16,
                        lat1 - rng.random::<f64>() * 0.12,
                    );
                    let radius = 0.005 + 0.03 * rng.random::<f64>();
                    if discs
                        .iter()
                        .all(|&(x, y, r)| (x - cx).hypot(y - cy) > r + radius)
                    {
                        discs.push((cx, cy, radius));
                    }
                }
                MultiPolygon(
                    discs
                        .into_iter()
                        .map(|(cx, cy, radius)| star(&mut rng, cx, cy, radius))
                        .collect(),
                )
            })
            .collect();
        let zones = assign_pixels(&r, &polys);
        let want = brute_force(&r, &polys);
        let diff = zones
            .labels
            .iter()
            .zip(&want)
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(diff, 0, "seed {seed}: {diff} pixels differ");
        assert!(
            want.iter().filter(|&&l| l != NO_ZONE).count() > 5000,
            "the polygons should cover many pixels"
        );
        // With random vertices no centre lies on a boundary, so geo's
        // Contains (interior only) agrees as well.
        for (k, &l) in want.iter().enumerate() {
            let (x, y) = r.cell_center(k % r.width, k / r.width);
            let contains = polys
                .iter()
                .position(|m| m.contains(&Point::new(x, y)))
                .map_or(NO_ZONE, |i| i as u32);
            assert_eq!(contains, l);
        }
    }
}

#[test]
fn centres_on_edges_and_shared_borders_follow_the_rule() {
    // Pixel centres at integer coordinates: x = col, y = 29 - row.
    let r = raster(40, 30, [-0.5, 1.0, 0.0, 29.5, 0.0, -1.0], Crs::Epsg(32650));
    let poly = |pts: &[(f64, f64)]| {
        MultiPolygon(vec![Polygon::new(LineString::from(pts.to_vec()), vec![])])
    };
    let polys = vec![
        // Two squares sharing the border x = 10: its centres go to index 0.
        poly(&[
            (2.0, 2.0),
            (10.0, 2.0),
            (10.0, 12.0),
            (2.0, 12.0),
            (2.0, 2.0),
        ]),
        poly(&[
            (10.0, 2.0),
            (18.0, 2.0),
            (18.0, 12.0),
            (10.0, 12.0),
            (10.0, 2.0),
        ]),
        // A triangle with a diagonal through centres and a vertex on one.
        poly(&[(20.0, 5.0), (35.0, 5.0), (20.0, 20.0), (20.0, 5.0)]),
        // A diamond: every edge passes through centres, apexes on centres
        // (local maximum and minimum vertices of the scanline).
        poly(&[
            (8.0, 15.0),
            (13.0, 20.0),
            (8.0, 25.0),
            (3.0, 20.0),
            (8.0, 15.0),
        ]),
        // Overlaps the first square: the smaller index keeps the overlap.
        poly(&[(5.0, 5.0), (25.0, 5.0), (25.0, 8.0), (5.0, 8.0), (5.0, 5.0)]),
    ];
    let zones = assign_pixels(&r, &polys);
    let want = brute_force(&r, &polys);
    for (k, (a, b)) in zones.labels.iter().zip(&want).enumerate() {
        assert_eq!(a, b, "pixel ({}, {})", k % r.width, k / r.width);
    }
    let at = |x: usize, y: usize| zones.labels[(29 - y) * r.width + x];
    assert_eq!(at(10, 5), 0, "shared border goes to the smaller index");
    assert_eq!(at(8, 25), 3, "diamond apex");
    assert_eq!(at(27, 8), 2, "triangle's diagonal edge (27 + 8 = 35)");
    // The first square holds 9 × 11 centres, boundary included.
    assert_eq!(zones.labels.iter().filter(|&&l| l == 0).count(), 9 * 11);
}

#[test]
fn pixel_areas_add_up_to_known_areas() {
    // A 0.5° × 0.5° block of 0.005° pixels at 29.5–30° N, 118–118.5° E.
    // Oracle: pyproj Geod(ellps="WGS84").polygon_area_perimeter of the block
    // with each side densified to 20,000 points (so its geodesic edges follow
    // the parallels): 2_680_501_568.53 m². Tolerance 1e-8 relative.
    let r = raster(100, 100, [118.0, 0.005, 0.0, 30.0, 0.0, -0.005], Crs::WGS84);
    let total: f64 = row_areas(&r).iter().sum::<f64>() * 100.0;
    assert!((total / 2_680_501_568.53 - 1.0).abs() < 1e-8, "{total}");
    // A township equal to the block's inner 60 × 40 pixels (edges on pixel
    // edges) gets exactly those pixels, and their area.
    let (x0, y1) = (118.0 + 20.0 * 0.005, 30.0 - 30.0 * 0.005);
    let (x1, y0) = (x0 + 60.0 * 0.005, y1 - 40.0 * 0.005);
    let town = MultiPolygon(vec![Polygon::new(
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
        vec![],
    )]);
    let zones = assign_pixels(&r, &[town]);
    let sums = zonal_sums(&r, &zones, |v| Some(v as f64));
    assert_eq!(sums[0].pixels, 2400);
    let areas = row_areas(&r);
    let want: f64 = areas[30..70].iter().sum::<f64>() * 60.0;
    assert!((sums[0].area_m2 - want).abs() < 1e-6 * want);
    // Projected: 30 m pixels are 900 m².
    let p = raster(
        5,
        5,
        [500_000.0, 30.0, 0.0, 3_300_000.0, 0.0, -30.0],
        Crs::Epsg(32650),
    );
    assert_eq!(row_areas(&p), vec![900.0; 5]);
}

#[test]
fn township_terrain_on_a_known_dem() {
    // A lon/lat DEM near 30° N whose east half is a plane rising 0.6 m per
    // metre eastwards (slope 31°) and whose west half is flat at 100 m;
    // forest cover 0.8 east, 0.1 west. Two townships: west half, east half,
    // both away from the step between them.
    let (w, h, d) = (80, 40, 0.001);
    let (lon0, lat1) = (118.0, 30.02);
    let gt = [lon0, d, 0.0, lat1, 0.0, -d];
    let mut dem = raster(w, h, gt, Crs::WGS84);
    let mut forest = raster(w, h, gt, Crs::WGS84);
    for row in 0..h {
        let lat = lat1 - (row as f64 + 0.5) * d;
        let (mx, _) = metres_per_degree(lat);
        for col in 0..w {
            let east = col >= w / 2;
            let x_m = (col as f64 + 0.5 - w as f64 / 2.0) * d * mx;
            dem.data[row * w + col] = if east {
                (100.0 + 0.6 * x_m) as f32
            } else {
                100.0
            };
            forest.data[row * w + col] = if east { 0.8 } else { 0.1 };
        }
    }
    let rect = |c0: f64, c1: f64| {
        let (x0, x1) = (lon0 + c0 * d, lon0 + c1 * d);
        let (y0, y1) = (lat1 - 38.0 * d, lat1 - 2.0 * d);
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    };
    let towns = [rect(2.0, 36.0), rect(44.0, 78.0)];
    let t = township_terrain(&dem, Some(&forest), &towns, 25.0);
    assert!((t[0].mean_elevation_m.unwrap() - 100.0).abs() < 1e-9);
    assert_eq!(t[0].steep_share, Some(0.0));
    assert_eq!(t[1].steep_share, Some(1.0));
    // The township holds columns 44..=77, symmetric about 60.5: a plane's
    // mean is the elevation there (x = 60.5 + 0.5 − 40 cells), up to the slight
    // change of east–west metres across latitudes and f32 rounding.
    let mx = metres_per_degree(lat1 - 20.0 * d).0;
    let mid = 100.0 + 0.6 * (60.5 + 0.5 - 40.0) * d * mx;
    assert!(
        (t[1].mean_elevation_m.unwrap() - mid).abs() < 0.05,
        "{:?} vs {mid}",
        t[1].mean_elevation_m
    );
    assert!((t[0].mean_forest_cover.unwrap() - 0.1).abs() < 1e-6);
    // Forest area = cover × area; the area is 34 × 36 pixels.
    let area_ha = t[1].dem_area_km2 * 100.0;
    assert!((t[1].forest_area_ha - 0.8 * area_ha).abs() < 1e-6 * area_ha);
    assert!(
        (area_ha
            - 34.0 * 36.0 * d * d * metres_per_degree(30.0).0 * metres_per_degree(30.0).1 / 1e4)
            .abs()
            < 0.01 * area_ha
    );
}
