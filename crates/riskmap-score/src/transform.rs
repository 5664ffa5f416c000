//! Indicator transforms and scaling to 0–10, as INFORM does it: log(1 + x)
//! for skewed indicators, then min–max scaling capped at two quantiles so
//! that one outlier township does not squash everyone else to zero.

use crate::config::{ScoreConfig, Transform};

/// Sample skewness g1 = m3 / m2^1.5 (population moments, as
/// `scipy.stats.skew` with `bias=True`); 0 for fewer than 3 values or no spread.
pub fn skewness(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 3 {
        return 0.0;
    }
    let mean = x.iter().sum::<f64>() / n;
    let m2 = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let m3 = x.iter().map(|v| (v - mean).powi(3)).sum::<f64>() / n;
    if m2 <= 0.0 {
        0.0
    } else {
        m3 / m2.powf(1.5)
    }
}

/// Quantile `p` of `sorted` (ascending) by linear interpolation between
/// order statistics (Hyndman–Fan type 7, numpy's default).
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    assert!(!sorted.is_empty(), "quantile of nothing");
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// How one indicator is put on the 0–10 scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// log(1 + x) before scaling.
    pub log: bool,
    /// Transformed value that scores 0.
    pub lo: f64,
    /// Transformed value that scores 10.
    pub hi: f64,
    /// 10 − score (a higher raw value means less of the dimension).
    pub inverted: bool,
    /// Skewness of the raw values.
    pub skewness: f64,
}

impl Scale {
    /// Fits the scale to the values present; `None` when they do not vary
    /// (an indicator with one value everywhere says nothing about who is
    /// riskier and is left out, and reported as such).
    pub fn fit(
        values: &[f64],
        transform: Transform,
        inverted: bool,
        cfg: &ScoreConfig,
    ) -> Option<Scale> {
        if values.is_empty() {
            return None;
        }
        let skew = skewness(values);
        let nonneg = values.iter().all(|v| *v >= 0.0);
        let log = match transform {
            Transform::Log => nonneg,
            Transform::Linear => false,
            Transform::Auto => nonneg && skew > cfg.skew_threshold,
        };
        let mut t: Vec<f64> = values
            .iter()
            .map(|v| if log { v.ln_1p() } else { *v })
            .collect();
        t.sort_by(f64::total_cmp);
        let (mut lo, mut hi) = (
            quantile(&t, cfg.cap_quantiles[0]),
            quantile(&t, cfg.cap_quantiles[1]),
        );
        if hi <= lo {
            // Most townships share one value (often zero): the caps collapse,
            // so fall back to the plain range, which still separates the few
            // that differ.
            (lo, hi) = (t[0], t[t.len() - 1]);
        }
        (hi > lo).then_some(Scale {
            log,
            lo,
            hi,
            inverted,
            skewness: skew,
        })
    }

    /// The 0–10 score of a raw value.
    pub fn apply(&self, x: f64) -> f64 {
        let t = if self.log { x.max(0.0).ln_1p() } else { x };
        let s = (10.0 * (t - self.lo) / (self.hi - self.lo)).clamp(0.0, 10.0);
        if self.inverted {
            10.0 - s
        } else {
            s
        }
    }

    /// The raw value that scores `s` (before inversion), for reports.
    pub fn raw_at(&self, t: f64) -> f64 {
        if self.log {
            t.exp_m1()
        } else {
            t
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_inputs() {
        assert_eq!(skewness(&[3.0, 3.0, 3.0]), 0.0);
        assert_eq!(skewness(&[1.0, 2.0]), 0.0);
        assert_eq!(quantile(&[4.0], 0.9), 4.0);
    }

    #[test]
    fn skewed_counts_are_logged_and_capped() {
        let cfg = ScoreConfig::default();
        let mut v: Vec<f64> = (0..19).map(|i| i as f64).collect();
        v.push(1000.0);
        let s = Scale::fit(&v, Transform::Auto, false, &cfg).unwrap();
        assert!(s.log, "skewness {}", s.skewness);
        assert_eq!(s.apply(1000.0), 10.0);
        assert_eq!(s.apply(0.0), 0.0);
        // The outlier is capped, so the second largest is not squashed.
        assert!(s.apply(18.0) > 7.0, "{}", s.apply(18.0));
        let lin = Scale::fit(&[1.0, 2.0, 3.0, 4.0, 5.0], Transform::Auto, false, &cfg).unwrap();
        assert!(!lin.log);
        assert!((lin.apply(3.0) - 5.0).abs() < 1e-12);
        let inv = Scale::fit(&[1.0, 2.0, 3.0, 4.0, 5.0], Transform::Linear, true, &cfg).unwrap();
        assert_eq!(inv.apply(5.0), 0.0);
        assert!(Scale::fit(&[2.0, 2.0, 2.0], Transform::Auto, false, &cfg).is_none());
        // Mostly zeros: the caps collapse and the plain range is used.
        let z = Scale::fit(
            &[
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                0.0, 0.0, 0.0, 3.0,
            ],
            Transform::Linear,
            false,
            &cfg,
        )
        .unwrap();
        assert_eq!(z.apply(3.0), 10.0);
    }
}
