//! Social sign-in's two ends over HTTP: `start` answers with the provider's URL and the flow
//! cookie; `callback` always answers with a redirect to the SPA, never an error page. The
//! rules are in `domain::social_link`.

use super::client::ClientAddress;
use super::cookies::{self, HeldAuthorization, HeldSession, HeldSocialFlow, SetCookie};
use crate::audit::{self, Action, Audit};
use crate::domain::authorization;
use crate::domain::social_link::{self, Outcome, ProviderAnswer};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, SocialStartRequest, SocialStartView, SOCIAL_ERROR_PARAM, SOCIAL_INVITATION_NEEDED_ROUTE,
};
use partner_login_contract::ErrorCode;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SOCIAL_START, post(start))
        .route(paths::SOCIAL_CALLBACK, get(callback))
}

#[utoipa::path(post, path = "/api/social/{provider}/start", request_body = SocialStartRequest,
    params(("provider" = String, Path, description = "A configured provider's id")),
    responses((status = 200, body = SocialStartView,
            description = "Navigate to `authorization_url`; a cookie binds the flow to this browser"),
        (status = 404, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many starts from this client address (`rate_limited`); `Retry-After`",
            body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The provider cannot be reached (`social_unavailable`)",
            body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn start(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Path(provider): Path<String>,
    Json(request): Json<SocialStartRequest>,
) -> ApiResult<(SetCookie, Json<SocialStartView>)> {
    let started = social_link::start(&state, &provider, &request, &client).await?;
    Ok((
        cookies::social_flow(&state, &started.flow_id),
        Json(started.view),
    ))
}

#[utoipa::path(get, path = "/api/social/{provider}/callback",
    params(("provider" = String, Path, description = "A configured provider's id"),
        ("code" = Option<String>, Query, description = "The authorization code"),
        ("state" = Option<String>, Query, description = "The `state` of the authorization request"),
        ("error" = Option<String>, Query, description = "The provider's error, e.g. `access_denied`"),
        ("iss" = Option<String>, Query, description = "The issuer of the answer (RFC 9207)")),
    responses((status = 303, description = "When signed in: to the authorization request the browser came with (`/api/oauth2/authorize/continue`), or the portal's login start, or the account page; to `/social/invitation-needed` when the address was never invited; else to the sign-in screen with `?social_error=<code>`")))]
pub async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    HeldSocialFlow(flow_id): HeldSocialFlow,
    HeldSession(held): HeldSession,
    HeldAuthorization(pending): HeldAuthorization,
    Query(answer): Query<ProviderAnswer>,
) -> Response {
    // The flow cookie has done its work, whatever happens next.
    let clear = cookies::end_social_flow(&state);
    let spa = state.config.public_url();
    let outcome = social_link::finish(
        &state,
        &provider,
        flow_id.as_deref(),
        held.as_deref(),
        answer,
    )
    .await;
    match outcome {
        Ok(Outcome::SignedIn(session)) => {
            tracing::info!(event = "social_sign_in_succeeded", provider);
            let session = cookies::session(&state, &session);
            // The authorization request the person came with continues (or the portal's login
            // starts); else our account page.
            let next = match authorization::continue_url(&state, pending.as_deref()).await {
                Ok(Some(url)) => url,
                Ok(None) => format!("{spa}/portal"),
                Err(err) => {
                    tracing::error!(event = "social_sign_in_error", provider, error = ?err);
                    format!("{spa}/portal")
                }
            };
            (clear, session, see_other(&next)).into_response()
        }
        Ok(Outcome::SecondFactor { flow }) => {
            // MFA_POLICY=required and the account has a local factor (ASVS 5.0 V6.3.3): the
            // second step's cookie, and the sign-in screen told why (as for a password).
            tracing::info!(event = "social_sign_in_second_factor", provider);
            let second = cookies::second_factor(&state, &flow);
            let code = ErrorCode::SecondFactorRequired;
            let to = format!("{spa}/?{SOCIAL_ERROR_PARAM}={code}");
            (clear, second, see_other(&to)).into_response()
        }
        Ok(Outcome::InvitationNeeded(email)) => {
            tracing::info!(event = "social_sign_in_not_invited", provider);
            let email: String =
                openidconnect::url::form_urlencoded::byte_serialize(email.as_bytes()).collect();
            let to = format!("{spa}{SOCIAL_INVITATION_NEEDED_ROUTE}#email={email}");
            (clear, see_other(&to)).into_response()
        }
        Err(err) => {
            let code = match err {
                ApiError::Client(code) | ApiError::TooMany { code, .. } => code,
                ApiError::Validation(_) => ErrorCode::SocialFailed,
                ApiError::Unavailable(_) => ErrorCode::ServiceUnavailable,
                ApiError::Busy { .. } => ErrorCode::Busy,
                ApiError::Internal(e) => {
                    tracing::error!(event = "social_sign_in_error", provider, error = %e);
                    ErrorCode::Internal
                }
            };
            Audit::new(Action::SocialSignIn, audit::Outcome::Failure)
                .detail(code.as_str())
                .emit();
            tracing::info!(
                event = "social_sign_in_failed",
                provider,
                code = code.as_str()
            );
            let to = format!("{spa}/?{SOCIAL_ERROR_PARAM}={code}");
            (clear, see_other(&to)).into_response()
        }
    }
}

fn see_other(location: &str) -> impl IntoResponse {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
}
