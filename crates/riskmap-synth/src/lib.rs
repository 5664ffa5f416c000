//! Synthetic regions with known ground truth.
//!
//! Researchers need data where the right answer is known; planners need a
//! demo that looks like their county. [`generate`] builds a whole region in
//! memory: townships as a gap-free, overlap-free tessellation with wiggly
//! borders, terrain rasters, the assets a bureau manages, and incidents,
//! fires, forest fires and geohazard events drawn from a known space-time
//! intensity, with a few percent of realistic dirt. The [`Truth`] says what
//! the intensity was, where each record was generated and which rows were
//! dirtied.
//!
//! Output is identical for a seed whatever the number of threads: every
//! random draw comes from a stream named by seed, purpose and index
//! ([`rng::Stream`]), and parallel work is collected in order.
//!
//! ```no_run
//! use riskmap_synth::{generate, Preset, SynthConfig};
//!
//! let region = generate(&SynthConfig { preset: Preset::County, seed: 2021, years: (2015, 2021), boundaries: Default::default(), emergent: Default::default() }).unwrap();
//! assert!(region.townships.geometries.len() > 10);
//! ```
//!
//! Modules, in the order the generator uses them:
//! - [`preset`]: region sizes;
//! - [`tessellation`]: the township cells;
//! - [`terrain`]: elevation, slope and forest fields;
//! - [`region`]: townships with names, codes, population and covariates;
//! - [`assets`]: enterprises, communities, shelters, stations, sites, hidden hazards, pipelines, scenic areas;
//! - [`intensity`]: the expected counts;
//! - [`events`]: the drawn events;
//! - [`dirt`]: the corruptions;
//! - [`admin`], [`frame`], [`noise`], [`rng`], [`table`]: helpers.

pub mod admin;
pub mod assets;
pub mod dirt;
pub mod emergent;
pub mod events;
pub mod frame;
pub mod intensity;
pub mod noise;
pub mod preset;
pub mod region;
pub mod rng;
pub mod table;
pub mod terrain;
pub mod tessellation;

mod generate;

pub use emergent::Emergent;
pub use generate::{generate, generate_each, Piece, Region, SynthConfig, SynthError, Truth};
pub use preset::Preset;
pub use region::Boundaries;
