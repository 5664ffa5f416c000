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

use std::path::Path;

use riskmap_render::{report, sample, Lang};

#[path = "support/headless.rs"]
mod headless;
use headless::{assert_self_contained, chromium, figures_of, png_size, run};

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
    let figs = figures_of(&dom);
    assert_eq!(figs.len(), figures.len());
    assert_self_contained(&dom, &figs);

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
        assert_eq!(
            png_size(&std::fs::read(&shot).unwrap()),
            (w, 2000),
            "{name}"
        );
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
