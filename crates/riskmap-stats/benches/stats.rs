//! Criterion benchmarks of the spatial statistics on a synthetic region of
//! about 40,000 townships (the nation preset's size): queen weights, global
//! Moran, Gi*, and local Moran with 999 conditional permutations (esda's
//! shared table, the default, and independent per-township streams).
//!
//! The townships are a 200 × 200 "brick" tessellation (rows offset by half
//! a brick, six neighbours each, like hexagons) with vertices on an exact
//! lattice in degrees, so that libpysal's exact-vertex queen test sees the
//! same neighbours; `benches/peers/stats_peers.py` builds the same bricks
//! and values for the PySAL timings.

use criterion::{criterion_group, criterion_main, Criterion};
use geo::{LineString, MultiPolygon, Polygon};
use riskmap_stats::getis_ord::gi_star;
use riskmap_stats::moran::{
    global_moran, local_moran, local_moran_with_scheme, GlobalMoranOptions, LocalMoranOptions,
    PermutationScheme,
};
use riskmap_stats::weights::{queen_contiguity, QueenOptions};
use std::hint::black_box;

const SIDE: usize = 200;
const HALF: f64 = 0.005;

/// The brick of row r, column c with each lattice edge split into `m`
/// pieces (6m vertices; same formula as the Python peer). Vertices are
/// integers on a lattice of HALF/m by 2·HALF/m, so shared ones are
/// bit-identical.
fn brick(r: usize, c: usize, m: usize) -> MultiPolygon<f64> {
    let x0 = (2 * c + r % 2) * m;
    let (y0, y1) = (r * m, (r + 1) * m);
    let mut lattice: Vec<(usize, usize)> = Vec::with_capacity(6 * m + 1);
    lattice.extend((0..2 * m).map(|j| (x0 + j, y0)));
    lattice.extend((0..m).map(|j| (x0 + 2 * m, y0 + j)));
    lattice.extend((0..2 * m).map(|j| (x0 + 2 * m - j, y1)));
    lattice.extend((0..m).map(|j| (x0, y1 - j)));
    lattice.push((x0, y0));
    let ring: Vec<(f64, f64)> = lattice
        .into_iter()
        .map(|(x, y)| {
            (
                100.0 + x as f64 * (HALF / m as f64),
                30.0 + y as f64 * (2.0 * HALF / m as f64),
            )
        })
        .collect();
    MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])])
}

/// A smooth field plus deterministic noise (same formula as the Python peer).
fn value(r: usize, c: usize) -> f64 {
    let i = (r * SIDE + c) as u64;
    let noise = ((i * 2_654_435_761) % 1000) as f64 / 1000.0;
    (r as f64 / 15.0).sin() + (c as f64 / 20.0).cos() + noise
}

fn bench(crit: &mut Criterion) {
    let shapes: Vec<MultiPolygon<f64>> = (0..SIDE)
        .flat_map(|r| (0..SIDE).map(move |c| brick(r, c, 1)))
        .collect();
    // Real township outlines have many vertices: the same bricks with 96 each.
    let dense: Vec<MultiPolygon<f64>> = (0..SIDE)
        .flat_map(|r| (0..SIDE).map(move |c| brick(r, c, 16)))
        .collect();
    let y: Vec<f64> = (0..SIDE)
        .flat_map(|r| (0..SIDE).map(move |c| value(r, c)))
        .collect();
    let w = queen_contiguity(&shapes, &QueenOptions::default());
    // Interior bricks touch six others (two on their own row, two above, two below).
    assert_eq!((0..w.len()).map(|i| w.cardinality(i)).max(), Some(6));
    assert!(w.islands().is_empty());
    assert_eq!(queen_contiguity(&dense, &QueenOptions::default()), w);
    let mut g = crit.benchmark_group("stats_40k");
    g.sample_size(10);
    g.bench_function("queen_weights", |b| {
        b.iter(|| queen_contiguity(black_box(&shapes), &QueenOptions::default()))
    });
    g.bench_function("queen_weights_96_vertices", |b| {
        b.iter(|| queen_contiguity(black_box(&dense), &QueenOptions::default()))
    });
    g.bench_function("moran_analytic", |b| {
        b.iter(|| global_moran(black_box(&y), &w, &GlobalMoranOptions::analytic()).unwrap())
    });
    g.bench_function("moran_999", |b| {
        b.iter(|| global_moran(black_box(&y), &w, &GlobalMoranOptions::default()).unwrap())
    });
    g.bench_function("gi_star", |b| {
        b.iter(|| gi_star(black_box(&y), &w).unwrap())
    });
    g.bench_function("local_moran_999", |b| {
        b.iter(|| local_moran(black_box(&y), &w, &LocalMoranOptions::default()).unwrap())
    });
    // The independent-streams variant, for the trade-off in the docs.
    g.bench_function("local_moran_999_per_township", |b| {
        b.iter(|| {
            local_moran_with_scheme(
                black_box(&y),
                &w,
                &LocalMoranOptions::default(),
                PermutationScheme::PerTownship,
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
