//! Queen contiguity weights from township polygons, and the sparse
//! [`Weights`] type every statistic takes.
//!
//! Two townships are queen neighbours when their boundaries touch anywhere —
//! a shared vertex, a shared edge, or (to survive digitising errors) any two
//! boundary segments within `tolerance` of each other, or crossing (an
//! overlap sliver). libpysal's `Queen` asks for an exactly shared vertex; on
//! clean data (Columbus) both give the same lists, and on real township
//! layers, whose borders were often digitised twice, the tolerance keeps a
//! 1 cm gap or a sliver from cutting a neighbour off.
//!
//! Construction (see [`queen_contiguity`]): candidate pairs are the
//! townships whose boxes overlap, found on a uniform grid; a candidate pair
//! is a neighbour pair when it shares a bit-identical vertex (the fast path
//! that settles a clean layer) or, failing that, when a segment-to-segment
//! distance test finds boundaries within the tolerance. Pairs are tested
//! once (smaller index first), so the relation is symmetric by
//! construction; lists are mirrored and sorted, which makes the result
//! independent of thread count.
//!
//! Invariants of [`Weights`]: no township is its own neighbour, every index
//! is in range, and each neighbour list is sorted without duplicates.

use geo::MultiPolygon;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::StatsError;

/// How the neighbour structure is turned into numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Transform {
    /// w_ij = 1 for every neighbour (esda/libpysal `"B"`).
    Binary,
    /// w_ij = 1 / (number of neighbours of i) (esda/libpysal `"R"`); islands
    /// have an all-zero row.
    RowStandardised,
}

/// A sparse spatial weights structure: for each township, its sorted
/// neighbours (compressed sparse rows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    offsets: Vec<usize>,
    indices: Vec<usize>,
}

/// The sums S0, S1 and S2 of a weights matrix that Moran's I moments use
/// (Cliff and Ord; libpysal's `W.s0`, `W.s1`, `W.s2`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightSums {
    /// Σᵢⱼ wᵢⱼ.
    pub s0: f64,
    /// ½ Σᵢⱼ (wᵢⱼ + wⱼᵢ)².
    pub s1: f64,
    /// Σᵢ (wᵢ. + w.ᵢ)².
    pub s2: f64,
}

impl Weights {
    /// Builds weights from neighbour lists (any order, duplicates allowed);
    /// rejects self-neighbours and out-of-range indices. The lists need not be
    /// symmetric; contiguity built by [`queen_contiguity`] always is.
    pub fn from_neighbours(lists: Vec<Vec<usize>>) -> Result<Weights, StatsError> {
        let n = lists.len();
        let mut offsets = Vec::with_capacity(n + 1);
        let mut indices = Vec::new();
        offsets.push(0);
        for (i, mut list) in lists.into_iter().enumerate() {
            if let Some(&bad) = list.iter().find(|&&j| j >= n || j == i) {
                return Err(StatsError::BadNeighbour {
                    township: i,
                    neighbour: bad,
                });
            }
            list.sort_unstable();
            list.dedup();
            indices.extend_from_slice(&list);
            offsets.push(indices.len());
        }
        Ok(Weights { offsets, indices })
    }

    /// Builds symmetric weights from unordered pairs (i < j, each once): a
    /// counting sort into rows, then each row sorted.
    fn from_pairs(n: usize, pairs: &[(u32, u32)]) -> Weights {
        let mut offsets = vec![0usize; n + 1];
        for &(i, j) in pairs {
            offsets[i as usize + 1] += 1;
            offsets[j as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut indices = vec![0usize; offsets[n]];
        for &(i, j) in pairs {
            let (i, j) = (i as usize, j as usize);
            indices[fill[i]] = j;
            fill[i] += 1;
            indices[fill[j]] = i;
            fill[j] += 1;
        }
        let mut rows: Vec<&mut [usize]> = Vec::with_capacity(n);
        let mut rest = indices.as_mut_slice();
        for i in 0..n {
            let (row, tail) = rest.split_at_mut(offsets[i + 1] - offsets[i]);
            rows.push(row);
            rest = tail;
        }
        rows.par_iter_mut()
            .with_min_len(1024)
            .for_each(|r| r.sort_unstable());
        Weights { offsets, indices }
    }

    /// The number of townships.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// True when there are no townships.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sorted neighbours of township `i`.
    pub fn neighbours(&self, i: usize) -> &[usize] {
        &self.indices[self.offsets[i]..self.offsets[i + 1]]
    }

    /// The number of neighbours of township `i`.
    pub fn cardinality(&self, i: usize) -> usize {
        self.offsets[i + 1] - self.offsets[i]
    }

    /// The number of directed links (twice the number of neighbour pairs when symmetric).
    pub fn n_links(&self) -> usize {
        self.indices.len()
    }

    /// Townships without any neighbour, in increasing order.
    pub fn islands(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.cardinality(i) == 0)
            .collect()
    }

    /// The neighbour lists as plain vectors.
    pub fn to_lists(&self) -> Vec<Vec<usize>> {
        (0..self.len())
            .map(|i| self.neighbours(i).to_vec())
            .collect()
    }

    /// True when j is a neighbour of i exactly when i is a neighbour of j.
    pub fn is_symmetric(&self) -> bool {
        (0..self.len()).all(|i| self.neighbours(i).iter().all(|&j| self.contains(j, i)))
    }

    /// True when `j` is a neighbour of `i`.
    pub fn contains(&self, i: usize, j: usize) -> bool {
        self.neighbours(i).binary_search(&j).is_ok()
    }

    /// The weight wᵢⱼ under `transform` for a neighbour j of i.
    fn link_weight(&self, i: usize, transform: Transform) -> f64 {
        match transform {
            Transform::Binary => 1.0,
            Transform::RowStandardised => 1.0 / self.cardinality(i) as f64,
        }
    }

    /// The spatial lag Σⱼ wᵢⱼ xⱼ of every township under `transform` (0 for islands).
    pub fn lag(&self, x: &[f64], transform: Transform) -> Vec<f64> {
        assert_eq!(x.len(), self.len(), "one value per township");
        (0..self.len())
            .into_par_iter()
            .with_min_len(1024)
            .map(|i| {
                let nb = self.neighbours(i);
                if nb.is_empty() {
                    return 0.0;
                }
                let s: f64 = nb.iter().map(|&j| x[j]).sum();
                s * self.link_weight(i, transform)
            })
            .collect()
    }

    /// S0, S1 and S2 of the matrix under `transform`.
    pub fn sums(&self, transform: Transform) -> WeightSums {
        let n = self.len();
        let mut row = vec![0.0; n];
        let mut col = vec![0.0; n];
        let mut s1_twice = 0.0;
        for (i, row_sum) in row.iter_mut().enumerate() {
            if self.cardinality(i) == 0 {
                continue;
            }
            let wij = self.link_weight(i, transform);
            for &j in self.neighbours(i) {
                *row_sum += wij;
                col[j] += wij;
                if self.contains(j, i) {
                    // Ordered pair (i, j); its mirror (j, i) is visited from j.
                    let wji = self.link_weight(j, transform);
                    s1_twice += (wij + wji) * (wij + wji);
                } else {
                    // wⱼᵢ = 0: both ordered pairs contribute wᵢⱼ², and (j, i) is never visited.
                    s1_twice += 2.0 * wij * wij;
                }
            }
        }
        WeightSums {
            s0: row.iter().sum(),
            s1: s1_twice / 2.0,
            s2: row.iter().zip(&col).map(|(r, c)| (r + c) * (r + c)).sum(),
        }
    }
}

/// Options of [`queen_contiguity`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueenOptions {
    /// Boundaries closer than this (in the polygons' units; degrees for
    /// lon/lat, where 1e-7° is about 1 cm) count as touching.
    pub tolerance: f64,
}

impl Default for QueenOptions {
    fn default() -> Self {
        QueenOptions { tolerance: 1e-7 }
    }
}

/// A township's bounding box.
#[derive(Clone, Copy)]
struct Bounds {
    lo: [f64; 2],
    hi: [f64; 2],
}

/// Every ring of a township, exterior and interiors.
fn rings(shape: &MultiPolygon<f64>) -> impl Iterator<Item = &geo::LineString<f64>> {
    shape
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

fn bounds(shape: &MultiPolygon<f64>) -> Option<Bounds> {
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for c in rings(shape).flat_map(|r| r.0.iter()) {
        lo = [lo[0].min(c.x), lo[1].min(c.y)];
        hi = [hi[0].max(c.x), hi[1].max(c.y)];
    }
    (lo[0] <= hi[0]).then_some(Bounds { lo, hi })
}

/// The segments of `shape` that reach into `b` grown by `tol`.
fn segments_near(shape: &MultiPolygon<f64>, b: Bounds, tol: f64, out: &mut Vec<Segment>) {
    out.clear();
    out.extend(
        rings(shape)
            .flat_map(|r| r.lines())
            .map(|l| ([l.start.x, l.start.y], [l.end.x, l.end.y]))
            .filter(|(p, q)| {
                p[0].max(q[0]) >= b.lo[0] - tol
                    && p[0].min(q[0]) <= b.hi[0] + tol
                    && p[1].max(q[1]) >= b.lo[1] - tol
                    && p[1].min(q[1]) <= b.hi[1] + tol
            }),
    );
}

type Segment = ([f64; 2], [f64; 2]);

/// Queen contiguity of `townships` (index = position in the slice).
/// Deterministic and symmetric; townships without any neighbour are
/// [`Weights::islands`]. Empty geometries are islands.
///
/// Three steps, all parallel:
/// 1. Candidates: township pairs whose bounding boxes, grown by the
///    tolerance, overlap — found on a uniform grid of cells about one
///    typical township wide, each pair reported once, by the cell that holds
///    the lower-left corner of the two boxes' intersection.
/// 2. Fast path, libpysal's test: the pair shares a bit-identical vertex
///    (only vertices inside the other township's box are compared). This
///    settles every neighbour pair of a clean layer.
/// 3. Robustness, only for candidates without a shared vertex: the pair
///    touches when some segment of one is within the tolerance of some
///    segment of the other, or crosses it (a sliver), testing only the
///    segments inside the other's grown box.
///
/// A shared vertex is at distance 0, so step 2 only saves work: the
/// relation is "some boundary points within the tolerance", tested once per
/// unordered pair and mirrored, hence symmetric, and the lists are sorted,
/// hence independent of the thread count.
pub fn queen_contiguity(townships: &[MultiPolygon<f64>], options: &QueenOptions) -> Weights {
    let tol = options.tolerance.max(0.0);
    let n = townships.len();
    let boxes: Vec<Option<Bounds>> = townships.par_iter().map(bounds).collect();
    let candidates = box_overlaps(&boxes, tol);
    let touching: Vec<(u32, u32)> = candidates
        .par_iter()
        .with_min_len(256)
        .filter(|&&(i, j)| {
            let (i, j) = (i as usize, j as usize);
            let (bi, bj) = (
                boxes[i].expect("candidates have boxes"),
                boxes[j].expect("candidates have boxes"),
            );
            share_vertex(&townships[i], bi, &townships[j], bj)
                || shapes_touch(&townships[i], bi, &townships[j], bj, tol)
        })
        .copied()
        .collect();
    Weights::from_pairs(n, &touching)
}

/// All pairs (i, j), i < j, of townships whose boxes grown by `tol` overlap
/// (closed boxes: touching counts), in a deterministic order.
///
/// A uniform grid is cheaper than an R-tree here: every township is both
/// inserted and queried once, and most are of similar size. The cell is the
/// median box side, grown if needed so that there are at most about 4n
/// cells; a large township simply sits in many cells.
fn box_overlaps(boxes: &[Option<Bounds>], tol: f64) -> Vec<(u32, u32)> {
    let grown: Vec<(u32, Bounds)> = boxes
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            b.map(|b| {
                (
                    i as u32,
                    Bounds {
                        lo: [b.lo[0] - tol, b.lo[1] - tol],
                        hi: [b.hi[0] + tol, b.hi[1] + tol],
                    },
                )
            })
        })
        .collect();
    if grown.len() < 2 {
        return Vec::new();
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for (_, b) in &grown {
        lo = [lo[0].min(b.lo[0]), lo[1].min(b.lo[1])];
        hi = [hi[0].max(b.hi[0]), hi[1].max(b.hi[1])];
    }
    let extent = (hi[0] - lo[0]).max(hi[1] - lo[1]);
    let mut sides: Vec<f64> = grown
        .iter()
        .map(|(_, b)| (b.hi[0] - b.lo[0]).max(b.hi[1] - b.lo[1]))
        .collect();
    let mid = sides.len() / 2;
    let mut cell = *sides.select_nth_unstable_by(mid, f64::total_cmp).1;
    if !(cell > 0.0 && cell.is_finite()) {
        cell = if extent > 0.0 && extent.is_finite() {
            extent
        } else {
            1.0
        };
    }
    let cells_along = |cell: f64| {
        (
            (((hi[0] - lo[0]) / cell).floor() as usize).saturating_add(1),
            (((hi[1] - lo[1]) / cell).floor() as usize).saturating_add(1),
        )
    };
    let budget = 4 * grown.len() + 16;
    let (mut nx, mut ny) = cells_along(cell);
    while nx.saturating_mul(ny) > budget {
        cell *= 1.5;
        (nx, ny) = cells_along(cell);
    }
    let cell_of = |p: [f64; 2]| -> (usize, usize) {
        (
            (((p[0] - lo[0]) / cell) as usize).min(nx - 1),
            (((p[1] - lo[1]) / cell) as usize).min(ny - 1),
        )
    };

    // Boxes per cell, as compressed rows (a counting sort; boxes stay in
    // township order within a cell).
    let ranges: Vec<((usize, usize), (usize, usize))> = grown
        .iter()
        .map(|(_, b)| (cell_of(b.lo), cell_of(b.hi)))
        .collect();
    let mut starts = vec![0usize; nx * ny + 1];
    for &((x0, y0), (x1, y1)) in &ranges {
        for cy in y0..=y1 {
            for cx in x0..=x1 {
                starts[cy * nx + cx + 1] += 1;
            }
        }
    }
    for c in 0..nx * ny {
        starts[c + 1] += starts[c];
    }
    let mut fill = starts.clone();
    let mut members = vec![0u32; starts[nx * ny]];
    for (g, &((x0, y0), (x1, y1))) in ranges.iter().enumerate() {
        for cy in y0..=y1 {
            for cx in x0..=x1 {
                members[fill[cy * nx + cx]] = g as u32;
                fill[cy * nx + cx] += 1;
            }
        }
    }
    drop(fill);

    (0..nx * ny)
        .into_par_iter()
        .with_min_len(64)
        .flat_map_iter(|c| {
            let here = &members[starts[c]..starts[c + 1]];
            let mut found = Vec::new();
            for (x, &ga) in here.iter().enumerate() {
                let (ia, a) = grown[ga as usize];
                for &gb in &here[x + 1..] {
                    let (ib, b) = grown[gb as usize];
                    let corner = [a.lo[0].max(b.lo[0]), a.lo[1].max(b.lo[1])];
                    let overlap =
                        corner[0] <= a.hi[0].min(b.hi[0]) && corner[1] <= a.hi[1].min(b.hi[1]);
                    if overlap && {
                        let (cx, cy) = cell_of(corner);
                        cy * nx + cx == c
                    } {
                        found.push((ia.min(ib), ia.max(ib)));
                    }
                }
            }
            found
        })
        .collect()
}

/// The vertices of `shape` inside `b`, as bit patterns.
fn vertices_in(shape: &MultiPolygon<f64>, b: Bounds, out: &mut Vec<(u64, u64)>) {
    out.clear();
    for r in rings(shape) {
        out.extend(
            r.0.iter()
                .filter(|c| c.x >= b.lo[0] && c.x <= b.hi[0] && c.y >= b.lo[1] && c.y <= b.hi[1])
                .map(|c| (c.x.to_bits(), c.y.to_bits())),
        );
    }
}

/// True when `a` and `b` have a bit-identical vertex (libpysal's queen
/// test). A shared vertex lies in both boxes, so only the vertices of each
/// inside the other's box are compared.
fn share_vertex(a: &MultiPolygon<f64>, ba: Bounds, b: &MultiPolygon<f64>, bb: Bounds) -> bool {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<(u64, u64)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with_borrow_mut(|near_a| {
        // The vertices of b near a, then a scan of a's vertices near b that
        // stops at the first match (usually within a few vertices).
        vertices_in(b, ba, near_a);
        if near_a.is_empty() {
            return false;
        }
        near_a.sort_unstable();
        rings(a).any(|r| {
            r.0.iter().any(|c| {
                c.x >= bb.lo[0]
                    && c.x <= bb.hi[0]
                    && c.y >= bb.lo[1]
                    && c.y <= bb.hi[1]
                    && near_a
                        .binary_search(&(c.x.to_bits(), c.y.to_bits()))
                        .is_ok()
            })
        })
    })
}

/// True when some segment of `a` is within `tol` of some segment of `b`.
/// Only segments inside the other township's box grown by `tol` can be.
fn shapes_touch(
    a: &MultiPolygon<f64>,
    ba: Bounds,
    b: &MultiPolygon<f64>,
    bb: Bounds,
    tol: f64,
) -> bool {
    thread_local! {
        static SCRATCH: std::cell::RefCell<(Vec<Segment>, Vec<Segment>)> =
            const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    }
    SCRATCH.with_borrow_mut(|(sa, sb)| {
        segments_near(a, bb, tol, sa);
        if sa.is_empty() {
            return false;
        }
        segments_near(b, ba, tol, sb);
        sa.iter().any(|&s| {
            sb.iter().any(|&t| {
                // Cheap box rejection before the exact distance.
                s.0[0].min(s.1[0]) <= t.0[0].max(t.1[0]) + tol
                    && t.0[0].min(t.1[0]) <= s.0[0].max(s.1[0]) + tol
                    && s.0[1].min(s.1[1]) <= t.0[1].max(t.1[1]) + tol
                    && t.0[1].min(t.1[1]) <= s.0[1].max(s.1[1]) + tol
                    && segment_distance_sq(s, t) <= tol * tol
            })
        })
    })
}

/// Squared distance between two closed segments (0 when they cross or touch).
fn segment_distance_sq(s: ([f64; 2], [f64; 2]), t: ([f64; 2], [f64; 2])) -> f64 {
    if segments_cross(s, t) {
        return 0.0;
    }
    point_segment_sq(s.0, t)
        .min(point_segment_sq(s.1, t))
        .min(point_segment_sq(t.0, s))
        .min(point_segment_sq(t.1, s))
}

fn orient(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

/// Proper crossing (interiors intersect); touching cases are caught by the
/// point-to-segment distances, which are then zero or within rounding.
fn segments_cross(s: ([f64; 2], [f64; 2]), t: ([f64; 2], [f64; 2])) -> bool {
    let d1 = orient(t.0, t.1, s.0);
    let d2 = orient(t.0, t.1, s.1);
    let d3 = orient(s.0, s.1, t.0);
    let d4 = orient(s.0, s.1, t.1);
    ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
}

fn point_segment_sq(p: [f64; 2], s: ([f64; 2], [f64; 2])) -> f64 {
    let (a, b) = s;
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    qx * qx + qy * qy
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, LineString, MultiPolygon};

    fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x0 + size, y: y0), (x: x0 + size, y: y0 + size), (x: x0, y: y0 + size)
        ]])
    }

    #[test]
    fn grid_corners_are_queen_neighbours_and_islands_are_reported() {
        // 2×2 grid plus one square far away.
        let shapes = vec![
            square(0.0, 0.0, 1.0),
            square(1.0, 0.0, 1.0),
            square(0.0, 1.0, 1.0),
            square(1.0, 1.0, 1.0),
            square(10.0, 10.0, 1.0),
        ];
        let w = queen_contiguity(&shapes, &QueenOptions::default());
        assert_eq!(
            w.to_lists(),
            vec![
                vec![1, 2, 3],
                vec![0, 2, 3],
                vec![0, 1, 3],
                vec![0, 1, 2],
                vec![]
            ]
        );
        assert_eq!(w.islands(), vec![4]);
        assert!(w.is_symmetric());
    }

    #[test]
    fn tiny_gaps_slivers_and_t_junctions_still_touch() {
        let tol = 1e-7;
        // A gap of 5e-8 (under the tolerance), an overlap sliver, and a
        // T-junction where a vertex of one lies inside an edge of the other.
        let left = square(100.0, 30.0, 0.01);
        let gap = square(100.01 + 5e-8, 30.0, 0.01);
        let sliver = square(100.0 - 0.01 + 3e-6, 30.0, 0.01);
        let t_junction = square(100.0 + 0.003, 30.01, 0.01);
        let far = square(100.01 + 5e-6, 30.02 + 1e-3, 0.01);
        let w = queen_contiguity(
            &[left, gap, sliver, t_junction, far],
            &QueenOptions { tolerance: tol },
        );
        assert_eq!(w.neighbours(0), &[1, 2, 3]);
        assert!(!w.contains(0, 4) && !w.contains(1, 4), "{:?}", w.to_lists());
        // A gap just above the tolerance separates them.
        let apart = square(100.01 + 2e-7, 30.0, 0.01);
        let w = queen_contiguity(
            &[square(100.0, 30.0, 0.01), apart],
            &QueenOptions { tolerance: tol },
        );
        assert_eq!(w.islands(), vec![0, 1]);
    }

    #[test]
    fn sums_match_libpysal_on_a_path_with_an_island() {
        // libpysal W({0:[1],1:[0,2],2:[1],3:[]}) with transform "r":
        // s0 = 3, s1 = 0.5·((1+.5)²·2 + (.5+1)²·2) = 4.5, s2 = (1+.5)² + (1+2)² + (1+.5)² = 13.5.
        let w = Weights::from_neighbours(vec![vec![1], vec![0, 2], vec![1], vec![]]).unwrap();
        let s = w.sums(Transform::RowStandardised);
        assert_eq!((s.s0, s.s1, s.s2), (3.0, 4.5, 13.5));
        let b = w.sums(Transform::Binary);
        assert_eq!((b.s0, b.s1, b.s2), (4.0, 8.0, 4.0 + 16.0 + 4.0));
    }

    #[test]
    fn matches_an_all_pairs_scan_on_seeded_jittered_squares() {
        // 12 × 12 squares whose corners are moved at random by up to ±2e-7
        // (so some borders gap, some overlap, few vertices are shared), checked
        // against the distance of every segment pair of every township pair.
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(99);
        let side = 12;
        let mut jitter = || rng.random_range(-2e-7..2e-7);
        let shapes: Vec<MultiPolygon<f64>> = (0..side * side)
            .map(|k| {
                let (x0, y0) = (
                    110.0 + (k % side) as f64 * 0.01,
                    30.0 + (k / side) as f64 * 0.01,
                );
                MultiPolygon(vec![polygon![
                    (x: x0 + jitter(), y: y0 + jitter()),
                    (x: x0 + 0.01 + jitter(), y: y0 + jitter()),
                    (x: x0 + 0.01 + jitter(), y: y0 + 0.01 + jitter()),
                    (x: x0 + jitter(), y: y0 + 0.01 + jitter())
                ]])
            })
            .collect();
        let tol = 1e-7;
        let w = queen_contiguity(&shapes, &QueenOptions { tolerance: tol });
        let segs = |m: &MultiPolygon<f64>| -> Vec<([f64; 2], [f64; 2])> {
            m.0[0]
                .exterior()
                .lines()
                .map(|l| ([l.start.x, l.start.y], [l.end.x, l.end.y]))
                .collect()
        };
        let mut differing = 0;
        for i in 0..shapes.len() {
            let want: Vec<usize> = (0..shapes.len())
                .filter(|&j| {
                    let (a, b) = if i < j { (i, j) } else { (j, i) };
                    a != b
                        && segs(&shapes[a]).iter().any(|&s| {
                            segs(&shapes[b])
                                .iter()
                                .any(|&t| segment_distance_sq(s, t) <= tol * tol)
                        })
                })
                .collect();
            assert_eq!(w.neighbours(i), want.as_slice(), "township {i}");
            differing += usize::from(
                want.len()
                    != [3, 5, 8][usize::from(i % side != 0 && i % side != side - 1)
                        + usize::from(i / side != 0 && i / side != side - 1)],
            );
        }
        // The jitter must actually have cut some links, or the test proves little.
        assert!(differing > 0);
    }

    /// Every pair of townships whose boundaries come within `tol`, by
    /// testing all segment pairs of all township pairs.
    fn all_pairs_scan(shapes: &[MultiPolygon<f64>], tol: f64) -> Vec<Vec<usize>> {
        let segs: Vec<Vec<([f64; 2], [f64; 2])>> = shapes
            .iter()
            .map(|m| {
                rings(m)
                    .flat_map(|r| r.lines())
                    .map(|l| ([l.start.x, l.start.y], [l.end.x, l.end.y]))
                    .collect()
            })
            .collect();
        (0..shapes.len())
            .map(|i| {
                (0..shapes.len())
                    .filter(|&j| {
                        let (a, b) = if i < j { (i, j) } else { (j, i) };
                        a != b
                            && segs[a].iter().any(|&s| {
                                segs[b]
                                    .iter()
                                    .any(|&t| segment_distance_sq(s, t) <= tol * tol)
                            })
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn matches_an_all_pairs_scan_on_rectangles_of_very_different_sizes() {
        // Seeded rectangles from 1e-4 to 0.5 wide (so some span hundreds of
        // grid cells), many overlapping or nested, some sharing corners
        // exactly (snapped to a 1e-3 lattice), and an enclave: a township
        // inside another's hole, touching it along the hole's ring.
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut shapes: Vec<MultiPolygon<f64>> = (0..300)
            .map(|k| {
                let size = 10f64.powf(rng.random_range(-4.0..-0.3));
                let (w, h) = (size, size * rng.random_range(0.3..3.0));
                let (mut x0, mut y0): (f64, f64) =
                    (rng.random_range(0.0..2.0), rng.random_range(0.0..2.0));
                if k % 3 == 0 {
                    x0 = (x0 * 1e3).round() / 1e3;
                    y0 = (y0 * 1e3).round() / 1e3;
                }
                MultiPolygon(vec![polygon![
                    (x: x0, y: y0), (x: x0 + w, y: y0), (x: x0 + w, y: y0 + h), (x: x0, y: y0 + h)
                ]])
            })
            .collect();
        let outer = LineString::from(vec![
            (5.0, 5.0),
            (6.0, 5.0),
            (6.0, 6.0),
            (5.0, 6.0),
            (5.0, 5.0),
        ]);
        let hole = LineString::from(vec![
            (5.4, 5.4),
            (5.6, 5.4),
            (5.6, 5.6),
            (5.4, 5.6),
            (5.4, 5.4),
        ]);
        shapes.push(MultiPolygon(vec![geo::Polygon::new(outer, vec![hole])]));
        shapes.push(square(5.4, 5.4, 0.2));
        shapes.push(MultiPolygon(vec![]));
        let tol = 1e-7;
        let w = queen_contiguity(&shapes, &QueenOptions { tolerance: tol });
        assert_eq!(w.to_lists(), all_pairs_scan(&shapes, tol));
        assert!(
            w.contains(300, 301),
            "the enclave touches its surrounding township"
        );
        assert!(w.islands().contains(&302), "an empty geometry is an island");
        assert!(
            w.n_links() > 200,
            "too few links for the check to mean much"
        );
    }

    #[test]
    fn rejects_self_and_out_of_range() {
        assert!(Weights::from_neighbours(vec![vec![0]]).is_err());
        assert!(Weights::from_neighbours(vec![vec![2], vec![]]).is_err());
    }
}
