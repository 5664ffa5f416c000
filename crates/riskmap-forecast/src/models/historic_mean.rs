//! `historic_mean`: the mean of every known year (statsforecast's `HistoricAverage`).

use crate::forecaster::{calibrated, per_series, Forecaster};
use crate::panel::History;
use crate::predictive::Predictive;

/// Mean of all known years.
#[derive(Debug, Clone, Copy, Default)]
pub struct HistoricMean;

/// The mean forecast of every series.
pub fn means(h: &History<'_>) -> Vec<f64> {
    per_series(h, |_, y| y.iter().sum::<f64>() / y.len() as f64)
}

impl Forecaster for HistoricMean {
    fn name(&self) -> String {
        "historic_mean".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &means)
    }
}
