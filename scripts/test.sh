#!/usr/bin/env bash
# The README's second command, and exactly what CI runs (.ci/run): install
# what is missing, check formatting and lints, then build and run every test
# (unit, integration, end-to-end, doc tests, and the benches once each in
# test mode).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
# The notebooks' headless run (tests/it/notebooks.rs) needs these Python
# packages (polars' to_pandas() needs pandas and pyarrow); install whichever
# are missing (PyPI), and let the test report clearly if that was not possible.
# Each module is checked on its own, so a machine that has some of them still
# gets the rest.
if command -v python3 >/dev/null 2>&1; then
  missing=()
  for m in nbclient nbformat ipykernel polars pandas pyarrow matplotlib scipy; do
    python3 -c "import $m" 2>/dev/null || missing+=("$m")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "riskmap: installing Python packages: ${missing[*]}" >&2
    python3 -m pip install --quiet --break-system-packages "${missing[@]}" \
      || echo "warning: could not install ${missing[*]}; tests/it/notebooks.rs will fail" >&2
  fi
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/riskmap-target}"
# Style and lints first: a formatting slip or a lint fails before the long test run.
# (clippy.toml raises two thresholds, and says why.)
# A toolchain without the rustfmt or clippy component (rustup cannot fetch
# one offline) skips that check with a warning rather than failing the tests.
if cargo fmt --version >/dev/null 2>&1; then
  cargo fmt --all --check
else
  echo "warning: rustfmt is not installed; formatting not checked" >&2
fi
if cargo clippy --version >/dev/null 2>&1; then
  cargo clippy --release --locked --workspace --all-targets -- -D warnings
else
  echo "warning: clippy is not installed; lints not checked" >&2
fi
cargo test --release --locked --workspace --all-targets
cargo test --release --locked --workspace --doc
