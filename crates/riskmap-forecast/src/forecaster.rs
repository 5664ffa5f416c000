//! The [`Forecaster`] trait, and [`calibrated`]: how a model that predicts
//! only means gets a predictive distribution.
//!
//! A model sees the whole panel of one measure at once ([`History`]), so
//! shrinkage and regression models can borrow strength across townships;
//! a per-series model maps over the series ([`per_series`]).
//!
//! **Dispersion of point models.** A model that predicts means only is given
//! a negative binomial predictive NB(μ̂ᵢ, r) with one size r per model and
//! measure, estimated from the model's own out-of-sample errors inside the
//! history: the model is refitted on the history less its last year and less
//! its last two years, predicts the year after each, and the moment
//! estimator φ = Σ((y − μ̂)² − μ̂) / Σ μ̂² over those township-years gives
//! r = 1/φ. When φ ≤ 1e-6 (no excess variance), or the history is too short
//! for any such error, the predictive is Poisson(μ̂). Because the errors are
//! genuine one-step forecast errors, r covers both the counts' own
//! over-dispersion and the model's estimation error. r is at least
//! [`MIN_SIZE`]: below it the estimate is noise from a tiny Σ μ̂².

use crate::panel::History;
use crate::predictive::Predictive;

/// A forecasting model: from the history of one measure, a predictive
/// distribution of next year's count for every series, in series order.
pub trait Forecaster: Send + Sync {
    /// The model's name in the leaderboard (lower-case, `snake_case`).
    fn name(&self) -> String;

    /// Next year's predictive distribution for each series of `history`.
    fn forecast(&self, history: &History<'_>) -> Vec<Predictive>;

    /// For a model that combines others: their names, in the order
    /// [`Forecaster::combine`] takes their forecasts. A backtest that runs
    /// those models anyway hands their forecasts over instead of fitting
    /// them a second time. Empty for every other model.
    fn members(&self) -> Vec<String> {
        Vec::new()
    }

    /// This model's forecasts of `n` series from its members' (one list per
    /// member, in [`Forecaster::members`] order): exactly what
    /// [`Forecaster::forecast`] gives. `None` for a model that combines none.
    fn combine(&self, parts: &[&[Predictive]], n: usize) -> Option<Vec<Predictive>> {
        let _ = (parts, n);
        None
    }
}

/// Applies a per-series mean forecast to every series.
pub fn per_series(history: &History<'_>, f: impl Fn(usize, &[f64]) -> f64) -> Vec<f64> {
    (0..history.n()).map(|i| f(i, history.counts(i))).collect()
}

/// Clamps a mean to a finite, non-negative number.
pub fn clean(mean: f64) -> f64 {
    if mean.is_finite() {
        mean.max(0.0)
    } else {
        0.0
    }
}

/// How many earlier origins feed the dispersion estimate.
const DISPERSION_LAGS: usize = 2;

/// The smallest NB size a point model's predictive takes.
///
/// The moment estimate φ divides by Σ μ̂², which is tiny for a measure that
/// almost never happens (a few records over twenty years): φ then reaches
/// 10⁶ and more, a size of 10⁻⁶, a distribution with nearly all its mass at
/// 0 and a tail so heavy that its quantiles and CRPS walk up to millions of
/// steps per township (a two-township region's forecast stage took 40 s).
/// Such an estimate is noise from the small denominator, not information. A
/// size of 0.01 already means a variance of μ + 100 μ², more over-dispersion
/// than yearly incident counts show, and keeps the walks to thousands of steps.
pub const MIN_SIZE: f64 = 0.01;

/// The pooled NB size of a point model from its one-step errors inside
/// `history` (see the module docs), at least [`MIN_SIZE`]; `None` means Poisson.
pub fn dispersion_size(
    history: &History<'_>,
    means: &dyn Fn(&History<'_>) -> Vec<f64>,
) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for lag in 1..=DISPERSION_LAGS {
        let Some(earlier) = history.earlier(lag) else {
            break;
        };
        let mu = means(&earlier);
        for (i, m) in mu.iter().enumerate() {
            let m = clean(*m);
            let y = history.counts(i)[earlier.len()];
            num += (y - m) * (y - m) - m;
            den += m * m;
        }
    }
    let phi = if den > 0.0 { num / den } else { 0.0 };
    (phi > 1e-6).then(|| (1.0 / phi).max(MIN_SIZE))
}

/// Predictive distributions for a point model: NB(mean, r) with the size r
/// of [`dispersion_size`], or Poisson.
pub fn calibrated(
    history: &History<'_>,
    means: &dyn Fn(&History<'_>) -> Vec<f64>,
) -> Vec<Predictive> {
    let size = dispersion_size(history, means);
    means(history)
        .into_iter()
        .map(|m| Predictive::count(clean(m), size))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::Panel;

    /// The bug: a measure with one record in 1887 and one in the last year,
    /// over 138 years, gave a moment estimate φ ≈ 9,000 (the historic means
    /// are about 1/137, so Σ μ̂² is about 10⁻⁴), a size near 10⁻⁴, and the
    /// quantile and CRPS walks ran up to millions of steps per township: the
    /// forecast stage of a two-township region took 40 s.
    #[test]
    fn a_measure_that_almost_never_happens_keeps_a_size_of_at_least_min_size() {
        let years = 138;
        let mut counts = vec![vec![0.0; years]; 2];
        counts[0][0] = 1.0;
        counts[1][years - 1] = 1.0;
        let panel = Panel::from_counts(1887, counts);
        let h = panel.history(years);
        let means = |h: &History<'_>| crate::models::historic_mean::means(h);
        // The raw estimate is far below the floor...
        let (mut num, mut den) = (0.0, 0.0);
        for lag in 1..=DISPERSION_LAGS {
            let earlier = h.earlier(lag).unwrap();
            for (i, m) in means(&earlier).iter().enumerate() {
                let y = h.counts(i)[earlier.len()];
                num += (y - m) * (y - m) - m;
                den += m * m;
            }
        }
        assert!(den / num < MIN_SIZE / 10.0, "raw size {}", den / num);
        // ...and the size used is the floor, with a short walk.
        assert_eq!(dispersion_size(&h, &means), Some(MIN_SIZE));
        for p in calibrated(&h, &means) {
            let s = p.summary(Some(1.0));
            assert!(s.p90.is_finite() && s.crps.is_finite(), "{s:?}");
        }
    }
}
