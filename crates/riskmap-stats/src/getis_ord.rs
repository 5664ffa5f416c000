//! Getis–Ord Gi* z-scores with binary weights that include the township
//! itself, as esda's `G_Local(y, w, transform="B", star=True)` computes them.
//!
//! With Wᵢ = kᵢ + 1 (the neighbours plus i itself), x̄ and
//! s² = Σx²/n − x̄² over all n townships,
//!
//! zᵢ = (Σⱼ∈N(i)∪{i} xⱼ − x̄·Wᵢ) / (s·√(Wᵢ(n − Wᵢ)/(n − 1))),
//!
//! which is esda's (Gᵢ − E[Gᵢ]) / √Var[Gᵢ] rewritten. The same formula
//! serves the space-time Gi* of [`crate::emerging`].

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::weights::Weights;
use crate::{check_values, normal, StatsError};

/// Gi* results, one entry per township.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GiStar {
    /// Gi* = Σⱼ∈N(i)∪{i} xⱼ / Σ x (esda's `Gs`).
    pub g: Vec<f64>,
    /// The z-scores (esda's `Zs`).
    pub z: Vec<f64>,
    /// Two-sided normal p-values of z (esda's `p_norm` is the one-sided half).
    pub p: Vec<f64>,
}

/// The Gi* z-score of one location from its neighbourhood sum and size.
pub(crate) fn gi_star_z(local_sum: f64, w: f64, n: f64, mean: f64, sd: f64) -> f64 {
    (local_sum - mean * w) / (sd * (w * (n - w) / (n - 1.0)).sqrt())
}

/// Gi* of `y` under binary `w` plus self.
pub fn gi_star(y: &[f64], w: &Weights) -> Result<GiStar, StatsError> {
    check_values("y", y, w.len())?;
    let n = y.len();
    if n < 2 {
        return Err(StatsError::TooFew {
            statistic: "Gi*",
            needed: 2,
            got: n,
        });
    }
    let nf = n as f64;
    let total: f64 = y.iter().sum();
    let mean = total / nf;
    let var = y.iter().map(|v| v * v).sum::<f64>() / nf - mean * mean;
    if var <= 0.0 {
        return Err(StatsError::Constant { statistic: "Gi*" });
    }
    let sd = var.sqrt();
    // Townships are independent: in parallel, each one's sum in the same
    // order as a sequential loop, so the result does not depend on threads.
    let per: Vec<(f64, f64, f64)> = (0..n)
        .into_par_iter()
        .with_min_len(1024)
        .map(|i| {
            let local: f64 = y[i] + w.neighbours(i).iter().map(|&j| y[j]).sum::<f64>();
            let wi = (w.cardinality(i) + 1) as f64;
            let z = gi_star_z(local, wi, nf, mean, sd);
            (local / total, z, normal::two_sided_p(z))
        })
        .collect();
    let g = per.iter().map(|t| t.0).collect();
    let z = per.iter().map(|t| t.1).collect();
    let p = per.iter().map(|t| t.2).collect();
    Ok(GiStar { g, z, p })
}
