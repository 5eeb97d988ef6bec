//! Liveness, readiness and the public configuration the SPA starts with.

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
        .route(paths::READY, get(ready))
        .route(paths::CONFIG, get(config))
}

/// Liveness: the process answers HTTP. It touches nothing else, so that a slow or lost
/// database never gets a healthy process restarted (the readiness check says that).
#[utoipa::path(get, path = "/api/health", responses((status = 200, description = "The server process answers (nothing else is checked)")))]
pub async fn health() -> &'static str {
    "ok"
}

/// Readiness: the database answers a trivial query within `READY_TIMEOUT_SECONDS`; otherwise
/// 503 (`service_unavailable`), and a load balancer sends the traffic to another instance.
#[utoipa::path(get, path = "/api/ready", responses(
    (status = 200, description = "The database answers: ready for traffic"),
    (status = 503, description = "The database does not answer in time (`service_unavailable`)",
        body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn ready(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    let wait = std::time::Duration::from_secs(state.config.ready_timeout_seconds);
    match tokio::time::timeout(wait, sqlx::query("SELECT 1").execute(&state.db)).await {
        Ok(answer) => answer
            .map(|_| "ready")
            .map_err(|e| ApiError::Unavailable(e.to_string())),
        Err(_) => Err(ApiError::Unavailable(format!(
            "the database did not answer within {} s",
            wait.as_secs()
        ))),
    }
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
        passkeys: state.passkeys.is_some(),
        authenticator_apps: state.mfa_key.is_some(),
    })
}

pub async fn api_not_found() -> ApiError {
    ApiError::Client(ErrorCode::NotFound)
}
