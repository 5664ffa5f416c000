//! `riskmap.toml` in the region folder: per-source paths, column names,
//! value labels, coordinate systems and encodings, and validation settings.
//! Unknown keys are errors that name the key and the file, since a typo that
//! is silently ignored would silently drop data.
//!
//! ```toml
//! [validate]
//! snap_tolerance_m = 100        # points this close outside the region are snapped
//! fix_swapped = false           # accept (and swap back) points with lon and lat exchanged
//!
//! [stats]
//! permutations = 999            # local Moran conditional permutations
//! seed = 2021                   # same seed, same pseudo p-values
//! alpha = 0.05                  # significance of LISA classes and hot spots
//! fdr = false                   # Benjamini–Hochberg correction of local Moran p-values
//! cell_size_m = 1000            # emerging-hot-spot grid cell
//! time_window = 1               # preceding years in a space-time neighbourhood
//!
//! [heatmaps]
//! kernel = "quartic"            # or "gaussian"
//! bandwidth_m = 2000            # default: ArcGIS's spatial Silverman rule per measure
//! cell_size_m = 100             # default: the region's longer side / 800, at least 50 m
//! weights = { forest_fires = "burned_area_ha" } # or deaths, injuries, loss_10k_cny
//!
//! [alerts]                     # the nightly prospective space-time scan (docs/METHODOLOGY.md)
//! enabled = true
//! max_population_share = 0.5    # circles up to this share of the population
//! max_radius_km = 30            # and, if set, this radius
//! max_days = 60                 # windows of 1..max_days days ending on the last day
//! study_days = 365              # the scan's study period
//! baseline_years = 3            # years before it that give the baseline and the season
//! replicates = 999              # Monte Carlo replicates
//! seed = 2021
//! recurrence_days = 365         # an alert is as rare as once in this many days without a cluster
//! min_cases = 3                 # fewer cases than this is never an alert
//! adjust_township_level = true  # a township's own level over the study period is its usual
//!
//! [sources.incidents]
//! path = "事故台账.xlsx"          # default: found by stem
//! crs = "GCJ02"                  # default EPSG:4326; any EPSG:n, or GCJ02
//! encoding = "gbk"               # default: detected (UTF-8, UTF-8 with BOM, GBK)
//! date_format = "%Y年%m月%d日"    # tried before the ISO 8601 forms
//! [sources.incidents.columns]    # SPEC name = column name in the file
//! occurred_at = "发生时间"
//! [sources.incidents.values.category]   # value in the file = SPEC key
//! "工贸" = "industrial_trade"
//!
//! [township_aliases]             # ledger rows without lon/lat are placed by township name;
//! "老城区" = "330802001000"       # a name the ledgers use = a township code (or layer name)
//!
//! [scores]                       # see riskmap_score::ScoreConfig and docs/METHODOLOGY.md
//! across = "geometric"
//! [scores.dimensions]
//! natural = 1.5
//! [scores.levels]
//! method = "quantile"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use riskmap_domain::{Crs, Source};
use serde::Deserialize;

use crate::error::PipelineError;

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Per-source settings, by source stem.
    #[serde(default)]
    pub sources: BTreeMap<String, SourceConfig>,
    /// Validation settings.
    #[serde(default)]
    pub validate: ValidateConfig,
    /// Score weights, transforms, levels and Monte Carlo settings (`[scores]`).
    #[serde(default)]
    pub scores: riskmap_score::ScoreConfig,
    /// Spatial statistics settings.
    #[serde(default)]
    pub stats: StatsConfig,
    /// Heatmap (kernel density) settings.
    #[serde(default)]
    pub heatmaps: HeatmapConfig,
    /// Nightly alerts: the prospective space-time scan (`[alerts]`).
    #[serde(default)]
    pub alerts: AlertsConfig,
    /// Township names used in the ledgers → a township code (or the name the
    /// townships layer uses), for rows placed by name (`[township_aliases]`).
    #[serde(default)]
    pub township_aliases: BTreeMap<String, String>,
}

/// `[heatmaps]` in `riskmap.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeatmapConfig {
    /// `quartic` (default, as ArcGIS) or `gaussian`.
    pub kernel: String,
    /// Bandwidth in metres (σ for the Gaussian, the radius for the quartic);
    /// default: ArcGIS's spatial Silverman rule per measure.
    pub bandwidth_m: Option<f64>,
    /// Cell size in metres; default: the region's longer side / 800, at least 50 m.
    pub cell_size_m: Option<f64>,
    /// Source → field to weight points by (`deaths`, `injuries`, `loss_10k_cny`, `burned_area_ha`).
    pub weights: BTreeMap<String, String>,
}

impl Default for HeatmapConfig {
    fn default() -> Self {
        HeatmapConfig {
            kernel: "quartic".into(),
            bandwidth_m: None,
            cell_size_m: None,
            weights: BTreeMap::new(),
        }
    }
}

impl HeatmapConfig {
    /// Checks the values; the message names the key.
    pub fn check(&self) -> Result<(), String> {
        if !matches!(self.kernel.as_str(), "quartic" | "gaussian") {
            return Err(format!(
                "`heatmaps.kernel = \"{}\"`: use quartic or gaussian",
                self.kernel
            ));
        }
        for (key, v) in [
            ("bandwidth_m", self.bandwidth_m),
            ("cell_size_m", self.cell_size_m),
        ] {
            if v.is_some_and(|v| v.is_nan() || v <= 0.0) {
                return Err(format!("`heatmaps.{key}` must be more than 0 metres"));
            }
        }
        for (source, field) in &self.weights {
            if !HEATMAP_SOURCES.iter().any(|s| s.stem() == source) {
                return Err(format!("`heatmaps.weights.{source}`: heatmaps are drawn for incidents, fires, forest_fires and geohazard_events"));
            }
            if !HEATMAP_WEIGHTS.contains(&field.as_str()) {
                return Err(format!("`heatmaps.weights.{source} = \"{field}\"`: weight by deaths, injuries, loss_10k_cny or burned_area_ha"));
            }
        }
        Ok(())
    }
}

/// The fields a heatmap may weight its points by (`[heatmaps] weights`).
pub const HEATMAP_WEIGHTS: [&str; 4] = ["deaths", "injuries", "loss_10k_cny", "burned_area_ha"];

/// The point sources that get a heatmap.
pub const HEATMAP_SOURCES: [Source; 4] = [
    Source::Incidents,
    Source::Fires,
    Source::ForestFires,
    Source::GeohazardEvents,
];

/// Spatial statistics settings (`[stats]`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatsConfig {
    /// Conditional permutations for local Moran pseudo p-values (and global Moran).
    pub permutations: usize,
    /// Seed of the permutations: the same seed gives the same p-values.
    pub seed: u64,
    /// Significance level for LISA classes and hot spots.
    pub alpha: f64,
    /// Benjamini–Hochberg false-discovery-rate correction of local Moran p-values.
    pub fdr: bool,
    /// Cell size of the emerging-hot-spot grid, metres.
    pub cell_size_m: f64,
    /// Preceding years in a space-time bin's neighbourhood.
    pub time_window: usize,
}

impl Default for StatsConfig {
    fn default() -> Self {
        StatsConfig {
            permutations: 999,
            seed: 2021,
            alpha: 0.05,
            fdr: false,
            cell_size_m: 1000.0,
            time_window: 1,
        }
    }
}

/// Nightly alert settings (`[alerts]`): Kulldorff's prospective
/// space-time scan per event source and incident category.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// Run the scan.
    pub enabled: bool,
    /// Circles grow from each township's representative point to this share
    /// of the population (of the cases, without population), at most 0.5.
    pub max_population_share: f64,
    /// And, if set, to this radius, km.
    pub max_radius_km: Option<f64>,
    /// Longest time window, days; windows end on the last day of data.
    pub max_days: usize,
    /// Length of the study period, days (the scan conditions on its cases).
    pub study_days: usize,
    /// Years before the study period that give each township's baseline
    /// rate and the season (Poisson model).
    pub baseline_years: usize,
    /// Monte Carlo replicates.
    pub replicates: usize,
    /// Seed of the replicates.
    pub seed: u64,
    /// A cluster is an alert when it would happen by chance at most once in
    /// this many days of daily scans: p ≤ 1 / recurrence_days.
    pub recurrence_days: f64,
    /// A cluster with fewer cases is never an alert.
    pub min_cases: usize,
    /// Poisson model: each township's expected cases over the study period
    /// are its own observed cases (SaTScan's adjustment for purely spatial
    /// clusters), so that a township that has been busy all year is no
    /// alert; `false` takes its level from the baseline years instead.
    pub adjust_township_level: bool,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            enabled: true,
            max_population_share: 0.5,
            max_radius_km: None,
            max_days: 60,
            study_days: 365,
            baseline_years: 3,
            replicates: 999,
            seed: 2021,
            recurrence_days: 365.0,
            min_cases: 3,
            adjust_township_level: true,
        }
    }
}

impl AlertsConfig {
    /// Checks the values; the message names the key and what to write.
    pub fn check(&self) -> Result<(), String> {
        let share = self.max_population_share;
        if !(share > 0.0 && share <= 0.5) {
            return Err(format!("`alerts.max_population_share = {share}`: use a share above 0 and at most 0.5 (SaTScan's limit: a larger circle's outside would be the cluster)"));
        }
        if self.max_radius_km.is_some_and(|r| r.is_nan() || r <= 0.0) {
            return Err(
                "`alerts.max_radius_km` must be more than 0 km (leave it out for no limit)".into(),
            );
        }
        if self.max_days == 0 || self.study_days < self.max_days {
            return Err(format!(
                "`alerts.max_days = {}`, `alerts.study_days = {}`: use 1 ≤ max_days ≤ study_days",
                self.max_days, self.study_days
            ));
        }
        if self.recurrence_days.is_nan() || self.recurrence_days < 1.0 {
            return Err(format!(
                "`alerts.recurrence_days = {}`: use 1 day or more (365 = once a year)",
                self.recurrence_days
            ));
        }
        // The smallest p the replicates can give is 1 / (replicates + 1).
        if ((self.replicates + 1) as f64) < self.recurrence_days {
            return Err(format!("`alerts.replicates = {}` cannot show a recurrence of {} days (p ≤ 1/{}): use at least {} replicates", self.replicates, self.recurrence_days, self.recurrence_days, self.recurrence_days.ceil() as usize - 1));
        }
        Ok(())
    }
}

/// Settings of one source.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// File, relative to the region folder.
    pub path: Option<String>,
    /// Coordinate system of the coordinates: `EPSG:n` or `GCJ02`.
    pub crs: Option<String>,
    /// `utf-8`, `gbk` or `auto`.
    pub encoding: Option<String>,
    /// A chrono format for dates, tried first.
    pub date_format: Option<String>,
    /// SPEC column name → column name in the file.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Field → (value in the file → SPEC key).
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

/// Validation settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateConfig {
    /// Snap tolerance, metres.
    #[serde(default = "default_snap")]
    pub snap_tolerance_m: f64,
    /// Accept points with lon and lat exchanged, swapping them back.
    #[serde(default)]
    pub fix_swapped: bool,
}

fn default_snap() -> f64 {
    100.0
}

impl Default for ValidateConfig {
    fn default() -> Self {
        ValidateConfig {
            snap_tolerance_m: default_snap(),
            fix_swapped: false,
        }
    }
}

/// Parses `EPSG:n`, `GCJ02` or `GCJ-02`.
pub fn parse_crs(text: &str) -> Option<Crs> {
    let t = text.trim().to_ascii_uppercase();
    if t == "GCJ02" || t == "GCJ-02" {
        return Some(Crs::Gcj02);
    }
    t.strip_prefix("EPSG:")
        .and_then(|n| n.parse().ok())
        .map(Crs::Epsg)
}

/// Column headers a Chinese export commonly uses, recognised without
/// configuration when the SPEC name is absent.
pub const DEFAULT_ALIASES: &[(&str, &str)] = &[
    ("编号", "id"),
    ("发生时间", "occurred_at"),
    ("经度", "lon"),
    ("纬度", "lat"),
    ("死亡人数", "deaths"),
    ("受伤人数", "injuries"),
    ("事故类别", "category"),
    ("直接经济损失", "loss_10k_cny"),
    ("乡镇代码", "township_code"),
    ("乡镇编码", "township_code"),
    // The township a ledger row names, for rows without coordinates.
    ("乡镇", "township"),
    ("乡镇（街道）", "township"),
    ("乡镇(街道)", "township"),
    ("乡镇街道", "township"),
    ("所属乡镇", "township"),
    ("发生乡镇", "township"),
    ("乡镇名称", "township"),
    ("所属乡镇（街道）", "township"),
    // The county of that township, which settles a name two counties share.
    ("县区", "county"),
    ("区县", "county"),
    ("所属县区", "county"),
    ("所属区县", "county"),
    ("县（市、区）", "county"),
    ("发现日期", "found_on"),
    ("隐患等级", "level"),
];

impl Config {
    /// Reads `riskmap.toml` from the region folder, or the defaults if absent.
    pub fn load(data: &Path) -> Result<Config, PipelineError> {
        let path = data.join("riskmap.toml");
        if !path.exists() {
            return Ok(Config::default());
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| PipelineError::Input(format!("{}: {e}", path.display())))?;
        let config: Config = toml::from_str(&text).map_err(|e| {
            PipelineError::Input(format!(
                "{}: {}; see the riskmap.toml keys in SPEC.md",
                path.display(),
                e.to_string().trim_end()
            ))
        })?;
        for (name, source) in &config.sources {
            if Source::from_stem(name).is_none() {
                return Err(PipelineError::Input(format!(
                    "{}: unknown source `sources.{name}`; use one of: {}",
                    path.display(),
                    Source::ALL
                        .iter()
                        .map(|s| s.stem())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            if let Some(crs) = &source.crs {
                if parse_crs(crs).is_none() {
                    return Err(PipelineError::Input(format!(
                        "{}: `sources.{name}.crs = \"{crs}\"` is not a coordinate system; write EPSG:4326, EPSG:4490, EPSG:4549, ... or GCJ02",
                        path.display()
                    )));
                }
            }
            if let Some(enc) = &source.encoding {
                if !matches!(
                    enc.to_ascii_lowercase().as_str(),
                    "utf-8" | "utf8" | "gbk" | "auto"
                ) {
                    return Err(PipelineError::Input(format!(
                        "{}: `sources.{name}.encoding = \"{enc}\"`: use utf-8, gbk or auto",
                        path.display()
                    )));
                }
            }
        }
        config
            .heatmaps
            .check()
            .map_err(|why| PipelineError::Input(format!("{}: {why}", path.display())))?;
        config
            .scores
            .check()
            .map_err(|e| PipelineError::Input(format!("{}: {e}", path.display())))?;
        config
            .alerts
            .check()
            .map_err(|why| PipelineError::Input(format!("{}: {why}", path.display())))?;
        let st = &config.stats;
        let alpha_ok = st.alpha > 0.0 && st.alpha < 1.0;
        let cell_ok = st.cell_size_m > 0.0 && st.cell_size_m.is_finite();
        if !alpha_ok || !cell_ok || st.time_window == 0 {
            return Err(PipelineError::Input(format!(
                "{}: [stats] needs 0 < alpha < 1, cell_size_m > 0 and time_window ≥ 1 (got alpha = {}, cell_size_m = {}, time_window = {})",
                path.display(),
                st.alpha,
                st.cell_size_m,
                st.time_window
            )));
        }
        if config.validate.snap_tolerance_m.is_nan() || config.validate.snap_tolerance_m < 0.0 {
            return Err(PipelineError::Input(format!(
                "{}: `validate.snap_tolerance_m` must be 0 or more metres",
                path.display()
            )));
        }
        Ok(config)
    }

    /// The settings of `source` (defaults if none).
    pub fn source(&self, source: Source) -> SourceConfig {
        self.sources.get(source.stem()).cloned().unwrap_or_default()
    }

    /// Files named by `path` keys, relative to `data`.
    pub fn paths(&self, data: &Path) -> Vec<(Source, PathBuf)> {
        self.sources
            .iter()
            .filter_map(|(name, s)| Some((Source::from_stem(name)?, data.join(s.path.as_ref()?))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, PipelineError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("riskmap.toml"), text).unwrap();
        Config::load(dir.path())
    }

    #[test]
    fn reads_the_spec_example() {
        let c = load(
            "[sources.incidents]\npath = \"事故台账.xlsx\"\ncrs = \"GCJ02\"\nencoding = \"gbk\"\n[sources.incidents.columns]\noccurred_at = \"发生时间\"\nlon = \"经度\"\n[sources.incidents.values.category]\n\"工贸\" = \"industrial_trade\"\n",
        )
        .unwrap();
        let s = c.source(Source::Incidents);
        assert_eq!(s.columns["occurred_at"], "发生时间");
        assert_eq!(s.values["category"]["工贸"], "industrial_trade");
        assert_eq!(parse_crs(s.crs.as_deref().unwrap()), Some(Crs::Gcj02));
        assert_eq!(c.validate.snap_tolerance_m, 100.0);
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_key_and_the_file() {
        let e = load("[sources.incidents]\npaht = \"x.csv\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("riskmap.toml") && e.contains("paht"), "{e}");
        let e = load("[sources.accidents]\npath = \"x.csv\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("sources.accidents"), "{e}");
        let e = load("[sources.fires]\ncrs = \"WGS84\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("sources.fires.crs"), "{e}");
        let e = load("[validate]\nsnap_tolerance_m = -5\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("snap_tolerance_m"), "{e}");
        let e = load("[scores]\ndraw = 10\n").unwrap_err().to_string();
        assert!(e.contains("riskmap.toml") && e.contains("draw"), "{e}");
        let e = load("[scores.indicators]\nhiden_hazards = 2.0\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("riskmap.toml") && e.contains("scores.indicators.hiden_hazards"),
            "{e}"
        );
        for (bad, key) in [
            (
                "[alerts]\nmax_population_share = 0.8\n",
                "alerts.max_population_share",
            ),
            ("[alerts]\nmax_days = 400\n", "alerts.max_days"),
            ("[alerts]\nreplicates = 99\n", "alerts.replicates"),
            ("[alerts]\nmax_radius_km = -1\n", "alerts.max_radius_km"),
            ("[alerts]\nmax_day = 30\n", "max_day"),
        ] {
            let e = load(bad).unwrap_err().to_string();
            assert!(e.contains("riskmap.toml") && e.contains(key), "{bad}: {e}");
        }
        let c = load("[scores]\nacross = \"arithmetic\"\n[scores.dimensions]\nnatural = 2.0\n[scores.levels]\nmethod = \"quantile\"\n").unwrap();
        assert_eq!(
            c.scores.dimension_weight(riskmap_score::Dimension::Natural),
            2.0
        );
    }
}
