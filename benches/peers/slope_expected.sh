#!/usr/bin/env bash
# Expected slope grids for crates/riskmap-raster/tests/terrain_gdaldem.rs, computed by gdaldem.
#
# Usage: benches/peers/slope_expected.sh [OUT_DIR]
#   OUT_DIR defaults to crates/riskmap-raster/tests/fixtures (relative to the repository).
#
# 1. Writes two small DEMs as Esri ASCII grids (.asc), which GDAL and the Rust test both read
#    without any library: dem_utm.asc (48 x 36 cells of 30 m, a projected grid, with three
#    nodata cells) and dem_lonlat.asc (40 x 30 cells of 0.0009 degrees near 29.5 N).
#    Elevations are rough seeded surfaces (hills plus noise) rounded to 0.01 m, steep enough
#    that many cells exceed 25 degrees.
# 2. Runs `gdaldem slope` (Horn, degrees) on them: default edges and -compute_edges on the
#    projected DEM, and -s 111120 on the lon/lat one, writing float32 values with 9
#    significant digits, so the fixture holds gdaldem's float32 output exactly.
# The gdaldem version used is written to gdaldem_version.txt.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/crates/riskmap-raster/tests/fixtures}"
mkdir -p "$out"
python3 - "$out" <<'PY'
import sys
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(20240417)

def surface(nx, ny, relief):
    y, x = np.mgrid[0:ny, 0:nx].astype(float)
    z = 400.0 + relief * (np.sin(x / 5.0) * np.cos(y / 7.0) + 0.6 * np.sin((x + 2 * y) / 3.3))
    z += rng.normal(0.0, relief * 0.08, size=z.shape)
    return np.round(z, 2)

def write(path, z, xll, yll, cell, nodata=-9999):
    with open(path, "w") as f:
        f.write(f"ncols {z.shape[1]}\nnrows {z.shape[0]}\nxllcorner {xll}\nyllcorner {yll}\n")
        f.write(f"cellsize {cell}\nNODATA_value {nodata}\n")
        for row in z:
            f.write(" ".join(f"{v:.2f}" for v in row) + "\n")

z = surface(48, 36, 60.0)
for (r, c) in [(10, 12), (20, 30), (35, 5)]:
    z[r, c] = -9999
write(f"{out}/dem_utm.asc", z, 500000.0, 3300000.0, 30.0)
write(f"{out}/dem_lonlat.asc", surface(40, 30, 90.0), 118.0, 29.5, 0.0009)
PY
cd "$out"
gdaldem slope dem_utm.asc slope_utm.asc -of AAIGrid -co SIGNIFICANT_DIGITS=9 -q
gdaldem slope dem_utm.asc slope_utm_edges.asc -compute_edges -of AAIGrid -co SIGNIFICANT_DIGITS=9 -q
gdaldem slope dem_lonlat.asc slope_lonlat_s111120.asc -s 111120 -of AAIGrid -co SIGNIFICANT_DIGITS=9 -q
rm -f ./*.aux.xml ./*.prj
gdalinfo --version > gdaldem_version.txt
