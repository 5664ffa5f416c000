//! `reconcile_bu` and `reconcile_mint`: township forecasts made coherent
//! with the county total.
//!
//! A base model (SES by default) forecasts every township and, separately,
//! the county total series. Bottom-up takes the township forecasts as they
//! are (the county forecast is their sum, [`bottom_up_total`]). MinT
//! (Wickramasuriya, Athanasopoulos and Hyndman 2019) with shrinkage moves
//! all n + 1 base forecasts to the nearest coherent set in the metric of
//! the forecast-error covariance W:
//!
//! ```text
//! ỹ = ŷ − W c (cᵀŷ) / (cᵀ W c),   c = (1, −1, …, −1)   (total − Σ townships = 0)
//! ```
//!
//! which is MinT's S(SᵀW⁻¹S)⁻¹SᵀW⁻¹ŷ written with its single constraint,
//! so it needs no n × n inverse and W c costs O(n · years). W = λD + (1−λ)Σ̂,
//! Σ̂ the (uncentred) covariance of the base model's one-step errors at the
//! earlier origins of the history, D its diagonal, and λ the
//! Schäfer–Strimmer shrinkage intensity of the correlations (as in R's
//! `hts`). All-zero series have zero error variance: their row of W is zero,
//! so they are left as they are, and a W with cᵀWc = 0 changes nothing.
//! With fewer than two earlier origins λ = 1 (a diagonal W); with none the
//! result is bottom-up. Reconciled forecasts below 0 are set to 0, which
//! gives up exact coherence only where the base total was far below the
//! sum. The predictive is [`calibrated`]'s NB around the reconciled means.

use crate::forecaster::{calibrated, clean, Forecaster};
use crate::panel::History;
use crate::predictive::Predictive;

/// Reconciliation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Township forecasts as they are.
    BottomUp,
    /// MinT with a shrunk error covariance.
    MinTShrink,
}

/// A base model (mean forecasts of every series) reconciled with the county total.
#[derive(Debug, Clone, Copy)]
pub struct Reconciled {
    /// How.
    pub method: Method,
    /// The base model's mean forecasts.
    pub base: fn(&History<'_>) -> Vec<f64>,
    /// Earlier origins used for the error covariance (at most).
    pub max_lags: usize,
}

impl Reconciled {
    /// Bottom-up over SES.
    pub fn bottom_up() -> Reconciled {
        Reconciled {
            method: Method::BottomUp,
            base: crate::models::ses::means,
            max_lags: 5,
        }
    }

    /// MinT-shrink over SES.
    pub fn mint() -> Reconciled {
        Reconciled {
            method: Method::MinTShrink,
            base: crate::models::ses::means,
            max_lags: 5,
        }
    }

    /// Reconciled township means.
    pub fn means(&self, h: &History<'_>) -> Vec<f64> {
        let bottom = (self.base)(h);
        if self.method == Method::BottomUp {
            return bottom;
        }
        let total_panel = h.known_total();
        let total_h = total_panel.history(h.len());
        let total = (self.base)(&total_h)[0];
        // One-step errors at earlier origins: row t = (total error, township errors).
        let mut errors: Vec<Vec<f64>> = Vec::new();
        for lag in 1..=self.max_lags {
            let (Some(e), Some(te)) = (h.earlier(lag), total_h.earlier(lag)) else {
                break;
            };
            let mut row = vec![total_h.counts(0)[te.len()] - (self.base)(&te)[0]];
            row.extend(
                (self.base)(&e)
                    .iter()
                    .enumerate()
                    .map(|(i, m)| h.counts(i)[e.len()] - m),
            );
            errors.push(row);
        }
        let mut yhat = vec![total];
        yhat.extend(&bottom);
        mint_shrink(&yhat, &errors)
            .into_iter()
            .skip(1)
            .map(clean)
            .collect()
    }
}

/// The county forecast of bottom-up reconciliation: the sum of the townships'.
pub fn bottom_up_total(township_means: &[f64]) -> f64 {
    township_means.iter().sum()
}

/// The shrinkage intensity λ of Schäfer and Strimmer for the correlations
/// of `errors` (rows: observations; columns: series), in [0, 1].
pub fn shrinkage_lambda(errors: &[Vec<f64>]) -> f64 {
    let l = errors.len();
    if l < 2 {
        return 1.0;
    }
    let m = errors[0].len();
    // Standardise each column (centred, sample sd); constant columns are dropped.
    let mut cols: Vec<Vec<f64>> = Vec::new();
    for j in 0..m {
        let c: Vec<f64> = errors.iter().map(|r| r[j]).collect();
        let mean = c.iter().sum::<f64>() / l as f64;
        let sd = (c.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (l as f64 - 1.0)).sqrt();
        if sd > 1e-12 {
            cols.push(c.iter().map(|v| (v - mean) / sd).collect());
        }
    }
    // The sums over pairs a < b of Schäfer–Strimmer's estimator, in O(m · l²)
    // instead of O(m² · l) (a nation has 40,000 townships: 8 · 10⁸ pairs).
    // With w_ab,t = x_a,t · x_b,t and S_ab = Σ_t w_ab,t:
    //   Σ_{a<b} S_ab²          = ½ (Σ_{t,s} G_ts² − Σ_a S_aa²),  G = the l × l Gram matrix over time
    //   Σ_{a<b} Σ_t w_ab,t²    = ½ Σ_t ((Σ_a x_a,t²)² − Σ_a x_a,t⁴)
    // so that Σ Var(r_ab) = l/(l−1)³ (Q − P/l) and Σ r_ab² = P/(l−1)².
    let lf = l as f64;
    let mut gram = vec![0.0; l * l];
    let mut diag_sq = 0.0; // Σ_a S_aa²
    let mut sq = vec![0.0; l]; // Σ_a x_a,t²
    let mut fourth = 0.0; // Σ_a Σ_t x_a,t⁴
    for c in &cols {
        let mut saa = 0.0;
        for t in 0..l {
            let x2 = c[t] * c[t];
            saa += x2;
            sq[t] += x2;
            fourth += x2 * x2;
            for u in 0..l {
                gram[t * l + u] += c[t] * c[u];
            }
        }
        diag_sq += saa * saa;
    }
    let p = 0.5 * (gram.iter().map(|g| g * g).sum::<f64>() - diag_sq);
    let q = 0.5 * (sq.iter().map(|s| s * s).sum::<f64>() - fourth);
    let num = (lf / (lf - 1.0).powi(3) * (q - p / lf)).max(0.0);
    let den = p / (lf - 1.0).powi(2);
    if den <= 0.0 {
        1.0
    } else {
        (num / den).clamp(0.0, 1.0)
    }
}

/// MinT-shrink for one total over its parts: `yhat` = (total, parts…),
/// `errors` rows of the same layout. Returns the reconciled vector.
pub fn mint_shrink(yhat: &[f64], errors: &[Vec<f64>]) -> Vec<f64> {
    let m = yhat.len();
    if errors.is_empty() {
        let mut out = yhat.to_vec();
        out[0] = bottom_up_total(&yhat[1..]);
        return out;
    }
    let lf = errors.len() as f64;
    let c: Vec<f64> = (0..m).map(|k| if k == 0 { 1.0 } else { -1.0 }).collect();
    let lambda = shrinkage_lambda(errors);
    // Σ̂c = (1/L) Σ_t e_t (e_t · c), and D c.
    let mut sigma_c = vec![0.0; m];
    let mut diag = vec![0.0; m];
    for e in errors {
        let ec: f64 = e.iter().zip(&c).map(|(a, b)| a * b).sum();
        for k in 0..m {
            sigma_c[k] += e[k] * ec / lf;
            diag[k] += e[k] * e[k] / lf;
        }
    }
    let wc: Vec<f64> = (0..m)
        .map(|k| lambda * diag[k] * c[k] + (1.0 - lambda) * sigma_c[k])
        .collect();
    let cwc: f64 = wc.iter().zip(&c).map(|(a, b)| a * b).sum();
    let gap: f64 = yhat.iter().zip(&c).map(|(a, b)| a * b).sum();
    if cwc.abs() < 1e-300 {
        return yhat.to_vec();
    }
    yhat.iter()
        .zip(&wc)
        .map(|(y, w)| y - w * gap / cwc)
        .collect()
}

impl Forecaster for Reconciled {
    fn name(&self) -> String {
        match self.method {
            Method::BottomUp => "reconcile_bu".into(),
            Method::MinTShrink => "reconcile_mint".into(),
        }
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &|h| self.means(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Schäfer–Strimmer's λ pair by pair, as written in their paper: the
    /// oracle for the O(m · l²) sums of [`shrinkage_lambda`].
    fn lambda_pairwise(errors: &[Vec<f64>]) -> f64 {
        let l = errors.len();
        let lf = l as f64;
        let cols: Vec<Vec<f64>> = (0..errors[0].len())
            .filter_map(|j| {
                let c: Vec<f64> = errors.iter().map(|r| r[j]).collect();
                let mean = c.iter().sum::<f64>() / lf;
                let sd = (c.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (lf - 1.0)).sqrt();
                (sd > 1e-12).then(|| c.iter().map(|v| (v - mean) / sd).collect())
            })
            .collect();
        let (mut num, mut den) = (0.0, 0.0);
        for a in 0..cols.len() {
            for b in 0..a {
                let w: Vec<f64> = (0..l).map(|t| cols[a][t] * cols[b][t]).collect();
                let wbar = w.iter().sum::<f64>() / lf;
                num += lf / (lf - 1.0).powi(3) * w.iter().map(|x| (x - wbar).powi(2)).sum::<f64>();
                den += (lf / (lf - 1.0) * wbar).powi(2);
            }
        }
        if den <= 0.0 {
            1.0
        } else {
            (num / den).clamp(0.0, 1.0)
        }
    }

    #[test]
    fn the_fast_shrinkage_intensity_equals_the_pairwise_one() {
        // Deterministic pseudo-random errors, some columns correlated, one constant.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 10_000) as f64 / 1000.0 - 5.0
        };
        for (l, m) in [(2, 5), (3, 40), (5, 300), (4, 2)] {
            let mut errors: Vec<Vec<f64>> =
                (0..l).map(|_| (0..m).map(|_| next()).collect()).collect();
            for row in errors.iter_mut() {
                row[m - 1] = 1.0;
                if m > 3 {
                    row[1] = 0.8 * row[0] + 0.1 * row[1];
                }
            }
            let (fast, slow) = (shrinkage_lambda(&errors), lambda_pairwise(&errors));
            assert!(
                (fast - slow).abs() <= 1e-9 * slow.abs().max(1e-3),
                "l={l} m={m}: {fast} vs {slow}"
            );
        }
    }

    #[test]
    fn mint_is_coherent_and_leaves_zero_variance_series_alone() {
        // Total forecast 12, parts 3 + 4 + 0 = 7; part 3 never erred.
        let yhat = [12.0, 3.0, 4.0, 0.0];
        let errors = vec![
            vec![2.0, 1.0, -1.0, 0.0],
            vec![-1.0, 0.5, 2.0, 0.0],
            vec![3.0, -1.0, 1.0, 0.0],
        ];
        let r = mint_shrink(&yhat, &errors);
        assert!((r[0] - r[1..].iter().sum::<f64>()).abs() < 1e-12, "{r:?}");
        assert_eq!(r[3], 0.0);
        // With no history it is bottom-up.
        assert_eq!(mint_shrink(&yhat, &[]), vec![7.0, 3.0, 4.0, 0.0]);
        // All-zero errors: nothing to go on, nothing changes.
        assert_eq!(mint_shrink(&yhat, &[vec![0.0; 4]]), yhat.to_vec());
    }
}
