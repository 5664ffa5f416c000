//! `holt_damped`: Holt's linear method with a damped trend (Gardner and
//! McKenzie), one step ahead: level ℓ, trend b, damping φ,
//!
//! ```text
//! ŷ_{t+1} = ℓ_t + φ b_t
//! ℓ_t = α y_t + (1 − α)(ℓ_{t−1} + φ b_{t−1})
//! b_t = β (ℓ_t − ℓ_{t−1}) + (1 − β) φ b_{t−1}
//! ```
//!
//! started at ℓ₀ = y₀, b₀ = y₁ − y₀. (α, β, φ) minimise the one-step SSE
//! over a grid (α and β in 0.05 … 0.95 by 0.1 with β ≤ α, φ in 0.8, 0.9,
//! 0.98): yearly series are a handful of points, where a grid is as good as
//! an optimiser and cannot fail to converge. Forecasts below zero are 0.
//! A series of fewer than three years falls back to its mean.

use crate::forecaster::{calibrated, clean, per_series, Forecaster};
use crate::panel::History;
use crate::predictive::Predictive;

/// Damped-trend Holt.
#[derive(Debug, Clone, Copy, Default)]
pub struct HoltDamped;

/// One-step SSE and the forecast after the last value.
fn run(y: &[f64], alpha: f64, beta: f64, phi: f64) -> (f64, f64) {
    let (mut l, mut b) = (y[0], y[1] - y[0]);
    let mut sse = 0.0;
    for &v in &y[1..] {
        let f = l + phi * b;
        sse += (v - f) * (v - f);
        let l_new = alpha * v + (1.0 - alpha) * f;
        b = beta * (l_new - l) + (1.0 - beta) * phi * b;
        l = l_new;
    }
    (sse, l + phi * b)
}

/// The forecast of one series.
pub fn forecast_one(y: &[f64]) -> f64 {
    if y.len() < 3 {
        return y.iter().sum::<f64>() / y.len() as f64;
    }
    let mut best = (f64::INFINITY, 0.0);
    for ai in 0..10 {
        let alpha = 0.05 + 0.1 * ai as f64;
        for bi in 0..=ai {
            let beta = 0.05 + 0.1 * bi as f64;
            for phi in [0.8, 0.9, 0.98] {
                let r = run(y, alpha, beta, phi);
                if r.0 < best.0 {
                    best = r;
                }
            }
        }
    }
    clean(best.1)
}

/// The mean forecast of every series.
pub fn means(h: &History<'_>) -> Vec<f64> {
    per_series(h, |_, y| forecast_one(y))
}

impl Forecaster for HoltDamped {
    fn name(&self) -> String {
        "holt_damped".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &means)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_straight_line_is_followed_with_damping() {
        // On y = 10, 12, …, 20 a damped trend forecasts above the last value
        // and below the undamped 22.
        let f = super::forecast_one(&[10.0, 12.0, 14.0, 16.0, 18.0, 20.0]);
        assert!(f > 20.0 && f < 22.0, "{f}");
    }
}
