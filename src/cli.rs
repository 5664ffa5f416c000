//! Command-line interface (clap). Each subcommand turns its arguments into
//! the pipeline's options, runs it and prints a short, plain report.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use riskmap_pipeline::backtest::{run_backtest, BacktestOptions};
use riskmap_pipeline::progress::LogFormat;
use riskmap_pipeline::report::Lang;
use riskmap_pipeline::synth::{write_region, TableFormat, DEFAULT_YEARS};
use riskmap_pipeline::{run, PipelineError, RunOptions, RunReport, SynthOptions};
use riskmap_synth::{Boundaries, Emergent, Preset, SynthConfig};

const EXAMPLES: &str = "\
Examples:
  riskmap demo --out out/demo
  riskmap synth --preset county --seed 2021 --out data/county
  riskmap synth --preset province --seed 7 --years 2016..2021 --out data/province
  riskmap validate --data datasets/demo --out out/validate
  riskmap run --data data/county --out out/county --as-of 2021-12-01
  riskmap backtest --data datasets/demo --out out/backtest";

/// riskmap: township-level emergency risk for a county bureau, as a parallel batch engine.
#[derive(Debug, Parser)]
#[command(name = "riskmap", version, about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Progress on stderr (run, validate, demo): auto (a spinner on a terminal, plain lines otherwise),
    /// plain, or json (one object per line: ts, level, stage, seconds, rows, message).
    #[arg(long, global = true, value_enum, default_value = "auto")]
    log_format: LogFormatArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormatArg {
    Auto,
    Plain,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PresetArg {
    /// About 18 townships, 600,000 people.
    County,
    /// About 1,300 townships.
    Province,
    /// About 40,000 townships.
    Nation,
}

/// Language of the report and figures.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum LangArg {
    /// 简体中文.
    Zh,
    /// English.
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

/// How synthetic township borders look.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum BoundariesArg {
    /// Smooth wiggly borders, about 400 vertices a township.
    Smooth,
    /// Like real boundaries: fractal borders of 1,000–12,000 vertices a township, enclaves (holes) and islands (multipart townships).
    RealLike,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    Parquet,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the embedded demo county (synth --preset county --seed 2021) and run the nightly job on it.
    #[command(
        after_help = "Examples:\n  riskmap demo --out out/demo\n  riskmap demo --out out/demo-en --lang en"
    )]
    Demo {
        /// Output folder; the region goes to OUT/data, results to OUT.
        #[arg(long)]
        out: PathBuf,
        /// Language of report.html and the figures.
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Write a synthetic region folder with its ground truth under OUT/truth/.
    #[command(
        after_help = "Examples:\n  riskmap synth --preset county --seed 2021 --out data/county\n  riskmap synth --preset province --seed 7 --years 2016..2021 --format parquet --out data/province"
    )]
    Synth {
        /// Region size.
        #[arg(long, value_enum, default_value = "county")]
        preset: PresetArg,
        /// Seed of every random draw; the same seed gives the same bytes.
        #[arg(long, default_value_t = 2021)]
        seed: u64,
        /// Years of records, Y1..Y2 (inclusive); the truth runs to Y2 + 1.
        #[arg(long, value_parser = parse_years)]
        years: Option<(i32, i32)>,
        /// Table format (default: csv for county, parquet otherwise).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// How township borders look (real-like: for benchmarks on boundaries like real ones).
        #[arg(long, value_enum, default_value = "smooth")]
        boundaries: BoundariesArg,
        /// Emergent clusters injected at the end of the data, listed in
        /// truth/emergent_clusters.csv: auto (the seed decides: half of the
        /// seeds get one or two), none (a null region), or a count up to 5.
        #[arg(long, default_value = "auto", value_parser = parse_emergent)]
        emergent: Emergent,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Read every source, reject bad rows with reasons, place every point in its township.
    #[command(after_help = "Example:\n  riskmap validate --data datasets/demo --out out/validate")]
    Validate {
        /// Region folder (SPEC layout).
        #[arg(long)]
        data: PathBuf,
        /// Output folder for rejected.csv, assigned.parquet and manifest.json.
        #[arg(long, default_value = "out/validate")]
        out: PathBuf,
        /// As-of date, YYYY-MM-DD (default: the day after the latest record).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// The nightly job: validate and join, panel, alerts (prospective space-time scan), statistics, forecast, scores, maps, charts and report.html; writes manifest.json.
    #[command(
        after_help = "Examples:\n  riskmap run --data data/county --out out/county --as-of 2021-12-01\n  riskmap run --data data/county --out out/county-en --lang en\n\nIncremental: a run whose inputs (files, riskmap.toml, as-of date, language) are those of the\npublished run recomputes nothing; otherwise results that read complete years only (the\nforecast models' backtests, the emerging hot spot grids) are reused from OUT/.cache when\ntheir inputs are unchanged. --no-cache recomputes everything."
    )]
    Run {
        /// Region folder (SPEC layout).
        #[arg(long)]
        data: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// As-of date, YYYY-MM-DD (default: the day after the latest record).
        #[arg(long)]
        as_of: Option<String>,
        /// Language of report.html and the figures.
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
        /// Recompute every stage, without reading or writing the cache.
        #[arg(long)]
        no_cache: bool,
    },
    /// Rolling-origin evaluation of the forecasting models; writes leaderboard.csv and predictions.parquet.
    #[command(
        after_help = "Examples:\n  riskmap backtest --data datasets/demo --out out/backtest\n  riskmap backtest --data data/province --out out/bt --models naive,ses,eb,oracle --origins 2016..2020"
    )]
    Backtest(BacktestArgs),
}

#[derive(Debug, clap::Args)]
struct BacktestArgs {
    /// Region folder (SPEC layout).
    #[arg(long)]
    data: PathBuf,
    /// Output folder for leaderboard.csv and predictions.parquet.
    #[arg(long)]
    out: PathBuf,
    /// Models, comma-separated (default: all). Built in: naive, historic_mean, moving_average, ses, holt_damped,
    /// glm_poisson, glm_negbin, eb, spatial_eb, bym2, croston, sba, tsb, adida, reconcile_bu, reconcile_mint, ensemble,
    /// oracle.
    #[arg(long, value_delimiter = ',')]
    models: Option<Vec<String>>,
    /// Origins (last fitted years) Y1..Y2, inclusive (default: the last 5).
    #[arg(long, value_parser = parse_years)]
    origins: Option<(i32, i32)>,
    /// Predictions made elsewhere (Parquet or CSV in the predictions.parquet layout), scored alongside.
    #[arg(long)]
    external: Option<PathBuf>,
    /// As-of date, YYYY-MM-DD (default: the day after the latest record).
    #[arg(long)]
    as_of: Option<String>,
}

fn parse_years(s: &str) -> Result<(i32, i32), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("{s}: write years as Y1..Y2, e.g. 2015..2021"))?;
    let a = a.trim().parse().map_err(|_| format!("{a}: not a year"))?;
    let b = b.trim().parse().map_err(|_| format!("{b}: not a year"))?;
    Ok((a, b))
}

fn parse_emergent(s: &str) -> Result<Emergent, String> {
    match s {
        "auto" => Ok(Emergent::Auto),
        "none" | "0" => Ok(Emergent::None),
        n => match n.parse::<u8>() {
            Ok(k @ 1..=5) => Ok(Emergent::Count(k)),
            _ => Err(format!("{s}: write auto, none or a count from 1 to 5")),
        },
    }
}

fn preset(p: PresetArg) -> Preset {
    match p {
        PresetArg::County => Preset::County,
        PresetArg::Province => Preset::Province,
        PresetArg::Nation => Preset::Nation,
    }
}

fn print_run(report: &RunReport) {
    let m = &report.manifest;
    if report.unchanged {
        println!(
            "inputs unchanged since the published run (as of {}): nothing recomputed; --no-cache recomputes",
            m.as_of.as_deref().unwrap_or("-")
        );
    } else if !m.cache.hits.is_empty() {
        println!("reused from the cache: {}", m.cache.hits.join(", "));
    }
    println!(
        "as of {}; {} sources:",
        m.as_of.as_deref().unwrap_or("-"),
        m.inputs.len()
    );
    println!(
        "  {:<18} {:>10} {:>10} {:>9} {:>8} {:>8}  file",
        "source", "read", "accepted", "rejected", "outside", "snapped"
    );
    for i in &m.inputs {
        println!(
            "  {:<18} {:>10} {:>10} {:>9} {:>8} {:>8}  {}",
            i.source, i.rows_read, i.accepted, i.rejected, i.outside, i.snapped, i.path
        );
    }
    for w in &m.warnings {
        println!("warning: {w}");
    }
    if !report.unknown_labels.is_empty() {
        println!("labels outside the vocabulary (map them in riskmap.toml):");
        for ((source, field, label), n) in &report.unknown_labels {
            println!("  {source}.{field} `{label}`: {n}");
        }
    }
    if !m.missing.is_empty() {
        println!("not in the folder: {}", m.missing.join(", "));
    }
    println!("manifest: {}", report.manifest_path.display());
}

pub fn main() -> Result<(), PipelineError> {
    // clap exits with 2 on a usage error; SPEC reserves 2 for internal
    // errors, so a bad command line exits 1 like any other bad input.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    riskmap_pipeline::progress::set_log_format(match cli.log_format {
        LogFormatArg::Auto => LogFormat::Auto,
        LogFormatArg::Plain => LogFormat::Plain,
        LogFormatArg::Json => LogFormat::Json,
    });
    match cli.command {
        Command::Synth {
            preset: p,
            seed,
            years,
            format,
            boundaries,
            emergent,
            out,
        } => {
            let mut opts = SynthOptions::new(preset(p), seed);
            opts.config = SynthConfig {
                years: years.unwrap_or(DEFAULT_YEARS),
                boundaries: match boundaries {
                    BoundariesArg::Smooth => Boundaries::Smooth,
                    BoundariesArg::RealLike => Boundaries::RealLike,
                },
                emergent,
                ..opts.config
            };
            if let Some(f) = format {
                opts.table_format = match f {
                    FormatArg::Csv => TableFormat::Csv,
                    FormatArg::Parquet => TableFormat::Parquet,
                };
            }
            let s = write_region(&opts, &out)?;
            println!(
                "wrote a {} region of {} townships to {} (generated in {:.1} s, written in {:.1} s)",
                preset(p).name(),
                s.townships,
                out.display(),
                s.seconds.0,
                s.seconds.1
            );
            for (file, rows) in &s.rows {
                println!("  {file:<28} {rows:>10}");
            }
            println!("ground truth: {}", out.join("truth").display());
        }
        Command::Demo { out, lang } => {
            let data = out.join("data");
            let s = write_region(&SynthOptions::new(Preset::County, 2021), &data)?;
            println!(
                "demo county: {} townships written to {}",
                s.townships,
                data.display()
            );
            let report = run(&RunOptions {
                data,
                out: out.clone(),
                as_of: None,
                validate_only: false,
                lang: lang.into(),
                use_cache: true,
            })?;
            print_run(&report);
            println!(
                "year-to-date statistics: {} and {}",
                out.join("summary.zh.md").display(),
                out.join("summary.en.md").display()
            );
            println!("report: {}", out.join("report.html").display());
        }
        Command::Run {
            data,
            out,
            as_of,
            lang,
            no_cache,
        } => {
            let report = run(&RunOptions {
                data,
                out: out.clone(),
                as_of,
                validate_only: false,
                lang: lang.into(),
                use_cache: !no_cache,
            })?;
            print_run(&report);
            // A header and one line per alert.
            let alerts = std::fs::read_to_string(out.join("alerts.csv"))
                .map_or(0, |t| t.lines().count().saturating_sub(1));
            println!("alerts: {alerts} ({})", out.join("alerts.csv").display());
            println!("report: {}", out.join("report.html").display());
        }
        Command::Backtest(a) => {
            let opts = BacktestOptions {
                data: a.data,
                out: a.out.clone(),
                models: a.models,
                origins: a.origins,
                external: a.external,
                as_of: a.as_of,
            };
            let r = run_backtest(&opts)?;
            println!(
                "backtest: {} townships, {} measures, origins {:?}, models {:.3} s",
                r.townships, r.measures, r.origins, r.seconds
            );
            println!(
                "  {:<16} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
                "model (all)", "mae", "rmse", "crps", "cover80", "spearman", "hit10%"
            );
            for l in r.leaderboard.iter().filter(|l| l.measure == "all") {
                println!(
                    "  {:<16} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
                    l.model, l.mae, l.rmse, l.crps, l.coverage_80, l.spearman, l.hit_rate_top10pct
                );
            }
            for n in &r.notes {
                println!("note: {n}");
            }
            println!("leaderboard: {}", a.out.join("leaderboard.csv").display());
        }
        Command::Validate { data, out, as_of } => {
            let report = run(&RunOptions {
                data,
                out,
                as_of,
                validate_only: true,
                lang: Lang::Zh,
                use_cache: true,
            })?;
            print_run(&report);
        }
    }
    Ok(())
}
