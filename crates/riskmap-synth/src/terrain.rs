//! Terrain as smooth fields of the local km plane: a mountain mask, elevation
//! in metres and forest cover in [0, 1]. Mountains carry the forests and the
//! steep slopes, which is where forest fires and geohazards are drawn.

use crate::noise::{fbm, ridged};
use crate::rng::mix;

/// The terrain fields of one region.
#[derive(Debug, Clone, Copy)]
pub struct Terrain {
    seed: u64,
    /// Direction (unit vector) towards the mountainous side of the region.
    uphill: (f64, f64),
}

fn smoothstep(lo: f64, hi: f64, v: f64) -> f64 {
    let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

impl Terrain {
    /// The terrain for `seed`.
    pub fn new(seed: u64) -> Terrain {
        let seed = mix(seed ^ 0x7e44a1);
        let angle = (seed >> 11) as f64 / (1u64 << 53) as f64 * std::f64::consts::TAU;
        Terrain {
            seed,
            uphill: (angle.cos(), angle.sin()),
        }
    }

    /// How mountainous the point is, 0 (plain) to 1 (range). A gentle tilt
    /// towards a seeded direction gives every region a plain side and a
    /// mountain side, as the county in the report has (so a county-sized
    /// region is never all plain).
    pub fn mountain(&self, x: f64, y: f64) -> f64 {
        let tilt = 0.5 * ((x * self.uphill.0 + y * self.uphill.1) / 15.0).tanh();
        smoothstep(-0.12, 0.22, fbm(self.seed, x / 35.0, y / 35.0, 3) + tilt)
    }

    /// Elevation in metres.
    pub fn elevation(&self, x: f64, y: f64) -> f64 {
        let m = self.mountain(x, y);
        let plain = 15.0 + 20.0 * (fbm(self.seed ^ 1, x / 30.0, y / 30.0, 2) + 1.0);
        let range = m * (200.0 + 1100.0 * ridged(self.seed ^ 2, x / 5.0, y / 5.0, 5));
        let detail = m * 120.0 * fbm(self.seed ^ 3, x / 1.2, y / 1.2, 3);
        (plain + range + detail).max(0.0)
    }

    /// Slope in degrees by central differences over `h` km (the DEM's cell).
    pub fn slope_deg(&self, x: f64, y: f64, h: f64) -> f64 {
        let dzdx = (self.elevation(x + h, y) - self.elevation(x - h, y)) / (2.0 * h * 1000.0);
        let dzdy = (self.elevation(x, y + h) - self.elevation(x, y - h)) / (2.0 * h * 1000.0);
        dzdx.hypot(dzdy).atan().to_degrees()
    }

    /// Forest cover fraction.
    pub fn forest(&self, x: f64, y: f64) -> f64 {
        let m = self.mountain(x, y);
        let patchy = 0.18 * fbm(self.seed ^ 4, x / 4.0, y / 4.0, 3);
        (0.08 + 0.82 * smoothstep(0.0, 0.6, m + patchy) + 0.5 * patchy).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountains_are_higher_steeper_and_more_forested() {
        let t = Terrain::new(2021);
        let (mut hi, mut lo) = (Vec::new(), Vec::new());
        for i in 0..80 {
            for j in 0..80 {
                let (x, y) = (i as f64 * 1.3 - 50.0, j as f64 * 1.3 - 50.0);
                let m = t.mountain(x, y);
                let sample = (t.elevation(x, y), t.slope_deg(x, y, 0.1), t.forest(x, y));
                if m > 0.8 {
                    hi.push(sample);
                } else if m < 0.2 {
                    lo.push(sample);
                }
            }
        }
        assert!(
            hi.len() > 100 && lo.len() > 100,
            "{} mountain, {} plain samples",
            hi.len(),
            lo.len()
        );
        let mean = |v: &[(f64, f64, f64)], f: fn(&(f64, f64, f64)) -> f64| {
            v.iter().map(f).sum::<f64>() / v.len() as f64
        };
        assert!(mean(&hi, |s| s.0) > mean(&lo, |s| s.0) + 300.0);
        assert!(mean(&hi, |s| s.1) > 2.0 * mean(&lo, |s| s.1));
        assert!(mean(&hi, |s| s.2) > mean(&lo, |s| s.2) + 0.4);
        assert!(
            hi.iter().filter(|s| s.1 > 25.0).count() > 0,
            "no steep slopes in the mountains"
        );
    }
}
