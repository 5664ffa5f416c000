//! `heatmaps/<measure>.tif` and `township_terrain.csv` from `riskmap run` on
//! the demo county.
//!
//! The kernel density itself is checked against exact summation and KDEpy in
//! `riskmap-raster`; here the run is checked end to end: every event source
//! has a GeoTIFF in the region's UTM zone, and its integral (density × cell
//! area) equals that source's records in the current year (a kernel spreads
//! each event's mass, it does not create or lose any; tolerance 1%, for the
//! mass of points near the grid's edge).

use std::collections::HashMap;
use std::process::Command;

#[test]
fn heatmaps_integrate_to_the_years_counts_and_terrain_covers_every_township() {
    let demo = crate::support::repo().join("datasets/demo");
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args(["run", "--data"])
        .arg(&demo)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let stats = riskmap_io::read_records(&out.path().join("spatial_stats.csv")).unwrap();
    let (measure, count) = (
        stats.text_column("measure").unwrap(),
        stats.text_column("count").unwrap(),
    );
    let mut year_count: HashMap<String, f64> = HashMap::new();
    for (m, c) in measure.iter().zip(&count) {
        *year_count.entry(m.clone().unwrap()).or_default() +=
            c.as_deref().unwrap().parse::<f64>().unwrap();
    }
    for source in ["incidents", "fires", "forest_fires", "geohazard_events"] {
        let r =
            riskmap_io::read_raster(&out.path().join(format!("heatmaps/{source}.tif"))).unwrap();
        assert_eq!(
            r.crs,
            riskmap_domain::Crs::Epsg(32650),
            "{source}: UTM zone 50N"
        );
        let cell_km2 = r.geo_transform[1] * -r.geo_transform[5] / 1e6;
        let integral: f64 = r.data.iter().map(|v| *v as f64).sum::<f64>() * cell_km2;
        let expected = year_count[source];
        assert!(
            (integral - expected).abs() <= 0.01 * expected,
            "{source}: density integrates to {integral}, records {expected}"
        );
        assert!(r.data.iter().all(|v| v.is_finite() && *v >= 0.0));
    }

    let terrain = riskmap_io::read_records(&out.path().join("township_terrain.csv")).unwrap();
    assert_eq!(terrain.height(), 17);
    let num = |n: &str| {
        terrain
            .text_column(n)
            .unwrap()
            .into_iter()
            .map(|v| v.unwrap().parse::<f64>().unwrap())
            .collect::<Vec<_>>()
    };
    let (steep, cover, area) = (
        num("steep_share"),
        num("mean_forest_cover"),
        num("dem_area_km2"),
    );
    assert!(
        steep.iter().all(|s| (0.0..=1.0).contains(s))
            && cover.iter().all(|c| (0.0..=1.0).contains(c))
    );
    // The synthetic county has a mountain side: some townships are steep, some flat.
    assert!(
        steep.iter().any(|s| *s > 0.05) && steep.contains(&0.0),
        "{steep:?}"
    );
    assert!(
        area.iter().all(|a| *a > 10.0),
        "every township covers DEM pixels: {area:?}"
    );
}

#[test]
fn a_weighted_heatmap_integrates_to_the_weights() {
    // The demo county with forest fires weighted by burned area.
    let demo = crate::support::repo().join("datasets/demo");
    let data = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&demo).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, data.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(
        data.path().join("riskmap.toml"),
        "[heatmaps]\nweights = { forest_fires = \"burned_area_ha\" }\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args(["run", "--data"])
        .arg(data.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Expected: burned area of the accepted forest fires of 2021.
    let assigned = riskmap_io::read_records(&out.path().join("assigned.parquet")).unwrap();
    let (src, ids) = (
        assigned.text_column("source").unwrap(),
        assigned.text_column("id").unwrap(),
    );
    let accepted: std::collections::HashSet<String> = src
        .iter()
        .zip(ids)
        .filter(|(s, _)| s.as_deref() == Some("forest_fires"))
        .map(|(_, id)| id.unwrap())
        .collect();
    let fires = riskmap_io::read_records(&demo.join("forest_fires.csv")).unwrap();
    let (id, when, area) = (
        fires.text_column("id").unwrap(),
        fires.text_column("occurred_at").unwrap(),
        fires.text_column("burned_area_ha").unwrap(),
    );
    let expected: f64 = (0..fires.height())
        .filter(|&r| {
            id[r].as_ref().is_some_and(|i| accepted.contains(i))
                && when[r].as_deref().is_some_and(|w| w.starts_with("2021"))
        })
        .map(|r| {
            area[r]
                .as_deref()
                .and_then(|a| a.parse::<f64>().ok())
                .unwrap_or(0.0)
        })
        .sum();
    let r = riskmap_io::read_raster(&out.path().join("heatmaps/forest_fires.tif")).unwrap();
    let integral: f64 =
        r.data.iter().map(|v| *v as f64).sum::<f64>() * r.geo_transform[1] * -r.geo_transform[5]
            / 1e6;
    assert!(
        expected > 0.0 && (integral - expected).abs() <= 0.01 * expected,
        "weighted density integrates to {integral}, burned area {expected}"
    );
}
