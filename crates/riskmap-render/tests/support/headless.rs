//! The headless Chromium harness shared by the report tests (this crate's
//! `tests/chromium.rs` on sample inputs, and the root `tests/it/report_run.rs` on
//! a real run): find the browser, and open a page with only DejaVu fonts, no
//! name resolution and a net log of the page's requests.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Width and height of a PNG (a screenshot or a figure), from its IHDR chunk.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// The Chromium binary: `$CHROMIUM`, or the first of the usual names on `PATH`.
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

/// Runs Chromium on `page` with extra arguments; returns stdout and the page's
/// network requests from the net log.
pub fn run(chrome: &Path, work: &Path, page: &Path, extra: &[String]) -> (String, Vec<String>) {
    let fonts = work.join("fonts.conf");
    // A fontconfig with DejaVu only: no CJK font on the "machine".
    std::fs::write(
        &fonts,
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{}</cachedir></fontconfig>",
            work.join("fc-cache").display()
        ),
    )
    .unwrap();
    let netlog = work.join(format!("net-{}.json", extra.len()));
    let out = Command::new(chrome)
        .env("FONTCONFIG_FILE", &fonts)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            // Nothing resolves: even a stray request cannot leave the machine.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=5000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&netlog).unwrap()).expect("net log is JSON");
    // Requests made for the page carry its (file://) network isolation key; the
    // browser's own background requests do not.
    let mut urls: Vec<String> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            let p = &e["params"];
            let nik = p["network_isolation_key"].as_str()?;
            nik.contains("file://")
                .then(|| p["url"].as_str().unwrap_or("").to_string())
        })
        .collect();
    urls.sort();
    urls.dedup();
    (String::from_utf8_lossy(&out.stdout).into_owned(), urls)
}

/// The inside of every `<figure>` of a DOM.
pub fn figures_of(dom: &str) -> Vec<&str> {
    dom.split("<figure")
        .skip(1)
        .map(|f| f.split("</figure>").next().unwrap_or(f))
        .collect()
}

/// Checks a rendered report's DOM: every figure holds an SVG or an image,
/// every image is embedded (`data:`), and every link stays in the file.
pub fn assert_self_contained(dom: &str, figures: &[&str]) {
    for f in figures {
        assert!(
            f.contains("<svg") || f.contains("<img"),
            "an empty figure: {}",
            &f[..80.min(f.len())]
        );
    }
    for src in dom.split(" src=\"").skip(1) {
        assert!(
            src.starts_with("data:"),
            "an image that is not embedded: {}",
            &src[..60.min(src.len())]
        );
    }
    for href in dom.split("href=\"").skip(1) {
        assert!(
            href.starts_with('#') || href.starts_with("data:"),
            "a reference out of the file: {}",
            &href[..60.min(href.len())]
        );
    }
}
