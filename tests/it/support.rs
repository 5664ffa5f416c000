//! Helpers shared by the root tests: running the `riskmap` binary under test.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `riskmap` with the arguments given (any mix of `&str`, paths), and
/// returns its output; panics only if the binary cannot start.
macro_rules! riskmap {
    ($($arg:expr),* $(,)?) => {{
        let out: ::std::process::Output = ::std::process::Command::new(env!("CARGO_BIN_EXE_riskmap"))
            $(.arg($arg))*
            .output()
            .expect("riskmap runs");
        out
    }};
}
pub(crate) use riskmap;

/// A command's stdout followed by its stderr, as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `riskmap COMMAND --data DATA --out OUT EXTRA…`, which must succeed.
pub fn riskmap_ok(command: &str, data: &Path, out: &Path, extra: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_riskmap"))
        .args([command, "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("riskmap runs");
    assert!(o.status.success(), "riskmap {command}: {}", text(&o));
    o
}
