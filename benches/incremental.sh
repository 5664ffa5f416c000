#!/usr/bin/env bash
# Cold and warm nightly runs of `riskmap run` on one region folder (issue 8):
#   cold       --no-cache, as of D (what every run cost before the cache)
#   unchanged  the same inputs again on a warm output folder
#   next day   as of D + 1: one more day of records accepted, same complete years
#   next day, cold   the same with --no-cache, to compare like with like
# Prints wall time, peak memory and the cache hits of each.
# Usage: benches/incremental.sh DATA [AS_OF] [RISKMAP]
set -euo pipefail
data=${1:?region folder}
as_of=${2:-2021-12-15}
bin=${3:-${CARGO_TARGET_DIR:-$HOME/.cache/riskmap-target}/release/riskmap}
next=$(date -d "$as_of + 1 day" +%F)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

one() { # label out as_of args...
  local label=$1 out=$2 day=$3
  shift 3
  /usr/bin/time -f "%e %M" -o "$work/t" "$bin" run --log-format plain --data "$data" --out "$out" --as-of "$day" "$@" \
    > "$work/stdout" 2> "$work/stderr"
  read -r secs kb < "$work/t"
  local hits
  hits=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(', '.join(m['cache']['hits']) or '-')" "$out/manifest.json" 2>/dev/null || echo -)
  grep -q "inputs unchanged" "$work/stdout" && hits="whole run (inputs unchanged)"
  printf '| %s | %s | %.2f s | %.0f MB | %s |\n' "$label" "$day" "$secs" "$((kb / 1024))" "$hits"
}

echo "| run | as of | wall | peak RSS | reused |"
echo "| --- | --- | ---: | ---: | --- |"
one "cold (--no-cache)" "$work/warm" "$as_of" --no-cache
one "cold, filling the cache" "$work/warm2" "$as_of"
one "unchanged inputs" "$work/warm2" "$as_of"
one "next day, warm" "$work/warm2" "$next"
one "next day, cold (--no-cache)" "$work/cold" "$next" --no-cache
