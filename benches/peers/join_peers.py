#!/usr/bin/env python3
"""Peer benchmark for `riskmap validate`: the same point-to-township join done with Python tools.

Usage: python3 join_peers.py REGION_DIR TOOL OUT_DIR
  TOOL: strtree | strtree_inv | geopandas | duckdb
    strtree:     STRtree over the polygons, tree.query(points, predicate="within")
    strtree_inv: STRtree over the points, tree.query(polygons, predicate="contains"), so
                 GEOS prepares each polygon once (what geopandas.sjoin does for "within")

In one process: read REGION_DIR/townships.gpkg and the point Parquet files, drop rows
with a missing id, missing or non-numeric lon/lat, or a duplicate id (the first row
with an id is kept), assign each point to the township polygon containing it (a point
on a shared border goes to one of them), count points per township per source and
write OUT_DIR/counts_TOOL.csv (source,code,count). Prints rows read, kept and assigned.
"""
import os
import sys
import time

SOURCES = [
    "incidents", "fires", "forest_fires", "geohazard_events", "geohazard_sites",
    "hidden_hazards", "enterprises", "communities", "shelters", "fire_stations",
]


def clean_frame(df):
    """Same row rules for the pandas-based peers: a pandas frame with id, lon, lat."""
    import pandas as pd
    import numpy as np
    df = df[df["id"].notna() & df["lon"].notna() & df["lat"].notna()]
    df = df[~df["id"].duplicated(keep="first")]
    lon = pd.to_numeric(df["lon"], errors="coerce").to_numpy(dtype="float64")
    lat = pd.to_numeric(df["lat"], errors="coerce").to_numpy(dtype="float64")
    ok = np.isfinite(lon) & np.isfinite(lat)
    return lon[ok], lat[ok]


def read_points(region, name):
    import pyarrow.parquet as pq
    t = pq.read_table(os.path.join(region, name + ".parquet"), columns=["id", "lon", "lat"])
    return t.num_rows, t.to_pandas()


def run_strtree(region, inverse=False):
    import numpy as np
    import pyogrio
    import shapely
    meta, _, geoms, fields = pyogrio.raw.read(os.path.join(region, "townships.gpkg"), columns=["code", "name"])
    codes = np.asarray(fields[0], dtype=object)
    polys = shapely.from_wkb(geoms)
    tree = None if inverse else shapely.STRtree(polys)
    rows = []
    totals = [0, 0, 0]
    for name in SOURCES:
        n_read, df = read_points(region, name)
        lon, lat = clean_frame(df)
        pts = shapely.points(lon, lat)
        if inverse:
            poly_idx, pt_idx = shapely.STRtree(pts).query(polys, predicate="contains")
        else:
            pt_idx, poly_idx = tree.query(pts, predicate="within")
        # A border point may fall within none (exactly on the edge) or be matched once per
        # polygon; keep one polygon per point.
        _, first = np.unique(pt_idx, return_index=True)
        poly_idx = poly_idx[first]
        cnt = np.bincount(poly_idx, minlength=len(polys))
        for i in np.nonzero(cnt)[0]:
            rows.append((name, codes[i], int(cnt[i])))
        totals[0] += n_read; totals[1] += len(pts); totals[2] += len(poly_idx)
        print(f"{name}: read {n_read} kept {len(pts)} assigned {len(poly_idx)}")
    return rows, totals


def run_geopandas(region):
    import geopandas as gpd
    import pandas as pd
    town = gpd.read_file(os.path.join(region, "townships.gpkg"), engine="pyogrio", columns=["code", "name"])
    rows = []
    totals = [0, 0, 0]
    for name in SOURCES:
        n_read = None
        df = pd.read_parquet(os.path.join(region, name + ".parquet"), columns=["id", "lon", "lat"])
        n_read = len(df)
        lon, lat = clean_frame(df)
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=town.crs)
        j = gpd.sjoin(pts, town, how="inner", predicate="within")
        j = j[~j.index.duplicated(keep="first")]
        cnt = j.groupby("code").size()
        rows.extend((name, code, int(c)) for code, c in cnt.items())
        totals[0] += n_read; totals[1] += len(pts); totals[2] += len(j)
        print(f"{name}: read {n_read} kept {len(pts)} assigned {len(j)}")
    return rows, totals


def load_spatial(con):
    """Load the spatial extension offline, from the duckdb-extension-spatial wheel."""
    import duckdb_extension_spatial
    import duckdb
    base = os.path.join(os.path.dirname(duckdb_extension_spatial.__file__), "extensions")
    path = os.path.join(base, "v" + duckdb.__version__, "spatial.duckdb_extension")
    if not os.path.exists(path):
        sys.exit(f"no spatial extension for duckdb {duckdb.__version__} under {base}")
    con.execute(f"LOAD '{path}'")


def run_duckdb(region):
    import duckdb
    con = duckdb.connect()
    load_spatial(con)
    q = lambda s: "'" + s.replace("'", "''") + "'"
    con.execute(f"CREATE TABLE town AS SELECT code, geom FROM ST_Read({q(os.path.join(region, 'townships.gpkg'))})")
    rows = []
    totals = [0, 0, 0]
    for name in SOURCES:
        f = q(os.path.join(region, name + ".parquet"))
        n_read = con.execute(f"SELECT count(*) FROM read_parquet({f})").fetchone()[0]
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE pts AS
            SELECT file_row_number AS r, ST_Point(x, y) AS pt FROM (
              SELECT file_row_number,
                     TRY_CAST(lon AS DOUBLE) AS x, TRY_CAST(lat AS DOUBLE) AS y
              FROM read_parquet({f}, file_row_number = true)
              WHERE id IS NOT NULL AND lon IS NOT NULL AND lat IS NOT NULL
              QUALIFY row_number() OVER (PARTITION BY id ORDER BY file_row_number) = 1)
            WHERE isfinite(x) AND isfinite(y)""")
        kept = con.execute("SELECT count(*) FROM pts").fetchone()[0]
        res = con.execute("""
            WITH hit AS (
              SELECT p.r, min(t.code) AS code
              FROM pts p JOIN town t ON ST_Contains(t.geom, p.pt)
              GROUP BY p.r)
            SELECT code, count(*) FROM hit GROUP BY code ORDER BY code""").fetchall()
        assigned = sum(c for _, c in res)
        rows.extend((name, code, int(c)) for code, c in res)
        totals[0] += n_read; totals[1] += kept; totals[2] += assigned
        print(f"{name}: read {n_read} kept {kept} assigned {assigned}")
    return rows, totals


TOOLS = {
    "strtree": run_strtree,
    "strtree_inv": lambda region: run_strtree(region, inverse=True),
    "geopandas": run_geopandas,
    "duckdb": run_duckdb,
}


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in TOOLS:
        sys.exit(__doc__)
    region, tool, out = sys.argv[1], sys.argv[2], sys.argv[3]
    t0 = time.perf_counter()
    rows, (n_read, kept, assigned) = TOOLS[tool](region)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, f"counts_{tool}.csv"), "w", encoding="utf-8") as fh:
        fh.write("source,code,count\n")
        for s, c, n in sorted(rows):
            fh.write(f"{s},{c},{n}\n")
    print(f"TOTAL tool={tool} rows_read={n_read} kept={kept} assigned={assigned} seconds={time.perf_counter() - t0:.3f}")


if __name__ == "__main__":
    main()
