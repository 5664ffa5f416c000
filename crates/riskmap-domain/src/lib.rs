//! The shared vocabulary of riskmap: the sources a region folder may hold, the
//! category keys and their Chinese labels, the risk levels, and the in-memory
//! model of spatial layers ([`Raster`], [`VectorLayer`]) that the generator,
//! the readers and the writers exchange, and the one bilingual table of the
//! words riskmap prints ([`Label`]).
//!
//! This crate does no I/O and knows nothing of file formats; every other crate
//! depends on it, and it depends on no other riskmap crate.
//!
//! ```
//! use riskmap_domain::{IncidentCategory, Source};
//!
//! assert_eq!(IncidentCategory::from_label("道路交通"), Some(IncidentCategory::RoadTraffic));
//! assert_eq!(IncidentCategory::RoadTraffic.key(), "road_traffic");
//! assert_eq!(Source::from_stem("forest_fires"), Some(Source::ForestFires));
//! ```

pub mod labels;
pub mod layer;
pub mod source;
pub mod vocab;

pub use labels::{model_name, sector_name, sector_zh, Label, Lang};
pub use layer::{Crs, Raster, VectorLayer};
pub use source::{GeometryKind, Source};
pub use vocab::{GeohazardType, HazardLevel, IncidentCategory, RiskLevel, Vocabulary};
