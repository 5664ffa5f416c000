//! riskmap's batch jobs as stages over the library crates: `synth` writes a
//! synthetic region folder, `run` (and `demo`, which is `synth` then `run`)
//! survey a region folder and write the run manifest.
//!
//! Stages not built yet are listed by [`run::PLANNED_STAGES`] and reported by
//! every run, so that nobody mistakes a partial job for a finished one.
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

pub mod backtest;
pub mod cache;
pub mod config;
mod error;
pub mod panel;
pub mod progress;
pub mod publish;
pub mod rasters;
pub mod region;
pub mod report;
pub mod run;
pub mod scores;
pub mod spatial_stats;
pub mod staging;
pub mod summary;
pub mod synth;
pub mod township_names;
pub mod validate;

pub use error::PipelineError;
pub use run::{run, RunOptions, RunReport};
pub use synth::{SynthOptions, SynthSummary};
