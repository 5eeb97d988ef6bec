//! Walks through screens that several tests need to get past (the seed test itself spells
//! every step out).

use crate::{mail::Mailbox, Browser};

pub const PASSPHRASE: &str = "river mango lantern 42";

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

/// A code other than `code` (same length, every digit changed).
pub fn wrong_code(code: &str) -> String {
    code.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_digit((d + 1) % 10, 10).unwrap_or('0'),
            None => c,
        })
        .collect()
}
