//! Security events are logged as structured lines, and no password, code, token or session id
//! reaches any log line (OWASP ASVS 5.0 V16.2.1, V16.2.5, V16.3.1–V16.3.3).
//!
//! The log is captured at the server's default level (`info`) and at `trace` for the server's
//! own code and its HTTP tracing (request spans), from every test of this binary that runs meanwhile; one whole life is walked (an
//! invitation, sign-up with a wrong then a right code, a wrong then a right password, a reset,
//! sign-out) and every secret it used is looked for in the capture.

use crate::helpers::{session_cookie, Backend, TestApp, PASSPHRASE};
use crate::on_both_databases;
use serde_json::{json, Value};
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

on_both_databases!(security_events_are_logged_and_no_secret_is);

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

    let reset: Value = app
        .post("/password-reset", json!({"email": email}))
        .await
        .json()
        .await
        .unwrap();
    let reset_flow = reset["flow_id"].as_str().unwrap().to_owned();
    secrets.push((reset_flow.clone(), "reset flow id"));
    let reset_code = app.nth_mail(email, 3).await.code();
    secrets.push((reset_code.clone(), "reset code"));
    let verified = app
        .post(
            &format!("/password-reset/{reset_flow}/verify"),
            json!({"code": reset_code}),
        )
        .await;
    assert_eq!(verified.status(), 200);
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
    for event in [
        "invitation_created",
        "code_sent",
        "code_wrong",
        "email_verified",
        "account_created",
        "invitation_accepted",
        "sign_in_failed",
        "sign_in_succeeded",
        "signed_out",
        "reset_code_sent",
        "password_reset",
    ] {
        assert!(
            log.contains(&format!("event=\"{event}\"")),
            "no {event} event in the log"
        );
    }
    for (secret, what) in &secrets {
        assert!(!log.contains(secret.as_str()), "the {what} is in the log");
    }
}
