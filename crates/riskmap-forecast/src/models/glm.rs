//! The count regression shared by `glm_poisson` and `glm_negbin`, fitted by
//! iteratively reweighted least squares on every township-year of the
//! history at once:
//!
//! ```text
//! log μ_it = log E_it + β₀ + β₁ (t − t̄) + Σ_k γ_k z_ik + δ · log((Y_i + ½) / E_i)
//! ```
//!
//! E is the exposure (offset; 1 without exposure), t the year, z the
//! township covariates (standardised), and the last term the township's
//! own smoothed historical rate (Y_i, E_i: its total count and exposure over
//! the history), which carries the township's level when the covariates do
//! not explain it. The IRLS weights are μ (Poisson) or μ / (1 + μ/θ)
//! (negative binomial). The slopes carry a ridge penalty ([`RIDGE`]), so
//! the fit is the posterior mode under a N(0, 1) prior on the standardised
//! slopes; it keeps sparse measures finite.

// Index loops read like the algebra they implement (rows, columns, pivots).
#![allow(clippy::needless_range_loop)]

use crate::panel::History;

/// Ridge penalty on the slopes. Without it a sparse measure (two events in
/// six years, both in the last year) sends the trend to infinity and the
/// forecast with it; with it the slopes are the posterior mode under a
/// N(0, 1) prior, which busy measures barely feel (their information is
/// hundreds to thousands of times larger).
const RIDGE: f64 = 1.0;

/// A fitted regression's forecasts for the target year and, for the
/// negative binomial, its size θ (`None`: Poisson).
pub struct Fit {
    /// Predicted means for the target year, one per series.
    pub means: Vec<f64>,
    /// Size θ of the negative binomial.
    pub size: Option<f64>,
}

/// Design rows of one township for year index `t` (standardised covariates
/// are passed in).
fn row(t: f64, t_bar: f64, z: &[f64], level: f64, out: &mut Vec<f64>) {
    out.clear();
    out.push(1.0);
    out.push(t - t_bar);
    out.extend_from_slice(z);
    out.push(level);
}

/// Solves the symmetric positive (semi-)definite system `a x = b` by
/// Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let p = b.len();
    for c in 0..p {
        let piv = (c..p).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[piv][c].abs() < 1e-300 {
            return None;
        }
        a.swap(c, piv);
        b.swap(c, piv);
        for r in c + 1..p {
            let f = a[r][c] / a[c][c];
            for k in c..p {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; p];
    for c in (0..p).rev() {
        let s: f64 = (c + 1..p).map(|k| a[c][k] * x[k]).sum();
        x[c] = (b[c] - s) / a[c][c];
    }
    Some(x)
}

/// Fits the regression on `h`; `negbin` estimates θ by the moment
/// estimator φ = Σ((y − μ)² − μ)/Σμ², θ = 1/φ, alternating with IRLS.
pub fn fit(h: &History<'_>, negbin: bool) -> Fit {
    let (n, len) = (h.n(), h.len());
    let total: f64 = (0..n).map(|i| h.counts(i).iter().sum::<f64>()).sum();
    if total <= 0.0 || n == 0 {
        return Fit {
            means: vec![0.0; n],
            size: None,
        };
    }
    // Standardised covariates and the township level.
    let k = h.covariates(0).len();
    let mut z = vec![vec![0.0; k]; n];
    for c in 0..k {
        let col: Vec<f64> = (0..n).map(|i| h.covariates(i)[c]).collect();
        let m = col.iter().sum::<f64>() / n as f64;
        let sd = (col.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n as f64).sqrt();
        for i in 0..n {
            z[i][c] = if sd > 0.0 && col[i].is_finite() {
                (col[i] - m) / sd
            } else {
                0.0
            };
        }
    }
    let exposure: Vec<std::borrow::Cow<'_, [f64]>> = (0..n).map(|i| h.exposure(i)).collect();
    let level: Vec<f64> = (0..n)
        .map(|i| {
            let e: f64 = exposure[i][..len].iter().sum();
            ((h.counts(i).iter().sum::<f64>() + 0.5) / e.max(1e-12)).ln()
        })
        .collect();
    let level_mean = level.iter().sum::<f64>() / n as f64;
    let t_bar = (len as f64 - 1.0) / 2.0;
    let p = k + 3;
    let total_exposure: f64 = exposure.iter().map(|e| e[..len].iter().sum::<f64>()).sum();
    let mut beta = vec![0.0; p];
    beta[0] = (total / total_exposure.max(1e-12)).ln();
    let mut theta: Option<f64> = None;
    // The design rows and offsets of every township-year, built once: IRLS
    // and the step-halving read them many times over.
    let cells = n * len;
    let mut design = Vec::with_capacity(cells * p);
    let mut offsets = Vec::with_capacity(cells);
    let mut counts = Vec::with_capacity(cells);
    let mut x = Vec::with_capacity(p);
    for i in 0..n {
        for t in 0..len {
            row(t as f64, t_bar, &z[i], level[i] - level_mean, &mut x);
            design.extend_from_slice(&x);
            offsets.push(exposure[i][t].max(1e-12).ln());
        }
        counts.extend_from_slice(&h.counts(i)[..len]);
    }
    let linear = |c: usize, beta: &[f64]| -> f64 {
        design[c * p..(c + 1) * p]
            .iter()
            .zip(beta)
            .map(|(a, b)| a * b)
            .sum::<f64>()
    };
    // The penalised log-likelihood (up to terms free of β) that IRLS climbs.
    let objective = |beta: &[f64], theta: Option<f64>| -> f64 {
        let mut ll = 0.0;
        for c in 0..cells {
            let eta = linear(c, beta) + offsets[c];
            let mu = eta.min(700.0).exp().max(1e-10);
            let y = counts[c];
            ll += match theta {
                Some(th) => y * mu.ln() - (y + th) * (mu + th).ln(),
                None => y * mu.ln() - mu,
            };
        }
        let penalty: f64 = beta
            .iter()
            .enumerate()
            .map(|(a, b)| if a == 0 { 1e-8 } else { RIDGE } * b * b)
            .sum();
        ll - 0.5 * penalty
    };
    for outer in 0..if negbin { 6 } else { 1 } {
        // The objective at `beta`, when the last step-halving computed it.
        let mut at_beta: Option<f64> = None;
        for _ in 0..30 {
            let mut xtwx = vec![vec![0.0; p]; p];
            let mut xtwz = vec![0.0; p];
            for c in 0..cells {
                let x = &design[c * p..(c + 1) * p];
                let eta_lin = linear(c, &beta);
                let mu = (eta_lin + offsets[c]).min(700.0).exp().max(1e-10);
                let y = counts[c];
                let w = match theta {
                    Some(th) => mu / (1.0 + mu / th),
                    None => mu,
                };
                let zz = eta_lin + (y - mu) / mu;
                for a in 0..p {
                    xtwz[a] += w * x[a] * zz;
                    for b in 0..=a {
                        xtwx[a][b] += w * x[a] * x[b];
                    }
                }
            }
            for a in 0..p {
                // Ridge: a Gaussian prior of variance 1/RIDGE on every
                // coefficient but the intercept (penalised IRLS).
                xtwx[a][a] += if a == 0 { 1e-8 } else { RIDGE };
                for b in 0..a {
                    xtwx[b][a] = xtwx[a][b];
                }
            }
            let Some(mut new) = solve(xtwx, xtwz) else {
                break;
            };
            // Step-halving, as R's glm.fit: a full Newton step that lowers
            // the penalised likelihood is halved until it does not. Without
            // it, one year of history (where the level term nearly saturates
            // the fit) sent the IRLS to means of 10¹⁹.
            let before = at_beta.unwrap_or_else(|| objective(&beta, theta));
            at_beta = None;
            for _ in 0..30 {
                let after = objective(&new, theta);
                if after.is_finite() && after >= before - 1e-10 * before.abs() {
                    at_beta = Some(after);
                    break;
                }
                new.iter_mut()
                    .zip(&beta)
                    .for_each(|(n, b)| *n = 0.5 * (*n + b));
            }
            let step = new
                .iter()
                .zip(&beta)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            beta = new;
            if step < 1e-8 {
                break;
            }
        }
        if !negbin {
            break;
        }
        let (mut num, mut den) = (0.0, 0.0);
        for c in 0..cells {
            let mu = (linear(c, &beta) + offsets[c]).min(700.0).exp();
            let y = counts[c];
            num += (y - mu) * (y - mu) - mu;
            den += mu * mu;
        }
        let phi = if den > 0.0 { num / den } else { 0.0 };
        let new_theta = (phi > 1e-6).then(|| 1.0 / phi);
        let converged = match (theta, new_theta) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-6 * a,
            (None, None) => true,
            _ => false,
        };
        theta = new_theta;
        if converged && outer > 0 {
            break;
        }
    }
    let means = (0..n)
        .map(|i| {
            row(len as f64, t_bar, &z[i], level[i] - level_mean, &mut x);
            let eta: f64 = x.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>()
                + exposure[i][len].max(1e-12).ln();
            crate::forecaster::clean(eta.min(700.0).exp())
        })
        .collect();
    Fit { means, size: theta }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::Panel;

    #[test]
    fn recovers_a_known_rate_and_trend() {
        // Expected counts exactly exp(log E + log 0.02 + 0.1 (t − 2)) for
        // two townships of equal rate: IRLS recovers them, so the forecast
        // is E · 0.02 · e^{0.1 · 3}, up to the ridge's pull on the trend
        // (relative 1e-3 at these counts, 20 to 60 a year).
        let e = [1000.0, 3000.0];
        let counts: Vec<Vec<f64>> = e
            .iter()
            .map(|e| {
                (0..5)
                    .map(|t| e * 0.02 * (0.1 * (t as f64 - 2.0)).exp())
                    .collect()
            })
            .collect();
        let mut p = Panel::from_counts(2015, counts);
        p.exposure = Some(e.iter().map(|e| vec![*e; 6]).collect());
        let f = fit(&p.history(5), false);
        for (i, e) in e.iter().enumerate() {
            let want = e * 0.02 * (0.3f64).exp();
            assert!(
                (f.means[i] - want).abs() < 1e-3 * want,
                "{} vs {want}",
                f.means[i]
            );
        }
    }
}
