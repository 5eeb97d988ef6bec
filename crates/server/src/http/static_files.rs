//! The built SPA: files from STATIC_DIR (precompressed .br/.gz when present), `index.html` for
//! every client route. Hashed assets are cached for a year; index.html is revalidated.

use axum::http::{header, HeaderValue, Response};
use axum::response::Html;
use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

pub fn router(dir: &Path) -> Router<super::AppState> {
    if !dir.join("index.html").exists() {
        tracing::warn!(dir = %dir.display(), "no built SPA: run `cargo xtask serve`");
        return Router::new().fallback(|| async {
            Html("<!DOCTYPE html><title>partner-login</title><p>The SPA is not built. Run <code>cargo xtask serve</code>.</p>")
        });
    }
    let index = dir.join("index.html");
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(ServeFile::new(index));
    let service = tower::ServiceBuilder::new()
        .map_response(cache_headers)
        .service(files);
    Router::new().fallback_service(service)
}

fn cache_headers<B>(mut response: Response<B>) -> Response<B> {
    let immutable = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.starts_with("application/wasm")
                || t.starts_with("text/javascript")
                || t.starts_with("text/css")
        });
    let value = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}
