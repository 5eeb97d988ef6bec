use crate::helpers::{problem, Backend, TestApp};
use crate::on_both_databases;
use serde_json::json;

on_both_databases!(
    health_and_public_config,
    errors_are_problems_and_headers_are_strict,
    state_changes_need_the_csrf_header,
    without_smtp_mail_goes_to_the_development_outbox,
);

async fn health_and_public_config(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.get("/health").await.status(), 200);
    let config: serde_json::Value = app.get("/config").await.json().await.unwrap();
    assert_eq!(config["password_policy"]["min_chars"], 8);
    assert_eq!(config["password_policy"]["recommended_chars"], 15);
    assert_eq!(config["resend_cooldown_seconds"], 30);
    assert_eq!(config["providers"], json!([]));
    assert_eq!(config["dev_mailbox"], false, "SMTP is configured");
}

async fn errors_are_problems_and_headers_are_strict(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/no-such-endpoint").await;
    assert_eq!(response.status(), 404);
    let headers = response.headers().clone();
    // Not a page: nothing may load or run in it, nor frame it (the pages' policy:
    // `static_files.rs::only_pages_get_the_page_s_policy`).
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    // OWASP ASVS 5.0 V3.4.1: HSTS for at least a year, and (L2) `includeSubDomains`.
    let hsts: Vec<&str> = headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .split(';')
        .map(str::trim)
        .collect();
    let max_age: u64 = hsts
        .iter()
        .find_map(|d| d.strip_prefix("max-age="))
        .expect("HSTS has max-age")
        .parse()
        .unwrap();
    assert!(max_age >= 31_536_000, "HSTS max-age {max_age} under a year");
    assert!(
        hsts.iter()
            .any(|d| d.eq_ignore_ascii_case("includeSubDomains")),
        "HSTS without includeSubDomains: {hsts:?}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    let body = problem(response).await;
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["status"], 404);
    assert_eq!(body["type"], "urn:partner-login:problem:not_found");
    // No development outbox when real SMTP is configured.
    let outbox = app
        .client
        .get(format!("{}/dev/mailbox", app.url))
        .send()
        .await
        .unwrap();
    let page = outbox.text().await.unwrap();
    assert!(!page.contains("Development mailbox"), "{page}");
}

async fn state_changes_need_the_csrf_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let without = app
        .client
        .post(app.api("/signup"))
        .json(&json!({"email": "a@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 403);
    assert_eq!(problem(without).await["code"], "csrf_rejected");
    let foreign = app
        .client
        .post(app.api("/signup"))
        .header("x-requested-with", "partner-login")
        .header("origin", "https://evil.example")
        .json(&json!({"email": "a@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403, "an origin not configured is refused");
    assert!(crate::mail::nothing_mailed(&app).await, "nothing was sent");
}

async fn without_smtp_mail_goes_to_the_development_outbox(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.smtp_url = None;
        c.dev_mailbox = Some(true);
    })
    .await;
    // The `invite` command is another process with its own state: its mail must show too.
    let cli = partner_login_server::state((*app.state.config).clone())
        .await
        .unwrap();
    let request = partner_login_contract::api::CreateInvitationRequest {
        email: "dev@example.org".into(),
        organization: "Dev Org".into(),
        inviter: None,
        language: None,
    };
    let created = partner_login_server::http::create_invitation(&cli, &request)
        .await
        .unwrap();
    app.start_signup("dev@example.org", None).await;
    let outbox: serde_json::Value = app
        .client
        .get(format!("{}/dev/mailbox.json", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mail = outbox.as_array().unwrap();
    assert_eq!(mail.len(), 2, "{outbox}");
    assert!(mail
        .iter()
        .any(|m| m["text"].as_str().unwrap().contains(&created.link)));
    assert!(mail
        .iter()
        .any(|m| m["subject"].as_str().unwrap().contains("verification code")));
    let page = app
        .client
        .get(format!("{}/dev/mailbox", app.url))
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("Development mailbox"));
    assert!(app.mail.messages().await.is_empty(), "nothing went to SMTP");
}

on_both_databases!(bodies_the_framework_refuses_are_problems_too);

/// A body that is not JSON, not declared as JSON, or of the wrong shape is refused before any
/// handler runs; the answer is still problem+json with the refusal's own status.
async fn bodies_the_framework_refuses_are_problems_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let url = app.api("/signup");
    let send = |body: &'static str, content_type: &'static str| {
        app.client
            .post(url.clone())
            .header("content-type", content_type)
            .header(
                partner_login_contract::api::CSRF_HEADER,
                partner_login_contract::api::CSRF_HEADER_VALUE,
            )
            .body(body)
            .send()
    };
    for (body, content_type, status, code) in [
        ("{not json", "application/json", 400, "bad_request"),
        (
            "{\"email\": \"a@example.org\"}",
            "text/plain",
            415,
            "bad_request",
        ),
        (
            "{\"email\": true}",
            "application/json",
            422,
            "validation_failed",
        ),
    ] {
        let response = send(body, content_type).await.unwrap();
        assert_eq!(response.status(), status, "{body} as {content_type}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["code"], code);
        assert_eq!(problem["status"], status);
    }
    // A method the route lacks: axum's bodiless 405 (found by the `api` fuzz target), now a
    // problem that still says which methods are allowed.
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, app.api("/config"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET,HEAD");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (problem["code"].as_str(), problem["status"].as_u64()),
        (Some("bad_request"), Some(405))
    );
}
