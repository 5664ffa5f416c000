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
    /// Put the CJK font into each SVG as `@font-face` (about 1.5 MB per file), so
    /// that a standalone SVG shows Chinese on a machine without Chinese fonts.
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
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        // 300 dpi, so that a word processor places the image at its logical size.
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: 11811,
            yppu: 11811,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc.write_header().map_err(de)?;
        writer.write_image_data(pixels).map_err(de)?;
    }
    Ok(out)
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
    Ok(finish_svg(s, w, h, underlay, opts))
}

/// Makes plotters' SVG scalable (a view box), names the font with fallbacks,
/// embeds the font if asked, and places the underlay after the background.
fn finish_svg(
    s: String,
    w: u32,
    h: u32,
    underlay: Option<&Underlay>,
    opts: RenderOptions,
) -> String {
    let s = s.replace(&format!("font-family=\"{FAMILY}\""), "class=\"t\"");
    let Some(open_end) = s
        .find("<svg")
        .and_then(|i| s[i..].find('>').map(|j| i + j + 1))
    else {
        return s;
    };
    let mut out = String::with_capacity(
        s.len()
            + if opts.embed_font_in_svg {
                1_600_000
            } else {
                256
            },
    );
    out.push_str(&format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" \
         xmlns:xlink=\"http://www.w3.org/1999/xlink\" role=\"img\">\n<style>"
    ));
    if opts.embed_font_in_svg {
        out.push_str(font::font_face_css());
    }
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
    out
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
