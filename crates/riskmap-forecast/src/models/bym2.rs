//! `bym2`: a hierarchical space-time count model, fitted by a Laplace
//! approximation with its variance parameters estimated by marginal
//! likelihood.
//!
//! ```text
//! y_it ~ NB(μ_it, θ)
//! log μ_it = log E_it + α + γ (t − T) + Σ_k β_k z_ik + b_i
//! b = σ (√(1 − φ) v + √φ u*),  v ~ N(0, I),  u* ~ scaled ICAR on the queen neighbours
//! ```
//!
//! E is the exposure (an offset), t the year (T the last known one, so α is
//! the level of the last year), z the township covariates (standardised), b
//! the township effects of Riebler et al. (2016): an unstructured part and
//! a spatially structured part whose intrinsic CAR precision is scaled so
//! that the geometric mean of its marginal variances is 1 (per connected
//! group of townships; a township without neighbours keeps an unstructured
//! effect of variance σ²). Hence σ is the standard deviation of the effects
//! and φ the share of their variance that is spatial.
//!
//! **Fit.** For given (σ, φ) the mode of (α, γ, β, b) maximises the
//! NB log-likelihood plus the Gaussian log prior of b (and Gaussian priors
//! on the fixed effects: nearly flat on α, N(0, 0.1²) on the yearly trend γ,
//! a N(0, 1) ridge on the standardised slopes β, as in
//! [`crate::models::glm`]), by
//! Newton's method with Fisher weights w = μθ/(μ + θ) (Poisson as θ → ∞).
//! The log marginal likelihood of (σ, φ) is approximated by Laplace's
//! method at that mode:
//!
//! ```text
//! log p(y | σ, φ) ≈ ℓ(mode) − ½ bᵀQb + ½ log|Q| − ½ βᵀPβ + ½ log|P| − ½ log|H|
//! (P: the fixed effects' prior precision; constants in 2π dropped)
//! ```
//!
//! with Q the prior precision of b and H the Hessian of the negative log
//! joint at the mode. (σ, φ) maximise it, plus the log of the
//! penalised-complexity prior on σ (exponential, P(σ > 1) = 0.01; φ flat):
//! golden-section searches on log σ and a choice of φ among [`PHIS`] (see
//! [`fit`]). The size θ is a moment estimate made before, from one rate per
//! township and a common trend ([`moment_size`]).
//!
//! **Predictive.** Next year's linear predictor is Gaussian under the
//! Laplace approximation, mean η̂ and variance v = cᵀH⁻¹c; the count is NB(e^η,
//! θ) mixed over it, represented by five equal-weight components at the
//! quantiles 0.1, 0.3, …, 0.9 of N(η̂, v).
//!
//! The linear algebra is dense (faer's Cholesky and symmetric
//! eigendecomposition), so a region of more than [`MAX_TOWNSHIPS`] townships
//! gets no forecast from this model (the backtest notes it).

// Index loops read like the algebra they implement (rows, townships, years).
#![allow(clippy::needless_range_loop)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use faer::prelude::Solve;
use faer::{Mat, Side};

use crate::forecaster::Forecaster;
use crate::panel::History;
use crate::predictive::Predictive;

/// Rate λ of the penalised-complexity prior on σ (Simpson et al. 2017), an
/// exponential with P(σ > 1) = 0.01: λ = −ln(0.01) / 1. Without it a measure
/// with one event in the last year makes the evidence prefer township effects
/// of σ ≈ 3 and the lognormal predictive explodes (15 expected events
/// where the truth is 1).
const PC_RATE: f64 = 4.605_170_185_988_091;

/// Newton stops when no coordinate moves by more than this: loosely while
/// searching (σ, φ), where the evidence's error is of the order of the
/// step squared, and tightly for the fit that forecasts.
const SEARCH_TOL: f64 = 1e-4;
const EXACT_TOL: f64 = 1e-7;

/// The largest region the dense fit takes (a 2,500² Cholesky per Newton step).
pub const MAX_TOWNSHIPS: usize = 2500;

/// Prior precision of the intercept (nearly flat), of the trend (N(0, 0.1²)
/// per year: a change of ±10 % a year is plausible, ±50 % is not) and of the
/// standardised covariates' slopes (a N(0, 1) ridge).
const INTERCEPT_PRECISION: f64 = 1e-6;
const TREND_PRECISION: f64 = 100.0;
const SLOPE_PRECISION: f64 = 1.0;

/// The BYM2 model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bym2;

impl Forecaster for Bym2 {
    fn name(&self) -> String {
        "bym2".into()
    }

    fn forecast(&self, h: &History<'_>) -> Vec<Predictive> {
        if h.n() > MAX_TOWNSHIPS {
            return Vec::new();
        }
        let data = Data::of(h);
        if data.y.iter().all(|y| *y == 0.0) {
            return vec![Predictive::count(0.0, None); h.n()];
        }
        let graph = graph(h.neighbours(), h.n());
        let fit = fit(&data, &graph);
        fit.predictive(&data)
    }
}

/// The model's data: counts, offsets and design, township-major.
pub struct Data {
    /// Townships.
    pub n: usize,
    /// Years known.
    pub t: usize,
    /// y[i * t + s].
    pub y: Vec<f64>,
    /// log exposure of the known years, `offset[i * t + s]`.
    pub offset: Vec<f64>,
    /// log exposure of the target year, per township.
    pub target_offset: Vec<f64>,
    /// Fixed-effect design per township-year without the intercept:
    /// the trend (when t > 1) and the standardised covariates.
    pub x: Vec<Vec<f64>>,
    /// The same for the target year, per township.
    pub target_x: Vec<Vec<f64>>,
}

impl Data {
    /// From a history.
    pub fn of(h: &History<'_>) -> Data {
        let (n, t) = (h.n(), h.len());
        let k = h.covariates(0).len();
        // Standardised covariates (a constant one is left out).
        let mut z = vec![Vec::new(); n];
        for c in 0..k {
            let v: Vec<f64> = (0..n).map(|i| h.covariates(i)[c]).collect();
            let mean = v.iter().sum::<f64>() / n as f64;
            let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
            if sd > 1e-12 && sd.is_finite() {
                for (zi, x) in z.iter_mut().zip(&v) {
                    zi.push((x - mean) / sd);
                }
            }
        }
        let log = |e: f64| e.max(1e-12).ln();
        let (mut y, mut offset, mut x) = (Vec::new(), Vec::new(), Vec::new());
        let (mut target_offset, mut target_x) = (Vec::new(), Vec::new());
        for (i, zi) in z.iter().enumerate() {
            let e = h.exposure(i);
            for s in 0..t {
                y.push(h.counts(i)[s]);
                offset.push(log(e[s]));
                x.push(design(s as f64 - (t as f64 - 1.0), t, zi));
            }
            target_offset.push(log(e[t]));
            target_x.push(design(1.0, t, zi));
        }
        Data {
            n,
            t,
            y,
            offset,
            target_offset,
            x,
            target_x,
        }
    }

    /// Fixed effects, intercept included.
    fn p(&self) -> usize {
        1 + self.x.first().map_or(0, Vec::len)
    }
}

/// The linear predictor of one township-year: its log exposure `offset`,
/// its design row `x` (without the intercept) and township `i`, at `z`
/// (fixed effects, intercept first, then b).
fn linear(z: &[f64], p: usize, offset: f64, x: &[f64], i: usize) -> f64 {
    x.iter()
        .zip(&z[1..])
        .fold(offset + z[0] + z[p + i], |e, (x, b)| e + b * x)
}

/// The trend (years from the last known one; only with two years or more)
/// and the covariates.
fn design(years_from_last: f64, t: usize, z: &[f64]) -> Vec<f64> {
    let mut row = Vec::with_capacity(1 + z.len());
    if t > 1 {
        row.push(years_from_last);
    }
    row.extend_from_slice(z);
    row
}

/// The scaled ICAR structure of a neighbour graph, as its eigenvectors and
/// the BYM2 spatial variances λ⁺ along them.
pub struct Graph {
    /// Eigenvectors, columns.
    u: Mat<f64>,
    /// Marginal variance along each eigenvector of the spatial part: 1/λ for
    /// a positive eigenvalue λ of the scaled structure, 0 along the
    /// constants of a connected group (the sum-to-zero constraint), 1 for a
    /// township without neighbours.
    spatial: Vec<f64>,
    /// The unit precision and its log-determinant at each of [`PHIS`],
    /// made on first use and shared by every measure and origin.
    precisions: OnceLock<Vec<(Mat<f64>, f64)>>,
}

/// The values of φ the fit chooses among. A grid rather than a continuous
/// search: the prior precision at each is an n × n product, made once per
/// region instead of once per evaluation; the evidence is flat in φ to
/// within a few hundredths of a log unit between neighbouring values here.
pub const PHIS: [f64; 6] = [0.0, 0.2, 0.4, 0.6, 0.8, 0.95];

impl Graph {
    fn precision(&self, k: usize) -> (&Mat<f64>, f64) {
        let all = self
            .precisions
            .get_or_init(|| PHIS.iter().map(|phi| unit_precision(self, *phi)).collect());
        (&all[k].0, all[k].1)
    }
}

/// The graph of `neighbours` (cached: every measure and origin of a region
/// shares it).
pub fn graph(neighbours: &[Vec<usize>], n: usize) -> Arc<Graph> {
    static CACHE: OnceLock<Mutex<HashMap<Vec<Vec<usize>>, Arc<Graph>>>> = OnceLock::new();
    let mut lists: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            let mut l: Vec<usize> = neighbours
                .get(i)
                .map(|l| l.iter().copied().filter(|j| *j != i && *j < n).collect())
                .unwrap_or_default();
            l.sort_unstable();
            l.dedup();
            l
        })
        .collect();
    // Make the graph symmetric.
    for i in 0..n {
        for j in lists[i].clone() {
            if lists[j].binary_search(&i).is_err() {
                let at = lists[j].partition_point(|x| *x < i);
                lists[j].insert(at, i);
            }
        }
    }
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(g) = cache.lock().expect("graph cache").get(&lists) {
        return g.clone();
    }
    let g = Arc::new(build_graph(&lists));
    let mut c = cache.lock().expect("graph cache");
    if c.len() > 8 {
        c.clear();
    }
    c.insert(lists, g.clone());
    g
}

fn build_graph(lists: &[Vec<usize>]) -> Graph {
    let n = lists.len();
    // Connected groups.
    let mut group = vec![usize::MAX; n];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for s in 0..n {
        if group[s] != usize::MAX {
            continue;
        }
        let g = groups.len();
        let mut members = vec![s];
        group[s] = g;
        let mut k = 0;
        while k < members.len() {
            for &j in &lists[members[k]] {
                if group[j] == usize::MAX {
                    group[j] = g;
                    members.push(j);
                }
            }
            k += 1;
        }
        members.sort_unstable();
        groups.push(members);
    }
    let mut u = Mat::<f64>::zeros(n, n);
    let mut spatial = vec![0.0; n];
    let mut col = 0;
    for members in &groups {
        let m = members.len();
        if m == 1 {
            u[(members[0], col)] = 1.0;
            spatial[col] = 1.0;
            col += 1;
            continue;
        }
        let r = Mat::<f64>::from_fn(m, m, |a, b| {
            if a == b {
                lists[members[a]].len() as f64
            } else if lists[members[a]].binary_search(&members[b]).is_ok() {
                -1.0
            } else {
                0.0
            }
        });
        let eig = r
            .self_adjoint_eigen(Side::Lower)
            .expect("the eigendecomposition of a graph Laplacian");
        let (vecs, vals) = (eig.U(), eig.S());
        let tol = 1e-9 * m as f64;
        // Scale: the geometric mean of the diagonal of the generalised inverse.
        let mut log_sum = 0.0;
        for a in 0..m {
            let d: f64 = (0..m)
                .filter(|&k| vals[k] > tol)
                .map(|k| vecs[(a, k)] * vecs[(a, k)] / vals[k])
                .sum();
            log_sum += d.max(1e-300).ln();
        }
        let scale = (log_sum / m as f64).exp();
        for k in 0..m {
            for (a, &i) in members.iter().enumerate() {
                u[(i, col)] = vecs[(a, k)];
            }
            // Eigenvalue of the scaled structure scale · R is scale · λ.
            spatial[col] = if vals[k] > tol {
                1.0 / (scale * vals[k])
            } else {
                0.0
            };
            col += 1;
        }
    }
    Graph {
        u,
        spatial,
        precisions: OnceLock::new(),
    }
}

/// The prior precision of b for φ at σ = 1: U diag(1 / ((1 − φ) + φ λ⁺)) Uᵀ,
/// and its log-determinant.
fn unit_precision(g: &Graph, phi: f64) -> (Mat<f64>, f64) {
    let n = g.spatial.len();
    let var: Vec<f64> = g
        .spatial
        .iter()
        .map(|s| ((1.0 - phi) + phi * s).max(1e-12))
        .collect();
    let scaled = Mat::<f64>::from_fn(n, n, |i, k| g.u[(i, k)] / var[k]);
    let q = &scaled * g.u.transpose();
    let log_det = -var.iter().map(|v| v.ln()).sum::<f64>();
    (q, log_det)
}

/// A fit at given hyperparameters: the mode and the Laplace evidence.
struct Mode {
    /// Fixed effects (intercept first), then b.
    z: Vec<f64>,
    /// The Laplace approximation of the log marginal likelihood.
    evidence: f64,
    /// The Cholesky factor of H, for the predictive variances.
    llt: Option<faer::linalg::solvers::Llt<f64>>,
}

/// The fitted model.
pub struct Fitted {
    /// σ, the standard deviation of the township effects.
    pub sigma: f64,
    /// φ, the spatial share of their variance.
    pub phi: f64,
    /// θ, the NB size (infinite: Poisson).
    pub size: f64,
    /// Fixed effects (intercept first), then b.
    pub z: Vec<f64>,
    /// The Laplace evidence at (σ, φ, θ).
    pub evidence: f64,
    llt: Option<faer::linalg::solvers::Llt<f64>>,
}

/// The mode and evidence at (σ, φ, θ), Newton from `start`.
fn mode(
    d: &Data,
    q_unit: &Mat<f64>,
    q_log_det: f64,
    sigma: f64,
    size: f64,
    start: &[f64],
    tol: f64,
) -> Mode {
    let (n, t, p) = (d.n, d.t, d.p());
    let dim = p + n;
    let tau = 1.0 / (sigma * sigma);
    let mut z = start.to_vec();
    let mut mu = vec![0.0; n * t];
    let eta = |z: &[f64], r: usize| linear(z, p, d.offset[r], &d.x[r], r / t);
    let prior_fixed = |k: usize| prior_precision(d, k);
    // The prior's part of H (lower triangle), the same at every step.
    let mut base = Mat::<f64>::zeros(dim, dim);
    for k in 0..p {
        base[(k, k)] = prior_fixed(k);
    }
    for j in 0..n {
        for i in j..n {
            base[(p + i, p + j)] = tau * q_unit[(i, j)];
        }
    }
    let mut last = None;
    for _ in 0..50 {
        // (the loop ends when a Newton step moves no coordinate by `tol`)
        let mut h = base.clone();
        let mut g = vec![0.0; dim];
        for r in 0..n * t {
            mu[r] = eta(&z, r).min(700.0).exp();
        }
        for r in 0..n * t {
            let i = r / t;
            let (y, m) = (d.y[r], mu[r]);
            let (grad, w) = if size.is_finite() {
                (size * (y - m) / (m + size), m * size / (m + size))
            } else {
                (y - m, m)
            };
            // a = (1, x, e_i): the row of the linear predictor.
            let xr = &d.x[r];
            g[0] += grad;
            g[p + i] += grad;
            h[(0, 0)] += w;
            h[(p + i, p + i)] += w;
            h[(p + i, 0)] += w;
            for (k, xk) in xr.iter().enumerate() {
                g[1 + k] += grad * xk;
                h[(1 + k, 0)] += w * xk;
                h[(p + i, 1 + k)] += w * xk;
                for (l, xl) in xr.iter().enumerate().take(k + 1) {
                    h[(1 + k, 1 + l)] += w * xk * xl;
                }
            }
        }
        for k in 0..p {
            g[k] -= prior_fixed(k) * z[k];
        }
        let b = Mat::<f64>::from_fn(n, 1, |i, _| z[p + i]);
        let qb = q_unit * &b;
        for i in 0..n {
            g[p + i] -= tau * qb[(i, 0)];
        }
        let Ok(llt) = h.llt(Side::Lower) else {
            return Mode {
                z,
                evidence: f64::NEG_INFINITY,
                llt: None,
            };
        };
        let rhs = Mat::<f64>::from_fn(dim, 1, |k, _| g[k]);
        let step = llt.solve(&rhs);
        let mut biggest: f64 = 0.0;
        for k in 0..dim {
            // Damped: a step of more than 3 on the log scale is cut to 3.
            biggest = biggest.max(step[(k, 0)].abs());
        }
        let damp = if biggest > 3.0 { 3.0 / biggest } else { 1.0 };
        for k in 0..dim {
            z[k] += damp * step[(k, 0)];
        }
        let done = biggest * damp < tol;
        last = Some(llt);
        if done {
            break;
        }
    }
    // Evidence at the mode (the factor of the last step's H is at the mode
    // to within the last step, which is below `tol`).
    let Some(llt) = last else {
        return Mode {
            z,
            evidence: f64::NEG_INFINITY,
            llt: None,
        };
    };
    let mut loglik = 0.0;
    for r in 0..n * t {
        let (y, m) = (d.y[r], eta(&z, r).min(700.0).exp());
        loglik += if size.is_finite() {
            libm::lgamma(y + size) - libm::lgamma(size) - libm::lgamma(y + 1.0)
                + size * (size / (size + m)).ln()
                + if y > 0.0 {
                    y * (m / (size + m)).ln()
                } else {
                    0.0
                }
        } else {
            (if y > 0.0 { y * m.ln() } else { 0.0 }) - m - libm::lgamma(y + 1.0)
        };
    }
    let b = Mat::<f64>::from_fn(n, 1, |i, _| z[p + i]);
    let qb = q_unit * &b;
    let quad: f64 = (0..n).map(|i| z[p + i] * qb[(i, 0)]).sum();
    let fixed_prior: f64 = (0..p).map(|k| prior_precision(d, k) * z[k] * z[k]).sum();
    let fixed_log_det: f64 = (0..p).map(|k| prior_precision(d, k).ln()).sum();
    let l = llt.L();
    let log_det_h: f64 = (0..dim).map(|k| 2.0 * l[(k, k)].ln()).sum();
    let evidence = loglik - 0.5 * tau * quad + 0.5 * (q_log_det + n as f64 * tau.ln())
        - 0.5 * fixed_prior
        + 0.5 * fixed_log_det
        - 0.5 * log_det_h;
    Mode {
        z,
        evidence,
        llt: Some(llt),
    }
}

/// The prior precision of fixed effect `k` (0: intercept; then the trend
/// when there are two years or more; then the covariates).
fn prior_precision(d: &Data, k: usize) -> f64 {
    match k {
        0 => INTERCEPT_PRECISION,
        1 if d.t > 1 => TREND_PRECISION,
        _ => SLOPE_PRECISION,
    }
}

/// Golden-section search for the maximum of `f` on [lo, hi] with `steps` evaluations.
fn golden(mut lo: f64, mut hi: f64, steps: usize, f: &mut dyn FnMut(f64) -> f64) -> (f64, f64) {
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (hi - r * (hi - lo), lo + r * (hi - lo));
    let (mut fa, mut fb) = (f(a), f(b));
    for _ in 0..steps {
        if fa >= fb {
            hi = b;
            b = a;
            fb = fa;
            a = hi - r * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + r * (hi - lo);
            fb = f(b);
        }
    }
    if fa >= fb {
        (a, fa)
    } else {
        (b, fb)
    }
}

/// The mode and evidence at fixed (σ, φ, θ): for tests and for checking
/// against an independent implementation.
pub fn fit_at(d: &Data, g: &Graph, sigma: f64, phi: f64, size: f64) -> Fitted {
    let (q, q_log_det) = unit_precision(g, phi);
    fitted(d, (&q, q_log_det), (sigma, phi, size), &start(d))
}

/// The exact mode at (σ, φ, θ) from `start`, with the prior precision of φ
/// and its log-determinant.
fn fitted(
    d: &Data,
    (q, q_log_det): (&Mat<f64>, f64),
    (sigma, phi, size): (f64, f64, f64),
    start: &[f64],
) -> Fitted {
    let m = mode(d, q, q_log_det, sigma, size, start, EXACT_TOL);
    Fitted {
        sigma,
        phi,
        size,
        z: m.z,
        evidence: m.evidence,
        llt: m.llt,
    }
}

/// Starting values: the intercept at the pooled log rate, the rest 0.
fn start(d: &Data) -> Vec<f64> {
    let ys: f64 = d.y.iter().sum();
    let es: f64 = d.offset.iter().map(|o| o.exp()).sum();
    let mut z = vec![0.0; d.p() + d.n];
    z[0] = ((ys + 0.5) / es.max(1e-12)).ln();
    z
}

/// Fits θ by moments, then (σ, φ) by maximising the Laplace evidence plus
/// the PC prior on σ: a golden-section search on log σ ∈ [−5, 1.5] at
/// φ = 0.6, the best φ of [`PHIS`] at that σ, and a narrower search on log σ
/// at that φ; every Newton solve starts from the last mode.
pub fn fit(d: &Data, g: &Graph) -> Fitted {
    let size = moment_size(d);
    let mut warm = start(d);
    let eval = |log_sigma: f64, k: usize, warm: &mut Vec<f64>| -> f64 {
        let (q, ld) = g.precision(k);
        let sigma = log_sigma.exp();
        let m = mode(d, q, ld, sigma, size, warm, SEARCH_TOL);
        if m.evidence.is_finite() {
            *warm = m.z;
        }
        // The PC prior on σ, in log σ (its Jacobian included).
        m.evidence - PC_RATE * sigma + log_sigma
    };
    let mut k = 3;
    let (mut log_sigma, mut best) = golden(-5.0, 1.5, 8, &mut |s| eval(s, k, &mut warm));
    for j in 0..PHIS.len() {
        if j != k {
            let e = eval(log_sigma, j, &mut warm);
            if e > best {
                (best, k) = (e, j);
            }
        }
    }
    (log_sigma, _) = golden(log_sigma - 0.7, log_sigma + 0.7, 4, &mut |s| {
        eval(s, k, &mut warm)
    });
    fitted(d, g.precision(k), (log_sigma.exp(), PHIS[k], size), &warm)
}

/// The NB size θ by moments from a model with one rate per township and a
/// common trend (fitted by alternating updates), the township-years'
/// variance beyond Poisson against Σ μ²; a degrees-of-freedom factor
/// N / (N − n − 1) undoes the fit's absorption of variance. Infinite
/// (Poisson) without excess variance; at least [`crate::forecaster::MIN_SIZE`].
pub fn moment_size(d: &Data) -> f64 {
    let (n, t) = (d.n, d.t);
    let trend = |r: usize| if t > 1 { d.x[r][0] } else { 0.0 };
    let mut gamma = 0.0;
    let mut mu = vec![0.0; n * t];
    for _ in 0..20 {
        for i in 0..n {
            let rows = i * t..(i + 1) * t;
            let y: f64 = rows.clone().map(|r| d.y[r]).sum();
            let e: f64 = rows
                .clone()
                .map(|r| (d.offset[r] + gamma * trend(r)).exp())
                .sum();
            let rate = if e > 0.0 { y / e } else { 0.0 };
            for r in rows {
                mu[r] = rate * (d.offset[r] + gamma * trend(r)).exp();
            }
        }
        if t < 2 {
            break;
        }
        let (g, h) = (0..n * t).fold((0.0, 0.0), |(g, h), r| {
            let s = trend(r);
            (g + (d.y[r] - mu[r]) * s, h + mu[r] * s * s)
        });
        if h <= 0.0 {
            break;
        }
        let step = (g / h).clamp(-1.0, 1.0);
        gamma += step;
        if step.abs() < 1e-10 {
            break;
        }
    }
    let (mut num, mut den) = (0.0, 0.0);
    for (y, m) in d.y.iter().zip(&mu) {
        num += (y - m) * (y - m) - m;
        den += m * m;
    }
    let rows = (n * t) as f64;
    let dof = rows / (rows - n as f64 - 1.0).max(1.0);
    let excess = num * dof;
    if excess > 1e-6 * den && den > 0.0 {
        (den / excess).max(crate::forecaster::MIN_SIZE)
    } else {
        f64::INFINITY
    }
}

impl Fitted {
    /// Next year's linear predictor per township: mean and variance.
    pub fn target(&self, d: &Data) -> Vec<(f64, f64)> {
        let p = d.p();
        let dim = p + d.n;
        (0..d.n)
            .map(|i| {
                // c: the predictor's coefficients on (α, γ, β, b).
                let mut c = vec![0.0; dim];
                c[0] = 1.0;
                c[1..p].copy_from_slice(&d.target_x[i]);
                c[p + i] = 1.0;
                let eta = linear(&self.z, p, d.target_offset[i], &d.target_x[i], i);
                let var = self.llt.as_ref().map_or(0.0, |llt| {
                    let rhs = Mat::<f64>::from_fn(dim, 1, |k, _| c[k]);
                    let s = llt.solve(&rhs);
                    (0..dim).map(|k| c[k] * s[(k, 0)]).sum::<f64>().max(0.0)
                });
                (eta, var)
            })
            .collect()
    }

    /// The predictive distributions of next year's counts.
    pub fn predictive(&self, d: &Data) -> Vec<Predictive> {
        // Standard normal quantiles at 0.1, 0.3, 0.5, 0.7, 0.9.
        const NODES: [f64; 5] = [
            -1.281_551_565_544_601,
            -0.524_400_512_708_041,
            0.0,
            0.524_400_512_708_041,
            1.281_551_565_544_601,
        ];
        let size = self.size.is_finite().then_some(self.size);
        self.target(d)
            .into_iter()
            .map(|(eta, var)| {
                let sd = var.sqrt();
                let parts: Vec<Predictive> = NODES
                    .iter()
                    .map(|q| Predictive::count((eta + q * sd).min(700.0).exp(), size))
                    .collect();
                Predictive::mixture(&parts)
            })
            .collect()
    }
}
