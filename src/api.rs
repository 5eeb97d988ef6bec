//! Every HTTP call of the SPA (through `http.rs`, the browser's `fetch`). Errors come back as the server's problem document,
//! or as `Network` when no answer arrived; callers never lose the user's input on either.
//!
//! A call that is safe to repeat is sent again by itself, at most three tries in all, when no
//! answer came or the server said `service_unavailable` (its database briefly unavailable),
//! waiting as its `Retry-After` asks (the policy: `retry.rs`). Per call:
//! - retried: the GETs (`config`, `invitation`, `flow`, `session`), and "Verify code", which
//!   the server answers idempotently: a repeat on a verified flow gets the same verified flow,
//!   and a 503 means its transaction was rolled back, so nothing was counted (after no answer
//!   at all, a wrong code may be counted once more: one of the person's own tries, no more);
//! - never retried (each try may act again; the page keeps the input and the person decides):
//!   "Send verification code" and "Send new code" (a new mail, a send counted against the
//!   hourly caps), "Create" and "Continue" (single use: a repeat after a lost success would
//!   answer `flow_expired`/`account_exists`), sign-in (each wrong try counts towards the
//!   lockout and the per-client cap), the social start (a new provider flow), sign-out.
//! - passkeys: the list is a GET (retried); beginning a ceremony, finishing it, renaming and
//!   removing are not (a begun ceremony counts as a sign-in try, a finished one is single use).
//! - the authenticator app, recovery codes and sessions: the reads are GETs (retried); adding,
//!   confirming and removing the app, a new set of codes and ending a session are not (a new
//!   app's seed or a new set replaces the one before; a confirming code is one of the person's
//!   tries).

use crate::http::{self, Response};
use crate::i18n::Msg;
use crate::retry::{self, Outcome, Repeat};
use partner_login_contract::api::{
    paths, ActiveSession, AuthenticatorAppEnrolment, CompletePasswordResetRequest,
    CompleteSignupRequest, ConfirmAppRequest, EmailCodeFlowView, EmailCodeKind, FactorsView,
    InvitationView, OpenResetLinkRequest, PasskeyView, PublicConfig, RecoveryCodes,
    RenamePasskeyRequest, ResetProofView, SecondFactorRequest, SecondFactorView, SessionView,
    SignInRequest, SocialStartRequest, SocialStartView, StartEmailCodeRequest, VerifyCodeRequest,
};
use partner_login_contract::{ErrorCode, FieldError, Problem};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    Problem(Problem),
    Network,
}

impl ApiError {
    /// What to tell the person: the problem's code, translated; or that no answer came.
    pub fn message(&self) -> Msg {
        match self {
            ApiError::Problem(p) => Msg::error(p.code),
            ApiError::Network => Msg::NETWORK_ERROR,
        }
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Problem(p) => Some(p.code),
            ApiError::Network => None,
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            ApiError::Problem(p) => &p.errors,
            ApiError::Network => &[],
        }
    }

    pub fn retry_after(&self) -> Option<u32> {
        match self {
            ApiError::Problem(p) => p.retry_after,
            ApiError::Network => None,
        }
    }
}

/// The API base comes from the deployment's `config.json` (`/api` on this origin by default).
pub(crate) fn url(path: &str) -> String {
    format!("{}{path}", crate::deployment::api_base())
}

/// A contract path with its `{name}` placeholder filled by a percent-encoded value, so a
/// token or id can never change the path's shape.
fn path_with(template: &str, name: &str, value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    template.replace(&format!("{{{name}}}"), &encoded)
}

/// The answer to `method` on the API's `path`, with the session cookie; any method but `GET`
/// carries the CSRF header (OWASP ASVS 5.0 V3.5.1) and `body`, JSON text, if any
/// ([`http::send`]).
async fn send(method: &str, path: &str, body: Option<&str>) -> Sent {
    http::send(method, &url(path), body).await
}

/// What a request came back with: the answer, or none (the network failed).
type Sent = Result<Response, wasm_bindgen::JsValue>;

/// `body` as JSON text ([`crate::json::write`]).
fn json<B: Serialize>(body: &B) -> Result<String, ApiError> {
    crate::json::write(body).map_err(|_| ApiError::Network)
}

/// The answer's JSON as `T`. Only the parse is generic: [`read_text`] is one function for
/// every `T` (issue 21: each copy of the whole read cost the first load about 1 KB).
async fn read<T: DeserializeOwned>(sent: Sent) -> Result<T, ApiError> {
    let text = read_text(sent).await?;
    crate::json::parse(&text).map_err(|_| ApiError::Network)
}

/// A success's body as text, or the problem the server answered.
async fn read_text(sent: Sent) -> Result<String, ApiError> {
    let response = sent.map_err(|_| ApiError::Network)?;
    if response.ok() {
        response.text().await.map_err(|_| ApiError::Network)
    } else {
        Err(problem(response).await)
    }
}

/// An answer the SPA did not ask for itself (`public/boot.js`'s passkey sign-in), read as the
/// others are.
pub(crate) async fn read_answer<T: DeserializeOwned>(
    response: web_sys::Response,
) -> Result<T, ApiError> {
    read(Ok(Response::from(response))).await
}

/// A refusal the SPA did not ask for itself (`public/boot.js`'s passkey sign-in's begin).
pub(crate) async fn refusal(response: web_sys::Response) -> ApiError {
    problem(Response::from(response)).await
}

async fn problem(response: Response) -> ApiError {
    let status = response.status();
    let parsed = match response.text().await {
        Ok(text) => crate::json::parse::<Problem>(&text),
        Err(_) => Err(String::new()),
    };
    match parsed {
        Ok(problem) => ApiError::Problem(problem),
        Err(_) if status == 502 || status == 503 || status == 504 => ApiError::Network,
        Err(_) => ApiError::Problem(Problem {
            kind: Problem::type_uri(ErrorCode::Internal),
            title: "Unexpected response".into(),
            status,
            detail: None,
            code: ErrorCode::Internal,
            errors: Vec::new(),
            retry_after: None,
        }),
    }
}

/// How a try ended, for the retry policy.
fn outcome<T>(result: &Result<T, ApiError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Final,
        Err(ApiError::Network) => Outcome::NoAnswer,
        Err(ApiError::Problem(p))
            if matches!(p.code, ErrorCode::ServiceUnavailable | ErrorCode::Busy) =>
        {
            Outcome::Unavailable {
                retry_after: p.retry_after,
            }
        }
        Err(ApiError::Problem(_)) => Outcome::Final,
    }
}

/// Runs `attempt` until its answer stands ([`retry::next_wait_ms`]).
async fn with_retry<T, F, Fut>(repeat: Repeat, mut attempt: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut tries = 0;
    loop {
        let result = attempt().await;
        tries += 1;
        match retry::next_wait_ms(repeat, tries, outcome(&result)) {
            Some(wait) => http::sleep(wait).await,
            None => return result,
        }
    }
}

/// A GET: safe to repeat, so retried.
async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    with_retry(Repeat::Safe, || async {
        read(send("GET", path, None).await).await
    })
    .await
}

/// A POST, retried only when `repeat` says it is safe.
async fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    repeat: Repeat,
) -> Result<T, ApiError> {
    let body = json(body)?;
    with_retry(repeat, || async {
        read(send("POST", path, Some(&body)).await).await
    })
    .await
}

/// `GET /config`: the password policy, the social buttons, the resend cooldown.
pub async fn config() -> Result<PublicConfig, ApiError> {
    get(paths::CONFIG).await
}

/// `POST /social/{provider}/start`: where to send the browser to sign in at the provider.
pub async fn start_social(
    provider: &str,
    request: &SocialStartRequest,
) -> Result<SocialStartView, ApiError> {
    post(
        &path_with(paths::SOCIAL_START, "provider", provider),
        request,
        Repeat::Never,
    )
    .await
}

pub async fn invitation(token: &str) -> Result<InvitationView, ApiError> {
    get(&path_with(paths::INVITATION, "token", token)).await
}

/// "Send verification code": starts a flow.
pub async fn start_flow(
    kind: EmailCodeKind,
    request: &StartEmailCodeRequest,
) -> Result<EmailCodeFlowView, ApiError> {
    post(kind.paths().start, request, Repeat::Never).await
}

/// A flow's state, to resume it after a reload.
pub async fn flow(kind: EmailCodeKind, flow_id: &str) -> Result<EmailCodeFlowView, ApiError> {
    get(&path_with(kind.paths().flow, "flow_id", flow_id)).await
}

/// "Send new code".
pub async fn resend_code(
    kind: EmailCodeKind,
    flow_id: &str,
) -> Result<EmailCodeFlowView, ApiError> {
    let path = path_with(kind.paths().resend, "flow_id", flow_id);
    post(&path, &EmptyBody {}, Repeat::Never).await
}

/// "Verify code".
pub async fn verify_code(
    kind: EmailCodeKind,
    flow_id: &str,
    code: &str,
) -> Result<EmailCodeFlowView, ApiError> {
    let body = VerifyCodeRequest {
        code: code.to_owned(),
    };
    // Idempotent on the server: a repeat on a verified flow gets the verified flow.
    let path = path_with(kind.paths().verify, "flow_id", flow_id);
    post(&path, &body, Repeat::Safe).await
}

/// A reset email's one-time link (sent past the address's cap of wrong codes): its flow,
/// verified, under a new id. Not repeated: a link works once.
pub async fn open_reset_link(token: &str) -> Result<EmailCodeFlowView, ApiError> {
    let body = OpenResetLinkRequest {
        token: token.to_owned(),
    };
    post(paths::PASSWORD_RESET_LINK, &body, Repeat::Never).await
}

/// "Create": the account, signed in.
pub async fn complete_signup(
    flow_id: &str,
    request: &CompleteSignupRequest,
) -> Result<SessionView, ApiError> {
    post(
        &path_with(EmailCodeKind::SignUp.paths().complete, "flow_id", flow_id),
        request,
        Repeat::Never,
    )
    .await
}

/// "Continue": the new password, signed in.
pub async fn complete_reset(
    flow_id: &str,
    request: &CompletePasswordResetRequest,
) -> Result<SessionView, ApiError> {
    post(
        &path_with(
            EmailCodeKind::PasswordReset.paths().complete,
            "flow_id",
            flow_id,
        ),
        request,
        Repeat::Never,
    )
    .await
}

pub async fn session() -> Result<SessionView, ApiError> {
    get(paths::SESSION).await
}

pub async fn sign_in(request: &SignInRequest) -> Result<SessionView, ApiError> {
    post(paths::SESSION, request, Repeat::Never).await
}

pub async fn sign_out() -> Result<(), ApiError> {
    no_content(send("DELETE", paths::SESSION, None).await).await
}

/// An answer with nothing to read (204).
async fn no_content(sent: Sent) -> Result<(), ApiError> {
    let response = sent.map_err(|_| ApiError::Network)?;
    if response.ok() {
        Ok(())
    } else {
        Err(problem(response).await)
    }
}

/// A POST whose answer is kept as text: a passkey ceremony's begin answer, handed to the
/// browser's WebAuthn as it came (`webauthn.rs`), never parsed here.
async fn post_for_text(path: &str) -> Result<String, ApiError> {
    read_text(send("POST", path, Some("{}")).await).await
}

/// A POST of a body made by the browser's WebAuthn (`webauthn.js`: JSON text).
async fn post_text<T: DeserializeOwned>(path: &str, body: String) -> Result<T, ApiError> {
    read(send("POST", path, Some(&body)).await).await
}

/// The signed-in account's passkeys.
pub async fn passkeys() -> Result<Vec<PasskeyView>, ApiError> {
    get(paths::PASSKEYS).await
}

/// Begins adding a passkey to the signed-in account.
pub async fn begin_passkey_registration() -> Result<String, ApiError> {
    post_for_text(paths::PASSKEY_REGISTRATION).await
}

/// Finishes adding a passkey (named `Passkey` by the server until renamed).
pub async fn finish_passkey_registration(body: String) -> Result<PasskeyView, ApiError> {
    post_text(paths::PASSKEY_REGISTRATION_FINISH, body).await
}

/// The sign-in waiting for its second step (its HttpOnly cookie): the methods it may use.
pub async fn second_factor() -> Result<SecondFactorView, ApiError> {
    get(paths::SESSION_SECOND_FACTOR).await
}

/// Finishes a sign-in's second step with the app's code or a recovery code: signed in. Never
/// retried (a wrong code counts).
pub async fn finish_second_factor(request: &SecondFactorRequest) -> Result<SessionView, ApiError> {
    post(paths::SESSION_SECOND_FACTOR, request, Repeat::Never).await
}

pub(crate) fn reset_path(template: &str, flow_id: &str) -> String {
    path_with(template, "flow_id", flow_id)
}

/// The second proofs a verified reset needs before its new password.
pub async fn reset_proofs(flow_id: &str) -> Result<ResetProofView, ApiError> {
    get(&reset_path(paths::PASSWORD_RESET_SECOND_FACTOR, flow_id)).await
}

/// A reset's second proof by the app's code or a recovery code. Never retried.
pub async fn prove_reset(
    flow_id: &str,
    request: &SecondFactorRequest,
) -> Result<ResetProofView, ApiError> {
    let path = reset_path(paths::PASSWORD_RESET_SECOND_FACTOR, flow_id);
    post(&path, request, Repeat::Never).await
}

pub async fn rename_passkey(id: &str, name: &str) -> Result<(), ApiError> {
    let body = RenamePasskeyRequest {
        name: name.to_owned(),
    };
    let path = path_with(paths::PASSKEY, "passkey", id);
    no_content(send("PATCH", &path, Some(&json(&body)?)).await).await
}

pub async fn remove_passkey(id: &str) -> Result<(), ApiError> {
    let path = path_with(paths::PASSKEY, "passkey", id);
    no_content(send("DELETE", &path, None).await).await
}

/// Begins adding an authenticator app: its seed, shown once.
pub async fn begin_app() -> Result<AuthenticatorAppEnrolment, ApiError> {
    post(paths::AUTHENTICATOR_APP, &EmptyBody {}, Repeat::Never).await
}

/// Confirms the new app with a code it shows; only then is it a factor.
pub async fn confirm_app(code: &str) -> Result<(), ApiError> {
    let body = ConfirmAppRequest {
        code: code.to_owned(),
    };
    let body = json(&body)?;
    no_content(send("POST", paths::AUTHENTICATOR_APP_CONFIRM, Some(&body)).await).await
}

pub async fn remove_app() -> Result<(), ApiError> {
    no_content(send("DELETE", paths::AUTHENTICATOR_APP, None).await).await
}

/// A new set of recovery codes (the earlier set stops working): shown once.
pub async fn new_recovery_codes() -> Result<RecoveryCodes, ApiError> {
    post(paths::RECOVERY_CODES, &EmptyBody {}, Repeat::Never).await
}

/// The signed-in account's factors beyond its password.
pub async fn factors() -> Result<FactorsView, ApiError> {
    get(paths::ACCOUNT_FACTORS).await
}

/// The signed-in account's live sessions (OWASP ASVS 5.0 V7.5.2).
pub async fn sessions() -> Result<Vec<ActiveSession>, ApiError> {
    get(paths::SESSIONS).await
}

/// Ends one of the account's other sessions.
pub async fn end_session(id: &str) -> Result<(), ApiError> {
    let path = path_with(paths::SESSION_BY_ID, "session", id);
    no_content(send("DELETE", &path, None).await).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_values_are_percent_encoded() {
        assert_eq!(
            path_with(paths::SIGNUP_VERIFY, "flow_id", "abc-123_x"),
            "/signup/abc-123_x/verify"
        );
        assert_eq!(
            path_with(paths::INVITATION, "token", "a/../b?c#d"),
            "/invitations/a%2F..%2Fb%3Fc%23d"
        );
    }
}

/// `{}`, the body of the POSTs that carry nothing. A type of its own rather than
/// `serde_json::json!({})`, whose `Value` and its serializer cost the first load 1,030 B brotli
/// (issue 21, measured in `docs/first-load-levers.md`).
#[derive(serde::Serialize)]
struct EmptyBody {}
