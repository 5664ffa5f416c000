//! What a running job tells the person or machine watching it: a spinner per
//! stage on a terminal, plain `[riskmap] ...` lines otherwise, or one JSON
//! object per line with `--log-format json`. Everything goes to stderr, so
//! stdout keeps the job's report.
//!
//! The format is process-wide, set once by the binary
//! ([`set_log_format`]) before a job starts, as a logger would be.
//! [`StageLog`] is the run's list of stage timings: pushing an entry both
//! records it for the manifest and reports it.
//!
//! Test-only hook: with `RISKMAP_TEST_PAUSE_AT=<stage>` in the environment,
//! the job prints `[riskmap] test pause at <stage>` to stderr right after that
//! stage is recorded (or at a publish step: `publish`, `publish: renamed`,
//! `publish: swapped`) and sleeps, so that a test can kill it at a known
//! moment (tests/it/kill.rs). It changes nothing else and is not meant for
//! production use.

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::stage::StageEntry;

/// How progress is reported on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// A spinner when stderr is a terminal, plain lines otherwise.
    #[default]
    Auto,
    /// `[riskmap] stage X done in 1.23 s` lines.
    Plain,
    /// One JSON object per line: `ts`, `level`, `stage`, `seconds`, `rows`, `message`.
    Json,
}

static FORMAT: OnceLock<LogFormat> = OnceLock::new();
static SPINNER: Mutex<Option<indicatif::ProgressBar>> = Mutex::new(None);

/// Sets the process-wide log format; the first call wins.
pub fn set_log_format(format: LogFormat) {
    let _ = FORMAT.set(format);
}

fn format() -> LogFormat {
    match FORMAT.get().copied().unwrap_or_default() {
        LogFormat::Auto if std::io::stderr().is_terminal() => LogFormat::Auto,
        LogFormat::Auto => LogFormat::Plain,
        f => f,
    }
}

/// Reports an event; `stage`, `seconds` and `rows` are given for a finished stage.
pub fn event(
    level: &str,
    message: &str,
    stage: Option<&str>,
    seconds: Option<f64>,
    rows: Option<usize>,
) {
    let line = match format() {
        LogFormat::Json => serde_json::json!({
            "ts": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "level": level,
            "stage": stage,
            "seconds": seconds,
            "rows": rows,
            "message": message,
        })
        .to_string(),
        _ => {
            let mut s = format!("[riskmap] {message}");
            if let Some(secs) = seconds {
                s.push_str(&format!(" in {secs:.2} s"));
            }
            if let Some(n) = rows {
                s.push_str(&format!(" ({n} rows)"));
            }
            s
        }
    };
    print_line(&line, Some(stage.unwrap_or(message)));
}

/// Prints a line on stderr, above the spinner when there is one, whose
/// message then reads "after `after`" if given.
fn print_line(line: &str, after: Option<&str>) {
    let spinner = SPINNER.lock().unwrap_or_else(|e| e.into_inner());
    match spinner.as_ref() {
        Some(pb) => {
            pb.println(line);
            if let Some(after) = after {
                pb.set_message(format!("after {after}"));
            }
        }
        None => {
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    }
}

/// Reports an alert as one JSON object on one line of stderr, whatever the
/// log format, so that the system journal (or any log shipper) can match
/// and parse it: `ts`, `level` (`warning`), `event` (`alert`), then `fields`.
pub fn alert(fields: serde_json::Map<String, serde_json::Value>) {
    let mut line = serde_json::Map::new();
    line.insert(
        "ts".into(),
        chrono::Utc::now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            .into(),
    );
    line.insert("level".into(), "warning".into());
    line.insert("event".into(), "alert".into());
    line.extend(fields);
    print_line(&serde_json::Value::Object(line).to_string(), None);
}

/// A job in progress: shows a spinner on a terminal until dropped.
pub struct Job(());

impl Job {
    /// Starts reporting a job (`run`, `validate`).
    pub fn start(name: &'static str) -> Job {
        if format() == LogFormat::Auto {
            let pb = indicatif::ProgressBar::new_spinner();
            pb.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {elapsed:>4} {prefix}: {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            pb.set_prefix(name);
            pb.set_message("starting");
            pb.enable_steady_tick(Duration::from_millis(120));
            *SPINNER.lock().unwrap_or_else(|e| e.into_inner()) = Some(pb);
        }
        event("info", &format!("{name} started"), None, None, None);
        Job(())
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        if let Some(pb) = SPINNER.lock().unwrap_or_else(|e| e.into_inner()).take() {
            pb.finish_and_clear();
        }
    }
}

/// The test-only pause described in the module docs.
pub fn pause_point(stage: &str) {
    if std::env::var("RISKMAP_TEST_PAUSE_AT").is_ok_and(|s| s == stage) {
        let _ = writeln!(std::io::stderr(), "[riskmap] test pause at {stage}");
        std::thread::sleep(Duration::from_secs(600));
    }
}

/// The run's stage timings, reported as they are recorded.
#[derive(Debug, Default)]
pub struct StageLog {
    entries: Vec<StageEntry>,
}

impl StageLog {
    /// An empty log.
    pub fn new() -> StageLog {
        StageLog::default()
    }

    /// Records and reports a finished stage.
    pub fn push(&mut self, entry: StageEntry) {
        self.push_rows(entry, None);
    }

    /// Records and reports a finished stage with the rows it produced.
    pub fn push_rows(&mut self, entry: StageEntry, rows: Option<usize>) {
        event(
            "info",
            &format!("stage {} done", entry.name),
            Some(&entry.name),
            Some(entry.seconds),
            rows,
        );
        let name = entry.name.clone();
        self.entries.push(entry);
        pause_point(&name);
    }

    /// Records and reports a stage skipped for want of data, as a warning
    /// that says why; the entry's `skipped` holds the reason.
    pub fn skip(&mut self, skipped: &crate::stage::Skipped) {
        event(
            "warn",
            &format!("stage skipped: {}", skipped.reason),
            Some(&skipped.stage),
            None,
            None,
        );
        self.entries.push(StageEntry {
            name: skipped.stage.clone(),
            seconds: 0.0,
            skipped: Some(skipped.reason.clone()),
        });
        pause_point(&skipped.stage);
    }

    /// Records and reports several finished stages.
    pub fn extend(&mut self, entries: impl IntoIterator<Item = StageEntry>) {
        for e in entries {
            self.push(e);
        }
    }

    /// The entries, for the manifest.
    pub fn into_vec(self) -> Vec<StageEntry> {
        self.entries
    }
}
