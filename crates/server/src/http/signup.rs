//! The sign-up flow (user guide steps 3 to 6): send a code, verify it, create the account.
//!
//! Rules (NIST SP 800-63B-4 §3.1.3 out-of-band codes; OWASP ASVS 5.0 V6.6):
//! - a 6-digit code from the CSPRNG, stored hashed and bound to its flow, valid 10 minutes,
//!   single use (burnt when verified);
//! - at most 5 wrong tries per code; then "Send new code" is needed. A new code does not reset
//!   the flow's count: after 10 wrong tries in all, the flow is dead and the person starts over
//!   (subject to the hourly caps), so a new code never buys an attacker fresh guesses for free;
//! - "Send new code" waits RESEND_COOLDOWN_SECONDS (30) per flow; at most 10 codes per email
//!   and 30 per client address an hour (ASVS 5.0 V2.4.1 anti-automation);
//! - no account enumeration: an address that already has an account gets the same answer, and a
//!   mail telling its owner so instead of a code (ASVS 5.0 V6.3.8).

use super::session::{start_session, SessionCookie};
use super::{invitations, AppState};
use crate::domain::{passwords, secrets};
use crate::error::{ApiError, ApiResult};
use crate::mail::templates;
use crate::storage::{self, accounts::NewAccount, flows::Flow};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, CompleteSignupRequest, SessionView, SignupFlowView, SignupState, StartSignupRequest,
    VerifyCodeRequest,
};
use partner_login_contract::password::check_confirmation;
use partner_login_contract::{Email, ErrorCode, Field, FieldError, PersonName, VerificationCode};
use std::net::SocketAddr;

pub const CODE_TTL_SECONDS: i64 = 600;
pub const FLOW_TTL_SECONDS: i64 = 3600;
pub const MAX_WRONG_PER_CODE: i64 = 5;
pub const MAX_WRONG_PER_FLOW: i64 = 10;
pub const MAX_SENDS_PER_EMAIL_HOUR: i64 = 10;
pub const MAX_SENDS_PER_CLIENT_HOUR: i64 = 30;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SIGNUP, post(start))
        .route(paths::SIGNUP_FLOW, get(show))
        .route(paths::SIGNUP_RESEND, post(resend))
        .route(paths::SIGNUP_VERIFY, post(verify))
        .route(paths::SIGNUP_COMPLETE, post(complete))
}

fn view(
    state: &AppState,
    flow_id: &str,
    flow: &Flow,
    invitation: Option<&storage::invitations::Invitation>,
) -> SignupFlowView {
    let now = storage::now();
    let cooldown = flow.code_sent_at + i64::from(state.config.resend_cooldown_seconds) - now;
    SignupFlowView {
        flow_id: flow_id.to_owned(),
        email: flow.email.clone(),
        state: if flow.verified_at.is_some() {
            SignupState::Verified
        } else {
            SignupState::CodeSent
        },
        resend_after_seconds: cooldown.clamp(0, i64::from(u32::MAX)) as u32,
        code_expires_in_seconds: (flow.code_expires_at - now).max(0) as u32,
        invitation: invitation.map(invitations::to_view),
    }
}

/// Refuses a send over the hourly caps (per email, per client address).
async fn check_send_caps(state: &AppState, email: &str, client: &str) -> ApiResult<()> {
    let (by_email, by_client) =
        storage::flows::sends_last_hour(&state.db, email, client, storage::now()).await?;
    if by_email >= MAX_SENDS_PER_EMAIL_HOUR || by_client >= MAX_SENDS_PER_CLIENT_HOUR {
        tracing::warn!(event = "code_send_capped");
        return Err(ApiError::TooMany {
            code: ErrorCode::RateLimited,
            retry_after: 3600,
        });
    }
    Ok(())
}

/// Mails a fresh code (or, for an existing account, the "you already have an account" note)
/// and returns the code's hash to store.
async fn send_code(state: &AppState, flow: &Flow, client: &str) -> ApiResult<Option<String>> {
    let now = storage::now();
    storage::flows::record_send(&state.db, &flow.email, client, now).await?;
    if flow.account_exists {
        let sign_in = format!("{}/", state.config.public_url());
        let mail = templates::account_exists(&flow.email, &sign_in, flow.language.as_deref());
        state.mailer.send("account_exists", mail).await?;
        return Ok(None);
    }
    let code = secrets::new_code();
    let hash = secrets::code_hash(&flow.id_hash, &code);
    let mail = templates::code(&flow.email, &code, flow.language.as_deref());
    state.mailer.send("verification_code", mail).await?;
    tracing::info!(event = "code_sent");
    Ok(Some(hash))
}

/// The live flow an id names: unknown → 404, expired or finished → 410.
async fn live_flow(state: &AppState, flow_id: &str) -> ApiResult<Flow> {
    let flow = storage::flows::get(&state.db, &secrets::hash(flow_id))
        .await?
        .ok_or(ApiError::Client(ErrorCode::FlowNotFound))?;
    if flow.expires_at <= storage::now() || flow.completed_at.is_some() {
        return Err(ApiError::Client(ErrorCode::FlowExpired));
    }
    Ok(flow)
}

async fn flow_invitation(
    state: &AppState,
    flow: &Flow,
) -> ApiResult<Option<storage::invitations::Invitation>> {
    Ok(match &flow.invitation_id {
        Some(id) => storage::invitations::by_id(&state.db, id).await?,
        None => None,
    })
}

#[utoipa::path(post, path = "/api/signup", request_body = StartSignupRequest,
    responses((status = 201, body = SignupFlowView),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 404, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(request): Json<StartSignupRequest>,
) -> ApiResult<(StatusCode, Json<SignupFlowView>)> {
    let email = Email::parse(&request.email)
        .map_err(|c| ApiError::Validation(vec![FieldError::new(Field::Email, c)]))?;
    let invitation = match request.invitation.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => Some(invitations::usable(&state, token).await?),
        None => None,
    };
    let client = peer.ip().to_string();
    check_send_caps(&state, email.as_str(), &client).await?;
    let account_exists = storage::accounts::by_email(&state.db, email.as_str())
        .await?
        .is_some();
    let flow_id = secrets::new_token();
    let now = storage::now();
    let mut flow = Flow {
        id_hash: secrets::hash(&flow_id),
        email: email.into_inner(),
        invitation_id: invitation.as_ref().map(|i| i.id.clone()),
        language: request
            .language
            .or_else(|| invitation.as_ref().and_then(|i| i.language.clone())),
        account_exists,
        code_hash: None,
        code_sent_at: now,
        code_expires_at: now + CODE_TTL_SECONDS,
        code_wrong_tries: 0,
        flow_wrong_tries: 0,
        verified_at: None,
        completed_at: None,
        expires_at: now + FLOW_TTL_SECONDS,
    };
    flow.code_hash = send_code(&state, &flow, &client).await?;
    storage::flows::insert(&state.db, &flow, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(view(&state, &flow_id, &flow, invitation.as_ref())),
    ))
}

#[utoipa::path(get, path = "/api/signup/{flow_id}",
    params(("flow_id" = String, Path)),
    responses((status = 200, body = SignupFlowView),
        (status = 404, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 410, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
) -> ApiResult<Json<SignupFlowView>> {
    let flow = live_flow(&state, &flow_id).await?;
    let invitation = flow_invitation(&state, &flow).await?;
    Ok(Json(view(&state, &flow_id, &flow, invitation.as_ref())))
}

#[utoipa::path(post, path = "/api/signup/{flow_id}/code",
    params(("flow_id" = String, Path)),
    responses((status = 200, body = SignupFlowView),
        (status = 429, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn resend(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(flow_id): Path<String>,
) -> ApiResult<Json<SignupFlowView>> {
    let flow = live_flow(&state, &flow_id).await?;
    if flow.verified_at.is_some() {
        return Err(ApiError::Client(ErrorCode::BadRequest));
    }
    let wait = flow.code_sent_at + i64::from(state.config.resend_cooldown_seconds) - storage::now();
    if wait > 0 {
        return Err(ApiError::TooMany {
            code: ErrorCode::ResendCooldown,
            retry_after: wait as u32,
        });
    }
    let client = peer.ip().to_string();
    check_send_caps(&state, &flow.email, &client).await?;
    let hash = send_code(&state, &flow, &client).await?;
    let now = storage::now();
    storage::flows::replace_code(
        &state.db,
        &flow.id_hash,
        hash.as_deref(),
        now,
        now + CODE_TTL_SECONDS,
    )
    .await?;
    let flow = live_flow(&state, &flow_id).await?;
    let invitation = flow_invitation(&state, &flow).await?;
    Ok(Json(view(&state, &flow_id, &flow, invitation.as_ref())))
}

#[utoipa::path(post, path = "/api/signup/{flow_id}/verify", request_body = VerifyCodeRequest,
    params(("flow_id" = String, Path)),
    responses((status = 200, body = SignupFlowView),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 429, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn verify(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    Json(request): Json<VerifyCodeRequest>,
) -> ApiResult<Json<SignupFlowView>> {
    let flow = live_flow(&state, &flow_id).await?;
    let invitation = flow_invitation(&state, &flow).await?;
    if flow.verified_at.is_some() {
        // A double click on "Verify code": the flow is verified once, the answer is the same.
        return Ok(Json(view(&state, &flow_id, &flow, invitation.as_ref())));
    }
    let code = VerificationCode::parse(&request.code).map_err(ApiError::Client)?;
    if flow.flow_wrong_tries >= MAX_WRONG_PER_FLOW || flow.code_wrong_tries >= MAX_WRONG_PER_CODE {
        return Err(ApiError::TooMany {
            code: ErrorCode::CodeExhausted,
            retry_after: 0,
        });
    }
    let expected = flow.code_hash.clone().unwrap_or_default();
    let presented = secrets::code_hash(&flow.id_hash, code.as_str());
    if !secrets::same(&expected, &presented) {
        storage::flows::count_wrong_try(&state.db, &flow.id_hash).await?;
        tracing::info!(event = "code_wrong");
        return Err(ApiError::Client(ErrorCode::CodeWrong));
    }
    if flow.code_expires_at <= storage::now() {
        return Err(ApiError::Client(ErrorCode::CodeExpired));
    }
    storage::flows::mark_verified(&state.db, &flow.id_hash, storage::now()).await?;
    tracing::info!(event = "email_verified");
    let flow = live_flow(&state, &flow_id).await?;
    Ok(Json(view(&state, &flow_id, &flow, invitation.as_ref())))
}

/// Checks every field of "Create" at once, so the form can show all its errors together.
fn validate_complete(state: &AppState, request: &CompleteSignupRequest) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let policy = super::meta::password_policy(state);
    if let Err((code, limit)) = policy.check(&request.password) {
        errors.push(FieldError {
            field: Field::Password,
            code,
            limit,
        });
    } else if passwords::is_common(&request.password) {
        errors.push(FieldError::new(
            Field::Password,
            ErrorCode::PasswordTooCommon,
        ));
    }
    if let Err(code) = check_confirmation(&request.password, &request.password_confirmation) {
        errors.push(FieldError::new(Field::PasswordConfirmation, code));
    }
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
        (status = 409, body = partner_login_contract::Problem, content_type = "application/problem+json"),
        (status = 422, body = partner_login_contract::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn complete(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    Json(request): Json<CompleteSignupRequest>,
) -> ApiResult<(StatusCode, SessionCookie, Json<SessionView>)> {
    let flow = live_flow(&state, &flow_id).await?;
    if flow.verified_at.is_none() {
        return Err(ApiError::Client(ErrorCode::FlowNotVerified));
    }
    let errors = validate_complete(&state, &request);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let invitation = flow_invitation(&state, &flow).await?;
    if let Some(invitation) = &invitation {
        invitations::check_usable(invitation)?;
    }
    let password = request.password.clone();
    let password_hash = tokio::task::spawn_blocking(move || passwords::hash_password(&password))
        .await
        .map_err(anyhow::Error::from)??;
    let account_id = secrets::new_token();
    let now = storage::now();
    let mut tx = state.db.begin().await?;
    // One account per flow and per email, even on a double click (unique constraint + the
    // completed_at guard, in one transaction).
    if !storage::flows::mark_completed(&mut tx, &flow.id_hash, now).await? {
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
    let cookie = start_session(&state, &mut tx, &account_id, now).await?;
    tx.commit().await?;
    tracing::info!(event = "account_created", invited = invitation.is_some());
    let session = super::session::session_view(&state, &account_id).await?;
    Ok((StatusCode::CREATED, cookie, Json(session)))
}
