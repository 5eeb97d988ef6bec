//! Anti-automation limits per client address (OWASP ASVS 5.0 V2.4.1): each answers
//! `429 rate_limited` with a `Retry-After` no longer than the hour, and counters older than a
//! day are purged, as are email-code flows a day past their expiry and stale lockout guards, so that
//! no table grows for ever.

use crate::helpers::{problem, retry_after, Backend, TestApp, ADMIN_TOKEN};
use crate::on_both_databases;
use partner_login_server::config::SocialProvider;
use serde_json::json;

on_both_databases!(
    wrong_admin_tokens_lock_the_client_out_of_the_admin_api,
    invitations_per_client_are_capped,
    social_starts_per_client_are_capped,
    code_checks_per_client_are_capped_across_flows,
    counters_older_than_a_day_are_purged,
    sessions_past_their_timeouts_are_purged
);

async fn invite_with(app: &TestApp, token: &str, email: &str) -> reqwest::Response {
    app.client
        .post(app.api("/admin/invitations"))
        .bearer_auth(token)
        .json(&json!({"email": email, "organization": "Sahel Relief Network"}))
        .send()
        .await
        .unwrap()
}

/// Asserts a 429 `rate_limited` whose Retry-After is within the hour.
async fn assert_limited(response: reqwest::Response) {
    assert_eq!(response.status(), 429);
    let retry = retry_after(&response);
    assert!((1..=3600).contains(&retry), "Retry-After {retry}");
    assert_eq!(problem(response).await["code"], "rate_limited");
}

async fn wrong_admin_tokens_lock_the_client_out_of_the_admin_api(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.admin_refusals_per_client_hour = 3).await;
    for i in 0..3 {
        let response = invite_with(&app, "guessed-token", &format!("g{i}@example.org")).await;
        assert_eq!(response.status(), 403);
    }
    // The fourth try is refused before the token is even compared, the right token included.
    assert_limited(invite_with(&app, "guessed-token", "g4@example.org").await).await;
    assert_limited(invite_with(&app, ADMIN_TOKEN, "real@example.org").await).await;
    assert!(
        crate::mail::nothing_mailed(&app).await,
        "no invitation went out"
    );
}

async fn invitations_per_client_are_capped(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.invitations_per_client_hour = 2).await;
    for i in 0..2 {
        let response = invite_with(&app, ADMIN_TOKEN, &format!("p{i}@example.org")).await;
        assert_eq!(response.status(), 201);
    }
    assert_limited(invite_with(&app, ADMIN_TOKEN, "p3@example.org").await).await;
    // Mail is sent off the request path: the third is neither queued nor sent.
    app.nth_mail("p1@example.org", 1).await;
    app.nth_mail("p0@example.org", 1).await;
    let queued = "SELECT COUNT(*) FROM mail_queue WHERE recipient = 'p3@example.org'";
    assert_eq!(app.count(queued).await, 0);
    assert_eq!(
        app.mail.messages().await.len(),
        2,
        "the third was not mailed"
    );
}

async fn social_starts_per_client_are_capped(backend: Backend) {
    // A provider nobody answers for: the start is counted before the provider is called.
    let provider = SocialProvider::from_vars("unicef", |name| match name {
        "OIDC_UNICEF_ISSUER" => Some("http://127.0.0.1:9/".into()),
        "OIDC_UNICEF_CLIENT_ID" => Some("partner-login".into()),
        "OIDC_UNICEF_CLIENT_SECRET" => Some("a-client-secret".into()),
        _ => None,
    })
    .unwrap();
    let app = TestApp::spawn_with(backend, |c| {
        c.social = vec![provider];
        c.social_starts_per_client_hour = 2;
    })
    .await;
    for _ in 0..2 {
        let response = app.post("/social/unicef/start", json!({})).await;
        assert_eq!(response.status(), 503, "the provider cannot be reached");
    }
    assert_limited(app.post("/social/unicef/start", json!({})).await).await;
}

async fn counters_older_than_a_day_are_purged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let now = partner_login_server::storage::now();
    let db = &app.state.db;
    use partner_login_server::storage::rate_events;
    rate_events::record(db, "invitation", "192.0.2.1", now - 90_000, "test")
        .await
        .unwrap();
    rate_events::record(db, "invitation", "192.0.2.1", now - 10, "test")
        .await
        .unwrap();
    // Code sends and failed sign-ins are counted by the same limiter, in the same table.
    rate_events::record(db, "code_send", "192.0.2.1", now - 90_000, "test")
        .await
        .unwrap();
    rate_events::record(db, "sign_in_failure", "192.0.2.1", now - 90_000, "test")
        .await
        .unwrap();
    // Email-code flows (ASVS 5.0 V2.4.1): a day past their expiry they go, finished or not.
    for (id, expires_at, completed_at) in [
        ("expired-long-ago", now - 90_000, "NULL".to_owned()),
        (
            "completed-long-ago",
            now - 90_000,
            (now - 92_000).to_string(),
        ),
        ("expired-an-hour-ago", now - 3600, "NULL".to_owned()),
        ("live", now + 3000, "NULL".to_owned()),
    ] {
        app.exec(&format!(
            "INSERT INTO email_code_flows (id_hash, email, account_exists, code_sent_at,
                code_expires_at, code_wrong_tries, flow_wrong_tries, completed_at, created_at,
                expires_at, kind)
             VALUES ('{id}', 'a@example.org', 0, {sent}, {sent}, 0, 0, {completed_at}, {sent},
                {expires_at}, 'signup')",
            sent = expires_at - 3600,
        ))
        .await;
    }
    // Lockout guards: one with no failure and no lock for over a day goes; a lock in force, a
    // lock over less than a day ago, a recent failure and a lock until a password reset stay.
    for (email, failures, locked_until, window_start) in [
        ("stale@example.org", 12, now - 90_000, now - 100_000),
        ("locked@example.org", 40, now + 3600, now - 100_000),
        ("lately-locked@example.org", 30, now - 3600, now - 100_000),
        ("recent@example.org", 3, 0, now - 600),
        ("until-reset@example.org", 100, now - 90_000, now - 100_000),
    ] {
        app.exec(&format!(
            "INSERT INTO sign_in_guards (email, failures, lockouts, locked_until, recent_wrong,
                window_start, window_failures, version)
             VALUES ('{email}', {failures}, 1, {locked_until}, '', {window_start}, 1, 0)"
        ))
        .await;
    }
    let deleted = rate_events::purge_before(db, now - 86_400).await.unwrap();
    assert_eq!(
        deleted, 6,
        "the three day-old counters, two flows and one guard"
    );
    let (left, _) = rate_events::count_since(db, "invitation", "192.0.2.1", 0)
        .await
        .unwrap();
    assert_eq!(left, 1, "the recent event stays");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM email_code_flows WHERE id_hash IN ('expired-an-hour-ago', 'live')"
        )
        .await,
        2,
        "recent and live flows stay"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM email_code_flows").await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sign_in_guards WHERE email = 'stale@example.org'")
            .await,
        0,
        "the stale guard went"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sign_in_guards").await,
        4,
        "every guard with a lock in force or a recent failure stays"
    );
}

/// ASVS 5.0 V7.3.1, V7.3.2: the periodic purge deletes the sessions past either timeout (they
/// are refused when presented anyway), and only those. (A sign-in no longer scans every session
/// for them: issue 21.)
async fn sessions_past_their_timeouts_are_purged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("amina@example.org").await;
    let now = partner_login_server::storage::now();
    let (idle, absolute) = (
        app.state.config.session_idle_minutes * 60,
        app.state.config.session_absolute_hours * 3600,
    );
    for (id, created_at, last_seen_at) in [
        ("idle", now - idle - 60, now - idle - 1),
        ("too-old", now - absolute - 1, now - 10),
        ("live", now - absolute + 60, now - idle + 60),
    ] {
        app.exec(&format!(
            "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at)
             SELECT '{id}', id, {created_at}, {last_seen_at} FROM accounts
             WHERE email = 'amina@example.org'"
        ))
        .await;
    }
    let before = app.count("SELECT COUNT(*) FROM sessions").await;
    partner_login_server::domain::limits::purge(&app.state.db, idle, absolute, now).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE id_hash IN ('idle', 'too-old')")
            .await,
        0,
        "both timeouts purge"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions").await,
        before - 2,
        "the live session and the sign-up's stay"
    );
}

/// Each code allows 5 wrong tries; an address with many flows is capped across them.
async fn code_checks_per_client_are_capped_across_flows(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.code_checks_per_client_hour = 3).await;
    for (i, email) in ["a@example.org", "b@example.org", "c@example.org"]
        .iter()
        .enumerate()
    {
        let flow = app.start_signup(email, None).await;
        let response = app.verify(&flow, "000000").await;
        assert_eq!(response.status(), 422, "check {i} is compared");
    }
    let flow = app.start_signup("d@example.org", None).await;
    let code = app.nth_mail("d@example.org", 1).await.code();
    assert_limited(app.verify(&flow, &code).await).await;
}
