//! The year-to-date statistics of the county report's first section, in
//! Chinese and English: production-safety accidents and deaths, industrial
//! and road-traffic accidents, accidents with 3 or more deaths, fires with
//! their casualties and losses, and fire-brigade dispatches, each against
//! the same span of the previous year (同比), and per township.
//!
//! The period runs from 1 January of the year of the last day before the
//! as-of date up to (not including) the as-of date. For every as-of date but
//! 1 January this is SPEC's "as-of year to date"; on 1 January (the default
//! right after a full year of records) it is the whole previous year, which
//! is what a year-end report needs, where the literal reading would give an
//! empty period.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{Datelike, NaiveDate};
use riskmap_domain::Source;

use crate::model::Validated;

/// Accidents of one kind in a period, and their deaths.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Accidents.
    pub count: f64,
    /// Deaths.
    pub deaths: f64,
}

/// Fires in a period, with their casualties and loss.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FireFigures {
    /// Fires.
    pub count: f64,
    /// People injured.
    pub injured: f64,
    /// People dead.
    pub deaths: f64,
    /// Direct loss, 10k CNY.
    pub loss_10k_cny: f64,
}

/// Fire-brigade dispatches in a period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DispatchFigures {
    /// Dispatches (one per fire record).
    pub count: f64,
    /// Vehicles sent.
    pub vehicles: f64,
    /// Personnel sent.
    pub personnel: f64,
    /// People rescued.
    pub rescued: f64,
}

/// The figures of one period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    /// Production-safety accidents (all incidents) and deaths.
    pub accidents: Tally,
    /// Industrial, mining and trade accidents (工矿商贸: industrial_trade and mining) and deaths.
    pub industrial: Tally,
    /// Road-traffic accidents and deaths.
    pub road: Tally,
    /// Accidents with 3 or more deaths (较大以上).
    pub larger: f64,
    /// Fires, injured, dead, direct loss (10k CNY).
    pub fires: FireFigures,
    /// Dispatches, vehicles, personnel, people rescued.
    pub dispatch: DispatchFigures,
}

/// The two periods compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub start: NaiveDate,
    /// Day after the last day.
    pub end: NaiveDate,
}

impl Period {
    /// The current period for an as-of date, and the same span a year earlier.
    pub fn for_as_of(as_of: NaiveDate) -> (Period, Period) {
        let last = as_of.pred_opt().expect("a date after the start of time");
        let start = NaiveDate::from_ymd_opt(last.year(), 1, 1).expect("valid year");
        let year_before = |d: NaiveDate| {
            d.with_year(d.year() - 1).unwrap_or_else(|| {
                d.pred_opt()
                    .expect("valid")
                    .with_year(d.year() - 1)
                    .expect("valid")
            })
        };
        (
            Period { start, end: as_of },
            Period {
                start: year_before(start),
                end: year_before(as_of),
            },
        )
    }

    /// Whether `d` is in the period.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d < self.end
    }
}

/// Figures per township (index) and for the whole region, for one period.
pub fn figures(v: &Validated, period: Period) -> (Figures, BTreeMap<usize, Figures>) {
    let mut total = Figures::default();
    let mut by_town: BTreeMap<usize, Figures> = BTreeMap::new();
    for a in &v.accepted {
        let Some(when) = a.when else { continue };
        if !period.contains(when.date()) {
            continue;
        }
        let crate::model::Severity {
            deaths,
            injuries,
            loss_10k_cny: loss,
        } = a.severity();
        for f in [&mut total, by_town.entry(a.township).or_default()] {
            match a.source {
                Source::Incidents => {
                    f.accidents.count += 1.0;
                    f.accidents.deaths += deaths;
                    if matches!(a.label, Some("industrial_trade" | "mining")) {
                        f.industrial.count += 1.0;
                        f.industrial.deaths += deaths;
                    }
                    if a.label == Some("road_traffic") {
                        f.road.count += 1.0;
                        f.road.deaths += deaths;
                    }
                    if deaths >= 3.0 {
                        f.larger += 1.0;
                    }
                }
                Source::Fires => {
                    f.fires.count += 1.0;
                    f.fires.injured += injuries;
                    f.fires.deaths += deaths;
                    f.fires.loss_10k_cny += loss;
                    f.dispatch.count += 1.0;
                    let dispatch = a.dispatch();
                    f.dispatch.vehicles += dispatch.vehicles;
                    f.dispatch.personnel += dispatch.personnel;
                    f.dispatch.rescued += dispatch.rescued;
                }
                _ => {}
            }
        }
    }
    (total, by_town)
}

/// Year-on-year change, phrased as the report phrases it.
pub fn yoy_zh(now: f64, before: f64) -> String {
    if before == 0.0 {
        return if now == 0.0 {
            "同比持平".into()
        } else {
            "去年同期为0".into()
        };
    }
    let pct = (now - before) / before * 100.0;
    if pct.abs() < 0.05 {
        "同比持平".into()
    } else if pct < 0.0 {
        format!("同比下降{:.1}%", -pct)
    } else {
        format!("同比上升{pct:.1}%")
    }
}

/// Year-on-year change in English.
pub fn yoy_en(now: f64, before: f64) -> String {
    if before == 0.0 {
        return if now == 0.0 {
            "unchanged year on year".into()
        } else {
            "none in the same period last year".into()
        };
    }
    let pct = (now - before) / before * 100.0;
    if pct.abs() < 0.05 {
        "unchanged year on year".into()
    } else if pct < 0.0 {
        format!("down {:.1}% year on year", -pct)
    } else {
        format!("up {pct:.1}% year on year")
    }
}

fn n(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The span in Chinese, e.g. `2021年1–11月（截至11月30日）` or `2021年全年`.
pub fn span_zh(p: Period) -> String {
    let last = p.end.pred_opt().expect("valid");
    if last.month() == 12 && last.day() == 31 {
        format!("{}年全年", p.start.year())
    } else if last.month() == 1 {
        format!("{}年1月1日至{}日", p.start.year(), last.day())
    } else {
        format!(
            "{}年1–{}月（截至{}月{}日）",
            p.start.year(),
            last.month(),
            last.month(),
            last.day()
        )
    }
}

/// The year-to-date figures, region and townships, with the same span of
/// the previous year: what `summary.*.md` and the report's first section print.
#[derive(Debug, Clone)]
pub struct YearToDate {
    /// This year to date.
    pub current: Period,
    /// The same span a year earlier.
    pub previous: Period,
    /// Region figures, this period.
    pub now: Figures,
    /// Region figures, the period a year earlier.
    pub before: Figures,
    /// Per township index, this period (townships without records are absent).
    pub by_town_now: BTreeMap<usize, Figures>,
    /// Per township index, the period a year earlier.
    pub by_town_before: BTreeMap<usize, Figures>,
}

/// Computes the year-to-date figures of a validated region.
pub fn year_to_date(v: &Validated) -> YearToDate {
    let (current, previous) = Period::for_as_of(v.as_of);
    // Two passes over every record (10.6M on the nation), side by side.
    let ((now, by_town_now), (before, by_town_before)) =
        rayon::join(|| figures(v, current), || figures(v, previous));
    YearToDate {
        current,
        previous,
        now,
        before,
        by_town_now,
        by_town_before,
    }
}

/// The summary's paragraphs (accidents, fires, dispatches, the compared
/// periods) in Chinese and in English, as the county report words them.
pub fn paragraphs(y: &YearToDate) -> (Vec<String>, Vec<String>) {
    let (cur, prev, now, before) = (y.current, y.previous, &y.now, &y.before);
    let zh = vec![
        format!(
            "{}，全域共发生生产安全事故{}起、死亡{}人，{}、{}；其中工矿商贸事故{}起、死亡{}人，{}、{}；道路交通事故{}起、死亡{}人，{}、{}；较大以上事故{}起（去年同期{}起）。",
            span_zh(cur),
            n(now.accidents.count),
            n(now.accidents.deaths),
            yoy_zh(now.accidents.count, before.accidents.count),
            yoy_zh(now.accidents.deaths, before.accidents.deaths).replace("同比", ""),
            n(now.industrial.count),
            n(now.industrial.deaths),
            yoy_zh(now.industrial.count, before.industrial.count),
            yoy_zh(now.industrial.deaths, before.industrial.deaths).replace("同比", ""),
            n(now.road.count),
            n(now.road.deaths),
            yoy_zh(now.road.count, before.road.count),
            yoy_zh(now.road.deaths, before.road.deaths).replace("同比", ""),
            n(now.larger),
            n(before.larger),
        ),
        format!(
            "发生火灾{}起，{}；受伤{}人、死亡{}人，直接财产损失{}万元，{}。",
            n(now.fires.count),
            yoy_zh(now.fires.count, before.fires.count),
            n(now.fires.injured),
            n(now.fires.deaths),
            n(now.fires.loss_10k_cny),
            yoy_zh(now.fires.loss_10k_cny, before.fires.loss_10k_cny),
        ),
        format!(
            "消防接警出动{}起，{}；出动车辆{}辆次、人员{}人次，营救疏散群众{}人。",
            n(now.dispatch.count),
            yoy_zh(now.dispatch.count, before.dispatch.count),
            n(now.dispatch.vehicles),
            n(now.dispatch.personnel),
            n(now.dispatch.rescued),
        ),
        format!(
            "同比期间：{} 至 {}（不含）对比 {} 至 {}（不含）。",
            cur.start, cur.end, prev.start, prev.end
        ),
    ];
    let last = cur.end.pred_opt().expect("valid");
    let en = vec![
        format!(
            "From {} to {}, the region had {} production-safety accidents ({}) with {} deaths ({}); of these, {} industrial, mining and trade accidents ({}) with {} deaths, and {} work-related road-traffic accidents ({}) with {} deaths. Accidents with 3 or more deaths: {} (same period last year: {}).",
            cur.start,
            last,
            n(now.accidents.count),
            yoy_en(now.accidents.count, before.accidents.count),
            n(now.accidents.deaths),
            yoy_en(now.accidents.deaths, before.accidents.deaths),
            n(now.industrial.count),
            yoy_en(now.industrial.count, before.industrial.count),
            n(now.industrial.deaths),
            n(now.road.count),
            yoy_en(now.road.count, before.road.count),
            n(now.road.deaths),
            n(now.larger),
            n(before.larger),
        ),
        format!(
            "Fires: {} ({}), {} injured, {} dead, direct loss {} × 10k CNY ({}).",
            n(now.fires.count),
            yoy_en(now.fires.count, before.fires.count),
            n(now.fires.injured),
            n(now.fires.deaths),
            n(now.fires.loss_10k_cny),
            yoy_en(now.fires.loss_10k_cny, before.fires.loss_10k_cny),
        ),
        format!(
            "Fire-brigade dispatches: {} ({}), {} vehicles, {} personnel, {} people rescued or evacuated.",
            n(now.dispatch.count),
            yoy_en(now.dispatch.count, before.dispatch.count),
            n(now.dispatch.vehicles),
            n(now.dispatch.personnel),
            n(now.dispatch.rescued),
        ),
        format!(
            "Compared periods: {} to {} (exclusive) against {} to {} (exclusive).",
            cur.start, cur.end, prev.start, prev.end
        ),
    ];
    (zh, en)
}

/// `summary.zh.md` and `summary.en.md`.
pub fn render(v: &Validated) -> (String, String) {
    render_from(v, &year_to_date(v))
}

/// [`render`] from the year-to-date figures already computed (the report
/// reads them too).
pub fn render_from(v: &Validated, y: &YearToDate) -> (String, String) {
    let cur = y.current;
    let (pz, pe) = paragraphs(y);
    let mut zh = String::new();
    let mut en = String::new();
    let _ = writeln!(zh, "# 安全生产形势统计（{}）\n", span_zh(cur));
    for p in pz {
        let _ = writeln!(zh, "{p}\n");
    }
    let _ = writeln!(zh, "## 分乡镇\n\n| 乡镇 | 代码 | 事故起数 | 死亡 | 事故同比 | 火灾起数 | 火灾同比 | 火灾损失（万元） |\n| --- | --- | ---: | ---: | --- | ---: | --- | ---: |");

    let last = cur.end.pred_opt().expect("valid");
    let _ = writeln!(en, "# Safety statistics, {} to {}\n", cur.start, last);
    for p in pe {
        let _ = writeln!(en, "{p}\n");
    }
    let _ = writeln!(en, "## By township\n\n| township | code | accidents | deaths | accidents y/y | fires | fires y/y | fire loss (10k CNY) |\n| --- | --- | ---: | ---: | --- | ---: | --- | ---: |");

    for (t, town) in v.townships.iter().enumerate() {
        let a = y.by_town_now.get(&t).copied().unwrap_or_default();
        let b = y.by_town_before.get(&t).copied().unwrap_or_default();
        let row = |yoy: fn(f64, f64) -> String| {
            [
                town.name.clone(),
                town.code.clone(),
                n(a.accidents.count),
                n(a.accidents.deaths),
                yoy(a.accidents.count, b.accidents.count),
                n(a.fires.count),
                yoy(a.fires.count, b.fires.count),
                n(a.fires.loss_10k_cny),
            ]
            .join(" | ")
        };
        let _ = writeln!(zh, "| {} |", row(yoy_zh));
        let _ = writeln!(en, "| {} |", row(yoy_en));
    }
    (zh, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_on_year_is_phrased_as_the_report_phrases_it() {
        assert_eq!(yoy_zh(8.0, 10.0), "同比下降20.0%");
        assert_eq!(yoy_zh(12.0, 10.0), "同比上升20.0%");
        assert_eq!(yoy_zh(10.0, 10.0), "同比持平");
        assert_eq!(yoy_zh(3.0, 0.0), "去年同期为0");
        assert_eq!(yoy_en(8.0, 10.0), "down 20.0% year on year");
    }

    #[test]
    fn periods_compare_the_same_calendar_span() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let (cur, prev) = Period::for_as_of(d(2021, 12, 1));
        assert_eq!(
            (cur.start, cur.end, prev.start, prev.end),
            (d(2021, 1, 1), d(2021, 12, 1), d(2020, 1, 1), d(2020, 12, 1))
        );
        // Right after a full year: the whole year against the one before.
        let (cur, prev) = Period::for_as_of(d(2022, 1, 1));
        assert_eq!(
            (cur.start, cur.end, prev.start, prev.end),
            (d(2021, 1, 1), d(2022, 1, 1), d(2020, 1, 1), d(2021, 1, 1))
        );
        // 29 February has no twin a year earlier: that span ends on 28 February.
        let (_, prev) = Period::for_as_of(d(2020, 2, 29));
        assert_eq!(prev.end, d(2019, 2, 28));
        assert_eq!(
            span_zh(Period {
                start: d(2021, 1, 1),
                end: d(2021, 12, 1)
            }),
            "2021年1–11月（截至11月30日）"
        );
    }
}
