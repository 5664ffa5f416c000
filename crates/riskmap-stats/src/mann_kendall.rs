//! The Mann–Kendall trend test, as pymannkendall's `original_test` reports
//! it.
//!
//! S = Σ_{k<j} sign(xⱼ − xₖ); Var(S) = [n(n−1)(2n+5) − Σₜ t(t−1)(2t+5)]/18
//! over groups of t tied values; z = (S − 1)/√Var for S > 0, (S + 1)/√Var for
//! S < 0, 0 for S = 0 (continuity correction); p = 2·P(Z > |z|); and
//! τ = S / (n(n−1)/2), Kendall's tau-a (pymannkendall's `Tau`, which does
//! not correct the denominator for ties).

use serde::{Deserialize, Serialize};

use crate::{normal, StatsError};

/// The Mann–Kendall test of one series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MannKendall {
    /// Length of the series.
    pub n: usize,
    /// The score S.
    pub s: f64,
    /// Var(S) with the tie correction.
    pub var_s: f64,
    /// Continuity-corrected z.
    pub z: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Kendall's tau-a, S / (n(n−1)/2).
    pub tau: f64,
}

/// Mann–Kendall test of `x` in time order (at least two finite values).
pub fn mann_kendall(x: &[f64]) -> Result<MannKendall, StatsError> {
    if let Some(index) = x.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::NonFinite {
            what: "series",
            index,
        });
    }
    let n = x.len();
    if n < 2 {
        return Err(StatsError::TooFew {
            statistic: "Mann-Kendall",
            needed: 2,
            got: n,
        });
    }
    let mut s: i64 = 0;
    for k in 0..n - 1 {
        for j in k + 1..n {
            s += match x[j].partial_cmp(&x[k]) {
                Some(std::cmp::Ordering::Greater) => 1,
                Some(std::cmp::Ordering::Less) => -1,
                _ => 0,
            };
        }
    }
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && sorted[end] == sorted[start] {
            end += 1;
        }
        let t = (end - start) as f64;
        ties += t * (t - 1.0) * (2.0 * t + 5.0);
        start = end;
    }
    let nf = n as f64;
    let var_s = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    let sf = s as f64;
    let z = match s.signum() {
        1 => (sf - 1.0) / var_s.sqrt(),
        -1 => (sf + 1.0) / var_s.sqrt(),
        _ => 0.0,
    };
    Ok(MannKendall {
        n,
        s: sf,
        var_s,
        z,
        p: normal::two_sided_p(z),
        tau: sf / (0.5 * nf * (nf - 1.0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_ties_have_no_trend() {
        let mk = mann_kendall(&[3.0, 3.0, 3.0]).unwrap();
        assert_eq!(
            (mk.s, mk.var_s, mk.z, mk.p, mk.tau),
            (0.0, 0.0, 0.0, 1.0, 0.0)
        );
        assert!(mann_kendall(&[1.0]).is_err());
    }
}
