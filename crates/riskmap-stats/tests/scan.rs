//! The prospective space-time scan against a brute-force scan written here:
//! every centre, every circle, every window, the counts summed cell by
//! cell and Kulldorff's LLR written out; the clusters must agree to 1e-9.
//! Then what the Monte Carlo promises: the same p-values for any thread
//! count, and p-values that are uniform when nothing is going on.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use riskmap_stats::scan::{prospective_scan, Counts, Model, ScanOptions};

/// A small region: townships scattered on a plane with populations.
struct Region {
    xy: Vec<[f64; 2]>,
    population: Vec<f64>,
}

fn region(n: usize, seed: u64) -> Region {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Region {
        xy: (0..n)
            .map(|_| [rng.random::<f64>() * 50.0, rng.random::<f64>() * 50.0])
            .collect(),
        population: (0..n)
            .map(|_| 5_000.0 + rng.random::<f64>() * 45_000.0)
            .collect(),
    }
}

/// Circles by distance up to half the population (always the centre).
fn circles(r: &Region, share: f64) -> Vec<Vec<usize>> {
    let total: f64 = r.population.iter().sum();
    (0..r.xy.len())
        .map(|j| {
            let d = |i: usize| (r.xy[i][0] - r.xy[j][0]).hypot(r.xy[i][1] - r.xy[j][1]);
            let mut order: Vec<usize> = (0..r.xy.len()).collect();
            order.sort_by(|&a, &b| d(a).total_cmp(&d(b)).then(a.cmp(&b)));
            let mut out = Vec::new();
            let mut pop = 0.0;
            for i in order {
                pop += r.population[i];
                if !out.is_empty() && pop > share * total {
                    break;
                }
                out.push(i);
            }
            out
        })
        .collect()
}

/// A Poisson draw (rand_distr's).
fn poisson<R: Rng>(rng: &mut R, mean: f64) -> u32 {
    use rand_distr::Distribution;
    rand_distr::Poisson::new(mean).map_or(0, |p| p.sample(rng) as u32)
}

/// Expected per township and day (population × a seasonal wave), and cases
/// drawn from it with an optional cluster: (townships, last days, risk).
fn data(
    r: &Region,
    days: usize,
    rate: f64,
    cluster: Option<(&[usize], usize, f64)>,
    seed: u64,
) -> (Vec<u32>, Vec<f64>) {
    let n = r.xy.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut expected = vec![0.0; n * days];
    let mut cases = vec![0u32; n * days];
    for i in 0..n {
        for d in 0..days {
            let season = 1.0 + 0.3 * (d as f64 / 9.0).sin();
            let e = r.population[i] * rate * season;
            expected[i * days + d] = e;
            let risk = match cluster {
                Some((towns, last, rr)) if towns.contains(&i) && d + last >= days => rr,
                _ => 1.0,
            };
            cases[i * days + d] = poisson(&mut rng, e * risk);
        }
    }
    (cases, expected)
}

/// The brute-force scan: (LLR, townships, window) of every centre's best
/// cylinder, then the non-overlapping ones in LLR order.
fn brute_force(
    cases: &[u32],
    expected: &[f64],
    days: usize,
    circles: &[Vec<usize>],
    max_days: usize,
) -> Vec<(f64, Vec<usize>, usize, f64, f64)> {
    let total: f64 = cases.iter().map(|&c| c as f64).sum();
    let e_total: f64 = expected.iter().sum();
    let mut best = Vec::new();
    for circle in circles {
        let mut top: Option<(f64, Vec<usize>, usize, f64, f64)> = None;
        for k in 1..=circle.len() {
            for w in 1..=max_days.min(days) {
                let (mut c, mut mu) = (0.0, 0.0);
                for &i in &circle[..k] {
                    for d in days - w..days {
                        c += cases[i * days + d] as f64;
                        mu += expected[i * days + d] * total / e_total;
                    }
                }
                let llr = if c / mu > (total - c) / (total - mu) {
                    let outside = if total > c {
                        (total - c) * ((total - c) / (total - mu)).ln()
                    } else {
                        0.0
                    };
                    c * (c / mu).ln() + outside
                } else {
                    0.0
                };
                if llr > 0.0 && top.as_ref().is_none_or(|t| llr > t.0 + 1e-12) {
                    top = Some((llr, circle[..k].to_vec(), w, c, mu));
                }
            }
        }
        best.extend(top);
    }
    best.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut used = vec![false; cases.len() / days];
    let mut out = Vec::new();
    for b in best {
        if b.1.iter().any(|&i| used[i]) {
            continue;
        }
        for &i in &b.1 {
            used[i] = true;
        }
        out.push(b);
    }
    out
}

fn by_township_expected(cases: &[u32], expected: &[f64], n: usize, days: usize) -> Vec<f64> {
    let mut e = vec![0.0; n * days];
    for i in 0..n {
        let c: f64 = (0..days).map(|d| cases[i * days + d] as f64).sum();
        let s: f64 = (0..days).map(|d| expected[i * days + d]).sum();
        for d in 0..days {
            e[i * days + d] = expected[i * days + d] * c / s;
        }
    }
    e
}

fn margins_expected(cases: &[u32], n: usize, days: usize) -> Vec<f64> {
    let total: f64 = cases.iter().map(|&c| c as f64).sum();
    let town = |i: usize| (0..days).map(|d| cases[i * days + d] as f64).sum::<f64>();
    let day = |d: usize| (0..n).map(|i| cases[i * days + d] as f64).sum::<f64>();
    let mut e = vec![0.0; n * days];
    for i in 0..n {
        for d in 0..days {
            e[i * days + d] = town(i) * day(d) / total;
        }
    }
    e
}

#[test]
fn clusters_equal_a_brute_force_scan_to_1e_9() {
    for seed in 0..6u64 {
        let r = region(14, seed);
        let circles = circles(&r, 0.5);
        let days = 45;
        let (cases, expected) = data(&r, days, 2e-5, Some((&[3, 7], 9, 4.0)), seed + 100);
        let opts = ScanOptions {
            max_days: 20,
            replicates: 0,
            seed,
            alpha: 1.0,
            max_clusters: 20,
        };
        let counts = Counts {
            cases: &cases,
            townships: r.xy.len(),
            days,
        };
        for (model, e) in [
            (Model::Poisson(&expected), expected.clone()),
            (
                Model::PoissonByTownship(&expected),
                by_township_expected(&cases, &expected, r.xy.len(), days),
            ),
            (
                Model::SpaceTimePermutation,
                margins_expected(&cases, r.xy.len(), days),
            ),
        ] {
            let scan = prospective_scan(counts, model, &circles, &opts).unwrap();
            let want = brute_force(&cases, &e, days, &circles, opts.max_days);
            assert_eq!(scan.clusters.len(), want.len(), "seed {seed} {model:?}");
            assert!(!want.is_empty());
            for (got, want) in scan.clusters.iter().zip(&want) {
                assert!(
                    (got.llr - want.0).abs() < 1e-9,
                    "seed {seed}: LLR {} vs brute force {}",
                    got.llr,
                    want.0
                );
                // The same set of townships: two centres can give the same
                // circle (three townships each other's nearest), whose LLR
                // then differs only by rounding, and either centre may win.
                let sorted = |t: &[usize]| {
                    let mut t = t.to_vec();
                    t.sort_unstable();
                    t
                };
                assert_eq!(sorted(&got.townships), sorted(&want.1), "seed {seed}");
                assert_eq!(got.days, want.2, "seed {seed}");
                assert!((got.observed - want.3).abs() < 1e-9);
                assert!((got.expected - want.4).abs() < 1e-9);
            }
        }
    }
}

#[test]
fn an_injected_cluster_is_the_most_likely_one_and_significant() {
    let r = region(20, 7);
    let circles = circles(&r, 0.5);
    let days = 120;
    let towns = circles[5][..3].to_vec();
    let (cases, expected) = data(&r, days, 1e-5, Some((&towns, 12, 5.0)), 8);
    let scan = prospective_scan(
        Counts {
            cases: &cases,
            townships: 20,
            days,
        },
        Model::Poisson(&expected),
        &circles,
        &ScanOptions {
            max_days: 30,
            replicates: 999,
            seed: 1,
            alpha: 0.05,
            max_clusters: 5,
        },
    )
    .unwrap();
    let top = &scan.clusters[0];
    assert!(top.p <= 0.002, "p = {}", top.p);
    assert_eq!(top.replicates, 999);
    // Most of the injected townships, and a window near the 12 days.
    let shared = top.townships.iter().filter(|i| towns.contains(i)).count();
    assert!(shared >= 2, "{:?} vs {towns:?}", top.townships);
    assert!((6..=20).contains(&top.days), "{} days", top.days);
    // Secondary clusters are decided early, with Besag–Clifford's p.
    for c in &scan.clusters[1..] {
        if c.replicates < 999 {
            assert!(c.p > 0.05, "{c:?}");
        }
    }
}

#[test]
fn p_values_do_not_depend_on_the_thread_count() {
    let r = region(16, 3);
    let circles = circles(&r, 0.5);
    let days = 60;
    let (cases, expected) = data(&r, days, 2e-5, Some((&[1, 2], 6, 2.5)), 5);
    let run = |threads: usize, model: Model<'_>| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                prospective_scan(
                    Counts {
                        cases: &cases,
                        townships: 16,
                        days,
                    },
                    model,
                    &circles,
                    &ScanOptions {
                        max_days: 20,
                        replicates: 199,
                        seed: 9,
                        alpha: 0.05,
                        max_clusters: 5,
                    },
                )
                .unwrap()
            })
    };
    for model in [
        Model::Poisson(&expected),
        Model::PoissonByTownship(&expected),
        Model::SpaceTimePermutation,
    ] {
        let one = run(1, model);
        assert_eq!(one, run(2, model));
        assert_eq!(one, run(3, model));
        assert!(one.replicates_run > 0);
    }
}

/// Under the null the most likely cluster's p is uniform: over 400 null
/// data sets with 99 replicates each, the share with p ≤ 0.05 lies within
/// 3.5 binomial standard errors of 0.05 (0.011 for 400: 0.012–0.088), and so
/// does the share with p ≤ 0.2 (0.2 ± 0.07).
#[test]
fn p_values_are_uniform_when_nothing_is_going_on() {
    let r = region(12, 11);
    let circles = circles(&r, 0.5);
    let days = 40;
    for model_kind in 0..3 {
        let (mut below_05, mut below_20) = (0, 0);
        let sets = 400;
        for s in 0..sets {
            let (cases, expected) = data(&r, days, 4e-5, None, 1000 + s);
            let model = match model_kind {
                0 => Model::Poisson(&expected),
                1 => Model::PoissonByTownship(&expected),
                _ => Model::SpaceTimePermutation,
            };
            let scan = prospective_scan(
                Counts {
                    cases: &cases,
                    townships: 12,
                    days,
                },
                model,
                &circles,
                &ScanOptions {
                    max_days: 14,
                    replicates: 99,
                    seed: s,
                    alpha: 1.0,
                    max_clusters: 1,
                },
            )
            .unwrap();
            let p = scan.clusters.first().map_or(1.0, |c| c.p);
            below_05 += usize::from(p <= 0.05);
            below_20 += usize::from(p <= 0.2);
        }
        let (a, b) = (below_05 as f64 / sets as f64, below_20 as f64 / sets as f64);
        assert!((0.012..=0.088).contains(&a), "model {model_kind}: {a}");
        assert!((0.13..=0.27).contains(&b), "model {model_kind}: {b}");
    }
}

#[test]
fn empty_and_odd_inputs_give_no_cluster_or_an_error_never_a_panic() {
    let circles = vec![vec![0, 1], vec![1, 0]];
    let opts = ScanOptions::default();
    let zero = [0u32; 20];
    let e = [1.0; 20];
    let counts = Counts {
        cases: &zero,
        townships: 2,
        days: 10,
    };
    let s = prospective_scan(counts, Model::Poisson(&e), &circles, &opts).unwrap();
    assert!(s.clusters.is_empty());
    let one = {
        let mut c = [0u32; 20];
        c[19] = 1;
        c
    };
    let counts = Counts {
        cases: &one,
        townships: 2,
        days: 10,
    };
    // One case: the permutation model has nothing to compare it with.
    let s = prospective_scan(counts, Model::SpaceTimePermutation, &circles, &opts).unwrap();
    assert!(s.clusters.iter().all(|c| c.llr.is_finite()));
    assert!(prospective_scan(counts, Model::Poisson(&[1.0; 19]), &circles, &opts).is_err());
    assert!(prospective_scan(counts, Model::Poisson(&[0.0; 20]), &circles, &opts).is_err());
    assert!(prospective_scan(counts, Model::Poisson(&e), &[vec![5]], &opts).is_err());
    let mut nan = e;
    nan[3] = f64::NAN;
    assert!(prospective_scan(counts, Model::Poisson(&nan), &circles, &opts).is_err());
}
