//! The root integration tests, in one test binary: each module below was a
//! file of its own, and linking polars and GDAL into seventeen binaries cost
//! minutes of CI and gigabytes of disk for nothing. Run one module with
//! `cargo test --release --test it cli::` (a name filter).
//!
//! Modules share nothing but the process: each works in its own temporary
//! folder and runs `riskmap` as a child process, so they may run in parallel.

mod alerts;
mod architecture;
mod backtest;
mod bad_input;
mod cli;
mod degenerate;
mod demo_dataset;
mod determinism;
mod fuzz_replay;
// The headless Chromium harness, shared with riskmap-render's own report test.
#[path = "../../crates/riskmap-render/tests/support/headless.rs"]
mod headless;
mod heatmaps;
mod incremental;
mod invalid_townships;
mod kill;
mod messy_folder;
mod notebooks;
mod panel;
mod placement;
mod rasters_any_format;
mod real_data;
mod report_run;
mod scores_truth;
mod spatial_stats;
mod support;
mod validate_truth;
