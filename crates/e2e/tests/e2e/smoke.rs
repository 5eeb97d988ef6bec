//! The SPA loads, its WASM runs, and the sign-in screen of the seed (step 2) is drawn.

use partner_login_e2e::{Browser, TestServer};

#[tokio::test]
async fn sign_in_screen_renders_from_the_wasm() {
    let server = TestServer::start(None);
    let browser = Browser::start().await;
    browser.goto(&format!("{}/", server.url)).await;
    // `goto` waits until the app has replaced index.html's static shell (issue 21): what is
    // read below is the WASM's.
    browser
        .wait_text("Sign in with your existing account")
        .await;
    browser.field("Email Address").await;
    browser.field("Password").await;
    browser.button("Sign in").await;
    browser.wait_text("Forgot your password?").await;
    browser.close().await;
}
