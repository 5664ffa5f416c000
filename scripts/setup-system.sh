#!/usr/bin/env bash
# Installs the system packages riskmap builds and runs with, when they are
# missing: GDAL's C library and headers (for the gdal crate), pkg-config (to
# find them), a C compiler and make and Chromium (the report's browser test). Safe to run again: it installs nothing that is
# already there. Needs root or sudo on Debian/Ubuntu.
set -euo pipefail

need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
pkg-config --exists gdal 2>/dev/null || need+=(libgdal-dev)
command -v cc >/dev/null 2>&1 || need+=(build-essential)
# jemalloc, the binary's allocator, is built from source by tikv-jemalloc-sys.
command -v make >/dev/null 2>&1 || need+=(make)
command -v gdalinfo >/dev/null 2>&1 || need+=(gdal-bin)
# Headless Chromium opens report.html in riskmap-render's browser test.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Python runs the researchers' notebook in the tests (its packages come from PyPI, see test.sh).
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
echo "riskmap: installing system packages: ${need[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "riskmap: need root or sudo to install ${need[*]}" >&2; exit 1; }
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
