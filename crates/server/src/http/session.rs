//! `/api/session`: who is signed in, sign-in with a password, sign-out. The rules are in
//! `domain::sign_in` and `domain::session`; the cookie in `cookies.rs`.

use super::client::ClientAddress;
use super::cookies::{self, HeldAuthorization, HeldSession, SetCookie};
use crate::domain::{authorization, logout, session, sign_in as signing_in};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use partner_login_contract::api::{paths, SessionView, SignInRequest};

pub fn router() -> Router<AppState> {
    Router::new().route(paths::SESSION, get(current).post(sign_in).delete(sign_out))
}

#[utoipa::path(get, path = "/api/session",
    responses((status = 200, body = SessionView),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn current(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
) -> ApiResult<Json<SessionView>> {
    let account_id = session::signed_in(&state, held.as_deref()).await?;
    Ok(Json(session::view(&state, &account_id).await?))
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
    let view = authorization::view_after_sign_in_of(&state, account, pending.as_deref()).await?;
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
