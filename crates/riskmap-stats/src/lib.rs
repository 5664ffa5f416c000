//! riskmap's spatial statistics: in-memory, parallel, deterministic, and
//! checked figure by figure against PySAL (libpysal, esda) and
//! pymannkendall on the Columbus crime data that libpysal ships and on a
//! synthetic region.
//!
//! Every function takes plain slices (`&[f64]`, one value per township, in
//! the township order of the [`Weights`]) and returns a result struct; none
//! reads or writes files. Random draws (permutation tests) come from
//! xoshiro128++ streams keyed by a seed, a purpose and an index (a row of
//! local Moran's shared permutation table, a township, or a global
//! permutation), never from one generator shared by threads, so
//! results are identical whatever the thread count.
//!
//! Modules, one statistic each:
//! - [`weights`]: queen contiguity weights from township polygons, robust to
//!   slivers and tiny gaps, with islands reported.
//! - [`rates`]: raw rates, Marshall's global empirical Bayes rates and the
//!   local (spatial) empirical Bayes rates of esda.
//! - [`moran`]: global Moran's I (normality, randomisation, permutation) and
//!   local Moran with conditional-permutation pseudo p-values and LISA classes.
//! - [`getis_ord`]: Getis–Ord Gi* z-scores with binary weights that include
//!   the township itself.
//! - [`mann_kendall`]: the Mann–Kendall trend test as pymannkendall's
//!   `original_test` reports it.
//! - [`emerging`]: emerging hot spot analysis (ArcGIS Pro's categories) on a
//!   regular grid built from points, or on townships.
//! - [`scan`]: Kulldorff's prospective space-time scan statistic (Poisson
//!   and space-time permutation models, Monte Carlo p-values).
//! - [`fdr`]: Benjamini–Hochberg false-discovery-rate adjustment.
//! - [`normal`]: the standard normal tail, for the p-values above.
//!
//! ```
//! use riskmap_stats::moran::{global_moran, GlobalMoranOptions};
//! use riskmap_stats::weights::Weights;
//!
//! // Four townships in a row: 0-1-2-3.
//! let w = Weights::from_neighbours(vec![vec![1], vec![0, 2], vec![1, 3], vec![2]]).unwrap();
//! let m = global_moran(&[1.0, 2.0, 3.0, 4.0], &w, &GlobalMoranOptions::analytic()).unwrap();
//! assert!(m.i > 0.0 && (m.expected + 1.0 / 3.0).abs() < 1e-15);
//! ```

pub mod emerging;
pub mod fdr;
pub mod getis_ord;
pub mod mann_kendall;
pub mod moran;
pub mod normal;
pub mod rates;
pub mod scan;
pub mod weights;

pub use weights::{Transform, Weights};

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// The value slice and the weights describe different numbers of townships.
    #[error("{what} has {got} values but the weights have {expected} townships; pass one value per township, in the weights' order")]
    LengthMismatch {
        /// Which input was the wrong length.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The number of townships in the weights.
        expected: usize,
    },
    /// Too few observations for the statistic's moments.
    #[error("{statistic} needs at least {needed} observations, got {got}")]
    TooFew {
        /// The statistic asked for.
        statistic: &'static str,
        /// The minimum it needs.
        needed: usize,
        /// How many were given.
        got: usize,
    },
    /// All values are equal, so the statistic's variance is zero and its z-score undefined.
    #[error("{statistic} is undefined: all values are equal (zero variance)")]
    Constant {
        /// The statistic asked for.
        statistic: &'static str,
    },
    /// A value is NaN or infinite.
    #[error("{what} has a non-finite value at index {index}")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// The first offending index.
        index: usize,
    },
    /// A count or exposure is negative.
    #[error("{what} has a negative value at index {index}; counts and exposures must be >= 0")]
    Negative {
        /// Which input.
        what: &'static str,
        /// The first offending index.
        index: usize,
    },
    /// A neighbour list refers to a township that does not exist or to itself.
    #[error("neighbour list of township {township} has invalid entry {neighbour} (out of range or itself)")]
    BadNeighbour {
        /// The township whose list is wrong.
        township: usize,
        /// The offending entry.
        neighbour: usize,
    },
    /// The weights have no links at all, so a spatial statistic is undefined.
    #[error("the weights have no neighbour links (every township is an island)")]
    NoLinks,
    /// An option is outside its valid range.
    #[error("invalid option {name}: {why}")]
    BadOption {
        /// The option's name.
        name: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
}

/// Checks that `values` has one finite value per township.
pub(crate) fn check_values(what: &'static str, values: &[f64], n: usize) -> Result<(), StatsError> {
    if values.len() != n {
        return Err(StatsError::LengthMismatch {
            what,
            got: values.len(),
            expected: n,
        });
    }
    if let Some(index) = values.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::NonFinite { what, index });
    }
    Ok(())
}

/// SplitMix64's finaliser: mixes a seed and an index into the key of one
/// random stream, so that neighbouring indices get unrelated streams.
pub(crate) fn stream_key(seed: u64, tag: u64, index: u64) -> u64 {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    mix(mix(seed ^ mix(tag)) ^ index)
}

/// A uniform index in `0..n` (n ≥ 1, below 2³²) by Lemire's multiply-shift
/// with rejection: exact, and one 32-bit draw almost always, which halves
/// the generator's work against 64-bit draws in the permutation loops.
#[inline]
pub(crate) fn below<R: rand::Rng>(rng: &mut R, n: usize) -> usize {
    let n = n as u32;
    let mut m = u64::from(rng.next_u32()) * u64::from(n);
    if (m as u32) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u32) < threshold {
            m = u64::from(rng.next_u32()) * u64::from(n);
        }
    }
    (m >> 32) as usize
}
