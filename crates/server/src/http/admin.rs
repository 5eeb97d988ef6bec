//! The admin API under `/api/admin/`: account administration and the pending invitations
//! (creating one is in `invitations.rs`). Every call carries `Authorization: Bearer <one of the
//! ADMIN_TOKENs>`, checked on every call by `domain::admin::authorize`; the rules are in
//! `domain::accounts` and `domain::invitation`.

use super::client::ClientAddress;
use crate::domain::{accounts, admin, invitation};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, AccountDetail, AccountList, AdminPageQuery, InvitationList, SessionsEnded,
};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::ADMIN_ACCOUNTS, get(list_accounts))
        .route(
            paths::ADMIN_ACCOUNT,
            get(show_account).delete(delete_account),
        )
        .route(paths::ADMIN_ACCOUNT_DISABLE, post(disable_account))
        .route(paths::ADMIN_ACCOUNT_ENABLE, post(enable_account))
        .route(paths::ADMIN_ACCOUNT_END_SESSIONS, post(end_sessions))
        .route(paths::ADMIN_ACCOUNT_IDENTITY, delete(unlink_identity))
        .route(paths::ADMIN_INVITATION, delete(revoke_invitation))
}

/// The refusals every admin operation may answer, documented once.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only read by the OpenAPI document
enum Refusals {
    #[response(
        status = 401,
        description = "No `Authorization: Bearer` token (`unauthenticated`)",
        content_type = "application/problem+json"
    )]
    NoToken(partner_login_contract::Problem),
    #[response(
        status = 403,
        description = "A wrong token (`forbidden`)",
        content_type = "application/problem+json"
    )]
    WrongToken(partner_login_contract::Problem),
    #[response(
        status = 429,
        description = "Too many refused tokens from this client address (`rate_limited`); `Retry-After`",
        content_type = "application/problem+json"
    )]
    TooMany(partner_login_contract::Problem),
}

/// The bearer token a request presented, if any (an extractor; checked by
/// `domain::admin::authorize`).
pub struct Bearer(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::to_owned),
        ))
    }
}

/// The caller, checked: the token, and the client address's refused-token cap.
async fn authorized(
    state: &AppState,
    bearer: Bearer,
    client: &str,
) -> ApiResult<crate::domain::admin::Admin> {
    admin::authorize(state, bearer.0.as_deref(), client).await
}

#[utoipa::path(get, path = "/api/admin/accounts", params(AdminPageQuery),
    security(("admin_token" = [])),
    responses((status = 200, body = AccountList),
        (status = 400, description = "`limit` is not within 1 to 1000 (`bad_request`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        Refusals))]
pub async fn list_accounts(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    bearer: Bearer,
    Query(page): Query<AdminPageQuery>,
) -> ApiResult<Json<AccountList>> {
    let admin = authorized(&state, bearer, &client).await?;
    Ok(Json(accounts::list(&state, &admin, &page).await?))
}

#[utoipa::path(get, path = "/api/admin/accounts/{account}",
    params(("account" = String, Path, description = "The account's email or id")),
    security(("admin_token" = [])),
    responses((status = 200, body = AccountDetail),
        (status = 404, description = "No such account (`not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        Refusals))]
pub async fn show_account(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    bearer: Bearer,
    Path(account): Path<String>,
) -> ApiResult<Json<AccountDetail>> {
    let admin = authorized(&state, bearer, &client).await?;
    Ok(Json(accounts::show(&state, &admin, &account).await?))
}

#[utoipa::path(post, path = "/api/admin/accounts/{account}/disable",
    params(("account" = String, Path, description = "The account's email or id")),
    security(("admin_token" = [])),
    responses((status = 200, description = "Disabled; its sessions ended", body = SessionsEnded),
        (status = 404, description = "No such account (`not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        Refusals))]
pub async fn disable_account(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    bearer: Bearer,
    Path(account): Path<String>,
) -> ApiResult<Json<SessionsEnded>> {
    let admin = authorized(&state, bearer, &client).await?;
    let out = accounts::disable(&state, &admin, &account).await?;
    Ok(Json(ended(out.sessions_ended)))
}

#[utoipa::path(post, path = "/api/admin/accounts/{account}/enable",
    params(("account" = String, Path, description = "The account's email or id")),
    security(("admin_token" = [])),
    responses((status = 204, description = "Enabled"),
        (status = 404, description = "No such account (`not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        Refusals))]
pub async fn enable_account(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    bearer: Bearer,
    Path(account): Path<String>,
) -> ApiResult<StatusCode> {
    let admin = authorized(&state, bearer, &client).await?;
    accounts::enable(&state, &admin, &account).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/admin/accounts/{account}/end-sessions",
    params(("account" = String, Path, description = "The account's email or id")),
    security(("admin_token" = [])),
    responses((status = 200, description = "Every session of the account ended", body = SessionsEnded),
        (status = 404, description = "No such account (`not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        Refusals))]
pub async fn end_sessions(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    bearer: Bearer,
    Path(account): Path<String>,
) -> ApiResult<Json<SessionsEnded>> {
    let admin = authorized(&state, bearer, &client).await?;
    let out = accounts::end_sessions(&state, &admin, &account).await?;
    Ok(Json(ended(out.sessions_ended)))
}

#[utoipa::path(delete, path = "/api/admin/accounts/{account}",
    params(("account" = String, Path, description = "The account's email or id")),
    security(("admin_token" = [])),
    responses((status = 204, description = "Deleted with its sessions, memberships and identities"),
        (status = 404, description = "No such account (`not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        Refusals))]
pub async fn delete_account(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    bearer: Bearer,
    Path(account): Path<String>,
) -> ApiResult<StatusCode> {
    let admin = authorized(&state, bearer, &client).await?;
    accounts::delete(&state, &admin, &account).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct IdentityPath {
    account: String,
    provider: String,
}

#[utoipa::path(delete, path = "/api/admin/accounts/{account}/identities/{provider}",
    params(("account" = String, Path, description = "The account's email or id"),
        ("provider" = String, Path, description = "The social provider's configured id (`unicef`)")),
    security(("admin_token" = [])),
    responses((status = 204, description = "Unlinked"),
        (status = 404, description = "No such account, or no identity of it at that provider (`not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        Refusals))]
pub async fn unlink_identity(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    bearer: Bearer,
    Path(path): Path<IdentityPath>,
) -> ApiResult<StatusCode> {
    let admin = authorized(&state, bearer, &client).await?;
    accounts::unlink(&state, &admin, &path.account, &path.provider).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/admin/invitations`: a page, optionally of one address.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    /// Only the invitations of this address.
    email: Option<String>,
    /// The `next_after` of the page before (an invitation id).
    after: Option<String>,
    /// At most this many (default 100; 1 to 1000, another value is refused).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/admin/invitations", params(InvitationQuery),
    security(("admin_token" = [])),
    responses((status = 200, description = "Pending invitations (neither used nor expired), oldest first", body = InvitationList),
        (status = 400, description = "`limit` is not within 1 to 1000 (`bad_request`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`email` is not an address", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        Refusals))]
pub async fn list_invitations(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    bearer: Bearer,
    Query(query): Query<InvitationQuery>,
) -> ApiResult<Json<InvitationList>> {
    let admin = authorized(&state, bearer, &client).await?;
    let page = AdminPageQuery {
        after: query.after,
        limit: query.limit,
    };
    let email = query.email.as_deref().filter(|e| !e.is_empty());
    Ok(Json(
        invitation::pending(&state, &admin, email, &page).await?,
    ))
}

#[utoipa::path(delete, path = "/api/admin/invitations/{invitation}",
    params(("invitation" = String, Path, description = "The invitation's id, or an address: every pending invitation of it")),
    security(("admin_token" = [])),
    responses((status = 204, description = "Revoked: the link answers `invitation_not_found`"),
        (status = 404, description = "No pending invitation has that id or address (`not_found`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        Refusals))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    bearer: Bearer,
    Path(id_or_email): Path<String>,
) -> ApiResult<StatusCode> {
    let admin = authorized(&state, bearer, &client).await?;
    invitation::revoke(&state, &admin, &id_or_email).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn ended(sessions: u64) -> SessionsEnded {
    SessionsEnded {
        sessions_ended: u32::try_from(sessions).unwrap_or(u32::MAX),
    }
}
