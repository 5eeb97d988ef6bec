//! Social sign-in: the two ends of an OpenID Connect authorization code flow (`crate::oidc`
//! speaks to the provider).
//!
//! `start` binds the flow to this browser with an HttpOnly cookie holding a random id (the
//! row is stored under its hash), and to the provider's answer with `state`; `callback` needs
//! both, uses the flow once, and always answers with a redirect to the SPA, never an error page.
//!
//! Linking (OWASP ASVS 5.0 V6.8, OIDC Core §5.7): an identity is found by (issuer, subject)
//! only. A first sign-in links to the account, or the pending invitation, of the provider's
//! address only when the provider says the address is verified.

use super::session::{read_cookie, set_cookie, start_session};
use super::{invitations, AppState, SessionCookie};
use crate::domain::{passwords, secrets};
use crate::error::{ApiError, ApiResult};
use crate::oidc::{Identity, OidcError};
use crate::storage::accounts::NewAccount;
use crate::storage::invitations::Invitation;
use crate::storage::social::{NewIdentity, SocialFlow};
use crate::storage::{self};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use partner_login_contract::api::{
    paths, SocialStartRequest, SocialStartView, SOCIAL_ERROR_PARAM, SOCIAL_INVITATION_NEEDED_ROUTE,
};
use partner_login_contract::{Email, ErrorCode, PersonName};
use serde::Deserialize;
use std::net::SocketAddr;

/// Seconds a person has to sign in at the provider and come back.
const FLOW_SECONDS: i64 = 600;
const FLOW_COOKIE: &str = "partner_login_social";

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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(provider): Path<String>,
    Json(request): Json<SocialStartRequest>,
) -> ApiResult<(SessionCookie, Json<SocialStartView>)> {
    if !state.social.contains(&provider) {
        return Err(ApiError::Client(ErrorCode::SocialUnknownProvider));
    }
    // Each start stores a flow row and calls the provider: capped per client address (ASVS 5.0
    // V2.4.1).
    let client = peer.ip().to_string();
    let starts = state.config.social_start_limit();
    starts.take(&state.db, &client, storage::now()).await?;
    let invitation = match request.invitation.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => Some(invitations::usable(&state, token).await?),
        None => None,
    };
    let authorization = state
        .social
        .authorize(&provider, invitation.as_ref().map(|i| i.email.as_str()))
        .await
        .map_err(|e| {
            tracing::warn!(event = "social_unavailable", provider, reason = ?e.to_string());
            ApiError::Client(ErrorCode::SocialUnavailable)
        })?;
    let id = secrets::new_token();
    let now = storage::now();
    storage::social::purge_expired_flows(&state.db, now).await?;
    let flow = SocialFlow {
        provider: provider.clone(),
        state_hash: secrets::hash(&authorization.state),
        nonce: authorization.nonce,
        pkce_verifier: authorization.pkce_verifier,
        invitation_id: invitation.map(|i| i.id),
        expires_at: now + FLOW_SECONDS,
    };
    storage::social::insert_flow(&state.db, &secrets::hash(&id), &flow, now).await?;
    tracing::info!(event = "social_started", provider);
    Ok((
        set_cookie(&state, FLOW_COOKIE, &id, FLOW_SECONDS),
        Json(SocialStartView {
            authorization_url: authorization.url,
        }),
    ))
}

/// What a provider sends back (RFC 6749 §4.1.2, §4.1.2.1).
#[derive(Debug, Default, Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    /// The issuer of the answer (RFC 9207), against mix-ups between providers.
    iss: Option<String>,
}

enum Outcome {
    SignedIn(SessionCookie),
    /// A verified address with neither an account nor a pending invitation.
    InvitationNeeded(String),
}

#[utoipa::path(get, path = "/api/social/{provider}/callback",
    params(("provider" = String, Path, description = "A configured provider's id"),
        ("code" = Option<String>, Query, description = "The authorization code"),
        ("state" = Option<String>, Query, description = "The `state` of the authorization request"),
        ("error" = Option<String>, Query, description = "The provider's error, e.g. `access_denied`"),
        ("iss" = Option<String>, Query, description = "The issuer of the answer (RFC 9207)")),
    responses((status = 303, description = "To the portal when signed in; to `/social/invitation-needed` when the address was never invited; else to the sign-in screen with `?social_error=<code>`")))]
pub async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    // The flow cookie has done its work, whatever happens next.
    let clear = set_cookie(&state, FLOW_COOKIE, "", 0);
    let spa = state.config.public_url();
    match finish(&state, &provider, &headers, params).await {
        Ok(Outcome::SignedIn(session)) => {
            tracing::info!(event = "social_sign_in_succeeded", provider);
            (clear, session, see_other(&format!("{spa}/portal"))).into_response()
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
                ApiError::Internal(e) => {
                    tracing::error!(event = "social_sign_in_error", provider, error = %e);
                    ErrorCode::Internal
                }
            };
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

/// Checks the flow, redeems the code, and finds (or makes) the account.
async fn finish(
    state: &AppState,
    provider: &str,
    headers: &HeaderMap,
    params: CallbackParams,
) -> ApiResult<Outcome> {
    let expired = ApiError::Client(ErrorCode::SocialExpired);
    // No cookie: the flow was started in another browser, or long ago (login CSRF defence,
    // RFC 9700 §4.7.1: the answer must come back to the browser that asked).
    let flow_id = read_cookie(state, headers, FLOW_COOKIE).ok_or(expired)?;
    let flow = storage::social::take_flow(&state.db, &secrets::hash(&flow_id))
        .await?
        .ok_or(ApiError::Client(ErrorCode::SocialExpired))?;
    let now = storage::now();
    let presented = secrets::hash(params.state.as_deref().unwrap_or_default());
    // Constant-time comparison of the state's hash (ASVS 5.0 V11.2.4).
    if flow.expires_at <= now
        || flow.provider != provider
        || !secrets::same(&presented, &flow.state_hash)
    {
        return Err(ApiError::Client(ErrorCode::SocialExpired));
    }
    // Mix-up defence (RFC 9207): an answer naming an issuer must name this provider's.
    if let Some(iss) = params.iss.as_deref() {
        if Some(iss.trim_end_matches('/')) != state.social.issuer(provider) {
            tracing::warn!(event = "social_issuer_mismatch", provider);
            return Err(ApiError::Client(ErrorCode::SocialFailed));
        }
    }
    if let Some(error) = params.error {
        return Err(ApiError::Client(if error == "access_denied" {
            ErrorCode::SocialDenied
        } else {
            ErrorCode::SocialFailed
        }));
    }
    let code = params
        .code
        .filter(|c| !c.is_empty())
        .ok_or(ApiError::Client(ErrorCode::SocialFailed))?;
    let identity = state
        .social
        .finish(provider, &code, &flow.pkce_verifier, &flow.nonce)
        .await
        .map_err(|e| {
            tracing::warn!(event = "social_rejected", provider, reason = ?e.to_string());
            ApiError::Client(match e {
                OidcError::Unavailable(_) => ErrorCode::SocialUnavailable,
                OidcError::UnknownProvider(_) => ErrorCode::SocialUnknownProvider,
                OidcError::Rejected(_) => ErrorCode::SocialFailed,
            })
        })?;
    let invitation = match &flow.invitation_id {
        Some(id) => storage::invitations::by_id(&state.db, id).await?,
        None => None,
    };
    let mut tx = state.db.begin().await?;
    let linked =
        storage::social::account_of(&state.db, &identity.issuer, &identity.subject).await?;
    let (account_id, account_email) = match linked {
        Some(account_id) => {
            let account = storage::accounts::by_id(&state.db, &account_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("a social identity without its account"))?;
            storage::social::touch(&mut tx, &identity.issuer, &identity.subject, now).await?;
            (account_id, account.email)
        }
        None => {
            // Only a verified address may link (never trust an unverified provider email).
            let Some(email) = verified_email(&identity, state.social.email_domains(provider))
            else {
                return Err(ApiError::Client(ErrorCode::SocialEmailUnverified));
            };
            let account_id = match storage::accounts::by_email(&state.db, email.as_str()).await? {
                Some(account) => account.id,
                None => {
                    let pending =
                        storage::invitations::pending_for_email(&state.db, email.as_str(), now)
                            .await?;
                    if pending.is_empty() {
                        return Ok(Outcome::InvitationNeeded(email.into_inner()));
                    }
                    create_account(&mut tx, &identity, &email, &pending, now).await?
                }
            };
            let link = NewIdentity {
                issuer: &identity.issuer,
                subject: &identity.subject,
                provider,
                account_id: &account_id,
                email: email.as_str(),
            };
            storage::social::link(&mut tx, &link, now).await?;
            tracing::info!(event = "social_identity_linked", provider);
            (account_id, email.into_inner())
        }
    };
    if let Some(invitation) = invitation {
        accept(&mut tx, &account_id, &account_email, &invitation, now).await?;
    }
    // A new session id; the one the browser held, if any, ends (ASVS 5.0 V7.2.4).
    let session = start_session(state, &mut tx, headers, &account_id, now).await?;
    tx.commit().await?;
    Ok(Outcome::SignedIn(session))
}

/// The provider's address, when the provider vouches for it and it is a valid address: it
/// says `email_verified: true`, or the operator declared it the authority for the address's
/// domain (`OIDC_<ID>_EMAIL_DOMAINS`). An unverified address would let anyone who can create
/// an account at the provider with someone else's address take over that person's account
/// (OWASP ASVS 5.0 V10.5 "OIDC client": claims used for account linking must be trustworthy).
fn verified_email(identity: &Identity, authority_for: &[String]) -> Option<Email> {
    let email = Email::parse(identity.email.as_deref()?).ok()?;
    let domain = email.as_str().rsplit_once('@')?.1.to_ascii_lowercase();
    (identity.email_verified || authority_for.contains(&domain)).then_some(email)
}

/// Accepts the invitation the browser arrived with, which must be for the account's address
/// (as with a password sign-in). One already accepted (just now, among the pending ones) or
/// expired meanwhile is left as it is: the sign-in itself stands.
async fn accept(
    tx: &mut sqlx::AnyConnection,
    account_id: &str,
    account_email: &str,
    invitation: &Invitation,
    now: i64,
) -> ApiResult<()> {
    if invitation.email != account_email {
        return Err(ApiError::Client(ErrorCode::InvitationEmailMismatch));
    }
    if invitations::check_usable(invitation).is_ok()
        && storage::invitations::mark_used(tx, &invitation.id, now).await?
    {
        storage::accounts::add_membership(tx, account_id, &invitation.organization, now).await?;
        tracing::info!(event = "invitation_accepted");
    }
    Ok(())
}

/// Creates the account of an invited address from the provider's claims, without a password
/// ("Forgot your password?" can set one), and accepts every pending invitation of the address.
async fn create_account(
    tx: &mut sqlx::AnyConnection,
    identity: &Identity,
    email: &Email,
    pending: &[Invitation],
    now: i64,
) -> ApiResult<String> {
    let account_id = secrets::new_token();
    let (display_name, given_name, surname) = names(identity, email);
    let new = NewAccount {
        id: &account_id,
        email: email.as_str(),
        password_hash: passwords::NO_PASSWORD,
        display_name: &display_name,
        given_name: &given_name,
        surname: &surname,
    };
    storage::accounts::insert(tx, &new, now).await?;
    for invitation in pending {
        if storage::invitations::mark_used(tx, &invitation.id, now).await? {
            storage::accounts::add_membership(tx, &account_id, &invitation.organization, now)
                .await?;
            tracing::info!(event = "invitation_accepted");
        }
    }
    tracing::info!(event = "account_created", social = true);
    Ok(account_id)
}

/// Names from the provider's claims, each kept only if it passes the contract's name rule; the
/// display name falls back to the given and family names, then to the address's local part.
fn names(identity: &Identity, email: &Email) -> (String, String, String) {
    let clean = |v: Option<&str>| {
        v.and_then(|v| PersonName::parse(v).ok())
            .map(PersonName::into_inner)
    };
    let given = clean(identity.given_name.as_deref()).unwrap_or_default();
    let family = clean(identity.family_name.as_deref()).unwrap_or_default();
    let local = email.as_str().split('@').next().unwrap_or_default();
    let display = clean(identity.name.as_deref())
        .or_else(|| clean(Some(format!("{given} {family}").trim())))
        .or_else(|| clean(Some(local)))
        .unwrap_or_else(|| {
            local
                .chars()
                .take(partner_login_contract::name::NAME_MAX_CHARS)
                .collect()
        });
    (display, given, family)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(name: Option<&str>, given: Option<&str>, family: Option<&str>) -> Identity {
        Identity {
            issuer: "https://id.example".into(),
            subject: "1".into(),
            email: Some("amina@ngo.example".into()),
            email_verified: true,
            name: name.map(Into::into),
            given_name: given.map(Into::into),
            family_name: family.map(Into::into),
        }
    }

    #[test]
    fn names_come_from_the_claims_and_fall_back_sensibly() {
        let email = Email::parse("amina@ngo.example").unwrap();
        let all = identity(Some("Amina D."), Some("Amina"), Some("Diallo"));
        assert_eq!(
            names(&all, &email),
            ("Amina D.".into(), "Amina".into(), "Diallo".into())
        );
        let no_name = identity(None, Some("Amina"), Some("Diallo"));
        assert_eq!(names(&no_name, &email).0, "Amina Diallo");
        let nothing = identity(None, None, None);
        assert_eq!(
            names(&nothing, &email),
            ("amina".into(), String::new(), String::new())
        );
        let control = identity(Some("bad\u{7}name"), Some("A\u{0}"), None);
        assert_eq!(
            names(&control, &email),
            ("amina".into(), String::new(), String::new())
        );
    }

    #[test]
    fn only_a_verified_valid_address_counts() {
        let mut id = identity(None, None, None);
        let none: &[String] = &[];
        assert_eq!(
            verified_email(&id, none).map(Email::into_inner).as_deref(),
            Some("amina@ngo.example")
        );
        id.email_verified = false;
        assert!(verified_email(&id, none).is_none());
        // A directory the operator made the authority for ngo.example vouches for it, and for
        // it only (not for a subdomain, not for another domain).
        let authority = ["ngo.example".to_owned()];
        assert!(verified_email(&id, &authority).is_some());
        id.email = Some("Amina@NGO.Example".into());
        assert!(verified_email(&id, &authority).is_some());
        id.email = Some("amina@evil.ngo.example".into());
        assert!(verified_email(&id, &authority).is_none());
        id.email = Some("amina@ngo.example.evil".into());
        assert!(verified_email(&id, &authority).is_none());
        id.email_verified = true;
        id.email = Some("not an address".into());
        assert!(verified_email(&id, none).is_none());
    }
}
