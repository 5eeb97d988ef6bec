//! Requests that race: guesses that arrive together, a double click on "Verify code",
//! "Create" and "Continue", and a database that is briefly unavailable. Every burst is sent by
//! tasks on the multi-threaded runtime that wait on one barrier, so they reach the server
//! together.

use crate::helpers::{problem, retry_after, Backend, TestApp, PASSPHRASE};
use crate::on_both_databases;
use partner_login_contract::api::{CSRF_HEADER, CSRF_HEADER_VALUE};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

on_both_databases!(
    concurrent_wrong_codes_are_compared_at_most_to_the_limits,
    concurrent_wrong_reset_codes_stop_at_the_address_cap,
    concurrent_right_codes_verify_once,
    concurrent_creates_make_one_account,
    concurrent_resets_change_the_password_once,
    a_closed_database_is_503_with_retry_after,
    an_exhausted_pool_is_503_and_recovers,
);

/// An answer of a burst: status, `Content-Type`, body (`Null` when not JSON).
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

/// `n` copies of one POST, released together; the answers in completion order.
async fn burst(app: &TestApp, path: &str, body: Value, n: usize) -> Vec<Answer> {
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let client = app.client.clone();
        let url = app.api(path);
        let body = body.clone();
        let barrier = barrier.clone();
        tasks.spawn(async move {
            let request = client
                .post(url)
                .header(CSRF_HEADER, CSRF_HEADER_VALUE)
                .json(&body);
            barrier.wait().await;
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = response.json().await.unwrap_or(Value::Null);
            Answer {
                status,
                content_type,
                body,
            }
        });
    }
    let mut answers = Vec::with_capacity(n);
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.unwrap());
    }
    answers
}

/// Every refusal of a burst is a clean client error: 4xx, problem+json, a code.
fn assert_clean_refusals(answers: &[Answer], success: u16) {
    for a in answers.iter().filter(|a| a.status != success) {
        assert!((400..500).contains(&a.status), "{a:?}");
        assert_eq!(a.content_type, "application/problem+json", "{a:?}");
        assert!(!a.code().is_empty(), "{a:?}");
    }
}

fn tally(answers: &[Answer], status: u16, code: &str) -> usize {
    answers
        .iter()
        .filter(|a| a.status == status && a.code() == code)
        .count()
}

fn other_than(code: &str) -> &'static str {
    if code == "000000" {
        "111111"
    } else {
        "000000"
    }
}

async fn concurrent_wrong_codes_are_compared_at_most_to_the_limits(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.resend_cooldown_seconds = 0).await;
    let email = "swarm@example.org";
    let flow = app.start_signup(email, None).await;
    let path = format!("/signup/{flow}/verify");

    // A first code: twenty guesses at once, five compared (and wrong), fifteen refused unseen.
    let code = app.nth_mail(email, 1).await.code();
    let answers = burst(&app, &path, json!({"code": other_than(&code)}), 20).await;
    assert_eq!(tally(&answers, 422, "code_wrong"), 5, "{answers:?}");
    assert_eq!(tally(&answers, 429, "code_exhausted"), 15, "{answers:?}");
    assert_clean_refusals(&answers, 0);
    // The code is burnt: the right one is refused too, it was never compared.
    let response = app.verify(&flow, &code).await;
    assert_eq!(response.status(), 429);
    assert_eq!(problem(response).await["code"], "code_exhausted");
    let tries = format!(
        "SELECT code_wrong_tries + 100 * flow_wrong_tries FROM email_code_flows WHERE email = '{email}'"
    );
    assert_eq!(app.count(&tries).await, 5 + 100 * 5);

    // A new code: five more compared, the flow's tenth wrong try is the last.
    let resent = app.post(&format!("/signup/{flow}/code"), json!({})).await;
    assert_eq!(resent.status(), 200);
    let code = app.nth_mail(email, 2).await.code();
    let answers = burst(&app, &path, json!({"code": other_than(&code)}), 20).await;
    assert_eq!(tally(&answers, 422, "code_wrong"), 5, "{answers:?}");
    assert_eq!(tally(&answers, 429, "code_exhausted"), 15, "{answers:?}");
    assert_eq!(app.count(&tries).await, 5 + 100 * 10);

    // A third code: the flow is spent, nothing is compared any more, not even the right code.
    let resent = app.post(&format!("/signup/{flow}/code"), json!({})).await;
    assert_eq!(resent.status(), 200);
    let code = app.nth_mail(email, 3).await.code();
    let answers = burst(&app, &path, json!({"code": code}), 10).await;
    assert_eq!(tally(&answers, 429, "code_exhausted"), 10, "{answers:?}");
    assert_eq!(app.count(&tries).await, 100 * 10);
    let verified = "SELECT COUNT(*) FROM email_code_flows WHERE verified_at IS NOT NULL";
    assert_eq!(app.count(verified).await, 0);
}

/// Issue 19, defect 4 (NIST SP 800-63B-4 §3.2.2): wrong reset codes sent at once to three
/// flows of one address are claimed against the address's cap (10) before any comparison, by
/// one conditional upsert: 10 are compared, the other 5 refused unseen, however they interleave.
async fn concurrent_wrong_reset_codes_stop_at_the_address_cap(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "crowd@example.org";
    app.signed_up(email).await;
    let mut paths = Vec::new();
    for n in 2..=4 {
        let started = app
            .post("/password-reset", json!({"email": email, "language": "en"}))
            .await;
        assert_eq!(started.status(), 201);
        let view: Value = started.json().await.unwrap();
        let flow = view["flow_id"].as_str().unwrap().to_owned();
        let code = app.nth_mail(email, n).await.code();
        paths.push((format!("/password-reset/{flow}/verify"), other_than(&code)));
    }
    let (a, b, c) = tokio::join!(
        burst(&app, &paths[0].0, json!({"code": paths[0].1}), 5),
        burst(&app, &paths[1].0, json!({"code": paths[1].1}), 5),
        burst(&app, &paths[2].0, json!({"code": paths[2].1}), 5),
    );
    let answers: Vec<Answer> = a.into_iter().chain(b).chain(c).collect();
    assert_eq!(tally(&answers, 422, "code_wrong"), 10, "{answers:?}");
    assert_eq!(
        tally(&answers, 403, "reset_link_required"),
        5,
        "{answers:?}"
    );
    let counted = format!("SELECT failures FROM reset_code_failures WHERE email = '{email}'");
    assert_eq!(app.count(&counted).await, 10);
}

async fn concurrent_right_codes_verify_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "clicker@example.org";
    let flow = app.start_signup(email, None).await;
    let code = app.nth_mail(email, 1).await.code();
    let answers = burst(
        &app,
        &format!("/signup/{flow}/verify"),
        json!({"code": code}),
        10,
    )
    .await;
    // One request verifies; the others, under its claim or after it, get the same answer: the
    // verified flow (idempotent, what a double click should see), never an error.
    for a in &answers {
        assert_eq!(a.status, 200, "{a:?}");
        assert_eq!(a.body["state"], "verified", "{a:?}");
        assert_eq!(a.body["flow_id"], flow.as_str());
    }
    // One verification: verified, the code burnt, and no try left counted (the winner's try is
    // given back; the others were refused before any comparison).
    let row = format!(
        "SELECT COUNT(*) FROM email_code_flows WHERE email = '{email}' AND verified_at IS NOT NULL
           AND code_hash IS NULL AND code_wrong_tries = 0 AND flow_wrong_tries = 0"
    );
    assert_eq!(app.count(&row).await, 1);
    // The verified flow completes once.
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
}

async fn concurrent_creates_make_one_account(backend: Backend) {
    // The burst comes from one address: its share of hashes in flight is lifted, so that every
    // request reaches the one-account rule this test is about.
    let app = TestApp::spawn_with(backend, |c| c.password_hashes_in_flight_per_client = 100).await;
    let email = "hasty@example.org";
    let flow = app.start_signup(email, None).await;
    let code = app.nth_mail(email, 1).await.code();
    assert_eq!(app.verify(&flow, &code).await.status(), 200);
    let answers = burst(
        &app,
        &format!("/signup/{flow}/complete"),
        json!({
            "password": PASSPHRASE, "password_confirmation": PASSPHRASE,
            "display_name": "Amina D.", "given_name": "Amina", "surname": "Diallo"
        }),
        10,
    )
    .await;
    let created: Vec<&Answer> = answers.iter().filter(|a| a.status == 201).collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    assert_eq!(created[0].body["email"], email);
    assert_clean_refusals(&answers, 201);
    // Racing the winner: 409 account_exists; after it: 410 flow_expired (the flow is used).
    assert_eq!(
        tally(&answers, 409, "account_exists") + tally(&answers, 410, "flow_expired"),
        9,
        "{answers:?}"
    );
    let accounts = format!("SELECT COUNT(*) FROM accounts WHERE email = '{email}'");
    assert_eq!(app.count(&accounts).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(app.get("/session").await.status(), 200);
}

async fn concurrent_resets_change_the_password_once(backend: Backend) {
    const NEW: &str = "copper heron valley 77";
    // One address, its share of hashes in flight lifted (as above).
    let app = TestApp::spawn_with(backend, |c| c.password_hashes_in_flight_per_client = 100).await;
    let email = "reset-race@example.org";
    app.signed_up(email).await;
    let (flow, _) = app.verified_reset(email, 2).await;
    let answers = burst(
        &app,
        &format!("/password-reset/{flow}/complete"),
        json!({"password": NEW, "password_confirmation": NEW}),
        10,
    )
    .await;
    assert_eq!(
        answers.iter().filter(|a| a.status == 200).count(),
        1,
        "{answers:?}"
    );
    assert_clean_refusals(&answers, 200);
    assert_eq!(tally(&answers, 410, "flow_expired"), 9, "{answers:?}");
    // One change: one session (a reset ends the others and starts one), the new password signs
    // in and the old one does not.
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    let completed = "SELECT COUNT(*) FROM email_code_flows WHERE completed_at IS NOT NULL";
    assert_eq!(
        app.count(completed).await,
        2,
        "the sign-up's and the reset's"
    );
    assert_eq!(app.delete("/session").await.status(), 204);
    assert_eq!(app.sign_in(email, PASSPHRASE).await.status(), 401);
    assert_eq!(app.sign_in(email, NEW).await.status(), 200);
}

/// Checks a 503 from an unavailable database: problem+json `service_unavailable` with a
/// `Retry-After` header that the body repeats.
async fn assert_unavailable(response: reqwest::Response) {
    assert_eq!(response.status(), 503);
    let retry = retry_after(&response);
    assert!(retry > 0, "{retry}");
    let body = problem(response).await;
    assert_eq!(body["code"], "service_unavailable");
    assert_eq!(body["retry_after"], retry);
}

async fn a_closed_database_is_503_with_retry_after(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let flow = app.start_signup("closed@example.org", None).await;
    // The pool the server uses goes away (as on a shutdown or a lost database).
    app.state.db.close().await;
    assert_unavailable(app.get(&format!("/signup/{flow}")).await).await;
    assert_unavailable(app.verify(&flow, "123456").await).await;
    let started = app
        .post("/signup", json!({"email": "other@example.org"}))
        .await;
    assert_unavailable(started).await;
}

async fn an_exhausted_pool_is_503_and_recovers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let flow = app.start_signup("busy@example.org", None).await;
    // Every connection is taken (a stalled database, a burst): a request waits the pool's
    // acquire timeout, then gets a 503 rather than hanging or a 500.
    let max = app.state.db.options().get_max_connections();
    let mut held = Vec::new();
    for _ in 0..max {
        held.push(app.state.db.acquire().await.unwrap());
    }
    let began = Instant::now();
    assert_unavailable(app.get(&format!("/signup/{flow}")).await).await;
    assert!(
        began.elapsed() >= Duration::from_secs(4),
        "waited for the pool"
    );
    // Briefly: once connections are free, the same request (what a retry sends) succeeds.
    drop(held);
    let shown = app.get(&format!("/signup/{flow}")).await;
    assert_eq!(shown.status(), 200);
}

/// SQLite only: another writer holds the database's write lock past the busy timeout (5 s), so
/// the request's write fails with `SQLITE_BUSY`: a 503 to try again, not a 500. (PostgreSQL
/// locks rows, and the app sets no lock timeout there: a request waits for the lock instead.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_sqlite_database_is_503_and_the_retry_verifies() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let email = "locked@example.org";
    let flow = app.start_signup(email, None).await;
    let code = app.nth_mail(email, 1).await.code();
    let mut writer = app.state.db.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *writer)
        .await
        .unwrap();
    let began = Instant::now();
    assert_unavailable(app.verify(&flow, &code).await).await;
    assert!(
        began.elapsed() >= Duration::from_secs(4),
        "waited for the lock"
    );
    sqlx::query("ROLLBACK").execute(&mut *writer).await.unwrap();
    drop(writer);
    // The refused try was rolled back with its transaction: nothing counted, and the same
    // request again (what the SPA's retry sends) verifies.
    let tries = format!(
        "SELECT code_wrong_tries + flow_wrong_tries FROM email_code_flows WHERE email = '{email}'"
    );
    assert_eq!(app.count(&tries).await, 0);
    let verified = app.verify(&flow, &code).await;
    assert_eq!(verified.status(), 200);
    let view: Value = verified.json().await.unwrap();
    assert_eq!(view["state"], "verified");
}
