//! One WASM per group of screens (issue 21, src/groups.rs): a cold load of `/` fetches the
//! sign-in group's WASM alone, and the account page, reached by signing up, runs in the full
//! app's WASM, a different file, which `public/boot.js` loads after a full page load.

use partner_login_e2e::flows::sign_up_from_email;
use partner_login_e2e::server::dist_dir;
use partner_login_e2e::{mail::Mailbox, Browser, TestServer};
use serde_json::Value;

/// The file name of the one `dist/` WASM whose name starts with `prefix` (`sign-in-`, the
/// sign-in group's; `partner-login-`, the full app's).
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
async fn the_sign_in_group_loads_its_own_wasm_and_the_account_page_the_full_app() {
    let sign_in_wasm = wasm_in_dist("sign-in-");
    let full_wasm = wasm_in_dist("partner-login-");
    assert_ne!(sign_in_wasm, full_wasm);

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

    // "Sign up now" stays in the sign-in group: the same document, no other WASM.
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
            .script("return window.__sameDocument === true;", vec![])
            .await,
        Value::Bool(true),
        "sign-up is drawn by the same document"
    );
    assert_eq!(
        wasm_fetched(&browser).await,
        std::slice::from_ref(&sign_in_wasm)
    );
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

    // A cold load of the account page loads the full app alone.
    browser.goto(&format!("{}/portal", server.url)).await;
    browser.wait_text("Amina D.").await;
    assert_eq!(wasm_fetched(&browser).await, [full_wasm]);
    browser.close().await;
}
