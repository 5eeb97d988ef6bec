//! The OpenID Provider's authorization endpoint (OpenID Connect Core 1.0 §3.1.2, OAuth 2.0
//! authorization code with PKCE, RFC 7636; RFC 9207 `iss` in every answer), and its
//! continuation once the person has signed in by any way in.
//!
//! A request is checked in the spec's order: an unknown client or a redirect uri not registered
//! for it gets a page and never a redirect (§3.1.2.6, RFC 6749 §4.1.2.1: an open redirector
//! otherwise); every other error goes back to the registered redirect uri. With a live session
//! that satisfies `prompt` and `max_age` the answer is a code at once; with `prompt=none` and
//! none, `login_required`; otherwise the request waits server-side, bound to the browser by a
//! cookie, and the browser goes to the sign-in screen (with `login_hint` and the `ui_locales`
//! language). Every answer that signs in then carries [`continue_url`], which the SPA follows.

use crate::audit::{Action, Audit, Outcome};
use crate::domain::clients;
use crate::domain::policy;
use crate::domain::redirect::{sign_in_url, with_query};
use crate::domain::secrets;
use crate::domain::session::{self, Live};
use crate::domain::tokens::is_pkce_value;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::storage::{self, authorizations::Code, authorizations::PendingRequest};
use partner_login_contract::api::{paths, Aal, SessionView};
use serde::Deserialize;

/// Seconds an authorization code lives (it is redeemed at once by the client's back end).
pub const CODE_SECONDS: i64 = 60;
/// Seconds a request waits for the person to sign in (a sign-up with a mailed code included).
pub const PENDING_SECONDS: i64 = 30 * 60;
/// The longest `state`, `nonce` or `login_hint` kept (bounded storage per request).
const MAX_PARAM_CHARS: usize = 512;

/// The parameters of an authorization request, from the query (`GET`) or the form (`POST`).
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub response_mode: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    pub login_hint: Option<String>,
    pub ui_locales: Option<String>,
    pub request: Option<String>,
    pub request_uri: Option<String>,
}

/// Why the provider answers with a page of its own rather than a redirect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No such client (`client_id` missing or unregistered).
    UnknownClient,
    /// `redirect_uri` missing, or not one the client registered (exact match).
    UnknownRedirectUri,
    /// The request could not be read (a parameter twice, not UTF-8).
    Malformed,
    /// "Continue" with no request waiting (expired, or already answered).
    NoPendingRequest,
    /// `post_logout_redirect_uri` not registered (for the client, or for exactly one client).
    UnknownPostLogoutUri,
    /// An `id_token_hint` this provider did not sign, or for another client than `client_id`.
    BadIdTokenHint,
}

/// What the browser is sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// A 303 to this URL: the client (a code or an error), or one of our own screens.
    Redirect(String),
    /// A 303 to the sign-in screen, holding the request in the cookie (its id, a secret).
    SignIn { url: String, pending: String },
    /// A page in the person's language; never a redirect.
    Refuse(Refusal),
}

/// An error back at the client's registered redirect uri (§3.1.2.6), with `state` and `iss`.
fn back(
    state: &AppState,
    redirect_uri: &str,
    error: &str,
    description: &str,
    client_state: Option<&str>,
) -> Answer {
    let iss = state.config.issuer();
    Answer::Redirect(with_query(
        redirect_uri,
        &[
            ("error", Some(error)),
            ("error_description", Some(description)),
            ("state", client_state),
            ("iss", Some(&iss)),
        ],
    ))
}

/// True when the session answers the request: signed in recently enough, and not the session
/// the request asked to sign in again over (`prompt=login`, `max_age`); and, under
/// `MFA_POLICY=required`, made with two factors: an enrolment-only session (`aal1`) gets no
/// code and is sent to the sign-in screen as if nobody were signed in, the request waiting in
/// the browser's cookie until a sign-in with two factors (OWASP ASVS 5.0 V6.3.3; NIST SP
/// 800-63B-4 AAL2, §2.2).
fn fresh_enough(state: &AppState, live: &Live, request: &PendingRequest) -> bool {
    !policy::enrolment_only(&state.config, live.aal)
        && live.auth_time >= request.sign_in_after
        && request.stale_sid.as_deref() != Some(live.sid.as_str())
}

/// The authorization endpoint.
pub async fn authorize(
    state: &AppState,
    params: Params,
    held_session: Option<&str>,
    client_address: &str,
) -> ApiResult<Answer> {
    let now = storage::now();
    let Some(client) =
        clients::find(state, params.client_id.as_deref().unwrap_or_default()).await?
    else {
        return Ok(Answer::Refuse(Refusal::UnknownClient));
    };
    // Exact string comparison with the client's registered uris (ASVS 5.0 V10.4.1).
    let Some(redirect_uri) = params
        .redirect_uri
        .as_deref()
        .filter(|uri| client.redirect_uris.iter().any(|r| r == uri))
    else {
        return Ok(Answer::Refuse(Refusal::UnknownRedirectUri));
    };
    let client_state = params.state.as_deref();
    let refuse = |error: &str, description: &str| {
        Ok(back(state, redirect_uri, error, description, client_state))
    };
    if params.request.is_some() {
        return refuse("request_not_supported", "request objects are not supported");
    }
    if params.request_uri.is_some() {
        return refuse("request_uri_not_supported", "request_uri is not supported");
    }
    // The code flow only: never implicit (ASVS 5.0 V10.4.4, V10.6.1).
    if params.response_type.as_deref() != Some("code") {
        return refuse(
            "unsupported_response_type",
            "only response_type=code is supported",
        );
    }
    if params
        .response_mode
        .as_deref()
        .is_some_and(|m| m != "query")
    {
        return refuse("invalid_request", "only response_mode=query is supported");
    }
    let scope = params.scope.as_deref().unwrap_or_default();
    if !scope.split_whitespace().any(|s| s == "openid") {
        return refuse("invalid_scope", "the scope must include openid");
    }
    let too_long = [
        &params.state,
        &params.nonce,
        &params.login_hint,
        &params.ui_locales,
    ]
    .into_iter()
    .any(|p| {
        p.as_ref()
            .is_some_and(|v| v.chars().count() > MAX_PARAM_CHARS)
    });
    if too_long || scope.len() > MAX_PARAM_CHARS {
        return refuse("invalid_request", "a parameter is too long");
    }
    // PKCE (RFC 7636; ASVS 5.0 V10.4.6): S256 only (`plain` would hand the verifier to whoever sees the request);
    // required of public clients, accepted from confidential ones (OAuth 2.0 Security BCP §2.1.1).
    let challenge = match (
        params.code_challenge.as_deref(),
        params.code_challenge_method.as_deref(),
    ) {
        (None, None) => None,
        (Some(c), Some("S256")) if is_pkce_value(c) => Some(c.to_owned()),
        (Some(_), Some("S256")) => return refuse("invalid_request", "code_challenge is malformed"),
        (Some(_), None | Some(_)) | (None, Some(_)) => {
            return refuse(
                "invalid_request",
                "PKCE requires code_challenge_method=S256",
            )
        }
    };
    if challenge.is_none() && client.secret_hash.is_none() {
        return refuse("invalid_request", "a public client must use PKCE (S256)");
    }
    let prompts: Vec<&str> = params
        .prompt
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    if prompts.contains(&"none") && prompts.len() > 1 {
        return refuse(
            "invalid_request",
            "prompt=none cannot be combined with other values",
        );
    }
    let max_age = match params.max_age.as_deref().map(str::parse::<i64>) {
        None => None,
        Some(Ok(age)) if age >= 0 => Some(age),
        Some(_) => return refuse("invalid_request", "max_age must be a number of seconds"),
    };
    let live = session::live(state, held_session).await?;
    // `prompt=login`, and `max_age` when the sign-in is older (`max_age=0` is `prompt=login`,
    // Core §3.1.2.1): only a new sign-in answers, never the session live now, even if it was
    // made this very second.
    let sign_in_again = prompts.contains(&"login")
        || match (max_age, &live) {
            (Some(0), _) => true,
            (Some(age), Some(live)) => now - live.auth_time > age,
            _ => false,
        };
    let (sign_in_after, stale_sid) = match (&live, sign_in_again) {
        (Some(live), true) => (now, Some(live.sid.clone())),
        (None, true) => (now, None),
        (_, false) => (0, None),
    };
    let request = PendingRequest {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scope: scope.to_owned(),
        state: params.state.clone(),
        nonce: params.nonce.clone(),
        code_challenge: challenge,
        sign_in_after,
        stale_sid,
    };
    if let Some(live) = live.filter(|live| fresh_enough(state, live, &request)) {
        return Ok(Answer::Redirect(
            issue_code(state, &request, &live, now).await?,
        ));
    }
    if prompts.contains(&"none") {
        return refuse("login_required", "nobody is signed in");
    }
    // Each waiting request is a row for 30 minutes: capped per client address (ASVS 5.0
    // V2.4.1), answered as OAuth's `temporarily_unavailable` (RFC 6749 §4.1.2.1).
    let limit = state.config.authorization_request_limit();
    match limit.take(&state.db, client_address, now).await {
        Ok(taken) => taken.keep(),
        Err(crate::error::ApiError::TooMany { .. }) => {
            return refuse(
                "temporarily_unavailable",
                "too many sign-in requests from this address",
            )
        }
        Err(err) => return Err(err),
    }
    let pending = secrets::new_token();
    storage::authorizations::insert_request(
        &state.db,
        &secrets::hash(&pending),
        &request,
        now,
        now + PENDING_SECONDS,
    )
    .await?;
    tracing::info!(event = "authorization_pending", client = client.id);
    let url = sign_in_url(
        state,
        params.ui_locales.as_deref(),
        params.login_hint.as_deref(),
    );
    Ok(Answer::SignIn { url, pending })
}

/// The continuation: once signed in, the request waiting in the browser's cookie is answered
/// with a code (once); not signed in (or not recently enough), back to the sign-in screen.
pub async fn resume(
    state: &AppState,
    pending: Option<&str>,
    held_session: Option<&str>,
) -> ApiResult<Answer> {
    let now = storage::now();
    let Some(pending) = pending else {
        return Ok(Answer::Refuse(Refusal::NoPendingRequest));
    };
    let id_hash = secrets::hash(pending);
    let Some(request) = storage::authorizations::request(&state.db, &id_hash, now).await? else {
        return Ok(Answer::Refuse(Refusal::NoPendingRequest));
    };
    if clients::find(state, &request.client_id).await?.is_none() {
        return Ok(Answer::Refuse(Refusal::UnknownClient));
    }
    match session::live(state, held_session).await? {
        Some(live) if fresh_enough(state, &live, &request) => {
            // One answer per request, even on a double click.
            if !storage::authorizations::take_request(&state.db, &id_hash).await? {
                return Ok(Answer::Refuse(Refusal::NoPendingRequest));
            }
            Ok(Answer::Redirect(
                issue_code(state, &request, &live, now).await?,
            ))
        }
        _ => Ok(Answer::SignIn {
            url: sign_in_url(state, None, None),
            pending: pending.to_owned(),
        }),
    }
}

/// Where the browser goes right after signing in: the continuation of the request it holds,
/// else the single client's `initiate_login_uri`, else nowhere (the account page).
pub async fn continue_url(state: &AppState, pending: Option<&str>) -> ApiResult<Option<String>> {
    if let Some(pending) = pending {
        let waiting =
            storage::authorizations::request(&state.db, &secrets::hash(pending), storage::now())
                .await?;
        if waiting.is_some() {
            return Ok(Some(format!(
                "{}{}",
                state.config.api_public_url(),
                paths::AUTHORIZE_CONTINUE
            )));
        }
    }
    clients::initiate_login_uri(state).await
}

/// What the browser sees right after signing in: the account, and where to go next.
pub async fn view_after_sign_in(
    state: &AppState,
    account_id: &str,
    aal: Aal,
    pending: Option<&str>,
) -> ApiResult<SessionView> {
    let mut view = session::view(state, account_id, aal).await?;
    view.continue_url = continue_url(state, pending).await?;
    Ok(view)
}

/// [`view_after_sign_in`] of an account already read (a sign-in read it to check the password).
pub async fn view_after_sign_in_of(
    state: &AppState,
    account: storage::accounts::Account,
    aal: Aal,
    pending: Option<&str>,
) -> ApiResult<SessionView> {
    let mut view = session::view_of(state, account, aal).await?;
    view.continue_url = continue_url(state, pending).await?;
    Ok(view)
}

/// A code for the request, bound to its client, redirect uri and PKCE challenge, and the
/// redirect that carries it (with `state` and RFC 9207 `iss`).
async fn issue_code(
    state: &AppState,
    request: &PendingRequest,
    live: &Live,
    now: i64,
) -> ApiResult<String> {
    let code = secrets::new_token();
    let grant = Code {
        client_id: request.client_id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        account_id: live.account_id.clone(),
        sid: live.sid.clone(),
        scope: request.scope.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        auth_time: live.auth_time,
        idp: live.idp.clone(),
        amr: live.amr.clone(),
        aal: live.aal,
        expires_at: now + CODE_SECONDS,
        used_at: None,
    };
    storage::authorizations::insert_code(&state.db, &secrets::hash(&code), &grant, now).await?;
    Audit::new(Action::AuthorizationCode, Outcome::Success)
        .account(Some(&live.account_id))
        .detail(&request.client_id)
        .emit();
    let iss = state.config.issuer();
    Ok(with_query(
        &request.redirect_uri,
        &[
            ("code", Some(&code)),
            ("state", request.state.as_deref()),
            ("iss", Some(&iss)),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::is_pkce_value;

    #[test]
    fn a_pkce_challenge_is_43_to_128_unreserved_characters() {
        assert!(is_pkce_value("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert!(!is_pkce_value("short"));
        assert!(!is_pkce_value(&"a".repeat(129)));
        assert!(!is_pkce_value(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"
        ));
    }
}
