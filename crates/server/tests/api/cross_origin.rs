//! A SPA on another origin (issue 9): CORS with credentials for the listed origins only, and
//! framing for FRAME_ANCESTORS only.

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;
use reqwest::{Client, Method};

on_both_databases!(
    listed_origins_may_call_the_api_with_credentials,
    framing_is_refused_unless_the_origin_is_listed,
);

const SPA: &str = "https://login.example.org";
const PORTAL: &str = "https://portal.example.org";

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    Client::new()
        .request(Method::OPTIONS, app.api("/session"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-requested-with",
        )
        .send()
        .await
        .unwrap()
}

async fn listed_origins_may_call_the_api_with_credentials(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.cors_allowed_origins = vec![SPA.into()]).await;
    let allowed = preflight(&app, SPA).await;
    assert!(allowed.status().is_success());
    let h = allowed.headers();
    assert_eq!(h["access-control-allow-origin"], SPA);
    assert_eq!(h["access-control-allow-credentials"], "true");
    let allowed_headers = h["access-control-allow-headers"].to_str().unwrap();
    assert!(
        allowed_headers.contains("x-requested-with"),
        "{allowed_headers}"
    );

    let refused = preflight(&app, "https://evil.example.net").await;
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none(),
        "nothing is allowed for an origin not listed"
    );

    // The real request: readable by the listed origin, and the CSRF check accepts it.
    let response = Client::new()
        .post(app.api("/session"))
        .header("origin", SPA)
        .header("x-requested-with", "partner-login")
        .json(&serde_json::json!({"email": "a@example.org", "password": "wrong password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["access-control-allow-origin"], SPA);
    let forged = Client::new()
        .post(app.api("/session"))
        .header("origin", "https://evil.example.net")
        .header("x-requested-with", "partner-login")
        .json(&serde_json::json!({"email": "a@example.org", "password": "wrong password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403, "the CSRF origin check refuses it");
}

async fn framing_is_refused_unless_the_origin_is_listed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = app
        .client
        .get(format!("{}/", app.url))
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.headers()["x-frame-options"], "DENY");

    let app = TestApp::spawn_with(backend, |c| c.frame_ancestors = vec![PORTAL.into()]).await;
    let page = app
        .client
        .get(format!("{}/", app.url))
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains(&format!("frame-ancestors {PORTAL};")), "{csp}");
    assert!(
        page.headers().get("x-frame-options").is_none(),
        "X-Frame-Options cannot name an origin; CSP decides"
    );
}
