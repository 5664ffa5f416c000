//! Nightly alerts: Kulldorff's prospective space-time scan
//! ([`riskmap_stats::scan`]) per event source and incident category, over
//! the days before the as-of date. Writes `alerts.csv` (one row per alert,
//! empty when nothing is unusual) and one JSON line per alert on stderr;
//! the report opens with them.
//!
//! What goes into each scan (docs/METHODOLOGY.md says why):
//! - days: the study period is the last `study_days` days of data (fewer
//!   when the records begin later), the last day being the day before the
//!   as-of date; windows are 1 to `max_days` days and end on that day;
//! - the model: **Poisson** when the townships have a population. Each
//!   township-day expects population × the township's baseline rate ×
//!   the month's seasonal factor. The baseline rate is Marshall's empirical
//!   Bayes rate per person-day over the `baseline_years` before the study
//!   period; the seasonal factors are the region's monthly rates there,
//!   shrunk towards 1 by 10 cases' worth. The scan scales the expected
//!   counts to the study period's cases, so a region-wide rise is no
//!   cluster. Without any population: the **space-time permutation**
//!   model, which needs none;
//! - circles: each township's representative point (its centroid, or an
//!   interior point when the centroid falls outside it) and
//!   its nearest neighbours by great-circle distance, up to
//!   `max_population_share` of the population (of the study period's cases
//!   for the permutation model) and `max_radius_km` if set.
//!
//! A cluster is an alert when p ≤ 1 / `recurrence_days` and it has at
//! least `min_cases` cases; its recurrence interval is 1/p days (one scan a
//! day).

use std::collections::HashMap;
use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate};
use geo::{Centroid, InteriorPoint};
use riskmap_domain::Source;
use riskmap_stats::scan::{prospective_scan, Counts, Model, ScanOptions};

use crate::config::AlertsConfig;
use crate::error::PipelineError;
use crate::model::Validated;
use crate::stage::Skipped;

/// Most township-circle pairs a scan may hold (Σ circle sizes): about 4,500
/// townships at the default half of the population (a replicate's work
/// grows with it: a province's 0.87M pairs take about 3 ms of wall time a
/// replicate on 2 cores); a nation would need ~10⁹. Beyond it the stage is skipped and says to set
/// `max_radius_km`.
pub const MAX_CIRCLE_ENTRIES: usize = 10_000_000;

/// Which model a scan used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanModel {
    /// Poisson with population and a baseline.
    Poisson,
    /// Space-time permutation.
    Permutation,
}

impl ScanModel {
    /// The key written in `alerts.csv`.
    pub fn key(self) -> &'static str {
        match self {
            ScanModel::Poisson => "poisson",
            ScanModel::Permutation => "space_time_permutation",
        }
    }
}

/// One alert: a cluster of townships with more cases than expected over the
/// last days.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// The event source.
    pub source: Source,
    /// The measure scanned (`incidents`, `incidents:road_traffic`, ...).
    pub measure: String,
    /// 1 for the most likely cluster of the measure, then 2, 3, ... for
    /// secondary clusters.
    pub cluster: usize,
    /// Township indices (code order), the centre first, then by distance.
    pub townships: Vec<usize>,
    /// First and last day of the window.
    pub start: NaiveDate,
    /// The last day of data (the day before the as-of date).
    pub end: NaiveDate,
    /// Cases in the cluster.
    pub observed: f64,
    /// Expected cases.
    pub expected: f64,
    /// SaTScan's relative risk: inside rate over outside rate.
    pub relative_risk: f64,
    /// Log-likelihood ratio.
    pub llr: f64,
    /// Monte Carlo p-value.
    pub p: f64,
    /// 1/p, days.
    pub recurrence_days: f64,
    /// The model.
    pub model: ScanModel,
}

impl Alert {
    /// Length of the window, days.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// What one measure's scan did, for the manifest's stage list.
#[derive(Debug, Clone, PartialEq)]
pub struct Scanned {
    /// The measure.
    pub measure: String,
    /// Cases in the study period.
    pub cases: f64,
    /// Replicates drawn.
    pub replicates: usize,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// The stage's result.
#[derive(Debug, Clone, Default)]
pub struct Alerts {
    /// Alerts, by measure in SPEC order, then cluster.
    pub alerts: Vec<Alert>,
    /// Every measure scanned.
    pub scanned: Vec<Scanned>,
    /// Notes for the manifest's warnings.
    pub notes: Vec<String>,
}

/// The measures scanned: each event source, and each incident category.
fn measures(v: &Validated) -> Vec<(Source, String, Option<&'static str>)> {
    let mut out = Vec::new();
    for source in Source::ALL.iter().copied().filter(|s| s.is_event()) {
        if !v.accepted.iter().any(|a| a.source == source) {
            continue;
        }
        out.push((source, source.stem().to_owned(), None));
        if source == Source::Incidents {
            for cat in riskmap_domain::IncidentCategory::ALL {
                let key = cat.key();
                if v.accepted
                    .iter()
                    .any(|a| a.source == source && a.label == Some(key))
                {
                    out.push((source, format!("{}:{key}", source.stem()), Some(key)));
                }
            }
        }
    }
    out
}

/// Runs the scans. `Err(Skipped)` when the scan cannot run (no dated
/// events, or circles too large for the region).
pub fn scan(
    v: &Validated,
    exposure: &HashMap<(usize, i32), f64>,
    config: &AlertsConfig,
) -> Result<Alerts, Skipped> {
    let skipped = |reason: String, reason_zh: String| Skipped {
        stage: "alerts".into(),
        reason,
        reason_zh,
    };
    let n = v.townships.len();
    let last = v.as_of.pred_opt().unwrap_or(v.as_of);
    let first = v
        .accepted
        .iter()
        .filter(|a| a.source.is_event())
        .filter_map(|a| a.when.map(|t| t.date()))
        .filter(|d| *d <= last)
        .min();
    let Some(first) = first else {
        return Err(skipped(
            "alerts: no dated incident, fire, forest-fire or geohazard record to scan".into(),
            "近期预警：没有带日期的事故、火灾、森林火灾或地质灾害记录，无法扫描".into(),
        ));
    };
    let days = ((last - first).num_days() + 1).clamp(1, config.study_days as i64) as usize;
    let start = last - Duration::days(days as i64 - 1);
    let baseline_start = (start - Duration::days(365 * config.baseline_years as i64)).max(first);
    let population = Population::new(v, exposure);
    let points = representative_points(v);
    let order = NearestOrder::new(&points);
    let mut out = Alerts::default();
    if population.filled > 0 && population.filled < n {
        out.notes.push(format!(
            "alerts: {} township(s) have no population; the scan gives them the median township's",
            population.filled
        ));
    }
    let model = if population.any {
        ScanModel::Poisson
    } else {
        ScanModel::Permutation
    };
    let options = ScanOptions {
        max_days: config.max_days,
        replicates: config.replicates,
        seed: config.seed,
        alpha: 1.0 / config.recurrence_days,
        max_clusters: 5,
    };
    let poisson_circles = match model {
        ScanModel::Poisson => {
            let size: Vec<f64> = (0..n).map(|i| population.at(i, last.year())).collect();
            let circles = order.circles(&size, config, MAX_CIRCLE_ENTRIES);
            Some(circles.map_err(|_| too_large(config, &skipped))?)
        }
        ScanModel::Permutation => None,
    };
    for (source, measure, label) in measures(v) {
        let t = Instant::now();
        let mut cases = vec![0u32; n * days];
        let mut baseline = vec![0.0; n];
        let mut by_month = [0.0; 12];
        for a in v
            .accepted
            .iter()
            .filter(|a| a.source == source && (label.is_none() || a.label == label))
        {
            let Some(date) = a.when.map(|w| w.date()) else {
                continue;
            };
            if date >= start && date <= last {
                cases[a.township * days + (date - start).num_days() as usize] += 1;
            } else if date >= baseline_start && date < start {
                baseline[a.township] += 1.0;
                by_month[date.month0() as usize] += 1.0;
            }
        }
        let total: u32 = cases.iter().sum();
        if total == 0 {
            continue;
        }
        let (expected, circles_own);
        let (scan_model, circles) = match &poisson_circles {
            Some(circles) => {
                expected = poisson_expected(
                    &population,
                    &baseline,
                    &by_month,
                    (baseline_start, start),
                    (start, days),
                );
                let model = if config.adjust_township_level {
                    Model::PoissonByTownship(&expected)
                } else {
                    Model::Poisson(&expected)
                };
                (model, circles)
            }
            None => {
                let size: Vec<f64> = (0..n)
                    .map(|i| cases[i * days..(i + 1) * days].iter().sum::<u32>() as f64)
                    .collect();
                circles_own = order
                    .circles(&size, config, MAX_CIRCLE_ENTRIES)
                    .map_err(|_| too_large(config, &skipped))?;
                (Model::SpaceTimePermutation, &circles_own)
            }
        };
        let counts = Counts {
            cases: &cases,
            townships: n,
            days,
        };
        // A scan that cannot run (all expected counts 0) is a note, not a failure.
        let result = match prospective_scan(counts, scan_model, circles, &options) {
            Ok(r) => r,
            Err(e) => {
                out.notes
                    .push(format!("alerts: {measure}: not scanned: {e}"));
                continue;
            }
        };
        for (k, c) in result.clusters.iter().enumerate() {
            if c.significant(&options) && c.observed >= config.min_cases as f64 {
                out.alerts.push(Alert {
                    source,
                    measure: measure.clone(),
                    cluster: k + 1,
                    townships: c.townships.clone(),
                    start: last - Duration::days(c.days as i64 - 1),
                    end: last,
                    observed: c.observed,
                    expected: c.expected,
                    relative_risk: c.relative_risk,
                    llr: c.llr,
                    p: c.p,
                    recurrence_days: 1.0 / c.p,
                    model,
                });
            }
        }
        out.scanned.push(Scanned {
            measure,
            cases: result.total,
            replicates: result.replicates_run,
            seconds: t.elapsed().as_secs_f64(),
        });
    }
    Ok(out)
}

fn too_large(config: &AlertsConfig, skipped: &dyn Fn(String, String) -> Skipped) -> Skipped {
    skipped(
        format!(
            "alerts: circles up to {:.0}% of the population would hold more than {MAX_CIRCLE_ENTRIES} township entries in all (too many townships for circles this large); set alerts.max_radius_km (e.g. 30) or a smaller alerts.max_population_share in riskmap.toml",
            config.max_population_share * 100.0
        ),
        format!(
            "近期预警：扫描圆覆盖{:.0}%人口时乡镇条目合计超过{MAX_CIRCLE_ENTRIES}个（乡镇过多），请在 riskmap.toml 中设置 alerts.max_radius_km（如 30）或调小 alerts.max_population_share",
            config.max_population_share * 100.0
        ),
    )
}

/// Population per township and year, with the median township's where a
/// township has none.
struct Population<'a> {
    exposure: &'a HashMap<(usize, i32), f64>,
    fallback: Vec<f64>,
    /// Any township has a population.
    any: bool,
    /// Townships that had none and got the median.
    filled: usize,
}

impl<'a> Population<'a> {
    fn new(v: &Validated, exposure: &'a HashMap<(usize, i32), f64>) -> Population<'a> {
        let n = v.townships.len();
        // Each township's latest known population, else the median of those.
        let mut latest: Vec<Option<(i32, f64)>> = vec![None; n];
        for (&(t, year), &p) in exposure {
            if p > 0.0 && latest[t].is_none_or(|(y, _)| year > y) {
                latest[t] = Some((year, p));
            }
        }
        let mut known: Vec<f64> = latest.iter().flatten().map(|(_, p)| *p).collect();
        known.sort_by(f64::total_cmp);
        let median = known.get(known.len() / 2).copied().unwrap_or(1.0);
        Population {
            exposure,
            any: !known.is_empty(),
            filled: latest.iter().filter(|l| l.is_none()).count(),
            fallback: latest
                .iter()
                .map(|l| l.map_or(median, |(_, p)| p))
                .collect(),
        }
    }

    fn at(&self, t: usize, year: i32) -> f64 {
        self.exposure
            .get(&(t, year))
            .copied()
            .filter(|p| *p > 0.0)
            .unwrap_or(self.fallback[t])
    }
}

/// Expected cases per township and day of the study period (Poisson
/// model): population × baseline rate × seasonal factor.
fn poisson_expected(
    population: &Population,
    baseline: &[f64],
    by_month: &[f64; 12],
    (b_start, b_end): (NaiveDate, NaiveDate),
    (start, days): (NaiveDate, usize),
) -> Vec<f64> {
    let n = baseline.len();
    let b_days: Vec<NaiveDate> = b_start.iter_days().take_while(|d| *d < b_end).collect();
    let total: f64 = baseline.iter().sum();
    // Rates per person-day: Marshall's empirical Bayes over the baseline.
    let rates = if total > 0.0 && !b_days.is_empty() {
        let mut days_in: std::collections::BTreeMap<i32, f64> = Default::default();
        for d in &b_days {
            *days_in.entry(d.year()).or_default() += 1.0;
        }
        let mut person_days = vec![0.0; n];
        for (&year, &k) in &days_in {
            for (t, pd) in person_days.iter_mut().enumerate() {
                *pd += k * population.at(t, year);
            }
        }
        riskmap_stats::rates::empirical_bayes(baseline, &person_days)
            .ok()
            .filter(|r| r.iter().all(|x| *x > 0.0 && x.is_finite()))
    } else {
        None
    }
    .unwrap_or_else(|| vec![1.0; n]);
    // Seasonal factors: each month's daily rate over the baseline's, shrunk
    // towards 1 by PRIOR_CASES cases; 1 for a month the baseline lacks.
    const PRIOR_CASES: f64 = 10.0;
    let mut month_days = [0.0; 12];
    for d in &b_days {
        month_days[d.month0() as usize] += 1.0;
    }
    let all_days = b_days.len() as f64;
    let season: Vec<f64> = (0..12)
        .map(|m| {
            if month_days[m] == 0.0 || total == 0.0 {
                return 1.0;
            }
            let share = month_days[m] / all_days;
            (by_month[m] + PRIOR_CASES * share) / (total * share + PRIOR_CASES * share)
        })
        .collect();
    let mut expected = vec![0.0; n * days];
    let mut year_pop: (i32, Vec<f64>) = (i32::MIN, Vec::new());
    for (d, date) in start.iter_days().take(days).enumerate() {
        if year_pop.0 != date.year() {
            year_pop = (
                date.year(),
                (0..n).map(|t| population.at(t, date.year())).collect(),
            );
        }
        let s = season[date.month0() as usize];
        for t in 0..n {
            expected[t * days + d] = rates[t] * year_pop.1[t] * s;
        }
    }
    expected
}

/// Each township's representative point: its centroid when the centroid
/// lies in it (found through the join's index, cheaply), else an interior
/// point (a crescent's centroid lies outside), as the maps place labels.
/// geo's interior point for every township took 3.4 s of a nation's run.
fn representative_points(v: &Validated) -> Vec<[f64; 2]> {
    use rayon::prelude::*;
    v.index
        .polygons()
        .par_iter()
        .enumerate()
        .map(|(t, mp)| {
            mp.centroid()
                .filter(|c| v.index.locate([c.x(), c.y()]) == Some(t))
                .or_else(|| mp.interior_point())
                .map_or([0.0, 0.0], |p| [p.x(), p.y()])
        })
        .collect()
}

/// The circles would hold more townships in all than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TooLarge;

/// Townships in order of great-circle distance from each other, through an
/// R-tree of unit vectors (chord length orders as arc length does).
struct NearestOrder {
    tree: rstar::RTree<rstar::primitives::GeomWithData<[f64; 3], usize>>,
    unit: Vec<[f64; 3]>,
}

const EARTH_RADIUS_KM: f64 = 6371.0088;

impl NearestOrder {
    fn new(points: &[[f64; 2]]) -> NearestOrder {
        let unit: Vec<[f64; 3]> = points
            .iter()
            .map(|[lon, lat]| {
                let (lon, lat) = (lon.to_radians(), lat.to_radians());
                [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
            })
            .collect();
        let tree = rstar::RTree::bulk_load(
            unit.iter()
                .enumerate()
                .map(|(i, u)| rstar::primitives::GeomWithData::new(*u, i))
                .collect(),
        );
        NearestOrder { tree, unit }
    }

    /// Each township's circle: itself, then its nearest neighbours (ties by
    /// index) while the circle holds at most `max_population_share` of
    /// `size` and lies within `max_radius_km`. `Err` when the circles would
    /// hold more than `limit` townships in all: at once when 64 circles
    /// spread over the region say so with room to spare (twice the limit:
    /// a nation decides in a fraction of a second), else as soon as the
    /// circles built pass it, before they fill memory.
    fn circles(
        &self,
        size: &[f64],
        config: &AlertsConfig,
        limit: usize,
    ) -> Result<Vec<Vec<usize>>, TooLarge> {
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let n = self.unit.len();
        let total: f64 = size.iter().sum();
        let cap = config.max_population_share * total;
        // Chord length of the radius on the unit sphere.
        let chord = config.max_radius_km.map(|r| {
            2.0 * (r / EARTH_RADIUS_KM / 2.0)
                .min(std::f64::consts::FRAC_PI_2)
                .sin()
        });
        const SAMPLE: usize = 64;
        if n > 4 * SAMPLE {
            let sampled: usize = (0..SAMPLE)
                .into_par_iter()
                .map(|k| {
                    self.circle(k * n / SAMPLE, size, cap, chord, &|| false)
                        .len()
                })
                .sum();
            if sampled as f64 / SAMPLE as f64 * n as f64 > 2.0 * limit as f64 {
                return Err(TooLarge);
            }
        }
        let held_in_all = AtomicUsize::new(0);
        let over = || held_in_all.load(Ordering::Relaxed) > limit;
        let circles: Vec<Vec<usize>> = (0..n)
            .into_par_iter()
            .map(|j| {
                if over() {
                    return Vec::new();
                }
                let circle = self.circle(j, size, cap, chord, &over);
                held_in_all.fetch_add(circle.len(), Ordering::Relaxed);
                circle
            })
            .collect();
        if over() {
            return Err(TooLarge);
        }
        Ok(circles)
    }

    /// Township `j`'s circle (see [`NearestOrder::circles`]); the walk also
    /// ends when `stop` says so, checked every 1,024 townships.
    fn circle(
        &self,
        j: usize,
        size: &[f64],
        cap: f64,
        chord: Option<f64>,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Vec<usize> {
        let mut circle = vec![j];
        let mut held = size[j];
        // Neighbours come nearest first; equal distances by index.
        let mut pending: Vec<(f64, usize)> = Vec::new();
        let mut take = |circle: &mut Vec<usize>, i: usize| -> bool {
            if held + size[i] > cap {
                return false;
            }
            held += size[i];
            circle.push(i);
            true
        };
        'walk: for g in self
            .tree
            .nearest_neighbor_iter_with_distance_2(&self.unit[j])
        {
            let (i, d2) = (g.0.data, g.1);
            if i == j {
                continue;
            }
            if chord.is_some_and(|c| d2 > c * c) || (circle.len() % 1024 == 0 && stop()) {
                break;
            }
            if pending.first().is_some_and(|p| p.0 != d2) {
                pending.sort_by_key(|p| p.1);
                for (_, k) in pending.drain(..) {
                    if !take(&mut circle, k) {
                        break 'walk;
                    }
                }
            }
            pending.push((d2, i));
        }
        pending.sort_by_key(|p| p.1);
        for (_, k) in pending.drain(..) {
            if !take(&mut circle, k) {
                break;
            }
        }
        circle
    }
}

/// Writes `alerts.csv`.
pub fn write(
    v: &Validated,
    alerts: &Alerts,
    dir: &std::path::Path,
) -> Result<Vec<&'static str>, PipelineError> {
    use polars::prelude::{Column, DataFrame, PlSmallStr};
    let a = &alerts.alerts;
    let text = |name: &str, f: &dyn Fn(&Alert) -> String| {
        Column::new(
            PlSmallStr::from(name),
            a.iter().map(f).collect::<Vec<String>>(),
        )
    };
    let num = |name: &str, f: &dyn Fn(&Alert) -> f64| {
        Column::new(
            PlSmallStr::from(name),
            a.iter().map(f).collect::<Vec<f64>>(),
        )
    };
    let join = |x: &Alert, f: &dyn Fn(usize) -> String| {
        x.townships
            .iter()
            .map(|&t| f(t))
            .collect::<Vec<_>>()
            .join(";")
    };
    let mut df = DataFrame::new(
        a.len(),
        vec![
            text("source", &|x| x.source.stem().to_owned()),
            text("measure", &|x| x.measure.clone()),
            Column::new(
                PlSmallStr::from("cluster"),
                a.iter().map(|x| x.cluster as i64).collect::<Vec<_>>(),
            ),
            text("townships", &|x| join(x, &|t| v.townships[t].code.clone())),
            text("start", &|x| x.start.to_string()),
            text("end", &|x| x.end.to_string()),
            num("observed", &|x| x.observed),
            num("expected", &|x| round(x.expected, 4)),
            num("relative_risk", &|x| round(x.relative_risk, 4)),
            num("llr", &|x| round(x.llr, 6)),
            num("p", &|x| x.p),
            num("recurrence_days", &|x| round(x.recurrence_days, 1)),
            text("names", &|x| join(x, &|t| v.townships[t].name.clone())),
            Column::new(
                PlSmallStr::from("days"),
                a.iter().map(|x| x.days()).collect::<Vec<_>>(),
            ),
            text("model", &|x| x.model.key().to_owned()),
        ],
    )
    .map_err(|e| PipelineError::Internal(e.to_string()))?;
    riskmap_io::write_table(&mut df, &dir.join("alerts.csv"))?;
    Ok(vec!["alerts.csv"])
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// One JSON line per alert on stderr.
pub fn log(v: &Validated, alerts: &Alerts) {
    for a in &alerts.alerts {
        let mut m = serde_json::Map::new();
        m.insert("source".into(), a.source.stem().into());
        m.insert("measure".into(), a.measure.clone().into());
        m.insert("cluster".into(), a.cluster.into());
        m.insert(
            "townships".into(),
            a.townships
                .iter()
                .map(|&t| serde_json::Value::from(v.townships[t].code.clone()))
                .collect(),
        );
        m.insert(
            "names".into(),
            a.townships
                .iter()
                .map(|&t| serde_json::Value::from(v.townships[t].name.clone()))
                .collect(),
        );
        m.insert("start".into(), a.start.to_string().into());
        m.insert("end".into(), a.end.to_string().into());
        m.insert("observed".into(), a.observed.into());
        m.insert("expected".into(), round(a.expected, 4).into());
        m.insert("relative_risk".into(), round(a.relative_risk, 4).into());
        m.insert("llr".into(), round(a.llr, 6).into());
        m.insert("p".into(), a.p.into());
        m.insert("recurrence_days".into(), round(a.recurrence_days, 1).into());
        m.insert(
            "message".into(),
            format!(
                "{} {} in {} over the last {} days, {:.1} times the {:.1} expected",
                a.observed,
                a.measure,
                a.townships
                    .iter()
                    .map(|&t| v.townships[t].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                a.days(),
                a.observed / a.expected,
                a.expected
            )
            .into(),
        );
        crate::progress::alert(m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 10 × 10 lattice of townships 0.05° apart.
    fn lattice() -> Vec<[f64; 2]> {
        (0..100)
            .map(|k| {
                [
                    120.0 + 0.05 * (k % 10) as f64,
                    30.0 + 0.05 * (k / 10) as f64,
                ]
            })
            .collect()
    }

    fn unit([lon, lat]: [f64; 2]) -> [f64; 3] {
        let (lon, lat) = (lon.to_radians(), lat.to_radians());
        [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
    }

    #[test]
    fn circles_are_the_nearest_townships_up_to_the_share_and_the_radius() {
        let points = lattice();
        let order = NearestOrder::new(&points);
        let size = vec![1.0; 100];
        let config = AlertsConfig::default();
        let circles = order.circles(&size, &config, usize::MAX).unwrap();
        for (j, circle) in circles.iter().enumerate() {
            // Half of the population: 50 townships, the centre first, then
            // by distance, equal distances by index, as a brute force says.
            assert_eq!(circle.len(), 50);
            let d2 = |i: usize| {
                let (a, b) = (unit(points[j]), unit(points[i]));
                (0..3).map(|k| (a[k] - b[k]).powi(2)).sum::<f64>()
            };
            let mut want: Vec<usize> = (0..100).filter(|&i| i != j).collect();
            want.sort_by(|&a, &b| d2(a).total_cmp(&d2(b)).then(a.cmp(&b)));
            assert_eq!(circle[0], j);
            assert_eq!(&circle[1..], &want[..49], "centre {j}");
        }
        // A radius under the spacing (~4.8 km east-west, 5.6 km north-south)
        // leaves each township alone; 6 km takes its 4 nearest neighbours at most.
        let small = AlertsConfig {
            max_radius_km: Some(4.0),
            ..AlertsConfig::default()
        };
        let c = order.circles(&size, &small, usize::MAX).unwrap();
        assert!(c.iter().enumerate().all(|(j, c)| c == &vec![j]));
        let six = AlertsConfig {
            max_radius_km: Some(6.0),
            ..AlertsConfig::default()
        };
        let c = order.circles(&size, &six, usize::MAX).unwrap();
        assert_eq!(c[55].len(), 5);
        assert!(c.iter().all(|c| (3..=5).contains(&c.len())));
    }

    #[test]
    fn circles_past_the_limit_stop_early_with_an_error() {
        let order = NearestOrder::new(&lattice());
        let size = vec![1.0; 100];
        let config = AlertsConfig::default();
        assert_eq!(order.circles(&size, &config, 1_000), Err(TooLarge));
        assert!(order.circles(&size, &config, 5_000).is_ok());
        // 900 townships: 64 sampled circles of 450 say 405,000 in all, over
        // twice a limit of 150,000, and the walk stops there; 405,000 fits
        // a limit of 410,000.
        let big: Vec<[f64; 2]> = (0..900)
            .map(|k| {
                [
                    120.0 + 0.05 * (k % 30) as f64,
                    30.0 + 0.05 * (k / 30) as f64,
                ]
            })
            .collect();
        let order = NearestOrder::new(&big);
        let size = vec![1.0; 900];
        assert_eq!(order.circles(&size, &config, 150_000), Err(TooLarge));
        let circles = order.circles(&size, &config, 410_000).unwrap();
        assert_eq!(circles.iter().map(Vec::len).sum::<usize>(), 405_000);
    }
}
