//! Made-up but plausible inputs for examples, tests and benchmarks: a county of
//! hexagonal townships near 29.5°N 119.5°E with Chinese names, scores, ranks,
//! a heatmap, hot spot classes, trends with forecasts and hidden-hazard counts.
//! Deterministic (a small linear congruential generator), no files.

use geo::{LineString, MultiPolygon, Polygon};

use crate::inputs::*;
use crate::labels::{Label, Lang};
use crate::maps::MapMeta;
use crate::set::{FigureSet, HeatmapInput, HotSpotInput};

const FIRST: &[char] = &[
    '青', '安', '宝', '碧', '长', '东', '丰', '凤', '高', '古', '光', '和', '河', '鹤', '洪', '湖',
    '华', '黄', '吉', '江', '金', '锦', '九', '兰', '莲', '龙', '梅', '南', '平', '清', '瑞', '石',
    '双', '松', '桃', '溪', '仙', '杏', '杨', '永', '樟', '竹', '紫', '翠', '桂', '岚', '柳',
];
const SECOND: &[char] = &[
    '溪', '山', '岭', '港', '浦', '渡', '坑', '口', '埠', '桥', '塘', '坪', '湾', '源', '川', '林',
    '坞', '岙', '滩', '洲', '垟', '畈', '泉', '谷',
];

/// Points per side of a sample hexagon.
const SIDE_POINTS: usize = 42;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` hexagonal townships in a roughly square block, with names and codes.
pub fn townships(n: usize) -> Vec<Township> {
    let cols = ((n as f64).sqrt() * 1.1).ceil() as usize;
    // A hexagon about 8 km across at 29.5°N.
    let r_lat = 0.036;
    let r_lon = r_lat / 29.5f64.to_radians().cos();
    let mut used = std::collections::HashSet::new();
    let mut rng = Lcg(7);
    (0..n)
        .map(|i| {
            let (c, r) = ((i % cols) as f64, (i / cols) as f64);
            let cx = 119.2 + c * 1.5 * r_lon;
            let cy = 29.8
                - r * 3f64.sqrt() * r_lat
                - if (i % cols) % 2 == 1 {
                    3f64.sqrt() / 2.0 * r_lat
                } else {
                    0.0
                };
            // Each side is cut into SIDE_POINTS pieces and every point moved by a
            // smooth function of where it is, so borders wiggle like real ones
            // (about 250 vertices a township, as in the demo county) and
            // neighbours still share theirs.
            let corner = |k: usize| {
                let a = (k % 6) as f64 * std::f64::consts::PI / 3.0;
                (cx + r_lon * a.cos(), cy + r_lat * a.sin())
            };
            let mut ring: Vec<(f64, f64)> = Vec::with_capacity(6 * SIDE_POINTS + 1);
            for k in 0..6 {
                let (a, b) = (corner(k), corner(k + 1));
                for j in 0..SIDE_POINTS {
                    let t = j as f64 / SIDE_POINTS as f64;
                    let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                    let d = 0.0018
                        * ((x * 160.0).sin() * (y * 130.0).cos()
                            + 0.4 * (x * 430.0 + y * 350.0).sin());
                    ring.push((x + d, y - 0.8 * d));
                }
            }
            ring.push(ring[0]);
            let name = loop {
                let a = FIRST[(rng.next() * FIRST.len() as f64) as usize];
                let b = SECOND[(rng.next() * SECOND.len() as f64) as usize];
                let suffix = if i < n / 8 {
                    "街道"
                } else if rng.next() < 0.6 {
                    "镇"
                } else {
                    "乡"
                };
                let s = format!("{a}{b}{suffix}");
                if used.insert(s.clone()) || used.len() > FIRST.len() * SECOND.len() {
                    break s;
                }
            };
            Township {
                code: format!("3399{:02}{:03}000", 1 + i / 300, 1 + i % 300),
                name,
                polygon: MultiPolygon::new(vec![Polygon::new(LineString::from(ring), vec![])]),
            }
        })
        .collect()
}

/// A complete figure set for `n` townships.
pub fn figure_set(n: usize, lang: Lang) -> FigureSet {
    let towns = townships(n);
    let mut rng = Lcg(42);
    let risk: Vec<f64> = (0..n)
        .map(|i| (10.0 * (0.25 + 0.6 * rng.next()) * (1.0 - 0.3 * (i as f64 / n as f64))).min(10.0))
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| risk[b].total_cmp(&risk[a]));
    let mut ranks = vec![
        Ranked {
            rank: 0,
            level: Level::Blue
        };
        n
    ];
    for (k, &i) in order.iter().enumerate() {
        let q = k as f64 / n as f64;
        let level = if q < 0.1 {
            Level::Red
        } else if q < 0.3 {
            Level::Orange
        } else if q < 0.6 {
            Level::Yellow
        } else {
            Level::Blue
        };
        ranks[i] = Ranked {
            rank: k as u32 + 1,
            level,
        };
    }
    let dims: Vec<Dimensions> = risk
        .iter()
        .map(|&r| {
            let mut d = || (r + 4.0 * (rng.next() - 0.5)).clamp(0.0, 10.0);
            Dimensions {
                stock: d(),
                incremental: d(),
                natural: d(),
                fire: d(),
                coping: d(),
            }
        })
        .collect();
    let bounds = crate::mapframe::bounds(towns.iter().map(|t| &t.polygon));
    let (w, h) = (160usize, 160usize);
    let gt = [
        bounds.0,
        (bounds.2 - bounds.0) / w as f64,
        0.0,
        bounds.3,
        0.0,
        -(bounds.3 - bounds.1) / h as f64,
    ];
    let centres: Vec<(f64, f64, f64)> = (0..6)
        .map(|_| (rng.next(), rng.next(), 0.5 + 2.0 * rng.next()))
        .collect();
    let dens: Vec<f32> = (0..w * h)
        .map(|k| {
            let (x, y) = ((k % w) as f64 / w as f64, (k / w) as f64 / h as f64);
            let v: f64 = centres
                .iter()
                .map(|&(cx, cy, a)| a * (-((x - cx).powi(2) + (y - cy).powi(2)) / 0.006).exp())
                .sum();
            if v < 0.02 {
                0.0
            } else {
                v as f32
            }
        })
        .collect();
    let (gw, gh) = (24usize, 24usize);
    let ggt = [
        bounds.0,
        (bounds.2 - bounds.0) / gw as f64,
        0.0,
        bounds.3,
        0.0,
        -(bounds.3 - bounds.1) / gh as f64,
    ];
    let classes: Vec<HotSpotClass> = (0..gw * gh)
        .map(|k| {
            let (x, y) = ((k % gw) as f64 / gw as f64, (k / gw) as f64 / gh as f64);
            let hot: f64 = centres
                .iter()
                .map(|&(cx, cy, a)| a * (-((x - cx).powi(2) + (y - cy).powi(2)) / 0.01).exp())
                .sum();
            match hot {
                h if h > 1.6 => HotSpotClass::IntensifyingHot,
                h if h > 1.1 => HotSpotClass::PersistentHot,
                h if h > 0.8 => HotSpotClass::NewHot,
                h if h > 0.5 => HotSpotClass::SporadicHot,
                h if h < 0.004 => HotSpotClass::PersistentCold,
                _ => HotSpotClass::NoPattern,
            }
        })
        .collect();
    let (m_inc, m_fire) = (
        riskmap_domain::Source::Incidents.label().text(lang),
        riskmap_domain::Source::Fires.label().text(lang),
    );
    let trend = |base: f64, slope: f64, deaths: bool| {
        let obs: Vec<(i32, f64)> = (2016..=2024)
            .map(|y| {
                (
                    y,
                    (base + slope * (y - 2016) as f64 + base * 0.15 * (y as f64 * 1.7).sin())
                        .round(),
                )
            })
            .collect();
        let last = obs.last().unwrap().1;
        let fc = Forecast {
            year: 2025,
            p10: (last * 0.8).round(),
            p50: (last + slope).round(),
            p90: (last * 1.25 + 3.0).round(),
        };
        let d = deaths.then(|| YearlySeries {
            observed: obs.iter().map(|&(y, v)| (y, (v * 0.06).round())).collect(),
            forecast: Some(Forecast {
                year: 2025,
                p10: (last * 0.03).floor(),
                p50: (last * 0.05).round(),
                p90: (last * 0.09).ceil(),
            }),
        });
        (
            YearlySeries {
                observed: obs,
                forecast: Some(fc),
            },
            d,
        )
    };
    let (c1, d1) = trend(140.0, -6.0, true);
    let (c2, _) = trend(60.0, 3.0, false);
    let months = [0.6, 0.7, 0.9, 1.0, 1.0, 1.1, 1.3, 1.3, 1.1, 1.0, 1.0, 1.0];
    let yoy: Vec<YoyRow> = towns
        .iter()
        .map(|t| {
            let p = (2.0 + 18.0 * rng.next()).round();
            YoyRow {
                name: t.name.clone(),
                previous: p,
                current: (p * (0.5 + rng.next())).round(),
            }
        })
        .collect();
    let ranking: Vec<RankRow> = order
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let spread = 1.0 + 0.15 * n as f64 * rng.next();
            RankRow {
                name: towns[i].name.clone(),
                rank: k as u32 + 1,
                rank_lo: (k as f64 + 1.0 - spread).max(1.0),
                rank_hi: (k as f64 + 1.0 + spread).min(n as f64),
                level: ranks[i].level,
            }
        })
        .collect();
    let rect: Vec<RectRow> = towns
        .iter()
        .map(|t| {
            let mut k = |m: f64| (m * rng.next()).floor() as u32;
            RectRow {
                name: t.name.clone(),
                on_time: 10 + k(40.0),
                late: k(8.0),
                open: k(10.0),
                overdue: if k(1.0) == 0 && k(10.0) < 3 {
                    1 + k(4.0)
                } else {
                    0
                },
            }
        })
        .collect();
    FigureSet {
        lang,
        meta: MapMeta {
            region: if lang == Lang::Zh {
                "云溪县".into()
            } else {
                "Yunxi County".into()
            },
            as_of: "2024-11-30".into(),
        },
        ranks: Some(ranks),
        dimensions: Some(dims),
        alerts: Vec::new(),
        heatmaps: vec![HeatmapInput {
            name: "heatmap_fires".into(),
            measure: m_fire.into(),
            grid: Grid {
                width: w,
                height: h,
                geo_transform: gt,
                values: dens,
            },
        }],
        hotspots: vec![HotSpotInput {
            name: "hotspots_incidents".into(),
            measure: m_inc.into(),
            grid: Grid {
                width: gw,
                height: gh,
                geo_transform: ggt,
                values: classes,
            },
        }],
        trends: vec![
            (
                "trend_incidents".into(),
                Trend {
                    measure: m_inc.into(),
                    counts: c1,
                    deaths: d1,
                },
            ),
            (
                "trend_fires".into(),
                Trend {
                    measure: m_fire.into(),
                    counts: c2,
                    deaths: None,
                },
            ),
        ],
        seasonality: vec![(
            "season_fires".into(),
            Seasonality {
                measure: m_fire.into(),
                monthly_mean: months.map(|m| m * 5.0),
                this_year: Some((
                    2024,
                    months.iter().take(11).map(|m| (m * 5.5).round()).collect(),
                )),
            },
        )],
        yoy: vec![("yoy_incidents".into(), m_inc.into(), yoy)],
        ranking: Some(ranking),
        rectification: Some(rect),
        townships: towns,
        max_rows: 30,
        options: Default::default(),
    }
}

/// `set` with its first townships renamed to `names`, wherever a name appears
/// (the rows of the ranking, year-on-year and rectification charts too), and
/// the report built from it with [`report_input`] names them as well: how
/// tests draw place names with unusual characters.
pub fn renamed(mut set: FigureSet, names: &[&str]) -> FigureSet {
    let map: std::collections::HashMap<String, String> = set
        .townships
        .iter_mut()
        .zip(names)
        .map(|(t, n)| (std::mem::replace(&mut t.name, n.to_string()), n.to_string()))
        .collect();
    let rename = |name: &mut String| {
        if let Some(n) = map.get(name.as_str()) {
            *name = n.clone();
        }
    };
    set.ranking
        .iter_mut()
        .flatten()
        .for_each(|r| rename(&mut r.name));
    set.rectification
        .iter_mut()
        .flatten()
        .for_each(|r| rename(&mut r.name));
    for (_, _, rows) in &mut set.yoy {
        rows.iter_mut().for_each(|r| rename(&mut r.name));
    }
    set
}

/// The report's text inputs matching [`figure_set`] (same townships and ranks).
pub fn report_input(set: &FigureSet) -> crate::report::ReportInput {
    use crate::report::*;
    let lang = set.lang;
    let zh = lang == Lang::Zh;
    let t = |a: &str, b: &str| if zh { a.to_string() } else { b.to_string() };
    let ranking: Vec<RiskRow> = set
        .ranking
        .iter()
        .flatten()
        .map(|r| {
            let i = set
                .townships
                .iter()
                .position(|t| t.name == r.name)
                .unwrap_or(0);
            let d = set.dimensions.as_ref().map(|d| d[i]).unwrap_or_default();
            let mut parts = [
                (
                    d.stock,
                    t("存量风险高（事故多发）", "high stock risk (many incidents)"),
                ),
                (
                    d.incremental,
                    t("新增企业和管线多", "many new enterprises and pipelines"),
                ),
                (
                    d.natural,
                    t("地质灾害隐患点多", "many geological hazard sites"),
                ),
                (d.fire, t("火灾起数上升", "rising fires")),
                (d.coping, t("救援力量覆盖不足", "weak rescue coverage")),
            ];
            parts.sort_by(|a, b| b.0.total_cmp(&a.0));
            RiskRow {
                rank: r.rank,
                name: r.name.clone(),
                code: set.townships[i].code.clone(),
                risk: 10.0 - 8.0 * (r.rank as f64 - 1.0) / set.townships.len().max(1) as f64,
                level: r.level,
                rank_lo: r.rank_lo,
                rank_hi: r.rank_hi,
                reasons: parts.iter().take(2).map(|p| p.1.clone()).collect(),
            }
        })
        .collect();
    let sector = |key: &str| riskmap_domain::sector_name(key, lang);
    let dims = [
        (Label::Stock.text(lang).to_owned(), 0),
        (Label::Incremental.text(lang).to_owned(), 1),
        (Label::Natural.text(lang).to_owned(), 2),
        (Label::Fire.text(lang).to_owned(), 3),
        (Label::Coping.text(lang).to_owned(), 4),
    ];
    let focus = dims
        .iter()
        .map(|(name, k)| {
            let d = set.dimensions.as_deref().unwrap_or(&[]);
            let get = |x: &Dimensions| [x.stock, x.incremental, x.natural, x.fire, x.coping][*k];
            let mut v: Vec<(String, f64)> = set
                .townships
                .iter()
                .zip(d)
                .map(|(t, x)| (t.name.clone(), get(x)))
                .collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1));
            v.truncate(3);
            FocusGroup {
                dimension: name.clone(),
                townships: v,
            }
        })
        .collect();
    ReportInput {
        lang,
        region: set.meta.region.clone(),
        as_of: set.meta.as_of.clone(),
        year: 2024,
        alerts: Vec::new(),
        stats: vec![
            StatRow { indicator: t("生产安全事故（起）", "Work-safety incidents"), current: 78.0, previous: Some(96.0), decimals: 0 },
            StatRow { indicator: t("死亡人数（人）", "Deaths"), current: 5.0, previous: Some(7.0), decimals: 0 },
            StatRow { indicator: t("受伤人数（人）", "Injuries"), current: 41.0, previous: Some(38.0), decimals: 0 },
            StatRow { indicator: t("直接经济损失（万元）", "Direct loss (10k CNY)"), current: 1264.5, previous: Some(1580.2), decimals: 1 },
            StatRow { indicator: t("火灾（起）", "Fires"), current: 62.0, previous: Some(57.0), decimals: 0 },
            StatRow { indicator: t("森林火灾（起）", "Forest fires"), current: 3.0, previous: Some(0.0), decimals: 0 },
            StatRow { indicator: t("地质灾害（起）", "Geological hazard events"), current: 9.0, previous: Some(12.0), decimals: 0 },
        ],
        highlights: vec![
            t("生产安全事故78起、死亡5人，同比分别下降18.8%和28.6%；火灾62起，同比上升8.8%。", "78 work-safety incidents and 5 deaths, down 18.8% and 28.6%; 62 fires, up 8.8%."),
            t("重大风险乡镇2个，较大风险乡镇4个，集中在县城周边和东北部山区。", "2 townships at major and 4 at significant risk, around the county seat and in the north-eastern hills."),
        ],
        ranking,
        focus,
        overdue: vec![
            OverdueHazard { id: "YH-2024-0137".into(), township: set.townships.first().map(|t| t.name.clone()).unwrap_or_default(), sector: sector("hazardous_chemicals"), deadline: "2024-09-30".into(), days_overdue: 61 },
            OverdueHazard { id: "YH-2024-0212".into(), township: set.townships.get(5).map(|t| t.name.clone()).unwrap_or_default(), sector: sector("construction"), deadline: "2024-10-31".into(), days_overdue: 30 },
        ],
        quality: vec![
            QualityRow { source: t("事故台账 incidents", "incidents"), rows_read: 812, accepted: 797, rejected: 15, outside: 4 },
            QualityRow { source: t("火灾 fires", "fires"), rows_read: 540, accepted: 531, rejected: 9, outside: 2 },
            QualityRow { source: t("森林火灾 forest_fires", "forest_fires"), rows_read: 21, accepted: 21, rejected: 0, outside: 0 },
            QualityRow { source: t("地质灾害 geohazard_events", "geohazard_events"), rows_read: 96, accepted: 94, rejected: 2, outside: 1 },
            QualityRow { source: t("隐患 hidden_hazards", "hidden_hazards"), rows_read: 1204, accepted: 1188, rejected: 16, outside: 0 },
        ],
        missing: vec![t("避难场所 shelters", "shelters")],
        skipped: Vec::new(),
        reject_reasons: vec![(t("发生时间无法识别", "unreadable date"), 17), (t("坐标在辖区外", "outside the region"), 7), (t("编号重复", "duplicate id"), 6), (t("类别不在字典中", "unknown category"), 12)],
        method: vec![],
        footer: "riskmap 0.1.0".into(),
    }
}
