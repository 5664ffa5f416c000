//! The Gaussian's separable convolution from a (possibly finer) binning
//! lattice to the output grid: a pass along x that keeps every lattice row
//! but only the output columns, then a pass along y that keeps only the
//! output rows. With a subdivision `m` this costs about `m + 1` times the
//! taps per output cell, instead of the `m²` a full fine convolution would.

use rayon::prelude::*;

use super::binning::Lattice;

/// `out[r][c] = Σ_{s,t} taps[s]·taps[t]·binned[jr + s][ic + t]` where
/// (`ic`, `jr`) is the lattice node under output cell (`c`, `r`):
/// `ic = first + m·c`, `jr = first + m·r`, and `s`, `t` run over `-R..=R`
/// with `taps.len() = 2R + 1`.
pub(super) fn convolve(
    binned: &[f64],
    lat: &Lattice,
    taps: &[f64],
    first: usize,
    m: usize,
    width: usize,
    height: usize,
) -> Vec<f64> {
    let r = taps.len() / 2;
    // Pass 1, along x: every lattice row needed by some output row.
    let row_lo = first - r;
    let row_hi = first + m * (height - 1) + r + 1;
    let mut across = vec![0.0; (row_hi - row_lo) * width];
    across
        .par_chunks_mut(width)
        .enumerate()
        .for_each(|(k, out)| {
            let src = &binned[(row_lo + k) * lat.nx..][..lat.nx];
            if src.iter().all(|&v| v == 0.0) {
                return;
            }
            for (c, o) in out.iter_mut().enumerate() {
                let i = first + m * c;
                *o = src[i - r..=i + r]
                    .iter()
                    .zip(taps)
                    .map(|(a, b)| a * b)
                    .sum();
            }
        });
    // Pass 2, along y, row by row so the inner loop runs along memory.
    let mut out = vec![0.0; width * height];
    out.par_chunks_mut(width).enumerate().for_each(|(row, o)| {
        let j = first + m * row - row_lo;
        for (t, &tap) in taps.iter().enumerate() {
            let src = &across[(j - r + t) * width..][..width];
            for (a, b) in o.iter_mut().zip(src) {
                *a += tap * b;
            }
        }
    });
    out
}
