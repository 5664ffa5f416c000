//! Every figure of a full set is written as PNG and SVG, non-empty, at the
//! size the layout promises; Chinese township names are real SVG text; the
//! embedded font travels with standalone SVGs; English output has no Chinese
//! labels; raster layers land where the map frame says.

use riskmap_render::canvas::SCALE;
use riskmap_render::mapframe::MapFrame;
use riskmap_render::{sample, write_figures, FigureKind, Grid, Lang, MapMeta, RenderOptions};

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// The contents of every `<text>` element of an SVG.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|s| {
            s.split_once('>')
                .and_then(|(_, rest)| rest.split_once("</text>"))
                .map(|(t, _)| t.trim().to_string())
        })
        .collect()
}

#[test]
fn every_figure_is_written_non_empty_at_its_size() {
    let set = sample::figure_set(17, Lang::Zh);
    let figs = set.render().unwrap();
    // 1 risk map, 1 dimensions, 1 heatmap, 1 hot spot map, ranking, 2 trends,
    // 1 seasonality, 1 year-on-year, rectification.
    assert_eq!(figs.len(), 10);
    let dir = tempfile::tempdir().unwrap();
    let written = write_figures(dir.path(), &figs).unwrap();
    for (w, r) in written.iter().zip(&figs) {
        let png = std::fs::read(&w.png).unwrap();
        let svg = std::fs::read_to_string(&w.svg).unwrap();
        assert!(png.len() > 10_000, "{} PNG is {} bytes", w.name, png.len());
        assert!(svg.len() > 1_000, "{} SVG is {} bytes", w.name, svg.len());
        assert_eq!(
            png_size(&png),
            (r.figure.width, r.figure.height),
            "{}",
            w.name
        );
        // Every figure is 780 logical pixels wide, drawn at 3 pixels each
        // (300 dpi at 8.1 inches), and its SVG has the same view box.
        assert_eq!(r.figure.width, (780.0 * SCALE) as u32, "{}", w.name);
        assert!(
            svg.contains(&format!(
                "viewBox=\"0 0 {} {}\"",
                r.figure.width, r.figure.height
            )),
            "{}",
            w.name
        );
        let folder = if matches!(
            r.kind,
            FigureKind::RiskMap
                | FigureKind::DimensionMaps
                | FigureKind::Heatmap
                | FigureKind::HotSpot
        ) {
            "maps"
        } else {
            "charts"
        };
        assert!(
            w.png.starts_with(dir.path().join(folder)),
            "{} in {}",
            w.name,
            w.png.display()
        );
    }
}

#[test]
fn township_names_in_chinese_are_svg_text_and_the_font_is_embedded() {
    let set = sample::figure_set(17, Lang::Zh);
    let fig = riskmap_render::risk_map(
        &set.townships,
        set.ranks.as_ref().unwrap(),
        &set.meta,
        Lang::Zh,
        RenderOptions::default(),
    )
    .unwrap();
    let texts = svg_texts(&fig.svg);
    for t in &set.townships {
        assert!(
            texts.iter().any(|x| x == &t.name),
            "{} is not a <text> of the risk map",
            t.name
        );
    }
    assert!(texts.iter().any(|x| x.contains("综合风险等级分布图")));
    assert!(texts.iter().any(|x| x.contains("2024-11-30")));
    assert!(
        fig.svg.contains("@font-face{font-family:RiskmapSans")
            && fig.svg.contains("data:font/woff2;base64,d09GM")
    );
    // Without the font the file is small and names the fallbacks.
    let lean = riskmap_render::risk_map(
        &set.townships,
        set.ranks.as_ref().unwrap(),
        &set.meta,
        Lang::Zh,
        RenderOptions {
            embed_font_in_svg: false,
        },
    )
    .unwrap();
    assert!(!lean.svg.contains("@font-face") && lean.svg.contains("Noto Sans CJK SC"));
    // The font is a subset with the characters of this map only: tens of kB of
    // WOFF2, not the whole 8.6 MB font, and the only difference from the lean file.
    let font_bytes = fig.svg.len() - lean.svg.len();
    assert!(
        (5_000..150_000).contains(&font_bytes),
        "{font_bytes} bytes of font"
    );
    assert_eq!(riskmap_render::font::strip_font_faces(&fig.svg), lean.svg);
}

#[test]
fn english_figures_carry_no_chinese_labels() {
    let set = sample::figure_set(17, Lang::En);
    let names: Vec<&str> = set.townships.iter().map(|t| t.name.as_str()).collect();
    for r in set.render().unwrap() {
        for t in svg_texts(&r.figure.svg) {
            // Township names stay Chinese: they are names. Everything else is English.
            let stripped = names.iter().fold(t.clone(), |acc, n| acc.replace(n, ""));
            assert!(
                !stripped
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{}: {t:?}",
                r.figure.name
            );
        }
    }
}

#[test]
fn a_single_hot_cell_is_drawn_where_the_map_frame_puts_it_and_zero_is_transparent() {
    let towns = sample::townships(4);
    let b = riskmap_render::mapframe::bounds(towns.iter().map(|t| &t.polygon));
    let (w, h) = (10usize, 10usize);
    let gt = [
        b.0,
        (b.2 - b.0) / w as f64,
        0.0,
        b.3,
        0.0,
        -(b.3 - b.1) / h as f64,
    ];
    let mut values = vec![0f32; w * h];
    values[3 * w + 6] = 5.0; // row 3, column 6
    let grid = Grid {
        width: w,
        height: h,
        geo_transform: gt,
        values,
    };
    let fig = riskmap_render::heatmap(
        &towns,
        &grid,
        "fires",
        "heatmap_test",
        &MapMeta::default(),
        Lang::En,
        RenderOptions {
            embed_font_in_svg: false,
        },
    )
    .unwrap();
    let dec = png::Decoder::new(std::io::Cursor::new(&fig.png));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = |x: f64, y: f64| {
        let i = (y as usize * info.width as usize + x as usize) * 3;
        (buf[i], buf[i + 1], buf[i + 2])
    };
    // Recompute the map frame the way the map lays it out: 16 logical px margins, a
    // 62 px title band, height from the aspect ratio, and the frame fitted inside.
    let map_h = ((780.0 - 32.0) * MapFrame::aspect(b)).clamp(360.0, 900.0);
    let rect = (
        16.0 * SCALE,
        62.0 * SCALE,
        (780.0 - 16.0) * SCALE,
        (62.0 + map_h) * SCALE,
    );
    let frame = MapFrame::fit(b, rect);
    let centre =
        |col: f64, row: f64| frame.to_px(gt[0] + gt[1] * (col + 0.5), gt[3] + gt[5] * (row + 0.5));
    let (hx, hy) = centre(6.0, 3.0);
    let hot = px(hx, hy);
    assert!(
        hot.0 > 100 && hot.2 < 100 && hot != (255, 255, 255),
        "hot cell pixel {hot:?}"
    );
    // A zero cell away from borders and labels is white: zero is transparent.
    let (cx, cy) = centre(1.0, 8.0);
    let cold = px(cx, cy);
    assert!(
        cold == (255, 255, 255) || cold.0 == cold.1 && cold.1 == cold.2,
        "zero cell pixel {cold:?}"
    );
    // The SVG carries the raster as one PNG image, not as thousands of rectangles.
    assert_eq!(fig.svg.matches("<image").count(), 1);
}
