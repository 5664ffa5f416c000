//! Forecasting next year's incidents per township, with honest uncertainty,
//! and the rolling-origin backtest that compares models on equal terms.
//!
//! Pure computation: the caller builds a [`Panel`] per measure (yearly
//! counts per township; optionally monthly counts, exposure, covariates,
//! neighbour lists and, on synthetic regions, the true intensity) and gets
//! back [`Predictive`] distributions (Poisson, negative binomial or a pmf)
//! with their mean, quantiles and exact CRPS.
//!
//! - [`Forecaster`]: the trait every model implements; [`models`] lists them.
//! - [`metrics`]: MAE, RMSE, Poisson deviance, coverage, Spearman, top-10%
//!   hit rate, PAI.
//! - [`backtest`]: rolling origins in parallel, the leaderboard, and the
//!   rule that picks a model per measure.
//!
//! # Adding a model
//!
//! Implement [`Forecaster`]: from the history of one measure, one predictive
//! distribution per township. A model that predicts means can take its
//! distribution from [`calibrated`] (negative binomial with the dispersion of
//! its own past errors). Here, the mean of the last two years, damped
//! towards the township's long-run mean:
//!
//! ```
//! use riskmap_forecast::{backtest, calibrated, per_series, Forecaster, History, Panel, Predictive};
//! use riskmap_forecast::models::Naive;
//!
//! struct LastTwo;
//!
//! impl Forecaster for LastTwo {
//!     fn name(&self) -> String {
//!         "last_two".into()
//!     }
//!     fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
//!         let means = |h: &History<'_>| {
//!             per_series(h, |_, y| {
//!                 let recent = &y[y.len().saturating_sub(2)..];
//!                 let r = recent.iter().sum::<f64>() / recent.len() as f64;
//!                 let all = y.iter().sum::<f64>() / y.len() as f64;
//!                 0.7 * r + 0.3 * all
//!             })
//!         };
//!         calibrated(h, &means)
//!     }
//! }
//!
//! let panel = Panel::from_counts(2015, vec![vec![3.0, 5.0, 4.0, 6.0, 5.0], vec![0.0, 1.0, 0.0, 0.0, 2.0]]);
//! let f = LastTwo.forecast(&panel.history(4));
//! assert!((f[0].mean() - (0.7 * 5.0 + 0.3 * 4.5)).abs() < 1e-12);
//!
//! // On equal terms with the built-in models:
//! let measures = vec![backtest::Measure { name: "fires".into(), panel }];
//! let models: Vec<Box<dyn Forecaster>> = vec![Box::new(Naive), Box::new(LastTwo)];
//! let b = backtest::run(&measures, &models, &[2016, 2017, 2018]);
//! let board = backtest::leaderboard(&b, None);
//! assert_eq!(board.iter().filter(|r| r.measure == "all").count(), 2);
//! ```

pub mod backtest;
pub mod forecaster;
pub mod metrics;
pub mod models;
pub mod panel;
pub mod predictive;
pub mod smoothing;

pub use forecaster::{calibrated, per_series, Forecaster};
pub use panel::{History, Panel};
pub use predictive::{Calibration, Predictive, Summary};
