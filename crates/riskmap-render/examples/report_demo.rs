//! Renders every figure and the report for made-up inputs: `cargo run --release
//! -p riskmap-render --example report_demo -- OUT_DIR [TOWNSHIPS] [en]`, and
//! prints how long each step took. With `RISKMAP_TOWNSHIPS_JSON=FILE` the
//! townships (code, name, polygons as lists of lon/lat rings) come from a file,
//! e.g. the demo county's, and the made-up values are put on them.

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "render-demo".into()));
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(17);
    let lang = if args.next().as_deref() == Some("en") {
        riskmap_render::Lang::En
    } else {
        riskmap_render::Lang::Zh
    };
    let t0 = Instant::now();
    let real =
        std::env::var_os("RISKMAP_TOWNSHIPS_JSON").map(|p| read_townships(&PathBuf::from(p)));
    let n = real.as_ref().map_or(n, |r| r.len());
    let mut set = riskmap_render::sample::figure_set(n, lang);
    if let Some(real) = real {
        // Put the made-up values on the real townships, renaming the rows of the charts.
        let rename: std::collections::HashMap<String, String> = set
            .townships
            .iter()
            .zip(&real)
            .map(|(a, b)| (a.name.clone(), b.name.clone()))
            .collect();
        let r = |s: &mut String| *s = rename.get(s.as_str()).cloned().unwrap_or_else(|| s.clone());
        set.ranking
            .iter_mut()
            .flatten()
            .for_each(|x| r(&mut x.name));
        set.rectification
            .iter_mut()
            .flatten()
            .for_each(|x| r(&mut x.name));
        set.yoy
            .iter_mut()
            .for_each(|(_, _, rows)| rows.iter_mut().for_each(|x| r(&mut x.name)));
        let b = riskmap_render::mapframe::bounds(real.iter().map(|t| &t.polygon));
        for h in &mut set.heatmaps {
            h.grid.geo_transform = [
                b.0,
                (b.2 - b.0) / h.grid.width as f64,
                0.0,
                b.3,
                0.0,
                -(b.3 - b.1) / h.grid.height as f64,
            ];
        }
        for h in &mut set.hotspots {
            h.grid.geo_transform = [
                b.0,
                (b.2 - b.0) / h.grid.width as f64,
                0.0,
                b.3,
                0.0,
                -(b.3 - b.1) / h.grid.height as f64,
            ];
        }
        set.townships = real;
    }
    let input = riskmap_render::sample::report_input(&set);
    let t1 = Instant::now();
    let figs = set.render().expect("figures render");
    let t2 = Instant::now();
    std::fs::create_dir_all(&out).expect("output folder");
    let written = riskmap_render::write_figures(&out, &figs).expect("figures are written");
    riskmap_render::report::write(&out.join("report.html"), &input, &figs)
        .expect("report is written");
    let t3 = Instant::now();
    println!(
        "{} figures and report.html for {n} townships: inputs {:.3} s, render {:.3} s, write {:.3} s, total {:.3} s",
        written.len(),
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
        (t3 - t0).as_secs_f64()
    );
}

/// Reads `[{"code", "name", "polygons": [[[[lon, lat], ...], ...], ...]}]`.
fn read_townships(path: &std::path::Path) -> Vec<riskmap_render::Township> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("townships file"))
            .expect("JSON");
    let ring = |r: &serde_json::Value| {
        geo::LineString::from(
            r.as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                .collect::<Vec<_>>(),
        )
    };
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let polys = t["polygons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let rings = p.as_array().unwrap();
                    geo::Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
                })
                .collect();
            riskmap_render::Township {
                code: t["code"].as_str().unwrap().into(),
                name: t["name"].as_str().unwrap().into(),
                polygon: geo::MultiPolygon::new(polys),
            }
        })
        .collect()
}
