//! The built SPA as the server serves it: precompressed files, cache headers by name, client
//! routes answered with index.html and missing files with 404. (No database is involved: these
//! run on SQLite only.)

use crate::helpers::{Backend, TestApp};
use std::path::Path;

const HASHED_JS: &str = "partner-login-0123456789abcdef.js";

fn write_dist(dir: &Path) {
    let files: [(&str, &[u8]); 6] = [
        ("index.html", b"<!DOCTYPE html><title>index</title>"),
        ("index.html.br", b"brotli index"),
        ("boot.js", b"// boot"),
        (HASHED_JS, b"// app"),
        ("partner-login-0123456789abcdef.js.br", b"brotli app"),
        ("config.json", b"{}"),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// A server whose STATIC_DIR is a [`write_dist`] (the folder lives as long as the first value).
async fn serving_a_dist() -> (tempfile::TempDir, TestApp) {
    let dist = tempfile::tempdir().unwrap();
    write_dist(dist.path());
    let dir = dist.path().to_path_buf();
    let app = TestApp::spawn_with(Backend::Sqlite, move |c| c.static_dir = dir).await;
    (dist, app)
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.url))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_are_precompressed_and_cached_by_name() {
    let (_dist, app) = serving_a_dist().await;

    let js = get(&app, &format!("/{HASHED_JS}")).await;
    assert_eq!(js.status(), 200);
    assert_eq!(js.headers()["content-encoding"], "br");
    assert_eq!(
        js.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(js.bytes().await.unwrap().as_ref(), b"brotli app");

    // Not hashed: the same name may hold new content after the next deployment.
    for path in ["/boot.js", "/config.json"] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
    }

    for route in ["/", "/signup", "/social/invitation-needed"] {
        let page = get(&app, route).await;
        assert_eq!(page.status(), 200, "{route}");
        assert_eq!(page.headers()["cache-control"], "no-cache", "{route}");
        assert_eq!(page.headers()["content-encoding"], "br", "{route}");
        assert_eq!(page.bytes().await.unwrap().as_ref(), b"brotli index");
    }

    for missing in ["/favicon.ico", "/partner-login-fedcba9876543210.js"] {
        let response = get(&app, missing).await;
        assert_eq!(response.status(), 404, "{missing}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{missing}");
    }
}

/// OWASP ASVS 5.0 V3.4.3 and V3.4.6: a page gets the page's policy (scripts and styles from
/// this origin, `object-src 'none'`, `base-uri 'none'`, no framing) and `X-Frame-Options`;
/// every other answer the shortest, strictest one (issue 21: the page's policy on a script or
/// the WASM governed nothing and cost about 190 B each on the first load). A `304 Not Modified`
/// of the page has no type and its headers replace the kept ones: it carries the page's policy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_pages_get_the_page_s_policy() {
    let (_dist, app) = serving_a_dist().await;
    let is_the_page_s = |response: &reqwest::Response| {
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap();
        for directive in [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{directive} in {csp}");
        }
        assert_eq!(response.headers()["x-frame-options"], "DENY");
    };

    let page = get(&app, "/signup").await;
    assert_eq!(page.status(), 200);
    is_the_page_s(&page);

    let modified = page.headers()["last-modified"].clone();
    let again = app
        .client
        .get(format!("{}/signup", app.url))
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    is_the_page_s(&again);

    for path in [
        "/boot.js",
        "/config.json",
        &format!("/{HASHED_JS}"),
        "/api/config",
    ] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()["content-security-policy"],
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert!(
            response.headers().get("x-frame-options").is_none(),
            "{path}"
        );
    }
}
