//! Townships with invalid rings are repaired and reported, never silently
//! used: a bow-tie township (a ring that crosses itself) still receives the
//! points in both of its lobes, and the manifest says what was repaired.

#[test]
fn a_bow_tie_township_is_repaired_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // 001: a bow-tie (crossing at 120.05, 30.05); 002: a plain square east of it.
    std::fs::write(
        data.join("townships.geojson"),
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"339901001000","name":"甲镇"},"geometry":{"type":"Polygon","coordinates":[[[120.0,30.0],[120.1,30.1],[120.1,30.0],[120.0,30.1],[120.0,30.0]]]}},
{"type":"Feature","properties":{"code":"339901002000","name":"乙镇"},"geometry":{"type":"Polygon","coordinates":[[[120.2,30.0],[120.3,30.0],[120.3,30.1],[120.2,30.1],[120.2,30.0]]]}}
]}"#,
    )
    .unwrap();
    std::fs::write(
        data.join("fires.csv"),
        "id,occurred_at,lon,lat\nF1,2021-03-01,120.01,30.05\nF2,2021-03-02,120.09,30.05\nF3,2021-03-03,120.25,30.05\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = crate::support::riskmap_ok("validate", &data, &out, &[]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("339901001000") && stdout.contains("repaired"),
        "{stdout}"
    );
    let manifest: serde_json::Value = crate::support::manifest(&out);
    assert!(manifest["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("repaired")));

    let a = riskmap_io::read_records(&out.join("assigned.parquet")).unwrap();
    let codes: Vec<(String, String)> = (0..a.height())
        .map(|r| {
            (
                a.column("id")
                    .unwrap()
                    .text(r)
                    .map(|c| c.into_owned())
                    .unwrap(),
                a.column("code")
                    .unwrap()
                    .text(r)
                    .map(|c| c.into_owned())
                    .unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            ("F1".to_owned(), "339901001000".to_owned()),
            ("F2".to_owned(), "339901001000".to_owned()),
            ("F3".to_owned(), "339901002000".to_owned())
        ]
    );
}
