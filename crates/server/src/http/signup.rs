//! The sign-up flow (user guide steps 3 to 6): send a code, verify it, create the account.
//!
//! The code rules are in `code_flow.rs`, shared with password reset.

use super::session::{start_session, SessionCookie};
use super::{code_flow, invitations, AppState};
use crate::domain::secrets;
use crate::error::{ApiError, ApiResult};
use crate::storage::{self, accounts::NewAccount};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, CompleteSignupRequest, EmailCodeFlowView, EmailCodeKind, SessionView,
    StartEmailCodeRequest, VerifyCodeRequest,
};
use partner_login_contract::{Email, ErrorCode, Field, FieldError, LanguageTag, PersonName};
use std::net::SocketAddr;

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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(request): Json<StartEmailCodeRequest>,
) -> ApiResult<(StatusCode, Json<EmailCodeFlowView>)> {
    let email = Email::parse(&request.email)
        .map_err(|c| ApiError::Validation(vec![FieldError::new(Field::Email, c)]))?;
    let language = LanguageTag::parse_optional(request.language.as_deref())
        .map_err(|c| ApiError::Validation(vec![FieldError::new(Field::Language, c)]))?;
    let invitation = match request.invitation.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => Some(invitations::usable(&state, token).await?),
        None => None,
    };
    let account_exists = storage::accounts::by_email(&state.db, email.as_str())
        .await?
        .is_some();
    let view = code_flow::start(
        &state,
        code_flow::Start {
            kind: EmailCodeKind::SignUp,
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

#[utoipa::path(get, path = "/api/signup/{flow_id}",
    params(("flow_id" = String, Path)),
    responses((status = 200, body = EmailCodeFlowView),
        (status = 404, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
) -> ApiResult<Json<EmailCodeFlowView>> {
    Ok(Json(
        code_flow::show(&state, EmailCodeKind::SignUp, &flow_id).await?,
    ))
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(flow_id): Path<String>,
) -> ApiResult<Json<EmailCodeFlowView>> {
    let client = peer.ip().to_string();
    Ok(Json(
        code_flow::resend(&state, EmailCodeKind::SignUp, &flow_id, &client).await?,
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(flow_id): Path<String>,
    Json(request): Json<VerifyCodeRequest>,
) -> ApiResult<Json<EmailCodeFlowView>> {
    let client = peer.ip().to_string();
    Ok(Json(
        code_flow::verify(
            &state,
            EmailCodeKind::SignUp,
            &flow_id,
            &request.code,
            &client,
        )
        .await?,
    ))
}

/// Checks every field of "Create" at once, so the form can show all its errors together.
fn validate_complete(state: &AppState, request: &CompleteSignupRequest) -> Vec<FieldError> {
    let mut errors =
        code_flow::new_password_errors(state, &request.password, &request.password_confirmation);
    for (field, value) in [
        (Field::DisplayName, &request.display_name),
        (Field::GivenName, &request.given_name),
        (Field::Surname, &request.surname),
    ] {
        if let Err(code) = PersonName::parse(value) {
            let limit = (code == ErrorCode::TooLong)
                .then_some(partner_login_contract::name::NAME_MAX_CHARS as u32);
            errors.push(FieldError { field, code, limit });
        }
    }
    errors
}

#[utoipa::path(post, path = "/api/signup/{flow_id}/complete", request_body = CompleteSignupRequest,
    params(("flow_id" = String, Path)),
    responses((status = 201, body = SessionView),
        (status = 404, description = "No such flow (`flow_not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The flow or its invitation expired, or the invitation was used", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 409, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn complete(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    headers: HeaderMap,
    Json(request): Json<CompleteSignupRequest>,
) -> ApiResult<(StatusCode, SessionCookie, Json<SessionView>)> {
    let flow = code_flow::live_flow(&state, EmailCodeKind::SignUp, &flow_id).await?;
    if flow.verified_at.is_none() {
        return Err(ApiError::Client(ErrorCode::FlowNotVerified));
    }
    let errors = validate_complete(&state, &request);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let invitation = code_flow::flow_invitation(&state, &flow).await?;
    if let Some(invitation) = &invitation {
        invitations::check_usable(invitation)?;
    }
    let password_hash = state.passwords.hash(request.password.clone()).await?;
    let account_id = secrets::new_token();
    let now = storage::now();
    let mut tx = state.db.begin().await?;
    // One account per flow and per email, even on a double click (unique constraint + the
    // completed_at guard, in one transaction).
    if !storage::email_code_flows::mark_completed(&mut tx, &flow.id_hash, now).await? {
        return Err(ApiError::Client(ErrorCode::AccountExists));
    }
    let new = NewAccount {
        id: &account_id,
        email: &flow.email,
        password_hash: &password_hash,
        display_name: request.display_name.trim(),
        given_name: request.given_name.trim(),
        surname: request.surname.trim(),
    };
    if let Err(err) = storage::accounts::insert(&mut tx, &new, now).await {
        return Err(if storage::is_unique_violation(&err) {
            ApiError::Client(ErrorCode::AccountExists)
        } else {
            err.into()
        });
    }
    if let Some(invitation) = &invitation {
        if !storage::invitations::mark_used(&mut tx, &invitation.id, now).await? {
            return Err(ApiError::Client(ErrorCode::InvitationUsed));
        }
        storage::accounts::add_membership(&mut tx, &account_id, &invitation.organization, now)
            .await?;
    }
    // The session the browser held, if any, ends (ASVS 5.0 V7.2.4).
    let cookie = start_session(&state, &mut tx, &headers, &account_id, now).await?;
    tx.commit().await?;
    tracing::info!(event = "account_created", invited = invitation.is_some());
    if invitation.is_some() {
        tracing::info!(event = "invitation_accepted");
    }
    let session = super::session::session_view(&state, &account_id).await?;
    Ok((StatusCode::CREATED, cookie, Json(session)))
}
