//! Invitations: viewed by the invited person, created through the admin API. The rules are in
//! `domain::invitation`.

use super::admin::Bearer;
use super::client::ClientAddress;
use crate::domain::{admin, invitation};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, CreateInvitationRequest, CreateInvitationResponse, InvitationView,
};

pub fn router() -> Router<AppState> {
    Router::new().route(paths::INVITATION, get(view)).route(
        paths::ADMIN_INVITATIONS,
        post(create).get(super::admin::list_invitations),
    )
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
    let usable = invitation::usable(&state, &token).await?;
    Ok(Json(invitation::to_view(&usable)))
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
    ClientAddress(client): ClientAddress,
    Bearer(presented): Bearer,
    Json(request): Json<CreateInvitationRequest>,
) -> ApiResult<(StatusCode, Json<CreateInvitationResponse>)> {
    let admin = admin::authorize(&state, presented.as_deref(), &client).await?;
    let created = invitation::create_as_admin(&state, &admin, &client, &request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
