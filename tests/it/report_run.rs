//! `riskmap run` on the demo county writes `report.html`, `maps/` and
//! `charts/` (SPEC): the report is one self-contained file in Chinese (or
//! English with `--lang en`) with the county report's sections and the real
//! townships, every figure is a PNG and SVG pair at its size, and the report
//! opens in headless Chromium without a network request, a missing image or
//! an empty figure, at desktop and phone widths.
//!
//! The Chromium part needs the Debian package `chromium`; set
//! `RISKMAP_SKIP_CHROMIUM=1` to skip it on a machine without one, and
//! `RISKMAP_KEEP_SCREENSHOTS=DIR` to keep the screenshots for a look.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::support::{riskmap, text};

fn demo() -> PathBuf {
    crate::support::repo().join("datasets/demo")
}

/// One run per language, shared by the tests of this file.
fn run_demo(lang: &str) -> &'static Path {
    static ZH: OnceLock<tempfile::TempDir> = OnceLock::new();
    static EN: OnceLock<tempfile::TempDir> = OnceLock::new();
    let cell = if lang == "en" { &EN } else { &ZH };
    cell.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = riskmap!("run", "--data", demo(), "--out", dir.path(), "--lang", lang);
        assert!(out.status.success(), "{}", text(&out));
        dir
    })
    .path()
}

/// The demo's township names, from the run's own statistics table.
fn township_names(out: &Path) -> Vec<String> {
    let csv = std::fs::read_to_string(out.join("spatial_stats.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let k = header.iter().position(|h| *h == "name").unwrap();
    let mut names: Vec<String> = lines
        .map(|l| l.split(',').nth(k).unwrap().to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

const SECTIONS_ZH: [&str; 7] = [
    "一、本年度事故与灾害统计",
    "二、乡镇（街道）风险排名",
    "三、风险分布图",
    "四、趋势与明年预测",
    "五、明年工作重点",
    "六、数据质量",
    "七、方法说明",
];

#[test]
fn the_report_is_one_offline_file_in_chinese_with_the_sections_and_townships() {
    let out = run_demo("zh");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    for bad in [
        "http://",
        "https://",
        "<script",
        "<link",
        "url(http",
        "src=\"file:",
    ] {
        assert!(!html.contains(bad), "report.html contains {bad}");
    }
    for src in html.split(" src=\"").skip(1) {
        assert!(
            src.starts_with("data:"),
            "an image that is not embedded: {}",
            &src[..60.min(src.len())]
        );
    }
    for s in SECTIONS_ZH {
        assert!(html.contains(s), "no section {s}");
    }
    // Sections in the county report's order.
    let at: Vec<usize> = SECTIONS_ZH.iter().map(|s| html.rfind(s).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "sections out of order");
    let names = township_names(out);
    assert_eq!(names.len(), 17);
    let shown = names.iter().filter(|n| html.contains(n.as_str())).count();
    assert!(shown >= 3, "only {shown} township names in the report");
    // The demo county's name, from the townships' `county` column, heads the report.
    assert!(html.contains("<h1>") && html.contains("安全生产与自然灾害风险研判报告"));
    // The scores fill the ranked table: every township once, with levels and reasons.
    assert!(!html.contains("本次运行没有风险评分结果"));
    assert!(html.contains("主要原因"));
    let ranked = names
        .iter()
        .filter(|n| html.contains(&format!("<td>{n} <small")))
        .count();
    assert_eq!(ranked, names.len(), "townships in the ranked table");
    // Real numbers: the year's fires with a year-on-year cell.
    assert!(html.contains("火灾（起）"));
    assert!(html.contains("class=\"down\"") || html.contains("class=\"up\""));
    // The manifest lists the report and every figure, and no longer calls issue 7 unbuilt.
    let m: serde_json::Value = crate::support::manifest(out);
    let outputs: Vec<&str> = m["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    assert!(outputs.contains(&"report.html"));
    assert!(outputs
        .iter()
        .any(|p| p.starts_with("maps/") && p.ends_with(".png")));
    assert!(!m["not_built"].to_string().contains("issue 7"));
    assert!(m["stages"].to_string().contains("maps, charts and report"));
}

#[test]
fn every_figure_is_a_png_and_svg_pair_at_its_size() {
    let out = run_demo("zh");
    let mut figures = 0;
    let mut chinese_name_in_svg = false;
    let names = township_names(out);
    for folder in ["maps", "charts"] {
        let mut stems: Vec<String> = std::fs::read_dir(out.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "png"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        stems.sort();
        assert!(!stems.is_empty(), "{folder}/ is empty");
        for stem in stems {
            figures += 1;
            let png = std::fs::read(out.join(folder).join(format!("{stem}.png"))).unwrap();
            let svg = std::fs::read_to_string(out.join(folder).join(format!("{stem}.svg")))
                .unwrap_or_else(|_| panic!("{folder}/{stem}.svg missing"));
            let (w, h) = png_size(&png);
            // Every figure is 780 logical pixels wide at 3 pixels each; the SVG
            // has the same view box.
            assert_eq!(w, 2340, "{stem}");
            assert!(h > 300, "{stem} is {h} px high");
            assert!(png.len() > 10_000, "{stem}.png is {} bytes", png.len());
            assert!(
                svg.contains(&format!("viewBox=\"0 0 {w} {h}\"")),
                "{stem}.svg view box"
            );
            chinese_name_in_svg |= svg.split("<text").skip(1).any(|t| {
                names
                    .iter()
                    .any(|n| t.split("</text>").next().unwrap().contains(n.as_str()))
            });
        }
    }
    // Hot spots per source, trends, seasonality, year-on-year and rectification.
    for f in [
        "charts/trend_incidents.png",
        "charts/trend_fires.png",
        "charts/season_fires.png",
        "charts/yoy_incidents.png",
        "charts/rectification.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    for prefix in ["hotspots_", "heatmap_", "risk_map", "dimension_maps"] {
        assert!(
            std::fs::read_dir(out.join("maps")).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(prefix)),
            "no {prefix} map"
        );
    }
    assert!(out.join("charts/ranking.png").is_file(), "no ranking chart");
    assert!(figures >= 10, "{figures} figures");
    assert!(chinese_name_in_svg, "no township name in any SVG <text>");
}

/// Every character `text` shows, without embedded data (fonts, images).
fn shown_chars(text: &str) -> std::collections::BTreeSet<char> {
    let mut out = std::collections::BTreeSet::new();
    let mut rest = text;
    // Data URLs are base64 (ASCII): skipping them is only for speed.
    while let Some(i) = rest.find("base64,") {
        out.extend(rest[..i].chars());
        rest = &rest[i + 7..];
        rest = &rest[rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
            .unwrap_or(rest.len())..];
    }
    out.extend(rest.chars());
    out
}

#[test]
fn every_character_of_the_report_and_figures_is_in_the_embedded_font() {
    use ab_glyph::Font;
    let otf = std::fs::read(
        crate::support::repo().join("crates/riskmap-render/assets/fonts/RiskmapSans-Regular.otf"),
    )
    .unwrap();
    let font = ab_glyph::FontRef::try_from_slice(&otf).unwrap();
    for lang in ["zh", "en"] {
        let out = run_demo(lang);
        let mut files = vec![out.join("report.html")];
        for folder in ["maps", "charts"] {
            files.extend(
                std::fs::read_dir(out.join(folder))
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == "svg")),
            );
        }
        for f in files {
            let missing: String = shown_chars(&std::fs::read_to_string(&f).unwrap())
                .into_iter()
                .filter(|c| !c.is_control() && font.glyph_id(*c).0 == 0)
                .collect();
            assert!(
                missing.is_empty(),
                "{}: the embedded font lacks {missing:?}",
                f.display()
            );
        }
    }
}

#[test]
fn lang_en_gives_an_english_report() {
    let out = run_demo("en");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    for s in [
        "1. This year's incidents and disasters",
        "3. Maps",
        "6. Data quality",
        "7. Method in brief",
    ] {
        assert!(html.contains(s), "no section {s}");
    }
    for s in SECTIONS_ZH {
        assert!(
            !html.contains(s),
            "a Chinese heading in the English report: {s}"
        );
    }
    assert!(html.contains("Main reasons"));
    assert!(html.contains("Production-safety accidents"));
}

// The harness shared with riskmap-render's Chromium test, whose negative
// control shows the net-log check catches an external request.
use crate::headless::{assert_self_contained, chromium, figures_of, png_size, run as chrome_run};

#[test]
fn the_run_s_report_renders_offline_in_chromium() {
    let Some(chrome) = chromium() else {
        if std::env::var_os("RISKMAP_SKIP_CHROMIUM").is_some() {
            eprintln!("chromium not found; skipped because RISKMAP_SKIP_CHROMIUM is set");
            return;
        }
        panic!("chromium not found: install it or set RISKMAP_SKIP_CHROMIUM=1");
    };
    let out = run_demo("zh");
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let page = out.join("report.html");
    let (dom, urls) = chrome_run(&chrome, work, &page, &["--dump-dom".into()]);
    assert!(
        urls.is_empty(),
        "the report made network requests: {urls:?}"
    );
    assert!(
        dom.contains("安全生产与自然灾害风险研判报告"),
        "the DOM lacks the title"
    );
    let figs = figures_of(&dom);
    let files = std::fs::read_dir(out.join("maps"))
        .unwrap()
        .chain(std::fs::read_dir(out.join("charts")).unwrap())
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    assert_eq!(figs.len(), files, "every figure file is in the report once");
    assert_self_contained(&dom, &figs);
    for (w, name) in [(1280, "run-desktop.png"), (390, "run-phone.png")] {
        let shot = work.join(name);
        let (_, urls) = chrome_run(
            &chrome,
            work,
            &page,
            &[
                format!("--screenshot={}", shot.display()),
                format!("--window-size={w},3000"),
            ],
        );
        assert!(urls.is_empty(), "requests at width {w}: {urls:?}");
        let bytes = std::fs::read(&shot).unwrap();
        assert_eq!(png_size(&bytes), (w, 3000), "{name}");
        assert!(bytes.len() > 20_000, "{name} looks blank");
        if let Some(keep) = std::env::var_os("RISKMAP_KEEP_SCREENSHOTS") {
            std::fs::create_dir_all(&keep).unwrap();
            std::fs::copy(&shot, Path::new(&keep).join(name)).unwrap();
        }
    }
}
