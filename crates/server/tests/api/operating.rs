//! What an operator runs the server with: liveness and readiness for the load balancer, the
//! Prometheus metrics on their own listener, the JSON log, and a SIGTERM that finishes the
//! requests in flight (README "Operating").

use crate::helpers::{problem, Backend, TestApp, PASSPHRASE};
use crate::on_both_databases;
use partner_login_contract::api::{CSRF_HEADER, CSRF_HEADER_VALUE};
use partner_login_testkit::SmtpSink;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

on_both_databases!(
    health_is_alive_and_ready_follows_the_database,
    metrics_count_sign_ins_codes_and_limits_on_their_own_listener,
);

/// Liveness never touches the database; readiness is 503 problem+json when the database does
/// not answer within READY_TIMEOUT_SECONDS (here every connection is held: the pool's own
/// acquire timeout is 5 s) and once it is gone.
async fn health_is_alive_and_ready_follows_the_database(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.ready_timeout_seconds = 1).await;
    assert_eq!(app.get("/health").await.status(), 200);
    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");

    let mut held = Vec::new();
    for _ in 0..app.state.db.options().get_max_connections() {
        held.push(app.state.db.acquire().await.unwrap());
    }
    let asked = std::time::Instant::now();
    let stalled = app.get("/ready").await;
    assert_eq!(stalled.status(), 503);
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "readiness waited {:?}, not its 1 s",
        asked.elapsed()
    );
    assert_eq!(app.get("/health").await.status(), 200);
    drop(held);
    assert_eq!(app.get("/ready").await.status(), 200);

    app.state.db.close().await;
    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), 503);
    assert!(ready.headers().contains_key("retry-after"));
    assert_eq!(problem(ready).await["code"], "service_unavailable");
    // Alive all the same: a lost database must not get the process restarted.
    assert_eq!(app.get("/health").await.status(), 200);
}

/// The value of the sample `series` (name and labels, exactly as exposed) in `text`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn scrape(url: &str) -> String {
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    response.text().await.unwrap()
}

/// One sign-up (a code sent), a sign-in that succeeds, one that fails, one refused by the
/// failures-per-client cap and one without the CSRF header move exactly their counters; latency is labelled by route template
/// (no flow id); the public listener has no metrics.
async fn metrics_count_sign_ins_codes_and_limits_on_their_own_listener(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
        c.sign_in_failures_per_client_hour = 1;
    })
    .await;
    let metrics = app.metrics_url.clone().expect("a metrics listener");
    let email = format!("metered.{backend:?}@example.org").to_lowercase();
    let flow = app.start_signup(&email, None).await;
    let code = app.nth_mail(&email, 1).await.code();
    assert_eq!(app.verify(&flow, &code).await.status(), 200);
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
    assert_eq!(app.sign_in(&email, PASSPHRASE).await.status(), 200);
    assert_eq!(
        app.sign_in(&email, "a wrong password 1").await.status(),
        401
    );
    let limited = app.sign_in(&email, "a wrong password 2").await;
    assert_eq!(limited.status(), 429);
    assert_eq!(problem(limited).await["code"], "rate_limited");
    let forged = app
        .client
        .post(app.api("/session"))
        .json(&serde_json::json!({"email": email, "password": PASSPHRASE}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(forged).await["code"], "csrf_rejected");

    let text = scrape(&metrics).await;
    for (series, value) in [
        ("partner_login_sign_ins_total{outcome=\"success\"}", 1.0),
        ("partner_login_sign_ins_total{outcome=\"invalid_credentials\"}", 1.0),
        ("partner_login_sign_ins_total{outcome=\"rate_limited\"}", 1.0),
        ("partner_login_codes_sent_total{kind=\"signup\"}", 1.0),
        ("partner_login_limits_hit_total{limit=\"sign_in_failure\"}", 1.0),
        (
            "partner_login_audit_events_total{action=\"sign_in\",outcome=\"failure\"}",
            1.0,
        ),
        (
            "partner_login_audit_events_total{action=\"rate_limit\",outcome=\"refused\"}",
            1.0,
        ),
        (
            "partner_login_audit_events_total{action=\"sign_up\",outcome=\"success\"}",
            1.0,
        ),
        (
            "partner_login_audit_events_total{action=\"csrf\",outcome=\"refused\"}",
            1.0,
        ),
        ("partner_login_password_hash_waiting", 0.0),
        // "Create" hashes the new password; two sign-ins verify one each; the refused one
        // never reaches the hash.
        ("partner_login_password_hash_wait_seconds_count", 3.0),
        (
            "partner_login_http_request_duration_seconds_count{method=\"POST\",route=\"/api/session\",status=\"2xx\"}",
            1.0,
        ),
        (
            "partner_login_http_request_duration_seconds_count{method=\"POST\",route=\"/api/session\",status=\"4xx\"}",
            3.0,
        ),
        (
            "partner_login_http_request_duration_seconds_count{method=\"POST\",route=\"/api/signup/{flow_id}/verify\",status=\"2xx\"}",
            1.0,
        ),
        ("partner_login_http_requests_in_flight", 0.0),
    ] {
        assert_eq!(sample(&text, series), Some(value), "{series} in\n{text}");
    }
    // Bounded series: the route's template, never the flow id the path held.
    assert!(!text.contains(&flow), "a flow id in the metrics");
    assert!(!text.contains(&email), "an address in the metrics");

    // Nothing of it on the public listener.
    let public = reqwest::get(format!("{}/metrics", app.url)).await.unwrap();
    assert!(!public.text().await.unwrap().contains("partner_login_"));
    assert_eq!(app.get("/metrics").await.status(), 404);
}

/// The server binary as an operator runs it: `LOG_FORMAT=json` writes one JSON object per line
/// on standard error (audit events included, on the `audit` target); SIGTERM stops accepting
/// connections, the sign-in in flight still gets its answer, and the process exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_logs_json_and_finishes_the_request_in_flight_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mail = SmtpSink::start().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_partner-login-server"))
        .arg("serve")
        .env_clear()
        .env("LISTEN_ADDR", "127.0.0.1:0")
        .env("METRICS_ADDR", "127.0.0.1:0")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.path().join("db").display()),
        )
        .env("SMTP_URL", mail.url())
        .env("STATIC_DIR", dir.path())
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let stderr = tokio::spawn({
        let mut stderr = child.stderr.take().unwrap();
        async move {
            let mut text = String::new();
            stderr.read_to_string(&mut text).await.unwrap();
            text
        }
    });
    let (mut addr, mut metrics) = (None, None);
    while addr.is_none() || metrics.is_none() {
        let line = tokio::time::timeout(Duration::from_secs(30), stdout.next_line())
            .await
            .expect("the server starts")
            .unwrap()
            .expect("the server prints its addresses");
        if let Some(a) = line.strip_prefix("listening on http://") {
            addr = Some(a.to_owned());
        }
        if let Some(m) = line.strip_prefix("metrics on ") {
            metrics = Some(m.to_owned());
        }
    }
    let (addr, metrics) = (addr.unwrap(), metrics.unwrap());

    // A sign-in whose body is half sent: in flight until the rest arrives.
    let password = "a wrong password in flight";
    let body = format!(r#"{{"email":"nobody@example.org","password":"{password}"}}"#);
    let (first, rest) = body.split_at(20);
    let mut held = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/session HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         {CSRF_HEADER}: {CSRF_HEADER_VALUE}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    held.write_all(head.as_bytes()).await.unwrap();
    held.write_all(first.as_bytes()).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while sample(
        &scrape(&metrics).await,
        "partner_login_http_requests_in_flight",
    ) != Some(1.0)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the request never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The shell's own `kill`: no dependency for one signal.
    let kill = std::process::Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id().unwrap())])
        .status()
        .unwrap();
    assert!(kill.success());
    // New connections are refused once the signal is handled...
    while tokio::net::TcpStream::connect(&addr).await.is_ok() {
        assert!(tokio::time::Instant::now() < deadline, "still accepting");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // ...and the one in flight gets its normal answer.
    held.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(20), held.read_to_string(&mut answer))
        .await
        .expect("an answer")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 401 "), "{answer}");
    assert!(answer.contains("invalid_credentials"), "{answer}");
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("the process exits")
        .unwrap();
    assert!(status.success(), "{status}");

    let log = stderr.await.unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for line in &lines {
        for field in ["timestamp", "level", "target", "fields"] {
            assert!(line.get(field).is_some(), "no {field} in {line}");
        }
    }
    let audit = lines
        .iter()
        .find(|l| l["target"] == "audit" && l["fields"]["action"] == "sign_in")
        .unwrap_or_else(|| panic!("no sign-in audit event in\n{log}"));
    assert_eq!(audit["level"], "WARN");
    assert_eq!(audit["fields"]["outcome"], "failure");
    assert_eq!(audit["fields"]["client"], "127.0.0.1");
    assert_eq!(
        audit["fields"]["account"], "-",
        "no account has that address"
    );
    assert!(
        lines.iter().any(|l| l["fields"]["signal"] == "SIGTERM"),
        "the shutdown is not logged:\n{log}"
    );
    assert!(
        lines.iter().any(|l| l["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("stopped"))),
        "the end is not logged:\n{log}"
    );
    assert!(!log.contains(password), "the password is in the log");
}
