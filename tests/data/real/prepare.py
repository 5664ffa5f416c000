"""Builds the real-data region folders under tests/data/real/ from the example
data sets that ship inside the libpysal wheel (PyPI), and prints the values
esda computes on them, which tests/it/real_data.rs compares riskmap with.

    python3 -m venv venv && venv/bin/pip install libpysal==4.14.1 esda==2.9.0
    venv/bin/python tests/data/real/prepare.py tests/data/real

Each folder is what a bureau would hand riskmap: `townships.geojson` (the
polygons exactly as the shapefile has them, with `code`, `name`, `county`
and, where the data set has one, `population`) and `area_counts.csv` (`code`,
`year`, `measure`, `count`). The coordinates are copied digit for digit:
rounding them would change which polygons touch, and so the weights.

The data sets cover periods of several years; each period is written as one
row dated by its first year (SIDS 1974-78 as 1974, St Louis 1979-84 as 1979),
so that `riskmap run --as-of <that year>-12-31` describes exactly the period.
"""
import csv
import json
import os
import sys
import warnings

import esda
import libpysal
import numpy as np
from libpysal.weights import Queen, Rook

warnings.simplefilter("ignore", FutureWarning)

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))


def read(shp):
    """The shapes and the attribute table of one libpysal example shapefile."""
    path = libpysal.examples.get_path(shp)
    shapes = [s.__geo_interface__ for s in libpysal.io.open(path)]
    table = libpysal.io.open(path[:-4] + ".dbf")
    columns = {name: table.by_col(name) for name in table.header}
    return path, shapes, columns


def write_region(name, shapes, props, counts, measure, year):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    features = [
        {"type": "Feature", "properties": p, "geometry": {"type": g["type"], "coordinates": g["coordinates"]}}
        for g, p in zip(shapes, props)
    ]
    with open(os.path.join(folder, "townships.geojson"), "w") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, separators=(",", ":"))
        f.write("\n")
    with open(os.path.join(folder, "area_counts.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["code", "year", "measure", "count"])
        for p, c in zip(props, counts):
            out.writerow([p["code"], year, measure, repr(float(c)) if c != int(c) else int(c)])


def write_reference(name, header, rows):
    """A table of published per-unit values (and esda's), kept outside the
    region folders so that riskmap never reads it."""
    folder = os.path.join(OUT, "reference")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name + ".csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


def describe(label, y, path):
    """esda's global Moran's I of y under queen weights from the polygons, and
    for comparison under rook weights (the GAL files libpysal ships are rook)."""
    q = Queen.from_shapefile(path)
    r = Rook.from_shapefile(path)
    pairs = (sum(q.cardinalities.values()) // 2, sum(r.cardinalities.values()) // 2)
    mq = esda.Moran(y, q, permutations=0)
    mr = esda.Moran(y, r, permutations=0)
    print(f"  {label}: queen pairs {pairs[0]}, rook pairs {pairs[1]}")
    print(f"    queen: I = {float(mq.I)!r}, EI = {float(mq.EI)!r}, z_norm = {float(mq.z_norm)!r}, z_rand = {float(mq.z_rand)!r}")
    print(f"    rook:  I = {float(mr.I)!r}, z_norm = {float(mr.z_norm)!r}, p_norm = {float(mr.p_norm)!r}")


# North Carolina SIDS, 1974-78 (Cressie 1993, pp. 386-389; GeoDa's sids2).
path, shapes, c = read("sids2.shp")
props = [
    {"code": fips, "name": name, "county": "North Carolina", "population": int(b)}
    for fips, name, b in zip(c["FIPS"], c["NAME"], c["BIR74"])
]
write_region("nc_sids", shapes, props, c["SID74"], "sids", 1974)
sid, bir = np.array(c["SID74"], float), np.array(c["BIR74"], float)
print("nc_sids: SID74 =", sid.sum(), "BIR74 =", bir.sum())
eb = esda.smoothing.Empirical_Bayes(sid, bir).r.ravel()
write_reference(
    "nc_sids",
    ["code", "name", "sid74", "bir74", "sidr74", "rate_eb_esda"],
    [[p["code"], p["name"], int(s), int(b), r, repr(float(e))] for p, s, b, r, e in zip(props, sid, bir, c["SIDR74"], eb)],
)
describe("Marshall EB rate of SID74/BIR74", eb, path)
describe("SIDR74 (raw rate)", np.array(c["SIDR74"]), path)

# St Louis region homicides, 1979-84 (Messner et al. 2000; GeoDa's stl_hom).
path, shapes, c = read("stl_hom.shp")
props = [
    {"code": fips, "name": f"{name}, {state}", "county": "St Louis region", "population": int(p)}
    for fips, name, state, p in zip(c["FIPS"], c["NAME"], c["STATE_NAME"], c["PO7984"])
]
write_region("stl_homicides", shapes, props, c["HC7984"], "homicides", 1979)
hc, po = np.array(c["HC7984"], float), np.array(c["PO7984"], float)
print("stl_homicides: HC7984 =", hc.sum(), "PO7984 =", po.sum())
eb = esda.smoothing.Empirical_Bayes(hc, po).r.ravel()
write_reference(
    "stl_homicides",
    ["code", "name", "hc7984", "po7984", "hr7984", "rate_eb_esda"],
    [[p["code"], p["name"], int(h), int(q), r, repr(float(e))] for p, h, q, r, e in zip(props, hc, po, c["HR7984"], eb)],
)
print("  EB rates, first ten rows (esda docstring order):", dict(zip(c["FIPS"][:10], eb[:10].tolist())))
describe("Marshall EB rate of HC7984/PO7984", eb, path)
describe("HR8893 (raw rate, esda's docstring example)", np.array(c["HR8893"]), path)

# Columbus, Ohio, 1980 (Anselin 1988, Table 12.1). CRIME is already a rate
# (burglaries and vehicle thefts per 1000 households) and the data set has no
# household counts, so it goes in as the measure's value with no population:
# riskmap then computes its statistics on the values as given.
path, shapes, c = read("columbus.shp")
props = [
    {"code": f"{int(p):02d}", "name": f"Neighbourhood {int(n)}", "county": "Columbus, Ohio"}
    for p, n in zip(c["POLYID"], c["NEIG"])
]
write_region("columbus", shapes, props, c["CRIME"], "crime_per_1000_households", 1980)
crime = np.array(c["CRIME"])
print("columbus: CRIME sum =", crime.sum(), "max =", crime.max())
describe("CRIME", crime, path)
print("versions: libpysal", libpysal.__version__, "esda", esda.__version__)
