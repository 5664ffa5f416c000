//! Rolling-origin evaluation: for every model, measure and origin year t,
//! fit on the years up to t and predict t + 1 for every township; then the
//! leaderboard of [`crate::metrics`] per model and measure, and pooled over
//! all measures (`all`).
//!
//! The (model, measure, origin) tasks run in parallel with rayon and are
//! collected in task order, and every score is computed afterwards in a
//! fixed order, so the predictions and scores are the same bytes whatever
//! the thread count. Only `seconds` (the model's wall time, summed over its
//! tasks) varies between runs.
//!
//! How the leaderboard pools: MAE, RMSE, Poisson deviance, CRPS and
//! coverage are means over every township-year (of the measure, or of all
//! measures for `all`); Spearman's ρ, the top-10% hit rate and PAI rank
//! townships within one measure and origin year, so they are computed per
//! (measure, origin) and averaged over the groups where they are defined.

use std::time::Instant;

use rayon::prelude::*;

use crate::forecaster::Forecaster;
use crate::metrics;
use crate::panel::Panel;
use crate::predictive::{Calibration, Predictive};

/// One measure's panel, by name.
#[derive(Debug, Clone)]
pub struct Measure {
    /// Measure name (`fires`, `incidents:road_traffic`).
    pub name: String,
    /// Its panel.
    pub panel: Panel,
}

/// One prediction: SPEC's `predictions.parquet` row plus its CRPS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredictionRow {
    /// Index into [`Backtest::models`].
    pub model: usize,
    /// Index into [`Backtest::measures`].
    pub measure: usize,
    /// Last year fitted.
    pub origin: i32,
    /// Series (township) index.
    pub series: usize,
    /// Year predicted (origin + 1).
    pub year: i32,
    /// Actual count.
    pub actual: f64,
    /// Predictive mean.
    pub mean: f64,
    /// 10% quantile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90% quantile.
    pub p90: f64,
    /// CRPS of the actual count.
    pub crps: f64,
    /// Where the actual count fell in the predictive distribution.
    pub calibration: Calibration,
}

impl PredictionRow {
    /// Model `model`'s prediction `forecast` of series `series` of measure
    /// `measure`, fitted up to `origin`, scored against `actual`.
    pub fn scored(
        model: usize,
        measure: usize,
        origin: i32,
        series: usize,
        forecast: &crate::Predictive,
        actual: f64,
    ) -> PredictionRow {
        let s = forecast.summary(Some(actual));
        PredictionRow {
            model,
            measure,
            origin,
            series,
            year: origin + 1,
            actual,
            mean: s.mean,
            p10: s.p10,
            p50: s.p50,
            p90: s.p90,
            crps: s.crps,
            calibration: s.calibration,
        }
    }
}

/// The backtest's predictions.
#[derive(Debug, Clone, Default)]
pub struct Backtest {
    /// Model names, in the order given.
    pub models: Vec<String>,
    /// Measure names.
    pub measures: Vec<String>,
    /// Every prediction, by model, measure, origin, series.
    pub rows: Vec<PredictionRow>,
    /// Wall seconds per model and measure (NaN for external predictions).
    pub seconds: Vec<Vec<f64>>,
    /// What was skipped and why (a model that cannot forecast a measure).
    pub notes: Vec<String>,
}

/// The origins (last fitted year) that `panel` supports among `wanted`:
/// at least one year fitted and the next year known.
pub fn valid_origins(panel: &Panel, wanted: &[i32]) -> Vec<i32> {
    let (Some(first), Some(last)) = (panel.years.first(), panel.years.last()) else {
        return Vec::new();
    };
    wanted
        .iter()
        .copied()
        .filter(|o| *o >= *first && *o < *last)
        .collect()
}

/// Runs every model on every measure at every origin.
///
/// A model that combines others ([`Forecaster::members`]) all of which are
/// in `models` is run after them, from their forecasts of the same measure
/// and origin, not by fitting them again; its seconds are its own plus its
/// members'. Its forecasts are the same either way.
pub fn run(measures: &[Measure], models: &[Box<dyn Forecaster>], origins: &[i32]) -> Backtest {
    let scored = |(m, k, origin): Task, i, f: &Predictive, actual| {
        PredictionRow::scored(m, k, origin, i, f, actual)
    };
    let (tasks, results) = run_tasks(measures, models, origins, &[], scored);
    let mut out = Backtest {
        models: models.iter().map(|m| m.name()).collect(),
        measures: measures.iter().map(|m| m.name.clone()).collect(),
        seconds: vec![vec![0.0; measures.len()]; models.len()],
        ..Backtest::default()
    };
    for ((m, k, _), (rows, secs, note)) in tasks.iter().zip(results) {
        out.seconds[*m][*k] += secs;
        out.rows.extend(rows.unwrap_or_default());
        if let Some(n) = note {
            if !out.notes.contains(&n) {
                out.notes.push(n);
            }
        }
    }
    out
}

/// The model [`choose`] picks for each measure from the [`leaderboard`] of
/// [`run`], found without keeping the predictions or scoring anything but
/// the CRPS: what `riskmap run` needs of its nightly backtest (a nation's
/// 1.3M predictions a measure made their rows and leaderboard a third of
/// the forecast stage). The same models, the same answer.
pub fn choose_by_crps(
    measures: &[Measure],
    models: &[Box<dyn Forecaster>],
    origins: &[i32],
) -> Vec<Option<String>> {
    choose_by_crps_with(measures, models, origins, &[]).0
}

/// [`choose_by_crps`] one measure at a time (only one measure's members'
/// forecasts are held at once: a nation's, for every measure, would not
/// fit), each measure's models run costliest first by what they took on
/// the measure before, so that a core is not left idle while the other
/// finishes a long fit. The same answer as [`choose_by_crps`].
pub fn choose_by_crps_each(
    measures: &[Measure],
    models: &[Box<dyn Forecaster>],
    origins: &[i32],
) -> Vec<Option<String>> {
    let mut cost = Vec::new();
    measures
        .iter()
        .map(|m| {
            let (choice, seconds) =
                choose_by_crps_with(std::slice::from_ref(m), models, origins, &cost);
            cost = seconds;
            choice.into_iter().next().flatten()
        })
        .collect()
}

/// [`choose_by_crps`], its tasks started in order of `cost` (seconds per
/// model; empty: task order); also the seconds each model took.
fn choose_by_crps_with(
    measures: &[Measure],
    models: &[Box<dyn Forecaster>],
    origins: &[i32],
    cost: &[f64],
) -> (Vec<Option<String>>, Vec<f64>) {
    let crps = |_: Task, _, f: &Predictive, actual| f.summary(Some(actual)).crps;
    let (tasks, results) = run_tasks(measures, models, origins, cost, crps);
    let mut seconds = vec![0.0; models.len()];
    for (t, r) in tasks.iter().zip(&results) {
        seconds[t.0] += r.1;
    }
    let choice = (0..measures.len())
        .map(|k| {
            let mut best: Option<(f64, usize)> = None;
            for (m, model) in models.iter().enumerate() {
                // The leaderboard's mean: every CRPS of the model and
                // measure, in task then series order, summed in turn.
                let all: Vec<f64> = tasks
                    .iter()
                    .zip(&results)
                    .filter(|(t, _)| t.0 == m && t.1 == k)
                    .filter_map(|(_, r)| r.0.as_deref())
                    .flatten()
                    .copied()
                    .collect();
                if all.is_empty() || model.name() == "oracle" {
                    continue;
                }
                let mean = all.iter().sum::<f64>() / all.len() as f64;
                if mean.is_finite() && best.is_none_or(|b| mean < b.0) {
                    best = Some((mean, m));
                }
            }
            best.map(|(_, m)| models[m].name())
        })
        .collect();
    (choice, seconds)
}

/// One task of a backtest: (model, measure, origin).
type Task = (usize, usize, i32);

/// What a task gives: one score per series (`None` where the model made no
/// forecast of the measure), the model's wall seconds, and a note saying why not.
type Outcome<T> = (Option<Vec<T>>, f64, Option<String>);

/// Runs every (model, measure, origin) task, in parallel, and scores each
/// forecast as it comes with `score(task, series, forecast, actual)`;
/// results in task order.
/// Members' forecasts are kept until the models that combine them are run.
fn run_tasks<T: Send>(
    measures: &[Measure],
    models: &[Box<dyn Forecaster>],
    origins: &[i32],
    cost: &[f64],
    score: impl Fn(Task, usize, &Predictive, f64) -> T + Sync,
) -> (Vec<Task>, Vec<Outcome<T>>) {
    let names: Vec<String> = models.iter().map(|m| m.name()).collect();
    // For each model, the indices of its members when they are all run here.
    let members: Vec<Option<Vec<usize>>> = models
        .iter()
        .map(|m| {
            let wanted = m.members();
            (!wanted.is_empty())
                .then(|| {
                    wanted
                        .iter()
                        .map(|w| names.iter().position(|n| n == w))
                        .collect::<Option<Vec<usize>>>()
                })
                .flatten()
        })
        .collect();
    let is_member: Vec<bool> = (0..models.len())
        .map(|m| members.iter().flatten().any(|list| list.contains(&m)))
        .collect();
    let tasks: Vec<Task> = (0..models.len())
        .flat_map(|m| {
            (0..measures.len()).flat_map(move |k| {
                valid_origins(&measures[k].panel, origins)
                    .into_iter()
                    .map(move |o| (m, k, o))
            })
        })
        .collect();
    let outcome = |(m, k, origin): Task, forecasts: &[Predictive], seconds: f64| -> Outcome<T> {
        if forecasts.len() != measures[k].panel.n() {
            let note = format!(
                "{} on {}: no forecast (the model needs inputs this region lacks, e.g. truth)",
                models[m].name(),
                measures[k].name
            );
            return (None, seconds, Some(note));
        }
        let panel = &measures[k].panel;
        let len = (origin - panel.years[0] + 1) as usize;
        let scores = forecasts
            .iter()
            .enumerate()
            .map(|(i, f)| score((m, k, origin), i, f, panel.counts[i][len]))
            .collect();
        (Some(scores), seconds, None)
    };
    let fit = |&(m, k, origin): &Task| {
        let panel = &measures[k].panel;
        let len = (origin - panel.years[0] + 1) as usize;
        let t = Instant::now();
        let forecasts = models[m].forecast(&panel.history(len));
        let secs = t.elapsed().as_secs_f64();
        let result = outcome((m, k, origin), &forecasts, secs);
        // A member's forecasts are kept for the models that combine it.
        (result, is_member[m].then_some(forecasts))
    };
    // First every model that is not combined from members run here, taken
    // one at a time by whichever core is free: costliest first when `cost`
    // is given (longest processing time first), then put back in task order.
    let mut order: Vec<usize> = (0..tasks.len()).collect();
    if cost.len() == models.len() {
        order.sort_by(|&a, &b| {
            cost[tasks[b].0]
                .total_cmp(&cost[tasks[a].0])
                .then(a.cmp(&b))
        });
    }
    let mut ran: Vec<(usize, Option<(Outcome<T>, Option<Vec<Predictive>>)>)> = order
        .into_iter()
        .par_bridge()
        .map(|i| (i, members[tasks[i].0].is_none().then(|| fit(&tasks[i]))))
        .collect();
    ran.sort_by_key(|r| r.0);
    let first: Vec<Option<(Outcome<T>, Option<Vec<Predictive>>)>> =
        ran.into_iter().map(|r| r.1).collect();
    let kept: std::collections::HashMap<Task, (&[Predictive], f64)> = tasks
        .iter()
        .zip(&first)
        .filter_map(|(task, r)| {
            let (result, forecasts) = r.as_ref()?;
            Some((*task, (forecasts.as_deref()?, result.1)))
        })
        .collect();
    // ...then the combinations, from their members' forecasts.
    let combined: Vec<Option<Outcome<T>>> = tasks
        .par_iter()
        .map(|&(m, k, origin)| {
            let list = members[m].as_ref()?;
            let n = measures[k].panel.n();
            let parts: Option<Vec<(&[Predictive], f64)>> = list
                .iter()
                .map(|&j| {
                    kept.get(&(j, k, origin))
                        .copied()
                        .filter(|(f, _)| f.len() == n)
                })
                .collect();
            let t = Instant::now();
            let Some(parts) = parts else {
                // A member without forecasts here: fit the model whole.
                return Some(fit(&(m, k, origin)).0);
            };
            let slices: Vec<&[Predictive]> = parts.iter().map(|p| p.0).collect();
            let forecasts = models[m]
                .combine(&slices, n)
                .expect("a model with members combines them");
            let secs = t.elapsed().as_secs_f64() + parts.iter().map(|p| p.1).sum::<f64>();
            Some(outcome((m, k, origin), &forecasts, secs))
        })
        .collect();
    let results = first
        .into_iter()
        .zip(combined)
        .map(|(a, b)| {
            a.map(|(result, _)| result)
                .or(b)
                .expect("every task run once")
        })
        .collect();
    (tasks, results)
}

impl Backtest {
    /// Adds predictions made elsewhere under `model` (rows' `model` and
    /// `measure` fields are set here from `measure_names`, which must be
    /// names of this backtest's measures).
    pub fn add_external(&mut self, model: &str, rows: Vec<PredictionRow>) {
        let m = self.models.len();
        self.models.push(model.to_owned());
        self.seconds.push(vec![f64::NAN; self.measures.len()]);
        self.rows
            .extend(rows.into_iter().map(|r| PredictionRow { model: m, ..r }));
    }
}

/// One leaderboard row (SPEC's columns plus `pai` and the number of predictions).
#[derive(Debug, Clone, PartialEq)]
pub struct LeaderRow {
    /// Model.
    pub model: String,
    /// Measure, or `all`.
    pub measure: String,
    /// Mean absolute error.
    pub mae: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean Poisson deviance.
    pub poisson_deviance: f64,
    /// Mean CRPS.
    pub crps: f64,
    /// Share within [p25, p75].
    pub coverage_50: f64,
    /// Share within [p10, p90].
    pub coverage_80: f64,
    /// Share within [p2.5, p97.5].
    pub coverage_95: f64,
    /// The non-randomised PIT histogram (Czado, Gneiting and Held 2009):
    /// the share of probability in each tenth of [0, 1]; a calibrated model
    /// has 0.1 in every bin, an overconfident one a U, an underconfident one
    /// a hump.
    pub pit: [f64; PIT_BINS],
    /// Mean Spearman ρ over (measure, origin) groups.
    pub spearman: f64,
    /// Mean top-10% hit rate over groups.
    pub hit_rate_top10pct: f64,
    /// Wall seconds.
    pub seconds: f64,
    /// Mean PAI of the predicted top 10% over groups.
    pub pai: f64,
    /// Predictions scored.
    pub n: usize,
    /// The measures pooled: the measure itself, or for `all` the measures of
    /// the set every model predicted.
    pub pooled: Vec<String>,
}

/// Bins of the PIT histogram.
pub const PIT_BINS: usize = 10;

/// The non-randomised PIT histogram of `rows` (each bin the mean over rows
/// of F(u_j | y) − F(u_{j−1} | y), u_j = j / PIT_BINS).
fn pit_histogram(rows: &[&PredictionRow]) -> [f64; PIT_BINS] {
    let mut h = [0.0; PIT_BINS];
    let n = rows
        .iter()
        .filter(|r| r.calibration.cdf_at.is_finite())
        .count();
    if n == 0 {
        return [f64::NAN; PIT_BINS];
    }
    for r in rows.iter().filter(|r| r.calibration.cdf_at.is_finite()) {
        let mut below = 0.0;
        for (j, bin) in h.iter_mut().enumerate() {
            let at = r.calibration.pit_cdf((j + 1) as f64 / PIT_BINS as f64);
            *bin += at - below;
            below = at;
        }
    }
    h.map(|b| b / n as f64)
}

fn mean_defined(v: impl Iterator<Item = Option<f64>>) -> f64 {
    let (s, n) = v
        .flatten()
        .filter(|x| x.is_finite())
        .fold((0.0, 0usize), |a, x| (a.0 + x, a.1 + 1));
    if n == 0 {
        f64::NAN
    } else {
        s / n as f64
    }
}

/// A metric of one (measure, origin) group: actuals, predicted means, areas.
type GroupMetric<'a> = &'a dyn Fn(&[f64], &[f64], Option<Vec<f64>>) -> Option<f64>;

/// Scores a set of rows (one model; one or several measures).
fn score(
    model: &str,
    measure: &str,
    rows: &[&PredictionRow],
    seconds: f64,
    area: Option<&[f64]>,
    pooled: Vec<String>,
) -> LeaderRow {
    let col = |f: fn(&PredictionRow) -> f64| rows.iter().map(|r| f(r)).collect::<Vec<f64>>();
    let (y, mu) = (col(|r| r.actual), col(|r| r.mean));
    // Groups of one measure and origin, in order of first appearance.
    let mut groups: Vec<((usize, i32), Vec<&PredictionRow>)> = Vec::new();
    for r in rows {
        match groups.iter_mut().find(|g| g.0 == (r.measure, r.origin)) {
            Some(g) => g.1.push(r),
            None => groups.push(((r.measure, r.origin), vec![r])),
        }
    }
    let per_group = |f: GroupMetric<'_>| {
        mean_defined(groups.iter().map(|(_, g)| {
            let a: Vec<f64> = g.iter().map(|r| r.actual).collect();
            let p: Vec<f64> = g.iter().map(|r| r.mean).collect();
            let ar = area.map(|ar| {
                g.iter()
                    .map(|r| ar.get(r.series).copied().unwrap_or(0.0))
                    .collect()
            });
            f(&a, &p, ar)
        }))
    };
    LeaderRow {
        model: model.to_owned(),
        measure: measure.to_owned(),
        mae: metrics::mae(&y, &mu),
        rmse: metrics::rmse(&y, &mu),
        poisson_deviance: metrics::poisson_deviance(&y, &mu),
        crps: col(|r| r.crps).iter().sum::<f64>() / rows.len() as f64,
        coverage_50: metrics::coverage(
            &y,
            &col(|r| r.calibration.p25),
            &col(|r| r.calibration.p75),
        ),
        coverage_80: metrics::coverage(&y, &col(|r| r.p10), &col(|r| r.p90)),
        coverage_95: metrics::coverage(
            &y,
            &col(|r| r.calibration.p025),
            &col(|r| r.calibration.p975),
        ),
        pit: pit_histogram(rows),
        spearman: per_group(&|a, p, _| Some(metrics::spearman(p, a))),
        hit_rate_top10pct: per_group(&|a, p, _| metrics::hit_rate_top(a, p, 0.1)),
        seconds,
        pai: per_group(&|a, p, ar| metrics::pai(a, p, ar.as_deref(), 0.1)),
        n: rows.len(),
        pooled,
    }
}

/// The leaderboard: per model, each measure then `all`. `area` (one value
/// per series, the same townships in every measure) feeds PAI.
///
/// The `all` row of every model pools the same predictions: the (measure,
/// origin, township) triples that *every* model predicted, external ones
/// included, so that pooled scores compare like with like (a model that
/// skips a measure would otherwise be scored on an easier or harder mix).
/// [`LeaderRow::pooled`] names the measures in that set.
pub fn leaderboard(b: &Backtest, area: Option<&[f64]>) -> Vec<LeaderRow> {
    use std::collections::HashMap;
    let models: Vec<usize> = (0..b.models.len())
        .filter(|m| b.rows.iter().any(|r| r.model == *m))
        .collect();
    // How many models predicted each (measure, origin, series).
    let mut predicted_by: HashMap<(usize, i32, usize), usize> = HashMap::new();
    for r in &b.rows {
        *predicted_by
            .entry((r.measure, r.origin, r.series))
            .or_default() += 1;
    }
    let common = |r: &PredictionRow| predicted_by[&(r.measure, r.origin, r.series)] == models.len();
    let mut pooled: Vec<usize> = b
        .rows
        .iter()
        .filter(|r| common(r))
        .map(|r| r.measure)
        .collect();
    pooled.sort_unstable();
    pooled.dedup();
    let pooled: Vec<String> = pooled.into_iter().map(|k| b.measures[k].clone()).collect();

    // Models are scored in parallel (the rank metrics sort every group: a
    // nation's 40,000 townships made one measure's board 0.8 s on one
    // thread), collected in model order.
    let per_model: Vec<Vec<LeaderRow>> = models
        .par_iter()
        .map(|&m| {
            let name = &b.models[m];
            let mine: Vec<&PredictionRow> = b.rows.iter().filter(|r| r.model == m).collect();
            let mut out = Vec::new();
            for (k, measure) in b.measures.iter().enumerate() {
                let rows: Vec<&PredictionRow> =
                    mine.iter().copied().filter(|r| r.measure == k).collect();
                if !rows.is_empty() {
                    out.push(score(
                        name,
                        measure,
                        &rows,
                        b.seconds[m][k],
                        area,
                        vec![measure.clone()],
                    ));
                }
            }
            let shared: Vec<&PredictionRow> = mine.iter().copied().filter(|r| common(r)).collect();
            let total: f64 = b.seconds[m].iter().sum();
            let all = match out.as_slice() {
                // One measure, every row shared: `all` scores the very rows
                // of that measure's row, in the same order; not twice.
                [only] if b.measures.len() == 1 && shared.len() == mine.len() => LeaderRow {
                    measure: "all".to_owned(),
                    seconds: total,
                    pooled: pooled.clone(),
                    ..only.clone()
                },
                _ => score(name, "all", &shared, total, area, pooled.clone()),
            };
            out.push(all);
            out
        })
        .collect();
    per_model.into_iter().flatten().collect()
}

/// The model to forecast each measure with: the lowest mean CRPS in the
/// backtest, `oracle` and external predictions excluded, ties to the model
/// listed first. `None` for a measure no model predicted.
pub fn choose(b: &Backtest, board: &[LeaderRow]) -> Vec<Option<String>> {
    // External predictions carry NaN seconds; they cannot forecast next year.
    let internal = |name: &str| {
        b.models
            .iter()
            .position(|m| m == name)
            .is_some_and(|m| b.seconds[m].iter().all(|s| !s.is_nan()))
    };
    b.measures
        .iter()
        .map(|measure| {
            let mut best: Option<&LeaderRow> = None;
            for r in board.iter().filter(|r| {
                &r.measure == measure
                    && r.model != "oracle"
                    && r.crps.is_finite()
                    && internal(&r.model)
            }) {
                if best.is_none_or(|b| r.crps < b.crps) {
                    best = Some(r);
                }
            }
            best.map(|r| r.model.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Naive, Oracle};

    fn panel() -> Panel {
        let mut p = Panel::from_counts(
            2015,
            vec![
                vec![1.0, 3.0, 2.0, 4.0],
                vec![0.0, 0.0, 1.0, 0.0],
                vec![5.0, 6.0, 9.0, 7.0],
            ],
        );
        p.truth = Some(vec![vec![2.0; 5], vec![0.5; 5], vec![7.0; 5]]);
        p
    }

    /// Outcomes spread over a distribution as its own quantiles (a
    /// deterministic stand-in for draws from it) give a flat PIT histogram,
    /// whatever the distribution; outcomes from a wider one give a U.
    #[test]
    fn the_pit_histogram_is_flat_for_outcomes_from_the_forecast_itself() {
        use crate::Predictive;
        let rows_for = |forecast: &Predictive, outcomes: &Predictive| -> Vec<PredictionRow> {
            (0..4000)
                .map(|i| {
                    let y = outcomes.quantile((i as f64 + 0.5) / 4000.0);
                    PredictionRow::scored(0, 0, 2020, i, forecast, y)
                })
                .collect()
        };
        for d in [
            Predictive::count(0.4, None),
            Predictive::count(3.0, None),
            Predictive::count(12.0, Some(2.0)),
        ] {
            let rows = rows_for(&d, &d);
            let h = pit_histogram(&rows.iter().collect::<Vec<_>>());
            assert!((h.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            for b in h {
                assert!((b - 0.1).abs() < 0.005, "{d:?}: {h:?}");
            }
        }
        // Overconfident: Poisson forecasts of over-dispersed outcomes pile
        // up in the outer bins.
        let rows = rows_for(
            &Predictive::count(12.0, None),
            &Predictive::count(12.0, Some(2.0)),
        );
        let h = pit_histogram(&rows.iter().collect::<Vec<_>>());
        assert!(h[0] > 0.25 && h[9] > 0.2 && h[4] < 0.05, "{h:?}");
    }

    /// The ensemble combined from its members' backtest forecasts predicts
    /// exactly what it predicts alone, where it fits them itself.
    #[test]
    fn an_ensemble_from_its_members_forecasts_predicts_as_one_fitted_alone() {
        use crate::models::{Ensemble, GlmNegBin, Ses, SpatialEb, Tsb};
        let measures = vec![Measure {
            name: "fires".into(),
            panel: panel(),
        }];
        let origins = [2015, 2016, 2017];
        let alone = run(
            &measures,
            &[Box::new(Ensemble::default()) as Box<dyn Forecaster>],
            &origins,
        );
        let with_members: Vec<Box<dyn Forecaster>> = vec![
            Box::new(Ses),
            Box::new(Ensemble::default()),
            Box::new(SpatialEb),
            Box::new(GlmNegBin),
            Box::new(Tsb::default()),
        ];
        let shared = run(&measures, &with_members, &origins);
        let ensemble_rows = |b: &Backtest, m: usize| -> Vec<PredictionRow> {
            b.rows.iter().filter(|r| r.model == m).copied().collect()
        };
        let (a, b) = (ensemble_rows(&alone, 0), ensemble_rows(&shared, 1));
        assert_eq!(a.len(), 9);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(PredictionRow { model: 1, ..*x }, *y);
        }
        // The rows keep the order of the models.
        let order: Vec<usize> = shared.rows.iter().map(|r| r.model).collect();
        assert!(order.windows(2).all(|w| w[0] <= w[1]));
    }

    /// `riskmap run`'s CRPS-only choice is the leaderboard's, on two
    /// measures (one busy, one sparse) and every built-in model, including
    /// the ensemble (built from its members) and the oracle (never chosen).
    #[test]
    fn the_crps_only_choice_is_the_leaderboards() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |scale: f64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ((x % 1000) as f64 / 1000.0 * scale).floor()
        };
        let mut busy = Vec::new();
        let mut sparse = Vec::new();
        for i in 0..40 {
            let level = 1.0 + (i % 7) as f64 * 3.0;
            busy.push((0..7).map(|_| level + next(level)).collect::<Vec<f64>>());
            sparse.push((0..7).map(|_| (next(3.0) - 1.0).max(0.0)).collect());
        }
        let measures: Vec<Measure> = [("fires", busy), ("forest_fires", sparse)]
            .into_iter()
            .map(|(name, counts)| Measure {
                name: name.into(),
                panel: Panel::from_counts(2015, counts),
            })
            .collect();
        let models: Vec<Box<dyn Forecaster>> = crate::models::NAMES
            .iter()
            .filter_map(|n| crate::models::by_name(n))
            .collect();
        let origins = [2018, 2019, 2020];
        let b = run(&measures, &models, &origins);
        let expected = choose(&b, &leaderboard(&b, None));
        assert_eq!(expected.len(), 2);
        assert!(expected.iter().all(Option::is_some), "{expected:?}");
        assert_eq!(choose_by_crps(&measures, &models, &origins), expected);
        // Measure by measure, costliest models first: the same choice.
        assert_eq!(choose_by_crps_each(&measures, &models, &origins), expected);
        for measure in &measures {
            let one = std::slice::from_ref(measure);
            let b = run(one, &models, &origins);
            assert_eq!(
                choose_by_crps(one, &models, &origins),
                choose(&b, &leaderboard(&b, None))
            );
        }
    }

    #[test]
    fn rolling_origins_fit_only_the_past() {
        let measures = vec![Measure {
            name: "fires".into(),
            panel: panel(),
        }];
        let models: Vec<Box<dyn Forecaster>> = vec![Box::new(Naive), Box::new(Oracle)];
        let b = run(&measures, &models, &[2014, 2015, 2016, 2017, 2018]);
        // Origins 2015..=2017 are valid: 3 origins × 3 townships × 2 models.
        assert_eq!(b.rows.len(), 18);
        let r = b
            .rows
            .iter()
            .find(|r| r.model == 0 && r.origin == 2016 && r.series == 2)
            .unwrap();
        assert_eq!((r.year, r.actual, r.mean), (2017, 9.0, 6.0));
        let board = leaderboard(&b, None);
        assert_eq!(board.len(), 4);
        let naive = &board[1];
        assert_eq!(
            (naive.model.as_str(), naive.measure.as_str(), naive.n),
            ("naive", "all", 9)
        );
        assert_eq!(choose(&b, &board), vec![Some("naive".to_owned())]);
    }
}
