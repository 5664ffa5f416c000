//! Why a township is where it is: the three indicators that push its risk
//! up most, measured against the median township.
//!
//! The contribution of indicator k in dimension d to township i's risk is
//! its share of the risk's sensitivity to that dimension times its distance
//! from the median township on the 0–10 scale:
//!
//! ```text
//! c_ik = ∂risk/∂d · w_k/Σw_d · (s_ik − median_k)        (risk dimensions)
//! c_ik = ∂risk/∂(10−d) · w_k/Σw_d · (median_k − s_ik)   (coping: lack of it)
//! ```
//!
//! with ∂risk/∂d = W_d/ΣW for the arithmetic mean and
//! W_d/ΣW · (1 + risk)/(1 + d) for the geometric mean of (1 + d). Only
//! positive contributions are reasons.

use serde::Serialize;

use crate::aggregate::risk_terms;
use crate::config::{Mean, ScoreConfig};
use crate::indicator::{phrase, Dimension, INDICATORS};
use crate::input::TownshipInput;

/// One reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// Indicator id.
    pub indicator: &'static str,
    /// Risk points it adds against the median township.
    pub contribution: f64,
    /// Chinese phrase.
    pub zh: String,
    /// English phrase.
    pub en: String,
}

/// The median of the values present, `None` if none.
pub fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(crate::transform::quantile(&v, 0.5))
}

/// Inputs the explanation needs for one township.
pub struct Context<'a> {
    /// The township.
    pub town: &'a TownshipInput,
    /// Its raw indicator values.
    pub raw: &'a [Option<f64>],
    /// Its 0–10 indicator scores (`None` where missing or left out).
    pub scaled: &'a [Option<f64>],
    /// Its dimension scores.
    pub dims: &'a [Option<f64>; 5],
    /// Its risk.
    pub risk: f64,
}

/// The top three reasons (fewer if fewer push it up).
pub fn reasons(
    c: &Context<'_>,
    w: &[f64],
    dim_w: &[f64; 5],
    median_scaled: &[Option<f64>],
    median_raw: &[Option<f64>],
    cfg: &ScoreConfig,
) -> Vec<Reason> {
    let terms = risk_terms(c.dims);
    let total_dim_w: f64 = (0..5)
        .filter(|&d| terms[d].is_some())
        .map(|d| dim_w[d])
        .sum();
    let mut within = [0.0; 5];
    for (k, s) in c.scaled.iter().enumerate() {
        if s.is_some() {
            within[INDICATORS[k].dimension.index()] += w[k];
        }
    }
    let mut out: Vec<Reason> = Vec::new();
    for (k, def) in INDICATORS.iter().enumerate() {
        let (Some(s), Some(med), Some(raw)) = (c.scaled[k], median_scaled[k], c.raw[k]) else {
            continue;
        };
        let d = def.dimension.index();
        let Some(term) = terms[d] else { continue };
        if total_dim_w <= 0.0 || within[d] <= 0.0 {
            continue;
        }
        let sens = match cfg.across {
            Mean::Arithmetic => dim_w[d] / total_dim_w,
            Mean::Geometric => dim_w[d] / total_dim_w * (1.0 + c.risk) / (1.0 + term),
        };
        let gap = if def.dimension == Dimension::Coping {
            med - s
        } else {
            s - med
        };
        let contribution = sens * w[k] / within[d] * gap;
        if contribution > 1e-9 {
            let (zh, en) = phrase(k, c.town, raw, median_raw[k].unwrap_or(0.0), cfg);
            out.push(Reason {
                indicator: def.id,
                contribution,
                zh,
                en,
            });
        }
    }
    out.sort_by(|a, b| {
        b.contribution
            .total_cmp(&a.contribution)
            .then(a.indicator.cmp(b.indicator))
    });
    out.truncate(3);
    out
}
