//! Point in polygon, fast: each ring's edges are bucketed into horizontal
//! bands, so a query tests only the few edges whose y-range meets the point
//! instead of all of a township's hundreds of edges.
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

struct Ring {
    pts: Vec<Coord<f64>>,
    y0: f64,
    y1: f64,
    band_h: f64,
    bands: Vec<Vec<u32>>,
}

impl Ring {
    fn new(ls: &LineString<f64>) -> Ring {
        let pts = ls.0.clone();
        let edges = pts.len().saturating_sub(1);
        let (y0, y1) = pts
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| {
                (lo.min(c.y), hi.max(c.y))
            });
        let k = (edges / 4).clamp(1, 256);
        let band_h = if y1 > y0 { (y1 - y0) / k as f64 } else { 1.0 };
        let band_of = |y: f64| (((y - y0) / band_h) as usize).min(k - 1);
        let mut bands = vec![Vec::new(); k];
        for e in 0..edges {
            let (a, b) = (pts[e].y, pts[e + 1].y);
            for band in bands
                .iter_mut()
                .take(band_of(a.max(b)) + 1)
                .skip(band_of(a.min(b)))
            {
                band.push(e as u32);
            }
        }
        Ring {
            pts,
            y0,
            y1,
            band_h,
            bands,
        }
    }

    fn position(&self, p: Coord<f64>) -> Position {
        if !(p.y >= self.y0 && p.y <= self.y1) {
            return Position::Outside;
        }
        let band = (((p.y - self.y0) / self.band_h) as usize).min(self.bands.len() - 1);
        let mut winding = 0i32;
        for &e in &self.bands[band] {
            let (a, b) = (self.pts[e as usize], self.pts[e as usize + 1]);
            let o = RobustKernel::orient2d(a, b, p);
            if o == Orientation::Collinear
                && a.x.min(b.x) <= p.x
                && p.x <= a.x.max(b.x)
                && a.y.min(b.y) <= p.y
                && p.y <= a.y.max(b.y)
            {
                return Position::Boundary;
            }
            if a.y <= p.y {
                if b.y > p.y && o == Orientation::CounterClockwise {
                    winding += 1;
                }
            } else if b.y <= p.y && o == Orientation::Clockwise {
                winding -= 1;
            }
        }
        if winding != 0 {
            Position::Inside
        } else {
            Position::Outside
        }
    }
}

/// A (multi)polygon prepared for fast point queries.
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

    /// Where `p` lies.
    pub fn position(&self, p: Coord<f64>) -> Position {
        for (exterior, holes) in &self.polygons {
            match exterior.position(p) {
                Position::Outside => continue,
                Position::Boundary => return Position::Boundary,
                Position::Inside => {}
            }
            let mut in_hole = false;
            for h in holes {
                match h.position(p) {
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
        let a = PreparedArea::new(&MultiPolygon(vec![p]));
        let at = |x, y| a.position(Coord { x, y });
        assert_eq!(at(3.0, 3.0), Position::Inside);
        assert_eq!(at(1.5, 1.5), Position::Outside);
        assert_eq!(at(1.0, 1.5), Position::Boundary);
        assert_eq!(at(4.0, 2.0), Position::Boundary);
        assert_eq!(at(0.0, 0.0), Position::Boundary);
        assert_eq!(at(5.0, 2.0), Position::Outside);
        assert_eq!(at(2.0, -1.0), Position::Outside);
    }
}
