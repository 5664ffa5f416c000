//! Slope against `gdaldem slope` (GDAL 3.6.2) on the DEMs written by
//! `benches/peers/slope_expected.sh`: a projected 30 m DEM with nodata cells
//! (default edges and `-compute_edges`) and a lon/lat DEM with `-s 111120`.
//! Tolerance: 1e-4 degrees per cell (gdaldem writes float32; the only
//! expected differences are the last bit of the float32 rounding), and the
//! nodata cells must be the same cells.

use riskmap_domain::layer::{Crs, Raster};
use riskmap_raster::terrain::{slope_degrees, Edges, Spacing, SLOPE_NODATA};

/// Reads an Esri ASCII grid (`cellsize` only) as GDAL does: values parsed
/// as f64, stored as f32.
fn read_asc(name: &str, crs: Crs) -> Raster {
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/fixtures")
    .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let mut header = std::collections::HashMap::new();
    for _ in 0..6 {
        let mut it = lines.next().unwrap().split_whitespace();
        header.insert(
            it.next().unwrap().to_lowercase(),
            it.next().unwrap().parse::<f64>().unwrap(),
        );
    }
    let (w, h) = (header["ncols"] as usize, header["nrows"] as usize);
    let cell = header["cellsize"];
    let data: Vec<f32> = lines
        .flat_map(|l| l.split_whitespace())
        .map(|v| v.parse::<f64>().unwrap() as f32)
        .collect();
    assert_eq!(data.len(), w * h, "{name}");
    Raster {
        width: w,
        height: h,
        geo_transform: [
            header["xllcorner"],
            cell,
            0.0,
            header["yllcorner"] + h as f64 * cell,
            0.0,
            -cell,
        ],
        crs,
        nodata: Some(header["nodata_value"]),
        data,
    }
}

fn compare(got: &Raster, want: &Raster) -> usize {
    assert_eq!((got.width, got.height), (want.width, want.height));
    let mut valid = 0;
    for (k, (&g, &w)) in got.data.iter().zip(&want.data).enumerate() {
        if w == SLOPE_NODATA {
            assert_eq!(g, SLOPE_NODATA, "cell {k}: gdaldem has nodata, we have {g}");
        } else {
            assert!(
                (g - w).abs() <= 1e-4,
                "cell ({}, {}): {g} vs gdaldem {w}",
                k % got.width,
                k / got.width
            );
            valid += 1;
        }
    }
    valid
}

#[test]
fn projected_dem_default_edges_match_gdaldem() {
    let dem = read_asc("dem_utm.asc", Crs::Epsg(32650));
    let got = slope_degrees(&dem, Spacing::Projected, Edges::Nodata);
    let valid = compare(&got, &read_asc("slope_utm.asc", Crs::Epsg(32650)));
    // 46 × 34 interior cells less the windows of the nodata cells: nine
    // each for the two inside, three for the one on the last row.
    assert_eq!(valid, 46 * 34 - 9 - 9 - 3);
    assert!(
        got.data.iter().filter(|&&v| v > 25.0).count() > 300,
        "the fixture should have steep cells"
    );
}

#[test]
fn projected_dem_computed_edges_match_gdaldem() {
    let dem = read_asc("dem_utm.asc", Crs::Epsg(32650));
    let got = slope_degrees(&dem, Spacing::Projected, Edges::Compute);
    let valid = compare(&got, &read_asc("slope_utm_edges.asc", Crs::Epsg(32650)));
    assert_eq!(valid, 48 * 36 - 3);
}

#[test]
fn lonlat_dem_with_gdaldem_scale_matches_gdaldem() {
    let dem = read_asc("dem_lonlat.asc", Crs::WGS84);
    let got = slope_degrees(&dem, Spacing::Scale(111_120.0), Edges::Nodata);
    let valid = compare(&got, &read_asc("slope_lonlat_s111120.asc", Crs::WGS84));
    assert_eq!(valid, 38 * 28);
    // The ellipsoidal spacing is smaller east–west (cos 29.5° ≈ 0.87), so
    // slopes come out steeper on average than gdaldem's single scale.
    let geo = slope_degrees(&dem, Spacing::Geographic, Edges::Nodata);
    let mean = |r: &Raster| {
        r.data
            .iter()
            .filter(|&&v| v != SLOPE_NODATA)
            .map(|&v| v as f64)
            .sum::<f64>()
            / valid as f64
    };
    assert!(
        mean(&geo) > mean(&got) + 0.5,
        "{} vs {}",
        mean(&geo),
        mean(&got)
    );
}
