//! Criterion benchmark of kernel density: 1M seeded clustered points on a
//! 1000 × 1000 grid of 60 m cells, Gaussian (σ = 400 m, about 6.7 cells)
//! and quartic (h = √8 σ, the same per-axis spread), on the planned fast
//! paths. The peer comparison with KDEpy is `benches/peers/kde_peers.py`.

use criterion::{criterion_group, criterion_main, Criterion};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use riskmap_raster::grid::Grid;
use riskmap_raster::kde::{density, KdeSpec, Kernel};

fn points(n: usize) -> Vec<[f64; 2]> {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let unit = Normal::new(0.0, 1.0).unwrap();
    let (x0, y0, w) = (480_000.0, 3_300_000.0, 60_000.0);
    let centres: Vec<(f64, f64, f64)> = (0..40)
        .map(|_| {
            (
                x0 + rng.random::<f64>() * w,
                y0 + rng.random::<f64>() * w,
                60.0 * 50f64.powf(rng.random::<f64>()),
            )
        })
        .collect();
    (0..n)
        .map(|_| {
            if rng.random::<f64>() < 0.15 {
                [x0 + rng.random::<f64>() * w, y0 + rng.random::<f64>() * w]
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

fn bench(c: &mut Criterion) {
    let pts = points(1_000_000);
    let grid = Grid {
        x_min: 480_000.0,
        y_max: 3_360_000.0,
        cell: 60.0,
        width: 1000,
        height: 1000,
    };
    let mut g = c.benchmark_group("kde_1M_points_1000x1000");
    g.sample_size(10);
    let sigma = 400.0;
    for (name, kernel, bw) in [
        ("gaussian", Kernel::Gaussian, sigma),
        ("quartic", Kernel::Quartic, 8f64.sqrt() * sigma),
    ] {
        let spec = KdeSpec {
            kernel,
            bandwidth: bw,
            years: None,
        };
        g.bench_function(name, |b| {
            b.iter(|| density(&pts, None, &grid, &spec).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
