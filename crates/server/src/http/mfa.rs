//! `/api/authenticator-app`, `/api/recovery-codes` and `/api/account/factors`: add, confirm and
//! remove an authenticator app, make recovery codes, count them, and list the account's
//! factors. The rules are in `domain::mfa`. (The second step of a sign-in is in `session.rs`.)

use crate::domain::mfa;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, AuthenticatorAppEnrolment, ConfirmAppRequest, FactorsView, RecoveryCodes,
    RecoveryCodesLeft,
};

use super::cookies::HeldSession;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::AUTHENTICATOR_APP, post(begin_app).delete(remove_app))
        .route(paths::AUTHENTICATOR_APP_CONFIRM, post(confirm_app))
        .route(
            paths::RECOVERY_CODES,
            get(recovery_codes_left).post(new_recovery_codes),
        )
        .route(paths::ACCOUNT_FACTORS, get(factors))
}

#[utoipa::path(post, path = "/api/authenticator-app",
    responses((status = 200, description = "The new app's seed (shown once); a factor only once confirmed", body = AuthenticatorAppEnrolment),
        (status = 401, description = "Not signed in, or not within the last 5 minutes (sign in again)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account has an authenticator app (remove it first)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Authenticator apps are off (`MFA_ENCRYPTION_KEY_FILE` unset)", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn begin_app(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
) -> ApiResult<Json<AuthenticatorAppEnrolment>> {
    Ok(Json(mfa::begin_app(&state, held.as_deref()).await?))
}

#[utoipa::path(post, path = "/api/authenticator-app/confirm", request_body = ConfirmAppRequest,
    responses((status = 204, description = "Confirmed: the app is a factor; the owner is told by email"),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No app waits for confirmation (`flow_not_found`), or apps are off", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The app was added more than 10 minutes ago (`flow_expired`): add it again", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not 6 digits (`code_format`), or not the app's code now (`code_wrong`), field `code`", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn confirm_app(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
    Json(request): Json<ConfirmAppRequest>,
) -> ApiResult<StatusCode> {
    mfa::confirm_app(&state, held.as_deref(), &request.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/authenticator-app",
    responses((status = 204, description = "Removed; the owner is told by email"),
        (status = 401, description = "Not signed in, or not within the last 5 minutes (sign in again)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account has no authenticator app", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn remove_app(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
) -> ApiResult<StatusCode> {
    mfa::remove_app(&state, held.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/recovery-codes",
    responses((status = 200, description = "A new set (shown once; the earlier set no longer works); the owner is told by email", body = RecoveryCodes),
        (status = 401, description = "Not signed in, or not within the last 5 minutes (sign in again)", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn new_recovery_codes(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
) -> ApiResult<Json<RecoveryCodes>> {
    let codes = mfa::new_recovery_codes(&state, held.as_deref()).await?;
    Ok(Json(RecoveryCodes { codes }))
}

#[utoipa::path(get, path = "/api/recovery-codes",
    responses((status = 200, body = RecoveryCodesLeft),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn recovery_codes_left(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
) -> ApiResult<Json<RecoveryCodesLeft>> {
    let remaining = mfa::recovery_codes_left(&state, held.as_deref()).await?;
    Ok(Json(RecoveryCodesLeft { remaining }))
}

#[utoipa::path(get, path = "/api/account/factors",
    responses((status = 200, body = FactorsView),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn factors(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
) -> ApiResult<Json<FactorsView>> {
    Ok(Json(mfa::factors(&state, held.as_deref()).await?))
}
