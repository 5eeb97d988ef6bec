//! Sign in, sign out, sessions, and the guards of sign-in: no enumeration, smart lockout, the
//! hourly account cap, the per-client throttle.

use crate::helpers::{problem, session_cookie, session_status, Backend, TestApp, PASSPHRASE};
use crate::on_both_databases;
use partner_login_contract::api::{CSRF_HEADER, CSRF_HEADER_VALUE};
use reqwest::Response;
use serde_json::json;
use std::time::Instant;

on_both_databases!(
    sign_in_answers_the_same_for_unknown_email_and_wrong_password,
    wrong_password_and_unknown_email_take_the_same_time,
    sign_in_accepts_an_invitation_for_the_same_email,
    ten_failures_lock_the_account_for_a_minute_known_or_not,
    later_lockouts_grow,
    the_same_wrong_password_does_not_count_again,
    never_more_than_a_hundred_failures_an_hour,
    failures_are_throttled_per_client_address,
    right_passwords_are_not_counted_as_failures,
    sign_out_ends_the_session_on_the_server,
    sign_in_rotates_the_session_id,
    sessions_end_after_idle_and_absolute_timeouts,
    on_https_cookies_are_secure_and_host_prefixed,
    the_password_is_verified_exactly_as_typed,
);

async fn sign_in_answers_the_same_for_unknown_email_and_wrong_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("known@example.org").await;
    let wrong = app.sign_in("known@example.org", "not the password").await;
    let unknown = app.sign_in("nobody@example.org", "not the password").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let (wrong, unknown) = (problem(wrong).await, problem(unknown).await);
    assert_eq!(wrong, unknown, "no account enumeration by message");
    assert_eq!(wrong["code"], "invalid_credentials");

    let ok = app.sign_in("Known@example.org", PASSPHRASE).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(app.get("/session").await.status(), 200);
}

/// ASVS 5.0 V6.3.8: an unknown email costs an argon2 verification too. Without the dummy hash
/// the unknown address answers tens of times faster; the bound is loose so load does not matter.
async fn wrong_password_and_unknown_email_take_the_same_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("timed@example.org").await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..7 {
        let started = Instant::now();
        let r = app
            .sign_in("timed@example.org", &format!("wrong {i}"))
            .await;
        known.push(started.elapsed());
        assert_eq!(r.status(), 401);
        let started = Instant::now();
        let r = app
            .sign_in("untimed@example.org", &format!("wrong {i}"))
            .await;
        unknown.push(started.elapsed());
        assert_eq!(r.status(), 401);
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[3].as_secs_f64(), unknown[3].as_secs_f64());
    assert!(
        (0.4..2.5).contains(&(u / k)),
        "median known {k:.4}s, unknown {u:.4}s"
    );
}

async fn sign_in_accepts_an_invitation_for_the_same_email(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("member@example.org").await;
    let token = app.invite("member@example.org", "Lake Chad Partners").await;
    let other = app.invite("someone.else@example.org", "Other Org").await;
    let mismatch = app
        .post(
            "/session",
            json!({"email": "member@example.org", "password": PASSPHRASE, "invitation": other}),
        )
        .await;
    assert_eq!(problem(mismatch).await["code"], "invitation_email_mismatch");
    let ok = app
        .post(
            "/session",
            json!({"email": "member@example.org", "password": PASSPHRASE, "invitation": token}),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let session: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(
        session["organizations"][0]["organization"],
        "Lake Chad Partners"
    );
}

/// Nine wrong passwords answer 401; the tenth locks for 60 s, and the right password is refused
/// while locked. An address with no account locks the same way (no enumeration by lockout).
async fn ten_failures_lock_the_account_for_a_minute_known_or_not(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("locked@example.org").await;
    for email in ["locked@example.org", "ghost@example.org"] {
        for i in 1..=9 {
            let r = app.sign_in(email, &format!("guess {i}")).await;
            assert_eq!(r.status(), 401, "{email} attempt {i}");
        }
        let tenth = problem(app.sign_in(email, "guess 10").await).await;
        assert_eq!(tenth["code"], "account_locked", "{email}");
        assert_eq!(tenth["retry_after"], 60, "{email}");
    }
    let refused = app.sign_in("locked@example.org", PASSPHRASE).await;
    assert_eq!(refused.status(), 429);
    assert!(
        refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u32>()
            .unwrap()
            <= 60
    );

    app.exec("UPDATE sign_in_guards SET locked_until = 0").await;
    assert_eq!(
        app.sign_in("locked@example.org", PASSPHRASE).await.status(),
        200,
        "the lock lifts after its time"
    );
    // A success clears the count: one more wrong password is just wrong.
    let after = app.sign_in("locked@example.org", "guess 11").await;
    assert_eq!(after.status(), 401);
}

/// After ten lockouts of 60 s, each further failure locks for twice as long as the last.
async fn later_lockouts_grow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("grow@example.org").await;
    for i in 1..=10 {
        app.sign_in("grow@example.org", &format!("guess {i}")).await;
    }
    // Nine more lockouts have passed (simulated), and the last one is over.
    app.exec("UPDATE sign_in_guards SET lockouts = 10, locked_until = 0")
        .await;
    let eleventh = problem(app.sign_in("grow@example.org", "guess 11").await).await;
    assert_eq!(eleventh["code"], "account_locked");
    assert_eq!(eleventh["retry_after"], 120);
    app.exec("UPDATE sign_in_guards SET locked_until = 0").await;
    let twelfth = problem(app.sign_in("grow@example.org", "guess 12").await).await;
    assert_eq!(twelfth["retry_after"], 240);
    app.exec("UPDATE sign_in_guards SET lockouts = 30, locked_until = 0")
        .await;
    let capped = problem(app.sign_in("grow@example.org", "guess 13").await).await;
    assert_eq!(capped["retry_after"], 5 * 3600, "never more than 5 hours");
}

async fn the_same_wrong_password_does_not_count_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("typo@example.org").await;
    for _ in 0..12 {
        let r = app
            .sign_in("typo@example.org", "river mango lantern 24")
            .await;
        assert_eq!(r.status(), 401);
    }
    assert_eq!(
        app.sign_in("typo@example.org", PASSPHRASE).await.status(),
        200
    );
}

/// At most 100 failed attempts on one account in an hour (rate limiting, OWASP ASVS 5.0
/// V6.3.1). NIST SP 800-63B-4 §3.2.2's limit is on consecutive failures: the 100th locks until
/// a password reset (`api/lockout.rs`).
async fn never_more_than_a_hundred_failures_an_hour(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("busy@example.org").await;
    assert_eq!(
        app.sign_in("busy@example.org", "guess 1").await.status(),
        401
    );
    // 98 more failures this hour (simulated), with no lockout in force.
    app.exec("UPDATE sign_in_guards SET window_failures = 99, failures = 0")
        .await;
    let hundredth = problem(app.sign_in("busy@example.org", "guess 100").await).await;
    assert_eq!(hundredth["code"], "account_locked");
    let wait = hundredth["retry_after"].as_u64().unwrap();
    assert!(
        (3590..=3600).contains(&wait),
        "locked until the hour is over: {wait}"
    );
}

async fn failures_are_throttled_per_client_address(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.sign_in_failures_per_client_hour = 3).await;
    app.signed_up("shared@example.org").await;
    for i in 0..3 {
        let r = app
            .sign_in(&format!("user{i}@example.org"), "whatever 123")
            .await;
        assert_eq!(r.status(), 401);
    }
    let throttled = app.sign_in("shared@example.org", PASSPHRASE).await;
    assert_eq!(throttled.status(), 429);
    let body = problem(throttled).await;
    assert_eq!(body["code"], "rate_limited");
    assert!(body["retry_after"].as_u64().unwrap() > 3000);
}

/// A right password un-counts the failure taken before its hash (ASVS 5.0 V2.4.1 caps
/// failures), whether its session started (the un-counting commits with the session) or the
/// session's transaction failed (an unknown invitation: rolled back, un-counted alone).
async fn right_passwords_are_not_counted_as_failures(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.sign_in_failures_per_client_hour = 2).await;
    app.signed_up("right@example.org").await;
    for _ in 0..3 {
        assert_eq!(
            app.sign_in("right@example.org", PASSPHRASE).await.status(),
            200
        );
        let unknown = app
            .post(
                "/session",
                json!({"email": "right@example.org", "password": PASSPHRASE,
                       "invitation": "no-such-invitation"}),
            )
            .await;
        assert_eq!(problem(unknown).await["code"], "invitation_not_found");
    }
    for i in 0..2 {
        let wrong = app
            .sign_in("right@example.org", &format!("wrong {i}"))
            .await;
        assert_eq!(wrong.status(), 401, "failure {i} is within the cap");
    }
    let third = app.sign_in("right@example.org", "wrong 2").await;
    assert_eq!(problem(third).await["code"], "rate_limited");
}

async fn sign_out_ends_the_session_on_the_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("leaving@example.org").await;
    let response = app.sign_in("leaving@example.org", PASSPHRASE).await;
    let id = session_cookie(&response).expect("a session cookie");
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
    assert_eq!(session_status(&app, &id).await, 200);

    let out = app.delete("/session").await;
    assert_eq!(out.status(), 204);
    assert!(out.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        session_status(&app, &id).await,
        401,
        "the old id is dead on the server, not only forgotten by the browser"
    );
    let stored: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored.0, 0);
}

async fn sign_in_rotates_the_session_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("rotate@example.org").await;
    let first = session_cookie(&app.sign_in("rotate@example.org", PASSPHRASE).await).unwrap();
    let second = session_cookie(&app.sign_in("rotate@example.org", PASSPHRASE).await).unwrap();
    assert_ne!(first, second);
    assert_eq!(session_status(&app, &first).await, 401, "the old id ended");
    assert_eq!(session_status(&app, &second).await, 200);
    let stored: (String,) = sqlx::query_as("SELECT id_hash FROM sessions")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_ne!(stored.0, second, "ids are stored hashed");
}

async fn sessions_end_after_idle_and_absolute_timeouts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("timeout@example.org").await;
    let id = session_cookie(&app.sign_in("timeout@example.org", PASSPHRASE).await).unwrap();
    // Idle: 30 minutes without a request.
    app.exec("UPDATE sessions SET last_seen_at = last_seen_at - 1801")
        .await;
    assert_eq!(session_status(&app, &id).await, 401);

    let id = session_cookie(&app.sign_in("timeout@example.org", PASSPHRASE).await).unwrap();
    // Absolute: 12 hours after sign-in, however active.
    app.exec("UPDATE sessions SET created_at = created_at - 12 * 3600 - 1")
        .await;
    assert_eq!(session_status(&app, &id).await, 401);
}

/// The `Set-Cookie` headers of a response, as sent.
fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// Checks one `Set-Cookie` of an HTTPS deployment: `__Host-<base>=…; Secure; HttpOnly;
/// SameSite=…; Path=/` and no `Domain`. Returns the cookie's value.
fn assert_host_cookie(set_cookie: &str, base: &str) -> String {
    let mut parts = set_cookie.split(';').map(str::trim);
    let (name, value) = parts.next().unwrap().split_once('=').unwrap();
    assert_eq!(name, format!("__Host-{base}"), "{set_cookie}");
    let attributes: Vec<String> = parts.map(str::to_ascii_lowercase).collect();
    for required in ["secure", "httponly", "path=/"] {
        assert!(
            attributes.iter().any(|a| a == required),
            "no `{required}` in {set_cookie}"
        );
    }
    assert!(
        attributes
            .iter()
            .any(|a| a == "samesite=lax" || a == "samesite=strict"),
        "no SameSite in {set_cookie}"
    );
    assert!(
        !attributes.iter().any(|a| a.starts_with("domain")),
        "a `__Host-` cookie has no Domain: {set_cookie}"
    );
    value.to_owned()
}

/// OWASP ASVS 5.0 V3.3.1, V3.3.3: behind `https://`, the session and social flow cookies are
/// `__Host-` prefixed, `Secure`, HttpOnly, SameSite, `Path=/`, without `Domain`.
async fn on_https_cookies_are_secure_and_host_prefixed(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.public_url = Some("https://login.example.org".into());
    })
    .await;
    let email = "secure.cookies@example.org";
    let flow = app.start_signup(email, None).await;
    let code = app.nth_mail(email, 1).await.code();
    assert_eq!(app.verify(&flow, &code).await.status(), 200);
    let created = app.complete(&flow, PASSPHRASE).await;
    assert_eq!(created.status(), 201);
    let cookies = set_cookies(&created);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let first = assert_host_cookie(&cookies[0], "partner_login_session");
    assert_eq!(first.len(), 64, "a 256-bit session id");

    let signed_in = app.sign_in(email, PASSPHRASE).await;
    assert_eq!(signed_in.status(), 200);
    let cookies = set_cookies(&signed_in);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let session = assert_host_cookie(&cookies[0], "partner_login_session");
    assert_eq!(session.len(), 64);
    assert!(cookies[0].contains("Max-Age="), "{}", cookies[0]);

    // The server reads the session from the prefixed name only (no cookie tossing through an
    // unprefixed cookie a sibling host could set).
    let with = |name: &str| {
        reqwest::Client::new()
            .get(app.api("/session"))
            .header("cookie", format!("{name}={session}"))
            .send()
    };
    assert_eq!(
        with("__Host-partner_login_session").await.unwrap().status(),
        200
    );
    assert_eq!(with("partner_login_session").await.unwrap().status(), 401);

    // Sign-out clears the cookie under the same name and attributes.
    let signed_out = reqwest::Client::new()
        .delete(app.api("/session"))
        .header(CSRF_HEADER, CSRF_HEADER_VALUE)
        .header("cookie", format!("__Host-partner_login_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 204);
    let cookies = set_cookies(&signed_out);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert_eq!(assert_host_cookie(&cookies[0], "partner_login_session"), "");
    assert!(cookies[0].contains("Max-Age=0"), "{}", cookies[0]);

    // The social sign-in's flow cookie: its callback always clears it.
    let callback = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.api("/social/unicef/callback?code=c&state=s"))
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), 303);
    let cookies = set_cookies(&callback);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert_host_cookie(&cookies[0], "partner_login_social");
}

/// OWASP ASVS 5.0 V6.2.8, NIST SP 800-63B-4 §3.1.1.2 (the entire password is verified): the
/// password is compared exactly as typed: no trimming, no case folding, no truncation.
async fn the_password_is_verified_exactly_as_typed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let exact = " river mango lantern 42 ";
    // The longest password allowed (256 characters), to show nothing is cut off.
    let long: String = "Lantern river mango 42! ".repeat(11)[..256].to_owned();
    for (email, password) in [
        ("spaces@example.org", exact.to_owned()),
        ("long@example.org", long.clone()),
    ] {
        let flow = app.start_signup(email, None).await;
        let code = app.nth_mail(email, 1).await.code();
        assert_eq!(app.verify(&flow, &code).await.status(), 200);
        let created = app.complete(&flow, &password).await;
        assert_eq!(created.status(), 201, "{email}");
        assert_eq!(app.delete("/session").await.status(), 204);
    }

    let mut last_changed = long.clone();
    last_changed.pop();
    last_changed.push('?');
    let refused = [
        ("spaces@example.org", exact.trim().to_owned(), "trimmed"),
        (
            "spaces@example.org",
            exact.trim_start().to_owned(),
            "without the leading space",
        ),
        (
            "spaces@example.org",
            exact.trim_end().to_owned(),
            "without the trailing space",
        ),
        ("spaces@example.org", exact.to_uppercase(), "upper-cased"),
        (
            "long@example.org",
            long[..72].to_owned(),
            "its first 72 bytes (bcrypt's limit)",
        ),
        (
            "long@example.org",
            long[..255].to_owned(),
            "without its last character",
        ),
        (
            "long@example.org",
            last_changed,
            "with its last character changed",
        ),
        ("long@example.org", long.to_lowercase(), "lower-cased"),
    ];
    for (email, variant, what) in refused {
        let response = app.sign_in(email, &variant).await;
        assert_eq!(response.status(), 401, "{email}: the password {what}");
        assert_eq!(
            problem(response).await["code"],
            "invalid_credentials",
            "{email}: the password {what}"
        );
    }
    for (email, password) in [("spaces@example.org", exact), ("long@example.org", &long)] {
        let ok = app.sign_in(email, password).await;
        assert_eq!(ok.status(), 200, "{email}: the password exactly as typed");
        assert_eq!(app.delete("/session").await.status(), 204);
    }
}
