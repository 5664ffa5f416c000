//! Rasters through GDAL: any raster GDAL reads (band 1, as Float32); written
//! as single-band Float32 GeoTIFF.

use std::path::Path;

use gdal::raster::{Buffer, RasterCreationOptions};
use gdal::{Dataset, DatasetOptions, DriverManager, GdalOpenFlags, Metadata};
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

/// A raster as read, with what the reader had to assume about it.
#[derive(Debug, Clone, PartialEq)]
pub struct RasterRead {
    /// Band 1, as Float32, scale and offset applied.
    pub raster: Raster,
    /// What was assumed or chosen (no coordinate system in the file, one
    /// variable of several), for the run's warnings.
    pub note: Option<String>,
}

/// Reads band 1 of any raster GDAL opens (GeoTIFF, NetCDF, Arc/Info ASCII
/// grid, ERDAS IMG, VRT, ...) as Float32 in the file's own coordinate system.
pub fn read_raster(path: &Path) -> Result<Raster, IoError> {
    read_raster_as(path, None).map(|r| r.raster)
}

/// Reads band 1 of any raster GDAL opens as Float32, with its coordinate
/// system: `crs` when given (`[sources.dem] crs` in riskmap.toml), else the
/// file's own EPSG code (identified by PROJ when the file carries only a
/// description, as NetCDF and `.prj` files often do). A file with no
/// coordinate system whose extent fits on the globe in degrees is taken as
/// WGS84, and the note says so; a non-EPSG system or a rotated grid is an
/// error that says what to do.
pub fn read_raster_as(path: &Path, crs: Option<Crs>) -> Result<RasterRead, IoError> {
    let Header {
        ds,
        note,
        geo_transform,
        crs,
        ..
    } = header(path, crs)?;
    let band = ds.rasterband(1).map_err(IoError::gdal(path))?;
    let nodata = band.no_data_value();
    let (scale, offset) = (band.scale().unwrap_or(1.0), band.offset().unwrap_or(0.0));
    let ((width, height), mut data) = band
        .read_band_as::<f32>()
        .map_err(IoError::gdal(path))?
        .into_shape_and_vec();
    // Packed values (NetCDF's scale_factor and add_offset, an IMG's scaling)
    // are unpacked; nodata stays nodata.
    if scale != 1.0 || offset != 0.0 {
        let nodata32 = nodata.map(|n| n as f32);
        for v in data
            .iter_mut()
            .filter(|v| Some(**v) != nodata32 && !v.is_nan())
        {
            *v = (*v as f64 * scale + offset) as f32;
        }
    }
    Ok(RasterRead {
        raster: Raster {
            width,
            height,
            geo_transform,
            crs,
            nodata,
            data,
        },
        note,
    })
}

/// A raster opened and checked, its band not read.
struct Header {
    ds: Dataset,
    note: Option<String>,
    geo_transform: [f64; 6],
    /// Band 1's width and height, in cells.
    size: (usize, usize),
    crs: Crs,
}

/// Number of cells of band 1 of the raster at `path`, from its header: the
/// checks of [`read_raster_as`] (georeferenced, north-up, a known coordinate
/// system), without reading the band.
pub fn raster_cells(path: &Path) -> Result<usize, IoError> {
    let (width, height) = header(path, None)?.size;
    Ok(width * height)
}

/// Opens the raster at `path` and checks what [`read_raster_as`] needs of it.
fn header(path: &Path, crs: Option<Crs>) -> Result<Header, IoError> {
    let content = |message: String| IoError::Content {
        path: path.to_owned(),
        message,
    };
    let (ds, mut note) = open_raster(path)?;
    let geo_transform = ds.geo_transform().map_err(|_| {
        content("the raster has no georeferencing (no geotransform); give it one, e.g. gdal_translate -a_ullr ... -a_srs EPSG:4326".into())
    })?;
    if geo_transform[2] != 0.0 || geo_transform[4] != 0.0 {
        return Err(content(
            "the grid is rotated; warp it north-up first, e.g. gdalwarp -t_srs EPSG:4326 in out.tif".into(),
        ));
    }
    if !geo_transform.iter().all(|v| v.is_finite())
        || geo_transform[1] == 0.0
        || geo_transform[5] == 0.0
    {
        return Err(content(format!(
            "the geotransform {geo_transform:?} is not a grid"
        )));
    }
    let band = ds.rasterband(1).map_err(IoError::gdal(path))?;
    let (width, height) = band.size();
    let crs = match crs {
        Some(c) => c,
        None => match ds.spatial_ref() {
            Ok(mut srs) => epsg_of(&mut srs).ok_or_else(|| {
                content(format!(
                    "its coordinate system ({}) has no EPSG code; set it in riskmap.toml ([sources.<source>] crs = \"EPSG:n\"), or warp it to EPSG:4326",
                    srs.name().unwrap_or_else(|| "unnamed".into())
                ))
            })?,
            Err(_) => {
                let xs = [geo_transform[0], geo_transform[0] + geo_transform[1] * width as f64];
                let ys = [geo_transform[3], geo_transform[3] + geo_transform[5] * height as f64];
                let on_globe = xs.iter().all(|x| (-180.0..=360.0).contains(x))
                    && ys.iter().all(|y| (-90.0..=90.0).contains(y));
                if !on_globe {
                    return Err(content(
                        "the raster has no coordinate system and its extent is not in degrees; set it in riskmap.toml ([sources.<source>] crs = \"EPSG:n\")".into(),
                    ));
                }
                note = Some(format!(
                    "{}: no coordinate system in the file; its extent is in degrees, so it is read as WGS84 (EPSG:4326); set [sources.<source>] crs in riskmap.toml if that is wrong",
                    path.display()
                ));
                Crs::WGS84
            }
        },
    };
    Ok(Header {
        ds,
        note,
        geo_transform,
        size: (width, height),
        crs,
    })
}

/// Whether GDAL opens `path` as a raster with at least one band (directly or
/// through its first subdataset).
pub fn is_raster(path: &Path) -> bool {
    open_raster(path).is_ok()
}

/// Opens a raster. A container of several variables (NetCDF, HDF) opens as
/// its subdatasets: with one, that one; with several, the first, said in the
/// note.
fn open_raster(path: &Path) -> Result<(Dataset, Option<String>), IoError> {
    let options = || DatasetOptions {
        open_flags: GdalOpenFlags::GDAL_OF_RASTER | GdalOpenFlags::GDAL_OF_READONLY,
        ..Default::default()
    };
    let ds = Dataset::open_ex(path, options()).map_err(IoError::gdal(path))?;
    if ds.raster_count() > 0 {
        return Ok((ds, None));
    }
    let names: Vec<String> = ds
        .metadata_domain("SUBDATASETS")
        .unwrap_or_default()
        .into_iter()
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            k.ends_with("_NAME").then(|| v.to_owned())
        })
        .collect();
    let Some(first) = names.first() else {
        return Err(IoError::Content {
            path: path.to_owned(),
            message: "GDAL opens it, but it holds no raster band".into(),
        });
    };
    let sub = Dataset::open_ex(first, options()).map_err(IoError::gdal(path))?;
    if sub.raster_count() == 0 {
        return Err(IoError::Content {
            path: path.to_owned(),
            message: format!("its first variable ({first}) holds no raster band"),
        });
    }
    let note = (names.len() > 1).then(|| {
        format!(
            "{}: holds {} variables; read the first, {first} (keep one variable per file to choose)",
            path.display(),
            names.len()
        )
    });
    Ok((sub, note))
}

/// The EPSG code of a coordinate system: its own authority code when that
/// is EPSG, else the one PROJ identifies from its description.
fn epsg_of(srs: &mut gdal::spatial_ref::SpatialRef) -> Option<Crs> {
    let epsg = |s: &gdal::spatial_ref::SpatialRef| {
        (s.auth_name().as_deref() == Some("EPSG"))
            .then(|| s.auth_code().ok())
            .flatten()
            .and_then(|c| u32::try_from(c).ok())
            .map(Crs::Epsg)
    };
    if let Some(c) = epsg(srs) {
        return Some(c);
    }
    if srs.auto_identify_epsg().is_ok() {
        if let Some(c) = epsg(srs) {
            return Some(c);
        }
    }
    // An ESRI-style description (an ASCII grid's `.prj`: "GCS_WGS_1984")
    // that PROJ does not identify: the same system as one of those a
    // Chinese bureau's rasters come in (geographic ones, WGS84 UTM north,
    // CGCS2000 Gauss–Krüger), by GDAL's own comparison.
    let geographic = [4326, 4490, 4214, 4610, 4555, 4269, 4258, 4283, 4617];
    let candidates = geographic
        .into_iter()
        .chain(32601..=32660)
        .chain(4491..=4554);
    candidates
        .filter(|code| geographic.contains(code) == srs.is_geographic())
        .find(|&code| gdal::spatial_ref::SpatialRef::from_epsg(code).is_ok_and(|c| c == *srs))
        .map(Crs::Epsg)
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

    fn sample() -> Raster {
        Raster {
            width: 4,
            height: 3,
            geo_transform: [119.5, 0.25, 0.0, 29.5, 0.0, -0.25],
            crs: Crs::WGS84,
            nodata: Some(-9999.0),
            data: vec![
                1.0, 2.0, 3.0, 4.0, 5.0, -9999.0, 7.0, 8.0, 9.0, 10.5, 11.0, 12.0,
            ],
        }
    }

    /// Copies `src` to `dst` with GDAL's driver `driver` (CreateCopy), as a
    /// bureau's GIS would export it.
    fn copy_as(src: &Path, driver: &str, dst: &Path) {
        let ds = Dataset::open(src).unwrap();
        let d = DriverManager::get_driver_by_name(driver).unwrap();
        ds.create_copy(&d, dst, &RasterCreationOptions::default())
            .unwrap();
    }

    #[test]
    fn netcdf_ascii_grid_erdas_img_and_vrt_read_like_the_geotiff() {
        let dir = tempfile::tempdir().unwrap();
        let tif = dir.path().join("dem.tif");
        let r = sample();
        write_raster(&r, &tif).unwrap();
        for (driver, name) in [
            ("netCDF", "dem.nc"),
            ("AAIGrid", "dem.asc"),
            ("HFA", "dem.img"),
            ("VRT", "dem.vrt"),
        ] {
            let p = dir.path().join(name);
            copy_as(&tif, driver, &p);
            assert!(is_raster(&p), "{name}");
            let back = read_raster_as(&p, None).unwrap();
            assert_eq!(back.raster.crs, Crs::WGS84, "{name}");
            assert_eq!((back.raster.width, back.raster.height), (4, 3), "{name}");
            for (a, b) in back.raster.geo_transform.iter().zip(r.geo_transform) {
                assert!(
                    (a - b).abs() < 1e-9,
                    "{name}: {:?}",
                    back.raster.geo_transform
                );
            }
            assert_eq!(back.raster.data, r.data, "{name}");
        }
    }

    #[test]
    fn a_grid_without_a_coordinate_system_is_read_as_wgs84_when_in_degrees_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("dem.asc");
        std::fs::write(
            &p,
            "ncols 2\nnrows 2\nxllcorner 119.0\nyllcorner 29.0\ncellsize 0.5\nNODATA_value -9999\n1 2\n3 -9999\n",
        )
        .unwrap();
        let back = read_raster_as(&p, None).unwrap();
        assert_eq!(back.raster.crs, Crs::WGS84);
        assert!(back.note.unwrap().contains("no coordinate system"));
        assert_eq!(back.raster.data, [1.0, 2.0, 3.0, -9999.0]);
        // The configuration's coordinate system wins, without a note.
        let set = read_raster_as(&p, Some(Crs::Epsg(4490))).unwrap();
        assert_eq!((set.raster.crs, set.note), (Crs::Epsg(4490), None));
        // In metres with no coordinate system: an error that says what to do.
        std::fs::write(
            &p,
            "ncols 1\nnrows 1\nxllcorner 500000\nyllcorner 3300000\ncellsize 30\n1\n",
        )
        .unwrap();
        let e = read_raster_as(&p, None).unwrap_err().to_string();
        assert!(e.contains("dem.asc") && e.contains("crs"), "{e}");
    }

    #[test]
    fn packed_values_are_unpacked_and_nodata_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("dem.tif");
        {
            let d = DriverManager::get_driver_by_name("GTiff").unwrap();
            let mut ds = d.create_with_band_type::<i16, _>(&p, 2, 1, 1).unwrap();
            ds.set_geo_transform(&[119.0, 0.1, 0.0, 29.0, 0.0, -0.1])
                .unwrap();
            ds.set_spatial_ref(&spatial_ref(Crs::WGS84).unwrap())
                .unwrap();
            let mut band = ds.rasterband(1).unwrap();
            band.set_no_data_value(Some(-1.0)).unwrap();
            band.set_scale(0.5).unwrap();
            band.set_offset(100.0).unwrap();
            let mut buffer = Buffer::new((2, 1), vec![40i16, -1]);
            band.write((0, 0), (2, 1), &mut buffer).unwrap();
        }
        let r = read_raster(&p).unwrap();
        assert_eq!(r.data, [120.0, -1.0]);
    }

    #[test]
    fn a_rotated_grid_and_a_file_that_is_no_raster_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("dem.tif");
        let mut r = sample();
        r.geo_transform[2] = 0.01;
        write_raster(&r, &p).unwrap();
        let e = read_raster(&p).unwrap_err().to_string();
        assert!(e.contains("dem.tif") && e.contains("rotated"), "{e}");
        let q = dir.path().join("dem.nc");
        std::fs::write(&q, "not a raster").unwrap();
        assert!(!is_raster(&q));
        assert!(read_raster(&q).unwrap_err().to_string().contains("dem.nc"));
    }
}
