//! Direct summation of the kernels at cell centres: the oracle the fast
//! paths are tested against, and the fast path itself for a quartic kernel
//! that covers few cells.
//!
//! Points are sorted by y once; each output row then visits only the points
//! within the kernel's reach in y (a binary search), and each of those only
//! the columns within reach in x. Rows run in parallel. The Gaussian is
//! summed out to 8σ, where it has fallen to e^-32 ≈ 1.3e-14 of its peak;
//! the quartic is exact (its support is the disk of radius h).

use rayon::prelude::*;

use super::{Kernel, Prepared};
use crate::grid::Grid;

/// How far from a point its kernel is summed, in units of the bandwidth.
const GAUSSIAN_REACH_SIGMAS: f64 = 8.0;

/// Kernel density at the centres of the cells (`rows` × `cols`), row-major
/// over `rows` then `cols`, in the units [`Prepared::scale`] gives.
/// `cols` must be strictly increasing.
pub(super) fn at(p: &Prepared, grid: &Grid, rows: &[usize], cols: &[usize]) -> Vec<f64> {
    debug_assert!(
        cols.windows(2).all(|w| w[0] < w[1]),
        "columns must be strictly increasing"
    );
    let mut order: Vec<usize> = (0..p.points.len()).collect();
    order.sort_unstable_by(|&a, &b| p.points[a][1].total_cmp(&p.points[b][1]));
    let xs: Vec<f64> = order.iter().map(|&i| p.points[i][0]).collect();
    let ys: Vec<f64> = order.iter().map(|&i| p.points[i][1]).collect();
    let ws: Vec<f64> = order.iter().map(|&i| p.weight(i)).collect();
    let col_x: Vec<f64> = cols.iter().map(|&c| grid.col_x(c)).collect();
    let bw = p.bandwidth;
    let reach = match p.kernel {
        Kernel::Gaussian => GAUSSIAN_REACH_SIGMAS * bw,
        Kernel::Quartic => bw,
    };
    let (norm, inv) = match p.kernel {
        Kernel::Gaussian => (
            p.scale / (2.0 * std::f64::consts::PI * bw * bw),
            1.0 / (2.0 * bw * bw),
        ),
        Kernel::Quartic => (
            p.scale * 3.0 / (std::f64::consts::PI * bw * bw),
            1.0 / (bw * bw),
        ),
    };
    let mut out = vec![0.0; rows.len() * cols.len()];
    if cols.is_empty() {
        return out;
    }
    // On a contiguous run of columns the quartic's column range is found by
    // arithmetic (one column wider each side; the kernel test inside the
    // loop keeps the sum exact) instead of two binary searches per point
    // and row, which cost as much as the dozen kernel terms they bound.
    let contiguous = cols[cols.len() - 1] - cols[0] + 1 == cols.len();
    let col_span = |lo: f64, hi: f64| {
        let f = |x: f64| ((x - grid.x_min) / grid.cell - 0.5 - cols[0] as f64).floor();
        let a = (f(lo).max(0.0) as usize).min(cols.len());
        let b = ((f(hi) + 2.0).max(0.0) as usize).min(cols.len());
        (a, b.max(a))
    };
    out.par_chunks_mut(cols.len())
        .zip(rows.par_iter())
        .for_each(|(line, &row)| {
            let y = grid.row_y(row);
            let lo = ys.partition_point(|&v| v < y - reach);
            let hi = ys.partition_point(|&v| v <= y + reach);
            for k in lo..hi {
                let dy = ys[k] - y;
                let (x, w) = (xs[k], ws[k]);
                match p.kernel {
                    Kernel::Gaussian => {
                        let wy = w * (-dy * dy * inv).exp();
                        let a = col_x.partition_point(|&cx| cx < x - reach);
                        let b = col_x.partition_point(|&cx| cx <= x + reach);
                        for (v, &cx) in line[a..b].iter_mut().zip(&col_x[a..b]) {
                            let dx = cx - x;
                            *v += wy * (-dx * dx * inv).exp();
                        }
                    }
                    Kernel::Quartic => {
                        let rem = 1.0 - dy * dy * inv;
                        if rem <= 0.0 {
                            continue;
                        }
                        let half = bw * rem.sqrt();
                        let (a, b) = if contiguous {
                            col_span(x - half, x + half)
                        } else {
                            (
                                col_x.partition_point(|&cx| cx <= x - half),
                                col_x.partition_point(|&cx| cx < x + half),
                            )
                        };
                        for (v, &cx) in line[a..b].iter_mut().zip(&col_x[a..b]) {
                            let dx = cx - x;
                            let t = rem - dx * dx * inv;
                            if t > 0.0 {
                                *v += w * t * t;
                            }
                        }
                    }
                }
            }
            for v in line.iter_mut() {
                *v *= norm;
            }
        });
    out
}
