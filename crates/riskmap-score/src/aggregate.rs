//! From indicator scores to dimension scores, overall risk, ranks and
//! levels. Within a dimension: the weighted arithmetic mean of the
//! indicators present (weights renormalised over them). Across dimensions:
//! the weighted geometric mean of (1 + score), minus 1, of stock,
//! incremental, natural, fire and the lack of coping capacity (10 − coping),
//! or the arithmetic mean, over the dimensions present.

use crate::config::{LevelConfig, LevelMethod, Mean};
use crate::indicator::{Dimension, INDICATORS};

/// The four colours of 安全风险分级, highest first: the one risk-level type
/// of riskmap, shared with the renderer and the pipeline.
pub use riskmap_domain::RiskLevel as Level;

/// Dimension scores of one township from its indicator scores, with the
/// given weights (`indicator_w[k]`); `None` where no indicator of the
/// dimension is present.
pub fn dimensions(scores: &[Option<f64>], indicator_w: &[f64]) -> [Option<f64>; 5] {
    let mut num = [0.0; 5];
    let mut den = [0.0; 5];
    for (k, s) in scores.iter().enumerate() {
        if let Some(s) = s {
            let d = INDICATORS[k].dimension.index();
            num[d] += indicator_w[k] * s;
            den[d] += indicator_w[k];
        }
    }
    std::array::from_fn(|d| (den[d] > 0.0).then(|| num[d] / den[d]))
}

/// What risk combines: the dimension scores with coping turned into its lack.
pub fn risk_terms(dims: &[Option<f64>; 5]) -> [Option<f64>; 5] {
    std::array::from_fn(|d| {
        dims[d].map(|v| {
            if d == Dimension::Coping.index() {
                10.0 - v
            } else {
                v
            }
        })
    })
}

/// Overall risk 0–10 over the dimensions present; `None` if none is.
pub fn risk(dims: &[Option<f64>; 5], dim_w: &[f64; 5], mean: Mean) -> Option<f64> {
    let terms = risk_terms(dims);
    let total: f64 = (0..5)
        .filter(|&d| terms[d].is_some())
        .map(|d| dim_w[d])
        .sum();
    if total <= 0.0 {
        return None;
    }
    let r = match mean {
        Mean::Arithmetic => (0..5)
            .filter_map(|d| terms[d].map(|v| dim_w[d] / total * v))
            .sum::<f64>(),
        Mean::Geometric => {
            (0..5)
                .filter_map(|d| terms[d].map(|v| dim_w[d] / total * (1.0 + v).ln()))
                .sum::<f64>()
                .exp()
                - 1.0
        }
    };
    Some(r.clamp(0.0, 10.0))
}

/// Ranks, 1 = highest risk; ties (and missing risk, ranked last) broken by
/// input order so that ranks are a permutation.
pub fn ranks(risk: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..risk.len()).collect();
    order.sort_by(|&a, &b| risk[b].total_cmp(&risk[a]).then(a.cmp(&b)));
    let mut rank = vec![0; risk.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r + 1;
    }
    rank
}

/// The level of a township with risk `r` and rank `rank` among `n`.
pub fn level(r: f64, rank: usize, n: usize, cfg: &LevelConfig) -> Level {
    match cfg.method {
        LevelMethod::Fixed => {
            let b = cfg.breaks;
            if r >= b[0] {
                Level::Red
            } else if r >= b[1] {
                Level::Orange
            } else if r >= b[2] {
                Level::Yellow
            } else {
                Level::Blue
            }
        }
        LevelMethod::Quantile => {
            let s = cfg.shares;
            let cut = |share: f64| (share * n as f64).ceil() as usize;
            if rank <= cut(s[0]) {
                Level::Red
            } else if rank <= cut(s[0] + s[1]) {
                Level::Orange
            } else if rank <= cut(s[0] + s[1] + s[2]) {
                Level::Yellow
            } else {
                Level::Blue
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_within_renormalises_over_present_indicators() {
        let mut scores = vec![None; INDICATORS.len()];
        let w = vec![1.0; INDICATORS.len()];
        scores[crate::indicator::index_of("accidents")] = Some(8.0);
        scores[crate::indicator::index_of("hidden_hazards")] = Some(2.0);
        let d = dimensions(&scores, &w);
        assert_eq!(d[0], Some(5.0));
        assert_eq!(d[1], None);
    }

    #[test]
    fn geometric_across_matches_hand_computation() {
        let dims = [Some(3.0), Some(1.0), None, Some(7.0), Some(6.0)];
        let w = [1.0; 5];
        // (1+3)(1+1)(1+7)(1+10-6) over four dimensions: (4·2·8·5)^(1/4) − 1.
        let expected = (4.0f64 * 2.0 * 8.0 * 5.0).powf(0.25) - 1.0;
        assert!((risk(&dims, &w, Mean::Geometric).unwrap() - expected).abs() < 1e-12);
        assert!((risk(&dims, &w, Mean::Arithmetic).unwrap() - 15.0 / 4.0).abs() < 1e-12);
        assert_eq!(risk(&[None; 5], &w, Mean::Geometric), None);
        // All at the top gives 10, all at the bottom 0.
        assert!(
            (risk(
                &[Some(10.0), Some(10.0), Some(10.0), Some(10.0), Some(0.0)],
                &w,
                Mean::Geometric
            )
            .unwrap()
                - 10.0)
                .abs()
                < 1e-12
        );
    }

    #[test]
    fn ranks_and_levels() {
        assert_eq!(ranks(&[1.0, 5.0, 3.0, 5.0]), vec![4, 1, 3, 2]);
        let fixed = LevelConfig {
            method: LevelMethod::Fixed,
            ..LevelConfig::default()
        };
        assert_eq!(level(6.5, 1, 10, &fixed), Level::Red);
        assert_eq!(level(6.49, 1, 10, &fixed), Level::Orange);
        assert_eq!(level(3.4, 1, 10, &fixed), Level::Blue);
        let q = LevelConfig {
            method: LevelMethod::Quantile,
            ..LevelConfig::default()
        };
        let levels: Vec<Level> = (1..=18).map(|r| level(0.0, r, 18, &q)).collect();
        // ceil(1.8) = 2 red, ceil(5.4) = 6 red or orange, ceil(10.8) = 11 down to yellow.
        assert_eq!(levels.iter().filter(|l| **l == Level::Red).count(), 2);
        assert_eq!(levels.iter().filter(|l| **l == Level::Orange).count(), 4);
        assert_eq!(levels.iter().filter(|l| **l == Level::Yellow).count(), 5);
    }
}
