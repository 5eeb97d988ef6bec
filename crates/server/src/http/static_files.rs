//! The built SPA: files from STATIC_DIR (precompressed .br/.gz when present), `index.html` for
//! every client route. Assets whose name carries Trunk's content hash are cached for a year;
//! everything else (index.html, boot.js, config.json) is revalidated.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use std::convert::Infallible;
use std::path::Path;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

pub fn router(dir: &Path) -> Router<crate::state::AppState> {
    if !dir.join("index.html").exists() {
        tracing::warn!(dir = %dir.display(), "no built SPA: run `cargo xtask serve`");
        return Router::new().fallback(|| async {
            Html("<!DOCTYPE html><title>partner-login</title><p>The SPA is not built. Run <code>cargo xtask serve</code>.</p>")
        });
    }
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    // Client routes (`/signup`, `/invitation`) get index.html; a missing file (`/x.png`) is a
    // 404, not a page of HTML where an image or script was expected.
    let spa_route = tower::service_fn(move |request: Request| {
        let index = index.clone();
        async move {
            if looks_like_a_file(request.uri().path()) {
                return Ok::<_, Infallible>(StatusCode::NOT_FOUND.into_response());
            }
            Ok(index.oneshot(request).await?.into_response())
        }
    });
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(spa_route);
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_headers))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    // An unknown hashed-looking path falls back to index.html: that answer is not immutable.
    let value = if hashed && response.status().is_success() && !html {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// Whether the last path segment has an extension: a file, never a client route.
fn looks_like_a_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// Whether the last path segment is a Trunk output named `<name>-<hash>.<ext>`, the hash a
/// 64-bit number in hex (up to 16 digits: leading zeros are dropped)
/// (`partner-login-8d1f4c2b9e0a7d35_bg.wasm`): its content never changes under that name.
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::{is_hashed_asset, looks_like_a_file};

    #[test]
    fn client_routes_are_not_files() {
        assert!(looks_like_a_file("/favicon.ico"));
        assert!(looks_like_a_file("/login/missing-0123456789abcdef.js"));
        assert!(!looks_like_a_file("/"));
        assert!(!looks_like_a_file("/signup"));
        assert!(!looks_like_a_file("/login/social/invitation-needed"));
    }

    #[test]
    fn only_trunks_hashed_names_are_immutable() {
        assert!(is_hashed_asset("/partner-login-8d1f4c2b9e0a7d35.js"));
        assert!(is_hashed_asset(
            "/login/partner-login-8d1f4c2b9e0a7d35_bg.wasm"
        ));
        assert!(is_hashed_asset("/main-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/boot.js"));
        assert!(!is_hashed_asset("/config.json"));
        assert!(!is_hashed_asset("/"));
        assert!(!is_hashed_asset("/signup"));
        assert!(!is_hashed_asset("/partner-login-notahexhashatall.js"));
    }
}
