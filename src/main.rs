//! The `riskmap` binary: parses arguments, calls the pipeline, prints what
//! happened and maps errors to SPEC's exit codes (0 success, 1 bad input or
//! configuration, 2 internal error).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("riskmap: error: {err}");
            ExitCode::from(err.exit_code() as u8)
        }
    }
}
