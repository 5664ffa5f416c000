//! The report stage of `run`: maps what the run computed (validated records,
//! the panel, spatial statistics, forecasts, and, when given, risk scores and
//! heatmaps) into `riskmap-render`'s plain inputs, then writes `maps/`,
//! `charts/` and `report.html`.
//!
//! What goes where:
//! - Section 1 (statistics): [`crate::summary::year_to_date`] plus forest
//!   fires, geological hazard events and hidden hazards counted over the same
//!   two periods; the summary's paragraphs are the highlights.
//! - Section 2 (ranking) and the ranked and dimension maps: [`ScoreTable`],
//!   an optional input. Without it the report says that scores are not
//!   available and leaves the ranked map out.
//! - Maps: heatmaps (optional rasters, any coordinate system GDAL knows) and
//!   the emerging hot spot grids of [`SpatialStats`]. Both are resampled by
//!   nearest neighbour onto a north-up lon/lat grid: each output cell's centre
//!   is transformed into the source system (UTM for the hot spot grid) and
//!   looked up there, which is exact for the cell centres and needs no
//!   inverse of a projection. Cells whose centre lies in no township are
//!   left empty, so nothing is drawn outside the region.
//! - Trends: region totals per year over the complete years with the next
//!   year's p10–p90 from [`Forecasts::totals`]; monthly seasonality (mean of
//!   past years against this year's complete months); township year-on-year
//!   bars for accidents and fires.
//! - Focus: the top townships per score dimension (with scores) and per
//!   forecast (always); overdue major hidden hazards; rectification progress.
//! - Data quality: the manifest's counts and the rejection reasons, grouped.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use riskmap_domain::{Crs, GeohazardType, IncidentCategory, Raster, RiskLevel, Source};
use riskmap_render::report::{
    AlertRow, FocusGroup, OverdueHazard, QualityRow, ReportInput, RiskRow, StatRow,
};
use riskmap_render::{
    Dimensions, FigureSet, Forecast, Grid, HeatmapInput, HotSpotClass, HotSpotInput, MapMeta,
    RankRow, Ranked, RectRow, Seasonality, Township, Trend, YearlySeries, YoyRow,
};
use riskmap_stats::emerging::Category;
use rustc_hash::FxHashMap;

pub use riskmap_render::Lang;

use crate::backtest::Forecasts;
use crate::error::PipelineError;
use crate::model::{RejectKind, SourceCounts, Validated};
use crate::panel::Panel;
use crate::scores::{ScoreRow, ScoreTable};
use crate::spatial_stats::{hot_spot_class, SpatialStats};
use crate::summary::{Period, YearToDate};

/// Everything the report is made from. `scores` and `heatmaps` come from
/// other stages and may be absent: `None` and an empty list.
pub struct ReportContext<'a> {
    /// The validated region.
    pub v: &'a Validated,
    /// The yearly and monthly panels.
    pub panel: &'a Panel,
    /// The year-to-date figures (`summary::year_to_date`).
    pub ytd: &'a YearToDate,
    /// The spatial statistics stage.
    pub stats: &'a SpatialStats,
    /// The forecast stage.
    pub forecasts: &'a Forecasts,
    /// Every source read, with its counts (the manifest's `inputs`).
    pub inputs: &'a [SourceCounts],
    /// SPEC stems of sources not in the folder.
    pub missing: &'a [String],
    /// Risk scores, if the scoring stage ran.
    pub scores: Option<&'a ScoreTable>,
    /// `(measure, density raster)`: kernel densities in events per km² per
    /// year, in any EPSG coordinate system (as `heatmaps/<measure>.tif`).
    pub heatmaps: &'a [(String, Raster)],
    /// Stages skipped for want of data, with why (section 6).
    pub skipped: &'a [crate::stage::Skipped],
    /// The current alerts (the first section, when there are any).
    pub alerts: &'a [crate::alerts::Alert],
    /// The language of the report and figures.
    pub lang: Lang,
}

/// What the stage wrote.
#[derive(Debug, Clone, Default)]
pub struct ReportOutput {
    /// Files written, relative to the output folder (`report.html`,
    /// `maps/<name>.png`, ...).
    pub files: Vec<String>,
    /// Problems that did not stop the report.
    pub warnings: Vec<String>,
    /// Wall time of its steps, seconds.
    pub timings: Vec<(&'static str, f64)>,
}

/// The measures drawn as trends and seasonality, when present.
const MAIN_MEASURES: [Source; 4] = [
    Source::Incidents,
    Source::Fires,
    Source::ForestFires,
    Source::GeohazardEvents,
];

/// Most rows of a township chart (the charts say how many are not shown).
const MAX_ROWS: usize = 30;

/// Most overdue hazards listed.
const MAX_OVERDUE: usize = 50;

/// A warning for each township whose name has characters that no embedded
/// font has: they are drawn as boxes in every figure and the report.
fn uncovered_name_warnings(townships: &[Township]) -> Vec<String> {
    riskmap_render::font::uncovered_names(townships)
        .into_iter()
        .map(|(t, chars)| {
            let chars: Vec<String> = chars
                .iter()
                .map(|c| format!("U+{:04X}", *c as u32))
                .collect();
            format!(
                "report: the name of township {} ({}) has characters no embedded font draws ({}); \
                 they show as boxes in the maps, charts and report",
                t.name,
                t.code,
                chars.join(", ")
            )
        })
        .collect()
}

/// Builds the figures and the report inputs (no I/O).
pub fn inputs(ctx: &ReportContext) -> (FigureSet, ReportInput, Vec<String>) {
    let (v, lang) = (ctx.v, ctx.lang);
    let zh = lang == Lang::Zh;
    let mut warnings = Vec::new();
    let shown = display_names(v);
    let townships: Vec<Township> = v
        .townships
        .iter()
        .zip(v.index.polygons())
        .map(|(t, p)| Township {
            code: t.code.clone(),
            name: t.name.clone(),
            polygon: p.clone(),
        })
        .collect();
    warnings.extend(uncovered_name_warnings(&townships));
    let last_day = v.as_of.pred_opt().expect("a date after the start of time");
    let meta = MapMeta {
        region: region_name(v, lang),
        as_of: last_day.to_string(),
    };
    let present = |s: Source| v.counts.iter().any(|c| c.source == s.stem());
    let ytd = ctx.ytd;

    // Scores, aligned with the townships.
    let scores: Option<Vec<Option<&ScoreRow>>> = ctx.scores.map(|t| {
        let by_code: HashMap<&str, &ScoreRow> =
            t.rows.iter().map(|r| (r.code.as_str(), r)).collect();
        v.townships
            .iter()
            .map(|t| by_code.get(t.code.as_str()).copied())
            .collect()
    });
    let scored = scores.as_ref().filter(|s| s.iter().any(Option::is_some));
    if ctx.scores.is_some() && scored.is_none() {
        warnings.push("report: the score table matches no township code; scores left out".into());
    }
    // The maps need every township ranked; a partial table still fills the
    // ranking table, and the maps are left out with a warning.
    let complete = scored.filter(|s| s.iter().all(Option::is_some));
    if scored.is_some() && complete.is_none() {
        warnings.push("report: some townships have no score; the risk maps are left out".into());
    }
    let ranks = complete.map(|s| {
        s.iter()
            .flatten()
            .map(|r| Ranked {
                rank: r.rank,
                level: r.level,
            })
            .collect::<Vec<_>>()
    });
    let dimensions = complete.map(|s| {
        s.iter()
            .map(|r| {
                let d = r.map_or([None; 5], |r| r.dimensions);
                let g = |k: usize| d[k].unwrap_or(f64::NAN);
                Dimensions {
                    stock: g(0),
                    incremental: g(1),
                    natural: g(2),
                    fire: g(3),
                    coping: 10.0 - g(4),
                }
            })
            .collect::<Vec<_>>()
    });
    let ranking_rows: Vec<RiskRow> = scored
        .map(|s| {
            let mut rows: Vec<RiskRow> = s
                .iter()
                .zip(&v.townships)
                .filter_map(|(r, t)| {
                    let r = (*r)?;
                    Some(RiskRow {
                        rank: r.rank,
                        name: t.name.clone(),
                        code: t.code.clone(),
                        risk: r.risk,
                        level: r.level,
                        rank_lo: r.rank_p10,
                        rank_hi: r.rank_p90,
                        reasons: if zh {
                            r.reasons_zh.clone()
                        } else {
                            r.reasons_en.clone()
                        },
                    })
                })
                .collect();
            rows.sort_by_key(|r| r.rank);
            rows
        })
        .unwrap_or_default();
    let ranking_chart = (!ranking_rows.is_empty()).then(|| {
        let by_code: HashMap<&str, &String> = v
            .townships
            .iter()
            .zip(&shown)
            .map(|(t, n)| (t.code.as_str(), n))
            .collect();
        ranking_rows
            .iter()
            .map(|r| RankRow {
                // The chart has no code column: names shared by several
                // townships carry their code.
                name: by_code
                    .get(r.code.as_str())
                    .map_or_else(|| r.name.clone(), |n| (*n).clone()),
                rank: r.rank,
                rank_lo: r.rank_lo,
                rank_hi: r.rank_hi,
                level: r.level,
            })
            .collect::<Vec<_>>()
    });

    // Rasters: the lon/lat frame of the region and which cells are inside it.
    let heatmaps = ctx
        .heatmaps
        .iter()
        .filter_map(|(measure, raster)| match heat_grid(v, raster) {
            Ok(grid) => Some(HeatmapInput {
                name: format!("heatmap_{}", file_stem(measure)),
                measure: measure_label(measure, lang),
                grid,
            }),
            Err(e) => {
                warnings.push(format!("report: heatmap of {measure} left out: {e}"));
                None
            }
        })
        .collect::<Vec<_>>();
    // Every hot spot grid has the same cells (one cell size, one UTM zone),
    // so one frame serves them all; a quarter cell keeps the squares square.
    let mut hotspots = Vec::new();
    if let Some(g) = ctx.stats.grids.first() {
        match Frame::new(v, g.hotspots.cube.cell_size / 4.0, ctx.stats.grid_epsg) {
            Ok(frame) => {
                let grids: Vec<Grid<HotSpotClass>> = ctx
                    .stats
                    .grids
                    .par_iter()
                    .map(|g| hotspot_grid(&frame, &g.hotspots))
                    .collect();
                for (g, grid) in ctx.stats.grids.iter().zip(grids) {
                    if grid.values.iter().any(|c| *c != HotSpotClass::NoPattern) {
                        hotspots.push(HotSpotInput {
                            name: format!("hotspots_{}", file_stem(&g.measure)),
                            measure: measure_label(&g.measure, lang),
                            grid,
                        });
                    }
                }
            }
            Err(e) => warnings.push(format!("report: hot spot maps left out: {e}")),
        }
    }

    // Trends and seasonality of the main measures.
    let (first, last_complete) = (ctx.panel.years.0, ctx.forecasts.year - 1);
    // Counts and deaths per (measure, year), summed in township order in
    // one pass over the panel (which is ordered by township first).
    let mut region_sums: HashMap<(&str, i32), (f64, f64)> = HashMap::new();
    for ((_, y, m), c) in &ctx.panel.yearly {
        let a = region_sums.entry((m.as_str(), *y)).or_insert((0.0, 0.0));
        *a = (a.0 + c.count, a.1 + c.deaths);
    }
    let year_sum =
        |m: &str, y: i32| -> (f64, f64) { region_sums.get(&(m, y)).copied().unwrap_or((0.0, 0.0)) };
    let mut trends = Vec::new();
    let mut seasonality = Vec::new();
    for s in MAIN_MEASURES.into_iter().filter(|s| present(*s)) {
        let m = s.stem();
        let years: Vec<i32> = (first..=last_complete).collect();
        if years.is_empty() {
            continue;
        }
        let sums: Vec<(f64, f64)> = years.iter().map(|y| year_sum(m, *y)).collect();
        let forecast = ctx
            .forecasts
            .totals
            .iter()
            .find(|(name, _, _)| name == m)
            .map(|(_, _, f)| Forecast {
                year: ctx.forecasts.year,
                p10: f.p10,
                p50: f.p50,
                p90: f.p90,
            });
        let deaths = sums.iter().any(|x| x.1 > 0.0).then(|| YearlySeries {
            observed: years.iter().zip(&sums).map(|(y, x)| (*y, x.1)).collect(),
            forecast: None,
        });
        trends.push((
            format!("trend_{m}"),
            Trend {
                measure: measure_label(m, lang),
                counts: YearlySeries {
                    observed: years.iter().zip(&sums).map(|(y, x)| (*y, x.0)).collect(),
                    forecast,
                },
                deaths,
            },
        ));
        if let Some(season) = seasonality_of(ctx, m, lang) {
            seasonality.push((format!("season_{m}"), season));
        }
    }

    // Year-on-year bars: accidents and fires per township.
    let mut yoy = Vec::new();
    for (s, get) in [
        (
            Source::Incidents,
            (|f: &crate::summary::Figures| f.accidents.count) as fn(&_) -> f64,
        ),
        (Source::Fires, |f: &crate::summary::Figures| f.fires.count),
    ] {
        if !present(s) {
            continue;
        }
        let rows = v
            .townships
            .iter()
            .enumerate()
            .map(|(t, _)| YoyRow {
                name: shown[t].clone(),
                previous: ytd.by_town_before.get(&t).map_or(0.0, get),
                current: ytd.by_town_now.get(&t).map_or(0.0, get),
            })
            .collect();
        yoy.push((
            format!("yoy_{}", s.stem()),
            measure_label(s.stem(), lang),
            rows,
        ));
    }

    // Hidden hazards: rectification per township and the overdue major ones.
    let hazards = present(Source::HiddenHazards).then(|| hidden_hazards(v, &shown, ytd, lang));

    let set = FigureSet {
        lang,
        meta: meta.clone(),
        townships,
        ranks,
        dimensions,
        heatmaps,
        hotspots,
        alerts: ctx
            .alerts
            .iter()
            .map(|a| (a.townships.clone(), alert_legend(a, lang)))
            .collect(),
        trends,
        seasonality,
        yoy,
        ranking: ranking_chart,
        rectification: hazards.as_ref().map(|h| h.0.clone()),
        max_rows: MAX_ROWS,
        options: Default::default(),
    };

    let focus = focus_groups(ctx, &shown, scored.map(|s| &s[..]), lang);
    let mut highlights = {
        let (pz, pe) = crate::summary::paragraphs(ytd);
        if zh {
            pz
        } else {
            pe
        }
    };
    // The compared periods go last, after what the reader acts on.
    let periods = highlights.pop();
    highlights.extend(forecast_highlights(ctx, lang));
    if let Some(s) = scored {
        highlights.push(level_highlight(s, &shown, lang));
    }
    highlights.extend(periods);

    let input = ReportInput {
        lang,
        region: meta.region.clone(),
        as_of: meta.as_of.clone(),
        year: v.current_year(),
        alerts: ctx
            .alerts
            .iter()
            .map(|a| AlertRow {
                sentence: alert_sentence(v, a, lang),
                measure: measure_label(&a.measure, lang),
                townships: alert_names(v, a, if zh { "、" } else { ", " }),
                period: format!("{}–{}", a.start, a.end),
                observed: a.observed,
                expected: a.expected,
                recurrence: recurrence(a.recurrence_days, lang),
            })
            .collect(),
        stats: stat_rows(ctx, ytd, lang, &present),
        highlights,
        ranking: ranking_rows,
        focus,
        overdue: hazards.map(|h| h.1).unwrap_or_default(),
        quality: quality_rows(ctx, lang),
        missing: ctx.missing.iter().map(|s| source_label(s, lang)).collect(),
        skipped: ctx
            .skipped
            .iter()
            .map(|s| match lang {
                Lang::Zh => s.reason_zh.clone(),
                Lang::En => s.reason.clone(),
            })
            .collect(),
        reject_reasons: reject_reasons(v, lang),
        method: method(ctx, lang),
        footer: format!("riskmap {}", env!("CARGO_PKG_VERSION")),
    };
    (set, input, warnings)
}

/// Renders every figure, writes `maps/`, `charts/` and `report.html` into `dir`.
pub fn write(ctx: &ReportContext, dir: &Path) -> Result<ReportOutput, PipelineError> {
    let render_err = |e: riskmap_render::RenderError| match e {
        riskmap_render::RenderError::Io { path, source } => {
            PipelineError::Input(format!("{}: {source}", path.display()))
        }
        other => PipelineError::Internal(other.to_string()),
    };
    let mut out = ReportOutput::default();
    let t = std::time::Instant::now();
    let (set, input, warnings) = inputs(ctx);
    out.warnings = warnings;
    out.timings.push(("inputs", t.elapsed().as_secs_f64()));
    let t = std::time::Instant::now();
    let figures = set.render().map_err(render_err)?;
    out.timings.push(("figures", t.elapsed().as_secs_f64()));
    let t = std::time::Instant::now();
    let written = riskmap_render::write_figures(dir, &figures).map_err(render_err)?;
    riskmap_render::report::write(&dir.join("report.html"), &input, &figures)
        .map_err(render_err)?;
    out.timings.push(("write", t.elapsed().as_secs_f64()));
    out.files.push("report.html".into());
    for w in written {
        for p in [w.png, w.svg] {
            if let Ok(rel) = p.strip_prefix(dir) {
                out.files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    Ok(out)
}

/// The region's name: the townships' county when they share one, else a
/// neutral phrase (a province's layer lists many counties).
fn region_name(v: &Validated, lang: Lang) -> String {
    let mut counties: Vec<&str> = v
        .townships
        .iter()
        .filter_map(|t| t.county.as_deref())
        .collect();
    counties.sort_unstable();
    counties.dedup();
    match (counties.as_slice(), lang) {
        ([one], _) => (*one).to_owned(),
        ([], Lang::Zh) => "本地区".into(),
        ([], Lang::En) => "The region".into(),
        (many, Lang::Zh) => format!("全域（{}个县市区）", many.len()),
        (many, Lang::En) => format!("The region ({} counties)", many.len()),
    }
}

/// A measure's name for a file: `incidents:road_traffic` → `incidents_road_traffic`.
fn file_stem(measure: &str) -> String {
    measure
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The alert in words a leader reads: "X镇、Y乡近12天道路交通事故7起，为常态的3.5倍".
pub fn alert_sentence(v: &Validated, a: &crate::alerts::Alert, lang: Lang) -> String {
    let names: Vec<&str> = a
        .townships
        .iter()
        .map(|&t| v.townships[t].name.as_str())
        .collect();
    let ratio = a.observed / a.expected;
    let measure = measure_label(&a.measure, lang);
    match lang {
        Lang::Zh => {
            let who = if names.len() <= 5 {
                names.join("、")
            } else {
                format!("{}等{}个乡镇", names[..5].join("、"), names.len())
            };
            format!(
                "{who}近{}天{measure}{}起，为常态的{ratio:.1}倍（常态预期{:.1}起；无聚集时偶然出现约{}一遇）",
                a.days(),
                a.observed,
                a.expected,
                recurrence(a.recurrence_days, lang),
            )
        }
        Lang::En => {
            let who = if names.len() <= 5 {
                names.join(", ")
            } else {
                format!(
                    "{} and {} more townships",
                    names[..5].join(", "),
                    names.len() - 5
                )
            };
            format!(
                "{who}: {} {} in the last {} days, {ratio:.1} times the usual ({:.1} expected; by chance about once in {})",
                a.observed,
                measure.to_lowercase(),
                a.days(),
                a.expected,
                recurrence(a.recurrence_days, lang),
            )
        }
    }
}

/// An alert's line in the alert map's legend.
fn alert_legend(a: &crate::alerts::Alert, lang: Lang) -> String {
    let measure = measure_label(&a.measure, lang);
    match lang {
        Lang::Zh => format!(
            "{measure} 近{}天{}起（常态{:.1}起）",
            a.days(),
            a.observed,
            a.expected
        ),
        Lang::En => format!(
            "{measure}: {} in {} days ({:.1} expected)",
            a.observed,
            a.days(),
            a.expected
        ),
    }
}

fn alert_names(v: &Validated, a: &crate::alerts::Alert, sep: &str) -> String {
    a.townships
        .iter()
        .map(|&t| v.townships[t].name.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}

/// A recurrence interval in words: days below a year, else years.
fn recurrence(days: f64, lang: Lang) -> String {
    match (days >= 365.0, lang) {
        (true, Lang::Zh) => format!("{:.1}年", days / 365.0),
        (false, Lang::Zh) => format!("{days:.0}天"),
        (true, Lang::En) => format!("{:.1} years", days / 365.0),
        (false, Lang::En) => format!("{days:.0} days"),
    }
}

/// What a measure counts, in the report's language.
pub fn measure_label(measure: &str, lang: Lang) -> String {
    let (source, cat) = measure
        .split_once(':')
        .map_or((measure, None), |(a, b)| (a, Some(b)));
    let zh = lang == Lang::Zh;
    match (Source::from_stem(source), cat) {
        (Some(s), None) if s.is_event() => s.measure_label().text(lang).into(),
        (Some(Source::Incidents), Some(c)) => match (IncidentCategory::from_label(c), zh) {
            (Some(k), true) => format!("{}事故", k.label_zh()),
            (Some(k), false) => format!("{} accidents", capitalise(&k.key().replace('_', " "))),
            (None, _) => measure.into(),
        },
        (Some(Source::GeohazardEvents), Some(c)) => match (GeohazardType::from_label(c), zh) {
            (Some(k), true) => k.label_zh().into(),
            (Some(k), false) => capitalise(&k.key().replace('_', " ")),
            (None, _) => measure.into(),
        },
        _ => measure.into(),
    }
}

/// A source's name in the report: the Chinese name with the SPEC stem (what
/// the data staff look for in the folder), or the stem alone in English.
fn source_label(stem: &str, lang: Lang) -> String {
    match (Source::from_stem(stem), lang) {
        (Some(s), Lang::Zh) => format!("{} {stem}", s.label().text(lang)),
        _ => stem.to_owned(),
    }
}

/// A north-up lon/lat grid over the region, with square cells of about
/// `step_m` metres (at the middle latitude), at most `max_side` cells a side.
fn lonlat_frame(v: &Validated, step_m: f64, max_side: usize) -> (usize, usize, [f64; 6]) {
    let (lo, hi) = v.region_bounds();
    const M_PER_DEG: f64 = 111_320.0;
    let cos = ((lo[1] + hi[1]) / 2.0).to_radians().cos().max(0.05);
    let (w_m, h_m) = (
        (hi[0] - lo[0]) * M_PER_DEG * cos,
        (hi[1] - lo[1]) * M_PER_DEG,
    );
    let step = step_m.max(w_m.max(h_m) / max_side as f64).max(1.0);
    let (dx, dy) = (step / (M_PER_DEG * cos), step / M_PER_DEG);
    let w = (((hi[0] - lo[0]) / dx).ceil() as usize).max(1);
    let h = (((hi[1] - lo[1]) / dy).ceil() as usize).max(1);
    (w, h, [lo[0], dx, 0.0, hi[1], 0.0, -dy])
}

/// Which cells of a frame have their centre in a township, by an even-odd
/// scanline over every ring of every township. Townships do not overlap, so
/// the parity of the rings around a point is 1 exactly when one township
/// holds it (a hole counts against its polygon, and for the township that
/// fills it); shared borders need no special case. Each edge adds a crossing
/// only to the rows its span covers, so the cost is edges plus crossings.
fn inside_mask(
    polygons: &[geo::MultiPolygon<f64>],
    w: usize,
    h: usize,
    gt: &[f64; 6],
) -> Vec<bool> {
    // Row r's centre is at y = gt[3] + (r + 0.5) gt[5], gt[5] < 0.
    let row_of = |y: f64| (y - gt[3]) / gt[5] - 0.5;
    // The townships' crossings are found side by side, each part of them
    // into rows of its own, the rows then joined: each row is sorted before
    // it is read, so the order they come in does not matter.
    let mut crossings: Vec<Vec<f64>> = polygons
        .par_iter()
        .fold(
            || vec![Vec::new(); h],
            |mut crossings: Vec<Vec<f64>>, mp| {
                for ring in
                    mp.0.iter()
                        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                {
                    for e in ring.lines() {
                        let (a, b) = (row_of(e.start.y), row_of(e.end.y));
                        let (lo, hi) = (a.min(b), a.max(b));
                        // Rows whose centre is in [lo, hi): the half-open
                        // rule counts a vertex on a scanline once.
                        let first = lo.ceil().max(0.0) as usize;
                        let last = (hi.ceil() as i64 - 1).min(h as i64 - 1);
                        for r in first as i64..=last {
                            let t = (r as f64 - a) / (b - a);
                            let x = e.start.x + t * (e.end.x - e.start.x);
                            crossings[r as usize].push(x);
                        }
                    }
                }
                crossings
            },
        )
        .reduce(
            || vec![Vec::new(); h],
            |mut a, b| {
                for (row, more) in a.iter_mut().zip(b) {
                    row.extend(more);
                }
                a
            },
        );
    crossings
        .par_iter_mut()
        .for_each(|xs| xs.sort_by(f64::total_cmp));
    let mut inside = vec![false; w * h];
    for (r, xs) in crossings.iter().enumerate() {
        for pair in xs.chunks_exact(2) {
            // Columns whose centre x is in [pair[0], pair[1]).
            let c0 = ((pair[0] - gt[0]) / gt[1] - 0.5).ceil().max(0.0) as usize;
            let c1 = (((pair[1] - gt[0]) / gt[1] - 0.5).ceil().max(0.0) as usize).min(w);
            for c in c0..c1 {
                inside[r * w + c] = true;
            }
        }
    }
    inside
}

/// The centres of the cells inside the region, with their cell indices,
/// transformed from lon/lat into EPSG `epsg` (in parallel chunks).
fn inside_centres(
    inside: &[bool],
    w: usize,
    gt: &[f64; 6],
    epsg: u32,
) -> Result<(Vec<usize>, Vec<[f64; 2]>), String> {
    let idx: Vec<usize> = (0..inside.len()).filter(|i| inside[*i]).collect();
    let mut pts: Vec<[f64; 2]> = idx
        .iter()
        .map(|i| {
            let (r, c) = (i / w, i % w);
            [
                gt[0] + (c as f64 + 0.5) * gt[1],
                gt[3] + (r as f64 + 0.5) * gt[5],
            ]
        })
        .collect();
    pts.par_chunks_mut(16_384)
        .try_for_each(|chunk| riskmap_io::crs::from_wgs84(epsg, chunk))
        .map_err(|e| e.to_string())?;
    Ok((idx, pts))
}

/// A lon/lat frame with the centres of its cells inside the region, in a
/// projected system: what every raster of one cell size is resampled on.
struct Frame {
    w: usize,
    h: usize,
    gt: [f64; 6],
    /// Cells inside the region and their centres in the projected system.
    inside: (Vec<usize>, Vec<[f64; 2]>),
}

impl Frame {
    fn new(v: &Validated, step_m: f64, epsg: u32) -> Result<Frame, String> {
        let (w, h, gt) = lonlat_frame(v, step_m, 800);
        let mask = inside_mask(v.index.polygons(), w, h, &gt);
        let inside = inside_centres(&mask, w, &gt, epsg)?;
        Ok(Frame { w, h, gt, inside })
    }
}

/// The emerging hot spot grid (cells of `cube.cell_size` metres in the
/// frame's UTM zone) resampled onto the frame.
fn hotspot_grid(f: &Frame, h: &riskmap_stats::emerging::GridHotspots) -> Grid<HotSpotClass> {
    let cube = &h.cube;
    let class: FxHashMap<(i64, i64), Category> = cube
        .cells
        .iter()
        .zip(&h.locations)
        .map(|(c, l)| (*c, l.category))
        .collect();
    let mut values = vec![HotSpotClass::NoPattern; f.w * f.h];
    for (i, p) in f.inside.0.iter().zip(&f.inside.1) {
        if !p[0].is_finite() {
            continue;
        }
        let cell = (
            ((p[0] - cube.origin[0]) / cube.cell_size).floor() as i64,
            ((p[1] - cube.origin[1]) / cube.cell_size).floor() as i64,
        );
        if let Some(c) = class.get(&cell) {
            values[*i] = hot_spot_class(*c);
        }
    }
    Grid {
        width: f.w,
        height: f.h,
        geo_transform: f.gt,
        values,
    }
}

/// A density raster (any EPSG system) resampled onto a lon/lat grid at about
/// its own resolution; nodata and cells outside the region become NaN.
fn heat_grid(v: &Validated, r: &Raster) -> Result<Grid<f32>, String> {
    let epsg = match r.crs {
        Crs::Epsg(e) => e,
        Crs::Gcj02 => {
            return Err("a GCJ-02 raster cannot be resampled; write it in an EPSG system".into())
        }
    };
    let g = r.geo_transform;
    if g[2] != 0.0 || g[4] != 0.0 || g[1] == 0.0 || g[5] == 0.0 {
        return Err("rotated or degenerate geotransform".into());
    }
    if r.data.len() != r.width * r.height {
        return Err(format!(
            "{}×{} raster with {} values",
            r.width,
            r.height,
            r.data.len()
        ));
    }
    // The source cell size in metres: degrees for geographic systems.
    let geographic = matches!(epsg, 4326 | 4490 | 4214 | 4610);
    let cell_m = if geographic {
        g[1].abs() * 111_320.0
    } else {
        g[1].abs()
    };
    // Half cells: the raster's own cells stay exact under nearest-neighbour
    // sampling while the region's edge is drawn twice as finely.
    let f = Frame::new(v, cell_m / 2.0, if geographic { 4326 } else { epsg })?;
    let mut values = vec![f32::NAN; f.w * f.h];
    for (i, p) in f.inside.0.iter().zip(&f.inside.1) {
        if let Some(x) = r.value_at(p[0], p[1]) {
            values[*i] = x;
        }
    }
    Ok(Grid {
        width: f.w,
        height: f.h,
        geo_transform: f.gt,
        values,
    })
}

/// Monthly pattern of a measure: the mean of every complete past year, and
/// this year's complete months.
fn seasonality_of(ctx: &ReportContext, m: &str, lang: Lang) -> Option<Seasonality> {
    let v = ctx.v;
    let year = v.current_year();
    let first = ctx.panel.years.0;
    let mut by_month: BTreeMap<(i32, u32), f64> = BTreeMap::new();
    for ((_, y, mo, name), c) in &ctx.panel.monthly {
        if name == m {
            *by_month.entry((*y, *mo)).or_default() += c.count;
        }
    }
    if by_month.is_empty() {
        return None;
    }
    let past: Vec<i32> = (first..year).collect();
    if past.is_empty() {
        return None;
    }
    let mut mean = [0.0; 12];
    for (k, slot) in mean.iter_mut().enumerate() {
        *slot = past
            .iter()
            .map(|y| by_month.get(&(*y, k as u32 + 1)).copied().unwrap_or(0.0))
            .sum::<f64>()
            / past.len() as f64;
    }
    // A month counts once its last day is before the as-of date.
    let complete = (1..=12u32)
        .take_while(|mo| {
            let next = if *mo == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, mo + 1, 1)
            };
            next.is_some_and(|d| d <= v.as_of)
        })
        .count();
    let this_year = (complete > 0).then(|| {
        (
            year,
            (1..=complete as u32)
                .map(|mo| by_month.get(&(year, mo)).copied().unwrap_or(0.0))
                .collect(),
        )
    });
    Some(Seasonality {
        measure: measure_label(m, lang),
        monthly_mean: mean,
        this_year,
    })
}

/// Township names for charts and lists, where a row has no code beside it:
/// a name shared by several townships (common across a province's counties)
/// gets its code in brackets, so that two rows never read the same.
fn display_names(v: &Validated) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for t in &v.townships {
        *seen.entry(t.name.as_str()).or_default() += 1;
    }
    v.townships
        .iter()
        .map(|t| match seen[t.name.as_str()] {
            1 => t.name.clone(),
            _ => format!("{}（{}）", t.name, t.code),
        })
        .collect()
}

/// Rectification per township and the overdue major hazards on the as-of date.
///
/// The chart counts the ledger a county reviews for the year: this year's
/// hazards (found in the current period), earlier ones rectified this year,
/// and earlier ones still open on the as-of date. Cases found and closed in
/// past years are left out; they would drown the picture.
fn hidden_hazards(
    v: &Validated,
    shown: &[String],
    ytd: &YearToDate,
    lang: Lang,
) -> (Vec<RectRow>, Vec<OverdueHazard>) {
    let mut rows: Vec<RectRow> = shown
        .iter()
        .map(|name| RectRow {
            name: name.clone(),
            ..Default::default()
        })
        .collect();
    let mut overdue = Vec::new();
    for (k, a) in v
        .accepted
        .iter()
        .enumerate()
        .filter(|(_, a)| a.source == Source::HiddenHazards)
    {
        let Some(found) = a.when.map(|w| w.date()) else {
            continue;
        };
        let [deadline, rectified] = a.extra_dates();
        let r = &mut rows[a.township];
        match ledger_status(found, deadline, rectified, v.as_of, ytd.current) {
            None => {}
            Some(Ledger::OnTime) => r.on_time += 1,
            Some(Ledger::Late) => r.late += 1,
            Some(Ledger::Open) => r.open += 1,
            Some(Ledger::Overdue(due)) => {
                r.overdue += 1;
                if a.label == Some("major") {
                    overdue.push(OverdueHazard {
                        id: v.ids.get(k).to_owned(),
                        township: v.townships[a.township].name.clone(),
                        sector: a
                            .sector()
                            .map_or_else(String::new, |s| riskmap_domain::sector_name(s, lang)),
                        deadline: due.to_string(),
                        days_overdue: (v.as_of - due).num_days(),
                    });
                }
            }
        }
    }
    overdue.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.id.cmp(&b.id)));
    overdue.truncate(MAX_OVERDUE);
    (rows, overdue)
}

/// Where one hidden hazard stands in the year's rectification ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ledger {
    /// Rectified by its deadline (or without one).
    OnTime,
    /// Rectified after its deadline.
    Late,
    /// Not rectified, deadline not passed (or none).
    Open,
    /// Not rectified, deadline (given) passed.
    Overdue(NaiveDate),
}

/// The ledger status of a hazard found on `found`, or `None` when it was
/// found and rectified before this year (closed business). A rectification
/// dated on or after the as-of date had not happened yet.
fn ledger_status(
    found: NaiveDate,
    deadline: Option<NaiveDate>,
    rectified: Option<NaiveDate>,
    as_of: NaiveDate,
    current: crate::summary::Period,
) -> Option<Ledger> {
    let rectified = rectified.filter(|d| *d < as_of);
    Some(match (rectified, deadline) {
        (Some(done), _) if !current.contains(found) && !current.contains(done) => return None,
        (Some(done), Some(due)) if done > due => Ledger::Late,
        (Some(_), _) => Ledger::OnTime,
        (None, Some(due)) if due < as_of => Ledger::Overdue(due),
        (None, _) => Ledger::Open,
    })
}

/// Section 1's table. Sub-rows start with an ideographic space (U+3000),
/// which HTML keeps, unlike leading ASCII spaces, in both languages.
fn stat_rows(
    ctx: &ReportContext,
    ytd: &YearToDate,
    lang: Lang,
    present: &dyn Fn(Source) -> bool,
) -> Vec<StatRow> {
    let v = ctx.v;
    let zh = lang == Lang::Zh;
    let t = |a: &str, b: &str| if zh { a.to_owned() } else { b.to_owned() };
    // A count of events: the measure's name, with its unit in Chinese.
    let counted = |s: Source| match lang {
        Lang::Zh => format!("{}（起）", s.measure_label().text(lang)),
        Lang::En => s.measure_label().text(lang).to_owned(),
    };
    // Last year's span is known when the records reach back to its start.
    let prev_known = ctx.panel.years.0 <= ytd.previous.start.year();
    let row = |indicator: String, cur: f64, prev: f64, decimals: usize| StatRow {
        indicator,
        current: cur,
        previous: prev_known.then_some(prev),
        decimals,
    };
    let (n, b) = (&ytd.now, &ytd.before);
    let mut out = Vec::new();
    if present(Source::Incidents) {
        out.push(row(
            counted(Source::Incidents),
            n.accidents.count,
            b.accidents.count,
            0,
        ));
        out.push(row(
            t("　死亡人数（人）", "　deaths"),
            n.accidents.deaths,
            b.accidents.deaths,
            0,
        ));
        out.push(row(
            t("　工矿商贸事故（起）", "　industrial, mining and trade"),
            n.industrial.count,
            b.industrial.count,
            0,
        ));
        out.push(row(
            t("　道路交通事故（起）", "　road traffic"),
            n.road.count,
            b.road.count,
            0,
        ));
        out.push(row(
            t("　较大以上事故（起）", "　with 3 or more deaths"),
            n.larger,
            b.larger,
            0,
        ));
    }
    if present(Source::Fires) {
        out.push(row(counted(Source::Fires), n.fires.count, b.fires.count, 0));
        out.push(row(
            t("　死亡（人）", "　deaths"),
            n.fires.deaths,
            b.fires.deaths,
            0,
        ));
        out.push(row(
            t("　受伤（人）", "　injured"),
            n.fires.injured,
            b.fires.injured,
            0,
        ));
        out.push(row(
            t("　直接财产损失（万元）", "　direct loss (10k CNY)"),
            n.fires.loss_10k_cny,
            b.fires.loss_10k_cny,
            1,
        ));
    }
    // Sources the summary does not cover: counted over the same two periods.
    let count = |s: Source, p: Period, f: &dyn Fn(&crate::model::Accepted) -> bool| -> f64 {
        v.accepted
            .iter()
            .filter(|a| a.source == s && a.when.is_some_and(|w| p.contains(w.date())) && f(a))
            .count() as f64
    };
    let (c, p) = (ytd.current, ytd.previous);
    for s in [Source::ForestFires, Source::GeohazardEvents] {
        if present(s) {
            out.push(row(
                counted(s),
                count(s, c, &|_| true),
                count(s, p, &|_| true),
                0,
            ));
        }
    }
    if present(Source::HiddenHazards) {
        out.push(row(
            t("新排查隐患（项）", "Hidden hazards found"),
            count(Source::HiddenHazards, c, &|_| true),
            count(Source::HiddenHazards, p, &|_| true),
            0,
        ));
        let major = |a: &crate::model::Accepted| a.label == Some("major");
        out.push(row(
            t("　其中重大隐患（项）", "　of which major"),
            count(Source::HiddenHazards, c, &major),
            count(Source::HiddenHazards, p, &major),
            0,
        ));
    }
    out
}

/// Next year's region forecast of the main measures, as sentences.
fn forecast_highlights(ctx: &ReportContext, lang: Lang) -> Vec<String> {
    let f = ctx.forecasts;
    let parts: Vec<String> = MAIN_MEASURES
        .iter()
        .filter_map(|s| f.totals.iter().find(|(m, _, _)| m == s.stem()))
        .map(|(m, _, s)| match lang {
            Lang::Zh => format!(
                "{}约{:.0}起（80%区间{:.0}–{:.0}起）",
                measure_label(m, lang),
                s.p50,
                s.p10,
                s.p90
            ),
            Lang::En => format!(
                "{} about {:.0} (80% range {:.0}–{:.0})",
                measure_label(m, lang).to_lowercase(),
                s.p50,
                s.p10,
                s.p90
            ),
        })
        .collect();
    if parts.is_empty() {
        return Vec::new();
    }
    vec![match lang {
        Lang::Zh => format!("预计{}年全域{}。", f.year, parts.join("，")),
        Lang::En => format!("Forecast for {}: {}.", f.year, parts.join("; ")),
    }]
}

/// How many townships are at each level, naming the red ones.
/// `shown`: the townships' display names ([`display_names`]).
fn level_highlight(s: &[Option<&ScoreRow>], shown: &[String], lang: Lang) -> String {
    let count = |l: RiskLevel| s.iter().flatten().filter(|r| r.level == l).count();
    let mut red: Vec<(&u32, &str)> = s
        .iter()
        .zip(shown)
        .filter_map(|(r, name)| {
            r.filter(|r| r.level == RiskLevel::Red)
                .map(|r| (&r.rank, name.as_str()))
        })
        .collect();
    red.sort();
    let names: Vec<&str> = red.iter().map(|x| x.1).collect();
    match lang {
        Lang::Zh => format!(
            "重大风险乡镇（街道）{}个{}，较大风险{}个，一般风险{}个，低风险{}个。",
            names.len(),
            if names.is_empty() {
                String::new()
            } else {
                format!("（{}）", names.join("、"))
            },
            count(RiskLevel::Orange),
            count(RiskLevel::Yellow),
            count(RiskLevel::Blue)
        ),
        Lang::En => format!(
            "{} townships at major risk{}, {} significant, {} moderate, {} low.",
            names.len(),
            if names.is_empty() {
                String::new()
            } else {
                format!(" ({})", names.join(", "))
            },
            count(RiskLevel::Orange),
            count(RiskLevel::Yellow),
            count(RiskLevel::Blue)
        ),
    }
}

/// Section 5's lists: the top three townships per score dimension, then per
/// next year's forecast of the main measures.
fn focus_groups(
    ctx: &ReportContext,
    shown: &[String],
    scores: Option<&[Option<&ScoreRow>]>,
    lang: Lang,
) -> Vec<FocusGroup> {
    use riskmap_render::Label;
    let top = |mut list: Vec<(String, f64)>| {
        list.retain(|x| x.1.is_finite());
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        list.truncate(3);
        list
    };
    let mut out = Vec::new();
    if let Some(s) = scores {
        let dims = [
            Label::Stock,
            Label::Incremental,
            Label::Natural,
            Label::Fire,
            Label::Coping,
        ];
        // Coping is listed as its gap: the weakest townships first.
        let gap = |k: usize, x: f64| if k == 4 { 10.0 - x } else { x };
        for (k, d) in dims.iter().enumerate() {
            let list = s
                .iter()
                .zip(shown)
                .filter_map(|(r, name)| Some((name.clone(), gap(k, (*r)?.dimensions[k]?))))
                .collect();
            // A dimension without data anywhere gets no (empty) list.
            let townships = top(list);
            if !townships.is_empty() {
                out.push(FocusGroup {
                    dimension: d.text(lang).into(),
                    townships,
                });
            }
        }
    }
    for s in MAIN_MEASURES {
        let list: Vec<(String, f64)> = ctx
            .forecasts
            .rows
            .iter()
            .filter(|r| r.measure == s.stem())
            .map(|r| (shown[r.township].clone(), r.summary.mean))
            .collect();
        if list.is_empty() {
            continue;
        }
        out.push(FocusGroup {
            dimension: match lang {
                Lang::Zh => format!(
                    "{}年{}预测起数",
                    ctx.forecasts.year,
                    measure_label(s.stem(), lang)
                ),
                Lang::En => format!(
                    "{} forecast for {}",
                    measure_label(s.stem(), lang),
                    ctx.forecasts.year
                ),
            },
            townships: top(list),
        });
    }
    out
}

/// Section 6's table: the validated sources.
fn quality_rows(ctx: &ReportContext, lang: Lang) -> Vec<QualityRow> {
    ctx.inputs
        .iter()
        .filter(|c| ctx.v.counts.iter().any(|x| x.source == c.source))
        .map(|c| QualityRow {
            source: source_label(&c.source, lang),
            rows_read: c.rows_read as u64,
            accepted: c.accepted as u64,
            rejected: c.rejected as u64,
            outside: c.outside as u64,
        })
        .collect()
}

/// A field's name in Chinese.
fn field_zh(f: &str) -> &str {
    match f {
        "id" => "编号",
        "occurred_at" => "发生时间",
        "found_on" => "发现日期",
        "deadline" => riskmap_render::Label::Deadline.text(Lang::Zh),
        "rectified_on" => "整改完成日期",
        "category" => "事故类别",
        "type" => "灾害类型",
        "level" => "隐患等级",
        "deaths" => "死亡人数",
        "injuries" => "受伤人数",
        "loss_10k_cny" => "直接经济损失",
        "lon" => "经度",
        "lat" => "纬度",
        "code" | "township_code" => "乡镇代码",
        "township" => "乡镇",
        "year" => "年份",
        "measure" => "统计类别",
        "count" => "起数",
        other => other,
    }
}

/// Rejection reasons grouped into kinds, per source, most frequent first.
fn reject_reasons(v: &Validated, lang: Lang) -> Vec<(String, u64)> {
    // Counted by kind, field and source first, worded once per group: the
    // rejections can be many, the groups are few.
    let mut groups: HashMap<(RejectKind, &str, &str), u64> = HashMap::new();
    for r in &v.rejections {
        *groups
            .entry((r.kind, r.field.as_str(), r.source.as_str()))
            .or_default() += 1;
    }
    // Groups worded alike (a kind that names no field) are merged.
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for ((kind, field, source), n) in groups {
        *counts
            .entry(reject_group_label(kind, field, source, lang))
            .or_default() += n;
    }
    let mut out: Vec<(String, u64)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.truncate(15);
    out
}

/// A group of rejections in the report's words: the kind of problem, with
/// the field where it matters, and the source ("缺少经度（火灾）").
fn reject_group_label(kind: RejectKind, f: &str, source: &str, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let (en, zh_text): (String, String) = match kind {
        RejectKind::DuplicateId => ("duplicate id".into(), "编号重复".into()),
        RejectKind::Missing => (format!("missing {f}"), format!("缺少{}", field_zh(f))),
        RejectKind::Unparseable => (
            format!("unreadable {f}"),
            format!("{}无法识别", field_zh(f)),
        ),
        RejectKind::NoTownship => (
            format!("no coordinates and unknown {f}"),
            format!("无坐标且{}无法匹配", field_zh(f)),
        ),
        RejectKind::AmbiguousTownship => (
            "no coordinates and an ambiguous township name".into(),
            "无坐标且乡镇名称重名".into(),
        ),
        RejectKind::UnknownTownshipCode => {
            ("unknown township code".into(), "乡镇代码不存在".into())
        }
        RejectKind::NotInVocabulary => (
            format!("{f} not in the vocabulary"),
            format!("{}不在字典中", field_zh(f)),
        ),
        RejectKind::Outside => ("outside the region".into(), "坐标在辖区外".into()),
        RejectKind::Swapped => ("lon and lat swapped".into(), "经纬度颠倒".into()),
        RejectKind::OffGlobe => ("invalid coordinates".into(), "坐标无效".into()),
        RejectKind::Future => (
            "dated on or after the as-of date".into(),
            "日期晚于截止日期".into(),
        ),
        RejectKind::TooEarly => (
            format!("dated before {}", crate::validate::EARLIEST_YEAR),
            format!("日期早于{}年", crate::validate::EARLIEST_YEAR),
        ),
        RejectKind::InvalidNumber => (format!("invalid {f}"), format!("{}数值无效", field_zh(f))),
    };
    let kind = if zh { zh_text } else { en };
    // The source's Chinese name alone, or its stem in English.
    let src = match (Source::from_stem(source), lang) {
        (Some(s), Lang::Zh) => s.label().text(lang),
        _ => source,
    };
    if zh {
        format!("{kind}（{src}）")
    } else {
        format!("{kind} ({src})")
    }
}

/// Section 7: what this run did, with its parameters.
fn method(ctx: &ReportContext, lang: Lang) -> Vec<String> {
    let zh = lang == Lang::Zh;
    let cell = ctx
        .stats
        .grids
        .first()
        .map_or(1000.0, |g| g.hotspots.cube.cell_size);
    let models: Vec<String> = MAIN_MEASURES
        .iter()
        .filter_map(|s| {
            let m = ctx.forecasts.rows.iter().find(|r| r.measure == s.stem())?;
            let model = riskmap_domain::model_name(&m.model, lang);
            Some(if zh {
                format!("{}：{model}", measure_label(s.stem(), lang))
            } else {
                format!("{}: {model}", measure_label(s.stem(), lang))
            })
        })
        .collect();
    let mut p = Vec::new();
    // Rows placed by their township's code or name, not by coordinates.
    let (by_code, by_name) = ctx.inputs.iter().fold((0, 0), |(c, n), x| {
        (c + x.placed_by_code, n + x.placed_by_name)
    });
    if zh {
        p.push("数据：各类事故、火灾、森林火灾、地质灾害和隐患台账逐条校验（必填项、日期、编码、坐标），不合格记录剔除并说明原因；每条记录按坐标落入所在乡镇（街道），落在边界上的归入代码较小者。".into());
        if by_code + by_name > 0 {
            p.push(format!("无坐标记录：{}条记录没有经纬度，按台账所填乡镇归入（按乡镇代码{by_code}条，按乡镇名称{by_name}条）；这些记录计入统计、评分和预测，但不参与核密度热力图和时空热点网格。", by_code + by_name));
        }
        p.push(format!("统计：本年1月1日至截止日与上年同期比较；发生率以人口为暴露量，并用经验贝叶斯方法收缩小样本乡镇的估计；空间聚集用全局与局部莫兰指数（LISA）和Getis–Ord Gi*统计量（皇后邻接）；趋势用Mann–Kendall检验。时空热点按{cell:.0}米网格、以完整年份为时间步长计算，地图上的网格由UTM坐标按网格中心重采样到经纬度。"));
        p.push(if ctx.scores.is_some() {
            "评分：存量、增量、自然灾害、火灾和应对能力五个维度分别标准化到0–10，加权合成综合风险指数并排名；排名区间表示数据随机波动下排名的80%可能范围，区间越宽越需谨慎解读。风险等级分为重大（红）、较大（橙）、一般（黄）、低（蓝）。".into()
        } else {
            "评分：本次运行没有风险评分结果，因此未给出风险排名和风险等级图。".into()
        });
        p.push(format!("预测：对每个乡镇和类别预测{}年起数，给出中位数和P10–P90区间（80%的可能范围）；模型经滚动回测按CRPS选出（{}）。全域合计单独回测、单独选模型。", ctx.forecasts.year, models.join("，")));
        p.push("隐患整改：统计本年新排查的隐患、往年排查本年整改的隐患和往年至截止日仍未整改的隐患；整改完成日期晚于整改期限为逾期整改，截止日仍未整改且已过期限为逾期未整改。".into());
    } else {
        p.push("Data: every record of incidents, fires, forest fires, geological hazards and hidden hazards is checked (required fields, dates, codes, coordinates); rejected rows are listed with reasons. Each record is assigned to the township containing it; a point on a border goes to the smaller code.".into());
        if by_code + by_name > 0 {
            p.push(format!("Records without coordinates: {} records have no lon/lat and were placed in the township the ledger names ({by_code} by township code, {by_name} by township name); they count in the statistics, scores and forecasts, but not in the kernel-density heatmaps or the emerging hot spot grid.", by_code + by_name));
        }
        p.push(format!("Statistics: this year from 1 January to the as-of date against the same span last year; rates use population as exposure, with empirical Bayes shrinkage for small townships; clustering by global and local Moran's I (LISA) and Getis–Ord Gi* (queen contiguity); trends by Mann–Kendall. Emerging hot spots use {cell:.0} m cells and the complete years as time steps; the maps resample the UTM cells to lon/lat at the cell centres."));
        p.push(if ctx.scores.is_some() {
            "Scores: stock, incremental, natural-hazard, fire and coping dimensions are each scaled to 0–10 and combined into the overall risk, which ranks the townships; the rank interval is the 80% range of the rank under random variation of the data, so wide intervals call for caution. Levels: major (red), significant (orange), moderate (yellow), low (blue).".into()
        } else {
            "Scores: this run has no risk scores, so the ranking and the risk-level map are left out.".into()
        });
        p.push(format!("Forecast: the {} count per township and measure, as a median with a p10–p90 range (80% of outcomes), from the model with the lowest CRPS in a rolling-origin backtest ({}). The region totals are backtested and modelled on their own.", ctx.forecasts.year, models.join("; ")));
        p.push("Hidden hazards: this year's hazards, earlier ones rectified this year, and earlier ones still open on the as-of date; rectified after the deadline counts as late, open past the deadline as overdue.".into());
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo county, found when the test runs (see `tests/it/support.rs`
    /// on why not `env!`).
    fn demo_folder() -> std::path::PathBuf {
        std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
        )
        .join("../../datasets/demo")
    }

    #[test]
    fn measures_are_named_in_both_languages() {
        assert_eq!(
            measure_label("incidents:road_traffic", Lang::Zh),
            "道路交通事故"
        );
        assert_eq!(
            measure_label("incidents:road_traffic", Lang::En),
            "Road traffic accidents"
        );
        assert_eq!(
            measure_label("geohazard_events:landslide", Lang::Zh),
            "滑坡"
        );
        assert_eq!(measure_label("fires", Lang::En), "Fires");
        assert_eq!(measure_label("my_measure", Lang::Zh), "my_measure");
        assert_eq!(
            file_stem("incidents:road_traffic"),
            "incidents_road_traffic"
        );
    }

    #[test]
    fn the_ledger_keeps_this_year_s_work_and_what_is_still_open() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let as_of = d("2021-07-01");
        let (current, _) = crate::summary::Period::for_as_of(as_of);
        let status = |found, due: Option<&str>, done: Option<&str>| {
            ledger_status(d(found), due.map(d), done.map(d), as_of, current)
        };
        // Found and closed in a past year: not this year's ledger.
        assert_eq!(
            status("2020-03-01", Some("2020-06-01"), Some("2020-05-01")),
            None
        );
        // Found last year, rectified this year: this year's work, late here.
        assert_eq!(
            status("2020-11-01", Some("2020-12-31"), Some("2021-02-01")),
            Some(Ledger::Late)
        );
        assert_eq!(
            status("2020-11-01", Some("2021-03-01"), Some("2021-02-01")),
            Some(Ledger::OnTime)
        );
        // Found last year and still open: overdue or open.
        assert_eq!(
            status("2020-11-01", Some("2021-03-01"), None),
            Some(Ledger::Overdue(d("2021-03-01")))
        );
        assert_eq!(
            status("2020-11-01", Some("2021-09-01"), None),
            Some(Ledger::Open)
        );
        // A rectification dated after the as-of date has not happened yet.
        assert_eq!(
            status("2021-01-05", Some("2021-03-01"), Some("2021-08-01")),
            Some(Ledger::Overdue(d("2021-03-01")))
        );
        // No deadline: open until rectified, then on time.
        assert_eq!(status("2021-01-05", None, None), Some(Ledger::Open));
        assert_eq!(
            status("2021-01-05", None, Some("2021-02-01")),
            Some(Ledger::OnTime)
        );
    }

    #[test]
    fn the_scanline_mask_agrees_with_point_in_polygon() {
        use geo::{Contains, LineString, MultiPolygon, Point, Polygon};
        // Two townships sharing a wiggly border, the first with a hole that a
        // third township fills, far from the origin like real coordinates.
        let ring = |v: &[(f64, f64)]| LineString::from(v.to_vec());
        let (x0, y0) = (119.5, 29.0);
        let a = Polygon::new(
            ring(&[
                (x0, y0),
                (x0 + 0.31, y0),
                (x0 + 0.27, y0 + 0.13),
                (x0 + 0.33, y0 + 0.3),
                (x0, y0 + 0.3),
                (x0, y0),
            ]),
            vec![ring(&[
                (x0 + 0.05, y0 + 0.05),
                (x0 + 0.12, y0 + 0.05),
                (x0 + 0.12, y0 + 0.11),
                (x0 + 0.05, y0 + 0.05),
            ])],
        );
        let b = Polygon::new(
            ring(&[
                (x0 + 0.31, y0),
                (x0 + 0.6, y0 + 0.02),
                (x0 + 0.5, y0 + 0.3),
                (x0 + 0.33, y0 + 0.3),
                (x0 + 0.27, y0 + 0.13),
                (x0 + 0.31, y0),
            ]),
            vec![],
        );
        let c = Polygon::new(
            ring(&[
                (x0 + 0.05, y0 + 0.05),
                (x0 + 0.12, y0 + 0.05),
                (x0 + 0.12, y0 + 0.11),
                (x0 + 0.05, y0 + 0.05),
            ]),
            vec![],
        );
        let polys = [
            MultiPolygon(vec![a]),
            MultiPolygon(vec![b]),
            MultiPolygon(vec![c.clone()]),
        ];
        let only_ab = &polys[..2];
        let (w, h) = (97, 61);
        let gt = [x0 - 0.01, 0.0067, 0.0, y0 + 0.31, 0.0, -0.0055];
        for set in [&polys[..], only_ab] {
            let mask = inside_mask(set, w, h, &gt);
            let mut inside = 0;
            for r in 0..h {
                for col in 0..w {
                    let p = Point::new(
                        gt[0] + (col as f64 + 0.5) * gt[1],
                        gt[3] + (r as f64 + 0.5) * gt[5],
                    );
                    let brute = set.iter().any(|mp| mp.contains(&p));
                    assert_eq!(mask[r * w + col], brute, "cell ({col}, {r})");
                    inside += usize::from(brute);
                }
            }
            assert!(inside > 1000, "{inside} cells inside");
        }
        // The hole is outside when nothing fills it.
        let centroid = Point::new(x0 + 0.1, y0 + 0.07);
        assert!(c.contains(&centroid));
    }

    /// The demo county, validated.
    fn demo() -> Validated {
        let data = demo_folder();
        let config = crate::config::Config::load(&data).unwrap();
        let found = crate::region::find_sources(&data, &config).unwrap();
        let today = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        crate::validate::validate(&data, &found, &config, None, today).unwrap()
    }

    #[test]
    fn shared_township_names_carry_their_code_in_charts() {
        let mut v = demo();
        let plain = display_names(&v);
        assert_eq!(
            plain,
            v.townships
                .iter()
                .map(|t| t.name.clone())
                .collect::<Vec<_>>()
        );
        // Two townships of one name, as in a province with many counties.
        let name = v.townships[0].name.clone();
        v.townships[3].name = name.clone();
        let shown = display_names(&v);
        assert_eq!(shown[0], format!("{name}（{}）", v.townships[0].code));
        assert_eq!(shown[3], format!("{name}（{}）", v.townships[3].code));
        assert_eq!(shown[1], v.townships[1].name);
        let (mut a, n) = (shown.clone(), shown.len());
        a.sort();
        a.dedup();
        assert_eq!(a.len(), n, "every row reads differently");
    }

    /// The lon/lat centre of cell `i` of a grid.
    fn centre<T>(g: &Grid<T>, i: usize) -> [f64; 2] {
        let gt = &g.geo_transform;
        let (r, c) = (i / g.width, i % g.width);
        [
            gt[0] + (c as f64 + 0.5) * gt[1],
            gt[3] + (r as f64 + 0.5) * gt[5],
        ]
    }

    #[test]
    fn rasters_in_utm_are_resampled_at_cell_centres_as_brute_force_says() {
        let v = demo();
        let c = v.region_centre();
        let epsg = riskmap_io::crs::utm_epsg(c[0], c[1]);
        let mut m = [c];
        riskmap_io::crs::from_wgs84(epsg, &mut m).unwrap();
        let [cx, cy] = m[0];

        // A 500 m raster in UTM over the whole county, every cell a distinct value.
        let cell = 500.0;
        let (w, h) = (200, 200);
        let (x0, y0) = (cx - 100.0 * cell, cy + 100.0 * cell);
        let raster = Raster {
            width: w,
            height: h,
            geo_transform: [x0, cell, 0.0, y0, 0.0, -cell],
            crs: Crs::Epsg(epsg),
            nodata: None,
            data: (0..w * h).map(|k| k as f32).collect(),
        };
        let g = heat_grid(&v, &raster).unwrap();
        // The oracle: each lon/lat cell centre transformed on its own, looked
        // up in the raster; outside the region (point in polygon) nothing.
        let mut inside = 0;
        for i in 0..g.values.len() {
            let p = centre(&g, i);
            let mut q = [p];
            riskmap_io::crs::from_wgs84(epsg, &mut q).unwrap();
            let (col, row) = (
                ((q[0][0] - x0) / cell).floor() as usize,
                ((y0 - q[0][1]) / cell).floor() as usize,
            );
            if v.index.locate(p).is_some() {
                inside += 1;
                assert_eq!(g.values[i], (row * w + col) as f32, "cell {i}");
            } else {
                assert!(
                    g.values[i].is_nan(),
                    "cell {i} outside the region has {}",
                    g.values[i]
                );
            }
        }
        assert!(inside > 5_000, "{inside} cells inside");

        // The hot spot grid: two cells of the cube (one hot, one cold), and the
        // quarter-cell frame's centres that fall in them.
        let size = 1000.0;
        let cells = vec![
            ((cx / size).floor() as i64, (cy / size).floor() as i64),
            ((cx / size).floor() as i64 + 3, (cy / size).floor() as i64),
        ];
        let cube = riskmap_stats::emerging::GridCube {
            origin: [0.0, 0.0],
            cell_size: size,
            n_steps: 1,
            cells: cells.clone(),
            counts: vec![1.0, 1.0],
        };
        let trend = |category| riskmap_stats::emerging::LocationTrend {
            category,
            z: vec![0.0],
            p: vec![1.0],
            hot_steps: 0,
            cold_steps: 0,
            trend: None,
        };
        let hs = riskmap_stats::emerging::GridHotspots {
            cube,
            locations: vec![trend(Category::NewHot), trend(Category::PersistentCold)],
        };
        let frame = Frame::new(&v, size / 4.0, epsg).unwrap();
        let g = hotspot_grid(&frame, &hs);
        let mut counts = [0, 0];
        for i in 0..g.values.len() {
            let p = centre(&g, i);
            let mut q = [p];
            riskmap_io::crs::from_wgs84(epsg, &mut q).unwrap();
            let at = (
                (q[0][0] / size).floor() as i64,
                (q[0][1] / size).floor() as i64,
            );
            let expected = if v.index.locate(p).is_none() {
                HotSpotClass::NoPattern
            } else if at == cells[0] {
                counts[0] += 1;
                HotSpotClass::NewHot
            } else if at == cells[1] {
                counts[1] += 1;
                HotSpotClass::PersistentCold
            } else {
                HotSpotClass::NoPattern
            };
            assert_eq!(g.values[i], expected, "cell {i}");
        }
        // A 1 km cell holds 4–5 × 4–5 quarter cells.
        assert!(counts.iter().all(|n| (16..=25).contains(n)), "{counts:?}");
    }

    /// Made-up scores for the demo: rank by code, levels by quarter, coping
    /// capacity rising with the rank (so the weakest coping is rank 1).
    fn made_up_scores(v: &Validated) -> ScoreTable {
        let n = v.townships.len();
        ScoreTable {
            rows: v
                .townships
                .iter()
                .enumerate()
                .map(|(i, t)| ScoreRow {
                    code: t.code.clone(),
                    risk: 10.0 * (n - i) as f64 / n as f64,
                    rank: i as u32 + 1,
                    level: [
                        RiskLevel::Red,
                        RiskLevel::Orange,
                        RiskLevel::Yellow,
                        RiskLevel::Blue,
                    ][4 * i / n],
                    rank_p10: (i as f64 - 1.0).max(1.0),
                    rank_p90: (i as f64 + 3.0).min(n as f64),
                    dimensions: [
                        Some(9.0 - i as f64 * 0.5),
                        Some(5.0),
                        None,
                        Some(2.0),
                        Some(i as f64 * 0.5),
                    ],
                    reasons_zh: vec!["火灾起数多".into(), "企业密集".into()],
                    reasons_en: vec!["many fires".into(), "many enterprises".into()],
                })
                .collect(),
        }
    }

    #[test]
    fn scores_and_heatmaps_fill_the_ranking_the_maps_and_the_focus_lists() {
        let v = demo();
        let panel = crate::panel::build(&v);
        let exposure = crate::panel::exposure(&v, &Default::default(), panel.years);
        let cfg = crate::config::StatsConfig {
            permutations: 99,
            ..Default::default()
        };
        let stats =
            crate::spatial_stats::compute(&v, &panel, &exposure, &cfg, &crate::cache::Cache::off());
        let dir = tempfile::tempdir().unwrap();
        let (_, forecasts) = crate::backtest::forecast_stage(
            &v,
            &panel,
            &exposure,
            None,
            dir.path(),
            &crate::cache::Cache::off(),
        )
        .unwrap();
        let scores = made_up_scores(&v);
        // A density raster in lon/lat (EPSG:4326) over the region.
        let c = v.region_centre();
        let (w, h) = (200, 200);
        let raster = Raster {
            width: w,
            height: h,
            geo_transform: [c[0] - 0.4, 0.004, 0.0, c[1] + 0.4, 0.0, -0.004],
            crs: Crs::Epsg(4326),
            nodata: Some(-1.0),
            data: (0..w * h)
                .map(|k| ((k % w) as f32 / w as f32) * 3.0)
                .collect(),
        };
        let heatmaps = vec![("fires".to_owned(), raster)];
        let ytd = crate::summary::year_to_date(&v);
        let ctx = ReportContext {
            v: &v,
            panel: &panel,
            ytd: &ytd,
            stats: &stats,
            forecasts: &forecasts,
            inputs: &v.counts,
            missing: &[],
            scores: Some(&scores),
            heatmaps: &heatmaps,
            skipped: &[],
            alerts: &[],
            lang: Lang::Zh,
        };
        let (set, input, warnings) = inputs(&ctx);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(set.ranks.as_ref().unwrap()[0].rank, 1);
        assert_eq!(set.heatmaps.len(), 1);
        assert_eq!(set.heatmaps[0].measure, "火灾");
        // Coping is drawn as its gap: capacity 0 → gap 10.
        assert_eq!(set.dimensions.as_ref().unwrap()[0].coping, 10.0);
        assert!(set.dimensions.as_ref().unwrap()[0].natural.is_nan());
        assert_eq!(input.ranking.len(), v.townships.len());
        assert_eq!(input.ranking[0].name, v.townships[0].name);
        assert_eq!(input.ranking[0].reasons, vec!["火灾起数多", "企业密集"]);
        let coping = input
            .focus
            .iter()
            .find(|g| g.dimension == "应对能力短板")
            .unwrap();
        assert_eq!(coping.townships[0], (v.townships[0].name.clone(), 10.0));
        // The natural dimension has no data: no list is made up for it.
        assert!(!input.focus.iter().any(|g| g.dimension == "自然灾害风险"));
        assert!(input
            .highlights
            .iter()
            .any(|h| h.starts_with("重大风险乡镇（街道）")));

        // RISKMAP_KEEP_REPORT=DIR keeps this scored report for a look.
        let keep = std::env::var_os("RISKMAP_KEEP_REPORT").map(std::path::PathBuf::from);
        let target = keep.as_deref().unwrap_or(dir.path());
        std::fs::create_dir_all(target).unwrap();
        let out = write(&ctx, target).unwrap();
        for f in [
            "report.html",
            "maps/risk_map.png",
            "maps/dimension_maps.svg",
            "maps/heatmap_fires.png",
            "charts/ranking.png",
        ] {
            assert!(
                out.files.iter().any(|x| x == f),
                "{f} not written: {:?}",
                out.files
            );
            assert!(target.join(f).is_file(), "{f}");
        }
        let html = std::fs::read_to_string(target.join("report.html")).unwrap();
        assert!(!html.contains("本次运行没有风险评分结果"));
        assert!(html.contains("lv-red"));
    }

    #[test]
    fn a_township_name_with_a_character_no_font_has_is_a_warning_naming_it() {
        let square = geo::MultiPolygon::new(vec![geo::Polygon::new(
            geo::LineString::from(vec![
                (120.0, 30.0),
                (120.1, 30.0),
                (120.1, 30.1),
                (120.0, 30.0),
            ]),
            vec![],
        )]);
        let town = |code: &str, name: &str| Township {
            code: code.into(),
            name: name.into(),
            polygon: square.clone(),
        };
        // 衢, 嵊 and 𠀋 (Extension B) are drawn; U+E000 (private use) is not.
        let towns = [
            town("330802001000", "衢江街道"),
            town("330922100000", "嵊泗\u{E000}镇"),
            town("330922200000", "𠀋溪乡"),
        ];
        assert_eq!(
            uncovered_name_warnings(&towns),
            vec![
                "report: the name of township 嵊泗\u{E000}镇 (330922100000) has characters no \
                  embedded font draws (U+E000); they show as boxes in the maps, charts and report"
            ]
        );
    }

    #[test]
    fn the_embedded_font_covers_this_module_s_chinese() {
        let chinese: String = include_str!("report.rs")
            .chars()
            .filter(|c| {
                ('\u{3000}'..='\u{9fff}').contains(c) || ('\u{ff00}'..='\u{ffef}').contains(c)
            })
            .collect();
        let missing = riskmap_render::font::uncovered(&chinese);
        assert!(
            missing.is_empty(),
            "no embedded font draws {missing:?}, used in report.rs"
        );
    }
}
