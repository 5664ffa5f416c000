"""Expected values for riskmap-stats' tests, computed with PySAL and pymannkendall.

Writes, relative to the repository root (or to the directory given as the
first argument):
  crates/riskmap-stats/tests/data/columbus_polygons.json  Columbus polygons
      (libpysal's bundled example) as a list of multipolygons, each a list of
      polygons, each a list of rings, each a list of [x, y].
  crates/riskmap-stats/tests/data/stats_expected.json  figures per dataset.

Datasets:
  columbus: libpysal.examples 'columbus.shp' (49 neighbourhoods). y = CRIME;
      for the rates, counts e = CRIME and exposure b = HOVAL (Columbus has no
      population column; any positive column exercises the formulas).
  synthetic: a 7 x 6 grid of unit squares (lon/lat-like coordinates near
      (110, 30), cell 0.01 degrees) plus one island square, with seeded
      Poisson counts (some zero) and integer exposures.
  mann_kendall: seeded yearly count series with ties, via pymannkendall's
      original_test.

Run: pip install libpysal esda pymannkendall geopandas; python3 benches/peers/stats_expected.py
Versions used are recorded in the JSON.
"""

import json
import pathlib
import sys
import warnings

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pymannkendall as mk
import shapely
from esda.smoothing import Empirical_Bayes, Spatial_Empirical_Bayes
from libpysal.weights import Queen
from shapely.geometry import MultiPolygon, Polygon, box

warnings.filterwarnings("ignore")

ROOT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "riskmap-stats" / "tests" / "data"
PERMS = 9999


def geom_to_lists(g):
    polys = list(g.geoms) if isinstance(g, MultiPolygon) else [g]
    return [[[list(c) for c in p.exterior.coords]] + [[list(c) for c in r.coords] for r in p.interiors] for p in polys]


def figures(gdf, y, e, b):
    w = Queen.from_dataframe(gdf, use_index=False)
    n = len(gdf)
    neighbours = [sorted(int(j) for j in w.neighbors[i]) for i in range(n)]
    mi = esda.Moran(y, w, transformation="r", permutations=0)
    lm = esda.Moran_Local(y, w, transformation="r", permutations=PERMS, seed=12345, n_jobs=1)
    g = esda.G_Local(y, w, transform="B", star=True, permutations=0)
    eb = Empirical_Bayes(e, b).r.flatten()
    w.transform = "o"
    w.id_order = list(range(n))
    seb = Spatial_Empirical_Bayes(np.asarray(e, float), np.asarray(b, float), w).r.flatten()
    # Marshall's variance estimate of the global EB, to show that esda's
    # unclamped formula and riskmap's clamped one coincide here.
    rm = e.sum() / b.sum()
    r_var = (b * (e / b - rm) ** 2).sum() / b.sum() - rm / b.mean()
    return {
        "n": n,
        "neighbours": neighbours,
        "islands": [int(i) for i in w.islands],
        "y": [float(v) for v in y],
        "counts": [float(v) for v in e],
        "exposure": [float(v) for v in b],
        "moran": {
            "I": mi.I, "EI": mi.EI, "VI_norm": mi.VI_norm, "z_norm": mi.z_norm, "p_norm": mi.p_norm,
            "VI_rand": mi.VI_rand, "z_rand": mi.z_rand, "p_rand": mi.p_rand,
        },
        "local_moran": {
            "Is": [float(v) for v in lm.Is],
            "q": [int(v) for v in lm.q],
            "p_sim": [float(v) for v in lm.p_sim],
            "permutations": PERMS,
            "labels": [str(v) for v in lm.get_cluster_labels(0.05)],
        },
        "gi_star": {"Gs": [float(v) for v in g.Gs], "Zs": [float(v) for v in g.Zs]},
        "eb": {"r": [float(v) for v in eb], "r_var": float(r_var)},
        "spatial_eb": [float(v) for v in seb],
    }


def columbus():
    gdf = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    y = gdf["CRIME"].to_numpy(float)
    polys = [geom_to_lists(g) for g in gdf.geometry]
    (OUT / "columbus_polygons.json").write_text(json.dumps(polys))
    return figures(gdf, y, gdf["CRIME"].to_numpy(float), gdf["HOVAL"].to_numpy(float))


def synthetic():
    rng = np.random.default_rng(20240521)
    cell = 0.01
    # Corner coordinates come from one table, so neighbouring squares share
    # bit-identical vertices (libpysal's queen test compares them exactly).
    xs = [110.0 + c * cell for c in range(8)]
    ys = [30.0 + r * cell for r in range(7)]
    geoms = []
    for r in range(6):
        for c in range(7):
            geoms.append(box(xs[c], ys[r], xs[c + 1], ys[r + 1]))
    geoms.append(box(110.5, 30.5, 110.51, 30.51))  # an island
    n = len(geoms)
    exposure = rng.integers(500, 5000, n).astype(float)
    # A cluster of higher risk in the lower-left corner.
    risk = np.array([0.004 if (i < 42 and i % 7 < 3 and i // 7 < 3) else 0.001 for i in range(n)])
    counts = rng.poisson(risk * exposure).astype(float)
    gdf = gpd.GeoDataFrame({"count": counts, "pop": exposure}, geometry=geoms)
    out = figures(gdf, counts / exposure * 1000.0, counts, exposure)
    out["polygons"] = [geom_to_lists(g) for g in geoms]
    return out


def mann_kendall():
    rng = np.random.default_rng(7)
    series = [
        [3, 5, 4, 8, 9, 9, 12, 11, 15, 14],
        [20, 18, 18, 15, 16, 11, 9, 9, 9, 4],
        [2, 2, 2, 2, 3],
        [1, 4, 2],
        [0, 0, 1, 0, 2, 0, 0, 3, 1, 0, 0, 2],
    ] + [list(rng.poisson(5 + 0.5 * t * k, 10)) for k, t in enumerate(range(4))]
    out = []
    for x in series:
        x = [float(v) for v in np.ravel(x)]
        r = mk.original_test(x)
        out.append({"x": x, "s": float(r.s), "var_s": float(r.var_s), "z": float(r.z), "p": float(r.p), "tau": float(r.Tau)})
    return out


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    expected = {
        "made_by": "benches/peers/stats_expected.py",
        "versions": {
            "libpysal": libpysal.__version__, "esda": esda.__version__,
            "pymannkendall": getattr(mk, "__version__", "unknown"), "numpy": np.__version__,
            "shapely": shapely.__version__,
        },
        "columbus": columbus(),
        "synthetic": synthetic(),
        "mann_kendall": mann_kendall(),
    }
    (OUT / "stats_expected.json").write_text(json.dumps(expected, indent=1))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
