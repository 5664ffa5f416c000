//! The models, one per module; this list is the catalogue.
//!
//! | name | module | what |
//! | --- | --- | --- |
//! | `naive` | [`naive`] | last year |
//! | `historic_mean` | [`historic_mean`] | mean of all known years |
//! | `moving_average` | [`moving_average`] | mean of the last 3 years |
//! | `ses` | [`ses`] | simple exponential smoothing, α by SSE |
//! | `holt_damped` | [`holt_damped`] | Holt's damped trend, (α, β, φ) by SSE on a grid |
//! | `glm_poisson` | [`glm_poisson`] | Poisson regression: trend, covariates, exposure offset (IRLS) |
//! | `glm_negbin` | [`glm_negbin`] | the same, negative binomial with size by moments |
//! | `eb` | [`eb`] | empirical-Bayes Poisson–gamma shrinkage across townships |
//! | `spatial_eb` | [`spatial_eb`] | the same towards each township's neighbourhood |
//! | `bym2` | [`bym2`] | NB with BYM2 township effects, trend and covariates; Laplace fit, variances by marginal likelihood |
//! | `croston` | [`croston`] | Croston on monthly counts, × 12 |
//! | `sba` | [`sba`] | Syntetos–Boylan approximation (Croston × 0.95) |
//! | `tsb` | [`tsb`] | Teunter–Syntetos–Babai, α_d = α_p = 0.1 |
//! | `adida` | [`adida`] | aggregate–disaggregate with SES |
//! | `reconcile_bu` | [`reconcile`] | SES, bottom-up with the county total |
//! | `reconcile_mint` | [`reconcile`] | SES, MinT-shrink with the county total |
//! | `ensemble` | [`ensemble`] | mixture of SES, spatial EB, NB regression and TSB |
//! | `oracle` | [`oracle`] | the true intensity (synthetic regions) |
//!
//! [`glm`] holds the IRLS fit the two regressions share.

pub mod adida;
pub mod bym2;
pub mod croston;
pub mod eb;
pub mod ensemble;
pub mod glm;
pub mod glm_negbin;
pub mod glm_poisson;
pub mod historic_mean;
pub mod holt_damped;
pub mod moving_average;
pub mod naive;
pub mod oracle;
pub mod reconcile;
pub mod sba;
pub mod ses;
pub mod spatial_eb;
pub mod tsb;

pub use adida::Adida;
pub use bym2::Bym2;
pub use croston::Croston;
pub use eb::EmpiricalBayes;
pub use ensemble::Ensemble;
pub use glm_negbin::GlmNegBin;
pub use glm_poisson::GlmPoisson;
pub use historic_mean::HistoricMean;
pub use holt_damped::HoltDamped;
pub use moving_average::MovingAverage;
pub use naive::Naive;
pub use oracle::Oracle;
pub use reconcile::Reconciled;
pub use sba::Sba;
pub use ses::Ses;
pub use spatial_eb::SpatialEb;
pub use tsb::Tsb;

use crate::forecaster::Forecaster;

/// Every built-in model's name, in leaderboard order.
pub const NAMES: &[&str] = &[
    "naive",
    "historic_mean",
    "moving_average",
    "ses",
    "holt_damped",
    "glm_poisson",
    "glm_negbin",
    "eb",
    "spatial_eb",
    "bym2",
    "croston",
    "sba",
    "tsb",
    "adida",
    "reconcile_bu",
    "reconcile_mint",
    "ensemble",
    "oracle",
];

/// A built-in model by name, with its default parameters.
pub fn by_name(name: &str) -> Option<Box<dyn Forecaster>> {
    Some(match name {
        "naive" => Box::new(Naive),
        "historic_mean" => Box::new(HistoricMean),
        "moving_average" => Box::new(MovingAverage::default()),
        "ses" => Box::new(Ses),
        "holt_damped" => Box::new(HoltDamped),
        "glm_poisson" => Box::new(GlmPoisson),
        "glm_negbin" => Box::new(GlmNegBin),
        "eb" => Box::new(EmpiricalBayes),
        "spatial_eb" => Box::new(SpatialEb),
        "bym2" => Box::new(Bym2),
        "croston" => Box::new(Croston),
        "sba" => Box::new(Sba),
        "tsb" => Box::new(Tsb::default()),
        "adida" => Box::new(Adida),
        "reconcile_bu" => Box::new(Reconciled::bottom_up()),
        "reconcile_mint" => Box::new(Reconciled::mint()),
        "ensemble" => Box::new(Ensemble::default()),
        "oracle" => Box::new(Oracle),
        _ => return None,
    })
}
