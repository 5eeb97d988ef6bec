//! Adding an authenticator app (RFC 6238) and showing recovery codes (issue 20), for
//! "Protect your account" (`pages::protect`) and the account page (`pages::security`):
//!
//! - [`AppEnrolment`]: the server's QR code, the key in groups of four for typing by hand, a
//!   6-digit code field, "Verify". The app is a factor only once a code confirms it (the
//!   server's rule, `domain::mfa`).
//! - [`RecoveryCodesShown`]: a new set, shown once, with "Copy", "Download" (a `.txt` from a
//!   Blob URL), "Print" (the print style shows the codes alone) and "Continue".
//!
//! The QR code is an SVG document the server drew. It is never inserted as markup: it is
//! checked against the one shape our server draws (elements `svg`, `rect` and `path`, a short
//! list of presentation attributes, no `style`, no script, no link; [`qr_image`]) and then shown
//! as an `<img>` of a `data:` URL, where an SVG can run nothing and load nothing (the CSP allows
//! `img-src 'self' data:`, and has no inline style to allow: OWASP ASVS 5.0 V3.2.2, V3.4.3).

use crate::api;
use crate::i18n::Msg;
use crate::pages::passkeys::Errors;
use crate::ui::{focus_id, use_ui};
use js_sys::{Array, Object, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use partner_login_contract::api::AuthenticatorAppEnrolment;
use partner_login_contract::ErrorCode;
use wasm_bindgen::{JsCast, JsValue};

/// The largest SVG taken (the server's is about 10 KB): a wrong answer is refused, not parsed.
const MAX_SVG_BYTES: usize = 64 * 1024;

/// The attributes the server's QR code uses (`qrcode`'s SVG renderer); any other refuses it.
const SVG_ATTRIBUTES: [&str; 10] = [
    "xmlns",
    "version",
    "width",
    "height",
    "viewBox",
    "shape-rendering",
    "x",
    "y",
    "fill",
    "d",
];

/// The server's QR code as a `data:` URL for an `<img>`, if it is the SVG our server draws:
/// an optional XML declaration, then `<svg>`, `<rect>` and `<path>` elements only, with the
/// attributes of [`SVG_ATTRIBUTES`] only and values of letters, digits, spaces and `#./:-`
/// (no `style`, no event handler, no link, no entity, no text). Anything else is `None`.
pub fn qr_image(svg: &str) -> Option<String> {
    if svg.len() > MAX_SVG_BYTES {
        return None;
    }
    let body = svg
        .strip_prefix(r#"<?xml version="1.0" standalone="yes"?>"#)
        .unwrap_or(svg);
    if !body.starts_with("<svg ") || !body.ends_with("</svg>") {
        return None;
    }
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        // Nothing between the tags: no text, no entity.
        if !rest[..start].trim().is_empty() {
            return None;
        }
        let end = start + rest[start..].find('>')?;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag == "/svg" {
            continue;
        }
        let tag = tag.strip_suffix('/').unwrap_or(tag);
        let (name, mut attributes) = tag.split_once(' ').unwrap_or((tag, ""));
        if !matches!(name, "svg" | "rect" | "path") {
            return None;
        }
        attributes = attributes.trim();
        while !attributes.is_empty() {
            let (key, after) = attributes.split_once("=\"")?;
            let (value, after) = after.split_once('"')?;
            let value_ok = value.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, ' ' | '#' | '.' | '/' | ':' | '-')
            });
            if !SVG_ATTRIBUTES.contains(&key) || !value_ok {
                return None;
            }
            attributes = after.trim_start();
        }
    }
    if !rest.trim().is_empty() {
        return None;
    }
    let mut url = String::from("data:image/svg+xml,");
    for c in body.chars() {
        match c {
            '#' => url.push_str("%23"),
            '<' => url.push_str("%3C"),
            '>' => url.push_str("%3E"),
            '"' => url.push_str("%22"),
            ' ' => url.push_str("%20"),
            other => url.push(other),
        }
    }
    Some(url)
}

/// The key in groups of four (`JBSW Y3DP …`), easier to read and type into an app.
pub fn secret_groups(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|g| String::from_utf8_lossy(g).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text "Copy" and "Download" give: a title line, then one code a line.
pub fn codes_text(title: &str, codes: &[String]) -> String {
    let mut text = format!("{title}\n\n");
    for code in codes {
        text.push_str(code);
        text.push('\n');
    }
    text
}

fn prop(target: &JsValue, name: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// `navigator.clipboard.writeText(text)`; false when the browser refused.
async fn copy_text(text: &str) -> bool {
    let clipboard = prop(&prop(&js_sys::global(), "navigator"), "clipboard");
    let Ok(write) = prop(&clipboard, "writeText").dyn_into::<js_sys::Function>() else {
        return false;
    };
    match write.call1(&clipboard, &JsValue::from_str(text)) {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise))
            .await
            .is_ok(),
        Err(_) => false,
    }
}

/// Saves `text` as `file_name` through a Blob URL and a link with `download` (no inline
/// script, no `data:` navigation: the CSP is untouched); the URL is revoked at once.
fn download_text(file_name: &str, text: &str) -> Option<()> {
    let global = js_sys::global();
    let blob_class = prop(&global, "Blob").dyn_into::<js_sys::Function>().ok()?;
    let options = Object::new();
    Reflect::set(&options, &"type".into(), &"text/plain;charset=utf-8".into()).ok()?;
    let parts = Array::of1(&JsValue::from_str(text));
    let blob = Reflect::construct(&blob_class, &Array::of2(&parts, &options)).ok()?;
    let url_class = prop(&global, "URL");
    let create = prop(&url_class, "createObjectURL")
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let href = create.call1(&url_class, &blob).ok()?.as_string()?;
    let document = web_sys::window()?.document()?;
    let link = document.create_element("a").ok()?;
    link.set_attribute("href", &href).ok()?;
    link.set_attribute("download", file_name).ok()?;
    link.unchecked_ref::<web_sys::HtmlElement>().click();
    if let Ok(revoke) = prop(&url_class, "revokeObjectURL").dyn_into::<js_sys::Function>() {
        let _ = revoke.call1(&url_class, &JsValue::from_str(&href));
    }
    Some(())
}

/// A new set of recovery codes, shown once: the list, "Copy", "Download", "Print",
/// "Continue" (`on_continue`). NIST SP 800-63B-4 §3.1.2: look-up secrets are shown to their
/// subscriber once, and only their hashes are kept (the server's side).
#[component]
pub fn RecoveryCodesShown(codes: Vec<String>, on_continue: Callback<()>) -> impl IntoView {
    let ui = use_ui();
    let status = RwSignal::new(None::<Msg>);
    let codes = StoredValue::new(codes);
    let text = move || codes.with_value(|c| codes_text(ui.t(Msg::RECOVERY_CODES_FILE_TITLE), c));
    let say = move |msg: Msg| {
        status.set(Some(msg));
        ui.announce(ui.t(msg).to_owned());
    };
    let copy = move |_| {
        let text = text();
        spawn_local(async move {
            say(if copy_text(&text).await {
                Msg::CODES_COPIED
            } else {
                Msg::CODES_NOT_COPIED
            });
        });
    };
    let download = move |_| {
        if download_text("recovery-codes.txt", &text()).is_none() {
            say(Msg::CODES_NOT_COPIED);
        }
    };
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    focus_id("recovery-codes-heading");
    view! {
        <section id="recovery-codes" aria-labelledby="recovery-codes-heading">
            <h2 id="recovery-codes-heading" tabindex="-1">{ui.tr(Msg::RECOVERY_CODES_HEADING)}</h2>
            <p>{ui.tr(Msg::RECOVERY_CODES_TEXT)}</p>
            // Latin letters and digits: left to right in every language.
            <ol id="recovery-code-list" dir="ltr" translate="no">
                {codes.get_value().into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ol>
            <p id="codes-status" class="status notice">{move || status.get().map(|m| ui.t(m))}</p>
            <div class="actions recovery-actions">
                <button type="button" id="copy-codes" on:click=copy>{ui.tr(Msg::COPY)}</button>
                <button type="button" id="download-codes" on:click=download>{ui.tr(Msg::DOWNLOAD)}</button>
                <button type="button" id="print-codes" on:click=print>{ui.tr(Msg::PRINT)}</button>
            </div>
            <button type="button" id="codes-continue" class="primary recovery-actions"
                on:click=move |_| on_continue.run(())>{ui.tr(Msg::CONTINUE_BUTTON)}</button>
        </section>
    }
}

/// Adding an authenticator app: begins at once (the server's seed), shows the QR code and the
/// key, and confirms with a code the app shows; `on_confirmed` once the server took it.
/// Refusals of the begin (a stale sign-in, apps off) go to `errors`; a wrong code stays in the
/// code's field.
#[component]
pub fn AppEnrolment(errors: Errors, on_confirmed: Callback<()>) -> impl IntoView {
    let ui = use_ui();
    let begun = RwSignal::new(None::<AuthenticatorAppEnrolment>);
    let code = RwSignal::new(String::new());
    let code_error = RwSignal::new(None::<ErrorCode>);
    let busy = RwSignal::new(false);
    spawn_local(async move {
        match api::begin_app().await {
            Ok(enrolment) => {
                begun.set(Some(enrolment));
                focus_id("app-heading");
            }
            Err(err) => errors.refused(ui, &err),
        }
    });
    let verify = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed: String = code
            .get_untracked()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // The server's own rule, checked first for an instant answer: 6 digits.
        let problem = if typed.is_empty() {
            Some(ErrorCode::Required)
        } else if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
            Some(ErrorCode::CodeFormat)
        } else {
            None
        };
        if let Some(problem) = problem {
            code_error.set(Some(problem));
            ui.announce(ui.t(Msg::error(problem)).to_owned());
            focus_id("app-code");
            return;
        }
        busy.set(true);
        code_error.set(None);
        errors.clear();
        spawn_local(async move {
            match api::confirm_app(&typed).await {
                Ok(()) => on_confirmed.run(()),
                Err(err) => match err
                    .field_errors()
                    .first()
                    .map(|e| e.code)
                    .or(match err.code() {
                        Some(c @ (ErrorCode::CodeWrong | ErrorCode::CodeFormat)) => Some(c),
                        _ => None,
                    }) {
                    Some(problem) => {
                        code_error.set(Some(problem));
                        ui.announce(ui.t(Msg::error(problem)).to_owned());
                        focus_id("app-code");
                    }
                    None => errors.refused(ui, &err),
                },
            }
            busy.try_set(false);
        });
    };
    view! {
        <section id="app-enrolment" aria-labelledby="app-heading">
            <h2 id="app-heading" tabindex="-1">{ui.tr(Msg::USE_APP)}</h2>
            {move || match begun.get() {
                None => view! { <p>{ui.tr(Msg::LOADING)}</p> }.into_any(),
                Some(enrolment) => {
                    let image = qr_image(&enrolment.qr_svg);
                    let key = secret_groups(&enrolment.secret);
                    view! {
                        <p>{ui.tr(Msg::APP_SCAN)}</p>
                        {match image {
                            Some(src) => view! {
                                <img id="app-qr" class="qr" src=src width="200" height="200"
                                    alt=move || ui.t(Msg::APP_QR_ALT) />
                            }.into_any(),
                            None => view! { <p class="form-error">{ui.tr(Msg::APP_QR_UNAVAILABLE)}</p> }.into_any(),
                        }}
                        <p id="app-key-label">{ui.tr(Msg::APP_KEY)}</p>
                        <p><code id="app-secret" class="secret" dir="ltr" translate="no"
                            aria-describedby="app-key-label">{key}</code></p>
                    }
                    .into_any()
                }
            }}
            <form id="app-form" novalidate on:submit=verify>
                <div class="field" class:invalid=move || code_error.get().is_some()>
                    <label for="app-code">{ui.tr(Msg::APP_CODE)}</label>
                    <input id="app-code" name="code" type="text" inputmode="numeric"
                        autocomplete="one-time-code" maxlength="7" dir="ltr" aria-required="true"
                        aria-invalid=move || if code_error.get().is_some() { "true" } else { "false" }
                        aria-describedby="app-code-error"
                        prop:value=move || code.get()
                        on:input=move |ev| code.set(event_target_value(&ev)) />
                    <p class="error" id="app-code-error">
                        {move || code_error.get().map(|c| ui.t(Msg::error(c)))}
                    </p>
                </div>
                <button type="submit" id="verify-app" class="primary" class:busy=busy
                    aria-busy=crate::ui::aria_busy(busy)
                    disabled=move || busy.get() || begun.with(Option::is_none)>
                    {ui.tr(Msg::VERIFY)}
                </button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the server's `qrcode` crate draws (0.14: an XML declaration, one `rect`, one `path`).
    const SERVER_SVG: &str = concat!(
        r#"<?xml version="1.0" standalone="yes"?><svg xmlns="http://www.w3.org/2000/svg""#,
        r#" version="1.1" width="232" height="232" viewBox="0 0 232 232" shape-rendering="crispEdges">"#,
        r##"<rect x="0" y="0" width="232" height="232" fill="#fff"/>"##,
        r##"<path fill="#000" d="M32 32h8v8H32V32M40 32h8v8H40V32"/></svg>"##
    );

    #[test]
    fn the_server_s_qr_code_becomes_an_image_url_and_nothing_else_does() {
        let url = qr_image(SERVER_SVG).expect("the server's SVG");
        assert!(
            url.starts_with("data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22"),
            "{url}"
        );
        assert!(!url.contains(['<', '>', '"', '#', ' ']), "{url}");
        // OWASP ASVS 5.0 V3.2.2: markup that is not the server's drawing is never shown.
        for bad in [
            SERVER_SVG.replace("<rect ", "<rect style=\"fill:red\" "),
            SERVER_SVG.replace("<rect ", "<script>alert(1)</script><rect "),
            SERVER_SVG.replace("<rect ", "<rect onload=\"alert(1)\" "),
            SERVER_SVG.replace("<rect ", "<image href=\"https://evil.example/x\"/><rect "),
            SERVER_SVG.replace("<rect ", "<foreignObject/><rect "),
            SERVER_SVG.replace("fill=\"#fff\"", "fill=\"url(javascript:1)\""),
            SERVER_SVG.replace("fill=\"#fff\"", "fill=\"&quot;\""),
            SERVER_SVG.replace("</svg>", "text</svg>"),
            format!("{SERVER_SVG}<svg></svg>x"),
            "<html><body>hi</body></html>".to_owned(),
            "<svg onload=\"alert(1)\"></svg>".to_owned(),
            String::new(),
            format!("{}{}", SERVER_SVG, " ".repeat(MAX_SVG_BYTES)),
        ] {
            assert_eq!(qr_image(&bad), None, "{bad:.200}");
        }
    }

    #[test]
    fn the_key_is_shown_in_groups_of_four_and_the_codes_one_a_line() {
        assert_eq!(
            secret_groups("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
            "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
        );
        assert_eq!(secret_groups("ABCDEF"), "ABCD EF");
        let codes = vec!["AAAA-BBBB".to_owned(), "CCCC-DDDD".to_owned()];
        assert_eq!(
            codes_text("Codes", &codes),
            "Codes\n\nAAAA-BBBB\nCCCC-DDDD\n"
        );
    }
}
