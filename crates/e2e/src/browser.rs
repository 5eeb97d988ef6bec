//! Headless Chromium through chromedriver, with page-object helpers that find elements the way a
//! person does: by the text of a button or link, by the label of a field.

use crate::WAIT;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigation");
    }

    /// Waits until an element matching the XPath exists, and returns it. On timeout the panic
    /// says where the page was and what it showed, so a failure explains itself.
    pub async fn wait_xpath(&self, xpath: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(xpath))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                let url = self.client.current_url().await.map(|u| u.to_string());
                let text = self
                    .client
                    .execute("return document.body.innerText;", vec![])
                    .await
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                panic!(
                    "no element {xpath} within {WAIT:?}: {e}\nat {url:?}, the page showed:\n{text}"
                )
            }
        }
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
        let deadline = Instant::now() + WAIT;
        while !button.is_enabled().await.unwrap_or(false) {
            assert!(Instant::now() < deadline, "button {text:?} stayed disabled");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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

    /// The value property of the field labelled `label`.
    pub async fn value_of(&self, label: &str) -> String {
        self.field(label)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// Waits until the current URL's path is `path`.
    pub async fn wait_path(&self, path: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let url = self.client.current_url().await.expect("current url");
            if url.path() == path {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "still at {url} instead of {path}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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
