//! Sessions: server-side records whose id (256 bits, stored as SHA-256) travels in an HttpOnly,
//! SameSite=Lax cookie, `Secure` and `__Host-` prefixed on HTTPS (OWASP ASVS 5.0 V7, V3.3).
//! Idle and absolute timeouts (ASVS 5.0 V7.3.1, V7.3.2); a new id at every sign-in, sign-up
//! and password reset, ending the one the browser held (V7.2.4).
//!
//! Sign-in is guarded three ways: one answer for every wrong email or password, in content and
//! in time (ASVS 5.0 V6.3.8); smart lockout per email, and a lock until a password reset after
//! 100 consecutive failures (`domain::lockout`, ASVS 5.0 V6.3.1, NIST SP 800-63B-4 §3.2.2); and
//! a cap on failures per client address (ASVS 5.0 V2.4.1).

use super::{invitations, AppState};
use crate::domain::lockout::{Failure, UNTIL_RESET_RETRY_SECONDS};
use crate::domain::secrets;
use crate::error::{ApiError, ApiResult};
use crate::storage;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponseParts, ResponseParts};
use axum::routing::get;
use axum::{Json, Router};
use partner_login_contract::api::{paths, Membership, SessionView, SignInRequest};
use partner_login_contract::{Email, ErrorCode};
use std::net::SocketAddr;
use std::sync::OnceLock;

pub fn router() -> Router<AppState> {
    Router::new().route(paths::SESSION, get(current).post(sign_in).delete(sign_out))
}

/// A cookie's name: `__Host-` prefixed on HTTPS, which pins it to this host, path `/` and
/// `Secure` (ASVS 5.0 V3.3.1).
pub fn cookie_name(state: &AppState, base: &str) -> String {
    if state.config.secure_cookies() {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

const SESSION_COOKIE: &str = "partner_login_session";

/// A `Set-Cookie` (of the session, or of a social sign-in's flow), or its removal.
pub struct SessionCookie(String);

impl IntoResponseParts for SessionCookie {
    type Error = std::convert::Infallible;
    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        if let Ok(value) = HeaderValue::from_str(&self.0) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
        Ok(res)
    }
}

/// An HttpOnly, SameSite=Lax cookie for the whole site (`Secure` on HTTPS).
pub fn set_cookie(state: &AppState, base: &str, value: &str, max_age: i64) -> SessionCookie {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    SessionCookie(format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        cookie_name(state, base)
    ))
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> SessionCookie {
    set_cookie(state, SESSION_COOKIE, value, max_age)
}

/// Creates a session for an account inside the caller's transaction, ending the one the
/// browser held, if any (its `headers`): a new session id at every sign-in, whether by
/// password, by a social provider, at the end of a sign-up or of a password reset, and nothing
/// of the session before it lives on (OWASP ASVS 5.0 V7.2.4, no session fixation).
pub async fn start_session(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    headers: &HeaderMap,
    account_id: &str,
    now: i64,
) -> ApiResult<SessionCookie> {
    if let Some(held) = session_id(state, headers) {
        storage::sessions::delete(&mut *conn, &secrets::hash(&held)).await?;
    }
    let id = secrets::new_token();
    storage::sessions::purge_expired(
        conn,
        now - state.config.session_idle_minutes * 60,
        now - state.config.session_absolute_hours * 3600,
    )
    .await?;
    storage::sessions::insert(conn, &secrets::hash(&id), account_id, now).await?;
    Ok(cookie(
        state,
        &id,
        state.config.session_absolute_hours * 3600,
    ))
}

/// The value of a cookie the browser sent.
pub fn read_cookie(state: &AppState, headers: &HeaderMap, base: &str) -> Option<String> {
    let name = cookie_name(state, base);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

pub fn session_id(state: &AppState, headers: &HeaderMap) -> Option<String> {
    read_cookie(state, headers, SESSION_COOKIE)
}

/// The account of a live session, touching it; ends sessions past their timeouts.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> ApiResult<String> {
    let id = session_id(state, headers).ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    let id_hash = secrets::hash(&id);
    let session = storage::sessions::get(&state.db, &id_hash)
        .await?
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    let now = storage::now();
    let idle = now - session.last_seen_at > state.config.session_idle_minutes * 60;
    let old = now - session.created_at > state.config.session_absolute_hours * 3600;
    if idle || old {
        storage::sessions::delete(&state.db, &id_hash).await?;
        return Err(ApiError::Client(ErrorCode::Unauthenticated));
    }
    storage::sessions::touch(&state.db, &id_hash, now).await?;
    Ok(session.account_id)
}

pub async fn session_view(state: &AppState, account_id: &str) -> ApiResult<SessionView> {
    let account = storage::accounts::by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    let organizations = storage::accounts::organizations(&state.db, account_id)
        .await?
        .into_iter()
        .map(|organization| Membership { organization })
        .collect();
    Ok(SessionView {
        email: account.email,
        display_name: account.display_name,
        given_name: account.given_name,
        surname: account.surname,
        organizations,
        return_url: state.config.return_urls.first().cloned(),
    })
}

#[utoipa::path(get, path = "/api/session",
    responses((status = 200, body = SessionView),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn current(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<SessionView>> {
    let account_id = signed_in(&state, &headers).await?;
    Ok(Json(session_view(&state, &account_id).await?))
}

/// Sign-in attempts on the same email run one at a time on an instance (64 stripes), so that
/// parallel guesses cannot all pass the lockout check before any of them is counted.
fn email_lock(email: &str) -> &'static tokio::sync::Mutex<()> {
    static LOCKS: OnceLock<Vec<tokio::sync::Mutex<()>>> = OnceLock::new();
    let locks = LOCKS.get_or_init(|| (0..64).map(|_| tokio::sync::Mutex::new(())).collect());
    let stripe = secrets::hash(email).bytes().fold(0usize, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    &locks[stripe % locks.len()]
}

fn locked(seconds: i64) -> ApiError {
    ApiError::TooMany {
        code: ErrorCode::AccountLocked,
        retry_after: u32::try_from(seconds.max(1)).unwrap_or(u32::MAX),
    }
}

/// Counts a failure against an email's guard, retrying when another instance updated it first.
async fn record_failure(
    state: &AppState,
    email: &str,
    fingerprint: &str,
    now: i64,
) -> ApiResult<Failure> {
    for _ in 0..5 {
        let mut stored = storage::guards::get(&state.db, email).await?;
        let outcome = stored.guard.fail(fingerprint, now);
        if outcome == Failure::Repeated || storage::guards::save(&state.db, email, &stored).await? {
            return Ok(outcome);
        }
    }
    Err(anyhow::anyhow!("the sign-in guard kept changing under us").into())
}

#[utoipa::path(post, path = "/api/session", request_body = SignInRequest,
    responses((status = 200, body = SessionView),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 403, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The invitation does not exist (`invitation_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The invitation expired or was used", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Locked (`account_locked`) or throttled (`rate_limited`); `retry_after` says for how long",
            body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(request): Json<SignInRequest>,
) -> ApiResult<(SessionCookie, Json<SessionView>)> {
    let client = peer.ip().to_string();
    let now = storage::now();
    let failures = state.config.sign_in_failure_limit();
    failures.check(&state.db, &client, now).await?;
    let email = Email::parse(&request.email).ok();
    let _one_at_a_time = match &email {
        Some(email) => Some(email_lock(email.as_str()).lock().await),
        None => None,
    };
    // Whether the email has a guard row (failures since its last success) to clear on success.
    let mut has_guard = false;
    if let Some(email) = &email {
        let stored = storage::guards::get(&state.db, email.as_str()).await?;
        if let Some(wait) = stored.guard.locked_for(now) {
            tracing::info!(event = "sign_in_locked");
            return Err(locked(wait));
        }
        has_guard = stored.version.is_some();
    }
    // One answer for an unknown email and a wrong password, in content and in time
    // (ASVS 5.0 V6.3.8): the dummy hash is verified when there is no account.
    let account = match &email {
        Some(email) => storage::accounts::by_email(&state.db, email.as_str()).await?,
        None => None,
    };
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let verification = state
        .passwords
        .verify(request.password.clone(), stored)
        .await?;
    let Some(account) = account.filter(|_| verification.ok) else {
        tracing::info!(event = "sign_in_failed");
        failures.record(&state.db, &client, now).await?;
        if let Some(email) = &email {
            let outcome =
                record_failure(&state, email.as_str(), &verification.fingerprint, now).await?;
            match outcome {
                Failure::Locked(seconds) => {
                    tracing::warn!(event = "account_locked", seconds);
                    return Err(locked(seconds));
                }
                // NIST SP 800-63B-4 §3.2.2: no more than 100 consecutive failures; the same
                // answer as a lockout, known address or not (ASVS 5.0 V6.3.8).
                Failure::LockedUntilReset => {
                    tracing::warn!(event = "account_locked_until_reset");
                    return Err(locked(UNTIL_RESET_RETRY_SECONDS));
                }
                Failure::Counted | Failure::Repeated => {}
            }
        }
        return Err(ApiError::Client(ErrorCode::InvalidCredentials));
    };
    let mut tx = state.db.begin().await?;
    if let Some(token) = request.invitation.as_deref().filter(|t| !t.is_empty()) {
        let invitation = invitations::usable(&state, token).await?;
        if invitation.email != account.email {
            return Err(ApiError::Client(ErrorCode::InvitationEmailMismatch));
        }
        if !storage::invitations::mark_used(&mut tx, &invitation.id, now).await? {
            return Err(ApiError::Client(ErrorCode::InvitationUsed));
        }
        storage::accounts::add_membership(&mut tx, &account.id, &invitation.organization, now)
            .await?;
        tracing::info!(event = "invitation_accepted");
    }
    // A new session id; the one the browser held, if any, ends (ASVS 5.0 V7.2.4).
    let cookie = start_session(&state, &mut tx, &headers, &account.id, now).await?;
    tx.commit().await?;
    if has_guard {
        storage::guards::clear(&state.db, &account.email).await?;
    }
    tracing::info!(event = "sign_in_succeeded");
    Ok((cookie, Json(session_view(&state, &account.id).await?)))
}

#[utoipa::path(delete, path = "/api/session", responses((status = 204, description = "Signed out")))]
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, SessionCookie, ())> {
    if let Some(id) = session_id(&state, &headers) {
        storage::sessions::delete(&state.db, &secrets::hash(&id)).await?;
    }
    tracing::info!(event = "signed_out");
    Ok((StatusCode::NO_CONTENT, cookie(&state, "", 0), ()))
}
