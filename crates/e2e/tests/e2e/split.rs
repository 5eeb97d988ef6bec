//! One WASM per group of screens (issue 21, src/groups.rs): a cold load of `/` fetches the
//! sign-in group's WASM alone; "Sign up now" loads the page again with the sign-up group's
//! WASM; and the account page, reached by signing up, runs in the full app's WASM, each a
//! different file, which `public/boot.js` loads after a full page load.

use partner_login_e2e::flows::sign_up_from_email;
use partner_login_e2e::server::dist_dir;
use partner_login_e2e::{mail::Mailbox, Browser, TestServer};
use serde_json::Value;

/// The file name of the one `dist/` WASM whose name starts with `prefix` (`sign-in-`, the
/// sign-in group's; `sign-up-`, the sign-up group's; `partner-login-`, the full app's).
fn wasm_in_dist(prefix: &str) -> String {
    let names: Vec<String> = std::fs::read_dir(dist_dir())
        .expect("the built SPA")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && n.ends_with("_bg.wasm"))
        .collect();
    assert_eq!(names.len(), 1, "one {prefix}…_bg.wasm in dist/: {names:?}");
    names[0].clone()
}

/// The file names of every WASM the current document fetched (the browser's resource timing).
async fn wasm_fetched(browser: &Browser) -> Vec<String> {
    let names = browser
        .script(
            "return performance.getEntriesByType('resource').map(e => e.name)
                .filter(n => new URL(n).pathname.endsWith('.wasm'))
                .map(n => new URL(n).pathname.split('/').pop());",
            vec![],
        )
        .await;
    serde_json::from_value::<Vec<String>>(names).expect("a list of names")
}

#[tokio::test]
async fn each_group_loads_its_own_wasm_and_the_account_page_the_full_app() {
    let sign_in_wasm = wasm_in_dist("sign-in-");
    let sign_up_wasm = wasm_in_dist("sign-up-");
    let full_wasm = wasm_in_dist("partner-login-");
    assert_ne!(sign_in_wasm, full_wasm);
    assert_ne!(sign_up_wasm, full_wasm);
    assert_ne!(sign_in_wasm, sign_up_wasm);

    let mailbox = Mailbox::start().await;
    let server = TestServer::start(Some(&mailbox.url()));
    let browser = Browser::start().await;

    // A cold load of `/` fetches the sign-in group's WASM and nothing of the full app.
    browser.goto(&format!("{}/", server.url)).await;
    browser
        .wait_text("Sign in with your existing account")
        .await;
    assert_eq!(
        wasm_fetched(&browser).await,
        std::slice::from_ref(&sign_in_wasm)
    );

    // "Sign up now" leaves the sign-in group: the page is loaded again, and boot.js loads the
    // sign-up group's WASM alone.
    browser
        .script("window.__sameDocument = true; return null;", vec![])
        .await;
    browser
        .script(
            "document.querySelector('a[href$=\"/signup\"]').click(); return null;",
            vec![],
        )
        .await;
    browser.wait_path("/signup").await;
    browser.field("Email Address").await;
    assert_eq!(
        browser
            .script("return window.__sameDocument === undefined;", vec![])
            .await,
        Value::Bool(true),
        "sign-up is a new document"
    );
    assert_eq!(
        wasm_fetched(&browser).await,
        std::slice::from_ref(&sign_up_wasm)
    );
    browser
        .script("window.__sameDocument = true; return null;", vec![])
        .await;
    let email = "amina.diallo@example.org";
    browser.fill("Email Address", email).await;
    sign_up_from_email(&browser, &mailbox, email, ["Amina D.", "Amina", "Diallo"]).await;

    // "Create" goes to the account page: a route of the full app, so the page is loaded again
    // and boot.js loads the full app's WASM, which draws it.
    browser.wait_path("/portal").await;
    browser.wait_text("Amina D.").await;
    browser.button("Sign out").await;
    assert_eq!(
        browser
            .script("return window.__sameDocument === undefined;", vec![])
            .await,
        Value::Bool(true),
        "the account page is a new document"
    );
    assert_eq!(
        wasm_fetched(&browser).await,
        std::slice::from_ref(&full_wasm)
    );

    // A cold load of the account page loads the full app alone; of an invitation's link, the
    // sign-up group's alone.
    browser.goto(&format!("{}/portal", server.url)).await;
    browser.wait_text("Amina D.").await;
    assert_eq!(wasm_fetched(&browser).await, [full_wasm]);
    browser.goto(&format!("{}/invitation", server.url)).await;
    browser
        .wait_text("This invitation link is not valid.")
        .await;
    assert_eq!(wasm_fetched(&browser).await, [sign_up_wasm]);
    browser.close().await;
}
