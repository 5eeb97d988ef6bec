//! Security events are logged as structured lines, and no password, code, token or session id
//! reaches any log line (OWASP ASVS 5.0 V16.2.1, V16.2.5, V16.3.1–V16.3.3); a failing database
//! is logged at `error` (V16.3.4); CR and LF in a request cannot forge a line (V16.4.1).
//!
//! The log is captured at the server's default level (`info`) and at `trace` for the server's
//! own code and its HTTP tracing (request spans), from every test of this binary that runs meanwhile; one whole life is walked (an
//! invitation, sign-up with a wrong then a right code, a wrong then a right password, a reset,
//! sign-out) and every secret it used is looked for in the capture.

use crate::helpers::{problem, session_cookie, Backend, TestApp, PASSPHRASE};
use crate::on_both_databases;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// Everything the global subscriber wrote.
fn captured() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Sink(log.clone());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "info,partner_login_server=trace,tower_http=trace",
            ))
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .try_init();
        log
    })
}

#[derive(Clone)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn log_text() -> String {
    String::from_utf8_lossy(&captured().lock().expect("log lock")).into_owned()
}

on_both_databases!(
    security_events_are_logged_and_no_secret_is,
    newlines_in_requests_cannot_forge_log_lines,
    unavailable_database_is_logged_at_error_level,
    a_failed_sign_in_is_audited_with_who_from_where_and_no_secret,
);

async fn security_events_are_logged_and_no_secret_is(backend: Backend) {
    captured();
    let app = TestApp::spawn(backend).await;
    let email = "log.watcher@example.org";
    let mut secrets: Vec<(String, &str)> = Vec::new();

    let token = app.invite(email, "Sahel Relief Network").await;
    secrets.push((token.clone(), "invitation token"));
    let flow = app.start_signup(email, Some(&token)).await;
    secrets.push((flow.clone(), "flow id"));
    let code = app.nth_mail(email, 2).await.code();
    secrets.push((code.clone(), "code"));
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(app.verify(&flow, wrong).await.status(), 422);
    assert_eq!(app.verify(&flow, &code).await.status(), 200);
    let created = app.complete(&flow, PASSPHRASE).await;
    assert_eq!(created.status(), 201);
    secrets.push((PASSPHRASE.to_owned(), "password"));
    let session = session_cookie(&created).expect("a session");
    secrets.push((session, "session id"));

    let wrong_password = "a wrong password 77";
    secrets.push((wrong_password.to_owned(), "wrong password"));
    assert_eq!(app.delete("/session").await.status(), 204);
    assert_eq!(app.sign_in(email, wrong_password).await.status(), 401);
    let signed_in = app.sign_in(email, PASSPHRASE).await;
    assert_eq!(signed_in.status(), 200);
    secrets.push((session_cookie(&signed_in).expect("a session"), "session id"));

    let (reset_flow, reset_code) = app.verified_reset(email, 3).await;
    secrets.push((reset_flow.clone(), "reset flow id"));
    secrets.push((reset_code, "reset code"));
    let new_password = "a brand new passphrase 2026";
    secrets.push((new_password.to_owned(), "new password"));
    let done = app
        .post(
            &format!("/password-reset/{reset_flow}/complete"),
            json!({"password": new_password, "password_confirmation": new_password}),
        )
        .await;
    assert_eq!(done.status(), 200);

    let log = log_text();
    assert!(
        log.contains("event=\"password_reset\""),
        "no password_reset event in the log"
    );
    // The audit events (target `audit`): what was done and how it ended.
    for (action, outcome) in [
        ("invitation_created", "success"),
        ("code_sent", "success"),
        ("code_check", "failure"),
        ("code_check", "success"),
        ("sign_up", "success"),
        ("invitation_accepted", "success"),
        ("sign_in", "failure"),
        ("sign_in", "success"),
        ("sign_out", "success"),
        ("password_reset", "success"),
    ] {
        let fields = format!(" audit: action=\"{action}\" outcome=\"{outcome}\"");
        assert!(
            log.lines().any(|l| l.contains(&fields)),
            "no {action} {outcome} audit event in the log"
        );
    }
    for (secret, what) in &secrets {
        assert!(!log.contains(secret.as_str()), "the {what} is in the log");
    }
}

/// OWASP ASVS 5.0 V16.4.1: CR and LF in a request (an email, a decoded path segment) are
/// escaped in the log, so no request can write a line of its own.
async fn newlines_in_requests_cannot_forge_log_lines(backend: Backend) {
    captured();
    let app = TestApp::spawn(backend).await;
    let marker = format!("forged-by-{backend:?}");
    let forged_start = "2026-01-01T00:00:00Z";
    let forged = format!("{forged_start}  INFO event=\"sign_in_succeeded\" marker=\"{marker}\"");

    // In the body: an email (and a password) with a line break before a forged line.
    let email = format!("x@example.org\n{forged}");
    let refused = app.sign_in(&email, &format!("pw\r\n{forged}")).await;
    assert_eq!(refused.status(), 401);
    let signup = app.post("/signup", json!({ "email": email })).await;
    assert_eq!(signup.status(), 422);
    // In the path: the social provider's id, percent-decoded by the router and logged with the
    // callback's outcome.
    let encoded: String = format!("x\r\n{forged}")
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let callback = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.api(&format!("/social/{encoded}/callback")))
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), 303);
    let started = app
        .post(&format!("/social/{encoded}/start"), json!({}))
        .await;
    assert_eq!(started.status(), 404);

    let log = log_text();
    // No line starts where the forged text does: every line holding the marker is one the
    // server wrote whole (a request's line).
    for line in log.lines() {
        assert!(
            !line.trim_start().starts_with(forged_start),
            "a forged log line: {line}"
        );
        if line.contains(&marker) {
            assert!(
                !line.contains(&format!("event=\"sign_in_succeeded\" marker=\"{marker}\"")),
                "a forged event: {line}"
            );
            assert!(
                line.contains(" request{"),
                "a line the server did not write whole: {line}"
            );
        }
    }
    // And the input did reach the log: the decoded provider id, on the callback's own line,
    // its CR LF escaped (the request span's path keeps it percent-encoded).
    let reached: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(&marker) && l.contains("event=\"social_sign_in_failed\""))
        .collect();
    assert!(!reached.is_empty(), "the callback's outcome is not logged");
    for line in &reached {
        assert!(
            line.contains(&format!("x\\r\\n{forged_start}")),
            "CR LF not escaped: {line}"
        );
    }
}

/// OWASP ASVS 5.0 V16.3.4: a database that fails under a request (here: closed) is logged at
/// `error`, for the handler's error and for the 5xx response, without the request's secrets.
async fn unavailable_database_is_logged_at_error_level(backend: Backend) {
    captured();
    let app = TestApp::spawn(backend).await;
    let email = format!("unavailable.{backend:?}@example.org").to_lowercase();
    app.signed_up(&email).await;
    let signed_in = app.sign_in(&email, PASSPHRASE).await;
    assert_eq!(signed_in.status(), 200);
    let session = session_cookie(&signed_in).expect("a session");
    let password = format!("a password while down {backend:?}");

    app.state.db.close().await;
    for response in [
        app.sign_in(&email, &password).await,
        app.get("/session").await,
    ] {
        assert_eq!(response.status(), 503);
        assert_eq!(problem(response).await["code"], "service_unavailable");
    }

    let log = log_text();
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some("ERROR"))
        .collect();
    for (method, what) in [("POST", "the sign-in"), ("GET", "the session check")] {
        // Every line of a request says its client and its peer (V16.2.1).
        let span =
            format!("request{{method={method} path=/api/session client=127.0.0.1 peer=127.0.0.1}}");
        assert!(
            errors
                .iter()
                .any(|l| l.contains(&span) && l.contains("database unavailable")),
            "no error line for {what}'s unavailable database"
        );
        assert!(
            errors
                .iter()
                .any(|l| l.contains(&span) && l.contains("response failed") && l.contains("503")),
            "no error line for {what}'s 503"
        );
    }
    for (secret, what) in [
        (password.as_str(), "password"),
        (session.as_str(), "session id"),
        (PASSPHRASE, "passphrase"),
    ] {
        assert!(!log.contains(secret), "the {what} is in the log");
    }
}

/// OWASP ASVS 5.0 V16.2.1, V16.3.1: a failed sign-in leaves an audit event (target `audit`)
/// saying who (the account's opaque id, not its email address), what, from where (the client
/// address) and how it ended; and nothing secret (V16.2.5).
async fn a_failed_sign_in_is_audited_with_who_from_where_and_no_secret(backend: Backend) {
    captured();
    let app = TestApp::spawn(backend).await;
    let email = format!("audited.{backend:?}@example.org").to_lowercase();
    app.signed_up(&email).await;
    let account = partner_login_server::storage::accounts::by_email(&app.state.db, &email)
        .await
        .unwrap()
        .expect("the account");
    let wrong = format!("an audited wrong password {backend:?}");
    assert_eq!(app.sign_in(&email, &wrong).await.status(), 401);

    let log = log_text();
    let audited: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(&format!("account=\"{}\"", account.id)))
        .collect();
    let failure = audited
        .iter()
        .find(|l| l.contains("action=\"sign_in\" outcome=\"failure\""))
        .unwrap_or_else(|| panic!("no audited sign-in failure in {audited:#?}"));
    assert_eq!(failure.split_whitespace().nth(1), Some("WARN"), "{failure}");
    assert!(
        failure.contains(" audit: "),
        "not on the audit target: {failure}"
    );
    assert!(failure.contains("client=\"127.0.0.1\""), "{failure}");
    for line in &audited {
        assert!(!line.contains(&wrong), "the password is in {line}");
        assert!(!line.contains(PASSPHRASE), "the password is in {line}");
        assert!(!line.contains(&email), "the email address is in {line}");
    }
}
