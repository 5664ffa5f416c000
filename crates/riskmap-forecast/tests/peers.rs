//! Models and metrics against other tools' values on committed fixtures
//! written by `benches/peers/forecast_expected.py`:
//!
//! - statsforecast 2.1 (`Naive`, `HistoricAverage`, `WindowAverage(3)`,
//!   `SimpleExponentialSmoothingOptimized`, `CrostonClassic`, `CrostonSBA`,
//!   `TSB(0.1, 0.1)`, `ADIDA`) via `cross_validation` on the seeded panel
//!   `forecast_panel_monthly.csv` (14 series, 2015–2021, monthly), three
//!   origins. Tolerance: relative 1e-9 (the algorithms are the same; only
//!   summation order differs).
//! - scipy 1.17 (`poisson`, `nbinom` cdf sums and `ppf`; `spearmanr`;
//!   `xlogy` for the deviance) and properscoring 0.1 (`crps_ensemble`):
//!   absolute 1e-9 for CRPS and the deviance, exact for quantiles.

use std::collections::BTreeMap;

use riskmap_forecast::models::by_name;
use riskmap_forecast::{metrics, Panel, Predictive};

fn fixture(name: &str) -> String {
    let p = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/fixtures")
    .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn panel() -> Panel {
    let mut monthly: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for line in fixture("forecast_panel_monthly.csv").lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        monthly
            .entry(f[0].parse().unwrap())
            .or_default()
            .push(f[3].parse().unwrap());
    }
    let monthly: Vec<Vec<f64>> = monthly.into_values().collect();
    let yearly = monthly
        .iter()
        .map(|m| m.chunks(12).map(|c| c.iter().sum()).collect())
        .collect();
    let mut p = Panel::from_counts(2015, yearly);
    p.monthly = Some(monthly);
    p.check().unwrap();
    p
}

#[test]
fn models_match_statsforecast() {
    let p = panel();
    let mut checked = BTreeMap::new();
    let expected = fixture("forecast_statsforecast.csv");
    for line in expected.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (model, series, origin, want): (&str, usize, i32, f64) = (
            f[0],
            f[1].parse().unwrap(),
            f[2].parse().unwrap(),
            f[3].parse().unwrap(),
        );
        let h = p.history((origin - 2015 + 1) as usize);
        let got = by_name(model).unwrap().forecast(&h)[series].mean();
        let tol = 1e-9 * want.abs().max(1.0);
        assert!(
            (got - want).abs() <= tol,
            "{model} series {series} origin {origin}: riskmap {got}, statsforecast {want}"
        );
        *checked.entry(model).or_insert(0) += 1;
    }
    assert_eq!(checked.len(), 8, "{checked:?}");
    assert!(checked.values().all(|n| *n == 14 * 3), "{checked:?}");
}

#[test]
fn metrics_match_scipy_and_properscoring() {
    let m: serde_json::Value = serde_json::from_str(&fixture("forecast_metrics.json")).unwrap();
    let v = |x: &serde_json::Value| {
        x.as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect::<Vec<f64>>()
    };
    let (y, mu) = (v(&m["y"]), v(&m["mu"]));
    assert!(
        (metrics::poisson_deviance(&y, &mu) - m["poisson_deviance"].as_f64().unwrap()).abs() < 1e-9
    );
    assert!((metrics::spearman(&mu, &y) - m["spearman"].as_f64().unwrap()).abs() < 1e-12);
    for c in m["crps"].as_array().unwrap() {
        let d = Predictive::count(c["mean"].as_f64().unwrap(), c["size"].as_f64());
        let obs = c["y"].as_f64().unwrap();
        let s = d.summary(Some(obs));
        assert!(
            (s.crps - c["crps"].as_f64().unwrap()).abs() < 1e-9,
            "{c}: riskmap {}",
            s.crps
        );
        assert_eq!(
            (s.p10, s.p50, s.p90),
            (
                c["p10"].as_f64().unwrap(),
                c["p50"].as_f64().unwrap(),
                c["p90"].as_f64().unwrap()
            ),
            "{c}"
        );
    }
    // An ensemble of integer draws is an empirical pmf.
    let members = v(&m["ensemble"]["members"]);
    let top = members.iter().cloned().fold(0.0, f64::max) as usize;
    let mut pmf = vec![0.0; top + 1];
    for x in &members {
        pmf[*x as usize] += 1.0 / members.len() as f64;
    }
    let d = Predictive::Pmf(pmf);
    for c in m["ensemble"]["cases"].as_array().unwrap() {
        let got = d.crps(c["y"].as_f64().unwrap());
        assert!(
            (got - c["crps"].as_f64().unwrap()).abs() < 1e-12,
            "{c}: riskmap {got}"
        );
    }
}
