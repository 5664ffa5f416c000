//! riskmap's batch jobs as stages over the library crates: `synth` writes a
//! synthetic region folder, `run` (and `demo`, which is `synth` then `run`)
//! validates a region folder, runs the stages and writes the outputs and the
//! run manifest, and `backtest` evaluates the forecasting models.
//!
//! The run's data model ([`model`]) and the stage records ([`stage`]) sit at
//! the bottom; each stage reads them and its own settings from [`config`];
//! [`run`] calls the stages in order. See ARCHITECTURE.md for the list.
//!
//! `run` and `validate` write into a private folder under `--out` and
//! publish it atomically, under a lock, only when the job succeeds
//! ([`publish::Publish`]); `synth` and `backtest` move finished files into
//! place ([`staging::Staging`]). Progress goes to stderr ([`progress`]).
//!
//! ```no_run
//! use std::path::Path;
//! use riskmap_pipeline::{synth::write_region, SynthOptions};
//! use riskmap_synth::Preset;
//!
//! let summary = write_region(&SynthOptions::new(Preset::County, 2021), Path::new("out/region"))?;
//! println!("{} townships", summary.townships);
//! # Ok::<(), riskmap_pipeline::PipelineError>(())
//! ```

pub mod alerts;
pub mod backtest;
pub mod cache;
pub mod config;
mod error;
pub mod model;
pub mod panel;
pub mod progress;
pub mod publish;
pub mod rasters;
pub mod region;
pub mod report;
pub mod run;
pub mod scores;
pub mod spatial_stats;
pub mod stage;
pub mod staging;
pub mod summary;
pub mod synth;
pub mod township_names;
pub mod validate;

pub use error::PipelineError;
pub use run::{run, RunOptions, RunReport};
pub use synth::{SynthOptions, SynthSummary};
