//! "Forgot your password?": email → "Send verification code" → code by email → "Verify code" →
//! New Password, Confirm New Password → "Continue" → signed in.
//!
//! The code rules are sign-up's (`code_flow.rs`). An unknown email gets the same screens and
//! the same timing as a known one, and nothing is sent (ASVS 5.0 V6.3.8). Setting the new
//! password ends every session of the account (ASVS 5.0 V7.4.3), clears its lockout (the
//! lock after 100 consecutive failures included), and starts a fresh session, ending the one
//! the browser held (ASVS 5.0 V7.2.4).

use super::session::{start_session, SessionCookie};
use super::{code_flow, invitations, AppState};
use crate::error::{ApiError, ApiResult};
use crate::storage;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, CompletePasswordResetRequest, EmailCodeFlowView, EmailCodeKind, SessionView,
    StartEmailCodeRequest, VerifyCodeRequest,
};
use partner_login_contract::{Email, ErrorCode, Field, FieldError, LanguageTag};
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::PASSWORD_RESET, post(start))
        .route(paths::PASSWORD_RESET_FLOW, get(show))
        .route(paths::PASSWORD_RESET_RESEND, post(resend))
        .route(paths::PASSWORD_RESET_VERIFY, post(verify))
        .route(paths::PASSWORD_RESET_COMPLETE, post(complete))
}

#[utoipa::path(post, path = "/api/password-reset", request_body = StartEmailCodeRequest,
    responses((status = 201, description = "A code was sent if the address has an account; the answer is the same either way", body = EmailCodeFlowView),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(request): Json<StartEmailCodeRequest>,
) -> ApiResult<(StatusCode, Json<EmailCodeFlowView>)> {
    let email = Email::parse(&request.email)
        .map_err(|c| ApiError::Validation(vec![FieldError::new(Field::Email, c)]))?;
    let language = LanguageTag::parse_optional(request.language.as_deref())
        .map_err(|c| ApiError::Validation(vec![FieldError::new(Field::Language, c)]))?;
    // An invitation rides along only when it is for this address: resetting the password then
    // accepts it too. Otherwise it is left for a later sign-in to accept.
    let invitation = match request.invitation.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => invitations::usable(&state, token)
            .await
            .ok()
            .filter(|i| i.email == email.as_str()),
        None => None,
    };
    let account_exists = storage::accounts::by_email(&state.db, email.as_str())
        .await?
        .is_some();
    let view = code_flow::start(
        &state,
        code_flow::Start {
            kind: EmailCodeKind::PasswordReset,
            email,
            invitation,
            language: language.map(LanguageTag::into_inner),
            account_exists,
            client: peer.ip().to_string(),
        },
    )
    .await?;
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
    Ok(Json(
        code_flow::show(&state, EmailCodeKind::PasswordReset, &flow_id).await?,
    ))
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(flow_id): Path<String>,
) -> ApiResult<Json<EmailCodeFlowView>> {
    let client = peer.ip().to_string();
    Ok(Json(
        code_flow::resend(&state, EmailCodeKind::PasswordReset, &flow_id, &client).await?,
    ))
}

#[utoipa::path(post, path = "/api/password-reset/{flow_id}/verify", request_body = VerifyCodeRequest,
    params(("flow_id" = String, Path)),
    responses((status = 200, body = EmailCodeFlowView),
        (status = 404, description = "No such flow (`flow_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The flow expired (`flow_expired`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn verify(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(flow_id): Path<String>,
    Json(request): Json<VerifyCodeRequest>,
) -> ApiResult<Json<EmailCodeFlowView>> {
    let client = peer.ip().to_string();
    Ok(Json(
        code_flow::verify(
            &state,
            EmailCodeKind::PasswordReset,
            &flow_id,
            &request.code,
            &client,
        )
        .await?,
    ))
}

#[utoipa::path(post, path = "/api/password-reset/{flow_id}/complete", request_body = CompletePasswordResetRequest,
    params(("flow_id" = String, Path)),
    responses((status = 200, body = SessionView),
        (status = 404, description = "No such flow (`flow_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn complete(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    headers: HeaderMap,
    Json(request): Json<CompletePasswordResetRequest>,
) -> ApiResult<(SessionCookie, Json<SessionView>)> {
    let flow = code_flow::live_flow(&state, EmailCodeKind::PasswordReset, &flow_id).await?;
    if flow.verified_at.is_none() {
        return Err(ApiError::Client(ErrorCode::FlowNotVerified));
    }
    let errors =
        code_flow::new_password_errors(&state, &request.password, &request.password_confirmation);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // Only a flow for an existing account can be verified (no code was ever sent otherwise).
    let account = storage::accounts::by_email(&state.db, &flow.email)
        .await?
        .ok_or(ApiError::Client(ErrorCode::FlowExpired))?;
    let invitation = code_flow::flow_invitation(&state, &flow)
        .await?
        .filter(|i| invitations::check_usable(i).is_ok());
    let password_hash = state.passwords.hash(request.password.clone()).await?;
    let now = storage::now();
    let mut tx = state.db.begin().await?;
    if !storage::email_code_flows::mark_completed(&mut tx, &flow.id_hash, now).await? {
        return Err(ApiError::Client(ErrorCode::FlowExpired));
    }
    storage::accounts::set_password(&mut tx, &account.id, &password_hash).await?;
    let ended = storage::sessions::delete_for_account(&mut tx, &account.id).await?;
    if let Some(invitation) = &invitation {
        if storage::invitations::mark_used(&mut tx, &invitation.id, now).await? {
            storage::accounts::add_membership(&mut tx, &account.id, &invitation.organization, now)
                .await?;
        }
    }
    // The session the browser held ends too, whoever's it was (ASVS 5.0 V7.2.4).
    let cookie = start_session(&state, &mut tx, &headers, &account.id, now).await?;
    tx.commit().await?;
    storage::guards::clear(&state.db, &account.email).await?;
    tracing::info!(event = "password_reset", sessions_ended = ended);
    let session = super::session::session_view(&state, &account.id).await?;
    Ok((cookie, Json(session)))
}
