//! Marshall's global empirical Bayes rate (method of moments), as SPEC
//! defines `rate_eb`: each township's rate is shrunk toward the regional rate
//! by how little exposure it has.
//!
//! With counts y_i, exposures n_i, raw rates r_i = y_i/n_i, the regional rate
//! m = Σy/Σn, the exposure-weighted variance s² = Σ n_i (r_i − m)² / Σn and
//! the mean exposure n̄ = Σn/N, the between-township variance is
//! a = s² − m/n̄, set to 0 when negative (Marshall 1991, p. 286), and
//!
//! ```text
//! EB_i = m + a / (a + m/n_i) · (r_i − m)
//! ```
//!
//! PySAL's `esda.Empirical_Bayes` computes the same without the clamp; the
//! test compares with its values where a > 0.

/// The EB rates, in input order; `None` when there is no exposure at all or
/// the lengths differ. Townships with zero exposure get the regional rate.
pub fn marshall_global(y: &[f64], n: &[f64]) -> Option<Vec<f64>> {
    if y.len() != n.len() || y.is_empty() {
        return None;
    }
    let (sy, sn): (f64, f64) = (y.iter().sum(), n.iter().sum());
    if sn.is_nan() || sn <= 0.0 {
        return None;
    }
    let m = sy / sn;
    let s2 = y
        .iter()
        .zip(n)
        .filter(|(_, n)| **n > 0.0)
        .map(|(y, n)| n * (y / n - m).powi(2))
        .sum::<f64>()
        / sn;
    let n_bar = sn / y.len() as f64;
    let a = (s2 - m / n_bar).max(0.0);
    Some(
        y.iter()
            .zip(n)
            .map(|(y, n)| {
                if *n <= 0.0 || a + m / n == 0.0 {
                    m
                } else {
                    let r = y / n;
                    m + a / (a + m / n) * (r - m)
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_between_variance_shrinks_everything_to_the_regional_rate() {
        // Rates equal up to Poisson noise: a < 0, clamped to 0.
        let r = marshall_global(&[1.0, 2.0, 1.0], &[10.0, 10.0, 10.0]).unwrap();
        for x in r {
            assert!((x - 4.0 / 30.0).abs() < 1e-12);
        }
    }

    #[test]
    fn large_exposures_keep_their_own_rate() {
        let r = marshall_global(&[1000.0, 5000.0], &[1000.0, 1000.0]).unwrap();
        assert!(
            (r[0] - 1.0).abs() < 0.01 && (r[1] - 5.0).abs() < 0.01,
            "{r:?}"
        );
        assert!(marshall_global(&[], &[]).is_none());
        assert!(marshall_global(&[1.0], &[0.0]).is_none());
    }
}
