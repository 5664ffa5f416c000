//! The scoring run: raw indicators, scales, dimensions, risk, ranks and
//! levels, the Monte Carlo intervals and the reasons, plus the record of
//! what was missing and what it affected.

use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::aggregate::{dimensions, level, ranks, risk, Level};
use crate::config::{ConfigError, ScoreConfig};
use crate::explain::{median, reasons, Context, Reason};
use crate::indicator::{raw_values, Dimension, Window, INDICATORS};
use crate::input::RegionInput;
use crate::transform::Scale;
use crate::uncertainty::{monte_carlo, Model};

/// One township's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TownshipScore {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Stock, incremental, natural, fire, coping (0–10; `None` when every
    /// indicator of the dimension is missing).
    pub dimensions: [Option<f64>; 5],
    /// Overall risk 0–10.
    pub risk: f64,
    /// 1 = highest risk.
    pub rank: usize,
    /// Level.
    pub level: Level,
    /// Rank interval from the Monte Carlo (NaN when it is off).
    pub rank_p10: f64,
    /// Upper end of the rank interval.
    pub rank_p90: f64,
    /// Probability of being red.
    pub p_red: f64,
    /// The rank or level moves a lot under the perturbations.
    pub unstable: bool,
    /// The three indicators that push the risk up most.
    pub reasons: Vec<Reason>,
    /// Ids of indicators missing for this township (among those used elsewhere or missing everywhere).
    pub missing: Vec<&'static str>,
    /// Indicator scores 0–10, in [`INDICATORS`] order.
    pub indicators: Vec<Option<f64>>,
    /// Raw indicator values, in [`INDICATORS`] order.
    pub raw: Vec<Option<f64>>,
}

impl TownshipScore {
    /// Dimension `d`'s score.
    pub fn dimension(&self, d: Dimension) -> Option<f64> {
        self.dimensions[d.index()]
    }
}

/// How an indicator was used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorReport {
    /// Id.
    pub id: &'static str,
    /// Dimension name.
    pub dimension: &'static str,
    /// Sources it comes from.
    pub sources: &'static str,
    /// Configured weight within its dimension.
    pub weight: f64,
    /// `used`, `missing` (no township has it), `constant` (no variation) or `zero_weight`.
    pub status: &'static str,
    /// Townships with a value.
    pub townships: usize,
    /// `log1p` or `linear`, where used.
    pub transform: Option<&'static str>,
    /// Skewness of the raw values, where used.
    pub skewness: Option<f64>,
    /// Raw value scoring 0 and 10 (after capping), where used.
    pub raw_range: Option<[f64; 2]>,
}

/// A source-backed gap and what it affected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingNote {
    /// Indicator id.
    pub indicator: &'static str,
    /// Its sources.
    pub sources: &'static str,
    /// The dimension whose weights were renormalised without it.
    pub dimension: &'static str,
    /// Townships without it.
    pub townships: usize,
    /// True when no township has it (the source is missing).
    pub everywhere: bool,
}

/// Everything scoring produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// Townships, in input order.
    pub townships: Vec<TownshipScore>,
    /// How each indicator was used.
    pub indicators: Vec<IndicatorReport>,
    /// Indicators missing somewhere, and what they affected.
    pub missing: Vec<MissingNote>,
    /// Dimensions without any indicator in the whole region (their weight
    /// went to the others).
    pub dimensions_missing: Vec<&'static str>,
    /// Monte Carlo draws run.
    pub draws: usize,
}

/// Scores the region. Fails only on a bad configuration.
pub fn score(region: &RegionInput, cfg: &ScoreConfig) -> Result<Scores, ConfigError> {
    cfg.check()?;
    let n = region.townships.len();
    let window = Window::new(region, cfg);
    let raw = raw_values::<ChaCha8Rng>(region, cfg, &window, None);

    let w: Vec<f64> = (0..INDICATORS.len())
        .map(|k| cfg.indicator_weight(k))
        .collect();
    let dim_w: [f64; 5] = std::array::from_fn(|d| cfg.dimension_weight(Dimension::ALL[d]));
    let mut scales: Vec<Option<Scale>> = Vec::with_capacity(INDICATORS.len());
    let mut reports = Vec::new();
    let mut missing = Vec::new();
    for (k, def) in INDICATORS.iter().enumerate() {
        let values: Vec<f64> = raw.iter().filter_map(|r| r[k]).collect();
        let scale = if w[k] > 0.0 {
            Scale::fit(&values, cfg.transform(k), def.inverted, cfg)
        } else {
            None
        };
        let status = match (values.is_empty(), w[k] > 0.0, scale.is_some()) {
            (true, _, _) => "missing",
            (false, false, _) => "zero_weight",
            (false, true, false) => "constant",
            (false, true, true) => "used",
        };
        if values.len() < n && w[k] > 0.0 {
            missing.push(MissingNote {
                indicator: def.id,
                sources: def.sources,
                dimension: def.dimension.name(),
                townships: n - values.len(),
                everywhere: values.is_empty(),
            });
        }
        reports.push(IndicatorReport {
            id: def.id,
            dimension: def.dimension.name(),
            sources: def.sources,
            weight: w[k],
            status,
            townships: values.len(),
            transform: scale.map(|s| if s.log { "log1p" } else { "linear" }),
            skewness: scale.map(|s| s.skewness),
            raw_range: scale.map(|s| [s.raw_at(s.lo), s.raw_at(s.hi)]),
        });
        scales.push(scale);
    }

    let scaled: Vec<Vec<Option<f64>>> = raw
        .iter()
        .map(|row| {
            row.iter()
                .zip(&scales)
                .map(|(x, s)| x.zip(*s).map(|(x, s)| s.apply(x)))
                .collect()
        })
        .collect();
    let dims: Vec<[Option<f64>; 5]> = scaled.iter().map(|s| dimensions(s, &w)).collect();
    let risks: Vec<Option<f64>> = dims.iter().map(|d| risk(d, &dim_w, cfg.across)).collect();
    let rank_keys: Vec<f64> = risks.iter().map(|r| r.unwrap_or(-1.0)).collect();
    let rk = ranks(&rank_keys);
    let levels: Vec<Level> = (0..n)
        .map(|i| level(rank_keys[i], rk[i], n, &cfg.levels))
        .collect();
    let model = Model {
        scales: &scales,
        w: &w,
        dim_w: &dim_w,
    };
    let intervals = monte_carlo(region, cfg, &window, &raw, &model, &levels);

    let median_scaled: Vec<Option<f64>> = (0..INDICATORS.len())
        .map(|k| median(scaled.iter().filter_map(|s| s[k])))
        .collect();
    let median_raw: Vec<Option<f64>> = (0..INDICATORS.len())
        .map(|k| median(raw.iter().filter_map(|s| s[k])))
        .collect();
    let dimensions_missing = Dimension::ALL
        .iter()
        .filter(|d| dims.iter().all(|x| x[d.index()].is_none()))
        .map(|d| d.name())
        .collect();
    let u = &cfg.uncertainty;
    let townships = (0..n)
        .map(|i| {
            let t = &region.townships[i];
            let r = risks[i].unwrap_or(0.0);
            let (p10, p90, p_red, agree) = if intervals.rank_p10.is_empty() {
                (f64::NAN, f64::NAN, f64::NAN, 1.0)
            } else {
                (
                    intervals.rank_p10[i],
                    intervals.rank_p90[i],
                    intervals.p_red[i],
                    intervals.level_agreement[i],
                )
            };
            let unstable =
                (p90 - p10) > u.unstable_rank_share * n as f64 || agree < u.unstable_level_prob;
            let ctx = Context {
                town: t,
                raw: &raw[i],
                scaled: &scaled[i],
                dims: &dims[i],
                risk: r,
            };
            TownshipScore {
                code: t.code.clone(),
                name: t.name.clone(),
                dimensions: dims[i],
                risk: r,
                rank: rk[i],
                level: levels[i],
                rank_p10: p10,
                rank_p90: p90,
                p_red,
                unstable,
                reasons: reasons(&ctx, &w, &dim_w, &median_scaled, &median_raw, cfg),
                missing: (0..INDICATORS.len())
                    .filter(|&k| raw[i][k].is_none() && w[k] > 0.0)
                    .map(|k| INDICATORS[k].id)
                    .collect(),
                indicators: scaled[i].clone(),
                raw: raw[i].clone(),
            }
        })
        .collect();
    Ok(Scores {
        townships,
        indicators: reports,
        missing,
        dimensions_missing,
        draws: u.draws,
    })
}
