//! riskmap-render: the maps, charts and the self-contained HTML report of
//! riskmap, from plain in-memory inputs.
//!
//! Every figure is a function of plain data ([`Township`] polygons in lon/lat,
//! [`Grid`] rasters, small records) returning a [`Figure`]: the same drawing as
//! a PNG at print resolution (about 300 dpi at its logical size) and an SVG with
//! real `<text>` elements. Text is drawn with the embedded Noto Sans CJK SC and an
//! Extension B fallback ([`font`]), so every Chinese place name renders without
//! system fonts; SVGs and the report carry a subset of them per file. [`FigureSet`] renders
//! a whole set in parallel and [`write_figures`] writes `maps/` and `charts/`;
//! [`report::build`] assembles `report.html`, one file that opens offline.
//! Words come from one table ([`labels`]) in Chinese (default) or English.
//!
//! ```
//! use riskmap_render::{risk_map, Lang, Level, MapMeta, Ranked, RenderOptions, Township};
//! let square = geo::MultiPolygon::new(vec![geo::Polygon::new(
//!     geo::LineString::from(vec![(120.0, 30.0), (120.1, 30.0), (120.1, 30.1), (120.0, 30.1), (120.0, 30.0)]),
//!     vec![],
//! )]);
//! let towns = [Township { code: "330101001000".into(), name: "青溪镇".into(), polygon: square }];
//! let ranks = [Ranked { rank: 1, level: Level::Red }];
//! let meta = MapMeta { region: "云溪县".into(), as_of: "2024-06-30".into() };
//! let fig = risk_map(&towns, &ranks, &meta, Lang::Zh, RenderOptions { embed_font_in_svg: false }).unwrap();
//! assert!(fig.svg.contains("青溪镇"));
//! assert_eq!(&fig.png[1..4], b"PNG");
//! ```

pub mod canvas;
pub mod charts;
pub mod font;
pub mod inputs;
pub mod labels;
pub mod mapframe;
pub mod maps;
pub mod report;
pub mod sample;
pub mod set;
pub mod text;

pub use canvas::{Figure, RenderOptions};
pub use charts::{
    leaderboard_chart, ranking_chart, rectification_chart, seasonality_chart, trend_chart,
    yoy_chart, Calibration, LeaderRow,
};
pub use inputs::{
    Dimensions, Forecast, Grid, HotSpotClass, Level, LevelStyle, RankRow, Ranked, RectRow,
    Seasonality, Township, Trend, YearlySeries, YoyRow,
};
pub use labels::{Label, Lang};
pub use maps::{alert_map, dimension_maps, heatmap, hotspot_map, risk_map, MapMeta};
pub use set::{
    write_figures, FigureKind, FigureSet, HeatmapInput, HotSpotInput, Rendered, WrittenFigure,
};

/// What can go wrong while rendering.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The inputs disagree (e.g. fewer scores than townships).
    #[error("bad render input: {0}")]
    Input(String),
    /// plotters or the PNG encoder failed on a figure.
    #[error("drawing {figure} failed: {message}")]
    Draw {
        /// The figure's file stem.
        figure: String,
        /// The backend's message.
        message: String,
    },
    /// Subsetting or encoding the embedded font for a file failed (a defect:
    /// the fonts are compiled in).
    #[error("embedded font: {0}")]
    Font(String),
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}
