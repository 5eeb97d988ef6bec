//! The static sign-in shell of the built `index.html` (issue 21): the sign-in heading and form
//! paint before the WASM arrives, never submit, hide where another screen or language is
//! coming, and what is typed into them is the app's once it takes over.

use partner_login_e2e::server::{dist_dir, dist_login_dir};
use partner_login_e2e::{Browser, StaticSite, TestServer};
use serde_json::{json, Value};
use std::path::Path;

const HEADING: &str = "Sign in with your existing account";

/// A copy of the release SPA with `index.html` edited by `edit` and the files for which `drop`
/// holds removed (with every precompressed `.br`/`.gz` of them and of `index.html`).
fn dist_copy(
    from: &Path,
    edit: impl Fn(&str) -> String,
    drop: impl Fn(&str) -> bool,
) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    for entry in std::fs::read_dir(from).expect("the built SPA") {
        let entry = entry.expect("a file");
        let name = entry.file_name().to_string_lossy().into_owned();
        let plain = name
            .strip_suffix(".br")
            .or_else(|| name.strip_suffix(".gz"))
            .unwrap_or(&name);
        if drop(plain) || (plain == "index.html" && plain != name) {
            continue;
        }
        std::fs::copy(entry.path(), tmp.path().join(&name)).expect("a copy");
    }
    let index = tmp.path().join("index.html");
    let text = std::fs::read_to_string(&index).expect("index.html");
    assert!(
        text.contains("pl-shell"),
        "{} has no shell: built by `cargo xtask dist`?",
        from.display()
    );
    std::fs::write(&index, edit(&text)).expect("index.html");
    tmp
}

/// The SPA without its WASM: only the static shell can show anything.
fn without_wasm(from: &Path) -> tempfile::TempDir {
    dist_copy(from, str::to_owned, |name| name.ends_with(".wasm"))
}

/// What the shell shows: `[shown, heading, email shown, password shown, button shown]`.
async fn shell_state(browser: &Browser) -> Value {
    browser
        .script(
            "const s = document.getElementById('pl-shell');
             const shown = (sel) => { const e = s && s.querySelector(sel);
               return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility === 'visible'; };
             return [!!s && s.getClientRects().length > 0,
                     s ? s.querySelector('h1').textContent : null,
                     shown('#email'), shown('#password'), shown('button[type=submit]')];",
            vec![],
        )
        .await
}

/// Where the heading, the fields and the button are drawn (x, y, width, height), in the shell
/// while it is there, else in the app.
async fn layout(browser: &Browser) -> Value {
    browser
        .script(
            "const root = document.getElementById('pl-shell') || document.querySelector('main');
             return ['h1', '#email', '#password', 'button[type=submit]'].map((sel) => {
               const r = root.querySelector(sel).getBoundingClientRect();
               return [r.x, r.y, r.width, r.height].map(Math.round);
             });",
            vec![],
        )
        .await
}

async fn type_into_shell(browser: &Browser, id: &str, text: &str) {
    let field = browser
        .client
        .find(fantoccini::Locator::Css(&format!("#pl-shell #{id}")))
        .await
        .expect("the shell's field");
    field.send_keys(text).await.expect("typing");
}

async fn shell_values(browser: &Browser) -> Value {
    browser
        .script(
            "const s = document.getElementById('pl-shell');
             return [location.href, s.querySelector('#email').value, s.querySelector('#password').value];",
            vec![],
        )
        .await
}

#[tokio::test]
async fn the_shell_paints_without_the_wasm_never_submits_and_hides_for_other_screens() {
    let dist = without_wasm(&dist_dir());
    let dir = dist.path().display().to_string();
    // The real server: its CSP (script-src 'self', no inline) applies to the shell too.
    let server = TestServer::start_with(None, &[("STATIC_DIR", dir.as_str())]);
    let browser = Browser::start().await;
    let home = format!("{}/", server.url);
    browser.goto_static(&home).await;
    browser
        .wait_script(
            "const s = document.getElementById('pl-shell'); return !!s && s.getClientRects().length > 0;",
            vec![],
            json!(true),
            "the shell to be shown",
        )
        .await;
    assert_eq!(
        shell_state(&browser).await,
        json!([true, HEADING, true, true, true])
    );
    // WCAG 2.2 A/AA on the shell as it first paints.
    browser.assert_accessible("the static sign-in shell").await;

    // Neither the button nor Enter sends the form anywhere (ASVS 5.0 V14.2.1: no password in
    // a URL): the page stays, with what was typed.
    type_into_shell(&browser, "email", "early@example.org").await;
    type_into_shell(&browser, "password", "secret typed early").await;
    let button = browser
        .client
        .find(fantoccini::Locator::Css("#pl-shell button[type=submit]"))
        .await
        .expect("the shell's button");
    button.click().await.expect("click");
    type_into_shell(&browser, "password", "\u{E007}").await;
    let expected = json!([home, "early@example.org", "secret typed early"]);
    assert_eq!(shell_values(&browser).await, expected);

    // Another screen, or another language (`?lang=`, a stored choice): no English sign-in.
    for (path, what) in [("/signup", "the sign-up route"), ("/?lang=fr", "?lang=fr")] {
        browser.goto_static(&format!("{}{path}", server.url)).await;
        assert_eq!(shell_state(&browser).await[0], json!(false), "{what}");
    }
    browser
        .script(
            "sessionStorage.setItem('partner-login.lang', 'ar');",
            vec![],
        )
        .await;
    browser.goto_static(&home).await;
    assert_eq!(
        shell_state(&browser).await[0],
        json!(false),
        "a stored choice"
    );
    browser.close().await;

    // A browser in Arabic: the shell does not show English before the app's Arabic.
    let browser = Browser::start_with_lang("ar").await;
    browser.goto_static(&home).await;
    assert_eq!(
        shell_state(&browser).await[0],
        json!(false),
        "navigator.language ar"
    );
    browser.close().await;
}

#[tokio::test]
async fn what_is_typed_before_the_take_over_stays_with_the_focus() {
    // The app waits for the test: boot.js's element points at a missing file, and the test
    // starts the real one after typing.
    let dist = dist_copy(
        &dist_dir(),
        |index| {
            let held = index.replacen("/boot.js", "/boot-held.js", 1);
            assert_ne!(held, index, "index.html loads boot.js");
            held
        },
        |_| false,
    );
    let dir = dist.path().display().to_string();
    let server = TestServer::start_with(None, &[("STATIC_DIR", dir.as_str())]);
    let browser = Browser::start().await;
    browser.goto_static(&format!("{}/", server.url)).await;
    type_into_shell(&browser, "email", "early@example.org").await;
    type_into_shell(&browser, "password", "typed before the app").await;
    let before = layout(&browser).await;
    // The caret in the middle of the password: it stays there (an email field has no caret
    // position to read).
    browser
        .script(
            "document.querySelector('#pl-shell #password').setSelectionRange(5, 5);",
            vec![],
        )
        .await;
    browser
        .script(
            "const held = document.querySelector('script[src$=\"boot-held.js\"]');
             const s = document.createElement('script');
             s.src = held.src.replace('boot-held.js', 'boot.js');
             s.dataset.js = held.dataset.js;
             s.dataset.wasm = held.dataset.wasm;
             document.head.append(s);",
            vec![],
        )
        .await;
    browser
        .wait_script(
            "return document.getElementById('pl-shell') === null;",
            vec![],
            json!(true),
            "the app to take over",
        )
        .await;
    browser
        .wait_value("Email Address", "early@example.org")
        .await;
    browser.wait_value("Password", "typed before the app").await;
    browser.wait_focus("password").await;
    // The same markup and CSS: nothing moved (no layout shift at the take-over).
    assert_eq!(
        layout(&browser).await,
        before,
        "the layout after the take-over"
    );
    let caret = browser
        .script("return document.activeElement.selectionStart;", vec![])
        .await;
    assert_eq!(caret, json!(5), "the caret");
    // The app's own state has them: signing in sends them (no "required" message), and the
    // server refuses an account that does not exist.
    browser.click_button("Sign in").await;
    browser
        .wait_text_in(
            "form-error",
            "The email address or the password is not right.",
        )
        .await;
    browser.close().await;
}

#[tokio::test]
async fn the_shell_under_a_base_path_links_there_and_hides_on_other_routes() {
    let dist = without_wasm(&dist_login_dir());
    let cdn = StaticSite::spa(dist.path(), "/login/").await;
    let browser = Browser::start().await;
    browser.goto_static(&format!("{}/login/", cdn.origin)).await;
    assert_eq!(
        shell_state(&browser).await,
        json!([true, HEADING, true, true, true])
    );
    let links = browser
        .script(
            "return [...document.querySelectorAll('#pl-shell a')].map(a => a.getAttribute('href'));",
            vec![],
        )
        .await;
    assert_eq!(links, json!(["/login/forgot", "/login/signup"]));
    browser
        .goto_static(&format!("{}/login/signup", cdn.origin))
        .await;
    assert_eq!(shell_state(&browser).await[0], json!(false));
    // The sign-up shell shows there (shell.js reads the base path from its own URL).
    assert_eq!(signup_shell_state(&browser).await[0], json!(true));
    browser.close().await;
}

/// What the sign-up shell shows: `[shown, sign-in shell shown, heading, email shown, status]`.
async fn signup_shell_state(browser: &Browser) -> Value {
    browser
        .script(
            "const shown = (e) => !!e && e.getClientRects().length > 0;
             const s = document.getElementById('pl-shell-signup');
             const email = s && s.querySelector('#pl-su-email');
             return [shown(s), shown(document.getElementById('pl-shell')),
                     s ? s.querySelector('h1').textContent : null,
                     shown(email) && document.querySelector('label[for=pl-su-email]').textContent,
                     s ? s.querySelector('#pl-su-status').textContent : null];",
            vec![],
        )
        .await
}

#[tokio::test]
async fn the_sign_up_shell_paints_on_signup_only_and_hands_over_what_was_typed() {
    let dist = without_wasm(&dist_dir());
    let dir = dist.path().display().to_string();
    let server = TestServer::start_with(None, &[("STATIC_DIR", dir.as_str())]);
    let browser = Browser::start().await;
    let signup = format!("{}/signup", server.url);
    browser.goto_static(&signup).await;
    assert_eq!(
        signup_shell_state(&browser).await,
        json!([
            true,
            false,
            "Sign up",
            "Email Address",
            "Verification is necessary. Please click Send button."
        ])
    );
    // WCAG 2.2 A/AA on the sign-up shell as it first paints (no id twice in the page: its
    // ids carry a prefix).
    browser.assert_accessible("the static sign-up shell").await;
    let button = browser
        .client
        .find(fantoccini::Locator::Css(
            "#pl-shell-signup button[type=submit]",
        ))
        .await
        .expect("the shell's button");
    button.click().await.expect("click");
    assert_eq!(
        browser.script("return location.href;", vec![]).await,
        json!(signup),
        "the shell's form does not submit"
    );
    // The sign-in screen, another language: no sign-up shell.
    for (path, what) in [("/", "the sign-in route"), ("/signup?lang=fr", "?lang=fr")] {
        browser.goto_static(&format!("{}{path}", server.url)).await;
        assert_eq!(
            signup_shell_state(&browser).await[0],
            json!(false),
            "{what}"
        );
    }
    browser.close().await;
    let browser = Browser::start_with_lang("ar").await;
    browser.goto_static(&signup).await;
    assert_eq!(
        signup_shell_state(&browser).await[0],
        json!(false),
        "navigator.language ar"
    );
    browser.close().await;

    // Typed before the app (held, as above): the app's field has it, with the focus.
    let dist = dist_copy(
        &dist_dir(),
        |index| index.replacen("/boot.js", "/boot-held.js", 1),
        |_| false,
    );
    let dir = dist.path().display().to_string();
    let server = TestServer::start_with(None, &[("STATIC_DIR", dir.as_str())]);
    let browser = Browser::start().await;
    browser.goto_static(&format!("{}/signup", server.url)).await;
    let field = browser
        .client
        .find(fantoccini::Locator::Css("#pl-shell-signup #pl-su-email"))
        .await
        .expect("the sign-up shell's field");
    field.send_keys("early@example.org").await.expect("typing");
    browser
        .script(
            "const held = document.querySelector('script[src$=\"boot-held.js\"]');
             const s = document.createElement('script');
             s.src = held.src.replace('boot-held.js', 'boot.js');
             Object.assign(s.dataset, held.dataset);
             document.head.append(s);",
            vec![],
        )
        .await;
    browser
        .wait_script(
            "return !document.getElementById('pl-shell-signup') && !document.getElementById('pl-shell');",
            vec![],
            json!(true),
            "the app to take over",
        )
        .await;
    browser
        .wait_value("Email Address", "early@example.org")
        .await;
    browser.wait_focus("email").await;
    browser.close().await;
}
