//! Ledger rows without coordinates are placed by the township they name
//! (issue 13): by `township_code`, or by name (exact, normalised, county for
//! a shared name), and count everywhere a point is not needed; the county's
//! totals per category equal the ledger's own counts.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::support::{assert_counts_add_up, manifest, riskmap_ok};

/// Chinese labels of the incident categories, as a bureau's ledger writes them.
fn category_zh(key: &str) -> &'static str {
    match key {
        "industrial_trade" => "工矿商贸",
        "road_traffic" => "道路交通",
        "construction" => "建筑施工",
        "hazardous_chemicals" => "危险化学品",
        "fireworks" => "烟花爆竹",
        "mining" => "矿山",
        _ => "其他",
    }
}

/// Column `name` of a table riskmap reads (CSV or Parquet), as text.
fn column(path: &Path, name: &str) -> Vec<String> {
    riskmap_io::read_records(path)
        .unwrap()
        .text_column(name)
        .unwrap_or_else(|| panic!("{}: no column {name}", path.display()))
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}

/// How a ledger row gives its place.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    Location,
    Code,
    Name,
}

#[test]
fn a_ledger_where_a_third_of_the_rows_have_no_coordinates_keeps_every_record_and_its_totals() {
    let demo = crate::support::repo().join("datasets/demo");
    // The answer by location: the demo's incidents as they are.
    let v0 = tempfile::tempdir().unwrap();
    riskmap_ok("validate", &demo, v0.path(), &[]);
    let as_of = manifest(v0.path())["as_of"].as_str().unwrap().to_owned();
    let assigned = v0.path().join("assigned.parquet");
    let located: HashMap<String, String> = column(&assigned, "source")
        .into_iter()
        .zip(column(&assigned, "id"))
        .zip(column(&assigned, "code"))
        .filter(|((s, _), _)| s == "incidents")
        .map(|((_, id), code)| (id, code))
        .collect();
    let towns = demo.join("truth/townships.csv");
    let name_of: HashMap<String, String> = column(&towns, "code")
        .into_iter()
        .zip(column(&towns, "name"))
        .collect();

    // The ledger: the demo's accepted incidents, Chinese headers and labels;
    // every third row without lon/lat, placed by name (three spellings) or
    // by township code in turn. Location rows name their township too.
    let data = tempfile::tempdir().unwrap();
    std::fs::copy(
        demo.join("townships.gpkg"),
        data.path().join("townships.gpkg"),
    )
    .unwrap();
    let text = std::fs::read_to_string(demo.join("incidents.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut ledger = String::from("编号,发生时间,事故类别,经度,纬度,死亡人数,乡镇,乡镇代码\n");
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut place_of: HashMap<String, Place> = HashMap::new();
    let mut k = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let id = f[at("id")];
        let Some(code) = located.get(id) else {
            continue; // rejected in the demo (dirt): not in the official count
        };
        if place_of.contains_key(id) {
            continue; // a duplicate id (dirt): the demo keeps the first
        }
        let name = &name_of[code];
        let place = match k % 6 {
            0 | 3 => Place::Name,
            5 => Place::Code,
            _ => Place::Location,
        };
        let spelled = match k % 9 {
            // Without its suffix (城关镇 → 城关), or with a full-width space.
            3 => name
                .strip_suffix("街道")
                .or_else(|| name.strip_suffix('镇'))
                .or_else(|| name.strip_suffix('乡'))
                .unwrap_or(name)
                .to_owned(),
            6 => {
                let mut c = name.chars();
                let first = c.next().unwrap();
                format!("{first}\u{3000}{}", c.as_str())
            }
            _ => name.clone(),
        };
        let (lon, lat, town, town_code) = match place {
            Place::Location => (f[at("lon")], f[at("lat")], name.clone(), ""),
            Place::Name => ("", "", spelled, ""),
            Place::Code => ("", "", String::new(), code.as_str()),
        };
        let category = f[at("category")];
        ledger.push_str(&format!(
            "{id},{},{},{lon},{lat},{},{town},{town_code}\n",
            f[at("occurred_at")],
            category_zh(category),
            f[at("deaths")],
        ));
        let year = f[at("occurred_at")][..4].to_owned();
        *expected
            .entry((year, format!("incidents:{category}")))
            .or_default() += 1;
        place_of.insert(id.to_owned(), place);
        k += 1;
    }
    // Rows that cannot be placed: rejected with a reason, never lost silently.
    ledger.push_str("X1,2021-03-01,道路交通,,,0,不存在镇,\n");
    ledger.push_str("X2,2021-03-01,道路交通,,,0,,\n");
    ledger.push_str("X3,2021-03-01,道路交通,,,0,,999999999999\n");
    std::fs::write(data.path().join("incidents.csv"), ledger).unwrap();
    let n = place_of.len();
    let count = |p: Place| place_of.values().filter(|x| **x == p).count();
    assert!(
        count(Place::Name) + count(Place::Code) >= n / 3,
        "a third without coordinates"
    );

    let out = tempfile::tempdir().unwrap();
    riskmap_ok("run", data.path(), out.path(), &["--as-of", &as_of]);
    let m = manifest(out.path());
    assert_counts_add_up(&m, "ledger");
    let inc = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source"] == "incidents")
        .unwrap();
    let num = |k: &str| inc[k].as_u64().unwrap() as usize;
    let rejected = std::fs::read_to_string(out.path().join("rejected.csv")).unwrap();
    assert_eq!(
        (num("rows_read"), num("accepted"), num("rejected")),
        (n + 3, n, 3),
        "{rejected}"
    );
    assert_eq!(num("placed_by_name"), count(Place::Name));
    assert_eq!(num("placed_by_code"), count(Place::Code));

    // Every record lands where its location put it, and says how.
    let assigned = out.path().join("assigned.parquet");
    for ((id, code), by) in column(&assigned, "id")
        .into_iter()
        .zip(column(&assigned, "code"))
        .zip(column(&assigned, "placed_by"))
    {
        assert_eq!(code, located[&id], "{id}");
        let want = match place_of[&id] {
            Place::Location => "location",
            Place::Code => "code",
            Place::Name => "name",
        };
        assert_eq!(by, want, "{id}");
    }
    assert!(
        rejected.contains("X1,township,\"no coordinates, and no township is named `不存在镇`"),
        "{rejected}"
    );
    assert!(
        rejected.contains("X2,lon,\"missing lon and lat"),
        "{rejected}"
    );
    assert!(
        rejected.contains("X3,township_code,\"no coordinates"),
        "{rejected}"
    );

    // The county's totals per year and category are the ledger's own.
    let panel = out.path().join("panel.parquet");
    let mut got: BTreeMap<(String, String), usize> = BTreeMap::new();
    for ((year, measure), c) in column(&panel, "year")
        .into_iter()
        .zip(column(&panel, "measure"))
        .zip(column(&panel, "count"))
    {
        if measure.starts_with("incidents:") {
            *got.entry((year, measure)).or_default() += c.parse::<f64>().unwrap() as usize;
        }
    }
    got.retain(|_, c| *c > 0);
    assert_eq!(got, expected);
    // The report says how many were placed without coordinates.
    let report = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    let placed = count(Place::Name) + count(Place::Code);
    assert!(
        report.contains(&format!("{placed}条记录没有经纬度")),
        "report does not say it"
    );
}

/// A two-township region where both townships are called 城关镇, in two counties.
fn twin_region(dir: &Path) {
    let square = |x: f64| {
        format!(
            "[[[{x},29.0],[{},29.0],[{},29.1],[{x},29.1],[{x},29.0]]]",
            x + 0.1,
            x + 0.1
        )
    };
    let feature = |code: &str, county: &str, x: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}","name":"城关镇","county":"{county}","population":1000}},"geometry":{{"type":"Polygon","coordinates":{}}}}}"#,
            square(x)
        )
    };
    std::fs::write(
        dir.join("townships.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            feature("330100001000", "甲县", 119.0),
            feature("330200001000", "乙县", 119.1)
        ),
    )
    .unwrap();
}

#[test]
fn a_name_two_counties_share_is_placed_by_the_rows_county_and_otherwise_rejected_with_the_candidates(
) {
    let data = tempfile::tempdir().unwrap();
    twin_region(data.path());
    std::fs::write(
        data.path().join("fires.csv"),
        "id,occurred_at,lon,lat,所属乡镇,区县\n\
         F1,2021-03-01,,,城关镇,乙县\n\
         F2,2021-03-02,,,城关,甲\n\
         F3,2021-03-03,,,城关镇,\n\
         F4,2021-03-04,119.05,29.05,,\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    riskmap_ok("validate", data.path(), out.path(), &[]);
    let m = manifest(out.path());
    assert_counts_add_up(&m, "twins");
    let assigned = out.path().join("assigned.parquet");
    let placed: Vec<(String, String, String)> = column(&assigned, "id")
        .into_iter()
        .zip(column(&assigned, "code"))
        .zip(column(&assigned, "placed_by"))
        .map(|((a, b), c)| (a, b, c))
        .collect();
    let own = |id: &str, code: &str, by: &str| (id.to_owned(), code.to_owned(), by.to_owned());
    assert_eq!(
        placed,
        [
            own("F1", "330200001000", "name"),
            own("F2", "330100001000", "name"),
            own("F4", "330100001000", "location"),
        ]
    );
    let rejected = std::fs::read_to_string(out.path().join("rejected.csv")).unwrap();
    assert!(
        rejected.contains("ambiguous township name `城关镇`: 330100001000 城关镇 (甲县), 330200001000 城关镇 (乙县)"),
        "{rejected}"
    );
}

#[test]
fn an_alias_in_riskmap_toml_places_a_name_the_layer_does_not_use_and_a_bad_alias_is_refused() {
    let data = tempfile::tempdir().unwrap();
    twin_region(data.path());
    std::fs::write(
        data.path().join("fires.csv"),
        "id,occurred_at,township\nF1,2021-03-01,老城区\n",
    )
    .unwrap();
    std::fs::write(
        data.path().join("riskmap.toml"),
        "[township_aliases]\n\"老城区\" = \"330200001000\"\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    riskmap_ok("validate", data.path(), out.path(), &[]);
    let assigned = out.path().join("assigned.parquet");
    assert_eq!(column(&assigned, "code"), ["330200001000"]);
    assert_eq!(column(&assigned, "placed_by"), ["name"]);

    // An alias to a name two townships share is a configuration error (exit 1)
    // that names the alias.
    std::fs::write(
        data.path().join("riskmap.toml"),
        "[township_aliases]\n\"老城区\" = \"城关镇\"\n",
    )
    .unwrap();
    let o = crate::support::riskmap!("validate", "--data", data.path(), "--out", out.path());
    assert_eq!(o.status.code(), Some(1), "{}", crate::support::text(&o));
    let said = crate::support::text(&o);
    assert!(
        said.contains("riskmap.toml") && said.contains("老城区"),
        "{said}"
    );
}
