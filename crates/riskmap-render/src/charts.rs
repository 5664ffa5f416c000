//! The charts: yearly trend with the next-year forecast fan, monthly
//! seasonality, year-on-year bars per township, ranks with their intervals, and
//! hidden-hazard rectification progress. Category charts list townships on the
//! vertical axis, with names drawn in the embedded font, at most `max_rows` of
//! them (the most important first) with a note of how many were left out.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::canvas::{
    de, px, render, text, text_style, text_width, DrawResult, Figure, Paint, RenderOptions, INK,
    MUTED, RULE,
};
use crate::inputs::{
    Level, LevelStyle, RankRow, RectRow, Seasonality, Trend, YearlySeries, YoyRow,
};
use crate::labels::{thousands, Label, Lang};
use crate::maps::fmt_sig;
use crate::RenderError;

const W: f64 = 780.0;
const OBS: RGBColor = RGBColor(0x1f, 0x5f, 0x9f);
const FAN: RGBColor = RGBColor(0xe3, 0x4a, 0x33);

fn chart_title<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, title: &str) -> DrawResult {
    text(
        root,
        title,
        (px(16.0), px(12.0)),
        16.0,
        INK,
        HPos::Left,
        VPos::Top,
    )
}

/// A "nice" upper bound for an axis.
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * p >= v {
            return m * p;
        }
    }
    10.0 * p
}

// ---------------------------------------------------------------- trend

struct TrendChart<'a> {
    trend: &'a Trend,
    lang: Lang,
}

impl TrendChart<'_> {
    fn panels(&self) -> usize {
        1 + usize::from(
            self.trend
                .deaths
                .as_ref()
                .is_some_and(|d| !d.observed.is_empty()),
        )
    }
}

/// A forecast bound: whole counts as whole numbers (count quantiles are
/// integers), anything else to a few significant digits.
fn fmt_count(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        fmt_sig(v)
    }
}

/// The years a series spans, its forecast year included.
fn span(s: &YearlySeries) -> (i32, i32) {
    let first = s.observed.first().map_or(2000, |p| p.0);
    let last = s
        .forecast
        .map_or_else(|| s.observed.last().map_or(first, |p| p.0), |f| f.year);
    (first, last)
}

/// One panel of a trend chart over the years `(first, last)`, shared by the
/// panels of a chart so that their years line up.
fn series_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &YearlySeries,
    (first, last): (i32, i32),
    ylabel: &str,
    lang: Lang,
    legend: bool,
) -> DrawResult {
    let top = s
        .observed
        .iter()
        .map(|p| p.1)
        .chain(s.forecast.map(|f| f.p90))
        .fold(0.0, f64::max);
    // Counts of a few (deaths in a quiet county) get whole-number ticks on a
    // 0–5 axis rather than 0.5 of a person.
    let whole = s.observed.iter().all(|p| p.1.fract() == 0.0);
    let ymax = if whole && top < 4.5 {
        5.0
    } else {
        nice_max(top * 1.08)
    };
    let mut chart = ChartBuilder::on(area)
        .margin(px(8.0))
        .margin_right(px(24.0))
        .x_label_area_size(px(28.0))
        .y_label_area_size(px(54.0))
        .build_cartesian_2d((first as f64 - 0.5)..(last as f64 + 0.5), 0.0..ymax)
        .map_err(de)?;
    let years = (last - first + 1) as usize;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RULE.stroke_width(1))
        .x_labels(years.min(16) + 1)
        .x_label_formatter(&|v| {
            if (v - v.round()).abs() < 1e-6 {
                format!("{:.0}", v)
            } else {
                String::new()
            }
        })
        .y_labels(6)
        .y_label_formatter(&|v| thousands(*v, if ymax < 5.0 && !whole { 1 } else { 0 }))
        .y_desc(ylabel)
        .label_style(text_style(10.0, INK))
        .axis_desc_style(text_style(10.5, INK))
        .axis_style(INK.stroke_width(2))
        .draw()
        .map_err(de)?;
    if let Some(f) = s.forecast {
        if let Some(&(ly, lv)) = s.observed.last() {
            // The fan opens from the last observation to the forecast's p10–p90.
            let fan = vec![
                (ly as f64, lv),
                (f.year as f64, f.p90),
                (f.year as f64, f.p10),
            ];
            chart
                .draw_series(std::iter::once(Polygon::new(fan, FAN.mix(0.22).filled())))
                .map_err(de)?
                .label(Label::ForecastBand.text(lang))
                .legend(|(x, y)| {
                    Rectangle::new(
                        [(x, y - px(5.0)), (x + px(18.0), y + px(5.0))],
                        FAN.mix(0.22).filled(),
                    )
                });
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(ly as f64, lv), (f.year as f64, f.p50)],
                    px(5.0) as u32,
                    px(3.0) as u32,
                    FAN.stroke_width(px(1.3) as u32),
                ))
                .map_err(de)?
                .label(Label::ForecastMedian.text(lang))
                .legend(|(x, y)| {
                    PathElement::new(
                        vec![(x, y), (x + px(18.0), y)],
                        FAN.stroke_width(px(1.3) as u32),
                    )
                });
        }
        let (x, lo, hi) = (f.year as f64, f.p10, f.p90);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, lo), (x, hi)],
                FAN.stroke_width(px(1.2) as u32),
            )))
            .map_err(de)?;
        chart
            .draw_series(std::iter::once(Circle::new(
                (x, f.p50),
                px(3.5),
                FAN.filled(),
            )))
            .map_err(de)?;
        // The range is written left of the bar, level with its top, where no line runs.
        let style = text_style(9.5, FAN).pos(plotters::style::text_anchor::Pos::new(
            HPos::Right,
            VPos::Center,
        ));
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{}–{}", fmt_count(f.p10), fmt_count(f.p90)),
                (x - 0.1, f.p90),
                style,
            )))
            .map_err(de)?;
    }
    chart
        .draw_series(LineSeries::new(
            s.observed.iter().map(|&(y, v)| (y as f64, v)),
            OBS.stroke_width(px(1.6) as u32),
        ))
        .map_err(de)?
        .label(Label::Observed.text(lang))
        .legend(|(x, y)| {
            PathElement::new(
                vec![(x, y), (x + px(18.0), y)],
                OBS.stroke_width(px(1.6) as u32),
            )
        });
    chart
        .draw_series(
            s.observed
                .iter()
                .map(|&(y, v)| Circle::new((y as f64, v), px(2.6), OBS.filled())),
        )
        .map_err(de)?;
    let _ = legend;
    Ok(())
}

impl Paint for TrendChart<'_> {
    fn size(&self) -> (u32, u32) {
        (px(W) as u32, px(60.0 + 280.0 * self.panels() as f64) as u32)
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let lang = self.lang;
        let title = match lang {
            Lang::Zh => format!("{}：{}", self.trend.measure, Label::TrendTitle.text(lang)),
            Lang::En => format!("{}: {}", self.trend.measure, Label::TrendTitle.text(lang)),
        };
        chart_title(root, &title)?;
        let body = root.margin(px(60.0), 0, 0, 0);
        let panels = body.split_evenly((self.panels(), 1));
        let years = self
            .trend
            .deaths
            .iter()
            .map(span)
            .fold(span(&self.trend.counts), |a, b| {
                (a.0.min(b.0), a.1.max(b.1))
            });
        series_panel(
            &panels[0],
            &self.trend.counts,
            years,
            Label::Count.text(lang),
            lang,
            true,
        )?;
        let items = [
            (OBS, Label::Observed.text(lang)),
            (FAN, Label::ForecastMedian.text(lang)),
            (RGBColor(0xf7, 0xd2, 0xcc), Label::ForecastBand.text(lang)),
        ];
        legend_row(root, px(16.0), px(46.0), &items)?;
        if let (Some(d), Some(area)) = (&self.trend.deaths, panels.get(1)) {
            series_panel(area, d, years, Label::Deaths.text(lang), lang, false)?;
        }
        Ok(())
    }
}

/// Yearly counts (and deaths, in a second panel, when given) of one measure,
/// with the next year's median and p10–p90 fan.
pub fn trend_chart(
    trend: &Trend,
    name: &str,
    lang: Lang,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    render(&TrendChart { trend, lang }, name, opts)
}

// ---------------------------------------------------------------- seasonality

struct SeasonChart<'a> {
    s: &'a Seasonality,
    lang: Lang,
}

impl Paint for SeasonChart<'_> {
    fn size(&self) -> (u32, u32) {
        (px(W) as u32, px(350.0) as u32)
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let lang = self.lang;
        let title = match lang {
            Lang::Zh => format!("{}：{}", self.s.measure, Label::SeasonTitle.text(lang)),
            Lang::En => format!("{}: {}", self.s.measure, Label::SeasonTitle.text(lang)),
        };
        chart_title(root, &title)?;
        let body = root.margin(px(60.0), 0, 0, 0);
        let this = self.s.this_year.as_ref();
        let top = self
            .s
            .monthly_mean
            .iter()
            .copied()
            .chain(this.into_iter().flat_map(|t| t.1.iter().copied()))
            .fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&body)
            .margin(px(8.0))
            .margin_right(px(24.0))
            .x_label_area_size(px(28.0))
            .y_label_area_size(px(54.0))
            .build_cartesian_2d(0.5f64..12.5, 0.0..nice_max(top * 1.1))
            .map_err(de)?;
        let month = |m: &f64| {
            let k = m.round() as i32;
            if (m - m.round()).abs() > 1e-6 || !(1..=12).contains(&k) {
                String::new()
            } else if lang == Lang::Zh {
                format!("{k}月")
            } else {
                [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ][k as usize - 1]
                    .to_string()
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RULE.stroke_width(1))
            .x_labels(12)
            .x_label_formatter(&month)
            .y_labels(6)
            // Whole ticks (0, 1, 2) print without a decimal; halves keep one.
            .y_label_formatter(&|v| thousands(*v, if (v - v.round()).abs() > 1e-9 { 1 } else { 0 }))
            .y_desc(Label::Count.text(lang))
            .label_style(text_style(10.0, INK))
            .axis_desc_style(text_style(10.5, INK))
            .axis_style(INK.stroke_width(2))
            .draw()
            .map_err(de)?;
        let bar = RGBColor(0x9e, 0xbc, 0xda);
        chart
            .draw_series(self.s.monthly_mean.iter().enumerate().map(|(i, &v)| {
                let x = i as f64 + 1.0;
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, v)], bar.filled())
            }))
            .map_err(de)?
            .label(Label::MonthlyMean.text(lang))
            .legend(move |(x, y)| {
                Rectangle::new(
                    [(x, y - px(5.0)), (x + px(18.0), y + px(5.0))],
                    bar.filled(),
                )
            });
        if let Some((year, months)) = this {
            let pts: Vec<(f64, f64)> = months
                .iter()
                .take(12)
                .enumerate()
                .map(|(i, &v)| (i as f64 + 1.0, v))
                .collect();
            chart
                .draw_series(LineSeries::new(
                    pts.clone(),
                    FAN.stroke_width(px(1.6) as u32),
                ))
                .map_err(de)?
                .label(format!("{year} {}", Label::ThisYear.text(lang)))
                .legend(|(x, y)| {
                    PathElement::new(
                        vec![(x, y), (x + px(18.0), y)],
                        FAN.stroke_width(px(1.6) as u32),
                    )
                });
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, px(2.6), FAN.filled())))
                .map_err(de)?;
        }
        let mut items = vec![(bar, Label::MonthlyMean.text(lang).to_string())];
        if let Some((year, _)) = this {
            items.push((FAN, format!("{year} {}", Label::ThisYear.text(lang))));
        }
        let items: Vec<(RGBColor, &str)> = items.iter().map(|(c, l)| (*c, l.as_str())).collect();
        legend_row(root, px(16.0), px(46.0), &items)
    }
}

/// Mean monthly counts of past years as bars, this year's months as a line.
pub fn seasonality_chart(
    s: &Seasonality,
    name: &str,
    lang: Lang,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    render(&SeasonChart { s, lang }, name, opts)
}

// ---------------------------------------------------------------- category charts

/// Shared layout of the charts with one township per row.
struct Rows {
    /// Pixel x where bars start (after the names).
    left: i32,
    right: i32,
    top: i32,
    row_h: i32,
}

const ROW_H: f64 = 17.0;
const HEAD: f64 = 62.0;

fn rows_layout(names: &[&str], right_pad: f64) -> Rows {
    let name_w = names.iter().map(|n| text_width(n, 10.0)).max().unwrap_or(0);
    Rows {
        left: px(24.0) + name_w,
        right: px(W - right_pad),
        top: px(HEAD),
        row_h: px(ROW_H),
    }
}

fn row_names<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    l: &Rows,
    names: &[&str],
) -> DrawResult {
    for (i, n) in names.iter().enumerate() {
        let y = l.top + l.row_h * i as i32 + l.row_h / 2;
        if i % 2 == 1 {
            root.draw(&Rectangle::new(
                [(px(8.0), y - l.row_h / 2), (l.right, y + l.row_h / 2)],
                RGBColor(0xf4, 0xf4, 0xf4).filled(),
            ))
            .map_err(de)?;
        }
        text(
            root,
            n,
            (l.left - px(8.0), y),
            10.0,
            INK,
            HPos::Right,
            VPos::Center,
        )?;
    }
    Ok(())
}

/// A value axis along the bottom of a row chart, from `lo` to `hi`.
fn value_axis<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    l: &Rows,
    n: usize,
    lo: f64,
    hi: f64,
    fmt: &dyn Fn(f64) -> String,
) -> DrawResult {
    let bottom = l.top + l.row_h * n as i32;
    let x_of = |v: f64| l.left + ((v - lo) / (hi - lo) * (l.right - l.left) as f64) as i32;
    root.draw(&PathElement::new(
        vec![(l.left, bottom), (l.right, bottom)],
        INK.stroke_width(2),
    ))
    .map_err(de)?;
    let step = nice_max((hi - lo) / 5.0);
    let mut v = (lo / step).ceil() * step;
    if lo == 1.0 && v > lo {
        // Ranks start at 1, which deserves a tick of its own.
        let x = x_of(lo);
        text(
            root,
            &fmt(lo),
            (x, bottom + px(6.0)),
            9.5,
            INK,
            HPos::Center,
            VPos::Top,
        )?;
    }
    while v <= hi + 1e-9 {
        let x = x_of(v);
        root.draw(&PathElement::new(
            vec![(x, l.top), (x, bottom)],
            RULE.stroke_width(1),
        ))
        .map_err(de)?;
        root.draw(&PathElement::new(
            vec![(x, bottom), (x, bottom + px(4.0))],
            INK.stroke_width(2),
        ))
        .map_err(de)?;
        text(
            root,
            &fmt(v),
            (x, bottom + px(6.0)),
            9.5,
            INK,
            HPos::Center,
            VPos::Top,
        )?;
        v += step;
    }
    Ok(())
}

fn more_note<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    l: &Rows,
    n: usize,
    hidden: usize,
    lang: Lang,
) -> DrawResult {
    if hidden == 0 {
        return Ok(());
    }
    let y = l.top + l.row_h * n as i32 + px(24.0);
    let note = match lang {
        Lang::Zh => format!("{}{} 个", Label::MoreNotShown.text(lang), hidden),
        Lang::En => format!("{hidden} {}", Label::MoreNotShown.text(lang)),
    };
    text(
        root,
        &note,
        (px(W - 16.0), y),
        9.5,
        MUTED,
        HPos::Right,
        VPos::Top,
    )
}

fn rows_height(n: usize) -> u32 {
    px(HEAD + ROW_H * n as f64 + 52.0) as u32
}

fn legend_row<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x0: i32,
    y: i32,
    items: &[(RGBColor, &str)],
) -> DrawResult {
    let mut x = x0;
    for (c, l) in items {
        root.draw(&Rectangle::new(
            [(x, y - px(5.0)), (x + px(12.0), y + px(5.0))],
            c.filled(),
        ))
        .map_err(de)?;
        text(
            root,
            l,
            (x + px(16.0), y),
            9.5,
            INK,
            HPos::Left,
            VPos::Center,
        )?;
        x += px(16.0) + text_width(l, 9.5) + px(14.0);
    }
    Ok(())
}

struct YoyChart<'a> {
    rows: Vec<&'a YoyRow>,
    hidden: usize,
    measure: &'a str,
    lang: Lang,
}

impl Paint for YoyChart<'_> {
    fn size(&self) -> (u32, u32) {
        (px(W) as u32, rows_height(self.rows.len()))
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let lang = self.lang;
        let title = match lang {
            Lang::Zh => format!("{}：{}", self.measure, Label::YoyTitle.text(lang)),
            Lang::En => format!("{}: {}", self.measure, Label::YoyTitle.text(lang)),
        };
        chart_title(root, &title)?;
        let names: Vec<&str> = self.rows.iter().map(|r| r.name.as_str()).collect();
        let l = rows_layout(&names, 120.0);
        row_names(root, &l, &names)?;
        let hi = nice_max(
            self.rows
                .iter()
                .map(|r| r.current.max(r.previous))
                .fold(0.0, f64::max),
        );
        value_axis(root, &l, names.len(), 0.0, hi, &|v| thousands(v, 0))?;
        let x_of = |v: f64| l.left + (v / hi * (l.right - l.left) as f64) as i32;
        let prev_c = RGBColor(0xbb, 0xbb, 0xbb);
        for (i, r) in self.rows.iter().enumerate() {
            let y = l.top + l.row_h * i as i32;
            let (a, b) = (y + l.row_h / 8, y + l.row_h / 2);
            root.draw(&Rectangle::new(
                [(l.left, a), (x_of(r.previous), b)],
                prev_c.filled(),
            ))
            .map_err(de)?;
            root.draw(&Rectangle::new(
                [(l.left, b), (x_of(r.current), y + l.row_h * 7 / 8)],
                OBS.filled(),
            ))
            .map_err(de)?;
            let d = r.current - r.previous;
            let pct = if d == 0.0 {
                String::new()
            } else if r.previous > 0.0 {
                format!(" ({:+.0}%)", 100.0 * d / r.previous)
            } else if r.current > 0.0 {
                format!(" ({})", Label::New.text(lang))
            } else {
                String::new()
            };
            let c = if d > 0.0 {
                FAN
            } else if d < 0.0 {
                RGBColor(0x2b, 0x83, 0xba)
            } else {
                MUTED
            };
            let sign = if d > 0.0 {
                "+"
            } else if d < 0.0 {
                "-"
            } else {
                "±"
            };
            text(
                root,
                &format!("{sign}{}{pct}", thousands(d.abs(), 0)),
                (l.right + px(8.0), y + l.row_h / 2),
                9.5,
                c,
                HPos::Left,
                VPos::Center,
            )?;
        }
        legend_row(
            root,
            px(16.0),
            px(46.0),
            &[
                (prev_c, Label::LastYear.text(lang)),
                (OBS, Label::ThisYear.text(lang)),
            ],
        )?;
        text(
            root,
            Label::Change.text(lang),
            (l.right + px(8.0), px(46.0)),
            9.5,
            MUTED,
            HPos::Left,
            VPos::Center,
        )?;
        more_note(root, &l, names.len(), self.hidden, lang)
    }
}

/// This year's count against the same period last year, per township, sorted
/// by this year's count; at most `max_rows` rows.
pub fn yoy_chart(
    rows: &[YoyRow],
    measure: &str,
    name: &str,
    max_rows: usize,
    lang: Lang,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    let mut sorted: Vec<&YoyRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        b.current
            .total_cmp(&a.current)
            .then(b.previous.total_cmp(&a.previous))
    });
    let shown = sorted.len().min(max_rows.max(1));
    let hidden = sorted.len() - shown;
    sorted.truncate(shown);
    render(
        &YoyChart {
            rows: sorted,
            hidden,
            measure,
            lang,
        },
        name,
        opts,
    )
}

struct RankChart<'a> {
    rows: Vec<&'a RankRow>,
    hidden: usize,
    n_total: usize,
    lang: Lang,
}

impl Paint for RankChart<'_> {
    fn size(&self) -> (u32, u32) {
        (px(W) as u32, rows_height(self.rows.len()))
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let lang = self.lang;
        chart_title(root, Label::RankingTitle.text(lang))?;
        let names: Vec<&str> = self.rows.iter().map(|r| r.name.as_str()).collect();
        let l = rows_layout(&names, 40.0);
        row_names(root, &l, &names)?;
        let hi = self
            .rows
            .iter()
            .map(|r| r.rank_hi.max(r.rank as f64))
            .fold(1.0, f64::max)
            .max(self.rows.len() as f64);
        let hi = nice_max(hi).min(self.n_total.max(1) as f64).max(hi);
        value_axis(root, &l, names.len(), 1.0, hi, &|v| format!("{v:.0}"))?;
        let x_of =
            |v: f64| l.left + ((v - 1.0) / (hi - 1.0).max(1.0) * (l.right - l.left) as f64) as i32;
        for (i, r) in self.rows.iter().enumerate() {
            let y = l.top + l.row_h * i as i32 + l.row_h / 2;
            let (a, b) = (x_of(r.rank_lo), x_of(r.rank_hi));
            let cap = l.row_h / 4;
            let s = INK.stroke_width(px(1.0) as u32);
            root.draw(&PathElement::new(vec![(a, y), (b, y)], s))
                .map_err(de)?;
            root.draw(&PathElement::new(vec![(a, y - cap), (a, y + cap)], s))
                .map_err(de)?;
            root.draw(&PathElement::new(vec![(b, y - cap), (b, y + cap)], s))
                .map_err(de)?;
            let (cr, cg, cb) = r.level.rgb();
            let x = x_of(r.rank as f64);
            root.draw(&Circle::new((x, y), px(4.5), RGBColor(cr, cg, cb).filled()))
                .map_err(de)?;
            root.draw(&Circle::new((x, y), px(4.5), INK.stroke_width(2)))
                .map_err(de)?;
        }
        let items: Vec<(RGBColor, &str)> = Level::ALL
            .iter()
            .map(|lv| {
                let (r, g, b) = lv.rgb();
                (RGBColor(r, g, b), lv.label(lang))
            })
            .collect();
        legend_row(root, px(16.0), px(46.0), &items)?;
        text(
            root,
            &format!(
                "● {}   ├─┤ {}",
                Label::Rank.text(lang),
                Label::RankInterval.text(lang)
            ),
            (px(W - 16.0), px(46.0)),
            9.5,
            MUTED,
            HPos::Right,
            VPos::Center,
        )?;
        more_note(root, &l, names.len(), self.hidden, lang)
    }
}

/// Townships by rank (1 at the top) with their rank intervals as error bars and
/// the marker in the level's colour; at most `max_rows` rows.
pub fn ranking_chart(
    rows: &[RankRow],
    name: &str,
    max_rows: usize,
    lang: Lang,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    let mut sorted: Vec<&RankRow> = rows.iter().collect();
    sorted.sort_by_key(|r| r.rank);
    let shown = sorted.len().min(max_rows.max(1));
    let hidden = sorted.len() - shown;
    sorted.truncate(shown);
    render(
        &RankChart {
            rows: sorted,
            hidden,
            n_total: rows.len(),
            lang,
        },
        name,
        opts,
    )
}

struct RectChart<'a> {
    rows: Vec<&'a RectRow>,
    hidden: usize,
    lang: Lang,
}

const RECT_COLORS: [RGBColor; 4] = [
    RGBColor(0x1a, 0x96, 0x41),
    RGBColor(0xa6, 0xd9, 0x6a),
    RGBColor(0xfe, 0xe0, 0x8b),
    RGBColor(0xd7, 0x19, 0x1c),
];

impl Paint for RectChart<'_> {
    fn size(&self) -> (u32, u32) {
        (px(W) as u32, rows_height(self.rows.len()))
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let lang = self.lang;
        chart_title(root, Label::RectTitle.text(lang))?;
        let names: Vec<&str> = self.rows.iter().map(|r| r.name.as_str()).collect();
        let l = rows_layout(&names, 90.0);
        row_names(root, &l, &names)?;
        let total = |r: &RectRow| (r.on_time + r.late + r.open + r.overdue) as f64;
        let hi = nice_max(self.rows.iter().map(|r| total(r)).fold(0.0, f64::max));
        value_axis(root, &l, names.len(), 0.0, hi, &|v| format!("{v:.0}"))?;
        let x_of = |v: f64| l.left + (v / hi * (l.right - l.left) as f64) as i32;
        for (i, r) in self.rows.iter().enumerate() {
            let y = l.top + l.row_h * i as i32;
            let mut acc = 0.0;
            for (k, v) in [r.on_time, r.late, r.open, r.overdue]
                .into_iter()
                .enumerate()
            {
                if v == 0 {
                    continue;
                }
                let (a, b) = (x_of(acc), x_of(acc + v as f64));
                root.draw(&Rectangle::new(
                    [(a, y + l.row_h / 6), (b, y + l.row_h * 5 / 6)],
                    RECT_COLORS[k].filled(),
                ))
                .map_err(de)?;
                acc += v as f64;
            }
            let t = total(r);
            let done = if t > 0.0 {
                100.0 * (r.on_time + r.late) as f64 / t
            } else {
                0.0
            };
            // Self-describing: "已整改 59%  逾期 48" / "59% rectified  48 overdue".
            let share = match lang {
                Lang::Zh => format!("{} {done:.0}%", Label::RectifiedShare.text(lang)),
                Lang::En => format!("{done:.0}% {}", Label::RectifiedShare.text(lang)),
            };
            let label = match (r.overdue, lang) {
                (0, _) => share,
                (n, Lang::Zh) => format!("{share}  {} {n}", Label::OverdueShort.text(lang)),
                (n, Lang::En) => format!("{share}  {n} {}", Label::OverdueShort.text(lang)),
            };
            let c = if r.overdue > 0 { RECT_COLORS[3] } else { INK };
            text(
                root,
                &label,
                (x_of(acc) + px(6.0), y + l.row_h / 2),
                9.5,
                c,
                HPos::Left,
                VPos::Center,
            )?;
        }
        let items = [
            (RECT_COLORS[0], Label::RectOnTime.text(lang)),
            (RECT_COLORS[1], Label::RectLate.text(lang)),
            (RECT_COLORS[2], Label::RectOpen.text(lang)),
            (RECT_COLORS[3], Label::RectOverdue.text(lang)),
        ];
        legend_row(root, px(16.0), px(46.0), &items)?;
        more_note(root, &l, names.len(), self.hidden, lang)
    }
}

/// Hidden hazards per township as stacked bars (rectified on time, late, open,
/// overdue), townships with the most overdue first; the label gives the share
/// rectified and the overdue count. At most `max_rows` rows.
pub fn rectification_chart(
    rows: &[RectRow],
    name: &str,
    max_rows: usize,
    lang: Lang,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    let mut sorted: Vec<&RectRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then((b.open + b.on_time + b.late).cmp(&(a.open + a.on_time + a.late)))
            .then(a.name.cmp(&b.name))
    });
    let shown = sorted.len().min(max_rows.max(1));
    let hidden = sorted.len() - shown;
    sorted.truncate(shown);
    render(
        &RectChart {
            rows: sorted,
            hidden,
            lang,
        },
        name,
        opts,
    )
}

// ---------------------------------------------------------------- leaderboard

/// One model's score on the backtest leaderboard.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaderRow {
    /// Model name.
    pub model: String,
    /// Mean CRPS over every prediction (lower is better).
    pub crps: f64,
    /// How well calibrated its predictive distributions are, if known.
    pub calibration: Option<Calibration>,
}

/// A model's calibration on the backtest: drawn beside its CRPS bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Share of outcomes in the central 50 %, 80 % and 95 % intervals.
    pub coverage: [f64; 3],
    /// The PIT histogram: the share in each tenth of [0, 1] (0.1 each when
    /// calibrated).
    pub pit: [f64; 10],
}

/// Width of the calibration column, points.
const CAL_W: f64 = 200.0;
/// Width of one PIT histogram, points.
const PIT_W: f64 = 80.0;
/// The PIT share drawn at full row height.
const PIT_TOP: f64 = 0.2;

struct LeaderChart<'a> {
    rows: Vec<&'a LeaderRow>,
    naive: Option<f64>,
    title: String,
    lang: Lang,
}

impl Paint for LeaderChart<'_> {
    fn size(&self) -> (u32, u32) {
        (px(W) as u32, rows_height(self.rows.len()))
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        chart_title(root, &self.title)?;
        let names: Vec<&str> = self.rows.iter().map(|r| r.model.as_str()).collect();
        let calibrated = self.rows.iter().any(|r| r.calibration.is_some());
        let l = rows_layout(&names, 110.0 + if calibrated { CAL_W } else { 0.0 });
        row_names(root, &l, &names)?;
        if calibrated {
            self.paint_calibration(root, &l)?;
        }
        let hi = nice_max(self.rows.iter().map(|r| r.crps).fold(0.0, f64::max));
        value_axis(root, &l, names.len(), 0.0, hi, &|v| fmt_sig(v))?;
        let x_of = |v: f64| l.left + (v / hi * (l.right - l.left) as f64) as i32;
        // The naive line first, so that bars and their labels are drawn over it.
        if let Some(n) = self.naive {
            let bottom = l.top + l.row_h * self.rows.len() as i32;
            root.draw(&PathElement::new(
                vec![(x_of(n), l.top - px(4.0)), (x_of(n), bottom)],
                RULE.stroke_width(3),
            ))
            .map_err(de)?;
        }
        for (i, r) in self.rows.iter().enumerate() {
            let y = l.top + l.row_h * i as i32;
            let colour = if i == 0 { FAN } else { OBS };
            root.draw(&Rectangle::new(
                [(l.left, y + px(3.0)), (x_of(r.crps), y + l.row_h - px(3.0))],
                colour.filled(),
            ))
            .map_err(de)?;
            let vs = self
                .naive
                .filter(|n| *n > 0.0)
                .map(|n| 100.0 * (r.crps / n - 1.0));
            let label = match vs {
                Some(p) if r.model != "naive" => format!("{}  ({p:+.1}%)", fmt_sig(r.crps)),
                _ => fmt_sig(r.crps),
            };
            text(
                root,
                &label,
                (x_of(r.crps) + px(6.0), y + l.row_h / 2),
                9.5,
                INK,
                HPos::Left,
                VPos::Center,
            )?;
        }
        let note = match self.lang {
            Lang::Zh => "连续分级概率评分（CRPS，越低越好）；括号内为相对朴素模型（去年值）的变化；竖线为朴素模型",
            Lang::En => "continuous ranked probability score (CRPS, lower is better); in brackets: change against naive (last year); the line marks naive",
        };
        text(
            root,
            note,
            (px(16.0), px(40.0)),
            9.5,
            MUTED,
            HPos::Left,
            VPos::Top,
        )
    }
}

impl LeaderChart<'_> {
    /// The calibration column right of the bars: each model's PIT histogram
    /// (ten bars; the rule marks 0.1, a calibrated model's share) and its
    /// interval coverage at 50/80/95 %.
    fn paint_calibration<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        l: &Rows,
    ) -> DrawResult {
        let x0 = px(W - CAL_W + 8.0);
        let bar_w = px(PIT_W / 10.0);
        let (pit_head, cover_head) = match self.lang {
            Lang::Zh => (
                ["PIT直方图", "平齐于红线0.1为校准"],
                ["区间覆盖率%", "50 / 80 / 95"],
            ),
            Lang::En => (
                ["PIT histogram", "flat at red 0.1 line"],
                ["coverage %", "50 / 80 / 95"],
            ),
        };
        let cover_x = x0 + px(PIT_W + 14.0);
        for (k, y) in [px(32.0), px(45.0)].into_iter().enumerate() {
            text(
                root,
                pit_head[k],
                (x0, y),
                9.0,
                MUTED,
                HPos::Left,
                VPos::Top,
            )?;
            text(
                root,
                cover_head[k],
                (cover_x, y),
                9.0,
                MUTED,
                HPos::Left,
                VPos::Top,
            )?;
        }
        for (i, r) in self.rows.iter().enumerate() {
            let Some(c) = &r.calibration else { continue };
            let y = l.top + l.row_h * i as i32;
            let (top, bottom) = (y + px(2.0), y + l.row_h - px(2.0));
            let h = (bottom - top) as f64;
            for (j, share) in c.pit.iter().enumerate() {
                if !share.is_finite() {
                    continue;
                }
                let x = x0 + bar_w * j as i32;
                let bar = (share / PIT_TOP).min(1.0) * h;
                root.draw(&Rectangle::new(
                    [(x + 1, bottom - bar as i32), (x + bar_w - 1, bottom)],
                    OBS.filled(),
                ))
                .map_err(de)?;
            }
            let level = bottom - (0.1 / PIT_TOP * h) as i32;
            root.draw(&PathElement::new(
                vec![(x0, level), (x0 + bar_w * 10, level)],
                FAN.stroke_width(2),
            ))
            .map_err(de)?;
            let pct = |v: f64| {
                if v.is_finite() {
                    format!("{:.0}", 100.0 * v)
                } else {
                    "–".to_owned()
                }
            };
            text(
                root,
                &format!(
                    "{} / {} / {}",
                    pct(c.coverage[0]),
                    pct(c.coverage[1]),
                    pct(c.coverage[2])
                ),
                (cover_x, y + l.row_h / 2),
                9.5,
                INK,
                HPos::Left,
                VPos::Center,
            )?;
        }
        Ok(())
    }
}

/// The backtest leaderboard: models by mean CRPS, best first (highlighted),
/// with each model's change against `naive` when naive is on the board.
pub fn leaderboard_chart(
    rows: &[LeaderRow],
    name: &str,
    lang: Lang,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    let mut sorted: Vec<&LeaderRow> = rows.iter().filter(|r| r.crps.is_finite()).collect();
    sorted.sort_by(|a, b| {
        a.crps
            .total_cmp(&b.crps)
            .then_with(|| a.model.cmp(&b.model))
    });
    let naive = rows.iter().find(|r| r.model == "naive").map(|r| r.crps);
    let title = match lang {
        Lang::Zh => "预测模型滚动回测排行",
        Lang::En => "Forecasting models on the rolling-origin backtest",
    }
    .to_owned();
    render(
        &LeaderChart {
            rows: sorted,
            naive,
            title,
            lang,
        },
        name,
        opts,
    )
}
