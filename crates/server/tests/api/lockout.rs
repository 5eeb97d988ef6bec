//! The cap on consecutive failed sign-ins (NIST SP 800-63B-4 §3.2.2: "no more than 100"): the
//! 100th consecutive failure locks the address until a password reset, with no expiry.
//! The time-based lockouts and the hourly cap are in `session.rs`.

use crate::helpers::{problem, retry_after, Backend, TestApp, PASSPHRASE};
use crate::on_both_databases;
use serde_json::json;

on_both_databases!(the_hundredth_consecutive_failure_locks_until_a_password_reset);

const NEW_PASSPHRASE: &str = "copper heron valley 77";

/// Resets `email`'s password to [`NEW_PASSPHRASE`] (its `n`-th mail is the code), then signs
/// out.
async fn reset_password(app: &TestApp, email: &str, n: usize) {
    let (flow, _) = app.verified_reset(email, n).await;
    let done = app
        .post(
            &format!("/password-reset/{flow}/complete"),
            json!({"password": NEW_PASSPHRASE, "password_confirmation": NEW_PASSPHRASE}),
        )
        .await;
    assert_eq!(done.status(), 200);
    assert_eq!(app.delete("/session").await.status(), 204);
}

/// An address with an account and one without reach 99 consecutive failures (simulated: the
/// time-based lockouts make 99 real ones take days), with no lockout in force and few failures
/// this hour, so that neither the time-based lockout nor the hourly cap is what refuses. The
/// 100th failure locks both alike; when every time-based lock is over, even the right password
/// is refused, and only a password reset lifts it.
async fn the_hundredth_consecutive_failure_locks_until_a_password_reset(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let known = "hammered@example.org";
    let unknown = "nobody.here@example.org";
    app.signed_up(known).await;
    let mut hundredths = Vec::new();
    for email in [known, unknown] {
        assert_eq!(app.sign_in(email, "guess 1").await.status(), 401);
        app.exec(&format!(
            "UPDATE sign_in_guards SET failures = 99, lockouts = 90, locked_until = 0,
                window_failures = 1 WHERE email = '{email}'"
        ))
        .await;
        let hundredth = app.sign_in(email, "guess 100").await;
        assert_eq!(hundredth.status(), 429, "{email}");
        let wait = retry_after(&hundredth);
        hundredths.push(problem(hundredth).await);
        assert_eq!(hundredths.last().unwrap()["code"], "account_locked");
        assert_eq!(wait, 5 * 3600, "{email}: the longest wait there is");
    }
    assert_eq!(hundredths[0], hundredths[1], "no enumeration by the cap");

    // Every time-based lock is over, and the hour too.
    app.exec("UPDATE sign_in_guards SET locked_until = 0, window_start = 0, window_failures = 0")
        .await;
    let refused = app.sign_in(known, PASSPHRASE).await;
    assert_eq!(refused.status(), 429, "the right password is refused too");
    assert_eq!(problem(refused).await, hundredths[0]);
    let unknown_refused = problem(app.sign_in(unknown, "guess 101").await).await;
    assert_eq!(unknown_refused, hundredths[0], "an unknown address alike");
    // The purge leaves a lock in force alone, however old.
    partner_login_server::storage::rate_events::purge_before(
        &app.state.db,
        partner_login_server::storage::now() + 86_400,
    )
    .await
    .unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sign_in_guards WHERE failures >= 100")
            .await,
        2,
        "both locks survive the purge"
    );

    // The reset's code mail is the account's second (the first was the sign-up's).
    reset_password(&app, known, 2).await;
    assert_eq!(app.sign_in(known, NEW_PASSPHRASE).await.status(), 200);
}
