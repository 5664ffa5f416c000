#!/usr/bin/env python3
"""Sanity check of the peers against `riskmap validate`.

Usage: python3 compare_counts.py RISKMAP_OUT PEER_OUT [TOOL...]
  RISKMAP_OUT: the --out folder of `riskmap validate` (manifest.json, assigned.parquet)
  PEER_OUT:    the folder holding counts_TOOL.csv written by join_peers.py

Prints, per source, riskmap's rows_read / accepted / rejected / snapped / outside next to
each peer's assigned total and the total a peer should reach if it agrees with riskmap
(expected = accepted - snapped + rows riskmap rejected for reasons the peers do not check:
dates, labels, negative counts; from rejected.csv), and per peer the sum over (source, township) of
|peer count - riskmap count| (riskmap's counts from assigned.parquet).
"""
import csv
import json
import os
import sys
from collections import Counter

import pyarrow.parquet as pq


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rm_out, peer_out = sys.argv[1], sys.argv[2]
    tools = sys.argv[3:] or ["strtree", "strtree_inv", "geopandas", "duckdb"]
    manifest = json.load(open(os.path.join(rm_out, "manifest.json"), encoding="utf-8"))
    rm = {i["source"]: i for i in manifest["inputs"]}
    a = pq.read_table(os.path.join(rm_out, "assigned.parquet"), columns=["source", "code"]).to_pydict()
    rm_cells = Counter(zip(a["source"], a["code"]))

    # Rejections the peers also make (or that leave a point in no polygon): the rest are
    # checks the peers do not do.
    spatial = ("missing id", "missing lon", "missing lat", "duplicate id", "is not a number",
               "appear swapped", "outside the region", "not on the globe")
    other = Counter()
    with open(os.path.join(rm_out, "rejected.csv"), encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if not any(k in r["reason"] for k in spatial):
                other[r["source"]] += 1

    peers = {}
    for t in tools:
        path = os.path.join(peer_out, f"counts_{t}.csv")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                peers[t] = {(r["source"], r["code"]): int(r["count"]) for r in csv.DictReader(fh)}
    sources = sorted({s for cells in peers.values() for s, _ in cells}, key=lambda s: list(rm).index(s) if s in rm else 99)

    head = ["source", "rm_read", "rm_accepted", "rm_rejected", "rm_snapped", "rm_outside", "expected"] + [f"{t}_assigned" for t in peers]
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    tot = [0] * (len(head) - 1)
    for s in sources:
        i = rm.get(s, {})
        vals = [i.get("rows_read", 0), i.get("accepted", 0), i.get("rejected", 0), i.get("snapped", 0), i.get("outside", 0)]
        vals += [vals[1] - vals[3] + other[s]]
        vals += [sum(n for (src, _), n in cells.items() if src == s) for cells in peers.values()]
        tot = [x + y for x, y in zip(tot, vals)]
        print("| " + " | ".join([s] + [str(v) for v in vals]) + " |")
    print("| " + " | ".join(["total"] + [str(v) for v in tot]) + " |")
    print()
    for t, cells in peers.items():
        keys = set(cells) | {k for k in rm_cells if k[0] in sources}
        l1 = sum(abs(cells.get(k, 0) - rm_cells.get(k, 0)) for k in keys)
        peer_total = sum(cells.values())
        print(f"{t}: assigned {peer_total}, riskmap accepted {sum(rm_cells[k] for k in rm_cells if k[0] in sources)}, "
              f"sum |diff| over (source, township) cells = {l1}")
    names = list(peers)
    for x in names[1:]:
        print(f"{names[0]} vs {x}: identical counts = {peers[names[0]] == peers[x]}")


if __name__ == "__main__":
    main()
