//! Every figure of riskmap-stats against PySAL (libpysal 4.14, esda 2.9)
//! and pymannkendall 1.4, on the Columbus crime data that libpysal ships and
//! on a synthetic grid with an island. The expected values and the polygons
//! were written by `benches/peers/stats_expected.py` into `tests/data/`.
//!
//! Tolerances: neighbour lists, quadrants and Mann–Kendall S are exact;
//! analytic figures (Moran's I and its moments, z and p, local Iᵢ, Gi* z,
//! EB rates, Mann–Kendall Var(S), z, p, τ) agree to 1e-9 relative (plus
//! 1e-12 absolute for values near zero). Permutation p-values depend on the
//! random draws (esda draws its shared table with numba's Mersenne Twister;
//! we check both our shared table and our per-township streams), so they
//! are compared statistically: with 9999
//! permutations on both sides each p has a standard error ≤ 0.005, and we
//! require |p_ours − p_esda| ≤ 0.03 (over 4 standard errors of the
//! difference) and equal LISA classes wherever esda's p is clear of the
//! 0.05 cut (below 0.03 or above 0.08).

use geo::{Coord, LineString, MultiPolygon, Polygon};
use riskmap_stats::getis_ord::gi_star;
use riskmap_stats::mann_kendall::mann_kendall;
use riskmap_stats::moran::{
    global_moran, local_moran_with_scheme, GlobalMoranOptions, LisaClass, LocalMoranOptions,
    PermutationScheme,
};
use riskmap_stats::rates::{empirical_bayes, spatial_empirical_bayes};
use riskmap_stats::weights::{queen_contiguity, QueenOptions, Weights};
use serde_json::Value;

const REL: f64 = 1e-9;
const ABS: f64 = 1e-12;

fn data(name: &str) -> Value {
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/data")
    .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn multipolygons(v: &Value) -> Vec<MultiPolygon<f64>> {
    let ring = |r: &Value| -> LineString<f64> {
        LineString(
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| Coord {
                    x: c[0].as_f64().unwrap(),
                    y: c[1].as_f64().unwrap(),
                })
                .collect(),
        )
    };
    v.as_array()
        .unwrap()
        .iter()
        .map(|mp| {
            MultiPolygon(
                mp.as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        let rings = p.as_array().unwrap();
                        Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
                    })
                    .collect(),
            )
        })
        .collect()
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= REL * got.abs().max(want.abs()) + ABS,
        "{what}: riskmap {got}, PySAL {want}"
    );
}

fn all_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        close(&format!("{what}[{i}]"), *g, *w);
    }
}

/// Checks one dataset's figures; returns the weights for further checks.
fn check_dataset(name: &str, shapes: &[MultiPolygon<f64>], exp: &Value) -> Weights {
    let w = queen_contiguity(shapes, &QueenOptions::default());
    let want_lists: Vec<Vec<usize>> = exp["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l.as_array()
                .unwrap()
                .iter()
                .map(|j| j.as_u64().unwrap() as usize)
                .collect()
        })
        .collect();
    assert_eq!(
        w.to_lists(),
        want_lists,
        "{name}: queen neighbours differ from libpysal"
    );
    let want_islands: Vec<usize> = exp["islands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(w.islands(), want_islands, "{name}: islands");

    let y = floats(&exp["y"]);
    let m = global_moran(&y, &w, &GlobalMoranOptions::analytic()).unwrap();
    let em = &exp["moran"];
    close("I", m.i, em["I"].as_f64().unwrap());
    close("EI", m.expected, em["EI"].as_f64().unwrap());
    close(
        "VI_norm",
        m.variance_normality,
        em["VI_norm"].as_f64().unwrap(),
    );
    close("z_norm", m.z_normality, em["z_norm"].as_f64().unwrap());
    close("p_norm", m.p_normality, em["p_norm"].as_f64().unwrap());
    close(
        "VI_rand",
        m.variance_randomisation,
        em["VI_rand"].as_f64().unwrap(),
    );
    close("z_rand", m.z_randomisation, em["z_rand"].as_f64().unwrap());
    close("p_rand", m.p_randomisation, em["p_rand"].as_f64().unwrap());

    let el = &exp["local_moran"];
    let perms = el["permutations"].as_u64().unwrap() as usize;
    for scheme in [
        PermutationScheme::SharedTable,
        PermutationScheme::PerTownship,
    ] {
        let lm = local_moran_with_scheme(
            &y,
            &w,
            &LocalMoranOptions {
                permutations: perms,
                seed: 7,
                ..Default::default()
            },
            scheme,
        )
        .unwrap();
        all_close(&format!("{name} local Is"), &lm.ii, &floats(&el["Is"]));
        let q: Vec<u64> = lm.quadrant.iter().map(|q| u64::from(q.esda_q())).collect();
        let want_q: Vec<u64> = el["q"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(q, want_q, "{name}: quadrants");
        let p_esda = floats(&el["p_sim"]);
        let labels: Vec<&str> = el["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut compared = 0;
        for i in 0..y.len() {
            if w.cardinality(i) == 0 {
                // Islands: a degenerate permutation distribution, p = 1 here and 1/(P+1) in esda (documented).
                assert_eq!(lm.p_sim[i], 1.0);
                continue;
            }
            assert!(
                (lm.p_sim[i] - p_esda[i]).abs() <= 0.03,
                "{name} {scheme:?} p_sim[{i}]: riskmap {}, esda {}",
                lm.p_sim[i],
                p_esda[i]
            );
            if !(0.03..=0.08).contains(&p_esda[i]) {
                let want = match labels[i] {
                    "High-High" => LisaClass::HH,
                    "Low-Low" => LisaClass::LL,
                    "High-Low" => LisaClass::HL,
                    "Low-High" => LisaClass::LH,
                    _ => LisaClass::NotSignificant,
                };
                assert_eq!(
                    lm.class[i], want,
                    "{name} {scheme:?} LISA class of {i} (esda p {})",
                    p_esda[i]
                );
                compared += 1;
            }
        }
        assert!(
            compared * 10 >= y.len() * 8,
            "{name}: too few classes compared ({compared})"
        );
    }

    let g = gi_star(&y, &w).unwrap();
    all_close(
        &format!("{name} Gi* G"),
        &g.g,
        &floats(&exp["gi_star"]["Gs"]),
    );
    all_close(
        &format!("{name} Gi* z"),
        &g.z,
        &floats(&exp["gi_star"]["Zs"]),
    );

    let (e, b) = (floats(&exp["counts"]), floats(&exp["exposure"]));
    assert!(
        exp["eb"]["r_var"].as_f64().unwrap() > 0.0,
        "{name}: the EB variance must be positive for esda's unclamped formula to be comparable"
    );
    all_close(
        &format!("{name} EB"),
        &empirical_bayes(&e, &b).unwrap(),
        &floats(&exp["eb"]["r"]),
    );
    all_close(
        &format!("{name} spatial EB"),
        &spatial_empirical_bayes(&e, &b, &w).unwrap(),
        &floats(&exp["spatial_eb"]),
    );
    w
}

#[test]
fn columbus_matches_pysal() {
    let exp = data("stats_expected.json");
    let shapes = multipolygons(&data("columbus_polygons.json"));
    assert_eq!(shapes.len(), 49);
    let w = check_dataset("columbus", &shapes, &exp["columbus"]);
    // Columbus's I has z ≈ 5.6: no random permutation reaches it, so the
    // permutation p is the smallest possible, 1/(P+1), as esda reports.
    let y = floats(&exp["columbus"]["y"]);
    let m = global_moran(&y, &w, &GlobalMoranOptions::default()).unwrap();
    assert_eq!(m.p_permutation, Some(1.0 / 1000.0));
}

#[test]
fn synthetic_grid_with_an_island_matches_pysal() {
    let exp = data("stats_expected.json");
    let syn = &exp["synthetic"];
    let shapes = multipolygons(&syn["polygons"]);
    let w = check_dataset("synthetic", &shapes, syn);
    assert_eq!(w.islands(), vec![42]);
}

#[test]
fn mann_kendall_matches_pymannkendall() {
    let exp = data("stats_expected.json");
    for case in exp["mann_kendall"].as_array().unwrap() {
        let x = floats(&case["x"]);
        let r = mann_kendall(&x).unwrap();
        assert_eq!(r.s, case["s"].as_f64().unwrap(), "S of {x:?}");
        close("MK Var(S)", r.var_s, case["var_s"].as_f64().unwrap());
        close("MK z", r.z, case["z"].as_f64().unwrap());
        close("MK p", r.p, case["p"].as_f64().unwrap());
        close("MK tau", r.tau, case["tau"].as_f64().unwrap());
    }
}
