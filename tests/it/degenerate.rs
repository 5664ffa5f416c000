//! Degenerate region folders (issue 13, "never an internal error on input").

/// The bug that opened issue 13: a folder whose records cover less than one
/// complete year (a bureau's first year of use) stopped with an internal
/// error in the forecast stage ("history of 0 years from a panel of 0").
/// The forecast is now skipped with a warning that says why and what would
/// make it run, everywhere a reader looks, and every other stage runs.
#[test]
fn less_than_one_complete_year_skips_the_forecast_and_runs_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = crate::support::riskmap!(
        "synth", "--preset", "county", "--seed", "3", "--years", "2021..2021", "--out", &data
    );
    assert!(o.status.success(), "{}", crate::support::text(&o));
    let out = dir.path().join("out");
    let o = crate::support::riskmap_ok("run", &data, &out, &["--as-of", "2021-06-01", "--log-format", "plain"]);
    let log = String::from_utf8_lossy(&o.stderr);
    let manifest = crate::support::manifest(&out);
    crate::support::assert_counts_add_up(&manifest, &log);
    let forecast = manifest["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "forecast")
        .expect("the forecast stage is listed");
    let why = forecast["skipped"].as_str().expect("the forecast stage says why it was skipped");
    assert!(why.starts_with("forecast: needs 1 complete year of records, has 0"), "{why}");
    assert!(manifest["warnings"].as_array().unwrap().iter().any(|w| w == why));
    assert!(log.contains(why), "{log}");
    assert!(!out.join("forecast.csv").exists());
    // Every other stage ran.
    for f in ["spatial_stats.csv", "global_stats.json", "township_scores.csv", "summary.en.md", "panel.parquet"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("预测：需要至少1个完整年份的记录，现有0个"), "the report's data quality section says why");
}
