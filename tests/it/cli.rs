//! End-to-end tests of the real binary on small regions, in temp folders.

use std::process::Command;

use crate::support::{manifest, riskmap, synth_into, text};

#[test]
fn synth_writes_every_source_and_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let out = riskmap!(
        "synth",
        "--preset",
        "county",
        "--seed",
        "5",
        "--years",
        "2019..2021",
        "--out",
        dir.path()
    );
    assert!(out.status.success(), "{}", text(&out));
    for f in [
        "townships.gpkg",
        "population.csv",
        "incidents.csv",
        "fires.csv",
        "forest_fires.csv",
        "geohazard_events.csv",
        "geohazard_sites.csv",
        "hidden_hazards.csv",
        "enterprises.csv",
        "communities.csv",
        "shelters.csv",
        "fire_stations.csv",
        "pipelines.gpkg",
        "scenic_areas.gpkg",
        "dem.tif",
        "forest_cover.tif",
        "truth/intensity.parquet",
        "truth/origins.csv",
        "truth/dirt.csv",
        "truth/params.json",
    ] {
        let meta = std::fs::metadata(dir.path().join(f)).unwrap_or_else(|_| panic!("{f} missing"));
        assert!(meta.len() > 0, "{f} is empty");
    }
    // The truth runs one year past the data, for every township and month.
    let intensity = riskmap_io::read_table(&dir.path().join("truth/intensity.parquet")).unwrap();
    let years: Vec<i32> = intensity
        .column("year")
        .unwrap()
        .i32()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(
        (years.iter().min(), years.iter().max()),
        (Some(&2019), Some(&2022))
    );
    let townships = riskmap_io::read_vector(&dir.path().join("townships.gpkg")).unwrap();
    let n = townships.geometries.len();
    assert_eq!(
        intensity.height(),
        n * 4 * 12 * 15,
        "townships x years x months x measures (the panel's 15: incidents and its 7 \
         categories, fires, forest fires, geohazard events and its 4 types)"
    );
    assert_eq!(townships.crs, riskmap_domain::Crs::Epsg(4326));
}

#[test]
fn synth_with_impossible_years_fails_before_touching_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("region");
    let o = riskmap!("synth", "--years", "2021..2019", "--out", &out);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("years 2021..2019"), "{}", text(&o));
    assert!(!out.exists(), "the output folder was created");
}

#[test]
fn synth_written_piece_by_piece_equals_the_region_generated_whole() {
    // A province has more townships than one block of the intensity table,
    // and its origins come in one piece per point source.
    let dir = tempfile::tempdir().unwrap();
    synth_into(dir.path(), "province", 3, &["--years", "2020..2021"]);
    let whole = riskmap_synth::generate(&riskmap_synth::SynthConfig {
        preset: riskmap_synth::Preset::Province,
        seed: 3,
        years: (2020, 2021),
        boundaries: Default::default(),
        emergent: Default::default(),
    })
    .unwrap();
    assert!(whole.townships.geometries.len() > 1024);
    let read = |f: &str| riskmap_io::read_table(&dir.path().join(f)).unwrap();
    assert_eq!(read("truth/intensity.parquet"), whole.truth.intensity);
    assert_eq!(read("truth/origins.parquet"), whole.truth.origins);
    let sources: Vec<_> = whole.tables.iter().map(|(s, _)| s.stem()).collect();
    assert_eq!(sources[0], "population", "{sources:?}");
    assert_eq!(whole.tables.len(), 11, "{sources:?}");
    for (source, df) in &whole.tables {
        if *source != riskmap_domain::Source::Population {
            assert_eq!(
                &read(&format!("{}.parquet", source.stem())),
                df,
                "{source:?}"
            );
        }
    }
}

#[test]
fn demo_runs_every_stage_and_prints_where_the_report_is() {
    let dir = tempfile::tempdir().unwrap();
    let out = riskmap!("demo", "--out", dir.path());
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(
        !t.contains("not built yet") && t.contains("report.html"),
        "{t}"
    );
    let m = manifest(dir.path());
    assert_eq!(
        m["not_built"],
        serde_json::json!([]),
        "every stage of the nightly job runs"
    );
    let inputs = m["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 16, "every source but area_counts");
    let townships = inputs.iter().find(|i| i["source"] == "townships").unwrap();
    assert!(townships["rows_read"].as_u64().unwrap() >= 12);
    assert_eq!(townships["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(m["missing"], serde_json::json!(["area_counts"]));
    // The demo ends with the report (tests/report_run.rs checks its contents).
    assert!(t.contains("report.html"), "{t}");
    assert!(dir.path().join("report.html").is_file());
    // Nothing is left in staging (the lock file stays; it is only held while a run writes).
    assert!(std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .all(|e| e.file_name() == ".riskmap.lock"
            || !e.file_name().to_string_lossy().starts_with(".riskmap")));
    assert!(std::fs::read_dir(dir.path().join(".runs"))
        .unwrap()
        .flatten()
        .all(|e| !e.file_name().to_string_lossy().ends_with(".partial")));
}

#[test]
fn bad_input_exits_1_with_a_message_naming_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = riskmap!("run", "--data", &empty, "--out", dir.path().join("out"));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no townships"), "{}", text(&out));

    let out = riskmap!(
        "run",
        "--data",
        dir.path().join("nowhere"),
        "--out",
        dir.path().join("out")
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("not a folder"), "{}", text(&out));

    let out = riskmap!(
        "run",
        "--data",
        &empty,
        "--out",
        dir.path().join("out"),
        "--as-of",
        "2021-02-30"
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("YYYY-MM-DD"), "{}", text(&out));

    let out = riskmap!(
        "synth",
        "--years",
        "2021..2015",
        "--out",
        dir.path().join("s")
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("first year"), "{}", text(&out));

    let out = riskmap!("frobnicate");
    assert_eq!(
        out.status.code(),
        Some(1),
        "usage errors are bad input, not internal errors"
    );
}

#[test]
fn help_lists_the_commands_with_examples() {
    let out = riskmap!("--help");
    assert!(out.status.success());
    let t = text(&out);
    for word in [
        "demo",
        "synth",
        "run",
        "Examples:",
        "riskmap demo --out out/demo",
    ] {
        assert!(t.contains(word), "--help lacks {word}: {t}");
    }
}

#[test]
fn backtest_help_names_every_built_in_model() {
    let out = riskmap!("backtest", "--help");
    assert!(out.status.success());
    let t = text(&out);
    for model in riskmap_forecast::models::NAMES {
        assert!(t.contains(model), "backtest --help lacks {model}: {t}");
    }
}

#[test]
fn every_built_in_model_has_a_chinese_name_for_the_report() {
    for model in riskmap_forecast::models::NAMES {
        let zh = riskmap_domain::model_name(model, riskmap_domain::Lang::Zh);
        assert!(
            zh.ends_with(&format!("（{model}）")) && !zh.is_ascii(),
            "{model}: {zh}"
        );
    }
}

#[test]
fn synth_writes_the_same_bytes_with_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut sums = Vec::new();
    for threads in ["1", "2"] {
        let out_dir = dir.path().join(threads);
        let out = Command::new(env!("CARGO_BIN_EXE_riskmap"))
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "synth",
                "--preset",
                "county",
                "--seed",
                "11",
                "--years",
                "2020..2021",
                "--out",
            ])
            .arg(&out_dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for sub in ["", "truth"] {
            for e in std::fs::read_dir(out_dir.join(sub)).unwrap().flatten() {
                if e.path().is_file() {
                    files.push((
                        format!("{sub}/{}", e.file_name().to_string_lossy()),
                        std::fs::read(e.path()).unwrap(),
                    ));
                }
            }
        }
        files.sort();
        assert!(files.len() >= 20);
        sums.push(files);
    }
    for (a, b) in sums[0].iter().zip(&sums[1]) {
        assert_eq!(a.0, b.0);
        assert!(a.1 == b.1, "{} differs between 1 and 2 threads", a.0);
    }
}

#[test]
fn synth_real_like_boundaries_validate_as_drawn_and_every_point_finds_its_township() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = riskmap!(
        "synth",
        "--preset",
        "county",
        "--seed",
        "3",
        "--years",
        "2021..2021",
        "--boundaries",
        "real-like",
        "--out",
        &data
    );
    assert!(out.status.success(), "{}", text(&out));
    let validated = dir.path().join("out");
    crate::support::riskmap_ok("validate", &data, &validated, &[]);
    let m = manifest(&validated);
    crate::support::assert_counts_add_up(&m, "real-like county");
    // Fractal borders, islands and holes are valid as drawn: nothing to repair.
    let warnings = m["warnings"].as_array().expect("warnings").clone();
    assert!(
        !warnings
            .iter()
            .any(|w| w.as_str().unwrap_or("").contains("repaired")),
        "{warnings:?}"
    );
    let inputs = m["inputs"].as_array().expect("inputs");
    let townships = inputs
        .iter()
        .find(|s| s["source"] == "townships")
        .expect("townships counted");
    assert_eq!(townships["rejected"], 0, "{townships}");
    assert!(
        townships["rows_read"].as_u64().unwrap() >= 12,
        "{townships}"
    );
    // The generator places every record inside a township, except its
    // documented dirt (a few points pushed outside): almost all are placed.
    let (read, outside) =
        inputs
            .iter()
            .filter(|s| s["source"] != "townships")
            .fold((0, 0), |(r, o), s| {
                (
                    r + s["rows_read"].as_u64().unwrap_or(0),
                    o + s["outside"].as_u64().unwrap_or(0),
                )
            });
    assert!(
        read > 1_000 && outside * 100 < read,
        "{outside} of {read} outside"
    );
}
