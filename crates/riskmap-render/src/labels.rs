//! The words of the figures and the report come from riskmap-domain's one
//! bilingual table ([`Label`], [`Lang`]); this module adds how numbers are
//! written and the Chinese text the font must cover.

pub use riskmap_domain::labels::{Label, Lang};

/// All Chinese text of the table, for the font coverage test.
pub fn all_chinese() -> String {
    Label::ALL.iter().map(|l| l.text(Lang::Zh)).collect()
}

/// A number with a thousands separator as the language writes it, e.g. `12,345`.
pub fn thousands(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if v < 0.0 && v.abs() >= 0.5 * 10f64.powi(-(decimals as i32)) {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits_and_signs() {
        assert_eq!(thousands(1234567.0, 0), "1,234,567");
        assert_eq!(thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(thousands(12.0, 0), "12");
        assert_eq!(thousands(-0.01, 0), "0");
    }
}
