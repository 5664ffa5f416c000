//! Benjamini–Hochberg false-discovery-rate adjustment of p-values.
//!
//! The adjusted value (the BH "q-value") of the p-value ranked r among m is
//! min over s ≥ r of p₍ₛ₎·m/s, capped at 1; testing q ≤ α is the BH step-up
//! procedure at level α (esda's `fdr` returns the equivalent p threshold).

/// BH-adjusted p-values, in the input order. NaN inputs stay NaN and do not
/// count towards m.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let m = order.len() as f64;
    let mut q = vec![f64::NAN; p.len()];
    let mut running = 1.0_f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m / (rank + 1) as f64);
        q[i] = running.min(1.0);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand from the definition (m = 5 finite p-values), exact to
    /// rounding.
    #[test]
    fn adjusts_like_the_step_up_procedure() {
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.2, f64::NAN, 0.005]);
        let want = [0.025, 0.05, 0.05, 0.2, f64::NAN, 0.025];
        for (g, w) in q.iter().zip(want) {
            assert!(g.is_nan() && w.is_nan() || (g - w).abs() < 1e-15, "{q:?}");
        }
    }
}
