//! Passkeys in the browser (issue 20): the server's begin answer goes to `webauthn.js` as text,
//! the browser's credential comes back as the finish body, also as text. The WebAuthn types
//! stay in JavaScript (the browser's `PublicKeyCredential.parse…FromJSON` and `toJSON()`), so
//! the WASM carries none of them: the first load grows by the few bindings below.

use crate::api::{self, ApiError};
use crate::ui::Ui;
use leptos::prelude::With;
use partner_login_contract::api::{PasskeyView, SessionView};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/webauthn.js")]
extern "C" {
    #[wasm_bindgen(js_name = supported)]
    fn js_supported() -> bool;
    #[wasm_bindgen(js_name = abort)]
    fn js_abort();
    #[wasm_bindgen(js_name = create)]
    fn js_create(begun: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = get)]
    fn js_get(begun: &str, conditional: bool) -> js_sys::Promise;
    #[wasm_bindgen(js_name = errorName)]
    fn js_error_name(error: &JsValue) -> String;
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

/// Whether this browser can do passkeys the way the SPA asks (WebAuthn Level 3's JSON helpers).
pub fn supported() -> bool {
    cfg!(target_arch = "wasm32") && js_supported()
}

/// Whether the screens offer passkeys: the server has a relying party and the browser can.
pub fn offered(ui: Ui) -> bool {
    ui.config.with(|c| c.passkeys) && supported()
}

/// Ends a waiting autofill sign-in (its page is left).
pub fn abort() {
    if cfg!(target_arch = "wasm32") {
        js_abort();
    }
}

async fn settle(promise: js_sys::Promise) -> Result<String, Failure> {
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(value) => value.as_string().ok_or(Failure::Browser),
        Err(error) => Err(match js_error_name(&error).as_str() {
            "NotAllowedError" | "AbortError" => Failure::Cancelled,
            "InvalidStateError" => Failure::AlreadyOnThisDevice,
            _ => Failure::Browser,
        }),
    }
}

/// Signs in with a passkey: `conditional` for the email field's autofill (waits until one is
/// chosen), else the browser's prompt now (the button).
pub async fn sign_in(conditional: bool) -> Result<SessionView, Failure> {
    let begun = api::begin_passkey_sign_in()
        .await
        .map_err(Failure::NotBegun)?;
    let body = settle(js_get(&begun, conditional)).await?;
    Ok(api::finish_passkey_sign_in(body).await?)
}

/// Adds a passkey to the signed-in account (signed in within the last 5 minutes).
pub async fn add() -> Result<PasskeyView, Failure> {
    let begun = api::begin_passkey_registration()
        .await
        .map_err(Failure::NotBegun)?;
    let body = settle(js_create(&begun)).await?;
    Ok(api::finish_passkey_registration(body).await?)
}
