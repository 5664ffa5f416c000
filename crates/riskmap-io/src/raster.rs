//! Rasters through GDAL: single-band Float32 GeoTIFF.

use std::path::Path;

use gdal::raster::{Buffer, RasterCreationOptions};
use gdal::{Dataset, DriverManager};
use riskmap_domain::{Crs, Raster};

use crate::vector::spatial_ref;
use crate::IoError;

/// Writes `raster` as a deflate-compressed, tiled Float32 GeoTIFF.
pub fn write_raster(raster: &Raster, path: &Path) -> Result<(), IoError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(IoError::os(parent))?;
    }
    (|| -> Result<(), gdal::errors::GdalError> {
        let driver = DriverManager::get_driver_by_name("GTiff")?;
        let options =
            RasterCreationOptions::from_iter(["COMPRESS=DEFLATE", "PREDICTOR=3", "TILED=YES"]);
        let mut ds = driver.create_with_band_type_with_options::<f32, _>(
            path,
            raster.width,
            raster.height,
            1,
            &options,
        )?;
        ds.set_geo_transform(&raster.geo_transform)?;
        ds.set_spatial_ref(&spatial_ref(raster.crs)?)?;
        let mut band = ds.rasterband(1)?;
        band.set_no_data_value(raster.nodata)?;
        let mut buffer = Buffer::new((raster.width, raster.height), raster.data.clone());
        band.write((0, 0), (raster.width, raster.height), &mut buffer)
    })()
    .map_err(IoError::gdal(path))
}

/// Reads band 1 of a raster as Float32.
pub fn read_raster(path: &Path) -> Result<Raster, IoError> {
    let ds = Dataset::open(path).map_err(IoError::gdal(path))?;
    let geo_transform = ds.geo_transform().map_err(IoError::gdal(path))?;
    let crs = ds
        .spatial_ref()
        .ok()
        .and_then(|s| s.auth_code().ok())
        .map_or(Crs::WGS84, |c| Crs::Epsg(c as u32));
    let band = ds.rasterband(1).map_err(IoError::gdal(path))?;
    let nodata = band.no_data_value();
    let ((width, height), data) = band
        .read_band_as::<f32>()
        .map_err(IoError::gdal(path))?
        .into_shape_and_vec();
    Ok(Raster {
        width,
        height,
        geo_transform,
        crs,
        nodata,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geotiff_round_trips_with_its_coordinate_system() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("dem.tif");
        let r = Raster {
            width: 3,
            height: 2,
            geo_transform: [119.5, 0.01, 0.0, 29.2, 0.0, -0.01],
            crs: Crs::WGS84,
            nodata: Some(-9999.0),
            data: vec![1.0, 2.0, 3.0, 4.0, 5.0, -9999.0],
        };
        write_raster(&r, &p).unwrap();
        assert_eq!(read_raster(&p).unwrap(), r);
    }
}
