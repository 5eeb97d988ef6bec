//! The seed's sign-up, from the invitation link to the portal, with the keyboard alone (WCAG 2.2
//! SC 2.1.1 Keyboard, 2.4.3 Focus Order, 2.4.7 Focus Visible): only Tab, Shift+Tab, Enter, Space
//! and typing into whatever has the focus. Nothing is clicked and no field is filled by its
//! label. Where the product moves the focus itself (`pages/email_code.rs`: to the code field
//! once the code is sent, to New Password once it is verified), the test checks it did.

use fantoccini::key::Key;
use partner_login_e2e::flows::PASSPHRASE;
use partner_login_e2e::{mail::Mailbox, Browser, TestServer, WAIT};
use std::time::{Duration, Instant};

/// What has the focus: its id and its visible text (a button's or a link's label).
async fn focused(browser: &Browser) -> (String, String) {
    let el = browser
        .client
        .active_element()
        .await
        .expect("active element");
    let id = el.attr("id").await.expect("id").unwrap_or_default();
    let text = el.text().await.expect("text").trim().to_owned();
    (id, text)
}

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

/// Presses Tab until what has the focus has the id or text `target`, and returns how many
/// presses that took. Panics, listing every stop, after 30.
async fn tab_to(browser: &Browser, target: &str) -> usize {
    let mut stops = Vec::new();
    for presses in 1..=30 {
        press(browser, &Key::Tab).await;
        let (id, text) = focused(browser).await;
        if id == target || text == target {
            assert_focus_visible(browser, target).await;
            return presses;
        }
        stops.push(if id.is_empty() {
            text
        } else {
            format!("#{id}")
        });
    }
    panic!("Tab never reached {target:?}; it stopped at {stops:?}");
}

/// The focused element shows the focus ring (SC 2.4.7): a solid outline of 2 CSS px or more.
async fn assert_focus_visible(browser: &Browser, what: &str) {
    let v = browser
        .client
        .execute(
            "const s = getComputedStyle(document.activeElement);
             return [s.outlineStyle, parseFloat(s.outlineWidth)];",
            vec![],
        )
        .await
        .expect("a script runs");
    assert!(
        v[0] == "solid" && v[1].as_f64().unwrap_or(0.0) >= 2.0,
        "{what} has the focus but no visible focus ring: {v}"
    );
}

/// Waits until the focus is on the element `id` (the product moves it after a request).
async fn wait_focus(browser: &Browser, id: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let (now, text) = focused(browser).await;
        if now == id {
            assert_focus_visible(browser, id).await;
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the focus stayed on #{now} {text:?} instead of moving to #{id}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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
    press(&browser, &(Key::Shift + &Key::Tab)).await;
    assert_eq!(focused(&browser).await.0, "display-name");
    press(&browser, &Key::Tab).await;
    assert_eq!(focused(&browser).await.0, "given-name");
    press(&browser, "Amina").await;
    assert_eq!(tab_to(&browser, "surname").await, 1);
    press(&browser, "Diallo").await;
    assert_eq!(tab_to(&browser, "Create").await, 1);
    press(&browser, &Key::Enter).await;

    // Signed in on the portal, greeted by name.
    browser.wait_path("/portal").await;
    browser.wait_text("Amina D.").await;
    let organization = browser.wait_xpath("//*[@id='organization']").await;
    assert!(organization
        .text()
        .await
        .expect("text")
        .contains("Sahel Relief Network"));
    browser.close().await;
}
