//! riskmap's raster core: heatmaps and per-township raster layers, in
//! memory and in parallel, free of file formats.
//!
//! - [`grid`]: the regular metric grid heatmaps are computed on.
//! - [`kde`]: kernel density (Gaussian, quartic) by binning and separable or
//!   FFT convolution, accurate to 1e-3 of the peak, with an exact oracle and
//!   ArcGIS's default bandwidth.
//! - [`terrain`]: slope in degrees by Horn's method, as `gdaldem slope`.
//! - [`zonal`]: exact pixel-to-township assignment (pixel centre in polygon)
//!   and per-township statistics (mean, share above a threshold, area sums).
//!
//! ```
//! use riskmap_raster::grid::Grid;
//! use riskmap_raster::kde::{density, Kernel, KdeSpec};
//!
//! let grid = Grid { x_min: 0.0, y_max: 1000.0, cell: 100.0, width: 10, height: 10 };
//! let spec = KdeSpec { kernel: Kernel::Quartic, bandwidth: 300.0, years: None };
//! let d = density(&[[450.0, 550.0]], None, &grid, &spec).unwrap();
//! // The cell whose centre is the point holds the kernel's peak, 3/(π h²) per m².
//! let peak = 3.0 / (std::f64::consts::PI * 300.0 * 300.0) * 1e6;
//! assert!((d[4 * 10 + 4] - peak).abs() < 1e-9 * peak);
//! ```

pub mod grid;
pub mod kde;
pub mod terrain;
pub mod zonal;
