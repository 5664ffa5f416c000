//! Each indicator's raw value, computed from a [`TownshipInput`] (with event
//! counts resampled for the Monte Carlo), and the words a planner reads when
//! it pushes a township up. What the indicators are is the catalogue,
//! [`crate::catalog`].

use rand::Rng;
use rand_distr::{Distribution, Poisson};

pub use crate::catalog::{id, index_of, Dimension, IndicatorDef, INDICATORS};
use crate::config::ScoreConfig;
use crate::eb::marshall_global;
use crate::input::{RegionInput, Series, Supervision, TownshipInput};

/// Recency weights and year exposures of the series positions in the window.
#[derive(Debug, Clone)]
pub struct Window {
    /// (position in the series, recency weight, share of the year covered).
    pub years: Vec<(usize, f64, f64)>,
}

impl Window {
    /// The window of `cfg.window_years` years ending with the as-of year.
    pub fn new(region: &RegionInput, cfg: &ScoreConfig) -> Window {
        let n = (region.as_of_year - region.first_year + 1).max(0) as usize;
        let first = n.saturating_sub(cfg.window_years);
        let years = (first..n)
            .map(|k| {
                let age = (n - 1 - k) as f64;
                let share = if k + 1 == n {
                    region.year_fraction.clamp(1e-3, 1.0)
                } else {
                    1.0
                };
                (k, 0.5f64.powf(age / cfg.half_life_years), share)
            })
            .collect();
        Window { years }
    }

    /// Recency-weighted events a year: Σ w·v / Σ w·share.
    pub fn annual(&self, values: &[f64]) -> f64 {
        let (num, den) = self.years.iter().fold((0.0, 0.0), |(a, b), &(k, w, s)| {
            (a + w * values.get(k).copied().unwrap_or(0.0), b + w * s)
        });
        if den > 0.0 {
            num / den
        } else {
            0.0
        }
    }

    /// Σ w·share: the weighted years of exposure.
    pub fn weighted_years(&self) -> f64 {
        self.years.iter().map(|&(_, w, s)| w * s).sum()
    }
}

/// A yearly harm series in the window: events and severity-weighted harm.
fn harm(series: &[&Series], cfg: &ScoreConfig, len: usize) -> (Vec<f64>, Vec<f64>) {
    let mut counts = vec![0.0; len];
    let mut harm = vec![0.0; len];
    for s in series {
        for k in 0..len {
            let c = s.counts.get(k).copied().unwrap_or(0.0);
            counts[k] += c;
            harm[k] += c
                + cfg.death_weight * s.deaths.get(k).copied().unwrap_or(0.0)
                + cfg.injury_weight * s.injuries.get(k).copied().unwrap_or(0.0);
        }
    }
    (counts, harm)
}

/// Resamples a yearly series in place: counts are Poisson with the observed
/// count as mean, and harm keeps its observed harm per event.
fn resample<R: Rng>(counts: &mut [f64], harm: &mut [f64], window: &Window, rng: &mut R) {
    for &(k, _, _) in &window.years {
        let c = counts[k];
        if c > 0.0 {
            let per_event = harm[k] / c;
            let drawn = Poisson::new(c).map(|p| p.sample(rng)).unwrap_or(c);
            counts[k] = drawn;
            harm[k] = drawn * per_event;
        }
    }
}

/// Raw indicator values: `values[township][indicator]`, `None` where the
/// source is missing. With `rng`, event counts are resampled first.
pub fn raw_values<R: Rng>(
    region: &RegionInput,
    cfg: &ScoreConfig,
    window: &Window,
    mut rng: Option<&mut R>,
) -> Vec<Vec<Option<f64>>> {
    let len = (region.as_of_year - region.first_year + 1).max(0) as usize;
    let n_ind = INDICATORS.len();
    let mut out = vec![vec![None; n_ind]; region.townships.len()];
    // Rate indicators need every township's weighted harm first (EB pools them).
    let mut accident_harm = vec![None; region.townships.len()];
    let mut fire_harm = vec![None; region.townships.len()];
    let recent = 2usize.min(window.years.len());
    for (i, t) in region.townships.iter().enumerate() {
        let v = &mut out[i];
        let mut set = |k: usize, x: Option<f64>| v[k] = x.filter(|x| x.is_finite());
        if let Some(inc) = &t.incidents {
            let refs: Vec<&Series> = inc.iter().collect();
            let (mut counts, mut h) = harm(&refs, cfg, len);
            if let Some(r) = rng.as_deref_mut() {
                if cfg.uncertainty.resample_counts {
                    resample(&mut counts, &mut h, window, r);
                }
            }
            let a = window.annual(&h);
            set(id::ACCIDENTS, Some(a));
            accident_harm[i] = Some(a * window.weighted_years());
            if window.years.len() > recent {
                let rate = |ys: &[(usize, f64, f64)]| {
                    let (c, e) = ys
                        .iter()
                        .fold((0.0, 0.0), |(c, e), &(k, _, s)| (c + counts[k], e + s));
                    c / e
                };
                let split = window.years.len() - recent;
                let trend = ((rate(&window.years[split..]) + 1.0)
                    / (rate(&window.years[..split]) + 1.0))
                    .ln();
                set(id::ACCIDENT_TREND, Some(trend));
            }
        }
        if let Some(f) = &t.fires {
            // The count and the rate use events; casualties are their own
            // indicator and keep their number per fire when fires are resampled.
            let mut counts: Vec<f64> = (0..len)
                .map(|k| f.counts.get(k).copied().unwrap_or(0.0))
                .collect();
            let mut casualties: Vec<f64> = (0..len)
                .map(|k| {
                    f.deaths.get(k).copied().unwrap_or(0.0)
                        + f.injuries.get(k).copied().unwrap_or(0.0)
                })
                .collect();
            if let Some(r) = rng.as_deref_mut() {
                if cfg.uncertainty.resample_counts {
                    resample(&mut counts, &mut casualties, window, r);
                }
            }
            let a = window.annual(&counts);
            set(id::FIRES, Some(a));
            set(id::FIRE_CASUALTIES, Some(window.annual(&casualties)));
            fire_harm[i] = Some(a * window.weighted_years());
        }
        for (k, series) in [
            (id::FOREST_FIRES, &t.forest_fires),
            (id::GEOHAZARD_EVENTS, &t.geohazard_events),
        ] {
            if let Some(s) = series {
                let mut counts: Vec<f64> = (0..len)
                    .map(|k| s.counts.get(k).copied().unwrap_or(0.0))
                    .collect();
                let mut h = counts.clone();
                if let Some(r) = rng.as_deref_mut() {
                    if cfg.uncertainty.resample_counts {
                        resample(&mut counts, &mut h, window, r);
                    }
                }
                set(k, Some(window.annual(&counts)));
            }
        }
        if let Some(e) = &t.enterprises {
            set(
                id::HIGH_RISK_ENTERPRISES,
                Some(e.high_risk / t.area_km2.max(1e-6)),
            );
            set(id::MAJOR_HAZARD_SOURCES, Some(e.major_hazard_sources));
            set(id::NEW_HIGH_RISK_ENTERPRISES, e.new_high_risk);
        }
        if let Some(h) = &t.hidden_hazards {
            let w = &cfg.hidden_hazards;
            let majors: f64 = Supervision::ALL
                .iter()
                .map(|s| {
                    w.major[s.index()]
                        * (h.open_major[s.index()] + w.overdue_factor * h.overdue_major[s.index()])
                })
                .sum();
            set(
                id::HIDDEN_HAZARDS,
                Some(w.general * (h.open_general + w.overdue_factor * h.overdue_general) + majors),
            );
        }
        set(id::PIPELINES, t.pipelines_km);
        set(id::SCENIC_VISITORS, t.scenic_visitors);
        if let Some(r) = &t.raster {
            set(id::FOREST_AREA, r.forest_ha);
            set(id::FOREST_COVER, r.forest_cover);
            set(id::STEEP_SHARE, r.steep_share);
            set(id::ELEVATION, r.mean_elevation_m);
        }
        if let Some(s) = &t.geohazard_sites {
            set(id::GEOHAZARD_SITES, Some(s.active));
            set(id::GEOHAZARD_PEOPLE, s.threatened_people);
        }
        if let Some(c) = &t.communities {
            set(id::OLD_COMMUNITIES, c.old);
            set(id::HIGHRISE_COMMUNITIES, c.highrise);
        }
        set(
            id::SHELTER_CAPACITY,
            t.shelter_capacity
                .zip(t.population)
                .filter(|(_, p)| *p > 0.0)
                .map(|(c, p)| c / p * 1000.0),
        );
        set(id::FIRE_STATION_DISTANCE, t.fire_station_distance_km);
    }
    // Empirical-Bayes rates per 10,000 people, pooled over the townships that
    // have both the events and a population.
    let weighted_years = window.weighted_years();
    for (k, harm) in [
        (id::ACCIDENT_RATE, &accident_harm),
        (id::FIRE_RATE, &fire_harm),
    ] {
        let idx: Vec<usize> = (0..region.townships.len())
            .filter(|&i| {
                harm[i].is_some() && region.townships[i].population.is_some_and(|p| p > 0.0)
            })
            .collect();
        let y: Vec<f64> = idx.iter().map(|&i| harm[i].expect("filtered")).collect();
        let n: Vec<f64> = idx
            .iter()
            .map(|&i| region.townships[i].population.expect("filtered") / 1e4 * weighted_years)
            .collect();
        if let Some(rates) = marshall_global(&y, &n) {
            for (j, &i) in idx.iter().enumerate() {
                out[i][k] = Some(rates[j]).filter(|x| x.is_finite());
            }
        }
    }
    out
}

fn fmt_n(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

/// The planner's phrase for indicator `k` of township `t` with raw value
/// `raw` (region median `median`): (Chinese, English).
pub fn phrase(
    k: usize,
    t: &TownshipInput,
    raw: f64,
    median: f64,
    cfg: &ScoreConfig,
) -> (String, String) {
    let n = fmt_n(raw);
    let m = fmt_n(median);
    let years = cfg.window_years;
    match INDICATORS[k].id {
        "accidents" => (format!("近{years}年年均生产安全事故{n}起（含死亡加权，全域乡镇中位数{m}）"), format!("{n} production-safety accidents a year over {years} years, deaths weighted (median township {m})")),
        "accident_rate" => (format!("生产安全事故率每万人{raw:.2}起（中位数{median:.2}）"), format!("accident rate {raw:.2} per 10,000 people a year (median {median:.2})")),
        "high_risk_enterprises" => {
            let e = t.enterprises.as_ref().map_or(0.0, |e| e.high_risk);
            (format!("高危行业企业{}家（危化品、烟花爆竹、矿山、建筑施工），每平方公里{raw:.2}家", fmt_n(e)), format!("{} high-risk enterprises (chemicals, fireworks, mining, construction), {raw:.2} per km²", fmt_n(e)))
        }
        "major_hazard_sources" => (format!("重大危险源{n}处"), format!("{n} registered major hazard sources")),
        "hidden_hazards" => hidden_hazard_phrase(t),
        "pipelines" => (format!("油气管道{raw:.1}公里"), format!("{raw:.1} km of oil and gas pipelines")),
        "scenic_visitors" => (format!("旅游景区年接待游客{:.1}万人次", raw / 1e4), format!("scenic areas receive {:.0},000 visitors a year", raw / 1e3)),
        "new_high_risk_enterprises" => {
            let y = fmt_n(cfg.new_enterprise_years);
            (format!("近{y}年新开办高危行业企业{n}家（三同时）"), format!("{n} high-risk enterprises opened in the last {y} years"))
        }
        "accident_trend" => {
            let pct = (raw.exp() - 1.0) * 100.0;
            (format!("近两年事故率较此前上升{pct:.0}%"), format!("accident rate up {pct:.0}% in the last two years against the years before"))
        }
        "forest_fires" => (format!("近{years}年年均森林火灾{n}起"), format!("{n} forest fires a year over {years} years")),
        "forest_area" => (format!("森林面积{:.0}公顷", raw), format!("{:.0} ha of forest", raw)),
        "forest_cover" => (format!("森林覆盖率{:.0}%", raw * 100.0), format!("{:.0}% forest cover", raw * 100.0)),
        "geohazard_events" => (format!("近{years}年年均地质灾害{n}起"), format!("{n} geohazard events a year over {years} years")),
        "geohazard_people" => {
            let s = t.geohazard_sites.as_ref().map_or(0.0, |s| s.active);
            (format!("{}处地质灾害隐患点威胁{n}人", fmt_n(s)), format!("{} active geohazard sites threaten {n} people", fmt_n(s)))
        }
        "geohazard_sites" => (format!("在册地质灾害隐患点{n}处"), format!("{n} active geohazard sites")),
        "steep_share" => (format!("{:.0}%的面积坡度大于25°", raw * 100.0), format!("{:.0}% of the area is steeper than 25°", raw * 100.0)),
        "elevation" => (format!("平均海拔{raw:.0}米"), format!("mean elevation {raw:.0} m")),
        "fires" => (format!("近{years}年年均火灾{n}起（中位数{m}）"), format!("{n} fires a year over {years} years (median township {m})")),
        "fire_rate" => (format!("火灾率每万人{raw:.1}起（中位数{median:.1}）"), format!("{raw:.1} fires per 10,000 people a year (median {median:.1})")),
        "fire_casualties" => (format!("火灾年均伤亡{n}人"), format!("{n} fire deaths and injuries a year")),
        "old_communities" => (format!("老旧小区{n}个（电气线路老化、消防设施薄弱）"), format!("{n} old residential communities (aged wiring, weak fire facilities)")),
        "highrise_communities" => (format!("高层住宅小区{n}个"), format!("{n} high-rise residential communities")),
        "shelter_capacity" => (format!("避灾安置点容量仅每千人{raw:.0}人（中位数{median:.0}）"), format!("shelters hold only {raw:.0} people per 1,000 residents (median {median:.0})")),
        "fire_station_distance" => (format!("居民距最近消防站平均{raw:.1}公里（中位数{median:.1}）"), format!("people live {raw:.1} km from the nearest fire station on average (median {median:.1})")),
        other => (other.to_owned(), other.to_owned()),
    }
}

/// "3处市级挂牌督办重大隐患逾期未整改": the most serious part of the ledger.
fn hidden_hazard_phrase(t: &TownshipInput) -> (String, String) {
    let Some(h) = &t.hidden_hazards else {
        return (String::new(), String::new());
    };
    let plural = |n: f64| if (n - 1.0).abs() < 1e-9 { "" } else { "s" };
    for (overdue, arr) in [(true, &h.overdue_major), (false, &h.open_major)] {
        if let Some(s) = Supervision::ALL.into_iter().find(|s| arr[s.index()] > 0.0) {
            let n = arr[s.index()];
            let total: f64 = arr.iter().sum();
            let more_zh = if total > n {
                format!("（重大隐患共{}处）", fmt_n(total))
            } else {
                String::new()
            };
            let more_en = if total > n {
                format!(" ({} major in all)", fmt_n(total))
            } else {
                String::new()
            };
            return if overdue {
                (
                    format!("{}处{}重大隐患逾期未整改{more_zh}", fmt_n(n), s.phrase_zh()),
                    format!(
                        "{} overdue major hidden hazard{}{}{more_en}",
                        fmt_n(n),
                        plural(n),
                        s.phrase_en()
                    ),
                )
            } else {
                (
                    format!("{}处{}重大隐患正在整改{more_zh}", fmt_n(n), s.phrase_zh()),
                    format!(
                        "{} open major hidden hazard{}{}{more_en}",
                        fmt_n(n),
                        plural(n),
                        s.phrase_en()
                    ),
                )
            };
        }
    }
    let (o, g) = (h.overdue_general, h.open_general);
    (
        format!("一般隐患{}处逾期未整改、{}处正在整改", fmt_n(o), fmt_n(g)),
        format!(
            "{} overdue and {} open general hidden hazards",
            fmt_n(o),
            fmt_n(g)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_constants_match_the_table() {
        let consts = [
            (id::ACCIDENTS, "accidents"),
            (id::ACCIDENT_RATE, "accident_rate"),
            (id::HIGH_RISK_ENTERPRISES, "high_risk_enterprises"),
            (id::MAJOR_HAZARD_SOURCES, "major_hazard_sources"),
            (id::HIDDEN_HAZARDS, "hidden_hazards"),
            (id::PIPELINES, "pipelines"),
            (id::SCENIC_VISITORS, "scenic_visitors"),
            (id::NEW_HIGH_RISK_ENTERPRISES, "new_high_risk_enterprises"),
            (id::ACCIDENT_TREND, "accident_trend"),
            (id::FOREST_FIRES, "forest_fires"),
            (id::FOREST_AREA, "forest_area"),
            (id::FOREST_COVER, "forest_cover"),
            (id::GEOHAZARD_EVENTS, "geohazard_events"),
            (id::GEOHAZARD_PEOPLE, "geohazard_people"),
            (id::GEOHAZARD_SITES, "geohazard_sites"),
            (id::STEEP_SHARE, "steep_share"),
            (id::ELEVATION, "elevation"),
            (id::FIRES, "fires"),
            (id::FIRE_RATE, "fire_rate"),
            (id::FIRE_CASUALTIES, "fire_casualties"),
            (id::OLD_COMMUNITIES, "old_communities"),
            (id::HIGHRISE_COMMUNITIES, "highrise_communities"),
            (id::SHELTER_CAPACITY, "shelter_capacity"),
            (id::FIRE_STATION_DISTANCE, "fire_station_distance"),
        ];
        assert_eq!(consts.len(), INDICATORS.len());
        for (k, name) in consts {
            assert_eq!(INDICATORS[k].id, name);
            assert_eq!(index_of(name), k);
        }
    }
}
