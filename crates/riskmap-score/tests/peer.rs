//! Numbers another tool computes, checked against its values on the fixed
//! datasets of `benches/peers/score_peer.py` (committed as
//! `tests/peer_values.json`): skewness against scipy.stats.skew (bias=True),
//! quantiles against numpy.quantile (linear), and Marshall's global EB rates
//! against PySAL esda's `Empirical_Bayes`. Tolerance: 1e-9 relative.

use riskmap_score::eb::marshall_global;
use riskmap_score::transform::{quantile, skewness};

fn peer() -> serde_json::Value {
    serde_json::from_str(include_str!("peer_values.json")).unwrap()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn skewness_and_quantiles_match_scipy_and_numpy() {
    let p = peer();
    let x = floats(&p["ladder"]);
    assert!(close(skewness(&x), p["ladder_skewness"].as_f64().unwrap()));
    for (q, v) in p["ladder_quantiles"].as_object().unwrap() {
        let q: f64 = q.parse().unwrap();
        assert!(close(quantile(&x, q), v.as_f64().unwrap()), "quantile {q}");
    }
}

#[test]
fn eb_rates_match_pysal_esda() {
    let p = peer();
    let (y, n, expected) = (
        floats(&p["eb_counts"]),
        floats(&p["eb_exposure"]),
        floats(&p["eb_rates"]),
    );
    let got = marshall_global(&y, &n).unwrap();
    assert_eq!(got.len(), expected.len());
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert!(close(*g, *e), "township {i}: {g} vs esda {e}");
    }
}
