//! Monte Carlo rank intervals: the scoring is rerun many times with
//! perturbed weights (Dirichlet around the configured weights, within each
//! dimension and across dimensions) and resampled event counts (Poisson with
//! the observed count as mean), on the same 0–10 ruler as the point
//! estimate (the scales are not refitted, so a draw asks "how would this
//! township score if its counts had come out differently", not "how would
//! the ruler move").
//!
//! Draw `d` uses its own ChaCha8 stream seeded from (seed, d), and draws are
//! collected in order, so the result is the same whatever the thread count.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma};
use rayon::prelude::*;

use crate::aggregate::{dimensions, level, ranks, risk, Level};
use crate::config::ScoreConfig;
use crate::indicator::{raw_values, Window, INDICATORS};
use crate::input::RegionInput;
use crate::transform::{quantile, Scale};

/// Per township: rank p10 and p90, probability of red, and the share of
/// draws in which it keeps its point-estimate level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Intervals {
    /// 10th percentile of the rank.
    pub rank_p10: Vec<f64>,
    /// 90th percentile of the rank.
    pub rank_p90: Vec<f64>,
    /// Share of draws in which the township is red.
    pub p_red: Vec<f64>,
    /// Share of draws in which it has the level of the point estimate.
    pub level_agreement: Vec<f64>,
}

/// SplitMix64's finaliser, to turn (seed, draw) into a stream key.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Dirichlet(concentration · w / Σw) over the positive entries of `w`
/// (zeros stay zero).
fn dirichlet(w: &[f64], concentration: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let total: f64 = w.iter().filter(|x| **x > 0.0).sum();
    let mut out: Vec<f64> = w
        .iter()
        .map(|&x| {
            if x > 0.0 {
                Gamma::new(concentration * x / total, 1.0)
                    .map(|g| g.sample(rng))
                    .unwrap_or(x)
            } else {
                0.0
            }
        })
        .collect();
    let s: f64 = out.iter().sum();
    if s > 0.0 {
        out.iter_mut().for_each(|x| *x /= s);
    }
    out
}

/// The fitted model the draws perturb.
pub struct Model<'a> {
    /// Scales per indicator; `None` for indicators left out.
    pub scales: &'a [Option<Scale>],
    /// Configured indicator weights.
    pub w: &'a [f64],
    /// Configured dimension weights.
    pub dim_w: &'a [f64; 5],
}

/// Runs the draws around `model`; `base_raw` are the observed raw values
/// and `base` the point-estimate levels.
pub fn monte_carlo(
    region: &RegionInput,
    cfg: &ScoreConfig,
    window: &Window,
    base_raw: &[Vec<Option<f64>>],
    model: &Model<'_>,
    base: &[Level],
) -> Intervals {
    let Model { scales, w, dim_w } = *model;
    let n = region.townships.len();
    let u = &cfg.uncertainty;
    if u.draws == 0 || n == 0 {
        return Intervals::default();
    }
    let draws: Vec<(Vec<u32>, Vec<Level>)> = (0..u.draws)
        .into_par_iter()
        .map(|d| {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(mix(u.seed) ^ d as u64));
            // Weights: within each dimension, then across dimensions.
            let mut wd = w.to_vec();
            for dim in 0..5 {
                let members: Vec<usize> = (0..INDICATORS.len())
                    .filter(|&k| INDICATORS[k].dimension.index() == dim && scales[k].is_some())
                    .collect();
                let drawn = dirichlet(
                    &members.iter().map(|&k| w[k]).collect::<Vec<_>>(),
                    u.concentration,
                    &mut rng,
                );
                for (j, &k) in members.iter().enumerate() {
                    wd[k] = drawn[j];
                }
            }
            let dw: [f64; 5] = dirichlet(dim_w, u.concentration, &mut rng)
                .try_into()
                .expect("five dimensions");
            let resampled;
            let raw = if u.resample_counts {
                resampled = raw_values(region, cfg, window, Some(&mut rng));
                &resampled
            } else {
                base_raw
            };
            let r: Vec<f64> = raw
                .iter()
                .map(|row| {
                    let s: Vec<Option<f64>> = row
                        .iter()
                        .zip(scales)
                        .map(|(x, sc)| x.zip(*sc).map(|(x, sc)| sc.apply(x)))
                        .collect();
                    risk(&dimensions(&s, &wd), &dw, cfg.across).unwrap_or(-1.0)
                })
                .collect();
            let rk = ranks(&r);
            let lv = (0..n).map(|i| level(r[i], rk[i], n, &cfg.levels)).collect();
            (rk.into_iter().map(|x| x as u32).collect(), lv)
        })
        .collect();
    let mut out = Intervals::default();
    let mut column = Vec::with_capacity(draws.len());
    for i in 0..n {
        column.clear();
        column.extend(draws.iter().map(|(rk, _)| f64::from(rk[i])));
        column.sort_by(f64::total_cmp);
        out.rank_p10.push(quantile(&column, 0.1));
        out.rank_p90.push(quantile(&column, 0.9));
        let m = draws.len() as f64;
        out.p_red
            .push(draws.iter().filter(|(_, lv)| lv[i] == Level::Red).count() as f64 / m);
        out.level_agreement
            .push(draws.iter().filter(|(_, lv)| lv[i] == base[i]).count() as f64 / m);
    }
    out
}
