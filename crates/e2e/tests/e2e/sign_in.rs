//! Sign in with an existing account, a wrong password, "Forgot your password?", and an
//! invitation accepted by an existing account (issue 4), in headless Chromium.

use partner_login_e2e::flows::{sign_up_from_email, NEW_PASSPHRASE, PASSPHRASE};
use partner_login_e2e::{mail::Mailbox, Browser, TestServer};

const SIGN_IN: &str = "Sign in with your existing account";

/// Creates an account through the sign-up screens, then signs out.
async fn sign_up(browser: &Browser, server: &TestServer, mailbox: &Mailbox, email: &str) {
    browser.goto(&format!("{}/signup", server.url)).await;
    browser.fill("Email Address", email).await;
    sign_up_from_email(browser, mailbox, email, ["Kofi M.", "Kofi", "Mensah"]).await;
    browser.wait_path("/portal").await;
    browser.click_button("Sign out").await;
    browser.wait_text(SIGN_IN).await;
}

#[tokio::test]
async fn sign_in_after_a_wrong_password_then_sign_out() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start(Some(&mailbox.url()));
    let browser = Browser::start().await;
    let email = "kofi.mensah@example.org";
    sign_up(&browser, &server, &mailbox, email).await;

    // A wrong password: one message that does not say which of the two was wrong, and the
    // email address stays as typed.
    browser.fill("Email Address", email).await;
    browser.fill("Password", "river mango lantern 24").await;
    browser.click_button("Sign in").await;
    browser
        .wait_text("The email address or the password is not right.")
        .await;
    browser.wait_value("Email Address", email).await;

    browser.fill("Password", PASSPHRASE).await;
    browser.click_button("Sign in").await;
    browser.wait_path("/portal").await;
    browser.wait_text("Kofi M.").await;

    // "Sign out" ends the session on the server: the portal no longer lets the browser in.
    browser.click_button("Sign out").await;
    browser.wait_text(SIGN_IN).await;
    browser.goto(&format!("{}/portal", server.url)).await;
    browser.wait_text(SIGN_IN).await;
    browser.close().await;
}

#[tokio::test]
async fn forgot_password_resets_it_with_an_emailed_code_and_signs_in() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start(Some(&mailbox.url()));
    let browser = Browser::start().await;
    let email = "ama.owusu@example.org";
    sign_up(&browser, &server, &mailbox, email).await;

    // The address typed on sign-in carries over to "Forgot your password?".
    browser.fill("Email Address", email).await;
    browser.click_button("Forgot your password?").await;
    browser.wait_path("/forgot").await;
    browser.wait_value("Email Address", email).await;
    browser.click_button("Send verification code").await;
    browser
        .wait_text(
            "Verification code has been sent to your inbox. Please copy it to the input box below.",
        )
        .await;
    let mail = mailbox.next_to(email).await;
    assert!(
        mail.subject.contains("password reset code"),
        "{}",
        mail.subject
    );
    browser.fill("Verification code", &mail.code()).await;
    browser.click_button("Verify code").await;
    browser
        .wait_text("E-mail address verified. You can now continue.")
        .await;
    browser.fill("New Password", NEW_PASSPHRASE).await;
    browser.fill("Confirm New Password", NEW_PASSPHRASE).await;
    browser.click_button("Continue").await;
    browser.wait_path("/portal").await;
    browser.wait_text("Kofi M.").await;

    // The new password is the one that works now.
    browser.click_button("Sign out").await;
    browser.wait_text(SIGN_IN).await;
    browser.fill("Email Address", email).await;
    browser.fill("Password", PASSPHRASE).await;
    browser.click_button("Sign in").await;
    browser
        .wait_text("The email address or the password is not right.")
        .await;
    browser.fill("Password", NEW_PASSPHRASE).await;
    browser.click_button("Sign in").await;
    browser.wait_path("/portal").await;
    browser.close().await;
}

/// Issue 19, defect 4: once someone elsewhere spent the address's wrong reset codes (NIST SP
/// 800-63B-4 §3.2.2), codes are refused with a message saying what to do, the reset email
/// carries a one-time link instead, and the owner opening it lands at New Password and
/// resets. The link's token leaves the address bar.
#[tokio::test]
async fn a_capped_owner_resets_through_the_emailed_link() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start(Some(&mailbox.url()));
    let browser = Browser::start().await;
    let email = "abena.darko@example.org";
    sign_up(&browser, &server, &mailbox, email).await;

    // The attacker: two reset flows of five wrong codes each, through the API.
    let statuses = browser
        .script(
            "const [email] = arguments;
             const headers = {'content-type': 'application/json', 'x-requested-with': 'partner-login'};
             const post = (path, body) => fetch(path, {method: 'POST', headers, body: JSON.stringify(body)});
             return (async () => {
                 const out = [];
                 for (let f = 0; f < 2; f++) {
                     const flow = await (await post('/api/password-reset', {email})).json();
                     for (let i = 0; i < 5; i++) {
                         const r = await post(`/api/password-reset/${flow.flow_id}/verify`, {code: '000000'});
                         out.push(r.status);
                     }
                 }
                 return out;
             })();",
            vec![serde_json::json!(email)],
        )
        .await;
    assert_eq!(
        statuses,
        serde_json::json!(vec![422; 10]),
        "ten wrong codes"
    );
    for _ in 0..2 {
        mailbox.next_to(email).await;
    }

    browser.fill("Email Address", email).await;
    browser.click_button("Forgot your password?").await;
    browser.wait_path("/forgot").await;
    browser.click_button("Send verification code").await;
    browser.fill("Verification code", "123456").await;
    browser.click_button("Verify code").await;
    browser
        .wait_text("Too many wrong codes were entered for this email address.")
        .await;
    let mail = mailbox.next_to(email).await;
    assert!(
        mail.subject.contains("password reset link"),
        "{}",
        mail.subject
    );
    let link = mail.link();
    let token = link
        .split_once('#')
        .expect("a token in the fragment")
        .1
        .to_owned();

    browser.goto(&link).await;
    browser
        .wait_text("E-mail address verified. You can now continue.")
        .await;
    browser.wait_focus("new-password").await;
    let href = browser.script("return location.href;", vec![]).await;
    assert!(
        !href.as_str().unwrap_or_default().contains(&token),
        "the token left the address bar: {href}"
    );
    browser.fill("New Password", NEW_PASSPHRASE).await;
    browser.fill("Confirm New Password", NEW_PASSPHRASE).await;
    browser.click_button("Continue").await;
    browser.wait_path("/portal").await;
    browser.wait_text("Kofi M.").await;
    browser.close().await;
}

#[tokio::test]
async fn an_existing_account_accepts_an_invitation_by_signing_in() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start(Some(&mailbox.url()));
    let browser = Browser::start().await;
    let email = "yaw.boateng@example.org";
    sign_up(&browser, &server, &mailbox, email).await;

    let link = server
        .invite(email, "Volta Basin Cooperative", Some("Efua Asante"))
        .await;
    let _invitation = mailbox.next_to(email).await;
    browser.goto(&link).await;
    browser.wait_text("Volta Basin Cooperative").await;
    browser.click_button("Sign in").await;
    browser.wait_text(SIGN_IN).await;
    // The invited address is filled in.
    browser.wait_value("Email Address", email).await;
    browser.fill("Password", PASSPHRASE).await;
    browser.click_button("Sign in").await;
    browser.wait_path("/portal").await;
    browser
        .wait_text_in("organization", "Volta Basin Cooperative")
        .await;
    browser.close().await;
}
