//! Property tests of the pipeline's input handling on generated bad input:
//! record dates in any form (and any `date_format`), and `riskmap.toml` as
//! arbitrary TOML-ish text. Nothing may panic; a configuration is either
//! loaded or refused with a message naming `riskmap.toml`, and an unknown
//! key is refused with a message naming that key.
//!
//! Cases per property: a few hundred by default (seconds); set
//! `PROPTEST_CASES` for a bigger batch.

use proptest::prelude::*;
use riskmap_pipeline::config::Config;
use riskmap_pipeline::validate::parse_when;

/// The configured number of cases: `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> ProptestConfig {
    match std::env::var("PROPTEST_CASES") {
        Ok(_) => ProptestConfig::default(),
        Err(_) => ProptestConfig::with_cases(default),
    }
}

/// Date-like text: pieces of real forms (digits, separators, Chinese
/// date characters, times, zones, far-off years) in random order, plus
/// arbitrary strings.
fn datelike() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9]{1,4}",
        Just("-".to_owned()),
        Just("/".to_owned()),
        Just(":".to_owned()),
        Just("T".to_owned()),
        Just(" ".to_owned()),
        Just(".".to_owned()),
        Just("年".to_owned()),
        Just("月".to_owned()),
        Just("日".to_owned()),
        Just("+08:00".to_owned()),
        Just("Z".to_owned()),
        Just("99999999999".to_owned()),
        Just("-262144".to_owned()),
        Just("2021-02-29".to_owned()),
        Just("24:00:60".to_owned()),
        Just("\u{FEFF}".to_owned()),
        Just("\u{3000}".to_owned()),
    ];
    prop_oneof![
        3 => prop::collection::vec(piece, 0..12).prop_map(|v| v.concat()),
        1 => any::<String>(),
    ]
}

/// chrono format strings, including malformed ones (a lone `%`, unknown
/// specifiers, padding modifiers, `%.3f`, `%:z`, `%s`).
fn format_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "%[YmdHMSyjbBaAeIpfzZsuwUWGgVCD%:.#_\\-0-9a-zA-Z]{0,2}",
        Just("%Y年%m月%d日".to_owned()),
        Just("%.3f".to_owned()),
        Just("%:z".to_owned()),
        Just("%".to_owned()),
        "[-/ :T年月日]",
    ];
    prop::collection::vec(piece, 0..6).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(cases(2000))]

    #[test]
    fn parse_when_never_panics(text in datelike(), custom in prop::option::of(format_string())) {
        if let Some(t) = parse_when(&text, custom.as_deref()) {
            // Whatever parses is a real calendar date-time, whose ISO form
            // parses back to itself.
            let iso = t.format("%Y-%m-%dT%H:%M:%S%.f").to_string();
            prop_assert_eq!(parse_when(&iso, None), Some(t), "{}", iso);
        }
    }
}

/// The keys `riskmap.toml` knows, by table, and values of every TOML type.
const TABLES: &[(&str, &[&str])] = &[
    ("validate", &["snap_tolerance_m", "fix_swapped"]),
    (
        "stats",
        &[
            "permutations",
            "seed",
            "alpha",
            "fdr",
            "cell_size_m",
            "time_window",
        ],
    ),
    ("heatmaps", &["kernel", "bandwidth_m", "cell_size_m"]),
    ("heatmaps.weights", &["fires", "incidents", "roads"]),
    (
        "sources.incidents",
        &["path", "crs", "encoding", "date_format"],
    ),
    ("sources.townships", &["path", "crs", "encoding"]),
    ("sources.incidents.columns", &["occurred_at", "lon", "lat"]),
    ("sources.fires.values.category", &["工贸", "x"]),
    (
        "scores",
        &[
            "across",
            "skew_threshold",
            "cap_quantiles",
            "window_years",
            "half_life_years",
        ],
    ),
    ("scores.dimensions", &["natural", "fire", "nope"]),
    ("scores.levels", &["method", "breaks", "shares"]),
    ("scores.uncertainty", &["draws", "seed", "concentration"]),
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1".to_owned()),
        Just("0".to_owned()),
        Just("-5".to_owned()),
        Just("1e308".to_owned()),
        Just("nan".to_owned()),
        Just("inf".to_owned()),
        Just("-inf".to_owned()),
        Just("18446744073709551615".to_owned()),
        Just("0.05".to_owned()),
        Just("true".to_owned()),
        Just("\"EPSG:999999\"".to_owned()),
        Just("\"EPSG:4549\"".to_owned()),
        Just("\"GCJ02\"".to_owned()),
        Just("\"gbk\"".to_owned()),
        Just("\"quartic\"".to_owned()),
        Just("\"deaths\"".to_owned()),
        Just("\"%Y年%m月%d日\"".to_owned()),
        Just("\"quantile\"".to_owned()),
        Just("[0.1, 0.2, 0.3]".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("2021-04-04".to_owned()),
        "\"[^\"\\\\\n]{0,8}\"",
    ]
}

/// One line: a table header, a key = value (known or made up), or noise.
fn line() -> impl Strategy<Value = String> {
    let known_key = (0..TABLES.len(), 0..8usize, value()).prop_map(|(t, k, v)| {
        let keys = TABLES[t].1;
        format!("{} = {v}", keys[k % keys.len()])
    });
    prop_oneof![
        3 => (0..TABLES.len()).prop_map(|t| format!("[{}]", TABLES[t].0)),
        6 => known_key,
        1 => ("[a-z_]{1,8}", value()).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => "[\\[\\]=\"a-z0-9 .#\n]{0,16}",
        1 => any::<String>(),
    ]
}

fn load(
    text: &str,
) -> (
    Result<Config, riskmap_pipeline::PipelineError>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("riskmap.toml"), text).unwrap();
    (Config::load(dir.path()), dir)
}

proptest! {
    #![proptest_config(cases(1000))]

    #[test]
    fn config_load_never_panics_and_names_the_file(lines in prop::collection::vec(line(), 0..16)) {
        let text = lines.join("\n");
        let (result, _dir) = load(&text);
        if let Err(e) = result {
            prop_assert_eq!(e.exit_code(), 1);
            let message = e.to_string();
            prop_assert!(message.contains("riskmap.toml"), "{}", message);
        }
    }

    #[test]
    fn an_unknown_key_is_refused_by_name(
        table in prop::sample::select(vec!["validate", "stats", "heatmaps", "sources.incidents", "scores", "scores.levels", "scores.uncertainty"]),
        key in "zz[a-z_]{1,10}",
    ) {
        let (result, _dir) = load(&format!("[{table}]\n{key} = 1\n"));
        let message = result.expect_err("an unknown key must be refused").to_string();
        prop_assert!(message.contains("riskmap.toml") && message.contains(&key), "{}", message);
    }
}
