//! Point in polygon, fast: each ring's edges are bucketed into horizontal
//! bands, about two edges a band, so a query tests only the few edges whose
//! y-range meets the point instead of all of a township's thousands of
//! edges: O(1) on average for a border of short edges, whatever its length.
//!
//! The test is Sunday's winding number with geo's robust orientation
//! predicate (`RobustKernel::orient2d`, Shewchuk's adaptive arithmetic), and a
//! point exactly on an edge is on the boundary, so the answers agree with
//! geo's `CoordinatePosition` (checked against it on random data in
//! `tests/join_vs_brute_force.rs`).

use geo::algorithm::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, LineString, MultiPolygon};

/// Where a point lies relative to an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// In the interior.
    Inside,
    /// On an edge or vertex.
    Boundary,
    /// Outside.
    Outside,
}

/// A ring's edges bucketed by horizontal band, the buckets stored flat
/// (`edges[starts[k]..starts[k + 1]]` are band `k`'s edges). The ring's
/// points are not copied: each query is given them (the polygon's own).
struct Ring {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    band_h: f64,
    starts: Vec<u32>,
    edges: Vec<u32>,
}

/// The band of height `h` from `y0` that holds `y`, among `k` (a NaN `y`
/// goes to band 0).
fn band_index(y: f64, y0: f64, h: f64, k: usize) -> usize {
    (((y - y0) / h) as usize).min(k - 1)
}

/// Edges per band on average: a query tests about this many edges plus
/// those long enough to span several bands.
const EDGES_PER_BAND: usize = 2;

impl Ring {
    fn new(ls: &LineString<f64>) -> Ring {
        let pts = &ls.0;
        let n_edges = pts.len().saturating_sub(1);
        let (x0, x1, y0, y1) = pts.iter().fold(
            (
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ),
            |(a, b, c, d), p| (a.min(p.x), b.max(p.x), c.min(p.y), d.max(p.y)),
        );
        // Fewer bands where edges span many of them (a comb of long teeth),
        // so that the index stays within a few entries an edge.
        let mut k = (n_edges / EDGES_PER_BAND).clamp(1, 1 << 16);
        let band_h_for = |k: usize| if y1 > y0 { (y1 - y0) / k as f64 } else { 1.0 };
        // The bands edge `e` spans, for `k` bands.
        let span = |e: usize, k: usize| {
            let h = band_h_for(k);
            let (a, b) = (pts[e].y, pts[e + 1].y);
            band_index(a.min(b), y0, h, k)..=band_index(a.max(b), y0, h, k)
        };
        let entries = |k: usize| -> usize { (0..n_edges).map(|e| span(e, k).count()).sum() };
        while k > 1 && entries(k) > 8 * n_edges {
            k /= 4;
        }
        let k = k.max(1);
        let band_h = band_h_for(k);
        // Counting sort into the bands: count, prefix sums, place.
        let mut starts = vec![0u32; k + 1];
        for e in 0..n_edges {
            for band in span(e, k) {
                starts[band + 1] += 1;
            }
        }
        for i in 0..k {
            starts[i + 1] += starts[i];
        }
        let mut fill: Vec<u32> = starts[..k].to_vec();
        let mut edges = vec![0u32; starts[k] as usize];
        for e in 0..n_edges {
            for band in span(e, k) {
                edges[fill[band] as usize] = e as u32;
                fill[band] += 1;
            }
        }
        Ring {
            x0,
            x1,
            y0,
            y1,
            band_h,
            starts,
            edges,
        }
    }

    /// Where `p` lies relative to the ring of points `pts` (the ring this
    /// was built from).
    fn position(&self, pts: &[Coord<f64>], p: Coord<f64>) -> Position {
        if !(p.y >= self.y0 && p.y <= self.y1 && p.x >= self.x0 && p.x <= self.x1) {
            return Position::Outside;
        }
        let k = self.starts.len() - 1;
        let band = band_index(p.y, self.y0, self.band_h, k);
        let (from, to) = (self.starts[band] as usize, self.starts[band + 1] as usize);
        let edges = self.edges[from..to].iter().map(|&e| e as usize);
        by_winding(edges.map(|e| (pts[e], pts[e + 1])), p)
    }
}

/// Where `p` lies by Sunday's winding number over `edges` (a ring's, or
/// all those of a ring that can hold `p` or cross its rightward ray).
#[inline]
fn by_winding(edges: impl Iterator<Item = (Coord<f64>, Coord<f64>)>, p: Coord<f64>) -> Position {
    let mut winding = 0i32;
    for (a, b) in edges {
        match crossing(a, b, p) {
            Some(w) => winding += w,
            None => return Position::Boundary,
        }
    }
    if winding != 0 {
        Position::Inside
    } else {
        Position::Outside
    }
}

/// Edge `a`–`b`'s part in Sunday's winding number of `p` (+1 crossing its
/// rightward ray upward, -1 downward, else 0), or `None` if `p` lies on the
/// edge.
#[inline]
fn crossing(a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> Option<i32> {
    let o = RobustKernel::orient2d(a, b, p);
    if o == Orientation::Collinear
        && a.x.min(b.x) <= p.x
        && p.x <= a.x.max(b.x)
        && a.y.min(b.y) <= p.y
        && p.y <= a.y.max(b.y)
    {
        return None;
    }
    Some(if a.y <= p.y {
        i32::from(b.y > p.y && o == Orientation::CounterClockwise)
    } else {
        -i32::from(b.y <= p.y && o == Orientation::Clockwise)
    })
}

/// A (multi)polygon prepared for fast point queries: its rings' band
/// indexes, without a copy of its coordinates (queries are given the
/// polygon it was prepared from).
pub struct PreparedArea {
    /// Per polygon: exterior ring and holes.
    polygons: Vec<(Ring, Vec<Ring>)>,
}

impl PreparedArea {
    /// Prepares `mp`.
    pub fn new(mp: &MultiPolygon<f64>) -> PreparedArea {
        PreparedArea {
            polygons: mp
                .0
                .iter()
                .map(|p| {
                    (
                        Ring::new(p.exterior()),
                        p.interiors().iter().map(Ring::new).collect(),
                    )
                })
                .collect(),
        }
    }

    /// Where `p` lies in `mp`, the (multi)polygon this was prepared from.
    pub fn position(&self, mp: &MultiPolygon<f64>, p: Coord<f64>) -> Position {
        debug_assert_eq!(
            self.polygons.len(),
            mp.0.len(),
            "prepared from another polygon"
        );
        for ((exterior, holes), polygon) in self.polygons.iter().zip(&mp.0) {
            match exterior.position(&polygon.exterior().0, p) {
                Position::Outside => continue,
                Position::Boundary => return Position::Boundary,
                Position::Inside => {}
            }
            let mut in_hole = false;
            for (h, ring) in holes.iter().zip(polygon.interiors()) {
                match h.position(&ring.0, p) {
                    Position::Boundary => return Position::Boundary,
                    Position::Inside => in_hole = true,
                    Position::Outside => {}
                }
            }
            if !in_hole {
                return Position::Inside;
            }
        }
        Position::Outside
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Polygon};

    #[test]
    fn squares_with_a_hole() {
        let p: Polygon<f64> = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0)]],
        );
        let mp = MultiPolygon(vec![p]);
        let a = PreparedArea::new(&mp);
        let at = |x, y| a.position(&mp, Coord { x, y });
        assert_eq!(at(3.0, 3.0), Position::Inside);
        assert_eq!(at(1.5, 1.5), Position::Outside);
        assert_eq!(at(1.0, 1.5), Position::Boundary);
        assert_eq!(at(4.0, 2.0), Position::Boundary);
        assert_eq!(at(0.0, 0.0), Position::Boundary);
        assert_eq!(at(5.0, 2.0), Position::Outside);
        assert_eq!(at(2.0, -1.0), Position::Outside);
    }

    /// Sunday's winding number over every edge: the answer without an index
    /// (the same step per edge, so that a difference is the bands' choice of
    /// edges).
    fn linear(pts: &[Coord<f64>], p: Coord<f64>) -> Position {
        // An edge beside p's height neither holds p nor crosses its ray
        // (skipped for speed: the answer is the same).
        let beside = |s: &&[Coord<f64>]| p.y < s[0].y.min(s[1].y) || p.y > s[0].y.max(s[1].y);
        by_winding(
            pts.windows(2).filter(|s| !beside(s)).map(|s| (s[0], s[1])),
            p,
        )
    }

    /// Points to ask about a ring: random ones over its box, every vertex,
    /// points on edges, and points a hair beside them.
    fn probes(ring: &LineString<f64>, seed: u64) -> Vec<Coord<f64>> {
        use geo::BoundingRect;
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let pts = &ring.0;
        let bbox = ring.bounding_rect().expect("a ring with points");
        let (lo, hi) = (bbox.min(), bbox.max());
        let mut out: Vec<Coord<f64>> = (0..5_000)
            .map(|_| Coord {
                x: rng.random_range(lo.x - 1.0..hi.x + 1.0),
                y: rng.random_range(lo.y - 1.0..hi.y + 1.0),
            })
            .collect();
        for s in pts.windows(2) {
            let t: f64 = rng.random_range(0.0..1.0);
            let on = Coord {
                x: s[0].x + t * (s[1].x - s[0].x),
                y: s[0].y + t * (s[1].y - s[0].y),
            };
            let h = 1e-9 * (1.0 + on.x.abs());
            out.extend([
                s[0],
                on,
                Coord {
                    x: on.x + h,
                    y: on.y,
                },
                Coord {
                    x: on.x - h,
                    y: on.y,
                },
            ]);
        }
        out
    }

    /// A closed comb of `teeth` teeth 100 high on a base at y = -1, each
    /// tooth's top `slant` right of its foot: two edges a tooth span the
    /// whole height.
    fn comb(teeth: usize, slant: f64) -> Vec<Coord<f64>> {
        let mut pts = vec![Coord { x: 0.0, y: -1.0 }];
        for t in 0..teeth {
            let x = t as f64;
            pts.extend([
                Coord {
                    x: x + slant,
                    y: 100.0,
                },
                Coord {
                    x: x + 0.5 + slant,
                    y: 100.0,
                },
                Coord { x: x + 0.5, y: 0.0 },
                Coord { x: x + 1.0, y: 0.0 },
            ]);
        }
        pts.extend([
            Coord {
                x: teeth as f64,
                y: -1.0,
            },
            Coord { x: 0.0, y: -1.0 },
        ]);
        pts
    }

    #[test]
    fn bands_answer_as_every_edge_does() {
        use geo::coord;
        // A comb of long, slanted teeth (a thousand edges across each band),
        // a zigzag of short edges whose vertices share their x-coordinates,
        // and a self-crossing ring.
        let comb = comb(1000, 0.1);
        let mut zigzag = vec![coord! { x: 0.0, y: 0.0 }];
        for t in 0..400 {
            zigzag.push(coord! { x: 1.0 + (t % 2) as f64, y: t as f64 * 0.25 });
        }
        zigzag.extend([coord! { x: -5.0, y: 100.0 }, coord! { x: 0.0, y: 0.0 }]);
        let mut crossing = vec![coord! { x: 0.0, y: 0.0 }];
        for t in 0..500 {
            let x = t as f64;
            crossing.extend([
                coord! { x: x + 3.0, y: 50.0 },
                coord! { x: x - 2.0, y: 0.5 },
            ]);
        }
        crossing.push(coord! { x: 0.0, y: 0.0 });
        for (name, pts) in [
            ("comb", comb),
            ("zigzag", zigzag),
            ("self-crossing", crossing),
        ] {
            let ls = LineString::new(pts);
            let ring = Ring::new(&ls);
            for p in probes(&ls, 7) {
                assert_eq!(ring.position(&ls.0, p), linear(&ls.0, p), "{name} at {p:?}");
            }
        }
    }

    #[test]
    fn a_comb_of_long_teeth_keeps_the_index_small_and_answers_right() {
        use geo::{coord, CoordinatePosition};
        // 2,000 teeth, each two edges spanning the whole height.
        let ls = LineString::new(comb(2000, 0.0));
        let ring = Ring::new(&ls);
        let n = ls.0.len() - 1;
        assert!(
            ring.edges.len() <= 8 * n,
            "{} entries for {n} edges",
            ring.edges.len()
        );
        let poly = Polygon::new(ls, vec![]);
        let mp = MultiPolygon(vec![poly.clone()]);
        let area = PreparedArea::new(&mp);
        for (x, y) in [
            (0.25, 50.0),
            (0.75, 50.0),
            (0.75, -0.5),
            (10.5, 0.0),
            (1999.9, 99.0),
            (-1.0, 0.0),
        ] {
            let want = match poly.coordinate_position(&coord! { x: x, y: y }) {
                geo::coordinate_position::CoordPos::Inside => Position::Inside,
                geo::coordinate_position::CoordPos::OnBoundary => Position::Boundary,
                geo::coordinate_position::CoordPos::Outside => Position::Outside,
            };
            assert_eq!(area.position(&mp, Coord { x, y }), want, "({x}, {y})");
        }
    }
}
