//! Headless Chromium through chromedriver, with page-object helpers that find elements the way a
//! person does: by the text of a button or link, by the label of a field.
//!
//! Every read that follows an action waits for its condition ([`Browser::wait_until`] and the
//! `wait_*` helpers built on it): the page answers a click in its own time (a request, a
//! re-render, a focus moved in the next animation frame), so a read made at once sees whatever
//! state the page happened to be in. A wait that times out panics with what it waited for,
//! what it saw last, the URL and the page's text.

use crate::WAIT;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;
use std::future::Future;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(100);

/// Chromium's flags for a headless run as root on a machine with no network but loopback.
pub const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1024,900",
];

pub struct Browser {
    driver: Child,
    pub client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port (its own process group, killed with the browser on
    /// drop) and opens a fresh Chromium profile.
    pub async fn start() -> Self {
        Self::start_with_lang("en-US").await
    }

    /// Starts a browser whose preferred language is `lang` (navigator.language).
    pub async fn start_with_lang(lang: &str) -> Self {
        Self::start_with_args(lang, &[]).await
    }

    /// Starts a browser whose preferred language is `lang`, with Chromium flags `extra` added
    /// to [`CHROMIUM_ARGS`] (`--hide-scrollbars` for the pictures of `screens`).
    pub async fn start_with_args(lang: &str, extra: &[&str]) -> Self {
        let port = crate::free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver starts (cargo xtask setup installs chromium-driver)");
        let deadline = Instant::now() + WAIT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("a profile folder");
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push(format!("--lang={lang}"));
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": args,
                "prefs": { "intl.accept_languages": lang },
            }
        });
        let caps = caps.as_object().cloned().expect("an object");
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        Self {
            driver,
            client,
            _profile: profile,
        }
    }

    /// Navigates to `url` and, on the SPA, waits until the app has taken over the static
    /// sign-in shell of `index.html` (issue 21): every helper then finds the app's elements.
    pub async fn goto(&self, url: &str) {
        self.goto_static(url).await;
        self.wait_script(
            "return document.getElementById('pl-shell') === null;",
            vec![],
            Value::Bool(true),
            "the app to take over the static shell (#pl-shell)",
        )
        .await;
    }

    /// Navigates to `url` without waiting for the app: the static shell may still be there.
    pub async fn goto_static(&self, url: &str) {
        self.client.goto(url).await.expect("navigation");
    }

    /// Polls `check` until it returns `Ok(value)`, and returns the value. While the condition
    /// does not hold, `check` returns `Err(seen)`: what the page shows instead. After [`WAIT`]
    /// the test panics with `what` (what was waited for), the last `seen`, the URL and the page's
    /// text.
    pub async fn wait_until<T, F, Fut>(&self, mut check: F, what: &str) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, String>>,
    {
        let deadline = Instant::now() + WAIT;
        loop {
            match check().await {
                Ok(value) => return value,
                Err(seen) if Instant::now() >= deadline => {
                    self.fail(&format!("waited {WAIT:?} for {what}; last seen: {seen}"))
                        .await
                }
                Err(_) => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// Panics with `message`, the URL and the visible text of the page.
    pub async fn fail(&self, message: &str) -> ! {
        let url = self.client.current_url().await.map(|u| u.to_string());
        let text = self
            .client
            .execute("return document.body.innerText;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        panic!("{message}\nat {url:?}, the page showed:\n{text}")
    }

    /// Runs `script` in the page and returns its result; panics when it throws.
    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("the script failed: {e}\n{script}"))
    }

    /// Waits until `script` returns `expected`; `what` names the condition in the panic.
    pub async fn wait_script(&self, script: &str, args: Vec<Value>, expected: Value, what: &str) {
        self.wait_until(
            || async {
                let got = self.script(script, args.clone()).await;
                if got == expected {
                    Ok(())
                } else {
                    Err(got.to_string())
                }
            },
            &format!("{what} (the script to return {expected})"),
        )
        .await;
    }

    /// Waits until an element matching the XPath exists, and returns it. On timeout the panic
    /// says where the page was and what it showed, so a failure explains itself.
    /// Never an element of the static shells (issue 21: `#pl-shell`, `#pl-shell-signup`),
    /// which the app replaces after a reload.
    pub async fn wait_xpath(&self, xpath: &str) -> Element {
        let outside_shell =
            format!("({xpath})[not(ancestor-or-self::*[starts-with(@id, 'pl-shell')])]");
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(Locator::XPath(&outside_shell))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                self.fail(&format!("no element {xpath} within {WAIT:?}: {e}"))
                    .await
            }
        }
    }

    /// Waits until no element matches the XPath (a message or a summary has gone).
    pub async fn wait_gone(&self, xpath: &str, what: &str) {
        self.wait_until(
            || async {
                match self.client.find_all(Locator::XPath(xpath)).await {
                    Ok(found) if found.is_empty() => Ok(()),
                    Ok(found) => Err(format!("{} element(s) {xpath}", found.len())),
                    Err(e) => Err(format!("{xpath}: {e}")),
                }
            },
            what,
        )
        .await;
    }

    /// Waits until exactly `n` elements match the CSS selector, and returns them.
    pub async fn wait_count(&self, css: &str, n: usize) -> Vec<Element> {
        self.wait_until(
            || async {
                match self.client.find_all(Locator::Css(css)).await {
                    Ok(found) if found.len() == n => Ok(found),
                    Ok(found) => Err(format!("{} element(s)", found.len())),
                    Err(e) => Err(e.to_string()),
                }
            },
            &format!("{n} element(s) {css}"),
        )
        .await
    }

    /// Waits until the element with `id` shows `text` (among its text), and returns it.
    pub async fn wait_text_in(&self, id: &str, text: &str) -> Element {
        self.wait_xpath(&format!(
            "//*[@id={}][contains(normalize-space(.), {})]",
            literal(id),
            literal(text)
        ))
        .await
    }

    /// Waits until some visible text of the page contains `text`.
    pub async fn wait_text(&self, text: &str) -> Element {
        self.wait_xpath(&format!(
            "//body//*[not(self::script)][contains(normalize-space(.), {})][not(*[contains(normalize-space(.), {})])]",
            literal(text),
            literal(text)
        ))
        .await
    }

    /// The button (or link styled as one) whose text is exactly `text`, once it exists.
    pub async fn button(&self, text: &str) -> Element {
        let t = literal(text);
        self.wait_xpath(&format!(
            "//button[normalize-space(.)={t}] | //a[normalize-space(.)={t}] | //input[@type='submit'][@value={t}]"
        ))
        .await
    }

    /// Clicks the button `text` once it is enabled.
    pub async fn click_button(&self, text: &str) {
        let button = self.button(text).await;
        self.wait_until(
            || async {
                match button.is_enabled().await {
                    Ok(true) => Ok(()),
                    Ok(false) => Err("disabled".to_owned()),
                    Err(e) => Err(e.to_string()),
                }
            },
            &format!("the button {text:?} to be enabled"),
        )
        .await;
        button.click().await.expect("click");
    }

    /// The input labelled `label` (through `<label for>`), once it exists.
    pub async fn field(&self, label: &str) -> Element {
        let l = literal(label);
        self.wait_xpath(&format!(
            "//*[self::input or self::textarea][@id=//label[normalize-space(.)={l} or normalize-space(text())={l}]/@for]"
        ))
        .await
    }

    /// Types `value` into the field labelled `label`, replacing what it held.
    pub async fn fill(&self, label: &str, value: &str) {
        let input = self.field(label).await;
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("typing");
    }

    /// Types `value` into the input named `name`, for pages outside the product (an identity
    /// provider's sign-in form has placeholders, not labels).
    pub async fn fill_named(&self, name: &str, value: &str) {
        let input = self
            .wait_xpath(&format!("//input[@name={}]", literal(name)))
            .await;
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("typing");
    }

    /// The value property of the field labelled `label`, as it is now. After an action, wait
    /// for the value with [`Browser::wait_value`] instead.
    pub async fn value_of(&self, label: &str) -> String {
        self.field(label)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// Waits until the field labelled `label` holds `expected` (a value the page fills in, or
    /// keeps, after an action).
    pub async fn wait_value(&self, label: &str, expected: &str) {
        self.wait_until(
            || async {
                let value = self.value_of(label).await;
                if value == expected {
                    Ok(())
                } else {
                    Err(format!("{value:?}"))
                }
            },
            &format!("the field {label:?} to hold {expected:?}"),
        )
        .await;
    }

    /// What has the focus: its id (empty when none) and a description for messages.
    pub async fn focused(&self) -> (String, String) {
        let v = self
            .script(
                "const e = document.activeElement;
                 if (!e) return ['', 'nothing'];
                 const text = (e.innerText || e.value || '').trim().slice(0, 60);
                 return [e.id, `<${e.localName}${e.id ? ' id=' + e.id : ''}> ${JSON.stringify(text)}`];",
                vec![],
            )
            .await;
        match (v[0].as_str(), v[1].as_str()) {
            (Some(id), Some(description)) => (id.to_owned(), description.to_owned()),
            _ => panic!("document.activeElement read as {v}"),
        }
    }

    /// Waits until the element with `id` has the focus (the page moves it in an animation
    /// frame after the DOM changed).
    pub async fn wait_focus(&self, id: &str) {
        self.wait_until(
            || async {
                let (now, description) = self.focused().await;
                if now == id {
                    Ok(())
                } else {
                    Err(description)
                }
            },
            &format!("the focus on #{id}"),
        )
        .await;
    }

    /// Waits until the current URL's path is `path`.
    pub async fn wait_path(&self, path: &str) {
        self.wait_until(
            || async {
                let url = self.client.current_url().await.expect("current url");
                if url.path() == path {
                    Ok(())
                } else {
                    Err(url.to_string())
                }
            },
            &format!("the path {path}"),
        )
        .await;
    }

    /// Waits until the current URL starts with `prefix` (another site's page, after a
    /// redirect); `what` names the wait in the failure.
    pub async fn wait_url_prefix(&self, prefix: &str, what: &str) {
        self.wait_until(
            || async {
                let url = self.client.current_url().await.map_err(|e| e.to_string())?;
                match url.as_str().starts_with(prefix) {
                    true => Ok(()),
                    false => Err(url.to_string()),
                }
            },
            what,
        )
        .await;
    }

    /// Waits until the current URL has no query string (the page took it out of the address
    /// bar).
    pub async fn wait_no_query(&self) {
        self.wait_until(
            || async {
                let url = self.client.current_url().await.expect("current url");
                match url.query() {
                    None => Ok(()),
                    Some(_) => Err(url.to_string()),
                }
            },
            "no query string in the URL",
        )
        .await;
    }

    /// Waits until the element `id` holds some text (an error message).
    pub async fn wait_message(&self, id: &str) {
        self.wait_xpath(&format!("//*[@id='{id}'][normalize-space(.)!='']"))
            .await;
    }

    /// Types `value` into the input `id`, replacing what it held.
    pub async fn fill_id(&self, id: &str, value: &str) {
        let input = self
            .wait_xpath(&format!("//input[@id='{id}'][not(@disabled)]"))
            .await;
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("typing");
    }

    /// Clicks the first (`first == true`) or last submit button of the form once it is
    /// enabled: the step's action ("Send verification code", "Verify code", "Sign in") or
    /// "Create" / "Continue".
    pub async fn submit(&self, first: bool) {
        let which = if first { "1" } else { "last()" };
        self.wait_xpath(&format!(
            "(//form//button[@type='submit'])[{which}][not(@disabled)]"
        ))
        .await
        .click()
        .await
        .expect("click");
    }

    /// Ends the WebDriver session; the drop then stops chromedriver and Chromium.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
    }
}

/// Kills chromedriver and the Chromium it started (same process group), with killpg(2).
fn kill_group(child: &mut Child) {
    let group = i32::try_from(child.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw);
    // A pid of 1 or less would make killpg signal far more than chromedriver's group.
    if let Some(group) = group.filter(|g| g.as_raw_nonzero().get() > 1) {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// An XPath string literal for any text, apostrophes included.
pub fn literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}
