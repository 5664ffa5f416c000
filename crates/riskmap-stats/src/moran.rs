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
//! folded count gives p as above. [`PermutationScheme`] chooses how the
//! draws are made: by default as esda's `crand` does, from one P × k_max
//! table of indices shared by all townships (fast; p-values correlated
//! across townships), or from one stream per township keyed by (seed, i)
//! (independent p-values; several times slower). Either way results do not
//! depend on the thread count; they agree with esda statistically, not draw
//! for draw (esda draws with numba's Mersenne Twister). Degenerate cases —
//! an island, zᵢ = 0, or a township whose neighbours are all the others —
//! have a constant permutation distribution and get p = 1 (esda's folding
//! gives 1/(P+1)).
//!
//! Random draws use xoshiro128++ (rand's portable `Xoshiro128PlusPlus`,
//! fixed output across rand versions) seeded by SplitMix-mixing (seed,
//! purpose, index): a 32-bit generator that costs a fraction of ChaCha8 per
//! draw; permutation tests need uniformity, not unpredictability.
//!
//! Quadrants follow esda (`q` 1..4 = HH, LH, LL, HL): "high" means zᵢ > 0
//! and a high lag means (Wz)ᵢ > 0, so a value exactly at the mean is "low".
//! A LISA class is the quadrant when p < α (strictly, as esda's
//! `get_cluster_labels`), or, with the FDR option, when the
//! Benjamini–Hochberg adjusted p ≤ α; otherwise `ns`.

use rand::rngs::Xoshiro128PlusPlus;
use rand::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::weights::{Transform, Weights};
use crate::{below, check_values, normal, stream_key, StatsError};

const GLOBAL_TAG: u64 = 0x6d6f_7261_6e5f_676c; // "moran_gl"
const LOCAL_TAG: u64 = 0x6d6f_7261_6e5f_6c6f; // "moran_lo"
const TABLE_TAG: u64 = 0x6d6f_7261_6e5f_7462; // "moran_tb"

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
    let rows = CompactRows::new(w, options.transform);
    let i_obs = scale * rows.quadratic_form(&z);

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
        let larger = count_global_permutations(&z, &rows, scale, i_obs, options);
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

/// The weights as the permutation loop reads them: 32-bit neighbour
/// indices (half the memory traffic of `usize`) and one weight per row, so
/// that each of the P quadratic forms streams through compact arrays.
struct CompactRows {
    offsets: Vec<usize>,
    indices: Vec<u32>,
    row_weight: Vec<f64>,
}

impl CompactRows {
    fn new(w: &Weights, transform: Transform) -> CompactRows {
        let n = w.len();
        let mut offsets = Vec::with_capacity(n + 1);
        let mut indices = Vec::with_capacity(w.n_links());
        offsets.push(0);
        let row_weight = (0..n)
            .map(|i| {
                let nb = w.neighbours(i);
                indices.extend(nb.iter().map(|&j| j as u32));
                offsets.push(indices.len());
                match transform {
                    _ if nb.is_empty() => 0.0,
                    Transform::Binary => 1.0,
                    Transform::RowStandardised => 1.0 / nb.len() as f64,
                }
            })
            .collect();
        CompactRows {
            offsets,
            indices,
            row_weight,
        }
    }

    /// Σᵢ xᵢ Σⱼ wᵢⱼ xⱼ.
    fn quadratic_form(&self, x: &[f64]) -> f64 {
        x.iter()
            .zip(&self.row_weight)
            .zip(self.offsets.windows(2))
            .map(|((&xi, &wi), o)| {
                let s: f64 = self.indices[o[0]..o[1]]
                    .iter()
                    .map(|&j| x[j as usize])
                    .sum();
                xi * s * wi
            })
            .sum()
    }

    /// [`Self::quadratic_form`] of LANES interleaved vectors at once.
    fn quadratic_forms(&self, x: &[[f64; LANES]]) -> [f64; LANES] {
        let mut total = [0.0; LANES];
        for ((xi, &wi), o) in x.iter().zip(&self.row_weight).zip(self.offsets.windows(2)) {
            let mut s = [0.0; LANES];
            for &j in &self.indices[o[0]..o[1]] {
                let xj = &x[j as usize];
                for l in 0..LANES {
                    s[l] += xj[l];
                }
            }
            for l in 0..LANES {
                total[l] += xi[l] * s[l] * wi;
            }
        }
        total
    }
}

/// Permutations run side by side: each batch shuffles LANES copies of z,
/// interleaved (row i of the buffer holds value i of every copy), so the
/// quadratic form reads each neighbour index once for all of them and adds
/// whole rows. Lane l of batch b is permutation b·LANES + l, shuffled from its
/// own stream exactly as a lone Fisher–Yates would, and its form adds the
/// same numbers in the same order as [`CompactRows::quadratic_form`]; so the
/// result is the same as one permutation at a time, on any number of threads.
const LANES: usize = 4;

/// How many of the random permutations of z give I ≥ the observed I.
fn count_global_permutations(
    z: &[f64],
    rows: &CompactRows,
    scale: f64,
    i_obs: f64,
    options: &GlobalMoranOptions,
) -> usize {
    let n = z.len();
    let permutations = options.permutations;
    (0..permutations.div_ceil(LANES))
        .into_par_iter()
        .map_init(
            || vec![[0.0; LANES]; n],
            |buf, batch| {
                let lanes = LANES.min(permutations - batch * LANES);
                let mut rngs: [Xoshiro128PlusPlus; LANES] = std::array::from_fn(|l| {
                    let p = (batch * LANES + l) as u64;
                    Xoshiro128PlusPlus::seed_from_u64(stream_key(options.seed, GLOBAL_TAG, p))
                });
                for (row, &v) in buf.iter_mut().zip(z) {
                    *row = [v; LANES];
                }
                for m in (1..n).rev() {
                    for (l, rng) in rngs.iter_mut().enumerate().take(lanes) {
                        let j = below(rng, m + 1);
                        let t = buf[m][l];
                        buf[m][l] = buf[j][l];
                        buf[j][l] = t;
                    }
                }
                let forms = rows.quadratic_forms(buf);
                forms[..lanes]
                    .iter()
                    .filter(|&&q| scale * q >= i_obs)
                    .count()
            },
        )
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

/// How the conditional permutations of [`local_moran_with_scheme`] are
/// drawn; [`local_moran`] uses the default, [`PermutationScheme::SharedTable`].
///
/// Both schemes draw, for township i with kᵢ neighbours, kᵢ distinct
/// indices among the n − 1 other townships per permutation; they differ in
/// whether townships share the draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PermutationScheme {
    /// esda's scheme (`crand`): one table of P × k_max random indices, each
    /// row drawn without replacement from 0..n−1, is shared by every
    /// township; township i uses the first kᵢ columns, with indices ≥ i
    /// moved up by one so that i itself is never drawn. Cheap — the sums
    /// are over precomputed indices and barely depend on i — but the
    /// townships' p-values are correlated, because they are all compared
    /// with the same draws (as in esda). Each township's own p-value has
    /// exactly the distribution of the per-township scheme.
    #[default]
    SharedTable,
    /// One independent random stream per township, keyed by (seed, i): the
    /// townships' p-values are independent of one another, at the cost of
    /// drawing n × P × k indices (several times slower on large regions).
    PerTownship,
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

/// What the permutation test of one township needs: its number of
/// neighbours k, the observed neighbour sum, and which tail counts.
#[derive(Clone, Copy)]
struct Observed {
    k: usize,
    s_obs: f64,
    /// Iᵢ = c·s with c > 0: simulations count when s ≥ s_obs; with c < 0,
    /// when s ≤ s_obs. None for degenerate townships (p = 1).
    positive: Option<bool>,
}

/// Local Moran of `y` under row-standardised `w`, with esda's shared
/// permutation table ([`PermutationScheme::SharedTable`]).
pub fn local_moran(
    y: &[f64],
    w: &Weights,
    options: &LocalMoranOptions,
) -> Result<LocalMoran, StatsError> {
    local_moran_with_scheme(y, w, options, PermutationScheme::SharedTable)
}

/// Local Moran of `y` under row-standardised `w`, with the conditional
/// permutations drawn by `scheme`.
pub fn local_moran_with_scheme(
    y: &[f64],
    w: &Weights,
    options: &LocalMoranOptions,
    scheme: PermutationScheme,
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

    let per: Vec<(f64, f64, Observed)> = (0..n)
        .into_par_iter()
        .with_min_len(1024)
        .map(|i| {
            let nb = w.neighbours(i);
            let k = nb.len();
            if k == 0 {
                let none = Observed {
                    k,
                    s_obs: 0.0,
                    positive: None,
                };
                return (0.0, 0.0, none);
            }
            let s_obs: f64 = nb.iter().map(|&j| z[j]).sum();
            let c = (nf - 1.0) * z[i] / (k as f64 * den);
            let degenerate = c == 0.0 || k >= n - 1;
            let obs = Observed {
                k,
                s_obs,
                positive: (!degenerate).then_some(c > 0.0),
            };
            (c * s_obs, s_obs / k as f64, obs)
        })
        .collect();
    let ii: Vec<f64> = per.iter().map(|t| t.0).collect();
    let lag: Vec<f64> = per.iter().map(|t| t.1).collect();
    let observed: Vec<Observed> = per.iter().map(|t| t.2).collect();
    drop(per);

    let p_sim: Vec<f64> = if options.permutations == 0 {
        vec![f64::NAN; n]
    } else {
        let larger = match scheme {
            PermutationScheme::SharedTable => {
                shared_table_counts(&z, &observed, options.permutations, options.seed)
            }
            PermutationScheme::PerTownship => (0..n)
                .into_par_iter()
                .with_min_len(64)
                .map(|i| {
                    observed[i]
                        .positive
                        .map(|positive| per_township_count(&z, i, observed[i], positive, options))
                })
                .collect(),
        };
        larger
            .into_iter()
            .map(|l| l.map_or(1.0, |l| folded_p(l, options.permutations)))
            .collect()
    };

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

/// Neighbour counts up to this many are served from the running prefix
/// sums of the shared-table sweep; larger ones (rare in contiguity
/// weights) sum their draws directly, which bounds the sweep's memory at
/// CUM_MAX × P values per worker.
const CUM_MAX: usize = 32;

/// Townships per work unit of the shared-table sweep. Fixed, so that the
/// split — and with it nothing at all, since every sum is recomputed in the
/// same order — depends on the thread count.
const SWEEP_CHUNK: usize = 512;

/// esda's shared table: `permutations` rows of `k_max` indices, each row
/// distinct indices in 0..n−1 (the n − 1 townships other than the one
/// tested, before the shift past i). Row r comes from its own stream keyed
/// by (seed, r), so the table is the same however many threads draw it.
fn draw_shared_table(others: usize, k_max: usize, permutations: usize, seed: u64) -> Vec<u32> {
    let mut table = vec![0u32; permutations * k_max];
    table
        .par_chunks_mut(k_max)
        .enumerate()
        .with_min_len(64)
        .for_each_init(Vec::new, |pool: &mut Vec<u32>, (r, row)| {
            let mut rng = Xoshiro128PlusPlus::seed_from_u64(stream_key(seed, TABLE_TAG, r as u64));
            draw_distinct(&mut rng, others, row, pool);
        });
    table
}

/// Fills `out` with distinct uniform indices in 0..others, in random order:
/// by rejection when few are wanted against `others` (the usual case: a
/// handful of neighbours among thousands), otherwise by a partial
/// Fisher–Yates shuffle of 0..others (`pool` is scratch space).
fn draw_distinct<R: rand::Rng>(rng: &mut R, others: usize, out: &mut [u32], pool: &mut Vec<u32>) {
    let k = out.len();
    if k * 4 <= others {
        for m in 0..k {
            loop {
                let j = below(rng, others) as u32;
                if !out[..m].contains(&j) {
                    out[m] = j;
                    break;
                }
            }
        }
    } else {
        // Start from the identity every time, so a row depends only on its
        // own stream (others < 4k here, so this costs O(k)).
        pool.clear();
        pool.extend(0..others as u32);
        for m in 0..k {
            let pick = m + below(rng, others - m);
            pool.swap(m, pick);
            out[m] = pool[m];
        }
    }
}

/// Per township, how many shared-table permutations reach its observed
/// neighbour sum (None for degenerate townships).
///
/// For township i, a table entry t stands for township t when t < i and
/// t + 1 otherwise, so its value is z[t] or z[t+1]; as i grows, an entry
/// switches once, from z[t+1] to z[t], when i passes t + 1. The sweep keeps
/// every entry's current value and, per permutation, the running sums of its
/// first 1, 2, … CUM_MAX entries (row k−1 of `cum` holds the k-sums of all
/// permutations, contiguous), so testing a township is one pass of
/// comparisons over P contiguous sums. A switched entry refreshes the sums
/// of its own permutation from scratch, so every sum is the same
/// left-to-right addition of the same values as a direct computation, and
/// the results do not depend on where the work was split.
fn shared_table_counts(
    z: &[f64],
    observed: &[Observed],
    permutations: usize,
    seed: u64,
) -> Vec<Option<usize>> {
    let n = z.len();
    let others = n - 1;
    let k_max = observed
        .iter()
        .filter(|o| o.positive.is_some())
        .map(|o| o.k)
        .max()
        .unwrap_or(0);
    if k_max == 0 {
        return vec![None; n];
    }
    let table = draw_shared_table(others, k_max, permutations, seed);
    let kc = k_max.min(CUM_MAX);

    // Entries (of the first kc columns) grouped by the index they hold, so
    // the sweep finds those switching at township i as the group of i − 1.
    let mut starts = vec![0u32; others + 1];
    for r in 0..permutations {
        for &t in &table[r * k_max..r * k_max + kc] {
            starts[t as usize + 1] += 1;
        }
    }
    for t in 0..others {
        starts[t + 1] += starts[t];
    }
    let mut fill = starts.clone();
    let mut switching = vec![0u32; permutations * kc];
    for r in 0..permutations {
        for m in 0..kc {
            let t = table[r * k_max + m] as usize;
            switching[fill[t] as usize] = (r * kc + m) as u32;
            fill[t] += 1;
        }
    }
    drop(fill);

    let chunks: Vec<Vec<Option<usize>>> = (0..n.div_ceil(SWEEP_CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let first = chunk * SWEEP_CHUNK;
            let last = (first + SWEEP_CHUNK).min(n);
            // Current values (row r, column m at r·kc + m) and k-sums (k−1, r).
            let mut v: Vec<f64> = (0..permutations)
                .flat_map(|r| {
                    table[r * k_max..r * k_max + kc].iter().map(|&t| {
                        let t = t as usize;
                        z[t + usize::from(t >= first)]
                    })
                })
                .collect();
            let mut cum = vec![0.0; kc * permutations];
            for r in 0..permutations {
                refresh(&v, &mut cum, r, 0, kc, permutations);
            }
            (first..last)
                .map(|i| {
                    if i > first {
                        let t = i - 1;
                        for &e in &switching[starts[t] as usize..starts[t + 1] as usize] {
                            let (r, m) = (e as usize / kc, e as usize % kc);
                            v[e as usize] = z[t];
                            refresh(&v, &mut cum, r, m, kc, permutations);
                        }
                    }
                    let o = observed[i];
                    let positive = o.positive?;
                    let larger = if o.k <= kc {
                        let sums = &cum[(o.k - 1) * permutations..o.k * permutations];
                        count_reaching(sums, o.s_obs, positive)
                    } else {
                        (0..permutations)
                            .filter(|&r| {
                                let s: f64 = table[r * k_max..r * k_max + o.k]
                                    .iter()
                                    .map(|&t| {
                                        let t = t as usize;
                                        z[t + usize::from(t >= i)]
                                    })
                                    .sum();
                                if positive {
                                    s >= o.s_obs
                                } else {
                                    s <= o.s_obs
                                }
                            })
                            .count()
                    };
                    Some(larger)
                })
                .collect()
        })
        .collect();
    chunks.concat()
}

/// Recomputes the k-sums of permutation `r` for k > `m` (column m changed),
/// adding its values left to right as a direct sum would.
#[inline]
fn refresh(v: &[f64], cum: &mut [f64], r: usize, m: usize, kc: usize, permutations: usize) {
    let row = &v[r * kc..(r + 1) * kc];
    let mut s = if m == 0 {
        0.0
    } else {
        cum[(m - 1) * permutations + r]
    };
    for (col, &x) in row.iter().enumerate().skip(m) {
        s += x;
        cum[col * permutations + r] = s;
    }
}

/// How many simulated sums reach the observed one in the tested tail,
/// written branch-free so that the loop vectorises.
#[inline]
fn count_reaching(sums: &[f64], s_obs: f64, positive: bool) -> usize {
    if positive {
        sums.iter().map(|&s| usize::from(s >= s_obs)).sum()
    } else {
        sums.iter().map(|&s| usize::from(s <= s_obs)).sum()
    }
}

/// How many of the conditional permutations of township `i`, drawn from
/// its own stream, give a local Moran at least the observed one. Because
/// Iᵢ = c·(sum of the k neighbour values) with the same c in every draw,
/// comparing sums (reversed when c < 0) is the same test without a
/// multiplication per draw.
fn per_township_count(
    z: &[f64],
    i: usize,
    o: Observed,
    positive: bool,
    options: &LocalMoranOptions,
) -> usize {
    let others = z.len() - 1;
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(stream_key(options.seed, LOCAL_TAG, i as u64));
    let mut drawn = vec![0u32; o.k];
    let mut pool = Vec::new();
    let mut larger = 0;
    for _ in 0..options.permutations {
        draw_distinct(&mut rng, others, &mut drawn, &mut pool);
        let s: f64 = drawn
            .iter()
            .map(|&t| {
                let t = t as usize;
                z[t + usize::from(t >= i)]
            })
            .sum();
        larger += usize::from(if positive { s >= o.s_obs } else { s <= o.s_obs });
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
    fn per_township_scheme_does_not_depend_on_thread_count() {
        let n = 300;
        let y: Vec<f64> = (0..n).map(|i| ((i * 7919) % 257) as f64).collect();
        let w = path(n);
        // Field by field, as the pipeline builds them: the options struct
        // must keep exactly these fields for that code to compile.
        let opts = LocalMoranOptions {
            permutations: 999,
            seed: 0,
            alpha: 0.05,
            fdr: false,
        };
        let scheme = PermutationScheme::PerTownship;
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let a = one.install(|| local_moran_with_scheme(&y, &w, &opts, scheme).unwrap());
        let b = three.install(|| local_moran_with_scheme(&y, &w, &opts, scheme).unwrap());
        assert_eq!(a, b);
        let shared = local_moran(&y, &w, &LocalMoranOptions::default()).unwrap();
        assert_ne!(a.p_sim, shared.p_sim);
    }

    /// esda's `_prepare_univariate` literally: remove township i from z,
    /// then read the first k entries of each table row.
    fn esda_style_counts(
        z: &[f64],
        w: &Weights,
        table: &[u32],
        k_max: usize,
        permutations: usize,
    ) -> Vec<usize> {
        (0..z.len())
            .map(|i| {
                let k = w.cardinality(i);
                let s_obs: f64 = w.neighbours(i).iter().map(|&j| z[j]).sum();
                let z_no_i: Vec<f64> = (0..z.len()).filter(|&j| j != i).map(|j| z[j]).collect();
                (0..permutations)
                    .filter(|&r| {
                        let s: f64 = table[r * k_max..r * k_max + k]
                            .iter()
                            .map(|&t| z_no_i[t as usize])
                            .sum();
                        if z[i] > 0.0 {
                            s >= s_obs
                        } else {
                            s <= s_obs
                        }
                    })
                    .count()
            })
            .collect()
    }

    #[test]
    fn shared_table_sweep_equals_esda_indexing() {
        // 1,300 townships (three sweep chunks) with seeded random neighbour
        // sets of 1 to 40 (beyond CUM_MAX, so the direct-sum path runs too).
        use rand::RngExt;
        let n = 1300;
        let mut rng = Xoshiro128PlusPlus::seed_from_u64(5);
        let lists: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                let k = if i % 97 == 0 {
                    40
                } else {
                    rng.random_range(1..8)
                };
                let mut l: Vec<usize> = Vec::new();
                while l.len() < k {
                    let j = rng.random_range(0..n);
                    if j != i && !l.contains(&j) {
                        l.push(j);
                    }
                }
                l
            })
            .collect();
        let w = Weights::from_neighbours(lists).unwrap();
        let z: Vec<f64> = (0..n)
            .map(|i| ((i * 7919) % 1013) as f64 / 300.0 - 1.7 + if i < 60 { 2.0 } else { 0.0 })
            .collect();
        let observed: Vec<Observed> = (0..n)
            .map(|i| Observed {
                k: w.cardinality(i),
                s_obs: w.neighbours(i).iter().map(|&j| z[j]).sum(),
                positive: Some(z[i] > 0.0),
            })
            .collect();
        let (p, seed) = (199, 11);
        let k_max = 40;
        let table = draw_shared_table(n - 1, k_max, p, seed);
        for row in table.chunks(k_max) {
            let mut sorted = row.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), k_max, "a row repeats an index");
            assert!(sorted.iter().all(|&t| (t as usize) < n - 1));
        }
        let want = esda_style_counts(&z, &w, &table, k_max, p);
        let got = shared_table_counts(&z, &observed, p, seed);
        let got: Vec<usize> = got.into_iter().map(Option::unwrap).collect();
        assert_eq!(got, want);
        // The counts are spread out, or the check proves little.
        assert!(want.iter().any(|&c| c < 10) && want.iter().any(|&c| c > 100));
    }

    #[test]
    fn interleaved_global_permutations_equal_one_at_a_time() {
        // 37 permutations: nine full batches of four and a partial one.
        let n = 120;
        let z: Vec<f64> = (0..n)
            .map(|i| ((i * 7919) % 257) as f64 / 50.0 - 2.5 + if i < 30 { 1.0 } else { 0.0 })
            .collect();
        let w = path(n);
        let rows = CompactRows::new(&w, Transform::RowStandardised);
        let opts = GlobalMoranOptions {
            permutations: 37,
            seed: 9,
            ..Default::default()
        };
        let forms: Vec<f64> = (0..opts.permutations)
            .map(|p| {
                let mut rng =
                    Xoshiro128PlusPlus::seed_from_u64(stream_key(opts.seed, GLOBAL_TAG, p as u64));
                let mut buf = z.clone();
                for m in (1..n).rev() {
                    buf.swap(m, below(&mut rng, m + 1));
                }
                rows.quadratic_form(&buf)
            })
            .collect();
        // Thresholds between the simulated values, so that every count is
        // exercised, including ties with a simulated value itself.
        let mut sorted = forms.clone();
        sorted.sort_by(f64::total_cmp);
        for &threshold in sorted.iter().step_by(5) {
            let want = forms.iter().filter(|&&q| q >= threshold).count();
            assert_eq!(
                count_global_permutations(&z, &rows, 1.0, threshold, &opts),
                want
            );
        }
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
