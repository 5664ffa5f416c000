//! The fuzz targets' properties (`fuzz/checks.rs`) in CI, on stable Rust:
//! every input of the committed corpus, then seeded mutations of it (bit
//! flips, byte and token insertions, deletions, truncations, splices). This
//! is a short, blind run; the coverage-guided one is `cargo +nightly fuzz`
//! (see `fuzz/README.md`), whose interesting finds are committed to the
//! corpus and so replayed here.

#[path = "../../fuzz/checks.rs"]
mod checks;

/// Inputs per target: corpus files plus this many mutants (fewer for the
/// targets that validate a whole folder per input).
const MUTANTS: usize = 5000;
const FOLDER_MUTANTS: usize = 1000;

/// Tokens that readers treat specially.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b"\r",
    b"\t",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xb9\xe3",
    b"\x80",
    b"\0",
    b"=",
    b"[",
    b"]",
    b"[[",
    b"{",
    b"}",
    b"'''",
    b"\"\"\"",
    b"#",
    b"-",
    b":",
    b"/",
    b".",
    b"1e308",
    b"NaN",
    b"-0",
    b"9999999999999999999",
    b"2021-02-29",
    b"24:00",
    b"%Y",
    b"%m",
    b"%d",
    b"%H",
    b"%Q",
    b"\xe5\xb9\xb4",
    b"\xe6\x9c\x88",
    b"\xe6\x97\xa5",
    // riskmap.toml keys and GeoJSON members (region_folder, vector_layer).
    b"[sources.incidents]",
    b"path = ",
    b"crs = \"EPSG:3857\"",
    b"[validate]",
    b"snap_tolerance_m = ",
    b"fix_swapped = true",
    b"\"coordinates\":",
    b"\"type\":\"Polygon\"",
    b"\"MultiPolygon\"",
    b"\"Point\"",
    b"null",
    b"[[[120.1,30.0],[120.0,30.0]]]",
];

/// xorshift64*: deterministic, so a failure is reproducible by its index.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut v = corpus[rng.below(corpus.len())].clone();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.iter().copied());
            }
            2 if !v.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(v.len());
                v.drain(at.min(end)..end);
            }
            3 => v.truncate(at),
            4 => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len() + 1);
                v.splice(at..at, other[from..].iter().copied());
            }
            _ => {
                let b = rng.next() as u8;
                v.insert(at, b);
            }
        }
    }
    v
}

/// Runs `check` on the corpus of `target` and on mutants of it; returns how many inputs.
fn replay(target: &str, seed: u64, mutants: usize, check: &dyn Fn(&[u8])) -> usize {
    let dir = crate::support::repo().join("fuzz/corpus").join(target);
    let mut corpus: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    corpus.sort();
    assert!(!corpus.is_empty(), "no corpus in {}", dir.display());
    for input in &corpus {
        check(input);
    }
    let mut rng = Rng(seed);
    for i in 0..mutants {
        let input = mutate(&mut rng, &corpus);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&input)));
        assert!(
            r.is_ok(),
            "{target}: mutant {i} (seed {seed}) fails: {:?}",
            String::from_utf8_lossy(&input)
        );
    }
    corpus.len() + mutants
}

#[test]
fn the_csv_reader_survives_the_corpus_and_its_mutants() {
    let dir = tempfile::tempdir().unwrap();
    let n = replay("read_records_csv", 0x5eed_0001, MUTANTS, &|d| {
        checks::read_records_csv(dir.path(), d)
    });
    eprintln!("read_records_csv: {n} inputs");
}

#[test]
fn the_configuration_loader_survives_the_corpus_and_its_mutants() {
    let dir = tempfile::tempdir().unwrap();
    let n = replay("config_toml", 0x5eed_0002, MUTANTS, &|d| {
        checks::config_toml(dir.path(), d)
    });
    eprintln!("config_toml: {n} inputs");
}

#[test]
fn dates_survive_the_corpus_and_its_mutants() {
    let n = replay("parse_when", 0x5eed_0003, MUTANTS, &|d| {
        checks::parse_when_round_trips(d)
    });
    eprintln!("parse_when: {n} inputs");
}

#[test]
fn a_region_folder_with_any_configuration_and_source_validates_or_is_refused() {
    checks::quiet_gdal();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let n = replay("region_folder", 0x5eed_0004, FOLDER_MUTANTS, &|d| {
        checks::region_folder(&data, d)
    });
    eprintln!("region_folder: {n} inputs");
}

#[test]
fn any_townships_layer_validates_or_is_refused() {
    checks::quiet_gdal();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let n = replay("vector_layer", 0x5eed_0005, FOLDER_MUTANTS, &|d| {
        checks::vector_layer(&data, d)
    });
    eprintln!("vector_layer: {n} inputs");
}
