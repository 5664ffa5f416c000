//! The plain inputs of the figures: townships with their polygons in lon/lat,
//! rasters as a grid with a GDAL geotransform, and the small records the charts
//! draw. Nothing here knows where the numbers came from, so the statistics,
//! scoring and forecasting crates stay free of plotting and the renderer free of
//! their types.

use geo::MultiPolygon;
use serde::{Deserialize, Serialize};

use crate::labels::Lang;

/// A risk level, the four colours of the ranked map: riskmap's one
/// risk-level type ([`riskmap_domain::RiskLevel`]); [`LevelStyle`] gives its
/// colour and printed name.
pub use riskmap_domain::RiskLevel as Level;

/// How a level is drawn and printed.
pub trait LevelStyle {
    /// The fill colour: ColorBrewer's RdYlBu ends, the usual 红橙黄蓝 of Chinese
    /// risk maps, distinguishable in print and by most colour-blind readers.
    fn rgb(self) -> (u8, u8, u8);

    /// The name of the level.
    fn label(self, lang: Lang) -> &'static str;
}

impl LevelStyle for Level {
    fn rgb(self) -> (u8, u8, u8) {
        match self {
            Level::Red => (0xd7, 0x19, 0x1c),
            Level::Orange => (0xfd, 0xae, 0x61),
            Level::Yellow => (0xff, 0xee, 0x7a),
            Level::Blue => (0x7f, 0xb8, 0xe0),
        }
    }

    fn label(self, lang: Lang) -> &'static str {
        use crate::labels::Label;
        match self {
            Level::Red => Label::LevelRed,
            Level::Orange => Label::LevelOrange,
            Level::Yellow => Label::LevelYellow,
            Level::Blue => Label::LevelBlue,
        }
        .text(lang)
    }
}

/// A township on a map: its polygon in lon/lat (WGS84 degrees), names and code.
#[derive(Debug, Clone)]
pub struct Township {
    /// The 12-digit code.
    pub code: String,
    /// The Chinese name (printed in both languages: it is the name).
    pub name: String,
    /// The boundary, lon/lat degrees.
    pub polygon: MultiPolygon<f64>,
}

/// One township's place on the ranked map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    /// 1 = highest risk.
    pub rank: u32,
    /// The risk level.
    pub level: Level,
}

/// The scores of the five dimensions and the overall risk, all 0–10, for the
/// small multiples. `NaN` draws as "no data" (hatched grey).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Dimensions {
    /// 存量风险.
    pub stock: f64,
    /// 增量风险.
    pub incremental: f64,
    /// 自然灾害风险.
    pub natural: f64,
    /// 火灾风险.
    pub fire: f64,
    /// 应对能力短板 (higher = weaker coping capacity).
    pub coping: f64,
}

/// A grid in lon/lat with a GDAL geotransform (`[x0, dx, 0, y0, 0, dy]`, `dy < 0`
/// for north-up), values row by row from the north-west corner.
#[derive(Debug, Clone)]
pub struct Grid<T> {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// GDAL's affine transform; rotation terms must be zero.
    pub geo_transform: [f64; 6],
    /// `width * height` values.
    pub values: Vec<T>,
}

impl<T: Copy> Grid<T> {
    /// The cell value at a lon/lat, if inside.
    pub fn at(&self, lon: f64, lat: f64) -> Option<T> {
        let g = &self.geo_transform;
        let col = ((lon - g[0]) / g[1]).floor();
        let row = ((lat - g[3]) / g[5]).floor();
        if col < 0.0 || row < 0.0 || col >= self.width as f64 || row >= self.height as f64 {
            return None;
        }
        Some(self.values[row as usize * self.width + col as usize])
    }

    /// The lon/lat bounds `(west, south, east, north)`.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        let g = &self.geo_transform;
        let (x1, y1) = (
            g[0] + g[1] * self.width as f64,
            g[3] + g[5] * self.height as f64,
        );
        (g[0].min(x1), g[3].min(y1), g[0].max(x1), g[3].max(y1))
    }
}

/// The patterns of an emerging hot spot analysis, as ArcGIS names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum HotSpotClass {
    NewHot,
    ConsecutiveHot,
    IntensifyingHot,
    PersistentHot,
    DiminishingHot,
    SporadicHot,
    OscillatingHot,
    HistoricalHot,
    NewCold,
    ConsecutiveCold,
    IntensifyingCold,
    PersistentCold,
    DiminishingCold,
    SporadicCold,
    OscillatingCold,
    HistoricalCold,
    NoPattern,
}

impl HotSpotClass {
    /// In legend order: hot patterns from the most urgent, then cold, then none.
    pub const ALL: [HotSpotClass; 17] = [
        HotSpotClass::NewHot,
        HotSpotClass::ConsecutiveHot,
        HotSpotClass::IntensifyingHot,
        HotSpotClass::PersistentHot,
        HotSpotClass::DiminishingHot,
        HotSpotClass::SporadicHot,
        HotSpotClass::OscillatingHot,
        HotSpotClass::HistoricalHot,
        HotSpotClass::NewCold,
        HotSpotClass::ConsecutiveCold,
        HotSpotClass::IntensifyingCold,
        HotSpotClass::PersistentCold,
        HotSpotClass::DiminishingCold,
        HotSpotClass::SporadicCold,
        HotSpotClass::OscillatingCold,
        HotSpotClass::HistoricalCold,
        HotSpotClass::NoPattern,
    ];

    /// Colours after ArcGIS Pro's emerging hot spot renderer: reds for hot,
    /// blues for cold, darker for more urgent; "no pattern" is not drawn.
    pub fn rgba(self) -> [u8; 4] {
        use HotSpotClass::*;
        match self {
            NewHot => [0x73, 0x00, 0x00, 230],
            ConsecutiveHot => [0xa8, 0x00, 0x00, 230],
            IntensifyingHot => [0xe6, 0x00, 0x00, 230],
            PersistentHot => [0xff, 0x4d, 0x4d, 220],
            DiminishingHot => [0xff, 0x8c, 0x66, 220],
            SporadicHot => [0xff, 0xb3, 0x99, 220],
            OscillatingHot => [0xe6, 0x99, 0xcc, 220],
            HistoricalHot => [0xff, 0xd9, 0xcc, 220],
            NewCold => [0x00, 0x26, 0x73, 230],
            ConsecutiveCold => [0x00, 0x4d, 0xa8, 230],
            IntensifyingCold => [0x00, 0x70, 0xff, 230],
            PersistentCold => [0x4d, 0x94, 0xff, 220],
            DiminishingCold => [0x80, 0xb3, 0xff, 220],
            SporadicCold => [0xb3, 0xd1, 0xff, 220],
            OscillatingCold => [0x99, 0xcc, 0xe6, 220],
            HistoricalCold => [0xd9, 0xe8, 0xff, 220],
            NoPattern => [0, 0, 0, 0],
        }
    }

    /// The pattern's name.
    pub fn label(self, lang: Lang) -> &'static str {
        use crate::labels::Label;
        use HotSpotClass::*;
        match self {
            NewHot => Label::HotNew,
            ConsecutiveHot => Label::HotConsecutive,
            IntensifyingHot => Label::HotIntensifying,
            PersistentHot => Label::HotPersistent,
            DiminishingHot => Label::HotDiminishing,
            SporadicHot => Label::HotSporadic,
            OscillatingHot => Label::HotOscillating,
            HistoricalHot => Label::HotHistorical,
            NewCold => Label::ColdNew,
            ConsecutiveCold => Label::ColdConsecutive,
            IntensifyingCold => Label::ColdIntensifying,
            PersistentCold => Label::ColdPersistent,
            DiminishingCold => Label::ColdDiminishing,
            SporadicCold => Label::ColdSporadic,
            OscillatingCold => Label::ColdOscillating,
            HistoricalCold => Label::ColdHistorical,
            NoPattern => Label::NoPattern,
        }
        .text(lang)
    }
}

/// A next-year forecast for one series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forecast {
    /// The year forecast (the year after the last observed one).
    pub year: i32,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// One yearly series (counts or deaths) with its forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct YearlySeries {
    /// `(year, value)`, increasing years.
    pub observed: Vec<(i32, f64)>,
    /// The next year's forecast, if any.
    pub forecast: Option<Forecast>,
}

/// The trend chart of one measure: counts, and deaths when known.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// What is counted, already in the report's language (e.g. `道路交通事故`).
    pub measure: String,
    /// Yearly counts.
    pub counts: YearlySeries,
    /// Yearly deaths, when the source has them.
    pub deaths: Option<YearlySeries>,
}

/// The monthly pattern of one measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Seasonality {
    /// What is counted, in the report's language.
    pub measure: String,
    /// Mean count per calendar month over past years (January first).
    pub monthly_mean: [f64; 12],
    /// This year's months so far: `(year, counts)` with up to 12 values.
    pub this_year: Option<(i32, Vec<f64>)>,
}

/// One township's year-to-date count and the same span last year.
#[derive(Debug, Clone, PartialEq)]
pub struct YoyRow {
    /// Township name.
    pub name: String,
    /// Same period last year.
    pub previous: f64,
    /// This year to date.
    pub current: f64,
}

/// One township's rank with its uncertainty (e.g. from bootstrap or posterior draws).
#[derive(Debug, Clone, PartialEq)]
pub struct RankRow {
    /// Township name.
    pub name: String,
    /// The point rank (1 = highest risk).
    pub rank: u32,
    /// Lower end of the rank interval (best case, a larger number is less risk).
    pub rank_lo: f64,
    /// Upper end of the rank interval.
    pub rank_hi: f64,
    /// The level, for the marker colour.
    pub level: Level,
}

/// One township's hidden hazards by state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RectRow {
    /// Township name.
    pub name: String,
    /// Rectified by the deadline.
    pub on_time: u32,
    /// Rectified after the deadline.
    pub late: u32,
    /// Not rectified, deadline not yet passed.
    pub open: u32,
    /// Not rectified, deadline passed.
    pub overdue: u32,
}
