//! `/api/session`: who is signed in, sign-in with a password, sign-out. The rules are in
//! `domain::sign_in` and `domain::session`; the cookie in `cookies.rs`.

use super::client::ClientAddress;
use super::cookies::{self, HeldAuthorization, HeldSecondFactor, HeldSession, SetCookie};
use crate::domain::active_sessions::{self, Ended};
use crate::domain::sign_in::SignedIn;
use crate::domain::{authorization, logout, mfa, session, sign_in as signing_in};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, ActiveSession, SecondFactorRequest, SecondFactorView, SessionView, SignInRequest,
};
use partner_login_contract::ErrorCode;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SESSION, get(current).post(sign_in).delete(sign_out))
        .route(paths::SESSIONS, get(list))
        .route(paths::SESSION_BY_ID, delete(end))
        .route(
            paths::SESSION_SECOND_FACTOR,
            get(second_factor).post(finish_second_factor),
        )
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
        (status = 401, description = "`invalid_credentials`; or `second_factor_required`: the password is right and the account has a second factor, no session yet: the answer sets the second step's cookie (`GET`/`POST /session/second-factor`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
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
) -> ApiResult<Response> {
    let signed_in = signing_in::sign_in(&state, &request, &client, held.as_deref()).await;
    state.metrics.sign_in(match &signed_in {
        Ok(SignedIn::Session(..)) => "success",
        Ok(SignedIn::SecondFactor { .. }) => ErrorCode::SecondFactorRequired.as_str(),
        Err(e) => e.code().as_str(),
    });
    match signed_in? {
        SignedIn::Session(new, account) => {
            let view =
                authorization::view_after_sign_in_of(&state, *account, new.aal, pending.as_deref())
                    .await?;
            Ok((cookies::session(&state, &new), Json(view)).into_response())
        }
        SignedIn::SecondFactor { flow } => Ok((
            cookies::second_factor(&state, &flow),
            ApiError::Client(ErrorCode::SecondFactorRequired),
        )
            .into_response()),
    }
}

#[utoipa::path(get, path = "/api/session/second-factor",
    responses((status = 200, body = SecondFactorView),
        (status = 404, description = "No sign-in waits for its second step in this browser (`flow_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "It waited too long (`flow_expired`): sign in again", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn second_factor(
    State(state): State<AppState>,
    HeldSecondFactor(flow): HeldSecondFactor,
) -> ApiResult<Json<SecondFactorView>> {
    Ok(Json(mfa::flow_view(&state, flow.as_deref()).await?))
}

#[utoipa::path(post, path = "/api/session/second-factor", request_body = SecondFactorRequest,
    responses((status = 200, description = "Signed in; after a recovery code, `recovery_codes_left` says how many are left", body = SessionView),
        (status = 400, description = "Both `code` and `recovery_code`", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is disabled", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No sign-in waits for its second step in this browser, or it was finished or took 5 wrong codes (`flow_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "It waited more than 5 minutes (`flow_expired`): sign in again", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A code of the wrong form (`code_format`), none (`required`), or a wrong or used one (`code_wrong`), field `code`", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Locked (`account_locked`: wrong codes count as wrong passwords) or throttled (`rate_limited`)", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn finish_second_factor(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    HeldSession(held): HeldSession,
    HeldSecondFactor(flow): HeldSecondFactor,
    HeldAuthorization(pending): HeldAuthorization,
    Json(request): Json<SecondFactorRequest>,
) -> ApiResult<(SetCookie, SetCookie, Json<SessionView>)> {
    let finished = mfa::finish(&state, &client, held.as_deref(), flow.as_deref(), &request).await;
    state.metrics.sign_in(
        finished
            .as_ref()
            .map_or_else(|e| e.code().as_str(), |_| "success"),
    );
    let finished = finished?;
    let mut view = authorization::view_after_sign_in_of(
        &state,
        finished.account,
        finished.session.aal,
        pending.as_deref(),
    )
    .await?;
    view.recovery_codes_left = finished.recovery_codes_left;
    Ok((
        cookies::end_second_factor(&state),
        cookies::session(&state, &finished.session),
        Json(view),
    ))
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
