//! The embedded CJK fonts, and the per-file subsets that SVGs and the report
//! carry. Built by `scripts/subset-font.sh`:
//!
//! - [`OTF`], `RiskmapSans`: the whole SC face of Noto Sans CJK Regular (SIL OFL
//!   1.1, renamed): all 20,976 CJK Unified Ideographs, 6,582 of Extension A,
//!   2,108 of Extension B and the Extension C–F characters of the Table of
//!   General Standard Chinese Characters, with Latin, punctuation and symbols.
//! - [`EXT_B`], `RiskmapSansExtB`: the 40,603 Extension B characters Noto Sans
//!   CJK SC lacks, from HanaMinB (Hanazono Font License, renamed), a Mincho
//!   design used only where no sans-serif free font has the character.
//!
//! Figures are rasterised from these files through ab_glyph, a character
//! taken from the first font that has it ([`face_for`]). SVG files and
//! `report.html` carry, as `@font-face` WOFF2 data URLs, subsets of both fonts
//! holding only the characters the file shows ([`font_face_css`]); a county
//! report needs some 700 glyphs, about 100 kB, where the whole font is 16 MB.
//! A character neither font has is drawn as the `.notdef` box; [`uncovered`]
//! names such characters so that the caller can warn.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId};
use base64::Engine;

use crate::inputs::Township;
use crate::RenderError;

/// The font family name used in figures, SVG and CSS.
pub const FAMILY: &str = "RiskmapSans";

/// The family name of the Extension B fallback in SVG and CSS.
pub const FAMILY_EXT_B: &str = "RiskmapSansExtB";

/// The CSS font stack: the embedded fonts first, then common system CJK fonts
/// in case a reader strips the embedded ones.
pub const CSS_STACK: &str =
    "RiskmapSans, RiskmapSansExtB, 'Noto Sans CJK SC', 'Source Han Sans SC', \
     'Microsoft YaHei', 'PingFang SC', sans-serif";

/// The whole SC face of Noto Sans CJK (CFF outlines, 16 MB), for rasterising
/// and as the source of web subsets.
pub static OTF: &[u8] = include_bytes!("../assets/fonts/RiskmapSans-Regular.otf");

/// Extension B characters that [`OTF`] lacks (TrueType outlines, 21 MB).
pub static EXT_B: &[u8] = include_bytes!("../assets/fonts/RiskmapSansExtB-Regular.ttf");

/// Embedded font `i` in fallback order, with its CSS family name. A function,
/// not a `const` table: a constant that holds the slices gets its own copy of
/// the 30 MB of font bytes in the binary.
fn face(i: usize) -> (&'static [u8], &'static str) {
    if i == 0 {
        (OTF, FAMILY)
    } else {
        (EXT_B, FAMILY_EXT_B)
    }
}

/// The parsed embedded fonts, in fallback order.
pub(crate) fn faces() -> &'static [FontRef<'static>; 2] {
    static F: OnceLock<[FontRef<'static>; 2]> = OnceLock::new();
    // The bytes are compiled in and checked by tests, so a failure here is a
    // build defect, not a user error.
    F.get_or_init(|| {
        [0, 1].map(|i| FontRef::try_from_slice(face(i).0).expect("the embedded font parses"))
    })
}

/// Which embedded font draws `c` (0 = [`OTF`], 1 = [`EXT_B`]) and its glyph
/// there; `None` if neither has it.
pub fn face_for(c: char) -> Option<(usize, GlyphId)> {
    faces()
        .iter()
        .enumerate()
        .map(|(i, f)| (i, f.glyph_id(c)))
        .find(|(_, g)| g.0 != 0)
}

/// Whether a character is drawn at all: whitespace and control characters
/// take no glyph, so they are never reported as missing.
fn drawn(c: char) -> bool {
    !c.is_whitespace() && !c.is_control()
}

/// The characters of `text` that no embedded font has, each once, in order of
/// first appearance. They render as empty boxes in the PNGs and the browser
/// falls back to system fonts for them, so a caller should warn, naming where
/// the text comes from (a township's name).
///
/// ```
/// // 衢 and 嵊 are beyond GB2312 level 1, 𠀋 is in Extension B; U+E000 is a
/// // private-use character that no font draws.
/// assert!(riskmap_render::font::uncovered("衢州市 嵊泗县 𠀋").is_empty());
/// assert_eq!(riskmap_render::font::uncovered("\u{E000}镇\u{E000}"), vec!['\u{E000}']);
/// ```
pub fn uncovered(text: &str) -> Vec<char> {
    let mut seen = BTreeSet::new();
    text.chars()
        .filter(|&c| drawn(c) && face_for(c).is_none() && seen.insert(c))
        .collect()
}

/// The townships whose names have characters that no embedded font has, with
/// those characters (as [`uncovered`]): each is drawn as a box in every figure,
/// so the caller should warn, naming the township.
pub fn uncovered_names(townships: &[Township]) -> Vec<(&Township, Vec<char>)> {
    townships
        .iter()
        .map(|t| (t, uncovered(&t.name)))
        .filter(|(_, c)| !c.is_empty())
        .collect()
}

/// Registers the embedded font with plotters once per process. Every figure
/// function calls it, so callers never have to. (Text itself is measured and
/// rasterised by `text::Fixed`; plotters only needs the family to exist.)
pub fn register() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        for style in [
            plotters::style::FontStyle::Normal,
            plotters::style::FontStyle::Bold,
        ] {
            if plotters::style::register_font(FAMILY, style, OTF).is_err() {
                panic!("the embedded font does not parse");
            }
        }
    });
}

/// The glyphs of each embedded font that draw the characters of `text`, with
/// printable ASCII always (digits and list markers a browser may add), and
/// glyph 0 first, which a font must keep.
fn glyphs_for(text: &str) -> [Vec<u16>; 2] {
    let chars: BTreeSet<char> = text
        .chars()
        .filter(|&c| !c.is_ascii() && drawn(c))
        .chain((0x20u8..0x7f).map(char::from))
        .collect();
    let mut out = [vec![0u16], vec![0u16]];
    for c in chars {
        if let Some((i, g)) = face_for(c) {
            out[i].push(g.0);
        }
    }
    for g in &mut out {
        g.sort_unstable();
        g.dedup();
    }
    out
}

/// An OpenType subset of embedded font `face` with `glyphs` (sorted, glyph 0
/// first) and a Unicode cmap for them.
fn subset(i: usize, glyphs: &[u16]) -> Result<Vec<u8>, RenderError> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{subset, CmapTarget, SubsetProfile};
    let (bytes, face_name) = face(i);
    let fail = |what: &str, e: &dyn std::fmt::Debug| {
        RenderError::Font(format!("{what} {}: {e:?}", face_name))
    };
    let data = ReadScope::new(bytes)
        .read::<FontData<'_>>()
        .map_err(|e| fail("reading", &e))?;
    let provider = data.table_provider(0).map_err(|e| fail("reading", &e))?;
    subset(
        &provider,
        glyphs,
        &SubsetProfile::Minimal,
        CmapTarget::Unicode,
    )
    .map_err(|e| fail("subsetting", &e))
}

/// Brotli quality of the WOFF2 subsets. Every SVG of a set gets its own
/// subset, so speed counts: on a county report's subset (432 glyphs, 120 kB of
/// OpenType) quality 5 gives 62 kB in 47 ms, 10 gives 58 kB in 630 ms and 11
/// 57 kB in 1.4 s (2 busy cores). Most of the OpenType is allsorts' empty
/// local-subroutine slots, which any quality squeezes out.
const WOFF2_QUALITY: u8 = 5;

/// CSS `@font-face` rules carrying, as WOFF2 data URLs, subsets of the embedded
/// fonts with every glyph `text` needs: one rule for `RiskmapSans`, and one for
/// `RiskmapSansExtB` when `text` has Extension B characters Noto lacks. Pass
/// the whole document: markup and base64 are ASCII, which is always included.
/// The same text gives the same bytes.
pub fn font_face_css(text: &str) -> Result<String, RenderError> {
    let mut css = String::new();
    for (i, glyphs) in glyphs_for(text).iter().enumerate() {
        if i > 0 && glyphs.len() == 1 {
            continue;
        }
        let family = face(i).1;
        let otf = subset(i, glyphs)?;
        let woff2 = ttf2woff2::encode(&otf, ttf2woff2::BrotliQuality::from(WOFF2_QUALITY))
            .map_err(|e| RenderError::Font(format!("WOFF2 of {family}: {e}")))?;
        css.push_str(&format!(
            "@font-face{{font-family:{};font-style:normal;font-weight:100 900;\
             src:url(data:font/woff2;base64,{}) format('woff2');}}",
            family,
            base64::engine::general_purpose::STANDARD.encode(woff2)
        ));
    }
    Ok(css)
}

/// `s` without the `@font-face` rules [`font_face_css`] wrote (a figure's SVG
/// going into the report, which carries one subset for the whole page).
pub fn strip_font_faces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("@font-face{") {
        out.push_str(&rest[..i]);
        // A data URL's base64 has no `}`: the rule ends at the first one.
        rest = rest[i..].find('}').map_or("", |j| &rest[i + j + 1..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_has_township_name_syllables_labels_and_level_one_hanzi() {
        let font = &faces()[0];
        // Glyph 0 is .notdef, the tofu box: every character we draw must have its own.
        let mut text: String = crate::labels::all_chinese();
        text.push_str("垟畈岙坞樟杏岚阁墩埠浦滩洲岗街道镇乡区县0123456789%（）：，。、·–—▲▼");
        // The first and last level-1 Hanzi of GB2312 (啊 B0A1, 座 D7F9).
        text.push_str("啊座");
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            assert_ne!(font.glyph_id(c).0, 0, "the embedded font lacks {c:?}");
        }
        register();
    }

    /// Counts from fontTools on the files `scripts/subset-font.sh` wrote.
    #[test]
    fn the_fonts_cover_the_unified_ideographs_and_extensions_a_and_b() {
        let count = |face: usize, lo: u32, hi: u32| {
            (lo..=hi)
                .filter_map(char::from_u32)
                .filter(|&c| faces()[face].glyph_id(c).0 != 0)
                .count()
        };
        assert_eq!(count(0, 0x4E00, 0x9FFF), 20_976);
        assert_eq!(count(0, 0x3400, 0x4DBF), 6_582);
        assert_eq!(count(0, 0x20000, 0x2A6DF), 2_108);
        assert_eq!(count(1, 0x20000, 0x2A6DF), 40_603);
        let both = (0x20000..=0x2A6DF)
            .filter_map(char::from_u32)
            .filter(|&c| face_for(c).is_some())
            .count();
        assert_eq!(both, 42_711, "of 42,720 Extension B characters");
    }

    #[test]
    fn private_use_and_extension_g_characters_are_uncovered_and_whitespace_is_not() {
        // U+E000 private use; U+30000 is the first Extension G ideograph, which
        // neither font has.
        assert_eq!(
            uncovered("甲\u{E000} \t\n乙\u{30000}\u{E000}"),
            vec!['\u{E000}', '\u{30000}']
        );
        assert!(uncovered("景宁畲族自治县 鄞州区").is_empty());
    }

    #[test]
    fn stripping_removes_every_font_face_rule_and_nothing_else() {
        // 𠀋 (U+2000B) is one of Noto's Extension B characters, 𠀁 (U+20001) is not.
        assert_eq!(face_for('𠀋').map(|f| f.0), Some(0));
        assert_eq!(face_for('𠀁').map(|f| f.0), Some(1));
        let css = font_face_css("衢𠀁").unwrap();
        assert_eq!(css.matches("@font-face{").count(), 2);
        assert!(css.contains("@font-face{font-family:RiskmapSansExtB;"));
        let doc = format!("<style>{css}.t{{font-family:x;}}</style><text>衢𠀁</text>");
        assert_eq!(
            strip_font_faces(&doc),
            "<style>.t{font-family:x;}</style><text>衢𠀁</text>"
        );
        // Without characters that only the fallback has, one font is carried.
        assert_eq!(
            font_face_css("衢州 𠀋")
                .unwrap()
                .matches("@font-face{")
                .count(),
            1
        );
    }

    #[test]
    fn the_same_text_gives_the_same_subset() {
        let a = font_face_css("嵊泗县 岱山县 2024").unwrap();
        assert_eq!(a, font_face_css("2024 岱山县 嵊泗县").unwrap());
        assert!(a.len() < 60_000, "{} bytes", a.len());
    }
}
