//! Kulldorff's prospective space-time scan statistic, as SaTScan computes
//! it for daily surveillance: which group of nearby townships has had more
//! cases than expected over the last few days, and how unusual that is.
//!
//! The data are cases per township and day over a study period (day 0 the
//! oldest, the last day the day before the as-of date). A cylinder is a
//! circle of townships, a centre and its nearest neighbours (the caller
//! decides the circles: [`Cylinders`]), and a time window that ends on the
//! last day and is 1 to `max_days` long: the prospective scan only looks
//! at clusters that are still going on.
//!
//! For a cylinder with `c` cases and `μ` expected, out of `C` cases in the
//! study period, the log-likelihood ratio is Kulldorff's Poisson one,
//! conditioned on `C`:
//!
//! LLR = c ln(c/μ) + (C − c) ln((C − c)/(C − μ)) when c/μ > (C − c)/(C − μ), else 0,
//!
//! and the most likely cluster is the cylinder with the largest LLR. The
//! expected counts come from one of two models ([`Model`]):
//! - **Poisson**: the caller gives an expected count per township and day
//!   (population × baseline rate × season); they are scaled to sum to `C`,
//!   so that a region-wide rise or fall does not make a cluster.
//!   Replicates draw the `C` cases multinomially over the cells.
//! - **Poisson by township**: the same, scaled township by township to
//!   each township's own cases in the study period, so that only the time
//!   shape matters (SaTScan's adjustment for purely spatial clusters);
//!   replicates draw each township's cases over its own days.
//! - **Space-time permutation** (Kulldorff et al. 2005, no population
//!   needed): μ = (cases of the township) × (cases of the day) / C over the
//!   study period; replicates shuffle the days among the cases, keeping
//!   both margins.
//!
//! Significance is by Monte Carlo: the maximum LLR of each replicate, and
//! p = (1 + replicates at or above the cluster's LLR) / (1 + replicates).
//! Secondary clusters are the best cylinder of each centre, in LLR order,
//! that share no township with a cluster before them; each is judged
//! against the same replicate maxima, as SaTScan does. Replicates stop
//! early, Besag and Clifford's sequential test, once every cluster has
//! `h` replicates at or above it, with `h` the count that puts p above
//! `alpha` for sure; such a cluster gets p = h / replicates run. A cluster
//! that may be significant always gets all the replicates.
//!
//! Replicate r draws from its own stream keyed by (seed, r), and replicates
//! are judged in order of r, so the result is the same for any thread count.
//!
//! Speed: a replicate only needs to know whether its maximum reaches a
//! cluster's LLR. A cylinder is evaluated exactly only when the bound
//! LLR ≤ (c − μ)² / 2 · (1/μ + 1/(C − c)) (from x ln x − x + 1 ≤ (x − 1)²/(2 min(1, x)))
//! can reach the level that matters, and a replicate stops as soon as it
//! beats the largest LLR still undecided.

use rand::rngs::Xoshiro128PlusPlus;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

use crate::{below, stream_key, StatsError};

const REPLICATE_TAG: u64 = 0x7363_616e_5f72_6570; // "scan_rep"

/// Where the expected counts come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model<'a> {
    /// Expected cases per township and day (`townships × days`, row-major
    /// by township), scaled by the scan to sum to the observed total.
    Poisson(&'a [f64]),
    /// The same, but scaled township by township to each township's own
    /// cases in the study period (SaTScan's adjustment for purely spatial
    /// clusters): only the time shape of each row matters, and a township
    /// that is busy all period long is no cluster. Replicates draw each
    /// township's cases over its own days.
    PoissonByTownship(&'a [f64]),
    /// The space-time permutation model: expected counts from the margins.
    SpaceTimePermutation,
}

/// Cases per township and day.
#[derive(Debug, Clone, Copy)]
pub struct Counts<'a> {
    /// `townships × days`, row-major by township; day 0 is the oldest.
    pub cases: &'a [u32],
    /// Number of townships.
    pub townships: usize,
    /// Days in the study period.
    pub days: usize,
}

/// The circles of the scan: for each centre, the townships in order of
/// distance from it, the centre first, cut where the caller's limits
/// (share of population, radius) say.
pub type Cylinders = [Vec<usize>];

/// Settings of [`prospective_scan`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanOptions {
    /// Longest time window, days (from 1 up to this).
    pub max_days: usize,
    /// Monte Carlo replicates (999 is SaTScan's default).
    pub replicates: usize,
    /// Seed of the replicates.
    pub seed: u64,
    /// Clusters with p above this are not worth more replicates (the
    /// sequential stop); use 1 to run every replicate for every cluster.
    pub alpha: f64,
    /// Most clusters reported (the most likely and secondary ones).
    pub max_clusters: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_days: 60,
            replicates: 999,
            seed: 0,
            alpha: 0.05,
            max_clusters: 10,
        }
    }
}

/// A cluster: a cylinder with its counts and significance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    /// The centre township.
    pub centre: usize,
    /// Townships in the cluster, the centre first, then by distance.
    pub townships: Vec<usize>,
    /// Length of the time window, days (it ends on the last day).
    pub days: usize,
    /// Cases in the cylinder.
    pub observed: f64,
    /// Expected cases in the cylinder.
    pub expected: f64,
    /// SaTScan's relative risk: (c/μ) / ((C − c)/(C − μ)).
    pub relative_risk: f64,
    /// Log-likelihood ratio.
    pub llr: f64,
    /// Monte Carlo p-value.
    pub p: f64,
    /// Replicates the p-value rests on (fewer than asked when stopped early).
    pub replicates: usize,
}

impl Cluster {
    /// Whether the cluster is significant at `options.alpha`: all the
    /// replicates ran (replicates stop early only for a cluster whose p is
    /// above alpha for sure, and Besag–Clifford's p = h / r of such a
    /// cluster may itself fall below alpha) and p ≤ alpha.
    pub fn significant(&self, options: &ScanOptions) -> bool {
        self.replicates == options.replicates && self.p <= options.alpha
    }
}

/// What [`prospective_scan`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scan {
    /// Cases in the study period (`C`).
    pub total: f64,
    /// The most likely cluster first, then secondary clusters that share no
    /// township with an earlier one; only cylinders with more cases than
    /// expected (LLR > 0).
    pub clusters: Vec<Cluster>,
    /// Replicates drawn.
    pub replicates_run: usize,
}

/// The log-likelihood ratio of a cylinder with `c` cases and `mu` expected
/// out of `total`, conditioned on the total (0 unless the cylinder's rate
/// is higher than outside).
#[inline]
pub fn llr(c: f64, mu: f64, total: f64) -> f64 {
    // c/μ > (C − c)/(C − μ), without dividing by a zero.
    if c * (total - mu) <= mu * (total - c) || mu <= 0.0 {
        return 0.0;
    }
    let inside = c * (c / mu).ln();
    let outside = if total > c {
        (total - c) * ((total - c) / (total - mu)).ln()
    } else {
        0.0
    };
    inside + outside
}

/// Runs the prospective space-time scan. Errors on inputs of the wrong
/// shape, negative or non-finite expected counts, or a cylinder naming a
/// township that does not exist.
pub fn prospective_scan(
    counts: Counts<'_>,
    model: Model<'_>,
    cylinders: &Cylinders,
    options: &ScanOptions,
) -> Result<Scan, StatsError> {
    let prepared = Prepared::new(counts, model, cylinders, options)?;
    let Some(prepared) = prepared else {
        return Ok(Scan {
            total: 0.0,
            clusters: Vec::new(),
            replicates_run: 0,
        });
    };
    let mut clusters = prepared.observed_clusters(options.max_clusters);
    let replicates_run = prepared.monte_carlo(&mut clusters, options);
    Ok(Scan {
        total: prepared.total,
        clusters,
        replicates_run,
    })
}

/// The scan's fixed parts: cumulative expected counts by window, the
/// cylinders, and what replicates are drawn from.
struct Prepared<'a> {
    n: usize,
    /// Windows: 1..=w days.
    w: usize,
    total: f64,
    cylinders: &'a Cylinders,
    /// Observed cases in the last a + 1 days, `n × w`.
    observed: Vec<f64>,
    /// Expected cases in the last a + 1 days, `n × w`.
    expected: Vec<f64>,
    /// Per centre, where the replicates' blocks of neighbours end: a block
    /// grows while its expected count over the longest window grows by at
    /// most [`BLOCK_GAP`] × √(count at its start, at least 1).
    block_ends: Vec<Vec<u32>>,
    /// Per centre, the single-precision expected counts by window at the
    /// start of each block and at the end (`(blocks + 1) × wp`): the same in
    /// every replicate, so the replicates add only their cases.
    block_m: Vec<Vec<f32>>,
    /// The same in single precision, for the replicates, each row padded
    /// with zeros to `wp` (a multiple of [`LANES`]).
    expected32: Vec<f32>,
    wp: usize,
    draw: Draw,
}

/// How a replicate's cases in the window are drawn.
enum Draw {
    /// Multinomial: `total` cases, of which those in the window fall in
    /// window cell k (township × age) with probability `p[k]`; the window
    /// gets a binomial number of them.
    Poisson {
        /// Probability that a case falls in the window.
        window_share: f64,
        /// Alias table over window cells.
        alias: Alias,
    },
    /// Per township: `cases` over its own days, of which those in the
    /// window fall on age a with probability `p[a]` (alias table).
    ByTownship {
        /// (township, its cases, share of them expected in the window, alias over ages).
        townships: Vec<(usize, u64, f64, Alias)>,
    },
    /// Permutation: every case's township, and the ages of the days in the
    /// window, one entry per case dated there.
    Permutation {
        case_townships: Vec<u32>,
        window_ages: Vec<u32>,
    },
}

impl<'a> Prepared<'a> {
    fn new(
        counts: Counts<'_>,
        model: Model<'_>,
        cylinders: &'a Cylinders,
        options: &ScanOptions,
    ) -> Result<Option<Prepared<'a>>, StatsError> {
        let (n, days) = (counts.townships, counts.days);
        if counts.cases.len() != n * days {
            return Err(StatsError::LengthMismatch {
                what: "cases (townships × days)",
                got: counts.cases.len(),
                expected: n * days,
            });
        }
        if cylinders.len() > n || cylinders.iter().flatten().any(|&i| i >= n) {
            return Err(StatsError::LengthMismatch {
                what: "cylinders (a township index)",
                got: cylinders.iter().flatten().copied().max().unwrap_or(0) + 1,
                expected: n,
            });
        }
        let w = options.max_days.min(days);
        let total: f64 = counts.cases.iter().map(|&c| f64::from(c)).sum();
        if w == 0 || total == 0.0 {
            return Ok(None);
        }
        // Expected per cell.
        let mu: Vec<f64> = match model {
            Model::Poisson(expected) | Model::PoissonByTownship(expected) => {
                crate::check_values("expected", expected, n * days)?;
                if let Some(index) = expected.iter().position(|&e| e < 0.0) {
                    return Err(StatsError::NonFinite {
                        what: "expected (negative)",
                        index,
                    });
                }
                let sum: f64 = expected.iter().sum();
                if sum <= 0.0 {
                    return Err(StatsError::Constant {
                        statistic: "space-time scan (all expected counts are 0)",
                    });
                }
                if let Model::PoissonByTownship(_) = model {
                    let mut mu = vec![0.0; n * days];
                    for i in 0..n {
                        let row = &expected[i * days..(i + 1) * days];
                        let cases: f64 = counts.cases[i * days..(i + 1) * days]
                            .iter()
                            .map(|&c| f64::from(c))
                            .sum();
                        let shape: f64 = row.iter().sum();
                        if cases > 0.0 && shape <= 0.0 {
                            return Err(StatsError::Constant {
                                statistic:
                                    "space-time scan (a township with cases has no expected count)",
                            });
                        }
                        for d in 0..days {
                            if cases > 0.0 {
                                mu[i * days + d] = row[d] * cases / shape;
                            }
                        }
                    }
                    mu
                } else {
                    expected.iter().map(|e| e * total / sum).collect()
                }
            }
            Model::SpaceTimePermutation => {
                let by_town: Vec<f64> = (0..n)
                    .map(|i| {
                        counts.cases[i * days..(i + 1) * days]
                            .iter()
                            .map(|&c| f64::from(c))
                            .sum()
                    })
                    .collect();
                let by_day: Vec<f64> = (0..days)
                    .map(|d| (0..n).map(|i| f64::from(counts.cases[i * days + d])).sum())
                    .collect();
                (0..n * days)
                    .map(|k| by_town[k / days] * by_day[k % days] / total)
                    .collect()
            }
        };
        // Cumulative by age: age a is day days − 1 − a.
        let cumulate = |cell: &dyn Fn(usize) -> f64| -> Vec<f64> {
            let mut out = vec![0.0; n * w];
            for i in 0..n {
                let mut run = 0.0;
                for a in 0..w {
                    run += cell(i * days + days - 1 - a);
                    out[i * w + a] = run;
                }
            }
            out
        };
        let observed = cumulate(&|k| f64::from(counts.cases[k]));
        let expected = cumulate(&|k| mu[k]);
        let draw = match model {
            Model::Poisson(_) => {
                let cells: Vec<f64> = (0..n * w)
                    .map(|k| mu[(k / w) * days + days - 1 - k % w])
                    .collect();
                let in_window: f64 = cells.iter().sum();
                Draw::Poisson {
                    window_share: (in_window / total).min(1.0),
                    alias: Alias::new(&cells),
                }
            }
            Model::PoissonByTownship(_) => Draw::ByTownship {
                townships: (0..n)
                    .filter_map(|i| {
                        let row = &mu[i * days..(i + 1) * days];
                        let cases: f64 = row.iter().sum();
                        let ages: Vec<f64> = (0..w).map(|a| row[days - 1 - a]).collect();
                        let in_window: f64 = ages.iter().sum();
                        (cases > 0.0 && in_window > 0.0).then(|| {
                            (
                                i,
                                cases.round() as u64,
                                (in_window / cases).min(1.0),
                                Alias::new(&ages),
                            )
                        })
                    })
                    .collect(),
            },
            Model::SpaceTimePermutation => {
                let mut case_townships = Vec::with_capacity(total as usize);
                for i in 0..n {
                    let c: u32 = counts.cases[i * days..(i + 1) * days].iter().sum();
                    case_townships.extend(std::iter::repeat_n(i as u32, c as usize));
                }
                let mut window_ages = Vec::new();
                for a in 0..w {
                    let d = days - 1 - a;
                    let c: u32 = (0..n).map(|i| counts.cases[i * days + d]).sum();
                    window_ages.extend(std::iter::repeat_n(a as u32, c as usize));
                }
                Draw::Permutation {
                    case_townships,
                    window_ages,
                }
            }
        };
        let block_ends: Vec<Vec<u32>> = cylinders
            .par_iter()
            .map(|cyl| {
                let mut ends = Vec::new();
                let (mut start, mut m) = (0.0f64, 0.0f64);
                for (k, &i) in cyl.iter().enumerate() {
                    let next = m + expected[i * w + w - 1];
                    if k > 0 && next - start > BLOCK_GAP * start.max(1.0).sqrt() {
                        ends.push(k as u32);
                        start = m;
                    }
                    m = next;
                }
                ends.push(cyl.len() as u32);
                ends
            })
            .collect();
        let wp = w.div_ceil(LANES) * LANES;
        let mut expected32 = vec![0.0f32; n * wp];
        for i in 0..n {
            for a in 0..w {
                expected32[i * wp + a] = expected[i * w + a] as f32;
            }
        }
        let block_m = cylinders
            .par_iter()
            .zip(&block_ends)
            .map(|(cyl, ends)| {
                let mut out = vec![0.0f32; (ends.len() + 1) * wp];
                let mut m = vec![0.0f32; wp];
                let mut k = 0;
                for (b, &end) in ends.iter().enumerate() {
                    for &i in &cyl[k..end as usize] {
                        for (m, &e) in m.iter_mut().zip(&expected32[i * wp..(i + 1) * wp]) {
                            *m += e;
                        }
                    }
                    k = end as usize;
                    out[(b + 1) * wp..(b + 2) * wp].copy_from_slice(&m);
                }
                out
            })
            .collect();
        Ok(Some(Prepared {
            n,
            w,
            wp,
            block_m,
            total,
            cylinders,
            block_ends,
            observed,
            expected,
            expected32,
            draw,
        }))
    }

    /// The best cylinder of every centre, then the non-overlapping ones in
    /// LLR order (ties: lower centre first).
    fn observed_clusters(&self, max_clusters: usize) -> Vec<Cluster> {
        let best: Vec<Option<(f64, usize, usize)>> = (0..self.cylinders.len())
            .into_par_iter()
            .map(|j| self.best_of_centre(j, &self.observed))
            .collect();
        let mut order: Vec<(usize, (f64, usize, usize))> = best
            .into_iter()
            .enumerate()
            .filter_map(|(j, b)| b.map(|b| (j, b)))
            .collect();
        order.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0).then(a.0.cmp(&b.0)));
        let mut used = vec![false; self.n];
        let mut clusters = Vec::new();
        for (j, (llr, k, a)) in order {
            if clusters.len() >= max_clusters {
                break;
            }
            let townships = &self.cylinders[j][..=k];
            if townships.iter().any(|&i| used[i]) {
                continue;
            }
            for &i in townships {
                used[i] = true;
            }
            let sum = |v: &[f64]| townships.iter().map(|&i| v[i * self.w + a]).sum::<f64>();
            let (c, mu) = (sum(&self.observed), sum(&self.expected));
            let outside = if self.total > mu {
                (self.total - c) / (self.total - mu)
            } else {
                f64::NAN
            };
            clusters.push(Cluster {
                centre: j,
                townships: townships.to_vec(),
                days: a + 1,
                observed: c,
                expected: mu,
                relative_risk: (c / mu) / outside,
                llr,
                p: 1.0,
                replicates: 0,
            });
        }
        clusters
    }

    /// The largest LLR around centre `j` with its neighbour count − 1 and
    /// age, or None when no cylinder there has more cases than expected.
    fn best_of_centre(&self, j: usize, obs: &[f64]) -> Option<(f64, usize, usize)> {
        let w = self.w;
        let row = |i: usize| i * w..(i + 1) * w;
        // (c0, m0): the sums before a block of neighbours; (c, m): after it.
        let (mut c0, mut m0, mut c, mut m) =
            (vec![0.0; w], vec![0.0; w], vec![0.0; w], vec![0.0; w]);
        let mut best: Option<(f64, usize, usize)> = None;
        let cyl = &self.cylinders[j];
        let mut first = 0;
        for &end in &self.block_ends[j] {
            let block = &cyl[first..end as usize];
            c.copy_from_slice(&c0);
            m.copy_from_slice(&m0);
            for &i in block {
                for a in 0..w {
                    c[a] += obs[row(i)][a];
                    m[a] += self.expected[row(i)][a];
                }
            }
            let floor = best.map_or(0.0, |b| b.0);
            if screen64(&c, &m0, self.total, floor) {
                // Again, one neighbour at a time: the same sums in the same order.
                c.copy_from_slice(&c0);
                m.copy_from_slice(&m0);
                for (q, &i) in block.iter().enumerate() {
                    let (oi, ei) = (&obs[row(i)], &self.expected[row(i)]);
                    let floor = best.map_or(0.0, |b| b.0);
                    if !add_and_screen(&mut c, &mut m, oi, ei, self.total, floor) {
                        continue;
                    }
                    for a in 0..w {
                        let floor = best.map_or(0.0, |b| b.0);
                        if c[a] > m[a] && bound(c[a], m[a], self.total) > floor {
                            let l = llr(c[a], m[a], self.total);
                            if l > floor {
                                best = Some((l, first + q, a));
                            }
                        }
                    }
                }
            }
            std::mem::swap(&mut c0, &mut c);
            std::mem::swap(&mut m0, &mut m);
            first = end as usize;
        }
        best
    }

    /// Runs the replicates and sets every cluster's p-value; returns how
    /// many replicates were drawn.
    fn monte_carlo(&self, clusters: &mut [Cluster], options: &ScanOptions) -> usize {
        let r_max = options.replicates;
        if clusters.is_empty() || r_max == 0 {
            return 0;
        }
        // A cluster is decided (p > alpha for sure) at h exceedances.
        let h = ((options.alpha * (r_max + 1) as f64).floor() as usize).max(1);
        let mut exceed = vec![0usize; clusters.len()];
        let mut decided_at: Vec<Option<usize>> = vec![None; clusters.len()];
        // Batches double from one replicate per thread, so that a cluster
        // decided after a few replicates does not pay for many.
        let threads = rayon::current_num_threads().max(1);
        let mut done = 0;
        while done < r_max {
            // Clusters still open, and the LLR levels that matter for them.
            let open: Vec<usize> = (0..clusters.len())
                .filter(|&k| decided_at[k].is_none())
                .collect();
            if open.is_empty() {
                break;
            }
            let top = open.iter().map(|&k| clusters[k].llr).fold(0.0, f64::max);
            let floor = open
                .iter()
                .map(|&k| clusters[k].llr)
                .fold(f64::INFINITY, f64::min);
            let batch = done.clamp(threads, threads * 8);
            let end = (done + batch).min(r_max);
            let maxima: Vec<f64> = (done..end)
                .into_par_iter()
                .map_init(
                    || Scratch::new(self.n, self.wp),
                    |s, r| self.replicate_max(r, options.seed, floor, top, s),
                )
                .collect();
            for (r, m) in (done..end).zip(maxima) {
                done = r + 1;
                for k in 0..clusters.len() {
                    if decided_at[k].is_none() && m >= clusters[k].llr {
                        exceed[k] += 1;
                        if exceed[k] >= h && options.alpha < 1.0 {
                            decided_at[k] = Some(r + 1);
                        }
                    }
                }
                if decided_at.iter().all(Option::is_some) {
                    break;
                }
            }
        }
        for (k, c) in clusters.iter_mut().enumerate() {
            match decided_at[k] {
                Some(r) => {
                    c.p = exceed[k] as f64 / r as f64;
                    c.replicates = r;
                }
                None => {
                    c.p = (1 + exceed[k]) as f64 / (1 + done) as f64;
                    c.replicates = done;
                }
            }
        }
        done
    }

    /// The largest LLR of replicate `r` if it is at least `floor`, else 0;
    /// stops at the first cylinder that reaches `top`.
    ///
    /// Sums are single precision (exact for counts; relative error about
    /// 1e-7 for expected counts, which can only matter for a replicate
    /// within that of a cluster's LLR). Neighbours are added in blocks
    /// (`block_ends`); a block is screened once, with
    /// its last cases against its first expected counts (the bound grows
    /// with c and falls with μ), and only a block that passes is gone
    /// through neighbour by neighbour.
    fn replicate_max(&self, r: usize, seed: u64, floor: f64, top: f64, s: &mut Scratch) -> f64 {
        let mut rng = Xoshiro128PlusPlus::seed_from_u64(stream_key(seed, REPLICATE_TAG, r as u64));
        self.draw_window(&mut rng, s);
        let (w, wp) = (self.w, self.wp);
        let mut level = floor;
        let mut best = 0.0;
        let total = self.total as f32;
        for (j, (cyl, ends)) in self.cylinders.iter().zip(&self.block_ends).enumerate() {
            // (c0, m0): the sums before the block; (c, m): after it.
            s.c0.iter_mut().for_each(|v| *v = 0.0);
            let mut k = 0;
            for (b, &end) in ends.iter().enumerate() {
                let block = &cyl[k..end as usize];
                k = end as usize;
                let sums = Sums {
                    obs: &s.observed,
                    exp: &self.expected32,
                    wp,
                };
                let m0 = &self.block_m[j][b * wp..(b + 1) * wp];
                sums.add_cases(&s.c0, &mut s.c, block);
                if screen32(&s.c, m0, total, level) {
                    // Again, one neighbour at a time, exactly.
                    s.c.copy_from_slice(&s.c0);
                    s.m.copy_from_slice(m0);
                    for i in 0..block.len() {
                        sums.add_in_place(&mut s.c, &mut s.m, &block[i..=i]);
                        if !screen32(&s.c, &s.m, total, level) {
                            continue;
                        }
                        for a in 0..w {
                            let (c, m) = (f64::from(s.c[a]), f64::from(s.m[a]));
                            if c > m && bound(c, m, self.total) >= level {
                                let l = llr(c, m, self.total);
                                if l >= level {
                                    best = l;
                                    level = l;
                                    if l >= top {
                                        return l;
                                    }
                                }
                            }
                        }
                    }
                }
                std::mem::swap(&mut s.c0, &mut s.c);
            }
        }
        best
    }

    /// Fills `s.observed` with a replicate's cumulative cases by age.
    fn draw_window(&self, rng: &mut Xoshiro128PlusPlus, s: &mut Scratch) {
        let (w, wp) = (self.w, self.wp);
        s.observed.iter_mut().for_each(|v| *v = 0.0);
        match &self.draw {
            Draw::Poisson {
                window_share,
                alias,
            } => {
                let k = binomial(rng, self.total as u64, *window_share);
                for _ in 0..k {
                    let cell = alias.sample(rng);
                    s.observed[cell / w * wp + cell % w] += 1.0;
                }
            }
            Draw::ByTownship { townships } => {
                for (i, cases, share, alias) in townships {
                    let k = binomial(rng, *cases, *share);
                    for _ in 0..k {
                        s.observed[i * wp + alias.sample(rng)] += 1.0;
                    }
                }
            }
            Draw::Permutation {
                case_townships,
                window_ages,
            } => {
                // A random subset of the cases, as many as the window has,
                // takes the window's days: a partial Fisher–Yates shuffle.
                s.shuffle.clear();
                s.shuffle.extend_from_slice(case_townships);
                let len = s.shuffle.len();
                for (j, &a) in window_ages.iter().enumerate() {
                    let pick = j + below(rng, len - j);
                    s.shuffle.swap(j, pick);
                    s.observed[s.shuffle[j] as usize * wp + a as usize] += 1.0;
                }
            }
        }
        for i in 0..self.n {
            let row = &mut s.observed[i * wp..i * wp + w];
            for a in 1..w {
                row[a] += row[a - 1];
            }
        }
    }
}

/// How far a block of neighbours may grow (see `Prepared::block_ends`): a
/// gap of g·√μ in expected counts loosens the block's bound by about g²/2
/// in LLR, so that few blocks of a replicate pass for nothing.
const BLOCK_GAP: f64 = 2.0;

/// Width of the chunks the replicates add rows in: four SSE registers.
const LANES: usize = 16;

/// A replicate's rows: cases and expected counts by window, township by
/// township, each row `wp` long.
struct Sums<'a> {
    obs: &'a [f32],
    exp: &'a [f32],
    wp: usize,
}

impl Sums<'_> {
    /// c = c0 + the case rows of `towns`, a chunk of [`LANES`] windows at a
    /// time held in registers over all the townships, so that the sums are
    /// loaded and stored once per block, not per township.
    #[inline]
    fn add_cases(&self, c0: &[f32], c: &mut [f32], towns: &[usize]) {
        let wp = self.wp;
        for chunk in (0..wp).step_by(LANES) {
            let mut cc = [0.0f32; LANES];
            cc.copy_from_slice(&c0[chunk..chunk + LANES]);
            for &i in towns {
                let o = &self.obs[i * wp + chunk..i * wp + chunk + LANES];
                for l in 0..LANES {
                    cc[l] += o[l];
                }
            }
            c[chunk..chunk + LANES].copy_from_slice(&cc);
        }
    }

    /// (c, m) += the rows of `towns`.
    #[inline]
    fn add_in_place(&self, c: &mut [f32], m: &mut [f32], towns: &[usize]) {
        for &i in towns {
            let row = i * self.wp..(i + 1) * self.wp;
            for (((c, m), &o), &e) in c
                .iter_mut()
                .zip(m.iter_mut())
                .zip(&self.obs[row.clone()])
                .zip(&self.exp[row])
            {
                *c += o;
                *m += e;
            }
        }
    }
}

/// Adds a township's cumulative cases and expected counts to a cylinder's,
/// window by window, and says whether any window may reach `level` ([`screen64`]).
#[inline]
fn add_and_screen(
    c: &mut [f64],
    m: &mut [f64],
    oi: &[f64],
    ei: &[f64],
    total: f64,
    level: f64,
) -> bool {
    for (((c, m), &o), &e) in c.iter_mut().zip(m.iter_mut()).zip(oi).zip(ei) {
        *c += o;
        *m += e;
    }
    screen64(c, m, total, level)
}

/// `$name(c, m, total, level)`: whether any window may reach `level`, the
/// test of [`bound`] without its divisions, d²(C − c + μ) ≥ 2·level·μ·(C − c),
/// branch-free so that the compiler vectorises it. A screen: a window that
/// passes is then judged exactly. `c` and `m` may come from different
/// cylinders (a block's last cases and first expected counts), since the
/// bound grows with c and falls with μ; `$margin` allows for rounding.
macro_rules! screen {
    ($name:ident, $t:ty, $margin:expr) => {
        #[inline]
        fn $name(c: &[$t], m: &[$t], total: $t, level: f64) -> bool {
            let two_level = (2.0 * level * (1.0 - $margin)) as $t;
            let mut hit = false;
            for (&c, &m) in c.iter().zip(m) {
                let d = c - m;
                let outside = total - c;
                hit |= (d > 0.0) & (d * d * (outside + m) >= two_level * m * outside);
            }
            hit
        }
    };
}
screen!(screen64, f64, 1e-9);
screen!(screen32, f32, 1e-4);

/// An upper bound of [`llr`] (c > μ), cheap: no logarithm.
#[inline]
fn bound(c: f64, mu: f64, total: f64) -> f64 {
    let d = c - mu;
    if c >= total {
        return f64::INFINITY;
    }
    0.5 * d * d * (1.0 / mu + 1.0 / (total - c))
}

/// Per-thread buffers of the replicates.
struct Scratch {
    /// The replicate's cumulative cases by age, `n × w`.
    observed: Vec<f32>,
    /// A cylinder's cases and expected counts by window, and its cases at
    /// the start of the current block of neighbours.
    c: Vec<f32>,
    m: Vec<f32>,
    c0: Vec<f32>,
    shuffle: Vec<u32>,
}

impl Scratch {
    fn new(n: usize, w: usize) -> Scratch {
        Scratch {
            observed: vec![0.0; n * w],
            c: vec![0.0; w],
            m: vec![0.0; w],
            c0: vec![0.0; w],
            shuffle: Vec::new(),
        }
    }
}

/// Walker's alias table (Vose's construction): one uniform index and one
/// uniform number per draw from a discrete distribution.
struct Alias {
    prob: Vec<f64>,
    alias: Vec<u32>,
}

impl Alias {
    fn new(weights: &[f64]) -> Alias {
        let n = weights.len();
        let sum: f64 = weights.iter().sum();
        let mut prob: Vec<f64> = weights.iter().map(|w| w * n as f64 / sum).collect();
        let mut alias = vec![0u32; n];
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| prob[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            alias[s] = l as u32;
            prob[l] -= 1.0 - prob[s];
            if prob[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What is left is 1 up to rounding.
        for i in small.into_iter().chain(large) {
            prob[i] = 1.0;
        }
        Alias { prob, alias }
    }

    #[inline]
    fn sample<R: Rng>(&self, rng: &mut R) -> usize {
        let i = below(rng, self.prob.len());
        if unit(rng) < self.prob[i] {
            i
        } else {
            self.alias[i] as usize
        }
    }
}

/// A uniform number in [0, 1) with 53 random bits.
#[inline]
fn unit<R: Rng>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A binomial draw (rand_distr's: inversion for small n·p, BTPE above).
fn binomial<R: Rng>(rng: &mut R, n: u64, p: f64) -> u64 {
    if p >= 1.0 {
        return n;
    }
    if p <= 0.0 || n == 0 {
        return 0;
    }
    use rand_distr::Distribution;
    rand_distr::Binomial::new(n, p).map_or(0, |b| b.sample(rng))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llr_is_kulldorff_s_and_zero_for_a_low_rate() {
        // c = 10, μ = 4, C = 100: 10 ln(10/4) + 90 ln(90/96).
        let want = 10.0 * (2.5f64).ln() + 90.0 * (90.0f64 / 96.0).ln();
        assert!((llr(10.0, 4.0, 100.0) - want).abs() < 1e-12);
        assert_eq!(llr(3.0, 4.0, 100.0), 0.0);
        assert!(bound(10.0, 4.0, 100.0) >= llr(10.0, 4.0, 100.0));
    }

    #[test]
    fn the_bound_holds_everywhere() {
        for c in 1..200 {
            for mu10 in 1..400 {
                let (c, mu, total) = (c as f64, mu10 as f64 / 10.0, 250.0);
                if c > mu {
                    assert!(bound(c, mu, total) + 1e-12 >= llr(c, mu, total), "{c} {mu}");
                }
            }
        }
    }

    #[test]
    fn alias_draws_follow_the_weights() {
        let weights = [1.0, 0.0, 3.0, 6.0];
        let a = Alias::new(&weights);
        let mut rng = Xoshiro128PlusPlus::seed_from_u64(1);
        let mut seen = [0usize; 4];
        let n = 200_000;
        for _ in 0..n {
            seen[a.sample(&mut rng)] += 1;
        }
        assert_eq!(seen[1], 0);
        for k in [0, 2, 3] {
            let share = seen[k] as f64 / n as f64;
            // 5 standard errors of a share of 0.1–0.6 at n = 200,000 is < 0.006.
            assert!((share - weights[k] / 10.0).abs() < 0.006, "{k}: {share}");
        }
    }
}
