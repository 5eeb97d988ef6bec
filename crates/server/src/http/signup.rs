//! Sign-up (user guide steps 3 to 6): send a code, verify it, create the account. The rules
//! are in `domain::email_code` (shared with password reset) and `domain::sign_up` ("Create").

use super::client::ClientAddress;
use super::cookies::{self, HeldAuthorization, HeldSession, SetCookie};
use crate::domain::{authorization, email_code, sign_up};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, CompleteSignupRequest, EmailCodeFlowView, EmailCodeKind, SessionView,
    StartEmailCodeRequest, VerifyCodeRequest,
};

const KIND: EmailCodeKind = EmailCodeKind::SignUp;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SIGNUP, post(start))
        .route(paths::SIGNUP_FLOW, get(show))
        .route(paths::SIGNUP_RESEND, post(resend))
        .route(paths::SIGNUP_VERIFY, post(verify))
        .route(paths::SIGNUP_COMPLETE, post(complete))
}

#[utoipa::path(post, path = "/api/signup", request_body = StartEmailCodeRequest,
    responses((status = 201, body = EmailCodeFlowView),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn start(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Json(request): Json<StartEmailCodeRequest>,
) -> ApiResult<(StatusCode, Json<EmailCodeFlowView>)> {
    let view = email_code::start(&state, KIND, &request, &client).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/signup/{flow_id}",
    params(("flow_id" = String, Path)),
    responses((status = 200, body = EmailCodeFlowView),
        (status = 404, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
) -> ApiResult<Json<EmailCodeFlowView>> {
    Ok(Json(email_code::show(&state, KIND, &flow_id).await?))
}

#[utoipa::path(post, path = "/api/signup/{flow_id}/code",
    params(("flow_id" = String, Path)),
    responses((status = 200, body = EmailCodeFlowView),
        (status = 400, description = "The flow is already verified (`bad_request`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such flow (`flow_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The flow expired (`flow_expired`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn resend(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Path(flow_id): Path<String>,
) -> ApiResult<Json<EmailCodeFlowView>> {
    Ok(Json(
        email_code::resend(&state, KIND, &flow_id, &client).await?,
    ))
}

#[utoipa::path(post, path = "/api/signup/{flow_id}/verify", request_body = VerifyCodeRequest,
    params(("flow_id" = String, Path)),
    responses((status = 200, body = EmailCodeFlowView),
        (status = 404, description = "No such flow (`flow_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The flow expired (`flow_expired`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn verify(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Path(flow_id): Path<String>,
    Json(request): Json<VerifyCodeRequest>,
) -> ApiResult<Json<EmailCodeFlowView>> {
    let view = email_code::verify(&state, KIND, &flow_id, &request.code, &client).await?;
    Ok(Json(view))
}

#[utoipa::path(post, path = "/api/signup/{flow_id}/complete", request_body = CompleteSignupRequest,
    params(("flow_id" = String, Path)),
    responses((status = 201, body = SessionView),
        (status = 404, description = "No such flow (`flow_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The flow or its invitation expired, or the invitation was used", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 409, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Password hashing is at its bound (`busy`); `retry_after` says when to try again", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn complete(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    ClientAddress(client): ClientAddress,
    HeldSession(held): HeldSession,
    HeldAuthorization(pending): HeldAuthorization,
    Json(request): Json<CompleteSignupRequest>,
) -> ApiResult<(StatusCode, SetCookie, Json<SessionView>)> {
    let (new, account_id) =
        sign_up::create(&state, &flow_id, &request, &client, held.as_deref()).await?;
    let view =
        authorization::view_after_sign_in(&state, &account_id, new.aal, pending.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        cookies::session(&state, &new),
        Json(view),
    ))
}
