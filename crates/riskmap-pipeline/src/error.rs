//! The pipeline's error, split by who must act: the user (bad input or
//! configuration, exit 1) or the developers (a bug, exit 2).

/// Why a job failed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The input or the configuration is wrong; the message says what to do.
    #[error("{0}")]
    Input(String),
    /// Reading or writing a file failed.
    #[error(transparent)]
    Io(#[from] riskmap_io::IoError),
    /// The generator failed.
    #[error(transparent)]
    Synth(#[from] riskmap_synth::SynthError),
    /// Something that should not happen did.
    #[error("internal error: {0}")]
    Internal(String),
}

impl PipelineError {
    /// The process exit code SPEC assigns: 1 for bad input, 2 for internal errors.
    pub fn exit_code(&self) -> i32 {
        match self {
            PipelineError::Input(_) | PipelineError::Io(_) => 1,
            PipelineError::Synth(riskmap_synth::SynthError::Years(..)) => 1,
            PipelineError::Synth(_) | PipelineError::Internal(_) => 2,
        }
    }
}
