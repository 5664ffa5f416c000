//! Renders every figure and the report for made-up inputs: `cargo run --release
//! -p riskmap-render --example report_demo -- OUT_DIR [TOWNSHIPS] [en]`, and
//! prints how long each step took.

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
    let set = riskmap_render::sample::figure_set(n, lang);
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
