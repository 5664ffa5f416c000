//! Seeded random streams. Every random decision draws from a stream named by
//! the seed, a purpose tag and an index (a township, an edge, a year), never
//! from a generator shared across threads, so output is identical whatever
//! the thread count and whatever order rayon runs the work in.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, LogNormal, Normal, Poisson};

/// A reproducible random stream for one purpose and one index.
pub struct Stream(ChaCha8Rng);

/// SplitMix64's finaliser: a cheap, well-mixing hash of a 64-bit word.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a tag, so that streams for different purposes never coincide.
fn tag_hash(tag: &str) -> u64 {
    tag.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x1000_0000_01b3)
    })
}

impl Stream {
    /// The stream for `tag` and `index` under `seed`.
    pub fn new(seed: u64, tag: &str, index: u64) -> Stream {
        let key = mix(mix(seed ^ tag_hash(tag)) ^ index);
        Stream(ChaCha8Rng::seed_from_u64(key))
    }

    /// Uniform on [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Uniform on [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer on [0, n); `n` must be positive.
    pub fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        Normal::new(0.0, 1.0)
            .expect("unit normal")
            .sample(&mut self.0)
    }

    /// Log-normal with the given log-mean and log-sd.
    pub fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
        LogNormal::new(mu, sigma)
            .expect("finite log-normal parameters")
            .sample(&mut self.0)
    }

    /// Gamma with shape `k` and mean 1 (the over-dispersion multiplier).
    pub fn gamma_mean_one(&mut self, shape: f64) -> f64 {
        Gamma::new(shape, 1.0 / shape)
            .expect("positive gamma shape")
            .sample(&mut self.0)
    }

    /// Poisson count with mean `lambda` (0 for a non-positive mean).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 || !lambda.is_finite() {
            return 0;
        }
        Poisson::new(lambda)
            .expect("finite positive mean")
            .sample(&mut self.0) as u64
    }

    /// An index drawn with probability proportional to `weights` (all >= 0, not all 0).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut u = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if u < *w {
                return i;
            }
            u -= w;
        }
        weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<f64> = (0..4)
            .map(|_| Stream::new(7, "edge", 3).uniform())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Stream::new(7, "edge", 3).uniform(),
            Stream::new(7, "edge", 4).uniform()
        );
        assert_ne!(
            Stream::new(7, "edge", 3).uniform(),
            Stream::new(7, "site", 3).uniform()
        );
        assert_ne!(
            Stream::new(7, "edge", 3).uniform(),
            Stream::new(8, "edge", 3).uniform()
        );
    }

    #[test]
    fn weighted_never_picks_a_zero_weight() {
        let mut s = Stream::new(1, "w", 0);
        for _ in 0..1000 {
            assert_ne!(s.weighted(&[0.0, 1.0, 0.0, 2.0]) % 2, 0);
        }
    }
}
