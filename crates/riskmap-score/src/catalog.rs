//! The indicator catalogue: what each indicator measures, its dimension,
//! default weight and direction, and the sources it is computed from. One
//! table ([`INDICATORS`]) is the single source of truth; METHODOLOGY.md
//! describes the same table with reasons. How a raw value is computed and
//! worded is in [`crate::indicator`].

/// The five dimensions, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// 存量风险: long-standing accident-prone sectors.
    Stock,
    /// 增量风险: newly growing exposure.
    Incremental,
    /// 意外风险: natural hazards (forest fires, geohazards).
    Natural,
    /// Fire (火灾).
    Fire,
    /// Coping capacity (higher = better); risk uses 10 − coping.
    Coping,
}

impl Dimension {
    /// Every dimension, in output order.
    pub const ALL: [Dimension; 5] = [
        Dimension::Stock,
        Dimension::Incremental,
        Dimension::Natural,
        Dimension::Fire,
        Dimension::Coping,
    ];

    /// Column name (`stock`).
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Stock => "stock",
            Dimension::Incremental => "incremental",
            Dimension::Natural => "natural",
            Dimension::Fire => "fire",
            Dimension::Coping => "coping",
        }
    }

    /// Parses a column name.
    pub fn from_name(name: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Index in [`Dimension::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One indicator.
#[derive(Debug, Clone, Copy)]
pub struct IndicatorDef {
    /// Id, as `riskmap.toml` names it.
    pub id: &'static str,
    /// Its dimension.
    pub dimension: Dimension,
    /// Default weight within the dimension.
    pub weight: f64,
    /// True when a higher raw value means less of the dimension (distance
    /// to a fire station lowers coping capacity).
    pub inverted: bool,
    /// The SPEC sources (or raster layers) it is computed from.
    pub sources: &'static str,
    /// What it measures, in English.
    pub en: &'static str,
}

/// Every indicator. Indices into this table are used throughout.
pub const INDICATORS: &[IndicatorDef] = &[
    ind(
        "accidents",
        Dimension::Stock,
        1.0,
        "incidents",
        "production-safety accidents a year, recency- and severity-weighted",
    ),
    ind(
        "accident_rate",
        Dimension::Stock,
        1.0,
        "incidents, population",
        "the same per 10,000 people, empirical-Bayes smoothed",
    ),
    ind(
        "high_risk_enterprises",
        Dimension::Stock,
        0.5,
        "enterprises",
        "high-risk enterprises per km²",
    ),
    ind(
        "major_hazard_sources",
        Dimension::Stock,
        0.5,
        "enterprises",
        "registered major hazard sources",
    ),
    ind(
        "hidden_hazards",
        Dimension::Stock,
        1.0,
        "hidden_hazards",
        "open and overdue hidden hazards, weighted by level and supervising authority",
    ),
    ind(
        "pipelines",
        Dimension::Incremental,
        1.0,
        "pipelines",
        "km of oil and gas pipelines",
    ),
    ind(
        "scenic_visitors",
        Dimension::Incremental,
        1.0,
        "scenic_areas",
        "scenic-area visitors a year",
    ),
    ind(
        "new_high_risk_enterprises",
        Dimension::Incremental,
        1.0,
        "enterprises",
        "high-risk enterprises opened recently",
    ),
    ind(
        "accident_trend",
        Dimension::Incremental,
        1.0,
        "incidents",
        "log ratio of the last two years' accident rate to the years before",
    ),
    ind(
        "forest_fires",
        Dimension::Natural,
        1.0,
        "forest_fires",
        "forest fires a year, recency-weighted",
    ),
    ind(
        "forest_area",
        Dimension::Natural,
        1.0,
        "forest_cover",
        "forest area, ha",
    ),
    ind(
        "forest_cover",
        Dimension::Natural,
        0.5,
        "forest_cover",
        "mean forest fraction",
    ),
    ind(
        "geohazard_events",
        Dimension::Natural,
        1.0,
        "geohazard_events",
        "geohazard events a year, recency-weighted",
    ),
    ind(
        "geohazard_people",
        Dimension::Natural,
        1.0,
        "geohazard_sites",
        "people threatened by active geohazard sites",
    ),
    ind(
        "geohazard_sites",
        Dimension::Natural,
        0.5,
        "geohazard_sites",
        "active geohazard sites",
    ),
    ind(
        "steep_share",
        Dimension::Natural,
        0.5,
        "dem",
        "share of the area steeper than 25°",
    ),
    ind(
        "elevation",
        Dimension::Natural,
        0.25,
        "dem",
        "mean elevation, m",
    ),
    ind(
        "fires",
        Dimension::Fire,
        1.0,
        "fires",
        "fires a year, recency-weighted",
    ),
    ind(
        "fire_rate",
        Dimension::Fire,
        1.0,
        "fires, population",
        "fires per 10,000 people, empirical-Bayes smoothed",
    ),
    ind(
        "fire_casualties",
        Dimension::Fire,
        0.5,
        "fires",
        "fire deaths and injuries a year, recency-weighted",
    ),
    ind(
        "old_communities",
        Dimension::Fire,
        0.75,
        "communities",
        "old residential communities",
    ),
    ind(
        "highrise_communities",
        Dimension::Fire,
        0.5,
        "communities",
        "high-rise residential communities",
    ),
    IndicatorDef {
        id: "shelter_capacity",
        dimension: Dimension::Coping,
        weight: 1.0,
        inverted: false,
        sources: "shelters, population",
        en: "shelter places per 1,000 people",
    },
    IndicatorDef {
        id: "fire_station_distance",
        dimension: Dimension::Coping,
        weight: 1.0,
        inverted: true,
        sources: "fire_stations, communities",
        en: "population-weighted mean distance to the nearest fire station, km",
    },
];

/// Indices into [`INDICATORS`] by id, for the hot loops (checked against the
/// table by a test).
pub mod id {
    /// `accidents`.
    pub const ACCIDENTS: usize = 0;
    /// `accident_rate`.
    pub const ACCIDENT_RATE: usize = 1;
    /// `high_risk_enterprises`.
    pub const HIGH_RISK_ENTERPRISES: usize = 2;
    /// `major_hazard_sources`.
    pub const MAJOR_HAZARD_SOURCES: usize = 3;
    /// `hidden_hazards`.
    pub const HIDDEN_HAZARDS: usize = 4;
    /// `pipelines`.
    pub const PIPELINES: usize = 5;
    /// `scenic_visitors`.
    pub const SCENIC_VISITORS: usize = 6;
    /// `new_high_risk_enterprises`.
    pub const NEW_HIGH_RISK_ENTERPRISES: usize = 7;
    /// `accident_trend`.
    pub const ACCIDENT_TREND: usize = 8;
    /// `forest_fires`.
    pub const FOREST_FIRES: usize = 9;
    /// `forest_area`.
    pub const FOREST_AREA: usize = 10;
    /// `forest_cover`.
    pub const FOREST_COVER: usize = 11;
    /// `geohazard_events`.
    pub const GEOHAZARD_EVENTS: usize = 12;
    /// `geohazard_people`.
    pub const GEOHAZARD_PEOPLE: usize = 13;
    /// `geohazard_sites`.
    pub const GEOHAZARD_SITES: usize = 14;
    /// `steep_share`.
    pub const STEEP_SHARE: usize = 15;
    /// `elevation`.
    pub const ELEVATION: usize = 16;
    /// `fires`.
    pub const FIRES: usize = 17;
    /// `fire_rate`.
    pub const FIRE_RATE: usize = 18;
    /// `fire_casualties`.
    pub const FIRE_CASUALTIES: usize = 19;
    /// `old_communities`.
    pub const OLD_COMMUNITIES: usize = 20;
    /// `highrise_communities`.
    pub const HIGHRISE_COMMUNITIES: usize = 21;
    /// `shelter_capacity`.
    pub const SHELTER_CAPACITY: usize = 22;
    /// `fire_station_distance`.
    pub const FIRE_STATION_DISTANCE: usize = 23;
}

const fn ind(
    id: &'static str,
    dimension: Dimension,
    weight: f64,
    sources: &'static str,
    en: &'static str,
) -> IndicatorDef {
    IndicatorDef {
        id,
        dimension,
        weight,
        inverted: false,
        sources,
        en,
    }
}

/// Index of indicator `id` (panics on an unknown id: ids are fixed here).
pub fn index_of(id: &str) -> usize {
    INDICATORS
        .iter()
        .position(|d| d.id == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
}
