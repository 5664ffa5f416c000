//! Placing a record by the township it names, for ledger rows that carry no
//! coordinates (the direct reporting system's 事故台账 and fire statistics
//! usually give the township, 乡镇, and an address, but no lon/lat).
//!
//! A row is placed by its `township_code` (exact), else by its township name:
//! first the name exactly as the layer spells it, then both normalised
//! ([`normalise`]: white space and full-width forms folded, a trailing
//! 镇/乡/街道/街道办事处/办事处/民族乡 dropped), then through the aliases of
//! `[township_aliases]` in riskmap.toml. A name that several townships share
//! is settled by the row's county when it gives one (compared the same way,
//! with a trailing 县/区/市 dropped); otherwise the row is rejected as
//! ambiguous, naming the candidates, never placed by a guess.

use std::collections::{BTreeMap, HashMap};

use crate::model::Township;

/// Administrative suffixes dropped from the end of a township name, longest
/// first so that 街道办事处 is dropped whole and 民族乡 before 乡.
const TOWNSHIP_SUFFIXES: &[&str] = &["街道办事处", "民族乡", "办事处", "街道", "镇", "乡"];

/// Suffixes dropped from the end of a county name.
const COUNTY_SUFFIXES: &[&str] = &["自治县", "县", "区", "市"];

/// Folds a name for matching: full-width ASCII forms and the ideographic
/// space to their ASCII counterparts, every white space removed, Latin
/// letters lower-cased, and one trailing administrative suffix dropped
/// (unless that would leave nothing).
pub fn normalise(name: &str) -> String {
    fold_with(name, TOWNSHIP_SUFFIXES)
}

fn fold_with(name: &str, suffixes: &[&str]) -> String {
    let folded: String = name
        .chars()
        .map(|c| match c {
            // Full-width forms ！..～ are ASCII ! .. ~ shifted by 0xFEE0.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    for s in suffixes {
        if let Some(stem) = folded.strip_suffix(s) {
            if !stem.is_empty() {
                return stem.to_owned();
            }
        }
    }
    folded
}

/// How a row without coordinates was placed, or why it was not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamePlacement {
    /// The township's index (code order).
    Placed(usize),
    /// No township has that code or name.
    Unknown,
    /// Several townships have that name: their indices.
    Ambiguous(Vec<usize>),
}

/// Lookup of townships by code and by name, built once per run.
#[derive(Debug)]
pub struct TownshipNames<'a> {
    townships: &'a [Township],
    by_code: HashMap<&'a str, usize>,
    exact: HashMap<&'a str, Vec<usize>>,
    normalised: HashMap<String, Vec<usize>>,
    /// Alias (normalised) → township index.
    aliases: HashMap<String, usize>,
}

impl<'a> TownshipNames<'a> {
    /// Indexes `townships` (in code order). `aliases` maps a name used in the
    /// ledgers to a township code or to the name the layer uses; an alias
    /// that names neither, or a layer name that several townships share, is
    /// an error naming the alias, so the configuration can be fixed.
    pub fn new(
        townships: &'a [Township],
        aliases: &BTreeMap<String, String>,
    ) -> Result<Self, String> {
        let mut by_code = HashMap::with_capacity(townships.len());
        let mut exact: HashMap<&str, Vec<usize>> = HashMap::with_capacity(townships.len());
        let mut normalised: HashMap<String, Vec<usize>> = HashMap::with_capacity(townships.len());
        for (i, t) in townships.iter().enumerate() {
            by_code.insert(t.code.as_str(), i);
            exact.entry(t.name.as_str()).or_default().push(i);
            normalised.entry(normalise(&t.name)).or_default().push(i);
        }
        let mut names = TownshipNames {
            townships,
            by_code,
            exact,
            normalised,
            aliases: HashMap::new(),
        };
        for (alias, target) in aliases {
            let i = match names.by_code.get(target.as_str()) {
                Some(&i) => i,
                None => match names.by_name(target, None) {
                    NamePlacement::Placed(i) => i,
                    NamePlacement::Unknown => {
                        return Err(format!(
                            "[township_aliases] \"{alias}\" = \"{target}\": no township has that code or name; give a township code from the townships layer"
                        ))
                    }
                    NamePlacement::Ambiguous(c) => {
                        return Err(format!(
                            "[township_aliases] \"{alias}\" = \"{target}\": several townships have that name ({}); give the township code instead",
                            names.describe(&c)
                        ))
                    }
                },
            };
            names.aliases.insert(normalise(alias), i);
        }
        Ok(names)
    }

    /// The township with exactly this code.
    pub fn by_code(&self, code: &str) -> Option<usize> {
        self.by_code.get(code.trim()).copied()
    }

    /// The township this name (and the row's county, if given) denotes.
    pub fn by_name(&self, name: &str, county: Option<&str>) -> NamePlacement {
        let key = normalise(name);
        let found = self
            .exact
            .get(name.trim())
            .or_else(|| self.normalised.get(&key))
            .cloned()
            .or_else(|| self.aliases.get(&key).map(|&i| vec![i]));
        match found {
            None => NamePlacement::Unknown,
            Some(c) if c.len() == 1 => NamePlacement::Placed(c[0]),
            Some(c) => {
                let in_county: Vec<usize> = match county {
                    Some(county) => {
                        let want = fold_with(county, COUNTY_SUFFIXES);
                        c.iter()
                            .copied()
                            .filter(|&i| {
                                self.townships[i]
                                    .county
                                    .as_deref()
                                    .is_some_and(|k| fold_with(k, COUNTY_SUFFIXES) == want)
                            })
                            .collect()
                    }
                    None => Vec::new(),
                };
                if in_county.len() == 1 {
                    NamePlacement::Placed(in_county[0])
                } else {
                    NamePlacement::Ambiguous(c)
                }
            }
        }
    }

    /// "330802001000 城关镇 (A县), 330803001000 城关镇 (B县)", for messages.
    pub fn describe(&self, candidates: &[usize]) -> String {
        candidates
            .iter()
            .map(|&i| {
                let t = &self.townships[i];
                match &t.county {
                    Some(c) => format!("{} {} ({c})", t.code, t.name),
                    None => format!("{} {}", t.code, t.name),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn township(code: &str, name: &str, county: Option<&str>) -> Township {
        Township {
            code: code.into(),
            name: name.into(),
            population: None,
            county: county.map(Into::into),
        }
    }

    #[test]
    fn normalising_folds_spaces_full_width_forms_and_one_suffix() {
        assert_eq!(normalise("城关镇"), "城关");
        assert_eq!(normalise(" 城 关　镇 "), "城关");
        assert_eq!(normalise("西城街道办事处"), "西城");
        assert_eq!(normalise("西城街道"), "西城");
        assert_eq!(normalise("鹤溪畲族民族乡"), "鹤溪畲族");
        assert_eq!(normalise("ＡＢ乡"), "ab");
        // A name that is only a suffix stays itself.
        assert_eq!(normalise("乡"), "乡");
    }

    #[test]
    fn a_name_is_found_exactly_then_normalised_then_by_alias_and_a_shared_name_by_county() {
        let t = vec![
            township("1", "城关镇", Some("甲县")),
            township("2", "城关镇", Some("乙县")),
            township("3", "西城街道", Some("甲县")),
            township("4", "鹤溪镇", None),
        ];
        let aliases = BTreeMap::from([("老城".to_owned(), "3".to_owned())]);
        let n = TownshipNames::new(&t, &aliases).unwrap();
        assert_eq!(n.by_code("2"), Some(1));
        assert_eq!(n.by_code("9"), None);
        assert_eq!(n.by_name("西城街道", None), NamePlacement::Placed(2));
        assert_eq!(n.by_name("西城街道办事处", None), NamePlacement::Placed(2));
        assert_eq!(n.by_name("鹤溪", None), NamePlacement::Placed(3));
        assert_eq!(n.by_name("老城街道", None), NamePlacement::Placed(2));
        assert_eq!(n.by_name("东城", None), NamePlacement::Unknown);
        assert_eq!(
            n.by_name("城关镇", None),
            NamePlacement::Ambiguous(vec![0, 1])
        );
        assert_eq!(n.by_name("城关", Some("乙县")), NamePlacement::Placed(1));
        assert_eq!(n.by_name("城关镇", Some("乙")), NamePlacement::Placed(1));
        assert_eq!(
            n.by_name("城关镇", Some("丙县")),
            NamePlacement::Ambiguous(vec![0, 1])
        );
        assert!(n
            .describe(&[0, 1])
            .contains("1 城关镇 (甲县), 2 城关镇 (乙县)"));
    }

    #[test]
    fn an_alias_to_nothing_or_to_a_shared_name_is_a_configuration_error() {
        let t = vec![township("1", "城关镇", None), township("2", "城关镇", None)];
        let bad = BTreeMap::from([("老城".to_owned(), "东城".to_owned())]);
        assert!(TownshipNames::new(&t, &bad).unwrap_err().contains("老城"));
        let shared = BTreeMap::from([("老城".to_owned(), "城关镇".to_owned())]);
        assert!(TownshipNames::new(&t, &shared)
            .unwrap_err()
            .contains("several"));
        let by_code = BTreeMap::from([("老城".to_owned(), "2".to_owned())]);
        let n = TownshipNames::new(&t, &by_code).unwrap();
        assert_eq!(n.by_name("老城", None), NamePlacement::Placed(1));
    }
}
