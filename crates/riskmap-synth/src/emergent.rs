//! Emergent clusters: a few neighbouring townships where one measure runs
//! at several times its usual rate over the last days of the data, as a
//! nightly alert should find them. The generator injects them, seeded, into
//! some regions ([`Emergent`]) and writes them to
//! `truth/emergent_clusters.csv`; a null region has none.
//!
//! A cluster is a centre township and its nearest neighbours (by town
//! site), one measure (fires, road-traffic or industrial-trade accidents),
//! a relative risk of 3 to 6 and a window of 10 to 30 days ending on the
//! last day of the data. Townships are added, up to [`MAX_TOWNS`], until
//! the window's usual count reaches [`MIN_BASELINE`] cases, so that the
//! cluster is one a scan could find at all. Extra events are drawn per
//! township and day, Poisson with mean (risk − 1) × the usual daily
//! expectation, and placed as that measure's events are.

use chrono::{Datelike, NaiveDate};

use crate::assets::TownAssets;
use crate::events::{draw, Draft};
use crate::frame::Frame;
use crate::intensity::{expected_by_month, MeasureSpec, TownEffect};
use crate::region::Town;
use crate::rng::Stream;
use crate::terrain::Terrain;

/// Whether a region gets emergent clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Emergent {
    /// Decided by the seed: half of the seeds get one or two clusters.
    #[default]
    Auto,
    /// None: a null region.
    None,
    /// This many clusters (at most 5).
    Count(u8),
}

/// A cluster's usual count over its window is at least this many cases.
pub const MIN_BASELINE: f64 = 4.0;

/// Most townships in a cluster.
pub const MAX_TOWNS: usize = 6;

/// The measures a cluster may be of, with their weights.
const MEASURES: [(&str, f64); 3] = [
    ("fires", 0.5),
    ("incidents:road_traffic", 0.3),
    ("incidents:industrial_trade", 0.2),
];

/// One injected cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The measure.
    pub measure: &'static str,
    /// Township indices (code order), the centre first.
    pub towns: Vec<usize>,
    /// First and last day.
    pub start: NaiveDate,
    /// The last day of the data.
    pub end: NaiveDate,
    /// Rate inside over the usual rate.
    pub relative_risk: f64,
    /// Usual (expected) count over the window in these townships.
    pub baseline: f64,
    /// Events added.
    pub injected: usize,
}

/// Everything the clusters are drawn from.
pub struct Inputs<'a> {
    /// Seed of the region.
    pub seed: u64,
    /// Townships.
    pub towns: &'a [Town],
    /// Their assets.
    pub assets: &'a [TownAssets],
    /// Measures.
    pub specs: &'a [MeasureSpec],
    /// Effects per measure, then township.
    pub effects: &'a [Vec<TownEffect>],
    /// Local frame.
    pub frame: &'a Frame,
    /// Terrain.
    pub terrain: &'a Terrain,
    /// Last data year (clusters end on its 31 December).
    pub last_year: i32,
}

/// Plans and draws the clusters: the clusters and their extra events.
pub fn inject(how: Emergent, x: &Inputs<'_>) -> (Vec<Cluster>, Vec<Draft>) {
    let mut rng = Stream::new(x.seed, "emergent", 0);
    let count = match how {
        Emergent::None => 0,
        Emergent::Count(k) => usize::from(k.min(5)),
        Emergent::Auto => {
            if rng.chance(0.5) {
                1 + rng.below(2)
            } else {
                0
            }
        }
    };
    let end = NaiveDate::from_ymd_opt(x.last_year, 12, 31).expect("a valid year");
    let mut used = vec![false; x.towns.len()];
    let mut clusters = Vec::new();
    let mut drafts = Vec::new();
    let mut attempts = 0;
    while clusters.len() < count && attempts < 50 {
        attempts += 1;
        let weights: Vec<f64> = MEASURES.iter().map(|m| m.1).collect();
        let measure = MEASURES[rng.weighted(&weights)].0;
        let Some(k) = x.specs.iter().position(|s| s.name == measure) else {
            continue;
        };
        let days = 10 + rng.below(21) as i64;
        let start = end - chrono::Duration::days(days - 1);
        let relative_risk = (rng.range(3.0, 6.0) * 10.0).round() / 10.0;
        let centre = rng.below(x.towns.len());
        if used[centre] {
            continue;
        }
        // Nearest townships by site, until the window's usual count is enough.
        let mut order: Vec<usize> = (0..x.towns.len()).filter(|&i| !used[i]).collect();
        let site = x.towns[centre].site;
        let d2 = |i: usize| {
            let s = x.towns[i].site;
            (s[0] - site[0]).powi(2) + (s[1] - site[1]).powi(2)
        };
        order.sort_by(|&a, &b| d2(a).total_cmp(&d2(b)).then(a.cmp(&b)));
        let daily = |t: usize, date: NaiveDate| -> f64 {
            let months = expected_by_month(
                &x.specs[k],
                &x.effects[k][t],
                &x.towns[t],
                &x.assets[t],
                date.year(),
                x.last_year,
            );
            months[date.month0() as usize] / days_in_month(date) as f64
        };
        let mut towns = Vec::new();
        let mut baseline = 0.0;
        for &t in order.iter().take(MAX_TOWNS) {
            towns.push(t);
            baseline += start
                .iter_days()
                .take(days as usize)
                .map(|d| daily(t, d))
                .sum::<f64>();
            if baseline >= MIN_BASELINE {
                break;
            }
        }
        if baseline < MIN_BASELINE {
            continue;
        }
        let mut injected = 0;
        for &t in &towns {
            used[t] = true;
            for date in start.iter_days().take(days as usize) {
                let extra = rng.poisson((relative_risk - 1.0) * daily(t, date));
                for _ in 0..extra {
                    let mut d = draw(
                        &mut rng,
                        measure,
                        t,
                        &x.towns[t],
                        &x.assets[t],
                        x.frame,
                        x.terrain,
                        date.year(),
                        date.month(),
                    );
                    // Same time of day, on the cluster's day.
                    d.when = date.and_time(d.when.time());
                    d.row[1] = d.when.format("%Y-%m-%dT%H:%M:%S").to_string().into();
                    drafts.push(d);
                    injected += 1;
                }
            }
        }
        clusters.push(Cluster {
            measure,
            towns,
            start,
            end,
            relative_risk,
            baseline,
            injected,
        });
    }
    (clusters, drafts)
}

fn days_in_month(d: NaiveDate) -> u32 {
    let first = d.with_day(1).expect("day 1 exists");
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .expect("a date in range");
    (next - first).num_days() as u32
}
