//! A lookup grid over the townships: most points are answered by one array
//! read, and only points in cells that a border crosses take the exact path
//! (R-tree candidates and point-in-polygon tests).
//!
//! The grid covers the townships' bounding box with square-ish cells, about
//! [`CELLS_PER_TOWNSHIP`] per township (capped at [`MAX_CELLS`]). A cell is
//! *mixed* when any ring segment may pass through it, else it lies inside one
//! face of the arrangement of all borders, and every point in it has the
//! same answer as any other: the cell stores that answer (a township, or
//! "in none").
//!
//! Why this is exact, not approximate. A point's cell is
//! `floor((x - x0) / w)` in floating point; rounding is monotone, so a point
//! with `x` between two values gets a cell index between theirs. Each
//! segment marks, in every column it spans, the rows between its y-values at
//! the column's edges, both ranges widened by 10⁻⁹ of a cell (a million
//! times the floating-point error of the arithmetic), so a point on a
//! segment always falls in a marked cell. The points that map to one cell form a (half-open)
//! rectangle, a connected set; if no border point maps there, all of them lie
//! in the same face. Neighbouring unmarked cells in a row share their face
//! too (their union is connected and border-free), so one exact test per run
//! of unmarked cells fills the whole run.

use geo::{Coord, MultiPolygon};
use rayon::prelude::*;

/// Cells per township aimed at: about 32 × 32.
pub const CELLS_PER_TOWNSHIP: usize = 1024;
/// The grid never has more cells than this (32 MB of `u32`).
pub const MAX_CELLS: usize = 8 << 20;

/// A cell that a border may cross: ask the exact path.
const MIXED: u32 = u32::MAX;
/// A cell inside no township.
const NONE: u32 = u32::MAX - 1;

/// What a cell knows about a point in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// The point lies in this township (interior, not on a border).
    Township(usize),
    /// The point lies in no township.
    Outside,
    /// The grid cannot tell: a border may pass, or the point is off the grid.
    Unknown,
}

/// The lookup grid.
pub struct Grid {
    x0: f64,
    y0: f64,
    w: f64,
    h: f64,
    nx: usize,
    ny: usize,
    cells: Vec<u32>,
}

impl Grid {
    /// Builds the grid for `polygons` (lon/lat), with `locate` the exact
    /// answer for a point (the township by the border rule, or `None`).
    pub fn new(
        polygons: &[MultiPolygon<f64>],
        locate: impl Fn(Coord<f64>) -> Option<usize> + Sync,
    ) -> Grid {
        let mut lo = [f64::INFINITY; 2];
        let mut hi = [f64::NEG_INFINITY; 2];
        for c in polygons
            .iter()
            .flat_map(|mp| mp.0.iter())
            .flat_map(|p| p.exterior().0.iter())
        {
            lo = [lo[0].min(c.x), lo[1].min(c.y)];
            hi = [hi[0].max(c.x), hi[1].max(c.y)];
        }
        let (span_x, span_y) = (hi[0] - lo[0], hi[1] - lo[1]);
        if !(span_x > 0.0 && span_y > 0.0 && span_x.is_finite() && span_y.is_finite()) {
            return Grid {
                x0: 0.0,
                y0: 0.0,
                w: 1.0,
                h: 1.0,
                nx: 0,
                ny: 0,
                cells: Vec::new(),
            };
        }
        let target = (polygons.len() * CELLS_PER_TOWNSHIP).clamp(1, MAX_CELLS) as f64;
        let side = (span_x * span_y / target).sqrt();
        // A sliver of a region (one side tiny next to the other) makes
        // `side` tiny, or zero when the area underflows, and the uncapped
        // count of columns ran to 10^10 and more: the allocation aborted the
        // process (found while writing tests/proptest_join.rs). Each side is capped so
        // that nx × ny ≤ MAX_CELLS; a coarser grid is still exact. (`as`
        // saturates: infinity gives usize::MAX, NaN gives 0.)
        let nx = ((span_x / side).ceil() as usize).clamp(1, MAX_CELLS);
        let ny = ((span_y / side).ceil() as usize).clamp(1, MAX_CELLS / nx);
        let (w, h) = (span_x / nx as f64, span_y / ny as f64);
        let mut grid = Grid {
            x0: lo[0],
            y0: lo[1],
            w,
            h,
            nx,
            ny,
            cells: vec![0; nx * ny],
        };

        // Mark every cell a segment may pass through: per column the segment
        // spans, the rows of its y-range within that column (both ranges
        // widened by a hair, far more than floating-point error, so that a
        // point on the segment always lands in a marked cell).
        let mut mixed = vec![false; nx * ny];
        let hair_x = w * 1e-9;
        let hair_y = h * 1e-9;
        for mp in polygons {
            for ring in
                mp.0.iter()
                    .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            {
                for s in ring.0.windows(2) {
                    let (a, b) = if s[0].x <= s[1].x {
                        (s[0], s[1])
                    } else {
                        (s[1], s[0])
                    };
                    let (i0, i1) = (grid.col(a.x - hair_x), grid.col(b.x + hair_x));
                    for i in i0..=i1 {
                        // The part of the segment within column i (widened).
                        let (xa, xb) = (
                            (grid.x0 + i as f64 * w - hair_x).max(a.x),
                            (grid.x0 + (i + 1) as f64 * w + hair_x).min(b.x),
                        );
                        let y_at = |x: f64| {
                            if b.x > a.x {
                                a.y + (b.y - a.y) * ((x - a.x) / (b.x - a.x)).clamp(0.0, 1.0)
                            } else {
                                a.y
                            }
                        };
                        let (ya, yb) = if b.x > a.x && xa <= xb {
                            (y_at(xa), y_at(xb))
                        } else {
                            (a.y, b.y)
                        };
                        let (j0, j1) =
                            (grid.row(ya.min(yb) - hair_y), grid.row(ya.max(yb) + hair_y));
                        for j in j0..=j1 {
                            mixed[j * nx + i] = true;
                        }
                    }
                }
            }
        }
        // The first and last rows and columns also hold points beyond the
        // box (indices are clamped), so they are never trusted.
        for i in 0..nx {
            mixed[i] = true;
            mixed[(ny - 1) * nx + i] = true;
        }
        for j in 0..ny {
            mixed[j * nx] = true;
            mixed[j * nx + nx - 1] = true;
        }

        // Fill each run of unmarked cells from one exact test at a cell
        // centre that maps back to its own cell (as `lookup` computes it).
        let (x0, y0) = (grid.x0, grid.y0);
        let maps_back = move |c: Coord<f64>, i: usize, j: usize| {
            let (fx, fy) = ((c.x - x0) / w, (c.y - y0) / h);
            fx >= 0.0 && fy >= 0.0 && fx as usize == i && fy as usize == j
        };
        grid.cells
            .par_chunks_mut(nx)
            .enumerate()
            .for_each(|(j, row)| {
                let flags = &mixed[j * nx..(j + 1) * nx];
                let mut i = 0;
                while i < nx {
                    if flags[i] {
                        row[i] = MIXED;
                        i += 1;
                        continue;
                    }
                    let start = i;
                    while i < nx && !flags[i] {
                        i += 1;
                    }
                    let answer = (start..i)
                        .map(|k| {
                            (
                                k,
                                Coord {
                                    x: x0 + (k as f64 + 0.5) * w,
                                    y: y0 + (j as f64 + 0.5) * h,
                                },
                            )
                        })
                        .find(|&(k, c)| maps_back(c, k, j))
                        .map_or(MIXED, |(_, c)| locate(c).map_or(NONE, |t| t as u32));
                    row[start..i].iter_mut().for_each(|v| *v = answer);
                }
            });
        grid
    }

    fn col(&self, x: f64) -> usize {
        index_of(x, self.x0, self.w, self.nx)
    }

    fn row(&self, y: f64) -> usize {
        index_of(y, self.y0, self.h, self.ny)
    }

    /// What the grid knows about `p`.
    pub fn lookup(&self, p: Coord<f64>) -> Cell {
        if self.cells.is_empty() {
            return Cell::Unknown;
        }
        let (fx, fy) = ((p.x - self.x0) / self.w, (p.y - self.y0) / self.h);
        if !(fx >= 0.0 && fy >= 0.0 && fx < self.nx as f64 && fy < self.ny as f64) {
            return Cell::Unknown;
        }
        match self.cells[fy as usize * self.nx + fx as usize] {
            MIXED => Cell::Unknown,
            NONE => Cell::Outside,
            t => Cell::Township(t as usize),
        }
    }

    /// Share of cells that need the exact path (for tuning and tests).
    pub fn mixed_share(&self) -> f64 {
        self.cells.iter().filter(|&&c| c == MIXED).count() as f64 / self.cells.len().max(1) as f64
    }
}

/// `floor((v - v0) / step)` clamped to `0..n`: the index arithmetic shared by
/// marking and queries.
fn index_of(v: f64, v0: f64, step: f64, n: usize) -> usize {
    let f = (v - v0) / step;
    if f.is_nan() || f < 0.0 {
        0
    } else {
        (f as usize).min(n - 1)
    }
}
