//! Points to townships.
//!
//! A lookup grid ([`crate::grid`]) answers most points with one array read.
//! The rest (points in cells that a border crosses, or off the grid) take the
//! exact path: townships are indexed by their bounding boxes in an R-tree
//! (rstar); a point's candidates are the boxes that contain it, and each
//! candidate is tested exactly (inside, on the boundary or outside, with robust
//! predicates: [`crate::pip`]). Townships are given in code order, so "the smaller code wins on
//! a shared border" is "the smallest index among the candidates that contain
//! the point or have it on their boundary".
//!
//! A point in no township is snapped to the nearest township whose border is
//! within the tolerance (GPS error near the region's outer border); farther
//! points are outside. Distances are metres on the local tangent plane at the
//! point (longitude scaled by the cosine of latitude), exact enough at the
//! scale of a snap tolerance.

use geo::{Coord, MultiPolygon};
use rayon::prelude::*;
use std::sync::OnceLock;

use rstar::primitives::{GeomWithData, Line, Rectangle};
use rstar::{RTree, AABB};

use crate::grid::{Cell, Grid};
use crate::pip::{Position, PreparedArea};

/// Metres per degree of latitude (mean).
const M_PER_DEG_LAT: f64 = 110_574.0;
/// Metres per degree of longitude at the equator.
const M_PER_DEG_LON: f64 = 111_320.0;

/// Where a point went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Assignment {
    /// Inside (or on the border of) township `i`.
    Inside(usize),
    /// Outside every township but within the tolerance of township `i`, at
    /// this distance in metres.
    Snapped(usize, f64),
    /// Outside every township by more than the tolerance; the distance to the
    /// nearest township in metres if one is within 50 km, else infinity.
    Outside(f64),
    /// Coordinates are not finite or not on the globe.
    Invalid,
}

impl Assignment {
    /// The township, for accepted points.
    pub fn township(self) -> Option<usize> {
        match self {
            Assignment::Inside(i) | Assignment::Snapped(i, _) => Some(i),
            _ => None,
        }
    }
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;
/// A border segment in the index's plane (longitude scaled by the cosine
/// of the region's middle latitude, so that the plane is nearly isotropic in
/// metres), with its township and its ends in degrees as read.
type BorderSegment = GeomWithData<Line<[f64; 2]>, (usize, [f64; 2], [f64; 2])>;

/// A border segment as read: township, ends in degrees.
type Segment = (usize, [f64; 2], [f64; 2]);

/// Height of a latitude band of the border index, degrees.
const BAND_DEG: f64 = 4.0;

/// Each band also indexes the segments within this many degrees of latitude
/// of it (55 km), so that a search within 50 km reads one band.
const BAND_MARGIN_DEG: f64 = 0.5;

/// One latitude band: its segments on a plane of longitude × `x_scale`
/// (the cosine of the band's middle latitude) and latitude, nearly square
/// in metres anywhere in the band.
struct Band {
    x_scale: f64,
    tree: RTree<BorderSegment>,
}

/// The region's outer border segments in latitude bands of [`BAND_DEG`].
struct Borders {
    lo: f64,
    bands: Vec<Band>,
}

impl Borders {
    fn new(segments: Vec<Segment>) -> Borders {
        let (lo, hi) = segments
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
                (lo.min(s.1[1]).min(s.2[1]), hi.max(s.1[1]).max(s.2[1]))
            });
        let band = |x_scale: f64, members: Vec<&Segment>| Band {
            x_scale,
            tree: RTree::bulk_load(
                members
                    .into_iter()
                    .map(|&(i, a, b)| {
                        GeomWithData::new(
                            Line::new([a[0] * x_scale, a[1]], [b[0] * x_scale, b[1]]),
                            (i, a, b),
                        )
                    })
                    .collect(),
            ),
        };
        // Degrees outside the globe (a broken layer) keep one plain plane.
        if !(lo >= -90.0 && hi <= 90.0) {
            return Borders {
                lo: f64::NEG_INFINITY,
                bands: vec![band(1.0, segments.iter().collect())],
            };
        }
        let n = ((hi - lo) / BAND_DEG).floor() as usize + 1;
        let bands = (0..n)
            .into_par_iter()
            .map(|k| {
                let from = lo + k as f64 * BAND_DEG;
                let to = from + BAND_DEG;
                let mid = ((from + to) / 2.0).clamp(-89.0, 89.0);
                let members = segments
                    .iter()
                    .filter(|s| {
                        s.1[1].min(s.2[1]) <= to + BAND_MARGIN_DEG
                            && s.1[1].max(s.2[1]) >= from - BAND_MARGIN_DEG
                    })
                    .collect();
                band(mid.to_radians().cos().clamp(0.05, 1.0), members)
            })
            .collect();
        Borders { lo, bands }
    }

    /// The band a point at latitude `lat` searches.
    fn band(&self, lat: f64) -> &Band {
        let k = ((lat - self.lo) / BAND_DEG).floor().max(0.0) as usize;
        &self.bands[k.min(self.bands.len() - 1)]
    }
}

/// The nearest segment of `band` to `p` within `reach_m`, as in
/// [`TownshipIndex::nearest_border`].
fn nearest_in_band(band: &Band, p: [f64; 2], reach_m: f64) -> Option<(f64, usize)> {
    let (kx, ky) = metres_per_degree(p[1]);
    // A segment `d` away on the band's plane is at least this many metres
    // away per unit of `d`: the plane's x unit is 1 / x_scale degrees.
    let k_min = (kx / band.x_scale).min(ky);
    let q = [p[0] * band.x_scale, p[1]];
    // Most points outside a region lie far outside it: a box query answers
    // them without walking the nearest-neighbour heap. Within `reach_m`
    // metres means within `reach_m / k_min` on the plane.
    let r = reach_m / k_min;
    let reach_box = AABB::from_corners([q[0] - r, q[1] - r], [q[0] + r, q[1] + r]);
    band.tree
        .locate_in_envelope_intersecting(&reach_box)
        .next()?;
    let mut best: Option<(f64, usize)> = None;
    for (seg, d2) in band.tree.nearest_neighbor_iter_with_distance_2(&q) {
        let bound = d2.sqrt() * k_min;
        if bound > reach_m || best.is_some_and(|(d, _)| bound > d) {
            break;
        }
        let (i, a, b) = seg.data;
        let d = segment_distance_m(p, a, b, kx, ky);
        if d <= reach_m && best.is_none_or(|b| (d, i) < b) {
            best = Some((d, i));
        }
    }
    best
}

/// Metres per degree of longitude and of latitude at latitude `lat`: the
/// local tangent plane.
fn metres_per_degree(lat: f64) -> (f64, f64) {
    (M_PER_DEG_LON * lat.to_radians().cos(), M_PER_DEG_LAT)
}

/// The exact answer: R-tree candidates tested point-in-polygon, the smallest
/// index among those that contain `c` or have it on their border.
fn exact_locate(
    tree: &RTree<Entry>,
    prepared: &[PreparedArea],
    polygons: &[MultiPolygon<f64>],
    c: Coord<f64>,
) -> Option<usize> {
    tree.locate_all_at_point(&[c.x, c.y])
        .map(|e| e.data)
        .filter(|&i| prepared[i].position(&polygons[i], c) != Position::Outside)
        .min()
}

/// The segments of every township's rings, except those shared exactly by
/// two townships (interior borders), with their township index.
fn outer_segments(polygons: &[MultiPolygon<f64>]) -> Vec<Segment> {
    // A segment with a NaN or infinite end is left out: rstar's bulk load
    // and nearest-neighbour heap compare coordinates and distances with
    // `partial_cmp().unwrap()`, which panics on NaN (found while writing
    // tests/proptest_join.rs, which hit the same panic in geo). Such a
    // segment is no place a point can be snapped to anyway.
    let finite = |c: &Coord<f64>| c.x.is_finite() && c.y.is_finite();
    let rings: Vec<(usize, &[Coord<f64>])> = polygons
        .iter()
        .enumerate()
        .flat_map(|(i, mp)| {
            mp.0.iter()
                .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
                .map(move |ring| (i, ring.0.as_slice()))
        })
        .collect();
    // Segments shared exactly (the same two ends, either way round) have the
    // same undirected key; a key seen once is outer.
    let key = |r: u32, k: u32| {
        let pts = rings[r as usize].1;
        let (a, b) = (pts[k as usize], pts[k as usize + 1]);
        let (a, b) = (
            [a.x.to_bits(), a.y.to_bits()],
            [b.x.to_bits(), b.y.to_bits()],
        );
        if a <= b {
            [a, b]
        } else {
            [b, a]
        }
    };
    // Two independent digests of a segment's key, 64 and 32 bits: two
    // segments are taken as one when both agree (a chance of about
    // n² / 2⁹⁷ that two different segments do, 10⁻¹⁶ for a country's 5M
    // segments). The exact keys were compared before, but reading them back
    // for every pair in digest order read coordinates scattered over the
    // whole layer: a quarter of a real-like province's validation.
    let digest = |key: [[u64; 2]; 2], seed: u64, mul: u64| {
        key.iter()
            .flatten()
            .fold(seed, |h, &w| (h ^ w).wrapping_mul(mul).rotate_left(31))
    };
    // Segment g of the layer is segment g - starts[r] of ring r.
    let starts: Vec<usize> = rings
        .iter()
        .scan(0, |n, (_, pts)| {
            let start = *n;
            *n += pts.len().saturating_sub(1);
            Some(start)
        })
        .collect();
    // One small reference per finite segment (its digests and number), not
    // its coordinates: a real country has millions of segments. Sorted by
    // digest (a plain array sort, no pointer chasing).
    let mut keyed: Vec<(u64, u32, u32)> = rings
        .par_iter()
        .zip(&starts)
        .enumerate()
        .flat_map_iter(|(r, ((_, pts), &start))| {
            (0..pts.len().saturating_sub(1))
                .filter(move |&k| finite(&pts[k]) && finite(&pts[k + 1]))
                .map(move |k| {
                    let key = key(r as u32, k as u32);
                    let g = u32::try_from(start + k).expect("fewer than 4 billion segments");
                    (
                        digest(key, 0x9e37_79b9_7f4a_7c15, 0xbf58_476d_1ce4_e5b9),
                        (digest(key, 0x2545_f491_4f6c_dd1d, 0x94d0_49bb_1331_11eb) >> 32) as u32,
                        g,
                    )
                })
        })
        .collect();
    keyed.par_sort_unstable();
    let mut outer: Vec<Segment> = Vec::new();
    for run in keyed.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
        if let [(_, _, g)] = *run {
            let r = starts.partition_point(|&s| s <= g as usize) - 1;
            let (i, pts) = rings[r];
            let k = g as usize - starts[r];
            let (a, b) = (pts[k], pts[k + 1]);
            outer.push((i, [a.x, a.y], [b.x, b.y]));
        }
    }
    outer
}

/// Distance in metres from `p` to the segment `a`–`b` on the local plane of
/// `p` (`kx`, `ky` from [`metres_per_degree`]).
fn segment_distance_m(p: [f64; 2], a: [f64; 2], b: [f64; 2], kx: f64, ky: f64) -> f64 {
    let (ax, ay) = ((a[0] - p[0]) * kx, (a[1] - p[1]) * ky);
    let (bx, by) = ((b[0] - p[0]) * kx, (b[1] - p[1]) * ky);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (ax + t * dx).hypot(ay + t * dy)
}

/// Township polygons (lon/lat degrees) indexed for point queries.
pub struct TownshipIndex {
    polygons: Vec<MultiPolygon<f64>>,
    prepared: Vec<PreparedArea>,
    tree: RTree<Entry>,
    borders: OnceLock<Borders>,
    grid: Grid,
}

fn bbox(mp: &MultiPolygon<f64>) -> Option<([f64; 2], [f64; 2])> {
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for p in &mp.0 {
        for c in p.exterior().0.iter() {
            lo = [lo[0].min(c.x), lo[1].min(c.y)];
            hi = [hi[0].max(c.x), hi[1].max(c.y)];
        }
    }
    lo[0].is_finite().then_some((lo, hi))
}

impl TownshipIndex {
    /// Indexes `polygons`, which must be in code order (index 0 = smallest code).
    pub fn new(polygons: Vec<MultiPolygon<f64>>) -> TownshipIndex {
        let entries = polygons
            .iter()
            .enumerate()
            .filter_map(|(i, mp)| {
                bbox(mp).map(|(lo, hi)| GeomWithData::new(Rectangle::from_corners(lo, hi), i))
            })
            .collect();
        let prepared: Vec<PreparedArea> = polygons.par_iter().map(PreparedArea::new).collect();
        let tree = RTree::bulk_load(entries);
        let grid = Grid::new(&polygons, |c| exact_locate(&tree, &prepared, &polygons, c));
        TownshipIndex {
            polygons,
            prepared,
            tree,
            borders: OnceLock::new(),
            grid,
        }
    }

    /// Number of townships.
    pub fn len(&self) -> usize {
        self.polygons.len()
    }

    /// Whether there are no townships.
    pub fn is_empty(&self) -> bool {
        self.polygons.is_empty()
    }

    /// The township polygons, in code order.
    pub fn polygons(&self) -> &[MultiPolygon<f64>] {
        &self.polygons
    }

    /// The township containing `p` (lon, lat), by the border rule; `None`
    /// if no township contains it.
    pub fn locate(&self, p: [f64; 2]) -> Option<usize> {
        let c = Coord { x: p[0], y: p[1] };
        match self.grid.lookup(c) {
            Cell::Township(i) => Some(i),
            Cell::Outside => None,
            Cell::Unknown => exact_locate(&self.tree, &self.prepared, &self.polygons, c),
        }
    }

    /// Whether `p` is answered by the lookup grid alone (its cell lies in
    /// one township, or in none), without the exact test (for benchmarks).
    pub fn on_grid(&self, p: [f64; 2]) -> bool {
        !matches!(self.grid.lookup(Coord { x: p[0], y: p[1] }), Cell::Unknown)
    }

    /// Share of the lookup grid's cells that need the exact test.
    pub fn grid_mixed_share(&self) -> f64 {
        self.grid.mixed_share()
    }

    /// Distance in metres from `p` to the border of township `i`.
    pub fn distance_m(&self, p: [f64; 2], i: usize) -> f64 {
        let (kx, ky) = metres_per_degree(p[1]);
        let mut best = f64::INFINITY;
        for poly in &self.polygons[i].0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for seg in ring.0.windows(2) {
                    best = best.min(segment_distance_m(
                        p,
                        [seg[0].x, seg[0].y],
                        [seg[1].x, seg[1].y],
                        kx,
                        ky,
                    ));
                }
            }
        }
        best
    }

    /// The nearest township border to `p` within `reach_m`, as (metres,
    /// township), the smaller index on ties; `None` if none is that close.
    ///
    /// Border segments are indexed in R-trees, one per band of 4° of
    /// latitude, each on a plane of scaled longitude and latitude (nearly
    /// square in metres across the band), built on first use (most runs have few points outside the region, and some none).
    /// Only the region's outer border (and holes) can be nearest to a point
    /// outside every township, so a segment that two townships share exactly
    /// (the same two vertices) is left out; where neighbours' borders differ
    /// by slivers both are kept, which costs time, not correctness.
    /// The tree yields segments by increasing distance on that plane; a
    /// segment `d` away there is at least `d × min(kx / x_scale, ky)` metres
    /// away, so the search stops once that bound passes the best distance
    /// found. (In plain degrees the bound is loose by 1 / cos(latitude), and
    /// the search walked a wide ring of a detailed coast for each point;
    /// one plane for a whole country is loose by up to a quarter.)
    pub fn nearest_border(&self, p: [f64; 2], reach_m: f64) -> Option<(f64, usize)> {
        let borders = self
            .borders
            .get_or_init(|| Borders::new(outer_segments(&self.polygons)));
        if reach_m <= BAND_MARGIN_DEG * M_PER_DEG_LAT * 0.99 {
            return nearest_in_band(borders.band(p[1]), p, reach_m);
        }
        // A reach wider than a band's margin: every band, the best of them.
        borders
            .bands
            .iter()
            .filter_map(|band| nearest_in_band(band, p, reach_m))
            .min_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal))
    }

    /// Assigns one point: inside, snapped within `tolerance_m`, or outside.
    pub fn assign(&self, p: [f64; 2], tolerance_m: f64) -> Assignment {
        if !(p[0].is_finite() && p[1].is_finite()) || p[0].abs() > 180.0 || p[1].abs() > 90.0 {
            return Assignment::Invalid;
        }
        if let Some(i) = self.locate(p) {
            return Assignment::Inside(i);
        }
        // The nearest border within 50 km (to report how far outside a
        // point is), the smaller code on ties.
        match self.nearest_border(p, 50_000.0) {
            Some((d, i)) if d <= tolerance_m => Assignment::Snapped(i, d),
            Some((d, _)) => Assignment::Outside(d),
            None => Assignment::Outside(f64::INFINITY),
        }
    }

    /// Assigns many points in parallel; the result is in input order.
    pub fn assign_all(&self, points: &[[f64; 2]], tolerance_m: f64) -> Vec<Assignment> {
        points
            .par_iter()
            .with_min_len(1024)
            .map(|&p| self.assign(p, tolerance_m))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn outer_segments_leave_out_exactly_the_shared_ones() {
        // Two unit squares side by side share the edge x = 1 (drawn in
        // opposite directions); a third, apart, touches nothing. An empty
        // ring between them must not shift the numbering.
        let a = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        let b = polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)];
        let c = polygon![(x: 5.0, y: 5.0), (x: 6.0, y: 5.0), (x: 6.0, y: 6.0)];
        let empty = geo::Polygon::new(geo::LineString::new(vec![]), vec![]);
        let polygons = vec![
            MultiPolygon(vec![a]),
            MultiPolygon(vec![empty, b]),
            MultiPolygon(vec![c]),
        ];
        let mut outer = outer_segments(&polygons);
        outer.sort_by(|x, y| (x.0, x.1, x.2).partial_cmp(&(y.0, y.1, y.2)).unwrap());
        let shared = |s: &Segment| s.1[0] == 1.0 && s.2[0] == 1.0;
        assert!(!outer.iter().any(shared), "{outer:?}");
        let per_township: Vec<usize> = (0..3)
            .map(|i| outer.iter().filter(|s| s.0 == i).count())
            .collect();
        assert_eq!(per_township, [3, 3, 3], "{outer:?}");
        assert!(outer.contains(&(1, [2.0, 0.0], [2.0, 1.0])), "{outer:?}");
    }

    #[test]
    fn distance_is_in_metres_on_the_local_plane() {
        let square = polygon![(x: 120.0, y: 30.0), (x: 120.01, y: 30.0), (x: 120.01, y: 30.01), (x: 120.0, y: 30.01)];
        let index = TownshipIndex::new(vec![MultiPolygon(vec![square])]);
        // 0.001° of latitude south of the square: 110.6 m.
        let d = index.distance_m([120.005, 29.999], 0);
        assert!((d - 110.574).abs() < 1e-6, "{d}");
        assert_eq!(
            index.assign([120.005, 29.9995], 100.0),
            Assignment::Snapped(0, index.distance_m([120.005, 29.9995], 0))
        );
        assert!(
            matches!(index.assign([120.005, 29.999], 100.0), Assignment::Outside(d) if d > 100.0)
        );
        assert_eq!(index.assign([f64::NAN, 30.0], 100.0), Assignment::Invalid);
        assert_eq!(index.assign([200.0, 30.0], 100.0), Assignment::Invalid);
    }
}
