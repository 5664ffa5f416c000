//! `glm_poisson`: the Poisson regression of [`crate::models::glm`]
//! (trend, covariates, township level, exposure offset) by IRLS. Its
//! predictive is the Poisson distribution the model states, on purpose not
//! recalibrated: it shows what ignoring over-dispersion costs in CRPS and
//! coverage.

use crate::forecaster::Forecaster;
use crate::models::glm::fit;
use crate::panel::History;
use crate::predictive::Predictive;

/// Poisson GLM.
#[derive(Debug, Clone, Copy, Default)]
pub struct GlmPoisson;

impl Forecaster for GlmPoisson {
    fn name(&self) -> String {
        "glm_poisson".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        fit(h, false)
            .means
            .into_iter()
            .map(|m| Predictive::count(m, None))
            .collect()
    }
}
