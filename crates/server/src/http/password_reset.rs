//! "Forgot your password?": the email-code flow of `domain::email_code` (shared with sign-up)
//! and its last step, "Continue" (`domain::password_reset`).

use super::client::ClientAddress;
use super::cookies::{self, HeldAuthorization, HeldSession};
use super::passkeys::{FinishSignInRequest, SignInBegun};
use crate::domain::{authorization, email_code, password_reset};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, CompletePasswordResetRequest, EmailCodeFlowView, EmailCodeKind, OpenResetLinkRequest,
    ResetProofView, SecondFactorRequest, SessionView, StartEmailCodeRequest, VerifyCodeRequest,
};

const KIND: EmailCodeKind = EmailCodeKind::PasswordReset;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::PASSWORD_RESET, post(start))
        .route(paths::PASSWORD_RESET_FLOW, get(show))
        .route(paths::PASSWORD_RESET_RESEND, post(resend))
        .route(paths::PASSWORD_RESET_VERIFY, post(verify))
        .route(paths::PASSWORD_RESET_COMPLETE, post(complete))
        .route(paths::PASSWORD_RESET_LINK, post(open_link))
        .route(
            paths::PASSWORD_RESET_SECOND_FACTOR,
            get(second_factor).post(prove),
        )
        .route(paths::PASSWORD_RESET_PASSKEY, post(begin_passkey))
        .route(paths::PASSWORD_RESET_PASSKEY_FINISH, post(finish_passkey))
}

#[utoipa::path(get, path = "/api/password-reset/{flow_id}/second-factor",
    params(("flow_id" = String, Path)),
    responses((status = 200, description = "The second proofs the account needs before its new password (`methods` empty: none), and whether one was given", body = ResetProofView),
        (status = 403, description = "The account is disabled (`account_disabled`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The emailed code is not verified yet (`flow_not_verified`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn second_factor(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
) -> ApiResult<Json<ResetProofView>> {
    Ok(Json(password_reset::proofs(&state, &flow_id).await?))
}

#[utoipa::path(post, path = "/api/password-reset/{flow_id}/second-factor", request_body = SecondFactorRequest,
    params(("flow_id" = String, Path)),
    responses((status = 200, description = "Proven: \"Continue\" may set the new password; after a recovery code, how many are left", body = ResetProofView),
        (status = 400, description = "The account needs no proof, or the flow has one (`bad_request`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 403, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The flow expired or took 5 wrong codes (`flow_expired`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`code_format`, `code_wrong` or `required`; or `flow_not_verified`: the emailed code is not verified yet", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited` or `account_locked`", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn prove(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Path(flow_id): Path<String>,
    Json(request): Json<SecondFactorRequest>,
) -> ApiResult<Json<ResetProofView>> {
    Ok(Json(
        password_reset::prove(&state, &client, &flow_id, &request).await?,
    ))
}

#[utoipa::path(post, path = "/api/password-reset/{flow_id}/passkey",
    params(("flow_id" = String, Path)),
    responses((status = 200, description = "A ceremony of the account's passkeys (`allowCredentials`), bound to this reset", body = SignInBegun),
        (status = 400, description = "The account needs no proof, has no passkey, or the flow has a proof (`bad_request`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The emailed code is not verified yet (`flow_not_verified`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn begin_passkey(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Path(flow_id): Path<String>,
) -> ApiResult<Json<SignInBegun>> {
    let begun = password_reset::begin_passkey(&state, &client, &flow_id).await?;
    Ok(Json(SignInBegun {
        ceremony: begun.ceremony,
        options: begun.options,
    }))
}

#[utoipa::path(post, path = "/api/password-reset/{flow_id}/passkey/finish", request_body = FinishSignInRequest,
    params(("flow_id" = String, Path)),
    responses((status = 200, description = "Proven by a passkey of the account: \"Continue\" may set the new password", body = ResetProofView),
        (status = 400, description = "`passkey_refused` (not of this account, user not verified, a bad signature) or `bad_request`", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The ceremony is unknown, used, or of another reset (`flow_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn finish_passkey(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Path(flow_id): Path<String>,
    Json(request): Json<FinishSignInRequest>,
) -> ApiResult<Json<ResetProofView>> {
    let view = password_reset::finish_passkey(
        &state,
        &client,
        &flow_id,
        &request.ceremony,
        &request.credential,
    )
    .await?;
    Ok(Json(view))
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
        (status = 401, description = "`second_factor_required`: the account has a second factor and the flow no second proof yet (`…/second-factor`, `…/passkey`); the password is not changed", body = partner_login_contract::Problem, content_type = "application/problem+json"),
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
    let (new, account_id) =
        password_reset::set_password(&state, &flow_id, &request, &client, held.as_deref()).await?;
    let view =
        authorization::view_after_sign_in(&state, &account_id, new.aal, pending.as_deref()).await?;
    Ok((cookies::session(&state, &new), Json(view)).into_response())
}
