//! Second factors after a password (issue 20): an authenticator app (RFC 6238) and recovery
//! codes; the second step of a password sign-in; the re-authentication window; the notices.
//!
//! The app's codes are computed by the tests' own TOTP (`partner_login_testkit::totp`: SHA-1,
//! HMAC and RFC 4226 truncation written out, checked against RFC 6238 Appendix B), so that the
//! server's and this one are each checked against the RFC, not against each other.

use crate::helpers::*;
use crate::on_both_databases;
use partner_login_contract::api::{CSRF_HEADER, CSRF_HEADER_VALUE};
use partner_login_testkit::totp::{base32_decode, steady_step, totp};
use reqwest::{Client, Response};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

// ---- Helpers -------------------------------------------------------------------------------

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs `email` up and in on `app.client` (a fresh sign-in: factors may change).
async fn signed_in(app: &TestApp, email: &str) {
    app.signed_up(email).await;
    assert_eq!(app.sign_in(email, PASSPHRASE).await.status(), 200);
}

/// Adds and confirms an authenticator app on the signed-in `app.client`, with the code of the
/// step before the current one; returns the seed and that step.
async fn enrolled(app: &TestApp) -> (Vec<u8>, u64) {
    let begun = app.post("/authenticator-app", json!({})).await;
    assert_eq!(begun.status(), 200);
    let begun: Value = begun.json().await.unwrap();
    let secret = base32_decode(begun["secret"].as_str().unwrap());
    assert_eq!(secret.len(), 20, "160 bits");
    let step = steady_step().await - 1;
    let confirmed = app
        .post(
            "/authenticator-app/confirm",
            json!({"code": totp(&secret, step, 6)}),
        )
        .await;
    assert_eq!(confirmed.status(), 204, "one step back is accepted");
    (secret, step)
}

/// Signs in with the password on `client` and checks that the second step is asked for.
async fn second_step(app: &TestApp, client: &Client, email: &str) {
    let answer = app
        .post_as(
            client,
            "/session",
            json!({"email": email, "password": PASSPHRASE}),
        )
        .await;
    assert_eq!(answer.status(), 401);
    assert!(flow_cookie(&answer).is_some(), "the flow's cookie is set");
    assert!(session_cookie(&answer).is_none(), "no session yet");
    assert_eq!(problem(answer).await["code"], "second_factor_required");
}

fn flow_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("partner_login_second_factor="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .filter(|v| !v.is_empty())
}

async fn finish(app: &TestApp, client: &Client, body: Value) -> Response {
    app.post_as(client, "/session/second-factor", body).await
}

async fn code_of(response: Response) -> String {
    problem(response).await["code"].as_str().unwrap().to_owned()
}

/// The `amr` of the session whose cookie an answer set (found by its hash, as the server
/// stores it: the newest by `created_at` is ambiguous within one second).
async fn amr_of(app: &TestApp, answer: &reqwest::Response) -> String {
    let cookie = session_cookie(answer).expect("a session cookie");
    sqlx::query_scalar("SELECT amr FROM sessions WHERE id_hash = $1")
        .bind(partner_login_server::domain::secrets::hash(&cookie))
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

/// Waits for the `n`-th mail to `to` and checks its subject.
async fn notice(app: &TestApp, to: &str, n: usize, subject: &str) -> String {
    let mail = app.nth_mail(to, n).await;
    assert!(mail.subject.contains(subject), "{:?}", mail.subject);
    mail.text
}

// ---- Tests ---------------------------------------------------------------------------------

on_both_databases!(an_app_is_a_factor_only_once_confirmed_and_its_seed_is_sealed);
async fn an_app_is_a_factor_only_once_confirmed_and_its_seed_is_sealed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "amina@example.org";
    signed_in(&app, email).await;
    let begun = app.post("/authenticator-app", json!({})).await;
    assert_eq!(begun.status(), 200);
    let begun: Value = begun.json().await.unwrap();
    let secret_b32 = begun["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret_b32.len(), 32);
    let uri = begun["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/UN%20Partner%20Portal:amina%40example%2Eorg?"),
        "{uri}"
    );
    assert!(uri.contains(&format!("secret={secret_b32}&issuer=UN%20Partner%20Portal")));
    assert!(begun["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = base32_decode(&secret_b32);

    // Not confirmed: no factor; a password still signs in alone.
    let factors: Value = app.get("/account/factors").await.json().await.unwrap();
    assert_eq!(factors["authenticator_app"], false);
    assert!(factors.get("authenticator_app_added_at").is_none());
    assert_eq!(app.delete("/session").await.status(), 204);
    assert_eq!(app.sign_in(email, PASSPHRASE).await.status(), 200);

    // ASVS 5.0 V6.5.x / NIST SP 800-63B-4 §3.1.4.2: the seed is not stored in clear (neither
    // its base32, nor its bytes, nor their hex).
    let stored: String = sqlx::query_scalar("SELECT secret FROM authenticator_apps")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(!stored.contains(&secret_b32));
    assert!(!stored.contains(&hex(&secret)));
    assert!(!stored
        .as_bytes()
        .windows(secret.len())
        .any(|w| w == secret.as_slice()));

    // A wrong code does not confirm; a code of two steps away does not either.
    let step = steady_step().await;
    let wrong = app
        .post(
            "/authenticator-app/confirm",
            json!({"code": totp(&secret, step + 2, 6)}),
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(code_of(wrong).await, "code_wrong");
    let malformed = app
        .post("/authenticator-app/confirm", json!({"code": "12ab56"}))
        .await;
    assert_eq!(code_of(malformed).await, "code_format");
    let confirmed = app
        .post(
            "/authenticator-app/confirm",
            json!({"code": totp(&secret, step, 6)}),
        )
        .await;
    assert_eq!(confirmed.status(), 204);
    // The owner is told (1: the sign-up code; 2: the app).
    notice(&app, email, 2, "authenticator app was added").await;
    let mut factors: Value = app.get("/account/factors").await.json().await.unwrap();
    // The account page's "Added on …": when the code confirmed it (not when it was begun).
    let added_at = factors["authenticator_app_added_at"]
        .as_i64()
        .expect("added_at");
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    assert!((now - 5..=now).contains(&added_at), "{added_at} at {now}");
    factors
        .as_object_mut()
        .unwrap()
        .remove("authenticator_app_added_at");
    assert_eq!(
        factors,
        json!({"passkeys": 0, "authenticator_app": true, "recovery_codes_left": 0})
    );
    // One app per account.
    let again = app.post("/authenticator-app", json!({})).await;
    assert_eq!(again.status(), 403);

    // Now a right password asks for the second step, and only a right password does.
    assert_eq!(app.delete("/session").await.status(), 204);
    let wrong_password = app.sign_in(email, "not the passphrase").await;
    assert!(flow_cookie(&wrong_password).is_none());
    assert_eq!(code_of(wrong_password).await, "invalid_credentials");
    second_step(&app, &app.client, email).await;
    assert_eq!(app.get("/session").await.status(), 401, "no session yet");
    let methods: Value = app
        .get("/session/second-factor")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(methods["methods"], json!(["app"]));
}

on_both_databases!(app_codes_are_accepted_one_step_either_side_and_once);
async fn app_codes_are_accepted_one_step_either_side_and_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "amina@example.org";
    signed_in(&app, email).await;
    // Confirmed with the code of the step before this one (one step back is accepted).
    let (secret, confirmed_at) = enrolled(&app).await;
    let now = confirmed_at + 1;
    let code = |step: u64| totp(&secret, step, 6);
    assert_eq!(app.delete("/session").await.status(), 204);

    second_step(&app, &app.client, email).await;
    for (step, why) in [
        (now - 2, "two steps back"),
        (now + 2, "two steps ahead"),
        (now - 1, "the confirming code again (replay)"),
    ] {
        let refused = finish(&app, &app.client, json!({"code": code(step)})).await;
        assert_eq!(refused.status(), 422, "{why}");
        assert_eq!(code_of(refused).await, "code_wrong", "{why}");
    }
    let signed = finish(&app, &app.client, json!({"code": code(now)})).await;
    assert_eq!(signed.status(), 200);
    assert!(session_cookie(&signed).is_some());
    assert_eq!(amr_of(&app, &signed).await, "pwd otp mfa");
    let view: Value = signed.json().await.unwrap();
    assert_eq!(view["email"], email);
    assert!(view.get("recovery_codes_left").is_none());
    assert_eq!(app.get("/session").await.status(), 200);

    // One step ahead is accepted, and then the earlier step is refused, and so is the same code.
    assert_eq!(app.delete("/session").await.status(), 204);
    second_step(&app, &app.client, email).await;
    let ahead = finish(&app, &app.client, json!({"code": code(now + 1)})).await;
    assert_eq!(ahead.status(), 200, "one step ahead");
    assert_eq!(app.delete("/session").await.status(), 204);
    second_step(&app, &app.client, email).await;
    for (step, why) in [
        (now, "an earlier step after a later one"),
        (now + 1, "the same code twice"),
    ] {
        let refused = finish(&app, &app.client, json!({"code": code(step)})).await;
        assert_eq!(code_of(refused).await, "code_wrong", "{why}");
    }
    assert_eq!(app.get("/session").await.status(), 401);
}

on_both_databases!(wrong_codes_count_toward_the_lockout);
/// Wrong codes count as wrong passwords: per flow (5, then the password again) and against
/// the email's lockout (10 lock it, as 10 wrong passwords do; ASVS 5.0 V6.3.1, NIST SP
/// 800-63B-4 §3.2.2); a right password in between does not clear the count.
async fn wrong_codes_count_toward_the_lockout(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "amina@example.org";
    signed_in(&app, email).await;
    let (secret, confirmed_at) = enrolled(&app).await;
    assert_eq!(app.post("/recovery-codes", json!({})).await.status(), 200);
    assert_eq!(app.delete("/session").await.status(), 204);
    // Codes that are none of the window's (nor the next steps', should the clock move on).
    let valid: Vec<String> = (confirmed_at - 1..=confirmed_at + 4)
        .map(|s| totp(&secret, s, 6))
        .collect();
    let mut wrong = (0..1_000_000u32)
        .step_by(99_991)
        .map(|n| format!("{n:06}"))
        .filter(|c| !valid.contains(c));

    second_step(&app, &app.client, email).await;
    for n in 1..=5 {
        let refused = finish(&app, &app.client, json!({"code": wrong.next().unwrap()})).await;
        assert_eq!(code_of(refused).await, "code_wrong", "wrong code {n}");
    }
    let ended = finish(&app, &app.client, json!({"code": wrong.next().unwrap()})).await;
    assert_eq!(ended.status(), 404, "5 wrong codes end the flow");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sign_in_guards").await,
        1,
        "the email's guard counts them"
    );

    // The password again: the count goes on.
    second_step(&app, &app.client, email).await;
    for n in 6..=9 {
        let refused = finish(&app, &app.client, json!({"code": wrong.next().unwrap()})).await;
        assert_eq!(code_of(refused).await, "code_wrong", "wrong code {n}");
    }
    // Another browser past the password before the lock.
    let other = TestApp::new_client();
    second_step(&app, &other, email).await;
    let tenth = finish(&app, &app.client, json!({"code": wrong.next().unwrap()})).await;
    assert_eq!(tenth.status(), 429, "the tenth counted failure locks");
    assert_eq!(code_of(tenth).await, "account_locked");
    let right = finish(
        &app,
        &other,
        json!({"code": totp(&secret, steady_step().await, 6)}),
    )
    .await;
    assert_eq!(code_of(right).await, "account_locked", "even a right code");
    let password = app.sign_in(email, PASSPHRASE).await;
    assert_eq!(
        code_of(password).await,
        "account_locked",
        "and the password"
    );

    // An administrator's delete takes the app, the codes and the waiting flows with it.
    assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 10);
    assert!(app.count("SELECT COUNT(*) FROM second_factor_flows").await > 0);
    let deleted = app
        .client
        .delete(app.api(&format!("/admin/accounts/{email}")))
        .bearer_auth(ADMIN_TOKEN)
        .header(CSRF_HEADER, CSRF_HEADER_VALUE)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    for table in [
        "authenticator_apps",
        "recovery_codes",
        "second_factor_flows",
    ] {
        let left = app.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!(left, 0, "{table}");
    }
}

on_both_databases!(recovery_codes_are_single_use_even_at_once);
async fn recovery_codes_are_single_use_even_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "amina@example.org";
    signed_in(&app, email).await;
    let made = app.post("/recovery-codes", json!({})).await;
    assert_eq!(made.status(), 200);
    let made: Value = made.json().await.unwrap();
    let codes: Vec<String> = made["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    let crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    for code in &codes {
        let groups: Vec<&str> = code.split('-').collect();
        assert_eq!(groups.len(), 6, "{code}");
        assert!(groups.iter().all(|g| g.len() == 4), "{code}");
        // 24 characters of a 32-letter alphabet: 120 bits (at least 112).
        assert!(code.replace('-', "").chars().all(|c| crockford.contains(c)));
    }
    let mut distinct = codes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 10);
    // Stored hashed only (SHA-256 hex), never the code.
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 10);
    for hash in &stored {
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
        for code in &codes {
            assert!(!hash.contains(&code.replace('-', "")));
        }
    }
    notice(&app, email, 2, "New recovery codes").await;
    let left: Value = app.get("/recovery-codes").await.json().await.unwrap();
    assert_eq!(left, json!({"remaining": 10}));
    assert_eq!(app.delete("/session").await.status(), 204);

    // Two browsers, each past the password, finish with the same code at once: one wins.
    let (first, second) = (TestApp::new_client(), TestApp::new_client());
    second_step(&app, &first, email).await;
    second_step(&app, &second, email).await;
    let methods: Value = app
        .get_as(&first, "/session/second-factor")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(methods["methods"], json!(["recovery_code"]));
    let body = json!({"recovery_code": codes[0]});
    let (a, b) = tokio::join!(
        finish(&app, &first, body.clone()),
        finish(&app, &second, body.clone())
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 422], "one use");
    let (winner, loser) = if a.status() == 200 { (a, b) } else { (b, a) };
    assert_eq!(code_of(loser).await, "code_wrong");
    assert_eq!(amr_of(&app, &winner).await, "pwd otp mfa");
    let view: Value = winner.json().await.unwrap();
    assert_eq!(
        view["recovery_codes_left"], 9,
        "the answer says how many are left"
    );
    let used = notice(&app, email, 3, "recovery code was used").await;
    assert!(used.contains(": 9."), "{used}");

    // One flow finished twice at once with two good codes: it signs in once.
    let third = TestApp::new_client();
    second_step(&app, &third, email).await;
    let (a, b) = tokio::join!(
        finish(
            &app,
            &third,
            json!({"recovery_code": codes[1].to_lowercase()})
        ),
        finish(
            &app,
            &third,
            json!({"recovery_code": codes[2].replace('-', " ")})
        )
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 404], "one flow, one session");
    let left: Value = app
        .get_as(&third, "/recovery-codes")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        left,
        json!({"remaining": 8}),
        "the loser's code was not used up"
    );

    // A new set ends the old one (the session is fresh: within the 5 minutes).
    let renewed = app.post_as(&third, "/recovery-codes", json!({})).await;
    assert_eq!(renewed.status(), 200);
    let fourth = TestApp::new_client();
    second_step(&app, &fourth, email).await;
    let old = finish(&app, &fourth, json!({"recovery_code": codes[3]})).await;
    assert_eq!(code_of(old).await, "code_wrong");
}

on_both_databases!(changing_factors_needs_a_recent_sign_in);
async fn changing_factors_needs_a_recent_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "amina@example.org";
    signed_in(&app, email).await;
    let (secret, confirmed_at) = enrolled(&app).await;
    // Signed in 6 minutes ago: live, but too old to change the factors (ASVS 5.0 V7.5.1).
    app.exec("UPDATE sessions SET created_at = created_at - 360")
        .await;
    assert_eq!(app.get("/session").await.status(), 200);
    assert_eq!(
        app.post("/authenticator-app", json!({})).await.status(),
        401
    );
    assert_eq!(app.delete("/authenticator-app").await.status(), 401);
    assert_eq!(app.post("/recovery-codes", json!({})).await.status(), 401);
    // Reading them needs no fresh sign-in.
    assert_eq!(app.get("/recovery-codes").await.status(), 200);
    assert_eq!(app.get("/account/factors").await.status(), 200);
    // Not signed in at all.
    let stranger = TestApp::new_client();
    for path in ["/authenticator-app", "/recovery-codes"] {
        let refused = app.post_as(&stranger, path, json!({})).await;
        assert_eq!(refused.status(), 401, "{path}");
    }
    assert_eq!(
        app.get_as(&stranger, "/account/factors").await.status(),
        401
    );
    assert_eq!(
        app.post_as(
            &stranger,
            "/authenticator-app/confirm",
            json!({"code": "123456"})
        )
        .await
        .status(),
        401
    );

    // Signing in again (password and app) opens the window: the app is removed, and told.
    assert_eq!(app.delete("/session").await.status(), 204);
    second_step(&app, &app.client, email).await;
    let signed = finish(
        &app,
        &app.client,
        json!({"code": totp(&secret, confirmed_at + 1, 6)}),
    )
    .await;
    assert_eq!(signed.status(), 200);
    assert_eq!(app.delete("/authenticator-app").await.status(), 204);
    notice(&app, email, 3, "authenticator app was removed").await;
    assert_eq!(app.delete("/authenticator-app").await.status(), 404);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM authenticator_apps").await,
        0
    );
    // No factor left: the password alone signs in again.
    assert_eq!(app.delete("/session").await.status(), 204);
    assert_eq!(app.sign_in(email, PASSPHRASE).await.status(), 200);
}

on_both_databases!(the_second_step_is_single_use_bound_to_its_browser_and_expires);
async fn the_second_step_is_single_use_bound_to_its_browser_and_expires(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "amina@example.org";
    signed_in(&app, email).await;
    let made: Value = app
        .post("/recovery-codes", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let code = |n: usize| made["codes"][n].as_str().unwrap().to_owned();
    assert_eq!(app.delete("/session").await.status(), 204);

    // An unknown address gets the answer a wrong password gets: nothing says which accounts
    // have a second factor before the password is right.
    let unknown = app.sign_in("nobody@example.org", PASSPHRASE).await;
    assert!(flow_cookie(&unknown).is_none());
    assert_eq!(code_of(unknown).await, "invalid_credentials");

    // Bound to the browser that proved the password: another has no flow.
    let browser = TestApp::new_client();
    let answer = app
        .post_as(
            &browser,
            "/session",
            json!({"email": email, "password": PASSPHRASE}),
        )
        .await;
    let flow = flow_cookie(&answer).unwrap();
    assert_eq!(code_of(answer).await, "second_factor_required");
    let other = TestApp::new_client();
    let elsewhere = finish(&app, &other, json!({"recovery_code": code(0)})).await;
    assert_eq!(code_of(elsewhere).await, "flow_not_found");
    // The body's shape: one proof, of the right form.
    let both = finish(
        &app,
        &browser,
        json!({"code": "123456", "recovery_code": code(0)}),
    )
    .await;
    assert_eq!(both.status(), 400);
    let none = finish(&app, &browser, json!({})).await;
    assert_eq!(code_of(none).await, "validation_failed");
    let short = finish(&app, &browser, json!({"recovery_code": "ABCD-EFGH"})).await;
    assert_eq!(problem(short).await["errors"][0]["code"], "code_format");

    // Finished once: the same flow id replayed (as a cookie, from anywhere) finds nothing.
    let signed = finish(&app, &browser, json!({"recovery_code": code(0)})).await;
    assert_eq!(signed.status(), 200);
    assert!(session_cookie(&signed).is_some());
    let replayed = Client::new()
        .post(app.api("/session/second-factor"))
        .header(CSRF_HEADER, CSRF_HEADER_VALUE)
        .header("cookie", format!("partner_login_second_factor={flow}"))
        .json(&json!({"recovery_code": code(1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(replayed).await, "flow_not_found");

    // Expired after 5 minutes: refused, and gone.
    let late = TestApp::new_client();
    second_step(&app, &late, email).await;
    app.exec("UPDATE second_factor_flows SET expires_at = expires_at - 301")
        .await;
    let view = app.get_as(&late, "/session/second-factor").await;
    assert_eq!(code_of(view).await, "flow_expired");
    let expired = finish(&app, &late, json!({"recovery_code": code(1)})).await;
    assert_eq!(expired.status(), 410);
    let again = finish(&app, &late, json!({"recovery_code": code(1)})).await;
    assert_eq!(code_of(again).await, "flow_not_found");
    let left: Value = app
        .get_as(&browser, "/recovery-codes")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(left["remaining"], 9, "the expired flow used no code");
}

/// Without `MFA_ENCRYPTION_KEY_FILE` apps are off (404), and once an account has one the
/// server refuses to start without the key (its holder would lose the factor).
#[tokio::test]
async fn apps_are_off_without_a_key_and_a_start_without_it_is_refused_once_used() {
    let off = TestApp::spawn_with(Backend::Sqlite, |c| c.mfa_encryption_key_file = None).await;
    off.signed_up("amina@example.org").await;
    assert_eq!(
        off.sign_in("amina@example.org", PASSPHRASE).await.status(),
        200
    );
    assert_eq!(
        off.post("/authenticator-app", json!({})).await.status(),
        404
    );
    assert_eq!(off.post("/recovery-codes", json!({})).await.status(), 200);
    // The screens learn it from the public configuration and offer no app.
    let config: Value = off.get("/config").await.json().await.unwrap();
    assert_eq!(config["authenticator_apps"], false);
    drop(off);

    let app = TestApp::spawn(Backend::Sqlite).await;
    let config: Value = app.get("/config").await.json().await.unwrap();
    assert_eq!(config["authenticator_apps"], true);
    signed_in(&app, "amina@example.org").await;
    enrolled(&app).await;
    let mut config = (*app.state.config).clone();
    config.mfa_encryption_key_file = None;
    let refused = partner_login_server::state(config.clone()).await;
    let error = format!("{:#}", refused.err().expect("no start"));
    assert!(error.contains("MFA_ENCRYPTION_KEY_FILE"), "{error}");
    // A key file of the wrong form refuses to start too, naming the file and not its content.
    let bad = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(bad.path(), "not a key").unwrap();
    config.mfa_encryption_key_file = Some(bad.path().to_owned());
    let refused = partner_login_server::state(config).await;
    let error = format!("{:#}", refused.err().expect("no start"));
    assert!(error.contains("not 32 bytes or 64 hex"), "{error}");
    assert!(!error.contains("not a key"), "{error}");
}

/// `…/password-reset/{flow}/second-factor`.
fn proof_path(flow: &str) -> String {
    format!("/password-reset/{flow}/second-factor")
}

async fn reset_complete(app: &TestApp, client: &Client, flow: &str, password: &str) -> Response {
    app.post_as(
        client,
        &format!("/password-reset/{flow}/complete"),
        json!({"password": password, "password_confirmation": password}),
    )
    .await
}

const NEW_PASSWORD: &str = "a new river mango 43";

on_both_databases!(a_reset_asks_the_second_proof_before_the_new_password);
/// "Forgot your password?" (issue 20; OWASP ASVS 5.0 V6.4.3: a reset does not bypass an
/// enabled second factor; NIST SP 800-63B-4 §4.2), under the default `MFA_POLICY=optional`:
/// nothing says which proofs an account needs before its mailbox is proven; after the code,
/// "Continue" is refused and the password is NOT changed until the app's code or a recovery
/// code (used up) proves the flow; wrong codes are counted per client, against the email's
/// lockout and per flow (5); a proof is used once; the session is then two-factor.
async fn a_reset_asks_the_second_proof_before_the_new_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "amina@example.org";
    signed_in(&app, email).await;
    let (secret, confirmed_at) = enrolled(&app).await;
    let made: Value = app
        .post("/recovery-codes", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let recovery = made["codes"][0].as_str().unwrap().to_owned();
    assert_eq!(app.delete("/session").await.status(), 204);
    // Mails: 1 the sign-up's code, 2 the app added, 3 the recovery codes, 4 the reset's code.
    let started: Value = app
        .post("/password-reset", json!({"email": email, "language": "en"}))
        .await
        .json()
        .await
        .unwrap();
    let flow = started["flow_id"].as_str().unwrap().to_owned();
    // Before the mailbox is proven: nothing about the factors (ASVS 5.0 V6.3.8).
    let early = app.get(&proof_path(&flow)).await;
    assert_eq!(code_of(early).await, "flow_not_verified");
    let early = app
        .post(&proof_path(&flow), json!({"code": "000000"}))
        .await;
    assert_eq!(code_of(early).await, "flow_not_verified");
    let code = app.nth_mail(email, 4).await.code();
    let verified = app
        .post(
            &format!("/password-reset/{flow}/verify"),
            json!({"code": code}),
        )
        .await;
    assert_eq!(verified.status(), 200);
    let view = app.get(&proof_path(&flow)).await;
    assert_eq!(view.status(), 200);
    let view: Value = view.json().await.unwrap();
    assert_eq!(view["methods"], json!(["app", "recovery_code"]));
    assert_eq!(view["proven"], false);

    // "Continue" before the proof: refused, no session, the password unchanged.
    let refused = reset_complete(&app, &app.client, &flow, NEW_PASSWORD).await;
    assert_eq!(refused.status(), 401);
    assert!(session_cookie(&refused).is_none(), "no session");
    assert!(flow_cookie(&refused).is_none(), "no sign-in's second step");
    assert_eq!(code_of(refused).await, "second_factor_required");
    let other = TestApp::new_client();
    let new = app
        .post_as(
            &other,
            "/session",
            json!({"email": email, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(code_of(new).await, "invalid_credentials", "not changed");
    second_step(&app, &other, email).await;

    // Wrong codes: counted per client and against the email's guard; 5 end the flow's proof.
    let failures_before = app
        .count("SELECT COUNT(*) FROM rate_events WHERE kind = 'sign_in_failure'")
        .await;
    let guard_before = app
        .count("SELECT COALESCE(MAX(failures), 0) FROM sign_in_guards")
        .await;
    let valid: Vec<String> = (confirmed_at - 1..=confirmed_at + 4)
        .map(|s| totp(&secret, s, 6))
        .collect();
    let mut wrong = (0..1_000_000u32)
        .step_by(99_991)
        .map(|n| format!("{n:06}"))
        .filter(|c| !valid.contains(c));
    for n in 1..=5 {
        let refused = app
            .post(&proof_path(&flow), json!({"code": wrong.next().unwrap()}))
            .await;
        assert_eq!(code_of(refused).await, "code_wrong", "wrong code {n}");
    }
    let failures = app
        .count("SELECT COUNT(*) FROM rate_events WHERE kind = 'sign_in_failure'")
        .await;
    assert_eq!(failures - failures_before, 5, "counted per client");
    let guard = app
        .count("SELECT COALESCE(MAX(failures), 0) FROM sign_in_guards")
        .await;
    assert_eq!(
        guard - guard_before,
        5,
        "counted against the email's lockout"
    );
    let right = totp(&secret, steady_step().await, 6);
    let over = app.post(&proof_path(&flow), json!({"code": right})).await;
    assert_eq!(code_of(over).await, "flow_expired", "5 wrong codes end it");
    let still = reset_complete(&app, &app.client, &flow, NEW_PASSWORD).await;
    assert_eq!(code_of(still).await, "second_factor_required");

    // A new reset (mail 5), the app's code: proven, once; then the new password, at AAL2.
    let (flow, _) = app.verified_reset(email, 5).await;
    let proven = app.post(&proof_path(&flow), json!({"code": right})).await;
    assert_eq!(proven.status(), 200);
    let proven: Value = proven.json().await.unwrap();
    assert_eq!(proven["proven"], true);
    let again = app
        .post(&proof_path(&flow), json!({"recovery_code": recovery}))
        .await;
    assert_eq!(again.status(), 400, "one proof a flow");
    let view: Value = app.get(&proof_path(&flow)).await.json().await.unwrap();
    assert_eq!(view["proven"], true);
    let done = reset_complete(&app, &app.client, &flow, NEW_PASSWORD).await;
    assert_eq!(done.status(), 200);
    assert_eq!(amr_of(&app, &done).await, "pwd otp mfa");
    let done: Value = done.json().await.unwrap();
    assert_eq!(done["aal"], "aal2");
    let old = app
        .post_as(
            &TestApp::new_client(),
            "/session",
            json!({"email": email, "password": PASSPHRASE}),
        )
        .await;
    assert_eq!(
        code_of(old).await,
        "invalid_credentials",
        "the new password is set"
    );

    // A recovery code (mail 6: the password changed; 7: the code): used up, the count told.
    // The notice is awaited first: it is sent after the reset's commit, and the next reset's
    // code could otherwise overtake it.
    notice(&app, email, 6, "password was changed").await;
    let (flow, _) = app.verified_reset(email, 7).await;
    let proven = app
        .post(
            &proof_path(&flow),
            json!({"recovery_code": recovery.to_lowercase()}),
        )
        .await;
    assert_eq!(proven.status(), 200);
    let proven: Value = proven.json().await.unwrap();
    assert_eq!(proven["recovery_codes_left"], 9);
    notice(&app, email, 8, "recovery code").await;
    let done = reset_complete(&app, &app.client, &flow, PASSPHRASE).await;
    assert_eq!(done.status(), 200);
    assert_eq!(amr_of(&app, &done).await, "pwd otp mfa");
    // Mail 9: the password changed; 10: the next reset's code. The code is spent.
    notice(&app, email, 9, "password was changed").await;
    let (flow, _) = app.verified_reset(email, 10).await;
    let spent = app
        .post(&proof_path(&flow), json!({"recovery_code": recovery}))
        .await;
    assert_eq!(
        code_of(spent).await,
        "code_wrong",
        "a recovery code is used once"
    );
}

on_both_databases!(under_optional_a_reset_of_an_account_with_no_factor_is_unchanged);
/// `MFA_POLICY=optional`, an account with no second factor: the reset needs no proof (an
/// empty `methods`, a proof refused) and "Continue" signs in as before, at AAL1.
async fn under_optional_a_reset_of_an_account_with_no_factor_is_unchanged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "amina@example.org";
    app.signed_up(email).await;
    let (flow, _) = app.verified_reset(email, 2).await;
    let view: Value = app.get(&proof_path(&flow)).await.json().await.unwrap();
    assert_eq!(view["methods"], json!([]));
    let none = app
        .post(&proof_path(&flow), json!({"code": "123456"}))
        .await;
    assert_eq!(none.status(), 400, "no proof to give");
    let done = reset_complete(&app, &app.client, &flow, NEW_PASSWORD).await;
    assert_eq!(done.status(), 200);
    assert_eq!(amr_of(&app, &done).await, "pwd");
    let done: Value = done.json().await.unwrap();
    assert_eq!(done["aal"], "aal1");
    assert_eq!(done["factor_required"], false);
}

on_both_databases!(under_a_required_policy_one_factor_is_enrolment_only_until_the_app);
/// `MFA_POLICY=required` (OWASP ASVS 5.0 V6.3.3; NIST SP 800-63B-4 AAL2): a password sign-in,
/// and a reset, of an account with no factor make an enrolment-only session: it may add an
/// app, and use nothing else; then the password and the app's code make a full session.
async fn under_a_required_policy_one_factor_is_enrolment_only_until_the_app(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.mfa_policy = partner_login_server::config::MfaPolicy::Required;
    })
    .await;
    let email = "amina@example.org";
    app.signed_up(email).await;
    let signed: Value = app.sign_in(email, PASSPHRASE).await.json().await.unwrap();
    assert_eq!(
        (&signed["aal"], &signed["factor_required"]),
        (&json!("aal1"), &json!(true))
    );
    assert_eq!(app.get("/sessions").await.status(), 403);
    // A reset of an account with no factor: enrolment-only too (1: sign-up code, 2: reset).
    let (flow, _) = app.verified_reset(email, 2).await;
    let reset = app
        .post(
            &format!("/password-reset/{flow}/complete"),
            json!({"password": PASSPHRASE, "password_confirmation": PASSPHRASE}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    let reset: Value = reset.json().await.unwrap();
    assert_eq!(reset["factor_required"], true);
    assert_eq!(app.get("/sessions").await.status(), 403);
    // It may enrol an app (and read its factors), not remove it.
    let (secret, confirmed_at) = enrolled(&app).await;
    assert_eq!(app.get("/account/factors").await.status(), 200);
    assert_eq!(app.delete("/authenticator-app").await.status(), 403);
    assert_eq!(app.delete("/session").await.status(), 204);
    second_step(&app, &app.client, email).await;
    let finished = finish(
        &app,
        &app.client,
        json!({"code": totp(&secret, confirmed_at + 1, 6)}),
    )
    .await;
    assert_eq!(finished.status(), 200);
    let finished: Value = finished.json().await.unwrap();
    assert_eq!(
        (&finished["aal"], &finished["factor_required"]),
        (&json!("aal2"), &json!(false))
    );
    assert_eq!(app.get("/sessions").await.status(), 200);
    let view: Value = app.get("/session").await.json().await.unwrap();
    assert_eq!(view["factor_required"], false);
}
