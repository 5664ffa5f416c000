//! Property tests of the join on hostile polygons: self-intersecting,
//! zero-area and sliver rings, NaN, infinite and 1e300 coordinates, scales
//! from 1e-300 to 1e300 degrees. `TownshipIndex::new` and `assign` must
//! never panic (nor abort on a huge allocation), and a point is never given
//! to a township that does not hold it: `Inside(i)` where township `i` is a
//! valid polygon means geo's `CoordinatePosition` puts the point inside or on
//! its boundary, and `Snapped(i, d)` means the point is outside every
//! township and `d` (at most the tolerance) is its distance to `i`.
//!
//! Cases per property: 128 by default (about 8 s on a busy machine); set `PROPTEST_CASES`
//! for a bigger batch.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Coord, LineString, MultiPolygon, Polygon, Validation};
use proptest::prelude::*;
use riskmap_spatial::join::{Assignment, TownshipIndex};

/// The configured number of cases: `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> ProptestConfig {
    match std::env::var("PROPTEST_CASES") {
        Ok(_) => ProptestConfig::default(),
        Err(_) => ProptestConfig::with_cases(default),
    }
}

/// A coordinate offset: mostly ordinary, sometimes hostile.
fn unit() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -1.0..1.0f64,
        1 => Just(0.0),
        1 => prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(1e300),
            Just(-1e300),
            Just(f64::MAX),
            Just(f64::MIN_POSITIVE),
        ],
    ]
}

/// A scale in degrees, from far below floating-point noise to far beyond the globe.
fn scale() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => Just(0.05),
        1 => Just(0.0),
        1 => Just(1e-300),
        1 => Just(1e-15),
        1 => Just(1e-6),
        1 => Just(1.0),
        1 => Just(1e10),
        1 => Just(1e300),
    ]
}

/// A ring of 0 to 9 vertices around (120, 30), stretched by independent
/// x and y scales (so slivers and zero-area rings occur), vertices in any order
/// (so self-intersections occur).
fn ring() -> impl Strategy<Value = LineString<f64>> {
    (
        scale(),
        scale(),
        -0.1..0.1f64,
        -0.1..0.1f64,
        prop::collection::vec((unit(), unit()), 0..10),
    )
        .prop_map(|(sx, sy, dx, dy, pts)| {
            pts.into_iter()
                .map(|(u, v)| Coord {
                    x: 120.0 + dx + u * sx,
                    y: 30.0 + dy + v * sy,
                })
                .collect::<Vec<_>>()
                .into()
        })
}

fn polygon() -> impl Strategy<Value = Polygon<f64>> {
    (ring(), prop::collection::vec(ring(), 0..2)).prop_map(|(e, holes)| Polygon::new(e, holes))
}

fn townships() -> impl Strategy<Value = Vec<MultiPolygon<f64>>> {
    prop::collection::vec(
        prop::collection::vec(polygon(), 0..3).prop_map(MultiPolygon),
        0..6,
    )
}

fn points() -> impl Strategy<Value = Vec<[f64; 2]>> {
    prop::collection::vec(
        prop_oneof![
            8 => (119.8..120.2f64, 29.8..30.2f64).prop_map(|(x, y)| [x, y]),
            1 => (unit(), unit()).prop_map(|(u, v)| [120.0 + u, 30.0 + v]),
            1 => (any::<f64>(), any::<f64>()).prop_map(|(x, y)| [x, y]),
        ],
        1..40,
    )
}

/// geo's validity, asked only of finite polygons: geo's own `is_valid`
/// panics on a NaN vertex (its relate graph bulk-loads an rstar tree, which
/// sorts with `partial_cmp().unwrap()`); such a polygon is invalid anyway.
/// riskmap's validation refuses townships with vertices off the globe before
/// asking geo (see `read_townships`).
fn valid(mp: &MultiPolygon<f64>) -> bool {
    use geo::CoordsIter;
    mp.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite()) && mp.is_valid()
}

/// Checks one assignment against geo; returns a description of a wrong answer.
fn wrong(
    polygons: &[MultiPolygon<f64>],
    index: &TownshipIndex,
    p: [f64; 2],
    tolerance: f64,
    got: Assignment,
) -> Option<String> {
    let c = Coord { x: p[0], y: p[1] };
    let on_globe =
        p[0].is_finite() && p[1].is_finite() && p[0].abs() <= 180.0 && p[1].abs() <= 90.0;
    match got {
        Assignment::Invalid if on_globe => Some("a point on the globe is called invalid".into()),
        _ if !on_globe && got != Assignment::Invalid => {
            Some("a point off the globe is assigned".into())
        }
        Assignment::Inside(i) => (valid(&polygons[i])
            && polygons[i].coordinate_position(&c) == CoordPos::Outside)
            .then(|| format!("Inside({i}) but geo puts the point outside that valid township")),
        Assignment::Snapped(i, d) => {
            if !(d.is_finite() && d >= 0.0 && d <= tolerance) {
                return Some(format!(
                    "Snapped({i}, {d}) beyond the tolerance {tolerance}"
                ));
            }
            // The snap distance is to the region's outer border: segments
            // that two rings share exactly are left out, so where rings are
            // degenerate (a spike drawn there and back) it may exceed the
            // distance to every segment of the township; never fall below it.
            let exact = index.distance_m(p, i);
            let all_valid = polygons.iter().all(valid);
            if d < exact - 1e-6 * exact.max(1.0)
                || (all_valid && (exact - d).abs() > 1e-6 * exact.max(1.0))
            {
                return Some(format!("Snapped({i}, {d}) but the distance is {exact}"));
            }
            polygons
                .iter()
                .position(|mp| valid(mp) && mp.coordinate_position(&c) == CoordPos::Inside)
                .map(|j| format!("Snapped({i}) but geo puts the point inside valid township {j}"))
        }
        // Off the globe: `Invalid` is the answer, whatever geo says of
        // polygons drawn out there.
        Assignment::Invalid => None,
        Assignment::Outside(_) => polygons
            .iter()
            .position(|mp| valid(mp) && mp.coordinate_position(&c) == CoordPos::Inside)
            .map(|j| format!("{got:?} but geo puts the point inside valid township {j}")),
    }
}

proptest! {
    #![proptest_config(cases(128))]

    #[test]
    fn the_join_never_panics_and_never_misplaces_a_point(
        polygons in townships(),
        pts in points(),
        tolerance in prop_oneof![Just(0.0), Just(100.0), Just(1e9)],
    ) {
        let index = TownshipIndex::new(polygons.clone());
        for &p in &pts {
            let got = index.assign(p, tolerance);
            if let Some(why) = wrong(&polygons, &index, p, tolerance, got) {
                prop_assert!(false, "point {p:?}: {why}");
            }
        }
        // The parallel path gives the same answers as the one-by-one path.
        let all = index.assign_all(&pts, tolerance);
        let one: Vec<Assignment> = pts.iter().map(|&p| index.assign(p, tolerance)).collect();
        prop_assert_eq!(format!("{all:?}"), format!("{one:?}"));
    }
}

/// Regression (found while writing the property above, by reading the grid's
/// sizing; the fix went in before the property ran): a sliver township, 300° wide
/// and 1e-13° tall, made the lookup grid ask for about 10¹¹ cells (the
/// cell side comes from the area, which a sliver makes tiny), and the
/// allocation aborted the process. The grid now caps each side.
#[test]
fn grid_of_a_sliver_township_stays_small() {
    let sliver = Polygon::new(
        LineString::from(vec![
            (-150.0, 30.0),
            (150.0, 30.0),
            (150.0, 30.0 + 1e-13),
            (-150.0, 30.0 + 1e-13),
        ]),
        vec![],
    );
    let index = TownshipIndex::new(vec![MultiPolygon(vec![sliver])]);
    assert!(index.grid_mixed_share() <= 1.0);
    assert!(matches!(
        index.assign([120.05, 30.0], 0.0),
        Assignment::Inside(0)
    ));
    assert!(matches!(
        index.assign([120.05, 31.0], 0.0),
        Assignment::Outside(_)
    ));
}

/// Regression (found while writing the property above, from rstar's source;
/// the property then hit the same rstar panic inside geo's `is_valid`): a township with a NaN vertex
/// put a NaN segment into the border R-tree, whose bulk load sorts with
/// `partial_cmp().unwrap()` and panicked on the first point outside the
/// region. Non-finite segments are now left out of the border index.
#[test]
fn border_index_of_a_township_with_a_nan_vertex_does_not_panic() {
    // A ring of 16 vertices, one of them NaN: enough segments for the
    // R-tree to sort them and for the search heap to compare distances.
    let mut ring: Vec<(f64, f64)> = (0..16)
        .map(|k| {
            let a = k as f64 / 16.0 * std::f64::consts::TAU;
            (120.0 + 0.1 * a.cos(), 30.0 + 0.1 * a.sin())
        })
        .collect();
    ring[5].0 = f64::NAN;
    let index = TownshipIndex::new(vec![MultiPolygon(vec![Polygon::new(ring.into(), vec![])])]);
    assert!(matches!(
        index.assign([121.0, 31.0], 100.0),
        Assignment::Outside(_)
    ));
}
