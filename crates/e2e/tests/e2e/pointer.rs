//! No click is lost when an error appears on a form or goes (STYLE.md lesson 17). On each form
//! a field shows an error, or holds what its blur will find wrong, and has the focus; then a
//! button below it is pressed with a real pointer (WebDriver actions: move to the button's
//! centre, press, hold, release). The press takes the focus from the field, so the field's blur
//! runs between the press and the release: if it showed or hid a message, everything below
//! moved, the release landed beside the button, and the click was lost. Each test waits for what
//! the click does. (`Element::click` would not show it: it is one command, with nothing between
//! the press and the release.)
//!
//! The defect this guards against: after a wrong code, the blur of the code field removed "That
//! code is not right", "Send new code" moved up from under the pointer, and its first click did
//! nothing.

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::elements::Element;
use partner_login_e2e::flows::{verify_email, wrong_code};
use partner_login_e2e::{mail::Mailbox, Browser, TestServer, WAIT};
use std::time::{Duration, Instant};

/// Presses `target` with a real pointer: scrolled into view, the pointer moves to its centre,
/// presses, holds for as long as a hand does, and releases where it pressed.
async fn press(browser: &Browser, target: &Element) {
    let arg = serde_json::to_value(target).expect("an element reference");
    browser
        .client
        .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
        .await
        .expect("scroll into view");
    let mouse = MouseActions::new("mouse".to_owned())
        .then(PointerAction::MoveToElement {
            element: target.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Pause {
            duration: Duration::from_millis(100),
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser
        .client
        .perform_actions(mouse)
        .await
        .expect("the pointer actions");
    browser
        .client
        .release_actions()
        .await
        .expect("release the actions");
}

/// The button `text`, once it is enabled (a request over, a countdown run out).
async fn enabled_button(browser: &Browser, text: &str) -> Element {
    let button = browser.button(text).await;
    let deadline = Instant::now() + WAIT;
    while !button.is_enabled().await.expect("enabled") {
        assert!(Instant::now() < deadline, "{text:?} stayed disabled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    button
}

/// Waits until the element `id` has the focus.
async fn wait_focus(browser: &Browser, id: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let focused = browser
            .client
            .execute(
                "return document.activeElement && document.activeElement.id;",
                vec![],
            )
            .await
            .expect("a script runs");
        if focused.as_str() == Some(id) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the focus is on {focused}, not #{id}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the element `id` shows a message.
async fn wait_message(browser: &Browser, id: &str) -> String {
    browser
        .wait_xpath(&format!("//*[@id='{id}'][normalize-space(.)!='']"))
        .await
        .text()
        .await
        .expect("the message")
}

/// Types `text` into the field labelled `label`, which keeps the focus (nothing checked yet: the
/// field's rule runs on its blur).
async fn type_into(browser: &Browser, label: &str, text: &str) {
    browser.fill(label, text).await;
    let id = browser
        .field(label)
        .await
        .attr("id")
        .await
        .expect("id")
        .unwrap_or_default();
    wait_focus(browser, &id).await;
}

/// Waits until New Password and Confirm New Password are both of the `type` `kind`.
async fn wait_types(browser: &Browser, kind: &str) {
    for id in ["new-password", "confirm-password"] {
        browser
            .wait_xpath(&format!("//input[@id='{id}'][@type='{kind}']"))
            .await;
    }
}

/// The first step of sign-up or "Forgot your password?" at `path`: an address the blur finds
/// wrong, then "Send verification code" pressed (its submit shows the summary); then, with the
/// error shown and the field focused, "Cancel" pressed (back to sign-in).
async fn email_step(path: &str) {
    let server = TestServer::start(None);
    let browser = Browser::start().await;
    browser.goto(&format!("{}{path}", server.url)).await;
    type_into(&browser, "Email Address", "amina@").await;
    press(&browser, &browser.button("Send verification code").await).await;
    browser.wait_xpath("//*[@id='error-summary']").await;
    wait_message(&browser, "email-error").await;
    wait_focus(&browser, "email").await;

    press(&browser, &browser.button("Cancel").await).await;
    browser.wait_path("/").await;
    browser.close().await;
}

#[tokio::test]
async fn sign_in_clicks_land_while_an_email_error_comes_or_stays() {
    let server = TestServer::start(None);
    let browser = Browser::start().await;
    browser.goto(&format!("{}/", server.url)).await;
    type_into(&browser, "Email Address", "amina@").await;
    press(&browser, &browser.button("Sign in").await).await;
    browser.wait_xpath("//*[@id='error-summary']").await;
    wait_message(&browser, "email-error").await;
    wait_focus(&browser, "email").await;

    press(&browser, &browser.button("Forgot your password?").await).await;
    browser.wait_path("/forgot").await;
    browser.close().await;
}

#[tokio::test]
async fn sign_up_email_step_clicks_land_while_an_email_error_comes_or_stays() {
    email_step("/signup").await;
}

#[tokio::test]
async fn forgot_password_clicks_land_while_an_email_error_comes_or_stays() {
    email_step("/forgot").await;
}

/// The defect itself: a wrong code, then one press on "Send new code" sends a new code.
#[tokio::test]
async fn send_new_code_works_at_the_first_click_after_a_wrong_code() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start_with(Some(&mailbox.url()), &[("RESEND_COOLDOWN_SECONDS", "1")]);
    let browser = Browser::start().await;
    let email = "lost.click@example.org";
    browser.goto(&format!("{}/signup", server.url)).await;
    browser.fill("Email Address", email).await;
    browser.click_button("Send verification code").await;
    let code = mailbox.next_to(email).await.code();
    browser.fill("Verification code", &wrong_code(&code)).await;
    browser.click_button("Verify code").await;
    let said = wait_message(&browser, "code-error").await;
    assert!(said.starts_with("That code is not right"), "{said}");
    wait_focus(&browser, "code").await;

    press(&browser, &enabled_button(&browser, "Send new code").await).await;
    let again = mailbox.next_to(email).await.code();
    assert_ne!(again, code, "a new code");
    wait_focus(&browser, "code").await;
    assert_eq!(browser.value_of("Verification code").await, "");
    browser.close().await;
}

/// The last step of sign-up: New Password holding what its blur finds too short, then "Show
/// password" pressed; then, after "Create" showed every field's error, pressed again.
#[tokio::test]
async fn sign_up_password_step_clicks_land_while_errors_come_or_stay() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start(Some(&mailbox.url()));
    let browser = Browser::start().await;
    let email = "short.password@example.org";
    browser.goto(&format!("{}/signup", server.url)).await;
    browser.fill("Email Address", email).await;
    verify_email(&browser, &mailbox, email).await;
    let show = browser.wait_xpath("//input[@id='show-password']").await;
    type_into(&browser, "New Password", "abc").await;
    press(&browser, &show).await;
    wait_types(&browser, "text").await;
    wait_message(&browser, "new-password-error").await;

    browser.click_button("Create").await;
    wait_message(&browser, "surname-error").await;
    wait_focus(&browser, "new-password").await;
    press(&browser, &show).await;
    wait_types(&browser, "password").await;
    browser.close().await;
}
