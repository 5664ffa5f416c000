//! The embedded CJK font: a subset of Noto Sans CJK SC (SIL OFL 1.1), renamed
//! `RiskmapSans`, made by `scripts/subset-font.sh`.
//!
//! The OpenType file is what plotters rasterises through ab_glyph; the WOFF2 file
//! is what SVG files and the HTML report carry as `@font-face`, so that Chinese
//! displays on a machine (or a phone) without Chinese fonts. Both hold the same
//! glyphs: ASCII, GB2312 symbols and level-1 Hanzi, and every CJK character in the
//! project's sources (township name syllables, labels, vocabularies).

use std::sync::OnceLock;

use base64::Engine;

/// The font family name used in figures, SVG and CSS.
pub const FAMILY: &str = "RiskmapSans";

/// The CSS font stack: the embedded font first, then common system CJK fonts in
/// case a reader strips the embedded one.
pub const CSS_STACK: &str =
    "RiskmapSans, 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";

/// The OpenType (CFF) subset, for rasterising.
pub static OTF: &[u8] = include_bytes!("../assets/fonts/RiskmapSans-Regular.otf");

/// The same subset as WOFF2, for the web.
pub static WOFF2: &[u8] = include_bytes!("../assets/fonts/RiskmapSans-Regular.woff2");

/// Registers the embedded font with plotters once per process. Every figure
/// function calls it, so callers never have to.
pub fn register() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        // The bytes are compiled in and checked by a test, so a failure here is a
        // build defect, not a user error.
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

/// A CSS `@font-face` rule carrying the WOFF2 font as a data URL (about 1.5 MB).
pub fn font_face_css() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        format!(
            "@font-face{{font-family:{FAMILY};font-style:normal;font-weight:100 900;\
             src:url(data:font/woff2;base64,{}) format('woff2');}}",
            base64::engine::general_purpose::STANDARD.encode(WOFF2)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_has_township_name_syllables_labels_and_level_one_hanzi() {
        use ab_glyph::Font;
        let font = ab_glyph::FontRef::try_from_slice(OTF).unwrap();
        // Glyph 0 is .notdef, the tofu box: every character we draw must have its own.
        let mut text: String = crate::labels::all_chinese();
        text.push_str("垟畈岙坞樟杏岚阁墩埠浦滩洲岗街道镇乡区县0123456789%（）：，。、·–—");
        // The first and last level-1 Hanzi of GB2312 (啊 B0A1, 座 D7F9).
        text.push_str("啊座");
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            assert_ne!(font.glyph_id(c).0, 0, "the embedded font lacks {c:?}");
        }
        assert_eq!(&WOFF2[..4], b"wOF2");
        register();
    }
}
