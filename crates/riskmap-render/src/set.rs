//! A whole set of figures rendered in parallel (rayon, one task per figure and
//! the PNG and SVG of a figure side by side), and written to `maps/` and
//! `charts/` as SPEC lays out. Results keep the input order, so the same inputs
//! give the same files whatever the thread count.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::canvas::{Figure, RenderOptions};
use crate::inputs::{
    Dimensions, Grid, HotSpotClass, RankRow, Ranked, RectRow, Seasonality, Township, Trend, YoyRow,
};
use crate::labels::Lang;
use crate::maps::MapMeta;
use crate::RenderError;

/// Which figure a [`Figure`] is, which decides its folder and its place in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FigureKind {
    /// The ranked risk map.
    RiskMap,
    /// Small multiples of the five dimensions.
    DimensionMaps,
    /// A kernel-density heatmap.
    Heatmap,
    /// An emerging hot spot map.
    HotSpot,
    /// The current alerts.
    AlertMap,
    /// A yearly trend with forecast.
    Trend,
    /// A monthly pattern.
    Seasonality,
    /// Year-on-year bars per township.
    Yoy,
    /// Ranks with intervals.
    Ranking,
    /// Hidden-hazard rectification.
    Rectification,
}

impl FigureKind {
    /// `maps` or `charts`.
    pub fn folder(self) -> &'static str {
        match self {
            FigureKind::RiskMap
            | FigureKind::DimensionMaps
            | FigureKind::Heatmap
            | FigureKind::HotSpot
            | FigureKind::AlertMap => "maps",
            _ => "charts",
        }
    }
}

/// A named heatmap input.
#[derive(Debug, Clone)]
pub struct HeatmapInput {
    /// File stem, e.g. `heatmap_fires`.
    pub name: String,
    /// The measure's name in the report's language, e.g. `火灾`.
    pub measure: String,
    /// Densities, events per km² per year.
    pub grid: Grid<f32>,
}

/// A named emerging hot spot input.
#[derive(Debug, Clone)]
pub struct HotSpotInput {
    /// File stem, e.g. `hotspots_incidents`.
    pub name: String,
    /// The measure's name in the report's language.
    pub measure: String,
    /// Pattern per cell.
    pub grid: Grid<HotSpotClass>,
}

/// Everything the figures need; each part is optional and a figure is made for
/// each part given. `ranks`, `dimensions` are aligned with `townships`.
#[derive(Debug, Clone, Default)]
pub struct FigureSet {
    /// Language of every label.
    pub lang: Lang,
    /// Region name and as-of date printed on maps.
    pub meta: MapMeta,
    /// Township polygons (lon/lat), names and codes.
    pub townships: Vec<Township>,
    /// Rank and level per township.
    pub ranks: Option<Vec<Ranked>>,
    /// The five dimensions per township.
    pub dimensions: Option<Vec<Dimensions>>,
    /// Heatmaps, one per point measure.
    pub heatmaps: Vec<HeatmapInput>,
    /// Emerging hot spot maps.
    pub hotspots: Vec<HotSpotInput>,
    /// Current alerts: townships of each alert and its legend line.
    pub alerts: Vec<(Vec<usize>, String)>,
    /// `(file stem, trend)`, one per measure.
    pub trends: Vec<(String, Trend)>,
    /// `(file stem, monthly pattern)`.
    pub seasonality: Vec<(String, Seasonality)>,
    /// `(file stem, measure name, rows)`.
    pub yoy: Vec<(String, String, Vec<YoyRow>)>,
    /// Ranks with intervals.
    pub ranking: Option<Vec<RankRow>>,
    /// Hidden hazards per township.
    pub rectification: Option<Vec<RectRow>>,
    /// Most townships in a category chart (0 means 30).
    pub max_rows: usize,
    /// Rendering options.
    pub options: RenderOptions,
}

/// A figure with its kind.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Which figure.
    pub kind: FigureKind,
    /// The drawing.
    pub figure: Figure,
}

impl FigureSet {
    /// Renders every figure in parallel, in a fixed order: risk map, dimensions,
    /// heatmaps, hot spots, alerts, ranking, trends, seasonality, year-on-year,
    /// rectification.
    pub fn render(&self) -> Result<Vec<Rendered>, RenderError> {
        type Job<'a> = Box<dyn Fn() -> Result<Rendered, RenderError> + Send + Sync + 'a>;
        let (lang, meta, t, o) = (self.lang, &self.meta, &self.townships[..], self.options);
        let rows = if self.max_rows == 0 {
            30
        } else {
            self.max_rows
        };
        let mut jobs: Vec<Job> = Vec::new();
        let wrap = |kind: FigureKind, f: Result<Figure, RenderError>| {
            f.map(|figure| Rendered { kind, figure })
        };
        if let Some(r) = &self.ranks {
            jobs.push(Box::new(move || {
                wrap(FigureKind::RiskMap, crate::risk_map(t, r, meta, lang, o))
            }));
        }
        if let Some(d) = &self.dimensions {
            jobs.push(Box::new(move || {
                wrap(
                    FigureKind::DimensionMaps,
                    crate::dimension_maps(t, d, meta, lang, o),
                )
            }));
        }
        for h in &self.heatmaps {
            jobs.push(Box::new(move || {
                wrap(
                    FigureKind::Heatmap,
                    crate::heatmap(t, &h.grid, &h.measure, &h.name, meta, lang, o),
                )
            }));
        }
        for h in &self.hotspots {
            jobs.push(Box::new(move || {
                wrap(
                    FigureKind::HotSpot,
                    crate::hotspot_map(t, &h.grid, &h.measure, &h.name, meta, lang, o),
                )
            }));
        }
        if !self.alerts.is_empty() {
            let (towns, legend): (Vec<Vec<usize>>, Vec<String>) =
                self.alerts.iter().cloned().unzip();
            jobs.push(Box::new(move || {
                wrap(
                    FigureKind::AlertMap,
                    crate::alert_map(t, &towns, &legend, meta, lang, o),
                )
            }));
        }
        if let Some(r) = &self.ranking {
            jobs.push(Box::new(move || {
                wrap(
                    FigureKind::Ranking,
                    crate::ranking_chart(r, "ranking", rows, lang, o),
                )
            }));
        }
        for (name, tr) in &self.trends {
            jobs.push(Box::new(move || {
                wrap(FigureKind::Trend, crate::trend_chart(tr, name, lang, o))
            }));
        }
        for (name, s) in &self.seasonality {
            jobs.push(Box::new(move || {
                wrap(
                    FigureKind::Seasonality,
                    crate::seasonality_chart(s, name, lang, o),
                )
            }));
        }
        for (name, measure, r) in &self.yoy {
            jobs.push(Box::new(move || {
                wrap(
                    FigureKind::Yoy,
                    crate::yoy_chart(r, measure, name, rows, lang, o),
                )
            }));
        }
        if let Some(r) = &self.rectification {
            jobs.push(Box::new(move || {
                wrap(
                    FigureKind::Rectification,
                    crate::rectification_chart(r, "rectification", rows, lang, o),
                )
            }));
        }
        jobs.par_iter().map(|j| j()).collect()
    }
}

/// A figure written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFigure {
    /// The file stem.
    pub name: String,
    /// The PNG file.
    pub png: PathBuf,
    /// The SVG file.
    pub svg: PathBuf,
}

/// Writes each figure as `<out>/<maps|charts>/<name>.png` and `.svg`, in parallel.
pub fn write_figures(out: &Path, figures: &[Rendered]) -> Result<Vec<WrittenFigure>, RenderError> {
    for dir in ["maps", "charts"] {
        let d = out.join(dir);
        std::fs::create_dir_all(&d).map_err(|source| RenderError::Io {
            path: d.clone(),
            source,
        })?;
    }
    figures
        .par_iter()
        .map(|r| {
            let dir = out.join(r.kind.folder());
            let png = dir.join(format!("{}.png", r.figure.name));
            let svg = dir.join(format!("{}.svg", r.figure.name));
            std::fs::write(&png, &r.figure.png).map_err(|source| RenderError::Io {
                path: png.clone(),
                source,
            })?;
            std::fs::write(&svg, &r.figure.svg).map_err(|source| RenderError::Io {
                path: svg.clone(),
                source,
            })?;
            Ok(WrittenFigure {
                name: r.figure.name.clone(),
                png,
                svg,
            })
        })
        .collect()
}
