//! Events drawn from the intensity: incidents, fires, forest fires and
//! geohazard events, each placed where its hazard lives (incidents at the
//! enterprises of their sector, fires at communities, forest fires in forest,
//! geohazards at registered sites and on steep slopes) with plausible
//! severity and dispatch fields.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use riskmap_domain::{GeohazardType, Source};

use crate::assets::{TownAssets, GEOHAZARD_AT_SITE, GEOHAZARD_TYPE_WEIGHTS, SECTORS};
use crate::frame::Frame;
use crate::intensity::{expected_by_month, MeasureSpec, TownEffect};
use crate::region::{Located, Town};
use crate::rng::Stream;
use crate::table::Value;
use crate::terrain::Terrain;

/// Columns of each event source, in file order.
pub fn columns(source: Source) -> &'static [&'static str] {
    match source {
        Source::Incidents => &[
            "id",
            "occurred_at",
            "category",
            "lon",
            "lat",
            "deaths",
            "injuries",
            "loss_10k_cny",
            "mechanism",
            "township_code",
        ],
        Source::Fires => &[
            "id",
            "occurred_at",
            "lon",
            "lat",
            "deaths",
            "injuries",
            "loss_10k_cny",
            "cause",
            "place_type",
            "vehicles",
            "personnel",
            "rescued",
        ],
        Source::ForestFires => &[
            "id",
            "occurred_at",
            "lon",
            "lat",
            "burned_area_ha",
            "cause",
            "deaths",
        ],
        Source::GeohazardEvents => &[
            "id",
            "occurred_at",
            "type",
            "lon",
            "lat",
            "deaths",
            "injuries",
            "evacuated",
            "loss_10k_cny",
        ],
        other => panic!("{other} is not an event source"),
    }
}

/// An event before it has an id: its row (id left `Null`) and sort key.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The source it belongs to.
    pub source: Source,
    /// Township index it was generated in.
    pub town: usize,
    /// When.
    pub when: NaiveDateTime,
    /// Where.
    pub at: Located,
    /// The row, in [`columns`] order.
    pub row: Vec<Value>,
}

fn pick<'a>(rng: &mut Stream, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len())]
}

fn money(rng: &mut Stream, mu: f64, sigma: f64) -> f64 {
    (rng.lognormal(mu, sigma) * 100.0).round() / 100.0
}

/// Hour-of-day profiles: work hours for accidents, evenings for fires,
/// afternoons for forest fires, any time for geohazards.
const WORK_HOURS: [f64; 24] = [
    0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1.0, 1.5, 2.0, 2.2, 2.2, 2.0, 1.4, 1.6, 2.0, 2.1, 2.0, 1.8, 1.4,
    1.0, 0.8, 0.6, 0.5, 0.4,
];
const HOME_HOURS: [f64; 24] = [
    0.8, 0.7, 0.6, 0.5, 0.5, 0.6, 0.8, 1.0, 1.0, 1.0, 1.1, 1.2, 1.2, 1.1, 1.1, 1.1, 1.2, 1.4, 1.6,
    1.6, 1.5, 1.3, 1.1, 0.9,
];
const DAY_HOURS: [f64; 24] = [
    0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.2, 1.8, 2.4, 2.8, 3.0, 3.0, 2.8, 2.4, 1.8, 1.0, 0.5,
    0.3, 0.2, 0.1, 0.1, 0.1,
];

fn moment(rng: &mut Stream, year: i32, month: u32, hours: &[f64; 24]) -> NaiveDateTime {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("valid month");
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("valid month");
    let days = (next - first).num_days() as usize;
    let day = first + chrono::Duration::days(rng.below(days) as i64);
    let hour = rng.weighted(hours) as u32;
    let minute = rng.below(60) as u32;
    day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).expect("valid time"))
}

/// Everything one township needs to draw its events.
pub struct TownContext<'a> {
    /// Seed of the run.
    pub seed: u64,
    /// Township index.
    pub index: usize,
    /// The township.
    pub town: &'a Town,
    /// Its assets.
    pub assets: &'a TownAssets,
    /// Its effects, per measure.
    pub effects: Vec<TownEffect>,
    /// Frame.
    pub frame: &'a Frame,
    /// Terrain.
    pub terrain: &'a Terrain,
}

/// Draws the events of one township for `years` (inclusive).
pub fn town_events(ctx: &TownContext<'_>, specs: &[MeasureSpec], years: (i32, i32)) -> Vec<Draft> {
    let TownContext {
        seed,
        index,
        town,
        assets,
        frame,
        terrain,
        ..
    } = *ctx;
    let mut rng = Stream::new(seed, "events", index as u64);
    let mut out = Vec::new();
    for (k, spec) in specs.iter().enumerate() {
        for year in years.0..=years.1 {
            let months = expected_by_month(spec, &ctx.effects[k], town, assets, year, years.1);
            let dispersion = rng.gamma_mean_one(spec.dispersion);
            for (m, expected) in months.iter().enumerate() {
                let n = rng.poisson(expected * dispersion);
                for _ in 0..n {
                    out.push(draw(
                        &mut rng,
                        spec.name,
                        index,
                        town,
                        assets,
                        frame,
                        terrain,
                        year,
                        m as u32 + 1,
                    ));
                }
            }
        }
    }
    out
}

fn near_sector(
    rng: &mut Stream,
    town: &Town,
    assets: &TownAssets,
    frame: &Frame,
    sectors: &[&str],
    sd: f64,
) -> Located {
    let matching: Vec<&crate::assets::Enterprise> = assets
        .enterprises
        .iter()
        .filter(|e| sectors.contains(&SECTORS[e.sector].0))
        .collect();
    if matching.is_empty() {
        town.near(frame, rng, town.site, 1.5)
    } else {
        let e = matching[rng.below(matching.len())];
        town.near(frame, rng, e.at.xy, sd)
    }
}

/// Draws one event of `measure` in township `index` in the given month.
#[allow(clippy::too_many_arguments)]
pub(crate) fn draw(
    rng: &mut Stream,
    measure: &str,
    index: usize,
    town: &Town,
    assets: &TownAssets,
    frame: &Frame,
    terrain: &Terrain,
    year: i32,
    month: u32,
) -> Draft {
    let fmt = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    if let Some(category) = measure.strip_prefix("incidents:") {
        let when = moment(rng, year, month, &WORK_HOURS);
        let (at, fatal_p, mechanisms): (Located, f64, &[&str]) = match category {
            "industrial_trade" => (
                near_sector(
                    rng,
                    town,
                    assets,
                    frame,
                    &["manufacturing", "trade", "warehousing", "other"],
                    0.05,
                ),
                0.35,
                &[
                    "机械伤害",
                    "物体打击",
                    "起重伤害",
                    "触电",
                    "灼烫",
                    "中毒和窒息",
                ],
            ),
            "road_traffic" => (
                town.near(frame, rng, town.site, 2.5),
                0.45,
                &["碰撞", "碾压", "翻车", "刮擦"],
            ),
            "construction" => (
                near_sector(rng, town, assets, frame, &["construction"], 0.5),
                0.55,
                &["高处坠落", "物体打击", "坍塌", "机械伤害", "触电"],
            ),
            "hazardous_chemicals" => (
                near_sector(rng, town, assets, frame, &["hazardous_chemicals"], 0.05),
                0.4,
                &["火灾", "爆炸", "中毒和窒息", "泄漏"],
            ),
            "fireworks" => (
                near_sector(rng, town, assets, frame, &["fireworks"], 0.05),
                0.5,
                &["爆炸", "火灾"],
            ),
            "mining" => (
                near_sector(rng, town, assets, frame, &["mining"], 0.05),
                0.6,
                &["冒顶片帮", "透水", "放炮", "机械伤害"],
            ),
            _ => (
                town.near(frame, rng, town.site, 2.0),
                0.3,
                &["淹溺", "其他伤害"],
            ),
        };
        let deaths = if rng.chance(0.012) {
            3 + rng.poisson(1.0) as i64
        } else if rng.chance(fatal_p) {
            1 + rng.poisson(0.15) as i64
        } else {
            0
        };
        let injuries = rng.poisson(if category == "road_traffic" { 1.2 } else { 0.7 }) as i64;
        let row = vec![
            Value::Null,
            fmt(when).into(),
            category.into(),
            at.lon.into(),
            at.lat.into(),
            deaths.into(),
            injuries.into(),
            money(rng, 2.5, 1.2).into(),
            pick(rng, mechanisms).into(),
            town.code.clone().into(),
        ];
        return Draft {
            source: Source::Incidents,
            town: index,
            when,
            at,
            row,
        };
    }
    match measure {
        "fires" => {
            let when = moment(rng, year, month, &HOME_HOURS);
            let u = rng.uniform();
            let (at, place) = if u < 0.5 && !assets.communities.is_empty() {
                let w: Vec<f64> = assets
                    .communities
                    .iter()
                    .map(|c| if c.old { 3.0 } else { 1.0 })
                    .collect();
                let c = &assets.communities[rng.weighted(&w)];
                (town.near(frame, rng, c.at.xy, 0.1), "住宅")
            } else if u < 0.7 && !assets.enterprises.is_empty() {
                let e = &assets.enterprises[rng.below(assets.enterprises.len())];
                (
                    town.near(frame, rng, e.at.xy, 0.05),
                    pick(rng, &["厂房", "仓库", "商业场所"]),
                )
            } else {
                (
                    town.near(frame, rng, town.site, 2.0),
                    pick(rng, &["交通工具", "室外垃圾", "其他"]),
                )
            };
            let vehicles = 1 + rng.poisson(1.2) as i64;
            let row = vec![
                Value::Null,
                fmt(when).into(),
                at.lon.into(),
                at.lat.into(),
                i64::from(rng.chance(0.004)).into(),
                if rng.chance(0.008) {
                    1 + rng.below(2) as i64
                } else {
                    0
                }
                .into(),
                money(rng, 0.3, 1.5).into(),
                pick(
                    rng,
                    &[
                        "电气",
                        "电气",
                        "用火不慎",
                        "吸烟",
                        "玩火",
                        "生产作业",
                        "自燃",
                        "放火",
                        "不明",
                    ],
                )
                .into(),
                place.into(),
                vehicles.into(),
                (vehicles * (4 + rng.below(3) as i64)).into(),
                if rng.chance(0.04) {
                    1 + rng.poisson(2.0) as i64
                } else {
                    0
                }
                .into(),
            ];
            Draft {
                source: Source::Fires,
                town: index,
                when,
                at,
                row,
            }
        }
        "forest_fires" => {
            let when = moment(rng, year, month, &DAY_HOURS);
            let at = town.weighted(frame, rng, |[x, y]| terrain.forest(x, y).powi(2));
            let cause = if month == 4 && rng.chance(0.6) {
                "祭祀用火"
            } else {
                pick(
                    rng,
                    &[
                        "祭祀用火",
                        "农事用火",
                        "野外吸烟",
                        "小孩玩火",
                        "雷击",
                        "不明",
                    ],
                )
            };
            let row = vec![
                Value::Null,
                fmt(when).into(),
                at.lon.into(),
                at.lat.into(),
                money(rng, 0.5, 1.2).into(),
                cause.into(),
                i64::from(rng.chance(0.005)).into(),
            ];
            Draft {
                source: Source::ForestFires,
                town: index,
                when,
                at,
                row,
            }
        }
        "geohazard_events" => {
            let when = moment(rng, year, month, &HOME_HOURS);
            let (at, kind) = if !assets.geohazard_sites.is_empty() && rng.chance(GEOHAZARD_AT_SITE)
            {
                let s = &assets.geohazard_sites[rng.below(assets.geohazard_sites.len())];
                (
                    town.near(frame, rng, s.at.xy, 0.15),
                    GeohazardType::ALL[s.kind],
                )
            } else {
                let at = town.weighted(frame, rng, |[x, y]| {
                    (terrain.slope_deg(x, y, 0.1) / 30.0).min(1.0)
                });
                (
                    at,
                    GeohazardType::ALL[rng.weighted(&GEOHAZARD_TYPE_WEIGHTS)],
                )
            };
            let evacuated = if rng.chance(0.5) {
                rng.poisson(8.0) as i64
            } else {
                0
            };
            let row = vec![
                Value::Null,
                fmt(when).into(),
                kind.key().into(),
                at.lon.into(),
                at.lat.into(),
                i64::from(rng.chance(0.02)).into(),
                i64::from(rng.chance(0.05)).into(),
                evacuated.into(),
                money(rng, 1.5, 1.2).into(),
            ];
            Draft {
                source: Source::GeohazardEvents,
                town: index,
                when,
                at,
                row,
            }
        }
        other => panic!("no event source for measure {other}"),
    }
}

/// The id prefix of an event source (拼音 initials, as ledgers use).
pub fn id_prefix(source: Source) -> &'static str {
    match source {
        Source::Incidents => "SG",
        Source::Fires => "HZ",
        Source::ForestFires => "SH",
        Source::GeohazardEvents => "DZ",
        Source::HiddenHazards => "YH",
        Source::Enterprises => "QY",
        Source::Communities => "SQ",
        Source::Shelters => "BN",
        Source::FireStations => "XF",
        Source::GeohazardSites => "ZD",
        _ => "ID",
    }
}
