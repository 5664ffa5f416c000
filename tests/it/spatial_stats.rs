//! `spatial_stats.csv`, `global_stats.json` and the emerging hot spot files
//! from `riskmap run` on the demo county, checked against PySAL.
//!
//! Oracle: libpysal 4.14.1 / esda 2.9.0 on the demo county's own polygons
//! and counts (`benches/peers/demo_stats_expected.py`, output committed as
//! `tests/data/demo_stats_expected.json`): queen neighbour lists (exact),
//! Marshall EB rates, global Moran's I with E[I] and z under normality and
//! randomisation, local Moran Iᵢ and quadrants, and Gi* z (relative 1e-9).
//! This checks the whole chain on real wiggly borders: weights from the
//! GeoPackage, the panel's counts, the rates and the statistics.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// Relative tolerance for analytic statistics (PySAL and riskmap do the
/// same arithmetic in a different order).
const REL: f64 = 1e-9;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL * a.abs().max(b.abs()) + 1e-12
}

fn run_demo(out: &Path) {
    let demo = crate::support::repo().join("datasets/demo");
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args(["run", "--data"])
        .arg(&demo)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn demo_county_statistics_match_pysal() {
    let out = tempfile::tempdir().unwrap();
    run_demo(out.path());
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            crate::support::repo().join("tests/data/demo_stats_expected.json"),
        )
        .unwrap(),
    )
    .unwrap();

    let stats = riskmap_io::read_records(&out.path().join("spatial_stats.csv")).unwrap();
    let col = |n: &str| stats.text_column(n).unwrap();
    let (code, measure, count, exposure) =
        (col("code"), col("measure"), col("count"), col("exposure"));
    let num = |n: &str| -> Vec<Option<f64>> {
        col(n)
            .into_iter()
            .map(|v| v.map(|t| t.parse().unwrap()))
            .collect()
    };
    let (rate, rate_eb, ii, p, gi) = (
        num("rate"),
        num("rate_eb"),
        num("local_moran_i"),
        num("local_moran_p"),
        num("gi_star_z"),
    );
    let lisa = col("lisa");
    let n_town = expected["neighbours"].as_object().unwrap().len();
    assert_eq!(n_town, 17);
    let measures: std::collections::BTreeSet<&str> =
        measure.iter().map(|m| m.as_deref().unwrap()).collect();
    assert_eq!(
        stats.height(),
        n_town * measures.len(),
        "one row per township and measure"
    );

    for r in 0..stats.height() {
        let (c, e): (f64, f64) = (
            count[r].as_deref().unwrap().parse().unwrap(),
            exposure[r].as_deref().unwrap().parse().unwrap(),
        );
        assert!(close(rate[r].unwrap(), c / e), "rate = count / exposure");
        let class = lisa[r].as_deref().unwrap();
        assert!(["HH", "LL", "HL", "LH", "ns"].contains(&class));
        if class != "ns" {
            assert!(
                p[r].unwrap() < 0.05,
                "a LISA class needs p < 0.05 (row {r})"
            );
        }
    }

    let global: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("global_stats.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(global["year"], 2021);
    assert_eq!(global["weights"]["n"], 17);
    let by_measure: HashMap<&str, &serde_json::Value> = global["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["measure"].as_str().unwrap(), m))
        .collect();

    let mut compared = 0;
    for (m, want) in expected["measures"].as_object().unwrap() {
        let rows: Vec<usize> = (0..stats.height())
            .filter(|&r| measure[r].as_deref() == Some(m.as_str()))
            .collect();
        assert_eq!(rows.len(), n_town);
        let codes: Vec<&str> = rows.iter().map(|&r| code[r].as_deref().unwrap()).collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "rows in code order");
        let series = |key: &str| {
            want[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect::<Vec<_>>()
        };
        for (k, &r) in rows.iter().enumerate() {
            assert!(
                close(rate_eb[r].unwrap(), series("rate_eb")[k]),
                "{m} EB rate of {}",
                codes[k]
            );
            assert!(
                close(ii[r].unwrap(), series("local_moran_i")[k]),
                "{m} local Moran of {}",
                codes[k]
            );
            assert!(
                close(gi[r].unwrap(), series("gi_star_z")[k]),
                "{m} Gi* z of {}",
                codes[k]
            );
            // esda quadrants: 1 HH, 2 LH, 3 LL, 4 HL; a significant class must agree.
            let q = ["", "HH", "LH", "LL", "HL"][want["quadrant"][k].as_u64().unwrap() as usize];
            let class = lisa[r].as_deref().unwrap();
            assert!(
                class == "ns" || class == q,
                "{m} {}: class {class}, quadrant {q}",
                codes[k]
            );
        }
        let g = &by_measure[m.as_str()];
        assert_eq!(g["variable"], "rate_eb");
        let moran = &g["moran"];
        for (ours, theirs) in [
            ("i", "moran_i"),
            ("expected", "expected"),
            ("z_normality", "z_normality"),
            ("z_randomisation", "z_randomisation"),
        ] {
            assert!(
                close(
                    moran[ours].as_f64().unwrap(),
                    want[theirs].as_f64().unwrap()
                ),
                "{m} global {ours}"
            );
        }
        compared += 1;
    }
    assert_eq!(compared, 5);

    // Queen neighbours, through the emerging hot spot file's township set
    // and the weights summary: 34 pairs is what libpysal finds.
    let pairs: usize = expected["neighbours"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_array().unwrap().len())
        .sum::<usize>()
        / 2;
    assert_eq!(global["weights"]["pairs"].as_u64().unwrap() as usize, pairs);
    assert!(global["weights"]["islands"].as_array().unwrap().is_empty());
}

#[test]
fn emerging_hot_spots_are_written_and_reproducible() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_demo(a.path());
    run_demo(b.path());
    for f in [
        "spatial_stats.csv",
        "global_stats.json",
        "emerging_hotspots.csv",
    ] {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
    let e = riskmap_io::read_records(&a.path().join("emerging_hotspots.csv")).unwrap();
    let cats = e.text_column("category").unwrap();
    assert!(cats.iter().all(|c| c.is_some()));
    assert!(
        cats.iter()
            .any(|c| c.as_deref() != Some("No Pattern Detected")),
        "the demo county has some hot spots"
    );
    // The grid layer opens with GDAL's own tool and has cells.
    let o = Command::new("ogrinfo")
        .args(["-so", "-al"])
        .arg(a.path().join("emerging_hotspots_grid.gpkg"))
        .output()
        .expect("ogrinfo (gdal-bin) is installed");
    let info = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && info.contains("UTM zone 50N"),
        "{info}"
    );
    let features: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(features > 100, "{features} grid cells");
}
