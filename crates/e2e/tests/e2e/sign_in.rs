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
