//! Rendering every figure (PNG and SVG) and `report.html` for the sample
//! county (17 townships) and a province-sized region (1,336 townships), the
//! hot path of the report stage. Targets: under 2 s and under 20 s.

use criterion::{criterion_group, criterion_main, Criterion};
use riskmap_render::{report, sample, Lang};

fn render_all(c: &mut Criterion) {
    let mut g = c.benchmark_group("render");
    g.sample_size(10);
    for n in [17usize, 1336] {
        let set = sample::figure_set(n, Lang::Zh);
        let input = sample::report_input(&set);
        g.bench_function(format!("figures_and_report_{n}"), |b| {
            b.iter(|| {
                let figs = set.render().unwrap();
                let html = report::build(&input, &figs);
                std::hint::black_box(html.len())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, render_all);
criterion_main!(benches);
