//! The panel: counts, deaths, injuries and direct loss per township, year
//! and measure, with the year's exposure (population), and the same per
//! month for seasonality.
//!
//! Measures are each event source (`fires`) and each source and category
//! (`incidents:road_traffic`, `geohazard_events:landslide`), plus any measure
//! named in `area_counts` (yearly only). Every township appears for every year from the
//! first record to the as-of year and every measure seen, with zeros where
//! nothing happened, so that models and statistics see the zeros.

use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;
use polars::prelude::{Column, DataFrame, PlSmallStr};
use rayon::prelude::*;
use riskmap_domain::Source;
use rustc_hash::FxHashMap;

use crate::error::PipelineError;
use crate::model::Validated;

/// Sums for one cell of the panel.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cell {
    /// Records.
    pub count: f64,
    /// Deaths.
    pub deaths: f64,
    /// Injuries.
    pub injuries: f64,
    /// Direct loss, 10k CNY.
    pub loss_10k_cny: f64,
}

impl Cell {
    fn add(&mut self, other: Cell) {
        self.count += other.count;
        self.deaths += other.deaths;
        self.injuries += other.injuries;
        self.loss_10k_cny += other.loss_10k_cny;
    }
}

/// The yearly and monthly panels, keyed by (township index, year, [month,] measure).
#[derive(Debug, Clone, Default)]
pub struct Panel {
    /// (township, year, measure) → sums.
    pub yearly: BTreeMap<(usize, i32, String), Cell>,
    /// (township, year, month, measure) → sums.
    pub monthly: BTreeMap<(usize, i32, u32, String), Cell>,
    /// First and last year.
    pub years: (i32, i32),
}

/// Builds the panel from accepted event records and `area_counts` rows.
///
/// Cells are summed in hash maps keyed by small integers (township, year,
/// month, measure number), one per part of the townships, the parts side by
/// side; each cell adds its records in their order, so every sum is the one
/// a walk of the records gives; the ordered maps are built once at the end
/// from sorted cells. (Keys with the measure's name, looked up in the
/// ordered maps record by record, made the nation's panel 6 s.)
pub fn build(v: &Validated) -> Panel {
    // Measure names by number; an event's names by (source, label).
    let mut names: Vec<String> = Vec::new();
    let mut number: HashMap<String, usize> = HashMap::new();
    let mut intern = |name: String| -> usize {
        *number.entry(name).or_insert_with_key(|name| {
            names.push(name.clone());
            names.len() - 1
        })
    };
    // Each event source and label's measures, numbered in the order rows
    // first show them.
    let mut event_measures: FxHashMap<(Source, Option<&'static str>), [Option<usize>; 2]> =
        FxHashMap::default();
    let mut first_year = v.current_year();
    let events = || {
        v.accepted
            .iter()
            .filter(|a| a.source.is_event())
            .filter_map(|a| Some((a, a.when?)))
    };
    for (a, when) in events() {
        first_year = first_year.min(when.year());
        event_measures
            .entry((a.source, a.label))
            .or_insert_with(|| {
                [
                    Some(intern(a.source.stem().to_owned())),
                    a.label
                        .map(|label| intern(format!("{}:{label}", a.source.stem()))),
                ]
            });
    }
    // (township, year, measure) and (township, year, month, measure) →
    // sums, in one map per part of the townships (township % parts), the
    // parts summed side by side: each cell still adds its rows in row order,
    // so its sums are those of one pass, bit for bit.
    let parts = rayon::current_num_threads().max(1);
    type Yearly = FxHashMap<(usize, i32, usize), Cell>;
    type Monthly = FxHashMap<(usize, i32, u32, usize), Cell>;
    let (mut yearly, monthly): (Vec<Yearly>, Vec<Monthly>) = (0..parts)
        .into_par_iter()
        .map(|part| {
            let (mut yearly, mut monthly) = (Yearly::default(), Monthly::default());
            for (a, when) in events().filter(|(a, _)| a.township % parts == part) {
                let (year, month) = (when.year(), when.month());
                let severity = a.severity();
                let cell = Cell {
                    count: 1.0,
                    deaths: severity.deaths,
                    injuries: severity.injuries,
                    loss_10k_cny: severity.loss_10k_cny,
                };
                for m in event_measures[&(a.source, a.label)].into_iter().flatten() {
                    yearly.entry((a.township, year, m)).or_default().add(cell);
                    monthly
                        .entry((a.township, year, month, m))
                        .or_default()
                        .add(cell);
                }
            }
            (yearly, monthly)
        })
        .unzip();
    for c in &v.area_counts {
        first_year = first_year.min(c.year);
        let m = intern(c.measure.clone());
        let [count, deaths, injuries, loss_10k_cny] = c.values;
        yearly[c.township % parts]
            .entry((c.township, c.year, m))
            .or_default()
            .add(Cell {
                count,
                deaths,
                injuries,
                loss_10k_cny,
            });
    }
    let years = (first_year, v.current_year());
    // Measures in name order, as the ordered maps sort them.
    let mut by_name: Vec<usize> = (0..names.len()).collect();
    by_name.sort_by(|&a, &b| names[a].cmp(&names[b]));
    // Every township, year and measure, with zeros where nothing happened.
    let mut rows = Vec::with_capacity(
        v.townships.len() * (years.1 - years.0 + 1).max(0) as usize * names.len(),
    );
    for t in 0..v.townships.len() {
        for year in years.0..=years.1 {
            for &m in &by_name {
                let cell = yearly[t % parts]
                    .get(&(t, year, m))
                    .copied()
                    .unwrap_or_default();
                rows.push(((t, year, names[m].clone()), cell));
            }
        }
    }
    // `area_counts` rows of a year after the as-of year keep their cells.
    rows.extend(
        yearly
            .iter()
            .flatten()
            .filter(|((_, year, _), _)| *year > years.1)
            .map(|(&(t, year, m), &cell)| ((t, year, names[m].clone()), cell)),
    );
    drop(yearly);
    let mut cells: Vec<((usize, i32, u32, usize), Cell)> = monthly.into_iter().flatten().collect();
    let rank: Vec<usize> = {
        let mut r = vec![0; names.len()];
        for (k, &m) in by_name.iter().enumerate() {
            r[m] = k;
        }
        r
    };
    cells.sort_unstable_by_key(|((t, y, mo, m), _)| (*t, *y, *mo, rank[*m]));
    Panel {
        yearly: rows.into_iter().collect(),
        monthly: cells
            .into_iter()
            .map(|((t, y, mo, m), c)| ((t, y, mo, names[m].clone()), c))
            .collect(),
        years,
    }
}

impl Panel {
    /// The names of the measures in the yearly panel, sorted.
    pub fn measures(&self) -> Vec<String> {
        self.yearly
            .keys()
            .map(|(_, _, m)| m.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// The cells of `measures` per township and year `first..=last`, zero
    /// where the panel has none: `grid[m][t * years + (y - first)]` with
    /// `years = last - first + 1`. One pass over the panel; a lookup per
    /// township, year and measure (each cloning the measure's name for the
    /// key) cost seconds on the nation.
    pub fn cell_grid(
        &self,
        measures: &[String],
        n: usize,
        first: i32,
        last: i32,
    ) -> Vec<Vec<Cell>> {
        let years = (last - first + 1).max(0) as usize;
        let index: HashMap<&str, usize> = measures
            .iter()
            .enumerate()
            .map(|(k, m)| (m.as_str(), k))
            .collect();
        let mut grid = vec![vec![Cell::default(); n * years]; measures.len()];
        for ((t, y, m), cell) in &self.yearly {
            if let Some(&k) = index.get(m.as_str()) {
                if *t < n && (first..=last).contains(y) {
                    grid[k][t * years + (y - first) as usize] = *cell;
                }
            }
        }
        grid
    }
}

/// Population per (township, year): the `population` table where given,
/// else the township's own `population` for every year.
pub fn exposure(
    v: &Validated,
    population: &HashMap<(String, i32), f64>,
    years: (i32, i32),
) -> HashMap<(usize, i32), f64> {
    let mut out = HashMap::new();
    for (t, town) in v.townships.iter().enumerate() {
        for year in years.0..=years.1 {
            let p = population
                .get(&(town.code.clone(), year))
                .copied()
                .or(town.population);
            if let Some(p) = p {
                out.insert((t, year), p);
            }
        }
    }
    out
}

/// The yearly panel as SPEC's `panel.parquet` frame.
pub fn yearly_frame(
    v: &Validated,
    panel: &Panel,
    exposure: &HashMap<(usize, i32), f64>,
) -> Result<DataFrame, PipelineError> {
    let n = panel.yearly.len();
    let mut code = Vec::with_capacity(n);
    let mut year = Vec::with_capacity(n);
    let mut measure = Vec::with_capacity(n);
    let (mut count, mut deaths, mut injuries, mut loss, mut expo) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for ((t, y, m), c) in &panel.yearly {
        code.push(v.townships[*t].code.as_str());
        year.push(*y);
        measure.push(m.as_str());
        count.push(c.count);
        deaths.push(c.deaths);
        injuries.push(c.injuries);
        loss.push(c.loss_10k_cny);
        expo.push(exposure.get(&(*t, *y)).copied());
    }
    let col = |name: &str, v: Vec<f64>| Column::new(PlSmallStr::from(name), v);
    DataFrame::new(
        n,
        vec![
            Column::new(PlSmallStr::from("code"), code),
            Column::new(PlSmallStr::from("year"), year),
            Column::new(PlSmallStr::from("measure"), measure),
            col("count", count),
            col("deaths", deaths),
            col("injuries", injuries),
            col("loss_10k_cny", loss),
            Column::new(PlSmallStr::from("exposure"), expo),
        ],
    )
    .map_err(|e| PipelineError::Internal(e.to_string()))
}

/// The monthly panel (`panel_monthly.parquet`): non-zero cells only.
pub fn monthly_frame(v: &Validated, panel: &Panel) -> Result<DataFrame, PipelineError> {
    let n = panel.monthly.len();
    let mut cols: (Vec<&str>, Vec<i32>, Vec<i32>, Vec<&str>) = Default::default();
    let (mut count, mut deaths, mut injuries, mut loss) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for ((t, y, mo, m), c) in &panel.monthly {
        cols.0.push(v.townships[*t].code.as_str());
        cols.1.push(*y);
        cols.2.push(*mo as i32);
        cols.3.push(m.as_str());
        count.push(c.count);
        deaths.push(c.deaths);
        injuries.push(c.injuries);
        loss.push(c.loss_10k_cny);
    }
    let col = |name: &str, v: Vec<f64>| Column::new(PlSmallStr::from(name), v);
    DataFrame::new(
        n,
        vec![
            Column::new(PlSmallStr::from("code"), cols.0),
            Column::new(PlSmallStr::from("year"), cols.1),
            Column::new(PlSmallStr::from("month"), cols.2),
            Column::new(PlSmallStr::from("measure"), cols.3),
            col("count", count),
            col("deaths", deaths),
            col("injuries", injuries),
            col("loss_10k_cny", loss),
        ],
    )
    .map_err(|e| PipelineError::Internal(e.to_string()))
}

/// Reads the `population` table: (code, year) → population. Rows that do not
/// parse are skipped and reported as warnings.
pub fn read_population(
    path: &std::path::Path,
    warnings: &mut Vec<String>,
) -> Result<HashMap<(String, i32), f64>, PipelineError> {
    let r = riskmap_io::read_records(path)?;
    let (Some(code), Some(year), Some(pop)) =
        (r.column("code"), r.column("year"), r.column("population"))
    else {
        return Err(PipelineError::Input(format!(
            "{}: the population table needs columns code, year and population",
            path.display()
        )));
    };
    let mut out = HashMap::new();
    for i in 0..r.height() {
        let year = year
            .number(i)
            .ok()
            .flatten()
            .filter(|y| y.fract() == 0.0)
            .map(|y| y as i32);
        let parsed = (
            code.text(i).map(|c| c.into_owned()),
            year,
            pop.number(i).ok().flatten(),
        );
        match parsed {
            (Some(c), Some(y), Some(p)) if p >= 0.0 => {
                out.insert((c, y), p);
            }
            _ => warnings.push(format!(
                "{}: row {} skipped: code, year and a non-negative population are needed",
                path.display(),
                i + 1
            )),
        }
    }
    Ok(out)
}
