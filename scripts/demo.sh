#!/usr/bin/env bash
# The README's first command: install what is missing, build riskmap and run
# the nightly job on the embedded demo county.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/riskmap-target}"
cargo run --release --locked --quiet -- demo --out "${1:-out/demo}"
