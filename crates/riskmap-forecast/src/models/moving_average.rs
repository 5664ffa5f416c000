//! `moving_average`: the mean of the last `window` years (3 by default;
//! statsforecast's `WindowAverage`). A history shorter than the window
//! averages what it has (statsforecast returns NaN there).

use crate::forecaster::{calibrated, per_series, Forecaster};
use crate::panel::History;
use crate::predictive::Predictive;

/// Mean of the last `window` years.
#[derive(Debug, Clone, Copy)]
pub struct MovingAverage {
    /// Years averaged.
    pub window: usize,
}

impl Default for MovingAverage {
    fn default() -> Self {
        MovingAverage { window: 3 }
    }
}

impl MovingAverage {
    /// The mean forecast of every series.
    pub fn means(&self, h: &History<'_>) -> Vec<f64> {
        per_series(h, |_, y| {
            let tail = &y[y.len().saturating_sub(self.window.max(1))..];
            tail.iter().sum::<f64>() / tail.len() as f64
        })
    }
}

impl Forecaster for MovingAverage {
    fn name(&self) -> String {
        "moving_average".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &|h| self.means(h))
    }
}
