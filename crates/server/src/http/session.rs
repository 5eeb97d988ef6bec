//! Sessions: server-side records whose id (256 bits, stored as SHA-256) travels in an HttpOnly,
//! SameSite=Lax cookie, `Secure` and `__Host-` prefixed on HTTPS (OWASP ASVS 5.0 V7, V3.3).
//! Idle and absolute timeouts (ASVS 5.0 V7.3.1, V7.3.2); a new id at every sign-in (V7.2.4).

use super::{invitations, AppState};
use crate::domain::{passwords, secrets};
use crate::error::{ApiError, ApiResult};
use crate::storage;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponseParts, ResponseParts};
use axum::routing::get;
use axum::{Json, Router};
use partner_login_contract::api::{paths, Membership, SessionView, SignInRequest};
use partner_login_contract::{Email, ErrorCode};

pub fn router() -> Router<AppState> {
    Router::new().route(paths::SESSION, get(current).post(sign_in).delete(sign_out))
}

fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-partner_login_session"
    } else {
        "partner_login_session"
    }
}

/// A `Set-Cookie` for the session (or its removal).
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

fn cookie(state: &AppState, value: &str, max_age: i64) -> SessionCookie {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    SessionCookie(format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        cookie_name(state)
    ))
}

/// Creates a session for an account inside the caller's transaction.
pub async fn start_session(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    now: i64,
) -> ApiResult<SessionCookie> {
    let id = secrets::new_token();
    storage::sessions::insert(conn, &secrets::hash(&id), account_id, now).await?;
    Ok(cookie(
        state,
        &id,
        state.config.session_absolute_hours * 3600,
    ))
}

fn session_id(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let name = cookie_name(state);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
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

#[utoipa::path(post, path = "/api/session", request_body = SignInRequest,
    responses((status = 200, body = SessionView),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 403, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    State(state): State<AppState>,
    Json(request): Json<SignInRequest>,
) -> ApiResult<(SessionCookie, Json<SessionView>)> {
    // One answer for an unknown email and a wrong password, in content and in time
    // (ASVS 5.0 V6.3.8): the dummy hash is verified when there is no account.
    let email = Email::parse(&request.email).ok();
    let account = match &email {
        Some(email) => storage::accounts::by_email(&state.db, email.as_str()).await?,
        None => None,
    };
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let password = request.password.clone();
    let ok = tokio::task::spawn_blocking(move || {
        passwords::verify_password(&password, stored.as_deref())
    })
    .await
    .map_err(anyhow::Error::from)?;
    let Some(account) = account.filter(|_| ok) else {
        tracing::info!(event = "sign_in_failed");
        return Err(ApiError::Client(ErrorCode::InvalidCredentials));
    };
    let now = storage::now();
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
    let cookie = start_session(&state, &mut tx, &account.id, now).await?;
    tx.commit().await?;
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
