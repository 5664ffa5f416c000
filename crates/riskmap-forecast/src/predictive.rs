//! Predictive count distributions ([`Predictive`]): Poisson, negative
//! binomial and any probability mass function on 0, 1, 2, … (empirical or a
//! mixture), with quantiles and the exact CRPS.
//!
//! Every distribution is evaluated through its probability mass function,
//! truncated where the mass left above is below [`TAIL`] (1e-12): the pmf is
//! built by the ratio recursion outwards from the mode and normalised, so it
//! neither underflows at large means (`exp(−μ)` is 0 for μ > 745) nor needs
//! a log-gamma function.
//!
//! CRPS is the integral of (F(x) − 1{x ≥ y})² over the real line. For a
//! count distribution F is a step function, so for an integer outcome y it is
//! the sum Σ_k (F(k) − 1{y ≤ k})² over k = 0, 1, …; the code integrates the
//! step function exactly, which also covers a fractional y. Beyond the
//! truncation point F is taken as 1, an error below 1e-12 per term.

use std::borrow::Cow;

/// Mass left above the truncation point of a pmf.
pub const TAIL: f64 = 1e-12;

/// Largest support kept (a guard against degenerate parameters).
const MAX_SUPPORT: usize = 4_000_000;

/// A predictive distribution of a count.
#[derive(Debug, Clone, PartialEq)]
pub enum Predictive {
    /// Poisson with this mean.
    Poisson {
        /// Mean (≥ 0).
        mean: f64,
    },
    /// Negative binomial (NB2) with this mean and size: variance mean + mean²/size.
    NegBin {
        /// Mean (≥ 0).
        mean: f64,
        /// Size (shape) r > 0; scipy's `nbinom(n = size, p = size / (size + mean))`.
        size: f64,
    },
    /// Probabilities of 0, 1, 2, … (summing to 1).
    Pmf(Vec<f64>),
    /// The equal-weight mixture of these parts ([`Predictive::mixture`]). Kept
    /// as parts, not as a pmf: a heavy-tailed part makes the pmf tens of
    /// thousands of entries long, and an ensemble's forecasts for a nation's
    /// 40,000 townships held as pmfs filled 24 GB. The pmf is built when asked.
    Mixture(Vec<Predictive>),
}

/// What the backtest keeps of a prediction: mean, quantiles and CRPS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// 10% quantile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90% quantile.
    pub p90: f64,
    /// CRPS of the outcome, when one was given.
    pub crps: f64,
}

impl Predictive {
    /// Poisson, or negative binomial when `size` is finite and positive.
    pub fn count(mean: f64, size: Option<f64>) -> Predictive {
        let mean = if mean.is_finite() { mean.max(0.0) } else { 0.0 };
        match size {
            Some(r) if r.is_finite() && r > 0.0 => Predictive::NegBin { mean, size: r },
            _ => Predictive::Poisson { mean },
        }
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        match self {
            Predictive::Poisson { mean } | Predictive::NegBin { mean, .. } => *mean,
            Predictive::Pmf(p) => p.iter().enumerate().map(|(k, q)| k as f64 * q).sum(),
            Predictive::Mixture(_) => self.pmf().iter().enumerate().map(|(k, q)| k as f64 * q).sum(),
        }
    }

    /// The probability mass function on 0, 1, …, truncated where the mass
    /// above is below [`TAIL`].
    pub fn pmf(&self) -> Cow<'_, [f64]> {
        match self {
            Predictive::Poisson { mean } => Cow::Owned(poisson_pmf(*mean)),
            Predictive::NegBin { mean, size } => Cow::Owned(negbin_pmf(*mean, *size)),
            Predictive::Pmf(p) => Cow::Borrowed(p),
            Predictive::Mixture(parts) => Cow::Owned(mixed_pmf(parts)),
        }
    }

    /// The smallest k with F(k) ≥ p (scipy's `ppf`).
    pub fn quantile(&self, p: f64) -> f64 {
        quantile_of(&self.pmf(), p)
    }

    /// The CRPS of outcome `y`.
    pub fn crps(&self, y: f64) -> f64 {
        crps_of(&self.pmf(), y)
    }

    /// Mean, p10, p50, p90 and (if `y` is given, else NaN) the CRPS, from
    /// one evaluation of the pmf.
    pub fn summary(&self, y: Option<f64>) -> Summary {
        let pmf = self.pmf();
        Summary {
            mean: match self {
                // The same sum as `mean`, without building the pmf twice.
                Predictive::Mixture(_) => pmf.iter().enumerate().map(|(k, q)| k as f64 * q).sum(),
                _ => self.mean(),
            },
            p10: quantile_of(&pmf, 0.1),
            p50: quantile_of(&pmf, 0.5),
            p90: quantile_of(&pmf, 0.9),
            crps: y.map_or(f64::NAN, |y| crps_of(&pmf, y)),
        }
    }

    /// The equal-weight mixture of `parts`.
    pub fn mixture(parts: &[Predictive]) -> Predictive {
        Predictive::Mixture(parts.to_vec())
    }
}

/// The pmf of the equal-weight mixture of `parts`.
fn mixed_pmf(parts: &[Predictive]) -> Vec<f64> {
    let pmfs: Vec<Cow<'_, [f64]>> = parts.iter().map(Predictive::pmf).collect();
    let len = pmfs.iter().map(|p| p.len()).max().unwrap_or(1);
    let mut out = vec![0.0; len];
    for p in &pmfs {
        for (o, q) in out.iter_mut().zip(p.iter()) {
            *o += q / parts.len() as f64;
        }
    }
    out
}

/// Builds a pmf from the unnormalised mass at the mode (1) by the ratio
/// recursion: `up(k)` = p(k+1)/p(k), `down(k)` = p(k−1)/p(k). Going up stops
/// once the geometric bound on the tail, with ratio `tail_ratio(k)`, is
/// below [`TAIL`] of the mass so far.
fn pmf_from_mode(
    mode: usize,
    up: impl Fn(usize) -> f64,
    down: impl Fn(usize) -> f64,
    tail_ratio: impl Fn(usize) -> f64,
) -> Vec<f64> {
    let mut below = Vec::new();
    let mut p = 1.0;
    for k in (1..=mode).rev() {
        p *= down(k);
        if p < 1e-300 {
            break;
        }
        below.push(p);
    }
    let zeros = mode - below.len();
    let mut out = vec![0.0; zeros];
    out.extend(below.iter().rev());
    out.push(1.0);
    let mut total: f64 = out.iter().sum();
    let mut p = 1.0;
    let mut k = mode;
    while out.len() < MAX_SUPPORT {
        let r = tail_ratio(k);
        if r < 1.0 && p * r / (1.0 - r) < TAIL * 0.1 * total {
            break;
        }
        p *= up(k);
        k += 1;
        out.push(p);
        total += p;
    }
    out.iter_mut().for_each(|q| *q /= total);
    out
}

/// Poisson pmf, truncated.
pub fn poisson_pmf(mean: f64) -> Vec<f64> {
    if mean.is_nan() || mean <= 0.0 {
        return vec![1.0];
    }
    let mode = mean.floor() as usize;
    pmf_from_mode(
        mode,
        |k| mean / (k as f64 + 1.0),
        |k| k as f64 / mean,
        |k| mean / (k as f64 + 1.0),
    )
}

/// Negative binomial pmf with this mean and size, truncated.
pub fn negbin_pmf(mean: f64, size: f64) -> Vec<f64> {
    if mean.is_nan() || mean <= 0.0 {
        return vec![1.0];
    }
    if !size.is_finite() || size > 1e12 {
        return poisson_pmf(mean);
    }
    let q = mean / (mean + size);
    let mode = if size > 1.0 {
        ((size - 1.0) * mean / size).floor() as usize
    } else {
        0
    };
    let up = move |k: usize| (k as f64 + size) / (k as f64 + 1.0) * q;
    // The ratio tends to q from above when size > 1 and from below when
    // size < 1; the larger of the two bounds the tail.
    pmf_from_mode(
        mode,
        up,
        move |k| k as f64 / ((k as f64 - 1.0 + size) * q),
        move |k| up(k).max(q),
    )
}

/// The smallest k with F(k) ≥ p. A relative slack of 1e-10 absorbs the
/// rounding of the cumulative sum.
pub fn quantile_of(pmf: &[f64], p: f64) -> f64 {
    let mut f = 0.0;
    for (k, q) in pmf.iter().enumerate() {
        f += q;
        if f >= p - 1e-10 {
            return k as f64;
        }
    }
    (pmf.len().max(1) - 1) as f64
}

/// CRPS of outcome `y` under the step CDF of `pmf`, integrated exactly.
pub fn crps_of(pmf: &[f64], y: f64) -> f64 {
    let mut s = 0.0;
    if y < 0.0 {
        s += -y;
    }
    let mut f = 0.0;
    for (k, q) in pmf.iter().enumerate() {
        f += q;
        let f = f.min(1.0);
        let (lo, hi) = (k as f64, k as f64 + 1.0);
        if hi <= y {
            s += f * f;
        } else if lo >= y {
            s += (1.0 - f) * (1.0 - f);
        } else {
            s += (y - lo) * f * f + (hi - y) * (1.0 - f) * (1.0 - f);
        }
    }
    // Beyond the support F = 1: only the stretch below y counts.
    s + (y - pmf.len() as f64).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pmfs_sum_to_one_and_have_their_mean() {
        for mean in [0.0, 1e-9, 0.3, 4.0, 57.5, 900.0, 12_000.0] {
            let p = poisson_pmf(mean);
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(
                (Predictive::Pmf(p).mean() - mean).abs() < 1e-9 * mean.max(1.0),
                "Poisson {mean}"
            );
            for size in [0.2, 1.0, 3.5, 1e4] {
                let p = negbin_pmf(mean, size);
                assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                assert!(
                    (Predictive::Pmf(p).mean() - mean).abs() < 1e-6 * mean.max(1.0),
                    "NB {mean} {size}"
                );
            }
        }
    }

    #[test]
    fn point_mass_crps_is_the_absolute_error() {
        // A point mass at 3: CRPS(y) = |y − 3|, for integer and fractional y.
        let p = [0.0, 0.0, 0.0, 1.0];
        for y in [0.0, 2.0, 3.0, 3.5, 7.0, 10.25] {
            assert!(
                (crps_of(&p, y) - (y - 3.0f64).abs()).abs() < 1e-12,
                "y = {y}"
            );
        }
        assert_eq!(quantile_of(&p, 0.5), 3.0);
    }
}
