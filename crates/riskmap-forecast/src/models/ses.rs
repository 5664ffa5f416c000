//! `ses`: simple exponential smoothing of the yearly counts, α chosen by
//! SSE minimisation on [0.01, 0.99] (golden section; statsforecast's
//! `SimpleExponentialSmoothingOptimized`).

use crate::forecaster::{calibrated, per_series, Forecaster};
use crate::panel::History;
use crate::predictive::Predictive;
use crate::smoothing::ses_optimized;

/// SES with optimised α.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ses;

/// The mean forecast of every series.
pub fn means(h: &History<'_>) -> Vec<f64> {
    per_series(h, |_, y| ses_optimized(y, 0.01, 0.99))
}

impl Forecaster for Ses {
    fn name(&self) -> String {
        "ses".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &means)
    }
}
