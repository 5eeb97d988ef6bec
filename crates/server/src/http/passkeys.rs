//! `/api/passkeys`: add a passkey to the signed-in account, sign in with one, list, rename and
//! remove them. The rules are in `domain::passkeys`. The browser's bodies are its own JSON
//! (`PublicKeyCredential.toJSON()`), read by webauthn-rs's types; a body that is not of that
//! shape is refused by the extractor (400 or 422, `rejections.rs`), before any rule runs.

use super::client::ClientAddress;
use super::cookies::{self, HeldAuthorization, HeldSession, SetCookie};
use crate::domain::{authorization, passkeys};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use partner_login_contract::api::{paths, PasskeyView, RenamePasskeyRequest, SessionView};
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::PASSKEYS, get(list))
        .route(paths::PASSKEY, patch(rename).delete(remove))
        .route(paths::PASSKEY_REGISTRATION, post(begin_registration))
        .route(
            paths::PASSKEY_REGISTRATION_FINISH,
            post(finish_registration),
        )
        .route(paths::PASSKEY_SIGN_IN, post(begin_sign_in))
        .route(paths::PASSKEY_SIGN_IN_FINISH, post(finish_sign_in))
}

/// A begun registration: the ceremony's id (send it back with the credential) and the options
/// for `navigator.credentials.create` (WebAuthn's `{"publicKey": …}`, as
/// `PublicKeyCredential.parseCreationOptionsFromJSON` reads `options.publicKey`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegistrationBegun {
    pub ceremony: String,
    #[schema(value_type = Object)]
    pub options: CreationChallengeResponse,
}

/// A begun sign-in: the ceremony's id and the options for `navigator.credentials.get` (with
/// `mediation: "conditional"` for autofill; drop it for a button).
#[derive(Serialize, utoipa::ToSchema)]
pub struct SignInBegun {
    pub ceremony: String,
    #[schema(value_type = Object)]
    pub options: RequestChallengeResponse,
}

/// The new credential, as `PublicKeyCredential.toJSON()` gives it, and a name for it.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct FinishRegistrationRequest {
    pub ceremony: String,
    /// Optional: `Passkey` when absent; a person's name's rules.
    #[serde(default)]
    pub name: Option<String>,
    #[schema(value_type = Object)]
    pub credential: RegisterPublicKeyCredential,
}

/// The assertion, as `PublicKeyCredential.toJSON()` gives it.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct FinishSignInRequest {
    pub ceremony: String,
    #[schema(value_type = Object)]
    pub credential: PublicKeyCredential,
}

#[utoipa::path(get, path = "/api/passkeys",
    responses((status = 200, body = Vec<PasskeyView>),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Passkeys are off (`passkeys_unavailable`: `PUBLIC_URL` has no domain name)", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
) -> ApiResult<Json<Vec<PasskeyView>>> {
    Ok(Json(passkeys::list(&state, held.as_deref()).await?))
}

#[utoipa::path(patch, path = "/api/passkeys/{passkey}", request_body = RenamePasskeyRequest,
    params(("passkey" = String, Path, description = "The passkey's id")),
    responses((status = 204, description = "Renamed"),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such passkey on this account (`not_found`), or passkeys are off (`passkeys_unavailable`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The name breaks a rule (field `passkey_name`)", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn rename(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
    Path(passkey): Path<String>,
    Json(request): Json<RenamePasskeyRequest>,
) -> ApiResult<StatusCode> {
    passkeys::rename(&state, held.as_deref(), &passkey, &request.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/passkeys/{passkey}",
    params(("passkey" = String, Path, description = "The passkey's id")),
    responses((status = 204, description = "Removed; the owner is told by email"),
        (status = 401, description = "Not signed in (`unauthenticated`), or not within the last 5 minutes (`reauthentication_required`: sign in again)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such passkey on this account (`not_found`), or passkeys are off (`passkeys_unavailable`)", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn remove(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
    Path(passkey): Path<String>,
) -> ApiResult<StatusCode> {
    passkeys::remove(&state, held.as_deref(), &passkey).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/passkeys/registration",
    responses((status = 200, body = RegistrationBegun),
        (status = 401, description = "Not signed in (`unauthenticated`), or not within the last 5 minutes (`reauthentication_required`: sign in again)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account has as many passkeys as it may (20, `passkey_limit`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Passkeys are off (`passkeys_unavailable`)", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn begin_registration(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
) -> ApiResult<Json<RegistrationBegun>> {
    let begun = passkeys::begin_registration(&state, held.as_deref()).await?;
    Ok(Json(RegistrationBegun {
        ceremony: begun.ceremony,
        options: begun.options,
    }))
}

#[utoipa::path(post, path = "/api/passkeys/registration/finish", request_body = FinishRegistrationRequest,
    responses((status = 200, body = PasskeyView),
        (status = 400, description = "The credential was refused: its checks failed (`passkey_refused`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The credential is registered already (`passkey_already_registered`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 401, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ceremony (`flow_not_found`: unknown, used, or another account's), or passkeys are off (`passkeys_unavailable`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The ceremony expired (`flow_expired`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body is not of the expected shape, or the name breaks a rule", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn finish_registration(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
    Json(request): Json<FinishRegistrationRequest>,
) -> ApiResult<Json<PasskeyView>> {
    let view = passkeys::finish_registration(
        &state,
        held.as_deref(),
        &request.ceremony,
        request.name.as_deref(),
        &request.credential,
    )
    .await?;
    Ok(Json(view))
}

#[utoipa::path(post, path = "/api/passkeys/sign-in",
    responses((status = 200, body = SignInBegun),
        (status = 404, description = "Passkeys are off (`passkeys_unavailable`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Throttled (`rate_limited`, counted as sign-ins)", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn begin_sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
) -> ApiResult<Json<SignInBegun>> {
    let begun = passkeys::begin_sign_in(&state, &client).await?;
    Ok(Json(SignInBegun {
        ceremony: begun.ceremony,
        options: begun.options,
    }))
}

#[utoipa::path(post, path = "/api/passkeys/sign-in/finish", request_body = FinishSignInRequest,
    responses((status = 200, body = SessionView),
        (status = 401, description = "The passkey was refused (`invalid_credentials`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is disabled", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ceremony (`flow_not_found`: unknown or used), or passkeys are off (`passkeys_unavailable`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The ceremony expired (`flow_expired`)", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body is not of the expected shape", body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Throttled (`rate_limited`, counted as failed sign-ins)", body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn finish_sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    HeldSession(held): HeldSession,
    HeldAuthorization(pending): HeldAuthorization,
    Json(request): Json<FinishSignInRequest>,
) -> ApiResult<(SetCookie, Json<SessionView>)> {
    let signed_in = passkeys::finish_sign_in(
        &state,
        &client,
        held.as_deref(),
        &request.ceremony,
        &request.credential,
    )
    .await;
    state.metrics.sign_in(
        signed_in
            .as_ref()
            .map_or_else(|e| e.code().as_str(), |_| "success"),
    );
    let (new, account_id) = signed_in?;
    let view =
        authorization::view_after_sign_in(&state, &account_id, new.aal, pending.as_deref()).await?;
    Ok((cookies::session(&state, &new), Json(view)))
}
