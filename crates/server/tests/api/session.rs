use crate::helpers::{problem, Backend, TestApp, PASSPHRASE};
use crate::on_both_databases;
use serde_json::json;

on_both_databases!(
    sign_in_answers_the_same_for_unknown_email_and_wrong_password,
    sign_in_accepts_an_invitation_for_the_same_email
);

async fn signed_up(app: &TestApp, email: &str) {
    let flow = app.start_signup(email, None).await;
    let code = app.nth_mail(email, 1).await.code();
    app.verify(&flow, &code).await;
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
    assert_eq!(app.delete("/session").await.status(), 204);
}

async fn sign_in_answers_the_same_for_unknown_email_and_wrong_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    signed_up(&app, "known@example.org").await;
    let wrong = app
        .post(
            "/session",
            json!({"email": "known@example.org", "password": "not the password"}),
        )
        .await;
    let unknown = app
        .post(
            "/session",
            json!({"email": "nobody@example.org", "password": "not the password"}),
        )
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let (wrong, unknown) = (problem(wrong).await, problem(unknown).await);
    assert_eq!(wrong, unknown, "no account enumeration by message");
    assert_eq!(wrong["code"], "invalid_credentials");

    let ok = app
        .post(
            "/session",
            json!({"email": "Known@example.org", "password": PASSPHRASE}),
        )
        .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(app.get("/session").await.status(), 200);
}

async fn sign_in_accepts_an_invitation_for_the_same_email(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    signed_up(&app, "member@example.org").await;
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
