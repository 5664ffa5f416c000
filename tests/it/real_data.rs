//! Real data end to end: three public data sets that riskmap did not
//! generate, each run through the whole `riskmap run`, with riskmap's counts,
//! rates, empirical Bayes rates and global Moran's I checked against the
//! values their sources publish.
//!
//! The region folders and the reference tables are in `tests/data/real/`
//! (see its README: sources, licence, and `prepare.py`, which wrote them
//! from the libpysal 4.14.1 wheel). No Python runs here.
//!
//! Every published figure below names its source and its tolerance. Where a
//! figure is not published for riskmap's weights, the test says so and uses
//! esda 2.9.0 on the same polygons instead: the Moran's I values esda's own
//! documentation prints for SIDS (0.248) and St Louis (0.244) are computed on
//! the GAL files shipped with the data, which are rook contiguity (libpysal's
//! `Rook.from_shapefile` reproduces them exactly), while SPEC fixes riskmap's
//! weights as queen contiguity; the two differ by the counties that meet
//! only at a corner, which `pairs` below pins.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::support::{assert_counts_add_up, manifest, riskmap_ok};

/// Relative tolerance against esda: the same arithmetic in another order.
const REL_ESDA: f64 = 1e-9;

fn real(name: &str) -> PathBuf {
    crate::support::repo().join("tests/data/real").join(name)
}

fn close_rel(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * got.abs().max(want.abs())
}

/// How close a value must be to the reference's.
#[derive(Debug, Clone, Copy)]
enum Tolerance {
    Relative(f64),
    Absolute(f64),
}

impl Tolerance {
    fn holds(self, got: f64, want: f64) -> bool {
        match self {
            Tolerance::Relative(rel) => close_rel(got, want, rel),
            Tolerance::Absolute(abs) => (got - want).abs() <= abs,
        }
    }
}

/// One measure's rows of `spatial_stats.csv`, by township code.
struct Row {
    count: f64,
    exposure: Option<f64>,
    rate: Option<f64>,
    rate_eb: Option<f64>,
}

/// What one `riskmap run` on a real region wrote.
struct Run {
    rows: HashMap<String, Row>,
    global: serde_json::Value,
    manifest: serde_json::Value,
    _out: tempfile::TempDir,
}

/// Runs `riskmap run` on `tests/data/real/<name>` with `--as-of`, and reads
/// back the spatial statistics of `measure`.
fn run(name: &str, as_of: &str, measure: &str) -> Run {
    let out = tempfile::tempdir().unwrap();
    riskmap_ok("run", &real(name), out.path(), &["--as-of", as_of]);
    let stats = riskmap_io::read_records(&out.path().join("spatial_stats.csv")).unwrap();
    let col = |n: &str| {
        stats
            .text_column(n)
            .unwrap_or_else(|| panic!("spatial_stats.csv has no `{n}`"))
    };
    let (code, m) = (col("code"), col("measure"));
    let num = |n: &str| -> Vec<Option<f64>> {
        col(n)
            .into_iter()
            .map(|v| v.filter(|t| !t.is_empty()).map(|t| t.parse().unwrap()))
            .collect()
    };
    let (count, exposure, rate, rate_eb) =
        (num("count"), num("exposure"), num("rate"), num("rate_eb"));
    let mut rows = HashMap::new();
    for r in 0..stats.height() {
        if m[r].as_deref() != Some(measure) {
            continue;
        }
        let row = Row {
            count: count[r].unwrap(),
            exposure: exposure[r],
            rate: rate[r],
            rate_eb: rate_eb[r],
        };
        assert!(
            rows.insert(code[r].clone().unwrap(), row).is_none(),
            "one row per township"
        );
    }
    let global = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("global_stats.json")).unwrap(),
    )
    .unwrap();
    let manifest = manifest(out.path());
    assert_counts_add_up(&manifest, name);
    Run {
        rows,
        global,
        manifest,
        _out: out,
    }
}

impl Run {
    /// The manifest's entry for one source.
    fn input(&self, source: &str) -> &serde_json::Value {
        self.manifest["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["source"] == source)
            .unwrap_or_else(|| panic!("no {source} in the manifest"))
    }

    /// Asserts that all `n` rows of `source` were read and accepted.
    fn assert_all_accepted(&self, source: &str, n: u64) {
        let entry = self.input(source);
        assert_eq!(
            (entry["rows_read"].as_u64(), entry["accepted"].as_u64()),
            (Some(n), Some(n)),
            "every {source} row is accepted: {entry}"
        );
    }

    /// Per county of the reference `table`: the count equals its column
    /// `count`, the rate × `per` is within 5e-7 (half a unit in the sixth
    /// printed decimal) of its column `rate`, and the EB rate is within
    /// [`REL_ESDA`] of esda's (`rate_eb_esda`).
    fn assert_county_rates(
        &self,
        table: &[HashMap<String, String>],
        count: &str,
        rate: &str,
        per: f64,
    ) {
        for want in table {
            let got = &self.rows[&want["code"]];
            assert_eq!(got.count, f(want, count), "{} {count}", want["name"]);
            let r = got.rate.unwrap() * per;
            assert!(
                (r - f(want, rate)).abs() <= 5e-7 + 1e-12,
                "{}: rate {r} per {per}, published {rate} {}",
                want["name"],
                want[rate]
            );
            assert!(
                close_rel(got.rate_eb.unwrap(), f(want, "rate_eb_esda"), REL_ESDA),
                "{}: EB rate {:?}, esda {}",
                want["name"],
                got.rate_eb,
                want["rate_eb_esda"]
            );
        }
    }

    /// Asserts that `global_stats.json` has the Moran's I of `measure`
    /// computed on `variable`, with each of `want` (key, value, tolerance
    /// that `close` applies) as `reference` gives it.
    fn assert_moran(
        &self,
        measure: &str,
        variable: &str,
        want: &[(&str, f64, Tolerance)],
        reference: &str,
    ) {
        let entry = self.global["measures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["measure"] == measure)
            .unwrap_or_else(|| panic!("no {measure} in global_stats.json"));
        assert_eq!(entry["variable"], variable, "{measure}");
        for (key, want, tolerance) in want {
            let got = entry["moran"][key].as_f64().unwrap();
            assert!(
                tolerance.holds(got, *want),
                "{measure} Moran {key}: riskmap {got}, {reference} {want} ({tolerance:?})"
            );
        }
    }

    fn sum(&self, f: impl Fn(&Row) -> f64) -> f64 {
        self.rows.values().map(f).sum()
    }
}

/// A reference table of `tests/data/real/reference/`, as rows of text by column.
fn reference(name: &str) -> Vec<HashMap<String, String>> {
    let r = riskmap_io::read_records(&real("reference").join(format!("{name}.csv"))).unwrap();
    let columns: Vec<(String, Vec<Option<String>>)> = r
        .columns
        .iter()
        .map(|c| (c.clone(), r.text_column(c).unwrap()))
        .collect();
    (0..r.height())
        .map(|i| {
            columns
                .iter()
                .map(|(c, cells)| (c.clone(), cells[i].clone().unwrap_or_default()))
                .collect()
        })
        .collect()
}

fn f(row: &HashMap<String, String>, key: &str) -> f64 {
    row[key].parse().unwrap()
}

/// North Carolina sudden infant deaths, 1974–78, in the 100 counties
/// (Cressie 1993, *Statistics for Spatial Data*, pp. 386–389; the GeoDa
/// Center's `sids2`). The period is written as the year 1974 and described by
/// `--as-of 1975-01-01`; births are the population at risk.
#[test]
fn north_carolina_sids_counts_rates_and_moran() {
    let run = run("nc_sids", "1975-01-01", "sids");
    run.assert_all_accepted("area_counts", 100);
    assert_eq!(run.input("townships")["accepted"].as_u64(), Some(100));
    assert_eq!(run.rows.len(), 100);
    assert_eq!(run.global["year"], 1974);

    // Counts. Published: Cressie (1993, pp. 386–389) tabulates SID74 and
    // BIR74 county by county (checked one by one below against the table as
    // the GeoDa Center distributes it); the state totals are their sums, 667
    // deaths in 329,962 live births. Integers: exact.
    assert_eq!(run.sum(|r| r.count), 667.0);
    assert_eq!(run.sum(|r| r.exposure.unwrap()), 329_962.0);

    // Rates. Published: `SIDR74`, the SIDS death rate per 1,000 births that
    // the GeoDa Center's `sids2` data set (L. Anselin) adds to Cressie's
    // table, printed to 6 decimals, so riskmap's rate × 1000 must be within
    // 5e-7 (half a unit in the last printed place) of it, county by county.
    // Oracle for the EB rates: esda 2.9.0 `Empirical_Bayes` (Marshall's
    // global EB), relative 1e-9; no published EB rates exist for these data.
    let table = reference("nc_sids");
    assert_eq!(table.len(), 100);
    for want in &table {
        assert_eq!(
            run.rows[&want["code"]].exposure,
            Some(f(want, "bir74")),
            "{} BIR74",
            want["name"]
        );
    }
    run.assert_county_rates(&table, "sid74", "sidr74", 1000.0);

    // Moran's I of the EB rates (riskmap's default variable) under queen
    // weights, row-standardised. Oracle: esda 2.9.0 `Moran` on
    // `Queen.from_shapefile(sids2.shp)` and the EB rates above (prepare.py
    // prints these), relative 1e-9. Not published: esda's documented 0.248
    // is the raw SIDR74 on the rook `sids2.gal` (231 pairs, against the
    // polygons' 245 queen pairs).
    assert_eq!(run.global["weights"]["n"], 100);
    assert_eq!(
        run.global["weights"]["pairs"], 245,
        "queen pairs of the 100 counties (libpysal Queen: 245; rook: 231)"
    );
    assert_eq!(
        run.global["weights"]["islands"].as_array().unwrap().len(),
        0
    );
    let esda = Tolerance::Relative(REL_ESDA);
    run.assert_moran(
        "sids",
        "rate_eb",
        &[
            ("i", 0.25370416408330754, esda),
            ("expected", -0.010101010101010102, esda),
            ("z_normality", 4.045181129489365, esda),
            ("z_randomisation", 4.122170604186227, esda),
        ],
        "esda",
    );
}

/// Homicides in the 78 counties around St Louis, MO, 1979–84 (Messner et
/// al. 2000, *An Atlas of the Spatial Patterning of County-Level Homicide,
/// 1960–1990*; the GeoDa Center's `stl_hom`), written as the year 1979.
#[test]
fn st_louis_homicides_counts_rates_eb_rates_and_moran() {
    let run = run("stl_homicides", "1980-01-01", "homicides");
    run.assert_all_accepted("area_counts", 78);
    assert_eq!(run.rows.len(), 78);
    assert_eq!(run.global["year"], 1979);

    // Counts. Published: the atlas' county values HC7984 and PO7984
    // (checked one by one below); their sums are 2,668 homicides and
    // 26,063,770 population. Integers: exact.
    assert_eq!(run.sum(|r| r.count), 2668.0);
    assert_eq!(run.sum(|r| r.exposure.unwrap()), 26_063_770.0);

    // Rates. Published: `HR7984`, homicides per 100,000 in the atlas data,
    // printed to 6 decimals: riskmap's rate × 1e5 within 5e-7 of it.
    let table = reference("stl_homicides");
    assert_eq!(table.len(), 78);
    run.assert_county_rates(&table, "hc7984", "hr7984", 1e5);

    // EB rates. Published: esda's documentation of
    // `esda.smoothing.Empirical_Bayes` (the example on stl_hom.csv's
    // homicide and population columns for 1979–84, esda 2.9.0
    // `esda/smoothing.py`) prints Marshall's EB rates of the first ten
    // counties to 9 significant digits; riskmap must match each within half
    // a unit of the last printed digit (5e-14).
    for (code, name, want) in [
        ("17107", "Logan", 2.36718950e-05),
        ("17001", "Adams", 4.54539167e-05),
        ("17129", "Menard", 4.78114019e-05),
        ("17017", "Cass", 2.76907146e-05),
        ("17009", "Brown", 6.58989323e-05),
        ("17115", "Macon", 3.66494122e-05),
        ("17167", "Sangamon", 5.79952721e-05),
        ("29127", "Marion", 2.03064590e-05),
        ("17137", "Morgan", 3.31152999e-05),
        ("17149", "Pike", 3.02748380e-05),
    ] {
        let got = run.rows[code].rate_eb.unwrap();
        assert!(
            (got - want).abs() <= 5e-14,
            "{name} ({code}): EB rate {got:e}, esda documents {want:e}"
        );
    }

    // Moran's I of the EB rates, queen, row-standardised. Oracle: esda 2.9.0
    // `Moran` on `Queen.from_shapefile(stl_hom.shp)`, relative 1e-9. Not
    // published: esda's documented 0.244 is HR8893 on the rook `stl.gal`
    // (199 pairs, against 203 queen pairs).
    assert_eq!(
        run.global["weights"]["pairs"], 203,
        "queen pairs of the 78 counties (libpysal Queen: 203; rook: 199)"
    );
    let esda = Tolerance::Relative(REL_ESDA);
    run.assert_moran(
        "homicides",
        "rate_eb",
        &[
            ("i", 0.1525466443457623, esda),
            ("expected", -0.012987012987012988, esda),
            ("z_normality", 2.3755086132695666, esda),
            ("z_randomisation", 3.3894573111052617, esda),
        ],
        "esda",
    );
}

/// Crime in the 49 neighbourhoods of Columbus, OH, 1980 (Anselin 1988,
/// *Spatial Econometrics*, Table 12.1). `CRIME` is already a rate (per 1000
/// households) and the data set has no household counts, so it is the
/// measure's value with no population, and riskmap computes Moran's I on
/// the values as given (`variable` = `count`).
#[test]
fn columbus_crime_moran_matches_spdep() {
    let run = run("columbus", "1981-01-01", "crime_per_1000_households");
    run.assert_all_accepted("area_counts", 49);
    assert_eq!(run.rows.len(), 49);
    assert_eq!(run.global["year"], 1980);
    // Anselin's 49 values as shipped sum to 1721.312371 (6 decimals each).
    assert!((run.sum(|r| r.count) - 1721.312371).abs() < 1e-6);
    assert!(
        run.rows
            .values()
            .all(|r| r.exposure.is_none() && r.rate.is_none()),
        "no population, no rate"
    );

    // Published: R. Bivand, "R: Interoperability" (ECTQG 2019 workshop,
    // 5 September 2019; github.com/rsbivand/ectqg19-workshop,
    // sources/s4b_py.md): spdep `moran.test(CRIME, nb2listw(poly2nb(columbus),
    // style = "W"))`, i.e. queen contiguity (236 links), row-standardised,
    // under randomisation: I = 0.500188557, E[I] = -0.020833333,
    // Var[I] = 0.008689289, standard deviate 5.5894; esda's Moran on
    // libpysal's Queen weights gives I = 0.5001885571828611 there too.
    // Tolerance: half a unit in the last printed digit.
    assert_eq!(run.global["weights"]["pairs"], 118, "236 links / 2");
    let digit = Tolerance::Absolute;
    run.assert_moran(
        "crime_per_1000_households",
        "count",
        &[
            ("i", 0.500188557, digit(5e-10)),
            ("expected", -0.020833333, digit(5e-10)),
            ("variance_randomisation", 0.008689289, digit(5e-10)),
            ("z_randomisation", 5.5894, digit(5e-5)),
        ],
        "spdep (published)",
    );
}
