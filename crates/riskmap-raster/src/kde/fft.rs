//! Two-dimensional convolution of a real lattice with a compact real kernel
//! through real-input FFTs: rows by realfft, columns by rustfft on the
//! transposed half-spectrum, both in parallel with rayon.

use rayon::prelude::*;
use realfft::num_complex::Complex;
use realfft::RealFftPlanner;
use rustfft::FftPlanner;

/// The smallest n ≥ `min` whose prime factors are all 2, 3, 5 or 7, for
/// which rustfft's mixed-radix algorithms are fast.
pub(super) fn fast_len(min: usize) -> usize {
    let mut n = min.max(1);
    loop {
        let mut m = n;
        for p in [2, 3, 5, 7] {
            while m.is_multiple_of(p) {
                m /= p;
            }
        }
        if m == 1 {
            return n;
        }
        n += 1;
    }
}

/// Convolves `data` (`ny` rows of `nx`) with `taps`, a (2r+1) × (2r+1)
/// kernel indexed by offset (`dy + r`, `dx + r`), and returns `ny` × `nx`
/// values: `out[j][i] = Σ data[j'][i'] · taps[j - j' + r][i - i' + r]`.
///
/// The transform is circular over `fast_len(nx)` × `fast_len(ny)`; callers
/// pad `data` by at least `r` on every side and read only the interior,
/// where the circular sum equals the linear one.
pub(super) fn convolve(data: &[f64], nx: usize, ny: usize, taps: &[f64], r: usize) -> Vec<f64> {
    let side = 2 * r + 1;
    assert_eq!(taps.len(), side * side);
    assert_eq!(data.len(), nx * ny);
    let (fx, fy) = (fast_len(nx.max(side)), fast_len(ny.max(side)));
    let hx = fx / 2 + 1;
    let mut real_planner = RealFftPlanner::<f64>::new();
    let r2c = real_planner.plan_fft_forward(fx);
    let c2r = real_planner.plan_fft_inverse(fx);
    let mut planner = FftPlanner::<f64>::new();
    let col_fwd = planner.plan_fft_forward(fy);
    let col_inv = planner.plan_fft_inverse(fy);

    // Forward transform of a real fy × fx lattice filled by `fill(row, buf)`,
    // returned as the transposed half-spectrum: hx rows of fy.
    let forward = |fill: &(dyn Fn(usize, &mut [f64]) + Sync)| -> Vec<Complex<f64>> {
        let mut rows = vec![Complex::new(0.0, 0.0); fy * hx];
        rows.par_chunks_mut(hx).enumerate().for_each_init(
            || (vec![0.0; fx], r2c.make_scratch_vec()),
            |(buf, scratch), (j, out)| {
                buf.iter_mut().for_each(|v| *v = 0.0);
                fill(j, buf);
                r2c.process_with_scratch(buf, out, scratch)
                    .expect("sizes match the plan");
            },
        );
        let mut cols = transpose(&rows, fy, hx);
        cols.par_chunks_mut(fy).for_each_init(
            || vec![Complex::new(0.0, 0.0); col_fwd.get_inplace_scratch_len()],
            |scratch, col| col_fwd.process_with_scratch(col, scratch),
        );
        cols
    };

    let mut spec = forward(&|j, buf| {
        if j < ny {
            buf[..nx].copy_from_slice(&data[j * nx..(j + 1) * nx]);
        }
    });
    // The kernel goes in wrapped: offset (dy, dx) at ((dy mod fy), (dx mod fx)).
    let kernel = forward(&|j, buf| {
        let dy = if j <= r {
            j as isize
        } else {
            j as isize - fy as isize
        };
        if dy.unsigned_abs() > r {
            return;
        }
        let row = &taps[(dy + r as isize) as usize * side..][..side];
        for (k, &t) in row.iter().enumerate() {
            let dx = k as isize - r as isize;
            buf[dx.rem_euclid(fx as isize) as usize] = t;
        }
    });
    let scale = 1.0 / (fx as f64 * fy as f64);
    spec.par_chunks_mut(fy)
        .zip(kernel.par_chunks(fy))
        .for_each_init(
            || vec![Complex::new(0.0, 0.0); col_inv.get_inplace_scratch_len()],
            |scratch, (col, k)| {
                for (a, b) in col.iter_mut().zip(k) {
                    *a *= b * scale;
                }
                col_inv.process_with_scratch(col, scratch);
            },
        );
    drop(kernel);
    let mut rows = transpose(&spec, hx, fy);
    drop(spec);
    let mut out = vec![0.0; nx * ny];
    out.par_chunks_mut(nx)
        .zip(rows.par_chunks_mut(hx))
        .for_each_init(
            || (vec![0.0; fx], c2r.make_scratch_vec()),
            |(buf, scratch), (o, row)| {
                // The input of a real inverse transform has real first (and, for
                // even lengths, last) terms; rounding leaves tiny imaginary parts.
                row[0].im = 0.0;
                if fx % 2 == 0 {
                    row[hx - 1].im = 0.0;
                }
                c2r.process_with_scratch(row, buf, scratch)
                    .expect("sizes match the plan");
                o.copy_from_slice(&buf[..nx]);
            },
        );
    out
}

/// The transpose of `a` (`rows` × `cols`) as `cols` × `rows`, in tiles.
fn transpose(a: &[Complex<f64>], rows: usize, cols: usize) -> Vec<Complex<f64>> {
    const TILE: usize = 32;
    let mut t = vec![Complex::new(0.0, 0.0); a.len()];
    t.par_chunks_mut(TILE * rows)
        .enumerate()
        .for_each(|(tc, block)| {
            let c0 = tc * TILE;
            let width = block.len() / rows;
            for r0 in (0..rows).step_by(TILE) {
                for r in r0..(r0 + TILE).min(rows) {
                    for dc in 0..width {
                        block[dc * rows + r] = a[r * cols + c0 + dc];
                    }
                }
            }
        });
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fft_convolution_equals_direct_convolution() {
        let (nx, ny, r) = (23, 17, 3);
        let data: Vec<f64> = (0..nx * ny)
            .map(|k| ((k * 7919) % 101) as f64 / 101.0)
            .collect();
        let side = 2 * r + 1;
        let taps: Vec<f64> = (0..side * side)
            .map(|k| ((k * 31) % 13) as f64 - 6.0)
            .collect();
        let got = convolve(&data, nx, ny, &taps, r);
        for j in r..ny - r {
            for i in r..nx - r {
                let mut want = 0.0;
                for dy in 0..side {
                    for dx in 0..side {
                        let (jj, ii) = (j + r - dy, i + r - dx);
                        want += data[jj * nx + ii] * taps[dy * side + dx];
                    }
                }
                assert!(
                    (got[j * nx + i] - want).abs() < 1e-9,
                    "({i},{j}) {} vs {want}",
                    got[j * nx + i]
                );
            }
        }
        assert_eq!(fast_len(1031), 1050);
        assert_eq!(fast_len(1024), 1024);
    }
}
