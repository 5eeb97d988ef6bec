//! The authenticator app, recovery codes and active sessions in a real browser (issue 20), on
//! `http://localhost:PORT` with `MFA_ENCRYPTION_KEY_FILE` set: a person signs up, chooses "Use
//! an authenticator app" on "Protect your account", types the code their "phone" computes from
//! the key the page shows ([`partner_login_e2e::totp`], checked against RFC 6238 Appendix B),
//! keeps the recovery codes shown once, and finds the app and 10 codes on the account page; a
//! second device registers its own passkey from the account page and then ends the first
//! device's session (OWASP ASVS 5.0 V7.5.2), which is then signed out.

use partner_login_e2e::flows::{protect_with_a_passkey, sign_up_from_email, PASSPHRASE};
use partner_login_e2e::{mail::Mailbox, totp, Browser, TestServer};
use serde_json::json;

const EMAIL: &str = "amina.diallo@example.org";

/// A server on localhost (passkeys on) with authenticator apps on: a fresh key file in `dir`.
fn server_with_apps(mailbox: &Mailbox, dir: &tempfile::TempDir) -> TestServer {
    let key = dir.path().join("mfa.key");
    std::fs::write(&key, "7f".repeat(32)).expect("the key file");
    let key = key.display().to_string();
    TestServer::start_on_localhost(
        Some(&mailbox.url()),
        &[("MFA_ENCRYPTION_KEY_FILE", key.as_str())],
    )
}

/// Whether the page's origin has a live session (`GET /api/session` answers 200).
async fn signed_in(browser: &Browser) -> bool {
    browser
        .script(
            "return fetch('/api/session').then(r => r.status === 200);",
            vec![],
        )
        .await
        == json!(true)
}

/// An invited person signs up through the user guide's screens, up to "Protect your account".
async fn sign_up_to_protect(browser: &Browser, server: &TestServer, mailbox: &Mailbox) {
    let link = server.invite(EMAIL, "Sahel Relief Network", None).await;
    mailbox.next_to(EMAIL).await; // the invitation
    browser.goto(&link).await;
    browser.click_button("Sign up now").await;
    sign_up_from_email(browser, mailbox, EMAIL, ["Amina D.", "Amina", "Diallo"]).await;
    browser.wait_path("/protect").await;
    browser.wait_text("Protect your account").await;
}

#[tokio::test]
async fn a_person_signs_up_with_an_authenticator_app_and_keeps_ten_recovery_codes() {
    let mailbox = Mailbox::start().await;
    let dir = tempfile::tempdir().expect("a folder");
    let server = server_with_apps(&mailbox, &dir);
    let browser = Browser::start().await;
    sign_up_to_protect(&browser, &server, &mailbox).await;
    browser.click_button("Use an authenticator app").await;

    // The QR code the server drew, shown as an image (it loaded: the page's check took the
    // server's real SVG and the CSP let it through), and the key in groups of four.
    let key = browser.wait_xpath("//code[@id='app-secret']").await;
    let key = key.text().await.expect("the key");
    assert!(
        key.split(' ').all(|g| (1..=4).contains(&g.len())) && key.len() >= 32,
        "the key in groups: {key:?}"
    );
    browser
        .wait_script(
            "const img = document.getElementById('app-qr'); \
             return !!img && img.complete && img.naturalWidth > 0;",
            vec![],
            json!(true),
            "the QR code drawn",
        )
        .await;
    let field = browser.field("Authenticator app code").await;
    assert_eq!(
        field.attr("autocomplete").await.expect("attr").as_deref(),
        Some("one-time-code")
    );
    assert_eq!(
        field.attr("inputmode").await.expect("attr").as_deref(),
        Some("numeric")
    );
    browser
        .assert_accessible("adding an authenticator app")
        .await;

    // A wrong code stays on the page with the field's message; the app's code confirms it.
    let code = totp::code_now(&key).await;
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().expect("digits") + 500_000) % 1_000_000
    );
    browser.fill("Authenticator app code", &wrong).await;
    browser.click_button("Verify").await;
    browser.wait_text_in("app-code-error", "code").await;
    browser.fill("Authenticator app code", &code).await;
    browser.click_button("Verify").await;

    // The recovery codes, shown once, with Copy, Download, Print and Continue.
    let codes = browser.wait_count("#recovery-code-list li", 10).await;
    let mut shown = Vec::new();
    for code in &codes {
        shown.push(code.text().await.expect("a code"));
    }
    for code in &shown {
        assert_eq!(code.len(), 29, "24 characters in 6 groups: {code}");
        assert_eq!(code.split('-').count(), 6, "{code}");
    }
    for action in ["Copy", "Download", "Print"] {
        browser.button(action).await;
    }
    browser
        .assert_accessible("the recovery codes shown once")
        .await;
    assert!(
        mailbox
            .next_to(EMAIL)
            .await
            .subject
            .contains("An authenticator app was added"),
        "the owner is told of the app"
    );
    assert!(
        mailbox
            .next_to(EMAIL)
            .await
            .subject
            .contains("New recovery codes"),
        "the owner is told of the codes"
    );
    browser.click_button("Continue").await;

    // The account page: the app, added just now, and the 10 codes left.
    browser.wait_path("/portal").await;
    browser.wait_text_in("app-added", "Added").await;
    browser.wait_text_in("codes-left", "Codes left: 10").await;
    browser.button("Remove").await;
    browser.button("Generate new codes").await;
    browser.wait_count("#session-list li.session", 1).await;
    browser.wait_text_in("session-list", "This session").await;
    browser
        .assert_accessible("the account page with an app, codes and sessions")
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_second_device_adds_its_own_passkey_then_signs_the_first_out() {
    let mailbox = Mailbox::start().await;
    let dir = tempfile::tempdir().expect("a folder");
    let server = server_with_apps(&mailbox, &dir);
    let first = Browser::start().await;
    let first_key = first.add_virtual_authenticator().await;
    sign_up_to_protect(&first, &server, &mailbox).await;
    protect_with_a_passkey(&first).await;
    first.wait_path("/portal").await;
    first.wait_count("#passkey-list > li.passkey", 1).await;
    let first_credential = first_key.credentials(&first).await[0].clone();

    // A second device signs in with the password (under MFA_POLICY=optional a password alone
    // still signs in an account whose factor is a passkey), then its own authenticator makes
    // its own passkey from the account page's "Add a passkey".
    let second = Browser::start().await;
    second.goto(&server.url).await;
    second.fill("Email Address", EMAIL).await;
    second.fill("Password", PASSPHRASE).await;
    second.click_button("Sign in").await;
    second.wait_path("/portal").await;
    second.wait_count("#passkey-list > li.passkey", 1).await;
    let second_key = second.add_virtual_authenticator().await;
    second.click_button("Add a passkey").await;
    second.wait_count("#passkey-list > li.passkey", 2).await;
    let made = second_key.credentials(&second).await;
    assert_eq!(made.len(), 1, "the second device holds one passkey");
    assert_ne!(
        made[0].id, first_credential.id,
        "its own, not the first device's"
    );
    assert_eq!(
        first_key.credentials(&first).await.len(),
        1,
        "the first device keeps its own"
    );

    // Two sessions of one person: the second device ends the first's.
    second.wait_count("#session-list li.session", 2).await;
    second
        .assert_accessible("the account page with two sessions")
        .await;
    let end = second.wait_count("button.end-session", 1).await;
    end[0].click().await.expect("click");
    second.wait_count("#session-list li.session", 1).await;
    second
        .wait_text_in("sessions-notice", "Session signed out.")
        .await;
    assert!(
        signed_in(&second).await,
        "the second device stays signed in"
    );

    // The first device is signed out: its account page sends it to the sign-in. (Its
    // authenticator goes first: it would answer the sign-in's passkey autofill by itself.)
    assert!(
        !signed_in(&first).await,
        "the first device's session is over"
    );
    first_key.remove(&first).await;
    first.goto(&format!("{}/portal", server.url)).await;
    first.wait_path("/").await;
    first.close().await;
    second.close().await;
}
