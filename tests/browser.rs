//! The report in a real browser: headless Chromium loads `report.html` of a run
//! and of a comparison from disk, with no network, and the test checks that the
//! page renders without console errors, that every chart image decodes and that
//! the scorecard is there. It saves a screenshot of each page under
//! `target/report-screenshots/` for a person to look at.
//!
//! Chromium is found at `$BOOMTOWN_CHROMIUM`, else `/usr/bin/chromium`. Where it
//! was missing when the tests were built (see `build.rs`), the test runner lists
//! the test as ignored, with the reason, unless `$CI` is set: the CI script
//! installs Chromium, so there a missing browser is a failure.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use headless_chrome::Browser;
use headless_chrome::protocol::cdp::types::Event;

use boomtown::model::scorecard::SCORECARD;
use common::{fixtures, run_ok};

/// What the page showed: console errors and exceptions, and facts read from the
/// rendered document.
struct Rendered {
    errors: Vec<String>,
    images: u64,
    broken_images: u64,
    scorecard_rows: u64,
    title: String,
}

fn load(browser: &Browser, page: &Path, screenshot: &Path) -> Rendered {
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(Duration::from_secs(60));
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = errors.clone();
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let message = match event {
            Event::RuntimeExceptionThrown(e) => {
                Some(format!("exception: {}", e.params.exception_details.text))
            }
            Event::RuntimeConsoleAPICalled(e)
                if format!("{:?}", e.params.Type)
                    .to_lowercase()
                    .contains("error") =>
            {
                Some(format!("console.error: {:?}", e.params.args))
            }
            Event::LogEntryAdded(e)
                if format!("{:?}", e.params.entry.level)
                    .to_lowercase()
                    .contains("error") =>
            {
                Some(format!("log: {}", e.params.entry.text))
            }
            _ => None,
        };
        if let Some(m) = message {
            seen.lock().unwrap().push(m);
        }
    }))
    .expect("a listener");
    tab.enable_runtime().expect("runtime events");
    tab.enable_log().expect("log events");
    let url = format!("file://{}", page.display());
    tab.navigate_to(&url).expect("navigates");
    tab.wait_until_navigated().expect("loads");
    tab.wait_for_element("#title").expect("the title renders");
    let number = |js: &str| -> u64 {
        tab.evaluate(js, false)
            .expect("evaluates")
            .value
            .and_then(|v| v.as_u64())
            .unwrap_or(u64::MAX)
    };
    // Wait for every image to finish decoding before counting broken ones.
    for _ in 0..100 {
        if number("Array.from(document.images).filter(i => !i.complete).length") == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let rendered = Rendered {
        errors: errors.lock().unwrap().clone(),
        images: number("document.images.length"),
        broken_images: number(
            "Array.from(document.images).filter(i => i.naturalWidth === 0).length",
        ),
        scorecard_rows: number(
            "document.querySelectorAll('table.scorecard tr[data-indicator]').length",
        ),
        title: tab
            .evaluate("document.getElementById('title').textContent", false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    };
    common::browser::screenshot(&tab, screenshot);
    rendered
}

#[test]
#[cfg_attr(
    not(browser_test),
    ignore = "no Chromium at $BOOMTOWN_CHROMIUM or /usr/bin/chromium when the tests were built; install the `chromium` package or set BOOMTOWN_CHROMIUM"
)]
fn reports_render_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let depleting = fixtures().join("depleting.toml");
    let growing = fixtures().join("growing.toml");
    run_ok(
        dir.path(),
        &[
            "run",
            depleting.to_str().unwrap(),
            "--replicates",
            "3",
            "--out",
            "run",
            "--quiet",
        ],
    );
    run_ok(
        dir.path(),
        &[
            "compare",
            depleting.to_str().unwrap(),
            growing.to_str().unwrap(),
            "--replicates",
            "3",
            "--out",
            "cmp",
            "--quiet",
        ],
    );

    let shots = common::browser::screenshot_folder("report-screenshots");
    let (browser, _profile) = common::browser::launch((1280, 2400));

    for (folder, charts, columns) in [("run", 13u64, 1u64), ("cmp", 9, 2)] {
        let page = dir
            .path()
            .join(folder)
            .join("report.html")
            .canonicalize()
            .unwrap();
        let shot = shots.join(format!("report-{folder}.png"));
        let r = load(&browser, &page, &shot);
        assert!(
            r.errors.is_empty(),
            "{folder}: console errors: {:?}",
            r.errors
        );
        assert_eq!(r.images, charts, "{folder}: charts on the page");
        assert_eq!(r.broken_images, 0, "{folder}: charts that did not decode");
        assert_eq!(
            r.scorecard_rows,
            SCORECARD.len() as u64,
            "{folder}: scorecard rows ({columns} scenario column(s))"
        );
        assert!(!r.title.trim().is_empty(), "{folder}: no title");
        let size = std::fs::metadata(&shot).unwrap().len();
        assert!(size > 10_000, "{folder}: the screenshot is nearly empty");
        eprintln!("screenshot of the {folder} report: {}", shot.display());
    }
}
