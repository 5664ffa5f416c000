//! `sba`: the Syntetos–Boylan approximation, Croston's forecast times
//! 1 − α/2 = 0.95, which removes most of Croston's upward bias
//! (statsforecast's `CrostonSBA`), monthly, aggregated to the year.

use crate::forecaster::{calibrated, Forecaster};
use crate::models::croston::{forecast_one as croston, yearly_from_monthly};
use crate::panel::History;
use crate::predictive::Predictive;

/// Croston with the SBA correction.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sba;

/// The mean forecast of every series.
pub fn means(h: &History<'_>) -> Vec<f64> {
    yearly_from_monthly(h, |y| 0.95 * croston(y))
}

impl Forecaster for Sba {
    fn name(&self) -> String {
        "sba".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &means)
    }
}
