//! Rules of ARCHITECTURE.md that a test can keep: the core crates never
//! depend on gdal, plotters or clap, and every module says what it is for.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    crate::support::repo()
}

/// Crates that must stay free of file formats, plotting and the command line.
const CORE: &[&str] = &[
    "riskmap-domain",
    "riskmap-synth",
    "riskmap-spatial",
    "riskmap-stats",
    "riskmap-forecast",
    "riskmap-raster",
    "riskmap-score",
];

#[test]
fn core_crates_do_not_depend_on_gdal_plotters_or_clap() {
    for name in CORE {
        let manifest =
            std::fs::read_to_string(root().join("crates").join(name).join("Cargo.toml")).unwrap();
        for banned in ["gdal", "plotters", "clap", "riskmap-io", "riskmap-pipeline"] {
            let line = manifest.lines().find(|l| {
                l.trim_start().starts_with(&format!("{banned}."))
                    || l.trim_start().starts_with(&format!("{banned} ="))
            });
            assert!(line.is_none(), "{name} depends on {banned}: {line:?}");
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_module_opens_with_a_doc_paragraph() {
    let mut files = Vec::new();
    for dir in ["src", "crates", "tests", "benches"] {
        rust_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 20);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            text.trim_start().starts_with("//!"),
            "{} does not open with a //! paragraph",
            f.display()
        );
    }
}

/// The floors of `riskmap-pipeline`, from the bottom: a module may use only
/// modules on floors below its own (ARCHITECTURE.md, "the pipeline"). A new
/// module must be given a floor here.
const PIPELINE_FLOORS: &[&[&str]] = &[
    // The crate's error type.
    &["error"],
    // The run's data model, stage records, settings, the cache and staging.
    &["model", "stage", "config", "cache", "staging"],
    // Finding the folder's files, progress, township names, the panel, the
    // year-to-date summary, the synthetic region writer.
    &[
        "region",
        "progress",
        "township_names",
        "panel",
        "summary",
        "synth",
    ],
    // Validation and the stages that read only validated data.
    &["validate", "publish", "rasters", "spatial_stats", "alerts"],
    // Stages that read files of their own as well.
    &["backtest", "scores"],
    // The report, made from every stage's results.
    &["report"],
    // The nightly job: the stages in order.
    &["run"],
];

/// The pipeline modules a source file uses (`crate::name`, also inside
/// `use crate::{a, b}`), outside its `#[cfg(test)] mod tests` and comments.
fn pipeline_imports(text: &str, modules: &[&str]) -> Vec<String> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    let code: String = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = std::collections::BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group
                .split('}')
                .next()
                .unwrap_or("")
                .split(',')
                .map(|n| n.trim().split("::").next().unwrap_or(""))
                .collect(),
            None => vec![rest
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")],
        };
        found.extend(
            names
                .into_iter()
                .filter(|n| modules.contains(n))
                .map(str::to_owned),
        );
    }
    found.into_iter().collect()
}

#[test]
fn pipeline_modules_import_downwards_only() {
    let src = root().join("crates/riskmap-pipeline/src");
    let floor_of = |m: &str| PIPELINE_FLOORS.iter().position(|f| f.contains(&m));
    let modules: Vec<&str> = PIPELINE_FLOORS
        .iter()
        .flat_map(|f| f.iter().copied())
        .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&src)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    let mut wrong = Vec::new();
    for f in &files {
        let name = f.file_stem().unwrap().to_str().unwrap();
        if name == "lib" {
            continue;
        }
        let Some(floor) = floor_of(name) else {
            wrong.push(format!("{name}.rs is on no floor of PIPELINE_FLOORS"));
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        for used in pipeline_imports(&text, &modules) {
            if used != name && floor_of(&used).is_some_and(|u| u >= floor) {
                wrong.push(format!(
                    "{name} (floor {floor}) uses {used} (floor {})",
                    floor_of(&used).unwrap()
                ));
            }
        }
    }
    assert!(files.len() > 15, "{}", src.display());
    assert!(
        wrong.is_empty(),
        "imports that do not run downwards:\n{}",
        wrong.join("\n")
    );
    // The reader finds what it must: a grouped use, a path, not a comment.
    let text = "use crate::{model::Validated, stage};\n// crate::run\nfn f() { crate::report::write(); }\n#[cfg(test)]\nmod tests { use crate::run; }";
    assert_eq!(
        pipeline_imports(text, &modules),
        ["model", "report", "stage"]
    );
}

/// Versions live in the root `[workspace.dependencies]` only: every crate
/// takes its dependencies with `name.workspace = true` (or `{ workspace =
/// true, ... }`), so that one edit moves a version everywhere.
#[test]
fn crate_dependencies_take_their_versions_from_the_workspace() {
    let mut wrong = Vec::new();
    for e in std::fs::read_dir(root().join("crates")).unwrap().flatten() {
        let manifest = e.path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let mut in_deps = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                in_deps = line.ends_with("dependencies]");
                continue;
            }
            if in_deps
                && !line.is_empty()
                && !line.starts_with('#')
                && !line.contains("workspace = true")
                && !line.contains(".workspace = true")
            {
                wrong.push(format!("{}: {line}", manifest.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "versions outside [workspace.dependencies]:\n{}",
        wrong.join("\n")
    );
}

/// Every name in the bilingual table (riskmap-domain's `Label`) and every
/// Chinese label of the closed vocabularies is written once: no other source
/// file of the crates spells it as a string literal of its own, outside tests
/// (issue 14: "a translation or a renamed category is one edit").
#[test]
fn every_printed_name_is_defined_once() {
    use riskmap_domain::{GeohazardType, HazardLevel, IncidentCategory, Label, Lang};
    let mut names: Vec<&str> = Label::ALL.iter().map(|l| l.text(Lang::Zh)).collect();
    names.extend(IncidentCategory::ALL.iter().map(|c| c.label_zh()));
    names.extend(GeohazardType::ALL.iter().map(|c| c.label_zh()));
    names.extend(HazardLevel::ALL.iter().map(|c| c.label_zh()));
    // Single characters and two-character words (火灾, 人口) also occur inside
    // input aliases and sentences; a name of three characters or more said
    // twice is the duplication this rule is about.
    names.retain(|n| n.chars().count() >= 3);
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    let homes = ["labels.rs", "vocab.rs"];
    // Header aliases are what bureau spreadsheets write (`乡镇（街道）` as a
    // column name), read, not printed: renaming a printed name keeps them.
    let aliases = [Path::new("riskmap-pipeline/src/config.rs")];
    let mut twice = Vec::new();
    for f in files.iter().filter(|f| {
        f.components().any(|c| c.as_os_str() == "src")
            && !homes
                .iter()
                .any(|h| f.ends_with(Path::new("riskmap-domain/src").join(h)))
            && !aliases.iter().any(|a| f.ends_with(a))
    }) {
        let text = std::fs::read_to_string(f).unwrap();
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or(&text)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect();
        for n in &names {
            if code.contains(&format!("\"{n}\"")) {
                twice.push(format!("{} spells \"{n}\"", f.display()));
            }
        }
    }
    assert!(
        twice.is_empty(),
        "names written outside the table:\n{}",
        twice.join("\n")
    );
}
