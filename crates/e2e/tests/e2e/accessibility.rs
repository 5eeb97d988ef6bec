//! WCAG 2.2 AA in English and in Arabic (right to left): every screen and state, checked with
//! axe-core and for raw translation keys (`Browser::assert_accessible`), and the sign-up screen
//! reflowed at 320 CSS px. The screens are found by ids and roles, not by text, so one walk
//! serves every language.

use partner_login_e2e::flows::{wrong_code, PASSPHRASE};
use partner_login_e2e::{mail::Mailbox, Browser, TestServer};

/// (the browser's preferred language, `<html lang>`, `<html dir>`)
const LANGS: [(&str, &str, &str); 2] = [("en-US", "en", "ltr"), ("ar", "ar", "rtl")];

/// The language attributes, then the accessibility check, of the current screen.
async fn check(browser: &Browser, (_, lang, dir): (&str, &str, &str), screen: &str) {
    browser.assert_html_lang_dir(lang, dir).await;
    // SC 2.4.2 Page Titled: the tab's title names the screen, as its heading does (the title
    // follows the heading once the screen is drawn).
    browser
        .wait_until(
            || async {
                let v = browser
                    .script(
                        "const h = document.querySelector('h1');
                         return [document.title, h ? h.textContent.trim() : ''];",
                        vec![],
                    )
                    .await;
                match (v[0].as_str(), v[1].as_str()) {
                    (Some(title), Some(heading))
                        if !heading.is_empty() && title.starts_with(heading) =>
                    {
                        Ok(())
                    }
                    _ => Err(format!("[title, heading] {v}")),
                }
            },
            &format!("{screen} [{lang}]: a title that names the screen's heading"),
        )
        .await;
    browser
        .assert_accessible(&format!("{screen} [{lang}]"))
        .await;
}

#[tokio::test]
async fn sign_in_screens_are_accessible_in_english_and_arabic() {
    let server = TestServer::start(None);
    for lang in LANGS {
        let browser = Browser::start_with_lang(lang.0).await;
        browser.goto(&format!("{}/", server.url)).await;
        browser.wait_xpath("//h1").await;
        browser.wait_xpath("//input[@id='password']").await;
        check(&browser, lang, "sign-in").await;

        // Submitted empty: the fields' errors.
        browser.submit(true).await;
        browser.wait_message("email-error").await;
        browser.wait_message("password-error").await;
        check(&browser, lang, "sign-in, submitted empty").await;
        // The error summary lists both fields, in order; an entry takes focus to its field
        // (in the next animation frame).
        let entries = browser.wait_count("#error-summary li button", 2).await;
        entries[1].click().await.expect("click the password entry");
        browser.wait_focus("password").await;

        // A wrong password: the form's error.
        browser.fill_id("email", "nobody.here@example.org").await;
        browser.fill_id("password", "not the password 1").await;
        browser.submit(true).await;
        browser.wait_message("form-error").await;
        browser
            .wait_gone(
                "//*[@id='error-summary']",
                &format!("{}: the summary to go once the fields are right", lang.0),
            )
            .await;
        check(&browser, lang, "sign-in, wrong password").await;
        browser.close().await;
    }
}

#[tokio::test]
async fn pages_without_a_form_are_accessible_in_english_and_arabic() {
    let server = TestServer::start(None);
    for lang in LANGS {
        let browser = Browser::start_with_lang(lang.0).await;
        browser.goto(&format!("{}/no/such/page", server.url)).await;
        browser.wait_xpath("//h1").await;
        check(&browser, lang, "not found").await;

        browser
            .goto(&format!(
                "{}/social/invitation-needed#email=stranger%40elsewhere.example",
                server.url
            ))
            .await;
        browser.wait_text("stranger@elsewhere.example").await;
        check(&browser, lang, "social: invitation needed").await;

        browser
            .goto(&format!("{}/invitation#no-such-token", server.url))
            .await;
        browser.wait_message("form-error").await;
        check(&browser, lang, "invitation, unknown token").await;
        browser.close().await;
    }
}

/// Walks sign-up from the invitation link to the portal, checking every state on the way when
/// `checks` (the reflow check included).
async fn sign_up(
    browser: &Browser,
    server: &TestServer,
    mailbox: &Mailbox,
    email: &str,
    lang: (&str, &str, &str),
    checks: bool,
) {
    let link = server
        .invite(email, "Sahel Relief Network", Some("Fatou Ndiaye"))
        .await;
    let _invitation = mailbox.next_to(email).await;
    browser.goto(&link).await;
    browser.wait_text("Sahel Relief Network").await;
    if checks {
        check(browser, lang, "invitation").await;
    }
    browser
        .wait_xpath("//a[contains(@class, 'primary')][contains(@href, 'signup')]")
        .await
        .click()
        .await
        .expect("click");
    browser.wait_path("/signup").await;
    browser.wait_xpath("//input[@id='email']").await;
    if checks {
        check(browser, lang, "sign-up").await;
        browser
            .assert_reflows_at_320(&format!("sign-up [{}]", lang.1))
            .await;

        browser.fill_id("email", "not-an-email").await;
        browser.submit(true).await;
        browser.wait_message("email-error").await;
        check(browser, lang, "sign-up, invalid email").await;
        browser.fill_id("email", email).await;
    }
    browser.submit(true).await;
    browser.wait_xpath("//input[@id='code']").await;
    if checks {
        check(browser, lang, "sign-up, code sent").await;
    }
    let code = mailbox.next_to(email).await.code();
    if checks {
        browser.fill_id("code", &wrong_code(&code)).await;
        browser.submit(true).await;
        browser.wait_message("code-error").await;
        check(browser, lang, "sign-up, wrong code").await;
    }
    browser.fill_id("code", &code).await;
    browser.submit(true).await;
    browser
        .wait_xpath("//input[@id='new-password'][not(@disabled)]")
        .await;
    if checks {
        check(browser, lang, "sign-up, verified: the account form").await;
        browser.submit(false).await;
        browser.wait_message("new-password-error").await;
        browser.wait_message("form-error").await;
        check(browser, lang, "sign-up, account form errors").await;
    }
    browser.fill_id("new-password", PASSPHRASE).await;
    browser.fill_id("confirm-password", PASSPHRASE).await;
    browser.fill_id("display-name", "Amina D.").await;
    browser.fill_id("given-name", "Amina").await;
    browser.fill_id("surname", "Diallo").await;
    browser.submit(false).await;
    browser.wait_path("/portal").await;
    browser.wait_xpath("//*[@id='organization']").await;
    if checks {
        check(browser, lang, "portal, signed in").await;
    }
}

#[tokio::test]
async fn sign_up_screens_are_accessible_in_english_and_arabic() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start(Some(&mailbox.url()));
    for lang in LANGS {
        let browser = Browser::start_with_lang(lang.0).await;
        let email = format!("amina.{}@example.org", lang.1);
        sign_up(&browser, &server, &mailbox, &email, lang, true).await;
        browser.close().await;
    }
}

#[tokio::test]
async fn forgot_password_screens_are_accessible_in_english_and_arabic() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start(Some(&mailbox.url()));
    for lang in LANGS {
        let browser = Browser::start_with_lang(lang.0).await;
        let email = format!("kofi.{}@example.org", lang.1);
        sign_up(&browser, &server, &mailbox, &email, lang, false).await;

        // Signed out ("Sign out", in any language), from sign-in's "Forgot your password?"
        // link.
        browser
            .wait_xpath("//main//button[@id='sign-out']")
            .await
            .click()
            .await
            .expect("click");
        browser.wait_xpath("//input[@id='password']").await;
        browser.fill_id("email", &email).await;
        browser
            .wait_xpath("//a[contains(@href, 'forgot')]")
            .await
            .click()
            .await
            .expect("click");
        browser.wait_path("/forgot").await;
        browser.wait_xpath("//input[@id='email']").await;
        check(&browser, lang, "forgot password").await;

        browser.submit(true).await;
        browser.wait_xpath("//input[@id='code']").await;
        check(&browser, lang, "forgot password, code sent").await;

        let code = mailbox.next_to(&email).await.code();
        browser.fill_id("code", &code).await;
        browser.submit(true).await;
        browser
            .wait_xpath("//input[@id='new-password'][not(@disabled)]")
            .await;
        check(
            &browser,
            lang,
            "forgot password, verified: the new password form",
        )
        .await;
        browser.close().await;
    }
}

/// The panic message of `check` run on the not-found page after `plant` ran in it.
async fn planted_problem<F, Fut>(server: &TestServer, plant: &str, check: F) -> String
where
    F: FnOnce(Browser) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let browser = Browser::start().await;
    browser.goto(&format!("{}/no/such/page", server.url)).await;
    browser.wait_xpath("//h1").await;
    browser
        .client
        .execute(plant, vec![])
        .await
        .expect("a script runs");
    let panic = tokio::spawn(check(browser))
        .await
        .expect_err("the planted problem is reported");
    panic
        .into_panic()
        .downcast::<String>()
        .map(|s| *s)
        .unwrap_or_default()
}

/// The checks themselves work: axe runs in the page, a raw key is seen, a page too wide for
/// 320 px is caught (so a screen that passes was checked, not skipped).
#[tokio::test]
async fn the_checks_report_planted_problems() {
    let server = TestServer::start(None);
    let message = planted_problem(
        &server,
        "const p = document.createElement('p');
         p.innerHTML = '<img src=\"favicon.svg\"> error.code_wrong';
         document.querySelector('main').append(p);",
        |browser| async move { browser.assert_accessible("planted").await },
    )
    .await;
    assert!(message.contains("image-alt"), "{message}");
    assert!(message.contains("\"error.code_wrong\""), "{message}");

    let message = planted_problem(
        &server,
        "const p = document.createElement('p');
         p.style.minInlineSize = '400px';
         p.textContent = 'wide';
         document.querySelector('.card').append(p);",
        |browser| async move { browser.assert_reflows_at_320("planted").await },
    )
    .await;
    assert!(message.contains("horizontal scrolling"), "{message}");
}
