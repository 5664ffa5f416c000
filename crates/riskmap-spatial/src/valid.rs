//! A fast sufficient test of polygon validity, for the common case.
//!
//! geo's `Validation` checks a ring for self-intersections by testing every
//! pair of edges, O(n²): on a province of 1,300 townships with 300 edges each
//! that is 60 million segment tests, most of the time of reading the layer.
//! Real boundaries are worse: 4 million vertices, islands and holes.
//! Validity is simple to state when no two rings meet: every ring has at least
//! three distinct vertices, finite coordinates, non-zero area, and no two
//! edges meet except consecutive edges at their shared vertex (a vertex
//! repeated in a row counts once); then holes
//! must lie in their exterior and not in each other, and parts not in each
//! other's area. [`certainly_valid`] checks exactly that with one sweep of
//! geo's `Intersections` over every edge (O((n + m) log n)) and a point test
//! per ring; rings that touch, or any other doubt, answer `false` and the
//! caller asks geo's full check.

use geo::algorithm::line_intersection::LineIntersection;
use geo::algorithm::sweep::{Cross, Intersections};
use geo::{BoundingRect, Coord, Intersects, Line, MultiPolygon, Rect};

/// An edge of a ring with its ring and position, so that consecutive edges
/// of one ring can be told apart.
#[derive(Clone, Copy)]
struct Edge {
    line: Line<f64>,
    ring: usize,
    k: usize,
}

impl Cross for Edge {
    type Scalar = f64;

    fn line(&self) -> Line<f64> {
        self.line
    }
}

/// Whether `mp` is certainly valid in the OGC sense; `false` means "ask
/// geo's full check", not "invalid".
///
/// The rings, all of them together, must be closed, finite, of non-zero area
/// and meet nowhere except consecutive edges of one ring at their shared
/// vertex (one sweep over every edge). Rings that never meet are nested or
/// apart, so what remains is a point test per ring: each hole inside its
/// exterior and in no other hole of its polygon, and no polygon's exterior
/// inside another's area (inside its exterior but in none of its holes).
pub fn certainly_valid(mp: &MultiPolygon<f64>) -> bool {
    if mp.0.is_empty() {
        return false;
    }
    // A vertex repeated in a row (common in layers whose coordinates were
    // rounded) makes a zero-length edge and no invalidity; drop the repeats
    // so that the sweep does not see the edges around it meet.
    // Only a ring with a repeat is copied.
    let cleaned: Vec<std::borrow::Cow<'_, [Coord<f64>]>> =
        mp.0.iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .map(|ring| {
                if ring.0.windows(2).any(|w| w[0] == w[1]) {
                    let mut r = ring.0.clone();
                    r.dedup();
                    std::borrow::Cow::Owned(r)
                } else {
                    std::borrow::Cow::Borrowed(ring.0.as_slice())
                }
            })
            .collect();
    let rings: Vec<&[Coord<f64>]> = cleaned.iter().map(|r| r.as_ref()).collect();
    if rings.iter().any(|r| !ring_is_sound(r)) {
        return false;
    }
    let edges: Vec<Edge> = rings
        .iter()
        .enumerate()
        .flat_map(|(ring, r)| {
            r.windows(2).enumerate().map(move |(k, w)| Edge {
                line: Line::new(w[0], w[1]),
                ring,
                k,
            })
        })
        .collect();
    let sizes: Vec<usize> = rings.iter().map(|r| r.len() - 1).collect();
    // Which polygon each ring belongs to.
    let owner: Vec<usize> =
        mp.0.iter()
            .enumerate()
            .flat_map(|(i, p)| std::iter::repeat_n(i, 1 + p.interiors().len()))
            .collect();
    let mut touches: Vec<(usize, usize, [u64; 2])> = Vec::new();
    for (a, b, meet) in Intersections::from_iter(edges) {
        if a.ring == b.ring {
            let n = sizes[a.ring];
            let (i, j) = (a.k.min(b.k), a.k.max(b.k));
            let shared = if j == i + 1 {
                edges_share(a.line, b.line, i == a.k)
            } else if i == 0 && j == n - 1 {
                edges_share(a.line, b.line, i != a.k)
            } else {
                return false;
            };
            if !matches!(meet, LineIntersection::SinglePoint { intersection, .. } if Some(intersection) == shared)
            {
                return false;
            }
            continue;
        }
        // Two rings may touch at a vertex of both, if they do not cross there.
        let LineIntersection::SinglePoint {
            intersection: v, ..
        } = meet
        else {
            return false;
        };
        let is_end = |l: Line<f64>| l.start == v || l.end == v;
        if !(is_end(a.line) && is_end(b.line)) {
            return false;
        }
        let (r, q) = (a.ring.min(b.ring), a.ring.max(b.ring));
        touches.push((r, q, [v.x.to_bits(), v.y.to_bits()]));
    }
    touches.sort_unstable();
    touches.dedup();
    let mut touched: Vec<[u64; 2]> = touches.iter().map(|t| t.2).collect();
    touched.sort_unstable();
    if touched.windows(2).any(|w| w[0] == w[1]) {
        // Three or more rings at one point: leave it to geo.
        return false;
    }
    let at = |c: Coord<f64>| {
        touched
            .binary_search(&[c.x.to_bits(), c.y.to_bits()])
            .is_ok()
    };
    let mut groups: Vec<usize> = (0..rings.len()).collect();
    fn root(groups: &mut [usize], mut i: usize) -> usize {
        while groups[i] != i {
            groups[i] = groups[groups[i]];
            i = groups[i];
        }
        i
    }
    for &(r, q, bits) in &touches {
        let v = Coord {
            x: f64::from_bits(bits[0]),
            y: f64::from_bits(bits[1]),
        };
        if !touch_without_crossing(rings[r], rings[q], v) {
            return false;
        }
        // Within one polygon, rings touching in a cycle cut the interior.
        if owner[r] == owner[q] {
            let (x, y) = (root(&mut groups, r), root(&mut groups, q));
            if x == y {
                return false;
            }
            groups[x] = y;
        }
    }
    // The rings are simple curves that at most touch: a vertex away from
    // every touch tells where a ring lies. A ring all of whose vertices are
    // touches (a sliver between other parts) is told by the middle of its
    // first edge instead, which no other ring meets: rings meet only at
    // touches, and those are vertices of both.
    let probe = |ring: &[Coord<f64>]| {
        ring.iter().copied().find(|&c| !at(c)).or_else(|| {
            ring.windows(2).next().map(|w| Coord {
                x: w[0].x / 2.0 + w[1].x / 2.0,
                y: w[0].y / 2.0 + w[1].y / 2.0,
            })
        })
    };
    for poly in &mp.0 {
        let outer = &poly.exterior().0;
        for (h, hole) in poly.interiors().iter().enumerate() {
            let Some(v) = probe(&hole.0) else {
                return false;
            };
            if !inside(v, outer)
                || poly
                    .interiors()
                    .iter()
                    .enumerate()
                    .any(|(g, other)| g != h && inside(v, &other.0))
            {
                return false;
            }
        }
    }
    let boxes: Vec<Rect<f64>> = mp.0.iter().filter_map(|p| p.bounding_rect()).collect();
    if boxes.len() != mp.0.len() {
        return false;
    }
    for (a, pa) in mp.0.iter().enumerate() {
        for (b, pb) in mp.0.iter().enumerate() {
            let Some(v) = probe(&pb.exterior().0) else {
                return false;
            };
            if a != b
                && boxes[a].intersects(&v)
                && inside(v, &pa.exterior().0)
                && !pa.interiors().iter().any(|h| inside(v, &h.0))
            {
                return false;
            }
        }
    }
    true
}

/// Whether rings `a` and `b`, which meet at their vertex `v` and nowhere
/// else near it, only touch there: `b`'s neighbours of `v` lie on the same
/// side of `a`'s corner at `v`. `v` must be a vertex of each ring once only;
/// an angle too close to call answers `false`.
fn touch_without_crossing(a: &[Coord<f64>], b: &[Coord<f64>], v: Coord<f64>) -> bool {
    let around = |r: &[Coord<f64>]| -> Option<(Coord<f64>, Coord<f64>)> {
        let n = r.len() - 1;
        let mut hits = (0..n).filter(|&i| r[i] == v);
        let i = hits.next()?;
        if hits.next().is_some() {
            return None;
        }
        Some((r[(i + n - 1) % n], r[(i + 1) % n]))
    };
    let (Some((a0, a1)), Some((b0, b1))) = (around(a), around(b)) else {
        return false;
    };
    let angle = |c: Coord<f64>| (c.y - v.y).atan2(c.x - v.x);
    let (lo, hi) = (angle(a0), angle(a1));
    // Which of the two sectors between a's rays holds the direction `t`.
    let sector = |t: f64| -> Option<bool> {
        let from = |x: f64| (x - lo).rem_euclid(std::f64::consts::TAU);
        let (t, h) = (from(t), from(hi));
        const CLOSE: f64 = 1e-9;
        if t < CLOSE || (t - h).abs() < CLOSE || std::f64::consts::TAU - t < CLOSE {
            return None;
        }
        Some(t < h)
    };
    matches!((sector(angle(b0)), sector(angle(b1))), (Some(x), Some(y)) if x == y)
}

/// At least three distinct vertices, closed, finite, no zero-length edge,
/// non-zero area.
fn ring_is_sound(ring: &[Coord<f64>]) -> bool {
    ring.len() >= 4
        && ring.first() == ring.last()
        && ring.iter().all(|c| c.x.is_finite() && c.y.is_finite())
        && ring.windows(2).all(|w| w[0] != w[1])
        && ring
            .windows(2)
            .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
            .sum::<f64>()
            != 0.0
}

/// Whether `p`, on no edge of `ring`, is inside it (crossing number).
fn inside(p: Coord<f64>, ring: &[Coord<f64>]) -> bool {
    let mut odd = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x) {
            odd = !odd;
        }
    }
    odd
}

/// The vertex two consecutive edges share, `a` coming first when `a_first`.
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
        // A vertex repeated in a row is no invalidity (real layers whose
        // coordinates were rounded have hundreds): shown valid here, as geo
        // finds; but a ring that collapses to two points once the repeats go
        // is not.
        let repeated = MultiPolygon(vec![repeated]);
        assert!(repeated.is_valid() && certainly_valid(&repeated));
        let collapsed = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 0.0)],
        ]);
        assert!(!certainly_valid(&collapsed));
        // A part all of whose vertices touch other rings: a triangle in a
        // hexagonal hole, touching it at three of its vertices (valid), and
        // a triangle on three vertices of another part's exterior, lying
        // over its area (invalid). Its edge's middle tells where it lies.
        let holed = geo::Polygon::new(
            sq(2.0, 2.0, 2.0),
            vec![vec![
                (0.5, 0.5),
                (2.0, 0.5),
                (3.5, 0.5),
                (2.75, 2.0),
                (2.0, 3.5),
                (1.25, 2.0),
                (0.5, 0.5),
            ]
            .into()],
        );
        let inner = polygon![(x: 2.0, y: 0.5), (x: 2.75, y: 2.0), (x: 1.25, y: 2.0)];
        let in_hole = MultiPolygon(vec![holed, inner]);
        assert!(in_hole.is_valid() && certainly_valid(&in_hole));
        let outer = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 2.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0), (x: 0.0, y: 2.0)];
        let over = polygon![(x: 2.0, y: 0.0), (x: 4.0, y: 2.0), (x: 0.0, y: 2.0)];
        let overlapping = MultiPolygon(vec![outer, over]);
        assert!(!overlapping.is_valid() && !certainly_valid(&overlapping));
        // Not shown valid here (geo decides): overlapping parts.
        assert!(!certainly_valid(&MultiPolygon(vec![
            square.clone(),
            square
        ])));
    }

    /// A square of side `2 r` around (`x`, `y`), counter-clockwise.
    fn sq(x: f64, y: f64, r: f64) -> geo::LineString<f64> {
        vec![
            (x - r, y - r),
            (x + r, y - r),
            (x + r, y + r),
            (x - r, y + r),
            (x - r, y - r),
        ]
        .into()
    }

    #[test]
    fn holes_and_parts_agree_with_geo() {
        use geo::Polygon;
        let holed = Polygon::new(sq(0.0, 0.0, 4.0), vec![sq(0.0, 0.0, 1.0)]);
        let cases = [
            // A hole, an island apart, an island in the hole: valid.
            (vec![holed.clone()], true),
            (
                vec![holed.clone(), Polygon::new(sq(10.0, 0.0, 1.0), vec![])],
                true,
            ),
            (
                vec![holed.clone(), Polygon::new(sq(0.0, 0.0, 0.5), vec![])],
                true,
            ),
            // A hole outside its exterior, nested holes, overlapping parts,
            // a part inside another's area, holes crossing: invalid.
            (
                vec![Polygon::new(sq(0.0, 0.0, 1.0), vec![sq(5.0, 0.0, 0.5)])],
                false,
            ),
            (
                vec![Polygon::new(
                    sq(0.0, 0.0, 4.0),
                    vec![sq(0.0, 0.0, 2.0), sq(0.0, 0.0, 1.0)],
                )],
                false,
            ),
            (
                vec![holed.clone(), Polygon::new(sq(3.0, 3.0, 2.0), vec![])],
                false,
            ),
            (
                vec![holed.clone(), Polygon::new(sq(2.5, 2.5, 0.5), vec![])],
                false,
            ),
            (
                vec![Polygon::new(
                    sq(0.0, 0.0, 4.0),
                    vec![sq(-1.0, 0.0, 1.5), sq(1.0, 0.0, 1.5)],
                )],
                false,
            ),
        ];
        let tri = |pts: &[(f64, f64)]| Polygon::new(pts.to_vec().into(), vec![]);
        let more = [
            // A hole touching the exterior at a shared vertex: valid.
            (
                vec![Polygon::new(
                    sq(0.0, 0.0, 4.0),
                    vec![vec![(-4.0, -4.0), (-2.0, -1.0), (-1.0, -2.0), (-4.0, -4.0)].into()],
                )],
                true,
            ),
            // Two parts touching at a corner: valid.
            (
                vec![
                    tri(&[(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]),
                    tri(&[(1.0, 0.0), (2.0, 0.0), (2.0, 1.0)]),
                ],
                true,
            ),
            // Two parts crossing at a shared vertex: invalid.
            (
                vec![
                    Polygon::new(sq(0.0, 0.0, 1.0), vec![]),
                    tri(&[(1.0, 1.0), (0.5, 0.0), (3.0, 0.0)]),
                ],
                false,
            ),
        ];
        for (i, (parts, valid)) in cases.into_iter().chain(more).enumerate() {
            let mp = MultiPolygon(parts);
            assert_eq!(mp.is_valid(), valid, "case {i}: geo");
            assert_eq!(certainly_valid(&mp), valid, "case {i}");
        }
        // A hole touching the exterior at two vertices cuts the interior in
        // two: invalid in OGC's terms, though geo's check (which looks for
        // crossings, not connectedness) passes it. Not certainly valid.
        let cut = MultiPolygon(vec![Polygon::new(
            sq(0.0, 0.0, 4.0),
            vec![vec![(-4.0, -4.0), (4.0, 4.0), (-2.0, 1.0), (-4.0, -4.0)].into()],
        )]);
        assert!(!certainly_valid(&cut));
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
            // Every third case adds a scaled copy as a hole and a shifted
            // copy as a second part, which may or may not fit.
            let ring: geo::LineString<f64> = pts.clone().into();
            let mp = if case % 3 == 2 {
                let scaled = |k: f64, dx: f64| -> geo::LineString<f64> {
                    pts.iter()
                        .map(|(x, y)| (120.0 + dx + (x - 120.0) * k, 30.0 + (y - 30.0) * k))
                        .collect::<Vec<_>>()
                        .into()
                };
                let k = rng.random_range(0.05..0.6);
                let dx = rng.random_range(0.5..3.0);
                MultiPolygon(vec![
                    geo::Polygon::new(ring, vec![scaled(k, 0.0)]),
                    geo::Polygon::new(scaled(0.5, dx), vec![]),
                ])
            } else {
                MultiPolygon(vec![geo::Polygon::new(ring, vec![])])
            };
            if certainly_valid(&mp) {
                shown += 1;
                assert!(mp.is_valid(), "case {case}");
            }
        }
        assert!(
            shown >= 150,
            "the fast test showed only {shown} of 400 valid"
        );
    }
}
