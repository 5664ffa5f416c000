//! The `riskmap` binary: parses arguments, calls the pipeline, prints what
//! happened and maps errors to SPEC's exit codes (0 success, 1 bad input or
//! configuration, 2 internal error, including a panic).

mod cli;

use std::process::ExitCode;

// jemalloc, not the system allocator: validation builds and frees millions of
// small strings and large column buffers, which glibc's malloc returns to the
// kernel and faults back in page by page (on the nation preset, 30-45 % of
// validation's CPU time was the kernel zeroing pages) and leaves fragmented
// (peak 6.2 GB against 4.4 GB). See ARCHITECTURE.md, "Memory".
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read at its start: unused pages go back to the kernel
/// from a background thread, not from inside the allocating threads; and two
/// arenas, one per core of the two-core machines riskmap is built for,
/// instead of jemalloc's four per core, so that pages one worker freed serve
/// the next allocation instead of idling in an arena of their own (the
/// real-like province's `validate` peak 539 → 490 MB at the same time; the
/// nation run the same). On a larger machine, `_RJEM_MALLOC_CONF=narenas:N`
/// in the environment overrides it.
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: &[u8; 33] = b"background_thread:true,narenas:2\0";

fn main() -> ExitCode {
    // A panic is a bug, never the user's fault: SPEC calls it an internal
    // error (exit 2), where Rust would exit 101. The default hook has already
    // printed where it happened; unwinding (rayon passes a worker's panic on
    // to this thread) drops the staging folder, so nothing half-written stays.
    match std::panic::catch_unwind(cli::main) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(err)) => {
            eprintln!("riskmap: error: {err}");
            ExitCode::from(err.exit_code() as u8)
        }
        Err(_) => {
            eprintln!("riskmap: internal error: the run stopped on a bug (the panic above); please report it with the input that caused it");
            ExitCode::from(2)
        }
    }
}
