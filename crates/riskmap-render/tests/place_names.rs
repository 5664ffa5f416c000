//! Regression test for place names drawn with gaps: the embedded font used to
//! hold GB2312 level 1 only, so 衢州市 read "州市" and 景宁畲族自治县 "景宁 族自治县",
//! silently. A synthetic county whose names use characters beyond level 1,
//! from Extension A and from Extension B (some in Noto Sans CJK SC, some only
//! in the fallback) must have every glyph in the rasteriser's fonts, drawn
//! (not the `.notdef` box), and in the font subset each SVG and the report
//! carry; a character no font has is reported.

use std::collections::{BTreeMap, BTreeSet};

use ab_glyph::{Font, FontRef};
use base64::Engine;
use plotters::prelude::*;
use riskmap_render::font::{self, face_for, uncovered, uncovered_names, FAMILY, FAMILY_EXT_B};
use riskmap_render::text::Fixed;
use riskmap_render::{report, sample, Lang, RenderOptions};

/// Names of real Zhejiang places (衢 婺 缙 嵊 鄞 岱 泗 畲 are beyond GB2312
/// level 1), one with an Extension A character (㙟, U+365F), two with
/// Extension B characters that Noto Sans CJK SC has (𠀋 U+2000B, 𡈽 U+2123D)
/// and two with Extension B characters only the fallback has (𪚥 U+2A6A5,
/// 𠀁 U+20001).
const NAMES: [&str; 13] = [
    "衢江街道",
    "婺城街道",
    "缙云镇",
    "嵊泗乡",
    "鄞江镇",
    "岱山镇",
    "泗洲镇",
    "景宁畲族乡",
    "㙟头镇",
    "𠀋村乡",
    "𡈽岭镇",
    "𪚥源乡",
    "𠀁溪镇",
];

/// The distinct non-ASCII characters of the names.
fn name_chars() -> BTreeSet<char> {
    NAMES
        .iter()
        .flat_map(|n| n.chars())
        .filter(|c| !c.is_ascii())
        .collect()
}

/// The family that the CSS stack gives each character: the first embedded
/// font that has it.
fn family_of(c: char) -> &'static str {
    match face_for(c) {
        Some((0, _)) => FAMILY,
        Some((1, _)) => FAMILY_EXT_B,
        other => panic!("{c:?} ({:X}) in no embedded font: {other:?}", c as u32),
    }
}

/// The source font of each family, as the rasteriser reads it.
fn source(family: &str) -> FontRef<'static> {
    let bytes = if family == FAMILY {
        font::OTF
    } else {
        font::EXT_B
    };
    FontRef::try_from_slice(bytes).unwrap()
}

/// Every `@font-face` of a document, decoded from its WOFF2 data URL back to
/// an OpenType file (through allsorts' WOFF2 reader), by family.
fn embedded_fonts(doc: &str) -> BTreeMap<String, Vec<u8>> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::tables::FontTableProvider;
    let mut out = BTreeMap::new();
    for rule in doc.split("@font-face{font-family:").skip(1) {
        let family = &rule[..rule.find(';').unwrap()];
        let b64 = rule.split_once("data:font/woff2;base64,").unwrap().1;
        let b64 = &b64[..b64.find(')').unwrap()];
        let woff2 = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(&woff2[..4], b"wOF2", "{family} is not WOFF2");
        let data = ReadScope::new(&woff2).read::<FontData<'_>>().unwrap();
        let provider = data.table_provider(0).unwrap();
        let tags = provider.table_tags().unwrap();
        let otf = allsorts::subset::whole_font(&provider, &tags).unwrap();
        assert!(
            out.insert(family.to_string(), otf).is_none(),
            "{family} embedded twice"
        );
    }
    out
}

/// Checks that each of `chars` is in the embedded subset of its family in
/// `doc`, with the same outline as in the source font (so not `.notdef`, and
/// not another glyph).
fn assert_embedded(doc: &str, chars: &BTreeSet<char>, what: &str) {
    let fonts = embedded_fonts(doc);
    for &c in chars {
        let family = family_of(c);
        let bytes = fonts
            .get(family)
            .unwrap_or_else(|| panic!("{what}: shows {c:?} but embeds no {family}"));
        let sub = FontRef::try_from_slice(bytes).unwrap();
        let id = sub.glyph_id(c);
        assert_ne!(id.0, 0, "{what}: the embedded {family} lacks {c:?}");
        let src = source(family);
        let bounds = |f: &FontRef<'_>, g: ab_glyph::GlyphId| {
            let o = f
                .outline_glyph(g.with_scale(100.0))
                .unwrap_or_else(|| panic!("{what}: {c:?} has no outline in {family}"));
            let b = o.px_bounds();
            (b.min.x, b.min.y, b.max.x, b.max.y)
        };
        assert_eq!(
            bounds(&sub, id),
            bounds(&src, src.glyph_id(c)),
            "{what}: {c:?} is another drawing in the embedded {family}"
        );
        assert_eq!(
            sub.h_advance_unscaled(id),
            src.h_advance_unscaled(src.glyph_id(c))
        );
    }
}

/// The pixels of `text` drawn in black at 60 px by the figures' text
/// rasteriser (`text::Fixed` over plotters' bitmap backend).
fn rasterise(text: &str) -> Vec<u8> {
    font::register();
    let (w, h) = (200u32, 100u32);
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root =
            Fixed::<_, true>(BitMapBackend::with_buffer(&mut buf, (w, h))).into_drawing_area();
        let style = TextStyle::from((FAMILY, 60.0 * 1.24).into_font()).color(&BLACK);
        root.draw_text(text, &style, (20, 10)).unwrap();
        root.present().unwrap();
    }
    buf
}

#[test]
fn every_character_of_the_names_is_drawn_by_the_rasteriser_not_as_notdef() {
    let notdef = rasterise("\u{E000}");
    assert!(notdef.iter().any(|&p| p < 128), "the .notdef box is drawn");
    let mut from_fallback = 0;
    for c in name_chars() {
        let (face, id) = face_for(c).unwrap_or_else(|| panic!("no font has {c:?}"));
        assert_ne!(id.0, 0);
        from_fallback += face;
        let ink = rasterise(&c.to_string());
        let dark = ink.iter().filter(|&&p| p < 128).count();
        assert!(dark > 100, "{c:?} leaves {dark} dark channel values");
        assert_ne!(ink, notdef, "{c:?} is drawn as the .notdef box");
    }
    assert_eq!(
        from_fallback, 2,
        "𪚥 and 𠀁 come from the Extension B fallback"
    );
    // A fallback glyph is one em wide like the others (HanaMinB: 1024 of 1024).
    assert!((riskmap_render::text::width("𪚥𠀁", 124.0) - 200.0).abs() < 0.5);
}

#[test]
fn every_character_of_the_names_is_in_the_font_each_svg_and_the_report_carry() {
    let mut set = sample::renamed(sample::figure_set(17, Lang::Zh), &NAMES);
    set.meta.region = "衢州市嵊泗县".into();
    let figures = set.render().unwrap();
    let names = name_chars();
    let mut checked = 0;
    for r in &figures {
        let svg = &r.figure.svg;
        let shown: BTreeSet<char> = names.iter().copied().filter(|c| svg.contains(*c)).collect();
        if !shown.is_empty() {
            assert_embedded(svg, &shown, &r.figure.name);
            checked += 1;
        }
    }
    // The risk map, dimension maps, ranking, year-on-year and rectification
    // charts name townships.
    assert!(checked >= 4, "only {checked} figures show a name");

    let html = report::build(&sample::report_input(&set), &figures);
    for n in NAMES {
        assert!(html.contains(n), "the report does not name {n}");
    }
    // Every character the page shows (its text, inline SVGs, CSS `content`),
    // not only the names, is in the page's one subset.
    let shown: BTreeSet<char> = html
        .chars()
        .filter(|c| !c.is_ascii() && !c.is_whitespace())
        .collect();
    assert!(shown.is_superset(&names));
    assert_embedded(&html, &shown, "report.html");
    // Inline figures carry no font of their own: one subset per family.
    assert_eq!(html.matches("@font-face{").count(), 2);
}

#[test]
fn a_character_no_font_has_is_reported_with_its_township() {
    assert!(uncovered(&NAMES.concat()).is_empty());
    // U+E000 is private use, U+3134A an Extension G ideograph; no font has either.
    let set = sample::renamed(
        sample::figure_set(5, Lang::Zh),
        &["衢江街道", "青\u{E000}镇", "\u{3134A}溪乡"],
    );
    let found: Vec<(&str, &str, Vec<char>)> = uncovered_names(&set.townships)
        .into_iter()
        .map(|(t, c)| (t.code.as_str(), t.name.as_str(), c))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                set.townships[1].code.as_str(),
                "青\u{E000}镇",
                vec!['\u{E000}']
            ),
            (
                set.townships[2].code.as_str(),
                "\u{3134A}溪乡",
                vec!['\u{3134A}']
            ),
        ]
    );
    // Rendering still succeeds: the character is a box, and the caller warns.
    let fig = riskmap_render::risk_map(
        &set.townships,
        set.ranks.as_ref().unwrap(),
        &set.meta,
        Lang::Zh,
        RenderOptions::default(),
    )
    .unwrap();
    assert!(fig.svg.contains("青\u{E000}镇"));
}
