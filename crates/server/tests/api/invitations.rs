use crate::helpers::{problem, Backend, TestApp, ADMIN_TOKEN, PASSPHRASE};
use crate::on_both_databases;
use serde_json::json;

on_both_databases!(
    admin_invites_and_the_invitation_can_be_viewed,
    invitations_need_the_admin_token,
    unknown_expired_and_used_invitations_say_so,
    the_invitation_language_carries_to_its_emails,
    a_malformed_language_is_refused_with_its_field,
    an_invitation_signs_up_its_invited_address_only,
);

/// Issue 19, defect 1: someone holding another person's invitation link cannot sign up with
/// their own address, neither at "Send verification code" nor at "Create"; the invited person's
/// link stays usable.
async fn an_invitation_signs_up_its_invited_address_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app
        .invite("amina@ngo.example", "Red Crescent Society")
        .await;
    let started = app
        .post(
            "/signup",
            json!({"email": "mallory@elsewhere.example", "invitation": token}),
        )
        .await;
    assert_eq!(started.status(), 403);
    assert_eq!(problem(started).await["code"], "invitation_email_mismatch");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM email_code_flows WHERE email = 'mallory@elsewhere.example'"
        )
        .await,
        0,
        "no flow, no code mailed"
    );
    // "Create" checks it again: a flow whose address is not the invited one creates nothing.
    let flow = app.start_signup("amina@ngo.example", Some(&token)).await;
    let code = app.nth_mail("amina@ngo.example", 2).await.code();
    assert_eq!(app.verify(&flow, &code).await.status(), 200);
    app.exec("UPDATE email_code_flows SET email = 'mallory@elsewhere.example'")
        .await;
    let created = app.complete(&flow, PASSPHRASE).await;
    assert_eq!(created.status(), 403);
    assert_eq!(problem(created).await["code"], "invitation_email_mismatch");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
    // The invited person still signs up with the link.
    let flow = app.start_signup("amina@ngo.example", Some(&token)).await;
    let code = app.nth_mail("amina@ngo.example", 3).await.code();
    assert_eq!(app.verify(&flow, &code).await.status(), 200);
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
}

/// The administrator's language choice: the invitation email is in it, the invitation shows
/// it to the SPA, and the code of a sign-up started from it (no language of its own) follows.
async fn the_invitation_language_carries_to_its_emails(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let created = app
        .client
        .post(app.api("/admin/invitations"))
        .bearer_auth(ADMIN_TOKEN)
        .json(
            &json!({"email": "layla@example.org", "organization": "Sahel Relief Network",
            "inviter": "Fatou Ndiaye", "language": "ar-EG"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let invitation = app.nth_mail("layla@example.org", 1).await;
    assert!(
        invitation.subject.contains("بوابة شركاء الأمم المتحدة"),
        "{}",
        invitation.subject
    );
    assert!(invitation.text.contains("تلقيت دعوة من Fatou Ndiaye"));
    let link: serde_json::Value = created.json().await.unwrap();
    let token = link["link"]
        .as_str()
        .unwrap()
        .split_once('#')
        .unwrap()
        .1
        .to_owned();
    let view: serde_json::Value = app
        .get(&format!("/invitations/{token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["language"], "ar-eg");

    app.start_signup("layla@example.org", Some(&token)).await;
    let code = app.nth_mail("layla@example.org", 2).await;
    assert!(code.subject.contains("رمز التحقق"), "{}", code.subject);
    assert!(code
        .text
        .contains(&format!("الرمز الخاص بك هو: {}", code.code())));

    // The screens' language, when sent, wins: a Chinese sign-up gets a Chinese code.
    let response = app
        .post(
            "/signup",
            json!({"email": "wei@example.org", "language": "zh-Hans-CN"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let mail = app.nth_mail("wei@example.org", 1).await;
    assert!(
        mail.subject.contains("联合国合作伙伴门户"),
        "{}",
        mail.subject
    );
}

async fn a_malformed_language_is_refused_with_its_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app
        .client
        .post(app.api("/admin/invitations"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"email": "a@example.org", "organization": "Org", "language": "<script>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body = problem(response).await;
    assert_eq!(body["errors"][0]["field"], "language");
    assert_eq!(body["errors"][0]["code"], "invalid_characters");
    let response = app
        .post(
            "/signup",
            json!({"email": "b@example.org", "language": "x".repeat(40)}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["errors"][0]["code"], "too_long");
    assert!(crate::mail::nothing_mailed(&app).await, "nothing was sent");
}

async fn admin_invites_and_the_invitation_can_be_viewed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app
        .invite("amina@example.org", "Sahel Relief Network")
        .await;
    let mail = app.nth_mail("amina@example.org", 1).await;
    assert!(mail
        .text
        .contains("Fatou Ndiaye invited you to join Sahel Relief Network"));
    assert!(mail.raw.contains("text/html"), "multipart: text and HTML");
    let view: serde_json::Value = app
        .get(&format!("/invitations/{token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["email"], "amina@example.org");
    assert_eq!(view["organization"], "Sahel Relief Network");
    assert_eq!(view["inviter"], "Fatou Ndiaye");
}

async fn invitations_need_the_admin_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = json!({"email": "a@example.org", "organization": "Org"});
    for (token, status, code) in [
        (None, 401, "unauthenticated"),
        (Some("wrong"), 403, "forbidden"),
        (
            Some(&ADMIN_TOKEN[..ADMIN_TOKEN.len() - 1]),
            403,
            "forbidden",
        ),
    ] {
        let mut request = app.client.post(app.api("/admin/invitations")).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status);
        assert_eq!(problem(response).await["code"], code);
    }
    let bad = app
        .client
        .post(app.api("/admin/invitations"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"email": "nope", "organization": " "}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let errors = problem(bad).await["errors"].clone();
    assert_eq!(errors.as_array().unwrap().len(), 2);
}

async fn unknown_expired_and_used_invitations_say_so(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let unknown = app.get("/invitations/0000").await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(problem(unknown).await["code"], "invitation_not_found");

    let token = app.invite("late@example.org", "Org").await;
    app.exec("UPDATE invitations SET expires_at = 0").await;
    let expired = app.get(&format!("/invitations/{token}")).await;
    assert_eq!(expired.status(), 410);
    assert_eq!(problem(expired).await["code"], "invitation_expired");

    let token = app.invite("once@example.org", "Org").await;
    let flow = app.start_signup("once@example.org", Some(&token)).await;
    let code = app.nth_mail("once@example.org", 2).await.code();
    assert_eq!(app.verify(&flow, &code).await.status(), 200);
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
    let used = app.get(&format!("/invitations/{token}")).await;
    assert_eq!(used.status(), 410);
    assert_eq!(problem(used).await["code"], "invitation_used");
}
