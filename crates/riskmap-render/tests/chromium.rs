//! The report opened in headless Chromium, as a reader's browser would: with
//! no system fonts but DejaVu (so Chinese can only come from the embedded
//! font), all network lookups failing, and a net log of every request. Fails
//! when the page asks the network for anything, when an image is not embedded
//! or a figure is empty, or when the screenshots at desktop (1280 px) and phone
//! (390 px) widths are not produced.
//!
//! Console errors: the report has no scripts, so the only errors a console could
//! show are failed loads; those are caught by the net log (network) and by the
//! DOM check (every `src` is a data URL, so nothing is loaded from disk). A
//! negative control (a page with an external image) proves the net-log check
//! catches a request. Needs the Debian package `chromium`
//! (`scripts/setup-system.sh` installs it); set `RISKMAP_SKIP_CHROMIUM=1` to skip
//! on a machine without it.

use std::path::{Path, PathBuf};
use std::process::Command;

use riskmap_render::{report, sample, Lang};

fn chromium() -> Option<PathBuf> {
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
fn run(chrome: &Path, work: &Path, page: &Path, extra: &[String]) -> (String, Vec<String>) {
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

fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[1..4], b"PNG");
    (
        u32::from_be_bytes([b[16], b[17], b[18], b[19]]),
        u32::from_be_bytes([b[20], b[21], b[22], b[23]]),
    )
}

#[test]
fn the_report_renders_offline_in_chromium_at_desktop_and_phone_widths() {
    let Some(chrome) = chromium() else {
        if std::env::var_os("RISKMAP_SKIP_CHROMIUM").is_some() {
            eprintln!("chromium not found; skipped because RISKMAP_SKIP_CHROMIUM is set");
            return;
        }
        panic!("chromium not found: install it (scripts/setup-system.sh) or set RISKMAP_SKIP_CHROMIUM=1");
    };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();

    // Negative control: the net-log check sees a page's external request.
    let bad = work.join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><body><img src=\"http://example.invalid/x.png\"></body></html>",
    )
    .unwrap();
    let (_, urls) = run(&chrome, work, &bad, &["--dump-dom".into()]);
    assert!(
        urls.iter().any(|u| u.contains("example.invalid")),
        "the net-log check missed a request: {urls:?}"
    );

    let set = sample::figure_set(17, Lang::Zh);
    let figures = set.render().unwrap();
    let page = work.join("report.html");
    report::write(&page, &sample::report_input(&set), &figures).unwrap();

    let (dom, urls) = run(&chrome, work, &page, &["--dump-dom".into()]);
    assert!(
        urls.is_empty(),
        "the report made network requests: {urls:?}"
    );
    assert!(
        dom.contains("云溪县安全生产与自然灾害风险研判报告"),
        "the DOM lacks the title"
    );
    // Every figure is there and holds an inline SVG or an embedded image.
    let figs: Vec<&str> = dom
        .split("<figure")
        .skip(1)
        .map(|f| f.split("</figure>").next().unwrap())
        .collect();
    assert_eq!(figs.len(), figures.len());
    for f in &figs {
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

    for (w, name) in [(1280, "desktop.png"), (390, "phone.png")] {
        let shot = work.join(name);
        let (_, urls) = run(
            &chrome,
            work,
            &page,
            &[
                format!("--screenshot={}", shot.display()),
                format!("--window-size={w},2000"),
            ],
        );
        assert!(urls.is_empty(), "requests at width {w}: {urls:?}");
        assert_eq!(png_size(&shot), (w, 2000), "{name}");
        assert!(
            std::fs::metadata(&shot).unwrap().len() > 20_000,
            "{name} looks blank"
        );
        if let Some(keep) = std::env::var_os("RISKMAP_KEEP_SCREENSHOTS") {
            std::fs::create_dir_all(&keep).unwrap();
            std::fs::copy(&shot, Path::new(&keep).join(name)).unwrap();
        }
    }
}
