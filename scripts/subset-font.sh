#!/usr/bin/env bash
# Builds the CJK font subset that riskmap-render embeds, so that Chinese renders on
# machines without Chinese fonts.
#
# Source: Noto Sans CJK SC Regular (SIL Open Font License 1.1), from Debian's
# `fonts-noto-cjk` package (`apt-get install fonts-noto-cjk`), face 2 ("SC") of
# NotoSansCJK-Regular.ttc. Tool: fontTools' pyftsubset (`pip install fonttools brotli`).
#
# Kept: ASCII, Latin-1 punctuation, GB2312 symbols (rows 1-9) and all GB2312 level-1 Hanzi
# (rows 16-55, 3,755 characters), plus every CJK character that appears in the project's
# Rust sources (township name syllables in riskmap-synth, the label table of riskmap-render,
# vocabularies in riskmap-domain), which adds the level-2 characters of place names (垟, 畈 ...).
# The family is renamed "RiskmapSans" because the OFL asks modified versions not to carry
# the original's reserved names; the licence travels with the files (OFL.txt).
#
# Usage: scripts/subset-font.sh PATH/TO/NotoSansCJK-Regular.ttc
# Writes crates/riskmap-render/assets/fonts/RiskmapSans-Regular.otf (for rasterising with
# ab_glyph) and RiskmapSans-Regular.woff2 (for @font-face in SVG and HTML).
set -euo pipefail
ttc="${1:?usage: $0 NotoSansCJK-Regular.ttc}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/crates/riskmap-render/assets/fonts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

python3 - "$repo" "$work/chars.txt" <<'PY'
import pathlib, sys
repo, dest = pathlib.Path(sys.argv[1]), sys.argv[2]
chars = set(chr(c) for c in range(0x20, 0x7F))
chars |= set("°±×÷·–—‘’“”…‰℃→←↑↓■□▲△●○◆◇★☆、。，．：；！？（）《》【】〔〕「」『』￥％＋－＝～＜＞／")
chars |= set(chr(c) for c in range(0xA0, 0x100))
def gb(b1, b2):
    try:
        return bytes([b1, b2]).decode("gb2312")
    except UnicodeDecodeError:
        return None
for b1 in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xD8)):   # symbols; level-1 Hanzi
    for b2 in range(0xA1, 0xFF):
        c = gb(b1, b2)
        if c:
            chars.add(c)
for src in sorted(repo.glob("crates/*/src/**/*.rs")):
    for c in src.read_text(encoding="utf-8"):
        if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef":
            chars.add(c)
open(dest, "w", encoding="utf-8").write("".join(sorted(chars)))
print(f"{len(chars)} characters", file=sys.stderr)
PY

common=(--font-number=2 --text-file="$work/chars.txt" --layout-features='*' --no-hinting
        --desubroutinize --name-IDs='*' --name-languages='*' --drop-tables+=VORG,vhea,vmtx)
pyftsubset "$ttc" "${common[@]}" --output-file="$work/subset.otf"

# Rename the family (name IDs 1, 3, 4, 6, 16, 17) so the subset does not carry the original's name.
python3 - "$work/subset.otf" "$out/RiskmapSans-Regular.otf" <<'PY'
import sys
from fontTools.ttLib import TTFont
f = TTFont(sys.argv[1])
names = {1: "RiskmapSans", 2: "Regular", 3: "RiskmapSans-Regular;subset of Noto Sans CJK SC 2.004",
         4: "RiskmapSans Regular", 6: "RiskmapSans-Regular", 16: "RiskmapSans", 17: "Regular"}
f["name"].names = [n for n in f["name"].names if n.nameID not in names]
for nid, text in names.items():
    f["name"].setName(text, nid, 3, 1, 0x409)
    f["name"].setName(text, nid, 1, 0, 0)
if "CFF " in f:
    cff = f["CFF "].cff
    cff.fontNames = ["RiskmapSans-Regular"]
f.save(sys.argv[2])
PY
pyftsubset "$out/RiskmapSans-Regular.otf" --unicodes='*' --layout-features='*' --name-IDs='*' \
    --flavor=woff2 --output-file="$out/RiskmapSans-Regular.woff2"
# OFL.txt beside the fonts holds the licence and the copyright notice; keep it with them.
ls -l "$out"
