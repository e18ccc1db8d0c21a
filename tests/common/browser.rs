//! Headless Chromium for the browser tests, started the way this machine's
//! closed network needs (no background connections), with a fresh profile.
//!
//! Chromium is found at `$BOOMTOWN_CHROMIUM`, else `/usr/bin/chromium`. The
//! browser tests run only where it was found when the tests were built, or
//! under `CI` (see `build.rs`), so a missing browser here is a failure.

use std::path::{Path, PathBuf};
use std::time::Duration;

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};

/// The Chromium binary; fails the test if it is missing.
pub fn chromium() -> PathBuf {
    let path = std::env::var_os("BOOMTOWN_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "Chromium not found at {} (install the `chromium` package or set BOOMTOWN_CHROMIUM); CI must install it",
        path.display()
    );
    path
}

/// A headless browser with a window of `size` pixels, and the profile folder
/// it uses (keep it as long as the browser).
pub fn launch(size: (u32, u32)) -> (Browser, tempfile::TempDir) {
    let profile = tempfile::tempdir().expect("a profile folder");
    let browser = Browser::new(LaunchOptions {
        path: Some(chromium()),
        headless: true,
        sandbox: false,
        window_size: Some(size),
        user_data_dir: Some(profile.path().to_path_buf()),
        args: vec![
            std::ffi::OsStr::new("--disable-gpu"),
            std::ffi::OsStr::new("--disable-background-networking"),
            std::ffi::OsStr::new("--disable-component-update"),
            std::ffi::OsStr::new("--disable-sync"),
            std::ffi::OsStr::new("--no-first-run"),
        ],
        idle_browser_timeout: Duration::from_secs(180),
        ..Default::default()
    })
    .expect("Chromium starts");
    (browser, profile)
}

/// `target/NAME`, created, for screenshots a person can look at.
pub fn screenshot_folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .join(name);
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    dir
}

/// Saves a screenshot of the whole page in `tab` as PNG at `path`.
pub fn screenshot(tab: &Tab, path: &Path) {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("a screenshot");
    std::fs::write(path, png).expect("the screenshot is saved");
}
