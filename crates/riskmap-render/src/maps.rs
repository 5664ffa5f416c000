//! The maps: the ranked risk map in four colours, small multiples of the five
//! dimensions, a kernel-density heatmap and the emerging hot spot classes, all
//! over the township borders, with title, as-of date, legend, scale bar and
//! north arrow in bands outside the map so that nothing covers a township.

use geo::{Centroid, Contains, InteriorPoint};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::canvas::{
    de, px, render, text, text_width, DrawResult, Figure, Paint, RenderOptions, Underlay, INK,
    MUTED, SCALE,
};
use crate::inputs::{Dimensions, Grid, HotSpotClass, Level, LevelStyle, Ranked, Township};
use crate::labels::{Label, Lang};
use crate::mapframe::{bounds, nice_km, MapFrame};
use crate::RenderError;

/// What every map prints besides the data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapMeta {
    /// The region's name (e.g. `云溪县`), printed before the title.
    pub region: String,
    /// The as-of date, `YYYY-MM-DD`.
    pub as_of: String,
}

/// Logical width of every map.
const MAP_W: f64 = 780.0;
const TITLE_H: f64 = 62.0;
const FOOT_H: f64 = 64.0;
const MARGIN: f64 = 16.0;

/// A ring in figure pixels.
type PxRing = Vec<(i32, i32)>;

/// A polygon in figure pixels: exterior and holes.
type PxPolygon = (PxRing, Vec<PxRing>);

/// Townships projected to pixels: exterior and interior rings per polygon.
struct Projected {
    rings: Vec<Vec<PxPolygon>>,
    /// Label anchor (an interior point) and the pixel bounding box width.
    anchor: Vec<Option<((i32, i32), i32)>>,
}

/// Drops the vertices of a pixel ring that change nothing drawn: repeats of
/// the previous pixel and points in the middle of a straight run. A nation's
/// township has hundreds of vertices but is a few pixels across: its
/// dimension maps were a 960 MB SVG before. The shapes are the same; a few
/// border pixels move where a thick stroke is drawn in fewer segments
/// (0.005–0.24 % of the pixels of the demo and province maps).
fn thin(ring: impl Iterator<Item = (i32, i32)>) -> PxRing {
    let mut out: PxRing = Vec::new();
    for p in ring {
        if out.last() == Some(&p) {
            continue;
        }
        if let [.., a, b] = out[..] {
            // b lies on the segment a → p: the same line, one vertex fewer.
            let (u, v) = ((b.0 - a.0, b.1 - a.1), (p.0 - b.0, p.1 - b.1));
            let cross = i64::from(u.0) * i64::from(v.1) - i64::from(u.1) * i64::from(v.0);
            let dot = i64::from(u.0) * i64::from(v.0) + i64::from(u.1) * i64::from(v.1);
            if cross == 0 && dot > 0 {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

fn project(townships: &[Township], frame: &MapFrame) -> Projected {
    let p = |c: &geo::Coord<f64>| {
        let (x, y) = frame.to_px(c.x, c.y);
        (x.round() as i32, y.round() as i32)
    };
    let mut rings = Vec::with_capacity(townships.len());
    let mut anchor = Vec::with_capacity(townships.len());
    for t in townships {
        let polys: Vec<_> = t
            .polygon
            .0
            .iter()
            .map(|poly| {
                let ext = thin(poly.exterior().coords().map(p));
                let ints = poly
                    .interiors()
                    .iter()
                    .map(|r| thin(r.coords().map(p)))
                    .collect();
                (ext, ints)
            })
            .collect();
        let (minx, maxx) = polys
            .iter()
            .flat_map(|(e, _)| e.iter())
            .fold((i32::MAX, i32::MIN), |(a, b), &(x, _)| (a.min(x), b.max(x)));
        // The centroid reads best when it lies inside; otherwise (a crescent, a
        // ring) an interior point does.
        let inside = t
            .polygon
            .centroid()
            .filter(|c| t.polygon.contains(c))
            .or_else(|| t.polygon.interior_point());
        anchor.push(inside.map(|pt| (p(&pt.0), (maxx - minx).max(0))));
        rings.push(polys);
    }
    Projected { rings, anchor }
}

/// Fills every township with its colour (None: no data, light grey), then draws borders.
fn draw_townships<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    proj: &Projected,
    fill: &dyn Fn(usize) -> Option<RGBAColor>,
    border: RGBColor,
    border_w: f64,
) -> DrawResult {
    for (i, polys) in proj.rings.iter().enumerate() {
        if let Some(c) = fill(i) {
            for (ext, ints) in polys {
                root.draw(&Polygon::new(ext.clone(), c.filled()))
                    .map_err(de)?;
                // Holes are painted white; a township inside a hole is drawn after
                // its surroundings only if it comes later, which holds for enclaves
                // listed after the township around them.
                for hole in ints {
                    root.draw(&Polygon::new(hole.clone(), WHITE.filled()))
                        .map_err(de)?;
                }
            }
        }
    }
    let style = ShapeStyle {
        color: border.to_rgba(),
        filled: false,
        stroke_width: (border_w * SCALE).round().max(1.0) as u32,
    };
    if !borders_readable(proj, style.stroke_width) {
        return Ok(());
    }
    for polys in &proj.rings {
        for (ext, ints) in polys {
            root.draw(&PathElement::new(ext.clone(), style))
                .map_err(de)?;
            for hole in ints {
                root.draw(&PathElement::new(hole.clone(), style))
                    .map_err(de)?;
            }
        }
    }
    Ok(())
}

/// Whether township borders of `stroke` pixels leave the fills readable: the
/// median township must be at least ten strokes wide. A nation's 40,714
/// townships are ~11 px wide on the print map, and 2 px borders covered
/// about half of it in grey; such maps are drawn with fills only.
fn borders_readable(proj: &Projected, stroke: u32) -> bool {
    let mut widths: Vec<i32> = proj.anchor.iter().flatten().map(|(_, w)| *w).collect();
    if widths.is_empty() {
        return true;
    }
    let mid = widths.len() / 2;
    let (_, median, _) = widths.select_nth_unstable(mid);
    i64::from(*median) >= 10 * i64::from(stroke)
}

/// Map geometry for a figure of logical width `MAP_W`: the pixel rectangle of
/// the map and the total height.
fn layout(b: (f64, f64, f64, f64)) -> ((f64, f64, f64, f64), u32) {
    let inner_w = MAP_W - 2.0 * MARGIN;
    let map_h = (inner_w * MapFrame::aspect(b)).clamp(360.0, 900.0);
    let total = TITLE_H + map_h + FOOT_H;
    let rect = (
        px(MARGIN) as f64,
        px(TITLE_H) as f64,
        px(MAP_W - MARGIN) as f64,
        px(TITLE_H + map_h) as f64,
    );
    (rect, px(total) as u32)
}

/// Title, as-of date and north arrow in the band above the map.
fn title_band<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    meta: &MapMeta,
    lang: Lang,
) -> DrawResult {
    let t = if meta.region.is_empty() {
        title.to_string()
    } else {
        format!("{} {}", meta.region, title)
    };
    text(
        root,
        &t,
        (px(MARGIN), px(12.0)),
        19.0,
        INK,
        HPos::Left,
        VPos::Top,
    )?;
    if !meta.as_of.is_empty() {
        let sub = format!("{}：{}", Label::AsOf.text(lang), meta.as_of)
            .replace("：", if lang == Lang::Zh { "：" } else { ": " });
        text(
            root,
            &sub,
            (px(MARGIN), px(40.0)),
            11.0,
            MUTED,
            HPos::Left,
            VPos::Top,
        )?;
    }
    north_arrow(root, (px(MAP_W - MARGIN - 14.0), px(8.0)), lang)
}

/// A north arrow: a split triangle under the letter.
fn north_arrow<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (cx, top): (i32, i32),
    lang: Lang,
) -> DrawResult {
    text(
        root,
        Label::North.text(lang),
        (cx, top),
        11.0,
        INK,
        HPos::Center,
        VPos::Top,
    )?;
    let (y0, y1, hw) = (top + px(16.0), top + px(48.0), px(8.0));
    root.draw(&Polygon::new(
        vec![(cx, y0), (cx - hw, y1), (cx, y1 - px(8.0))],
        INK.filled(),
    ))
    .map_err(de)?;
    root.draw(&Polygon::new(
        vec![(cx, y0), (cx + hw, y1), (cx, y1 - px(8.0))],
        WHITE.filled(),
    ))
    .map_err(de)?;
    let s = ShapeStyle {
        color: INK.to_rgba(),
        filled: false,
        stroke_width: px(1.0) as u32,
    };
    root.draw(&PathElement::new(
        vec![
            (cx, y0),
            (cx - hw, y1),
            (cx, y1 - px(8.0)),
            (cx + hw, y1),
            (cx, y0),
        ],
        s,
    ))
    .map_err(de)
}

/// A scale bar ending at `right`, baseline `y`.
fn scale_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &MapFrame,
    right: i32,
    y: i32,
    lang: Lang,
) -> DrawResult {
    let ppk = frame.px_per_km();
    let km = nice_km(px(150.0) as f64 / ppk);
    let len = (km * ppk).round() as i32;
    let unit = Label::Km.text(lang);
    let unit_w = text_width(unit, 10.0) + px(6.0);
    let x1 = right - unit_w;
    let x0 = x1 - len;
    let h = px(5.0);
    for k in 0..4 {
        let a = x0 + len * k / 4;
        let b = x0 + len * (k + 1) / 4;
        let c = if k % 2 == 0 { INK } else { WHITE };
        root.draw(&Rectangle::new([(a, y - h), (b, y)], c.filled()))
            .map_err(de)?;
    }
    root.draw(&Rectangle::new(
        [(x0, y - h), (x1, y)],
        ShapeStyle {
            color: INK.to_rgba(),
            filled: false,
            stroke_width: px(0.7) as u32,
        },
    ))
    .map_err(de)?;
    let fmt = |v: f64| {
        if v.fract().abs() < 1e-9 {
            format!("{v:.0}")
        } else {
            format!("{v}")
        }
    };
    for (x, v) in [(x0, 0.0), (x0 + len / 2, km / 2.0), (x1, km)] {
        text(
            root,
            &fmt(v),
            (x, y - h - px(3.0)),
            9.5,
            INK,
            HPos::Center,
            VPos::Bottom,
        )?;
    }
    text(
        root,
        unit,
        (x1 + px(6.0), y),
        10.0,
        INK,
        HPos::Left,
        VPos::Bottom,
    )
}

/// One legend swatch with its label; returns the x after it.
fn swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    y: i32,
    c: RGBAColor,
    label: &str,
) -> Result<i32, String> {
    let s = px(12.0);
    root.draw(&Rectangle::new([(x, y - s), (x + s, y)], c.filled()))
        .map_err(de)?;
    root.draw(&Rectangle::new(
        [(x, y - s), (x + s, y)],
        ShapeStyle {
            color: INK.mix(0.6),
            filled: false,
            stroke_width: 2,
        },
    ))
    .map_err(de)?;
    text(
        root,
        label,
        (x + s + px(5.0), y - s / 2),
        10.5,
        INK,
        HPos::Left,
        VPos::Center,
    )?;
    Ok(x + s + px(5.0) + text_width(label, 10.5) + px(14.0))
}

/// Places township labels, most important first, dropping those that would
/// overlap an earlier one or be much wider than their township.
fn labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    townships: &[Township],
    proj: &Projected,
    order: &[usize],
    second_line: &dyn Fn(usize) -> Option<String>,
    size: f64,
) -> DrawResult {
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    let line_h = px(size * 1.3);
    for &i in order {
        let Some(((x, y), bw)) = proj.anchor[i] else {
            continue;
        };
        let name = &townships[i].name;
        let second = second_line(i);
        let w =
            text_width(name, size).max(second.as_deref().map_or(0, |s| text_width(s, size * 0.9)));
        if w as f64 > bw as f64 * 1.6 + px(10.0) as f64 {
            continue;
        }
        let lines = if second.is_some() { 2 } else { 1 };
        let h = line_h * lines;
        let r = (
            x - w / 2 - px(2.0),
            y - h / 2 - px(1.0),
            x + w / 2 + px(2.0),
            y + h / 2 + px(1.0),
        );
        if placed
            .iter()
            .any(|p| r.0 < p.2 && p.0 < r.2 && r.1 < p.3 && p.1 < r.3)
        {
            continue;
        }
        placed.push(r);
        let top = y - h / 2;
        halo_text(root, name, (x, top + line_h / 2), size)?;
        if let Some(s) = second {
            halo_text(root, &s, (x, top + line_h + line_h / 2), size * 0.9)?;
        }
    }
    Ok(())
}

/// Dark text with a white halo, readable over any fill.
fn halo_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    (x, y): (i32, i32),
    size: f64,
) -> DrawResult {
    let d = px(0.8).max(1);
    for (dx, dy) in [(-d, 0), (d, 0), (0, -d), (0, d)] {
        text(
            root,
            s,
            (x + dx, y + dy),
            size,
            WHITE,
            HPos::Center,
            VPos::Center,
        )?;
    }
    text(
        root,
        s,
        (x, y),
        size,
        RGBColor(0x11, 0x11, 0x11),
        HPos::Center,
        VPos::Center,
    )
}

fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

// ---------------------------------------------------------------- ranked map

struct RiskMap<'a> {
    townships: &'a [Township],
    ranks: &'a [Ranked],
    meta: &'a MapMeta,
    lang: Lang,
    rect: (f64, f64, f64, f64),
    frame: MapFrame,
    h: u32,
}

impl Paint for RiskMap<'_> {
    fn size(&self) -> (u32, u32) {
        (px(MAP_W) as u32, self.h)
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let lang = self.lang;
        let proj = project(self.townships, &self.frame);
        draw_townships(
            root,
            &proj,
            &|i| Some(rgb(self.ranks[i].level.rgb()).to_rgba()),
            RGBColor(0x55, 0x55, 0x55),
            0.6,
        )?;
        let mut order: Vec<usize> = (0..self.townships.len()).collect();
        order.sort_by_key(|&i| self.ranks[i].rank);
        // On a province map a label on every township is noise: name the most
        // urgent tenth (at least 50) and let the colours speak for the rest.
        if order.len() > 200 {
            order.truncate((order.len() / 10).max(50));
        }
        // Larger labels for a county; a province's many small townships get small
        // ones, and collision culling keeps the most urgent.
        let size = match self.townships.len() {
            0..=60 => 11.5,
            61..=200 => 9.5,
            _ => 7.5,
        };
        labels(
            root,
            self.townships,
            &proj,
            &order,
            &|i| Some(format!("({})", self.ranks[i].rank)),
            size,
        )?;
        title_band(root, Label::RankedMapTitle.text(lang), self.meta, lang)?;
        let y = self.rect.3 as i32 + px(30.0);
        let mut x = px(MARGIN);
        text(
            root,
            Label::RiskLevel.text(lang),
            (x, y - px(6.0)),
            10.5,
            INK,
            HPos::Left,
            VPos::Center,
        )?;
        x += text_width(Label::RiskLevel.text(lang), 10.5) + px(10.0);
        for &l in Level::ALL {
            let n = self.ranks.iter().filter(|r| r.level == l).count();
            x = swatch(
                root,
                x,
                y,
                rgb(l.rgb()).to_rgba(),
                &format!("{} {}", l.label(lang), n),
            )?;
        }
        text(
            root,
            Label::LabelNote.text(lang),
            (px(MARGIN), y + px(16.0)),
            9.0,
            MUTED,
            HPos::Left,
            VPos::Center,
        )?;
        scale_bar(root, &self.frame, px(MAP_W - MARGIN), y + px(4.0), lang)
    }
}

fn check_len(name: &str, a: usize, b: usize) -> Result<(), RenderError> {
    if a != b {
        return Err(RenderError::Input(format!(
            "{name}: {a} townships but {b} values"
        )));
    }
    Ok(())
}

/// The ranked risk map: townships in the four level colours, labelled with name
/// and rank (labels that would collide are dropped, lowest rank first kept),
/// legend with counts, scale bar, north arrow, title and as-of date.
/// `ranks[i]` belongs to `townships[i]`.
pub fn risk_map(
    townships: &[Township],
    ranks: &[Ranked],
    meta: &MapMeta,
    lang: Lang,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    check_len("risk_map", townships.len(), ranks.len())?;
    let b = bounds(townships.iter().map(|t| &t.polygon));
    let (rect, h) = layout(b);
    let frame = MapFrame::fit(b, rect);
    render(
        &RiskMap {
            townships,
            ranks,
            meta,
            lang,
            rect,
            frame,
            h,
        },
        "risk_map",
        opts,
    )
}

// ---------------------------------------------------------------- small multiples

/// A sequential ramp (ColorBrewer YlOrRd, 9 classes) interpolated on 0–1.
pub(crate) fn ylorrd(t: f64) -> (u8, u8, u8) {
    const STOPS: [(u8, u8, u8); 9] = [
        (0xff, 0xff, 0xcc),
        (0xff, 0xed, 0xa0),
        (0xfe, 0xd9, 0x76),
        (0xfe, 0xb2, 0x4c),
        (0xfd, 0x8d, 0x3c),
        (0xfc, 0x4e, 0x2a),
        (0xe3, 0x1a, 0x1c),
        (0xbd, 0x00, 0x26),
        (0x80, 0x00, 0x26),
    ];
    let t = t.clamp(0.0, 1.0) * 8.0;
    let i = (t.floor() as usize).min(7);
    let f = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    (m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

struct DimensionMaps<'a> {
    townships: &'a [Township],
    dims: &'a [Dimensions],
    meta: &'a MapMeta,
    lang: Lang,
    b: (f64, f64, f64, f64),
    panel_h: f64,
}

const PANEL_TITLE: f64 = 24.0;

impl Paint for DimensionMaps<'_> {
    fn size(&self) -> (u32, u32) {
        (
            px(MAP_W) as u32,
            px(TITLE_H + 2.0 * (self.panel_h + PANEL_TITLE) + 12.0) as u32,
        )
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let lang = self.lang;
        let pw = (MAP_W - 2.0 * MARGIN) / 3.0;
        type Getter = fn(&Dimensions) -> f64;
        let dims: [(Label, Getter); 5] = [
            (Label::Stock, |d| d.stock),
            (Label::Incremental, |d| d.incremental),
            (Label::Natural, |d| d.natural),
            (Label::Fire, |d| d.fire),
            (Label::Coping, |d| d.coping),
        ];
        for (k, (label, get)) in dims.iter().enumerate() {
            let (col, row) = ((k % 3) as f64, (k / 3) as f64);
            let x0 = MARGIN + col * pw;
            let y0 = TITLE_H + row * (self.panel_h + PANEL_TITLE);
            text(
                root,
                label.text(lang),
                (px(x0 + pw / 2.0), px(y0 + 4.0)),
                12.0,
                INK,
                HPos::Center,
                VPos::Top,
            )?;
            let rect = (
                px(x0 + 6.0) as f64,
                px(y0 + PANEL_TITLE) as f64,
                px(x0 + pw - 6.0) as f64,
                px(y0 + PANEL_TITLE + self.panel_h - 6.0) as f64,
            );
            let frame = MapFrame::fit(self.b, rect);
            let proj = project(self.townships, &frame);
            let fill = |i: usize| {
                let v = get(&self.dims[i]);
                Some(if v.is_finite() {
                    rgb(ylorrd(v / 10.0)).to_rgba()
                } else {
                    RGBColor(0xdd, 0xdd, 0xdd).to_rgba()
                })
            };
            let bw = if self.townships.len() > 200 {
                0.15
            } else {
                0.4
            };
            draw_townships(root, &proj, &fill, RGBColor(0x66, 0x66, 0x66), bw)?;
        }
        // The sixth cell holds the shared colour ramp.
        let (x0, y0) = (
            MARGIN + 2.0 * pw + 24.0,
            TITLE_H + self.panel_h + PANEL_TITLE + 40.0,
        );
        let bar_w = pw - 60.0;
        text(
            root,
            &format!("{}（0–10）", Label::Score.text(lang))
                .replace("（", if lang == Lang::Zh { "（" } else { " (" })
                .replace("）", if lang == Lang::Zh { "）" } else { ")" }),
            (px(x0), px(y0 - 10.0)),
            11.0,
            INK,
            HPos::Left,
            VPos::Bottom,
        )?;
        let steps = 100;
        for s in 0..steps {
            let a = px(x0 + bar_w * s as f64 / steps as f64);
            let b = px(x0 + bar_w * (s + 1) as f64 / steps as f64);
            root.draw(&Rectangle::new(
                [(a, px(y0)), (b, px(y0 + 14.0))],
                rgb(ylorrd((s as f64 + 0.5) / steps as f64)).filled(),
            ))
            .map_err(de)?;
        }
        for v in [0, 2, 4, 6, 8, 10] {
            let x = px(x0 + bar_w * v as f64 / 10.0);
            root.draw(&PathElement::new(
                vec![(x, px(y0 + 14.0)), (x, px(y0 + 18.0))],
                INK.stroke_width(2),
            ))
            .map_err(de)?;
            text(
                root,
                &v.to_string(),
                (x, px(y0 + 20.0)),
                9.5,
                INK,
                HPos::Center,
                VPos::Top,
            )?;
        }
        // Grey means no data; say so when a panel has any.
        let no_data = self.dims.iter().any(|d| {
            [d.stock, d.incremental, d.natural, d.fire, d.coping]
                .iter()
                .any(|v| !v.is_finite())
        });
        if no_data {
            let y = y0 + 48.0;
            root.draw(&Rectangle::new(
                [(px(x0), px(y)), (px(x0 + 18.0), px(y + 12.0))],
                RGBColor(0xdd, 0xdd, 0xdd).filled(),
            ))
            .map_err(de)?;
            text(
                root,
                Label::NotAvailable.text(lang),
                (px(x0 + 24.0), px(y + 6.0)),
                10.0,
                INK,
                HPos::Left,
                VPos::Center,
            )?;
        }
        title_band(root, Label::DimensionsTitle.text(lang), self.meta, lang)
    }
}

/// Small multiples of the five dimensions (stock, incremental, natural, fire,
/// coping gap) on one 0–10 ramp. `dims[i]` belongs to `townships[i]`; NaN is
/// drawn grey (no data).
pub fn dimension_maps(
    townships: &[Township],
    dims: &[Dimensions],
    meta: &MapMeta,
    lang: Lang,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    check_len("dimension_maps", townships.len(), dims.len())?;
    let b = bounds(townships.iter().map(|t| &t.polygon));
    let pw = (MAP_W - 2.0 * MARGIN) / 3.0 - 12.0;
    let panel_h = (pw * MapFrame::aspect(b)).clamp(150.0, 360.0) + 6.0;
    render(
        &DimensionMaps {
            townships,
            dims,
            meta,
            lang,
            b,
            panel_h,
        },
        "dimension_maps",
        opts,
    )
}

// ---------------------------------------------------------------- raster maps

struct RasterMap<'a> {
    townships: &'a [Township],
    meta: &'a MapMeta,
    lang: Lang,
    title: String,
    rect: (f64, f64, f64, f64),
    frame: MapFrame,
    h: u32,
    underlay: Underlay,
    legend: RasterLegend,
}

enum RasterLegend {
    /// A colour bar from 0 to `max` in `unit`, with the ramp's gamma.
    Ramp { max: f64, unit: String },
    /// Categories present, with colours.
    Classes(Vec<(RGBAColor, String)>),
}

impl Paint for RasterMap<'_> {
    fn size(&self) -> (u32, u32) {
        (px(MAP_W) as u32, self.h)
    }

    fn underlay(&self) -> Option<Underlay> {
        Some(Underlay {
            rgba: self.underlay.rgba.clone(),
            w: self.underlay.w,
            h: self.underlay.h,
            rect: self.underlay.rect,
        })
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let lang = self.lang;
        let proj = project(self.townships, &self.frame);
        let bw = if self.townships.len() > 200 { 0.2 } else { 0.6 };
        draw_townships(root, &proj, &|_| None, RGBColor(0x44, 0x44, 0x44), bw)?;
        if self.townships.len() <= 60 {
            let order: Vec<usize> = (0..self.townships.len()).collect();
            labels(root, self.townships, &proj, &order, &|_| None, 9.0)?;
        }
        title_band(root, &self.title, self.meta, lang)?;
        let y = self.rect.3 as i32 + px(30.0);
        match &self.legend {
            RasterLegend::Ramp { max, unit } => {
                let (x0, w) = (px(MARGIN), px(260.0));
                for s in 0..100 {
                    let t = (s as f64 + 0.5) / 100.0;
                    let c = heat_rgba(t);
                    let a = x0 + w * s / 100;
                    let b = x0 + w * (s + 1) / 100;
                    root.draw(&Rectangle::new(
                        [(a, y - px(12.0)), (b, y)],
                        RGBColor(c[0], c[1], c[2]).filled(),
                    ))
                    .map_err(de)?;
                }
                for k in 0..=4 {
                    let t = k as f64 / 4.0;
                    // The ramp is drawn on the square root of the density, so ticks
                    // are placed at t and labelled with the value t² · max.
                    let v = t * t * max;
                    let x = x0 + (w as f64 * t) as i32;
                    text(
                        root,
                        &fmt_sig(v),
                        (x, y + px(3.0)),
                        9.0,
                        INK,
                        HPos::Center,
                        VPos::Top,
                    )?;
                }
                text(
                    root,
                    unit,
                    (x0 + w + px(10.0), y - px(6.0)),
                    10.0,
                    INK,
                    HPos::Left,
                    VPos::Center,
                )?;
            }
            RasterLegend::Classes(items) => {
                let mut x = px(MARGIN);
                let mut yy = y - px(8.0);
                let limit = px(MAP_W - 200.0);
                for (c, l) in items {
                    if x + text_width(l, 10.5) + px(30.0) > limit {
                        x = px(MARGIN);
                        yy += px(18.0);
                    }
                    x = swatch(root, x, yy, *c, l)?;
                }
            }
        }
        scale_bar(root, &self.frame, px(MAP_W - MARGIN), y + px(4.0), lang)
    }
}

/// A short number with about two significant digits.
pub(crate) fn fmt_sig(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v >= 10.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else if v >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// The heatmap ramp on 0–1 (after the square root): transparent at zero, then
/// YlOrRd with opacity rising quickly, so that low densities tint the map and
/// the borders stay visible.
fn heat_rgba(t: f64) -> [u8; 4] {
    let (r, g, b) = ylorrd(0.08 + 0.92 * t);
    let a = (90.0 + 165.0 * t.clamp(0.0, 1.0).powf(0.5)).round() as u8;
    [r, g, b, a]
}

fn raster_layout(
    townships: &[Township],
    grid_bounds: (f64, f64, f64, f64),
) -> ((f64, f64, f64, f64), MapFrame, u32) {
    let b = if townships.is_empty() {
        grid_bounds
    } else {
        bounds(townships.iter().map(|t| &t.polygon))
    };
    let (rect, h) = layout(b);
    (rect, MapFrame::fit(b, rect), h)
}

fn grid_rect<T: Copy>(g: &Grid<T>, frame: &MapFrame) -> (f64, f64, f64, f64) {
    let (w, s, e, n) = g.bounds();
    let (l, t) = frame.to_px(w, n);
    let (r, b) = frame.to_px(e, s);
    (l, t, r, b)
}

/// A kernel-density heatmap of one measure over the township borders. Values
/// are densities (events per km² per year); zero and non-finite cells are
/// transparent; the ramp runs on the square root of density up to the 99.5th
/// percentile so that one hot cell does not wash out the rest. `measure` is the
/// measure's name in the report's language; `name` is the file stem.
pub fn heatmap(
    townships: &[Township],
    grid: &Grid<f32>,
    measure: &str,
    name: &str,
    meta: &MapMeta,
    lang: Lang,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    if grid.values.len() != grid.width * grid.height {
        return Err(RenderError::Input(format!(
            "heatmap {name}: {}×{} grid with {} values",
            grid.width,
            grid.height,
            grid.values.len()
        )));
    }
    let mut pos: Vec<f32> = grid
        .values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let max = if pos.is_empty() {
        1.0
    } else {
        let k = ((pos.len() as f64 - 1.0) * 0.995).round() as usize;
        let (_, v, _) = pos.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
        (*v as f64).max(1e-12)
    };
    let rgba: Vec<u8> = grid
        .values
        .iter()
        .flat_map(|&v| {
            if v.is_finite() && v > 0.0 {
                heat_rgba((v as f64 / max).sqrt())
            } else {
                [0, 0, 0, 0]
            }
        })
        .collect();
    let (rect, frame, h) = raster_layout(townships, grid.bounds());
    let underlay = Underlay {
        rgba,
        w: grid.width as u32,
        h: grid.height as u32,
        rect: grid_rect(grid, &frame),
    };
    let title = match lang {
        Lang::Zh => format!("{measure}{}", Label::HeatmapTitle.text(lang)),
        Lang::En => format!("{measure}: {}", Label::HeatmapTitle.text(lang)),
    };
    let legend = RasterLegend::Ramp {
        max,
        unit: Label::HeatmapUnit.text(lang).to_string(),
    };
    render(
        &RasterMap {
            townships,
            meta,
            lang,
            title,
            rect,
            frame,
            h,
            underlay,
            legend,
        },
        name,
        opts,
    )
}

/// The emerging hot spot map: each grid cell in its pattern's colour (ArcGIS's
/// palette; "no pattern" transparent) over the township borders, with a legend
/// of the patterns present. `measure` is in the report's language.
pub fn hotspot_map(
    townships: &[Township],
    grid: &Grid<HotSpotClass>,
    measure: &str,
    name: &str,
    meta: &MapMeta,
    lang: Lang,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    if grid.values.len() != grid.width * grid.height {
        return Err(RenderError::Input(format!(
            "hotspot_map {name}: {}×{} grid with {} values",
            grid.width,
            grid.height,
            grid.values.len()
        )));
    }
    let rgba: Vec<u8> = grid.values.iter().flat_map(|c| c.rgba()).collect();
    let (rect, frame, h) = raster_layout(townships, grid.bounds());
    let underlay = Underlay {
        rgba,
        w: grid.width as u32,
        h: grid.height as u32,
        rect: grid_rect(grid, &frame),
    };
    // The patterns present, then "no pattern" (undrawn cells) always, so that
    // a reader of a map with two coloured cells knows what the blank ones mean.
    let items = HotSpotClass::ALL
        .iter()
        .filter(|c| **c != HotSpotClass::NoPattern && grid.values.contains(c))
        .map(|c| {
            let [r, g, b, a] = c.rgba();
            (
                RGBColor(r, g, b).mix(a as f64 / 255.0),
                c.label(lang).to_string(),
            )
        })
        .chain(std::iter::once((
            WHITE.to_rgba(),
            HotSpotClass::NoPattern.label(lang).to_string(),
        )))
        .collect::<Vec<_>>();
    let title = match lang {
        Lang::Zh => format!("{measure}{}", Label::HotSpotTitle.text(lang)),
        Lang::En => format!("{measure}: {}", Label::HotSpotTitle.text(lang)),
    };
    render(
        &RasterMap {
            townships,
            meta,
            lang,
            title,
            rect,
            frame,
            h,
            underlay,
            legend: RasterLegend::Classes(items),
        },
        name,
        opts,
    )
}

// ---------------------------------------------------------------- alert map

/// Colours of the alerts on the alert map, in order (ColorBrewer Set1
/// without its yellow, which reads poorly on white).
const ALERT_COLOURS: [(u8, u8, u8); 6] = [
    (0xe4, 0x1a, 0x1c),
    (0x37, 0x7e, 0xb8),
    (0x98, 0x4e, 0xa3),
    (0xff, 0x7f, 0x00),
    (0x4d, 0xaf, 0x4a),
    (0xa6, 0x56, 0x28),
];

struct AlertMap<'a> {
    townships: &'a [Township],
    alerts: &'a [Vec<usize>],
    legend: &'a [String],
    meta: &'a MapMeta,
    lang: Lang,
    rect: (f64, f64, f64, f64),
    frame: MapFrame,
    h: u32,
}

impl Paint for AlertMap<'_> {
    fn size(&self) -> (u32, u32) {
        (px(MAP_W) as u32, self.h)
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let lang = self.lang;
        let proj = project(self.townships, &self.frame);
        // A township takes the colour of the first alert it is in.
        let mut first: Vec<Option<usize>> = vec![None; self.townships.len()];
        let mut all: Vec<Vec<usize>> = vec![Vec::new(); self.townships.len()];
        for (k, towns) in self.alerts.iter().enumerate() {
            for &t in towns {
                first[t].get_or_insert(k);
                all[t].push(k + 1);
            }
        }
        let colour = |k: usize| rgb(ALERT_COLOURS[k % ALERT_COLOURS.len()]);
        draw_townships(
            root,
            &proj,
            &|i| {
                Some(match first[i] {
                    Some(k) => colour(k).mix(0.85),
                    None => RGBColor(0xf4, 0xf4, 0xf4).to_rgba(),
                })
            },
            RGBColor(0x88, 0x88, 0x88),
            0.5,
        )?;
        let order: Vec<usize> = (0..self.townships.len())
            .filter(|&i| first[i].is_some())
            .collect();
        let size = if self.townships.len() > 200 {
            8.5
        } else {
            11.0
        };
        labels(
            root,
            self.townships,
            &proj,
            &order,
            &|i| {
                let ks: Vec<String> = all[i].iter().map(|k| k.to_string()).collect();
                Some(format!("({})", ks.join(",")))
            },
            size,
        )?;
        title_band(root, Label::AlertMapTitle.text(lang), self.meta, lang)?;
        let mut y = self.rect.3 as i32 + px(24.0);
        for (k, line) in self.legend.iter().enumerate() {
            swatch(
                root,
                px(MARGIN),
                y,
                colour(k).mix(0.85),
                &format!("{} {}", k + 1, line),
            )?;
            y += px(18.0);
        }
        swatch(
            root,
            px(MARGIN),
            y,
            RGBColor(0xf4, 0xf4, 0xf4).to_rgba(),
            Label::AlertNone.text(lang),
        )?;
        scale_bar(root, &self.frame, px(MAP_W - MARGIN), y, lang)
    }
}

/// The alert map: each alert's townships in its own colour, labelled with
/// their names and alert numbers, a legend line per alert (`legend[k]` for
/// `alerts[k]`, township indices into `townships`), scale bar and north
/// arrow.
pub fn alert_map(
    townships: &[Township],
    alerts: &[Vec<usize>],
    legend: &[String],
    meta: &MapMeta,
    lang: Lang,
    opts: RenderOptions,
) -> Result<Figure, RenderError> {
    check_len("alert_map legend", alerts.len(), legend.len())?;
    if let Some(&t) = alerts.iter().flatten().find(|&&t| t >= townships.len()) {
        return Err(RenderError::Input(format!(
            "alert_map: township {t} of {}",
            townships.len()
        )));
    }
    let b = bounds(townships.iter().map(|t| &t.polygon));
    let (rect, h) = layout(b);
    let frame = MapFrame::fit(b, rect);
    // One legend line per alert below the map.
    let h = h + px(18.0 * alerts.len() as f64) as u32;
    render(
        &AlertMap {
            townships,
            alerts,
            legend,
            meta,
            lang,
            rect,
            frame,
            h,
        },
        "alert_map",
        opts,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borders_only_where_townships_are_wide_enough() {
        let proj = |widths: &[i32]| Projected {
            rings: Vec::new(),
            anchor: widths.iter().map(|w| Some(((0, 0), *w))).collect(),
        };
        // A province on the print map (~60 px a township), 2 px borders: drawn.
        assert!(borders_readable(&proj(&[55, 60, 70]), 2));
        // A nation (~11 px), 2 px borders: fills only; 1 px borders on 11 px: drawn.
        assert!(!borders_readable(&proj(&[9, 11, 12, 40]), 2));
        assert!(borders_readable(&proj(&[9, 11, 12, 40]), 1));
        // No anchors at all (nothing to judge by): drawn.
        assert!(borders_readable(&proj(&[]), 2));
    }

    #[test]
    fn thinning_keeps_the_drawn_shape() {
        // A closed ring with repeats and straight runs: the thinned ring has
        // the same area and passes through the same corners.
        let ring = [
            (0, 0),
            (0, 0),
            (5, 0),
            (10, 0),
            (10, 0),
            (10, 4),
            (10, 10),
            (7, 10),
            (3, 10),
            (0, 10),
            (0, 6),
            (0, 0),
        ];
        let area = |r: &[(i32, i32)]| -> i64 {
            r.windows(2)
                .map(|w| {
                    i64::from(w[0].0) * i64::from(w[1].1) - i64::from(w[1].0) * i64::from(w[0].1)
                })
                .sum()
        };
        let t = thin(ring.iter().copied());
        assert_eq!(t, vec![(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]);
        assert_eq!(area(&t), area(&ring));
        // Going back along the same line is a turn, and is kept.
        let spike = [(0, 0), (5, 0), (2, 0), (2, 3)];
        assert_eq!(thin(spike.into_iter()), spike.to_vec());
    }
}
