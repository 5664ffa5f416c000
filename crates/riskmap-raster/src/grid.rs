//! The regular north-up grid in a metric projection that kernel density is
//! evaluated on, and its conversion to the domain's [`Raster`].

use riskmap_domain::layer::{Crs, Raster};

/// A regular north-up grid of square cells in a metric projection (metres).
///
/// Cell (`col`, `row`) covers `x_min + col·cell .. x_min + (col+1)·cell` and
/// `y_max - (row+1)·cell .. y_max - row·cell`; values are evaluated at cell
/// centres. Grids returned as `Vec<f64>` are row-major, `height * width`
/// values, first row at the top (north), like [`Raster::data`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// West edge of the grid.
    pub x_min: f64,
    /// North edge of the grid.
    pub y_max: f64,
    /// Side of a square cell, in metres.
    pub cell: f64,
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
}

impl Grid {
    /// The smallest grid of `cell`-sized cells whose extent starts at
    /// (`x_min`, `y_min`) and covers `x_max`, `y_max`.
    pub fn covering(x_min: f64, y_min: f64, x_max: f64, y_max: f64, cell: f64) -> Grid {
        let width = (((x_max - x_min) / cell).ceil() as usize).max(1);
        let height = (((y_max - y_min) / cell).ceil() as usize).max(1);
        Grid {
            x_min,
            y_max: y_min + height as f64 * cell,
            cell,
            width,
            height,
        }
    }

    /// The x of the centre of column `col`.
    pub fn col_x(&self, col: usize) -> f64 {
        self.x_min + (col as f64 + 0.5) * self.cell
    }

    /// The y of the centre of row `row`.
    pub fn row_y(&self, row: usize) -> f64 {
        self.y_max - (row as f64 + 0.5) * self.cell
    }

    /// The centre of cell (`col`, `row`).
    pub fn cell_center(&self, col: usize, row: usize) -> (f64, f64) {
        (self.col_x(col), self.row_y(row))
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.width * self.height
    }

    /// Whether the grid has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// GDAL's affine transform of the grid.
    pub fn geo_transform(&self) -> [f64; 6] {
        [self.x_min, self.cell, 0.0, self.y_max, 0.0, -self.cell]
    }

    /// `values` (row-major, `self.len()` of them) as a raster in `crs`, the
    /// projected coordinate system the grid's metres are in.
    ///
    /// # Panics
    /// If `values.len() != self.len()`.
    pub fn to_raster(&self, values: &[f64], crs: Crs) -> Raster {
        assert_eq!(
            values.len(),
            self.len(),
            "grid values do not match the grid"
        );
        Raster {
            width: self.width,
            height: self.height,
            geo_transform: self.geo_transform(),
            crs,
            nodata: None,
            data: values.iter().map(|&v| v as f32).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covering_grid_and_its_raster_agree_on_cell_centres() {
        let g = Grid::covering(1000.0, 2000.0, 1250.0, 2090.0, 100.0);
        assert_eq!((g.width, g.height), (3, 1));
        assert_eq!(g.y_max, 2100.0);
        assert_eq!(g.cell_center(2, 0), (1250.0, 2050.0));
        let r = g.to_raster(&[1.0, 2.0, 3.0], Crs::Epsg(32650));
        assert_eq!(r.cell_center(2, 0), g.cell_center(2, 0));
        assert_eq!(r.get(1, 0), 2.0);
    }
}
