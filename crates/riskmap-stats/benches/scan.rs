//! Criterion benchmark of the prospective space-time scan at a province's
//! size: 1,296 townships on a jittered 36 × 36 lattice, 365 days, circles to
//! half of the population, windows of 1–60 days, 999 replicates; about 3.5
//! cases a township in 60 days (the province's fires). `with_cluster` has
//! five townships at four times the usual rate over the last 20 days, so
//! that every replicate runs (p = 0.001); `null` has none, and stops early.
//! The pipeline's whole stage is timed by `benches/alerts.sh`.

use criterion::{criterion_group, criterion_main, Criterion};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use riskmap_stats::scan::{prospective_scan, Counts, Model, ScanOptions};
use std::hint::black_box;

const SIDE: usize = 36;
const DAYS: usize = 365;

/// A Poisson draw (rand_distr's).
fn poisson<R: Rng>(rng: &mut R, mean: f64) -> u32 {
    use rand_distr::Distribution;
    rand_distr::Poisson::new(mean).map_or(0, |p| p.sample(rng) as u32)
}

/// Points, populations, circles to half of the population, expected counts
/// and cases (with a cluster at `cluster`).
fn region(cluster: bool) -> (Vec<Vec<usize>>, Vec<f64>, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let n = SIDE * SIDE;
    let xy: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            [
                (i % SIDE) as f64 + rng.random::<f64>() * 0.6,
                (i / SIDE) as f64 + rng.random::<f64>() * 0.6,
            ]
        })
        .collect();
    let pop: Vec<f64> = (0..n)
        .map(|_| 10_000.0 + rng.random::<f64>() * 50_000.0)
        .collect();
    let total: f64 = pop.iter().sum();
    let circles: Vec<Vec<usize>> = (0..n)
        .map(|j| {
            let d = |i: usize| (xy[i][0] - xy[j][0]).hypot(xy[i][1] - xy[j][1]);
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| d(a).total_cmp(&d(b)).then(a.cmp(&b)));
            let (mut held, mut out) = (0.0, Vec::new());
            for i in order {
                held += pop[i];
                if !out.is_empty() && held > 0.5 * total {
                    break;
                }
                out.push(i);
            }
            out
        })
        .collect();
    // 3.5 cases in 60 days for a township of mean population (35,000).
    let rate = 3.5 / 60.0 / 35_000.0;
    let hot: Vec<usize> = circles[SIDE * SIDE / 2 + SIDE / 2][..5].to_vec();
    let mut expected = vec![0.0; n * DAYS];
    let mut cases = vec![0u32; n * DAYS];
    for i in 0..n {
        for d in 0..DAYS {
            let e = pop[i] * rate * (1.0 + 0.3 * (d as f64 / 58.0).cos());
            expected[i * DAYS + d] = e;
            let risk = if cluster && hot.contains(&i) && d + 20 >= DAYS {
                4.0
            } else {
                1.0
            };
            cases[i * DAYS + d] = poisson(&mut rng, e * risk);
        }
    }
    (circles, expected, cases)
}

fn bench(crit: &mut Criterion) {
    let mut g = crit.benchmark_group("scan_province");
    g.sample_size(10);
    for (name, cluster) in [("with_cluster", true), ("null", false)] {
        let (circles, expected, cases) = region(cluster);
        let counts = Counts {
            cases: &cases,
            townships: SIDE * SIDE,
            days: DAYS,
        };
        let options = ScanOptions {
            max_days: 60,
            replicates: 999,
            seed: 1,
            alpha: 1.0 / 365.0,
            max_clusters: 5,
        };
        let scan = prospective_scan(
            counts,
            Model::PoissonByTownship(&expected),
            &circles,
            &options,
        )
        .unwrap();
        // The cluster is found and runs every replicate; the null stops early.
        assert_eq!(
            scan.replicates_run == 999,
            cluster,
            "{:?}",
            scan.clusters.first()
        );
        g.bench_function(name, |b| {
            b.iter(|| {
                prospective_scan(
                    black_box(counts),
                    Model::PoissonByTownship(&expected),
                    &circles,
                    &options,
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
