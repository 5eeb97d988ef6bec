//! A bounded load test on loopback: for LOAD_TEST_SECONDS (30 by default) eight clients mix
//! valid and invalid traffic (whole sign-ups with their emailed codes, invitations, right and
//! wrong sign-ins, wrong codes, bodies that are not JSON, malformed addresses). Afterwards the
//! database must hold exactly what the answers promised: one account per 201 of "Create", one
//! invitation per 201 of the admin API, one session per sign-in or sign-up that answered with
//! one, no duplicate, and no 5xx answer at any time.

use crate::helpers::{Backend, TestApp, ADMIN_TOKEN, PASSPHRASE};
use crate::on_both_databases;
use partner_login_contract::api::{CSRF_HEADER, CSRF_HEADER_VALUE};
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WORKERS: usize = 8;

#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, u64>,
    accounts: Vec<String>,
    invitations: u64,
    sessions: u64,
}

on_both_databases!(mixed_traffic_loses_and_duplicates_nothing);

async fn mixed_traffic_loses_and_duplicates_nothing(backend: Backend) {
    let seconds: u64 = std::env::var("LOAD_TEST_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    // Every request comes from 127.0.0.1: the per-client caps would stop the test, not the
    // server, so they are raised; the per-email lockout stays as it is.
    let app = Arc::new(
        TestApp::spawn_with(backend, |c| {
            c.code_sends_per_client_hour = 1_000_000;
            c.sign_in_failures_per_client_hour = 1_000_000;
            c.sign_ins_per_client_hour = 1_000_000;
            // Eight workers from one address: each may have its sign-in in flight.
            c.password_hashes_in_flight_per_client = WORKERS;
            c.code_checks_per_client_hour = 1_000_000;
            c.invitations_per_client_hour = 1_000_000;
            c.resend_cooldown_seconds = 0;
        })
        .await,
    );
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for worker in 0..WORKERS {
        let (app, tally) = (app.clone(), tally.clone());
        workers.push(tokio::spawn(async move {
            let mut i = 0usize;
            while Instant::now() < deadline {
                step(&app, &tally, worker, i).await;
                i += 1;
            }
        }));
    }
    for w in workers {
        w.await.expect("a worker finished");
    }

    let tally = std::mem::take(&mut *tally.lock().expect("tally"));
    let requests: u64 = tally.statuses.values().sum();
    println!(
        "load ({backend:?}, {seconds} s, {WORKERS} clients): {requests} requests, by status {:?}; \
         {} accounts, {} invitations, {} sessions",
        tally.statuses,
        tally.accounts.len(),
        tally.invitations,
        tally.sessions
    );
    assert!(
        tally.statuses.keys().all(|s| *s < 500),
        "a 5xx answer: {:?}",
        tally.statuses
    );
    assert!(!tally.accounts.is_empty(), "some sign-ups completed");

    let db = &app.state.db;
    let count = |sql: &'static str| async move {
        let row = sqlx::query(sql).fetch_one(db).await.expect("a count");
        row.try_get::<i64, _>("n").expect("n")
    };
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM accounts").await,
        tally.accounts.len() as i64,
        "one account per 201 of Create"
    );
    assert_eq!(
        count("SELECT COUNT(DISTINCT email) AS n FROM accounts").await,
        tally.accounts.len() as i64,
        "no duplicate account"
    );
    for email in &tally.accounts {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM accounts WHERE email = $1")
            .bind(email)
            .fetch_one(db)
            .await
            .expect("a count");
        assert_eq!(row.try_get::<i64, _>("n").expect("n"), 1, "{email}");
    }
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM invitations").await,
        tally.invitations as i64,
        "one invitation per 201"
    );
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM sessions").await,
        tally.sessions as i64,
        "one session per sign-in"
    );
}

fn record_status(tally: &Mutex<Tally>, status: u16) {
    *tally
        .lock()
        .expect("tally")
        .statuses
        .entry(status)
        .or_default() += 1;
}

/// A browser of its own (no cookies shared with the other steps).
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("a client")
}

async fn post(client: &reqwest::Client, app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = client
        .post(app.api(path))
        .header(CSRF_HEADER, CSRF_HEADER_VALUE)
        .json(&body)
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn step(app: &TestApp, tally: &Mutex<Tally>, worker: usize, i: usize) {
    let client = browser();
    let email = format!("load.{worker}.{i}@example.org");
    match i % 6 {
        // A whole sign-up: the code from the mailbox, then "Create".
        0 => {
            let (status, flow) = post(&client, app, "/signup", json!({"email": email})).await;
            record_status(tally, status);
            let Some(flow) = flow["flow_id"].as_str().map(str::to_owned) else {
                return;
            };
            let code = app.nth_mail(&email, 1).await.code();
            let (status, _) = post(
                &client,
                app,
                &format!("/signup/{flow}/verify"),
                json!({"code": code}),
            )
            .await;
            record_status(tally, status);
            let (status, _) = post(
                &client,
                app,
                &format!("/signup/{flow}/complete"),
                json!({"password": PASSPHRASE, "password_confirmation": PASSPHRASE,
                    "display_name": "Load", "given_name": "Load", "surname": "Test"}),
            )
            .await;
            record_status(tally, status);
            if status == 201 {
                let mut t = tally.lock().expect("tally");
                t.accounts.push(email);
                t.sessions += 1;
            }
        }
        // An invitation through the admin API.
        1 => {
            let response = client
                .post(app.api("/admin/invitations"))
                .bearer_auth(ADMIN_TOKEN)
                .json(&json!({"email": email, "organization": "Load Test Org"}))
                .send()
                .await
                .expect("an answer");
            let status = response.status().as_u16();
            record_status(tally, status);
            if status == 201 {
                tally.lock().expect("tally").invitations += 1;
            }
        }
        // The right password (2), or a wrong one (3; lockouts may answer 429), of an account
        // made earlier by this worker.
        kind @ (2 | 3) => {
            let Some(account) = earlier_account(tally, worker) else {
                return;
            };
            let password = if kind == 2 {
                PASSPHRASE.to_owned()
            } else {
                format!("wrong guess {i}")
            };
            let (status, _) = post(
                &client,
                app,
                "/session",
                json!({"email": account, "password": password}),
            )
            .await;
            record_status(tally, status);
            if status == 200 {
                tally.lock().expect("tally").sessions += 1;
            }
        }
        // Wrong codes on a fresh flow.
        4 => {
            let (status, flow) = post(&client, app, "/signup", json!({"email": email})).await;
            record_status(tally, status);
            if let Some(flow) = flow["flow_id"].as_str() {
                for wrong in ["000000", "123456"] {
                    let (status, _) = post(
                        &client,
                        app,
                        &format!("/signup/{flow}/verify"),
                        json!({"code": wrong}),
                    )
                    .await;
                    record_status(tally, status);
                }
            }
        }
        // Garbage: not JSON, a malformed address, an unknown flow.
        _ => {
            let response = client
                .post(app.api("/signup"))
                .header(CSRF_HEADER, CSRF_HEADER_VALUE)
                .header("content-type", "application/json")
                .body("{\"email\": ")
                .send()
                .await
                .expect("an answer");
            record_status(tally, response.status().as_u16());
            let (status, _) =
                post(&client, app, "/signup", json!({"email": "not an address"})).await;
            record_status(tally, status);
            let (status, _) = post(
                &client,
                app,
                "/signup/no-such-flow/verify",
                json!({"code": "123456"}),
            )
            .await;
            record_status(tally, status);
        }
    }
}

fn earlier_account(tally: &Mutex<Tally>, worker: usize) -> Option<String> {
    let prefix = format!("load.{worker}.");
    tally
        .lock()
        .expect("tally")
        .accounts
        .iter()
        .rev()
        .find(|a| a.starts_with(&prefix))
        .cloned()
}
