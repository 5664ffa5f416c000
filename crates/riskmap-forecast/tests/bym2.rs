//! The BYM2 model against an independent implementation in numpy and scipy
//! (`benches/peers/bym2_expected.py`, fixture `tests/fixtures/bym2_expected.json`):
//! 7 townships (a 2 × 3 grid with queen contiguity and an island), 5 years,
//! exposure and a covariate. At fixed (σ, φ, θ), three cases (NB and
//! Poisson, spatial shares 0, 0.4, 0.9), riskmap's mode of every fixed and
//! random effect and its Laplace evidence equal scipy's trust-exact mode and
//! numpy's evidence. Tolerance: absolute 1e-6 on the mode (both stop at a
//! step or gradient below 1e-7) and 1e-6 on the evidence.

use riskmap_forecast::models::bym2;
use riskmap_forecast::models::Bym2;
use riskmap_forecast::{Forecaster, Panel};
use serde_json::Value;

fn fixture() -> Value {
    let p = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/fixtures/bym2_expected.json");
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn rows(v: &Value) -> Vec<Vec<f64>> {
    serde_json::from_value(v.clone()).unwrap()
}

fn panel(f: &Value) -> Panel {
    let mut p = Panel::from_counts(f["first_year"].as_i64().unwrap() as i32, rows(&f["counts"]));
    p.exposure = Some(rows(&f["exposure"]));
    let covariate: Vec<f64> = serde_json::from_value(f["covariate"].clone()).unwrap();
    p.covariates = covariate.into_iter().map(|x| vec![x]).collect();
    p.neighbours = serde_json::from_value(f["neighbours"].clone()).unwrap();
    p.check().unwrap();
    p
}

#[test]
fn the_mode_and_evidence_equal_an_independent_implementation() {
    let f = fixture();
    let p = panel(&f);
    let h = p.history(p.years.len());
    let d = bym2::Data::of(&h);
    let g = bym2::graph(h.neighbours(), h.n());
    for case in f["cases"].as_array().unwrap() {
        let (sigma, phi) = (
            case["sigma"].as_f64().unwrap(),
            case["phi"].as_f64().unwrap(),
        );
        let size = case["size"].as_f64().unwrap_or(f64::INFINITY);
        let fit = bym2::fit_at(&d, &g, sigma, phi, size);
        let want: Vec<f64> = serde_json::from_value(case["mode"].clone()).unwrap();
        assert_eq!(fit.z.len(), want.len());
        for (k, (a, b)) in fit.z.iter().zip(&want).enumerate() {
            assert!(
                (a - b).abs() < 1e-6,
                "σ={sigma} φ={phi} θ={size}: z[{k}] {a} vs {b}"
            );
        }
        let e = case["evidence"].as_f64().unwrap();
        assert!(
            (fit.evidence - e).abs() < 1e-6,
            "σ={sigma} φ={phi} θ={size}: evidence {} vs {e}",
            fit.evidence
        );
    }
}

#[test]
fn the_fitted_model_forecasts_every_township_with_a_finite_distribution() {
    let f = fixture();
    let p = panel(&f);
    let h = p.history(4);
    let d = bym2::Data::of(&h);
    let fit = bym2::fit(&d, &bym2::graph(h.neighbours(), h.n()));
    // The estimates are inside their search ranges and the size is a size.
    assert!(fit.sigma > 0.0 && fit.sigma < 4.5, "{}", fit.sigma);
    assert!(bym2::PHIS.contains(&fit.phi));
    assert!(fit.size > 0.0);
    let forecasts = Bym2.forecast(&h);
    assert_eq!(forecasts.len(), h.n());
    for (i, pred) in forecasts.iter().enumerate() {
        let s = pred.summary(Some(p.counts[i][4]));
        assert!(s.mean.is_finite() && s.mean > 0.0, "{i}: {s:?}");
        assert!(
            s.p10 <= s.p50 && s.p50 <= s.p90 && s.crps.is_finite(),
            "{i}: {s:?}"
        );
        // Within a factor of 3 of the township's own mean rate times next year's exposure.
        let e = p.exposure.as_ref().unwrap()[i][4];
        let own: f64 = (0..4).map(|s| p.counts[i][s]).sum::<f64>()
            / (0..4)
                .map(|s| p.exposure.as_ref().unwrap()[i][s])
                .sum::<f64>();
        assert!(
            s.mean > own * e / 3.0 && s.mean < own * e * 3.0,
            "{i}: {} vs {}",
            s.mean,
            own * e
        );
    }
}

#[test]
fn a_region_above_the_dense_limit_gets_no_forecast() {
    let n = bym2::MAX_TOWNSHIPS + 1;
    let p = Panel::from_counts(2016, vec![vec![1.0, 2.0]; n]);
    assert!(Bym2.forecast(&p.history(2)).is_empty());
}
