//! Scores of count forecasts against outcomes. Each function takes plain
//! slices (one entry per township, or per township-year when pooled) and
//! states what it does with ties and degenerate inputs.
//!
//! - [`mae`], [`rmse`]: of the predictive mean.
//! - [`poisson_deviance`]: mean unit deviance 2(y ln(y/μ) − (y − μ)), with
//!   y ln(y/μ) = 0 at y = 0 and μ floored at [`DEVIANCE_FLOOR`] (1e-6), so a
//!   forecast of exactly 0 followed by events is heavily but finitely
//!   penalised (scikit-learn's `mean_poisson_deviance` refuses μ = 0).
//! - CRPS: [`crate::predictive::Predictive::crps`], averaged.
//! - [`coverage`]: share of outcomes with p10 ≤ y ≤ p90. Both ends are
//!   included; for a count distribution that interval holds at least 80%.
//! - [`spearman`]: Spearman's ρ, the Pearson correlation of average ranks
//!   (ties share the mean of their ranks, as in scipy's `spearmanr`); NaN
//!   when either side is constant.
//! - [`hit_rate_top`]: of the townships actually in the top 10%, the share
//!   that the forecast put in its top 10%. k = ⌈10% · n⌉. The actual top set
//!   is every township whose count reaches the k-th largest count (ties at
//!   the threshold are all in, so the set can exceed k) and is positive
//!   (townships without events are never "top"); the predicted set is
//!   exactly k townships by predicted mean, ties broken towards the
//!   earlier township (smaller code). `None` when no township had an event.
//! - [`pai`]: the predictive accuracy index (Chainey et al. 2008): the
//!   share of events that fell in the predicted top-10% townships divided
//!   by the share of the area those townships cover. Area is an input
//!   (km² or any unit; equal areas when not given). 1 is no better than
//!   chance; larger is better. `None` without events.

/// Smallest μ in the Poisson deviance.
pub const DEVIANCE_FLOOR: f64 = 1e-6;

/// Mean absolute error.
pub fn mae(actual: &[f64], mean: &[f64]) -> f64 {
    actual
        .iter()
        .zip(mean)
        .map(|(y, m)| (y - m).abs())
        .sum::<f64>()
        / actual.len() as f64
}

/// Root mean squared error.
pub fn rmse(actual: &[f64], mean: &[f64]) -> f64 {
    (actual
        .iter()
        .zip(mean)
        .map(|(y, m)| (y - m) * (y - m))
        .sum::<f64>()
        / actual.len() as f64)
        .sqrt()
}

/// Poisson unit deviance of one outcome.
pub fn unit_deviance(y: f64, mu: f64) -> f64 {
    let mu = mu.max(DEVIANCE_FLOOR);
    let ylog = if y > 0.0 { y * (y / mu).ln() } else { 0.0 };
    2.0 * (ylog - (y - mu))
}

/// Mean Poisson deviance.
pub fn poisson_deviance(actual: &[f64], mean: &[f64]) -> f64 {
    actual
        .iter()
        .zip(mean)
        .map(|(y, m)| unit_deviance(*y, *m))
        .sum::<f64>()
        / actual.len() as f64
}

/// Share of outcomes within [p10, p90], both ends included.
pub fn coverage(actual: &[f64], p10: &[f64], p90: &[f64]) -> f64 {
    let inside = actual
        .iter()
        .zip(p10.iter().zip(p90))
        .filter(|(y, (lo, hi))| **y >= **lo && **y <= **hi)
        .count();
    inside as f64 / actual.len() as f64
}

/// Average ranks (1-based), ties sharing the mean of their ranks.
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Pearson correlation; NaN when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return f64::NAN;
    }
    sxy / (sxx * syy).sqrt()
}

/// Spearman's rank correlation with average ranks for ties.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Indices of the k largest predictions, ties towards the smaller index.
pub fn top_k(predicted: &[f64], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..predicted.len()).collect();
    idx.sort_by(|&a, &b| predicted[b].total_cmp(&predicted[a]).then(a.cmp(&b)));
    idx.truncate(k);
    idx
}

/// k for the top `share` of n townships: ⌈share · n⌉, at least 1.
pub fn top_count(n: usize, share: f64) -> usize {
    ((share * n as f64).ceil() as usize).clamp(1, n.max(1))
}

/// Hit rate of the top 10% (see the module docs for ties).
pub fn hit_rate_top(actual: &[f64], predicted: &[f64], share: f64) -> Option<f64> {
    let k = top_count(actual.len(), share);
    let mut sorted: Vec<f64> = actual.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let threshold = *sorted.get(k - 1)?;
    let top: Vec<usize> = (0..actual.len())
        .filter(|&i| actual[i] >= threshold && actual[i] > 0.0)
        .collect();
    if top.is_empty() {
        return None;
    }
    let mut chosen = vec![false; actual.len()];
    for i in top_k(predicted, k) {
        chosen[i] = true;
    }
    Some(top.iter().filter(|&&i| chosen[i]).count() as f64 / top.len() as f64)
}

/// Predictive accuracy index of the predicted top `share` (see the module docs).
pub fn pai(actual: &[f64], predicted: &[f64], area: Option<&[f64]>, share: f64) -> Option<f64> {
    let events: f64 = actual.iter().sum();
    if events <= 0.0 {
        return None;
    }
    let k = top_count(actual.len(), share);
    let chosen = top_k(predicted, k);
    let hit: f64 = chosen.iter().map(|&i| actual[i]).sum();
    let (a_top, a_all) = match area {
        Some(a) => (
            chosen.iter().map(|&i| a[i]).sum::<f64>(),
            a.iter().sum::<f64>(),
        ),
        None => (k as f64, actual.len() as f64),
    };
    (a_top > 0.0).then(|| (hit / events) / (a_top / a_all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let y = [0.0, 2.0, 5.0, 1.0];
        let m = [1.0, 2.0, 3.0, 0.0];
        assert_eq!(mae(&y, &m), 1.0);
        assert!((rmse(&y, &m) - (6.0f64 / 4.0).sqrt()).abs() < 1e-15);
        // Unit deviances: 2·1 = 2; 0; 2(5 ln(5/3) − 2); 2(1·ln(1/1e-6) − 1 + 1e-6).
        let want = (2.0
            + 0.0
            + 2.0 * (5.0 * (5.0f64 / 3.0).ln() - 2.0)
            + 2.0 * ((1e6f64).ln() - 1.0 + 1e-6))
            / 4.0;
        assert!((poisson_deviance(&y, &m) - want).abs() < 1e-12);
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0]),
            vec![3.5, 1.0, 3.5, 2.0]
        );
        assert!(spearman(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
        // Top 10% of 10 townships is 1; actual top is township 9 (count 9).
        let actual: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(hit_rate_top(&actual, &actual, 0.1), Some(1.0));
        let reversed: Vec<f64> = actual.iter().rev().copied().collect();
        assert_eq!(hit_rate_top(&actual, &reversed, 0.1), Some(0.0));
        // PAI: the top township holds 9/45 of events on 1/10 of the area → 2.
        assert!((pai(&actual, &actual, None, 0.1).unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(hit_rate_top(&[0.0; 5], &[1.0; 5], 0.1), None);
    }
}
