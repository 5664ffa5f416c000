#!/usr/bin/env bash
# Builds the two fonts that riskmap-render embeds, so that every Chinese place name
# renders on machines without Chinese fonts. This documents how the shipped files were
# made; they are committed, so a build never runs it. Rerun it only to change the fonts.
#
# 1. RiskmapSans-Regular.otf: the whole "SC" face of Noto Sans CJK Regular 2.004
#    (SIL Open Font License 1.1), from Debian's `fonts-noto-cjk` package
#    (NotoSansCJK-Regular.ttc, face 2). Every code point of the face's cmap is kept:
#    20,976 CJK Unified Ideographs, 6,582 of Extension A, 2,108 of Extension B and the
#    Extension C-F characters of the 2013 Table of General Standard Chinese Characters,
#    with Latin, punctuation and symbols. Dropped, because riskmap never uses them:
#    glyphs only another face of the collection reaches (JP/KR/TC forms), the GSUB and
#    GPOS layout tables (ab_glyph does not read them, and without them the browser lays
#    out SVG text with the same advances the PNG uses), vertical metrics and CFF hints.
#    The .notdef box is kept (pyftsubset empties it by default), so that a character no
#    font has shows as a box, not as a silent gap.
#    The family is renamed "RiskmapSans": the OFL's Reserved Font Name of Noto Sans CJK
#    is "Source", and a modified font should not pass for the original either way.
#    Licence: OFL.txt beside the fonts.
# 2. RiskmapSansExtB-Regular.ttf: the fallback for CJK Extension B, the characters of
#    U+20000-2A6DF that Noto Sans CJK SC lacks (40,603), taken from HanaMinB (GlyphWiki
#    project, 2017-09-04), Debian's `fonts-hanazono`. It is a Mincho (serif) design,
#    used only for characters no sans-serif free font has. HanaMinB is offered under the
#    Hanazono Font License (free use, copying and modification) or the OFL with the
#    reserved names "HanaMinB" etc.; riskmap takes it under the Hanazono Font License
#    and renames the family "RiskmapSansExtB" all the same. Licence: HANAZONO-LICENSE.txt.
#    Extensions C-F (another 17,400 characters, 8.5 MB) are left out to keep the binary
#    smaller: the ones used in place names are in the General Standard table, so Noto has them.
#
# Tools: fontTools' pyftsubset (`python3 -m pip install fonttools`), Debian packages
# `fonts-noto-cjk fonts-hanazono`. Takes about two minutes.
#
# Usage: scripts/subset-font.sh [NotoSansCJK-Regular.ttc [HanaMinB.ttf]]
set -euo pipefail
ttc="${1:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
hana="${2:-/usr/share/fonts/truetype/hanazono/HanaMinB.ttf}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/crates/riskmap-render/assets/fonts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

pyftsubset "$ttc" --font-number=2 --unicodes='*' --layout-features='' --no-hinting --notdef-outline \
    --name-IDs='*' --name-languages='*' --drop-tables+=GSUB,GPOS,VORG,vhea,vmtx \
    --output-file="$work/sc.otf"

# Extension B code points that the SC face does not map.
python3 - "$work/sc.otf" "$hana" "$work/extb.txt" <<'PY'
import sys
from fontTools.ttLib import TTFont
have = TTFont(sys.argv[1], lazy=True).getBestCmap()
hana = TTFont(sys.argv[2], lazy=True).getBestCmap()
need = [c for c in sorted(hana) if 0x20000 <= c <= 0x2A6DF and c not in have]
open(sys.argv[3], "w").write(",".join(f"{c:X}" for c in need))
print(f"Extension B from HanaMinB: {len(need)} characters", file=sys.stderr)
PY
pyftsubset "$hana" --unicodes-file="$work/extb.txt" --no-hinting --notdef-outline --name-IDs='*' \
    --drop-tables+=vhea,vmtx,BASE,FFTM,GDEF --output-file="$work/extb.ttf"

# Rename both families (name IDs 1, 3, 4, 6, 16, 17, and the CFF font name).
python3 - "$work" "$out" <<'PY'
import sys
from fontTools.ttLib import TTFont
work, out = sys.argv[1], sys.argv[2]
for src, family, note, dest in [
    ("sc.otf", "RiskmapSans", "Noto Sans CJK SC 2.004, SC face", "RiskmapSans-Regular.otf"),
    ("extb.ttf", "RiskmapSansExtB", "HanaMinB 2017-09-04, CJK Extension B",
     "RiskmapSansExtB-Regular.ttf"),
]:
    f = TTFont(f"{work}/{src}")
    names = {1: family, 2: "Regular", 3: f"{family}-Regular;from {note}",
             4: f"{family} Regular", 6: f"{family}-Regular", 16: family, 17: "Regular"}
    f["name"].names = [n for n in f["name"].names if n.nameID not in names]
    for nid, text in names.items():
        f["name"].setName(text, nid, 3, 1, 0x409)
        f["name"].setName(text, nid, 1, 0, 0)
    if "CFF " in f:
        f["CFF "].cff.fontNames = [f"{family}-Regular"]
    f.save(f"{out}/{dest}")
PY
ls -l "$out"
