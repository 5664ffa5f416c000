//! A fast sufficient test of polygon validity, for the common case.
//!
//! geo's `Validation` checks a ring for self-intersections by testing every
//! pair of edges, O(n²): on a province of 1,300 townships with 300 edges each
//! that is 60 million segment tests, most of the time of reading the layer.
//! Nearly every township is one polygon with one ring, and for that shape
//! validity is simple to state: at least three distinct vertices, finite
//! coordinates, non-zero area, and no two edges meeting except consecutive
//! edges at their shared vertex. [`certainly_valid`] checks exactly that with
//! geo's sweep-line `Intersections` (O((n + m) log n)); any other shape, or
//! any doubt, answers `false` and the caller asks geo's full check.

use geo::algorithm::line_intersection::LineIntersection;
use geo::algorithm::sweep::{Cross, Intersections};
use geo::{Area, Line, MultiPolygon};

/// An edge of a ring with its position, so that consecutive edges can be told apart.
#[derive(Clone, Copy)]
struct Edge {
    line: Line<f64>,
    k: usize,
}

impl Cross for Edge {
    type Scalar = f64;

    fn line(&self) -> Line<f64> {
        self.line
    }
}

/// `true` when `mp` is certainly a valid polygon: a single polygon with no
/// holes whose ring is simple, with finite coordinates and non-zero area.
/// `false` means "not shown valid here", not "invalid": ask geo's
/// `Validation` then.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use riskmap_spatial::valid::certainly_valid;
///
/// let square = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
/// assert!(certainly_valid(&MultiPolygon(vec![square])));
/// let bow_tie = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)];
/// assert!(!certainly_valid(&MultiPolygon(vec![bow_tie])));
/// ```
pub fn certainly_valid(mp: &MultiPolygon<f64>) -> bool {
    let [poly] = mp.0.as_slice() else {
        return false;
    };
    if !poly.interiors().is_empty() || poly.unsigned_area() <= 0.0 {
        return false;
    }
    let ring = &poly.exterior().0;
    // A closed ring of n edges has n + 1 coordinates, the last equal to the first.
    if ring.len() < 4
        || ring.first() != ring.last()
        || ring.iter().any(|c| !(c.x.is_finite() && c.y.is_finite()))
    {
        return false;
    }
    let edges: Vec<Edge> = ring
        .windows(2)
        .enumerate()
        .map(|(k, w)| Edge {
            line: Line::new(w[0], w[1]),
            k,
        })
        .collect();
    if edges.iter().any(|e| e.line.start == e.line.end) {
        return false;
    }
    let n = edges.len();
    Intersections::from_iter(edges).all(|(a, b, meet)| {
        let (i, j) = (a.k.min(b.k), a.k.max(b.k));
        // Only consecutive edges (including the last and the first) may meet,
        // and only at the vertex they share.
        let shared = if j == i + 1 {
            edges_share(a.line, b.line, i == a.k)
        } else if i == 0 && j == n - 1 {
            edges_share(a.line, b.line, i != a.k)
        } else {
            return false;
        };
        matches!(meet, LineIntersection::SinglePoint { intersection, .. } if Some(intersection) == shared)
    })
}

/// The vertex where the earlier edge ends and the later one starts.
fn edges_share(a: Line<f64>, b: Line<f64>, a_first: bool) -> Option<geo::Coord<f64>> {
    let (first, second) = if a_first { (a, b) } else { (b, a) };
    (first.end == second.start).then_some(first.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Validation};

    #[test]
    fn agrees_with_geo_on_simple_and_broken_rings() {
        let square =
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        let spike = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        let touching = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 1.0, y: 0.0), (x: 0.0, y: 2.0)];
        let repeated =
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)];
        assert!(certainly_valid(&MultiPolygon(vec![square.clone()])));
        for broken in [spike, touching] {
            let mp = MultiPolygon(vec![broken]);
            assert!(!mp.is_valid());
            assert!(!certainly_valid(&mp));
        }
        // Not shown valid here (geo decides): repeated vertices, several parts.
        assert!(!certainly_valid(&MultiPolygon(vec![repeated])));
        assert!(!certainly_valid(&MultiPolygon(vec![
            square.clone(),
            square
        ])));
    }

    #[test]
    fn every_random_star_polygon_agrees_with_geo() {
        // Star-shaped rings with random radii are simple; the same vertices in
        // shuffled order usually are not. Whenever the fast test says valid,
        // geo must agree.
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut shown = 0;
        for case in 0..400 {
            let n = rng.random_range(3..40);
            let mut pts: Vec<(f64, f64)> = (0..n)
                .map(|k| {
                    let a = k as f64 / n as f64 * std::f64::consts::TAU;
                    let r = rng.random_range(0.2..1.0);
                    (120.0 + r * a.cos(), 30.0 + r * a.sin())
                })
                .collect();
            if case % 2 == 1 {
                for k in (1..pts.len()).rev() {
                    pts.swap(k, rng.random_range(0..=k));
                }
            }
            let mp = MultiPolygon(vec![geo::Polygon::new(pts.into(), vec![])]);
            if certainly_valid(&mp) {
                shown += 1;
                assert!(mp.is_valid(), "case {case}");
            }
        }
        assert!(
            shown >= 200,
            "the fast test showed only {shown} of 400 valid"
        );
    }
}
