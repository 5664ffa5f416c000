//! The R-tree join against a brute-force scan of every township, on seeded
//! random tessellations and points (rstar's habit: trust by comparison).

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use riskmap_spatial::join::{Assignment, TownshipIndex};

/// A grid of `n` × `n` jittered quadrilaterals sharing their corners exactly,
/// far from the origin (lon 120, lat 30) to exercise numerical stability.
fn jittered_grid(rng: &mut ChaCha8Rng, n: usize) -> Vec<MultiPolygon<f64>> {
    let step = 0.01;
    let corners: Vec<Vec<Coord<f64>>> = (0..=n)
        .map(|j| {
            (0..=n)
                .map(|i| {
                    let jitter = |r: &mut ChaCha8Rng, edge: bool| {
                        if edge {
                            0.0
                        } else {
                            r.random_range(-0.3..0.3) * step
                        }
                    };
                    let x = 120.0 + i as f64 * step + jitter(rng, i == 0 || i == n);
                    let y = 30.0 + j as f64 * step + jitter(rng, j == 0 || j == n);
                    Coord { x, y }
                })
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for j in 0..n {
        for i in 0..n {
            let ring = vec![
                corners[j][i],
                corners[j][i + 1],
                corners[j + 1][i + 1],
                corners[j + 1][i],
                corners[j][i],
            ];
            out.push(MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]));
        }
    }
    out
}

/// As [`jittered_grid`], but every edge is a wiggly polyline of `m` pieces
/// shared exactly by both neighbours: polygons of `4 m` edges, which
/// exercises the banded point-in-polygon test.
fn wiggly_grid(rng: &mut ChaCha8Rng, n: usize, m: usize) -> Vec<MultiPolygon<f64>> {
    let quads = jittered_grid(rng, n);
    let corner = |q: &MultiPolygon<f64>, k: usize| q.0[0].exterior().0[k];
    let wiggle = |a: Coord<f64>, b: Coord<f64>| -> Vec<Coord<f64>> {
        // Canonical direction, so both neighbours compute the same points.
        let (p, q, flip) = if (a.x, a.y) < (b.x, b.y) {
            (a, b, false)
        } else {
            (b, a, true)
        };
        let seed = p.x.to_bits() ^ q.y.to_bits().rotate_left(17);
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        let (dx, dy) = (q.x - p.x, q.y - p.y);
        let mut pts: Vec<Coord<f64>> = (0..=m)
            .map(|i| {
                let t = i as f64 / m as f64;
                let off = if i == 0 || i == m {
                    0.0
                } else {
                    r.random_range(-0.04..0.04) * (std::f64::consts::PI * t).sin()
                };
                Coord {
                    x: p.x + dx * t - dy * off,
                    y: p.y + dy * t + dx * off,
                }
            })
            .collect();
        if flip {
            pts.reverse();
        }
        pts
    };
    quads
        .iter()
        .map(|q| {
            let mut ring = Vec::new();
            for k in 0..4 {
                let piece = wiggle(corner(q, k), corner(q, k + 1));
                ring.extend_from_slice(&piece[..piece.len() - 1]);
            }
            ring.push(ring[0]);
            MultiPolygon(vec![Polygon::new(LineString(ring), vec![])])
        })
        .collect()
}

#[test]
fn banded_point_in_polygon_matches_geo_on_many_edged_townships() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let polys = wiggly_grid(&mut rng, 8, 40);
    assert!(polys[0].0[0].exterior().0.len() > 150);
    let index = TownshipIndex::new(polys.clone());
    let mut points: Vec<[f64; 2]> = (0..30_000)
        .map(|_| {
            [
                rng.random_range(119.99..120.09),
                rng.random_range(29.99..30.09),
            ]
        })
        .collect();
    for mp in &polys {
        for c in mp.0[0].exterior().0.iter().step_by(7) {
            points.push([c.x, c.y]);
        }
    }
    for p in &points {
        assert_eq!(index.locate(*p), brute_force(&polys, *p), "point {p:?}");
    }
}

fn brute_force(polys: &[MultiPolygon<f64>], p: [f64; 2]) -> Option<usize> {
    let c = Coord { x: p[0], y: p[1] };
    polys
        .iter()
        .position(|mp| mp.coordinate_position(&c) != CoordPos::Outside)
}

#[test]
fn join_matches_brute_force_on_random_points() {
    for seed in 0..5 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let polys = jittered_grid(&mut rng, 12);
        let index = TownshipIndex::new(polys.clone());
        // Most random points are answered by the lookup grid, so this test
        // checks the grid as much as the exact path.
        assert!(
            index.grid_mixed_share() < 0.3,
            "mixed share {}",
            index.grid_mixed_share()
        );
        let mut points: Vec<[f64; 2]> = (0..20_000)
            .map(|_| {
                [
                    rng.random_range(119.99..120.13),
                    rng.random_range(29.99..30.13),
                ]
            })
            .collect();
        // Vertices and edge midpoints: shared borders, where the rule matters.
        for mp in &polys {
            let r = &mp.0[0].exterior().0;
            points.push([r[0].x, r[0].y]);
            points.push([(r[0].x + r[1].x) / 2.0, (r[0].y + r[1].y) / 2.0]);
        }
        let got = index.assign_all(&points, 0.0);
        let mut on_border = 0;
        for (p, a) in points.iter().zip(&got) {
            let expected = brute_force(&polys, *p);
            assert_eq!(
                a.township().filter(|_| matches!(a, Assignment::Inside(_))),
                expected,
                "seed {seed}, point {p:?}"
            );
            let containing = polys
                .iter()
                .filter(|mp| {
                    mp.coordinate_position(&Coord { x: p[0], y: p[1] }) != CoordPos::Outside
                })
                .count();
            if containing > 1 {
                on_border += 1;
            }
        }
        assert!(on_border > 100, "only {on_border} border points tested");
    }
}

#[test]
fn snapping_picks_the_nearest_township_within_the_tolerance() {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let polys = jittered_grid(&mut rng, 5);
    let index = TownshipIndex::new(polys.clone());
    for _ in 0..2_000 {
        let p = [
            rng.random_range(119.99..120.06),
            rng.random_range(29.99..30.06),
        ];
        match index.assign(p, 300.0) {
            Assignment::Inside(i) => assert_eq!(Some(i), brute_force(&polys, p)),
            Assignment::Snapped(i, d) => {
                assert!(brute_force(&polys, p).is_none());
                let best = (0..polys.len())
                    .map(|j| index.distance_m(p, j))
                    .fold(f64::INFINITY, f64::min);
                assert!(
                    (d - best).abs() < 1e-9 && d <= 300.0,
                    "snapped at {d} m, nearest {best} m"
                );
                assert_eq!(index.distance_m(p, i), d);
            }
            Assignment::Outside(d) => {
                let best = (0..polys.len())
                    .map(|j| index.distance_m(p, j))
                    .fold(f64::INFINITY, f64::min);
                assert!(d > 300.0 && (d - best).abs() < 1e-9);
            }
            Assignment::Invalid => panic!("finite point reported invalid"),
        }
    }
}
