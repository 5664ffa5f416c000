//! Vector layers through GDAL: GeoPackage, GeoJSON, Shapefile, FlatGeobuf.

use std::path::Path;

use gdal::spatial_ref::{AxisMappingStrategy, SpatialRef};
use gdal::vector::{
    Feature, FieldValue, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType, ToGdal,
};
use gdal::{Dataset, DriverManager};
use polars::prelude::*;
use riskmap_domain::{Crs, VectorLayer};

use crate::IoError;

const SUPPORTED: &str = ".gpkg, .geojson, .shp, .fgb";

fn driver_name(path: &Path) -> Option<&'static str> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "gpkg" => Some("GPKG"),
        "geojson" | "json" => Some("GeoJSON"),
        "shp" => Some("ESRI Shapefile"),
        "fgb" => Some("FlatGeobuf"),
        _ => None,
    }
}

/// The GDAL spatial reference of a riskmap CRS, with lon/lat axis order.
pub fn spatial_ref(crs: Crs) -> Result<SpatialRef, gdal::errors::GdalError> {
    // GCJ-02 coordinates are stored as such but have no CRS of their own in
    // GDAL; they are declared as WGS84, which they approximate within 500 m.
    let code = match crs {
        Crs::Epsg(code) => code,
        Crs::Gcj02 => 4326,
    };
    let mut srs = SpatialRef::from_epsg(code)?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}

/// `g` with every ring and line holding exactly its points. gdal's `to_geo`
/// collects 16-byte coordinates into the buffer of the 24-byte ones it read,
/// so each keeps half as much again unused (on a real-like province's 4.1M
/// vertices, ~33 MB held to the end of a run).
fn compact(mut g: geo::Geometry<f64>) -> geo::Geometry<f64> {
    use geo::Geometry as G;
    fn polygon(p: &mut geo::Polygon<f64>) {
        p.exterior_mut(|r| r.0.shrink_to_fit());
        p.interiors_mut(|rs| rs.iter_mut().for_each(|r| r.0.shrink_to_fit()));
    }
    match &mut g {
        G::Polygon(p) => polygon(p),
        G::MultiPolygon(mp) => mp.0.iter_mut().for_each(polygon),
        G::LineString(l) => l.0.shrink_to_fit(),
        G::MultiLineString(ml) => ml.0.iter_mut().for_each(|l| l.0.shrink_to_fit()),
        _ => {}
    }
    g
}

fn geometry_type(layer: &VectorLayer) -> OGRwkbGeometryType::Type {
    use geo::Geometry as G;
    match layer.geometries.first() {
        Some(G::Point(_)) => OGRwkbGeometryType::wkbPoint,
        Some(G::LineString(_)) => OGRwkbGeometryType::wkbLineString,
        Some(G::MultiLineString(_)) => OGRwkbGeometryType::wkbMultiLineString,
        Some(G::Polygon(_)) => OGRwkbGeometryType::wkbPolygon,
        Some(G::MultiPolygon(_)) => OGRwkbGeometryType::wkbMultiPolygon,
        _ => OGRwkbGeometryType::wkbUnknown,
    }
}

/// What the bytes of a written GeoPackage depend on besides its content:
/// the GDAL release and build (with its PROJ, whose EPSG definitions go into
/// the file) and the SQLite library (its version is in the file's header).
/// A cache of written files keys on it, so that a library upgraded between
/// two nights makes the next night write the file again.
pub fn writer_versions() -> String {
    use gdal::version::VersionInfo;
    let sqlite = (|| -> Option<String> {
        let drv = DriverManager::get_driver_by_name("Memory").ok()?;
        let ds = drv.create_vector_only("versions").ok()?;
        let mut rows = ds
            .execute_sql(
                "SELECT sqlite_version()",
                None,
                gdal::vector::sql::Dialect::SQLITE,
            )
            .ok()??;
        let row = rows.features().next()?;
        row.field_as_string(0).ok()?
    })();
    format!(
        "GDAL {}; {}; SQLite {}",
        VersionInfo::release_name(),
        gdal::version::version_info("BUILD_INFO").replace('\n', " "),
        sqlite.as_deref().unwrap_or("unknown")
    )
}

/// Writes `layer` to `path`, replacing the file. The format follows the
/// ending. GeoPackages are written with a fixed timestamp so that the same
/// layer always gives the same bytes.
pub fn write_vector(layer: &VectorLayer, path: &Path) -> Result<(), IoError> {
    let driver = driver_name(path).ok_or_else(|| IoError::Format {
        path: path.to_owned(),
        supported: SUPPORTED,
    })?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(IoError::os(parent))?;
    }
    if path.exists() {
        std::fs::remove_file(path).map_err(IoError::os(path))?;
    }
    let gdal_err = IoError::gdal(path);
    (|| -> Result<(), gdal::errors::GdalError> {
        gdal::config::set_config_option("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z")?;
        let drv = DriverManager::get_driver_by_name(driver)?;
        let mut ds = drv.create_vector_only(path)?;
        // GeoPackage writes far faster inside one transaction; the other
        // formats have none.
        let transactional = matches!(driver, "GPKG");
        if transactional {
            let mut txn = ds.start_transaction()?;
            fill(&mut txn, layer)?;
            txn.commit()?;
        } else {
            fill(&mut ds, layer)?;
        }
        Ok(())
    })()
    .map_err(gdal_err)
}

/// Layers with more features than this are written without a spatial
/// index. GDAL 3.6 (Debian 12) builds a GeoPackage's R-tree at about 8 µs a
/// feature on one thread: 11 of the 15 s that writing the nation's 1.44M
/// grid cells took (`ogr2ogr` takes as long). Every layer of a county or a
/// province is far below this (a province's grid: 67k cells); a GIS opens
/// the large layer all the same and can index it on demand (QGIS: Layer
/// Properties › Create Spatial Index).
pub const SPATIAL_INDEX_MAX_FEATURES: usize = 500_000;

fn fill(ds: &mut Dataset, layer: &VectorLayer) -> Result<(), gdal::errors::GdalError> {
    let srs = spatial_ref(layer.crs)?;
    let options: &[&str] = if layer.geometries.len() <= SPATIAL_INDEX_MAX_FEATURES {
        &["SPATIAL_INDEX=YES"]
    } else {
        &["SPATIAL_INDEX=NO"]
    };
    let out = ds.create_layer(LayerOptions {
        name: &layer.name,
        srs: Some(&srs),
        ty: geometry_type(layer),
        options: if layer.geometries.is_empty() {
            None
        } else {
            Some(options)
        },
    })?;
    let df = &layer.attributes;
    let fields: Vec<(&str, OGRFieldType::Type)> = df
        .columns()
        .iter()
        .map(|c| {
            let ty = match c.dtype() {
                DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32 => OGRFieldType::OFTInteger64,
                DataType::Float32 | DataType::Float64 => OGRFieldType::OFTReal,
                _ => OGRFieldType::OFTString,
            };
            (c.name().as_str(), ty)
        })
        .collect();
    out.create_defn_fields(&fields)?;
    let columns: Vec<Column> = df
        .columns()
        .iter()
        .zip(&fields)
        .map(|(c, (_, ty))| match *ty {
            OGRFieldType::OFTInteger64 => c.cast(&DataType::Int64),
            OGRFieldType::OFTReal => c.cast(&DataType::Float64),
            _ => c.cast(&DataType::String),
        })
        .collect::<PolarsResult<_>>()
        .map_err(|e| gdal::errors::GdalError::BadArgument(e.to_string()))?;
    for (row, geom) in layer.geometries.iter().enumerate() {
        let mut feature = Feature::new(out.defn())?;
        for (j, c) in columns.iter().enumerate() {
            let value = match c.dtype() {
                DataType::Int64 => c
                    .i64()
                    .ok()
                    .and_then(|a| a.get(row))
                    .map(FieldValue::Integer64Value),
                DataType::Float64 => c
                    .f64()
                    .ok()
                    .and_then(|a| a.get(row))
                    .map(FieldValue::RealValue),
                _ => c
                    .str()
                    .ok()
                    .and_then(|a| a.get(row))
                    .map(|s| FieldValue::StringValue(s.to_owned())),
            };
            match value {
                Some(v) => feature.set_field(j, &v)?,
                None => feature.set_field_null(j)?,
            }
        }
        feature.set_geometry(geom.to_gdal()?)?;
        feature.create(&out)?;
    }
    Ok(())
}

/// Reads the first layer of a vector file: geometries (as `geo`), attributes
/// and coordinate system (EPSG code where GDAL can name one, else WGS84).
pub fn read_vector(path: &Path) -> Result<VectorLayer, IoError> {
    let gdal_err = IoError::gdal(path);
    let ds = Dataset::open(path).map_err(gdal_err)?;
    let mut layer = ds.layer(0).map_err(IoError::gdal(path))?;
    let crs = layer
        .spatial_ref()
        .and_then(|s| s.auth_code().ok())
        .map_or(Crs::WGS84, |c| Crs::Epsg(c as u32));
    let defs: Vec<(String, OGRFieldType::Type)> = layer
        .defn()
        .fields()
        .map(|f| (f.name(), f.field_type()))
        .collect();
    let mut geometries = Vec::new();
    let mut ints: Vec<Vec<Option<i64>>> = vec![Vec::new(); defs.len()];
    let mut reals: Vec<Vec<Option<f64>>> = vec![Vec::new(); defs.len()];
    let mut strings: Vec<Vec<Option<String>>> = vec![Vec::new(); defs.len()];
    for (n, feature) in layer.features().enumerate() {
        let geom = feature
            .geometry()
            .ok_or_else(|| IoError::Content {
                path: path.to_owned(),
                message: format!("feature {} has no geometry", n + 1),
            })?
            .to_geo()
            .map_err(IoError::gdal(path))?;
        geometries.push(compact(geom));
        for (j, (_, ty)) in defs.iter().enumerate() {
            let value = feature.field(j).map_err(IoError::gdal(path))?;
            match *ty {
                OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64 => {
                    ints[j].push(value.and_then(FieldValue::into_int64))
                }
                OGRFieldType::OFTReal => reals[j].push(value.and_then(FieldValue::into_real)),
                _ => strings[j].push(value.and_then(FieldValue::into_string)),
            }
        }
    }
    let columns = defs
        .iter()
        .enumerate()
        .map(|(j, (name, ty))| {
            let name = PlSmallStr::from(name.as_str());
            match *ty {
                OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64 => {
                    Column::new(name, std::mem::take(&mut ints[j]))
                }
                OGRFieldType::OFTReal => Column::new(name, std::mem::take(&mut reals[j])),
                _ => Column::new(name, std::mem::take(&mut strings[j])),
            }
        })
        .collect();
    let attributes = DataFrame::new(geometries.len(), columns).map_err(IoError::table(path))?;
    Ok(VectorLayer {
        name: layer.name(),
        crs,
        geometries,
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_versions_name_gdal_and_the_sqlite_library() {
        let v = writer_versions();
        assert!(v.starts_with("GDAL 3."), "{v}");
        // The SQLite library GDAL writes GeoPackages with, asked at run time.
        let sqlite = v.rsplit("SQLite ").next().unwrap();
        assert!(sqlite.starts_with("3."), "{v}");
        assert_eq!(v, writer_versions(), "the same libraries, the same text");
    }

    /// Whether the GeoPackage at `path` registers an R-tree index.
    fn has_rtree(path: &Path) -> bool {
        let ds = Dataset::open(path).unwrap();
        let mut rows = ds
            .execute_sql(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'rtree_%'",
                None,
                gdal::vector::sql::Dialect::DEFAULT,
            )
            .unwrap()
            .unwrap();
        let n = rows
            .features()
            .next()
            .and_then(|f| f.field(0).unwrap())
            .and_then(FieldValue::into_int64)
            .unwrap();
        n > 0
    }

    fn points(n: usize) -> VectorLayer {
        VectorLayer {
            name: "p".into(),
            crs: Crs::WGS84,
            geometries: (0..n)
                .map(|i| geo::Geometry::Point(geo::Point::new(i as f64 * 1e-4, 30.0)))
                .collect(),
            attributes: DataFrame::new(n, vec![Column::new("k".into(), vec![1i64; n])]).unwrap(),
        }
    }

    #[test]
    fn large_layers_are_written_without_a_spatial_index() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small.gpkg");
        write_vector(&points(10), &small).unwrap();
        assert!(has_rtree(&small));
        let large = dir.path().join("large.gpkg");
        let layer = points(SPATIAL_INDEX_MAX_FEATURES + 1);
        write_vector(&layer, &large).unwrap();
        assert!(!has_rtree(&large));
        assert_eq!(
            read_vector(&large).unwrap().geometries.len(),
            layer.geometries.len()
        );
    }
}
