//! `oracle`: on a synthetic region, the true expected count of the target
//! year (the panel's `truth`, supplied by the caller). Its errors are the
//! counts' own noise, the floor no model can beat on average. The
//! predictive is NB around the truth with the size estimated, as for the
//! point models ([`calibrated`]), from how the actual counts of earlier
//! years scattered around their true expectations. Without truth it
//! forecasts nothing (an empty vector), and the backtest leaves it out.

use crate::forecaster::{calibrated, Forecaster};
use crate::panel::History;
use crate::predictive::Predictive;

/// The true intensity.
#[derive(Debug, Clone, Copy, Default)]
pub struct Oracle;

/// The true expected count of every series in the target year.
pub fn means(h: &History<'_>) -> Vec<f64> {
    (0..h.n())
        .map(|i| h.truth(i).map_or(f64::NAN, |t| t[h.len()]))
        .collect()
}

impl Forecaster for Oracle {
    fn name(&self) -> String {
        "oracle".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        if h.n() == 0 || h.truth(0).is_none() {
            return Vec::new();
        }
        calibrated(h, &means)
    }
}
