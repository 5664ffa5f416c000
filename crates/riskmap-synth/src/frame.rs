//! The generator works in kilometres on a local plane and publishes WGS84
//! lon/lat through a fixed affine map (equirectangular at the region's centre
//! latitude). An affine map keeps every topological property of the plane
//! (no overlaps, no gaps, containment), which a true projection evaluated in
//! floating point would only keep approximately.

/// The affine map between the local km plane and lon/lat degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Longitude of the origin.
    pub lon0: f64,
    /// Latitude of the origin.
    pub lat0: f64,
    /// Kilometres per degree of longitude at `lat0`.
    pub km_per_deg_lon: f64,
    /// Kilometres per degree of latitude.
    pub km_per_deg_lat: f64,
}

impl Frame {
    /// The frame centred at (`lon0`, `lat0`).
    pub fn new(lon0: f64, lat0: f64) -> Frame {
        Frame {
            lon0,
            lat0,
            km_per_deg_lon: 111.320 * lat0.to_radians().cos(),
            km_per_deg_lat: 110.574,
        }
    }

    /// Local km to lon/lat.
    pub fn to_lonlat(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.lon0 + x / self.km_per_deg_lon,
            self.lat0 + y / self.km_per_deg_lat,
        )
    }

    /// Lon/lat to local km.
    pub fn to_km(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.lon0) * self.km_per_deg_lon,
            (lat - self.lat0) * self.km_per_deg_lat,
        )
    }
}

/// Rounds a coordinate to 6 decimals (about 0.1 m), as exports carry them.
pub fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_round_trips() {
        let f = Frame::new(119.6, 29.1);
        let (lon, lat) = f.to_lonlat(12.5, -7.25);
        let (x, y) = f.to_km(lon, lat);
        assert!((x - 12.5).abs() < 1e-9 && (y + 7.25).abs() < 1e-9);
        // One degree of longitude at 29.1°N is about 97.3 km.
        assert!((f.km_per_deg_lon - 97.27).abs() < 0.05);
    }
}
