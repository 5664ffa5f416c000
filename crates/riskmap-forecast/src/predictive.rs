//! Predictive count distributions ([`Predictive`]): Poisson, negative
//! binomial and any probability mass function on 0, 1, 2, … (empirical or a
//! mixture), with quantiles and the exact CRPS.
//!
//! Every distribution is evaluated through its probability mass function,
//! truncated where the mass left above is below [`TAIL`] (1e-12): the pmf is
//! built by the ratio recursion outwards from the mode and normalised, so it
//! neither underflows at large means (`exp(−μ)` is 0 for μ > 745) nor needs
//! a log-gamma function.
//!
//! CRPS is the integral of (F(x) − 1{x ≥ y})² over the real line. For a
//! count distribution F is a step function, so for an integer outcome y it is
//! the sum Σ_k (F(k) − 1{y ≤ k})² over k = 0, 1, …; the code integrates the
//! step function exactly, which also covers a fractional y. Beyond the
//! truncation point F is taken as 1, an error below 1e-12 per term.
//!
//! Quantiles, the mean and the CRPS ([`Predictive::summary`]) do not build
//! the pmf: they walk the CDF up from 0 by the same ratio recursion, started
//! from the exact mass at 0, and stop once the quantiles are found and the
//! CRPS left above is provably below [`CRPS_TAIL`]. The CRPS beyond k is
//! Σ_{j>k} (1 − F(j))², and when the pmf's ratio p(i+1)/p(i) is at most
//! r < 1 above k, 1 − F(j) falls at least geometrically, so the rest is at
//! most (1 − F(k))² r²/(1 − r²). Quantiles alone (the nightly forecast)
//! stop at the 90% point however heavy the tail; a pmf of a negative
//! binomial with a size of 10⁻⁴ is ~377,000 terms long.

use std::borrow::Cow;

/// Mass left above the truncation point of a pmf.
pub const TAIL: f64 = 1e-12;

/// Largest support kept (a guard against degenerate parameters).
const MAX_SUPPORT: usize = 4_000_000;

/// Bound on the CRPS left out above the point where a walk stops.
pub const CRPS_TAIL: f64 = 1e-12;

/// A predictive distribution of a count.
#[derive(Debug, Clone, PartialEq)]
pub enum Predictive {
    /// Poisson with this mean.
    Poisson {
        /// Mean (≥ 0).
        mean: f64,
    },
    /// Negative binomial (NB2) with this mean and size: variance mean + mean²/size.
    NegBin {
        /// Mean (≥ 0).
        mean: f64,
        /// Size (shape) r > 0; scipy's `nbinom(n = size, p = size / (size + mean))`.
        size: f64,
    },
    /// Probabilities of 0, 1, 2, … (summing to 1).
    Pmf(Vec<f64>),
    /// The equal-weight mixture of these parts ([`Predictive::mixture`]). Kept
    /// as parts, not as a pmf: a heavy-tailed part makes the pmf tens of
    /// thousands of entries long, and an ensemble's forecasts for a nation's
    /// 40,000 townships held as pmfs filled 24 GB. The pmf is built when asked.
    Mixture(Vec<Predictive>),
}

/// What the backtest keeps of a prediction: mean, quantiles and CRPS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// 10% quantile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90% quantile.
    pub p90: f64,
    /// CRPS of the outcome, when one was given.
    pub crps: f64,
    /// Calibration of the outcome, when one was given.
    pub calibration: Calibration,
}

/// Where an outcome y fell in its predictive distribution: the central
/// 50 % and 95 % intervals (the 80 % one is p10–p90), and the CDF just below
/// and at y, from which the non-randomised PIT histogram of a count
/// forecast is built (Czado, Gneiting and Held 2009). NaN without an outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// 2.5 % quantile.
    pub p025: f64,
    /// 25 % quantile.
    pub p25: f64,
    /// 75 % quantile.
    pub p75: f64,
    /// 97.5 % quantile.
    pub p975: f64,
    /// F(y − 1) = P(Y < y).
    pub cdf_below: f64,
    /// F(y) = P(Y ≤ y).
    pub cdf_at: f64,
}

impl Calibration {
    /// No outcome: every field NaN.
    pub const NONE: Calibration = Calibration {
        p025: f64::NAN,
        p25: f64::NAN,
        p75: f64::NAN,
        p975: f64::NAN,
        cdf_below: f64::NAN,
        cdf_at: f64::NAN,
    };

    /// The conditional PIT distribution function F(u | y) of Czado et al.:
    /// 0 below F(y − 1), 1 from F(y) on, linear between (an outcome the
    /// forecast gave no probability is a step at F(y)).
    pub fn pit_cdf(&self, u: f64) -> f64 {
        if u >= self.cdf_at {
            1.0
        } else if u <= self.cdf_below {
            0.0
        } else {
            (u - self.cdf_below) / (self.cdf_at - self.cdf_below)
        }
    }
}

impl Predictive {
    /// Poisson, or negative binomial when `size` is finite and positive.
    pub fn count(mean: f64, size: Option<f64>) -> Predictive {
        let mean = if mean.is_finite() { mean.max(0.0) } else { 0.0 };
        match size {
            Some(r) if r.is_finite() && r > 0.0 => Predictive::NegBin { mean, size: r },
            _ => Predictive::Poisson { mean },
        }
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        match self {
            Predictive::Poisson { mean } | Predictive::NegBin { mean, .. } => *mean,
            Predictive::Pmf(p) => p.iter().enumerate().map(|(k, q)| k as f64 * q).sum(),
            Predictive::Mixture(parts) => {
                parts.iter().map(Predictive::mean).sum::<f64>() / parts.len().max(1) as f64
            }
        }
    }

    /// The probability mass function on 0, 1, …, truncated where the mass
    /// above is below [`TAIL`].
    pub fn pmf(&self) -> Cow<'_, [f64]> {
        match self {
            Predictive::Poisson { mean } => Cow::Owned(poisson_pmf(*mean)),
            Predictive::NegBin { mean, size } => Cow::Owned(negbin_pmf(*mean, *size)),
            Predictive::Pmf(p) => Cow::Borrowed(p),
            Predictive::Mixture(parts) => Cow::Owned(mixed_pmf(parts)),
        }
    }

    /// The smallest k with F(k) ≥ p (scipy's `ppf`).
    pub fn quantile(&self, p: f64) -> f64 {
        let mut q = [p];
        Walk::new(self).run(&mut q, None);
        q[0]
    }

    /// The CRPS of outcome `y`.
    pub fn crps(&self, y: f64) -> f64 {
        Walk::new(self).run(&mut [], Some(y))
    }

    /// Mean, p10, p50, p90 and (if `y` is given, else NaN) the CRPS, from
    /// one walk up the CDF.
    pub fn summary(&self, y: Option<f64>) -> Summary {
        let Some(y) = y else {
            let mut q = [0.1, 0.5, 0.9];
            Walk::new(self).run(&mut q, None);
            return Summary {
                mean: self.mean(),
                p10: q[0],
                p50: q[1],
                p90: q[2],
                crps: f64::NAN,
                calibration: Calibration::NONE,
            };
        };
        let mut q = [0.1, 0.5, 0.9, 0.025, 0.25, 0.75, 0.975];
        let mut walk = Walk::new(self);
        let crps = walk.run(&mut q, Some(y));
        walk.continue_to_outcome();
        Summary {
            mean: self.mean(),
            p10: q[0],
            p50: q[1],
            p90: q[2],
            crps,
            calibration: Calibration {
                p025: q[3],
                p25: q[4],
                p75: q[5],
                p975: q[6],
                cdf_below: walk.cdf_below,
                cdf_at: walk.cdf_at,
            },
        }
    }

    /// The equal-weight mixture of `parts`.
    pub fn mixture(parts: &[Predictive]) -> Predictive {
        Predictive::Mixture(parts.to_vec())
    }
}

/// One distribution of a [`Walk`], stepped through k = 0, 1, …
enum Leaf<'a> {
    /// A stored (or, for masses at 0 too small for f64, built) pmf.
    Table(Cow<'a, [f64]>),
    Poisson {
        mean: f64,
    },
    NegBin {
        size: f64,
        q: f64,
    },
}

/// A walk up the CDF of a distribution (a mixture is walked in lockstep
/// over its leaves, weighted).
struct Walk<'a> {
    leaves: Vec<(f64, Leaf<'a>)>,
    /// Mass of each leaf at the last k.
    mass: Vec<f64>,
    /// CDF of each leaf at the last k.
    cdf: Vec<f64>,
    /// Steps taken.
    steps: usize,
    /// The step k = ⌊y⌋ of the outcome `run` was given, if any.
    outcome: Option<usize>,
    /// F(y − 1) and F(y) of that outcome, recorded by [`Walk::step`] (0 below
    /// the support; 1 where the walk stopped before y, its tail being
    /// negligible).
    cdf_below: f64,
    cdf_at: f64,
}

impl<'a> Walk<'a> {
    fn new(d: &'a Predictive) -> Walk<'a> {
        fn add<'a>(d: &'a Predictive, w: f64, out: &mut Vec<(f64, Leaf<'a>)>) {
            let table = |d: &'a Predictive| Leaf::Table(d.pmf());
            let leaf = match d {
                Predictive::Mixture(parts) => {
                    for p in parts {
                        add(p, w / parts.len() as f64, out);
                    }
                    return;
                }
                Predictive::Pmf(p) => Leaf::Table(Cow::Borrowed(p)),
                Predictive::Poisson { mean } if *mean > 0.0 && *mean < 700.0 => {
                    Leaf::Poisson { mean: *mean }
                }
                Predictive::NegBin { mean, size }
                    if *mean > 0.0 && size.is_finite() && *size <= 1e12 =>
                {
                    let q = mean / (mean + size);
                    // Mass at 0 is (1 − q)^size; walk from it while it is a normal f64.
                    if size * (-q).ln_1p() > -700.0 {
                        Leaf::NegBin { size: *size, q }
                    } else {
                        table(d)
                    }
                }
                _ => table(d),
            };
            out.push((w, leaf));
        }
        let mut leaves = Vec::new();
        add(d, 1.0, &mut leaves);
        let n = leaves.len();
        Walk {
            leaves,
            mass: vec![0.0; n],
            cdf: vec![0.0; n],
            steps: 0,
            outcome: None,
            cdf_below: 0.0,
            cdf_at: 0.0,
        }
    }

    /// Steps every leaf to `k` (from k − 1) and returns the mixture's CDF at k.
    fn step(&mut self, k: usize) -> f64 {
        self.steps += 1;
        let mut f = 0.0;
        for (i, (w, leaf)) in self.leaves.iter().enumerate() {
            let m = match leaf {
                Leaf::Table(p) => p.get(k).copied().unwrap_or(0.0),
                Leaf::Poisson { mean } if k == 0 => (-mean).exp(),
                Leaf::Poisson { mean } => self.mass[i] * mean / k as f64,
                Leaf::NegBin { size, q } if k == 0 => (size * (-q).ln_1p()).exp(),
                Leaf::NegBin { size, q } => self.mass[i] * (k as f64 - 1.0 + size) / k as f64 * q,
            };
            self.mass[i] = m;
            self.cdf[i] += m;
            f += w * self.cdf[i].min(1.0);
        }
        if let Some(yk) = self.outcome {
            if k + 1 == yk {
                self.cdf_below = f.min(1.0);
            } else if k == yk {
                self.cdf_at = f.min(1.0);
            }
        }
        f
    }

    /// Steps on from where `run` stopped up to its outcome, if it stopped
    /// short (the tail below the outcome being negligible for the CRPS, not
    /// for F), so that [`Walk::step`] records F(y − 1) and F(y).
    fn continue_to_outcome(&mut self) {
        if let Some(yk) = self.outcome {
            for k in self.steps..=yk.min(MAX_SUPPORT - 1) {
                self.step(k);
            }
        }
    }

    /// Bounds, from k on, of Σ_{j>k} (1 − F(j)) and Σ_{j>k} (1 − F(j))²,
    /// or `None` while some leaf's tail has no geometric bound yet.
    fn tail(&self, k: usize) -> Option<(f64, f64)> {
        let (mut s1, mut s2) = (0.0, 0.0);
        for (i, (w, leaf)) in self.leaves.iter().enumerate() {
            let s = (1.0 - self.cdf[i]).max(0.0);
            // r bounds p(i+1)/p(i) for every i > k.
            let r = match leaf {
                Leaf::Table(p) if k + 1 >= p.len() => 0.0,
                Leaf::Table(_) => return None,
                Leaf::Poisson { mean } => mean / (k as f64 + 2.0),
                Leaf::NegBin { size, q } => {
                    ((k as f64 + 1.0 + size) / (k as f64 + 2.0) * q).max(*q)
                }
            };
            if r >= 1.0 {
                return None;
            }
            // By Jensen, (Σ w S)² ≤ Σ w S², so the leaves' bounds add.
            s1 += w * s * r / (1.0 - r);
            s2 += w * s * s * r * r / (1.0 - r * r);
        }
        Some((s1, s2))
    }

    /// Walks until every quantile in `probs` is found (each is replaced by
    /// the smallest k with F(k) ≥ p) and, if `y` is given, the CRPS of `y`
    /// is known to within [`CRPS_TAIL`]; returns the CRPS (0 without `y`).
    fn run(&mut self, probs: &mut [f64], y: Option<f64>) -> f64 {
        let mut found = vec![false; probs.len()];
        let mut crps = match y {
            Some(y) if y < 0.0 => -y,
            _ => 0.0,
        };
        // Until the walk reaches y, F(y − 1) and F(y) are taken as 1: the
        // walk only stops short of y once the mass above is negligible.
        self.outcome = y.filter(|y| *y >= 0.0).map(|y| y.floor() as usize);
        if let Some(yk) = self.outcome {
            self.cdf_below = if yk == 0 { 0.0 } else { 1.0 };
            self.cdf_at = 1.0;
        }
        for k in 0..MAX_SUPPORT {
            let f = self.step(k);
            for (p, done) in probs.iter_mut().zip(found.iter_mut()) {
                // A relative slack of 1e-10 absorbs the rounding of the sum.
                if !*done && f >= *p - 1e-10 {
                    *p = k as f64;
                    *done = true;
                }
            }
            let (lo, hi) = (k as f64, k as f64 + 1.0);
            if let Some(y) = y {
                crps += if hi <= y {
                    f * f
                } else if lo >= y {
                    (1.0 - f) * (1.0 - f)
                } else {
                    (y - lo) * f * f + (hi - y) * (1.0 - f) * (1.0 - f)
                };
            }
            if !found.iter().all(|d| *d) {
                continue;
            }
            let Some((s1, s2)) = self.tail(k) else {
                continue;
            };
            match y {
                None => return 0.0,
                // Every later step is above y: the rest is Σ (1 − F)².
                Some(y) if hi >= y && s2 < CRPS_TAIL => return crps,
                // F is within s1 of 1 on the whole way up to y: each step
                // below y adds F² ≈ 1, each above it (1 − F)² ≈ 0.
                Some(y) if hi < y && 2.0 * s1 + s2 < CRPS_TAIL => return crps + (y - hi),
                Some(_) => {}
            }
        }
        // The support guard: the rest of the steps are taken as F = 1.
        for (p, done) in probs.iter_mut().zip(found) {
            if !done {
                *p = (MAX_SUPPORT - 1) as f64;
            }
        }
        crps + y.map_or(0.0, |y| (y - MAX_SUPPORT as f64).max(0.0))
    }
}

/// The pmf of the equal-weight mixture of `parts`.
fn mixed_pmf(parts: &[Predictive]) -> Vec<f64> {
    let pmfs: Vec<Cow<'_, [f64]>> = parts.iter().map(Predictive::pmf).collect();
    let len = pmfs.iter().map(|p| p.len()).max().unwrap_or(1);
    let mut out = vec![0.0; len];
    for p in &pmfs {
        for (o, q) in out.iter_mut().zip(p.iter()) {
            *o += q / parts.len() as f64;
        }
    }
    out
}

/// Builds a pmf from the unnormalised mass at the mode (1) by the ratio
/// recursion: `up(k)` = p(k+1)/p(k), `down(k)` = p(k−1)/p(k). Going up stops
/// once the geometric bound on the tail, with ratio `tail_ratio(k)`, is
/// below [`TAIL`] of the mass so far.
fn pmf_from_mode(
    mode: usize,
    up: impl Fn(usize) -> f64,
    down: impl Fn(usize) -> f64,
    tail_ratio: impl Fn(usize) -> f64,
) -> Vec<f64> {
    let mut below = Vec::new();
    let mut p = 1.0;
    for k in (1..=mode).rev() {
        p *= down(k);
        if p < 1e-300 {
            break;
        }
        below.push(p);
    }
    let zeros = mode - below.len();
    let mut out = vec![0.0; zeros];
    out.extend(below.iter().rev());
    out.push(1.0);
    let mut total: f64 = out.iter().sum();
    let mut p = 1.0;
    let mut k = mode;
    while out.len() < MAX_SUPPORT {
        let r = tail_ratio(k);
        if r < 1.0 && p * r / (1.0 - r) < TAIL * 0.1 * total {
            break;
        }
        p *= up(k);
        k += 1;
        out.push(p);
        total += p;
    }
    out.iter_mut().for_each(|q| *q /= total);
    out
}

/// Poisson pmf, truncated.
pub fn poisson_pmf(mean: f64) -> Vec<f64> {
    if mean.is_nan() || mean <= 0.0 {
        return vec![1.0];
    }
    let mode = mean.floor() as usize;
    pmf_from_mode(
        mode,
        |k| mean / (k as f64 + 1.0),
        |k| k as f64 / mean,
        |k| mean / (k as f64 + 1.0),
    )
}

/// Negative binomial pmf with this mean and size, truncated.
pub fn negbin_pmf(mean: f64, size: f64) -> Vec<f64> {
    if mean.is_nan() || mean <= 0.0 {
        return vec![1.0];
    }
    if !size.is_finite() || size > 1e12 {
        return poisson_pmf(mean);
    }
    let q = mean / (mean + size);
    let mode = if size > 1.0 {
        ((size - 1.0) * mean / size).floor() as usize
    } else {
        0
    };
    let up = move |k: usize| (k as f64 + size) / (k as f64 + 1.0) * q;
    // The ratio tends to q from above when size > 1 and from below when
    // size < 1; the larger of the two bounds the tail.
    pmf_from_mode(
        mode,
        up,
        move |k| k as f64 / ((k as f64 - 1.0 + size) * q),
        move |k| up(k).max(q),
    )
}

/// The smallest k with F(k) ≥ p. A relative slack of 1e-10 absorbs the
/// rounding of the cumulative sum.
pub fn quantile_of(pmf: &[f64], p: f64) -> f64 {
    let mut f = 0.0;
    for (k, q) in pmf.iter().enumerate() {
        f += q;
        if f >= p - 1e-10 {
            return k as f64;
        }
    }
    (pmf.len().max(1) - 1) as f64
}

/// CRPS of outcome `y` under the step CDF of `pmf`, integrated exactly.
pub fn crps_of(pmf: &[f64], y: f64) -> f64 {
    let mut s = 0.0;
    if y < 0.0 {
        s += -y;
    }
    let mut f = 0.0;
    for (k, q) in pmf.iter().enumerate() {
        f += q;
        let f = f.min(1.0);
        let (lo, hi) = (k as f64, k as f64 + 1.0);
        if hi <= y {
            s += f * f;
        } else if lo >= y {
            s += (1.0 - f) * (1.0 - f);
        } else {
            s += (y - lo) * f * f + (hi - y) * (1.0 - f) * (1.0 - f);
        }
    }
    // Beyond the support F = 1: only the stretch below y counts.
    s + (y - pmf.len() as f64).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pmfs_sum_to_one_and_have_their_mean() {
        for mean in [0.0, 1e-9, 0.3, 4.0, 57.5, 900.0, 12_000.0] {
            let p = poisson_pmf(mean);
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(
                (Predictive::Pmf(p).mean() - mean).abs() < 1e-9 * mean.max(1.0),
                "Poisson {mean}"
            );
            for size in [0.2, 1.0, 3.5, 1e4] {
                let p = negbin_pmf(mean, size);
                assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                assert!(
                    (Predictive::Pmf(p).mean() - mean).abs() < 1e-6 * mean.max(1.0),
                    "NB {mean} {size}"
                );
            }
        }
    }

    #[test]
    fn the_walk_equals_the_whole_pmf() {
        // The walk (summary, crps, quantile) against quantiles and CRPS of the
        // full truncated pmf, over light and heavy tails and a mixture.
        let mut cases = Vec::new();
        for mean in [0.0, 1e-9, 0.3, 4.0, 57.5, 900.0] {
            cases.push(Predictive::count(mean, None));
            for size in [1e-3, 0.05, 0.2, 1.0, 3.5, 1e4] {
                cases.push(Predictive::count(mean, Some(size)));
            }
        }
        cases.push(Predictive::mixture(&[
            Predictive::count(2.0, Some(0.01)),
            Predictive::count(7.5, None),
            Predictive::Pmf(vec![0.25, 0.5, 0.25]),
        ]));
        // NB(900, 0.001) is left out: its pmf is cut by the support guard,
        // so it is no reference.
        for d in cases.iter().filter(|d| d.pmf().len() < MAX_SUPPORT) {
            let pmf = d.pmf();
            for y in [0.0, 1.0, 2.5, 6.0, 40.0, 950.0] {
                let s = d.summary(Some(y));
                let want = crps_of(&pmf, y);
                assert!(
                    (s.crps - want).abs() < 1e-9 * want.max(1.0),
                    "{d:?} y={y}: {} vs {want}",
                    s.crps
                );
                assert!((d.crps(y) - s.crps).abs() == 0.0);
                // Calibration: the central intervals' ends and F just below and at y.
                let c = s.calibration;
                assert_eq!(
                    [c.p025, c.p25, c.p75, c.p975],
                    [0.025, 0.25, 0.75, 0.975].map(|p| quantile_of(&pmf, p)),
                    "{d:?}"
                );
                let cdf = |k: f64| -> f64 { pmf.iter().take((k + 1.0).max(0.0) as usize).sum() };
                let yk = y.floor();
                assert!((c.cdf_at - cdf(yk)).abs() < 1e-9, "{d:?} y={y}: {c:?}");
                assert!(
                    (c.cdf_below - cdf(yk - 1.0)).abs() < 1e-9,
                    "{d:?} y={y}: {c:?}"
                );
            }
            let s = d.summary(None);
            assert!(s.crps.is_nan());
            assert_eq!(
                [s.p10, s.p50, s.p90],
                [
                    quantile_of(&pmf, 0.1),
                    quantile_of(&pmf, 0.5),
                    quantile_of(&pmf, 0.9)
                ],
                "{d:?}"
            );
            assert_eq!(d.quantile(0.99), quantile_of(&pmf, 0.99), "{d:?}");
            let mean: f64 = pmf.iter().enumerate().map(|(k, q)| k as f64 * q).sum();
            assert!((s.mean - mean).abs() < 1e-6 * mean.max(1.0), "{d:?}");
        }
    }

    #[test]
    fn a_walk_stops_where_its_answer_is_known() {
        // Quantiles alone (the nightly forecast) stop at the 90% point, even
        // for a size of 1e-4 whose pmf to 1e-12 of the mass is ~377,000 terms.
        let d = Predictive::count(5.0, Some(1e-4));
        let mut w = Walk::new(&d);
        let mut q = [0.1, 0.5, 0.9];
        w.run(&mut q, None);
        assert_eq!(q, [0.0, 0.0, 0.0]);
        assert!(w.steps < 10, "{}", w.steps);
        // The CRPS needs the squared tail, and stops well before the mass
        // criterion of the pmf.
        for (mean, size) in [(5.0, 1e-4), (50.0, 0.2), (12.0, 3.0)] {
            let d = Predictive::count(mean, Some(size));
            let mut w = Walk::new(&d);
            let crps = w.run(&mut [], Some(3.0));
            let pmf = d.pmf();
            assert!((crps - crps_of(&pmf, 3.0)).abs() < 1e-9);
            assert!(
                w.steps < pmf.len(),
                "NB({mean}, {size}): {} steps, pmf {}",
                w.steps,
                pmf.len()
            );
        }
    }

    #[test]
    fn point_mass_crps_is_the_absolute_error() {
        // A point mass at 3: CRPS(y) = |y − 3|, for integer and fractional y.
        let p = [0.0, 0.0, 0.0, 1.0];
        for y in [0.0, 2.0, 3.0, 3.5, 7.0, 10.25] {
            assert!(
                (crps_of(&p, y) - (y - 3.0f64).abs()).abs() < 1e-12,
                "y = {y}"
            );
        }
        assert_eq!(quantile_of(&p, 0.5), 3.0);
    }
}
