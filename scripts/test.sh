#!/usr/bin/env bash
# The README's second command, and exactly what CI runs (.ci/run): install
# what is missing, then build and run every test (unit, integration,
# end-to-end, doc tests, and the benches once each in test mode).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/riskmap-target}"
cargo test --release --locked --workspace --all-targets
cargo test --release --locked --workspace --doc
