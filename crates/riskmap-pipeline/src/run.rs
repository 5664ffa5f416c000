//! `riskmap run` and `riskmap validate`: the nightly job. [`run`] validates
//! every source and joins it to the townships (`rejected.csv`,
//! `assigned.parquet`, `township_code_mismatches.csv`, `unknown_labels.csv`),
//! then, unless only validating, runs the stages in turn (panel, spatial
//! statistics, heatmaps, terrain, forecast, summary, scores, maps and
//! report), writes `manifest.json` and publishes the folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use riskmap_domain::{GeometryKind, Source};
use serde::{Deserialize, Serialize};

use crate::cache::{Cache, CacheReport, FileEntry, KeyBuilder};
use crate::config::Config;
use crate::error::PipelineError;
use crate::model::{SourceCounts, Validated};
use crate::progress::{Job, StageLog};
use crate::publish::Publish;
use crate::region::Found;
use crate::stage::{Skipped, StageEntry};

/// What `run` is asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The region folder.
    pub data: PathBuf,
    /// Where results go.
    pub out: PathBuf,
    /// The as-of date, `YYYY-MM-DD`, if given.
    pub as_of: Option<String>,
    /// Stop after validation and the join (`riskmap validate`).
    pub validate_only: bool,
    /// Language of the report and figures (Chinese by default).
    pub lang: crate::report::Lang,
    /// Use the incremental cache (see [`crate::cache`]); `--no-cache` turns it off.
    pub use_cache: bool,
}

/// An output and its hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutputEntry {
    /// Path relative to the output folder.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// riskmap's version.
    pub version: String,
    /// SHA-256 over every input file, the configuration, the as-of date (or
    /// today, when it is inferred), the language and the version: a run with
    /// the same fingerprint as the published one has nothing to recompute.
    #[serde(default)]
    pub input_fingerprint: String,
    /// Which cached stage results were reused and which computed.
    #[serde(default, skip_deserializing)]
    pub cache: CacheReport,
    /// The as-of date used.
    pub as_of: Option<String>,
    /// Every source read, with its counts (`rows_read = accepted + rejected`).
    pub inputs: Vec<SourceCounts>,
    /// SPEC sources that were not in the folder.
    pub missing: Vec<String>,
    /// Stages run, with timings.
    pub stages: Vec<StageEntry>,
    /// Stages of the nightly job not built yet: always empty now that every
    /// stage is built; kept so that the manifest keeps its shape.
    pub not_built: Vec<String>,
    /// Files written, with hashes (the manifest itself excepted).
    pub outputs: Vec<OutputEntry>,
    /// Problems that did not stop the run.
    pub warnings: Vec<String>,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The manifest written.
    pub manifest: Manifest,
    /// Where it was written.
    pub manifest_path: PathBuf,
    /// Labels outside a vocabulary, with counts, to map in riskmap.toml.
    pub unknown_labels: std::collections::BTreeMap<(String, String, String), usize>,
    /// The inputs were those of the published run: nothing was recomputed
    /// and `manifest` is the published run's.
    pub unchanged: bool,
}

/// The run's input fingerprint (see [`Manifest::input_fingerprint`]).
fn input_fingerprint(
    opts: &RunOptions,
    found: &[Found],
    as_of: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> Result<String, PipelineError> {
    let mut key = KeyBuilder::new("run");
    key.str(if opts.validate_only {
        "validate"
    } else {
        "run"
    })
    .str(&format!("{:?}", opts.lang))
    .str(&match as_of {
        Some(d) => d.to_string(),
        None => format!("inferred, today {today}"),
    });
    let config = opts.data.join("riskmap.toml");
    key.str(&std::fs::read_to_string(&config).unwrap_or_default());
    // The files are hashed side by side (each hash is kept for the manifest),
    // then added to the key in folder order.
    found.par_iter().try_for_each(|f| f.sha256().map(drop))?;
    for f in found {
        key.str(f.source.stem())
            .str(&crate::validate::relative(&opts.data, &f.path))
            .str(&f.sha256()?);
    }
    Ok(key.finish().into_string())
}

/// The published run's manifest, if its fingerprint is `fingerprint` and
/// every output it lists is still there.
fn published_if_unchanged(out: &std::path::Path, fingerprint: &str) -> Option<Manifest> {
    let text = std::fs::read_to_string(out.join("manifest.json")).ok()?;
    let m: Manifest = serde_json::from_str(&text).ok()?;
    (m.input_fingerprint == fingerprint && m.outputs.iter().all(|o| out.join(&o.path).is_file()))
        .then_some(m)
}

fn rows_of(found: &Found) -> Result<usize, PipelineError> {
    let path = &found.path;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match (found.source.geometry(), ext.as_str()) {
        // From the header: the band is read by the stages that use it.
        (GeometryKind::Raster, _) => riskmap_io::raster_cells(path).map_err(Into::into),
        (_, "csv" | "parquet" | "xlsx" | "xls" | "xlsb" | "ods") => riskmap_io::read_records(path)
            .map(|r| r.height())
            .map_err(Into::into),
        _ => riskmap_io::read_vector(path)
            .map(|l| l.geometries.len())
            .map_err(Into::into),
    }
}

fn io_err(path: &std::path::Path) -> impl Fn(std::io::Error) -> PipelineError + '_ {
    move |e| PipelineError::Input(format!("{}: {e}", path.display()))
}

/// A text column with a value in every row, copied once into polars' buffers
/// from the borrowed values (no list of them first).
fn every_row<'a>(name: &str, values: impl Iterator<Item = &'a str>) -> polars::prelude::Column {
    use polars::prelude::{IntoColumn, NewChunkedArray, PlSmallStr, StringChunked};
    StringChunked::from_iter_values(PlSmallStr::from(name), values).into_column()
}

/// Writes `rejected.csv`, `assigned.parquet`, `township_code_mismatches.csv`
/// and `unknown_labels.csv`.
fn write_validation(
    v: &Validated,
    dir: &std::path::Path,
) -> Result<Vec<&'static str>, PipelineError> {
    use polars::prelude::{Column, DataFrame, PlSmallStr};
    // Cells are borrowed (`&str`), not cloned: polars copies them once into its own buffers.
    let text = |name: &str, values: Vec<Option<&str>>| Column::new(PlSmallStr::from(name), values);
    let int = |name: &str, values: Vec<i64>| Column::new(PlSmallStr::from(name), values);
    let write =
        |name: &'static str, n: usize, cols: Vec<Column>| -> Result<&'static str, PipelineError> {
            let mut df =
                DataFrame::new(n, cols).map_err(|e| PipelineError::Internal(e.to_string()))?;
            riskmap_io::write_table(&mut df, &dir.join(name))?;
            Ok(name)
        };
    let r = &v.rejections;
    let a = &v.accepted;
    let m = &v.code_mismatches;
    let u = &v.unknown_labels;
    Ok(vec![
        write(
            "rejected.csv",
            r.len(),
            vec![
                text(
                    "source",
                    r.iter().map(|x| Some(x.source.as_str())).collect(),
                ),
                int("row", r.iter().map(|x| x.row as i64).collect()),
                text("id", r.iter().map(|x| x.id.as_deref()).collect()),
                text("field", r.iter().map(|x| Some(x.field.as_str())).collect()),
                text(
                    "reason",
                    r.iter().map(|x| Some(x.reason.as_str())).collect(),
                ),
            ],
        )?,
        write(
            "assigned.parquet",
            a.len(),
            // A column of every accepted row each, built side by side (a
            // province has 0.6M rows: building them took longer than
            // writing the file).
            (0..4)
                .into_par_iter()
                .map(|c| match c {
                    0 => every_row("source", a.iter().map(|x| x.source.stem())),
                    1 => every_row("id", (0..a.len()).map(|k| v.ids.get(k))),
                    2 => every_row(
                        "code",
                        a.iter().map(|x| v.townships[x.township].code.as_str()),
                    ),
                    _ => every_row("placed_by", a.iter().map(|x| x.placed_by.key())),
                })
                .collect(),
        )?,
        write(
            "township_code_mismatches.csv",
            m.len(),
            vec![
                text(
                    "source",
                    m.iter().map(|x| Some(x.source.as_str())).collect(),
                ),
                int("row", m.iter().map(|x| x.row as i64).collect()),
                text("id", m.iter().map(|x| Some(x.id.as_str())).collect()),
                text(
                    "reported_code",
                    m.iter().map(|x| Some(x.reported.as_str())).collect(),
                ),
                text(
                    "located_code",
                    m.iter().map(|x| Some(x.located.as_str())).collect(),
                ),
            ],
        )?,
        write(
            "unknown_labels.csv",
            u.len(),
            vec![
                text("source", u.keys().map(|k| Some(k.0.as_str())).collect()),
                text("field", u.keys().map(|k| Some(k.1.as_str())).collect()),
                text("label", u.keys().map(|k| Some(k.2.as_str())).collect()),
                int("count", u.values().map(|n| *n as i64).collect()),
            ],
        )?,
    ])
}

/// Runs the job: validate and join, then the stages built so far. With
/// `validate_only`, stops after validation (`riskmap validate`).
pub fn run(opts: &RunOptions) -> Result<RunReport, PipelineError> {
    let as_of = match &opts.as_of {
        Some(d) => Some(parse_date(d).ok_or_else(|| {
            PipelineError::Input(format!(
                "--as-of {d}: not a date; write it as YYYY-MM-DD, e.g. 2021-12-01"
            ))
        })?),
        None => None,
    };
    // Results go to a private folder, published atomically on success; see
    // crate::publish for the layout and the lock.
    let staging = Publish::new(&opts.out)?;
    let _job = Job::start(if opts.validate_only {
        "validate"
    } else {
        "run"
    });
    let mut stages = StageLog::new();

    let t = Instant::now();
    let config = crate::config::Config::load(&opts.data)?;
    let crate::region::RegionFiles { found, unreadable } =
        crate::region::find_region(&opts.data, &config)?;
    // Records are in local time, Asia/Shanghai (UTC+8, no daylight saving).
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let cache = Cache::open(&opts.out, opts.use_cache);
    let fingerprint = input_fingerprint(opts, &found, as_of, today)?;
    if opts.use_cache {
        if let Some(manifest) = published_if_unchanged(&opts.out, &fingerprint) {
            crate::progress::event(
                "info",
                "inputs unchanged since the published run: nothing to recompute (--no-cache recomputes)",
                None,
                None,
                None,
            );
            // Dropping `staging` removes its empty folder and releases the lock.
            return Ok(RunReport {
                manifest,
                manifest_path: opts.out.join("manifest.json"),
                unknown_labels: Default::default(),
                unchanged: true,
            });
        }
    }
    // The line and polygon layers and the rasters are only counted and
    // hashed: that is done beside the point sources' validation.
    // Each is timed on its own (the join waits for the slower).
    let (v, layers) = rayon::join(
        || {
            crate::validate::validate(&opts.data, &found, &config, as_of, today)
                .map(|v| (v, t.elapsed().as_secs_f64()))
        },
        || {
            let t = Instant::now();
            other_layers(&opts.data, &found).map(|l| (l, t.elapsed().as_secs_f64()))
        },
    );
    let (mut v, validate_seconds) = v?;
    let (layers, layer_seconds) = layers?;
    stages.push_rows(
        StageEntry {
            name: "validate and join".into(),
            seconds: validate_seconds,
            skipped: None,
        },
        Some(v.accepted.len()),
    );
    stages.extend(v.timings.iter().map(|(step, seconds)| StageEntry {
        name: format!("validate and join: {step}"),
        seconds: *seconds,
        skipped: None,
    }));

    let mut warnings = v.warnings.clone();
    warnings.extend(
        unreadable
            .iter()
            .map(|u| format!("{}: {}", u.path.display(), u.why)),
    );
    let mut log = Log {
        stages,
        written: Vec::new(),
        warnings,
        skipped: Vec::new(),
        beside: Beside::default(),
    };
    log.stages.push(StageEntry {
        name: "read other layers".into(),
        seconds: layer_seconds,
        skipped: None,
    });
    let inputs: Vec<SourceCounts> = v.counts.iter().cloned().chain(layers).collect();
    log.timed("write validation", |log| {
        log.wrote(write_validation(&v, staging.path())?);
        Ok(())
    })?;
    let computed = if opts.validate_only {
        None
    } else {
        let cx = Context {
            data: &opts.data,
            out: staging.path(),
            v: &v,
            found: &found,
            config: &config,
            cache: &cache,
        };
        Some(run_stages(&cx, &mut log)?)
    };

    // A source whose file is there but unreadable is warned about, not missing.
    let missing: Vec<String> = Source::ALL
        .iter()
        .filter(|s| !found.iter().any(|f| f.source == **s))
        .filter(|s| !unreadable.iter().any(|u| u.source == **s))
        .map(|s| s.stem().to_owned())
        .collect();

    if let Some(c) = &computed {
        let skipped = std::mem::take(&mut log.skipped);
        let steps = log.timed("maps, charts and report", |log| {
            let context = crate::report::ReportContext {
                v: &v,
                panel: &c.panel,
                ytd: &c.ytd,
                stats: &c.stats,
                forecasts: &c.forecasts,
                inputs: &inputs,
                missing: &missing,
                scores: c.scores.as_ref(),
                heatmaps: &c.heatmaps,
                skipped: &skipped,
                alerts: &c.alerts.alerts,
                lang: opts.lang,
            };
            let r = crate::report::write(&context, staging.path())?;
            log.warnings.extend(r.warnings);
            log.wrote(r.files);
            Ok(r.timings)
        })?;
        log.stages
            .extend(steps.iter().map(|(step, seconds)| StageEntry {
                name: format!("maps, charts and report: {step}"),
                seconds: *seconds,
                skipped: None,
            }));
    }
    log.beside.wait(&mut log.stages)?;
    let Log {
        stages,
        written,
        warnings,
        ..
    } = log;

    // Hashed side by side (a province's largest outputs are tens of MB),
    // listed in the order the stages named them (a file written beside
    // is named when it is started); the first file that fails to hash, in
    // that order, is the error.
    let hashed: Vec<Result<OutputEntry, PipelineError>> = written
        .into_par_iter()
        .map(|name| {
            Ok(OutputEntry {
                sha256: riskmap_io::sha256_file(&staging.path().join(&name))?,
                path: name,
            })
        })
        .collect();
    let outputs = hashed.into_iter().collect::<Result<Vec<_>, _>>()?;
    let manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        input_fingerprint: fingerprint,
        cache: cache.report(),
        as_of: Some(v.as_of.to_string()),
        inputs,
        missing,
        stages: stages.into_vec(),
        warnings,
        not_built: Vec::new(),
        outputs,
    };
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| PipelineError::Internal(e.to_string()))?;
    std::fs::write(staging.path().join("manifest.json"), json + "\n")
        .map_err(io_err(staging.path()))?;
    staging.commit()?;
    // `validate` uses no stage results: keep the cache of the last full run.
    if !opts.validate_only {
        cache.prune();
    }
    crate::progress::event(
        "info",
        &format!("published {}", opts.out.display()),
        None,
        None,
        None,
    );
    let unknown_labels = std::mem::take(&mut v.unknown_labels);
    // The accepted rows, the township index and the stages' results are
    // freed on a thread of their own: the caller has all it needs, and
    // freeing a province's 0.6M rows took 2 % of `validate`'s time (a CLI
    // process exits without waiting for it). If no thread can be made, the
    // refused closure drops them here.
    let _ = std::thread::Builder::new()
        .name("free results".into())
        .spawn(move || drop((v, computed)));
    Ok(RunReport {
        manifest,
        manifest_path: opts.out.join("manifest.json"),
        unknown_labels,
        unchanged: false,
    })
}

/// Counts of the sources validation does not check row by row (line and
/// polygon layers, rasters): read, all accepted.
fn other_layers(data: &Path, found: &[Found]) -> Result<Vec<SourceCounts>, PipelineError> {
    let mut counts = Vec::new();
    for f in found.iter().filter(|f| {
        f.source.geometry() != GeometryKind::Point
            && !matches!(f.source, Source::Townships | Source::AreaCounts)
    }) {
        let rows_read = rows_of(f)?;
        counts.push(SourceCounts {
            source: f.source.stem().to_owned(),
            path: crate::validate::relative(data, &f.path),
            sha256: f.sha256()?,
            encoding: "binary".into(),
            rows_read,
            accepted: rows_read,
            ..Default::default()
        });
    }
    Ok(counts)
}

/// What every stage reads: the region folder, where outputs go, the
/// validated region, the files found, the settings and the cache.
struct Context<'a> {
    data: &'a Path,
    out: &'a Path,
    v: &'a Validated,
    found: &'a [Found],
    config: &'a Config,
    cache: &'a Cache,
}

/// What the stages add to the manifest and the report as they go: timings,
/// files written (in the order the stages name them, which the manifest
/// keeps), warnings, and the stages skipped for want of data.
struct Log {
    stages: StageLog,
    written: Vec<String>,
    warnings: Vec<String>,
    skipped: Vec<Skipped>,
    /// Files still being written.
    beside: Beside,
}

/// Files written on a thread of the pool while the later stages run (GDAL
/// writes a layer on one thread: a nation's emerging hot spot grid kept a
/// core busy for seconds while the other idled), waited for before the
/// outputs are hashed; on an error, before the staging folder is removed
/// (dropping this waits too).
#[derive(Default)]
struct Beside(
    Vec<(
        String,
        std::sync::mpsc::Receiver<Result<f64, PipelineError>>,
    )>,
);

impl Beside {
    /// Starts `job`, logged as stage `name` when it is waited for.
    fn spawn(
        &mut self,
        name: &str,
        job: impl FnOnce() -> Result<(), PipelineError> + Send + 'static,
    ) {
        let (done, wait) = std::sync::mpsc::channel();
        let what = name.to_owned();
        rayon::spawn(move || {
            let t = Instant::now();
            // A panic in the job is an error of the run, not an abort of
            // the process (rayon aborts on a spawned job's panic).
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).unwrap_or_else(
                |panic| {
                    let why = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    Err(PipelineError::Internal(format!("{what} panicked: {why}")))
                },
            );
            let _ = done.send(r.map(|()| t.elapsed().as_secs_f64()));
        });
        self.0.push((name.to_owned(), wait));
    }

    /// Waits for every job, logs each, and returns the first error (in the
    /// order they were started).
    fn wait(&mut self, stages: &mut StageLog) -> Result<(), PipelineError> {
        let mut first_error = None;
        for (name, wait) in self.0.drain(..) {
            let done = wait
                .recv()
                .unwrap_or_else(|_| Err(PipelineError::Internal(format!("{name}: lost"))));
            match done {
                Ok(seconds) => stages.push(StageEntry {
                    name,
                    seconds,
                    skipped: None,
                }),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

impl Drop for Beside {
    fn drop(&mut self) {
        for (_, wait) in self.0.drain(..) {
            let _ = wait.recv();
        }
    }
}

impl Log {
    /// Runs `stage` and records it under `name` with its wall time.
    fn timed<T>(
        &mut self,
        name: &str,
        stage: impl FnOnce(&mut Log) -> Result<T, PipelineError>,
    ) -> Result<T, PipelineError> {
        let t = Instant::now();
        let value = stage(self)?;
        self.stages.push(StageEntry {
            name: name.into(),
            seconds: t.elapsed().as_secs_f64(),
            skipped: None,
        });
        Ok(value)
    }

    /// Records files written, relative to the output folder.
    fn wrote<S: Into<String>>(&mut self, files: impl IntoIterator<Item = S>) {
        self.written.extend(files.into_iter().map(Into::into));
    }

    /// Records a stage skipped for want of data: in the log, the manifest's
    /// `stages` and `warnings`, and the report's data quality section.
    fn skip(&mut self, skip: Skipped) {
        self.stages.skip(&skip);
        self.warnings.push(skip.reason.clone());
        self.skipped.push(skip);
    }
}

/// What the report is made from, kept past the stages that compute it.
struct Computed {
    panel: crate::panel::Panel,
    /// The summary's year-to-date figures, which the report reads too.
    ytd: crate::summary::YearToDate,
    alerts: crate::alerts::Alerts,
    /// As far as the report reads it: see `SpatialStats::drop_written`.
    stats: crate::spatial_stats::SpatialStats,
    forecasts: crate::backtest::Forecasts,
    heatmaps: Vec<(String, riskmap_domain::Raster)>,
    scores: Option<crate::scores::ScoreTable>,
}

/// The stages of the nightly job after validation, in order (ARCHITECTURE.md
/// lists them with their outputs); the report comes last, in [`run`].
fn run_stages(cx: &Context, log: &mut Log) -> Result<Computed, PipelineError> {
    let (panel, exposure) = panel_stage(cx, log)?;
    let alerts = alerts_stage(cx, &exposure, log)?;
    let stats = log.timed("spatial statistics", |log| {
        let mut stats =
            crate::spatial_stats::compute(cx.v, &panel, &exposure, &cx.config.stats, cx.cache);
        log.wrote(crate::spatial_stats::write(cx.v, &stats, cx.out)?);
        // The grid layer: copied from the cache when the grids are the last
        // run's, else written beside the later stages.
        let grid = cx.out.join(crate::spatial_stats::GRID_FILE);
        let entry = cx
            .cache
            .file("emerging grid layer", &stats.grid_key, "gpkg");
        let copied = matches!(&entry, FileEntry::Hit(kept) if std::fs::copy(kept, &grid).is_ok());
        cx.cache.count("emerging grid layer", copied);
        if !copied {
            // A kept copy that could not be copied is written over.
            let keep = match entry {
                FileEntry::Hit(kept) => Some(kept),
                FileEntry::Miss(keep) => keep,
            };
            let layer = crate::spatial_stats::grid_layer(&stats)?;
            log.beside.spawn("spatial statistics: grid layer", move || {
                riskmap_io::write_vector(&layer, &grid)?;
                if let Some(entry) = keep {
                    Cache::keep_copy(&grid, &entry);
                }
                Ok(())
            });
        }
        log.wrote([crate::spatial_stats::GRID_FILE]);
        log.warnings.extend(stats.warnings.iter().cloned());
        stats.drop_written();
        Ok(stats)
    })?;
    let heatmaps = log.timed("heatmaps", |log| {
        let heatmaps = crate::rasters::heatmaps(cx.v, &cx.config.heatmaps)?;
        log.wrote(crate::rasters::write_heatmaps(&heatmaps, cx.out)?);
        Ok(heatmaps)
    })?;
    let terrain = log.timed("terrain per township", |log| {
        let terrain =
            crate::rasters::township_terrain(cx.v, cx.found, cx.config, &mut log.warnings)?;
        if let Some(terrain) = &terrain {
            crate::rasters::write_terrain(cx.v, terrain, cx.out)?;
            log.wrote(["township_terrain.csv"]);
        }
        Ok(terrain)
    })?;
    let forecasts = match crate::backtest::forecast_precondition(cx.v, &panel) {
        Some(skip) => {
            log.skip(skip);
            crate::backtest::Forecasts {
                year: cx.v.last_complete_year() + 1,
                ..Default::default()
            }
        }
        None => log.timed("forecast", |log| {
            let (files, forecasts) = crate::backtest::forecast_stage(
                cx.v,
                &panel,
                &exposure,
                terrain.as_deref(),
                cx.out,
                cx.cache,
            )?;
            log.wrote(files);
            Ok(forecasts)
        })?,
    };
    let ytd = log.timed("summary", |log| {
        let ytd = crate::summary::year_to_date(cx.v);
        let (zh, en) = crate::summary::render_from(cx.v, &ytd);
        std::fs::write(cx.out.join("summary.zh.md"), zh).map_err(io_err(cx.out))?;
        std::fs::write(cx.out.join("summary.en.md"), en).map_err(io_err(cx.out))?;
        log.wrote(["summary.zh.md", "summary.en.md"]);
        Ok(ytd)
    })?;
    let scored = crate::scores::run(
        cx.v,
        &panel,
        &exposure,
        cx.found,
        cx.config,
        terrain.as_deref(),
        cx.data,
        cx.out,
    )?;
    if let Some(layer) = scored.layer {
        let path = cx.out.join(crate::scores::GEOPACKAGE);
        log.beside.spawn("scores: GeoPackage", move || {
            riskmap_io::write_vector(&layer, &path)?;
            Ok(())
        });
    }
    log.wrote(scored.written);
    log.warnings.extend(scored.notes);
    log.stages.extend(scored.stages);
    if let Some(skip) = scored.skipped {
        log.skip(skip);
    }
    Ok(Computed {
        panel,
        ytd,
        alerts,
        stats,
        forecasts,
        heatmaps: heatmaps
            .into_iter()
            .map(|h| (h.measure, h.raster))
            .collect(),
        scores: scored.table,
    })
}

/// The alerts stage: the prospective space-time scan per event source and
/// incident category; `alerts.csv` (empty when nothing is unusual), one JSON
/// line per alert, and a stage entry per measure scanned.
fn alerts_stage(
    cx: &Context,
    exposure: &HashMap<(usize, i32), f64>,
    log: &mut Log,
) -> Result<crate::alerts::Alerts, PipelineError> {
    let t = Instant::now();
    let alerts = if cx.config.alerts.enabled {
        match crate::alerts::scan(cx.v, exposure, &cx.config.alerts) {
            Ok(a) => a,
            Err(skip) => {
                log.skip(skip);
                Default::default()
            }
        }
    } else {
        log.warnings
            .push("alerts: not scanned (alerts.enabled = false in riskmap.toml)".into());
        Default::default()
    };
    crate::alerts::log(cx.v, &alerts);
    log.wrote(crate::alerts::write(cx.v, &alerts, cx.out)?);
    log.warnings.extend(alerts.notes.iter().cloned());
    for s in &alerts.scanned {
        log.stages.push(StageEntry {
            name: format!(
                "alerts: {} ({} cases, {} replicates)",
                s.measure, s.cases, s.replicates
            ),
            seconds: s.seconds,
            skipped: None,
        });
    }
    log.stages.push_rows(
        StageEntry {
            name: "alerts".into(),
            seconds: t.elapsed().as_secs_f64(),
            skipped: None,
        },
        Some(alerts.alerts.len()),
    );
    Ok(alerts)
}

/// The panel stage: `panel.parquet` and `panel_monthly.parquet`, and the
/// exposure every later stage reads.
fn panel_stage(
    cx: &Context,
    log: &mut Log,
) -> Result<(crate::panel::Panel, HashMap<(usize, i32), f64>), PipelineError> {
    let t = Instant::now();
    let population = match cx.found.iter().find(|f| f.source == Source::Population) {
        Some(f) => crate::panel::read_population(&f.path, &mut log.warnings)?,
        None => Default::default(),
    };
    let panel = crate::panel::build(cx.v);
    let exposure = crate::panel::exposure(cx.v, &population, panel.years);
    let mut yearly = crate::panel::yearly_frame(cx.v, &panel, &exposure)?;
    riskmap_io::write_table(&mut yearly, &cx.out.join("panel.parquet"))?;
    let mut monthly = crate::panel::monthly_frame(cx.v, &panel)?;
    riskmap_io::write_table(&mut monthly, &cx.out.join("panel_monthly.parquet"))?;
    log.wrote(["panel.parquet", "panel_monthly.parquet"]);
    log.stages.push_rows(
        StageEntry {
            name: "panel".into(),
            seconds: t.elapsed().as_secs_f64(),
            skipped: None,
        },
        Some(yearly.height() + monthly.height()),
    );
    Ok((panel, exposure))
}

/// Parses `YYYY-MM-DD` strictly (month and day in range, leap years known).
fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    (s.len() == 10)
        .then(|| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_dates_are_checked_strictly() {
        assert_eq!(
            parse_date("2021-12-01"),
            chrono::NaiveDate::from_ymd_opt(2021, 12, 1)
        );
        assert!(parse_date("2020-02-29").is_some());
        assert_eq!(parse_date("2021-02-29"), None);
        assert_eq!(parse_date("2021-13-01"), None);
        assert_eq!(parse_date("2021-1-01"), None);
    }

    #[test]
    fn files_written_beside_are_waited_for_and_their_errors_and_panics_reported() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("layer.txt");
        let mut beside = Beside::default();
        let path = file.clone();
        beside.spawn("a layer", move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            std::fs::write(&path, "written").map_err(|e| PipelineError::Internal(e.to_string()))
        });
        beside.spawn("a failing layer", || {
            Err(PipelineError::Input("no room on the disk".into()))
        });
        beside.spawn("a broken layer", || panic!("a bug in the writer"));
        let mut stages = StageLog::new();
        let e = beside.wait(&mut stages).unwrap_err().to_string();
        // The first error in the order the jobs were started; every job has
        // ended, and the one that succeeded is logged.
        assert!(e.contains("no room on the disk"), "{e}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "written");
        let names: Vec<String> = stages.into_vec().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["a layer"]);

        let mut beside = Beside::default();
        beside.spawn("a broken layer", || panic!("a bug in the writer"));
        let e = beside.wait(&mut StageLog::new()).unwrap_err().to_string();
        assert!(
            e.contains("a broken layer panicked: a bug in the writer"),
            "{e}"
        );

        // Dropped without waiting (a later stage failed): the drop waits.
        let late = dir.path().join("late.txt");
        let path = late.clone();
        let mut beside = Beside::default();
        beside.spawn("a slow layer", move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            std::fs::write(&path, "done").map_err(|e| PipelineError::Internal(e.to_string()))
        });
        drop(beside);
        assert!(late.is_file());
    }
}
