"""Timings of PySAL (libpysal, esda) on the synthetic region of
crates/riskmap-stats/benches/stats.rs, for the ratios in benches/results/stats.md.

The townships are the same side x side "brick" tessellation (rows offset by
half a brick, six neighbours each) with vertices on an exact lattice, and
the same values (a smooth field plus deterministic noise). They are written
to a GeoPackage in a temporary directory and read back with geopandas, then:
  - libpysal Queen.from_dataframe
  - esda Moran (analytic: permutations=0), and with 99 permutations
  - esda G_Local(star=True, transform="B", permutations=0)
  - esda Moran_Local(permutations=99), after a warm-up call on a small
    problem that compiles esda's numba kernels (its time is printed apart).

Usage: python3 benches/peers/stats_peers.py [--side 200] [--densify 16]
"""

import argparse
import tempfile
import time
import warnings

import esda
import geopandas as gpd
import libpysal
import numpy as np
from libpysal.weights import Queen
from shapely.geometry import Polygon

warnings.filterwarnings("ignore")

HALF = 0.005


def brick(r, c, m):
    """Same lattice formula as brick() in crates/riskmap-stats/benches/stats.rs."""
    x0 = (2 * c + r % 2) * m
    y0, y1 = r * m, (r + 1) * m
    lattice = [(x0 + j, y0) for j in range(2 * m)]
    lattice += [(x0 + 2 * m, y0 + j) for j in range(m)]
    lattice += [(x0 + 2 * m - j, y1) for j in range(2 * m)]
    lattice += [(x0, y1 - j) for j in range(m)]
    return Polygon([(100.0 + x * (HALF / m), 30.0 + y * (2.0 * HALF / m)) for x, y in lattice])


def value(r, c, side):
    i = r * side + c
    noise = ((i * 2654435761) % 1000) / 1000.0
    return np.sin(r / 15.0) + np.cos(c / 20.0) + noise


def timed(label, f, rows):
    t = time.perf_counter()
    out = f()
    rows.append((label, time.perf_counter() - t))
    print(f"{label:<40} {rows[-1][1]:9.3f} s", flush=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int, default=200)
    ap.add_argument("--densify", type=int, default=1, help="split each lattice edge in this many pieces (6m vertices)")
    args = ap.parse_args()
    side = args.side
    geoms = [brick(r, c, args.densify) for r in range(side) for c in range(side)]
    y = np.array([value(r, c, side) for r in range(side) for c in range(side)])
    with tempfile.TemporaryDirectory() as d:
        path = f"{d}/bricks.gpkg"
        gpd.GeoDataFrame({"y": y}, geometry=geoms, crs="EPSG:4326").to_file(path)
        gdf = gpd.read_file(path)
    print(f"libpysal {libpysal.__version__}, esda {esda.__version__}, {len(gdf)} townships, {6 * args.densify} vertices each")
    rows = []
    w = timed("libpysal Queen.from_dataframe", lambda: Queen.from_dataframe(gdf, use_index=False), rows)
    assert max(w.cardinalities.values()) == 6
    timed("esda Moran (analytic)", lambda: esda.Moran(y, w, permutations=0), rows)
    timed("esda Moran (99 permutations)", lambda: esda.Moran(y, w, permutations=99), rows)
    timed("esda G_Local star, B (analytic)", lambda: esda.G_Local(y, w, transform="B", star=True, permutations=0), rows)
    small = Queen.from_dataframe(gdf.iloc[: 4 * side], use_index=False)
    timed("esda Moran_Local warm-up (numba)", lambda: esda.Moran_Local(y[: 4 * side], small, permutations=99, seed=1), rows)
    timed("esda Moran_Local (99 permutations)", lambda: esda.Moran_Local(y, w, permutations=99, seed=1), rows)
    took = dict(rows)
    stats = (
        took["esda Moran (analytic)"]
        + took["esda G_Local star, B (analytic)"]
        + took["esda Moran_Local (99 permutations)"]
    )
    print(f"{'statistics total (Moran, Gi*, local 99)':<40} {stats:9.3f} s")


if __name__ == "__main__":
    main()
