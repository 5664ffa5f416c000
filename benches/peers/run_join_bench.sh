#!/usr/bin/env bash
# Peer benchmark for `riskmap validate`: times the Python peers of benches/peers/join_peers.py
# (shapely STRtree both ways round, geopandas sjoin, DuckDB spatial) and `riskmap validate` on the same
# region folder, each whole process under /usr/bin/time -v, RUNS times each (default 3),
# after one untimed warm-up of each (WARMUP=0 to skip). Prints wall seconds and peak RSS
# per run, then the median per tool and the ratio peer time / riskmap time, then a check
# of the peers' counts against riskmap's manifest.
#
# Usage: benches/peers/run_join_bench.sh REGION_DIR
# Env:   RISKMAP (default $HOME/.cache/riskmap-target/release/riskmap), PYTHON (python3),
#        TOOLS ("riskmap strtree strtree_inv geopandas duckdb"), RUNS (3), WARMUP (1)
set -euo pipefail

region=${1:?usage: $0 REGION_DIR}
here=$(cd "$(dirname "$0")" && pwd)
riskmap=${RISKMAP:-$HOME/.cache/riskmap-target/release/riskmap}
python=${PYTHON:-python3}
tools=${TOOLS:-riskmap strtree strtree_inv geopandas duckdb}
runs=${RUNS:-3}
warmup=${WARMUP:-1}
[ -x "$riskmap" ] || { echo "no riskmap binary at $riskmap (set RISKMAP)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmd_for() {
  case $1 in
    riskmap) echo "$riskmap validate --data $region --out $work/riskmap" ;;
    *) echo "$python $here/join_peers.py $region $1 $work/peers" ;;
  esac
}

# run TOOL LOG: one whole-process run; prints "seconds peak_mb".
run() {
  local tool=$1 log=$2
  [ "$tool" != riskmap ] || rm -rf "$work/riskmap"
  # shellcheck disable=SC2046
  if ! /usr/bin/time -v -o "$log.time" $(cmd_for "$tool") >"$log.out" 2>"$log.err"; then
    echo "FAILED: $tool (see below)" >&2; tail -20 "$log.err" >&2; return 1
  fi
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
    /Maximum resident set size/ { kb = $2 }
    END { printf "%.2f %.0f\n", s, kb / 1024 }' "$log.time"
}

echo "region: $region"
echo "riskmap: $("$riskmap" --version 2>/dev/null || echo "$riskmap")"
"$python" - <<'PY'
import importlib.metadata as m, platform
pk = ["shapely", "geopandas", "pyogrio", "pyarrow", "pandas", "numpy", "duckdb", "duckdb-extension-spatial"]
def v(p):
    try: return m.version(p)
    except m.PackageNotFoundError: return "missing"
print("python " + platform.python_version() + "; " + ", ".join(f"{p} {v(p)}" for p in pk))
PY
echo "cores: $(nproc)"

if [ "$warmup" = 1 ]; then
  for t in $tools; do run "$t" "$work/warm-$t" >/dev/null || true; done
fi

results="$work/results.txt"
: >"$results"
echo
echo "run  tool         wall_s  peak_MB"
for i in $(seq 1 "$runs"); do
  for t in $tools; do
    if r=$(run "$t" "$work/run$i-$t"); then
      printf "%-4s %-12s %6s  %7s\n" "$i" "$t" $r
      echo "$t $r" >>"$results"
      [ "$t" = riskmap ] || grep '^TOTAL' "$work/run$i-$t.out" >"$work/total-$t" || true
    fi
  done
done

echo
echo "median of $runs runs:"
"$python" - "$results" "$tools" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
tools = sys.argv[2].split()
med = {}
for t in tools:
    w = [float(r[1]) for r in rows if r[0] == t]; m = [float(r[2]) for r in rows if r[0] == t]
    if w: med[t] = (statistics.median(w), statistics.median(m), len(w))
base = med.get("riskmap", (None,))[0]
print("| tool | median wall (s) | median peak RSS (MB) | runs | time / riskmap |")
print("| --- | --- | --- | --- | --- |")
for t, (w, m, n) in med.items():
    ratio = f"{w / base:.2f}" if base else "n/a"
    print(f"| {t} | {w:.2f} | {m:.0f} | {n} | {ratio} |")
PY

echo
for t in $tools; do [ -f "$work/total-$t" ] && cat "$work/total-$t"; done
[ -f "$work/riskmap/manifest.json" ] || "$riskmap" validate --data "$region" --out "$work/riskmap" >/dev/null 2>&1
if [ -d "$work/peers" ]; then
  echo
  "$python" "$here/compare_counts.py" "$work/riskmap" "$work/peers" $(for t in $tools; do [ "$t" = riskmap ] || echo "$t"; done)
fi
