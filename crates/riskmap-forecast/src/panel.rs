//! The data a model sees: one measure's panel of township series
//! ([`Panel`], owned) and the part of it known at a forecast origin
//! ([`History`], a cheap view that hides every later year).
//!
//! A model never sees the year it forecasts, except through inputs that are
//! known in advance: the target year's exposure (population is planned and
//! published ahead) and, for `oracle` only, the true intensity.

/// One measure's yearly series for every township, with what models may use.
///
/// Invariants (checked by [`Panel::check`]): `counts` has one row per
/// series, each with one value per year of `years`; `monthly` rows have
/// 12 values per year; `exposure` and `truth` rows have one value per year
/// plus one for the year after the last (the forecast year); `covariates`
/// is empty or one row per series, all of one length; `neighbours` is empty
/// or one list per series of indices below the series count.
#[derive(Debug, Clone, Default)]
pub struct Panel {
    /// Consecutive calendar years of `counts`, oldest first.
    pub years: Vec<i32>,
    /// Yearly counts, `counts[series][year]`.
    pub counts: Vec<Vec<f64>>,
    /// Monthly counts, `monthly[series][12 · year + month]`, when known.
    pub monthly: Option<Vec<Vec<f64>>>,
    /// Exposure (population), `exposure[series][year]`, one year longer than `years`.
    pub exposure: Option<Vec<Vec<f64>>>,
    /// Time-invariant township covariates, `covariates[series][k]` (may be empty).
    pub covariates: Vec<Vec<f64>>,
    /// Neighbouring series of each series (may be empty: no spatial structure).
    pub neighbours: Vec<Vec<usize>>,
    /// True expected counts on synthetic regions, one year longer than `years`.
    pub truth: Option<Vec<Vec<f64>>>,
}

impl Panel {
    /// A panel of yearly counts only.
    pub fn from_counts(first_year: i32, counts: Vec<Vec<f64>>) -> Panel {
        let t = counts.first().map_or(0, Vec::len);
        Panel {
            years: (first_year..first_year + t as i32).collect(),
            counts,
            ..Panel::default()
        }
    }

    /// Number of series.
    pub fn n(&self) -> usize {
        self.counts.len()
    }

    /// Checks the shape invariants; the message says which part is wrong.
    pub fn check(&self) -> Result<(), String> {
        let (n, t) = (self.n(), self.years.len());
        if self.years.windows(2).any(|w| w[1] != w[0] + 1) {
            return Err("years are not consecutive".into());
        }
        let rows = |name: &str, m: &[Vec<f64>], len: usize| -> Result<(), String> {
            if m.len() != n {
                return Err(format!("{name}: {} series, expected {n}", m.len()));
            }
            match m.iter().position(|r| r.len() != len) {
                Some(i) => Err(format!(
                    "{name}: series {i} has {} values, expected {len}",
                    m[i].len()
                )),
                None => Ok(()),
            }
        };
        rows("counts", &self.counts, t)?;
        if let Some(m) = &self.monthly {
            rows("monthly", m, 12 * t)?;
        }
        if let Some(e) = &self.exposure {
            rows("exposure", e, t + 1)?;
        }
        if let Some(e) = &self.truth {
            rows("truth", e, t + 1)?;
        }
        if !self.covariates.is_empty() {
            let k = self.covariates[0].len();
            rows("covariates", &self.covariates, k)?;
        }
        if !self.neighbours.is_empty()
            && (self.neighbours.len() != n || self.neighbours.iter().flatten().any(|&j| j >= n))
        {
            return Err("neighbours: one list per series of valid indices expected".into());
        }
        Ok(())
    }

    /// What is known after the first `len` years (1 ≤ `len` ≤ years): the
    /// view a model fits on to forecast year `len`.
    pub fn history(&self, len: usize) -> History<'_> {
        assert!(
            len >= 1 && len <= self.years.len(),
            "history of {len} years from a panel of {}",
            self.years.len()
        );
        History { panel: self, len }
    }

    /// The county total as a one-series panel (counts, monthly, exposure
    /// and truth summed; no covariates or neighbours).
    pub fn total(&self) -> Panel {
        let sum = |m: &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
            let len = m.first().map_or(0, Vec::len);
            vec![(0..len).map(|j| m.iter().map(|r| r[j]).sum()).collect()]
        };
        Panel {
            years: self.years.clone(),
            counts: sum(&self.counts),
            monthly: self.monthly.as_ref().map(sum),
            exposure: self.exposure.as_ref().map(sum),
            covariates: Vec::new(),
            neighbours: Vec::new(),
            truth: self.truth.as_ref().map(sum),
        }
    }
}

/// The first `len` years of a panel: what a model may fit on.
#[derive(Debug, Clone, Copy)]
pub struct History<'a> {
    panel: &'a Panel,
    len: usize,
}

impl<'a> History<'a> {
    /// The county total of the known years as a one-series panel (counts,
    /// monthly counts, exposure and truth summed, cut at the history's end;
    /// exposure and truth keep the target year, as [`History::exposure`]
    /// does). A model sees no count from after its origin through it.
    pub fn known_total(&self) -> Panel {
        let len = self.len;
        let cut = |m: &Vec<Vec<f64>>, keep: usize| -> Vec<Vec<f64>> {
            m.iter().map(|r| r[..keep].to_vec()).collect()
        };
        Panel {
            years: self.panel.years[..len].to_vec(),
            counts: cut(&self.panel.counts, len),
            monthly: self.panel.monthly.as_ref().map(|m| cut(m, 12 * len)),
            exposure: self.panel.exposure.as_ref().map(|m| cut(m, len + 1)),
            covariates: Vec::new(),
            neighbours: Vec::new(),
            truth: self.panel.truth.as_ref().map(|m| cut(m, len + 1)),
        }
        .total()
    }

    /// Number of series.
    pub fn n(&self) -> usize {
        self.panel.n()
    }

    /// Years known.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a history has at least one year.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The year being forecast (the one after the last known).
    pub fn target_year(&self) -> i32 {
        self.panel.years[0] + self.len as i32
    }

    /// Known yearly counts of series `i`.
    pub fn counts(&self, i: usize) -> &'a [f64] {
        &self.panel.counts[i][..self.len]
    }

    /// Known monthly counts of series `i`, if the panel has them.
    pub fn monthly(&self, i: usize) -> Option<&'a [f64]> {
        self.panel.monthly.as_ref().map(|m| &m[i][..12 * self.len])
    }

    /// Exposure of series `i` for the known years and the target year
    /// (`len + 1` values); all ones when the panel has no exposure.
    pub fn exposure(&self, i: usize) -> std::borrow::Cow<'a, [f64]> {
        match &self.panel.exposure {
            Some(e) => std::borrow::Cow::Borrowed(&e[i][..=self.len]),
            None => std::borrow::Cow::Owned(vec![1.0; self.len + 1]),
        }
    }

    /// Exposure of series `i` in the target year (1 without exposure).
    pub fn target_exposure(&self, i: usize) -> f64 {
        self.panel.exposure.as_ref().map_or(1.0, |e| e[i][self.len])
    }

    /// Whether the panel has exposure.
    pub fn has_exposure(&self) -> bool {
        self.panel.exposure.is_some()
    }

    /// Covariates of series `i` (empty when none).
    pub fn covariates(&self, i: usize) -> &'a [f64] {
        self.panel.covariates.get(i).map_or(&[], Vec::as_slice)
    }

    /// Neighbour lists (empty when the panel has no spatial structure).
    pub fn neighbours(&self) -> &'a [Vec<usize>] {
        &self.panel.neighbours
    }

    /// The true expected count of series `i` for the known years and the
    /// target year, on synthetic regions.
    pub fn truth(&self, i: usize) -> Option<&'a [f64]> {
        self.panel.truth.as_ref().map(|m| &m[i][..=self.len])
    }

    /// The history `lag` years earlier, if at least one year remains.
    pub fn earlier(&self, lag: usize) -> Option<History<'a>> {
        (lag < self.len).then_some(History {
            panel: self.panel,
            len: self.len - lag,
        })
    }

    /// Actual count of series `i` in the target year, if the panel has it
    /// (for scoring; models must not call this).
    pub fn actual(&self, i: usize) -> Option<f64> {
        self.panel.counts[i].get(self.len).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_hides_later_years() {
        let mut p = Panel::from_counts(2015, vec![vec![1.0, 2.0, 3.0], vec![0.0, 0.0, 5.0]]);
        p.exposure = Some(vec![vec![10.0; 4], vec![20.0; 4]]);
        p.check().unwrap();
        let h = p.history(2);
        assert_eq!(h.counts(1), &[0.0, 0.0]);
        assert_eq!(h.target_year(), 2017);
        assert_eq!(h.exposure(0).len(), 3);
        assert_eq!(h.actual(1), Some(5.0));
        assert_eq!(h.earlier(1).unwrap().counts(0), &[1.0]);
        assert!(h.earlier(2).is_none());
        assert_eq!(p.total().counts, vec![vec![1.0, 2.0, 8.0]]);
        // The total a model may see stops at the history's end.
        let known = h.known_total();
        known.check().unwrap();
        assert_eq!(known.counts, vec![vec![1.0, 2.0]]);
        assert_eq!(known.exposure, Some(vec![vec![30.0; 3]]));
        assert_eq!(known.history(2).target_year(), 2017);
        p.exposure = Some(vec![vec![10.0; 3], vec![20.0; 4]]);
        assert!(p.check().unwrap_err().contains("exposure"));
    }
}
