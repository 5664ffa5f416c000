//! Placing lon/lat on a figure: an equirectangular projection scaled by the
//! cosine of the middle latitude (true to scale at that latitude, within 0.1 %
//! over a county and about 1 % over a province), and the scale bar's length.

use geo::{BoundingRect, MultiPolygon};

/// Mean Earth radius (IUGG), km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// km per degree of latitude on the sphere.
pub const KM_PER_DEGREE: f64 = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;

/// The mapping from lon/lat to figure pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapFrame {
    west: f64,
    north: f64,
    /// Pixels per degree of longitude.
    kx: f64,
    /// Pixels per degree of latitude.
    ky: f64,
    left: f64,
    top: f64,
}

impl MapFrame {
    /// The largest frame that shows `bounds` (west, south, east, north) inside
    /// the pixel rectangle `rect` (left, top, right, bottom), centred.
    pub fn fit(bounds: (f64, f64, f64, f64), rect: (f64, f64, f64, f64)) -> MapFrame {
        let (w, s, e, n) = bounds;
        let coslat = ((s + n) / 2.0).to_radians().cos();
        let (dw, dh) = (((e - w) * coslat).max(1e-9), (n - s).max(1e-9));
        let (rw, rh) = (rect.2 - rect.0, rect.3 - rect.1);
        let ky = (rw / dw).min(rh / dh);
        let kx = ky * coslat;
        let left = rect.0 + (rw - (e - w) * kx) / 2.0;
        let top = rect.1 + (rh - (n - s) * ky) / 2.0;
        MapFrame {
            west: w,
            north: n,
            kx,
            ky,
            left,
            top,
        }
    }

    /// The aspect ratio (height / width) of `bounds` as drawn.
    pub fn aspect(bounds: (f64, f64, f64, f64)) -> f64 {
        let (w, s, e, n) = bounds;
        let coslat = ((s + n) / 2.0).to_radians().cos();
        ((n - s) / ((e - w) * coslat).max(1e-9)).clamp(0.2, 5.0)
    }

    /// Pixel position of a lon/lat.
    pub fn to_px(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.left + (lon - self.west) * self.kx,
            self.top + (self.north - lat) * self.ky,
        )
    }

    /// Pixels per kilometre (exact at the middle latitude).
    pub fn px_per_km(&self) -> f64 {
        self.ky / KM_PER_DEGREE
    }
}

/// The union of the bounding boxes of polygons: (west, south, east, north).
pub fn bounds<'a>(polys: impl Iterator<Item = &'a MultiPolygon<f64>>) -> (f64, f64, f64, f64) {
    let mut b = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for p in polys {
        if let Some(r) = p.bounding_rect() {
            b = (
                b.0.min(r.min().x),
                b.1.min(r.min().y),
                b.2.max(r.max().x),
                b.3.max(r.max().y),
            );
        }
    }
    if !b.0.is_finite() {
        return (0.0, 0.0, 1.0, 1.0);
    }
    b
}

/// A round scale bar length in km (1, 2 or 5 × 10^k) close to `target_km`.
pub fn nice_km(target_km: f64) -> f64 {
    if target_km <= 0.0 || !target_km.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(target_km.log10().floor());
    let m = target_km / p;
    let n = if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    n * p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_matches_the_haversine_distance_at_the_middle_latitude() {
        // 0.1° of longitude along 30°N on the 6371.0088 km sphere is R·Δλ·cos φ =
        // 9.6297 km (the arc along the parallel; the great-circle chord is shorter by
        // under 1e-6 at this length). Tolerance 0.1 %.
        let f = MapFrame::fit((120.0, 29.9, 120.1, 30.1), (0.0, 0.0, 1000.0, 1000.0));
        let (x0, _) = f.to_px(120.0, 30.0);
        let (x1, _) = f.to_px(120.1, 30.0);
        let km = (x1 - x0) / f.px_per_km();
        let expected = EARTH_RADIUS_KM * 0.1f64.to_radians() * 30f64.to_radians().cos();
        assert!(
            (km - expected).abs() / expected < 1e-3,
            "{km} vs {expected}"
        );
        assert!((expected - 9.6297).abs() < 1e-3);
    }

    #[test]
    fn nice_lengths() {
        assert_eq!(nice_km(1.2), 1.0);
        assert_eq!(nice_km(2.9), 2.0);
        assert_eq!(nice_km(6.0), 5.0);
        assert_eq!(nice_km(80.0), 100.0);
        assert!((nice_km(0.3) - 0.2).abs() < 1e-12);
    }
}
