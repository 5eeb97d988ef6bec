//! The seed flow (user guide steps 1 to 6), exactly as a person walks it: the administrator's
//! invitation, the link, "Sign up now", the emailed code, "Verify code", "Create", the portal.

use partner_login_e2e::{mail::Mailbox, Browser, TestServer};

const PASSPHRASE: &str = "river mango lantern 42";

/// The seconds the "Send new code (N s)" button shows, once it shows a countdown.
async fn countdown(browser: &Browser) -> u64 {
    browser
        .wait_until(
            || async {
                let text = browser
                    .wait_xpath("//button[starts-with(normalize-space(.), 'Send new code')]")
                    .await
                    .text()
                    .await
                    .map_err(|e| e.to_string())?;
                text.trim()
                    .strip_prefix("Send new code (")
                    .and_then(|rest| rest.strip_suffix(" s)"))
                    .and_then(|n| n.parse().ok())
                    .ok_or(text)
            },
            "a countdown on \"Send new code\"",
        )
        .await
}

#[tokio::test]
async fn invited_person_signs_up_with_an_emailed_code_and_lands_on_the_portal() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start(Some(&mailbox.url()));
    let email = "amina.diallo@example.org";

    // Step 1: the administrator invites; the invitation email holds the link.
    let link = server
        .invite(email, "Sahel Relief Network", Some("Fatou Ndiaye"))
        .await;
    let invitation = mailbox.next_to(email).await;
    assert!(
        invitation.text.contains(&link),
        "the invitation email holds the link"
    );
    assert!(invitation.text.contains("Sahel Relief Network"));

    // Step 2: the link opens the invitation, then sign-up.
    let browser = Browser::start().await;
    browser.goto(&link).await;
    browser.wait_text("Sahel Relief Network").await;
    browser.wait_text("Fatou Ndiaye").await;
    browser.click_button("Sign up now").await;

    // Step 3: the invited email is filled in; send the code.
    browser
        .wait_text("Verification is necessary. Please click Send button.")
        .await;
    browser.wait_value("Email Address", email).await;
    browser.click_button("Send verification code").await;

    // Steps 4 and 5: the code arrives by email; type it and verify.
    browser
        .wait_text(
            "Verification code has been sent to your inbox. Please copy it to the input box below.",
        )
        .await;
    // The resend countdown ticks every second. A tick must not redraw the code field from the
    // app's state: a field emptied without an input event (as WebDriver's clear, or an
    // autofill, does) used to get its old text back on the next tick, and the code typed
    // after it was appended to that text.
    let field = browser.field("Verification code").await;
    field.send_keys("111111").await.expect("typing");
    field.clear().await.expect("clear");
    let emptied_at = countdown(&browser).await;
    browser
        .wait_until(
            || async {
                match countdown(&browser).await {
                    left if left + 2 <= emptied_at => Ok(()),
                    left => Err(format!("{left} s left")),
                }
            },
            &format!("two ticks of the countdown after {emptied_at} s"),
        )
        .await;
    assert_eq!(
        field.prop("value").await.expect("the field"),
        Some(String::new()),
        "the emptied field stays empty across the countdown's ticks"
    );
    let code = mailbox.next_to(email).await.code();
    field.send_keys(&code).await.expect("typing the code");
    browser.click_button("Verify code").await;

    // Step 6: verified; create the account.
    browser
        .wait_text("E-mail address verified. You can now continue.")
        .await;
    browser.button("Change e-mail").await;
    browser.fill("New Password", PASSPHRASE).await;
    browser.fill("Confirm New Password", PASSPHRASE).await;
    browser.fill("Display Name", "Amina D.").await;
    browser.fill("Given Name", "Amina").await;
    browser.fill("Surname", "Diallo").await;
    browser.click_button("Create").await;

    // Into the portal, greeted by name, with the organization.
    browser.wait_path("/portal").await;
    browser.wait_text("Amina D.").await;
    browser
        .wait_text_in("organization", "Sahel Relief Network")
        .await;

    // Signing out ends the session: the portal sends the person back to sign-in.
    browser.click_button("Sign out").await;
    browser
        .wait_text("Sign in with your existing account")
        .await;
    browser.goto(&format!("{}/portal", server.url)).await;
    browser
        .wait_text("Sign in with your existing account")
        .await;
    browser.close().await;
}

#[tokio::test]
async fn send_new_code_replaces_the_old_one_and_change_email_starts_over() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start_with(Some(&mailbox.url()), &[("RESEND_COOLDOWN_SECONDS", "2")]);
    let first = "first.address@example.org";
    let second = "second.address@example.org";
    let link = server.invite(first, "Lake Chad Partners", None).await;
    let _invitation = mailbox.next_to(first).await;

    let browser = Browser::start().await;
    browser.goto(&link).await;
    browser.click_button("Sign up now").await;
    browser.click_button("Send verification code").await;
    let old_code = mailbox.next_to(first).await.code();

    // "Send new code" (once its cooldown is over) mails a new code; the old one stops working.
    browser.click_button("Send new code").await;
    let new_code = mailbox.next_to(first).await.code();
    browser.fill("Verification code", &old_code).await;
    browser.click_button("Verify code").await;
    let error = browser
        .wait_xpath("//*[@id='code-error'][normalize-space(.)!='']")
        .await;
    assert!(
        error.is_displayed().await.expect("displayed"),
        "the code's error is shown"
    );
    // What the user typed is kept after the failed request.
    browser.wait_value("Verification code", &old_code).await;
    browser.fill("Verification code", &new_code).await;
    browser.click_button("Verify code").await;
    browser
        .wait_text("E-mail address verified. You can now continue.")
        .await;

    // "Change e-mail" starts over with an editable address. The invitation is for the first
    // address only: another one is refused, and what was typed stays.
    browser.click_button("Change e-mail").await;
    browser
        .wait_text("Verification is necessary. Please click Send button.")
        .await;
    browser.fill("Email Address", second).await;
    browser.click_button("Send verification code").await;
    browser
        .wait_text("This invitation was sent to another email address. Sign in with that address.")
        .await;
    browser.wait_value("Email Address", second).await;
    browser.fill("Email Address", first).await;
    browser.click_button("Send verification code").await;
    let code = mailbox.next_to(first).await.code();
    browser.fill("Verification code", &code).await;
    browser.click_button("Verify code").await;
    browser
        .wait_text("E-mail address verified. You can now continue.")
        .await;
    browser.close().await;
}

/// The `type` of the fields labelled New Password and Confirm New Password.
async fn new_password_types(browser: &Browser) -> [String; 2] {
    let mut types = [String::new(), String::new()];
    for (slot, label) in types
        .iter_mut()
        .zip(["New Password", "Confirm New Password"])
    {
        let field = browser.field(label).await;
        *slot = field.attr("type").await.expect("type").unwrap_or_default();
    }
    types
}

/// Waits until both new-password fields have the `type` `kind`.
async fn wait_new_password_types(browser: &Browser, kind: &str) {
    browser
        .wait_until(
            || async {
                let types = new_password_types(browser).await;
                if types.iter().all(|t| t == kind) {
                    Ok(())
                } else {
                    Err(format!("{types:?}"))
                }
            },
            &format!("the new-password fields of type {kind}"),
        )
        .await;
}

/// OWASP ASVS 5.0 V6.2.6, V6.2.7, V3.2.2: on the real form, the code field is
/// `autocomplete=one-time-code`; once the code is verified, "Show password" unmasks both new
/// passwords (keeping what was typed) and masks them again; a name with HTML in it is shown
/// as typed, not interpreted.
#[tokio::test]
async fn show_password_unmasks_the_new_passwords_and_names_show_as_typed() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start(Some(&mailbox.url()));
    let browser = Browser::start().await;
    let email = "masked.fields@example.org";
    browser.goto(&format!("{}/signup", server.url)).await;
    browser.fill("Email Address", email).await;
    browser.click_button("Send verification code").await;

    let code_field = browser.field("Verification code").await;
    assert_eq!(
        code_field
            .attr("autocomplete")
            .await
            .expect("attr")
            .as_deref(),
        Some("one-time-code")
    );
    let code = mailbox.next_to(email).await.code();
    browser.fill("Verification code", &code).await;
    browser.click_button("Verify code").await;
    browser
        .wait_text("E-mail address verified. You can now continue.")
        .await;

    wait_new_password_types(&browser, "password").await;
    browser.fill("New Password", PASSPHRASE).await;
    browser.fill("Confirm New Password", PASSPHRASE).await;
    // Usable once verified.
    let show = browser
        .wait_xpath("//input[@id='show-password'][not(@disabled)]")
        .await;
    show.click().await.expect("click");
    wait_new_password_types(&browser, "text").await;
    browser.wait_value("New Password", PASSPHRASE).await;
    browser.wait_value("Confirm New Password", PASSPHRASE).await;
    show.click().await.expect("click");
    wait_new_password_types(&browser, "password").await;
    browser.wait_value("New Password", PASSPHRASE).await;

    // `<` and `>` are refused in names (the contract's `PersonName`), so markup cannot get in;
    // an entity shows whether the portal parses the name as HTML ("&" if it does).
    let name = "Tom &amp; Jerry \"Q\"";
    browser.fill("Display Name", name).await;
    browser.fill("Given Name", "Tom").await;
    browser.fill("Surname", "Cat").await;
    browser.click_button("Create").await;
    browser.wait_path("/portal").await;
    let greeting = browser.wait_text("Jerry").await.text().await.expect("text");
    assert!(
        greeting.starts_with("Welcome, ") && greeting.contains(name),
        "{greeting}"
    );
    assert!(
        !greeting.contains("Tom & Jerry"),
        "parsed as HTML: {greeting}"
    );
    browser.close().await;
}
