//! `ensemble`: the equal-weight combination of several models: the mean of
//! their means, and as predictive the equal-weight mixture of their
//! predictive distributions (an empirical pmf), whose spread also reflects
//! how much the members disagree.

use crate::forecaster::Forecaster;
use crate::panel::History;
use crate::predictive::Predictive;

/// An equal-weight ensemble.
pub struct Ensemble {
    /// The members.
    pub members: Vec<Box<dyn Forecaster>>,
}

impl Default for Ensemble {
    /// SES, spatial EB, the NB regression and TSB: a smoother, a shrinkage
    /// model, a regression and an intermittent-demand model.
    fn default() -> Self {
        use crate::models::*;
        Ensemble {
            members: vec![
                Box::new(Ses),
                Box::new(SpatialEb),
                Box::new(GlmNegBin),
                Box::new(Tsb::default()),
            ],
        }
    }
}

impl Forecaster for Ensemble {
    fn name(&self) -> String {
        "ensemble".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        let parts: Vec<Vec<Predictive>> = self.members.iter().map(|m| m.forecast(h)).collect();
        let parts: Vec<&[Predictive]> = parts.iter().map(Vec::as_slice).collect();
        self.combine(&parts, h.n()).expect("an ensemble combines")
    }

    fn members(&self) -> Vec<String> {
        self.members.iter().map(|m| m.name()).collect()
    }

    fn combine(&self, parts: &[&[Predictive]], n: usize) -> Option<Vec<Predictive>> {
        Some(
            (0..n)
                .map(|i| {
                    Predictive::mixture(&parts.iter().map(|p| p[i].clone()).collect::<Vec<_>>())
                })
                .collect(),
        )
    }
}
