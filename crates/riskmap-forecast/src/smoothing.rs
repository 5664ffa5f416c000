//! Simple exponential smoothing primitives shared by SES, Croston, TSB and
//! ADIDA, defined exactly as statsforecast defines them (so that the
//! models can be checked against it value for value):
//!
//! - the level starts at the first value, `f₁ = x₀`, then
//!   `f_{t+1} = α x_t + (1 − α) f_t`; the forecast is the level after the
//!   last value (a one-value series forecasts that value);
//! - the SSE is summed over the one-step errors from the second value on;
//! - α is optimised by golden-section search on an interval, stopping when
//!   the interval is narrower than 1e-12 or the two inner values tie.

/// The one-step fitted levels f₁ … f_{n−1} (f_i predicts x_i) and the forecast.
fn ses_levels(x: &[f64], alpha: f64, mut on_fit: impl FnMut(usize, f64)) -> f64 {
    let mut f = x[0];
    for i in 1..x.len() {
        f = alpha * x[i - 1] + (1.0 - alpha) * f;
        on_fit(i, f);
    }
    if x.len() == 1 {
        return x[0];
    }
    alpha * x[x.len() - 1] + (1.0 - alpha) * f
}

/// Sum of squared one-step errors of SES with `alpha`.
pub fn ses_sse(x: &[f64], alpha: f64) -> f64 {
    let mut sse = 0.0;
    if x.len() < 2 {
        return 0.0;
    }
    ses_levels(x, alpha, |i, f| sse += (x[i] - f) * (x[i] - f));
    sse
}

/// α minimising [`ses_sse`] on [lo, hi] by golden-section search.
pub fn golden_section_ses(x: &[f64], lo: f64, hi: f64) -> f64 {
    let gr = (5.0f64.sqrt() + 1.0) / 2.0;
    let (mut a, mut b) = (lo, hi);
    let mut c = b - (b - a) / gr;
    let mut d = a + (b - a) / gr;
    let (mut fc, mut fd) = (ses_sse(x, c), ses_sse(x, d));
    while (b - a).abs() >= 1e-12 {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - (b - a) / gr;
            fc = ses_sse(x, c);
        } else if fd < fc {
            a = c;
            c = d;
            fc = fd;
            d = a + (b - a) / gr;
            fd = ses_sse(x, d);
        } else {
            break;
        }
    }
    (a + b) / 2.0
}

/// SES forecast with α optimised on [lo, hi].
pub fn ses_optimized(x: &[f64], lo: f64, hi: f64) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    ses(x, golden_section_ses(x, lo, hi))
}

/// SES forecast with a fixed α (`x` may be empty: 0).
pub fn ses(x: &[f64], alpha: f64) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    ses_levels(x, alpha, |_, _| {})
}

/// The positive values of `x` (demand sizes).
pub fn demand(x: &[f64]) -> Vec<f64> {
    x.iter().copied().filter(|v| *v > 0.0).collect()
}

/// Intervals between non-zero values, the first counted from before the
/// series start (statsforecast's `_intervals`).
pub fn intervals(x: &[f64]) -> Vec<f64> {
    let mut prev = 0usize;
    let mut out = Vec::new();
    for (i, v) in x.iter().enumerate() {
        if *v != 0.0 {
            out.push((i + 1 - prev) as f64);
            prev = i + 1;
        }
    }
    out
}

/// Sums of consecutive blocks of `level` values, dropping the oldest
/// `len % level` values, then SES with α optimised on [0.1, 0.3]
/// (statsforecast's `chunk_forecast`, used by ADIDA).
pub fn chunk_forecast(y: &[f64], level: usize) -> f64 {
    let n = y.len();
    let lost = n % level;
    if n - lost < level {
        return y[n - 1];
    }
    let sums: Vec<f64> = y[lost..].chunks(level).map(|c| c.iter().sum()).collect();
    if sums.len() <= 1 {
        return sums[0];
    }
    ses_optimized(&sums, 0.1, 0.3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ses_matches_the_recursion_by_hand() {
        // x = [2, 4, 0], α = 0.5: f1 = 2, f2 = 0.5·4 + 0.5·2 = 3, forecast 0.5·0 + 0.5·3 = 1.5.
        assert!((ses(&[2.0, 4.0, 0.0], 0.5) - 1.5).abs() < 1e-15);
        // SSE: (4 − 2)² + (0 − 3)² = 13.
        assert!((ses_sse(&[2.0, 4.0, 0.0], 0.5) - 13.0).abs() < 1e-15);
        assert_eq!(ses(&[7.0], 0.3), 7.0);
        assert_eq!(intervals(&[0.0, 3.0, 0.0, 0.0, 1.0]), vec![2.0, 3.0]);
    }
}
