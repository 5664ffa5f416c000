//! `riskmap run` scores against the generator's truth. On synthetic regions
//! the true expected counts are known (`truth/intensity.parquet`), so each
//! dimension's score can be checked by its Spearman rank correlation with
//! the true expected harm of that dimension in the last data year:
//!
//! - stock ↔ expected production-safety accidents (measure `incidents`, all
//!   categories);
//! - natural ↔ expected forest fires + geohazard events;
//! - fire ↔ expected fires.
//!
//! Counts, not rates: risk here is expected harm in the township (the
//! INFORM and FEMA NRI reading: hazard × exposure), which is what a county
//! must plan resources for. The incremental and coping dimensions have no
//! counterpart in the generator's truth and are not checked here. The
//! thresholds sit below the values measured on these seeds (METHODOLOGY.md
//! lists them), so a regression that costs real accuracy fails.
//!
//! The same run checks the outputs: SPEC columns, ranks 1..n, quantile
//! levels, and that the GeoPackage opens with GDAL's `ogrinfo` with one
//! feature per township.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

// Spearman's rho with average ranks for ties, as the backtest computes it.
use riskmap_forecast::metrics::spearman;

fn riskmap(args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "riskmap {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn spearman_matches_scipy_on_a_tied_example() {
    // scipy.stats.spearmanr([1, 2, 2, 4, 5], [5, 6, 7, 8, 7]).correlation = 0.7631578947368421
    assert!(
        (spearman(&[1.0, 2.0, 2.0, 4.0, 5.0], &[5.0, 6.0, 7.0, 8.0, 7.0])
            - 0.763_157_894_736_842_1)
            .abs()
            < 1e-12
    );
}

struct Checked {
    stock: f64,
    natural: f64,
    fire: f64,
}

fn check(preset: &str, seed: u64, dir: &Path) -> Checked {
    let data = dir.join(format!("{preset}{seed}"));
    let out = dir.join(format!("out-{preset}{seed}"));
    riskmap(&[
        "synth",
        "--preset",
        preset,
        "--seed",
        &seed.to_string(),
        "--out",
        data.to_str().unwrap(),
    ]);
    riskmap(&[
        "run",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);

    let scores = riskmap_io::read_records(&out.join("township_scores.csv")).unwrap();
    for c in [
        "code",
        "name",
        "stock",
        "incremental",
        "natural",
        "fire",
        "coping",
        "risk",
        "rank",
        "level",
        "rank_p10",
        "rank_p90",
        "p_red",
        "unstable",
        "reasons_zh",
        "reasons_en",
    ] {
        assert!(scores.column(c).is_some(), "no column {c}");
    }
    let n = scores.height();
    let col = |c: &str| scores.text_column(c).unwrap();
    let num = |c: &str| -> Vec<f64> {
        col(c)
            .iter()
            .map(|v| v.as_deref().unwrap().parse().unwrap())
            .collect()
    };
    let mut rank: Vec<usize> = num("rank").into_iter().map(|r| r as usize).collect();
    rank.sort();
    assert_eq!(rank, (1..=n).collect::<Vec<_>>());
    let red = col("level")
        .iter()
        .filter(|l| l.as_deref() == Some("red"))
        .count();
    assert_eq!(
        red,
        (0.1 * n as f64).ceil() as usize,
        "quantile levels: the top 10% are red"
    );
    for c in ["stock", "incremental", "natural", "fire", "coping", "risk"] {
        assert!(
            num(c).iter().all(|v| (0.0..=10.0).contains(v)),
            "{c} outside 0–10"
        );
    }
    assert!(
        col("reasons_zh").iter().filter(|r| r.is_some()).count() > n / 2,
        "most townships have reasons"
    );

    // The GeoPackage opens with GDAL and has one feature per township.
    let o = Command::new("ogrinfo")
        .args(["-so", "-al"])
        .arg(out.join("township_scores.gpkg"))
        .output()
        .expect("ogrinfo (gdal-bin) is installed");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && text.contains(&format!("Feature Count: {n}")),
        "{text}"
    );

    // The manifest lists the outputs and says what was missing.
    let manifest: serde_json::Value = crate::support::manifest(&out);
    let outputs: Vec<&str> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    for f in [
        "township_scores.csv",
        "township_scores.parquet",
        "township_scores.gpkg",
        "scores_report.json",
    ] {
        assert!(outputs.contains(&f), "{f} not in the manifest");
    }

    // Truth: expected counts in the last data year (the as-of date is the day after the data).
    let as_of = manifest["as_of"].as_str().unwrap();
    let last = chrono_year_before(as_of);
    let truth = riskmap_io::read_records(&data.join("truth/intensity.parquet")).unwrap();
    let (tc, ty, tm, te) = (
        truth.column("code").unwrap(),
        truth.column("year").unwrap(),
        truth.column("measure").unwrap(),
        truth.column("expected").unwrap(),
    );
    let last: f64 = last.parse().unwrap();
    let mut expected: HashMap<(String, String), f64> = HashMap::new();
    for r in 0..truth.height() {
        if ty.number(r).unwrap() == Some(last) {
            *expected
                .entry((
                    tc.text(r).unwrap().into_owned(),
                    tm.text(r).unwrap().into_owned(),
                ))
                .or_default() += te.number(r).unwrap().unwrap();
        }
    }
    let codes: Vec<String> = col("code").iter().map(|c| c.clone().unwrap()).collect();
    let truth_of = |measures: &[&str]| -> Vec<f64> {
        codes
            .iter()
            .map(|c| {
                measures
                    .iter()
                    .map(|m| expected[&(c.clone(), (*m).to_owned())])
                    .sum()
            })
            .collect()
    };
    let got = Checked {
        stock: spearman(&num("stock"), &truth_of(&["incidents"])),
        natural: spearman(
            &num("natural"),
            &truth_of(&["forest_fires", "geohazard_events"]),
        ),
        fire: spearman(&num("fire"), &truth_of(&["fires"])),
    };
    eprintln!(
        "{preset} seed {seed} ({n} townships): Spearman stock {:.3}, natural {:.3}, fire {:.3}",
        got.stock, got.natural, got.fire
    );
    got
}

/// The year of the day before `YYYY-MM-DD`.
fn chrono_year_before(date: &str) -> String {
    let year: i32 = date[..4].parse().unwrap();
    if &date[5..] == "01-01" {
        (year - 1).to_string()
    } else {
        year.to_string()
    }
}

#[test]
fn county_dimensions_rank_townships_like_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    for seed in [1, 2, 3] {
        let c = check("county", seed, dir.path());
        // About 20 townships: one swapped pair moves rho by ~0.01.
        assert!(c.stock >= 0.6, "county {seed}: stock rho {}", c.stock);
        assert!(c.natural >= 0.8, "county {seed}: natural rho {}", c.natural);
        assert!(c.fire >= 0.65, "county {seed}: fire rho {}", c.fire);
    }
}

#[test]
fn province_dimensions_rank_townships_like_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let c = check("province", 1, dir.path());
    assert!(c.stock >= 0.85, "stock rho {}", c.stock);
    assert!(c.natural >= 0.85, "natural rho {}", c.natural);
    assert!(c.fire >= 0.8, "fire rho {}", c.fire);
}
