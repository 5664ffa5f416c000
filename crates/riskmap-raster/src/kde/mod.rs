//! Kernel density of points on a regular grid in a metric projection.
//!
//! `f(s) = S · Σᵢ wᵢ K(|s − pᵢ|)` at every cell centre `s`, with the kernel
//! normalised to integrate to 1 over the plane (per m²) and `S = 10⁶ / years`
//! so that the result is in events (or weight units) per km² (per year):
//! - [`Kernel::Gaussian`], `K(r) = exp(−r²/2σ²) / (2πσ²)`, bandwidth `σ`;
//! - [`Kernel::Quartic`], `K(r) = 3/(πh²) · (1 − r²/h²)²` for `r < h`, the
//!   kernel of ArcGIS's Kernel Density tool (Silverman 1986, eq. 4.5),
//!   bandwidth the search radius `h`.
//!
//! [`bandwidth::arcgis_default`] gives the default bandwidth.
//!
//! # How the fast path works, and why it is accurate
//! Points are binned onto a lattice of nodes, the output cell centres or a
//! finer lattice with an odd number `m` of nodes per cell so that cell
//! centres stay on nodes, and the lattice is convolved with the kernel
//! sampled at node offsets. The error of binning a single point, relative to
//! its kernel's peak, was measured over all positions in the cell
//! (`benches/peers/binning_error.py`; the worst case over a single point bounds
//! the error relative to the peak of any sum of kernels with equal signs
//! only loosely, and in practice sums of many points have smaller errors):
//!
//! | binning | kernel | bandwidth / node step | worst error / peak |
//! | --- | --- | --- | --- |
//! | linear (KDEpy's) | Gaussian | 2, 4, 8 | 5.4e-2, 1.5e-2, 3.9e-3 |
//! | cubic B-spline, `σ_c² = σ² − step²/3` | Gaussian | 2, 2.5, 3, 4 | 9.4e-4, 3.9e-4, 1.9e-4, 6.1e-5 |
//! | linear | quartic | 16, 24, 32 | 3.9e-3, 1.7e-3, 9.8e-4 |
//! | cubic Lagrange | quartic | 12, 16, 20, 24 | 2.1e-3, 1.2e-3, 7.3e-4, 5.1e-4 |
//!
//! Hence the rules ([`plan`]):
//! - Gaussian: cubic B-spline binning, whose spread keeps each point's mean
//!   and adds exactly `step²/3` of variance per axis wherever the point is,
//!   removed again by convolving with `σ_c² = σ² − step²/3`; lattice step at
//!   most `σ / 2.5` (so `m = 1` whenever `σ ≥ 2.5` cells); the kernel is
//!   truncated at 5σ (`e^−12.5 ≈ 3.7e-6` of the peak); separable passes.
//! - Quartic: the kernel's second derivative jumps at `r = h`, which no
//!   blur correction can absorb, so cubic Lagrange binning (exact for cubic
//!   polynomials) with a lattice step at most `h / 20`, and an FFT
//!   convolution with the disk-shaped kernel. When that lattice would be
//!   finer than the grid and direct summation is cheaper (few points or a
//!   small radius: `n · π (h/cell)²` kernel evaluations), the result is
//!   summed directly and is exact.
//!
//! Negative values from the Lagrange weights (at most the error bound) and
//! FFT rounding are clamped to 0, which only reduces the error as the true
//! density is non-negative.

pub mod bandwidth;
mod binning;
mod exact;
mod fft;
mod separable;

use riskmap_domain::layer::{Crs, Raster};

use crate::grid::Grid;
use binning::{Lattice, Scheme};

/// The kernel's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Normal density; the bandwidth is its standard deviation σ.
    Gaussian,
    /// Biweight `3/(πh²)(1 − r²/h²)²` on the disk of radius h, as ArcGIS
    /// Kernel Density; the bandwidth is the radius h.
    Quartic,
}

/// What to compute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KdeSpec {
    /// The kernel.
    pub kernel: Kernel,
    /// σ for the Gaussian, the radius h for the quartic, in metres.
    pub bandwidth: f64,
    /// Divide by this many years (events per km² per year), if given.
    pub years: Option<f64>,
}

/// Bad input to kernel density.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KdeError {
    /// The weights do not pair up with the points.
    #[error("{weights} weights for {points} points: give one weight per point")]
    WeightsLength {
        /// Points given.
        points: usize,
        /// Weights given.
        weights: usize,
    },
    /// A point has a coordinate that is NaN or infinite.
    #[error("point {index} has a non-finite coordinate: drop or repair it before the density")]
    NonFinitePoint {
        /// Index of the point.
        index: usize,
    },
    /// A weight is negative, NaN or infinite.
    #[error("weight {index} is {value}: weights must be finite and non-negative")]
    BadWeight {
        /// Index of the weight.
        index: usize,
        /// The weight.
        value: f64,
    },
    /// The bandwidth is not a positive finite number.
    #[error("bandwidth {0} m: it must be a positive number of metres")]
    Bandwidth(f64),
    /// The number of years is not a positive finite number.
    #[error("{0} years: the period must be a positive number of years")]
    Years(f64),
    /// The grid has no cells or a cell size that is not positive.
    #[error("the grid is empty or its cell size is not positive")]
    Grid,
}

/// The validated inputs shared by every path.
pub(crate) struct Prepared<'a> {
    points: &'a [[f64; 2]],
    weights: Option<&'a [f64]>,
    kernel: Kernel,
    bandwidth: f64,
    /// Factor from per-m² densities to the output unit.
    scale: f64,
}

impl Prepared<'_> {
    #[inline]
    fn weight(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[i])
    }
}

fn prepare<'a>(
    points: &'a [[f64; 2]],
    weights: Option<&'a [f64]>,
    grid: &Grid,
    spec: &KdeSpec,
) -> Result<Prepared<'a>, KdeError> {
    if grid.is_empty() || !(grid.cell > 0.0 && grid.cell.is_finite()) {
        return Err(KdeError::Grid);
    }
    if !(spec.bandwidth > 0.0 && spec.bandwidth.is_finite()) {
        return Err(KdeError::Bandwidth(spec.bandwidth));
    }
    let years = spec.years.unwrap_or(1.0);
    if !(years > 0.0 && years.is_finite()) {
        return Err(KdeError::Years(years));
    }
    if let Some(index) = points
        .iter()
        .position(|p| !(p[0].is_finite() && p[1].is_finite()))
    {
        return Err(KdeError::NonFinitePoint { index });
    }
    if let Some(w) = weights {
        if w.len() != points.len() {
            return Err(KdeError::WeightsLength {
                points: points.len(),
                weights: w.len(),
            });
        }
        if let Some(index) = w.iter().position(|v| !(*v >= 0.0 && v.is_finite())) {
            return Err(KdeError::BadWeight {
                index,
                value: w[index],
            });
        }
    }
    Ok(Prepared {
        points,
        weights,
        kernel: spec.kernel,
        bandwidth: spec.bandwidth,
        scale: 1e6 / years,
    })
}

/// Smallest Gaussian σ, in lattice steps, for cubic B-spline binning.
pub const GAUSSIAN_MIN_SIGMA_STEPS: f64 = 2.5;
/// Smallest quartic radius h, in lattice steps, for cubic Lagrange binning.
pub const QUARTIC_MIN_RADIUS_STEPS: f64 = 20.0;
/// The Gaussian is truncated at this many σ in the fast path.
pub const GAUSSIAN_TRUNCATION_SIGMAS: f64 = 5.0;

/// How [`density`] computes a grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Cubic B-spline binning on a lattice with `subdivision` (odd) nodes per
    /// cell side, separable Gaussian convolution.
    Separable {
        /// Lattice nodes per cell side.
        subdivision: usize,
    },
    /// Cubic Lagrange binning on a lattice with `subdivision` (odd) nodes per
    /// cell side, FFT convolution with the quartic kernel.
    Fft {
        /// Lattice nodes per cell side.
        subdivision: usize,
    },
    /// Direct summation (exact).
    Direct,
}

/// The smallest odd m with `cell / m ≤ bandwidth / min_steps`.
fn subdivision(cell: f64, bandwidth: f64, min_steps: f64) -> usize {
    let m = (cell * min_steps / bandwidth).ceil().max(1.0) as usize;
    m | 1
}

/// How [`density`] will compute `n` points on `grid` with `spec`.
pub fn plan(n: usize, grid: &Grid, spec: &KdeSpec) -> Plan {
    match spec.kernel {
        Kernel::Gaussian => Plan::Separable {
            subdivision: subdivision(grid.cell, spec.bandwidth, GAUSSIAN_MIN_SIGMA_STEPS),
        },
        Kernel::Quartic => {
            let m = subdivision(grid.cell, spec.bandwidth, QUARTIC_MIN_RADIUS_STEPS);
            // Costs in the unit of one kernel term of the direct sum,
            // calibrated on 1M clustered points, 1000 × 1000 cells, 2 threads
            // (`examples/kde_bench.rs` with KDE_PLAN): a term costs ~3.4 ns,
            // the FFT path ~2.6 ns per lattice node and log2 of their count
            // (forward, product and inverse, with the kernel's transform),
            // binning ~4 terms per point.
            let r = spec.bandwidth / grid.cell;
            let direct = n as f64 * std::f64::consts::PI * r * r;
            let pad = 2.0 * (r * m as f64 + 2.0);
            let nodes =
                (m as f64 * grid.width as f64 + pad) * (m as f64 * grid.height as f64 + pad);
            let fft = 0.8 * nodes * nodes.log2().max(1.0) + 4.0 * n as f64;
            if direct <= fft {
                Plan::Direct
            } else {
                Plan::Fft { subdivision: m }
            }
        }
    }
}

/// Kernel density of `points` (metres, in the grid's projection) with
/// optional non-negative `weights`, at the centres of `grid`'s cells,
/// row-major from the top: events (or weight) per km², per year if
/// `spec.years` is given. Accurate to 1e-3 of the peak (see the module
/// docs); runs in parallel.
pub fn density(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    grid: &Grid,
    spec: &KdeSpec,
) -> Result<Vec<f64>, KdeError> {
    density_with_plan(points, weights, grid, spec, plan(points.len(), grid, spec))
}

/// [`density`] with the path chosen by the caller (for tests and benches);
/// a plan of the wrong kernel falls back to [`plan`].
pub fn density_with_plan(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    grid: &Grid,
    spec: &KdeSpec,
    plan_: Plan,
) -> Result<Vec<f64>, KdeError> {
    let p = prepare(points, weights, grid, spec)?;
    let rows: Vec<usize> = (0..grid.height).collect();
    let cols: Vec<usize> = (0..grid.width).collect();
    Ok(match (spec.kernel, plan_) {
        (_, Plan::Direct) => exact::at(&p, grid, &rows, &cols),
        (Kernel::Gaussian, Plan::Separable { subdivision }) => gaussian(&p, grid, subdivision | 1),
        (Kernel::Quartic, Plan::Fft { subdivision }) => quartic(&p, grid, subdivision | 1),
        _ => return density(points, weights, grid, spec),
    })
}

/// Kernel density by direct summation at every cell centre: the oracle.
/// Exact for the quartic; the Gaussian is summed to 8σ (`e^-32` of the peak).
pub fn density_exact(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    grid: &Grid,
    spec: &KdeSpec,
) -> Result<Vec<f64>, KdeError> {
    density_with_plan(points, weights, grid, spec, Plan::Direct)
}

/// [`density_exact`] at the centres of the cells (`rows` × `cols`) only,
/// row-major over `rows` then `cols`; `cols` must be strictly increasing.
/// For checking a large grid on a sample of its cells.
pub fn density_exact_at(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    grid: &Grid,
    spec: &KdeSpec,
    rows: &[usize],
    cols: &[usize],
) -> Result<Vec<f64>, KdeError> {
    let p = prepare(points, weights, grid, spec)?;
    assert!(
        cols.windows(2).all(|w| w[0] < w[1]),
        "columns must be strictly increasing"
    );
    assert!(
        rows.iter().all(|&r| r < grid.height) && cols.iter().all(|&c| c < grid.width),
        "cell outside the grid"
    );
    Ok(exact::at(&p, grid, rows, cols))
}

/// [`density`] as a raster in `crs`, the projected coordinate system of the
/// points and the grid.
pub fn heatmap(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    grid: &Grid,
    spec: &KdeSpec,
    crs: Crs,
) -> Result<Raster, KdeError> {
    Ok(grid.to_raster(&density(points, weights, grid, spec)?, crs))
}

/// A lattice with `m` nodes per cell side, padded by `pad` nodes, whose node
/// `pad + m·c + (m − 1)/2` lies on the centre of column `c` (likewise rows).
fn lattice(grid: &Grid, m: usize, pad: usize) -> (Lattice, usize) {
    let step = grid.cell / m as f64;
    let first = pad + (m - 1) / 2;
    let lat = Lattice {
        x0: grid.col_x(0) - first as f64 * step,
        y0: grid.row_y(0) + first as f64 * step,
        step,
        nx: m * grid.width + 2 * pad,
        ny: m * grid.height + 2 * pad,
    };
    (lat, first)
}

fn gaussian(p: &Prepared, grid: &Grid, m: usize) -> Vec<f64> {
    let step = grid.cell / m as f64;
    let sigma = p.bandwidth;
    let sc2 = sigma * sigma - step * step / 3.0;
    // With σ ≥ 2.5 steps, σ_c² ≥ 0.95 σ² > 0.
    debug_assert!(sc2 > 0.0);
    let r = (GAUSSIAN_TRUNCATION_SIGMAS * sigma / step).ceil() as usize;
    let (lat, first) = lattice(grid, m, r + 2);
    let binned = binning::bin(p, &lat, Scheme::CubicBSpline);
    let taps: Vec<f64> = (0..=2 * r)
        .map(|k| {
            let d = (k as f64 - r as f64) * step;
            (-d * d / (2.0 * sc2)).exp()
        })
        .collect();
    let norm = p.scale / (2.0 * std::f64::consts::PI * sc2);
    let mut out = separable::convolve(&binned, &lat, &taps, first, m, grid.width, grid.height);
    out.iter_mut().for_each(|v| *v *= norm);
    out
}

fn quartic(p: &Prepared, grid: &Grid, m: usize) -> Vec<f64> {
    let step = grid.cell / m as f64;
    let h = p.bandwidth;
    let r = (h / step).ceil() as usize;
    let (lat, first) = lattice(grid, m, r + 2);
    let binned = binning::bin(p, &lat, Scheme::CubicLagrange);
    let side = 2 * r + 1;
    let norm = p.scale * 3.0 / (std::f64::consts::PI * h * h);
    let taps: Vec<f64> = (0..side * side)
        .map(|k| {
            let (dy, dx) = ((k / side) as f64 - r as f64, (k % side) as f64 - r as f64);
            let t = 1.0 - (dx * dx + dy * dy) * step * step / (h * h);
            if t > 0.0 {
                norm * t * t
            } else {
                0.0
            }
        })
        .collect();
    let full = fft::convolve(&binned, lat.nx, lat.ny, &taps, r);
    let mut out = vec![0.0; grid.len()];
    for (row, o) in out.chunks_mut(grid.width).enumerate() {
        let src = &full[(first + m * row) * lat.nx..];
        for (c, v) in o.iter_mut().enumerate() {
            *v = src[first + m * c].max(0.0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid {
            x_min: 500_000.0,
            y_max: 3_300_000.0,
            cell: 100.0,
            width: 60,
            height: 50,
        }
    }

    #[test]
    fn one_point_integrates_to_one_event() {
        let g = grid();
        let pt = [[g.col_x(30) + 17.0, g.row_y(25) - 41.0]];
        for (kernel, bw) in [(Kernel::Gaussian, 400.0), (Kernel::Quartic, 1200.0)] {
            let spec = KdeSpec {
                kernel,
                bandwidth: bw,
                years: Some(2.0),
            };
            let d = density(&pt, None, &g, &spec).unwrap();
            // Per km² per year, times the cell area in km², summed: 1/2 event per year.
            let total: f64 = d.iter().sum::<f64>() * (g.cell * g.cell / 1e6);
            assert!((total - 0.5).abs() < 1e-3, "{kernel:?}: {total}");
        }
    }

    #[test]
    fn bad_inputs_are_named() {
        let g = grid();
        let spec = KdeSpec {
            kernel: Kernel::Quartic,
            bandwidth: 100.0,
            years: None,
        };
        assert_eq!(
            density(&[[0.0, f64::NAN]], None, &g, &spec),
            Err(KdeError::NonFinitePoint { index: 0 })
        );
        assert_eq!(
            density(&[[0.0, 0.0]], Some(&[]), &g, &spec),
            Err(KdeError::WeightsLength {
                points: 1,
                weights: 0
            })
        );
        assert_eq!(
            density(&[[0.0, 0.0]], Some(&[-1.0]), &g, &spec),
            Err(KdeError::BadWeight {
                index: 0,
                value: -1.0
            })
        );
        assert_eq!(
            density(
                &[],
                None,
                &g,
                &KdeSpec {
                    bandwidth: 0.0,
                    ..spec
                }
            ),
            Err(KdeError::Bandwidth(0.0))
        );
        assert_eq!(
            density(
                &[],
                None,
                &g,
                &KdeSpec {
                    years: Some(0.0),
                    ..spec
                }
            ),
            Err(KdeError::Years(0.0))
        );
        assert_eq!(density(&[], None, &g, &spec).unwrap(), vec![0.0; g.len()]);
    }

    #[test]
    fn plans_follow_the_rules() {
        let g = Grid {
            x_min: 0.0,
            y_max: 0.0,
            cell: 100.0,
            width: 1000,
            height: 1000,
        };
        let gauss = |bw| KdeSpec {
            kernel: Kernel::Gaussian,
            bandwidth: bw,
            years: None,
        };
        assert_eq!(
            plan(1_000_000, &g, &gauss(250.0)),
            Plan::Separable { subdivision: 1 }
        );
        assert_eq!(
            plan(1_000_000, &g, &gauss(249.0)),
            Plan::Separable { subdivision: 3 }
        );
        let quartic = |bw| KdeSpec {
            kernel: Kernel::Quartic,
            bandwidth: bw,
            years: None,
        };
        assert_eq!(
            plan(1_000_000, &g, &quartic(3000.0)),
            Plan::Fft { subdivision: 1 }
        );
        assert_eq!(plan(1000, &g, &quartic(3000.0)), Plan::Direct);
        // h = 8.5 cells: direct summation of 1M points is slower than an FFT
        // on a lattice three times finer (0.76 s against 0.60 s measured).
        assert_eq!(
            plan(1_000_000, &g, &quartic(850.0)),
            Plan::Fft { subdivision: 3 }
        );
        assert_eq!(plan(10_000, &g, &quartic(850.0)), Plan::Direct);
    }
}
