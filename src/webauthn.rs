//! Passkeys in the browser (issue 20): the server's begin answer is handed to the browser's
//! own `PublicKeyCredential.parse…OptionsFromJSON` as parsed JSON, and the credential's
//! `toJSON()` goes back as the finish body's text. The WebAuthn types stay in the browser: the
//! WASM reaches them through `Reflect` (no generated bindings, no JavaScript file of our own:
//! nothing more to serve, and `script-src 'self'` is untouched).

use crate::api::{self, ApiError};
use crate::ui::Ui;
use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use leptos::prelude::With;
use partner_login_contract::api::{PasskeyView, ResetProofView, SessionView};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The `AbortController` of the sign-in waiting for the autofill, if any.
    static PENDING: RefCell<Option<JsValue>> = const { RefCell::new(None) };
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
    if let Some(controller) = PENDING.with(|p| p.borrow_mut().take()) {
        let _ = call(&controller, "abort", &JsValue::UNDEFINED);
    }
}

/// What a refusal was, by the DOMException's name.
fn failure(error: JsValue) -> Failure {
    match prop(&error, "name").as_string().as_deref() {
        Some("NotAllowedError" | "AbortError") => Failure::Cancelled,
        Some("InvalidStateError") => Failure::AlreadyOnThisDevice,
        _ => Failure::Browser,
    }
}

async fn settle(promise: JsValue) -> Result<JsValue, Failure> {
    let promise = promise
        .dyn_into::<Promise>()
        .map_err(|_| Failure::Browser)?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(failure)
}

/// One ceremony in the browser: the server's begin answer (`{"ceremony", "options":
/// {"publicKey": …}}`) as text in, the finish body (`{"ceremony", "credential": <toJSON()>}`)
/// as text out. `None`: a new passkey (`navigator.credentials.create`); `Some(conditional)`: a
/// sign-in, in the email field's autofill when `conditional` (the server's `mediation` is
/// dropped: a button's sign-in is modal). One ceremony at a time: a waiting one ends first.
async fn ceremony(begun: &str, sign_in: Option<bool>) -> Result<String, Failure> {
    abort();
    let begun = JSON::parse(begun).map_err(|_| Failure::Browser)?;
    let options = prop(&prop(&begun, "options"), "publicKey");
    let parse = match sign_in {
        None => "parseCreationOptionsFromJSON",
        Some(_) => "parseRequestOptionsFromJSON",
    };
    let public_key = call(&global("PublicKeyCredential"), parse, &options).map_err(failure)?;
    let request = Object::new();
    set(&request, "publicKey", &public_key);
    if let Some(conditional) = sign_in {
        if conditional {
            let check = "isConditionalMediationAvailable";
            let available = call(&global("PublicKeyCredential"), check, &JsValue::UNDEFINED)
                .map_err(failure)?;
            if settle(available).await? != JsValue::TRUE {
                return Err(Failure::Browser);
            }
            set(&request, "mediation", &JsValue::from_str("conditional"));
        }
        let constructor: Function = global("AbortController").unchecked_into();
        let controller = Reflect::construct(&constructor, &Array::new()).map_err(failure)?;
        set(&request, "signal", &prop(&controller, "signal"));
        PENDING.with(|p| *p.borrow_mut() = Some(controller));
    }
    let credentials = prop(&global("navigator"), "credentials");
    let method = if sign_in.is_some() { "get" } else { "create" };
    let asked = call(&credentials, method, &request).map_err(failure)?;
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

/// Signs in with a passkey: `conditional` for the email field's autofill (waits until one is
/// chosen), else the browser's prompt now (the button).
pub async fn sign_in(conditional: bool) -> Result<SessionView, Failure> {
    let begun = api::begin_passkey_sign_in()
        .await
        .map_err(Failure::NotBegun)?;
    let body = ceremony(&begun, Some(conditional)).await?;
    Ok(api::finish_passkey_sign_in(body).await?)
}

/// A passkey of the account being reset, as its second proof (the browser's prompt now).
pub async fn prove_reset(flow_id: &str) -> Result<ResetProofView, Failure> {
    let begun = api::begin_reset_passkey(flow_id)
        .await
        .map_err(Failure::NotBegun)?;
    let body = ceremony(&begun, Some(false)).await?;
    Ok(api::finish_reset_passkey(flow_id, body).await?)
}

/// Adds a passkey to the signed-in account (signed in within the last 5 minutes).
pub async fn add() -> Result<PasskeyView, Failure> {
    let begun = api::begin_passkey_registration()
        .await
        .map_err(Failure::NotBegun)?;
    let body = ceremony(&begun, None).await?;
    Ok(api::finish_passkey_registration(body).await?)
}
