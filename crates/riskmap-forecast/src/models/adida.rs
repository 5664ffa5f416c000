//! `adida`: the aggregate–disaggregate intermittent demand approach on the
//! monthly series (statsforecast's `ADIDA`): months are summed into blocks
//! as long as the mean interval between events (rounded half to even, as
//! Python rounds), the oldest incomplete block dropped, the block sums
//! smoothed by SES (α optimised on [0.1, 0.3]) and the forecast spread
//! evenly over the block's months; 12 times that per year. An all-zero
//! series forecasts 0.

use crate::forecaster::{calibrated, Forecaster};
use crate::models::croston::yearly_from_monthly;
use crate::panel::History;
use crate::predictive::Predictive;
use crate::smoothing::{chunk_forecast, intervals};

/// ADIDA.
#[derive(Debug, Clone, Copy, Default)]
pub struct Adida;

/// ADIDA's forecast of one series (per period).
pub fn forecast_one(y: &[f64]) -> f64 {
    if y.iter().all(|v| *v == 0.0) {
        return 0.0;
    }
    let iv = intervals(y);
    let mean = iv.iter().sum::<f64>() / iv.len() as f64;
    let level = (mean.round_ties_even() as usize).max(1);
    chunk_forecast(y, level) / level as f64
}

/// The mean forecast of every series.
pub fn means(h: &History<'_>) -> Vec<f64> {
    yearly_from_monthly(h, forecast_one)
}

impl Forecaster for Adida {
    fn name(&self) -> String {
        "adida".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &means)
    }
}
