#!/usr/bin/env bash
# Hashes every output of `riskmap run` on the demo county and on a synthetic
# province, so that a refactoring can show its outputs are byte-identical
# (issue 14): run it with the binary from before and from after, and diff.
#
# Usage: scripts/output-hashes.sh RISKMAP_BINARY WORK_DIR > hashes.txt
#
# manifest.json is hashed without its stage timings (`seconds`), the only
# bytes that differ between two runs of the same inputs.
set -euo pipefail
bin=$(realpath "$1")
work=$2
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
if [ ! -d "$work/province" ]; then
    "$bin" synth --preset province --seed 14 --years 2019..2023 --out "$work/province" >/dev/null
fi
for region in demo province; do
    data="$work/$region"
    [ "$region" = demo ] && data="$here/datasets/demo"
    out="$work/out-$region"
    rm -rf "$out"
    "$bin" run --data "$data" --out "$out" --no-cache --log-format plain 2>/dev/null >/dev/null
    # The published names (links into .runs/<run>/), not the run folder, whose
    # name is a timestamp; nor the lock file.
    (cd "$out" && find -L . -path ./.runs -prune -o -type f ! -name manifest.json \
        ! -name .riskmap.lock -print | LC_ALL=C sort | xargs sha256sum) |
        sed "s|  \./|  $region/|"
    python3 - "$out/manifest.json" "$region" <<'PY'
import hashlib, json, sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k != "seconds"}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
m = strip(json.load(open(sys.argv[1])))
print(hashlib.sha256(json.dumps(m, sort_keys=True).encode()).hexdigest() + "  " + sys.argv[2] + "/manifest.json (without seconds)")
PY
done
