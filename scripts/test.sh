#!/usr/bin/env bash
# The README's second command, and exactly what CI runs (.ci/run): install
# what is missing, then build and run every test (unit, integration,
# end-to-end, doc tests, and the benches once each in test mode).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
# The notebooks' headless run (tests/it/notebooks.rs) needs these Python
# packages; install whichever are missing (PyPI), and let the test report
# clearly if that was not possible.
if command -v python3 >/dev/null 2>&1; then
  python3 -c "import nbclient, nbformat, ipykernel, polars, matplotlib, scipy" 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages nbclient nbformat ipykernel polars matplotlib scipy \
    || echo "warning: could not install the notebooks' Python packages; tests/it/notebooks.rs will fail" >&2
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/riskmap-target}"
cargo test --release --locked --workspace --all-targets
cargo test --release --locked --workspace --doc
