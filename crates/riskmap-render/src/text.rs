//! Text metrics and rasterising with the embedded font, matched to how a
//! browser lays out the SVG that plotters writes (`font-size` = size / 1.24,
//! `dy` of 0.76em, 0.5ex or −0.5ex by vertical anchor, `text-anchor` on the
//! advance width), so that the PNG and the SVG of a figure agree.
//!
//! plotters 0.3.7's own ab_glyph text drawing ignores each glyph's left side
//! bearing (full-width punctuation such as `（` lands half an em off) and uses
//! another scale than its SVG backend; figures therefore draw text through
//! [`Fixed`], a backend wrapper that replaces `draw_text` and
//! `estimate_text_size` and passes everything else through.

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform,
};

use crate::font::{face_for, faces};

/// The em size in pixels for plotters' text size (plotters' SVG backend writes
/// `font-size` as size / 1.24).
pub fn em(size: f64) -> f64 {
    size / 1.24
}

/// ab_glyph's scale for an em size in pixels: its `PxScale` is the height from
/// descender to ascender, not the em (and `pt_to_px_scale` assumes 96/72 dpi).
/// The fonts differ in units per em and height, so each gets its own scale.
fn px_scale(f: &FontRef<'static>, em_px: f64) -> PxScale {
    let upem = f.units_per_em().unwrap_or(1000.0) as f64;
    PxScale::from((em_px * f.height_unscaled() as f64 / upem) as f32)
}

/// x-height of the main font, in em (OS/2 sxHeight 543 of 1000).
const EX: f64 = 0.543;

/// Each character of `text` as (font, glyph, pen position before it) at em
/// size `e` pixels, and the total advance. A character takes the first
/// embedded font that has it, as the browser does with the CSS font stack; one
/// that no font has is the main font's `.notdef` box. Kerning applies between
/// glyphs of the same font only.
fn layout(text: &str, e: f64) -> (Vec<(usize, GlyphId, f32)>, f32) {
    let fs = faces();
    let scales = [px_scale(&fs[0], e), px_scale(&fs[1], e)];
    let mut pen = 0.0f32;
    let mut prev: Option<(usize, GlyphId)> = None;
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let (i, g) = face_for(c).unwrap_or((0, GlyphId(0)));
        let sf = fs[i].as_scaled(scales[i]);
        if let Some((_, pg)) = prev.filter(|(pi, _)| *pi == i) {
            pen += sf.kern(pg, g);
        }
        out.push((i, g, pen));
        pen += sf.h_advance(g);
        prev = Some((i, g));
    }
    (out, pen)
}

/// The advance width in pixels of `text` at plotters size `size`.
pub fn width(text: &str, size: f64) -> f64 {
    layout(text, em(size)).1 as f64
}

/// Rasterises `text` with its anchor at `pos`, calling `put(x, y, coverage)`.
fn raster(
    text: &str,
    size: f64,
    h: HPos,
    v: VPos,
    trans: FontTransform,
    pos: BackendCoord,
    mut put: impl FnMut(i32, i32, f32),
) {
    let fs = faces();
    let e = em(size);
    let scales = [px_scale(&fs[0], e), px_scale(&fs[1], e)];
    let (glyphs, w) = layout(text, e);
    let x0 = match h {
        HPos::Left => 0.0,
        HPos::Center => -w / 2.0,
        HPos::Right => -w,
    };
    let baseline = match v {
        VPos::Top => 0.76 * e,
        VPos::Center => 0.5 * EX * e,
        VPos::Bottom => -0.5 * EX * e,
    };
    for (i, id, pen) in glyphs {
        let glyph =
            id.with_scale_and_position(scales[i], ab_glyph::point(x0 + pen, baseline as f32));
        if let Some(outline) = fs[i].outline_glyph(glyph) {
            let b = outline.px_bounds();
            outline.draw(|gx, gy, cov| {
                let (dx, dy) = (b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32);
                let (dx, dy) = match trans {
                    FontTransform::Rotate90 => (-dy, dx),
                    FontTransform::Rotate180 => (-dx, -dy),
                    FontTransform::Rotate270 => (dy, -dx),
                    _ => (dx, dy),
                };
                put(pos.0 + dx, pos.1 + dy, cov);
            });
        }
    }
}

/// A backend wrapper that measures and (for bitmaps) draws text with the
/// embedded font; `RASTER` is false for SVG, whose text the browser draws.
pub struct Fixed<B, const RASTER: bool>(pub B);

impl<B: DrawingBackend, const RASTER: bool> DrawingBackend for Fixed<B, RASTER> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(
        &mut self,
        p: BackendCoord,
        c: BackendColor,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_pixel(p, c)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        s: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_line(a, b, s)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        s: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_rect(a, b, s, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_path(path, s)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        c: BackendCoord,
        r: u32,
        s: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_circle(c, r, s, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        v: I,
        s: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.fill_polygon(v, s)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        Ok((
            width(text, style.size()).ceil() as u32,
            em(style.size()).ceil() as u32,
        ))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        if !RASTER {
            return self.0.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let (w, h) = self.0.get_size();
        let mut result = Ok(());
        let a = style.anchor();
        raster(
            text,
            style.size(),
            a.h_pos,
            a.v_pos,
            style.transform(),
            pos,
            |x, y, cov| {
                if result.is_ok()
                    && cov > 0.0
                    && x >= 0
                    && y >= 0
                    && (x as u32) < w
                    && (y as u32) < h
                {
                    result = self.0.draw_pixel(
                        (x, y),
                        BackendColor {
                            alpha: color.alpha * cov.min(1.0) as f64,
                            rgb: color.rgb,
                        },
                    );
                }
            },
        );
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cjk_character_is_one_em_wide() {
        // Noto Sans CJK's ideographs advance exactly 1000 of 1000 units.
        assert!(
            (width("风险", 124.0) - 200.0).abs() < 0.5,
            "{}",
            width("风险", 124.0)
        );
        assert!(width("", 124.0) == 0.0);
    }
}
