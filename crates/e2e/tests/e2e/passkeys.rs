//! Passkeys in a real browser (issue 20): Chromium's virtual authenticator (a CTAP2 platform
//! authenticator with resident keys and user verification, [`partner_login_e2e::webauthn`]) on
//! `http://localhost:PORT`, driven through the screens as a person would: sign up as the user
//! guide says, "Create a passkey" in one step, then sign in with nothing but the passkey, by
//! autofill and by the button, from a second device; remove it; a passkey whose user
//! verification fails signs nobody in.

use partner_login_e2e::flows::{protect_with_a_passkey, sign_up_from_email};
use partner_login_e2e::webauthn::{StoredCredential, VirtualAuthenticator};
use partner_login_e2e::{mail::Mailbox, Browser, TestServer};
use serde_json::json;

const EMAIL: &str = "amina.diallo@example.org";
const PASSKEY_BUTTON: &str = "Sign in with a passkey";

/// The session cookie's value in `browser` (WebDriver reads HttpOnly cookies), if any.
async fn session_cookie(browser: &Browser) -> Option<String> {
    browser
        .client
        .get_all_cookies()
        .await
        .expect("cookies")
        .into_iter()
        .find(|c| c.name() == "partner_login_session")
        .map(|c| c.value().to_owned())
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

/// An invited person signs up through the user guide's screens; "Create" leads to "Protect
/// your account", where "Create a passkey" adds one; then the account page. Returns the
/// authenticator and the passkey it holds.
async fn sign_up_and_create_a_passkey(
    browser: &Browser,
    server: &TestServer,
    mailbox: &Mailbox,
) -> (VirtualAuthenticator, StoredCredential) {
    let authenticator = browser.add_virtual_authenticator().await;
    let link = server.invite(EMAIL, "Sahel Relief Network", None).await;
    mailbox.next_to(EMAIL).await; // the invitation
    browser.goto(&link).await;
    browser.click_button("Sign up now").await;
    sign_up_from_email(browser, mailbox, EMAIL, ["Amina D.", "Amina", "Diallo"]).await;

    browser.wait_path("/protect").await;
    browser.wait_text("Protect your account").await;
    browser.assert_accessible("Protect your account").await;
    protect_with_a_passkey(browser).await;
    browser.wait_path("/portal").await;
    browser.wait_count("#passkey-list > li.passkey", 1).await;
    browser
        .assert_accessible("the account page with one passkey")
        .await;

    let stored = authenticator.credentials(browser).await;
    assert_eq!(stored.len(), 1, "one passkey in the authenticator");
    assert!(stored[0].resident, "discoverable, so autofill can offer it");
    assert_eq!(stored[0].rp_id, "localhost");
    assert!(stored[0].user_handle.is_some(), "a user handle");
    let notice = mailbox.next_to(EMAIL).await;
    assert!(
        notice.subject.contains("A passkey was added"),
        "the owner is told: {}",
        notice.subject
    );
    let credential = stored[0].clone();
    (authenticator, credential)
}

#[tokio::test]
async fn a_person_signs_up_adds_a_passkey_in_one_step_and_signs_in_with_nothing_but_it() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start_on_localhost(Some(&mailbox.url()), &[]);
    let browser = Browser::start().await;
    let (authenticator, _) = sign_up_and_create_a_passkey(&browser, &server, &mailbox).await;

    // "Sign out" leads to the sign-in screen, whose email field offers the passkey by autofill
    // (conditional mediation, which a headless browser with one passkey accepts at once): a new
    // session, with no email and no password typed.
    let before = session_cookie(&browser).await.expect("a session");
    let signatures = authenticator.credentials(&browser).await[0].sign_count;
    browser.click_button("Sign out").await;
    browser
        .wait_until(
            || async {
                let now = session_cookie(&browser).await;
                let path = browser
                    .client
                    .current_url()
                    .await
                    .map_err(|e| e.to_string())?;
                match now {
                    Some(now) if now != before && path.path() == "/portal" => Ok(()),
                    other => Err(format!("{other:?} at {path}")),
                }
            },
            "a new session made by the passkey's autofill, on the account page",
        )
        .await;
    browser.wait_text("Amina D.").await;
    assert!(signed_in(&browser).await);
    assert_eq!(
        authenticator.credentials(&browser).await[0].sign_count,
        signatures + 1,
        "the passkey signed once more"
    );

    // The same passkey whose user verification fails (a wrong fingerprint): refused by the
    // browser, since the server requires user verification; nobody is signed in.
    authenticator.set_user_verified(&browser, false).await;
    browser.click_button("Sign out").await;
    browser.wait_path("/").await;
    browser.click_button(PASSKEY_BUTTON).await;
    let button = browser.button(PASSKEY_BUTTON).await;
    browser
        .wait_until(
            || async {
                match button.is_enabled().await {
                    Ok(true) => Ok(()),
                    other => Err(format!("{other:?}")),
                }
            },
            "the passkey button ready again after the refused ceremony",
        )
        .await;
    browser.wait_path("/").await;
    assert!(
        !signed_in(&browser).await,
        "no session without user verification"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_synced_passkey_signs_in_on_a_second_device_by_the_button_and_once_removed_signs_in_nobody(
) {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start_on_localhost(Some(&mailbox.url()), &[]);
    let first = Browser::start().await;
    let (_, passkey) = sign_up_and_create_a_passkey(&first, &server, &mailbox).await;
    first.close().await;

    // A second device: the sign-in screen is open before the passkey reaches it (so autofill
    // has nothing to offer), then the passkey syncs, then "Sign in with a passkey".
    let second = Browser::start().await;
    second.goto(&server.url).await;
    second.wait_text("Sign in with your existing account").await;
    let field = second
        .client
        .find(fantoccini::Locator::Css("input[type=email]"))
        .await
        .expect("the email field");
    assert_eq!(
        field
            .attr("autocomplete")
            .await
            .expect("attribute")
            .as_deref(),
        Some("username webauthn"),
        "the email field offers passkeys"
    );
    // The "or" line and the button are drawn by boot.js (issue 20's 3 KB): axe checks them too.
    second.wait_text(PASSKEY_BUTTON).await;
    second
        .assert_accessible("the sign-in screen with its passkey button")
        .await;
    let device = second.add_virtual_authenticator().await;
    device.add_credential(&second, &passkey).await;
    second.click_button(PASSKEY_BUTTON).await;
    second.wait_path("/portal").await;
    second.wait_text("Amina D.").await;

    // Remove it from the account page (signed in just now, so no re-authentication).
    second.wait_count("#passkey-list > li.passkey", 1).await;
    let remove = second
        .client
        .find(fantoccini::Locator::Css("button.remove-passkey"))
        .await
        .expect("a Remove button");
    remove.click().await.expect("click");
    let confirm = second
        .wait_xpath("//button[contains(@class, 'confirm-remove')]")
        .await;
    confirm.click().await.expect("click");
    second.wait_count("#passkey-list > li.passkey", 0).await;
    second
        .assert_accessible("the account page with no passkey left")
        .await;
    let notice = mailbox.next_to(EMAIL).await;
    assert!(
        notice.subject.contains("A passkey was removed"),
        "the owner is told: {}",
        notice.subject
    );

    // The device still holds it, but it signs nobody in any more: a clear message, still on
    // the sign-in screen.
    second.click_button("Sign out").await;
    second.wait_path("/").await;
    second.click_button(PASSKEY_BUTTON).await;
    second
        .wait_until(
            || async {
                let text = second
                    .client
                    .find(fantoccini::Locator::Id("form-error"))
                    .await
                    .map_err(|e| e.to_string())?
                    .text()
                    .await
                    .map_err(|e| e.to_string())?;
                if text.trim().is_empty() {
                    Err("no message".to_owned())
                } else {
                    Ok(())
                }
            },
            "a message that the passkey was refused",
        )
        .await;
    assert!(!signed_in(&second).await);
    second.close().await;
}
