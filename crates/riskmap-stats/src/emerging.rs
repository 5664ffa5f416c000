//! Emerging hot spot analysis in the manner of ArcGIS Pro's tool of that
//! name: a space-time cube, a space-time Getis–Ord Gi* for every bin, a
//! Mann–Kendall test on each location's series of Gi* z-scores, and one of
//! ArcGIS's categories per location.
//!
//! # The cube
//! - Grid ([`emerging_grid`]): points (x, y in a metric projection, metres)
//!   with a time-step index each are counted in square cells of
//!   `cell_size` metres whose lower-left corner is `origin` (default: the
//!   minimum x and y of the points). As in ArcGIS, the locations analysed are
//!   the cells with at least one point in at least one time step; empty
//!   cells are not part of the cube.
//! - Townships ([`emerging_townships`]): the locations are the townships,
//!   the values their counts per time step, and the spatial neighbourhood is
//!   the queen contiguity of [`crate::weights`].
//!
//! # Space-time Gi*
//! The neighbourhood of bin (i, t) is every bin (j, s) with j = i or j a
//! spatial neighbour of i, and t − `time_window` ≤ s ≤ t (the current and
//! preceding steps, as ArcGIS's "neighborhood time step"; steps before the
//! first simply do not exist). Grid cells are neighbours when their centres
//! are at most `distance_band` apart; the default, `cell_size`·√2, gives
//! the 8 surrounding cells (ArcGIS instead estimates a band from the data;
//! give `distance_band` to match a particular run). Weights are binary. The
//! z-score is Getis–Ord's Gi* ([`crate::getis_ord`]) with the mean and
//! variance taken over all bins of the cube. A bin is significant when its
//! two-sided p-value is ≤ `alpha` (default 0.05), or, with `fdr` on (the
//! default, as we read ArcGIS Pro's description of the tool), when its
//! Benjamini–Hochberg adjusted p-value over all bins is ≤ `alpha`. A
//! significant bin with z > 0 is hot, with z < 0 cold.
//!
//! # Categories
//! Let T be the number of steps, "hot share" the fraction of the T bins of a
//! location that are hot, and the trend the Mann–Kendall test of the
//! location's Gi* z-scores (significant when p ≤ `alpha`; with T < 2 there
//! is no trend). The hot rules, checked in this order when the final step is
//! hot:
//! 1. **New**: the final step is the only hot one.
//! 2. **Intensifying**: hot share ≥ 90 % and a significant upward trend.
//! 3. **Diminishing**: hot share ≥ 90 % and a significant downward trend.
//! 4. **Persistent**: hot share ≥ 90 % and no significant trend.
//! 5. **Oscillating**: some earlier step was cold (hot share < 90 %).
//! 6. **Consecutive**: the final run of uninterrupted hot steps is at least
//!    two long and holds every hot step (never hot before the run), with
//!    hot share < 90 % and never cold.
//! 7. **Sporadic**: otherwise — on-and-off hot, never cold.
//!
//! ArcGIS's wording leaves open a location that was cold and then turns
//! hot for a final run; we call it Oscillating, since having been a cold
//! spot is the more telling history. New is checked first, as ArcGIS's
//! definition ("never been a hot spot before") does not look at cold steps.
//!
//! When the final step is not hot: **Historical** if the hot share is
//! ≥ 90 %. The cold categories are the same rules with hot and cold
//! swapped (a cold spot is "intensifying" when its z-scores trend
//! significantly downward). Hot rules are tried before cold ones; the two
//! cannot both apply except for Historical, where the larger share wins.
//! Everything else is **No pattern detected**.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::getis_ord::gi_star_z;
use crate::mann_kendall::{mann_kendall, MannKendall};
use crate::weights::Weights;
use crate::{check_values, normal, StatsError};

/// Options of the space-time Gi* and the classification.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmergingOptions {
    /// How many preceding time steps are in a bin's neighbourhood (default 1).
    pub time_window: usize,
    /// Significance level of bins and trends (default 0.05).
    pub alpha: f64,
    /// Judge bins by Benjamini–Hochberg adjusted p-values (default true).
    pub fdr: bool,
}

impl Default for EmergingOptions {
    fn default() -> Self {
        EmergingOptions {
            time_window: 1,
            alpha: 0.05,
            fdr: true,
        }
    }
}

/// ArcGIS Pro's emerging hot spot categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    /// None of the patterns below.
    NoPattern,
    /// Hot only at the final step.
    NewHot,
    /// A final run of ≥ 2 hot steps, never hot before it.
    ConsecutiveHot,
    /// Hot ≥ 90 % of steps including the final one, trending hotter.
    IntensifyingHot,
    /// Hot ≥ 90 % of steps, no trend.
    PersistentHot,
    /// Hot ≥ 90 % of steps including the final one, trending cooler.
    DiminishingHot,
    /// Hot at the final step, on and off before, never cold.
    SporadicHot,
    /// Hot at the final step, cold at some earlier step.
    OscillatingHot,
    /// Not hot at the final step, hot ≥ 90 % of steps.
    HistoricalHot,
    /// Cold only at the final step.
    NewCold,
    /// A final run of ≥ 2 cold steps, never cold before it.
    ConsecutiveCold,
    /// Cold ≥ 90 % of steps including the final one, trending colder.
    IntensifyingCold,
    /// Cold ≥ 90 % of steps, no trend.
    PersistentCold,
    /// Cold ≥ 90 % of steps including the final one, trending warmer.
    DiminishingCold,
    /// Cold at the final step, on and off before, never hot.
    SporadicCold,
    /// Cold at the final step, hot at some earlier step.
    OscillatingCold,
    /// Not cold at the final step, cold ≥ 90 % of steps.
    HistoricalCold,
}

impl Category {
    /// The label as ArcGIS Pro writes it (e.g. "New Hot Spot", "No Pattern Detected").
    pub fn as_str(self) -> &'static str {
        match self {
            Category::NoPattern => "No Pattern Detected",
            Category::NewHot => "New Hot Spot",
            Category::ConsecutiveHot => "Consecutive Hot Spot",
            Category::IntensifyingHot => "Intensifying Hot Spot",
            Category::PersistentHot => "Persistent Hot Spot",
            Category::DiminishingHot => "Diminishing Hot Spot",
            Category::SporadicHot => "Sporadic Hot Spot",
            Category::OscillatingHot => "Oscillating Hot Spot",
            Category::HistoricalHot => "Historical Hot Spot",
            Category::NewCold => "New Cold Spot",
            Category::ConsecutiveCold => "Consecutive Cold Spot",
            Category::IntensifyingCold => "Intensifying Cold Spot",
            Category::PersistentCold => "Persistent Cold Spot",
            Category::DiminishingCold => "Diminishing Cold Spot",
            Category::SporadicCold => "Sporadic Cold Spot",
            Category::OscillatingCold => "Oscillating Cold Spot",
            Category::HistoricalCold => "Historical Cold Spot",
        }
    }
}

/// The analysis of one location (a grid cell or a township).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationTrend {
    /// The category.
    pub category: Category,
    /// Space-time Gi* z-score per time step.
    pub z: Vec<f64>,
    /// The p-value used for significance per step (BH-adjusted when `fdr`).
    pub p: Vec<f64>,
    /// Number of significant hot steps.
    pub hot_steps: usize,
    /// Number of significant cold steps.
    pub cold_steps: usize,
    /// Mann–Kendall test of the z-scores (None with fewer than two steps).
    pub trend: Option<MannKendall>,
}

/// Emerging hot spots of a cube given as `values[location * n_steps + t]`,
/// with the spatial neighbourhood `w` (self is added). Locations are in
/// `w`'s order.
pub fn emerging_hotspots(
    values: &[f64],
    n_steps: usize,
    w: &Weights,
    options: &EmergingOptions,
) -> Result<Vec<LocationTrend>, StatsError> {
    if n_steps == 0 {
        return Err(StatsError::BadOption {
            name: "n_steps",
            why: "must be at least 1",
        });
    }
    check_values("cube values", values, w.len() * n_steps)?;
    let n_bins = values.len();
    if n_bins < 2 {
        return Err(StatsError::TooFew {
            statistic: "space-time Gi*",
            needed: 2,
            got: n_bins,
        });
    }
    let nf = n_bins as f64;
    let mean = values.iter().sum::<f64>() / nf;
    let var = values.iter().map(|v| v * v).sum::<f64>() / nf - mean * mean;
    if var <= 0.0 {
        return Err(StatsError::Constant {
            statistic: "space-time Gi*",
        });
    }
    let sd = var.sqrt();
    let window = options.time_window;

    // z per bin, location-major, each location in parallel.
    let z: Vec<f64> = (0..w.len())
        .into_par_iter()
        .with_min_len(64)
        .flat_map_iter(|i| {
            let group: Vec<usize> = std::iter::once(i)
                .chain(w.neighbours(i).iter().copied())
                .collect();
            let spatial: Vec<f64> = (0..n_steps)
                .map(|t| group.iter().map(|&j| values[j * n_steps + t]).sum())
                .collect();
            let k = group.len() as f64;
            (0..n_steps).map(move |t| {
                let first = t.saturating_sub(window);
                let local: f64 = spatial[first..=t].iter().sum();
                gi_star_z(local, k * (t - first + 1) as f64, nf, mean, sd)
            })
        })
        .collect();
    let raw_p: Vec<f64> = z.par_iter().map(|&v| normal::two_sided_p(v)).collect();
    let p = if options.fdr {
        crate::fdr::benjamini_hochberg(&raw_p)
    } else {
        raw_p
    };

    Ok((0..w.len())
        .into_par_iter()
        .map(|i| {
            let zi = z[i * n_steps..(i + 1) * n_steps].to_vec();
            let pi = p[i * n_steps..(i + 1) * n_steps].to_vec();
            let hot: Vec<bool> = zi
                .iter()
                .zip(&pi)
                .map(|(&zz, &pp)| zz > 0.0 && pp <= options.alpha)
                .collect();
            let cold: Vec<bool> = zi
                .iter()
                .zip(&pi)
                .map(|(&zz, &pp)| zz < 0.0 && pp <= options.alpha)
                .collect();
            let trend = if n_steps >= 2 {
                mann_kendall(&zi).ok()
            } else {
                None
            };
            let category = classify(&hot, &cold, trend.as_ref(), options.alpha);
            LocationTrend {
                category,
                hot_steps: hot.iter().filter(|&&b| b).count(),
                cold_steps: cold.iter().filter(|&&b| b).count(),
                z: zi,
                p: pi,
                trend,
            }
        })
        .collect())
}

/// Emerging hot spots per township: `counts[township * n_steps + t]` (e.g.
/// yearly counts), neighbourhood = queen contiguity plus the township
/// itself, over the current and `time_window` preceding steps.
pub fn emerging_townships(
    counts: &[f64],
    n_steps: usize,
    contiguity: &Weights,
    options: &EmergingOptions,
) -> Result<Vec<LocationTrend>, StatsError> {
    emerging_hotspots(counts, n_steps, contiguity, options)
}

/// One side (hot or cold) of the classification; `up` is true when the
/// trend points the way that makes this side stronger.
#[derive(Clone, Copy)]
enum Side {
    New,
    Consecutive,
    Intensifying,
    Persistent,
    Diminishing,
    Sporadic,
    Oscillating,
    Historical,
}

fn classify_side(this: &[bool], other: &[bool], trend_up: Option<bool>) -> Option<Side> {
    let t = this.len();
    let count = this.iter().filter(|&&b| b).count();
    let share_ok = count as f64 >= 0.9 * t as f64 - 1e-9;
    let final_on = this[t - 1];
    if !final_on {
        return share_ok.then_some(Side::Historical);
    }
    if count == 1 {
        return Some(Side::New);
    }
    if share_ok {
        return Some(match trend_up {
            Some(true) => Side::Intensifying,
            Some(false) => Side::Diminishing,
            None => Side::Persistent,
        });
    }
    if other[..t - 1].iter().any(|&b| b) {
        return Some(Side::Oscillating);
    }
    let run = this.iter().rev().take_while(|&&b| b).count();
    if run >= 2 && run == count {
        return Some(Side::Consecutive);
    }
    Some(Side::Sporadic)
}

fn classify(hot: &[bool], cold: &[bool], trend: Option<&MannKendall>, alpha: f64) -> Category {
    // The significant direction of the z-score trend, if any.
    let direction = trend
        .filter(|mk| mk.p <= alpha && mk.s != 0.0)
        .map(|mk| mk.s > 0.0);
    let h = classify_side(hot, cold, direction);
    let c = classify_side(cold, hot, direction.map(|up| !up));
    let pick = match (h, c) {
        (Some(Side::Historical), Some(Side::Historical)) => {
            let hs = hot.iter().filter(|&&b| b).count();
            let cs = cold.iter().filter(|&&b| b).count();
            if hs >= cs {
                (true, Side::Historical)
            } else {
                (false, Side::Historical)
            }
        }
        (Some(Side::Historical), Some(cs)) => (false, cs),
        (Some(hs), _) => (true, hs),
        (None, Some(cs)) => (false, cs),
        (None, None) => return Category::NoPattern,
    };
    match pick {
        (true, Side::New) => Category::NewHot,
        (true, Side::Consecutive) => Category::ConsecutiveHot,
        (true, Side::Intensifying) => Category::IntensifyingHot,
        (true, Side::Persistent) => Category::PersistentHot,
        (true, Side::Diminishing) => Category::DiminishingHot,
        (true, Side::Sporadic) => Category::SporadicHot,
        (true, Side::Oscillating) => Category::OscillatingHot,
        (true, Side::Historical) => Category::HistoricalHot,
        (false, Side::New) => Category::NewCold,
        (false, Side::Consecutive) => Category::ConsecutiveCold,
        (false, Side::Intensifying) => Category::IntensifyingCold,
        (false, Side::Persistent) => Category::PersistentCold,
        (false, Side::Diminishing) => Category::DiminishingCold,
        (false, Side::Sporadic) => Category::SporadicCold,
        (false, Side::Oscillating) => Category::OscillatingCold,
        (false, Side::Historical) => Category::HistoricalCold,
    }
}

/// Options of [`emerging_grid`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridOptions {
    /// Cell size in metres (default 1000).
    pub cell_size: f64,
    /// Lower-left corner of the grid (default: the points' minimum x and y).
    pub origin: Option<[f64; 2]>,
    /// Spatial neighbourhood radius between cell centres in metres (default
    /// `cell_size`·√2: the 8 surrounding cells).
    pub distance_band: Option<f64>,
    /// Space-time Gi* and classification options.
    pub emerging: EmergingOptions,
}

impl Default for GridOptions {
    fn default() -> Self {
        GridOptions {
            cell_size: 1000.0,
            origin: None,
            distance_band: None,
            emerging: EmergingOptions::default(),
        }
    }
}

/// The space-time cube on a regular grid: only cells with at least one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridCube {
    /// Lower-left corner of cell (0, 0).
    pub origin: [f64; 2],
    /// Cell size in metres.
    pub cell_size: f64,
    /// Number of time steps.
    pub n_steps: usize,
    /// (column, row) of each location, sorted by row then column.
    pub cells: Vec<(i64, i64)>,
    /// Counts, `counts[location * n_steps + t]`.
    pub counts: Vec<f64>,
}

impl GridCube {
    /// The lower-left and upper-right corners of a location's cell.
    pub fn cell_bounds(&self, location: usize) -> ([f64; 2], [f64; 2]) {
        let (c, r) = self.cells[location];
        let x0 = self.origin[0] + c as f64 * self.cell_size;
        let y0 = self.origin[1] + r as f64 * self.cell_size;
        ([x0, y0], [x0 + self.cell_size, y0 + self.cell_size])
    }
}

/// Grid cube and emerging hot spot results, one per cube location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridHotspots {
    /// The cube analysed.
    pub cube: GridCube,
    /// One result per `cube.cells` entry.
    pub locations: Vec<LocationTrend>,
}

/// Counts `points` (metres) with time-step indices `steps` (< `n_steps`) in
/// a grid of `cell_size` cells.
pub fn build_cube(
    points: &[[f64; 2]],
    steps: &[usize],
    n_steps: usize,
    cell_size: f64,
    origin: Option<[f64; 2]>,
) -> Result<GridCube, StatsError> {
    if points.len() != steps.len() {
        return Err(StatsError::LengthMismatch {
            what: "steps",
            got: steps.len(),
            expected: points.len(),
        });
    }
    if !(cell_size > 0.0 && cell_size.is_finite()) {
        return Err(StatsError::BadOption {
            name: "cell_size",
            why: "must be a positive number of metres",
        });
    }
    if let Some(index) = points
        .iter()
        .position(|p| !(p[0].is_finite() && p[1].is_finite()))
    {
        return Err(StatsError::NonFinite {
            what: "points",
            index,
        });
    }
    if steps.iter().any(|&s| s >= n_steps) {
        return Err(StatsError::BadOption {
            name: "steps",
            why: "every time-step index must be below n_steps",
        });
    }
    let origin = origin.unwrap_or_else(|| {
        let min = |k: usize| points.iter().map(|p| p[k]).fold(f64::INFINITY, f64::min);
        if points.is_empty() {
            [0.0, 0.0]
        } else {
            [min(0), min(1)]
        }
    });
    let key = |p: &[f64; 2]| {
        (
            ((p[0] - origin[0]) / cell_size).floor() as i64,
            ((p[1] - origin[1]) / cell_size).floor() as i64,
        )
    };
    let mut cells: Vec<(i64, i64)> = points.par_iter().map(key).collect();
    cells.par_sort_unstable_by_key(|&(c, r)| (r, c));
    cells.dedup();
    let index: FxHashMap<(i64, i64), usize> =
        cells.iter().enumerate().map(|(i, &c)| (c, i)).collect();
    let mut counts = vec![0.0; cells.len() * n_steps];
    for (p, &s) in points.iter().zip(steps) {
        counts[index[&key(p)] * n_steps + s] += 1.0;
    }
    Ok(GridCube {
        origin,
        cell_size,
        n_steps,
        cells,
        counts,
    })
}

/// The distance-band neighbours among the cube's cells.
pub fn grid_neighbours(cube: &GridCube, distance_band: f64) -> Weights {
    let index: FxHashMap<(i64, i64), usize> = cube
        .cells
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, i))
        .collect();
    let reach = (distance_band / cube.cell_size).floor() as i64;
    let band2 = (distance_band / cube.cell_size).powi(2) * (1.0 + 1e-12);
    let lists = cube
        .cells
        .par_iter()
        .map(|&(c, r)| {
            let mut nb = Vec::new();
            for dr in -reach..=reach {
                for dc in -reach..=reach {
                    if (dr, dc) != (0, 0) && ((dr * dr + dc * dc) as f64) <= band2 {
                        if let Some(&j) = index.get(&(c + dc, r + dr)) {
                            nb.push(j);
                        }
                    }
                }
            }
            nb
        })
        .collect();
    Weights::from_neighbours(lists).expect("grid neighbours are in range and never self")
}

/// Emerging hot spots on a regular grid built from points.
pub fn emerging_grid(
    points: &[[f64; 2]],
    steps: &[usize],
    n_steps: usize,
    options: &GridOptions,
) -> Result<GridHotspots, StatsError> {
    let cube = build_cube(points, steps, n_steps, options.cell_size, options.origin)?;
    let band = options
        .distance_band
        .unwrap_or(options.cell_size * std::f64::consts::SQRT_2);
    let w = grid_neighbours(&cube, band);
    let locations = emerging_hotspots(&cube.counts, n_steps, &w, &options.emerging)?;
    Ok(GridHotspots { cube, locations })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Vec<bool> {
        s.chars().map(|c| c == '1').collect()
    }

    fn mk(s: f64, p: f64) -> MannKendall {
        MannKendall {
            n: 10,
            s,
            var_s: 1.0,
            z: 0.0,
            p,
            tau: 0.0,
        }
    }

    #[test]
    fn categories_follow_the_documented_rules() {
        let none = b("0000000000");
        let flat = mk(0.0, 1.0);
        let cases = [
            ("0000000001", none.clone(), flat, Category::NewHot),
            ("0000000111", none.clone(), flat, Category::ConsecutiveHot),
            (
                "1111111111",
                none.clone(),
                mk(20.0, 0.001),
                Category::IntensifyingHot,
            ),
            (
                "1111111111",
                none.clone(),
                mk(-20.0, 0.001),
                Category::DiminishingHot,
            ),
            ("1011111111", none.clone(), flat, Category::PersistentHot),
            ("1111111110", none.clone(), flat, Category::HistoricalHot),
            ("0100100011", none.clone(), flat, Category::SporadicHot),
            (
                "0000000011",
                b("1000000000"),
                flat,
                Category::OscillatingHot,
            ),
            ("0011000001", none.clone(), flat, Category::SporadicHot),
            ("1100000000", none.clone(), flat, Category::NoPattern),
        ];
        for (hot, cold, trend, want) in cases {
            assert_eq!(
                classify(&b(hot), &cold, Some(&trend), 0.05),
                want,
                "hot {hot}"
            );
            // Mirror image: the same pattern of cold steps with the trend reversed.
            let mirrored = mk(-trend.s, trend.p);
            let got = classify(&cold, &b(hot), Some(&mirrored), 0.05);
            let want_cold = match want {
                Category::NewHot => Category::NewCold,
                Category::ConsecutiveHot => Category::ConsecutiveCold,
                Category::IntensifyingHot => Category::IntensifyingCold,
                Category::DiminishingHot => Category::DiminishingCold,
                Category::PersistentHot => Category::PersistentCold,
                Category::HistoricalHot => Category::HistoricalCold,
                Category::SporadicHot => Category::SporadicCold,
                Category::OscillatingHot => Category::OscillatingCold,
                other => other,
            };
            assert_eq!(got, want_cold, "cold {hot}");
        }
    }

    #[test]
    fn grid_neighbours_match_brute_force() {
        // Seeded scattered points; the distance-band neighbours of the
        // occupied cells against an all-pairs scan, for three bands.
        let mut x: u64 = 12345;
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let points: Vec<[f64; 2]> = (0..600)
            .map(|_| [next() * 30_000.0, next() * 20_000.0])
            .collect();
        let steps = vec![0; points.len()];
        let cube = build_cube(&points, &steps, 1, 1000.0, None).unwrap();
        for band in [1000.0, 1000.0 * std::f64::consts::SQRT_2, 2500.0] {
            let w = grid_neighbours(&cube, band);
            for (i, &(ci, ri)) in cube.cells.iter().enumerate() {
                let want: Vec<usize> = (0..cube.cells.len())
                    .filter(|&j| {
                        let (cj, rj) = cube.cells[j];
                        let d = (((ci - cj).pow(2) + (ri - rj).pow(2)) as f64).sqrt() * 1000.0;
                        j != i && d <= band * (1.0 + 1e-9)
                    })
                    .collect();
                assert_eq!(w.neighbours(i), want.as_slice(), "cell {i}, band {band}");
            }
        }
        assert_eq!(cube.counts.iter().sum::<f64>(), 600.0);
    }

    #[test]
    fn a_growing_cluster_is_a_hot_spot_and_the_background_is_not() {
        // 20×20 cells of 1 km, 8 years; the background has 1 point per cell
        // per year; a 3×3 block gains points every year from year 3.
        let mut points = Vec::new();
        let mut steps = Vec::new();
        for t in 0..8usize {
            for r in 0..20 {
                for c in 0..20 {
                    let extra = if (8..11).contains(&r) && (8..11).contains(&c) && t >= 3 {
                        4 * (t - 2)
                    } else {
                        0
                    };
                    for k in 0..1 + extra {
                        points.push([
                            c as f64 * 1000.0 + 10.0 + k as f64,
                            r as f64 * 1000.0 + 500.0,
                        ]);
                        steps.push(t);
                    }
                }
            }
        }
        let out = emerging_grid(&points, &steps, 8, &GridOptions::default()).unwrap();
        assert_eq!(out.cube.cells.len(), 400);
        let at = |c: i64, r: i64| out.cube.cells.iter().position(|&x| x == (c, r)).unwrap();
        let centre = &out.locations[at(9, 9)];
        assert!(
            matches!(centre.category, Category::ConsecutiveHot | Category::NewHot),
            "{centre:?}"
        );
        assert_eq!(out.locations[at(0, 0)].hot_steps, 0);
        assert!(out
            .locations
            .iter()
            .all(|l| l.hot_steps == 0 || l.z.last().unwrap() > &0.0));
    }
}
