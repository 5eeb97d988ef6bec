//! `/api/session`: who is signed in, sign-in with a password, sign-out. The rules are in
//! `domain::sign_in` and `domain::session`; the cookie in `cookies.rs`.

use super::client::ClientAddress;
use super::cookies::{self, HeldAuthorization, HeldSession, SetCookie};
use crate::domain::active_sessions::{self, Ended};
use crate::domain::{authorization, logout, session, sign_in as signing_in};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use partner_login_contract::api::{paths, ActiveSession, SessionView, SignInRequest};
use partner_login_contract::ErrorCode;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SESSION, get(current).post(sign_in).delete(sign_out))
        .route(paths::SESSIONS, get(list))
        .route(paths::SESSION_BY_ID, delete(end))
}

#[utoipa::path(get, path = "/api/session",
    responses((status = 200, body = SessionView),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn current(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
) -> ApiResult<Json<SessionView>> {
    let live = session::live(&state, held.as_deref())
        .await?
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    Ok(Json(
        session::view(&state, &live.account_id, live.aal).await?,
    ))
}

#[utoipa::path(post, path = "/api/session", request_body = SignInRequest,
    responses((status = 200, body = SessionView),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 403, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The invitation does not exist (`invitation_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The invitation expired or was used", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over `MAX_BODY_BYTES`", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password is longer than the policy's maximum (`too_long`), before any hash", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Locked (`account_locked`) or throttled (`rate_limited`); `retry_after` says for how long",
            body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Password hashing is at its bound (`busy`): the queue is full or this client has its share in flight; `retry_after` says when to try again",
            body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    HeldSession(held): HeldSession,
    HeldAuthorization(pending): HeldAuthorization,
    Json(request): Json<SignInRequest>,
) -> ApiResult<(SetCookie, Json<SessionView>)> {
    let signed_in = signing_in::sign_in(&state, &request, &client, held.as_deref()).await;
    state.metrics.sign_in(
        signed_in
            .as_ref()
            .map_or_else(|e| e.code().as_str(), |_| "success"),
    );
    let (new, account) = signed_in?;
    let view =
        authorization::view_after_sign_in_of(&state, account, new.aal, pending.as_deref()).await?;
    Ok((cookies::session(&state, &new), Json(view)))
}

#[utoipa::path(delete, path = "/api/session", responses((status = 204, description = "Signed out")))]
pub async fn sign_out(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
) -> ApiResult<(StatusCode, SetCookie, ())> {
    logout::sign_out(&state, held.as_deref()).await?;
    Ok((StatusCode::NO_CONTENT, cookies::end_session(&state), ()))
}

#[utoipa::path(get, path = "/api/sessions",
    responses((status = 200, description = "The signed-in account's live sessions, most recently used first (at most 50); `current` marks the caller's", body = Vec<ActiveSession>),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
) -> ApiResult<Json<Vec<ActiveSession>>> {
    Ok(Json(active_sessions::list(&state, held.as_deref()).await?))
}

#[utoipa::path(delete, path = "/api/sessions/{session}",
    params(("session" = String, Path, description = "The session's `id` from `GET /api/sessions`")),
    responses((status = 204, description = "Ended; ending the caller's own session signs it out (the cookie is removed)"),
        (status = 401, description = "Not signed in, or (to end another session) not within the last 5 minutes: sign in again", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such live session on this account", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn end(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
    Path(session): Path<String>,
) -> ApiResult<(StatusCode, Option<SetCookie>, ())> {
    let ended = active_sessions::end(&state, held.as_deref(), &session).await?;
    let cookie = (ended == Ended::Current).then(|| cookies::end_session(&state));
    Ok((StatusCode::NO_CONTENT, cookie, ()))
}
