use crate::helpers::{
    client_at, problem, retry_after, session_cookie, session_status, Backend, TestApp, PASSPHRASE,
};
use crate::on_both_databases;
use serde_json::json;

on_both_databases!(
    invited_person_signs_up_and_is_signed_in,
    bad_email_is_a_field_error,
    wrong_codes_are_counted_and_exhaust,
    a_new_code_does_not_reset_the_flow_count,
    expired_code_says_so,
    resend_waits_for_its_cooldown,
    codes_per_email_are_capped,
    codes_per_client_address_are_capped_as_configured,
    create_reports_every_field_error,
    an_existing_account_gets_the_same_answer_and_a_note,
    a_double_click_on_create_makes_one_account,
    creating_an_account_ends_the_session_the_browser_held,
);

async fn invited_person_signs_up_and_is_signed_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app
        .invite("amina@example.org", "Sahel Relief Network")
        .await;
    let started = app
        .post(
            "/signup",
            json!({"email": " Amina@Example.org ", "invitation": token}),
        )
        .await;
    assert_eq!(started.status(), 201);
    let view: serde_json::Value = started.json().await.unwrap();
    assert_eq!(view["state"], "code_sent");
    assert_eq!(view["email"], "amina@example.org");
    assert_eq!(view["invitation"]["organization"], "Sahel Relief Network");
    assert!(view["resend_after_seconds"].as_u64().unwrap() > 25);
    let flow = view["flow_id"].as_str().unwrap();

    let mail = app.nth_mail("amina@example.org", 2).await;
    let code = mail.code();
    assert!(mail.subject.contains(&code), "the subject carries the code");
    assert!(mail.text.contains(&format!("Your code is: {code}")));

    // The flow resumes after a reload.
    let shown: serde_json::Value = app
        .get(&format!("/signup/{flow}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["state"], "code_sent");

    let verified = app
        .verify(flow, &format!("{} {}", &code[..3], &code[3..]))
        .await;
    assert_eq!(
        verified.status(),
        200,
        "a pasted code with a space is accepted"
    );
    let verified: serde_json::Value = verified.json().await.unwrap();
    assert_eq!(verified["state"], "verified");

    let created = app.complete(flow, PASSPHRASE).await;
    assert_eq!(created.status(), 201);
    let cookie = created.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let session: serde_json::Value = app.get("/session").await.json().await.unwrap();
    assert_eq!(session["display_name"], "Amina D.");
    assert_eq!(
        session["organizations"][0]["organization"],
        "Sahel Relief Network"
    );

    // The password is stored as an argon2id hash, never in clear.
    let row: (String,) = sqlx::query_as("SELECT password_hash FROM accounts")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(row.0.starts_with("$argon2id$"));
    // The code is stored hashed and burnt once used.
    let stored: (Option<String>,) = sqlx::query_as("SELECT code_hash FROM email_code_flows")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored.0, None);

    assert_eq!(app.delete("/session").await.status(), 204);
    let after = app.get("/session").await;
    assert_eq!(after.status(), 401);
    assert_eq!(problem(after).await["code"], "unauthenticated");
}

async fn bad_email_is_a_field_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app
        .post("/signup", json!({"email": "not an address"}))
        .await;
    assert_eq!(response.status(), 422);
    let body = problem(response).await;
    assert_eq!(body["errors"][0]["field"], "email");
    assert_eq!(body["errors"][0]["code"], "email_invalid");
}

async fn wrong_codes_are_counted_and_exhaust(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let flow = app.start_signup("guess@example.org", None).await;
    let code = app.nth_mail("guess@example.org", 1).await.code();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let response = app.verify(&flow, wrong).await;
        assert_eq!(response.status(), 422);
        assert_eq!(problem(response).await["code"], "code_wrong");
    }
    // Five wrong tries: even the right code is refused now; a new code is needed.
    let response = app.verify(&flow, &code).await;
    assert_eq!(response.status(), 429);
    assert_eq!(problem(response).await["code"], "code_exhausted");
    let format = app.verify(&flow, "12345").await;
    assert_eq!(problem(format).await["code"], "code_format");
}

async fn a_new_code_does_not_reset_the_flow_count(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.resend_cooldown_seconds = 0).await;
    let email = "again@example.org";
    let flow = app.start_signup(email, None).await;
    for round in 1..=2 {
        let code = app.nth_mail(email, round).await.code();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            assert_eq!(app.verify(&flow, wrong).await.status(), 422);
        }
        let resent = app.post(&format!("/signup/{flow}/code"), json!({})).await;
        assert_eq!(resent.status(), 200);
    }
    // Ten wrong tries in all: the flow is spent, whatever new code arrives.
    let code = app.nth_mail(email, 3).await.code();
    let response = app.verify(&flow, &code).await;
    assert_eq!(problem(response).await["code"], "code_exhausted");
}

async fn expired_code_says_so(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let flow = app.start_signup("slow@example.org", None).await;
    let code = app.nth_mail("slow@example.org", 1).await.code();
    app.exec("UPDATE email_code_flows SET code_expires_at = 0")
        .await;
    let response = app.verify(&flow, &code).await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["code"], "code_expired");
}

async fn resend_waits_for_its_cooldown(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let flow = app.start_signup("hurry@example.org", None).await;
    let response = app.post(&format!("/signup/{flow}/code"), json!({})).await;
    assert_eq!(response.status(), 429);
    let retry = retry_after(&response);
    assert!((1..=30).contains(&retry), "{retry}");
    let body = problem(response).await;
    assert_eq!(body["code"], "resend_cooldown");
    assert_eq!(body["retry_after"], retry);
    // Past the cooldown, a new code comes and the old one stops working.
    let old = app.nth_mail("hurry@example.org", 1).await.code();
    app.exec("UPDATE email_code_flows SET code_sent_at = code_sent_at - 31")
        .await;
    assert_eq!(
        app.post(&format!("/signup/{flow}/code"), json!({}))
            .await
            .status(),
        200
    );
    let new = app.nth_mail("hurry@example.org", 2).await.code();
    if old != new {
        assert_eq!(app.verify(&flow, &old).await.status(), 422);
    }
    assert_eq!(app.verify(&flow, &new).await.status(), 200);
}

/// Codes to one address: 5 an hour from one client address, 10 an hour in all, except each
/// client address's first in the hour (ASVS 5.0 V2.4.1; so that nobody elsewhere can use up
/// the owner's sends, `password_reset::an_attacker_cannot_use_up_the_owners_reset_emails`).
async fn codes_per_email_are_capped(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = json!({"email": "flood@example.org"});
    for _ in 0..5 {
        app.start_signup("flood@example.org", None).await;
    }
    let response = app.post("/signup", body.clone()).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(problem(response).await["code"], "rate_limited");
    let elsewhere = client_at(2);
    for _ in 0..5 {
        let response = app.post_as(&elsewhere, "/signup", body.clone()).await;
        assert_eq!(response.status(), 201);
    }
    let third = client_at(3);
    let first = app.post_as(&third, "/signup", body.clone()).await;
    assert_eq!(first.status(), 201, "a client address's first send");
    let over = app.post_as(&third, "/signup", body).await;
    assert_eq!(problem(over).await["code"], "rate_limited", "10 in all");
}

async fn codes_per_client_address_are_capped_as_configured(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.code_sends_per_client_hour = 3).await;
    for n in 0..3 {
        app.start_signup(&format!("office{n}@example.org"), None)
            .await;
    }
    let response = app
        .post("/signup", json!({"email": "office3@example.org"}))
        .await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(problem(response).await["code"], "rate_limited");
}

async fn create_reports_every_field_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let flow = app.start_signup("fields@example.org", None).await;
    let not_yet = app.complete(&flow, PASSPHRASE).await;
    assert_eq!(problem(not_yet).await["code"], "flow_not_verified");
    let code = app.nth_mail("fields@example.org", 1).await.code();
    assert_eq!(app.verify(&flow, &code).await.status(), 200);

    let response = app
        .post(
            &format!("/signup/{flow}/complete"),
            json!({"password": "short", "password_confirmation": "other",
                   "display_name": " ", "given_name": "x".repeat(65), "surname": ""}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let errors = problem(response).await["errors"].clone();
    let pairs: Vec<(String, String)> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().into(),
                e["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    for expected in [
        ("password", "too_short"),
        ("password_confirmation", "password_mismatch"),
        ("display_name", "required"),
        ("given_name", "too_long"),
        ("surname", "required"),
    ] {
        assert!(
            pairs.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {pairs:?}"
        );
    }
    let common = app.complete(&flow, "Password123").await;
    let body = problem(common).await;
    assert_eq!(body["errors"][0]["code"], "password_too_common");
    // Nothing was created by the refused attempts; the right one still works.
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
}

async fn an_existing_account_gets_the_same_answer_and_a_note(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "twice@example.org";
    let flow = app.start_signup(email, None).await;
    let code = app.nth_mail(email, 1).await.code();
    app.verify(&flow, &code).await;
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);

    let again = app.post("/signup", json!({"email": email})).await;
    assert_eq!(again.status(), 201, "same answer as for a new address");
    let view: serde_json::Value = again.json().await.unwrap();
    assert_eq!(view["state"], "code_sent");
    let note = app.nth_mail(email, 2).await;
    assert!(note.subject.contains("already have"), "{}", note.subject);
    assert!(!note.text.contains("Your code is"));
}

async fn a_double_click_on_create_makes_one_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let flow = app.start_signup("double@example.org", None).await;
    let code = app.nth_mail("double@example.org", 1).await.code();
    assert_eq!(app.verify(&flow, &code).await.status(), 200);
    let (a, b) = tokio::join!(
        app.complete(&flow, PASSPHRASE),
        app.complete(&flow, PASSPHRASE)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(count.0, 1);
}

/// OWASP ASVS 5.0 V7.2.4: "Create" starts a new session, and the one the browser held (here,
/// another account's) ends on the server, as a password sign-in does.
async fn creating_an_account_ends_the_session_the_browser_held(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("first@example.org").await;
    let held = session_cookie(&app.sign_in("first@example.org", PASSPHRASE).await).unwrap();
    assert_eq!(session_status(&app, &held).await, 200);

    let flow = app.start_signup("second@example.org", None).await;
    let code = app.nth_mail("second@example.org", 1).await.code();
    assert_eq!(app.verify(&flow, &code).await.status(), 200);
    let created = app.complete(&flow, PASSPHRASE).await;
    assert_eq!(created.status(), 201);
    let new = session_cookie(&created).expect("signed in as the new account");
    assert_ne!(new, held);
    assert_eq!(session_status(&app, &new).await, 200);
    assert_eq!(
        session_status(&app, &held).await,
        401,
        "the session held before \"Create\" ended on the server"
    );
}
