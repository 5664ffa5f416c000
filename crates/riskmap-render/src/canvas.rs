//! Rendering one figure twice, to a PNG at print resolution and to an SVG with
//! real `<text>` elements, from a single drawing routine generic over plotters'
//! backends. Raster layers (heatmaps, hot spot grids) are not drawn through
//! plotters: they are blended into the bitmap directly and placed in the SVG as
//! an `<image>` with a PNG data URL, which is both faster and smaller than one
//! rectangle per cell.

use base64::Engine;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::font::{self, FAMILY};
use crate::text::Fixed;
use crate::RenderError;

/// Pixels per logical unit: figures are laid out in CSS-like pixels (96 per
/// inch) and drawn three times larger, about 300 dpi when printed at the
/// logical size.
pub const SCALE: f64 = 3.0;

/// A rendered figure: PNG bytes and SVG text of the same drawing.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The file stem (`risk_map`, `heatmap_fires`, ...).
    pub name: String,
    /// Width in pixels of the PNG (the SVG's view box has the same size).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The PNG file.
    pub png: Vec<u8>,
    /// The SVG file.
    pub svg: String,
}

/// How figures are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Put the CJK font into each SVG as `@font-face`, subset to the characters
    /// of that SVG (20–60 kB of WOFF2 for a county's map or chart), so that a
    /// standalone SVG shows Chinese on a machine without Chinese fonts.
    /// Without it the SVG names the font and falls back to system CJK fonts.
    pub embed_font_in_svg: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            embed_font_in_svg: true,
        }
    }
}

/// The result of drawing steps; plotters' errors are generic over the backend,
/// so they are carried as text.
pub(crate) type DrawResult = Result<(), String>;

/// Turns any displayable error into the text of a [`DrawResult`].
pub(crate) fn de<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// An RGBA raster placed on the figure under everything plotters draws.
pub(crate) struct Underlay {
    /// `w * h * 4` bytes, row by row from the top.
    pub rgba: Vec<u8>,
    pub w: u32,
    pub h: u32,
    /// Destination rectangle in figure pixels: left, top, right, bottom.
    pub rect: (f64, f64, f64, f64),
}

/// A figure's drawing routine.
pub(crate) trait Paint: Sync {
    /// Size in pixels.
    fn size(&self) -> (u32, u32);
    /// A raster layer drawn first, if any.
    fn underlay(&self) -> Option<Underlay> {
        None
    }
    /// Draws everything but the white background and the underlay.
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// Renders a painter to PNG and SVG (in parallel).
pub(crate) fn render(
    p: &impl Paint,
    name: &str,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    font::register();
    let (w, h) = p.size();
    let underlay = p.underlay();
    let (png, svg) = rayon::join(
        || render_png(p, w, h, underlay.as_ref()),
        || render_svg(p, w, h, underlay.as_ref(), opts),
    );
    let fail = |e: String| RenderError::Draw {
        figure: name.to_string(),
        message: e,
    };
    Ok(Figure {
        name: name.to_string(),
        width: w,
        height: h,
        png: png.map_err(fail)?,
        svg: svg.map_err(fail)?,
    })
}

fn render_png(
    p: &impl Paint,
    w: u32,
    h: u32,
    underlay: Option<&Underlay>,
) -> Result<Vec<u8>, String> {
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    if let Some(u) = underlay {
        blend(&mut buf, w, h, u);
    }
    {
        let root =
            Fixed::<_, true>(BitMapBackend::with_buffer(&mut buf, (w, h))).into_drawing_area();
        p.paint(&root)?;
        root.present().map_err(de)?;
    }
    encode_png(&buf, w, h, png::ColorType::Rgb)
}

/// Encodes 8-bit pixels as PNG. Fast compression: the files are a little larger
/// but encoding a 2,400-pixel map takes a few milliseconds instead of a hundred.
pub(crate) fn encode_png(
    pixels: &[u8],
    w: u32,
    h: u32,
    color: png::ColorType,
) -> Result<Vec<u8>, String> {
    encode_png_with(pixels, w, h, color, png::Compression::Fast, 11811)
}

/// [`encode_png`] with a compression level and a resolution in pixels per metre.
fn encode_png_with(
    pixels: &[u8],
    w: u32,
    h: u32,
    color: png::ColorType,
    compression: png::Compression,
    ppm: u32,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(compression);
        // 300 dpi, so that a word processor places the image at its logical size.
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc.write_header().map_err(de)?;
        writer.write_image_data(pixels).map_err(de)?;
    }
    Ok(out)
}

/// The copy of a print PNG that the HTML report embeds: at half the size
/// (2×2 box average) when it is wider than `max_w`, and compressed harder.
/// A province's heatmaps are ~2.6 MB each at print size; a report column is
/// ~750 CSS pixels, so half of 2,340 still gives phones about 1.5 device pixels
/// per CSS pixel. Returns the input unchanged if it cannot be decoded.
pub(crate) fn screen_png(png_bytes: &[u8], max_w: u32) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    let halve = || -> Result<Vec<u8>, String> {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
            .read_info()
            .map_err(de)?;
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).map_err(de)?;
        let ch = match (info.color_type, info.bit_depth) {
            (png::ColorType::Rgb, png::BitDepth::Eight) => 3,
            (png::ColorType::Rgba, png::BitDepth::Eight) => 4,
            other => return Err(format!("{other:?} not resampled")),
        };
        let (w, h) = (info.width as usize, info.height as usize);
        let (hw, hh) = (w / 2, h / 2);
        let mut half = vec![0u8; hw * hh * ch];
        for y in 0..hh {
            for x in 0..hw {
                for c in 0..ch {
                    let at =
                        |dx: usize, dy: usize| buf[((2 * y + dy) * w + 2 * x + dx) * ch + c] as u32;
                    half[(y * hw + x) * ch + c] =
                        ((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1) + 2) / 4) as u8;
                }
            }
        }
        encode_png_with(
            &half,
            hw as u32,
            hh as u32,
            info.color_type,
            png::Compression::Default,
            11811 / 2,
        )
    };
    match png_info(png_bytes) {
        Some((w, _)) if w > max_w => halve().map_or(Cow::Borrowed(png_bytes), Cow::Owned),
        _ => Cow::Borrowed(png_bytes),
    }
}

/// Width and height from a PNG's IHDR.
fn png_info(b: &[u8]) -> Option<(u32, u32)> {
    let be = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    (b.get(..8)? == b"\x89PNG\r\n\x1a\n").then_some(())?;
    Some((be(16)?, be(20)?))
}

/// Nearest-neighbour resampling of the underlay into the RGB buffer, with alpha.
fn blend(buf: &mut [u8], w: u32, h: u32, u: &Underlay) {
    let (l, t, r, b) = u.rect;
    let x0 = l.floor().max(0.0) as u32;
    let x1 = (r.ceil() as u32).min(w);
    let y0 = t.floor().max(0.0) as u32;
    let y1 = (b.ceil() as u32).min(h);
    for y in y0..y1 {
        let sy = (((y as f64 + 0.5 - t) / (b - t)) * u.h as f64).floor();
        if sy < 0.0 || sy >= u.h as f64 {
            continue;
        }
        for x in x0..x1 {
            let sx = (((x as f64 + 0.5 - l) / (r - l)) * u.w as f64).floor();
            if sx < 0.0 || sx >= u.w as f64 {
                continue;
            }
            let si = (sy as usize * u.w as usize + sx as usize) * 4;
            let a = u.rgba[si + 3] as u32;
            if a == 0 {
                continue;
            }
            let di = (y as usize * w as usize + x as usize) * 3;
            for c in 0..3 {
                let s = u.rgba[si + c] as u32;
                let d = buf[di + c] as u32;
                buf[di + c] = ((s * a + d * (255 - a) + 127) / 255) as u8;
            }
        }
    }
}

fn render_svg(
    p: &impl Paint,
    w: u32,
    h: u32,
    underlay: Option<&Underlay>,
    opts: RenderOptions,
) -> Result<String, String> {
    let mut s = String::new();
    {
        let root = Fixed::<_, false>(SVGBackend::with_string(&mut s, (w, h))).into_drawing_area();
        root.fill(&WHITE).map_err(de)?;
        p.paint(&root)?;
        root.present().map_err(de)?;
    }
    finish_svg(s, w, h, underlay, opts).map_err(de)
}

/// Makes plotters' SVG scalable (a view box), names the font with fallbacks,
/// embeds a subset of the fonts with the characters of this SVG if asked, and
/// places the underlay after the background.
fn finish_svg(
    s: String,
    w: u32,
    h: u32,
    underlay: Option<&Underlay>,
    opts: RenderOptions,
) -> Result<String, RenderError> {
    let s = s.replace(&format!("font-family=\"{FAMILY}\""), "class=\"t\"");
    let Some(open_end) = s
        .find("<svg")
        .and_then(|i| s[i..].find('>').map(|j| i + j + 1))
    else {
        return Ok(s);
    };
    // plotters writes text as it is (escaping only markup), so the subset is
    // made from every character of the SVG.
    let font_css = if opts.embed_font_in_svg {
        font::font_face_css(&s)?
    } else {
        String::new()
    };
    let mut out = String::with_capacity(s.len() + font_css.len() + 256);
    out.push_str(&format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" \
         xmlns:xlink=\"http://www.w3.org/1999/xlink\" role=\"img\">\n<style>"
    ));
    out.push_str(&font_css);
    out.push_str(&format!(".t{{font-family:{};}}</style>\n", font::CSS_STACK));
    let rest = &s[open_end..];
    // The first element is the white background rectangle from `fill`.
    let after_bg = rest.find("/>").map_or(0, |i| i + 2);
    out.push_str(&rest[..after_bg]);
    if let Some(u) = underlay {
        if let Ok(png) = encode_png(&u.rgba, u.w, u.h, png::ColorType::Rgba) {
            let (l, t, r, b) = u.rect;
            out.push_str(&format!(
                "\n<image x=\"{l:.1}\" y=\"{t:.1}\" width=\"{:.1}\" height=\"{:.1}\" preserveAspectRatio=\"none\" \
                 style=\"image-rendering:pixelated\" href=\"data:image/png;base64,{}\"/>",
                r - l,
                b - t,
                base64::engine::general_purpose::STANDARD.encode(png)
            ));
        }
    }
    out.push_str(&rest[after_bg..]);
    Ok(out)
}

/// Logical units to pixels.
pub(crate) fn px(v: f64) -> i32 {
    (v * SCALE).round() as i32
}

/// The text style of the embedded font at a logical size, which is the em size
/// in logical pixels (plotters divides its size by 1.24 to get the em).
pub(crate) fn text_style(size: f64, color: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, size * SCALE * 1.24).into_font(),
        color: color.to_backend_color(),
        pos: Pos::default(),
    }
}

/// Draws text anchored at a pixel position.
pub(crate) fn text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    pos: (i32, i32),
    size: f64,
    color: RGBColor,
    h: HPos,
    v: VPos,
) -> DrawResult {
    let style = text_style(size, color).pos(Pos::new(h, v));
    root.draw(&Text::new(s.to_string(), pos, style)).map_err(de)
}

/// Width in pixels of text at a logical size.
pub(crate) fn text_width(s: &str, size: f64) -> i32 {
    crate::text::width(s, size * SCALE * 1.24).ceil() as i32
}

/// Dark grey for text and lines.
pub(crate) const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Light grey for grid lines and borders.
pub(crate) const RULE: RGBColor = RGBColor(0xcc, 0xcc, 0xcc);
/// Mid grey for secondary text.
pub(crate) const MUTED: RGBColor = RGBColor(0x77, 0x77, 0x77);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_copy_of_a_wide_png_is_half_size_and_box_averaged() {
        let (w, h) = (2000u32, 6u32);
        let pixels: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let (x, y) = (i % w, i / w);
                [(x % 256) as u8, (y * 40) as u8, 7]
            })
            .collect();
        let big = encode_png(&pixels, w, h, png::ColorType::Rgb).unwrap();
        let small = screen_png(&big, 1600);
        assert_eq!(png_info(&small), Some((1000, 3)));
        let mut reader = png::Decoder::new(std::io::Cursor::new(&*small))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        reader.next_frame(&mut buf).unwrap();
        // Pixel (x, y) of the half is the rounded mean of the 2×2 block at (2x, 2y).
        for (x, y) in [(0usize, 0usize), (5, 1), (127, 2), (999, 2)] {
            let px = &buf[(y * 1000 + x) * 3..][..3];
            let r = ((2 * x) % 256 + (2 * x + 1) % 256) * 2;
            let g = (2 * y * 40 + (2 * y + 1) * 40) * 2;
            assert_eq!(
                px,
                [((r + 2) / 4) as u8, ((g + 2) / 4) as u8, 7],
                "at {x},{y}"
            );
        }
        // Narrow images are embedded as they are.
        let narrow = encode_png(&pixels[..1200 * 3], 1200, 1, png::ColorType::Rgb).unwrap();
        assert!(matches!(
            screen_png(&narrow, 1600),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
