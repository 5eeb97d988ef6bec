//! One build for any CDN, any base path, any API origin (issue 9): the SPA built with
//! `--public-url /login/` on a plain static file server, the backend on another origin.

use partner_login_e2e::flows::sign_up_from_email;
use partner_login_e2e::server::dist_login_dir;
use partner_login_e2e::{mail::Mailbox, Browser, StaticSite, TestServer};
use serde_json::json;

/// The SPA under /login/ of a static site whose config.json points at `api` (the backend).
async fn spa_on_a_cdn() -> StaticSite {
    StaticSite::spa(&dist_login_dir(), "/login/").await
}

fn point_at(site: &StaticSite, backend: &TestServer) {
    let config = json!({ "api_base": format!("{}/api", backend.url) });
    std::fs::write(site.dir.join("config.json"), config.to_string()).expect("config.json");
}

#[tokio::test]
async fn the_seed_flow_passes_with_the_spa_under_a_base_path_on_another_origin() {
    let mailbox = Mailbox::start().await;
    let cdn = spa_on_a_cdn().await;
    let server = TestServer::start_with(
        Some(&mailbox.url()),
        &[
            ("CORS_ALLOWED_ORIGINS", cdn.origin.as_str()),
            ("PUBLIC_URL", &format!("{}/login", cdn.origin)),
        ],
    );
    point_at(&cdn, &server);
    let email = "nadia.haddad@example.org";
    let link = server.invite(email, "Jordan Valley Aid", None).await;
    assert!(
        link.starts_with(&format!("{}/login/invitation#", cdn.origin)),
        "{link}"
    );
    let _invitation = mailbox.next_to(email).await;

    let browser = Browser::start().await;
    browser.goto(&link).await;
    browser.wait_text("Jordan Valley Aid").await;
    browser.click_button("Sign up now").await;
    browser.wait_path("/login/signup").await;
    browser.wait_value("Email Address", email).await;
    sign_up_from_email(&browser, &mailbox, email, ["Nadia H.", "Nadia", "Haddad"]).await;
    browser.wait_path("/login/portal").await;
    browser.wait_text("Nadia H.").await;
    browser.wait_text("Jordan Valley Aid").await;

    // The session cookie of the API's origin works across the two origins of one site: a
    // reload of the portal (a client route, served by the fallback rule) is still signed in.
    browser.goto(&format!("{}/login/portal", cdn.origin)).await;
    browser.wait_text("Nadia H.").await;
    browser.close().await;
}

/// The language files are fetched beside index.html under the base path, from the CDN (issue
/// 21: only English is in the WASM); the reader's, once, by `boot.js` beside the WASM, the
/// WASM taking that fetch (docs/first-load-levers.md).
#[tokio::test]
async fn a_language_file_comes_from_under_the_base_path() {
    let cdn = spa_on_a_cdn().await;
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/login/?lang=fr", cdn.origin))
        .await;
    browser
        .wait_text("Connectez-vous avec votre compte existant")
        .await;
    let fetched = browser
        .script(
            "return performance.getEntriesByType('resource').map(e => e.name)\
                .filter(n => n.includes('.json?v='));",
            vec![],
        )
        .await;
    let fetched: Vec<String> = serde_json::from_value(fetched).expect("a list of URLs");
    assert_eq!(fetched.len(), 1, "{fetched:?}");
    assert!(
        fetched[0].starts_with(&format!("{}/login/fr.json?v=", cdn.origin)),
        "{fetched:?}"
    );
    let before_the_wasm_arrived = browser
        .script(
            "const all = performance.getEntriesByType('resource');\
             const words = all.find(e => e.name.includes('.json?v='));\
             return words.startTime < all.find(e => e.name.endsWith('.wasm')).responseEnd;",
            vec![],
        )
        .await;
    assert_eq!(before_the_wasm_arrived, true);
    browser.close().await;
}

#[tokio::test]
async fn a_missing_or_broken_config_says_so_on_the_page() {
    let cdn = spa_on_a_cdn().await;
    std::fs::remove_file(cdn.dir.join("config.json")).expect("config.json removed");
    let browser = Browser::start().await;
    browser.goto(&format!("{}/login/", cdn.origin)).await;
    browser
        .wait_text("This sign-in page is not set up: its configuration file (config.json) cannot be found.")
        .await;
    // Not JSON, as the browser's JSON.parse reads it (issue 21: src/json.rs), then JSON that is
    // not a configuration: the page says so, and shows the reason for the operator.
    // Each version of the file a second newer than the last: the static host answers a
    // revalidation by `Last-Modified`, to the second, and two writes within one second would
    // get `304 Not Modified` and the first text again.
    let written = std::time::SystemTime::now();
    for (n, (text, reason)) in [
        ("{\"api_base\": ", "JSON"),
        ("{\"apibase\": \"/api\"}", "unknown field `apibase`"),
        // The value quoted as written: the release WASM prints no `{:?}` (-Zfmt-debug=none,
        // xtask/src/serve.rs), so the message quotes it with `Quoted`.
        (
            "{\"api_base\": \"ftp://api.example.org\"}",
            "not \"ftp://api.example.org\"",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let path = cdn.dir.join("config.json");
        std::fs::write(&path, text).expect("config.json");
        let newer = written + std::time::Duration::from_secs(2 * (n as u64 + 1));
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(newer))
            .expect("config.json's time");
        browser.goto(&format!("{}/login/", cdn.origin)).await;
        browser
            .wait_text("This sign-in page is not set up correctly: its configuration file (config.json) cannot be read.")
            .await;
        browser.wait_text(reason).await;
    }
    browser.close().await;
}

/// `boot.js` starts `config.json`'s fetch beside the WASM's, and the WASM takes that fetch
/// instead of making its own after it starts (issue 21, docs/first-load-levers.md): the file
/// is fetched once per load, before the WASM has arrived, and a broken file still shows the
/// configuration error page (the checks of src/deployment.rs `load`, on boot.js's response).
#[tokio::test]
async fn boot_js_fetches_the_config_beside_the_wasm_and_the_wasm_takes_it() {
    let cdn = spa_on_a_cdn().await;
    std::fs::write(cdn.dir.join("config.json"), "{\"api_base\": ").expect("config.json");
    let browser = Browser::start().await;
    browser.goto(&format!("{}/login/", cdn.origin)).await;
    browser
        .wait_text("This sign-in page is not set up correctly: its configuration file (config.json) cannot be read.")
        .await;
    let timing = browser
        .script(
            "const all = performance.getEntriesByType('resource');\
             const config = all.filter(e => new URL(e.name).pathname === '/login/config.json');\
             const wasm = all.find(e => e.name.endsWith('.wasm'));\
             return { fetches: config.length, started: config[0].startTime, wasm: wasm.responseEnd };",
            vec![],
        )
        .await;
    assert_eq!(timing["fetches"], 1, "{timing}");
    let started = timing["started"].as_f64().expect("config.json's start");
    let wasm = timing["wasm"].as_f64().expect("the WASM's end");
    assert!(
        started < wasm,
        "config.json is fetched before the WASM has arrived: {timing}"
    );
    browser.close().await;
}

/// A `fetch` with credentials and the CSRF header from the current page; "status N" when the
/// page could read the answer, "blocked" when CORS kept it from the page.
async fn call_api_from_page(browser: &Browser, api: &str) -> String {
    let script = r#"
        const [url, done] = arguments;
        fetch(url, {
            method: 'POST', credentials: 'include',
            headers: {'content-type': 'application/json', 'x-requested-with': 'partner-login'},
            body: JSON.stringify({email: 'x@example.org', password: 'not the password'}),
        }).then(r => done('status ' + r.status), () => done('blocked'));
    "#;
    let result = browser
        .client
        .execute_async(script, vec![json!(format!("{api}/session"))])
        .await
        .expect("the script runs");
    result.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn only_listed_origins_can_call_the_api() {
    let listed = StaticSite::pages(&[("/", "<!DOCTYPE html><title>listed</title>".into())]).await;
    let other = StaticSite::pages(&[("/", "<!DOCTYPE html><title>other</title>".into())]).await;
    let server = TestServer::start_with(None, &[("CORS_ALLOWED_ORIGINS", listed.origin.as_str())]);
    let api = format!("{}/api", server.url);
    let browser = Browser::start().await;

    browser.goto(&format!("{}/", listed.origin)).await;
    assert_eq!(call_api_from_page(&browser, &api).await, "status 401");

    browser.goto(&format!("{}/", other.origin)).await;
    assert_eq!(call_api_from_page(&browser, &api).await, "blocked");
    browser.close().await;
}

fn framing_page(src: &str) -> String {
    format!("<!DOCTYPE html><title>portal</title><iframe src=\"{src}\" width=\"800\" height=\"700\"></iframe>")
}

/// The URL the first frame of the page shows, once it has loaded something; the browser is left
/// in that frame.
async fn framed_url(browser: &Browser) -> String {
    browser
        .wait_until(
            || async {
                browser
                    .client
                    .enter_frame(0)
                    .await
                    .map_err(|e| format!("no frame: {e}"))?;
                let url = browser
                    .client
                    .execute("return document.URL", vec![])
                    .await
                    .map_err(|e| e.to_string())
                    .map(|v| v.as_str().unwrap_or_default().to_owned());
                match url {
                    Ok(url) if !url.is_empty() && url != "about:blank" => Ok(url),
                    seen => {
                        browser.client.enter_parent_frame().await.expect("back");
                        Err(format!("{seen:?}"))
                    }
                }
            },
            "the frame to load a page",
        )
        .await
}

#[tokio::test]
async fn the_page_may_be_framed_by_frame_ancestors_only() {
    // Two sites with the same page framing the sign-in page; only the first is listed.
    let portal = StaticSite::pages(&[("/", String::new())]).await;
    let stranger = StaticSite::pages(&[("/", String::new())]).await;
    let server = TestServer::start_with(None, &[("FRAME_ANCESTORS", portal.origin.as_str())]);
    let page = framing_page(&format!("{}/", server.url));
    portal.set_page("/", &page);
    stranger.set_page("/", &page);
    let browser = Browser::start().await;

    browser.goto(&format!("{}/", portal.origin)).await;
    let url = framed_url(&browser).await;
    assert!(url.starts_with(&server.url), "{url}");
    browser
        .wait_text("Sign in with your existing account")
        .await;
    browser.client.enter_parent_frame().await.expect("back");

    browser.goto(&format!("{}/", stranger.origin)).await;
    let url = framed_url(&browser).await;
    assert!(
        url.starts_with("chrome-error://"),
        "the browser refused to show the page in the frame: {url}"
    );
    browser.close().await;
}
