//! `panel.parquet` from `riskmap run` on the demo county: a full grid of
//! township × year × measure, totals equal to the accepted records, and the
//! population table as exposure.

use std::collections::{HashMap, HashSet};
use std::path::Path;

#[test]
fn panel_is_a_full_grid_whose_totals_match_the_accepted_records() {
    let demo = crate::support::repo().join("datasets/demo");
    let out = tempfile::tempdir().unwrap();
    crate::support::riskmap_ok("run", &demo, out.path(), &[]);
    let manifest = crate::support::manifest(out.path());
    let accepted: HashMap<String, f64> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["source"].as_str().unwrap().to_owned(),
                i["accepted"].as_f64().unwrap(),
            )
        })
        .collect();

    let p = riskmap_io::read_records(&out.path().join("panel.parquet")).unwrap();
    let col = |n: &str| p.text_column(n).unwrap();
    let (code, year, measure, count, exposure) = (
        col("code"),
        col("year"),
        col("measure"),
        col("count"),
        col("exposure"),
    );
    let codes: HashSet<&str> = code.iter().map(|c| c.as_deref().unwrap()).collect();
    let years: HashSet<&str> = year.iter().map(|c| c.as_deref().unwrap()).collect();
    let measures: HashSet<&str> = measure.iter().map(|c| c.as_deref().unwrap()).collect();
    assert_eq!(
        p.height(),
        codes.len() * years.len() * measures.len(),
        "not a full grid"
    );
    assert_eq!(codes.len(), 17);
    for m in [
        "incidents",
        "incidents:road_traffic",
        "fires",
        "forest_fires",
        "geohazard_events",
        "geohazard_events:landslide",
    ] {
        assert!(measures.contains(m), "no measure {m}");
    }

    let mut total: HashMap<&str, f64> = HashMap::new();
    for r in 0..p.height() {
        *total.entry(measure[r].as_deref().unwrap()).or_default() +=
            count[r].as_deref().unwrap().parse::<f64>().unwrap();
    }
    for source in ["incidents", "fires", "forest_fires", "geohazard_events"] {
        assert_eq!(
            total[source], accepted[source],
            "{source}: panel total vs accepted records"
        );
        if matches!(source, "incidents" | "geohazard_events") {
            let by_category: f64 = total
                .iter()
                .filter(|(m, _)| m.starts_with(&format!("{source}:")))
                .map(|(_, n)| n)
                .sum();
            assert_eq!(
                by_category, total[source],
                "{source}: categories do not add up"
            );
        }
    }

    let pop = riskmap_io::read_records(&demo.join("population.csv")).unwrap();
    let population: HashMap<(String, String), String> = (0..pop.height())
        .map(|r| {
            (
                (
                    pop.text_column("code").unwrap()[r].clone().unwrap(),
                    pop.text_column("year").unwrap()[r].clone().unwrap(),
                ),
                pop.text_column("population").unwrap()[r].clone().unwrap(),
            )
        })
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
    assert!(
        zh.contains("2021年全年") && zh.contains(&format!("发生火灾{fires_2021:.0}起，同比")),
        "{zh}"
    );
    assert!(en.contains(&format!("Fires: {fires_2021:.0} (")), "{en}");
    let rows = zh
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(" | 339901"))
        .count();
    assert_eq!(rows, 17, "one row per township");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn area_counts_join_the_panel_and_bad_rows_are_rejected_with_reasons() {
    let demo = crate::support::repo().join("datasets/demo");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_dir(&demo, &data);
    std::fs::write(
        data.join("area_counts.csv"),
        "code,year,measure,count,deaths,injuries,loss_10k_cny\n\
         339901001000,2021,flash_floods,12,1,3,5.5\n\
         999999999999,2021,flash_floods,1,0,0,0\n\
         339901002000,2021,flash_floods,-2,0,0,0\n\
         339901003000,20x1,flash_floods,1,0,0,0\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    crate::support::riskmap_ok("run", &data, &out, &[]);
    let manifest = crate::support::manifest(&out);
    let ac = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source"] == "area_counts")
        .unwrap()
        .clone();
    assert_eq!(
        (
            ac["rows_read"].as_u64(),
            ac["accepted"].as_u64(),
            ac["rejected"].as_u64()
        ),
        (Some(4), Some(1), Some(3))
    );
    let rejected = riskmap_io::read_records(&out.join("rejected.csv")).unwrap();
    let reasons: Vec<String> = (0..rejected.height())
        .filter(|&r| rejected.text_column("source").unwrap()[r].as_deref() == Some("area_counts"))
        .map(|r| rejected.text_column("reason").unwrap()[r].clone().unwrap())
        .collect();
    assert_eq!(reasons.len(), 3);
    assert!(
        reasons[0].contains("unknown township code")
            && reasons[1].contains("count")
            && reasons[2].contains("year"),
        "{reasons:?}"
    );

    let p = riskmap_io::read_records(&out.join("panel.parquet")).unwrap();
    let col = |n: &str| p.text_column(n).unwrap();
    let rows: Vec<usize> = (0..p.height())
        .filter(|&r| col("measure")[r].as_deref() == Some("flash_floods"))
        .collect();
    let total: f64 = rows
        .iter()
        .map(|&r| col("count")[r].as_deref().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(total, 12.0);
    let hit = rows
        .iter()
        .find(|&&r| {
            col("code")[r].as_deref() == Some("339901001000")
                && col("year")[r].as_deref() == Some("2021")
        })
        .unwrap();
    assert_eq!(col("loss_10k_cny")[*hit].as_deref(), Some("5.5"));
    assert!(
        rows.len() >= 17 * 7,
        "flash_floods is zero-filled for every township and year"
    );
}
