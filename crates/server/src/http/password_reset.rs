//! "Forgot your password?": the email-code flow of `domain::email_code` (shared with sign-up)
//! and its last step, "Continue" (`domain::password_reset`).

use super::client::ClientAddress;
use super::cookies::{self, HeldAuthorization, HeldSession};
use crate::domain::password_reset::Reset;
use crate::domain::{authorization, email_code, password_reset};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, CompletePasswordResetRequest, EmailCodeFlowView, EmailCodeKind, OpenResetLinkRequest,
    SessionView, StartEmailCodeRequest, VerifyCodeRequest,
};
use partner_login_contract::ErrorCode;

const KIND: EmailCodeKind = EmailCodeKind::PasswordReset;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::PASSWORD_RESET, post(start))
        .route(paths::PASSWORD_RESET_FLOW, get(show))
        .route(paths::PASSWORD_RESET_RESEND, post(resend))
        .route(paths::PASSWORD_RESET_VERIFY, post(verify))
        .route(paths::PASSWORD_RESET_COMPLETE, post(complete))
        .route(paths::PASSWORD_RESET_LINK, post(open_link))
}

#[utoipa::path(post, path = "/api/password-reset", request_body = StartEmailCodeRequest,
    responses((status = 201, description = "A code was sent if the address has an account; the answer is the same either way", body = EmailCodeFlowView),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json"),
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

#[utoipa::path(get, path = "/api/password-reset/{flow_id}",
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

#[utoipa::path(post, path = "/api/password-reset/{flow_id}/code",
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

#[utoipa::path(post, path = "/api/password-reset/{flow_id}/verify", request_body = VerifyCodeRequest,
    params(("flow_id" = String, Path)),
    responses((status = 200, body = EmailCodeFlowView),
        (status = 403, description = "Too many wrong reset codes for the address, across flows: codes are refused, the reset email carries a link (`reset_link_required`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
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

#[utoipa::path(post, path = "/api/password-reset/link", request_body = OpenResetLinkRequest,
    responses((status = 200, description = "The link's flow, verified, under a new flow id", body = EmailCodeFlowView),
        (status = 410, description = "The link is unknown, used or expired (`flow_expired`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn open_link(
    State(state): State<AppState>,
    Json(request): Json<OpenResetLinkRequest>,
) -> ApiResult<Json<EmailCodeFlowView>> {
    Ok(Json(email_code::open_link(&state, &request.token).await?))
}

#[utoipa::path(post, path = "/api/password-reset/{flow_id}/complete", request_body = CompletePasswordResetRequest,
    params(("flow_id" = String, Path)),
    responses((status = 200, body = SessionView),
        (status = 401, description = "`second_factor_required`: the password is set, and the account has a second factor: no session yet; the answer sets the second step's cookie, as a password sign-in does (`GET`/`POST /session/second-factor`, or a passkey sign-in when `methods` says `passkey`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such flow (`flow_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Password hashing is at its bound (`busy`); `retry_after` says when to try again", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn complete(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    ClientAddress(client): ClientAddress,
    HeldSession(held): HeldSession,
    HeldAuthorization(pending): HeldAuthorization,
    Json(request): Json<CompletePasswordResetRequest>,
) -> ApiResult<Response> {
    match password_reset::set_password(&state, &flow_id, &request, &client, held.as_deref()).await?
    {
        Reset::SignedIn(new, account_id) => {
            let view =
                authorization::view_after_sign_in(&state, &account_id, new.aal, pending.as_deref())
                    .await?;
            Ok((cookies::session(&state, &new), Json(view)).into_response())
        }
        // The account has a second factor (ASVS 5.0 V6.4.3): the password sign-in's second
        // step, same answer and cookie.
        Reset::SecondFactor { flow } => Ok((
            cookies::second_factor(&state, &flow),
            ApiError::Client(ErrorCode::SecondFactorRequired),
        )
            .into_response()),
    }
}
