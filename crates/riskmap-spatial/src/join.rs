//! Points to townships.
//!
//! Townships are indexed by their bounding boxes in an R-tree (rstar); a
//! point's candidates are the boxes that contain it, and each candidate is
//! tested exactly (inside, on the boundary or outside, with robust
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
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

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

/// Township polygons (lon/lat degrees) indexed for point queries.
pub struct TownshipIndex {
    polygons: Vec<MultiPolygon<f64>>,
    prepared: Vec<PreparedArea>,
    tree: RTree<Entry>,
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
            .filter_map(|(i, mp)| bbox(mp).map(|(lo, hi)| GeomWithData::new(Rectangle::from_corners(lo, hi), i)))
            .collect();
        let prepared = polygons.iter().map(PreparedArea::new).collect();
        TownshipIndex { polygons, prepared, tree: RTree::bulk_load(entries) }
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
        self.tree
            .locate_all_at_point(&p)
            .map(|e| e.data)
            .filter(|&i| self.prepared[i].position(c) != Position::Outside)
            .min()
    }

    /// Distance in metres from `p` to the border of township `i`.
    pub fn distance_m(&self, p: [f64; 2], i: usize) -> f64 {
        let kx = M_PER_DEG_LON * p[1].to_radians().cos();
        let ky = M_PER_DEG_LAT;
        let mut best = f64::INFINITY;
        for poly in &self.polygons[i].0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for seg in ring.0.windows(2) {
                    let (ax, ay) = ((seg[0].x - p[0]) * kx, (seg[0].y - p[1]) * ky);
                    let (bx, by) = ((seg[1].x - p[0]) * kx, (seg[1].y - p[1]) * ky);
                    let (dx, dy) = (bx - ax, by - ay);
                    let len2 = dx * dx + dy * dy;
                    let t = if len2 > 0.0 { (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
                    best = best.min((ax + t * dx).hypot(ay + t * dy));
                }
            }
        }
        best
    }

    /// Assigns one point: inside, snapped within `tolerance_m`, or outside.
    pub fn assign(&self, p: [f64; 2], tolerance_m: f64) -> Assignment {
        if !(p[0].is_finite() && p[1].is_finite()) || p[0].abs() > 180.0 || p[1].abs() > 90.0 {
            return Assignment::Invalid;
        }
        if let Some(i) = self.locate(p) {
            return Assignment::Inside(i);
        }
        // Candidates: townships whose box is within 50 km (to report how far
        // outside a point is), nearest border first, smaller code on ties.
        let reach = 50_000.0;
        let dlat = reach / M_PER_DEG_LAT;
        let dlon = reach / (M_PER_DEG_LON * p[1].to_radians().cos().max(0.01));
        let window = AABB::from_corners([p[0] - dlon, p[1] - dlat], [p[0] + dlon, p[1] + dlat]);
        let nearest = self
            .tree
            .locate_in_envelope_intersecting(&window)
            .map(|e| (self.distance_m(p, e.data), e.data))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        match nearest {
            Some((d, i)) if d <= tolerance_m => Assignment::Snapped(i, d),
            Some((d, _)) => Assignment::Outside(d),
            None => Assignment::Outside(f64::INFINITY),
        }
    }

    /// Assigns many points in parallel; the result is in input order.
    pub fn assign_all(&self, points: &[[f64; 2]], tolerance_m: f64) -> Vec<Assignment> {
        points.par_iter().with_min_len(1024).map(|&p| self.assign(p, tolerance_m)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn distance_is_in_metres_on_the_local_plane() {
        let square = polygon![(x: 120.0, y: 30.0), (x: 120.01, y: 30.0), (x: 120.01, y: 30.01), (x: 120.0, y: 30.01)];
        let index = TownshipIndex::new(vec![MultiPolygon(vec![square])]);
        // 0.001° of latitude south of the square: 110.6 m.
        let d = index.distance_m([120.005, 29.999], 0);
        assert!((d - 110.574).abs() < 1e-6, "{d}");
        assert_eq!(index.assign([120.005, 29.9995], 100.0), Assignment::Snapped(0, index.distance_m([120.005, 29.9995], 0)));
        assert!(matches!(index.assign([120.005, 29.999], 100.0), Assignment::Outside(d) if d > 100.0));
        assert_eq!(index.assign([f64::NAN, 30.0], 100.0), Assignment::Invalid);
        assert_eq!(index.assign([200.0, 30.0], 100.0), Assignment::Invalid);
    }
}
