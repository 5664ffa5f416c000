//! The incremental cache of `riskmap run`: stage results kept by the content
//! of their inputs, so that the next night recomputes only what changed.
//!
//! Two levels:
//!
//! - **The whole run.** The run's *input fingerprint* is a SHA-256 over every
//!   input file's bytes, the configuration, the as-of date, the language and
//!   riskmap's version. If it equals the published run's (`manifest.json`,
//!   `input_fingerprint`), nothing changed and nothing is recomputed.
//! - **A stage's pure part.** A result that depends on less than the whole
//!   input (the backtest that picks the forecasting models reads complete
//!   years only; the emerging hot spot grid of one source reads that source's
//!   points in complete years) is stored under `OUT/.cache/<stage>/<key>.bin`,
//!   where the key is a SHA-256 over exactly the values it is computed from,
//!   and reused when the key recurs. One more day of records changes the
//!   current year, not the complete ones, so these stages are skipped.
//!
//! An output file computed only from such results (the grid's GeoPackage)
//! is kept beside them as `<key>.<extension>` ([`Cache::file`]), and copied
//! into the next run instead of written again.
//!
//! Entries are written to a temporary file and renamed, so a killed run
//! leaves no half entry; an entry that does not parse (a kept file that is
//! empty) is a miss. After a successful run, entries this run did not use
//! are removed, which keeps the cache at about one run's worth. Results are
//! stored in postcard's binary form (serde's data model, floats as their
//! bits), so a cached result is bit-identical to a fresh one
//! (`tests/it/incremental.rs` compares the bytes of a warm and a cold run);
//! as JSON, a nation's four emerging hot spot grids were 427 MB.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The folder under OUT.
pub const CACHE_DIR: &str = ".cache";

/// A content key: SHA-256 over what a result is computed from.
#[derive(Debug, Clone)]
pub struct Key(String);

impl Key {
    /// The key as lower-case hex.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Builds a [`Key`] from typed parts; every part is length- or
/// width-delimited, so different inputs cannot run together into one.
pub struct KeyBuilder(Sha256);

impl KeyBuilder {
    /// A key for `stage`, salted with riskmap's version (a new version may
    /// compute differently).
    pub fn new(stage: &str) -> KeyBuilder {
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update([0]);
        h.update(stage.as_bytes());
        h.update([0]);
        KeyBuilder(h)
    }

    /// Adds text.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.0.update((s.len() as u64).to_le_bytes());
        self.0.update(s.as_bytes());
        self
    }

    /// Adds an integer.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.update(v.to_le_bytes());
        self
    }

    /// Adds indices.
    pub fn usizes(&mut self, v: &[usize]) -> &mut Self {
        self.0.update((v.len() as u64).to_le_bytes());
        for x in v {
            self.0.update((*x as u64).to_le_bytes());
        }
        self
    }

    /// Adds floats, bit for bit.
    pub fn f64s(&mut self, v: &[f64]) -> &mut Self {
        self.0.update((v.len() as u64).to_le_bytes());
        for x in v {
            self.0.update(x.to_bits().to_le_bytes());
        }
        self
    }

    /// Adds a value through its JSON form (configuration sections).
    pub fn json<T: Serialize>(&mut self, v: &T) -> &mut Self {
        let s = serde_json::to_string(v).unwrap_or_default();
        self.str(&s)
    }

    /// The key.
    pub fn finish(&mut self) -> Key {
        Key(hex(&std::mem::take(&mut self.0).finalize()))
    }
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hits and misses, for the manifest.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CacheReport {
    /// Whether the cache was used (`--no-cache` turns it off).
    pub enabled: bool,
    /// `stage` of every result taken from the cache.
    pub hits: Vec<String>,
    /// `stage` of every result computed and stored.
    pub misses: Vec<String>,
}

/// An entry's bytes: the SHA-256 of the payload, then the payload, `v` in
/// postcard's form. The binary form has no redundancy of its own (a damaged
/// byte can still decode), so the digest is what tells a whole entry.
fn seal<T: Serialize>(v: &T) -> Option<Vec<u8>> {
    let payload = postcard::to_stdvec(v).ok()?;
    let mut bytes = Sha256::digest(&payload).to_vec();
    bytes.extend_from_slice(&payload);
    Some(bytes)
}

/// The value of an entry [`seal`] wrote, or `None` if it is damaged: a
/// digest that does not match, a payload that does not decode, or bytes
/// left over.
fn unseal<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let (digest, payload) = bytes.split_at_checked(32)?;
    if Sha256::digest(payload).as_slice() != digest {
        return None;
    }
    match postcard::take_from_bytes::<T>(payload) {
        Ok((v, [])) => Some(v),
        _ => None,
    }
}

/// Stores an entry at `entry`: `fill` writes a temporary file beside it,
/// which is then renamed, so that a killed run leaves no half entry. An
/// entry that cannot be stored (full disk, read-only folder) only costs the
/// next run the work again.
fn put(entry: &Path, fill: impl FnOnce(&Path) -> std::io::Result<()>) {
    let extension = entry.extension().unwrap_or_default().to_string_lossy();
    let tmp = entry.with_extension(format!("{extension}.{}.tmp", std::process::id()));
    let stored = entry
        .parent()
        .is_some_and(|d| std::fs::create_dir_all(d).is_ok())
        && fill(&tmp).is_ok()
        && std::fs::rename(&tmp, entry).is_ok();
    if !stored {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// What [`Cache::file`] found.
#[derive(Debug)]
pub enum FileEntry {
    /// The kept file: copy it.
    Hit(PathBuf),
    /// Write the file, then keep a copy here (when the cache is on).
    Miss(Option<PathBuf>),
}

/// The cache of one output folder. Cheap to share across threads.
pub struct Cache {
    dir: Option<PathBuf>,
    used: Mutex<BTreeSet<PathBuf>>,
    report: Mutex<CacheReport>,
}

impl Cache {
    /// The cache under `out`, or a cache that never hits (`enabled` false).
    pub fn open(out: &Path, enabled: bool) -> Cache {
        Cache {
            dir: enabled.then(|| out.join(CACHE_DIR)),
            used: Mutex::default(),
            report: Mutex::new(CacheReport {
                enabled,
                ..Default::default()
            }),
        }
    }

    /// A cache that never hits and stores nothing (tests, `--no-cache`).
    pub fn off() -> Cache {
        Cache::open(Path::new(""), false)
    }

    fn path(&self, stage: &str, key: &Key) -> Option<PathBuf> {
        self.path_with(stage, key, "bin")
    }

    fn path_with(&self, stage: &str, key: &Key, extension: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let stage_dir: String = stage
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        Some(dir.join(stage_dir).join(format!("{}.{extension}", key.0)))
    }

    /// An output file of `stage` kept by `key` (a GeoPackage a stage writes
    /// from results that did not change): [`FileEntry::Hit`] with the kept
    /// copy to copy from, or [`FileEntry::Miss`] with where to keep the one
    /// about to be written (`None` when the cache is off). A copy, not a
    /// link: a GIS that writes into the published file (QGIS adds a
    /// GeoPackage's spatial index on demand) must not change the kept one.
    /// A kept file is whole ([`Cache::keep_copy`] syncs it before it takes
    /// its name); an empty one is a miss. The caller says with
    /// [`Cache::count`] whether it used the kept file.
    pub fn file(&self, stage: &str, key: &Key, extension: &str) -> FileEntry {
        let Some(path) = self.path_with(stage, key, extension) else {
            return FileEntry::Miss(None);
        };
        self.used.lock().expect("cache lock").insert(path.clone());
        if std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() > 0) {
            FileEntry::Hit(path)
        } else {
            FileEntry::Miss(Some(path))
        }
    }

    /// Records a hit or a miss of `stage` for the manifest (nothing when the
    /// cache is off).
    pub fn count(&self, stage: &str, hit: bool) {
        if self.dir.is_none() {
            return;
        }
        let mut report = self.report.lock().expect("cache lock");
        if hit {
            report.hits.push(stage.to_owned());
        } else {
            report.misses.push(stage.to_owned());
        }
    }

    /// Keeps a copy of `written` at `entry` (from [`Cache::file`]).
    pub fn keep_copy(written: &Path, entry: &Path) {
        // Synced before the rename: after a power cut the entry is either
        // whole or absent, never a named, truncated file (a kept file has no
        // digest to tell).
        put(entry, |tmp| {
            std::fs::copy(written, tmp)?;
            std::fs::File::open(tmp)?.sync_all()
        });
    }

    /// The cached result of `stage` for `key`, or `compute()`'s, stored.
    pub fn memo<T, F>(&self, stage: &str, key: &Key, compute: F) -> T
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> T,
    {
        let Some(path) = self.path(stage, key) else {
            return compute();
        };
        self.used.lock().expect("cache lock").insert(path.clone());
        if let Some(v) = std::fs::read(&path).ok().and_then(|b| unseal::<T>(&b)) {
            self.count(stage, true);
            return v;
        }
        let v = compute();
        if let Some(bytes) = seal(&v) {
            put(&path, |tmp| std::fs::write(tmp, &bytes));
        }
        self.count(stage, false);
        v
    }

    /// Removes every entry this run did not use (after a successful run).
    pub fn prune(&self) {
        let Some(dir) = &self.dir else { return };
        let used = self.used.lock().expect("cache lock");
        let Ok(stages) = std::fs::read_dir(dir) else {
            return;
        };
        for stage in stages.flatten() {
            let Ok(entries) = std::fs::read_dir(stage.path()) else {
                continue;
            };
            for e in entries.flatten() {
                if !used.contains(&e.path()) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }

    /// What hit and what missed, sorted.
    pub fn report(&self) -> CacheReport {
        let mut r = self.report.lock().expect("cache lock").clone();
        r.hits.sort();
        r.misses.sort();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_is_computed_once_per_key_and_read_back_bit_for_bit() {
        let dir = tempfile::tempdir().unwrap();
        let key = |x: f64| KeyBuilder::new("s").f64s(&[x]).finish();
        let awkward = [0.1 + 0.2, 1.0 / 3.0, f64::MIN_POSITIVE, 1e300, -0.0];
        let cache = Cache::open(dir.path(), true);
        let first: Vec<f64> = cache.memo("stage one", &key(1.0), || awkward.to_vec());
        let again: Vec<f64> = cache.memo("stage one", &key(1.0), || panic!("must not recompute"));
        assert_eq!(
            first.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            again.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        let other: Vec<f64> = cache.memo("stage one", &key(2.0), || vec![2.0]);
        assert_eq!(other, [2.0]);
        let r = cache.report();
        assert_eq!((r.hits.len(), r.misses.len()), (1, 2));

        // A new run that uses only key(2.0) prunes key(1.0).
        let cache = Cache::open(dir.path(), true);
        let _: Vec<f64> = cache.memo("stage one", &key(2.0), || panic!("cached"));
        cache.prune();
        let cache = Cache::open(dir.path(), true);
        let v: Vec<f64> = cache.memo("stage one", &key(1.0), || vec![9.0]);
        assert_eq!(v, [9.0], "pruned, so recomputed");
    }

    #[test]
    fn a_damaged_entry_is_a_miss_and_a_disabled_cache_never_hits() {
        let dir = tempfile::tempdir().unwrap();
        let key = KeyBuilder::new("s").str("a").finish();
        let cache = Cache::open(dir.path(), true);
        let _: u32 = cache.memo("s", &key, || 1);
        let path = cache.path("s", &key).unwrap();
        std::fs::write(&path, b"{ truncated").unwrap();
        let cache = Cache::open(dir.path(), true);
        assert_eq!(cache.memo("s", &key, || 2u32), 2);
        // One byte changed in a whole entry: the digest no longer matches.
        let mut bytes = std::fs::read(&path).unwrap();
        assert_eq!(unseal::<u32>(&bytes), Some(2));
        *bytes.last_mut().unwrap() ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let cache = Cache::open(dir.path(), true);
        assert_eq!(cache.memo("s", &key, || 4u32), 4);
        // Bytes left over after the value are damage too.
        let mut long = seal(&5u32).unwrap();
        long.push(0);
        let digest = Sha256::digest(&long[32..]);
        long[..32].copy_from_slice(&digest);
        assert_eq!(unseal::<u32>(&long), None);
        let off = Cache::open(dir.path(), false);
        assert_eq!(off.memo("s", &key, || 3u32), 3);
        assert!(!off.report().enabled);
    }

    #[test]
    fn a_kept_file_is_a_copy_found_by_its_key_and_pruned_when_unused() {
        let dir = tempfile::tempdir().unwrap();
        let written = dir.path().join("layer.gpkg");
        std::fs::write(&written, b"the layer's bytes").unwrap();
        let key = KeyBuilder::new("s").str("grids").finish();
        let cache = Cache::open(dir.path(), true);
        let FileEntry::Miss(Some(entry)) = cache.file("layer", &key, "gpkg") else {
            panic!("an empty cache misses, with a place to keep the file");
        };
        Cache::keep_copy(&written, &entry);
        // The published file changes after the run (a GIS adds its index):
        // the kept copy does not.
        std::fs::write(&written, b"changed").unwrap();
        let cache = Cache::open(dir.path(), true);
        let FileEntry::Hit(kept) = cache.file("layer", &key, "gpkg") else {
            panic!("kept by the last run");
        };
        assert_eq!(std::fs::read(&kept).unwrap(), b"the layer's bytes");
        cache.count("layer", true);
        let r = cache.report();
        assert_eq!(
            (r.hits.clone(), r.misses.len()),
            (vec!["layer".to_owned()], 0)
        );
        // An empty kept file (a disk that filled) is a miss.
        std::fs::write(&kept, b"").unwrap();
        assert!(matches!(
            cache.file("layer", &key, "gpkg"),
            FileEntry::Miss(Some(_))
        ));
        std::fs::write(&kept, b"the layer's bytes").unwrap();
        let other = KeyBuilder::new("s").str("other grids").finish();
        assert!(matches!(
            cache.file("layer", &other, "gpkg"),
            FileEntry::Miss(Some(_))
        ));

        // A run that asks for another key only prunes the kept file.
        let cache = Cache::open(dir.path(), true);
        let _ = cache.file("layer", &other, "gpkg");
        cache.prune();
        assert!(!kept.exists());
        let off = Cache::off();
        assert!(matches!(
            off.file("layer", &key, "gpkg"),
            FileEntry::Miss(None)
        ));
        off.count("layer", false);
        assert!(off.report().misses.is_empty());
    }

    #[test]
    fn keys_do_not_run_parts_together() {
        let a = KeyBuilder::new("s").str("ab").str("c").finish();
        let b = KeyBuilder::new("s").str("a").str("bc").finish();
        let c = KeyBuilder::new("t").str("ab").str("c").finish();
        assert_ne!(a.0, b.0);
        assert_ne!(a.0, c.0);
    }
}
