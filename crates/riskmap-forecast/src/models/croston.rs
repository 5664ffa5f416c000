//! `croston`: Croston's method on the monthly series (statsforecast's
//! `CrostonClassic`): SES with α = 0.1 of the positive monthly counts and of
//! the intervals between them; the monthly rate is their ratio, and the
//! year's forecast 12 times that rate. A series without any event forecasts
//! its last value (0). Measures without monthly counts (yearly
//! `area_counts`) are smoothed on the yearly series instead, with no factor 12.

use crate::forecaster::{calibrated, Forecaster};
use crate::panel::History;
use crate::predictive::Predictive;
use crate::smoothing::{demand, intervals, ses};

/// Croston's classic method.
#[derive(Debug, Clone, Copy, Default)]
pub struct Croston;

/// Croston's forecast of one series (per period).
pub fn forecast_one(y: &[f64]) -> f64 {
    let d = demand(y);
    if d.is_empty() {
        return y[y.len() - 1];
    }
    let size = ses(&d, 0.1);
    let interval = ses(&intervals(y), 0.1);
    if interval != 0.0 {
        size / interval
    } else {
        size
    }
}

/// Applies a per-period intermittent forecast to the monthly series of
/// every township (times 12), or to the yearly series when the panel has
/// no monthly counts.
pub fn yearly_from_monthly(h: &History<'_>, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    (0..h.n())
        .map(|i| match h.monthly(i) {
            Some(m) => 12.0 * f(m),
            None => f(h.counts(i)),
        })
        .collect()
}

/// The mean forecast of every series.
pub fn means(h: &History<'_>) -> Vec<f64> {
    yearly_from_monthly(h, forecast_one)
}

impl Forecaster for Croston {
    fn name(&self) -> String {
        "croston".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &means)
    }
}
