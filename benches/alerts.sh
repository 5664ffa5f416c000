#!/usr/bin/env bash
# The nightly alerts stage on a synthetic province: its wall time (the
# manifest's "alerts" stage) with two emergent clusters injected, where the
# alerting measure runs all 999 replicates, and on the same province without
# them; then the same with one thread, whose alerts.csv must be identical.
#
#   bash benches/alerts.sh BINARY WORKDIR [RUNS]
#
# BINARY is a release build of riskmap; WORKDIR is scratch space (~1 GB).
set -euo pipefail
bin=$(realpath "$1")
work=$2
runs=${3:-3}
mkdir -p "$work"

stage_seconds() {
    python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(next(s["seconds"] for s in m["stages"] if s["name"]=="alerts"))' "$1/manifest.json"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for emergent in 2 none; do
    data="$work/province-$emergent"
    [ -d "$data" ] || "$bin" synth --preset province --seed 14 --emergent "$emergent" --out "$data" >/dev/null
    times=()
    for _ in $(seq "$runs"); do
        rm -rf "$work/out"
        "$bin" run --data "$data" --out "$work/out" --no-cache >/dev/null 2>&1
        times+=("$(stage_seconds "$work/out")")
    done
    cp "$work/out/alerts.csv" "$work/alerts-2threads-$emergent.csv"
    echo "province seed 14, emergent $emergent, 2 threads: alerts stage $(printf '%s\n' "${times[@]}" | median) s (runs: ${times[*]}); alerts: $(($(wc -l < "$work/out/alerts.csv") - 1))"
    rm -rf "$work/out"
    RAYON_NUM_THREADS=1 "$bin" run --data "$data" --out "$work/out" --no-cache >/dev/null 2>&1
    echo "  1 thread: alerts stage $(stage_seconds "$work/out") s; alerts.csv identical to 2 threads: $(cmp -s "$work/out/alerts.csv" "$work/alerts-2threads-$emergent.csv" && echo yes || echo NO)"
    grep '"name": "alerts: ' "$work/out/manifest.json" | sed 's/^ */    /' || true
done
