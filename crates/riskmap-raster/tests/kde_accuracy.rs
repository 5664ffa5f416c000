//! The fast kernel density paths against exact direct summation, on seeded
//! random clustered points (tight and wide Gaussian clusters, a uniform
//! background, points beyond the grid's edge), for both kernels at several
//! bandwidths, with and without weights. Bound: max |fast − exact| ≤ 1e-3 of
//! the exact grid's peak, the accuracy goal of issue 4.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use riskmap_raster::grid::Grid;
use riskmap_raster::kde::{
    density, density_exact, density_exact_at, density_with_plan, KdeSpec, Kernel, Plan,
};

const TOLERANCE: f64 = 1e-3;

fn grid() -> Grid {
    // 100 m cells, UTM-like coordinates far from the origin.
    Grid {
        x_min: 480_000.0,
        y_max: 3_320_000.0,
        cell: 100.0,
        width: 180,
        height: 150,
    }
}

/// Clustered points: 12 clusters of σ 50 m to 2 km, 15 % uniform background
/// over an area a little larger than the grid.
fn clustered(n: usize, seed: u64) -> Vec<[f64; 2]> {
    let g = grid();
    let (w, h) = (g.width as f64 * g.cell, g.height as f64 * g.cell);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let unit = Normal::new(0.0, 1.0).unwrap();
    let centres: Vec<(f64, f64, f64)> = (0..12)
        .map(|_| {
            (
                g.x_min + rng.random::<f64>() * w,
                g.y_max - rng.random::<f64>() * h,
                50.0 * 40f64.powf(rng.random::<f64>()),
            )
        })
        .collect();
    (0..n)
        .map(|_| {
            if rng.random::<f64>() < 0.15 {
                [
                    g.x_min - 1000.0 + rng.random::<f64>() * (w + 2000.0),
                    g.y_max + 1000.0 - rng.random::<f64>() * (h + 2000.0),
                ]
            } else {
                let (cx, cy, s) = centres[rng.random_range(0..centres.len())];
                [
                    cx + s * unit.sample(&mut rng),
                    cy + s * unit.sample(&mut rng),
                ]
            }
        })
        .collect()
}

fn relative_error(fast: &[f64], exact: &[f64]) -> f64 {
    let peak = exact.iter().cloned().fold(0.0, f64::max);
    assert!(peak > 0.0);
    fast.iter()
        .zip(exact)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
        / peak
}

fn check(kernel: Kernel, bandwidth: f64, plan: Plan, weighted: bool) -> f64 {
    let pts = clustered(20_000, 7 + bandwidth as u64);
    let weights: Vec<f64> = (0..pts.len()).map(|k| 0.5 + (k % 7) as f64).collect();
    let w = weighted.then_some(&weights[..]);
    let spec = KdeSpec {
        kernel,
        bandwidth,
        years: Some(3.0),
    };
    let g = grid();
    let fast = density_with_plan(&pts, w, &g, &spec, plan).unwrap();
    let exact = density_exact(&pts, w, &g, &spec).unwrap();
    let err = relative_error(&fast, &exact);
    eprintln!("{kernel:?} bandwidth {bandwidth} m {plan:?} weighted {weighted}: max error {err:.2e} of peak");
    assert!(
        err <= TOLERANCE,
        "{kernel:?} {bandwidth} {plan:?}: error {err:.3e} of peak"
    );
    err
}

#[test]
fn gaussian_separable_is_within_1e3_of_peak() {
    // σ of 1.2, 2.5, 4 and 8 cells: subdivisions 3, 1, 1, 1.
    for (sigma, m) in [(120.0, 3), (250.0, 1), (400.0, 1), (800.0, 1)] {
        check(
            Kernel::Gaussian,
            sigma,
            Plan::Separable { subdivision: m },
            false,
        );
    }
    check(
        Kernel::Gaussian,
        300.0,
        Plan::Separable { subdivision: 1 },
        true,
    );
}

#[test]
fn quartic_fft_is_within_1e3_of_peak() {
    // h of 8, 20 and 45 cells: subdivisions 3, 1, 1.
    for (h, m) in [(800.0, 3), (2000.0, 1), (4500.0, 1)] {
        check(Kernel::Quartic, h, Plan::Fft { subdivision: m }, false);
    }
    check(Kernel::Quartic, 2500.0, Plan::Fft { subdivision: 1 }, true);
}

#[test]
fn the_default_plan_is_within_1e3_of_peak() {
    let pts = clustered(5_000, 99);
    let g = grid();
    for (kernel, bw) in [
        (Kernel::Gaussian, 180.0),
        (Kernel::Quartic, 600.0),
        (Kernel::Quartic, 3000.0),
    ] {
        let spec = KdeSpec {
            kernel,
            bandwidth: bw,
            years: None,
        };
        let err = relative_error(
            &density(&pts, None, &g, &spec).unwrap(),
            &density_exact(&pts, None, &g, &spec).unwrap(),
        );
        assert!(err <= TOLERANCE, "{kernel:?} {bw}: {err:.3e}");
    }
}

#[test]
fn linear_binning_on_the_grid_would_miss_the_goal() {
    // Why the schemes above: what KDEpy does (linear binning on the output
    // grid) errs by far more than 1e-3 at σ = 2.5 cells. A one-point check
    // of the analysis table in the kde module docs: the Gaussian at σ = 2.5
    // cells, a point in the middle of a cell.
    let g = grid();
    let sigma = 250.0;
    let p = [g.col_x(90) + 50.0, g.row_y(75) - 50.0];
    let spec = KdeSpec {
        kernel: Kernel::Gaussian,
        bandwidth: sigma,
        years: None,
    };
    let exact = density_exact(&[p], None, &g, &spec).unwrap();
    // Linear binning: the four corner cells get a quarter each.
    let corners = [
        [g.col_x(90), g.row_y(75)],
        [g.col_x(91), g.row_y(75)],
        [g.col_x(90), g.row_y(76)],
        [g.col_x(91), g.row_y(76)],
    ];
    let linear = density_exact(&corners, Some(&[0.25; 4]), &g, &spec).unwrap();
    assert!(relative_error(&linear, &exact) > 1e-2);
    let fast = density(&[p], None, &g, &spec).unwrap();
    assert!(relative_error(&fast, &exact) < TOLERANCE);
}

#[test]
fn exact_on_a_sample_of_cells_equals_the_full_exact_grid() {
    let pts = clustered(3_000, 5);
    let g = grid();
    let spec = KdeSpec {
        kernel: Kernel::Gaussian,
        bandwidth: 300.0,
        years: None,
    };
    let full = density_exact(&pts, None, &g, &spec).unwrap();
    let rows = [149, 0, 70];
    let cols = [3, 50, 51, 179];
    let some = density_exact_at(&pts, None, &g, &spec, &rows, &cols).unwrap();
    for (i, r) in rows.iter().enumerate() {
        for (j, c) in cols.iter().enumerate() {
            assert_eq!(some[i * cols.len() + j], full[r * g.width + c]);
        }
    }
}
