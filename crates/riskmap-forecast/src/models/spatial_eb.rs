//! `spatial_eb`: Marshall's local empirical Bayes: the same shrinkage as
//! [`crate::models::eb`], but each township is pulled towards the rate of
//! its own neighbourhood (itself and its neighbours, from the neighbour
//! lists the caller passes), so a township borrows strength from the
//! townships around it rather than from the whole region. Without neighbour
//! lists it is the global estimator.

use crate::forecaster::{calibrated, Forecaster};
use crate::models::eb::{shrunk_rate, totals, Prior};
use crate::panel::History;
use crate::predictive::Predictive;

/// Local (spatial) empirical Bayes.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpatialEb;

/// The mean forecast of every series.
pub fn means(h: &History<'_>) -> Vec<f64> {
    let t = totals(h);
    let nb = h.neighbours();
    // The region's prior, for townships without a neighbour list, once.
    let global = std::sync::OnceLock::new();
    (0..h.n())
        .map(|i| {
            let rate = match nb.get(i) {
                Some(list) => shrunk_rate(
                    t[i],
                    std::iter::once(i).chain(list.iter().copied()).map(|j| t[j]),
                ),
                None => global
                    .get_or_init(|| Prior::of(t.iter().copied()))
                    .map_or(0.0, |p| p.shrink(t[i])),
            };
            rate * h.target_exposure(i)
        })
        .collect()
}

impl Forecaster for SpatialEb {
    fn name(&self) -> String {
        "spatial_eb".into()
    }
    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        calibrated(h, &means)
    }
}
