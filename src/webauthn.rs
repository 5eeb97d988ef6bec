//! Passkeys in the browser (issue 20): the server's begin answer is handed to the browser's
//! own `PublicKeyCredential.parse…OptionsFromJSON` as parsed JSON, and the credential's
//! `toJSON()` goes back as the finish body's text. The WebAuthn types stay in the browser.
//!
//! A sign-in (the sign-in screen's button and autofill, `/protect`, a reset's second proof) is
//! one call of `partnerLoginPasskey` in `public/boot.js`, which every page loads already (and
//! which also draws the sign-in screen's passkey button, `partnerLoginPasskeyButton`): it
//! posts the begin, asks `navigator.credentials.get`, posts the finish, and answers the
//! finish's `Response`, read here as any other answer. The sign-in screen's first load so
//! carries one import instead of the `Reflect` plumbing and two more API calls (issue 20's
//! 3 KB brotli; docs/passkeys-status.md). Adding a passkey (the full app only) reaches
//! `parseCreationOptionsFromJSON`, `navigator.credentials.create` and `toJSON()` through
//! `Reflect`. No snippet file, and `script-src 'self'` is untouched.

use crate::api::{self, ApiError};
use crate::ui::Ui;
use js_sys::{Function, Object, Promise, Reflect, JSON};
use leptos::prelude::With;
use partner_login_contract::api::{paths, PasskeyView, ResetProofView, SessionView};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `public/boot.js`'s sign-in ceremony: `url` is the begin's (its finish is `url/finish`);
    /// no `url` ends the waiting one. Missing (no `boot.js`, as in the component tests): `Err`.
    #[wasm_bindgen(catch, js_namespace = window, js_name = partnerLoginPasskey)]
    fn passkey_sign_in(url: &str, conditional: bool) -> Result<JsValue, JsValue>;

    /// `public/boot.js`'s drawing of the sign-in screen's "or" and passkey button (and its email
    /// field's `autocomplete`): true when they are to be drawn now (else their words and state
    /// are set again).
    #[wasm_bindgen(catch, js_namespace = window, js_name = partnerLoginPasskeyButton)]
    fn passkey_button(or: &str, label: &str, disabled: bool, busy: bool) -> Result<bool, JsValue>;
}

/// Draws (or updates) the sign-in screen's "or" line and "Sign in with a passkey" after its
/// form, with `words` (the "or", the button's label), `disabled`, `aria-busy` when `busy`, and
/// lets its email field offer passkeys (`autocomplete="username webauthn"`): true when they
/// are drawn now. `boot.js` does it a moment later: in the full app the router mounts the
/// screen after its effects first run. Missing `boot.js` (the component tests install its
/// passkey part): nothing is drawn.
pub fn draw_button(words: (&str, &str), disabled: bool, busy: bool) -> bool {
    passkey_button(words.0, words.1, disabled, busy).unwrap_or(false)
}

/// `target[name]`, or `undefined`.
fn prop(target: &JsValue, name: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn set(target: &JsValue, name: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(name), value);
}

/// `target.method(arg)`.
fn call(target: &JsValue, method: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
    prop(target, method)
        .dyn_into::<Function>()?
        .call1(target, arg)
}

fn global(name: &str) -> JsValue {
    prop(&js_sys::global(), name)
}

/// Why a ceremony did not end with a credential.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// The person closed the browser's prompt, or it timed out (`NotAllowedError`), or the
    /// page ended it (`AbortError`): nothing to alarm anyone about.
    Cancelled,
    /// The authenticator holds a passkey for this account already (`InvalidStateError`: the
    /// server's `excludeCredentials`).
    AlreadyOnThisDevice,
    /// The browser refused for another reason (no autofill, a security rule).
    Browser,
    /// The server would not begin the ceremony (passkeys off, throttled, no answer).
    NotBegun(ApiError),
    /// The server refused the browser's answer, or did not answer.
    Api(ApiError),
}

impl From<ApiError> for Failure {
    fn from(err: ApiError) -> Self {
        Failure::Api(err)
    }
}

/// Whether this browser can do passkeys the way the SPA asks: WebAuthn Level 3's JSON helpers
/// (Chromium 129+, Firefox 119+, Safari 18.4+).
pub fn supported() -> bool {
    if !cfg!(target_arch = "wasm32") {
        return false;
    }
    let pkc = global("PublicKeyCredential");
    pkc.is_function()
        && prop(&pkc, "parseCreationOptionsFromJSON").is_function()
        && prop(&pkc, "parseRequestOptionsFromJSON").is_function()
        && prop(&prop(&pkc, "prototype"), "toJSON").is_function()
        && prop(&global("navigator"), "credentials").is_object()
}

/// Whether the screens offer passkeys: the server has a relying party and the browser can.
pub fn offered(ui: Ui) -> bool {
    ui.config.with(|c| c.passkeys) && supported()
}

/// Ends a waiting autofill sign-in (its page is left, or another ceremony begins).
pub fn abort() {
    let _ = passkey_sign_in("", false);
}

/// What a refusal was, by the DOMException's name.
fn failure(error: JsValue) -> Failure {
    match prop(&error, "name").as_string().as_deref() {
        Some("NotAllowedError" | "AbortError") => Failure::Cancelled,
        Some("InvalidStateError") => Failure::AlreadyOnThisDevice,
        _ => Failure::Browser,
    }
}

async fn settle_raw(promise: JsValue) -> Result<JsValue, JsValue> {
    wasm_bindgen_futures::JsFuture::from(Promise::from(promise)).await
}

async fn settle(promise: JsValue) -> Result<JsValue, Failure> {
    settle_raw(promise).await.map_err(failure)
}

/// A new passkey in the browser: the server's begin answer (`{"ceremony", "options":
/// {"publicKey": …}}`) as text in, the finish body (`{"ceremony", "credential": <toJSON()>}`)
/// as text out. A waiting sign-in ends first.
async fn create(begun: &str) -> Result<String, Failure> {
    abort();
    let begun = JSON::parse(begun).map_err(|_| Failure::Browser)?;
    let options = prop(&prop(&begun, "options"), "publicKey");
    let parse = "parseCreationOptionsFromJSON";
    let public_key = call(&global("PublicKeyCredential"), parse, &options).map_err(failure)?;
    let request = Object::new();
    set(&request, "publicKey", &public_key);
    let credentials = prop(&global("navigator"), "credentials");
    let asked = call(&credentials, "create", &request).map_err(failure)?;
    let credential = settle(asked).await?;
    let body = Object::new();
    set(&body, "ceremony", &prop(&begun, "ceremony"));
    set(
        &body,
        "credential",
        &call(&credential, "toJSON", &JsValue::UNDEFINED).map_err(failure)?,
    );
    JSON::stringify(&body)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or(Failure::Browser)
}

/// One sign-in ceremony by `boot.js` (a waiting one ends first): `begin` is the API path of
/// its begin (the finish is `begin/finish`), `conditional` for the email field's autofill
/// (waits until a passkey is chosen), else the browser's prompt now.
async fn get<T: DeserializeOwned>(begin: &str, conditional: bool) -> Result<T, Failure> {
    let asked = passkey_sign_in(&api::url(begin), conditional).map_err(|_| Failure::Browser)?;
    match settle_raw(asked).await {
        // The finish's answer, read as any other (a refusal is the server's problem).
        Ok(finished) => Ok(api::read_answer(finished.unchecked_into()).await?),
        Err(refused) => Err(match refused.as_string().as_deref() {
            Some("NotAllowedError" | "AbortError") => Failure::Cancelled,
            // No answer to a POST (or an answer that was not the options).
            Some("TypeError") => Failure::NotBegun(ApiError::Network),
            Some(_) => Failure::Browser,
            // The begin refused (passkeys off, throttled).
            None => Failure::NotBegun(api::refusal(refused.unchecked_into()).await),
        }),
    }
}

/// Signs in with a passkey: `conditional` for the email field's autofill (waits until one is
/// chosen), else the browser's prompt now (the button).
pub async fn sign_in(conditional: bool) -> Result<SessionView, Failure> {
    get(paths::PASSKEY_SIGN_IN, conditional).await
}

/// A passkey of the account being reset, as its second proof (the browser's prompt now).
pub async fn prove_reset(flow_id: &str) -> Result<ResetProofView, Failure> {
    get(
        &api::reset_path(paths::PASSWORD_RESET_PASSKEY, flow_id),
        false,
    )
    .await
}

/// Adds a passkey to the signed-in account (signed in within the last 5 minutes).
pub async fn add() -> Result<PasskeyView, Failure> {
    let begun = api::begin_passkey_registration()
        .await
        .map_err(Failure::NotBegun)?;
    let body = create(&begun).await?;
    Ok(api::finish_passkey_registration(body).await?)
}

#[cfg(test)]
mod tests {
    use partner_login_contract::api::{paths, CSRF_HEADER, CSRF_HEADER_VALUE};

    /// `public/boot.js`'s sign-in sends the CSRF header itself (OWASP ASVS 5.0 V3.5.1) and
    /// finishes at its begin's path with `/finish`: the contract's paths say the same.
    #[test]
    fn boot_js_posts_what_the_contract_says() {
        let boot = include_str!("../public/boot.js");
        assert!(boot.contains(&format!("'{CSRF_HEADER}': '{CSRF_HEADER_VALUE}'")));
        assert!(boot.contains("post(url + '/finish'"));
        for (begin, finish) in [
            (paths::PASSKEY_SIGN_IN, paths::PASSKEY_SIGN_IN_FINISH),
            (
                paths::PASSWORD_RESET_PASSKEY,
                paths::PASSWORD_RESET_PASSKEY_FINISH,
            ),
        ] {
            assert_eq!(format!("{begin}/finish"), finish);
        }
    }
}
