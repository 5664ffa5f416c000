//! The report is one self-contained file in the county report's order: no
//! external references, images as data URLs or inline SVG, the font embedded,
//! print and phone rules present; and Chinese and English both build.

use riskmap_render::{report, sample, Lang};

fn build(lang: Lang) -> String {
    let set = sample::figure_set(17, lang);
    let input = sample::report_input(&set);
    report::build(&input, &set.render().unwrap())
}

#[test]
fn the_report_is_self_contained_and_in_the_county_order() {
    let html = build(Lang::Zh);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"zh-CN\">"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the report names a network address"
    );
    assert!(
        !html.contains("<script") && !html.contains("<link"),
        "the report loads something"
    );
    for src in html.split(" src=\"").skip(1) {
        assert!(
            src.starts_with("data:"),
            "an image is not embedded: {}",
            &src[..40.min(src.len())]
        );
    }
    for href in html.split(" href=\"").skip(1) {
        assert!(
            href.starts_with('#') || href.starts_with("data:"),
            "a link leaves the file: {}",
            &href[..40.min(href.len())]
        );
    }
    assert!(html.contains("@font-face{font-family:RiskmapSans") && html.contains("font/woff2"));
    assert!(
        html.contains("name=\"viewport\"")
            && html.contains("@media print")
            && html.contains("size:A4")
    );
    let order = [
        "id=\"stats\"",
        "id=\"ranking\"",
        "id=\"maps\"",
        "id=\"trends\"",
        "id=\"focus\"",
        "id=\"quality\"",
        "id=\"method\"",
    ];
    let pos: Vec<usize> = order
        .iter()
        .map(|s| html.find(s).unwrap_or_else(|| panic!("{s} missing")))
        .collect();
    assert!(
        pos.windows(2).all(|w| w[0] < w[1]),
        "sections out of order: {pos:?}"
    );
    // Every figure is in, and each one only once.
    assert_eq!(html.matches("<figure").count(), 10);
    // The ranked table lists every township with its level.
    assert_eq!(html.matches("<tr class=\"main\">").count(), 17);
    assert!(html.contains("lv-red") && html.contains("重大风险"));
    // The year-on-year column: 78 against 96 is 18.8 % down.
    assert!(html.contains("<span class=\"down\"><span class=\"flip\">▲</span>18.8%"));
}

#[test]
fn the_english_report_is_in_english() {
    let html = build(Lang::En);
    assert!(
        html.contains("<html lang=\"en\">")
            && html.contains("Township risk ranking")
            && html.contains("Method in brief")
    );
    assert!(!html.contains("风险排名") && !html.contains("方法说明"));
}

#[test]
fn text_is_escaped() {
    assert_eq!(
        report::esc("<a href=\"x\">&'"),
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
    );
}
