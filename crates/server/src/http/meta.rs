//! Health and the public configuration the SPA starts with.

use crate::domain::new_password;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use partner_login_contract::api::{paths, ProviderButton, PublicConfig};
use partner_login_contract::ErrorCode;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::HEALTH, get(health))
        .route(paths::CONFIG, get(config))
}

#[utoipa::path(get, path = "/api/health", responses((status = 200, description = "The server and its database answer")))]
pub async fn health(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    sqlx::query("SELECT 1").execute(&state.db).await?;
    Ok("ok")
}

#[utoipa::path(get, path = "/api/config", responses((status = 200, body = PublicConfig)))]
pub async fn config(State(state): State<AppState>) -> Json<PublicConfig> {
    Json(PublicConfig {
        password_policy: new_password::policy(&state.config),
        providers: state
            .social
            .configs()
            .map(|p| ProviderButton {
                id: p.id.clone(),
                label: p.label.clone(),
                labels: p.labels.clone(),
            })
            .collect(),
        resend_cooldown_seconds: state.config.resend_cooldown_seconds,
        dev_mailbox: state.config.dev_mailbox(),
    })
}

pub async fn api_not_found() -> ApiError {
    ApiError::Client(ErrorCode::NotFound)
}
