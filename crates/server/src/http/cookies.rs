//! The four cookies: the session's, a social sign-in's flow, an authorization request waiting
//! for a sign-in (the OpenID Provider's), and a password sign-in waiting for its second step. All are HttpOnly, SameSite=Lax,
//! for the whole site, and on HTTPS `Secure` and `__Host-` prefixed, which pins them to this
//! host (OWASP ASVS 5.0 V3.3.1, V7). Their values are secrets: never logged.

use crate::domain::authorization;
use crate::domain::mfa;
use crate::domain::session::NewSession;
use crate::domain::social_link;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponseParts, ResponseParts};

const SESSION: &str = "partner_login_session";
const SOCIAL_FLOW: &str = "partner_login_social";
const AUTHORIZATION: &str = "partner_login_authorize";
const SECOND_FACTOR: &str = "partner_login_second_factor";

/// A `Set-Cookie` (of the session, or of a social sign-in's flow), or its removal.
pub struct SetCookie(String);

impl IntoResponseParts for SetCookie {
    type Error = std::convert::Infallible;
    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        if let Ok(value) = HeaderValue::from_str(&self.0) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
        Ok(res)
    }
}

/// A cookie's name: `__Host-` prefixed on HTTPS (ASVS 5.0 V3.3.1).
fn name(state: &AppState, base: &str) -> String {
    if state.config.secure_cookies() {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

/// An HttpOnly, SameSite=Lax cookie for the whole site (`Secure` on HTTPS).
fn set(state: &AppState, base: &str, value: &str, max_age: i64) -> SetCookie {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    SetCookie(format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        name(state, base)
    ))
}

/// The value of a cookie the browser sent.
fn read(state: &AppState, headers: &HeaderMap, base: &str) -> Option<String> {
    let name = name(state, base);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The session cookie of a session just started.
pub fn session(state: &AppState, session: &NewSession) -> SetCookie {
    set(state, SESSION, &session.id, session.max_age)
}

/// The removal of the session cookie (sign-out).
pub fn end_session(state: &AppState) -> SetCookie {
    set(state, SESSION, "", 0)
}

/// The cookie that binds a social sign-in to the browser that started it.
pub fn social_flow(state: &AppState, flow_id: &str) -> SetCookie {
    set(state, SOCIAL_FLOW, flow_id, social_link::FLOW_SECONDS)
}

/// The removal of the social flow cookie (it has done its work when the provider answers).
pub fn end_social_flow(state: &AppState) -> SetCookie {
    set(state, SOCIAL_FLOW, "", 0)
}

/// The cookie that binds an authorization request waiting for a sign-in to this browser.
pub fn authorization(state: &AppState, pending: &str) -> SetCookie {
    set(
        state,
        AUTHORIZATION,
        pending,
        authorization::PENDING_SECONDS,
    )
}

/// The cookie that binds a password sign-in waiting for its second step to the browser that
/// proved the password (`domain::mfa`).
pub fn second_factor(state: &AppState, flow: &str) -> SetCookie {
    set(state, SECOND_FACTOR, flow, mfa::FLOW_SECONDS)
}

/// The removal of the second step's cookie (signed in).
pub fn end_second_factor(state: &AppState) -> SetCookie {
    set(state, SECOND_FACTOR, "", 0)
}

/// The second step's flow id the browser holds, if any (an extractor).
pub struct HeldSecondFactor(pub Option<String>);

impl FromRequestParts<AppState> for HeldSecondFactor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(read(state, &parts.headers, SECOND_FACTOR)))
    }
}

/// The removal of the authorization request's cookie (answered).
pub fn end_authorization(state: &AppState) -> SetCookie {
    set(state, AUTHORIZATION, "", 0)
}

/// The id of the authorization request waiting in this browser, if any (an extractor).
pub struct HeldAuthorization(pub Option<String>);

impl FromRequestParts<AppState> for HeldAuthorization {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(read(state, &parts.headers, AUTHORIZATION)))
    }
}

/// The session id the browser holds, if any (an extractor).
pub struct HeldSession(pub Option<String>);

impl FromRequestParts<AppState> for HeldSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(read(state, &parts.headers, SESSION)))
    }
}

/// The social flow id the browser holds, if any (an extractor).
pub struct HeldSocialFlow(pub Option<String>);

impl FromRequestParts<AppState> for HeldSocialFlow {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(read(state, &parts.headers, SOCIAL_FLOW)))
    }
}
