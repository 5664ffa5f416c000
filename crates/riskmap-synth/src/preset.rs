//! Region sizes: a county like the one in the annual report, a province and a
//! nation, with the same density of townships, people and hazards, so that
//! the three differ in scale only.

/// A named region size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// About 18 townships and 600,000 people.
    County,
    /// About 1,300 townships.
    Province,
    /// About 40,000 townships.
    Nation,
}

impl Preset {
    /// Parses `county`, `province` or `nation`.
    pub fn from_name(name: &str) -> Option<Preset> {
        match name {
            "county" => Some(Preset::County),
            "province" => Some(Preset::Province),
            "nation" => Some(Preset::Nation),
            _ => None,
        }
    }

    /// The preset's name.
    pub fn name(self) -> &'static str {
        match self {
            Preset::County => "county",
            Preset::Province => "province",
            Preset::Nation => "nation",
        }
    }

    /// Its parameters.
    pub fn params(self) -> PresetParams {
        match self {
            Preset::County => PresetParams {
                townships: 18,
                area_per_township_km2: 85.0,
                centre: (119.62, 29.08),
                raster_res_km: 0.1,
                province_code: 33,
                city_code: 99,
                county_code: 1,
                mean_population: 33_000.0,
                total_population: Some(600_000.0),
            },
            Preset::Province => PresetParams {
                townships: 1300,
                area_per_township_km2: 80.0,
                centre: (119.8, 29.2),
                raster_res_km: 0.5,
                province_code: 33,
                city_code: 0,
                county_code: 0,
                mean_population: 33_000.0,
                total_population: None,
            },
            Preset::Nation => PresetParams {
                townships: 40_000,
                area_per_township_km2: 75.0,
                centre: (108.0, 32.0),
                raster_res_km: 2.0,
                province_code: 0,
                city_code: 0,
                county_code: 0,
                mean_population: 33_000.0,
                total_population: None,
            },
        }
    }
}

/// What a preset fixes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PresetParams {
    /// Target number of townships (the outline decides the exact number).
    pub townships: usize,
    /// Mean township area, km².
    pub area_per_township_km2: f64,
    /// Lon/lat of the region's centre.
    pub centre: (f64, f64),
    /// Cell size of the DEM and forest-cover rasters, km.
    pub raster_res_km: f64,
    /// Province code, where the preset has a single province.
    pub province_code: u32,
    /// City code, where the preset has a single city.
    pub city_code: u32,
    /// County code, where the preset has a single county.
    pub county_code: u32,
    /// Mean population of a township before the terrain adjusts it.
    pub mean_population: f64,
    /// Total population to scale to, if fixed.
    pub total_population: Option<f64>,
}

impl PresetParams {
    /// Mean radius of the region, km.
    pub fn radius_km(&self) -> f64 {
        (self.townships as f64 * self.area_per_township_km2 / std::f64::consts::PI).sqrt()
    }

    /// Spacing of the hexagonal site lattice that gives the township area.
    pub fn spacing_km(&self) -> f64 {
        (2.0 * self.area_per_township_km2 / 3f64.sqrt()).sqrt()
    }
}
