//! Townships: the tessellation dressed with names, codes, the administrative
//! hierarchy, population and terrain covariates, plus the helpers that place
//! points inside a township.

use std::collections::HashSet;

use geo::{Area, BoundingRect, Contains, Coord, LineString, Point, Polygon, Rect};
use rayon::prelude::*;

use crate::admin::{self, TownKind};
use crate::frame::{round6, Frame};
use crate::preset::PresetParams;
use crate::rng::Stream;
use crate::terrain::Terrain;
use crate::tessellation::{tessellate, Cell, TessellationParams};

/// Terrain summaries of a township, from points sampled inside it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Covariates {
    /// Mean elevation, m.
    pub elevation_m: f64,
    /// Mean slope, degrees.
    pub slope_deg: f64,
    /// Share of area steeper than 25°.
    pub steep_share: f64,
    /// Mean forest cover, 0–1.
    pub forest: f64,
    /// Mean mountain mask, 0–1.
    pub mountain: f64,
}

/// One township with everything the rest of the generator needs.
#[derive(Debug, Clone)]
pub struct Town {
    /// 12-digit code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Name of its county.
    pub county: String,
    /// 街道, 镇 or 乡.
    pub kind: TownKind,
    /// Town centre, local km.
    pub site: [f64; 2],
    /// Border in local km (for sampling).
    pub poly_km: Polygon<f64>,
    /// Bounding box of `poly_km`.
    pub bbox_km: Rect<f64>,
    /// Border in lon/lat (as published), with its holes (enclaves).
    pub polygon: Polygon<f64>,
    /// Further parts in lon/lat (exclaves and islands; real-like boundaries).
    pub parts: Vec<Polygon<f64>>,
    /// Neighbouring townships (indices into the code-sorted list).
    pub neighbors: Vec<usize>,
    /// Whether it touches the region's border.
    pub outer: bool,
    /// Area, km².
    pub area_km2: f64,
    /// Terrain covariates.
    pub cov: Covariates,
    /// Population in the last data year.
    pub population: f64,
    /// Yearly population growth rate.
    pub growth: f64,
    /// Ring vertices on the region's outer border, local km.
    pub border_vertices: Vec<[f64; 2]>,
}

/// A located point: lon/lat as published (rounded) and local km.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Located {
    /// Longitude, 6 decimals.
    pub lon: f64,
    /// Latitude, 6 decimals.
    pub lat: f64,
    /// Local km.
    pub xy: [f64; 2],
}

impl Town {
    /// A uniformly random point inside the township, local km.
    pub fn uniform(&self, rng: &mut Stream) -> [f64; 2] {
        let (min, max) = (self.bbox_km.min(), self.bbox_km.max());
        loop {
            let p = [rng.range(min.x, max.x), rng.range(min.y, max.y)];
            if self.poly_km.contains(&Point::new(p[0], p[1])) {
                return p;
            }
        }
    }

    /// Places a point: tries `propose` a few times, keeping the first proposal
    /// that, rounded to 6 decimals of a degree, lies strictly inside the
    /// township; falls back to a uniform point.
    pub fn place(
        &self,
        frame: &Frame,
        rng: &mut Stream,
        mut propose: impl FnMut(&mut Stream) -> [f64; 2],
    ) -> Located {
        for attempt in 0..200 {
            let xy = if attempt < 30 {
                propose(rng)
            } else {
                self.uniform(rng)
            };
            let (lon, lat) = frame.to_lonlat(xy[0], xy[1]);
            let (lon, lat) = (round6(lon), round6(lat));
            if self.polygon.contains(&Point::new(lon, lat)) {
                return Located { lon, lat, xy };
            }
        }
        unreachable!("a township of positive area always admits a uniform point")
    }

    /// A point near `anchor` (normal scatter of `sd_km`), inside the township.
    pub fn near(&self, frame: &Frame, rng: &mut Stream, anchor: [f64; 2], sd_km: f64) -> Located {
        self.place(frame, rng, |r| {
            [
                anchor[0] + sd_km * r.normal(),
                anchor[1] + sd_km * r.normal(),
            ]
        })
    }

    /// A point drawn with density proportional to `weight` (in [0, 1]),
    /// floored at 1% so that a township where the weight is zero everywhere
    /// (no mountain in a plain) still yields a point.
    pub fn weighted(
        &self,
        frame: &Frame,
        rng: &mut Stream,
        weight: impl Fn([f64; 2]) -> f64,
    ) -> Located {
        self.place(frame, rng, |r| loop {
            let p = self.uniform(r);
            if r.uniform() < weight(p).max(0.01) {
                return p;
            }
        })
    }

    /// Population in `year`, given the last data year.
    pub fn population_in(&self, year: i32, last_year: i32) -> f64 {
        self.population * (1.0 + self.growth).powi(year - last_year)
    }
}

fn to_polygon(ring: &[[f64; 2]], map: impl Fn([f64; 2]) -> [f64; 2]) -> Polygon<f64> {
    Polygon::new(to_line(ring, &map), vec![])
}

fn to_line(ring: &[[f64; 2]], map: &impl Fn([f64; 2]) -> [f64; 2]) -> LineString<f64> {
    ring.iter()
        .map(|p| map(*p))
        .map(|[x, y]| Coord { x, y })
        .collect()
}

/// Groups points around a jittered lattice of centres `spacing` apart: the
/// stand-in for counties, cities and provinces. Group ids are dense and run
/// north to south, then west to east, by centre.
fn group(seed: u64, tag: &str, points: &[[f64; 2]], spacing: f64) -> Vec<usize> {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in points {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    let mut centres = Vec::new();
    let (nx, ny) = (
        ((x1 - x0) / spacing).ceil() as usize + 1,
        ((y1 - y0) / spacing).ceil() as usize + 1,
    );
    for j in 0..ny {
        for i in 0..nx {
            let mut r = Stream::new(seed, tag, (j * nx + i) as u64);
            centres.push([
                x0 + (i as f64 + r.range(0.2, 0.8)) * spacing - spacing / 2.0,
                y0 + (j as f64 + r.range(0.2, 0.8)) * spacing - spacing / 2.0,
            ]);
        }
    }
    let nearest: Vec<usize> = points
        .iter()
        .map(|p| {
            (0..centres.len())
                .min_by(|&a, &b| {
                    let da = (centres[a][0] - p[0]).hypot(centres[a][1] - p[1]);
                    let db = (centres[b][0] - p[0]).hypot(centres[b][1] - p[1]);
                    da.total_cmp(&db).then(a.cmp(&b))
                })
                .expect("at least one centre")
        })
        .collect();
    let mut used: Vec<usize> = nearest.clone();
    used.sort_unstable();
    used.dedup();
    used.sort_by(|&a, &b| {
        centres[b][1]
            .total_cmp(&centres[a][1])
            .then(centres[a][0].total_cmp(&centres[b][0]))
    });
    let mut dense = vec![usize::MAX; centres.len()];
    for (i, &c) in used.iter().enumerate() {
        dense[c] = i;
    }
    nearest.iter().map(|&c| dense[c]).collect()
}

/// Samples per township for its terrain covariates.
const COVARIATE_SAMPLES: usize = 64;

/// How township borders look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Boundaries {
    /// Smooth wiggles, about 400 vertices a township, one part, no holes.
    #[default]
    Smooth,
    /// Like real boundaries: fractal borders of 1,000–12,000 vertices a
    /// township, enclaves (holes filled by a neighbour's part) and islands.
    RealLike,
}

/// Builds the townships of a region, sorted by code.
pub fn build_towns(
    seed: u64,
    p: &PresetParams,
    frame: &Frame,
    terrain: &Terrain,
    boundaries: Boundaries,
) -> Vec<Town> {
    let cells: Vec<Cell> = tessellate(
        seed,
        &TessellationParams {
            radius_km: p.radius_km(),
            spacing_km: p.spacing_km(),
            vertex_step_km: p.spacing_km() / 70.0,
            real_like: boundaries == Boundaries::RealLike,
        },
    );
    let sites: Vec<[f64; 2]> = cells.iter().map(|c| c.site).collect();

    // Terrain covariates and the raw population draw, in parallel per cell.
    let dem_step = p.raster_res_km;
    let measured: Vec<(Polygon<f64>, Rect<f64>, f64, Covariates)> = cells
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let poly_km = to_polygon(&c.ring, |p| p);
            let area = poly_km.unsigned_area();
            let bbox_km = poly_km.bounding_rect().expect("a cell has vertices");
            let probe = Town {
                code: String::new(),
                name: String::new(),
                county: String::new(),
                kind: TownKind::Town,
                site: c.site,
                poly_km: poly_km.clone(),
                bbox_km,
                polygon: poly_km.clone(),
                parts: vec![],
                neighbors: vec![],
                outer: false,
                area_km2: area,
                cov: Covariates::default(),
                population: 0.0,
                growth: 0.0,
                border_vertices: vec![],
            };
            let mut rng = Stream::new(seed, "covariates", i as u64);
            let mut cov = Covariates::default();
            for _ in 0..COVARIATE_SAMPLES {
                let [x, y] = probe.uniform(&mut rng);
                let slope = terrain.slope_deg(x, y, dem_step);
                cov.elevation_m += terrain.elevation(x, y);
                cov.slope_deg += slope;
                cov.steep_share += f64::from(u8::from(slope > 25.0));
                cov.forest += terrain.forest(x, y);
                cov.mountain += terrain.mountain(x, y);
            }
            let n = COVARIATE_SAMPLES as f64;
            cov.elevation_m /= n;
            cov.slope_deg /= n;
            cov.steep_share /= n;
            cov.forest /= n;
            cov.mountain /= n;
            (poly_km, bbox_km, area, cov)
        })
        .collect();

    // Hierarchy: counties of about 14 townships, cities of about 8 counties,
    // provinces of about 1,300 townships (nation only).
    let town_area = p.area_per_township_km2;
    let county_of = if p.townships <= 40 {
        vec![0; cells.len()]
    } else {
        group(seed, "county", &sites, (14.0 * town_area).sqrt())
    };
    let county_count = county_of.iter().max().map_or(0, |m| m + 1);
    let county_centre: Vec<[f64; 2]> = (0..county_count)
        .map(|k| {
            let members: Vec<&[f64; 2]> = sites
                .iter()
                .zip(&county_of)
                .filter(|(_, c)| **c == k)
                .map(|(s, _)| s)
                .collect();
            let n = members.len() as f64;
            [
                members.iter().map(|s| s[0]).sum::<f64>() / n,
                members.iter().map(|s| s[1]).sum::<f64>() / n,
            ]
        })
        .collect();
    let city_of_county = if p.townships <= 40 {
        vec![0; county_count]
    } else {
        group(
            seed,
            "city",
            &county_centre,
            (14.0 * 8.0 * town_area).sqrt(),
        )
    };
    let province_of_county = if p.townships <= 5000 {
        vec![0; county_count]
    } else {
        group(
            seed,
            "province",
            &county_centre,
            (1300.0 * town_area).sqrt(),
        )
    };

    // Kinds: the township nearest each county's centre is its seat (街道), and
    // in a county of the county preset so are the two next to it.
    let mut kind = vec![TownKind::Town; cells.len()];
    let mut name_rng = Stream::new(seed, "names", 0);
    #[allow(clippy::needless_range_loop)] // k is the county, used beyond indexing
    for k in 0..county_count {
        let mut members: Vec<usize> = (0..cells.len()).filter(|&i| county_of[i] == k).collect();
        let c = county_centre[k];
        members.sort_by(|&a, &b| {
            let da = (sites[a][0] - c[0]).hypot(sites[a][1] - c[1]);
            let db = (sites[b][0] - c[0]).hypot(sites[b][1] - c[1]);
            da.total_cmp(&db).then(a.cmp(&b))
        });
        let streets = if p.townships <= 40 { 3 } else { 1 };
        for (rank, &i) in members.iter().enumerate() {
            kind[i] = if rank < streets {
                TownKind::Street
            } else if name_rng.chance(0.3 + 0.5 * measured[i].3.mountain) {
                TownKind::Rural
            } else {
                TownKind::Town
            };
        }
    }

    // Names and codes, county by county.
    let mut code = vec![String::new(); cells.len()];
    let mut name = vec![String::new(); cells.len()];
    let mut county_name = vec![String::new(); county_count];
    let mut county_stems = HashSet::new();
    let mut city_seq = std::collections::HashMap::new();
    let mut county_seq = std::collections::HashMap::new();
    for k in 0..county_count {
        county_name[k] = format!(
            "{}{}",
            admin::place_stem(&mut name_rng, &mut county_stems),
            if k == 0 { "区" } else { "县" }
        );
        let province = if p.townships <= 5000 {
            p.province_code
        } else {
            admin::PROVINCE_CODES
                .get(province_of_county[k])
                .copied()
                .unwrap_or(70 + province_of_county[k] as u32)
        };
        let city_key = (province, city_of_county[k]);
        let next_city = city_seq
            .iter()
            .filter(|((pr, _), _)| *pr == province)
            .count() as u32
            + 1;
        let city = *city_seq.entry(city_key).or_insert(if p.townships <= 40 {
            p.city_code
        } else {
            next_city
        });
        let n_county = county_seq.entry((province, city)).or_insert(0u32);
        *n_county += 1;
        let county = if p.townships <= 40 {
            p.county_code
        } else {
            *n_county
        };

        let mut members: Vec<usize> = (0..cells.len()).filter(|&i| county_of[i] == k).collect();
        members.sort_by(|&a, &b| {
            (kind[a] as u8)
                .cmp(&(kind[b] as u8))
                .then(sites[b][1].total_cmp(&sites[a][1]))
                .then(sites[a][0].total_cmp(&sites[b][0]))
        });
        let kinds: Vec<TownKind> = members.iter().map(|&i| kind[i]).collect();
        let mut stems = HashSet::new();
        for (&i, number) in members.iter().zip(admin::township_numbers(&kinds)) {
            code[i] = admin::code(province, city, county, number);
            name[i] = admin::township_name(&admin::place_stem(&mut name_rng, &mut stems), kind[i]);
        }
    }

    // Population: lognormal around the preset's mean, thinner in mountains,
    // denser in county seats.
    let mut pop: Vec<f64> = (0..cells.len())
        .map(|i| {
            let mut r = Stream::new(seed, "population", i as u64);
            let urban = if kind[i] == TownKind::Street {
                2.2
            } else {
                1.0
            };
            p.mean_population
                * r.lognormal(-0.08, 0.4)
                * (1.0 - 0.6 * measured[i].3.mountain)
                * urban
        })
        .collect();
    if let Some(total) = p.total_population {
        let scale = total / pop.iter().sum::<f64>();
        pop.iter_mut().for_each(|v| *v *= scale);
    }

    // Sort by code and re-map neighbour indices.
    let mut order: Vec<usize> = (0..cells.len()).collect();
    order.sort_by(|&a, &b| code[a].cmp(&code[b]));
    let mut rank = vec![0; cells.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    order
        .iter()
        .map(|&i| {
            let c = &cells[i];
            let (poly_km, bbox_km, area, cov) = measured[i].clone();
            let lonlat = |[x, y]: [f64; 2]| {
                let (lon, lat) = frame.to_lonlat(x, y);
                [lon, lat]
            };
            let polygon = Polygon::new(
                to_line(&c.ring, &lonlat),
                c.holes.iter().map(|h| to_line(h, &lonlat)).collect(),
            );
            let parts = c.parts.iter().map(|r| to_polygon(r, lonlat)).collect();
            let shared: HashSet<[u64; 2]> = c
                .neighbors
                .iter()
                .flat_map(|&j| {
                    cells[j]
                        .ring
                        .iter()
                        .map(|p| [p[0].to_bits(), p[1].to_bits()])
                })
                .collect();
            let border_vertices = if c.outer {
                c.ring
                    .iter()
                    .filter(|p| !shared.contains(&[p[0].to_bits(), p[1].to_bits()]))
                    .copied()
                    .collect()
            } else {
                Vec::new()
            };
            let mut neighbors: Vec<usize> = c.neighbors.iter().map(|&j| rank[j]).collect();
            neighbors.sort_unstable();
            let mut r = Stream::new(seed, "growth", i as u64);
            Town {
                code: code[i].clone(),
                name: name[i].clone(),
                county: county_name[county_of[i]].clone(),
                kind: kind[i],
                site: c.site,
                poly_km,
                bbox_km,
                polygon,
                parts,
                neighbors,
                outer: c.outer,
                area_km2: area,
                cov,
                population: pop[i].round(),
                growth: 0.006 + 0.008 * r.normal(),
                border_vertices,
            }
        })
        .collect()
}
