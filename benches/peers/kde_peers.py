#!/usr/bin/env python3
"""Kernel density peers for issue 4: KDEpy's FFTKDE against riskmap-raster, both checked
against exact direct summation on the same sample of cells, on the same points and grid.

Usage: python3 kde_peers.py KDE_BENCH_BIN OUT_DIR [N ...]
  KDE_BENCH_BIN: riskmap's example, built by
      cargo build --release -p riskmap-raster --example kde_bench
  N: numbers of points (default 1000000 10000000)

For each N (in one run):
1. Draws N seeded clustered points in metres (40 Gaussian clusters of 60 m to 3 km plus a
   15 % uniform background over 60 x 45 km, UTM-like coordinates) and writes them to
   OUT_DIR/points_N.f64 (little-endian f64 pairs x, y) for riskmap to read.
2. The grid: 1000 x 1000 square cells covering every point (KDEpy requires the grid to
   contain the data). Two bandwidths: "default", ArcGIS's default search radius (the rule
   in riskmap_raster::kde::bandwidth) used as the Gaussian's sigma, and "fine", sigma = 3
   cells, where linear binning on the grid (KDEpy's) is known to err by a few percent.
   The quartic runs (riskmap only) use the radius with the same per-axis standard
   deviation, h = sqrt(8) sigma.
3. Runs riskmap's kde_bench (Gaussian, then quartic), which times `density` (best of 3),
   and computes exact direct summation at every 10th row and column plus the peak's row
   and column, written next to the points.
4. Runs KDEpy FFTKDE(kernel="gaussian", bw=sigma) fit + evaluate on the same grid, timed
   (best of 3), scaled to events per km^2, and compares it with the exact values at the
   same cells. Errors are max |value - exact| / max(exact). KDEpy is given coordinates in
   cell units from the grid's south-west corner (and sigma in cells): with raw UTM metres
   its result was wrong by 27 % of the peak and lost a quarter of the mass, which would
   not be a fair comparison.
Prints one JSON line per tool and N, and writes OUT_DIR/kde_peers.json.
"""
import json
import math
import os
import subprocess
import sys
import time

import numpy as np


def clustered(n, seed):
    rng = np.random.default_rng(seed)
    x0, y0, w, h = 480_000.0, 3_300_000.0, 60_000.0, 45_000.0
    k = 40
    cx = x0 + rng.random(k) * w
    cy = y0 + rng.random(k) * h
    s = 60.0 * 50.0 ** rng.random(k)
    n_bg = int(0.15 * n)
    which = rng.integers(0, k, n - n_bg)
    pts = np.empty((n, 2))
    pts[: n - n_bg, 0] = cx[which] + s[which] * rng.standard_normal(n - n_bg)
    pts[: n - n_bg, 1] = cy[which] + s[which] * rng.standard_normal(n - n_bg)
    pts[n - n_bg:, 0] = x0 + rng.random(n_bg) * w
    pts[n - n_bg:, 1] = y0 + rng.random(n_bg) * h
    return pts


def arcgis_default(pts):
    """ArcGIS's default search radius, unweighted (see riskmap_raster::kde::bandwidth)."""
    c = pts.mean(axis=0)
    d = np.hypot(pts[:, 0] - c[0], pts[:, 1] - c[1])
    sd = math.sqrt(np.mean(d * d))
    dm = float(np.median(d))
    return 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * len(pts) ** -0.2


def grid_for(pts, size=1000):
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    cell = float(max(hi - lo)) / (size - 2)
    x_min = float(lo[0]) - cell
    y_max = float(hi[1]) + cell
    return x_min, y_max, cell, size, size


def run_riskmap(binary, path, grid, kernel, bw, prefix):
    x_min, y_max, cell, w, h = grid
    out = subprocess.run([binary, path, repr(x_min), repr(y_max), repr(cell), str(w), str(h), kernel, repr(bw),
                          "10", "3", prefix], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_kdepy(pts, grid, sigma, prefix):
    from KDEpy import FFTKDE
    x_min, y_max, cell, w, h = grid
    xs = x_min + (np.arange(w) + 0.5) * cell
    ys = y_max - (np.arange(h) + 0.5) * cell
    y_min = y_max - h * cell
    # Cell units from the south-west corner (see the module docstring).
    local = (pts - [x_min, y_min]) / cell
    xs, ys_sorted = (xs - x_min) / cell, (ys[::-1] - y_min) / cell
    # KDEpy wants the grid sorted, first coordinate varying slowest.
    gx, gy = np.meshgrid(xs, ys_sorted, indexing="ij")
    grid_pts = np.column_stack([gx.ravel(), gy.ravel()])
    times = []
    for _ in range(3):
        t = time.perf_counter()
        z = FFTKDE(kernel="gaussian", bw=sigma / cell).fit(local).evaluate(grid_pts)
        times.append(time.perf_counter() - t)
    # Rows from the north, events per km^2.
    dens = z.reshape(w, h)[:, ::-1].T * len(pts) * 1e6 / (cell * cell)
    rows = np.fromfile(prefix + ".rows", dtype="<u4")
    cols = np.fromfile(prefix + ".cols", dtype="<u4")
    exact = np.fromfile(prefix + ".exact", dtype="<f8").reshape(len(rows), len(cols))
    got = dens[np.ix_(rows, cols)]
    err = float(np.abs(got - exact).max() / exact.max())
    times.sort()
    return {"points": len(pts), "kernel": "gaussian", "bandwidth": sigma, "seconds_min": round(times[0], 4),
            "seconds_median": round(times[1], 4), "max_error_over_peak": err, "sample_cells": int(exact.size)}


def main():
    binary, out_dir = sys.argv[1], sys.argv[2]
    ns = [int(v) for v in sys.argv[3:]] or [1_000_000, 10_000_000]
    os.makedirs(out_dir, exist_ok=True)
    results = []
    for n in ns:
        pts = clustered(n, 2024 + n)
        path = os.path.join(out_dir, f"points_{n}.f64")
        pts.astype("<f8").tofile(path)
        grid = grid_for(pts)
        for name, sigma in [("default", arcgis_default(pts)), ("fine", 3 * grid[2])]:
            for kernel, bw in [("gaussian", sigma), ("quartic", math.sqrt(8) * sigma)]:
                prefix = os.path.join(out_dir, f"sample_{n}_{name}_{kernel}")
                r = run_riskmap(binary, path, grid, kernel, bw, prefix)
                r.update(tool="riskmap", bandwidth_rule=name, cell_m=grid[2])
                print(json.dumps(r), flush=True)
                results.append(r)
            r = run_kdepy(pts, grid, sigma, os.path.join(out_dir, f"sample_{n}_{name}_gaussian"))
            r.update(tool="KDEpy FFTKDE", bandwidth_rule=name, cell_m=grid[2])
            print(json.dumps(r), flush=True)
            results.append(r)
    with open(os.path.join(out_dir, "kde_peers.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
