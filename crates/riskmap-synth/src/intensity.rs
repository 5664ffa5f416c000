//! The known space-time intensity that events are drawn from.
//!
//! For township i, measure k, year y and month m the expected count is
//!
//! ```text
//! E[i,k,y,m] = base_k · X[i,k](y) · exp(beta_k · z[i,k]) · exp(sigma_k · u[i,k] − sigma_k²/2)
//!              · exp((ln(1 + g_k) + v[i,k]) · (y − y_last)) · s_k(m) / 12
//! ```
//!
//! where X is the measure's exposure (people in 10,000s, enterprises of the
//! matching sector, forest km², geohazard sites), z a standardised covariate,
//! u a spatially correlated standard-normal township effect (iid normals
//! averaged over each township's neighbours twice, then re-standardised), g
//! the region-wide yearly trend, v a township's own trend deviation and s the
//! seasonal profile (mean 1). Counts are Poisson given a gamma multiplier per
//! township, measure and year with shape `dispersion` and mean 1, so they are
//! over-dispersed (negative binomial) while `E` stays their expectation.

use crate::assets::TownAssets;
use crate::region::Town;
use crate::rng::Stream;

/// What a measure's exposure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exposure {
    /// People, in 10,000s.
    Population,
    /// Enterprises of these sectors.
    Enterprises(&'static [&'static str]),
    /// Forest area, km².
    ForestKm2,
    /// Geohazard sites plus steep area (km²) / 5.
    GeohazardSites,
}

/// Which township covariate modulates the measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Covariate {
    /// log people per km².
    PopulationDensity,
    /// log enterprises per km².
    EnterpriseDensity,
    /// Share of old residential communities (raw, not standardised).
    OldCommunities,
    /// Mean slope.
    Slope,
    /// Share of area steeper than 25°.
    SteepShare,
}

/// One measure of the truth and how it is generated.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MeasureSpec {
    /// Measure name (SPEC: `fires`, `incidents:road_traffic`).
    pub name: &'static str,
    /// Expected events per unit of exposure per year at the last data year.
    pub base: f64,
    /// Exposure.
    pub exposure: Exposure,
    /// Covariate and its coefficient.
    pub covariate: (Covariate, f64),
    /// Yearly trend (−0.04 = 4% fewer a year).
    pub trend: f64,
    /// Sd of the spatial township effect (log scale).
    pub sigma: f64,
    /// Sd of a township's own yearly trend deviation (log scale).
    pub trend_sd: f64,
    /// Gamma shape of the yearly over-dispersion.
    pub dispersion: f64,
    /// Seasonal weights January to December (normalised to mean 1 on use).
    pub season: [f64; 12],
}

const FLAT: [f64; 12] = [1.0; 12];

/// The measures, in output order. Magnitudes follow a county of 600,000
/// people: about 70 production-safety accidents, 450 fires, 10 forest fires
/// and 12 geohazard events a year.
pub fn measures() -> Vec<MeasureSpec> {
    let incident = |name, base, exposure, covariate, trend, season| MeasureSpec {
        name,
        base,
        exposure,
        covariate,
        trend,
        sigma: 0.35,
        trend_sd: 0.03,
        dispersion: 6.0,
        season,
    };
    vec![
        incident(
            "incidents:industrial_trade",
            0.0105,
            Exposure::Enterprises(&["manufacturing", "trade", "warehousing", "other"]),
            (Covariate::EnterpriseDensity, 0.2),
            -0.06,
            [
                0.8, 0.6, 1.0, 1.0, 1.05, 1.1, 1.1, 1.1, 1.05, 1.0, 1.05, 1.15,
            ],
        ),
        incident(
            "incidents:road_traffic",
            0.5,
            Exposure::Population,
            (Covariate::PopulationDensity, 0.25),
            -0.04,
            [
                1.1, 1.0, 0.95, 1.0, 1.0, 0.95, 0.95, 1.0, 1.0, 1.05, 1.0, 1.1,
            ],
        ),
        incident(
            "incidents:construction",
            0.045,
            Exposure::Enterprises(&["construction"]),
            (Covariate::PopulationDensity, 0.15),
            0.02,
            [0.7, 0.5, 1.0, 1.1, 1.2, 1.2, 1.1, 1.1, 1.1, 1.0, 1.0, 1.0],
        ),
        incident(
            "incidents:hazardous_chemicals",
            0.02,
            Exposure::Enterprises(&["hazardous_chemicals"]),
            (Covariate::EnterpriseDensity, 0.1),
            -0.03,
            FLAT,
        ),
        incident(
            "incidents:fireworks",
            0.015,
            Exposure::Enterprises(&["fireworks"]),
            (Covariate::PopulationDensity, 0.0),
            -0.05,
            [1.8, 2.5, 0.8, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.9, 0.9, 1.4],
        ),
        incident(
            "incidents:mining",
            0.05,
            Exposure::Enterprises(&["mining"]),
            (Covariate::Slope, 0.2),
            -0.08,
            FLAT,
        ),
        incident(
            "incidents:other",
            0.1,
            Exposure::Population,
            (Covariate::PopulationDensity, 0.0),
            0.0,
            FLAT,
        ),
        MeasureSpec {
            name: "fires",
            base: 6.5,
            exposure: Exposure::Population,
            covariate: (Covariate::OldCommunities, 0.8),
            trend: 0.015,
            sigma: 0.25,
            trend_sd: 0.02,
            dispersion: 20.0,
            season: [
                1.4, 1.6, 1.2, 1.0, 0.85, 0.75, 0.75, 0.75, 0.8, 0.9, 1.0, 1.3,
            ],
        },
        MeasureSpec {
            name: "forest_fires",
            base: 0.018,
            exposure: Exposure::ForestKm2,
            covariate: (Covariate::Slope, 0.2),
            trend: -0.03,
            sigma: 0.4,
            trend_sd: 0.03,
            dispersion: 4.0,
            season: [1.3, 1.6, 1.7, 2.6, 0.6, 0.2, 0.25, 0.35, 0.6, 0.9, 1.1, 1.4],
        },
        MeasureSpec {
            name: "geohazard_events",
            base: 0.07,
            exposure: Exposure::GeohazardSites,
            covariate: (Covariate::SteepShare, 2.0),
            trend: 0.02,
            sigma: 0.4,
            trend_sd: 0.03,
            dispersion: 3.0,
            season: [0.2, 0.3, 0.5, 0.7, 1.2, 2.6, 2.3, 1.8, 1.6, 0.4, 0.2, 0.2],
        },
    ]
}

/// The fixed part of one township's intensity for one measure.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct TownEffect {
    /// Exposure in the last data year.
    pub exposure: f64,
    /// Covariate value (standardised unless raw by definition).
    pub covariate: f64,
    /// Spatial effect u (standard normal).
    pub effect: f64,
    /// Own trend deviation v.
    pub trend_dev: f64,
}

fn exposure_of(
    spec: &MeasureSpec,
    town: &Town,
    assets: &TownAssets,
    year: i32,
    last_year: i32,
) -> f64 {
    match spec.exposure {
        Exposure::Population => town.population_in(year, last_year) / 10_000.0,
        Exposure::Enterprises(sectors) => sectors
            .iter()
            .map(|s| assets.count_sector(s))
            .sum::<usize>() as f64,
        Exposure::ForestKm2 => town.area_km2 * town.cov.forest,
        Exposure::GeohazardSites => {
            assets.geohazard_sites.len() as f64 + town.area_km2 * town.cov.steep_share / 5.0
        }
    }
}

fn raw_covariate(c: Covariate, town: &Town, assets: &TownAssets) -> f64 {
    match c {
        Covariate::PopulationDensity => (town.population / town.area_km2).max(1.0).ln(),
        Covariate::EnterpriseDensity => {
            ((assets.enterprises.len() as f64 + 1.0) / town.area_km2).ln()
        }
        Covariate::OldCommunities => assets.old_share(),
        Covariate::Slope => town.cov.slope_deg,
        Covariate::SteepShare => town.cov.steep_share,
    }
}

fn standardise(v: &mut [f64]) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    for x in v.iter_mut() {
        *x = if sd > 0.0 { (*x - mean) / sd } else { 0.0 };
    }
}

/// The township effects of every measure: `effects[k][i]`.
pub fn town_effects(
    seed: u64,
    specs: &[MeasureSpec],
    towns: &[Town],
    assets: &[TownAssets],
    last_year: i32,
) -> Vec<Vec<TownEffect>> {
    specs
        .iter()
        .enumerate()
        .map(|(k, spec)| {
            let mut cov: Vec<f64> = towns
                .iter()
                .zip(assets)
                .map(|(t, a)| raw_covariate(spec.covariate.0, t, a))
                .collect();
            if !matches!(
                spec.covariate.0,
                Covariate::OldCommunities | Covariate::SteepShare
            ) {
                standardise(&mut cov);
            }
            // Spatially correlated effect: iid normals smoothed over neighbours.
            let mut u: Vec<f64> = (0..towns.len())
                .map(|i| Stream::new(seed, "effect", (k * 1_000_000 + i) as u64).normal())
                .collect();
            for _ in 0..2 {
                u = towns
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        (u[i] + t.neighbors.iter().map(|&j| u[j]).sum::<f64>())
                            / (1.0 + t.neighbors.len() as f64)
                    })
                    .collect();
            }
            standardise(&mut u);
            towns
                .iter()
                .zip(assets)
                .enumerate()
                .map(|(i, (t, a))| TownEffect {
                    exposure: exposure_of(spec, t, a, last_year, last_year),
                    covariate: cov[i],
                    effect: u[i],
                    trend_dev: spec.trend_sd
                        * Stream::new(seed, "trend", (k * 1_000_000 + i) as u64).normal(),
                })
                .collect()
        })
        .collect()
}

/// Expected events of measure `spec` in township `town` over `year`, by month.
pub fn expected_by_month(
    spec: &MeasureSpec,
    effect: &TownEffect,
    town: &Town,
    assets: &TownAssets,
    year: i32,
    last_year: i32,
) -> [f64; 12] {
    let exposure = exposure_of(spec, town, assets, year, last_year);
    let annual = spec.base
        * exposure
        * (spec.covariate.1 * effect.covariate).exp()
        * (spec.sigma * effect.effect - spec.sigma * spec.sigma / 2.0).exp()
        * (((1.0 + spec.trend).ln() + effect.trend_dev) * f64::from(year - last_year)).exp();
    let mean_season = spec.season.iter().sum::<f64>() / 12.0;
    spec.season.map(|s| annual * s / mean_season / 12.0)
}
