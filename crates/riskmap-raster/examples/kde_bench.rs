//! Times riskmap's kernel density on a points file and measures its error
//! against exact direct summation on a sample of cells, for the peer
//! comparison in `benches/peers/kde_peers.py`.
//!
//! ```text
//! kde_bench POINTS.f64 X_MIN Y_MAX CELL WIDTH HEIGHT gaussian|quartic BANDWIDTH STRIDE RUNS OUT_PREFIX
//! ```
//!
//! `POINTS.f64` holds little-endian f64 pairs x, y (metres). The sample is
//! every `STRIDE`-th row and column plus the row and column of the fast
//! grid's peak. Writes `OUT_PREFIX.rows`, `.cols` (u32 LE) and `.exact`
//! (f64 LE, rows × cols) so that peers are compared on the same cells, and
//! prints one JSON line with the timings and the error. The environment
//! variable `KDE_PLAN` (`direct`, `fft1`, `fft3`, `separable3`, ...) forces a
//! path instead of the planned one, to calibrate the planner.

use std::time::Instant;

use riskmap_raster::grid::Grid;
use riskmap_raster::kde::{density_exact_at, density_with_plan, plan, KdeSpec, Kernel, Plan};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 12 {
        eprintln!("usage: kde_bench POINTS.f64 X_MIN Y_MAX CELL WIDTH HEIGHT gaussian|quartic BANDWIDTH STRIDE RUNS OUT_PREFIX");
        std::process::exit(2);
    }
    let f = |i: usize| a[i].parse::<f64>().expect("a number");
    let bytes = std::fs::read(&a[1]).expect("readable points file");
    let points: Vec<[f64; 2]> = bytes
        .chunks_exact(16)
        .map(|c| {
            [
                f64::from_le_bytes(c[..8].try_into().unwrap()),
                f64::from_le_bytes(c[8..].try_into().unwrap()),
            ]
        })
        .collect();
    let grid = Grid {
        x_min: f(2),
        y_max: f(3),
        cell: f(4),
        width: f(5) as usize,
        height: f(6) as usize,
    };
    let kernel = match a[7].as_str() {
        "gaussian" => Kernel::Gaussian,
        "quartic" => Kernel::Quartic,
        k => panic!("unknown kernel {k}"),
    };
    let spec = KdeSpec {
        kernel,
        bandwidth: f(8),
        years: None,
    };
    let (stride, runs) = (f(9) as usize, f(10) as usize);
    let chosen = match std::env::var("KDE_PLAN").ok().as_deref() {
        None | Some("") => plan(points.len(), &grid, &spec),
        Some("direct") => Plan::Direct,
        Some(p) if p.starts_with("fft") => Plan::Fft {
            subdivision: p[3..].parse().expect("fftM"),
        },
        Some(p) if p.starts_with("separable") => Plan::Separable {
            subdivision: p[9..].parse().expect("separableM"),
        },
        Some(p) => panic!("unknown plan {p}"),
    };
    let mut times = Vec::new();
    let mut fast = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        fast = density_with_plan(&points, None, &grid, &spec, chosen).expect("valid input");
        times.push(t.elapsed().as_secs_f64());
    }
    let (peak_at, _) =
        fast.iter()
            .enumerate()
            .fold((0, f64::MIN), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
    let mut rows: Vec<usize> = (0..grid.height)
        .step_by(stride)
        .chain([peak_at / grid.width])
        .collect();
    let mut cols: Vec<usize> = (0..grid.width)
        .step_by(stride)
        .chain([peak_at % grid.width])
        .collect();
    rows.sort_unstable();
    rows.dedup();
    cols.sort_unstable();
    cols.dedup();
    let t = Instant::now();
    let exact = density_exact_at(&points, None, &grid, &spec, &rows, &cols).expect("valid input");
    let exact_secs = t.elapsed().as_secs_f64();
    let peak = exact.iter().cloned().fold(0.0, f64::max);
    let mut max_err: f64 = 0.0;
    for (i, &r) in rows.iter().enumerate() {
        for (j, &c) in cols.iter().enumerate() {
            max_err = max_err.max((fast[r * grid.width + c] - exact[i * cols.len() + j]).abs());
        }
    }
    let write = |ext: &str, data: Vec<u8>| {
        std::fs::write(format!("{}.{ext}", a[11]), data).expect("writable output")
    };
    write(
        "rows",
        rows.iter()
            .flat_map(|&r| (r as u32).to_le_bytes())
            .collect(),
    );
    write(
        "cols",
        cols.iter()
            .flat_map(|&c| (c as u32).to_le_bytes())
            .collect(),
    );
    write(
        "exact",
        exact.iter().flat_map(|v| v.to_le_bytes()).collect(),
    );
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"points\": {}, \"kernel\": \"{}\", \"bandwidth\": {}, \"plan\": \"{:?}\", \"threads\": {}, \"seconds_min\": {:.4}, \"seconds_median\": {:.4}, \"max_error_over_peak\": {:.3e}, \"sample_cells\": {}, \"exact_sample_seconds\": {:.2}}}",
        points.len(),
        a[7],
        spec.bandwidth,
        chosen,
        rayon::current_num_threads(),
        times[0],
        times[times.len() / 2],
        max_err / peak,
        rows.len() * cols.len(),
        exact_secs
    );
}
