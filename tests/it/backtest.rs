//! `riskmap backtest` and the forecast stage of `riskmap run`, end to end on
//! the demo county (a synthetic region with its truth): SPEC's columns,
//! row counts, the same bytes with one or two threads, external predictions
//! scored like internal ones, and the best model clearly beating naive.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn demo() -> PathBuf {
    crate::support::repo().join("datasets/demo")
}

fn riskmap(args: &[&str], out: &Path, threads: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_riskmap"));
    c.args(args).arg("--data").arg(demo()).arg("--out").arg(out);
    if let Some(t) = threads {
        c.env("RAYON_NUM_THREADS", t);
    }
    let o = c.output().expect("riskmap runs");
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The leaderboard as (model, measure) → column → value.
fn board(dir: &Path) -> (Vec<String>, HashMap<(String, String), HashMap<String, f64>>) {
    let text = std::fs::read_to_string(dir.join("leaderboard.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let mut rows = HashMap::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let values = header
            .iter()
            .zip(&f)
            .skip(2)
            .map(|(h, v)| (h.clone(), v.parse::<f64>().unwrap_or(f64::NAN)))
            .collect();
        rows.insert((f[0].to_owned(), f[1].to_owned()), values);
    }
    (header, rows)
}

#[test]
fn backtest_writes_spec_columns_deterministically() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    riskmap(&["backtest"], one.path(), Some("1"));
    riskmap(&["backtest"], two.path(), Some("2"));

    let (header, rows) = board(one.path());
    // The leaderboard chart: a PNG at print width and an SVG naming the models.
    let png = std::fs::read(one.path().join("leaderboard.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        2340,
        "PNG width"
    );
    let svg = std::fs::read_to_string(one.path().join("leaderboard.svg")).unwrap();
    assert!(
        svg.contains("<text") && svg.contains("spatial_eb") && svg.contains("预测模型滚动回测排行"),
        "the SVG has the models and the Chinese title as text"
    );
    let spec = [
        "model",
        "measure",
        "n",
        "mae",
        "rmse",
        "poisson_deviance",
        "crps",
        "coverage_80",
        "spearman",
        "hit_rate_top10pct",
        "seconds",
    ];
    assert_eq!(
        &header[..spec.len()],
        &spec[..],
        "SPEC's leaderboard columns first, in order"
    );
    let models: Vec<&str> = riskmap_forecast_names();
    let measures: Vec<String> = {
        let mut m: Vec<String> = rows
            .keys()
            .filter(|k| k.0 == "naive" && k.1 != "all")
            .map(|k| k.1.clone())
            .collect();
        m.sort();
        m
    };
    assert_eq!(measures.len(), 15, "{measures:?}");
    for m in &models {
        assert!(
            rows.contains_key(&(m.to_string(), "all".to_owned())),
            "no `all` row for {m}"
        );
    }

    let p = riskmap_io::read_table(&one.path().join("predictions.parquet")).unwrap();
    let cols: Vec<String> = p.get_column_names().iter().map(|c| c.to_string()).collect();
    let spec = [
        "model", "origin", "code", "measure", "year", "actual", "mean", "p10", "p50", "p90",
    ];
    assert_eq!(&cols[..spec.len()], &spec[..]);
    // 18 models (the oracle too: the truth covers every measure) on 15
    // measures, 5 origins, 17 townships.
    assert_eq!(p.height(), 18 * 15 * 5 * 17);
    assert_eq!(
        rows[&("oracle".to_owned(), "all".to_owned())]["n"],
        (15 * 5 * 17) as f64
    );

    // Same bytes whatever the thread count (seconds excepted).
    assert_eq!(
        std::fs::read(one.path().join("predictions.parquet")).unwrap(),
        std::fs::read(two.path().join("predictions.parquet")).unwrap()
    );
    let (_, rows2) = board(two.path());
    for (k, v) in &rows {
        for (c, x) in v {
            if c != "seconds" {
                let y = rows2[k][c];
                assert!(
                    x == &y || (x.is_nan() && y.is_nan()),
                    "{k:?} {c}: {x} vs {y}"
                );
            }
        }
    }

    // On this synthetic county the best model beats naive on CRPS by more
    // than 10% (measured: spatial EB / EB 0.672 against naive 0.841, −20%).
    let crps = |m: &str| rows[&(m.to_owned(), "all".to_owned())]["crps"];
    let best = models
        .iter()
        .filter(|m| **m != "oracle" && **m != "naive")
        .map(|m| crps(m))
        .fold(f64::INFINITY, f64::min);
    assert!(
        best < 0.9 * crps("naive"),
        "best {best} vs naive {}",
        crps("naive")
    );
    // Interval coverage of a calibrated model is near its nominal 80% or above.
    assert!(rows[&("eb".to_owned(), "all".to_owned())]["coverage_80"] > 0.75);

    // The pooled rows pool the same predictions for every model (the truth
    // covers every measure, so that is all of them), and the oracle, which
    // predicts the true intensity, is best there.
    for m in &models {
        let all = &rows[&(m.to_string(), "all".to_owned())];
        assert_eq!(all["n"], (15 * 5 * 17) as f64, "{m}");
        if *m != "oracle" {
            assert!(
                crps(m) > crps("oracle"),
                "{m}: {} vs oracle {}",
                crps(m),
                crps("oracle")
            );
        }
        // Calibration: nested intervals cover more, and the PIT histogram
        // is a distribution over ten bins.
        let (c50, c80, c95) = (all["coverage_50"], all["coverage_80"], all["coverage_95"]);
        assert!(
            c50 <= c80 && c80 <= c95 && c95 <= 1.0,
            "{m}: {c50} {c80} {c95}"
        );
        let pit: Vec<f64> = (1..=10).map(|j| all[&format!("pit_{j}")]).collect();
        assert!((pit.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{m}: {pit:?}");
    }
    // The oracle's predictive distribution is the generator's: its PIT is
    // flat to within sampling error (1,275 counts; measured 0.09-0.11).
    let oracle = &rows[&("oracle".to_owned(), "all".to_owned())];
    for j in 1..=10 {
        let b = oracle[&format!("pit_{j}")];
        assert!((0.06..0.14).contains(&b), "oracle pit_{j} = {b}");
    }
    let text = std::fs::read_to_string(one.path().join("leaderboard.csv")).unwrap();
    let pooled = text
        .lines()
        .find(|l| l.starts_with("oracle,all,"))
        .and_then(|l| l.rsplit(',').next())
        .unwrap();
    assert_eq!(pooled.split(';').count(), 15, "{pooled}");
}

/// Every built-in model, from the crate's own catalogue.
fn riskmap_forecast_names() -> Vec<&'static str> {
    riskmap_forecast::models::NAMES.to_vec()
}

/// `backtest` of naive and historic_mean at origins 2018–2020, with `ext`
/// (predictions made elsewhere) scored alongside when given.
fn two_models(ext: Option<&Path>, out: &Path) {
    let mut args = vec![
        "backtest",
        "--models",
        "naive,historic_mean",
        "--origins",
        "2018..2020",
    ];
    if let Some(ext) = ext {
        args.extend(["--external", ext.to_str().unwrap()]);
    }
    riskmap(&args, out, None);
}

#[test]
fn external_predictions_are_scored_on_the_same_footing() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    two_models(None, &first);
    // Re-submit historic_mean's predictions as an external model, in CSV.
    let p = riskmap_io::read_records(&first.join("predictions.parquet")).unwrap();
    let col = |n: &str| p.text_column(n).unwrap();
    let mut csv = String::from("model,origin,code,measure,year,mean,p10,p50,p90\n");
    for r in 0..p.height() {
        if col("model")[r].as_deref() == Some("historic_mean") {
            let cell = |n: &str| col(n)[r].clone().unwrap();
            csv += &format!(
                "python_mean,{},{},{},{},{},{},{},{}\n",
                cell("origin"),
                cell("code"),
                cell("measure"),
                cell("year"),
                cell("mean"),
                cell("p10"),
                cell("p50"),
                cell("p90")
            );
        }
    }
    let ext = dir.path().join("external.csv");
    std::fs::write(&ext, &csv).unwrap();
    let second = dir.path().join("second");
    two_models(Some(&ext), &second);
    let (_, rows) = board(&second);
    let ours = &rows[&("historic_mean".to_owned(), "all".to_owned())];
    let theirs = &rows[&("python_mean".to_owned(), "all".to_owned())];
    for c in [
        "mae",
        "rmse",
        "poisson_deviance",
        "coverage_80",
        "spearman",
        "hit_rate_top10pct",
        "pai",
        "n",
    ] {
        assert!(
            (ours[c] - theirs[c]).abs() < 1e-9,
            "{c}: {} vs {}",
            ours[c],
            theirs[c]
        );
    }
    // Without a size column the external CRPS is Poisson's: finite, and no
    // better than the calibrated NB on these over-dispersed counts.
    assert!(theirs["crps"].is_finite() && theirs["crps"] >= ours["crps"] - 1e-9);

    // An external model that predicted fires only: every model's pooled
    // row shrinks to fires, so that the pooled rows still compare like with
    // like, and equals its own fires row.
    let fires_only: String = csv
        .lines()
        .filter(|l| l.starts_with("model,") || l.split(',').nth(3) == Some("fires"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&ext, fires_only).unwrap();
    let third = dir.path().join("third");
    two_models(Some(&ext), &third);
    let (_, rows) = board(&third);
    for m in ["naive", "historic_mean", "python_mean"] {
        let all = &rows[&(m.to_owned(), "all".to_owned())];
        let fires = &rows[&(m.to_owned(), "fires".to_owned())];
        assert_eq!(all["n"], (3 * 17) as f64, "{m}");
        assert_eq!(all["crps"], fires["crps"], "{m}");
    }
    let text = std::fs::read_to_string(third.join("leaderboard.csv")).unwrap();
    assert!(
        text.lines()
            .filter(|l| l.contains(",all,"))
            .all(|l| l.ends_with(",fires")),
        "{text}"
    );

    // A row naming an unknown township is bad input (exit 1) naming the row and field.
    std::fs::write(
        &ext,
        "model,origin,code,measure,year,mean,p10,p50,p90\nx,2019,999999999999,fires,2020,1,0,1,2\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args(["backtest", "--models", "naive", "--external"])
        .arg(&ext)
        .arg("--data")
        .arg(demo())
        .arg("--out")
        .arg(dir.path().join("third"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&o.stderr);
    assert!(msg.contains("row 1") && msg.contains("`code`"), "{msg}");
}

#[test]
fn run_writes_forecast_csv_with_the_chosen_model() {
    let dir = tempfile::tempdir().unwrap();
    riskmap(&["run"], dir.path(), None);
    let f = riskmap_io::read_records(&dir.path().join("forecast.csv")).unwrap();
    let cols = f.columns.clone();
    assert_eq!(
        cols,
        ["code", "measure", "year", "mean", "p10", "p50", "p90", "model"]
    );
    assert_eq!(f.height(), 17 * 15);
    let num = |n: &str, r: usize| {
        f.text_column(n).unwrap()[r]
            .as_deref()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    for r in 0..f.height() {
        assert_eq!(
            num("year", r),
            2022.0,
            "the year after the last complete year"
        );
        assert!(num("p10", r) <= num("p50", r) && num("p50", r) <= num("p90", r));
        let model = f.text_column("model").unwrap()[r].clone().unwrap();
        assert!(
            model != "oracle" && riskmap_forecast_names().contains(&model.as_str()),
            "{model}"
        );
    }
}

/// `run` never reads `truth/` (only `riskmap backtest`'s oracle may): with
/// the demo's truth replaced by bytes that are no Parquet file, `run` still
/// succeeds and forecasts, while `backtest` refuses the damaged truth.
#[test]
fn run_never_reads_truth_and_backtest_does() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for e in std::fs::read_dir(demo()).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), data.join(e.file_name())).unwrap();
        }
    }
    std::fs::create_dir(data.join("truth")).unwrap();
    std::fs::write(data.join("truth/intensity.parquet"), b"not a parquet file").unwrap();
    let out = dir.path().join("out");
    crate::support::riskmap_ok("run", &data, &out, &[]);
    assert!(out.join("forecast.csv").is_file());
    let o = crate::support::riskmap!("backtest", "--data", &data, "--out", dir.path().join("bt"));
    assert_eq!(o.status.code(), Some(1), "{}", crate::support::text(&o));
    assert!(
        crate::support::text(&o).contains("intensity.parquet"),
        "{}",
        crate::support::text(&o)
    );
}
