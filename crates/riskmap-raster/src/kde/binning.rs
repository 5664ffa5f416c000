//! Spreading weighted points onto the nodes of a (possibly finer) grid with
//! four-node-per-axis weights, in parallel.
//!
//! Two schemes, each exact in a different way (the error of each was
//! measured in `tests/kde_accuracy.rs` and by the analysis in the module
//! docs of [`super`]):
//! - [`Scheme::CubicBSpline`]: the weights of the cubic B-spline, all
//!   non-negative. For every position in the cell the spread mass keeps the
//!   point's mean and has variance exactly `step²/3` per axis (and zero
//!   third moment), so binning equals a blur by a known variance that the
//!   Gaussian path removes from its kernel (`σ_c² = σ² − step²/3`).
//! - [`Scheme::CubicLagrange`]: the weights of four-point Lagrange
//!   interpolation, which reproduce cubics exactly; some weights are negative.
//!   Used for the quartic kernel, whose shape cannot absorb a blur.

use rayon::prelude::*;

use super::Prepared;

/// How a point's mass is spread over the 4 × 4 nodes around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scheme {
    CubicBSpline,
    CubicLagrange,
}

impl Scheme {
    /// Weights of nodes -1, 0, 1, 2 for a point at fraction `t` ∈ [0, 1)
    /// past node 0.
    #[inline]
    fn weights(self, t: f64) -> [f64; 4] {
        match self {
            Scheme::CubicBSpline => {
                let s = 1.0 - t;
                let t2 = t * t;
                let t3 = t2 * t;
                [
                    s * s * s / 6.0,
                    (3.0 * t3 - 6.0 * t2 + 4.0) / 6.0,
                    (-3.0 * t3 + 3.0 * t2 + 3.0 * t + 1.0) / 6.0,
                    t3 / 6.0,
                ]
            }
            Scheme::CubicLagrange => {
                let (a, b, c, d) = (t + 1.0, t, t - 1.0, t - 2.0);
                [
                    -b * c * d / 6.0,
                    a * c * d / 2.0,
                    -a * b * d / 2.0,
                    a * b * c / 6.0,
                ]
            }
        }
    }
}

/// A lattice of nodes: node (`i`, `j`) sits at `(x0 + i·step, y0 − j·step)`,
/// `j` counting rows southwards. Values are row-major, `nx` per row.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lattice {
    pub x0: f64,
    pub y0: f64,
    pub step: f64,
    pub nx: usize,
    pub ny: usize,
}

/// Points per partial lattice below which binning stays on one thread.
const POINTS_PER_TASK: usize = 1 << 16;
/// Most partial lattices binned at once (each is a full lattice in memory).
const MAX_TASKS: usize = 4;

/// The binned masses (sums of weights) on `lat`. Points whose 4 × 4 nodes do
/// not all fall on the lattice are left out: the lattice is padded so that
/// they are beyond the kernel's reach of every output cell.
pub(super) fn bin(p: &Prepared, lat: &Lattice, scheme: Scheme) -> Vec<f64> {
    let n = p.points.len();
    // The split depends on the number of points only, never on the number of
    // threads: the partial lattices are summed in task order, so the result is
    // the same bytes with one thread or many (tests/it/determinism.rs).
    let tasks = MAX_TASKS.min(n.div_ceil(POINTS_PER_TASK)).max(1);
    let chunk = n.div_ceil(tasks).max(1);
    let partial = |range: std::ops::Range<usize>| {
        let mut grid = vec![0.0; lat.nx * lat.ny];
        let inv = 1.0 / lat.step;
        for i in range {
            let [x, y] = p.points[i];
            let u = (x - lat.x0) * inv;
            let v = (lat.y0 - y) * inv;
            let (fu, fv) = (u.floor(), v.floor());
            if fu < 1.0 || fv < 1.0 || fu + 2.0 >= lat.nx as f64 || fv + 2.0 >= lat.ny as f64 {
                continue;
            }
            let (iu, iv) = (fu as usize - 1, fv as usize - 1);
            let wx = scheme.weights(u - fu);
            let wy = scheme.weights(v - fv);
            let w = p.weight(i);
            for (dj, wyj) in wy.iter().enumerate() {
                let row = &mut grid[(iv + dj) * lat.nx + iu..][..4];
                let m = w * wyj;
                for (cell, wxi) in row.iter_mut().zip(&wx) {
                    *cell += m * wxi;
                }
            }
        }
        grid
    };
    if tasks == 1 {
        return partial(0..n);
    }
    let parts: Vec<Vec<f64>> = (0..tasks)
        .into_par_iter()
        .map(|t| partial(t * chunk..((t + 1) * chunk).min(n)))
        .collect();
    let (first, rest) = parts.split_first().expect("at least one task");
    let mut sum = first.clone();
    sum.par_chunks_mut(1 << 14)
        .enumerate()
        .for_each(|(k, block)| {
            let (start, len) = (k << 14, block.len());
            for part in rest {
                for (s, v) in block.iter_mut().zip(&part[start..start + len]) {
                    *s += v;
                }
            }
        });
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_keep_mass_and_the_schemes_their_moments() {
        for k in 0..20 {
            let t = k as f64 / 20.0;
            for scheme in [Scheme::CubicBSpline, Scheme::CubicLagrange] {
                let w = scheme.weights(t);
                let moment = |p: i32| {
                    w.iter()
                        .enumerate()
                        .map(|(j, wj)| wj * (j as f64 - 1.0 - t).powi(p))
                        .sum::<f64>()
                };
                assert!((moment(0) - 1.0).abs() < 1e-14);
                assert!(moment(1).abs() < 1e-14);
                let expected_var = if scheme == Scheme::CubicBSpline {
                    1.0 / 3.0
                } else {
                    0.0
                };
                assert!((moment(2) - expected_var).abs() < 1e-14, "{scheme:?} t={t}");
                assert!(moment(3).abs() < 1e-14, "{scheme:?} t={t}");
            }
            assert!(Scheme::CubicBSpline.weights(t).iter().all(|&w| w >= 0.0));
        }
    }
}
