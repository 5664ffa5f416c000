//! `eb`: empirical-Bayes Poisson–gamma shrinkage across townships
//! (Marshall's global estimator, method of moments). Township i's rate
//! λ_i has a gamma prior shared by all townships; with Y_i counts over E_i
//! exposure in the history, r_i = Y_i/E_i, the prior mean and variance are
//!
//! ```text
//! m = ΣY/ΣE,   v = max(0, Σ E_i (r_i − m)² / ΣE − m / Ē),   Ē = ΣE / n
//! ```
//!
//! and the posterior mean rate is m + C_i (r_i − m), C_i = v / (v + m/E_i):
//! small townships are pulled to the regional rate, large ones keep their
//! own. The forecast is that rate times next year's exposure (times 1 per
//! year without exposure). There is no trend; the predictive is
//! [`crate::forecaster::calibrated`]'s NB, because the posterior predictive
//! alone ignores the year-to-year over-dispersion of the counts.

use crate::forecaster::{calibrated, Forecaster};
use crate::panel::History;
use crate::predictive::Predictive;

/// Global empirical Bayes.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmpiricalBayes;

/// Totals (Y_i, E_i) of every series over the history.
pub fn totals(h: &History<'_>) -> Vec<(f64, f64)> {
    (0..h.n())
        .map(|i| {
            (
                h.counts(i).iter().sum(),
                h.exposure(i)[..h.len()].iter().sum(),
            )
        })
        .collect()
}

/// The gamma prior of a group of townships: its mean rate `m` and the
/// between-township variance `v` (Marshall's moment estimates).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prior {
    /// Prior mean rate ΣY/ΣE.
    pub m: f64,
    /// Prior variance of the rates (≥ 0).
    pub v: f64,
}

impl Prior {
    /// The prior of the townships `group` (totals `(y, e)`), or `None` when
    /// the group has no exposure.
    pub fn of(group: impl Iterator<Item = (f64, f64)> + Clone) -> Option<Prior> {
        let (sy, se, k) = group
            .clone()
            .fold((0.0, 0.0, 0usize), |a, (y, e)| (a.0 + y, a.1 + e, a.2 + 1));
        if se <= 0.0 || k == 0 {
            return None;
        }
        let m = sy / se;
        let s2 = group
            .filter(|(_, e)| *e > 0.0)
            .map(|(y, e)| e * (y / e - m).powi(2))
            .sum::<f64>()
            / se;
        let e_bar = se / k as f64;
        Some(Prior {
            m,
            v: (s2 - m / e_bar).max(0.0),
        })
    }

    /// The posterior mean rate of a township with totals `own`.
    pub fn shrink(&self, (y, e): (f64, f64)) -> f64 {
        let Prior { m, v } = *self;
        if e <= 0.0 || v == 0.0 {
            return m;
        }
        let c = v / (v + m / e);
        m + c * (y / e - m)
    }
}

/// Marshall's shrunk rate for totals `own` against the townships `group`
/// (0 when the group has no exposure).
pub fn shrunk_rate(own: (f64, f64), group: impl Iterator<Item = (f64, f64)> + Clone) -> f64 {
    Prior::of(group).map_or(0.0, |p| p.shrink(own))
}

/// The mean forecast of every series. The prior is the region's, estimated
/// once (per township it made the model quadratic: 266 s of a nation
/// backtest's 316).
pub fn means(h: &History<'_>) -> Vec<f64> {
    let t = totals(h);
    let Some(prior) = Prior::of(t.iter().copied()) else {
        return vec![0.0; h.n()];
    };
    (0..h.n())
        .map(|i| prior.shrink(t[i]) * h.target_exposure(i))
        .collect()
}

impl Forecaster for EmpiricalBayes {
    fn name(&self) -> String {
        "eb".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &means)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marshall_by_hand() {
        // Rates 1/10, 3/10, 8/20: m = 12/40 = 0.3; s² = (10·0.04 + 0 + 20·0.01)/40 = 0.015;
        // Ē = 40/3, v = 0.015 − 0.3·3/40 = −0.0075 < 0: every rate is m.
        let g = [(1.0, 10.0), (3.0, 10.0), (8.0, 20.0)];
        assert!((shrunk_rate(g[0], g.iter().copied()) - 0.3).abs() < 1e-15);
        // Rates 0/10, 10/10: m = 0.5, s² = 0.25, Ē = 10, v = 0.25 − 0.05 = 0.2,
        // C = 0.2/(0.2 + 0.05) = 0.8: shrunk rates 0.1 and 0.9.
        let g = [(0.0, 10.0), (10.0, 10.0)];
        assert!((shrunk_rate(g[0], g.iter().copied()) - 0.1).abs() < 1e-12);
        assert!((shrunk_rate(g[1], g.iter().copied()) - 0.9).abs() < 1e-12);
    }

    #[test]
    fn means_use_the_one_regional_prior() {
        // The forecast of each township equals its shrunk rate against the
        // whole region, as the per-township estimate computed it.
        let counts: Vec<Vec<f64>> = (0..50)
            .map(|i| (0..4).map(|t| ((i * 7 + t * 3) % 11) as f64).collect())
            .collect();
        let mut p = crate::panel::Panel::from_counts(2018, counts);
        p.exposure = Some((0..50).map(|i| vec![100.0 + 13.0 * i as f64; 5]).collect());
        let h = p.history(4);
        let t = totals(&h);
        for (i, m) in means(&h).iter().enumerate() {
            let want = shrunk_rate(t[i], t.iter().copied()) * h.target_exposure(i);
            assert_eq!(*m, want);
        }
    }
}
