//! Invariants of the synthetic regions: the tessellation, where points lie,
//! the seasons, the counts against the truth, the dirt, and determinism.

use std::collections::HashMap;
use std::sync::OnceLock;

use geo::{Area, Contains, Geometry, MultiPolygon, Point, Polygon, Validation};
use polars::prelude::*;
use riskmap_domain::Source;
use riskmap_synth::{generate, Preset, Region, SynthConfig};

const YEARS: (i32, i32) = (2015, 2021);

fn county() -> &'static Region {
    static R: OnceLock<Region> = OnceLock::new();
    R.get_or_init(|| {
        generate(&SynthConfig {
            preset: Preset::County,
            seed: 2021,
            years: YEARS,
            boundaries: Default::default(),
            emergent: Default::default(),
        })
        .unwrap()
    })
}

fn province() -> &'static Region {
    static R: OnceLock<Region> = OnceLock::new();
    R.get_or_init(|| {
        generate(&SynthConfig {
            preset: Preset::Province,
            seed: 7,
            years: YEARS,
            boundaries: Default::default(),
            emergent: Default::default(),
        })
        .unwrap()
    })
}

fn polygons(region: &Region) -> Vec<Polygon<f64>> {
    region
        .townships
        .geometries
        .iter()
        .map(|g| match g {
            Geometry::Polygon(p) => p.clone(),
            other => panic!("township is not a polygon: {other:?}"),
        })
        .collect()
}

fn codes(region: &Region) -> Vec<String> {
    let c = region
        .townships
        .attributes
        .column("code")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    c.iter().map(|s| s.unwrap().to_owned()).collect()
}

fn table(region: &Region, source: Source) -> &DataFrame {
    &region
        .tables
        .iter()
        .find(|(s, _)| *s == source)
        .unwrap_or_else(|| panic!("no {source}"))
        .1
}

fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name)
        .unwrap()
        .cast(&DataType::String)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.map(str::to_owned))
        .collect()
}

fn floats(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name)
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect()
}

fn check_tessellation(region: &Region, expected: std::ops::RangeInclusive<usize>) {
    let polys = polygons(region);
    assert!(expected.contains(&polys.len()), "{} townships", polys.len());
    for (p, code) in polys.iter().zip(codes(region)) {
        assert!(p.is_valid(), "township {code} is not a valid polygon");
        assert!(
            p.exterior().0.len() >= 100,
            "township {code} has only {} vertices",
            p.exterior().0.len()
        );
        assert_eq!(code.len(), 12, "{code}");
    }
    let total: f64 = polys.iter().map(|p| p.unsigned_area()).sum();
    let union: MultiPolygon<f64> = geo::unary_union(polys.iter());
    // Shared borders are bit-identical, so the union loses no area to
    // overlaps (area would shrink) and has no holes (gaps would show as holes).
    assert_eq!(
        union.0.len(),
        1,
        "the region falls into {} pieces",
        union.0.len()
    );
    assert!(
        union.0[0].interiors().is_empty(),
        "the union has {} holes: gaps between townships",
        union.0[0].interiors().len()
    );
    let rel = (union.unsigned_area() - total).abs() / total;
    assert!(
        rel < 1e-9,
        "union area differs from the sum of areas by {rel:e}: townships overlap"
    );
}

#[test]
fn county_tessellation_covers_the_region_without_gaps_or_overlaps() {
    check_tessellation(county(), 12..=26);
}

#[test]
fn province_tessellation_covers_the_region_without_gaps_or_overlaps() {
    check_tessellation(province(), 1100..=1500);
}

#[test]
fn codes_are_unique_and_sorted_and_names_are_chinese() {
    for region in [county(), province()] {
        let c = codes(region);
        assert!(
            c.windows(2).all(|w| w[0] < w[1]),
            "codes not strictly increasing"
        );
        let names = strs(&region.townships.attributes, "name");
        assert!(names.iter().all(|n| n
            .as_deref()
            .is_some_and(|n| n.ends_with('镇') || n.ends_with('乡') || n.ends_with("街道"))));
    }
    let pop: f64 = floats(&county().townships.attributes, "population")
        .iter()
        .map(|p| p.unwrap())
        .sum();
    assert!(
        (550_000.0..650_000.0).contains(&pop),
        "county population {pop}"
    );
}

/// Every row of every point source lies in the township it was generated in,
/// unless it was dirtied on purpose; swapped and outside points lie in none.
#[test]
fn every_clean_point_lies_in_its_township_and_dirty_ones_do_not() {
    for region in [county(), province()] {
        let polys = polygons(region);
        let index: HashMap<String, usize> = codes(region)
            .into_iter()
            .enumerate()
            .map(|(i, c)| (c, i))
            .collect();
        let origins = &region.truth.origins;
        let (o_source, o_code, o_dirt) = (
            strs(origins, "source"),
            strs(origins, "code"),
            strs(origins, "dirt"),
        );
        let mut offset = 0;
        let mut checked = 0;
        for (source, df) in &region.tables {
            if *source == Source::Population {
                continue;
            }
            let (lon, lat) = (floats(df, "lon"), floats(df, "lat"));
            for r in 0..df.height() {
                let o = offset + r;
                assert_eq!(o_source[o].as_deref(), Some(source.stem()));
                let town = index[o_code[o].as_deref().unwrap()];
                let dirt = o_dirt[o].as_deref().unwrap_or("");
                let (Some(x), Some(y)) = (lon[r], lat[r]) else {
                    assert_eq!(
                        dirt,
                        "missing_field",
                        "{source} row {}: no coordinates but no dirt",
                        r + 1
                    );
                    continue;
                };
                let p = Point::new(x, y);
                match dirt {
                    "swapped_lonlat" | "outside" => {
                        assert!(
                            !polys.iter().any(|poly| poly.contains(&p)),
                            "{source} row {}: {dirt} point inside a township",
                            r + 1
                        )
                    }
                    _ => assert!(
                        polys[town].contains(&p),
                        "{source} row {}: ({x}, {y}) not in its township",
                        r + 1
                    ),
                }
                checked += 1;
            }
            offset += df.height();
        }
        assert_eq!(
            offset,
            origins.height(),
            "origins must cover every point row"
        );
        assert!(checked > 10_000, "only {checked} points checked");
    }
}

fn monthly_truth(region: &Region, measure: &str) -> [f64; 12] {
    let t = &region.truth.intensity;
    let (m, month, e) = (
        strs(t, "measure"),
        t.column("month").unwrap().i32().unwrap(),
        floats(t, "expected"),
    );
    let mut out = [0.0; 12];
    for i in 0..t.height() {
        if m[i].as_deref() == Some(measure) {
            out[month.get(i).unwrap() as usize - 1] += e[i].unwrap();
        }
    }
    out
}

fn monthly_observed(region: &Region, source: Source) -> [f64; 12] {
    let mut out = [0.0; 12];
    for d in strs(table(region, source), "occurred_at")
        .into_iter()
        .flatten()
    {
        if let Some(m) = d
            .get(5..7)
            .and_then(|m| m.parse::<usize>().ok())
            .filter(|m| (1..=12).contains(m))
        {
            out[m - 1] += 1.0;
        }
    }
    out
}

#[test]
fn seasonal_peaks_fall_where_they_should() {
    let region = province();
    let argmax = |v: &[f64; 12]| (0..12).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap() + 1;
    let share = |v: &[f64; 12], months: &[usize]| {
        months.iter().map(|m| v[m - 1]).sum::<f64>() / v.iter().sum::<f64>()
    };
    for v in [
        monthly_truth(region, "forest_fires"),
        monthly_observed(region, Source::ForestFires),
    ] {
        assert_eq!(
            argmax(&v),
            4,
            "forest fires should peak at Qingming (April): {v:?}"
        );
    }
    for v in [
        monthly_truth(region, "geohazard_events"),
        monthly_observed(region, Source::GeohazardEvents),
    ] {
        let s = share(&v, &[6, 7, 8, 9]);
        assert!(
            s > 0.55,
            "geohazards in plum-rain and typhoon months: {s:.2} of the year"
        );
    }
    for v in [
        monthly_truth(region, "fires"),
        monthly_observed(region, Source::Fires),
    ] {
        assert!(
            share(&v, &[12, 1, 2]) > 1.3 * share(&v, &[6, 7, 8]),
            "fires should peak in winter: {v:?}"
        );
    }
}

/// The truth summed over months: (measure, code, year) → expected count,
/// for the data years and the measures `keep` accepts.
fn yearly_truth(
    region: &Region,
    keep: impl Fn(&str) -> bool,
) -> HashMap<(String, String, i32), f64> {
    let t = &region.truth.intensity;
    let (code, year, measure, e) = (
        strs(t, "code"),
        t.column("year").unwrap().i32().unwrap(),
        strs(t, "measure"),
        floats(t, "expected"),
    );
    let mut annual = HashMap::new();
    for i in 0..t.height() {
        let (y, m) = (year.get(i).unwrap(), measure[i].as_deref().unwrap());
        if y <= YEARS.1 && keep(m) {
            *annual
                .entry((m.to_owned(), code[i].clone().unwrap(), y))
                .or_default() += e[i].unwrap();
        }
    }
    annual
}

/// Observed totals per measure against the truth, with the variance of the
/// generator's negative binomial (Poisson with a gamma multiplier per
/// township and year): Var = Σ λ + λ² / shape over township-years.
#[test]
fn event_counts_match_the_truth_within_sampling_error() {
    let region = province();
    let params = &region.truth.params["measures"];
    let annual = yearly_truth(region, |_| true);
    // Duplicated rows are extra copies of an event; other dirt keeps it.
    let d = &region.truth.dirt;
    let duplicated: std::collections::HashSet<(String, i64)> = strs(d, "source")
        .into_iter()
        .zip(d.column("row").unwrap().i64().unwrap().iter())
        .zip(strs(d, "kind"))
        .filter(|(_, k)| k.as_deref() == Some("duplicate_id"))
        .map(|((s, r), _)| (s.unwrap(), r.unwrap()))
        .collect();
    let mut observed: HashMap<String, f64> = HashMap::new();
    for source in [
        Source::Incidents,
        Source::Fires,
        Source::ForestFires,
        Source::GeohazardEvents,
    ] {
        let df = table(region, source);
        let cats = if source == Source::Incidents {
            strs(df, "category")
        } else {
            vec![None; df.height()]
        };
        for (r, cat) in cats.into_iter().enumerate() {
            if duplicated.contains(&(source.stem().to_owned(), r as i64 + 1)) {
                continue;
            }
            let name = match &cat {
                Some(c) => format!("incidents:{c}"),
                None => source.stem().to_owned(),
            };
            *observed.entry(name).or_default() += 1.0;
        }
    }
    let mut checked = 0;
    for spec in params.as_array().unwrap() {
        let name = spec["name"].as_str().unwrap();
        let shape = spec["dispersion"].as_f64().unwrap();
        let (mut mean, mut var) = (0.0, 0.0);
        for ((m, _, _), lambda) in &annual {
            if m == name {
                mean += lambda;
                var += lambda + lambda * lambda / shape;
            }
        }
        let obs = observed.get(name).copied().unwrap_or(0.0);
        if mean < 30.0 {
            continue;
        }
        let z = (obs - mean) / var.sqrt();
        // Incident categories can be dirtied (unknown_category, missing):
        // allow for the 1% of rows that lose their category.
        let slack = if name.starts_with("incidents:") {
            0.02 * mean
        } else {
            0.0
        };
        assert!(
            (obs - mean).abs() <= 4.0 * var.sqrt() + slack,
            "{name}: observed {obs}, expected {mean:.1} (z = {z:.2})"
        );
        checked += 1;
    }
    assert!(
        checked >= 6,
        "only {checked} measures large enough to check"
    );
}

/// Each geohazard type's observed events against its truth
/// (`geohazard_events:<type>`, the total times the township's type share):
/// a type's count is the negative binomial thinned, Var = Σ λ + λ² / shape.
#[test]
fn geohazard_types_match_their_truth_within_sampling_error() {
    let region = province();
    let shape = region.truth.params["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "geohazard_events")
        .unwrap()["dispersion"]
        .as_f64()
        .unwrap();
    let annual = yearly_truth(region, |m| m.starts_with("geohazard_events"));
    let mut observed: HashMap<String, f64> = HashMap::new();
    for kind in strs(table(region, Source::GeohazardEvents), "type")
        .into_iter()
        .flatten()
    {
        *observed
            .entry(format!("geohazard_events:{kind}"))
            .or_default() += 1.0;
    }
    let total = |name: &str| -> (f64, f64) {
        annual
            .iter()
            .filter(|((m, _, _), _)| m == name)
            .fold((0.0, 0.0), |(s, v), (_, l)| (s + l, v + l + l * l / shape))
    };
    let (all, _) = total("geohazard_events");
    let mut parts = 0.0;
    for kind in riskmap_domain::GeohazardType::ALL {
        let name = format!("geohazard_events:{}", kind.key());
        let (mean, var) = total(&name);
        parts += mean;
        assert!(mean > 0.0, "no truth for {name}");
        // Dirt blanks or garbles about 1% of types: allow 2% of the mean.
        let obs = observed.get(&name).copied().unwrap_or(0.0);
        assert!(
            (obs - mean).abs() <= 4.0 * var.sqrt() + 0.02 * mean,
            "{name}: observed {obs}, expected {mean:.1}"
        );
    }
    assert!(
        (parts - all).abs() < 1e-6 * all,
        "the types add up to the total: {parts} vs {all}"
    );
}

#[test]
fn dirt_is_a_few_percent_and_every_kind_occurs() {
    let region = province();
    let d = &region.truth.dirt;
    let kinds: std::collections::HashSet<String> = strs(d, "kind").into_iter().flatten().collect();
    for k in riskmap_synth::dirt::Dirt::ALL {
        assert!(kinds.contains(k.key()), "no {} dirt", k.key());
    }
    for source in [Source::Incidents, Source::Fires, Source::HiddenHazards] {
        let n = table(region, source).height() as f64;
        let dirty = strs(d, "source")
            .iter()
            .filter(|s| s.as_deref() == Some(source.stem()))
            .count() as f64;
        let share = dirty / n;
        assert!(
            (0.01..0.06).contains(&share),
            "{source}: {:.1}% dirty",
            100.0 * share
        );
    }
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let cfg = SynthConfig {
        preset: Preset::County,
        seed: 99,
        years: (2019, 2021),
        boundaries: Default::default(),
        emergent: Default::default(),
    };
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| generate(&cfg).unwrap())
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a.townships.geometries, b.townships.geometries);
    assert!(a
        .townships
        .attributes
        .equals_missing(&b.townships.attributes));
    for ((sa, da), (sb, db)) in a.tables.iter().zip(&b.tables) {
        assert_eq!(sa, sb);
        assert!(
            da.equals_missing(db),
            "{sa} differs between 1 and 2 threads"
        );
    }
    for ((_, ra), (_, rb)) in a.rasters.iter().zip(&b.rasters) {
        assert_eq!(ra, rb);
    }
    assert!(a.truth.intensity.equals_missing(&b.truth.intensity));
    assert!(a.truth.origins.equals_missing(&b.truth.origins));
    // A different seed gives a different region.
    let c = generate(&SynthConfig { seed: 100, ..cfg }).unwrap();
    assert_ne!(a.townships.geometries, c.townships.geometries);
}
