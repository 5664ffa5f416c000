//! Raw rates, Marshall's global empirical Bayes rates and the local (spatial)
//! empirical Bayes rates, as esda's `smoothing.Empirical_Bayes` and
//! `smoothing.Spatial_Empirical_Bayes` compute them.
//!
//! Global EB (Marshall 1991, method of moments): with r̄ = Σe/Σb, rᵢ = eᵢ/bᵢ,
//! s² = Σ bᵢ(rᵢ − r̄)² / Σb and A = s² − r̄/b̄ (b̄ the mean exposure), the
//! smoothed rate is wᵢ·rᵢ + (1 − wᵢ)·r̄ with wᵢ = A / (A + r̄/bᵢ).
//!
//! Spatial EB: the same, with r̄ replaced by the local rate of i and its
//! neighbours (binary weights including i), s² by the exposure-weighted
//! variance of their rates around it, and b̄ by their mean exposure.
//!
//! Where we differ from esda, and why:
//! - A negative variance estimate A is set to 0 (Marshall's rule; esda
//!   applies it in the spatial version but not the global one, where a
//!   negative A gives weights outside [0, 1]). Then every rate shrinks to the
//!   mean. On data where A ≥ 0 the results are identical.
//! - A township with zero exposure has no raw rate (NaN) and is left out of
//!   the global moments; its EB rate is the prior mean (weight 0), since it
//!   brings no information of its own. esda would return NaN everywhere.
//! - Zero counts are ordinary data (rate 0).

use crate::weights::Weights;
use crate::{check_values, StatsError};

/// Raw rate count/exposure per township (NaN where exposure is 0).
pub fn raw_rates(counts: &[f64], exposure: &[f64]) -> Result<Vec<f64>, StatsError> {
    check_inputs(counts, exposure)?;
    Ok(counts
        .iter()
        .zip(exposure)
        .map(|(&e, &b)| if b > 0.0 { e / b } else { f64::NAN })
        .collect())
}

fn check_inputs(counts: &[f64], exposure: &[f64]) -> Result<(), StatsError> {
    check_values("counts", counts, exposure.len())?;
    check_values("exposure", exposure, counts.len())?;
    if let Some(index) = counts.iter().chain(exposure).position(|&v| v < 0.0) {
        let (what, index) = if index < counts.len() {
            ("counts", index)
        } else {
            ("exposure", index - counts.len())
        };
        return Err(StatsError::Negative { what, index });
    }
    Ok(())
}

/// The shrinkage of one rate towards a prior mean given the prior variance `a`.
fn shrink(rate: f64, exposure: f64, mean: f64, a: f64) -> f64 {
    if exposure <= 0.0 || a + mean / exposure == 0.0 {
        // No exposure (no information), or a prior with no mass away from a zero mean.
        return mean;
    }
    let weight = a / (a + mean / exposure);
    weight * rate + (1.0 - weight) * mean
}

/// Marshall's global empirical Bayes rates (method of moments).
pub fn empirical_bayes(counts: &[f64], exposure: &[f64]) -> Result<Vec<f64>, StatsError> {
    check_inputs(counts, exposure)?;
    let used: Vec<usize> = (0..counts.len()).filter(|&i| exposure[i] > 0.0).collect();
    if used.is_empty() {
        return Err(StatsError::TooFew {
            statistic: "empirical Bayes rate (townships with exposure)",
            needed: 1,
            got: 0,
        });
    }
    let e_sum: f64 = used.iter().map(|&i| counts[i]).sum();
    let b_sum: f64 = used.iter().map(|&i| exposure[i]).sum();
    let mean = e_sum / b_sum;
    let b_mean = b_sum / used.len() as f64;
    let s2: f64 = used
        .iter()
        .map(|&i| {
            let d = counts[i] / exposure[i] - mean;
            exposure[i] * d * d
        })
        .sum::<f64>()
        / b_sum;
    let a = (s2 - mean / b_mean).max(0.0);
    Ok((0..counts.len())
        .map(|i| {
            let rate = if exposure[i] > 0.0 {
                counts[i] / exposure[i]
            } else {
                0.0
            };
            shrink(rate, exposure[i], mean, a)
        })
        .collect())
}

/// Local (spatial) empirical Bayes rates: each township shrinks towards the
/// rate of itself and its neighbours (esda `Spatial_Empirical_Bayes`).
pub fn spatial_empirical_bayes(
    counts: &[f64],
    exposure: &[f64],
    w: &Weights,
) -> Result<Vec<f64>, StatsError> {
    check_inputs(counts, exposure)?;
    check_values("counts", counts, w.len())?;
    Ok((0..counts.len())
        .map(|i| {
            let nb = w.neighbours(i);
            let group = || nb.iter().copied().chain(std::iter::once(i));
            let e_sum: f64 = group().map(|j| counts[j]).sum();
            let b_sum: f64 = group().map(|j| exposure[j]).sum();
            if b_sum <= 0.0 {
                return f64::NAN;
            }
            let mean = e_sum / b_sum;
            let k = (nb.len() + 1) as f64;
            let s2: f64 = group()
                .filter(|&j| exposure[j] > 0.0)
                .map(|j| {
                    let d = counts[j] / exposure[j] - mean;
                    exposure[j] * d * d
                })
                .sum::<f64>()
                / b_sum;
            let a = (s2 - mean / (b_sum / k)).max(0.0);
            let rate = if exposure[i] > 0.0 {
                counts[i] / exposure[i]
            } else {
                0.0
            };
            shrink(rate, exposure[i], mean, a)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_exposure_gets_the_prior_mean_and_zero_counts_are_kept() {
        let eb = empirical_bayes(&[0.0, 10.0, 30.0, 5.0], &[100.0, 1000.0, 1000.0, 0.0]).unwrap();
        let mean = 40.0 / 2100.0;
        assert!((eb[3] - mean).abs() < 1e-15);
        assert!(eb[0] >= 0.0 && eb[0] < mean);
        assert!(raw_rates(&[1.0], &[0.0]).unwrap()[0].is_nan());
    }

    #[test]
    fn identical_rates_shrink_to_the_mean() {
        // s² = 0 < r̄/b̄, so A is clamped to 0 and every rate is the mean.
        let eb = empirical_bayes(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]).unwrap();
        assert!(eb.iter().all(|r| (r - 0.1).abs() < 1e-15));
    }

    #[test]
    fn negative_inputs_are_rejected() {
        assert!(empirical_bayes(&[-1.0], &[1.0]).is_err());
    }
}
