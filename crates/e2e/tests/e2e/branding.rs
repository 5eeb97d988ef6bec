//! Operator branding from `config.json` (issue 22), end to end: the sample branding
//! (`crates/e2e/brand/`: a product name in English and French only, a logo, six colours, four
//! links labelled in English, French and Arabic) deployed beside the release SPA, on every
//! screen of `partner_login_e2e::screens::walk` in English and Arabic: the name in the header
//! and the title (Arabic falls back to English), the logo with its alternative text, the four
//! footer links with their labels, the colours applied through the CSSOM, the footer and the
//! logo right to left in Arabic, and axe-core's WCAG 2.2 A/AA rules at zero violations. Each
//! state is pictured as it passes (`docs/screens/sample/` with `UPDATE_SCREENS=1`). And the
//! branding loosens nothing: the Content-Security-Policy is the same, `style-src 'self'`.

use partner_login_e2e::screens::{self, Shots, State, LANGS, SERVER_ENV, STATES};
use partner_login_e2e::{mail::Mailbox, Browser, TestServer};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `text[lang]`, else `text.en` (a text given in some languages only falls back to English).
fn in_lang(text: &Value, lang: &str) -> String {
    text.get(lang)
        .or_else(|| text.get("en"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {lang} nor en text in {text}"))
        .to_owned()
}

/// `#rrggbb` as `getComputedStyle` gives a colour: `rgb(r, g, b)`.
fn rgb(hex: &str) -> String {
    let n = u32::from_str_radix(hex.trim_start_matches('#'), 16).expect("a #rrggbb colour");
    format!("rgb({}, {}, {})", n >> 16, (n >> 8) & 0xff, n & 0xff)
}

/// What the page shows of the branding, read in one script.
const READ_BRANDING: &str = r#"
const name = document.querySelector('header.card-header .brand-name');
const logo = document.querySelector('header.card-header img.brand-logo, img.brand-logo');
const links = [...document.querySelectorAll('footer.brand-footer nav a')];
const root = getComputedStyle(document.documentElement);
const rect = (e) => { const r = e.getBoundingClientRect();
                      return { left: r.left, right: r.right, top: r.top, width: r.width }; };
const primary = [...document.querySelectorAll('button.primary, .button.primary')]
  .filter((e) => e.getBoundingClientRect().width > 0)
  .map((e) => getComputedStyle(e).backgroundColor);
return {
  name: name ? name.textContent.trim() : null,
  name_rect: name ? rect(name) : null,
  title: document.title,
  logo: logo ? { alt: logo.getAttribute('alt'), src: logo.getAttribute('src'),
                 loaded: logo.complete && logo.naturalWidth > 0, rect: rect(logo) } : null,
  links: links.map((a) => ({ label: a.textContent.trim(), href: a.getAttribute('href'),
                             rect: rect(a) })),
  style_elements: document.querySelectorAll('style').length,
  props: ['primary', 'on-primary', 'background', 'surface', 'text', 'focus']
    .map((p) => root.getPropertyValue('--brand-' + p).trim().toLowerCase()),
  primary,
};
"#;

/// The sample branding on the current screen, in `lang`; `label` names the screen in messages.
/// Returns whether the screen had a primary button (its colour checked).
async fn assert_branded(browser: &Browser, sample: &Value, lang: &str, label: &str) -> bool {
    let brand = &sample["brand"];
    let name = in_lang(&brand["name"], lang);
    // The page draws in an animation frame after the route changed: wait for the header.
    let seen = browser
        .wait_until(
            || async {
                let v = browser.script(READ_BRANDING, vec![]).await;
                let links = v["links"].as_array().map_or(0, Vec::len);
                let title = v["title"].as_str().unwrap_or_default();
                match v["name"].as_str() {
                    Some(n)
                        if n == name
                            && title.ends_with(&name)
                            && links == 4
                            && v["logo"].is_object() =>
                    {
                        Ok(v)
                    }
                    _ => Err(v.to_string()),
                }
            },
            &format!(
                "{label}: the header and the title naming {name:?}, the logo and four footer links"
            ),
        )
        .await;

    // The logo, beside index.html, with its text in the page's language.
    let logo = &seen["logo"];
    assert_eq!(
        logo["alt"].as_str(),
        Some(in_lang(&brand["logo"]["alt"], lang).as_str()),
        "{label}: the logo's alternative text"
    );
    assert!(
        logo["src"]
            .as_str()
            .is_some_and(|s| s.ends_with("logo.svg")),
        "{label}: the logo's src {}",
        logo["src"]
    );
    // The image itself loaded (img-src 'self' lets it in).
    browser
        .wait_script(
            "const l = document.querySelector('img.brand-logo');
             return !!l && l.complete && l.naturalWidth > 0;",
            vec![],
            json!(true),
            &format!("{label}: the logo loaded"),
        )
        .await;

    // The four links, in order, with their labels in the page's language.
    let links = seen["links"].as_array().expect("links");
    let expected = brand["links"].as_array().expect("the sample's links");
    assert_eq!(links.len(), expected.len(), "{label}: {links:?}");
    for (got, want) in links.iter().zip(expected) {
        assert_eq!(got["href"], want["href"], "{label}");
        assert_eq!(
            got["label"].as_str(),
            Some(in_lang(&want["label"], lang).as_str()),
            "{label}: the label of {}",
            want["href"]
        );
    }

    // The colours, as custom properties on <html> (set through the CSSOM: no style attribute,
    // no <style> element in the page, which `style-src 'self'` would refuse).
    let colors = &brand["colors"];
    let want: Vec<String> = [
        "primary",
        "on_primary",
        "background",
        "surface",
        "text",
        "focus",
    ]
    .iter()
    .map(|k| colors[*k].as_str().expect("a colour").to_lowercase())
    .collect();
    assert_eq!(
        seen["props"],
        json!(want),
        "{label}: --brand-* on <html> (primary, on-primary, background, surface, text, focus)"
    );
    assert_eq!(
        seen["style_elements"],
        json!(0),
        "{label}: a <style> element"
    );
    let primary = seen["primary"].as_array().expect("primary");
    for background in primary {
        assert_eq!(
            background.as_str(),
            Some(rgb(&want[0]).as_str()),
            "{label}: a primary button's background"
        );
    }

    // Right to left in Arabic: the first link on the right of the second, the logo on the
    // right of the name (at 1280 px the footer is one line).
    let x = |v: &Value, side: &str| v[side].as_f64().expect("a coordinate");
    let (first, second) = (&links[0]["rect"], &links[1]["rect"]);
    assert!(
        (x(first, "top") - x(second, "top")).abs() < 2.0,
        "{label}: the first two links on one line: {first} {second}"
    );
    let (logo_rect, name_rect) = (&logo["rect"], &seen["name_rect"]);
    if lang == "ar" {
        assert!(
            x(first, "left") > x(second, "right") - 1.0,
            "{label}: in Arabic the first link is on the right of the second: {first} {second}"
        );
        assert!(
            x(logo_rect, "left") >= x(name_rect, "right") - 1.0,
            "{label}: in Arabic the logo is on the right of the name: {logo_rect} {name_rect}"
        );
    } else {
        assert!(
            x(first, "right") < x(second, "left") + 1.0,
            "{label}: the first link is on the left of the second: {first} {second}"
        );
        assert!(
            x(logo_rect, "right") <= x(name_rect, "left") + 1.0,
            "{label}: the logo is on the left of the name: {logo_rect} {name_rect}"
        );
    }
    !primary.is_empty()
}

/// Every screen (but the configuration error, where no config.json means no branding) in
/// English and Arabic: branded, accessible, pictured.
#[tokio::test]
async fn the_sample_branding_shows_on_every_screen_and_stays_accessible() {
    let sample = screens::sample_brand_config();
    let dist = screens::branded_dist();
    let static_dir = dist.path().display().to_string();
    let mailbox = Mailbox::start().await;
    let mut env = SERVER_ENV.to_vec();
    env.push(("STATIC_DIR", &static_dir));
    let server = TestServer::start_with(Some(&mailbox.url()), &env);
    let mut shots = Shots::new("sample");
    let mut with_primary = 0;
    let mut seen: Vec<&'static str> = Vec::new();
    for (browser_lang, tag) in LANGS {
        shots.set_lang(tag);
        let mut check = async |browser: &Browser, state: &'static State| {
            let label = format!("{} [{tag}]", state.shows);
            // The pointer off the button just clicked: its colour, not its hover colour.
            screens::settle(browser).await;
            if assert_branded(browser, &sample, tag, &label).await {
                with_primary += 1;
            }
            browser.assert_accessible(&label).await;
            seen.push(state.shows);
            shots.capture(browser, state).await;
        };
        screens::walk(&server, &mailbox, browser_lang, tag, false, &mut check).await;
    }
    // Every state but the configuration error, in both languages; most have a primary button.
    assert_eq!(seen.len(), (STATES.len() - 1) * LANGS.len());
    assert!(
        with_primary >= 10 * LANGS.len(),
        "{with_primary} screens with a primary button"
    );
    shots.finish();
}

/// The response headers of `GET path` from `base` (`http://127.0.0.1:port`), names in lower
/// case.
async fn headers(base: &str, path: &str) -> Vec<(String, String)> {
    let host = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .expect("the server answers");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("the request");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .expect("the response");
    let text = String::from_utf8_lossy(&response);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default();
    assert!(status.contains(" 200 "), "GET {path}: {status}");
    lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
        .collect()
}

fn csp(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .find(|(k, _)| k == "content-security-policy")
        .map(|(_, v)| v.clone())
        .expect("a Content-Security-Policy header")
}

/// OWASP ASVS 5.0 V3.4.3: the branding needs no weaker policy. The branded deployment sends
/// the same Content-Security-Policy as the default one, for its pages and for its config.json
/// and logo (which get the policy of any answer that is not a page), and the pages' policy is
/// still the strict one (styles and images from the page's origin
/// only, no inline style); the colours apply under it (the test above reads them).
#[tokio::test]
async fn the_branding_leaves_the_content_security_policy_unchanged() {
    const STRICT: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
        style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
        base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    let dist = screens::branded_dist();
    let static_dir = dist.path().display().to_string();
    let default = TestServer::start(None);
    let branded = TestServer::start_with(None, &[("STATIC_DIR", &static_dir)]);
    let page = csp(&headers(&default.url, "/").await);
    assert_eq!(page, STRICT);
    for path in ["/", "/signup"] {
        let got = csp(&headers(&branded.url, path).await);
        assert_eq!(got, page, "the branded deployment's policy for {path}");
    }
    // Not pages: the policy of every other answer, the strictest (`http/headers.rs`).
    for path in ["/config.json", "/logo.svg"] {
        let got = csp(&headers(&branded.url, path).await);
        assert_eq!(got, "default-src 'none'; frame-ancestors 'none'", "{path}");
    }
    // What is served is the sample branding (not the default config.json).
    let config = std::fs::read_to_string(dist.path().join("config.json")).expect("config.json");
    assert!(config.contains("\"brand\""), "{config}");
}
