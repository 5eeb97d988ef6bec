//! A picture of every screen (issue 22): one walk through every screen and state of the SPA
//! ([`walk`]), in one browser session per language, and [`Shots`], which takes each state at
//! 360 and 1280 CSS px wide as it passes and writes `docs/screens.md`.
//!
//! The pictures go to `docs/screens/<branding>/<lang>-<width>/<nn>-<screen>-<state>.png` when
//! `UPDATE_SCREENS=1`, else to `target/screens/…` (CI takes them too, without touching the
//! tree). Each picture is the whole page (the window grown to the page's height), at a device
//! pixel ratio of 1, with nothing focused and the pointer in the top-left corner (no caret, no
//! focus ring, no hover colour), once the fonts are loaded: the same build gives the same
//! pixels, so a visual change shows in a diff. The one thing that changes from run to run is the
//! invitation's expiry date (the day the pictures were taken, plus its validity).

use crate::{mail::Mailbox, Browser, StaticSite, TestServer};
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The widths every state is taken at, in CSS px: a small phone, a laptop.
pub const WIDTHS: [u32; 2] = [360, 1280];
/// The window's height before it grows to the page's.
const HEIGHT: u32 = 720;

/// One state of one screen: its place in the walk (`nn`, the file's prefix), the screen and
/// state as the file names them, and what it shows (the heading in `docs/screens.md` and the
/// start of each picture's alternative text).
pub struct State {
    pub nn: u8,
    pub screen: &'static str,
    pub state: &'static str,
    pub shows: &'static str,
}

const fn state(nn: u8, screen: &'static str, state: &'static str, shows: &'static str) -> State {
    State {
        nn,
        screen,
        state,
        shows,
    }
}

pub const SIGN_IN: State = state(1, "sign-in", "empty", "Sign-in, as it opens");
pub const SIGN_IN_EMPTY: State = state(
    2,
    "sign-in",
    "submitted-empty",
    "Sign-in submitted empty: the error summary and each field's error",
);
pub const SIGN_IN_WRONG: State = state(
    3,
    "sign-in",
    "wrong-password",
    "Sign-in with a wrong password: the form's error",
);
pub const NOT_FOUND: State = state(4, "not-found", "page", "A page that does not exist");
pub const INVITATION_NEEDED: State = state(
    5,
    "invitation-needed",
    "page",
    "Social sign-in without an invitation: the invitation is needed",
);
pub const INVITATION_UNKNOWN: State = state(
    6,
    "invitation",
    "not-found",
    "An invitation link that is expired or unknown",
);
pub const INVITATION: State = state(
    7,
    "invitation",
    "valid",
    "A valid invitation: the organization, who invited, until when",
);
pub const SIGN_UP: State = state(
    8,
    "sign-up",
    "email",
    "Sign-up from the invitation: the invited address filled in",
);
pub const SIGN_UP_BAD_EMAIL: State = state(
    9,
    "sign-up",
    "invalid-email",
    "Sign-up with an address that is not an email address",
);
pub const SIGN_UP_CODE_SENT: State = state(
    10,
    "sign-up",
    "code-sent",
    "Sign-up, the code sent: the code field",
);
pub const SIGN_UP_WRONG_CODE: State = state(11, "sign-up", "wrong-code", "Sign-up, a wrong code");
pub const SIGN_UP_VERIFIED: State = state(
    12,
    "sign-up",
    "verified",
    "Sign-up, the address verified: the password and name form",
);
pub const SIGN_UP_MISMATCH: State = state(
    13,
    "sign-up",
    "passwords-differ",
    "Sign-up with two passwords that differ",
);
pub const PORTAL: State = state(14, "portal", "signed-in", "The account page, signed in");
pub const FORGOT: State = state(
    15,
    "forgot",
    "email",
    "Forgot password, from sign-in with the address typed",
);
pub const FORGOT_CODE_SENT: State =
    state(16, "forgot", "code-sent", "Forgot password, the code sent");
pub const FORGOT_VERIFIED: State = state(
    17,
    "forgot",
    "verified",
    "Forgot password, the address verified: the new password form",
);
pub const CONFIG_ERROR: State = state(
    18,
    "config-error",
    "page",
    "A deployment whose config.json is missing (no branding can apply)",
);

/// Every state, in the walk's order.
pub const STATES: [&State; 18] = [
    &SIGN_IN,
    &SIGN_IN_EMPTY,
    &SIGN_IN_WRONG,
    &NOT_FOUND,
    &INVITATION_NEEDED,
    &INVITATION_UNKNOWN,
    &INVITATION,
    &SIGN_UP,
    &SIGN_UP_BAD_EMAIL,
    &SIGN_UP_CODE_SENT,
    &SIGN_UP_WRONG_CODE,
    &SIGN_UP_VERIFIED,
    &SIGN_UP_MISMATCH,
    &PORTAL,
    &FORGOT,
    &FORGOT_CODE_SENT,
    &FORGOT_VERIFIED,
    &CONFIG_ERROR,
];

/// The languages pictured: (the browser's preferred language, the tag in file names).
pub const LANGS: [(&str, &str); 2] = [("en-US", "en"), ("ar", "ar")];

/// The brandings pictured: (the folder name, how `docs/screens.md` names it).
pub const BRANDINGS: [(&str, &str); 2] =
    [("default", "Default look"), ("sample", "Sample branding")];

/// The server's environment for a walk: no resend countdown, so that "Send new code" reads the
/// same in every picture (it counts down seconds otherwise).
pub const SERVER_ENV: [(&str, &str); 1] = [("RESEND_COOLDOWN_SECONDS", "0")];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The sample branding: `crates/e2e/brand/` (`config.json` and `logo.svg`).
pub fn sample_brand_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("brand")
}

/// The sample branding's `config.json`, as written.
pub fn sample_brand_text() -> String {
    let path = sample_brand_dir().join("config.json");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} cannot be read: {e}", path.display()))
}

/// The sample branding's `config.json`, parsed.
pub fn sample_brand_config() -> Value {
    serde_json::from_str(&sample_brand_text()).expect("crates/e2e/brand/config.json is JSON")
}

/// A copy of the release SPA (`PARTNER_LOGIN_DIST`) with the sample branding's `config.json`
/// and `logo.svg` beside `index.html`, as an operator deploys it. Serve it with
/// `TestServer::start_with(…, &[("STATIC_DIR", dir)])`.
pub fn branded_dist() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    copy_files(&crate::server::dist_dir(), tmp.path());
    copy_files(&sample_brand_dir(), tmp.path());
    tmp
}

fn copy_files(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("a file");
        if entry.file_type().expect("a file type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("a copy");
        }
    }
}

/// Whether the pictures are written into the repository (`UPDATE_SCREENS=1`).
pub fn updating() -> bool {
    std::env::var("UPDATE_SCREENS").is_ok_and(|v| v == "1")
}

/// Where the pictures go: `docs/screens` when updating, else `target/screens`.
pub fn out_dir() -> PathBuf {
    if updating() {
        root().join("docs/screens")
    } else {
        root().join("target/screens")
    }
}

/// The pictures of one branding, taken as the walk passes each state.
pub struct Shots {
    branding: &'static str,
    dir: PathBuf,
    lang: &'static str,
    pub taken: usize,
}

impl Shots {
    /// Starts the pictures of `branding` (a name of [`BRANDINGS`]): its folder is emptied, so a
    /// state no longer walked leaves no stale picture behind.
    pub fn new(branding: &'static str) -> Self {
        assert!(
            BRANDINGS.iter().any(|(b, _)| *b == branding),
            "{branding} is not among {BRANDINGS:?}"
        );
        let dir = out_dir().join(branding);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("the old pictures removed");
        }
        Self {
            branding,
            dir,
            lang: "en",
            taken: 0,
        }
    }

    /// The language of the pictures that follow (a tag of [`LANGS`]).
    pub fn set_lang(&mut self, lang: &'static str) {
        self.lang = lang;
    }

    /// Takes the current page at each of [`WIDTHS`], the whole page.
    pub async fn capture(&mut self, browser: &Browser, state: &State) {
        settle(browser).await;
        for width in WIDTHS {
            let png = full_page(browser, width).await;
            let dir = self.dir.join(format!("{}-{width}", self.lang));
            std::fs::create_dir_all(&dir).expect("the pictures' folder");
            let file = dir.join(file_name(state));
            std::fs::write(&file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            self.taken += 1;
        }
        browser
            .client
            .set_window_size(1280, HEIGHT)
            .await
            .expect("the window resizes");
    }

    /// Writes `screens.md` beside the pictures' folder from every picture there (this
    /// branding's and any other's taken before).
    pub fn finish(&self) {
        static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let out = out_dir();
        let md = markdown(&out, &sample_brand_text());
        let file = out.with_extension("md");
        std::fs::write(&file, md).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(self.taken > 0, "{}: no picture taken", self.branding);
    }
}

fn file_name(state: &State) -> String {
    format!("{:02}-{}-{}.png", state.nn, state.screen, state.state)
}

/// Nothing focused (no caret, no focus ring), the pointer off every control (no hover colour),
/// the fonts loaded and two frames drawn.
pub async fn settle(browser: &Browser) {
    browser
        .client
        .perform_actions(MouseActions::new("screens-mouse".to_owned()).then(
            PointerAction::MoveTo {
                duration: None,
                x: 0.0,
                y: 0.0,
            },
        ))
        .await
        .expect("the pointer moves");
    browser
        .client
        .execute_async(
            "const done = arguments[0];
             if (document.activeElement) document.activeElement.blur();
             document.fonts.ready.then(() =>
               requestAnimationFrame(() => requestAnimationFrame(() => done(true))));",
            vec![],
        )
        .await
        .expect("the page settles");
}

/// The page `width` CSS px wide, whole: the window grown to the page's height.
async fn full_page(browser: &Browser, width: u32) -> Vec<u8> {
    resize_viewport(browser, width, HEIGHT).await;
    let height = browser
        .script(CONTENT_HEIGHT, vec![])
        .await
        .as_u64()
        .and_then(|h| u32::try_from(h).ok())
        .expect("the page's height");
    if height > HEIGHT {
        resize_viewport(browser, width, height).await;
    }
    settle(browser).await;
    let png = browser.client.screenshot().await.expect("a screenshot");
    // A device pixel ratio of 1: the picture is as wide as the viewport.
    assert_eq!(
        png_width(&png),
        Some(width),
        "the picture is {width} px wide"
    );
    png
}

/// The height the page's content needs, in CSS px: the bottom of what is drawn (within
/// `main.page`, whose own height is at least the viewport's: its children and its padding; no
/// visually hidden element of 1 px), so that a taller window does not make a taller page.
const CONTENT_HEIGHT: &str = "
    let bottom = 0;
    const edge = (e) => { const r = e.getBoundingClientRect();
                          return r.height > 1 ? r.bottom : 0; };
    for (const e of document.body.children) {
      if (e.classList.contains('page')) {
        let inner = 0;
        for (const c of e.children) inner = Math.max(inner, edge(c));
        const style = getComputedStyle(e);
        bottom = Math.max(bottom, inner + parseFloat(style.paddingBottom)
                                        + parseFloat(style.borderBottomWidth));
      } else {
        bottom = Math.max(bottom, edge(e));
      }
    }
    return Math.ceil(bottom + window.scrollY);";

/// Sets the viewport (not the window) to `width` × `height` CSS px, and waits until it is.
async fn resize_viewport(browser: &Browser, width: u32, height: u32) {
    let measure = "return [window.innerWidth, window.innerHeight, window.devicePixelRatio];";
    let read = || async {
        browser
            .wait_until(
                || async {
                    let v = browser.script(measure, vec![]).await;
                    match (v[0].as_u64(), v[1].as_u64(), v[2].as_f64()) {
                        (Some(iw), Some(ih), Some(dpr)) => Ok((iw, ih, dpr)),
                        _ => Err(v.to_string()),
                    }
                },
                "the viewport's size",
            )
            .await
    };
    let asked = (u64::from(width), u64::from(height));
    let (mut w, mut h) = (width, height);
    for _ in 0..3 {
        let before = read().await;
        browser
            .client
            .set_window_size(w, h)
            .await
            .expect("the window resizes");
        // The page learns of the new size a moment later (on a loaded machine, several
        // frames): read it until it moved or is the size asked for (for at most 2 s) before
        // taking the difference for the window's frame to make up for.
        let settle = std::time::Instant::now() + std::time::Duration::from_secs(2);
        let seen = loop {
            let seen = read().await;
            let moved = (seen.0, seen.1) != (before.0, before.1);
            if moved || (seen.0, seen.1) == asked || std::time::Instant::now() >= settle {
                break seen;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        assert!(
            (seen.2 - 1.0).abs() < f64::EPSILON,
            "device pixel ratio {}",
            seen.2
        );
        if (seen.0, seen.1) == asked {
            return;
        }
        // The window's frame, if any: make the viewport itself the size asked for.
        w = (i64::from(w) + i64::from(width) - seen.0 as i64).max(1) as u32;
        h = (i64::from(h) + i64::from(height) - seen.1 as i64).max(1) as u32;
    }
    browser
        .fail(&format!("the viewport did not become {width}×{height}"))
        .await
}

/// The width in a PNG's IHDR chunk.
fn png_width(png: &[u8]) -> Option<u32> {
    let bytes: [u8; 4] = png.get(16..20)?.try_into().ok()?;
    png.starts_with(b"\x89PNG")
        .then(|| u32::from_be_bytes(bytes))
}

/// Waits until the input `id` holds `value`.
async fn wait_input_value(browser: &Browser, id: &str, value: &str) {
    browser
        .wait_script(
            "const e = document.getElementById(arguments[0]); return e ? e.value : null;",
            vec![json!(id)],
            json!(value),
            &format!("#{id} holding {value:?}"),
        )
        .await;
}

/// Walks every screen and state in the language `browser_lang` (a browser started with it, the
/// language the SPA picks), calling `visit` at each state of [`STATES`] as it passes; the
/// config-error screen (a site with no config.json) when `config_error`. The server must have
/// [`SERVER_ENV`] and send mail to `mailbox`; `tag` makes the walk's addresses its own.
pub async fn walk(
    server: &TestServer,
    mailbox: &Mailbox,
    browser_lang: &str,
    tag: &str,
    config_error: bool,
    visit: &mut impl AsyncFnMut(&Browser, &'static State),
) {
    use crate::flows::PASSPHRASE;
    // No scroll bar in the pictures (it would take 15 px of the width and show a page shorter
    // than the window as scrollable).
    let browser = Browser::start_with_args(browser_lang, &["--hide-scrollbars"]).await;
    browser
        .client
        .set_window_size(1280, HEIGHT)
        .await
        .expect("the window resizes");
    let email = format!("amina.{tag}@example.org");

    // Sign-in: as it opens, submitted empty, a wrong password.
    browser.goto(&format!("{}/", server.url)).await;
    browser.wait_xpath("//input[@id='password']").await;
    browser.wait_xpath("//h1").await;
    visit(&browser, &SIGN_IN).await;
    browser.submit(true).await;
    browser.wait_message("email-error").await;
    browser.wait_message("password-error").await;
    browser.wait_count("#error-summary li button", 2).await;
    visit(&browser, &SIGN_IN_EMPTY).await;
    browser.fill_id("email", "nobody.here@example.org").await;
    browser.fill_id("password", "not the password 1").await;
    browser.submit(true).await;
    browser.wait_message("form-error").await;
    browser
        .wait_gone("//*[@id='error-summary']", "the error summary to go")
        .await;
    visit(&browser, &SIGN_IN_WRONG).await;

    // Pages without a form.
    browser.goto(&format!("{}/no/such/page", server.url)).await;
    browser.wait_xpath("//h1").await;
    visit(&browser, &NOT_FOUND).await;
    browser
        .goto(&format!(
            "{}/social/invitation-needed#email=stranger%40elsewhere.example",
            server.url
        ))
        .await;
    browser.wait_text("stranger@elsewhere.example").await;
    visit(&browser, &INVITATION_NEEDED).await;
    browser
        .goto(&format!("{}/invitation#no-such-token", server.url))
        .await;
    browser.wait_message("form-error").await;
    visit(&browser, &INVITATION_UNKNOWN).await;

    // The invitation, then sign-up at each step.
    let link = server
        .invite(&email, "Sahel Relief Network", Some("Fatou Ndiaye"))
        .await;
    let _invitation = mailbox.next_to(&email).await;
    // From another page: the link differs from the unknown one by its fragment only, which
    // would not load the page again.
    browser.goto("about:blank").await;
    browser.goto(&link).await;
    browser.wait_text("Sahel Relief Network").await;
    browser.wait_xpath("//*[@id='invitation-expiry']").await;
    visit(&browser, &INVITATION).await;
    browser
        .wait_xpath("//a[contains(@class, 'primary')][contains(@href, 'signup')]")
        .await
        .click()
        .await
        .expect("click");
    browser.wait_path("/signup").await;
    wait_input_value(&browser, "email", &email).await;
    visit(&browser, &SIGN_UP).await;
    browser.fill_id("email", "not-an-email").await;
    browser.submit(true).await;
    browser.wait_message("email-error").await;
    visit(&browser, &SIGN_UP_BAD_EMAIL).await;
    browser.fill_id("email", &email).await;
    browser.submit(true).await;
    browser.wait_xpath("//input[@id='code']").await;
    browser
        .wait_xpath("//button[@id='resend'][not(@disabled)]")
        .await;
    visit(&browser, &SIGN_UP_CODE_SENT).await;
    let code = mailbox.next_to(&email).await.code();
    // A wrong code that is the same in every picture.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    browser.fill_id("code", wrong).await;
    browser.submit(true).await;
    browser.wait_message("code-error").await;
    visit(&browser, &SIGN_UP_WRONG_CODE).await;
    browser.fill_id("code", &code).await;
    browser.submit(true).await;
    browser
        .wait_xpath("//input[@id='new-password'][not(@disabled)]")
        .await;
    visit(&browser, &SIGN_UP_VERIFIED).await;
    browser.fill_id("new-password", PASSPHRASE).await;
    browser
        .fill_id("confirm-password", "a different passphrase 9")
        .await;
    browser.fill_id("display-name", "Amina D.").await;
    browser.fill_id("given-name", "Amina").await;
    browser.fill_id("surname", "Diallo").await;
    browser.submit(false).await;
    browser.wait_message("confirm-password-error").await;
    visit(&browser, &SIGN_UP_MISMATCH).await;
    browser.fill_id("confirm-password", PASSPHRASE).await;
    browser.submit(false).await;
    browser.wait_path("/portal").await;
    browser.wait_xpath("//*[@id='organization']").await;
    visit(&browser, &PORTAL).await;

    // Signed out ("Sign out", in any language), from sign-in's "Forgot your password?" link.
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
    wait_input_value(&browser, "email", &email).await;
    visit(&browser, &FORGOT).await;
    browser.submit(true).await;
    browser.wait_xpath("//input[@id='code']").await;
    browser
        .wait_xpath("//button[@id='resend'][not(@disabled)]")
        .await;
    visit(&browser, &FORGOT_CODE_SENT).await;
    let code = mailbox.next_to(&email).await.code();
    browser.fill_id("code", &code).await;
    browser.submit(true).await;
    browser
        .wait_xpath("//input[@id='new-password'][not(@disabled)]")
        .await;
    visit(&browser, &FORGOT_VERIFIED).await;

    if config_error {
        let site = StaticSite::spa(&crate::server::dist_dir(), "/").await;
        std::fs::remove_file(site.dir.join("config.json")).expect("config.json removed");
        browser.goto(&format!("{}/", site.origin)).await;
        browser.wait_message("form-error").await;
        visit(&browser, &CONFIG_ERROR).await;
    }
    browser.close().await;
}

/// `docs/screens.md`: a section per screen, a table per state (English and Arabic side by side;
/// a row per branding and width), from the pictures found under `out`.
pub fn markdown(out: &Path, sample: &str) -> String {
    let folder = out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("screens");
    let mut md = String::from(
        "# Every screen\n\n\
         <!-- Generated by crates/e2e/tests/e2e/screens.rs and branding.rs; do not edit. -->\n\n\
         Every screen and state of the sign-in page, in English and in Arabic (right to left), \
         360 and 1280 CSS px wide, with the default look and with a sample branding, taken by \
         the end-to-end tests from the current build (headless Chromium, whole page, device \
         pixel ratio 1). Click a picture for its full size.\n\n\
         Regenerate them (and this page) after a visible change, from the repository's root:\n\n\
         ```sh\n\
         UPDATE_SCREENS=1 cargo xtask test\n\
         ```\n\n\
         or, faster, only the end-to-end tests that take them (about a minute once the server and \
         the release SPA in `dist/` are built):\n\n\
         ```sh\n\
         cargo build -p partner-login-server && cargo xtask dist\n\
         cd crates/e2e && UPDATE_SCREENS=1 cargo test --test e2e -- screens:: branding::\n\
         ```\n\n\
         Without `UPDATE_SCREENS=1` the tests write the same pictures and page to \
         `target/screens/` and `target/screens.md`. The invitation's expiry date is the day the \
         pictures were taken; the resend countdown is off (`RESEND_COOLDOWN_SECONDS=0`) so that \
         \"Send new code\" reads the same in every picture.\n\n\
         The sample branding is `crates/e2e/brand/config.json`, with `logo.svg` beside it \
         (the README describes each key):\n\n```json\n",
    );
    md.push_str(sample.trim_end());
    md.push_str("\n```\n\n## Contents\n\n");
    let mut screens: Vec<&str> = Vec::new();
    for s in STATES {
        if !screens.contains(&s.screen) {
            screens.push(s.screen);
        }
    }
    for screen in &screens {
        md.push_str(&format!(
            "- [{}](#{})\n",
            screen_title(screen),
            anchor(screen)
        ));
    }
    for screen in &screens {
        md.push_str(&format!("\n## {}\n", screen_title(screen)));
        for s in STATES.iter().filter(|s| s.screen == *screen) {
            let mut rows = String::new();
            for (branding, branding_name) in BRANDINGS {
                for width in WIDTHS {
                    let mut cells = Vec::new();
                    for (_, lang) in LANGS {
                        let rel = format!("{folder}/{branding}/{lang}-{width}/{}", file_name(s));
                        let file = out.join(format!("{branding}/{lang}-{width}/{}", file_name(s)));
                        if !file.exists() {
                            cells.push("—".to_owned());
                            continue;
                        }
                        let alt = format!(
                            "{}; {}, {width} px wide, {}",
                            s.shows,
                            lang_name(lang),
                            branding_name.to_lowercase()
                        );
                        let shown = if width == 360 { 180 } else { 400 };
                        cells.push(format!(
                            "<a href=\"{rel}\"><img src=\"{rel}\" alt=\"{}\" width=\"{shown}\"></a>",
                            alt.replace('"', "&quot;")
                        ));
                    }
                    if cells.iter().any(|c| c != "—") {
                        rows.push_str(&format!(
                            "| {branding_name}, {width} px | {} |\n",
                            cells.join(" | ")
                        ));
                    }
                }
            }
            if rows.is_empty() {
                continue;
            }
            md.push_str(&format!("\n### {:02}. {}\n\n", s.nn, s.shows));
            md.push_str("| | English | Arabic |\n|---|---|---|\n");
            md.push_str(&rows);
        }
    }
    md
}

fn screen_title(screen: &str) -> &'static str {
    match screen {
        "sign-in" => "Sign-in",
        "not-found" => "Not found",
        "invitation-needed" => "Invitation needed (social sign-in)",
        "invitation" => "Invitation",
        "sign-up" => "Sign-up",
        "portal" => "Account page",
        "forgot" => "Forgot password",
        "config-error" => "Configuration error",
        _ => "Other",
    }
}

fn anchor(screen: &str) -> String {
    screen_title(screen)
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '-' => Some(c),
            ' ' => Some('-'),
            _ => None,
        })
        .collect()
}

fn lang_name(lang: &str) -> &'static str {
    match lang {
        "ar" => "in Arabic (right to left)",
        _ => "in English",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_states_are_numbered_in_order_and_named_once() {
        for (i, s) in STATES.iter().enumerate() {
            assert_eq!(usize::from(s.nn), i + 1, "{}", s.shows);
            assert_ne!(screen_title(s.screen), "Other", "{}", s.screen);
        }
        let mut names: Vec<String> = STATES.iter().map(|s| file_name(s)).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), STATES.len());
    }

    #[test]
    fn a_png_width_is_read_from_its_header() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&360u32.to_be_bytes());
        png.extend_from_slice(&800u32.to_be_bytes());
        assert_eq!(png_width(&png), Some(360));
        assert_eq!(png_width(b"GIF89a"), None);
    }
}
