//! "Forgot your password?": the reset flow, its code rules, and what a reset does to sessions.

use crate::helpers::{
    client_at, problem, session_cookie, session_status, Backend, TestApp, PASSPHRASE,
};
use crate::on_both_databases;
use partner_login_server::domain::session::{self, WayIn};
use partner_login_server::storage;
use serde_json::{json, Value};
use std::time::Duration;

on_both_databases!(
    a_reset_signs_in_with_the_new_password_and_ends_other_sessions,
    an_unknown_email_gets_the_same_answers_and_no_mail,
    reset_codes_run_out_like_sign_up_codes,
    a_reset_lifts_a_lockout,
    a_reset_checks_the_new_password_and_the_verification,
    flows_of_one_kind_do_not_open_as_the_other,
    a_reset_accepts_an_invitation_for_the_same_address,
    a_reset_ends_the_session_the_browser_held,
    a_sign_in_in_flight_during_a_reset_makes_no_session,
    wrong_reset_codes_are_capped_per_address_across_flows,
    a_capped_owner_still_resets_through_the_emailed_link,
    an_attacker_cannot_use_up_the_owners_reset_emails,
);

const NEW_PASSPHRASE: &str = "copper heron valley 77";

async fn start(app: &TestApp, email: &str) -> Value {
    let response = app
        .post("/password-reset", json!({"email": email, "language": "en"}))
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn verify(app: &TestApp, flow: &str, code: &str) -> reqwest::Response {
    app.post(
        &format!("/password-reset/{flow}/verify"),
        json!({"code": code}),
    )
    .await
}

async fn complete(app: &TestApp, flow: &str, password: &str) -> reqwest::Response {
    app.post(
        &format!("/password-reset/{flow}/complete"),
        json!({"password": password, "password_confirmation": password}),
    )
    .await
}

async fn start_as(app: &TestApp, client: &reqwest::Client, email: &str) -> reqwest::Response {
    app.post_as(
        client,
        "/password-reset",
        json!({"email": email, "language": "en"}),
    )
    .await
}

/// A 6-digit code that is not `code`.
fn other_than(code: &str) -> &'static str {
    if code == "000000" {
        "111111"
    } else {
        "000000"
    }
}

/// From another client address, spends the address's whole cap of wrong reset codes: two flows
/// of five wrong codes each (the 5 tries a code allows). `first_mail` is the number of the
/// first of the two flows' emails to `email`, when it has an account (else nothing is mailed).
async fn exhaust_reset_codes(
    app: &TestApp,
    attacker: &reqwest::Client,
    email: &str,
    first_mail: Option<usize>,
) {
    for i in 0..2 {
        let started = start_as(app, attacker, email).await;
        assert_eq!(started.status(), 201);
        let flow = flow_id(&started.json().await.unwrap());
        let code = match first_mail {
            Some(n) => app.nth_mail(email, n + i).await.code(),
            None => String::new(),
        };
        for _ in 0..5 {
            let wrong = app
                .post_as(
                    attacker,
                    &format!("/password-reset/{flow}/verify"),
                    json!({"code": other_than(&code)}),
                )
                .await;
            assert_eq!(problem(wrong).await["code"], "code_wrong");
        }
    }
}

fn flow_id(view: &Value) -> String {
    view["flow_id"].as_str().unwrap().to_owned()
}

async fn a_reset_signs_in_with_the_new_password_and_ends_other_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("forgetful@example.org").await;
    // Signed in elsewhere (another browser).
    let elsewhere = TestApp::new_client();
    let response = app
        .post_as(
            &elsewhere,
            "/session",
            json!({"email": "forgetful@example.org", "password": PASSPHRASE}),
        )
        .await;
    let other_session = session_cookie(&response).unwrap();
    assert_eq!(session_status(&app, &other_session).await, 200);

    let view = start(&app, "forgetful@example.org").await;
    assert_eq!(view["state"], "code_sent");
    let mail = app.nth_mail("forgetful@example.org", 2).await;
    assert!(
        mail.subject.contains("password reset code"),
        "{}",
        mail.subject
    );
    let flow = flow_id(&view);
    let verified = verify(&app, &flow, &mail.code()).await;
    assert_eq!(verified.status(), 200);
    let verified: Value = verified.json().await.unwrap();
    assert_eq!(verified["state"], "verified");

    let done = complete(&app, &flow, NEW_PASSPHRASE).await;
    assert_eq!(done.status(), 200);
    let new_session = session_cookie(&done).expect("signed in by the reset");
    let who: Value = done.json().await.unwrap();
    assert_eq!(who["email"], "forgetful@example.org");
    assert_eq!(session_status(&app, &new_session).await, 200);
    assert_eq!(
        session_status(&app, &other_session).await,
        401,
        "a password change ends the account's other sessions"
    );

    let old = TestApp::new_client();
    let refused = app
        .post_as(
            &old,
            "/session",
            json!({"email": "forgetful@example.org", "password": PASSPHRASE}),
        )
        .await;
    assert_eq!(refused.status(), 401);
    let accepted = app
        .post_as(
            &old,
            "/session",
            json!({"email": "forgetful@example.org", "password": NEW_PASSPHRASE}),
        )
        .await;
    assert_eq!(accepted.status(), 200);
    // The flow is spent.
    assert_eq!(complete(&app, &flow, NEW_PASSPHRASE).await.status(), 410);
}

/// ASVS 5.0 V6.3.8: a reset for an address without an account answers exactly as for one with
/// an account, and mails nothing.
async fn an_unknown_email_gets_the_same_answers_and_no_mail(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("exists@example.org").await;
    let known = start(&app, "exists@example.org").await;
    let unknown = start(&app, "nobody@example.org").await;
    // The countdowns are read from the clock, so the two answers may straddle a second.
    let shape = |v: &Value| {
        let mut v = v.clone();
        v["flow_id"] = json!("…");
        v["email"] = json!("…");
        v["resend_after_seconds"] = json!("…");
        v["code_expires_in_seconds"] = json!("…");
        v
    };
    assert_eq!(shape(&known), shape(&unknown));
    for field in ["resend_after_seconds", "code_expires_in_seconds"] {
        let (k, u) = (
            known[field].as_i64().unwrap(),
            unknown[field].as_i64().unwrap(),
        );
        assert!((k - u).abs() <= 1, "{field}: {k} vs {u}");
    }
    assert_eq!(
        flow_id(&unknown).len(),
        flow_id(&known).len(),
        "the same kind of id"
    );
    let wrong_known = problem(verify(&app, &flow_id(&known), "000000").await).await;
    let wrong_unknown = problem(verify(&app, &flow_id(&unknown), "000000").await).await;
    assert_eq!(wrong_known, wrong_unknown);
    assert_eq!(wrong_unknown["code"], "code_wrong");

    // The known address got its code; by then the unknown one would have had its mail too.
    app.nth_mail("exists@example.org", 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let to_nobody = app
        .mail
        .messages()
        .await
        .iter()
        .filter(|m| m.to.iter().any(|t| t == "nobody@example.org"))
        .count();
    assert_eq!(
        to_nobody, 0,
        "nothing is sent to an address with no account"
    );
}

async fn reset_codes_run_out_like_sign_up_codes(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.resend_cooldown_seconds = 0).await;
    app.signed_up("guesser@example.org").await;
    let flow = flow_id(&start(&app, "guesser@example.org").await);
    let first = app.nth_mail("guesser@example.org", 2).await.code();
    let wrong = if first == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        assert_eq!(verify(&app, &flow, wrong).await.status(), 422);
    }
    let exhausted = problem(verify(&app, &flow, &first).await).await;
    assert_eq!(
        exhausted["code"], "code_exhausted",
        "5 wrong tries burn a code"
    );

    let resent = app
        .post(&format!("/password-reset/{flow}/code"), json!({}))
        .await;
    assert_eq!(resent.status(), 200);
    let second = app.nth_mail("guesser@example.org", 3).await.code();
    let wrong = if second == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        assert_eq!(verify(&app, &flow, wrong).await.status(), 422);
    }
    let resent = app
        .post(&format!("/password-reset/{flow}/code"), json!({}))
        .await;
    assert_eq!(resent.status(), 200);
    // Those 10 wrong codes are also the address's cap across flows
    // (`MAX_WRONG_RESET_CODES`): the new email carries a link, not a code.
    let third = app.nth_mail("guesser@example.org", 4).await;
    assert!(third.subject.contains("reset link"), "{}", third.subject);
    let dead = problem(verify(&app, &flow, &second).await).await;
    assert_eq!(
        dead["code"], "code_exhausted",
        "10 wrong tries end the flow, even for a fresh code"
    );
}

async fn a_reset_lifts_a_lockout(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("lockedout@example.org").await;
    for i in 1..=10 {
        app.sign_in("lockedout@example.org", &format!("guess {i}"))
            .await;
    }
    assert_eq!(
        app.sign_in("lockedout@example.org", PASSPHRASE)
            .await
            .status(),
        429
    );
    let flow = flow_id(&start(&app, "lockedout@example.org").await);
    let code = app.nth_mail("lockedout@example.org", 2).await.code();
    assert_eq!(verify(&app, &flow, &code).await.status(), 200);
    assert_eq!(complete(&app, &flow, NEW_PASSPHRASE).await.status(), 200);
    assert_eq!(app.delete("/session").await.status(), 204);
    assert_eq!(
        app.sign_in("lockedout@example.org", NEW_PASSPHRASE)
            .await
            .status(),
        200
    );
}

async fn a_reset_checks_the_new_password_and_the_verification(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("careful@example.org").await;
    let flow = flow_id(&start(&app, "careful@example.org").await);
    let early = problem(complete(&app, &flow, NEW_PASSPHRASE).await).await;
    assert_eq!(early["code"], "flow_not_verified");

    let code = app.nth_mail("careful@example.org", 2).await.code();
    verify(&app, &flow, &code).await;
    let weak = problem(complete(&app, &flow, "password1").await).await;
    assert_eq!(weak["code"], "validation_failed");
    assert_eq!(weak["errors"][0]["field"], "password");
    assert_eq!(weak["errors"][0]["code"], "password_too_common");
    let mismatch = app
        .post(
            &format!("/password-reset/{flow}/complete"),
            json!({"password": NEW_PASSPHRASE, "password_confirmation": "something else 1"}),
        )
        .await;
    let mismatch = problem(mismatch).await;
    assert_eq!(mismatch["errors"][0]["field"], "password_confirmation");
    // The flow survives bad input.
    assert_eq!(complete(&app, &flow, NEW_PASSPHRASE).await.status(), 200);
}

async fn flows_of_one_kind_do_not_open_as_the_other(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let signup = app.start_signup("newcomer@example.org", None).await;
    let reset = app.get(&format!("/password-reset/{signup}")).await;
    assert_eq!(problem(reset).await["code"], "flow_not_found");
    app.signed_up("resetter@example.org").await;
    let flow = flow_id(&start(&app, "resetter@example.org").await);
    let as_signup = app.get(&format!("/signup/{flow}")).await;
    assert_eq!(problem(as_signup).await["code"], "flow_not_found");
}

async fn a_reset_accepts_an_invitation_for_the_same_address(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("invited@example.org").await;
    let token = app.invite("invited@example.org", "Sahel Water Trust").await;
    let response = app
        .post(
            "/password-reset",
            json!({"email": "invited@example.org", "invitation": token}),
        )
        .await;
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["invitation"]["organization"], "Sahel Water Trust");
    let flow = flow_id(&view);
    let code = app.nth_mail("invited@example.org", 3).await.code();
    verify(&app, &flow, &code).await;
    let done = complete(&app, &flow, NEW_PASSPHRASE).await;
    let who: Value = done.json().await.unwrap();
    assert_eq!(who["organizations"][0]["organization"], "Sahel Water Trust");
}

/// OWASP ASVS 5.0 V7.2.4: completing a reset starts a new session, and the one the browser held
/// (here, another account's, which the reset's ending of its own account's sessions misses)
/// ends on the server, as a password sign-in does.
async fn a_reset_ends_the_session_the_browser_held(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("holder@example.org").await;
    app.signed_up("resetting@example.org").await;
    let held = session_cookie(&app.sign_in("holder@example.org", PASSPHRASE).await).unwrap();
    assert_eq!(session_status(&app, &held).await, 200);

    let flow = flow_id(&start(&app, "resetting@example.org").await);
    let code = app.nth_mail("resetting@example.org", 2).await.code();
    assert_eq!(verify(&app, &flow, &code).await.status(), 200);
    let done = complete(&app, &flow, NEW_PASSPHRASE).await;
    assert_eq!(done.status(), 200);
    let new = session_cookie(&done).expect("signed in by the reset");
    assert_eq!(session_status(&app, &new).await, 200);
    assert_eq!(
        session_status(&app, &held).await,
        401,
        "the session held before the reset ended on the server"
    );
}

/// Issue 19, defect 5 (OWASP ASVS 5.0 V7.4.3): a sign-in that verified the old password before
/// a reset, and creates its session after the reset ended the account's sessions, must not get
/// in. The race is driven deterministically through the domain functions `domain::sign_in`
/// runs, in its order, on the app's real database: the account read (with the credential
/// version) and the password verified; then the reset completes over HTTP; then the session
/// is created with what the sign-in read. Neither the API nor the OpenID Provider honours it.
async fn a_sign_in_in_flight_during_a_reset_makes_no_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("racing@example.org").await;
    let state = &app.state;
    let account = storage::accounts::by_email(&state.db, "racing@example.org")
        .await
        .unwrap()
        .unwrap();
    let verified = state
        .passwords
        .verify(PASSPHRASE.to_owned(), Some(account.password_hash.clone()))
        .await
        .unwrap();
    assert!(verified.ok, "the old password, verified before the reset");

    let (flow, _) = app.verified_reset("racing@example.org", 2).await;
    assert_eq!(complete(&app, &flow, NEW_PASSPHRASE).await.status(), 200);

    let mut tx = state.db.begin().await.unwrap();
    let late = session::start(
        state,
        &mut tx,
        None,
        &account.id,
        account.credential_version,
        WayIn::Password,
        storage::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        session_status(&app, &late.id).await,
        401,
        "a session of a sign-in in flight during the reset is not honoured"
    );
    let live = session::live(state, Some(&late.id)).await.unwrap();
    assert!(live.is_none(), "nor by the OpenID Provider");
    // The reset's own session, made with the new credential, is.
    let current = storage::accounts::by_email(&state.db, "racing@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.credential_version, account.credential_version + 1);
}

/// Issue 19, defect 4 (NIST SP 800-63B-4 §3.2.2): wrong reset codes are capped per address
/// across flows (10, `domain::email_code::MAX_WRONG_RESET_CODES`), counted in the database:
/// past the cap, no code is compared, in a fresh flow too, and even the right code of a flow
/// started before is refused (`reset_link_required`).
async fn wrong_reset_codes_are_capped_per_address_across_flows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("target@example.org").await;
    let owners = flow_id(&start(&app, "target@example.org").await);
    let owners_code = app.nth_mail("target@example.org", 2).await.code();
    let attacker = client_at(2);
    exhaust_reset_codes(&app, &attacker, "target@example.org", Some(3)).await;

    let fresh = start_as(&app, &attacker, "target@example.org").await;
    let fresh = flow_id(&fresh.json().await.unwrap());
    for code in ["000000", "123456", &owners_code] {
        let refused = app
            .post_as(
                &attacker,
                &format!("/password-reset/{fresh}/verify"),
                json!({"code": code}),
            )
            .await;
        assert_eq!(refused.status(), 403);
        assert_eq!(problem(refused).await["code"], "reset_link_required");
    }
    let right = problem(verify(&app, &owners, &owners_code).await).await;
    assert_eq!(
        right["code"], "reset_link_required",
        "past the cap no code is compared, the right one included"
    );
    // Counted durably: in the database, whichever instance took the tries.
    assert_eq!(
        app.count("SELECT failures FROM reset_code_failures WHERE email = 'target@example.org'")
            .await,
        10,
        "counted per address, across flows, in the database"
    );
    // An address without an account answers the same (ASVS 5.0 V6.3.8).
    exhaust_reset_codes(&app, &attacker, "nobody@example.org", None).await;
    let unknown = start_as(&app, &attacker, "nobody@example.org").await;
    let unknown = flow_id(&unknown.json().await.unwrap());
    let refused = app
        .post_as(
            &attacker,
            &format!("/password-reset/{unknown}/verify"),
            json!({"code": "000000"}),
        )
        .await;
    assert_eq!(problem(refused).await, right);
}

/// Issue 19, defect 4: a malicious lockout is not permanent. Past the cap, the owner's reset
/// email carries a one-time link instead of a code; opening it verifies the flow as the code
/// would, under a new flow id (the id the flow was started with, which an attacker may hold,
/// no longer opens it), and the owner sets a new password; the count starts again.
async fn a_capped_owner_still_resets_through_the_emailed_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("owner@example.org").await;
    exhaust_reset_codes(&app, &client_at(2), "owner@example.org", Some(2)).await;

    let started = start(&app, "owner@example.org").await;
    let first_id = flow_id(&started);
    let mail = app.nth_mail("owner@example.org", 4).await;
    assert!(mail.subject.contains("reset link"), "{}", mail.subject);
    assert!(
        !mail.text.contains("Your code is"),
        "no code in a link email"
    );
    let link = mail.link();
    let (page, token) = link
        .split_once('#')
        .expect("the token rides in the fragment");
    assert_eq!(page, format!("{}/forgot", app.url));
    assert!(token.len() >= 32, "a 128-bit or longer token");

    let opened = app
        .post("/password-reset/link", json!({"token": token}))
        .await;
    assert_eq!(opened.status(), 200);
    let opened: Value = opened.json().await.unwrap();
    assert_eq!(opened["state"], "verified");
    assert_eq!(opened["email"], "owner@example.org");
    let flow = flow_id(&opened);
    assert_ne!(flow, first_id, "a new flow id");
    let old = app.get(&format!("/password-reset/{first_id}")).await;
    assert_eq!(problem(old).await["code"], "flow_not_found");
    let again = app
        .post("/password-reset/link", json!({"token": token}))
        .await;
    assert_eq!(
        problem(again).await["code"],
        "flow_expired",
        "a link works once"
    );

    let done = complete(&app, &flow, NEW_PASSPHRASE).await;
    assert_eq!(done.status(), 200);
    assert!(session_cookie(&done).is_some(), "signed in by the reset");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reset_code_failures").await,
        0,
        "the proven mailbox cleared the count"
    );
    // The owner is told (the 5th email), and codes work again for the address (the 6th).
    let notice = app.nth_mail("owner@example.org", 5).await;
    assert!(
        notice.subject.contains("password was changed"),
        "{}",
        notice.subject
    );
    let (_, _) = app.verified_reset("owner@example.org", 6).await;
}

/// Issue 19, defect 4: an attacker elsewhere cannot use up the sends of the owner's address.
/// Sends to one address from one client address are capped (5 an hour), and the address's
/// total (10 an hour) never refuses a client address's first send in the hour: after two
/// attackers took every send they could, the owner still gets a reset email.
async fn an_attacker_cannot_use_up_the_owners_reset_emails(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("busy@example.org").await;
    // An hour later: the sign-up's own send no longer counts.
    app.exec("DELETE FROM rate_events").await;
    for attacker in [client_at(2), client_at(3)] {
        let mut sent = 0;
        loop {
            let response = start_as(&app, &attacker, "busy@example.org").await;
            if response.status() == 429 {
                assert_eq!(problem(response).await["code"], "rate_limited");
                break;
            }
            assert_eq!(response.status(), 201);
            sent += 1;
            assert!(sent <= 10, "sends from one client address are capped");
        }
        assert_eq!(sent, 5, "5 an hour from one client address");
    }
    app.nth_mail("busy@example.org", 11).await;
    let owners = start(&app, "busy@example.org").await;
    let mail = app.nth_mail("busy@example.org", 12).await;
    assert_eq!(
        verify(&app, &flow_id(&owners), &mail.code()).await.status(),
        200
    );
    // A third attacker address gets its one send, and no more: the address's total holds.
    let third = client_at(4);
    assert_eq!(
        start_as(&app, &third, "busy@example.org").await.status(),
        201
    );
    assert_eq!(
        start_as(&app, &third, "busy@example.org").await.status(),
        429
    );
}
