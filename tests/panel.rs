//! `panel.parquet` from `riskmap run` on the demo county: a full grid of
//! township × year × measure, totals equal to the accepted records, and the
//! population table as exposure.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

#[test]
fn panel_is_a_full_grid_whose_totals_match_the_accepted_records() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap")).args(["run", "--data"]).arg(&demo).arg("--out").arg(out.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap()).unwrap();
    let accepted: HashMap<String, f64> =
        manifest["inputs"].as_array().unwrap().iter().map(|i| (i["source"].as_str().unwrap().to_owned(), i["accepted"].as_f64().unwrap())).collect();

    let p = riskmap_io::read_records(&out.path().join("panel.parquet")).unwrap();
    let col = |n: &str| p.column(n).unwrap();
    let (code, year, measure, count, exposure) = (col("code"), col("year"), col("measure"), col("count"), col("exposure"));
    let codes: HashSet<&str> = code.iter().map(|c| c.as_deref().unwrap()).collect();
    let years: HashSet<&str> = year.iter().map(|c| c.as_deref().unwrap()).collect();
    let measures: HashSet<&str> = measure.iter().map(|c| c.as_deref().unwrap()).collect();
    assert_eq!(p.height(), codes.len() * years.len() * measures.len(), "not a full grid");
    assert_eq!(codes.len(), 17);
    for m in ["incidents", "incidents:road_traffic", "fires", "forest_fires", "geohazard_events", "geohazard_events:landslide"] {
        assert!(measures.contains(m), "no measure {m}");
    }

    let mut total: HashMap<&str, f64> = HashMap::new();
    for r in 0..p.height() {
        *total.entry(measure[r].as_deref().unwrap()).or_default() += count[r].as_deref().unwrap().parse::<f64>().unwrap();
    }
    for source in ["incidents", "fires", "forest_fires", "geohazard_events"] {
        assert_eq!(total[source], accepted[source], "{source}: panel total vs accepted records");
        if matches!(source, "incidents" | "geohazard_events") {
            let by_category: f64 = total.iter().filter(|(m, _)| m.starts_with(&format!("{source}:"))).map(|(_, n)| n).sum();
            assert_eq!(by_category, total[source], "{source}: categories do not add up");
        }
    }

    let pop = riskmap_io::read_records(&demo.join("population.csv")).unwrap();
    let population: HashMap<(String, String), String> = (0..pop.height())
        .map(|r| ((pop.column("code").unwrap()[r].clone().unwrap(), pop.column("year").unwrap()[r].clone().unwrap()), pop.column("population").unwrap()[r].clone().unwrap()))
        .collect();
    let mut checked = 0;
    for r in 0..p.height() {
        let key = (code[r].clone().unwrap(), year[r].clone().unwrap());
        if let Some(expected) = population.get(&key) {
            let got: f64 = exposure[r].as_deref().unwrap().parse().unwrap();
            assert_eq!(got, expected.parse::<f64>().unwrap(), "{key:?}");
            checked += 1;
        }
    }
    assert!(checked > 100);
    assert!(out.path().join("panel_monthly.parquet").exists());

    // The summary counts what the panel counts for the last full year.
    let zh = std::fs::read_to_string(out.path().join("summary.zh.md")).unwrap();
    let en = std::fs::read_to_string(out.path().join("summary.en.md")).unwrap();
    let fires_2021: f64 = (0..p.height())
        .filter(|&r| measure[r].as_deref() == Some("fires") && year[r].as_deref() == Some("2021"))
        .map(|r| count[r].as_deref().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!(zh.contains("2021年全年") && zh.contains(&format!("发生火灾{fires_2021:.0}起，同比")), "{zh}");
    assert!(en.contains(&format!("Fires: {fires_2021:.0} (")), "{en}");
    let rows = zh.lines().filter(|l| l.starts_with("| ") && l.contains(" | 339901")).count();
    assert_eq!(rows, 17, "one row per township");
}
