//! Townships as a gap-free, overlap-free tessellation with wiggly borders.
//!
//! Sites on a jittered hexagonal lattice are triangulated (Delaunay, by the
//! `delaunator` crate); the Voronoi cell of each site inside a wobbly outline
//! becomes a township. Each Voronoi edge is then replaced by a wiggly
//! polyline that is a pure function of the seed and the edge, so the two
//! townships sharing it compute the very same coordinates and no gap or
//! overlap can open between them.
//!
//! Why the wiggles never cross: the fan triangles (site, v_i, v_{i+1}) of a
//! convex Voronoi cell have disjoint interiors, and an edge's polyline is kept
//! inside the union of its two fan triangles (the "kite" on either side of
//! the edge). It is the graph of a function over the edge's chord, so it is
//! simple, and its offset is bounded by a fraction of the kite's height at
//! each point of the chord, so it stays inside the kite. Two different edges
//! live in disjoint kites and meet only at shared Voronoi vertices.

use std::collections::VecDeque;

use delaunator::{next_halfedge, triangulate, Point, EMPTY};

use geo::{BoundingRect, Distance, Euclidean, LineString, Point as GeoPoint, Polygon, Rect};

use crate::rng::Stream;

/// One township cell, in local kilometres.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The Voronoi site (a natural "town centre").
    pub site: [f64; 2],
    /// Closed exterior ring, counter-clockwise, first point repeated last.
    pub ring: Vec<[f64; 2]>,
    /// Indices of the cells sharing an edge with this one, ascending.
    pub neighbors: Vec<usize>,
    /// Whether the cell touches the region's outer border.
    pub outer: bool,
    /// Holes, clockwise, closed: enclaves that belong to a neighbour
    /// (real-like boundaries only).
    pub holes: Vec<Vec<[f64; 2]>>,
    /// Further parts, counter-clockwise, closed: exclaves filling a
    /// neighbour's hole, and islands off the coast (real-like boundaries only).
    pub parts: Vec<Vec<[f64; 2]>>,
}

/// What shapes the tessellation.
#[derive(Debug, Clone, Copy)]
pub struct TessellationParams {
    /// Mean radius of the region, km.
    pub radius_km: f64,
    /// Lattice spacing of the sites, km (about a township's diameter).
    pub spacing_km: f64,
    /// Target distance between border vertices along a chord, km.
    pub vertex_step_km: f64,
    /// Boundaries like real ones instead of smooth wiggles: fractal borders
    /// with 1,000–12,000 vertices per township, enclaves (a hole in one
    /// township filled by a part of its neighbour) and islands off the coast.
    pub real_like: bool,
}

/// The region's outline radius at angle `theta`: a circle perturbed by a few
/// low harmonics, so that it looks like a county rather than a disc.
fn outline_radius(harmonics: &[(f64, f64)], radius: f64, theta: f64) -> f64 {
    let wobble: f64 = harmonics
        .iter()
        .enumerate()
        .map(|(i, (a, phase))| a * ((i as f64 + 2.0) * theta + phase).cos())
        .sum();
    radius * (1.0 + wobble)
}

fn circumcenter(a: &Point, b: &Point, c: &Point) -> [f64; 2] {
    let (bx, by) = (b.x - a.x, b.y - a.y);
    let (cx, cy) = (c.x - a.x, c.y - a.y);
    let d = 2.0 * (bx * cy - by * cx);
    let b2 = bx * bx + by * by;
    let c2 = cx * cx + cy * cy;
    [a.x + (cy * b2 - by * c2) / d, a.y + (bx * c2 - cx * b2) / d]
}

/// Height of triangle (0,0), (1,0), (ax, ay) above the chord at `t` in [0, 1].
fn kite_height(ax: f64, ay: f64, t: f64) -> f64 {
    let mut h = f64::INFINITY;
    if ax > 0.0 {
        h = h.min(t / ax);
    }
    if ax < 1.0 {
        h = h.min((1.0 - t) / (1.0 - ax));
    }
    ay.abs() * h.max(0.0)
}

/// The wiggly polyline replacing Voronoi edge `p`–`q` between sites `a` and
/// `b`, from `p` to `q` inclusive. Pure in its arguments: call it with the
/// edge's canonical orientation and reverse the result where needed.
fn wiggle(
    seed: u64,
    edge_key: u64,
    p: [f64; 2],
    q: [f64; 2],
    a: [f64; 2],
    b: [f64; 2],
    step: f64,
    real_like: bool,
) -> Vec<[f64; 2]> {
    let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
    let len = dx.hypot(dy);
    if len < 1e-9 {
        return vec![p, q];
    }
    let (ux, uy) = (dx / len, dy / len);
    let (vx, vy) = (-uy, ux);
    let local = |s: [f64; 2]| {
        let (sx, sy) = (s[0] - p[0], s[1] - p[1]);
        ((sx * ux + sy * uy) / len, (sx * vx + sy * vy) / len)
    };
    let (ax, ay) = local(a);
    let (bx, by) = local(b);

    let mut rng = Stream::new(seed, "edge", edge_key);
    const HARMONICS: usize = 14;
    let coef: Vec<f64> = (1..=HARMONICS)
        .map(|k| rng.range(-1.0, 1.0) / (k as f64).powf(0.9))
        .collect();
    let norm: f64 = coef.iter().map(|c| c.abs()).sum::<f64>().max(1e-12);
    // Border offsets at most this share of the kite's height.
    const AMPLITUDE: f64 = 0.55;

    let n = if real_like {
        // Vertices per edge, 30 to 3,000, most of them few: townships of
        // about 500 to 12,000 vertices, the median near 1,000.
        (30.0 * 100f64.powf(rng.uniform().powf(1.5))) as usize
    } else {
        ((len / step).ceil() as usize).max(2)
    };
    // Real-like borders add a Brownian bridge (fractal, like a river or a
    // coast) to the smooth harmonics; both are clamped to the envelope.
    let bridge = if real_like {
        brownian_bridge(&mut rng, n)
    } else {
        Vec::new()
    };
    (0..=n)
        .map(|i| {
            if i == 0 {
                return p;
            }
            if i == n {
                return q;
            }
            let t = i as f64 / n as f64;
            let shape: f64 = coef
                .iter()
                .enumerate()
                .map(|(k, c)| c * (std::f64::consts::PI * (k as f64 + 1.0) * t).sin())
                .sum::<f64>()
                / norm;
            let shape = match bridge.get(i) {
                Some(w) => (0.5 * shape + 0.8 * w).clamp(-1.0, 1.0),
                None => shape,
            };
            let env = kite_height(ax, ay, t).min(kite_height(bx, by, t));
            let d = AMPLITUDE * env * shape * len;
            [p[0] + ux * len * t + vx * d, p[1] + uy * len * t + vy * d]
        })
        .collect()
}

/// A Brownian bridge over `n` steps, 0 at both ends, scaled to at most 1 in
/// absolute value.
fn brownian_bridge(rng: &mut Stream, n: usize) -> Vec<f64> {
    let mut walk = Vec::with_capacity(n + 1);
    let mut w = 0.0;
    walk.push(0.0);
    for _ in 0..n {
        w += rng.normal();
        walk.push(w);
    }
    let end = w;
    for (i, v) in walk.iter_mut().enumerate() {
        *v -= end * i as f64 / n as f64;
    }
    let peak = walk.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-12);
    walk.iter().map(|v| v / peak).collect()
}

/// Builds the tessellation. Cells are ordered north to south, then west to east.
pub fn tessellate(seed: u64, params: &TessellationParams) -> Vec<Cell> {
    let TessellationParams {
        radius_km: radius,
        spacing_km: s,
        vertex_step_km: step,
        real_like,
    } = *params;

    let mut rng = Stream::new(seed, "outline", 0);
    let harmonics: Vec<(f64, f64)> = (0..4)
        .map(|i| {
            (
                rng.range(-0.22, 0.22) / (1.0 + i as f64 * 0.5),
                rng.range(0.0, std::f64::consts::TAU),
            )
        })
        .collect();

    // Jittered hexagonal lattice over a box with a guard margin, so that every
    // kept site is interior to the triangulation and has a bounded cell.
    let half = radius * 1.5 + 3.0 * s;
    let row_h = s * 3f64.sqrt() / 2.0;
    let rows = (half / row_h).ceil() as i64;
    let cols = (half / s).ceil() as i64 + 1;
    let mut sites = Vec::new();
    for j in -rows..=rows {
        for i in -cols..=cols {
            let idx = sites.len() as u64;
            let mut r = Stream::new(seed, "site", idx);
            let x = i as f64 * s
                + if j.rem_euclid(2) == 1 { s / 2.0 } else { 0.0 }
                + r.range(-0.35, 0.35) * s;
            let y = j as f64 * row_h + r.range(-0.35, 0.35) * s;
            sites.push(Point { x, y });
        }
    }
    let inside: Vec<bool> = sites
        .iter()
        .map(|p| p.x.hypot(p.y) <= outline_radius(&harmonics, radius, p.y.atan2(p.x)))
        .collect();

    let tri = triangulate(&sites);
    // One incoming half-edge per point; for interior points any will do.
    let mut incoming = vec![EMPTY; sites.len()];
    for e in 0..tri.triangles.len() {
        let end = tri.triangles[next_halfedge(e)];
        if incoming[end] == EMPTY || tri.halfedges[e] == EMPTY {
            incoming[end] = e;
        }
    }
    let around = |p: usize| -> Vec<usize> {
        let start = incoming[p];
        let mut edges = Vec::new();
        let mut e = start;
        loop {
            edges.push(e);
            let out = next_halfedge(e);
            e = tri.halfedges[out];
            if e == EMPTY || e == start {
                break;
            }
        }
        edges
    };
    let neighbors_of =
        |p: usize| -> Vec<usize> { around(p).iter().map(|&e| tri.triangles[e]).collect() };

    let keep = connected_without_holes(&inside, &neighbors_of, sites.len());

    let cc: Vec<[f64; 2]> = (0..tri.triangles.len() / 3)
        .map(|t| {
            circumcenter(
                &sites[tri.triangles[3 * t]],
                &sites[tri.triangles[3 * t + 1]],
                &sites[tri.triangles[3 * t + 2]],
            )
        })
        .collect();

    let mut kept: Vec<usize> = (0..sites.len()).filter(|&p| keep[p]).collect();
    kept.sort_by(|&a, &b| {
        sites[b]
            .y
            .total_cmp(&sites[a].y)
            .then(sites[a].x.total_cmp(&sites[b].x))
    });
    let mut new_index = vec![usize::MAX; sites.len()];
    for (i, &p) in kept.iter().enumerate() {
        new_index[p] = i;
    }

    let cells: Vec<Cell> = kept
        .iter()
        .map(|&p| {
            let site = [sites[p].x, sites[p].y];
            let mut ring: Vec<[f64; 2]> = Vec::new();
            let mut neighbors = Vec::new();
            let mut outer = false;
            for e in around(p) {
                let opp = tri.halfedges[e];
                let q = tri.triangles[e];
                if keep[q] {
                    neighbors.push(new_index[q]);
                } else {
                    outer = true;
                }
                // The edge runs from cc(opp) to cc(e) around p; compute it in
                // the canonical orientation of the lower half-edge index.
                let (lo, hi) = if e < opp { (e, opp) } else { (opp, e) };
                let (lo_site, hi_site) = (tri.triangles[lo], tri.triangles[hi]);
                let pts = wiggle(
                    seed,
                    lo as u64,
                    cc[lo / 3],
                    cc[hi / 3],
                    [sites[lo_site].x, sites[lo_site].y],
                    [sites[hi_site].x, sites[hi_site].y],
                    step,
                    real_like,
                );
                let forward = opp == lo; // canonical runs cc(lo) -> cc(hi) = cc(opp) -> cc(e)
                let seq: Box<dyn Iterator<Item = &[f64; 2]>> = if forward {
                    Box::new(pts.iter())
                } else {
                    Box::new(pts.iter().rev())
                };
                for pt in seq {
                    if ring.last() != Some(pt) {
                        ring.push(*pt);
                    }
                }
            }
            if ring.first() != ring.last() {
                ring.push(ring[0]);
            }
            if signed_area(&ring) < 0.0 {
                ring.reverse();
            }
            neighbors.sort_unstable();
            neighbors.dedup();
            Cell {
                site,
                ring,
                neighbors,
                outer,
                holes: Vec::new(),
                parts: Vec::new(),
            }
        })
        .collect();
    if real_like {
        enclaves_and_islands(seed, s, cells)
    } else {
        cells
    }
}

/// A closed, counter-clockwise, star-shaped ring around `centre` whose radius
/// wanders fractally between 0.6 and 1.4 times `radius`.
fn blob(rng: &mut Stream, centre: [f64; 2], radius: f64, vertices: usize) -> Vec<[f64; 2]> {
    let wobble = brownian_bridge(rng, vertices);
    let mut ring: Vec<[f64; 2]> = (0..vertices)
        .map(|i| {
            let theta = std::f64::consts::TAU * i as f64 / vertices as f64;
            let r = radius * (1.0 + 0.4 * wobble[i]);
            [centre[0] + r * theta.cos(), centre[1] + r * theta.sin()]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

/// Real-like extras: about one interior township in twelve gets an enclave
/// of a neighbour around its centre (a hole in it, a part of the neighbour),
/// and about one coastal township in four an island off the coast. Each
/// extra is kept only where it clears every border by a margin, so the
/// tessellation stays free of gaps and overlaps.
fn enclaves_and_islands(seed: u64, spacing: f64, mut cells: Vec<Cell>) -> Vec<Cell> {
    // Each cell's outline, once, for distance and containment tests.
    let shapes: Vec<(Polygon<f64>, Rect<f64>)> = cells
        .iter()
        .map(|c| {
            let shape = Polygon::new(LineString::from(c.ring.clone()), vec![]);
            let bbox = shape.bounding_rect().expect("a cell has vertices");
            (shape, bbox)
        })
        .collect();
    for i in 0..cells.len() {
        let mut rng = Stream::new(seed, "enclave", i as u64);
        if cells[i].outer || cells[i].neighbors.is_empty() || !rng.chance(1.0 / 12.0) {
            continue;
        }
        let site = cells[i].site;
        let clear = Euclidean.distance(&GeoPoint::from(site), shapes[i].0.exterior());
        let radius = clear * rng.range(0.15, 0.45);
        let owner = cells[i].neighbors[rng.below(cells[i].neighbors.len())];
        let vertices = 100 + rng.below(700);
        let ring = blob(&mut rng, site, radius, vertices);
        let mut hole = ring.clone();
        hole.reverse();
        cells[i].holes.push(hole);
        cells[owner].parts.push(ring);
    }
    let mut islands: Vec<([f64; 2], f64)> = Vec::new();
    for (i, cell) in cells.iter_mut().enumerate() {
        let mut rng = Stream::new(seed, "island", i as u64);
        if !cell.outer || !rng.chance(0.25) {
            continue;
        }
        let site = cell.site;
        let norm = site[0].hypot(site[1]).max(1e-9);
        let u = [site[0] / norm, site[1] / norm];
        let reach = cell
            .ring
            .iter()
            .map(|p| (p[0] - site[0]) * u[0] + (p[1] - site[1]) * u[1])
            .fold(0.0, f64::max);
        let radius = spacing * rng.range(0.03, 0.12);
        let gap = spacing * rng.range(0.05, 0.4);
        let centre = [
            site[0] + u[0] * (reach + gap + 1.4 * radius),
            site[1] + u[1] * (reach + gap + 1.4 * radius),
        ];
        let margin = 1.4 * radius + 0.02 * spacing;
        // Within `margin` of a cell, or inside it (distance 0).
        let near_border = shapes.iter().any(|(shape, b)| {
            centre[0] + margin >= b.min().x
                && centre[0] - margin <= b.max().x
                && centre[1] + margin >= b.min().y
                && centre[1] - margin <= b.max().y
                && Euclidean.distance(&GeoPoint::from(centre), shape) < margin
        });
        let near_island = islands.iter().any(|(c, r)| {
            (c[0] - centre[0]).hypot(c[1] - centre[1]) < 1.4 * (r + radius) + 0.02 * spacing
        });
        if near_border || near_island {
            continue;
        }
        let vertices = 100 + rng.below(1400);
        cell.parts.push(blob(&mut rng, centre, radius, vertices));
        islands.push((centre, radius));
    }
    cells
}

/// The largest connected group of `inside` sites, with enclosed outside sites
/// filled in, so that the region is one piece without holes.
fn connected_without_holes(
    inside: &[bool],
    neighbors_of: &dyn Fn(usize) -> Vec<usize>,
    n: usize,
) -> Vec<bool> {
    let components = |member: &dyn Fn(usize) -> bool| -> Vec<Vec<usize>> {
        let mut seen = vec![false; n];
        let mut out = Vec::new();
        for start in 0..n {
            if seen[start] || !member(start) {
                continue;
            }
            let mut comp = Vec::new();
            let mut queue = VecDeque::from([start]);
            seen[start] = true;
            while let Some(p) = queue.pop_front() {
                comp.push(p);
                for q in neighbors_of(p) {
                    if !seen[q] && member(q) {
                        seen[q] = true;
                        queue.push_back(q);
                    }
                }
            }
            out.push(comp);
        }
        out
    };
    let mut keep = vec![false; n];
    if let Some(largest) = components(&|p| inside[p])
        .into_iter()
        .max_by_key(|c| c.len())
    {
        for p in largest {
            keep[p] = true;
        }
    }
    // Outside sites not connected to the lattice's first site (a corner, far
    // outside) are enclosed holes: fill them.
    let outside_groups = components(&|p| !keep[p]);
    for group in outside_groups {
        if !group.contains(&0) {
            for p in group {
                keep[p] = true;
            }
        }
    }
    keep
}

/// Twice the signed area of a closed ring, positive when counter-clockwise.
pub fn signed_area(ring: &[[f64; 2]]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county() -> Vec<Cell> {
        tessellate(
            2021,
            &TessellationParams {
                radius_km: 22.0,
                spacing_km: 9.9,
                vertex_step_km: 0.14,
                real_like: false,
            },
        )
    }

    #[test]
    fn shared_borders_are_identical_in_both_townships() {
        let cells = county();
        for (i, c) in cells.iter().enumerate() {
            for &j in &c.neighbors {
                assert!(cells[j].neighbors.contains(&i));
                // Every interior vertex of the shared border appears in both rings.
                let shared = c.ring.iter().filter(|p| cells[j].ring.contains(p)).count();
                assert!(
                    shared >= 3,
                    "cells {i} and {j} share only {shared} vertices"
                );
            }
        }
    }

    #[test]
    fn cells_have_hundreds_of_vertices_and_contain_their_site() {
        let cells = county();
        assert!(
            (12..=26).contains(&cells.len()),
            "{} townships",
            cells.len()
        );
        for c in &cells {
            assert!(c.ring.len() >= 150, "only {} vertices", c.ring.len());
            assert!(signed_area(&c.ring) > 0.0);
        }
    }

    #[test]
    fn real_like_borders_are_detailed_valid_and_still_tile_the_region() {
        use geo::{Area, Intersects, LineString, MultiPolygon, Polygon, Validation};
        let cells = tessellate(
            7,
            &TessellationParams {
                radius_km: 90.0,
                spacing_km: 9.9,
                vertex_step_km: 0.14,
                real_like: true,
            },
        );
        let line = |r: &[[f64; 2]]| LineString::from(r.to_vec());
        let area = |c: &Cell| {
            let mut parts = vec![Polygon::new(
                line(&c.ring),
                c.holes.iter().map(|h| line(h)).collect(),
            )];
            parts.extend(c.parts.iter().map(|r| Polygon::new(line(r), vec![])));
            MultiPolygon(parts)
        };
        let areas: Vec<MultiPolygon<f64>> = cells.iter().map(area).collect();
        let vertices: Vec<usize> = cells
            .iter()
            .map(|c| {
                c.ring.len()
                    + c.holes.iter().map(Vec::len).sum::<usize>()
                    + c.parts.iter().map(Vec::len).sum::<usize>()
            })
            .collect();
        let mut sorted = vertices.clone();
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2];
        assert!((700..=6_000).contains(&median), "median {median} vertices");
        assert!(sorted[sorted.len() - 1] <= 14_000, "{sorted:?}");
        let holes: usize = cells.iter().map(|c| c.holes.len()).sum();
        let parts: usize = cells.iter().map(|c| c.parts.len()).sum();
        assert!(holes >= 3, "{holes} enclaves");
        assert!(parts >= holes + 3, "{parts} parts for {holes} enclaves");
        for (i, a) in areas.iter().enumerate() {
            assert!(a.is_valid(), "township {i} is not a valid area");
        }
        // Every hole is filled by exactly one part of a neighbour: the same ring.
        for (i, c) in cells.iter().enumerate() {
            for h in &c.holes {
                let mut filled = h.clone();
                filled.reverse();
                let owners = c
                    .neighbors
                    .iter()
                    .filter(|&&j| cells[j].parts.contains(&filled))
                    .count();
                assert_eq!(owners, 1, "hole of township {i}");
            }
        }
        // No overlap: the areas sum to the area of their union, which is
        // checked pairwise where two townships' parts meet at all.
        let total: f64 = areas.iter().map(|a| a.unsigned_area()).sum();
        let outline: f64 = cells.iter().map(|c| signed_area(&c.ring)).sum::<f64>();
        let islands: f64 = cells
            .iter()
            .flat_map(|c| &c.parts)
            .filter(|r| {
                !cells
                    .iter()
                    .any(|c| c.holes.iter().any(|h| h.len() == r.len() && h[0] == r[0]))
            })
            .map(|r| signed_area(r))
            .sum();
        assert!(
            (total - outline - islands).abs() < 1e-6 * total,
            "area {total} against the outline {outline} and the islands {islands}"
        );
        for (i, c) in cells.iter().enumerate() {
            for r in &c.parts {
                if cells.iter().any(|o| o.holes.iter().any(|h| h[0] == r[0])) {
                    continue;
                }
                let island = Polygon::new(line(r), vec![]);
                for (j, other) in areas.iter().enumerate() {
                    let own_part = i == j;
                    let touching = other
                        .0
                        .iter()
                        .filter(|p| !(own_part && p.exterior().0.len() == r.len()))
                        .any(|p| p.intersects(&island));
                    assert!(!touching, "an island of township {i} meets township {j}");
                }
            }
        }
    }
}
