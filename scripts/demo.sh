#!/usr/bin/env bash
# The README's first command: install what is missing, build riskmap and run
# the nightly job on the embedded demo county.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/riskmap-target}"
# Build exactly what scripts/test.sh builds (the whole workspace, every
# target): cargo unifies dependency features across that set, and building a
# narrower set (`cargo run`) would give polars different features and make
# the test command compile it all again.
cargo build --release --locked --workspace --all-targets
"$CARGO_TARGET_DIR/release/riskmap" demo --out "${1:-out/demo}"
