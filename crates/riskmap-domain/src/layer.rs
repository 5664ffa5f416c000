//! In-memory spatial layers: what readers produce, writers consume, and the
//! generator builds. Geometry is `geo`; attributes are a polars `DataFrame`.

use geo::Geometry;
use polars::prelude::DataFrame;

/// A coordinate reference system as riskmap names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crs {
    /// Any EPSG code (4326 = WGS84 lon/lat, 4490 = CGCS2000 lon/lat, ...).
    Epsg(u32),
    /// GCJ-02, the obfuscated lon/lat of Chinese web maps; it has no EPSG code.
    Gcj02,
}

impl Crs {
    /// WGS84 longitude/latitude, the coordinate system riskmap works in.
    pub const WGS84: Crs = Crs::Epsg(4326);
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Crs::Epsg(code) => write!(f, "EPSG:{code}"),
            Crs::Gcj02 => f.write_str("GCJ02"),
        }
    }
}

/// A single-band raster on a north-up grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// GDAL's affine transform: `[x0, dx, 0, y0, 0, dy]`, with `dy < 0` for north-up.
    pub geo_transform: [f64; 6],
    /// Coordinate system of the grid.
    pub crs: Crs,
    /// Value marking cells without data, if any.
    pub nodata: Option<f64>,
    /// Row-major values, `height * width` of them, first row at the top.
    pub data: Vec<f32>,
}

impl Raster {
    /// The coordinates of the centre of cell (`col`, `row`).
    pub fn cell_center(&self, col: usize, row: usize) -> (f64, f64) {
        let g = &self.geo_transform;
        (
            g[0] + (col as f64 + 0.5) * g[1],
            g[3] + (row as f64 + 0.5) * g[5],
        )
    }

    /// The value of cell (`col`, `row`).
    pub fn get(&self, col: usize, row: usize) -> f32 {
        self.data[row * self.width + col]
    }

    /// The cell (`col`, `row`) under the point (`x`, `y`), given in the
    /// raster's CRS, if the point lies on the grid.
    pub fn cell_at(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let g = &self.geo_transform;
        let col = ((x - g[0]) / g[1]).floor();
        let row = ((y - g[3]) / g[5]).floor();
        let on_grid =
            col >= 0.0 && row >= 0.0 && col < self.width as f64 && row < self.height as f64;
        on_grid.then_some((col as usize, row as usize))
    }

    /// The value of the cell under (`x`, `y`), if the point lies on the grid
    /// and the cell has a value (not nodata, not NaN).
    pub fn value_at(&self, x: f64, y: f64) -> Option<f32> {
        let (col, row) = self.cell_at(x, y)?;
        let v = self.get(col, row);
        (!v.is_nan() && self.nodata != Some(f64::from(v))).then_some(v)
    }
}

/// A vector layer: one geometry per row of `attributes`.
#[derive(Debug, Clone)]
pub struct VectorLayer {
    /// Layer name (the file stem, for the layers riskmap writes).
    pub name: String,
    /// Coordinate system of the geometries.
    pub crs: Crs,
    /// One geometry per feature.
    pub geometries: Vec<Geometry<f64>>,
    /// One row per feature.
    pub attributes: DataFrame,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2 × 2 raster in lon/lat.
    fn two_by_two(geo_transform: [f64; 6], nodata: Option<f64>, data: [f32; 4]) -> Raster {
        Raster {
            width: 2,
            height: 2,
            geo_transform,
            crs: Crs::WGS84,
            nodata,
            data: data.to_vec(),
        }
    }

    #[test]
    fn cell_center_follows_the_geo_transform() {
        let r = two_by_two(
            [120.0, 0.5, 0.0, 30.0, 0.0, -0.25],
            None,
            [1.0, 2.0, 3.0, 4.0],
        );
        assert_eq!(r.cell_center(1, 1), (120.75, 29.625));
        assert_eq!(r.cell_at(120.75, 29.625), Some((1, 1)));
        assert_eq!(r.cell_at(119.99, 29.9), None);
        assert_eq!(r.get(0, 1), 3.0);
        assert_eq!(Crs::Gcj02.to_string(), "GCJ02");
        assert_eq!(Crs::WGS84.to_string(), "EPSG:4326");
    }

    #[test]
    fn value_at_reads_the_cell_under_a_point_and_skips_nodata_and_off_grid() {
        let r = two_by_two(
            [119.0, 0.1, 0.0, 29.2, 0.0, -0.1],
            Some(-9999.0),
            [1.0, -9999.0, f32::NAN, 4.0],
        );
        assert_eq!(r.value_at(119.05, 29.15), Some(1.0));
        assert_eq!(r.value_at(119.15, 29.15), None);
        assert_eq!(r.value_at(119.05, 29.05), None);
        assert_eq!(r.value_at(119.15, 29.05), Some(4.0));
        assert_eq!(r.value_at(118.99, 29.05), None);
        assert_eq!(r.value_at(119.05, 29.21), None);
    }
}
