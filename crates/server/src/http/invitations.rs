//! Invitations: created by an administrator (CLI or admin API), viewed by the invited person.

use super::AppState;
use crate::domain::secrets;
use crate::error::{ApiError, ApiResult};
use crate::mail::templates;
use crate::storage::{self, invitations::Invitation};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, CreateInvitationRequest, CreateInvitationResponse, InvitationView,
};
use partner_login_contract::{Email, ErrorCode, Field, FieldError, LanguageTag, PersonName};
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::INVITATION, get(view))
        .route(paths::ADMIN_INVITATIONS, post(create))
}

/// Stores an invitation and mails its link; returns the link. The token exists in clear only
/// in the link: the database keeps its SHA-256.
pub async fn create_invitation(
    state: &AppState,
    request: &CreateInvitationRequest,
) -> ApiResult<CreateInvitationResponse> {
    let mut errors = Vec::new();
    let email = Email::parse(&request.email)
        .map_err(|c| errors.push(FieldError::new(Field::Email, c)))
        .ok();
    let organization = PersonName::parse(&request.organization)
        .map_err(|c| errors.push(FieldError::new(Field::Organization, c)))
        .ok();
    let inviter = match request.inviter.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(name) => PersonName::parse(name)
            .map_err(|c| errors.push(FieldError::new(Field::Inviter, c)))
            .ok(),
        None => None,
    };
    let language = LanguageTag::parse_optional(request.language.as_deref())
        .map_err(|c| errors.push(FieldError::new(Field::Language, c)))
        .ok()
        .flatten();
    let (Some(email), Some(organization), true) = (email, organization, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let token = secrets::new_token();
    let now = storage::now();
    let expires_at = now + state.config.invitation_ttl_days * 86_400;
    storage::invitations::insert(
        &state.db,
        &secrets::new_token(),
        &secrets::hash(&token),
        email.as_str(),
        organization.as_str(),
        inviter.as_ref().map(PersonName::as_str),
        language.as_ref().map(LanguageTag::as_str),
        now,
        expires_at,
    )
    .await?;
    let link = format!("{}/invitation#{token}", state.config.public_url());
    let mail = templates::invitation(
        email.as_str(),
        organization.as_str(),
        inviter.as_ref().map(PersonName::as_str),
        &link,
        language.as_ref().map(LanguageTag::as_str),
    );
    state.mailer.send("invitation", mail).await?;
    tracing::info!(
        event = "invitation_created",
        organization = organization.as_str()
    );
    Ok(CreateInvitationResponse { link, expires_at })
}

/// The invitation a token names, if it can still be used.
pub async fn usable(state: &AppState, token: &str) -> ApiResult<Invitation> {
    let invitation = storage::invitations::by_token_hash(&state.db, &secrets::hash(token))
        .await?
        .ok_or(ApiError::Client(ErrorCode::InvitationNotFound))?;
    check_usable(&invitation)?;
    Ok(invitation)
}

pub fn check_usable(invitation: &Invitation) -> ApiResult<()> {
    if invitation.used_at.is_some() {
        return Err(ApiError::Client(ErrorCode::InvitationUsed));
    }
    if invitation.expires_at <= storage::now() {
        return Err(ApiError::Client(ErrorCode::InvitationExpired));
    }
    Ok(())
}

pub fn to_view(invitation: &Invitation) -> InvitationView {
    InvitationView {
        email: invitation.email.clone(),
        organization: invitation.organization.clone(),
        inviter: invitation.inviter.clone(),
        language: invitation.language.clone(),
        expires_at: invitation.expires_at,
    }
}

#[utoipa::path(get, path = "/api/invitations/{token}",
    params(("token" = String, Path, description = "The token of the invitation link")),
    responses((status = 200, body = InvitationView),
        (status = 404, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn view(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<InvitationView>> {
    Ok(Json(to_view(&usable(&state, &token).await?)))
}

#[utoipa::path(post, path = "/api/admin/invitations", request_body = CreateInvitationRequest,
    security(("admin_token" = [])),
    responses((status = 201, body = CreateInvitationResponse),
        (status = 401, description = "No `Authorization: Bearer` token (`unauthenticated`)",
            body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A wrong token (`forbidden`)",
            body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many invitations, or too many refused tokens, from this client address (`rate_limited`); `Retry-After`",
            body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(request): Json<CreateInvitationRequest>,
) -> ApiResult<(StatusCode, Json<CreateInvitationResponse>)> {
    // A client that presented wrong tokens is refused for the hour, even with the right one
    // (ASVS 5.0 V2.4.1: guessing the token is not a way in).
    let client = peer.ip().to_string();
    let now = storage::now();
    let refusals = state.config.admin_refusal_limit();
    refusals.check(&state.db, &client, now).await?;
    // No credentials at all is 401 (RFC 9110 §15.5.2); wrong ones are 403.
    let Some(presented) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return Err(ApiError::Client(ErrorCode::Unauthenticated));
    };
    let allowed = state.config.admin_token.as_deref().is_some_and(|expected| {
        // Constant-time comparison of hashes (ASVS 5.0 V11.2.4).
        secrets::same(&secrets::hash(presented), &secrets::hash(expected))
    });
    if !allowed {
        tracing::warn!(event = "admin_token_refused", client = %client);
        refusals.record(&state.db, &client, now).await?;
        return Err(ApiError::Client(ErrorCode::Forbidden));
    }
    let invitations = state.config.invitation_limit();
    invitations.take(&state.db, &client, now).await?;
    let created = create_invitation(&state, &request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
