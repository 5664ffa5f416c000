"""Expected spatial statistics for the demo county, computed with PySAL.

Reads the demo county's township polygons (datasets/demo/townships.gpkg) and
the counts and exposures that `riskmap run` wrote to spatial_stats.csv, then
computes with libpysal/esda what riskmap also computes: queen neighbour lists,
Marshall's global EB rates, global Moran's I (normality and randomisation)
and Gi* on the EB rates (as riskmap does), local Moran Ii and quadrants.
Writes JSON for tests/it/spatial_stats.rs.

    riskmap run --data datasets/demo --out /tmp/demo-run
    python3 benches/peers/demo_stats_expected.py datasets/demo/townships.gpkg \
        /tmp/demo-run/spatial_stats.csv tests/data/demo_stats_expected.json
"""
import json
import sys

import esda
import geopandas
import libpysal
import numpy as np
import pandas

polygons, stats_csv, out = sys.argv[1:4]
towns = geopandas.read_file(polygons).sort_values("code").reset_index(drop=True)
w = libpysal.weights.Queen.from_dataframe(towns, use_index=False)
stats = pandas.read_csv(stats_csv, dtype={"code": str})
result = {
    "libpysal": libpysal.__version__,
    "esda": esda.__version__,
    "neighbours": {towns.code[i]: sorted(towns.code[j] for j in w.neighbors[i]) for i in range(len(towns))},
    "measures": {},
}
for measure in ["fires", "incidents", "incidents:road_traffic", "forest_fires", "geohazard_events"]:
    s = stats[stats.measure == measure].set_index("code").loc[towns.code]
    e, b = s["count"].to_numpy(float), s["exposure"].to_numpy(float)
    eb = esda.smoothing.Empirical_Bayes(e, b).r.ravel()
    w.transform = "r"
    mi = esda.Moran(eb, w, permutations=0)
    lm = esda.Moran_Local(eb, w, permutations=0)
    g = esda.G_Local(eb, libpysal.weights.Queen.from_dataframe(towns, use_index=False), transform="B", star=True, permutations=0)
    result["measures"][measure] = {
        "rate_eb": eb.tolist(),
        "moran_i": mi.I, "expected": mi.EI, "z_normality": mi.z_norm, "z_randomisation": mi.z_rand,
        "local_moran_i": lm.Is.tolist(),
        "quadrant": lm.q.tolist(),
        "gi_star_z": g.Zs.tolist(),
    }
with open(out, "w") as f:
    json.dump(result, f, indent=1, ensure_ascii=False)
print("wrote", out)
