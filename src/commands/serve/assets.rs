//! The page and its assets, built into the binary so that the app works with
//! no network: nothing is fetched from anywhere but the server itself.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Each asset: its path under `/assets/` (the page itself is `index.html`),
/// media type and content.
const ASSETS: [(&str, &str, &str); 6] = [
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("assets/index.html"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("assets/app.css"),
    ),
    (
        "vendor/uPlot.iife.min.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/vendor/uPlot.iife.min.js"),
    ),
    (
        "vendor/uPlot.min.css",
        "text/css; charset=utf-8",
        include_str!("assets/vendor/uPlot.min.css"),
    ),
    (
        "vendor/uPlot-LICENSE",
        "text/plain; charset=utf-8",
        include_str!("assets/vendor/uPlot-LICENSE"),
    ),
];

/// An asset by path, or 404.
pub fn page(path: &str) -> Response {
    match ASSETS.iter().find(|(p, _, _)| *p == path) {
        Some((_, mime, body)) => ([(header::CONTENT_TYPE, *mime)], *body).into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}
