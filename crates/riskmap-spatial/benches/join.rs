//! Criterion benchmarks of the join's parts on boundaries like real ones:
//! the synthetic province with `Boundaries::RealLike` (about 1,300
//! townships, 4 million vertices, enclaves and islands), seed 2021.
//!
//! - `index`: building the township index (prepared rings, R-tree, grid);
//! - `assign/inside`: points uniform over the region's box that fall in a
//!   township, most of them answered by the lookup grid (the "grid hits" of
//!   issue 15), and those split into the grid hits (`inside_grid_hits`) and
//!   the rest (`inside_exact`, each an exact point-in-polygon test);
//!   `assign/outside`: the others (the sea round the region),
//!   each a search for the nearest border within 50 km;
//! - `assign/near_border`: points within about a metre of a border vertex,
//!   each one an exact point-in-polygon test (or a snap).
//!
//! Run: `cargo bench -p riskmap-spatial --bench join`; figures in
//! benches/RESULTS.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use geo::{Geometry, MultiPolygon};
use rand::{RngExt, SeedableRng};
use riskmap_spatial::join::TownshipIndex;
use riskmap_synth::{generate, Boundaries, Preset, SynthConfig};
use std::hint::black_box;

fn townships() -> Vec<MultiPolygon<f64>> {
    let region = generate(&SynthConfig {
        preset: Preset::Province,
        seed: 2021,
        years: (2021, 2021),
        boundaries: Boundaries::RealLike,
        emergent: Default::default(),
    })
    .expect("the province generates");
    region
        .townships
        .geometries
        .into_iter()
        .map(|g| match g {
            Geometry::Polygon(p) => MultiPolygon(vec![p]),
            Geometry::MultiPolygon(mp) => mp,
            other => panic!("a township is a polygon, not {other:?}"),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let polygons = townships();
    let vertices: usize = polygons
        .iter()
        .flat_map(|mp| &mp.0)
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
        .sum();
    eprintln!("{} townships, {vertices} vertices", polygons.len());
    let mut group = c.benchmark_group("join");
    group.sample_size(10);
    group.bench_function("index", |b| {
        b.iter(|| TownshipIndex::new(black_box(polygons.clone())))
    });
    let index = TownshipIndex::new(polygons.clone());
    eprintln!(
        "grid cells needing the exact test: {:.1}%",
        100.0 * index.grid_mixed_share()
    );
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for c in polygons
        .iter()
        .flat_map(|mp| &mp.0)
        .flat_map(|p| &p.exterior().0)
    {
        lo = [lo[0].min(c.x), lo[1].min(c.y)];
        hi = [hi[0].max(c.x), hi[1].max(c.y)];
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(15);
    const N: usize = 1_000_000;
    let uniform: Vec<[f64; 2]> = (0..N)
        .map(|_| {
            [
                rng.random_range(lo[0]..hi[0]),
                rng.random_range(lo[1]..hi[1]),
            ]
        })
        .collect();
    let border: Vec<[f64; 2]> = polygons
        .iter()
        .flat_map(|mp| &mp.0)
        .flat_map(|p| p.exterior().0.iter().step_by(37))
        .take(N / 10)
        .map(|c| {
            [
                c.x + rng.random_range(-1e-5..1e-5),
                c.y + rng.random_range(-1e-5..1e-5),
            ]
        })
        .collect();
    let (inside, outside): (Vec<[f64; 2]>, Vec<[f64; 2]>) =
        uniform.iter().partition(|p| index.locate(**p).is_some());
    group.throughput(Throughput::Elements(inside.len() as u64));
    group.bench_function("assign/inside", |b| {
        b.iter(|| index.assign_all(black_box(&inside), 100.0))
    });
    // The points inside, split by how they are answered.
    let (grid_hits, exact): (Vec<[f64; 2]>, Vec<[f64; 2]>) =
        inside.iter().partition(|p| index.on_grid(**p));
    eprintln!(
        "inside: {} grid hits, {} exact tests",
        grid_hits.len(),
        exact.len()
    );
    group.throughput(Throughput::Elements(grid_hits.len() as u64));
    group.bench_function("assign/inside_grid_hits", |b| {
        b.iter(|| index.assign_all(black_box(&grid_hits), 100.0))
    });
    group.throughput(Throughput::Elements(exact.len() as u64));
    group.bench_function("assign/inside_exact", |b| {
        b.iter(|| index.assign_all(black_box(&exact), 100.0))
    });
    group.throughput(Throughput::Elements(outside.len() as u64));
    group.bench_function("assign/outside", |b| {
        b.iter(|| index.assign_all(black_box(&outside), 100.0))
    });
    group.throughput(Throughput::Elements(border.len() as u64));
    group.bench_function("assign/near_border", |b| {
        b.iter(|| index.assign_all(black_box(&border), 100.0))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
