//! Township risk scores: stock (存量), incremental (增量), natural (意外),
//! fire and coping capacity, each 0–10, combined into an overall `risk`,
//! ranked and coloured red/orange/yellow/blue (安全风险分级), with Monte
//! Carlo rank intervals and the three reasons behind each township's score.
//!
//! The crate is pure computation: it takes plain per-township quantities
//! ([`RegionInput`]) and a configuration ([`ScoreConfig`], the `[scores]`
//! table of `riskmap.toml`) and returns [`Scores`]. It reads no files and
//! depends on no format, plotting or command-line crate. The method (every
//! indicator, transform, weight and threshold, with references) is in
//! `docs/METHODOLOGY.md`.
//!
//! ```
//! use riskmap_score::{score, RegionInput, ScoreConfig, Series, TownshipInput};
//!
//! let town = |code: &str, fires: f64| TownshipInput {
//!     code: code.into(),
//!     name: code.into(),
//!     population: Some(30_000.0),
//!     area_km2: 80.0,
//!     fires: Some(Series { counts: vec![fires; 5], deaths: vec![0.0; 5], injuries: vec![0.0; 5] }),
//!     ..Default::default()
//! };
//! let region = RegionInput {
//!     first_year: 2017,
//!     as_of_year: 2021,
//!     year_fraction: 1.0,
//!     townships: vec![town("A", 5.0), town("B", 50.0), town("C", 20.0)],
//! };
//! let scores = score(&region, &ScoreConfig::default()).unwrap();
//! assert_eq!(scores.townships[1].rank, 1);
//! // Only fires were given: every other dimension is reported missing.
//! assert!(scores.dimensions_missing.contains(&"stock"));
//! ```
//!
//! Modules, one concern each:
//! - [`input`]: the plain input structs.
//! - [`config`]: weights, transforms, levels, Monte Carlo settings.
//! - [`catalog`]: the indicator catalogue (what each indicator is).
//! - [`indicator`]: raw values and the planner's phrases.
//! - [`eb`]: Marshall's global empirical Bayes rates.
//! - [`transform`]: skewness, quantiles, log and capped min–max scaling.
//! - [`aggregate`]: dimensions, risk, ranks, levels.
//! - [`uncertainty`]: Monte Carlo rank intervals.
//! - [`explain`]: the reasons.
//! - [`score`]: the run that ties them together.

pub mod aggregate;
pub mod catalog;
pub mod config;
pub mod eb;
pub mod explain;
pub mod indicator;
pub mod input;
pub mod score;
pub mod transform;
pub mod uncertainty;

pub use aggregate::Level;
pub use catalog::{Dimension, IndicatorDef, INDICATORS};
pub use config::{
    ConfigError, LevelConfig, LevelMethod, Mean, ScoreConfig, Transform, UncertaintyConfig,
};
pub use explain::Reason;
pub use input::{
    Communities, Enterprises, GeohazardSites, HiddenHazards, RasterInputs, RegionInput, Series,
    Supervision, TownshipInput, HIGH_RISK_SECTORS, INCIDENT_CATEGORIES,
};
pub use score::{score, IndicatorReport, MissingNote, Scores, TownshipScore};
