//! `glm_negbin`: the negative binomial (NB2) regression of
//! [`crate::models::glm`], IRLS alternating with the moment estimate of the
//! size θ; the predictive is NB(μ̂, θ̂).

use crate::forecaster::Forecaster;
use crate::models::glm::fit;
use crate::panel::History;
use crate::predictive::Predictive;

/// Negative binomial GLM.
#[derive(Debug, Clone, Copy, Default)]
pub struct GlmNegBin;

impl Forecaster for GlmNegBin {
    fn name(&self) -> String {
        "glm_negbin".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        let f = fit(h, true);
        f.means
            .into_iter()
            .map(|m| Predictive::count(m, f.size))
            .collect()
    }
}
