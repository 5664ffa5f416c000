//! `tsb`: Teunter–Syntetos–Babai on the monthly series (statsforecast's
//! `TSB`): SES (α_p) of the 0/1 occurrence indicator, updated every month so
//! that the forecast decays through long runs of zeros, times SES (α_d) of
//! the positive counts; 12 times that per year. Defaults α_d = α_p = 0.1.
//! An all-zero series forecasts 0.

use crate::forecaster::{calibrated, Forecaster};
use crate::models::croston::yearly_from_monthly;
use crate::panel::History;
use crate::predictive::Predictive;
use crate::smoothing::{demand, ses};

/// TSB with fixed smoothing parameters.
#[derive(Debug, Clone, Copy)]
pub struct Tsb {
    /// Smoothing of the demand sizes.
    pub alpha_d: f64,
    /// Smoothing of the occurrence probability.
    pub alpha_p: f64,
}

impl Default for Tsb {
    fn default() -> Self {
        Tsb {
            alpha_d: 0.1,
            alpha_p: 0.1,
        }
    }
}

impl Tsb {
    /// TSB's forecast of one series (per period).
    pub fn forecast_one(&self, y: &[f64]) -> f64 {
        if y.iter().all(|v| *v == 0.0) {
            return 0.0;
        }
        let p: Vec<f64> = y
            .iter()
            .map(|v| if *v != 0.0 { 1.0 } else { 0.0 })
            .collect();
        ses(&p, self.alpha_p) * ses(&demand(y), self.alpha_d)
    }

    /// The mean forecast of every series.
    pub fn means(&self, h: &History<'_>) -> Vec<f64> {
        yearly_from_monthly(h, |y| self.forecast_one(y))
    }
}

impl Forecaster for Tsb {
    fn name(&self) -> String {
        "tsb".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &|h| self.means(h))
    }
}
