//! A hand-made messy region folder, as a bureau's exports come: townships as
//! a Shapefile in a projected CGCS2000 zone, incidents as a GBK CSV with
//! Chinese headers and local category labels in GCJ-02 coordinates, fires as
//! an Excel workbook, and a riskmap.toml that maps it all. `validate` must
//! place every record where the clean demo county places it, and every count
//! must add up.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

fn riskmap(args: &[&str], data: &Path, out: &Path) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args(args)
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    crate::support::manifest(out)
}

fn assigned(out: &Path) -> HashMap<(String, String), String> {
    let r = riskmap_io::read_records(&out.join("assigned.parquet")).unwrap();
    let (s, i, c) = (
        r.column("source").unwrap(),
        r.column("id").unwrap(),
        r.column("code").unwrap(),
    );
    let cell = |col: &riskmap_io::Cells, k: usize| col.text(k).unwrap().into_owned();
    (0..r.height())
        .map(|k| ((cell(s, k), cell(i, k)), cell(c, k)))
        .collect()
}

#[test]
fn messy_exports_with_a_config_are_read_like_the_clean_county() {
    let demo = crate::support::repo().join("datasets/demo");
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy");
    std::fs::create_dir_all(messy.join("台账")).unwrap();

    // Townships: Shapefile in CGCS2000 / 3-degree Gauss-Kruger CM 120E, with a Chinese code column.
    let o = Command::new("ogr2ogr")
        .args([
            "-t_srs",
            "EPSG:4549",
            "-dialect",
            "SQLite",
            "-sql",
            "SELECT code AS 代码, name, geom FROM townships",
            "-lco",
            "ENCODING=UTF-8",
        ])
        .arg(messy.join("乡镇.shp"))
        .arg(demo.join("townships.gpkg"))
        .output()
        .expect("ogr2ogr (gdal-bin) is installed by scripts/setup-system.sh");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Incidents: GBK CSV, Chinese headers, local labels, GCJ-02 coordinates.
    let inc = riskmap_io::read_records(&demo.join("incidents.csv")).unwrap();
    let labels: HashMap<&str, &str> = [("industrial_trade", "工贸"), ("road_traffic", "交通")]
        .into_iter()
        .collect();
    let mut csv = String::from("编号,发生时间,事故类别,经度,纬度,死亡人数,受伤人数,乡镇代码\n");
    for r in 0..inc.height() {
        let cell = |name: &str| {
            inc.column(name)
                .unwrap()
                .text(r)
                .map(|c| c.into_owned())
                .unwrap_or_default()
        };
        let (lon, lat) = (cell("lon").parse::<f64>(), cell("lat").parse::<f64>());
        let (x, y) = match (lon, lat) {
            (Ok(lon), Ok(lat)) => {
                let (x, y) = coordtransform::wgs84_to_gcj02(lon, lat);
                (format!("{x:.9}"), format!("{y:.9}"))
            }
            _ => (cell("lon"), cell("lat")),
        };
        let category = cell("category");
        let category = labels
            .get(category.as_str())
            .map_or(category.clone(), |l| (*l).to_owned());
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            cell("id"),
            cell("occurred_at"),
            category,
            x,
            y,
            cell("deaths"),
            cell("injuries"),
            cell("township_code")
        ));
    }
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&csv);
    assert!(!unmappable);
    std::fs::write(messy.join("台账/事故.csv"), gbk).unwrap();

    // Fires: an Excel workbook with Chinese headers.
    let fires = riskmap_io::read_records(&demo.join("fires.csv")).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (j, h) in ["编号", "发生时间", "经度", "纬度", "死亡人数", "受伤人数"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, j as u16, *h).unwrap();
    }
    for r in 0..fires.height() {
        for (j, name) in ["id", "occurred_at", "lon", "lat", "deaths", "injuries"]
            .iter()
            .enumerate()
        {
            if let Some(v) = fires.column(name).unwrap().text(r) {
                match v.parse::<f64>() {
                    Ok(n) if *name != "id" => {
                        sheet.write_number(r as u32 + 1, j as u16, n).unwrap()
                    }
                    _ => sheet.write_string(r as u32 + 1, j as u16, v).unwrap(),
                };
            }
        }
    }
    book.save(messy.join("火灾.xlsx")).unwrap();

    std::fs::write(
        messy.join("riskmap.toml"),
        r#"
[sources.townships]
path = "乡镇.shp"
[sources.townships.columns]
code = "代码"

[sources.incidents]
path = "台账/事故.csv"
crs = "GCJ02"
[sources.incidents.columns]
category = "事故类别"
[sources.incidents.values.category]
"工贸" = "industrial_trade"
"交通" = "road_traffic"

[sources.fires]
path = "火灾.xlsx"
"#,
    )
    .unwrap();

    let clean_out = dir.path().join("clean");
    let messy_out = dir.path().join("messy-out");
    riskmap(&["validate"], &demo, &clean_out);
    let m = riskmap(&["validate"], &messy, &messy_out);

    let inputs: HashMap<String, &serde_json::Value> = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["source"].as_str().unwrap().to_owned(), i))
        .collect();
    for i in inputs.values() {
        assert_eq!(
            i["rows_read"].as_u64(),
            Some(i["accepted"].as_u64().unwrap() + i["rejected"].as_u64().unwrap())
        );
    }
    assert_eq!(inputs["incidents"]["encoding"], "gbk");
    assert_eq!(
        inputs["incidents"]["rows_read"].as_u64(),
        Some(inc.height() as u64)
    );
    assert_eq!(
        inputs["fires"]["rows_read"].as_u64(),
        Some(fires.height() as u64)
    );

    // Same records accepted, in the same townships (a point within a
    // millimetre of a border may flip after the projection round trip).
    // Labels the clean county rejects as unknown but riskmap.toml maps here
    // (the demo's dirt includes `工贸`) are accepted in the messy folder.
    let rejected = riskmap_io::read_records(&clean_out.join("rejected.csv")).unwrap();
    let mapped_now = rejected
        .column("reason")
        .unwrap()
        .texts()
        .filter(|r| {
            r.as_deref()
                .is_some_and(|r| r.contains("`工贸`") || r.contains("`交通`"))
        })
        .count();
    let (clean, got) = (assigned(&clean_out), assigned(&messy_out));
    for source in ["incidents", "fires"] {
        let c: Vec<_> = clean.iter().filter(|(k, _)| k.0 == source).collect();
        let g = got.iter().filter(|(k, _)| k.0 == source).count();
        let extra = if source == "incidents" { mapped_now } else { 0 };
        assert_eq!(
            c.len() + extra,
            g,
            "{source}: accepted {g}, the clean county {} + {extra} newly mapped labels",
            c.len()
        );
        let differ = c
            .iter()
            .filter(|(k, code)| got.get(*k) != Some(*code))
            .count();
        assert!(
            differ <= 2,
            "{source}: {differ} records in another township"
        );
    }
}
