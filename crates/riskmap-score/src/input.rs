//! What scoring takes: plain per-township quantities that the pipeline can
//! compute from the SPEC sources. Every source-backed field is an `Option`:
//! `None` means "the source is missing (or says nothing about this
//! township)", which is never the same as zero. Scoring drops a missing
//! indicator, renormalises the weights over the indicators that are there and
//! reports what was missing (see [`crate::Scores::missing`]).

use serde::{Deserialize, Serialize};

/// The incident categories of SPEC, in SPEC order; [`TownshipInput::incidents`]
/// is indexed by this order.
pub const INCIDENT_CATEGORIES: [&str; 7] = [
    "industrial_trade",
    "road_traffic",
    "construction",
    "hazardous_chemicals",
    "fireworks",
    "mining",
    "other",
];

/// Enterprise sectors counted as high-risk (高危行业): hazardous chemicals,
/// fireworks, mining and construction, the sectors whose new projects go
/// through the 三同时 review and whose accidents the county report names.
pub const HIGH_RISK_SECTORS: [&str; 4] =
    ["hazardous_chemicals", "fireworks", "mining", "construction"];

/// Who supervises a major hidden hazard's rectification (挂牌督办), from the
/// highest authority down; [`HiddenHazards`] arrays are indexed by this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Supervision {
    /// 省级挂牌督办.
    Province,
    /// 市级挂牌督办.
    City,
    /// 县级挂牌督办.
    County,
    /// 安委会挂牌督办.
    SafetyCommittee,
    /// Not listed for supervision, or not said.
    Unlisted,
}

impl Supervision {
    /// Every value, in index order.
    pub const ALL: [Supervision; 5] = [
        Supervision::Province,
        Supervision::City,
        Supervision::County,
        Supervision::SafetyCommittee,
        Supervision::Unlisted,
    ];

    /// Parses a ledger value (`province`, `city`, `county`, `safety_committee`,
    /// or the Chinese 省/市/县/安委会); anything else is `Unlisted`.
    pub fn parse(text: &str) -> Supervision {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "province" | "provincial" => Supervision::Province,
            "city" | "municipal" => Supervision::City,
            "county" => Supervision::County,
            "safety_committee" | "committee" => Supervision::SafetyCommittee,
            _ if t.starts_with('省') => Supervision::Province,
            _ if t.starts_with('市') => Supervision::City,
            _ if t.starts_with('县') || t.starts_with('区') => Supervision::County,
            _ if t.contains("安委") => Supervision::SafetyCommittee,
            _ => Supervision::Unlisted,
        }
    }

    /// Index into the [`HiddenHazards`] arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// "supervised by the city", for explanations.
    pub fn phrase_en(self) -> &'static str {
        match self {
            Supervision::Province => " supervised by the province",
            Supervision::City => " supervised by the city",
            Supervision::County => " supervised by the county",
            Supervision::SafetyCommittee => " supervised by the safety committee",
            Supervision::Unlisted => "",
        }
    }

    /// "市级挂牌督办", for explanations.
    pub fn phrase_zh(self) -> &'static str {
        match self {
            Supervision::Province => "省级挂牌督办",
            Supervision::City => "市级挂牌督办",
            Supervision::County => "县级挂牌督办",
            Supervision::SafetyCommittee => "安委会挂牌督办",
            Supervision::Unlisted => "",
        }
    }
}

/// A yearly series of events in one township: index 0 is
/// [`RegionInput::first_year`], the last index the as-of year (year to date).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Events per year.
    pub counts: Vec<f64>,
    /// Deaths per year.
    pub deaths: Vec<f64>,
    /// Injuries per year.
    pub injuries: Vec<f64>,
}

impl Series {
    /// A series of `years` zero years.
    pub fn zeros(years: usize) -> Series {
        Series {
            counts: vec![0.0; years],
            deaths: vec![0.0; years],
            injuries: vec![0.0; years],
        }
    }
}

/// The hidden-hazard ledger of a township as of the as-of date. "Open" means
/// not rectified and still within its deadline; "overdue" means not
/// rectified and past its deadline (the two are disjoint). Arrays are indexed
/// by [`Supervision::index`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HiddenHazards {
    /// Open general hazards.
    pub open_general: f64,
    /// Overdue general hazards.
    pub overdue_general: f64,
    /// Open major hazards by supervising authority.
    pub open_major: [f64; 5],
    /// Overdue major hazards by supervising authority.
    pub overdue_major: [f64; 5],
}

/// Enterprises of a township.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Enterprises {
    /// All enterprises.
    pub total: f64,
    /// Enterprises in [`HIGH_RISK_SECTORS`].
    pub high_risk: f64,
    /// Registered major hazard sources (重大危险源).
    pub major_hazard_sources: f64,
    /// High-risk enterprises opened within the last
    /// [`crate::ScoreConfig::new_enterprise_years`] years up to the as-of date;
    /// `None` when the ledger has no `opened_on`.
    pub new_high_risk: Option<f64>,
}

/// Residential communities of a township.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Communities {
    /// All communities.
    pub total: f64,
    /// Old residential communities (老旧小区); `None` when not recorded.
    pub old: Option<f64>,
    /// High-rise residential communities; `None` when not recorded.
    pub highrise: Option<f64>,
}

/// Registered geohazard sites of a township (treated sites excluded).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GeohazardSites {
    /// Active sites.
    pub active: f64,
    /// People threatened by the active sites; `None` when not recorded.
    pub threatened_people: Option<f64>,
}

/// Zonal statistics of the `dem` and `forest_cover` rasters over a township.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RasterInputs {
    /// Mean elevation, m (from `dem`).
    pub mean_elevation_m: Option<f64>,
    /// Share of the area steeper than 25°, 0–1 (from `dem`).
    pub steep_share: Option<f64>,
    /// Mean forest fraction, 0–1 (from `forest_cover`).
    pub forest_cover: Option<f64>,
    /// Forest area, ha (from `forest_cover`).
    pub forest_ha: Option<f64>,
}

/// Everything scoring knows about one township.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TownshipInput {
    /// 12-digit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Population in the as-of year.
    pub population: Option<f64>,
    /// Area, km² (always known: townships are required).
    pub area_km2: f64,
    /// Production-safety incidents per category ([`INCIDENT_CATEGORIES`] order).
    pub incidents: Option<Box<[Series; 7]>>,
    /// Fires (deaths and injuries used).
    pub fires: Option<Series>,
    /// Forest fires.
    pub forest_fires: Option<Series>,
    /// Geohazard events.
    pub geohazard_events: Option<Series>,
    /// Registered geohazard sites.
    pub geohazard_sites: Option<GeohazardSites>,
    /// The hidden-hazard ledger.
    pub hidden_hazards: Option<HiddenHazards>,
    /// Enterprises.
    pub enterprises: Option<Enterprises>,
    /// Residential communities.
    pub communities: Option<Communities>,
    /// Total capacity of disaster shelters, people.
    pub shelter_capacity: Option<f64>,
    /// Population-weighted mean distance from where people live to the nearest
    /// fire station, km (the pipeline weights communities by households, or
    /// uses the township's centroid).
    pub fire_station_distance_km: Option<f64>,
    /// Length of oil and gas pipelines in the township, km.
    pub pipelines_km: Option<f64>,
    /// Annual visitors of scenic areas in the township.
    pub scenic_visitors: Option<f64>,
    /// Raster zonal statistics.
    pub raster: Option<RasterInputs>,
}

/// The region to score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionInput {
    /// The first year of every [`Series`].
    pub first_year: i32,
    /// The as-of year (the last year of every series).
    pub as_of_year: i32,
    /// Share of the as-of year covered by the data (day of year of the
    /// as-of date / days in the year), in (0, 1]; the partial year counts
    /// with this exposure so that a year to date is not taken for a year.
    pub year_fraction: f64,
    /// Townships, in any order (the output keeps it).
    pub townships: Vec<TownshipInput>,
}
