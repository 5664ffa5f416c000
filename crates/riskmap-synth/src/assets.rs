//! What the bureau manages on the ground: enterprises, communities, shelters,
//! fire stations, geohazard sites and the hidden-hazard ledger per township,
//! and the region-wide pipelines and scenic areas.

use chrono::{Duration, NaiveDate};
use geo::{Coord, LineString, Polygon};

use crate::frame::{round6, Frame};
use crate::region::{Located, Town};
use crate::rng::Stream;
use crate::terrain::Terrain;

/// Enterprise sectors, with their share of enterprises in a lowland township.
pub const SECTORS: &[(&str, f64)] = &[
    ("manufacturing", 0.44),
    ("trade", 0.24),
    ("construction", 0.08),
    ("warehousing", 0.07),
    ("hazardous_chemicals", 0.03),
    ("fireworks", 0.02),
    ("mining", 0.01),
    ("other", 0.11),
];

/// An enterprise.
#[derive(Debug, Clone)]
pub struct Enterprise {
    /// Index into [`SECTORS`].
    pub sector: usize,
    /// Registered major hazard source (重大危险源).
    pub major_hazard_source: bool,
    /// Employees.
    pub employees: i64,
    /// Opening date.
    pub opened_on: NaiveDate,
    /// Where.
    pub at: Located,
}

/// A residential community.
#[derive(Debug, Clone)]
pub struct Community {
    /// Old residential community (老旧小区).
    pub old: bool,
    /// High-rise residential.
    pub highrise: bool,
    /// Households.
    pub households: i64,
    /// Where.
    pub at: Located,
}

/// A shelter or fire station.
#[derive(Debug, Clone)]
pub struct Facility {
    /// People (shelters) or vehicles (fire stations).
    pub capacity: i64,
    /// Where.
    pub at: Located,
}

/// How often each geohazard type (`GeohazardType::ALL` order) occurs: among
/// registered sites, and among events away from a site.
pub const GEOHAZARD_TYPE_WEIGHTS: [f64; 4] = [0.55, 0.3, 0.1, 0.05];

/// The share of a township's geohazard events that happen at one of its
/// registered sites (when it has any) and take that site's type.
pub const GEOHAZARD_AT_SITE: f64 = 0.6;

/// The expected share of each geohazard type (`GeohazardType::ALL` order)
/// among a township's events, as `events` draws them: with sites, a share
/// [`GEOHAZARD_AT_SITE`] at a uniformly chosen site, the rest by
/// [`GEOHAZARD_TYPE_WEIGHTS`]; without sites, all by the weights. The truth
/// of the `geohazard_events:<type>` measures is the total times this share.
pub fn geohazard_type_shares(sites: &[GeohazardSite]) -> [f64; 4] {
    let total: f64 = GEOHAZARD_TYPE_WEIGHTS.iter().sum();
    let mut shares = GEOHAZARD_TYPE_WEIGHTS.map(|w| w / total);
    if !sites.is_empty() {
        for s in shares.iter_mut() {
            *s *= 1.0 - GEOHAZARD_AT_SITE;
        }
        for site in sites {
            shares[site.kind] += GEOHAZARD_AT_SITE / sites.len() as f64;
        }
    }
    shares
}

/// A registered geohazard site.
#[derive(Debug, Clone)]
pub struct GeohazardSite {
    /// Index into `GeohazardType::ALL`.
    pub kind: usize,
    /// People threatened.
    pub threatened_people: i64,
    /// Property threatened, 10k CNY.
    pub threatened_property: f64,
    /// `active` or `treated`.
    pub status: &'static str,
    /// Where.
    pub at: Located,
}

/// A hidden hazard in the ledger.
#[derive(Debug, Clone)]
pub struct HiddenHazard {
    /// Found on.
    pub found_on: NaiveDate,
    /// Major (重大) rather than general.
    pub major: bool,
    /// Sector of the enterprise it was found in, or `public`.
    pub sector: &'static str,
    /// Who supervises rectification (挂牌督办), for major hazards.
    pub supervision: Option<&'static str>,
    /// Rectification deadline.
    pub deadline: NaiveDate,
    /// Rectified on, if rectified by the end of the data.
    pub rectified_on: Option<NaiveDate>,
    /// Where.
    pub at: Located,
}

/// Everything on the ground in one township.
#[derive(Debug, Clone, Default)]
pub struct TownAssets {
    /// Enterprises.
    pub enterprises: Vec<Enterprise>,
    /// Residential communities.
    pub communities: Vec<Community>,
    /// Disaster shelters.
    pub shelters: Vec<Facility>,
    /// Fire stations.
    pub fire_stations: Vec<Facility>,
    /// Geohazard sites.
    pub geohazard_sites: Vec<GeohazardSite>,
    /// The hidden-hazard ledger, all years.
    pub hidden_hazards: Vec<HiddenHazard>,
}

impl TownAssets {
    /// Enterprises of the sector named `key`.
    pub fn count_sector(&self, key: &str) -> usize {
        self.enterprises
            .iter()
            .filter(|e| SECTORS[e.sector].0 == key)
            .count()
    }

    /// Share of communities that are old.
    pub fn old_share(&self) -> f64 {
        if self.communities.is_empty() {
            0.0
        } else {
            self.communities.iter().filter(|c| c.old).count() as f64 / self.communities.len() as f64
        }
    }
}

/// A random day in `year` (uniform).
pub fn random_day(rng: &mut Stream, year: i32) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
    let days = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    };
    start + Duration::days(rng.below(days) as i64)
}

/// Generates the assets of township `index`.
pub fn town_assets(
    seed: u64,
    index: usize,
    town: &Town,
    frame: &Frame,
    terrain: &Terrain,
    years: (i32, i32),
) -> TownAssets {
    let mut rng = Stream::new(seed, "assets", index as u64);
    let pop = town.population;
    let mountain = town.cov.mountain;
    let urban = town.kind == crate::admin::TownKind::Street;

    // Enterprises: clustered around an industrial area near the town centre.
    let park = town.near(frame, &mut rng, town.site, 1.5).xy;
    let industry = rng.lognormal(0.0, 0.35);
    let n_ent = rng.poisson(pop / 250.0 * industry * (1.0 - 0.5 * mountain));
    let weights: Vec<f64> = SECTORS
        .iter()
        .map(|(key, share)| match *key {
            "mining" => share * (0.2 + 4.0 * mountain),
            "fireworks" => share * (1.0 + mountain),
            _ => *share,
        })
        .collect();
    let enterprises = (0..n_ent)
        .map(|_| {
            let sector = rng.weighted(&weights);
            let at = if SECTORS[sector].0 == "mining" {
                town.weighted(frame, &mut rng, |[x, y]| terrain.mountain(x, y))
            } else if rng.chance(0.7) {
                town.near(frame, &mut rng, park, 1.2)
            } else {
                let u = town.uniform(&mut rng);
                town.near(frame, &mut rng, u, 0.01)
            };
            let hazchem = SECTORS[sector].0 == "hazardous_chemicals";
            let opened = (years.1 - 30) + rng.below(31) as i32;
            Enterprise {
                sector,
                major_hazard_source: rng.chance(if hazchem { 0.3 } else { 0.005 }),
                employees: (rng.lognormal(3.0, 1.0).round() as i64).max(1),
                opened_on: random_day(&mut rng, opened),
                at,
            }
        })
        .collect::<Vec<_>>();

    let n_comm = rng.poisson(pop / 1500.0);
    let communities = (0..n_comm)
        .map(|_| Community {
            old: rng.chance(if urban { 0.45 } else { 0.2 }),
            highrise: rng.chance(if urban { 0.45 } else { 0.12 }),
            households: rng.lognormal(6.0, 0.5).round() as i64,
            at: town.near(frame, &mut rng, town.site, 1.5),
        })
        .collect();

    let n_shelter = 1 + rng.poisson(pop / 10_000.0);
    let shelters = (0..n_shelter)
        .map(|_| Facility {
            capacity: rng.lognormal(6.5, 0.6).round() as i64,
            at: town.near(frame, &mut rng, town.site, 2.0),
        })
        .collect();

    let station = urban || rng.chance((pop / 90_000.0).clamp(0.08, 1.0));
    let fire_stations = if station {
        vec![Facility {
            capacity: 4 + rng.below(9) as i64,
            at: town.near(frame, &mut rng, town.site, 0.4),
        }]
    } else {
        Vec::new()
    };

    let n_sites =
        rng.poisson(town.area_km2 * (0.02 + 0.35 * town.cov.steep_share + 0.1 * mountain));
    let geohazard_sites = (0..n_sites)
        .map(|_| GeohazardSite {
            kind: rng.weighted(&GEOHAZARD_TYPE_WEIGHTS),
            threatened_people: rng.lognormal(3.2, 0.9).round() as i64,
            threatened_property: (rng.lognormal(4.0, 1.0) * 100.0).round() / 100.0,
            status: if rng.chance(0.8) { "active" } else { "treated" },
            at: town.weighted(frame, &mut rng, |[x, y]| {
                (terrain.slope_deg(x, y, 0.1) / 30.0).min(1.0)
            }),
        })
        .collect();

    // The hidden-hazard ledger: found in enterprises (mostly) or public places.
    let data_end = NaiveDate::from_ymd_opt(years.1, 12, 31).expect("valid year");
    let mut hidden_hazards = Vec::new();
    for year in years.0..=years.1 {
        let n = rng.poisson(enterprises.len() as f64 * 0.25 + pop / 20_000.0);
        for _ in 0..n {
            let found_on = random_day(&mut rng, year);
            let major = rng.chance(0.012);
            let (sector, at) = if !enterprises.is_empty() && rng.chance(0.85) {
                let e = &enterprises[rng.below(enterprises.len())];
                (
                    SECTORS[e.sector].0,
                    town.near(frame, &mut rng, e.at.xy, 0.02),
                )
            } else {
                ("public", town.near(frame, &mut rng, town.site, 1.5))
            };
            let supervision = major.then(|| {
                ["province", "city", "county", "county", "safety_committee"][rng.below(5)]
            });
            let deadline = found_on
                + Duration::days(if major {
                    90 + rng.below(270)
                } else {
                    7 + rng.below(54)
                } as i64);
            let rectified = if deadline <= data_end {
                rng.chance(if major { 0.85 } else { 0.93 })
            } else {
                rng.chance(0.5)
            };
            let rectified_on = rectified
                .then(|| {
                    let latest = (deadline + Duration::days(20)).min(data_end);
                    let span = (latest - found_on).num_days().max(0) as usize;
                    found_on + Duration::days(rng.below(span + 1) as i64)
                })
                .filter(|d| *d <= data_end);
            hidden_hazards.push(HiddenHazard {
                found_on,
                major,
                sector,
                supervision,
                deadline,
                rectified_on,
                at,
            });
        }
    }
    hidden_hazards.sort_by_key(|h| h.found_on);

    TownAssets {
        enterprises,
        communities,
        shelters,
        fire_stations,
        geohazard_sites,
        hidden_hazards,
    }
}

/// A pipeline: a smooth random walk across the region.
pub struct Pipeline {
    /// `oil` or `gas`.
    pub kind: &'static str,
    /// Commissioning date.
    pub opened_on: NaiveDate,
    /// Lon/lat vertices.
    pub line: LineString<f64>,
}

/// Pipelines crossing the region, about one per 15 km of region size.
pub fn pipelines(seed: u64, radius_km: f64, frame: &Frame, years: (i32, i32)) -> Vec<Pipeline> {
    let n = ((radius_km * 1.77 / 15.0).round() as usize).max(2);
    (0..n)
        .map(|i| {
            let mut rng = Stream::new(seed, "pipeline", i as u64);
            let angle = rng.range(0.0, std::f64::consts::TAU);
            let offset = rng.range(-0.6, 0.6) * radius_km;
            let (dx, dy) = (angle.cos(), angle.sin());
            let mut p = [
                -dx * radius_km * 1.1 - dy * offset,
                -dy * radius_km * 1.1 + dx * offset,
            ];
            let mut heading = angle;
            let step = (radius_km / 40.0).clamp(0.3, 5.0);
            let mut coords = Vec::new();
            for _ in 0..(2.2 * radius_km / step) as usize {
                let (lon, lat) = frame.to_lonlat(p[0], p[1]);
                coords.push(Coord {
                    x: round6(lon),
                    y: round6(lat),
                });
                heading += 0.12 * rng.normal();
                heading = angle + (heading - angle).clamp(-0.7, 0.7);
                p = [p[0] + step * heading.cos(), p[1] + step * heading.sin()];
            }
            let kind = if rng.chance(0.6) { "gas" } else { "oil" };
            let opened = years.1 - rng.below(25) as i32;
            Pipeline {
                kind,
                opened_on: random_day(&mut rng, opened),
                line: LineString::new(coords),
            }
        })
        .collect()
}

/// A scenic area.
pub struct ScenicArea {
    /// Chinese name.
    pub name: String,
    /// Visitors a year.
    pub annual_visitors: i64,
    /// Outline, lon/lat.
    pub polygon: Polygon<f64>,
    /// Code of the township it lies in.
    pub code: String,
}

/// Scenic areas, in forested mountains, about one per 250 km².
pub fn scenic_areas(
    seed: u64,
    towns: &[Town],
    frame: &Frame,
    terrain: &Terrain,
) -> Vec<ScenicArea> {
    let total_area: f64 = towns.iter().map(|t| t.area_km2).sum();
    let n = ((total_area / 250.0).round() as usize).max(3);
    let weights: Vec<f64> = towns
        .iter()
        .map(|t| t.area_km2 * (0.1 + t.cov.forest * t.cov.mountain))
        .collect();
    let mut taken = std::collections::HashSet::new();
    (0..n)
        .map(|i| {
            let mut rng = Stream::new(seed, "scenic", i as u64);
            let t = rng.weighted(&weights);
            let town = &towns[t];
            let centre = town
                .weighted(frame, &mut rng, |[x, y]| terrain.forest(x, y))
                .xy;
            let radius = rng.range(0.5, 2.0).min((town.area_km2 / 20.0).sqrt());
            let coef: Vec<(f64, f64)> = (0..4)
                .map(|_| {
                    (
                        rng.range(-0.12, 0.12),
                        rng.range(0.0, std::f64::consts::TAU),
                    )
                })
                .collect();
            let mut ring: Vec<Coord<f64>> = (0..48)
                .map(|k| {
                    let a = k as f64 / 48.0 * std::f64::consts::TAU;
                    let r = radius
                        * (1.0
                            + coef
                                .iter()
                                .enumerate()
                                .map(|(h, (c, ph))| c * ((h as f64 + 2.0) * a + ph).cos())
                                .sum::<f64>());
                    let (lon, lat) =
                        frame.to_lonlat(centre[0] + r * a.cos(), centre[1] + r * a.sin());
                    Coord {
                        x: round6(lon),
                        y: round6(lat),
                    }
                })
                .collect();
            ring.push(ring[0]);
            let stem = crate::admin::place_stem(&mut rng, &mut taken);
            let suffix = ["山风景区", "湖景区", "森林公园", "古镇景区", "峡谷景区"][rng.below(5)];
            ScenicArea {
                name: format!("{stem}{suffix}"),
                annual_visitors: (rng.lognormal(11.0, 1.0)).round() as i64,
                polygon: Polygon::new(LineString::new(ring), vec![]),
                code: town.code.clone(),
            }
        })
        .collect()
}
