//! `naive`: next year equals last year (statsforecast's `Naive`).

use crate::forecaster::{calibrated, per_series, Forecaster};
use crate::panel::History;
use crate::predictive::Predictive;

/// Last year's count.
#[derive(Debug, Clone, Copy, Default)]
pub struct Naive;

/// The mean forecast of every series.
pub fn means(h: &History<'_>) -> Vec<f64> {
    per_series(h, |_, y| y[y.len() - 1])
}

impl Forecaster for Naive {
    fn name(&self) -> String {
        "naive".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &means)
    }
}
