//! Global Moran's I and local Moran (LISA), as esda's `Moran` and
//! `Moran_Local` compute them.
//!
//! Global: with z = y − ȳ, I = n/S0 · Σᵢ zᵢ (Wz)ᵢ / Σ zᵢ², E[I] = −1/(n−1),
//! and the variances under normality and randomisation of Cliff and Ord
//! (esda's `VI_norm`, `VI_rand`); p-values are two-sided normal. The
//! permutation p-value shuffles z completely and folds like esda:
//! p = (min(#{I_sim ≥ I}, P − #{I_sim ≥ I}) + 1) / (P + 1).
//!
//! Local: zᵢ = (yᵢ − ȳ)/sd(y) (population sd), Iᵢ = (n−1)·zᵢ·(Wz)ᵢ / Σ z²
//! with W row-standardised. Pseudo p-values come from conditional
//! permutation: for township i with kᵢ neighbours, each of P draws takes kᵢ
//! distinct values from the other n−1 townships (i held fixed), and the
//! folded count gives p as above. Draws for township i come from their own
//! ChaCha8 stream keyed by (seed, i), so results do not depend on the thread
//! count; esda shares one set of random ids across townships, so the two
//! agree only statistically. Degenerate cases — an island, zᵢ = 0, or a
//! township whose neighbours are all the others — have a constant
//! permutation distribution and get p = 1 (esda's folding gives 1/(P+1)).
//!
//! Quadrants follow esda (`q` 1..4 = HH, LH, LL, HL): "high" means zᵢ > 0
//! and a high lag means (Wz)ᵢ > 0, so a value exactly at the mean is "low".
//! A LISA class is the quadrant when p < α (strictly, as esda's
//! `get_cluster_labels`), or, with the FDR option, when the
//! Benjamini–Hochberg adjusted p ≤ α; otherwise `ns`.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::weights::{Transform, Weights};
use crate::{below, check_values, normal, stream_key, StatsError};

const GLOBAL_TAG: u64 = 0x6d6f_7261_6e5f_676c; // "moran_gl"
const LOCAL_TAG: u64 = 0x6d6f_7261_6e5f_6c6f; // "moran_lo"

/// Options of [`global_moran`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlobalMoranOptions {
    /// The weights transform (SPEC: row-standardised).
    pub transform: Transform,
    /// Number of random permutations for `p_permutation` (0: none).
    pub permutations: usize,
    /// Seed of the permutations.
    pub seed: u64,
}

impl Default for GlobalMoranOptions {
    fn default() -> Self {
        GlobalMoranOptions {
            transform: Transform::RowStandardised,
            permutations: 999,
            seed: 0,
        }
    }
}

impl GlobalMoranOptions {
    /// Row-standardised weights and no permutations: the analytic figures only.
    pub fn analytic() -> Self {
        GlobalMoranOptions {
            permutations: 0,
            ..Self::default()
        }
    }
}

/// Global Moran's I with its moments and p-values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalMoran {
    /// Number of townships.
    pub n: usize,
    /// Moran's I.
    pub i: f64,
    /// E[I] = −1/(n−1).
    pub expected: f64,
    /// Var[I] under the normality assumption.
    pub variance_normality: f64,
    /// (I − E[I]) / sd under normality.
    pub z_normality: f64,
    /// Two-sided p-value under normality.
    pub p_normality: f64,
    /// Var[I] under randomisation.
    pub variance_randomisation: f64,
    /// (I − E[I]) / sd under randomisation.
    pub z_randomisation: f64,
    /// Two-sided p-value under randomisation.
    pub p_randomisation: f64,
    /// Number of permutations run.
    pub permutations: usize,
    /// Folded permutation pseudo p-value (None without permutations).
    pub p_permutation: Option<f64>,
}

/// Global Moran's I of `y` under `w`.
pub fn global_moran(
    y: &[f64],
    w: &Weights,
    options: &GlobalMoranOptions,
) -> Result<GlobalMoran, StatsError> {
    check_values("y", y, w.len())?;
    let n = y.len();
    if n < 4 {
        return Err(StatsError::TooFew {
            statistic: "Moran's I (randomisation variance)",
            needed: 4,
            got: n,
        });
    }
    check_size(n)?;
    let mean = y.iter().sum::<f64>() / n as f64;
    let z: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let z2ss: f64 = z.iter().map(|v| v * v).sum();
    if z2ss == 0.0 {
        return Err(StatsError::Constant {
            statistic: "Moran's I",
        });
    }
    let sums = w.sums(options.transform);
    if sums.s0 == 0.0 {
        return Err(StatsError::NoLinks);
    }
    let nf = n as f64;
    let scale = nf / sums.s0 / z2ss;
    let i_obs = scale * cross_product(&z, &z, w, options.transform);

    let (s0, s1, s2) = (sums.s0, sums.s1, sums.s2);
    let s02 = s0 * s0;
    let n2 = nf * nf;
    let expected = -1.0 / (nf - 1.0);
    let variance_normality =
        (n2 * s1 - nf * s2 + 3.0 * s02) / ((nf - 1.0) * (nf + 1.0) * s02) - expected * expected;
    let k = (z.iter().map(|v| v.powi(4)).sum::<f64>() / nf) / (z2ss / nf).powi(2);
    let a = nf * ((n2 - 3.0 * nf + 3.0) * s1 - nf * s2 + 3.0 * s02);
    let b = k * ((n2 - nf) * s1 - 2.0 * nf * s2 + 6.0 * s02);
    let variance_randomisation =
        (a - b) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0) * s02) - expected * expected;
    let z_normality = (i_obs - expected) / variance_normality.sqrt();
    let z_randomisation = (i_obs - expected) / variance_randomisation.sqrt();

    let p_permutation = (options.permutations > 0).then(|| {
        let larger = (0..options.permutations)
            .into_par_iter()
            .map_init(
                || z.clone(),
                |buf, p| {
                    let mut rng =
                        ChaCha8Rng::seed_from_u64(stream_key(options.seed, GLOBAL_TAG, p as u64));
                    buf.copy_from_slice(&z);
                    for m in (1..n).rev() {
                        buf.swap(m, below(&mut rng, m + 1));
                    }
                    usize::from(scale * cross_product(buf, buf, w, options.transform) >= i_obs)
                },
            )
            .sum::<usize>();
        folded_p(larger, options.permutations)
    });

    Ok(GlobalMoran {
        n,
        i: i_obs,
        expected,
        variance_normality,
        z_normality,
        p_normality: normal::two_sided_p(z_normality),
        variance_randomisation,
        z_randomisation,
        p_randomisation: normal::two_sided_p(z_randomisation),
        permutations: options.permutations,
        p_permutation,
    })
}

/// Σᵢ aᵢ Σⱼ wᵢⱼ bⱼ.
fn cross_product(a: &[f64], b: &[f64], w: &Weights, transform: Transform) -> f64 {
    (0..a.len())
        .map(|i| {
            let nb = w.neighbours(i);
            if nb.is_empty() {
                return 0.0;
            }
            let s: f64 = nb.iter().map(|&j| b[j]).sum();
            let wij = match transform {
                Transform::Binary => 1.0,
                Transform::RowStandardised => 1.0 / nb.len() as f64,
            };
            a[i] * s * wij
        })
        .sum()
}

/// The permutation draws use 32-bit indices.
fn check_size(n: usize) -> Result<(), StatsError> {
    if n > u32::MAX as usize {
        return Err(StatsError::BadOption {
            name: "y",
            why: "permutation tests support at most 2^32 - 1 townships",
        });
    }
    Ok(())
}

/// esda's folded pseudo p-value from the count of simulations ≥ the observation.
fn folded_p(larger: usize, permutations: usize) -> f64 {
    let folded = larger.min(permutations - larger);
    (folded as f64 + 1.0) / (permutations as f64 + 1.0)
}

/// Options of [`local_moran`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalMoranOptions {
    /// Conditional permutations per township (0: no pseudo p-values, every class `ns`).
    pub permutations: usize,
    /// Seed of the permutations.
    pub seed: u64,
    /// Significance level of the LISA classes.
    pub alpha: f64,
    /// Classify on Benjamini–Hochberg adjusted p-values instead of raw ones.
    pub fdr: bool,
}

impl Default for LocalMoranOptions {
    fn default() -> Self {
        LocalMoranOptions {
            permutations: 999,
            seed: 0,
            alpha: 0.05,
            fdr: false,
        }
    }
}

/// The Moran scatterplot quadrant of a township (esda's `q` numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quadrant {
    /// High value, high lag (esda q = 1).
    HH,
    /// Low value, high lag (esda q = 2).
    LH,
    /// Low value, low lag (esda q = 3).
    LL,
    /// High value, low lag (esda q = 4).
    HL,
}

impl Quadrant {
    /// esda's number for the quadrant.
    pub fn esda_q(self) -> u8 {
        match self {
            Quadrant::HH => 1,
            Quadrant::LH => 2,
            Quadrant::LL => 3,
            Quadrant::HL => 4,
        }
    }
}

/// A LISA class: a significant quadrant or not significant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LisaClass {
    /// Significant high-high cluster.
    HH,
    /// Significant low-low cluster.
    LL,
    /// Significant high-low outlier.
    HL,
    /// Significant low-high outlier.
    LH,
    /// Not significant.
    NotSignificant,
}

impl LisaClass {
    /// The label SPEC's `lisa` column uses: `HH`, `LL`, `HL`, `LH` or `ns`.
    pub fn as_str(self) -> &'static str {
        match self {
            LisaClass::HH => "HH",
            LisaClass::LL => "LL",
            LisaClass::HL => "HL",
            LisaClass::LH => "LH",
            LisaClass::NotSignificant => "ns",
        }
    }
}

/// Local Moran results, one entry per township.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalMoran {
    /// Local Moran's Iᵢ.
    pub ii: Vec<f64>,
    /// Standardised values zᵢ.
    pub z: Vec<f64>,
    /// Row-standardised spatial lag of z.
    pub lag: Vec<f64>,
    /// Scatterplot quadrant.
    pub quadrant: Vec<Quadrant>,
    /// Conditional-permutation pseudo p-values (NaN without permutations).
    pub p_sim: Vec<f64>,
    /// Benjamini–Hochberg adjusted p-values when the FDR option is on.
    pub q_fdr: Option<Vec<f64>>,
    /// LISA class.
    pub class: Vec<LisaClass>,
}

/// Local Moran of `y` under row-standardised `w`.
pub fn local_moran(
    y: &[f64],
    w: &Weights,
    options: &LocalMoranOptions,
) -> Result<LocalMoran, StatsError> {
    check_values("y", y, w.len())?;
    let n = y.len();
    if n < 3 {
        return Err(StatsError::TooFew {
            statistic: "local Moran",
            needed: 3,
            got: n,
        });
    }
    check_size(n)?;
    let nf = n as f64;
    let mean = y.iter().sum::<f64>() / nf;
    let sd = (y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / nf).sqrt();
    if sd == 0.0 {
        return Err(StatsError::Constant {
            statistic: "local Moran",
        });
    }
    let z: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    let den: f64 = z.iter().map(|v| v * v).sum();

    let per: Vec<(f64, f64, f64)> = (0..n)
        .into_par_iter()
        .with_min_len(256)
        .map(|i| {
            let nb = w.neighbours(i);
            let k = nb.len();
            if k == 0 {
                return (0.0, 0.0, 1.0);
            }
            let s_obs: f64 = nb.iter().map(|&j| z[j]).sum();
            let c = (nf - 1.0) * z[i] / (k as f64 * den);
            let ii = c * s_obs;
            let lag = s_obs / k as f64;
            let p = if options.permutations == 0 {
                f64::NAN
            } else if c == 0.0 || k >= n - 1 {
                1.0
            } else {
                let larger = count_conditional(&z, i, k, s_obs, c > 0.0, options);
                folded_p(larger, options.permutations)
            };
            (ii, lag, p)
        })
        .collect();

    let ii: Vec<f64> = per.iter().map(|t| t.0).collect();
    let lag: Vec<f64> = per.iter().map(|t| t.1).collect();
    let p_sim: Vec<f64> = per.iter().map(|t| t.2).collect();
    let quadrant: Vec<Quadrant> = z
        .iter()
        .zip(&lag)
        .map(|(&zi, &li)| match (zi > 0.0, li > 0.0) {
            (true, true) => Quadrant::HH,
            (false, true) => Quadrant::LH,
            (false, false) => Quadrant::LL,
            (true, false) => Quadrant::HL,
        })
        .collect();
    let q_fdr = options.fdr.then(|| crate::fdr::benjamini_hochberg(&p_sim));
    let class = (0..n)
        .map(|i| {
            let significant = match &q_fdr {
                Some(q) => q[i] <= options.alpha,
                None => p_sim[i] < options.alpha,
            };
            if !significant {
                return LisaClass::NotSignificant;
            }
            match quadrant[i] {
                Quadrant::HH => LisaClass::HH,
                Quadrant::LH => LisaClass::LH,
                Quadrant::LL => LisaClass::LL,
                Quadrant::HL => LisaClass::HL,
            }
        })
        .collect();
    Ok(LocalMoran {
        ii,
        z,
        lag,
        quadrant,
        p_sim,
        q_fdr,
        class,
    })
}

/// How many of the conditional permutations of township `i` give a local
/// Moran at least the observed one. Because Iᵢ = c·(sum of the k neighbour
/// values) with the same c in every draw, comparing sums (reversed when
/// c < 0) is the same test without a multiplication per draw.
fn count_conditional(
    z: &[f64],
    i: usize,
    k: usize,
    s_obs: f64,
    positive: bool,
    options: &LocalMoranOptions,
) -> usize {
    let n = z.len();
    let others = n - 1;
    let mut rng = ChaCha8Rng::seed_from_u64(stream_key(options.seed, LOCAL_TAG, i as u64));
    let mut larger = 0;
    // Draw without replacement by rejection when k is small against n − 1
    // (the usual case: a handful of neighbours among thousands), otherwise
    // by a partial Fisher–Yates shuffle of the other indices.
    if k * 4 <= others {
        let mut drawn: Vec<usize> = Vec::with_capacity(k);
        for _ in 0..options.permutations {
            drawn.clear();
            let mut s = 0.0;
            while drawn.len() < k {
                let mut j = below(&mut rng, others);
                if j >= i {
                    j += 1;
                }
                if !drawn.contains(&j) {
                    drawn.push(j);
                    s += z[j];
                }
            }
            larger += usize::from(if positive { s >= s_obs } else { s <= s_obs });
        }
    } else {
        let mut pool: Vec<usize> = (0..n).filter(|&j| j != i).collect();
        for _ in 0..options.permutations {
            let mut s = 0.0;
            for m in 0..k {
                let pick = m + below(&mut rng, others - m);
                pool.swap(m, pick);
                s += z[pool[m]];
            }
            larger += usize::from(if positive { s >= s_obs } else { s <= s_obs });
        }
    }
    larger
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(n: usize) -> Weights {
        Weights::from_neighbours(
            (0..n)
                .map(|i| {
                    [i.wrapping_sub(1), i + 1]
                        .into_iter()
                        .filter(|&j| j < n)
                        .collect()
                })
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn p_values_do_not_depend_on_thread_count() {
        let n = 300;
        let y: Vec<f64> = (0..n)
            .map(|i| ((i * 37) % 101) as f64 + if i < 40 { 300.0 } else { 0.0 })
            .collect();
        let w = path(n);
        let opts = LocalMoranOptions::default();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let a = one.install(|| local_moran(&y, &w, &opts).unwrap());
        let b = two.install(|| local_moran(&y, &w, &opts).unwrap());
        assert_eq!(a, b);
        let ga = one.install(|| global_moran(&y, &w, &GlobalMoranOptions::default()).unwrap());
        let gb = two.install(|| global_moran(&y, &w, &GlobalMoranOptions::default()).unwrap());
        assert_eq!(ga, gb);
        // A strong cluster at the start is found, and the seed matters.
        assert_eq!(a.class[10], LisaClass::HH);
        let other = local_moran(&y, &w, &LocalMoranOptions { seed: 1, ..opts }).unwrap();
        assert_ne!(a.p_sim, other.p_sim);
    }

    #[test]
    fn fdr_never_adds_significance() {
        let n = 200;
        let y: Vec<f64> = (0..n).map(|i| ((i * 7919) % 257) as f64).collect();
        let w = path(n);
        let raw = local_moran(&y, &w, &LocalMoranOptions::default()).unwrap();
        let fdr = local_moran(
            &y,
            &w,
            &LocalMoranOptions {
                fdr: true,
                ..Default::default()
            },
        )
        .unwrap();
        let sig = |m: &LocalMoran| {
            m.class
                .iter()
                .filter(|c| **c != LisaClass::NotSignificant)
                .count()
        };
        assert!(sig(&fdr) <= sig(&raw));
    }

    #[test]
    fn errors_are_typed() {
        let w = path(5);
        assert_eq!(
            global_moran(&[1.0; 5], &w, &GlobalMoranOptions::default()),
            Err(StatsError::Constant {
                statistic: "Moran's I"
            })
        );
        assert!(matches!(
            global_moran(&[1.0; 4], &w, &GlobalMoranOptions::default()),
            Err(StatsError::LengthMismatch { .. })
        ));
    }
}
