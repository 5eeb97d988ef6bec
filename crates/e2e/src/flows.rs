//! Walks through screens that several tests need to get past (the seed test itself spells
//! every step out).

use crate::{mail::Mailbox, Browser};
use fantoccini::Locator;
use partner_login_testkit::{OidcClient, OidcProvider};

pub const PASSPHRASE: &str = "river mango lantern 42";
/// The password "Forgot your password?" sets.
pub const NEW_PASSPHRASE: &str = "copper heron valley 77";

/// From the sign-up screen with `email` filled in: "Send verification code", the code from the
/// mailbox, "Verify code", the passwords ([`PASSPHRASE`]) and names, "Create". Ends on the
/// portal.
pub async fn sign_up_from_email(
    browser: &Browser,
    mailbox: &Mailbox,
    email: &str,
    [display, given, surname]: [&str; 3],
) {
    verify_email(browser, mailbox, email).await;
    browser.fill("New Password", PASSPHRASE).await;
    browser.fill("Confirm New Password", PASSPHRASE).await;
    browser.fill("Display Name", display).await;
    browser.fill("Given Name", given).await;
    browser.fill("Surname", surname).await;
    browser.click_button("Create").await;
}

/// From the sign-up screen with `email` filled in: "Send verification code", the code from the
/// mailbox, "Verify code". Ends when the page says the address is verified.
pub async fn verify_email(browser: &Browser, mailbox: &Mailbox, email: &str) {
    browser.click_button("Send verification code").await;
    let code = mailbox.next_to(email).await.code();
    browser.fill("Verification code", &code).await;
    browser.click_button("Verify code").await;
    browser
        .wait_text("E-mail address verified. You can now continue.")
        .await;
}

/// On "Protect your account" (right after "Create", when the deployment has passkeys): "Create a
/// passkey", which the browser's authenticator makes, then on to wherever the person was going
/// (the "Continue" the page may show after its success notice is pressed). Ends once the page
/// has left `/protect`.
pub async fn protect_with_a_passkey(browser: &Browser) {
    browser.wait_path("/protect").await;
    browser.wait_text("Protect your account").await;
    browser.button("Not now").await;
    browser.click_button("Create a passkey").await;
    browser
        .wait_until(
            || async {
                let url = browser
                    .client
                    .current_url()
                    .await
                    .map_err(|e| e.to_string())?;
                if url.path() != "/protect" {
                    return Ok(());
                }
                match browser.client.find(Locator::Id("continue")).await {
                    Ok(button) => {
                        // Clicked when it shows; the next look sees the page it led to.
                        let _ = button.click().await;
                        Err(format!("clicked Continue at {url}"))
                    }
                    Err(_) => Err(url.to_string()),
                }
            },
            "leaving \"Protect your account\" after \"Create a passkey\"",
        )
        .await;
}

/// From the sign-in screen with `email` filled in: "Forgot your password?", the emailed code,
/// the new passwords ([`NEW_PASSPHRASE`]), "Continue". Where it ends is the caller's to check.
pub async fn reset_password(browser: &Browser, mailbox: &Mailbox, email: &str) {
    browser.click_button("Forgot your password?").await;
    browser.wait_path("/forgot").await;
    browser.wait_value("Email Address", email).await;
    verify_email(browser, mailbox, email).await;
    browser.fill("New Password", NEW_PASSPHRASE).await;
    browser.fill("Confirm New Password", NEW_PASSPHRASE).await;
    browser.click_button("Continue").await;
}

/// The social provider `unicef` (a real oidc-provider; `accounts` maps logins to their claims,
/// as [`OidcProvider::start`] takes them) for a server that will listen on `port`, with the
/// server's environment for it (its button: "UNICEF Employee").
pub fn unicef_provider(
    port: u16,
    accounts: serde_json::Value,
) -> (OidcProvider, Vec<(String, String)>) {
    unicef_provider_at(&format!("http://127.0.0.1:{port}"), accounts)
}

/// [`unicef_provider`] for a server whose `PUBLIC_URL` is `public_url` (`http://localhost:PORT`
/// for passkeys: the callback must reach the origin that holds the flow's cookie).
pub fn unicef_provider_at(
    public_url: &str,
    accounts: serde_json::Value,
) -> (OidcProvider, Vec<(String, String)>) {
    let client = OidcClient {
        client_id: "partner-login-unicef".to_owned(),
        client_secret: "unicef-client-secret-for-tests".to_owned(),
        redirect_uri: format!("{public_url}/api/social/unicef/callback"),
    };
    let provider = OidcProvider::start(std::slice::from_ref(&client), accounts);
    let env = vec![
        ("OIDC_PROVIDERS".to_owned(), "unicef".to_owned()),
        ("OIDC_UNICEF_ISSUER".to_owned(), provider.issuer.clone()),
        ("OIDC_UNICEF_CLIENT_ID".to_owned(), client.client_id),
        ("OIDC_UNICEF_CLIENT_SECRET".to_owned(), client.client_secret),
    ];
    (provider, env)
}

/// Signs in at the provider's own pages (oidc-provider's development pages): its sign-in form,
/// then its consent.
pub async fn sign_in_at_the_provider(browser: &Browser, login: &str) {
    browser.fill_named("login", login).await;
    browser
        .fill_named("password", "any password the test provider accepts")
        .await;
    browser.click_button("Sign-in").await;
    browser.click_button("Continue").await;
}

/// A code other than `code` (same length, every digit changed).
pub fn wrong_code(code: &str) -> String {
    code.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_digit((d + 1) % 10, 10).unwrap_or('0'),
            None => c,
        })
        .collect()
}
