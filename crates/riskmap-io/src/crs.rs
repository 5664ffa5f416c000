//! Coordinates to WGS84 lon/lat, the system riskmap works in: any EPSG code
//! through GDAL/PROJ, and GCJ-02 (the offset lon/lat of Chinese web maps,
//! which has no EPSG code) through the `coordtransform` crate's refined
//! inverse (sub-millimetre round trip).

use geo::{CoordsIter, MapCoordsInPlace};
use riskmap_domain::Crs;

use crate::vector::spatial_ref;

/// Transforms `points` (x, y in `from`) to WGS84 lon/lat in place. Points
/// that cannot be transformed become NaN, for validation to reject.
pub fn to_wgs84(from: Crs, points: &mut [[f64; 2]]) -> Result<(), gdal::errors::GdalError> {
    match from {
        Crs::Epsg(4326) => Ok(()),
        Crs::Gcj02 => {
            for p in points.iter_mut() {
                if p[0].is_finite() && p[1].is_finite() {
                    let (lon, lat) = coordtransform::gcj02_to_wgs84(p[0], p[1]);
                    *p = [lon, lat];
                }
            }
            Ok(())
        }
        Crs::Epsg(code) => transform_epsg(code, 4326, points),
    }
}

/// Transforms `points` between two EPSG systems through GDAL/PROJ, in one
/// batch; if one bad point fails the batch, point by point, the bad ones
/// becoming NaN.
fn transform_epsg(
    from: u32,
    to: u32,
    points: &mut [[f64; 2]],
) -> Result<(), gdal::errors::GdalError> {
    let source = spatial_ref(Crs::Epsg(from))?;
    let target = spatial_ref(Crs::Epsg(to))?;
    let t = gdal::spatial_ref::CoordTransform::new(&source, &target)?;
    let mut xs: Vec<f64> = points.iter().map(|p| p[0]).collect();
    let mut ys: Vec<f64> = points.iter().map(|p| p[1]).collect();
    if t.transform_coords(&mut xs, &mut ys, &mut []).is_ok() {
        for (p, (x, y)) in points.iter_mut().zip(xs.into_iter().zip(ys)) {
            *p = [x, y];
        }
    } else {
        for p in points.iter_mut() {
            let (mut x, mut y) = ([p[0]], [p[1]]);
            *p = if t.transform_coords(&mut x, &mut y, &mut []).is_ok() {
                [x[0], y[0]]
            } else {
                [f64::NAN, f64::NAN]
            };
        }
    }
    Ok(())
}

/// Transforms WGS84 lon/lat `points` to `to` (an EPSG system, e.g. a UTM
/// zone for work in metres) in place; points that cannot be transformed
/// become NaN.
pub fn from_wgs84(to: u32, points: &mut [[f64; 2]]) -> Result<(), gdal::errors::GdalError> {
    if to == 4326 {
        return Ok(());
    }
    transform_epsg(4326, to, points)
}

/// The WGS84 UTM zone (EPSG 326xx north, 327xx south) around a lon/lat:
/// the metric system riskmap uses for grids and kernel density.
pub fn utm_epsg(lon: f64, lat: f64) -> u32 {
    let zone = (((lon + 180.0) / 6.0).floor() as i64).clamp(0, 59) as u32 + 1;
    if lat >= 0.0 {
        32600 + zone
    } else {
        32700 + zone
    }
}

/// Transforms a geometry to WGS84 lon/lat in place.
pub fn geometry_to_wgs84(
    from: Crs,
    geometry: &mut geo::Geometry<f64>,
) -> Result<(), gdal::errors::GdalError> {
    if from == Crs::WGS84 {
        return Ok(());
    }
    // Transform all coordinates in one batch, then put them back in the
    // same traversal order (the closure must be Copy, hence the Cell).
    let mut coords: Vec<[f64; 2]> = geometry.coords_iter().map(|c| [c.x, c.y]).collect();
    to_wgs84(from, &mut coords)?;
    let next = std::cell::Cell::new(0usize);
    let (coords, next) = (&coords, &next);
    geometry.map_coords_in_place(|_| {
        let [x, y] = coords[next.get()];
        next.set(next.get() + 1);
        geo::Coord { x, y }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgcs2000_gauss_kruger_zone_and_gcj02_come_back_to_wgs84() {
        // CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549): the central
        // meridian maps to false easting 500 km; 29°N is about 3,210 km north.
        let mut p = [[500_000.0, 3_210_000.0]];
        to_wgs84(Crs::Epsg(4549), &mut p).unwrap();
        assert!((p[0][0] - 120.0).abs() < 1e-9, "{p:?}");
        assert!((28.9..29.1).contains(&p[0][1]), "{p:?}");

        let wgs = (119.62, 29.08);
        let (gx, gy) = coordtransform::wgs84_to_gcj02(wgs.0, wgs.1);
        // GCJ-02 is offset by a few hundred metres...
        assert!((gx - wgs.0).abs() + (gy - wgs.1).abs() > 1e-3);
        let mut q = [[gx, gy]];
        to_wgs84(Crs::Gcj02, &mut q).unwrap();
        // ...and comes back within a millimetre (1e-8 degrees).
        assert!(
            (q[0][0] - wgs.0).abs() < 1e-8 && (q[0][1] - wgs.1).abs() < 1e-8,
            "{q:?}"
        );
    }
}
