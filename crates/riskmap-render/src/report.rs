//! `report.html`: one self-contained file in the county report's order (the
//! year's statistics, the ranked table, maps, trends and forecast, where to
//! focus, data quality, method), Chinese by default. Figures go in as inline
//! SVG (crisp in print, text searchable) or, when an SVG is large, as PNG data
//! URLs; the CJK font is an `@font-face` data URL; CSS is inline; there are no
//! scripts and no external references, so the file opens offline, prints on A4
//! (`@page`, page breaks before sections, figures kept whole) and reads on a
//! phone (viewport meta, fluid figures, tables that scroll sideways).

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine;

use crate::font;
use crate::inputs::{Level, LevelStyle};
use crate::labels::{thousands, Label, Lang};
use crate::set::{FigureKind, Rendered};
use crate::RenderError;

/// One line of the year's statistics: this year to date against the same span
/// of last year.
#[derive(Debug, Clone, PartialEq)]
pub struct StatRow {
    /// What is counted, in the report's language (e.g. `生产安全事故（起）`).
    pub indicator: String,
    /// This year to date.
    pub current: f64,
    /// The same span last year, if known.
    pub previous: Option<f64>,
    /// Decimals to print (0 for counts, 1 or 2 for losses in 10k CNY).
    pub decimals: usize,
}

/// One current alert, as the report's first section lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    /// The alert in a sentence a leader reads, in the report's language
    /// ("X镇、Y乡近12天道路交通事故7起，为常态的3.5倍……").
    pub sentence: String,
    /// What was counted, in the report's language.
    pub measure: String,
    /// Township names, joined.
    pub townships: String,
    /// First and last day, `YYYY-MM-DD–YYYY-MM-DD`.
    pub period: String,
    /// Cases.
    pub observed: f64,
    /// Expected cases.
    pub expected: f64,
    /// The recurrence interval in words ("2.7年", "2.7 years").
    pub recurrence: String,
}

/// One township in the ranked table.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskRow {
    /// 1 = highest risk.
    pub rank: u32,
    /// Name.
    pub name: String,
    /// 12-digit code.
    pub code: String,
    /// Overall risk, 0–10.
    pub risk: f64,
    /// Level.
    pub level: Level,
    /// Rank interval, lower end.
    pub rank_lo: f64,
    /// Rank interval, upper end.
    pub rank_hi: f64,
    /// The main reasons, in the report's language, most important first.
    pub reasons: Vec<String>,
}

/// The townships to watch in one dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct FocusGroup {
    /// The dimension's name in the report's language.
    pub dimension: String,
    /// `(township, score 0–10)`, highest first.
    pub townships: Vec<(String, f64)>,
}

/// A major hidden hazard past its deadline and not rectified.
#[derive(Debug, Clone, PartialEq)]
pub struct OverdueHazard {
    /// The hazard's id.
    pub id: String,
    /// Township name.
    pub township: String,
    /// Sector, in the report's language.
    pub sector: String,
    /// Deadline, `YYYY-MM-DD`.
    pub deadline: String,
    /// Days past the deadline on the as-of date.
    pub days_overdue: i64,
}

/// One source's rows in the data quality table (SPEC's manifest figures).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QualityRow {
    /// The source, in the report's language or its SPEC stem.
    pub source: String,
    /// Rows read.
    pub rows_read: u64,
    /// Accepted.
    pub accepted: u64,
    /// Rejected.
    pub rejected: u64,
    /// Of the rejected, outside the region.
    pub outside: u64,
}

/// Everything the report prints besides the figures.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportInput {
    /// Language.
    pub lang: Lang,
    /// Region name, e.g. `云溪县`.
    pub region: String,
    /// As-of date, `YYYY-MM-DD`.
    pub as_of: String,
    /// The as-of year.
    pub year: i32,
    /// Before section 1, only when not empty: the current alerts.
    pub alerts: Vec<AlertRow>,
    /// Section 1: the year's statistics.
    pub stats: Vec<StatRow>,
    /// Section 1: sentences that sum it up (optional).
    pub highlights: Vec<String>,
    /// Section 2: every township by rank.
    pub ranking: Vec<RiskRow>,
    /// Section 5: top townships per dimension.
    pub focus: Vec<FocusGroup>,
    /// Section 5: overdue major hidden hazards.
    pub overdue: Vec<OverdueHazard>,
    /// Section 6: rows per source.
    pub quality: Vec<QualityRow>,
    /// Section 6: sources that were missing, in the report's language.
    pub missing: Vec<String>,
    /// Section 6: stages of the run skipped for want of data, each with why
    /// and what would make it run, in the report's language.
    pub skipped: Vec<String>,
    /// Section 6: `(reason, rows)`, most frequent first.
    pub reject_reasons: Vec<(String, u64)>,
    /// Section 7: paragraphs; empty means the built-in summary.
    pub method: Vec<String>,
    /// A line for the footer, e.g. the version and run time.
    pub footer: String,
}

/// SVGs larger than this (without the font) go in as PNG, which keeps a
/// province's many-township maps from bloating the page.
const INLINE_SVG_LIMIT: usize = 1_500_000;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// A figure as HTML: inline SVG without its own font (the page has it), or a PNG.
fn figure_html(r: &Rendered) -> String {
    let f = &r.figure;
    let svg = font::strip_font_faces(&f.svg);
    let body = if svg.len() <= INLINE_SVG_LIMIT {
        // Inline SVG needs no namespace declarations; dropping them keeps the page
        // free of any http: string, which the offline check looks for.
        svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
            .replacen(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "", 1)
    } else {
        format!(
            "<img src=\"data:image/png;base64,{}\" width=\"{}\" height=\"{}\" alt=\"{}\">",
            base64::engine::general_purpose::STANDARD
                .encode(crate::canvas::screen_png(&f.png, 1600)),
            f.width,
            f.height,
            esc(&f.name)
        )
    };
    format!("<figure id=\"fig-{}\">{body}</figure>\n", esc(&f.name))
}

fn pct(cur: f64, prev: Option<f64>, lang: Lang) -> String {
    match prev {
        Some(p) if p > 0.0 => {
            let v = 100.0 * (cur - p) / p;
            // The down arrow is the up arrow turned over, a habit from when the
            // embedded font held GB2312 only (which has ▲ but not ▼).
            let (cls, arrow) = if v > 0.05 {
                ("up", "▲")
            } else if v < -0.05 {
                ("down", "<span class=\"flip\">▲</span>")
            } else {
                ("flat", "")
            };
            format!("<span class=\"{cls}\">{arrow}{:.1}%</span>", v.abs())
        }
        Some(_) if cur > 0.0 => format!("<span class=\"up\">{}</span>", Label::New.text(lang)),
        Some(_) => "–".into(),
        None => Label::NotAvailable.text(lang).into(),
    }
}

fn level_badge(l: Level, lang: Lang) -> String {
    format!(
        "<span class=\"lv lv-{}\">{}</span>",
        l.key(),
        esc(l.label(lang))
    )
}

fn default_method(lang: Lang) -> Vec<String> {
    match lang {
        Lang::Zh => vec![
            "数据：各类事故、火灾、森林火灾、地质灾害和隐患台账逐条校验（必填项、日期、编码、坐标），不合格记录剔除并说明原因；每条记录按坐标落入所在乡镇（街道），落在边界上的归入代码较小者。".into(),
            "统计：按本年1月1日至截止日与上年同期比较；发生率以人口为暴露量，并用经验贝叶斯方法收缩小样本乡镇的估计；空间聚集用全局与局部莫兰指数（LISA）和Getis–Ord Gi*统计量（皇后邻接），趋势用Mann–Kendall检验。".into(),
            "评分：存量、增量、自然灾害、火灾和应对能力五个维度分别标准化到0–10，加权合成综合风险指数并排名；排名区间表示数据随机波动下排名的80%可能范围，区间越宽越需谨慎解读。风险等级按综合指数划分为重大（红）、较大（橙）、一般（黄）、低（蓝）。".into(),
            "预测：对每个乡镇和类别预测下一年起数，给出中位数和P10–P90区间（即80%的可能范围），模型经滚动回测选出。".into(),
        ],
        Lang::En => vec![
            "Data: every record of incidents, fires, forest fires, geological hazards and hidden hazards is checked (required fields, dates, codes, coordinates); rejected rows are listed with reasons. Each record is assigned to the township containing it; a point on a border goes to the smaller code.".into(),
            "Statistics: this year from 1 January to the as-of date against the same span last year; rates use population as exposure, with empirical Bayes shrinkage for small townships; clustering by global and local Moran's I (LISA) and Getis–Ord Gi* (queen contiguity); trends by Mann–Kendall.".into(),
            "Scores: stock, incremental, natural-hazard, fire and coping dimensions are each scaled to 0–10 and combined into the overall risk, which ranks the townships; the rank interval is the 80% range of the rank under random variation of the data, so wide intervals call for caution. Levels: major (red), significant (orange), moderate (yellow), low (blue).".into(),
            "Forecast: next year's count per township and measure, as a median with a p10–p90 range (80% of outcomes), from the model that won the rolling-origin backtest.".into(),
        ],
    }
}

const CSS: &str = r#"
:root{--ink:#222;--muted:#666;--rule:#ddd;--red:#d7191c;--orange:#fdae61;--yellow:#ffee7a;--blue:#7fb8e0}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--ink);background:#fff;font-family:FONTSTACK;line-height:1.65;font-size:16px}
main{max-width:860px;margin:0 auto;padding:24px 20px 48px}
header.cover{border-bottom:3px solid var(--red);margin-bottom:20px;padding-bottom:12px}
h1{font-size:1.7em;line-height:1.3;margin:.2em 0}
h2{font-size:1.3em;margin:1.8em 0 .6em;padding-left:.5em;border-left:5px solid var(--red)}
h3{font-size:1.08em;margin:1.2em 0 .4em}
.meta{color:var(--muted);margin:0}
nav ol{margin:.4em 0;padding-left:1.4em}
nav a{color:inherit}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.6em 0 1em}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border-bottom:1px solid var(--rule);padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.flip{display:inline-block;transform:rotate(180deg)}
.up{color:var(--red)}.down{color:#1a7f37}.flat{color:var(--muted)}
.lv{display:inline-block;padding:0 .5em;border-radius:3px;white-space:nowrap;font-size:.9em}
.lv-red{background:var(--red);color:#fff}.lv-orange{background:var(--orange)}.lv-yellow{background:var(--yellow)}.lv-blue{background:var(--blue)}
figure{margin:1em 0;break-inside:avoid;page-break-inside:avoid}
figure svg,figure img{display:block;width:100%;height:auto}
table.rank tr.main td{border-bottom:none;padding-bottom:0}
table.rank tr.why td{color:var(--muted);font-size:.92em;padding-top:0}
.highlights li{margin:.2em 0}
.note{padding:.6em .8em;background:#f6f6f6;border-left:4px solid var(--muted)}
.focus{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:.6em 1.2em}
.focus ol{margin:.2em 0;padding-left:1.4em}
footer{color:var(--muted);font-size:.85em;border-top:1px solid var(--rule);margin-top:2em;padding-top:.6em}
@media (max-width:600px){body{font-size:15px}main{padding:14px 12px 32px}h1{font-size:1.4em}th,td{padding:.3em .35em}
 table.rank small{display:block}
 figure{overflow-x:auto;-webkit-overflow-scrolling:touch}figure svg,figure img{min-width:600px}
 figure::after{display:block;color:var(--muted);font-size:.8em;text-align:center;position:sticky;left:0}
 :lang(zh) figure::after{content:"← 左右滑动查看全图 →"}:lang(en) figure::after{content:"← swipe to see the whole figure →"}}
@page{size:A4;margin:14mm 14mm 16mm}
@media print{body{font-size:10.5pt}main{max-width:none;padding:0}nav{display:none}
 section{break-before:page;page-break-before:always}section.first{break-before:auto;page-break-before:auto}
 h2,h3{break-after:avoid;page-break-after:avoid}tr{break-inside:avoid}
 .lv,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"#;

/// Builds the report. Figures are placed by kind: ranking chart after the
/// table; maps (risk map, dimensions, heatmaps, hot spots) in section 3;
/// trends, seasonality and year-on-year in section 4; rectification in 5.
/// The page carries one subset of the embedded fonts with every character it
/// shows (its text, inline SVGs and CSS `content`).
///
/// Subsetting the compiled-in fonts does not fail on any input; should it
/// (a defect), the page is written without `@font-face` and falls back to the
/// system's CJK fonts. [`try_build`] and [`write`] report that failure instead.
pub fn build(input: &ReportInput, figures: &[Rendered]) -> String {
    let (mut h, at) = build_without_font(input, figures);
    if let Ok(css) = font::font_face_css(&h) {
        h.insert_str(at, &css);
    }
    h
}

/// [`build`], failing if the font cannot be subset.
pub fn try_build(input: &ReportInput, figures: &[Rendered]) -> Result<String, RenderError> {
    let (mut h, at) = build_without_font(input, figures);
    let css = font::font_face_css(&h)?;
    h.insert_str(at, &css);
    Ok(h)
}

/// The page without its `@font-face` rules, and the byte offset where they go
/// (the start of the `<style>` element): the font subset needs the finished
/// text.
fn build_without_font(input: &ReportInput, figures: &[Rendered]) -> (String, usize) {
    let lang = input.lang;
    let l = |x: Label| x.text(lang);
    let mut h = String::with_capacity(1 << 20);
    let title = format!(
        "{}{}{}",
        input.region,
        if lang == Lang::Zh { "" } else { " " },
        l(Label::ReportTitle)
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>",
        lang.tag(),
        esc(&title),
    );
    let font_at = h.len();
    let _ = write!(
        h,
        "\n{}</style>\n</head>\n<body>\n<main>\n",
        CSS.replace("FONTSTACK", font::CSS_STACK)
    );
    let _ = writeln!(
        h,
        "<header class=\"cover\"><h1>{}</h1><p class=\"meta\">{}{}{}</p></header>",
        esc(&title),
        l(Label::AsOf),
        if lang == Lang::Zh { "：" } else { ": " },
        esc(&input.as_of)
    );
    let has_alerts = !input.alerts.is_empty();
    let sections = [
        ("alerts", Label::SecAlerts),
        ("stats", Label::SecStats),
        ("ranking", Label::SecRanking),
        ("maps", Label::SecMaps),
        ("trends", Label::SecTrends),
        ("focus", Label::SecFocus),
        ("quality", Label::SecQuality),
        ("method", Label::SecMethod),
    ];
    let _ = write!(h, "<nav><h3>{}</h3><ol>", l(Label::Contents));
    for (id, s) in sections {
        if id == "alerts" && !has_alerts {
            continue;
        }
        let _ = write!(
            h,
            "<li><a href=\"#{id}\">{}</a></li>",
            esc(strip_number(s.text(lang)))
        );
    }
    h.push_str("</ol></nav>\n");
    // Each figure's HTML once, in parallel: a large map's PNG is resampled
    // and compressed for the page (canvas::screen_png), ~0.1 s apiece.
    let html: Vec<String> = {
        use rayon::prelude::*;
        figures.par_iter().map(figure_html).collect()
    };
    let figs = |kinds: &[FigureKind]| -> String {
        figures
            .iter()
            .zip(&html)
            .filter(|(f, _)| kinds.contains(&f.kind))
            .map(|(_, h)| h.as_str())
            .collect()
    };

    // Current alerts, first, only when there are any.
    if has_alerts {
        let _ = write!(
            h,
            "<section id=\"alerts\" class=\"first alerts\"><h2>{}</h2><p class=\"note\">{}</p><ul class=\"highlights\">",
            l(Label::SecAlerts),
            l(Label::AlertIntro)
        );
        for a in &input.alerts {
            let _ = write!(h, "<li><strong>{}</strong></li>", esc(&a.sentence));
        }
        h.push_str("</ul>");
        h.push_str(&figs(&[FigureKind::AlertMap]));
        let _ = write!(
            h,
            "<div class=\"table-wrap\"><table><thead><tr><th class=\"num\">{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>",
            l(Label::AlertNo),
            l(Label::Indicator),
            l(Label::Township),
            l(Label::AlertPeriod),
            l(Label::AlertObserved),
            l(Label::AlertExpected),
            l(Label::AlertTimes),
            l(Label::AlertRecurrence)
        );
        for (k, a) in input.alerts.iter().enumerate() {
            let _ = write!(
                h,
                "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}</td><td class=\"num\">{:.1}</td><td>{}</td></tr>",
                k + 1,
                esc(&a.measure),
                esc(&a.townships),
                esc(&a.period),
                thousands(a.observed, 0),
                a.expected,
                a.observed / a.expected,
                esc(&a.recurrence)
            );
        }
        h.push_str("</tbody></table></div></section>\n");
    }

    // 1. Statistics.
    let _ = write!(
        h,
        "<section id=\"stats\"{}><h2>{}</h2>",
        if has_alerts { "" } else { " class=\"first\"" },
        l(Label::SecStats)
    );
    if !input.highlights.is_empty() {
        h.push_str("<ul class=\"highlights\">");
        for s in &input.highlights {
            let _ = write!(h, "<li>{}</li>", esc(s));
        }
        h.push_str("</ul>");
    }
    let _ = write!(
        h,
        "<div class=\"table-wrap\"><table><thead><tr><th>{}</th><th class=\"num\">{} {}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        l(Label::Indicator),
        input.year,
        l(Label::Current),
        l(Label::Previous),
        l(Label::YoyPct)
    );
    for r in &input.stats {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&r.indicator),
            thousands(r.current, r.decimals),
            r.previous.map_or_else(|| l(Label::NotAvailable).to_string(), |p| thousands(p, r.decimals)),
            pct(r.current, r.previous, lang)
        );
    }
    h.push_str("</tbody></table></div></section>\n");

    // 2. Ranking. The reasons go in a row of their own under each township, so
    // that the table keeps five narrow columns and fits a phone. Without
    // scores the section says so rather than showing an empty table.
    if input.ranking.is_empty() {
        let _ = write!(
            h,
            "<section id=\"ranking\"><h2>{}</h2><p class=\"note\">{}</p>",
            l(Label::SecRanking),
            l(Label::NoScores)
        );
    } else {
        let _ = write!(
        h,
        "<section id=\"ranking\"><h2>{}</h2><div class=\"table-wrap\"><table class=\"rank\"><thead><tr><th class=\"num\">{}</th><th>{}</th><th class=\"num\">{}</th><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        l(Label::SecRanking),
        l(Label::Rank),
        l(Label::Township),
        l(Label::Risk),
        l(Label::Level),
        l(Label::RankRange)
    );
        for r in &input.ranking {
            let sep = if lang == Lang::Zh { "；" } else { "; " };
            let _ = write!(
            h,
            "<tr class=\"main\"><td class=\"num\">{}</td><td>{} <small class=\"meta\">{}</small></td><td class=\"num\">{:.1}</td><td>{}</td><td class=\"num\">{:.0}–{:.0}</td></tr>",
            r.rank,
            esc(&r.name),
            esc(&r.code),
            r.risk,
            level_badge(r.level, lang),
            r.rank_lo,
            r.rank_hi,
        );
            if !r.reasons.is_empty() {
                let _ = write!(
                    h,
                    "<tr class=\"why\"><td></td><td colspan=\"4\">{}{}{}</td></tr>",
                    l(Label::Reasons),
                    if lang == Lang::Zh { "：" } else { ": " },
                    esc(&r.reasons.join(sep))
                );
            }
        }
        h.push_str("</tbody></table></div>");
    }
    h.push_str(&figs(&[FigureKind::Ranking]));
    h.push_str("</section>\n");

    // 3. Maps.
    let _ = write!(h, "<section id=\"maps\"><h2>{}</h2>", l(Label::SecMaps));
    for k in [
        FigureKind::RiskMap,
        FigureKind::DimensionMaps,
        FigureKind::Heatmap,
        FigureKind::HotSpot,
    ] {
        h.push_str(&figs(&[k]));
    }
    h.push_str("</section>\n");

    // 4. Trends.
    let _ = write!(h, "<section id=\"trends\"><h2>{}</h2>", l(Label::SecTrends));
    for k in [FigureKind::Trend, FigureKind::Seasonality, FigureKind::Yoy] {
        h.push_str(&figs(&[k]));
    }
    h.push_str("</section>\n");

    // 5. Focus.
    let _ = write!(h, "<section id=\"focus\"><h2>{}</h2>", l(Label::SecFocus));
    if !input.focus.is_empty() {
        let _ = write!(
            h,
            "<h3>{}</h3><div class=\"focus\">",
            l(Label::TopTownships)
        );
        for g in &input.focus {
            let _ = write!(h, "<div><strong>{}</strong><ol>", esc(&g.dimension));
            for (n, s) in &g.townships {
                let _ = write!(
                    h,
                    "<li>{} <span class=\"meta\">{:.1}</span></li>",
                    esc(n),
                    s
                );
            }
            h.push_str("</ol></div>");
        }
        h.push_str("</div>");
    }
    let _ = write!(h, "<h3>{}</h3>", l(Label::OverdueMajor));
    if input.overdue.is_empty() {
        let _ = write!(h, "<p>{}</p>", l(Label::NoneOverdue));
    } else {
        let _ = write!(
            h,
            "<div class=\"table-wrap\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
            l(Label::HazardId),
            l(Label::Township),
            l(Label::Sector),
            l(Label::Deadline),
            l(Label::DaysOverdue)
        );
        for o in &input.overdue {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num up\">{}</td></tr>",
                esc(&o.id),
                esc(&o.township),
                esc(&o.sector),
                esc(&o.deadline),
                o.days_overdue
            );
        }
        h.push_str("</tbody></table></div>");
    }
    h.push_str(&figs(&[FigureKind::Rectification]));
    h.push_str("</section>\n");

    // 6. Quality.
    let _ = write!(
        h,
        "<section id=\"quality\"><h2>{}</h2><div class=\"table-wrap\"><table><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        l(Label::SecQuality),
        l(Label::Source),
        l(Label::RowsRead),
        l(Label::Accepted),
        l(Label::Rejected),
        l(Label::Outside)
    );
    for q in &input.quality {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&q.source),
            thousands(q.rows_read as f64, 0),
            thousands(q.accepted as f64, 0),
            thousands(q.rejected as f64, 0),
            thousands(q.outside as f64, 0)
        );
    }
    h.push_str("</tbody></table></div>");
    if !input.reject_reasons.is_empty() {
        let _ = write!(h, "<h3>{}</h3><ul>", l(Label::RejectReasons));
        for (r, n) in &input.reject_reasons {
            let colon = if lang == Lang::Zh { "：" } else { ": " };
            let _ = write!(h, "<li>{}{colon}{}</li>", esc(r), thousands(*n as f64, 0));
        }
        h.push_str("</ul>");
    }
    if !input.skipped.is_empty() {
        let _ = write!(h, "<h3>{}</h3><ul>", l(Label::SkippedStages));
        for why in &input.skipped {
            let _ = write!(h, "<li>{}</li>", esc(why));
        }
        h.push_str("</ul>");
    }
    let missing = if input.missing.is_empty() {
        l(Label::NoMissing).to_string()
    } else {
        input
            .missing
            .join(if lang == Lang::Zh { "、" } else { ", " })
    };
    let _ = writeln!(
        h,
        "<p><strong>{}</strong>{}{}</p></section>",
        l(Label::MissingSources),
        if lang == Lang::Zh { "：" } else { ": " },
        esc(&missing)
    );

    // 7. Method.
    let _ = write!(h, "<section id=\"method\"><h2>{}</h2>", l(Label::SecMethod));
    let method = if input.method.is_empty() {
        default_method(lang)
    } else {
        input.method.clone()
    };
    for p in &method {
        let _ = write!(h, "<p>{}</p>", esc(p));
    }
    h.push_str("</section>\n");
    let _ = write!(
        h,
        "<footer>{}{}</footer>\n</main>\n</body>\n</html>\n",
        l(Label::GeneratedBy),
        if input.footer.is_empty() {
            String::new()
        } else {
            format!(" · {}", esc(&input.footer))
        }
    );
    (h, font_at)
}

/// "一、本年度…" → "本年度…", "1. This year's" → "This year's", for the contents.
fn strip_number(s: &str) -> &str {
    s.split_once('、')
        .map(|(_, b)| b)
        .or_else(|| s.split_once(". ").map(|(_, b)| b))
        .unwrap_or(s)
}

/// Builds the report and writes it to `path`.
pub fn write(path: &Path, input: &ReportInput, figures: &[Rendered]) -> Result<(), RenderError> {
    std::fs::write(path, try_build(input, figures)?).map_err(|source| RenderError::Io {
        path: path.to_path_buf(),
        source,
    })
}
