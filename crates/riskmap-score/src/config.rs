//! The scoring configuration: weights, transforms, level thresholds and the
//! Monte Carlo settings. It deserialises from the `[scores]` table of
//! `riskmap.toml` with unknown keys rejected, and [`ScoreConfig::check`]
//! names any bad key (an unknown indicator, a negative weight, unordered
//! breaks) so that a typo never silently changes a score.
//!
//! ```toml
//! [scores]
//! draws = 200
//! [scores.dimensions]
//! natural = 1.5
//! [scores.indicators]
//! hidden_hazards = 2.0
//! [scores.levels]
//! method = "quantile"
//! shares = [0.1, 0.2, 0.3]
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{Dimension, INDICATORS};

/// How the dimensions are combined into `risk`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mean {
    /// Weighted arithmetic mean.
    Arithmetic,
    /// Weighted geometric mean of (1 + score), minus 1, so that a single
    /// zero dimension does not zero the whole risk (see METHODOLOGY.md).
    Geometric,
}

/// How an indicator is transformed before scaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// log(1 + x) when the values are skewed (sample skewness above
    /// [`ScoreConfig::skew_threshold`]) and non-negative, else linear.
    Auto,
    /// Always log(1 + x) (non-negative indicators only).
    Log,
    /// Never transformed.
    Linear,
}

/// How risk levels are assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelMethod {
    /// Fixed breaks on the 0–10 risk scale.
    Fixed,
    /// Shares of townships by rank: the top `shares[0]` red, the next
    /// `shares[1]` orange, the next `shares[2]` yellow, the rest blue.
    Quantile,
}

/// Level thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LevelConfig {
    /// Rank shares (default: the colours say "among the top 10% of this region", which is what a min–max score supports) or fixed breaks.
    pub method: LevelMethod,
    /// Lower bounds of red, orange and yellow on the 0–10 scale (descending).
    pub breaks: [f64; 3],
    /// Shares of townships that are red, orange and yellow (quantile method).
    pub shares: [f64; 3],
}

impl Default for LevelConfig {
    fn default() -> Self {
        LevelConfig {
            method: LevelMethod::Quantile,
            breaks: [6.5, 5.0, 3.5],
            shares: [0.1, 0.2, 0.3],
        }
    }
}

/// Weights of the hidden-hazard ledger: a general hazard counts 1; a major
/// one counts by who supervises it; an overdue hazard is multiplied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HiddenHazardWeights {
    /// An open general hazard.
    pub general: f64,
    /// An open major hazard supervised by the province, city, county, safety
    /// committee, or not listed ([`crate::Supervision`] order).
    pub major: [f64; 5],
    /// Multiplier for an overdue hazard.
    pub overdue_factor: f64,
}

impl Default for HiddenHazardWeights {
    fn default() -> Self {
        HiddenHazardWeights {
            general: 1.0,
            major: [10.0, 8.0, 6.0, 5.0, 5.0],
            overdue_factor: 2.0,
        }
    }
}

/// The Monte Carlo settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UncertaintyConfig {
    /// Draws (0 switches the Monte Carlo off).
    pub draws: usize,
    /// Seed of the draws.
    pub seed: u64,
    /// Dirichlet concentration around the configured weights: the weights of
    /// a group are drawn as Dirichlet(concentration × w / Σw). 50 moves a
    /// weight of 1/5 by about ±0.06 (one sd).
    pub concentration: f64,
    /// Resample event counts (Poisson with the observed count as its mean).
    pub resample_counts: bool,
    /// A rank is unstable when its p10–p90 interval spans more than this
    /// share of the townships...
    pub unstable_rank_share: f64,
    /// ...or when the township's level holds in fewer than this share of draws.
    pub unstable_level_prob: f64,
}

impl Default for UncertaintyConfig {
    fn default() -> Self {
        UncertaintyConfig {
            draws: 200,
            seed: 2021,
            concentration: 50.0,
            resample_counts: true,
            unstable_rank_share: 1.0 / 3.0,
            unstable_level_prob: 0.5,
        }
    }
}

/// The whole `[scores]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreConfig {
    /// Dimension weights by name (`stock`, `incremental`, `natural`, `fire`,
    /// `coping`); a dimension not named keeps weight 1.
    pub dimensions: BTreeMap<String, f64>,
    /// Indicator weights by id; an indicator not named keeps its default.
    pub indicators: BTreeMap<String, f64>,
    /// Transforms by indicator id; default `auto`.
    pub transforms: BTreeMap<String, Transform>,
    /// Combination across dimensions.
    pub across: Mean,
    /// Skewness above which `auto` takes log(1 + x) (INFORM uses skewness and
    /// kurtosis; 1 is the common "highly skewed" bound).
    pub skew_threshold: f64,
    /// Quantiles at which the min–max scaling is capped (outliers beyond them
    /// score 0 or 10).
    pub cap_quantiles: [f64; 2],
    /// Years of event history used (the as-of year and the years before it).
    pub window_years: usize,
    /// Half-life of the recency weights, years.
    pub half_life_years: f64,
    /// Weight of a death relative to an event in the severity-weighted counts.
    pub death_weight: f64,
    /// Weight of an injury relative to an event.
    pub injury_weight: f64,
    /// How recent an opening makes an enterprise "newly opened", years.
    pub new_enterprise_years: f64,
    /// Hidden-hazard weights.
    pub hidden_hazards: HiddenHazardWeights,
    /// Levels.
    pub levels: LevelConfig,
    /// Monte Carlo.
    pub uncertainty: UncertaintyConfig,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            dimensions: BTreeMap::new(),
            indicators: BTreeMap::new(),
            transforms: BTreeMap::new(),
            across: Mean::Geometric,
            skew_threshold: 1.0,
            cap_quantiles: [0.05, 0.95],
            window_years: 5,
            half_life_years: 2.0,
            death_weight: 1.0,
            injury_weight: 0.2,
            new_enterprise_years: 3.0,
            hidden_hazards: HiddenHazardWeights::default(),
            levels: LevelConfig::default(),
            uncertainty: UncertaintyConfig::default(),
        }
    }
}

/// A configuration value that cannot be used, with its key (`scores.indicators.foo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The key at fault, from `scores`.
    pub key: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: {}", self.key, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl ScoreConfig {
    /// Checks names and ranges; the error names the key.
    pub fn check(&self) -> Result<(), ConfigError> {
        let err = |key: String, message: String| Err(ConfigError { key, message });
        let ids: Vec<&str> = INDICATORS.iter().map(|d| d.id).collect();
        for (name, w) in &self.dimensions {
            if Dimension::from_name(name).is_none() {
                return err(
                    format!("scores.dimensions.{name}"),
                    "unknown dimension; use stock, incremental, natural, fire or coping".into(),
                );
            }
            if !(w.is_finite() && *w >= 0.0) {
                return err(
                    format!("scores.dimensions.{name}"),
                    format!("weight {w} must be 0 or more"),
                );
            }
        }
        for (map, what) in [(&self.indicators, "indicators")] {
            for (name, w) in map {
                if !ids.contains(&name.as_str()) {
                    return err(
                        format!("scores.{what}.{name}"),
                        format!("unknown indicator; use one of: {}", ids.join(", ")),
                    );
                }
                if !(w.is_finite() && *w >= 0.0) {
                    return err(
                        format!("scores.{what}.{name}"),
                        format!("weight {w} must be 0 or more"),
                    );
                }
            }
        }
        for name in self.transforms.keys() {
            if !ids.contains(&name.as_str()) {
                return err(
                    format!("scores.transforms.{name}"),
                    format!("unknown indicator; use one of: {}", ids.join(", ")),
                );
            }
        }
        let [lo, hi] = self.cap_quantiles;
        if !(0.0 <= lo && lo < hi && hi <= 1.0) {
            return err(
                "scores.cap_quantiles".into(),
                "write two quantiles 0 <= lo < hi <= 1, e.g. [0.05, 0.95]".into(),
            );
        }
        if self.window_years == 0 {
            return err("scores.window_years".into(), "must be at least 1".into());
        }
        for (key, v) in [
            ("half_life_years", self.half_life_years),
            ("new_enterprise_years", self.new_enterprise_years),
            ("uncertainty.concentration", self.uncertainty.concentration),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return err(format!("scores.{key}"), format!("{v} must be positive"));
            }
        }
        for (key, v) in [
            ("death_weight", self.death_weight),
            ("injury_weight", self.injury_weight),
            ("skew_threshold", self.skew_threshold),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return err(format!("scores.{key}"), format!("{v} must be 0 or more"));
            }
        }
        let b = self.levels.breaks;
        if !(b[0] >= b[1] && b[1] >= b[2] && b.iter().all(|x| (0.0..=10.0).contains(x))) {
            return err("scores.levels.breaks".into(), "write the lower bounds of red, orange and yellow, descending within 0–10, e.g. [6.5, 5.0, 3.5]".into());
        }
        let s = self.levels.shares;
        if !(s.iter().all(|x| *x >= 0.0) && s.iter().sum::<f64>() <= 1.0) {
            return err("scores.levels.shares".into(), "write the shares of red, orange and yellow townships, each 0 or more, summing to at most 1".into());
        }
        let hh = &self.hidden_hazards;
        if !(hh.general >= 0.0 && hh.major.iter().all(|w| *w >= 0.0) && hh.overdue_factor >= 1.0) {
            return err(
                "scores.hidden_hazards".into(),
                "weights must be 0 or more and overdue_factor at least 1".into(),
            );
        }
        for (key, v) in [
            ("unstable_rank_share", self.uncertainty.unstable_rank_share),
            ("unstable_level_prob", self.uncertainty.unstable_level_prob),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return err(
                    format!("scores.uncertainty.{key}"),
                    format!("{v} must be within 0–1"),
                );
            }
        }
        Ok(())
    }

    /// The weight of dimension `d`.
    pub fn dimension_weight(&self, d: Dimension) -> f64 {
        self.dimensions.get(d.name()).copied().unwrap_or(1.0)
    }

    /// The weight of indicator `k` (index into [`INDICATORS`]).
    pub fn indicator_weight(&self, k: usize) -> f64 {
        self.indicators
            .get(INDICATORS[k].id)
            .copied()
            .unwrap_or(INDICATORS[k].weight)
    }

    /// The transform of indicator `k`.
    pub fn transform(&self, k: usize) -> Transform {
        self.transforms
            .get(INDICATORS[k].id)
            .copied()
            .unwrap_or(Transform::Auto)
    }
}
