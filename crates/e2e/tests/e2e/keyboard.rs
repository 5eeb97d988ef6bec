//! The seed's sign-up, from the invitation link to the portal, with the keyboard alone (WCAG 2.2
//! SC 2.1.1 Keyboard, 2.4.3 Focus Order, 2.4.7 Focus Visible): only Tab, Shift+Tab, Enter, Space
//! and typing into whatever has the focus. Nothing is clicked and no field is filled by its
//! label. Where the product moves the focus itself (`pages/email_code.rs`: to the code field
//! once the code is sent, to New Password once it is verified), the test checks it did.

use fantoccini::key::Key;
use partner_login_e2e::flows::PASSPHRASE;
use partner_login_e2e::{mail::Mailbox, Browser, TestServer};

/// Sends `keys` to the focused element, as a person's keyboard would.
async fn press(browser: &Browser, keys: &str) {
    browser
        .client
        .active_element()
        .await
        .expect("active element")
        .send_keys(keys)
        .await
        .expect("keys");
}

/// Presses Tab (or Shift+Tab: `keys`) and returns what has the focus then (id and
/// description). Read at once, and rightly: chromedriver sends a key through the DevTools
/// protocol, which answers once the page has handled it, the browser's own focus move
/// included. (A Tab may also take the focus out of the page and leave it where it was, so
/// "until it moves" is no condition to wait for.) Where the product moves the focus itself, in
/// an animation frame, the test waits with [`wait_focus`].
async fn move_focus(browser: &Browser, keys: &str) -> (String, String) {
    press(browser, keys).await;
    browser.focused().await
}

/// Presses Tab until what has the focus has the id or text `target`, and returns how many
/// presses that took. Panics, listing every stop, after 30.
async fn tab_to(browser: &Browser, target: &str) -> usize {
    let mut stops = Vec::new();
    for presses in 1..=30 {
        let (id, description) = move_focus(browser, &Key::Tab).await;
        let text = browser
            .client
            .active_element()
            .await
            .expect("active element")
            .text()
            .await
            .expect("text");
        if id == target || text.trim() == target {
            assert_focus_visible(browser, target).await;
            return presses;
        }
        stops.push(description);
    }
    panic!("Tab never reached {target:?}; it stopped at {stops:?}");
}

/// The focused element shows the focus ring (SC 2.4.7): a solid outline of 2 CSS px or more.
async fn assert_focus_visible(browser: &Browser, what: &str) {
    browser
        .wait_until(
            || async {
                let v = browser
                    .script(
                        "const s = getComputedStyle(document.activeElement);
                         return [s.outlineStyle, parseFloat(s.outlineWidth)];",
                        vec![],
                    )
                    .await;
                match (v[0].as_str(), v[1].as_f64()) {
                    (Some("solid"), Some(width)) if width >= 2.0 => Ok(()),
                    _ => Err(format!("[outline-style, outline-width] {v}")),
                }
            },
            &format!("a visible focus ring on {what}"),
        )
        .await;
}

/// Waits until the focus is on the element `id` (the product moves it after a request), with
/// its focus ring.
async fn wait_focus(browser: &Browser, id: &str) {
    browser.wait_focus(id).await;
    assert_focus_visible(browser, id).await;
}

#[tokio::test]
async fn sign_up_with_the_keyboard_alone() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start(Some(&mailbox.url()));
    let email = "keyboard.only@example.org";
    let link = server
        .invite(email, "Sahel Relief Network", Some("Fatou Ndiaye"))
        .await;
    let _invitation = mailbox.next_to(email).await;

    let browser = Browser::start().await;
    browser.goto(&link).await;
    browser.wait_text("Sahel Relief Network").await;

    // The invitation: Tab to "Sign up now", Enter.
    tab_to(&browser, "Sign up now").await;
    press(&browser, &Key::Enter).await;
    browser.wait_path("/signup").await;
    browser
        .wait_text("Verification is necessary. Please click Send button.")
        .await;

    // The invited address is filled in; Tab to "Send verification code" (through the address
    // field), Enter. The product then puts the focus in the code field.
    tab_to(&browser, "email").await;
    assert_eq!(
        tab_to(&browser, "Send verification code").await,
        1,
        "the button follows the address"
    );
    press(&browser, &Key::Enter).await;
    browser
        .wait_text(
            "Verification code has been sent to your inbox. Please copy it to the input box below.",
        )
        .await;
    wait_focus(&browser, "code").await;

    // Type the emailed code where the focus is; "Verify code" is next: Space presses it. The
    // product then puts the focus on New Password.
    let code = mailbox.next_to(email).await.code();
    press(&browser, &code).await;
    assert_eq!(tab_to(&browser, "Verify code").await, 1);
    press(&browser, &Key::Space).await;
    browser
        .wait_text("E-mail address verified. You can now continue.")
        .await;
    wait_focus(&browser, "new-password").await;

    // The account form, in reading order: New Password, "Show password", Confirm New
    // Password, Display Name, Given Name, Surname, "Create".
    press(&browser, PASSPHRASE).await;
    assert_eq!(tab_to(&browser, "show-password").await, 1);
    assert_eq!(tab_to(&browser, "confirm-password").await, 1);
    press(&browser, PASSPHRASE).await;
    assert_eq!(tab_to(&browser, "display-name").await, 1);
    press(&browser, "Amina D.").await;
    assert_eq!(tab_to(&browser, "given-name").await, 1);
    // Shift+Tab goes back the same way.
    assert_eq!(
        move_focus(&browser, &(Key::Shift + &Key::Tab)).await.0,
        "display-name"
    );
    assert_eq!(move_focus(&browser, &Key::Tab).await.0, "given-name");
    press(&browser, "Amina").await;
    assert_eq!(tab_to(&browser, "surname").await, 1);
    press(&browser, "Diallo").await;
    assert_eq!(tab_to(&browser, "Create").await, 1);
    press(&browser, &Key::Enter).await;

    // Signed in on the portal, greeted by name.
    browser.wait_path("/portal").await;
    browser.wait_text("Amina D.").await;
    browser
        .wait_text_in("organization", "Sahel Relief Network")
        .await;
    browser.close().await;
}
