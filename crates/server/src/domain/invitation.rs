//! Invitations: created by an administrator (CLI or admin API), viewed by the invited person,
//! and accepted by whichever step signs the person in: a password sign-in, "Create" of a
//! sign-up, "Continue" of a password reset, a social sign-in. Acceptance is written once,
//! [`accept`], with the step's [`Acceptance`] policy.

use crate::domain::secrets;
use crate::error::{ApiError, ApiResult};
use crate::mail::templates;
use crate::state::AppState;
use crate::storage::{self, invitations::Invitation};
use partner_login_contract::api::{
    CreateInvitationRequest, CreateInvitationResponse, InvitationView,
};
use partner_login_contract::{Email, ErrorCode, Field, FieldError, LanguageTag, PersonName};

/// Stores an invitation and mails its link; returns the link. The token exists in clear only
/// in the link: the database keeps its SHA-256.
pub async fn create(
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

/// "Invite" through the admin API: the bearer token the client presented (`None`: none at all),
/// then [`create`] within the client address's hourly cap.
///
/// A client that presented wrong tokens is refused for the hour, even with the right one
/// (ASVS 5.0 V2.4.1: guessing the token is not a way in).
pub async fn create_as_admin(
    state: &AppState,
    presented: Option<&str>,
    client: &str,
    request: &CreateInvitationRequest,
) -> ApiResult<CreateInvitationResponse> {
    let now = storage::now();
    let refusals = state.config.admin_refusal_limit();
    // Counted as a refusal before the comparison and forgotten when the token is right, so
    // that concurrent wrong tokens cannot pass the limit together (ASVS 5.0 V2.4.1).
    let refusal = refusals.take(&state.db, client, now).await?;
    // No credentials at all is 401 (RFC 9110 §15.5.2); wrong ones are 403.
    let Some(presented) = presented else {
        refusal.forget(&state.db).await?;
        return Err(ApiError::Client(ErrorCode::Unauthenticated));
    };
    let allowed = state.config.admin_token.as_deref().is_some_and(|expected| {
        // Constant-time comparison of hashes (ASVS 5.0 V11.2.4).
        secrets::same(&secrets::hash(presented), &secrets::hash(expected))
    });
    if !allowed {
        tracing::warn!(event = "admin_token_refused", client = %client);
        refusal.keep();
        return Err(ApiError::Client(ErrorCode::Forbidden));
    }
    refusal.forget(&state.db).await?;
    let invitations = state.config.invitation_limit();
    invitations.take(&state.db, client, now).await?.keep();
    create(state, request).await
}

/// The invitation a token names, if it can still be used.
pub async fn usable(state: &AppState, token: &str) -> ApiResult<Invitation> {
    let invitation = storage::invitations::by_token_hash(&state.db, &secrets::hash(token))
        .await?
        .ok_or(ApiError::Client(ErrorCode::InvitationNotFound))?;
    check_usable(&invitation)?;
    Ok(invitation)
}

/// Neither used nor expired.
pub fn check_usable(invitation: &Invitation) -> ApiResult<()> {
    if invitation.used_at.is_some() {
        return Err(ApiError::Client(ErrorCode::InvitationUsed));
    }
    if invitation.expires_at <= storage::now() {
        return Err(ApiError::Client(ErrorCode::InvitationExpired));
    }
    Ok(())
}

/// The invitation of an email-code or social flow, if it has one (usable or not).
pub async fn by_id(state: &AppState, id: Option<&str>) -> ApiResult<Option<Invitation>> {
    Ok(match id {
        Some(id) => storage::invitations::by_id(&state.db, id).await?,
        None => None,
    })
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

/// What a step that signs someone in does with the invitation it carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acceptance {
    /// A password sign-in, and "Create" of a sign-up: the invitation must be for the account's
    /// address, and still usable; otherwise the step is refused with the invitation's error (a
    /// link forwarded, or copied from someone else's mailbox, invites nobody else: issue 19).
    SameAddressRequired,
    /// "Continue" of a reset, a social sign-in: an invitation for another address is refused;
    /// one that was used or expired meanwhile is left as it is, and the step itself stands.
    SameAddressIfUsable,
}

/// Accepts an invitation for an account, inside the caller's transaction: marks it used (once:
/// single use, even against a concurrent acceptance) and makes the account a member of its
/// organization. Returns whether it was accepted.
pub async fn accept(
    tx: &mut sqlx::AnyConnection,
    account_id: &str,
    account_email: &str,
    invitation: &Invitation,
    policy: Acceptance,
    now: i64,
) -> ApiResult<bool> {
    if invitation.email != account_email {
        return Err(ApiError::Client(ErrorCode::InvitationEmailMismatch));
    }
    let required = policy != Acceptance::SameAddressIfUsable;
    if let Err(err) = check_usable(invitation) {
        return if required { Err(err) } else { Ok(false) };
    }
    if !storage::invitations::mark_used(tx, &invitation.id, now).await? {
        return if required {
            Err(ApiError::Client(ErrorCode::InvitationUsed))
        } else {
            Ok(false)
        };
    }
    storage::accounts::add_membership(tx, account_id, &invitation.organization, now).await?;
    tracing::info!(event = "invitation_accepted");
    Ok(true)
}
