//! `riskmap validate` against the generator's truth: every dirtied row is
//! caught for the right reason, no clean row is rejected, every accepted
//! point lands in the township it was generated in, and the counts add up.

use std::collections::{HashMap, HashSet};

use crate::support::{csv_rows, synth_into};
use std::path::Path;

fn check_region(data: &Path) {
    let out = tempfile::tempdir().unwrap();
    crate::support::riskmap_ok("validate", data, out.path(), &[]);
    let manifest = crate::support::manifest(out.path());
    crate::support::assert_counts_add_up(&manifest, "");
    for input in manifest["inputs"].as_array().unwrap() {
        let n = |k: &str| input[k].as_u64().unwrap();
        assert!(n("outside") <= n("rejected") && n("snapped") <= n("accepted"));
    }

    let dirt_file = if data.join("truth/origins.csv").exists() {
        "truth/origins.csv"
    } else {
        "truth/origins.parquet"
    };
    let origins = riskmap_io::read_records(&data.join(dirt_file)).unwrap();
    let col = |name: &str| origins.column(name).unwrap();
    let origin: HashMap<(String, String), (String, String)> = (0..origins.height())
        .map(|r| {
            let key = (
                col("source").text(r).map(|c| c.into_owned()).unwrap(),
                col("row").text(r).map(|c| c.into_owned()).unwrap(),
            );
            (
                key,
                (
                    col("code").text(r).map(|c| c.into_owned()).unwrap(),
                    col("dirt")
                        .text(r)
                        .map(|c| c.into_owned())
                        .unwrap_or_default(),
                ),
            )
        })
        .collect();
    let dirt: HashMap<(String, String), String> = csv_rows(&data.join("truth/dirt.csv"))
        .into_iter()
        .map(|r| ((r["source"].clone(), r["row"].clone()), r["detail"].clone()))
        .collect();

    let rejected = csv_rows(&out.path().join("rejected.csv"));
    let rejected_rows: HashSet<(String, String)> = rejected
        .iter()
        .map(|r| (r["source"].clone(), r["row"].clone()))
        .collect();
    for r in &rejected {
        let key = (r["source"].clone(), r["row"].clone());
        let (_, kind) = &origin[&key];
        assert!(!kind.is_empty(), "clean row rejected: {r:?}");
        let expected_field = match kind.as_str() {
            "duplicate_id" => Some("id"),
            "swapped_lonlat" | "outside" => Some("lon"),
            _ => None,
        };
        if let Some(f) = expected_field {
            assert_eq!(r["field"], f, "{kind}: {r:?}");
        }
    }
    let mut caught = HashMap::<String, (usize, usize)>::new();
    for (key, (_, kind)) in &origin {
        if kind.is_empty() {
            continue;
        }
        let must_reject = match kind.as_str() {
            "wrong_township_code" => false,
            "outside" => {
                let metres: f64 = dirt[key]
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                if (90.0..=110.0).contains(&metres) {
                    continue; // near the tolerance: metric approximations differ
                }
                metres > 100.0
            }
            _ => true,
        };
        let e = caught.entry(kind.clone()).or_default();
        e.1 += 1;
        if rejected_rows.contains(key) == must_reject {
            e.0 += 1;
        } else {
            panic!(
                "{kind} row {key:?} {} but should {}",
                if must_reject { "accepted" } else { "rejected" },
                if must_reject {
                    "be rejected"
                } else {
                    "be kept"
                }
            );
        }
    }
    assert!(caught.len() >= 7, "dirt kinds seen: {caught:?}");

    // Accepted points land where they were generated (snapped ones excepted:
    // the nearest township of a point pushed outside may be a neighbour).
    let assigned = riskmap_io::read_records(&out.path().join("assigned.parquet")).unwrap();
    let (src, ids, codes) = (
        assigned.column("source").unwrap(),
        assigned.column("id").unwrap(),
        assigned.column("code").unwrap(),
    );
    let mut by_id: HashMap<(String, String), (String, String)> = HashMap::new();
    for r in 0..origins.height() {
        let (s, id) = (
            col("source").text(r).map(|c| c.into_owned()).unwrap(),
            col("id")
                .text(r)
                .map(|c| c.into_owned())
                .unwrap_or_default(),
        );
        by_id.entry((s, id)).or_insert((
            col("code").text(r).map(|c| c.into_owned()).unwrap(),
            col("dirt")
                .text(r)
                .map(|c| c.into_owned())
                .unwrap_or_default(),
        ));
    }
    let mut checked = 0;
    for r in 0..assigned.height() {
        let key = (
            src.text(r).map(|c| c.into_owned()).unwrap(),
            ids.text(r).map(|c| c.into_owned()).unwrap(),
        );
        let (code, kind) = &by_id[&key];
        if kind == "outside" {
            continue;
        }
        assert_eq!(
            &*codes.text(r).unwrap(),
            code,
            "{key:?} assigned to the wrong township"
        );
        checked += 1;
    }
    assert!(checked > 1000);

    // Every wrong township_code is listed; the only others are points snapped
    // onto a neighbour of the township they were pushed out of.
    let mismatches = csv_rows(&out.path().join("township_code_mismatches.csv"));
    let listed: HashSet<(String, String)> = mismatches
        .iter()
        .map(|r| (r["source"].clone(), r["row"].clone()))
        .collect();
    for (key, (_, kind)) in &origin {
        if kind == "wrong_township_code" {
            assert!(
                listed.contains(key),
                "{key:?} has a wrong township_code but is not listed"
            );
        }
    }
    for key in &listed {
        let kind = &origin[key].1;
        assert!(
            kind == "wrong_township_code" || kind == "outside",
            "{key:?} ({kind}) listed as a mismatch"
        );
    }
}

#[test]
fn validate_catches_the_demo_countys_dirt_and_places_every_point() {
    check_region(&crate::support::repo().join("datasets/demo"));
}

#[test]
fn validate_catches_the_province_dirt_and_places_every_point() {
    let dir = tempfile::tempdir().unwrap();
    synth_into(dir.path(), "province", 3, &["--years", "2019..2021"]);
    check_region(dir.path());
}
