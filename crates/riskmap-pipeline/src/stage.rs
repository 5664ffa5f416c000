//! What a stage of the nightly job leaves in the manifest: its name and wall
//! time ([`StageEntry`]), or why it was skipped for want of data
//! ([`Skipped`]). `run` lists the stages; this module sits at the bottom of
//! the crate so that the stages and the progress log can name these types
//! without importing `run`.

use serde::{Deserialize, Serialize};

/// A stage and its wall time.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageEntry {
    /// Stage name.
    pub name: String,
    /// Seconds.
    pub seconds: f64,
    /// Why the stage did not run and what would make it run, when it was
    /// skipped for want of data (SPEC: "a stage skipped for want of data
    /// says why"); absent for a stage that ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// A stage that could not compute what it needs and was skipped: the reason
/// says what is missing and what would make the stage run, in the
/// manifest's English and in Chinese for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The stage's name, as in the manifest's `stages`.
    pub stage: String,
    /// "forecast: needs 1 complete year of records, has 0; ...".
    pub reason: String,
    /// The same in Chinese.
    pub reason_zh: String,
}
