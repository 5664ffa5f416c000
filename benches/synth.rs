//! `synth` at county and province size: generation in memory, and the whole
//! command (generate and write the region folder).
//!
//! Run with `cargo bench --bench synth`; peak memory of the whole command is
//! measured outside criterion, with `/usr/bin/time -v riskmap synth ...`
//! (see benches/RESULTS.md).

use criterion::{criterion_group, criterion_main, Criterion};
use riskmap_pipeline::synth::write_region;
use riskmap_pipeline::SynthOptions;
use riskmap_synth::{generate, Preset, SynthConfig};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("synth");
    group.sample_size(10);
    for preset in [Preset::County, Preset::Province] {
        let cfg = SynthConfig {
            preset,
            seed: 2021,
            years: (2015, 2021),
            boundaries: Default::default(),
            emergent: Default::default(),
        };
        group.bench_function(format!("generate/{}", preset.name()), |b| {
            b.iter(|| generate(&cfg).unwrap())
        });
        let dir = tempfile::tempdir().unwrap();
        let opts = SynthOptions::new(preset, 2021);
        group.bench_function(format!("generate_and_write/{}", preset.name()), |b| {
            b.iter(|| write_region(&opts, dir.path()).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
