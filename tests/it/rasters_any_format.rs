//! `dem` and `forest_cover` in any raster format GDAL reads (issue 13): the
//! demo county's rasters converted by `gdal_translate` give the same terrain
//! per township as the GeoTIFFs; a raster coarser than the townships gives
//! every township a value, flagged; an unreadable file is a warning naming
//! it, never "missing".

use std::path::Path;
use std::process::Command;

use crate::support::{manifest, riskmap_ok};

/// `township_terrain.csv` as (code, mean elevation, mean forest cover, sampled_at).
fn terrain(out: &Path) -> Vec<(String, Option<f64>, Option<f64>, String)> {
    let p = out.join("township_terrain.csv");
    let r = riskmap_io::read_records(&p).unwrap();
    let col = |n: &str| r.text_column(n).unwrap();
    let num = |v: &Option<String>| v.as_deref().and_then(|t| t.parse::<f64>().ok());
    col("code")
        .iter()
        .zip(col("mean_elevation_m"))
        .zip(col("mean_forest_cover"))
        .zip(col("sampled_at"))
        .map(|(((c, e), f), s)| (c.clone().unwrap(), num(&e), num(&f), s.unwrap()))
        .collect()
}

/// The demo county without its rasters, in a new folder.
fn demo_without_rasters() -> tempfile::TempDir {
    let demo = crate::support::repo().join("datasets/demo");
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&demo).unwrap().flatten() {
        let name = e.file_name();
        let n = name.to_string_lossy();
        if e.path().is_file() && !n.ends_with(".tif") {
            std::fs::copy(e.path(), dir.path().join(&name)).unwrap();
        }
    }
    dir
}

fn gdal_translate(args: &[&str], src: &Path, dst: &Path) {
    let o = Command::new("gdal_translate")
        .args(["-q"])
        .args(args)
        .arg(src)
        .arg(dst)
        .output()
        .expect("gdal_translate (Debian's gdal-bin, installed by scripts/setup-system.sh) runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_netcdf_dem_and_an_ascii_grid_forest_cover_give_the_geotiffs_terrain() {
    let demo = crate::support::repo().join("datasets/demo");
    let base = tempfile::tempdir().unwrap();
    riskmap_ok("run", &demo, base.path(), &[]);
    let want = terrain(base.path());
    let as_of = manifest(base.path())["as_of"].as_str().unwrap().to_owned();

    let data = demo_without_rasters();
    gdal_translate(
        &["-of", "netCDF"],
        &demo.join("dem.tif"),
        &data.path().join("dem.nc"),
    );
    gdal_translate(
        &["-of", "AAIGrid"],
        &demo.join("forest_cover.tif"),
        &data.path().join("forest_cover.asc"),
    );
    let out = tempfile::tempdir().unwrap();
    riskmap_ok("run", data.path(), out.path(), &["--as-of", &as_of]);
    let m = manifest(out.path());
    let missing = m["missing"].to_string();
    assert!(
        !missing.contains("dem") && !missing.contains("forest_cover"),
        "{missing}"
    );
    let got = terrain(out.path());
    assert_eq!(got.len(), want.len());
    // The same pixels (ASCII grid writes forest cover with about 7
    // significant digits): equal within 1e-6 relative.
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((&g.0, &g.3), (&w.0, &w.3));
        for (a, b) in [(g.1, w.1), (g.2, w.2)] {
            let (a, b) = (a.unwrap(), b.unwrap());
            assert!(
                (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                "{}: {a} vs {b}",
                g.0
            );
        }
    }
}

#[test]
fn a_coarse_dem_gives_every_township_a_value_flagged_and_an_unreadable_one_is_a_warning() {
    let demo = crate::support::repo().join("datasets/demo");
    let data = demo_without_rasters();
    // Pixels of 0.25° (about 25 km): larger than most of the demo's townships.
    gdal_translate(
        &["-of", "HFA", "-tr", "0.25", "0.25", "-r", "average"],
        &demo.join("dem.tif"),
        &data.path().join("dem.img"),
    );
    let out = tempfile::tempdir().unwrap();
    riskmap_ok("run", data.path(), out.path(), &[]);
    let t = terrain(out.path());
    let flagged = t.iter().filter(|x| x.3 == "interior_point").count();
    assert!(flagged > 0 && flagged < t.len(), "{t:?}");
    let m = manifest(out.path());
    let warnings = m["warnings"].to_string();
    assert!(warnings.contains("interior point"), "{warnings}");
    // Most townships have a value; one without (its pixels and the pixel
    // under its interior point are nodata at the coarse grid's edge) is
    // named in a warning, never a silent empty cell.
    assert!(
        t.iter().filter(|x| x.1.is_some()).count() * 4 >= t.len() * 3,
        "{t:?}"
    );
    for x in t.iter().filter(|x| x.1.is_none()) {
        assert!(
            warnings.contains(&x.0) && warnings.contains("no DEM value"),
            "{}: {warnings}",
            x.0
        );
    }
    assert!(m["missing"].to_string().contains("forest_cover"));

    // Not a raster GDAL opens: a warning naming it, not "missing", and the run goes on.
    std::fs::remove_file(data.path().join("dem.img")).unwrap();
    std::fs::write(data.path().join("dem.xyz"), "not a raster\n").unwrap();
    riskmap_ok("run", data.path(), out.path(), &["--no-cache"]);
    let m = manifest(out.path());
    assert!(
        !m["missing"].to_string().contains("\"dem\""),
        "{}",
        m["missing"]
    );
    let warnings = m["warnings"].to_string();
    assert!(
        warnings.contains("dem.xyz") && warnings.contains("GDAL cannot open it"),
        "{warnings}"
    );
}
