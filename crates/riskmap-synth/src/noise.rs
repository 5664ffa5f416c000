//! Value noise: smooth, seeded random fields on the plane, used for terrain,
//! the region's outline and the wiggles of township borders.
//!
//! Hand-written rather than taken from a noise crate because it is a dozen
//! lines and its output must stay bit-identical for a seed across releases:
//! the committed demo county depends on it.

use crate::rng::mix;

/// A lattice value in [-1, 1] for integer cell (`ix`, `iy`) under `seed`.
fn lattice(seed: u64, ix: i64, iy: i64) -> f64 {
    let h = mix(seed ^ mix((ix as u64).wrapping_mul(0x9E37_79B9) ^ mix(iy as u64)));
    (h >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

/// Quintic fade, so that the field has continuous first and second derivatives.
fn fade(t: f64) -> f64 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

/// Smooth value noise in [-1, 1], one lattice cell per unit.
pub fn value(seed: u64, x: f64, y: f64) -> f64 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (fade(x - x0), fade(y - y0));
    let (ix, iy) = (x0 as i64, y0 as i64);
    let a = lattice(seed, ix, iy);
    let b = lattice(seed, ix + 1, iy);
    let c = lattice(seed, ix, iy + 1);
    let d = lattice(seed, ix + 1, iy + 1);
    let top = a + (b - a) * fx;
    let bottom = c + (d - c) * fx;
    top + (bottom - top) * fy
}

/// Fractal sum of `octaves` layers of value noise, each twice as fine and half
/// as strong as the last, normalised to [-1, 1].
pub fn fbm(seed: u64, x: f64, y: f64, octaves: u32) -> f64 {
    let (mut sum, mut norm, mut amp, mut freq) = (0.0, 0.0, 1.0, 1.0);
    for o in 0..octaves {
        sum += amp * value(mix(seed ^ u64::from(o)), x * freq, y * freq);
        norm += amp;
        amp *= 0.5;
        freq *= 2.0;
    }
    sum / norm
}

/// Ridged noise in [0, 1]: sharp crests where the noise crosses zero, as
/// mountain ranges have.
pub fn ridged(seed: u64, x: f64, y: f64, octaves: u32) -> f64 {
    let (mut sum, mut norm, mut amp, mut freq) = (0.0, 0.0, 1.0, 1.0);
    for o in 0..octaves {
        let r = 1.0 - value(mix(seed ^ (0x100 + u64::from(o))), x * freq, y * freq).abs();
        sum += amp * r * r;
        norm += amp;
        amp *= 0.5;
        freq *= 2.0;
    }
    sum / norm
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_bounded_and_continuous() {
        let mut prev = value(3, 0.0, 0.5);
        for i in 1..2000 {
            let x = i as f64 * 0.005;
            let v = value(3, x, 0.5);
            assert!((-1.0..=1.0).contains(&v));
            assert!((v - prev).abs() < 0.05, "jump at {x}");
            prev = v;
            assert!((-1.0..=1.0).contains(&fbm(3, x, -x, 5)));
            assert!((0.0..=1.0).contains(&ridged(3, x, x, 4)));
        }
    }

    #[test]
    fn noise_matches_lattice_values_at_integer_points() {
        assert_eq!(value(9, 2.0, -3.0), lattice(9, 2, -3));
    }
}
