//! Bounded work and memory per client (issue 19, defect 2; OWASP ASVS 5.0 V2.4.1): a body limit
//! on every route, the password's maximum checked before any hashing, limits counted before the
//! work (a burst cannot pass them), a bounded hashing queue and a few hashing requests in flight
//! per client address, each answered as problem+json.

use crate::helpers::{problem, retry_after, Backend, TestApp};
use crate::on_both_databases;
use partner_login_contract::api::{CSRF_HEADER, CSRF_HEADER_VALUE};
use serde_json::{json, Value};
use std::net::IpAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_databases!(
    an_over_long_password_is_refused_before_any_hash,
    a_burst_of_wrong_sign_ins_cannot_pass_the_failure_cap,
    sign_ins_per_client_are_capped_right_or_wrong,
    a_full_hashing_queue_answers_busy_with_retry_after,
    each_client_has_a_few_sign_ins_in_flight_and_others_are_not_held_up
);

const LIMIT: usize = 64 * 1024;

/// A client whose connections come from `source` (any 127/8 address reaches loopback on Linux):
/// a second client address on one machine.
pub fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(source.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn sign_in_as(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> u16 {
    app.post_as(
        client,
        "/session",
        json!({"email": email, "password": password}),
    )
    .await
    .status()
    .as_u16()
}

/// Sends raw HTTP/1.1 and returns the status and the response's head and body as text.
async fn raw(app: &TestApp, request: &[u8]) -> (u16, String) {
    let addr = app.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    // The server may answer and close before reading the whole body: a reset then ends the read.
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// ASVS 5.0 V2.4.1 / V4.1: no route reads a body past `MAX_BODY_BYTES` (64 KiB here), whether
/// the body declares its length or is chunked: 413 problem+json on the API, on the OpenID
/// Provider's form endpoints and on the static files alike; a body just under the limit is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_refused_on_every_route() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // Valid JSON of exactly `size` bytes: a wrong sign-in padded with spaces.
    let json_of = |size: usize| {
        let head = r#"{"email":"nobody@example.org","password":"wrong password"}"#;
        format!("{head}{}", " ".repeat(size - head.len()))
    };
    let post = |path: &str, content_type: &'static str, body: String| {
        app.client
            .post(format!("{}{path}", app.url))
            .header(CSRF_HEADER, CSRF_HEADER_VALUE)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let under = post("/api/session", "application/json", json_of(LIMIT))
        .await
        .unwrap();
    assert_eq!(under.status(), 401, "a body at the limit is read");
    for (path, content_type, body) in [
        ("/api/session", "application/json", json_of(LIMIT + 1)),
        ("/api/signup", "application/json", json_of(4 * LIMIT)),
        (
            "/api/oauth2/token",
            "application/x-www-form-urlencoded",
            format!("grant_type=authorization_code&code={}", "a".repeat(LIMIT)),
        ),
        ("/", "text/plain", "x".repeat(LIMIT + 1)),
    ] {
        let response = post(path, content_type, body).await.unwrap();
        assert_eq!(response.status(), 413, "{path}");
        let body = problem(response).await;
        assert_eq!(body["status"], 413, "{path}");
        assert_eq!(body["code"], "bad_request", "{path}");
    }
    // A chunked body says no length: it is refused once reading passes the limit.
    let addr = app.url.trim_start_matches("http://");
    let chunk = "x".repeat(16 * 1024);
    let mut request = format!(
        "POST /api/session HTTP/1.1\r\nHost: {addr}\r\n{CSRF_HEADER}: {CSRF_HEADER_VALUE}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    for _ in 0..8 {
        request.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    request.push_str("0\r\n\r\n");
    let (status, text) = raw(&app, request.as_bytes()).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
}

/// A body refused by its declared length is still read to its end, up to 1 MiB
/// (`http/body_limit.rs`), before the 413 goes: a client still sending it then reads the answer
/// instead of a reset, and the connection serves its next request. Past 1 MiB the answer goes
/// at once and says the connection closes (ASVS 5.0 V2.4.1: bounded work either way).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_body_is_read_so_that_its_answer_arrives() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = app.url.trim_start_matches("http://");
    let body = "x".repeat(LIMIT + 1);
    let request = format!(
        "POST /api/session HTTP/1.1\r\nHost: {addr}\r\n{CSRF_HEADER}: {CSRF_HEADER_VALUE}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}\
         GET /api/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let (status, text) = raw(&app, request.as_bytes()).await;
    assert_eq!(status, 413, "{text}");
    assert_eq!(
        text.matches("HTTP/1.1 ").count(),
        2,
        "the next request on the connection is answered too: {text}"
    );
    assert!(text.contains("HTTP/1.1 200"), "{text}");
    // Over 1 MiB declared: not read; the 413 says the connection ends. (Only the head is sent.)
    let request = format!(
        "POST /api/session HTTP/1.1\r\nHost: {addr}\r\n{CSRF_HEADER}: {CSRF_HEADER_VALUE}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        2 * 1024 * 1024
    );
    let (status, text) = raw(&app, request.as_bytes()).await;
    assert_eq!(status, 413, "{text}");
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );
}

/// NIST SP 800-63B-4 §3.1.1.2 / ASVS 5.0 V6.2.9: a password longer than the policy's maximum
/// (256 characters) is refused on sign-in with the field error "Create" gives, before any hash
/// runs and before anything is counted against the client.
async fn an_over_long_password_is_refused_before_any_hash(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let hashed = app.state.passwords.stats().hashed;
    let response = app.sign_in("amina@example.org", &"é".repeat(257)).await;
    assert_eq!(response.status(), 422);
    let body = problem(response).await;
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(
        body["errors"],
        json!([{"field": "password", "code": "too_long", "limit": 256}])
    );
    assert_eq!(app.state.passwords.stats().hashed, hashed, "no hash ran");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM rate_events").await,
        0,
        "nothing counted"
    );
    // 256 characters are a password like any other.
    let response = app.sign_in("amina@example.org", &"é".repeat(256)).await;
    assert_eq!(response.status(), 401);
    assert_eq!(app.state.passwords.stats().hashed, hashed + 1);
}

/// ASVS 5.0 V2.4.1: the per-client failure cap is counted before the hash, so 30 wrong
/// sign-ins sent at once with a cap of 5 run at most 5 hashes; the others get 429. (Before,
/// the cap was read before hashing and recorded after: all 30 passed.)
async fn a_burst_of_wrong_sign_ins_cannot_pass_the_failure_cap(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.sign_in_failures_per_client_hour = 5;
        c.password_hashes_in_flight_per_client = 100;
        c.password_hash_queue = 100;
    })
    .await;
    let hashed = app.state.passwords.stats().hashed;
    let burst: Vec<_> = (0..30)
        .map(|i| {
            let (url, client) = (app.api("/session"), app.client.clone());
            tokio::spawn(async move {
                client
                    .post(url)
                    .header(CSRF_HEADER, CSRF_HEADER_VALUE)
                    .json(&json!({"email": format!("guess{i}@example.org"), "password": "wrong guess"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for b in burst {
        statuses.push(b.await.unwrap());
    }
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(wrong + limited, 30, "{statuses:?}");
    assert_eq!(wrong, 5, "exactly the cap were tried: {statuses:?}");
    assert_eq!(
        app.state.passwords.stats().hashed - hashed,
        wrong as u64,
        "only the counted attempts were hashed"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM rate_events WHERE kind = 'sign_in_failure'")
            .await,
        wrong as i64,
        "the refused ones are not counted"
    );
}

/// ASVS 5.0 V2.4.1: right sign-ins count too (`SIGN_INS_PER_CLIENT_HOUR`), and a right one is
/// not a failure: it does not use up the failure cap.
async fn sign_ins_per_client_are_capped_right_or_wrong(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.sign_ins_per_client_hour = 3;
        c.sign_in_failures_per_client_hour = 10;
    })
    .await;
    app.signed_up("amina@example.org").await;
    let pass = crate::helpers::PASSPHRASE;
    assert_eq!(app.sign_in("amina@example.org", pass).await.status(), 200);
    assert_eq!(app.sign_in("amina@example.org", pass).await.status(), 200);
    assert_eq!(
        app.sign_in("amina@example.org", "wrong").await.status(),
        401
    );
    let refused = app.sign_in("amina@example.org", pass).await;
    assert_eq!(refused.status(), 429);
    let retry = retry_after(&refused);
    assert!((1..=3600).contains(&retry), "{retry}");
    assert_eq!(problem(refused).await["code"], "rate_limited");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM rate_events WHERE kind = 'sign_in_failure'")
            .await,
        1,
        "only the wrong one counts as a failure"
    );
    // Another client address is counted apart.
    let other = client_from("127.0.0.2");
    assert_eq!(
        sign_in_as(&app, &other, "amina@example.org", pass).await,
        200
    );
}

/// Runs `n` sign-ins of unknown addresses at once from `client`; returns their answers.
async fn burst(
    app: &TestApp,
    client: &reqwest::Client,
    n: usize,
) -> Vec<(u16, Option<u32>, Value)> {
    let tries: Vec<_> = (0..n)
        .map(|i| {
            let (url, client) = (app.api("/session"), client.clone());
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .header(CSRF_HEADER, CSRF_HEADER_VALUE)
                    .json(&json!({"email": format!("b{i}@example.org"), "password": "wrong guess"}))
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let retry = response
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().parse().unwrap());
                (status, retry, response.json().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tries {
        answers.push(t.await.unwrap());
    }
    answers
}

/// Asserts that every answer is a wrong password or 503 `busy` with a `Retry-After`, and
/// returns how many were busy.
fn busy_count(answers: &[(u16, Option<u32>, Value)]) -> usize {
    let mut busy = 0;
    for (status, retry, body) in answers {
        match status {
            401 => {}
            503 => {
                assert_eq!(body["code"], "busy", "{body}");
                assert!(matches!(retry, Some(1..=10)), "{retry:?}");
                assert_eq!(body["retry_after"], json!(retry), "{body}");
                busy += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    busy
}

/// ASVS 5.0 V2.4.1: at most `PASSWORD_HASH_QUEUE` hashes wait for a core; more are refused at
/// once with 503 `busy` and a `Retry-After`, instead of a backlog that only grows.
async fn a_full_hashing_queue_answers_busy_with_retry_after(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.password_hash_queue = 1;
        c.password_hashes_in_flight_per_client = 100;
        // Slow hashes, so that the burst finds every core busy.
        c.password_hash_iterations = 12;
    })
    .await;
    let answers = burst(&app, &app.client, 24).await;
    let busy = busy_count(&answers);
    let stats = app.state.passwords.stats();
    assert!(busy > 0, "{answers:?}");
    assert_eq!(stats.refused_queue_full, busy as u64);
    assert_eq!(stats.refused_per_client, 0);
    assert_eq!(stats.queue_depth, 0);
}

/// ASVS 5.0 V2.4.1: one client address has at most `PASSWORD_HASHES_IN_FLIGHT_PER_CLIENT`
/// sign-ins in flight (then 503 `busy`), so a flood from one address leaves room in the queue
/// for the others: another address's sign-in meanwhile is answered, not refused.
async fn each_client_has_a_few_sign_ins_in_flight_and_others_are_not_held_up(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.password_hashes_in_flight_per_client = 2;
        c.password_hash_iterations = 12;
    })
    .await;
    let flooder = client_from("127.0.0.1");
    let (flood, other) = tokio::join!(burst(&app, &flooder, 16), async {
        let other = client_from("127.0.0.2");
        let mut answers = Vec::new();
        for _ in 0..3 {
            answers.push(sign_in_as(&app, &other, "someone@example.org", "wrong guess").await);
        }
        answers
    });
    let busy = busy_count(&flood);
    let stats = app.state.passwords.stats();
    assert!(busy > 0, "{flood:?}");
    assert_eq!(stats.refused_per_client, busy as u64);
    assert_eq!(
        other,
        [401, 401, 401],
        "the other client was answered each time"
    );
    assert_eq!(stats.clients_in_flight, 0, "no entry stays behind");
}

/// ASVS 5.0 V2.4.1: "Create" hashes a password too, within the same share per client address:
/// three sign-ups completed at once from one address with a share of one get one answer 201
/// and the others 503 `busy` (or 201, had one finished first); none of them is lost (a busy
/// flow completes when sent again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_hashes_within_the_clients_share_too() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.password_hashes_in_flight_per_client = 1;
        c.password_hash_iterations = 12;
    })
    .await;
    let mut flows = Vec::new();
    for i in 0..3 {
        let email = format!("member{i}@example.org");
        let flow = app.start_signup(&email, None).await;
        let code = app.nth_mail(&email, 1).await.code();
        assert_eq!(app.verify(&flow, &code).await.status(), 200);
        flows.push(flow);
    }
    let complete = |flow: String| {
        let (url, client) = (
            app.api(&format!("/signup/{flow}/complete")),
            TestApp::new_client(),
        );
        async move {
            let body = json!({"password": crate::helpers::PASSPHRASE,
                "password_confirmation": crate::helpers::PASSPHRASE,
                "display_name": "Amina D.", "given_name": "Amina", "surname": "Diallo"});
            let response = client
                .post(url)
                .header(CSRF_HEADER, CSRF_HEADER_VALUE)
                .json(&body)
                .send()
                .await
                .unwrap();
            response.status().as_u16()
        }
    };
    let (a, b, c) = tokio::join!(
        complete(flows[0].clone()),
        complete(flows[1].clone()),
        complete(flows[2].clone())
    );
    let statuses = [a, b, c];
    assert!(
        statuses.iter().all(|s| [201, 503].contains(s)),
        "{statuses:?}"
    );
    assert!(statuses.contains(&503), "{statuses:?}");
    assert_eq!(
        app.state.passwords.stats().refused_per_client,
        statuses.iter().filter(|s| **s == 503).count() as u64
    );
    for (flow, status) in flows.iter().zip(statuses) {
        if status == 503 {
            assert_eq!(
                complete(flow.clone()).await,
                201,
                "a busy flow completes later"
            );
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 3);
}
