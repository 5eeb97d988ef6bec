//! Invitations: created by an administrator (CLI or admin API), viewed by the invited person,
//! and accepted by whichever step signs the person in: a password sign-in, "Create" of a
//! sign-up, "Continue" of a password reset, a social sign-in. Acceptance is written once,
//! [`accept`], with the step's [`Acceptance`] policy.

use crate::audit::{self, Action, Audit, Outcome};
use crate::domain::admin::Admin;
use crate::domain::secrets;
use crate::error::{ApiError, ApiResult};
use crate::mail::templates;
use crate::state::AppState;
use crate::storage::{self, invitations::Invitation};
use partner_login_contract::api::{
    AdminPageQuery, CreateInvitationRequest, CreateInvitationResponse, InvitationList,
    InvitationView, PendingInvitation, ADMIN_PAGE_DEFAULT, ADMIN_PAGE_MAX,
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
    Audit::new(Action::InvitationCreated, Outcome::Success)
        .detail(organization.as_str())
        .emit();
    Ok(CreateInvitationResponse { link, expires_at })
}

/// "Invite" through the admin API: [`create`] within the client address's hourly cap
/// (ASVS 5.0 V2.4.1).
pub async fn create_as_admin(
    state: &AppState,
    _admin: &Admin,
    client: &str,
    request: &CreateInvitationRequest,
) -> ApiResult<CreateInvitationResponse> {
    let invitations = state.config.invitation_limit();
    invitations
        .take(&state.db, client, storage::now())
        .await?
        .keep();
    create(state, request).await
}

/// A page of pending invitations (neither used nor expired), oldest first, of one address if
/// `email` is given; at most `ADMIN_PAGE_MAX`.
pub async fn pending(
    state: &AppState,
    _admin: &Admin,
    email: Option<&str>,
    page: &AdminPageQuery,
) -> ApiResult<InvitationList> {
    let limit = page_limit(page.limit)?;
    let email = match email {
        Some(e) => Some(
            Email::parse(e)
                .map_err(|c| ApiError::Validation(vec![FieldError::new(Field::Email, c)]))?
                .into_inner(),
        ),
        None => None,
    };
    // One more than asked, to know whether another page follows.
    let mut rows = storage::invitations::pending_page(
        &state.db,
        email.as_deref(),
        page.after.as_deref().filter(|a| !a.is_empty()),
        storage::now(),
        i64::from(limit) + 1,
    )
    .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_after = more.then(|| rows.last().map(|i| i.id.clone())).flatten();
    let invitations = rows
        .into_iter()
        .map(|i| PendingInvitation {
            id: i.id,
            email: i.email,
            organization: i.organization,
            inviter: i.inviter,
            language: i.language,
            created_at: i.created_at,
            expires_at: i.expires_at,
        })
        .collect();
    Ok(InvitationList {
        invitations,
        next_after,
    })
}

/// The page size an administration listing asked for: `ADMIN_PAGE_DEFAULT` when unsaid, at
/// least 1 and at most `ADMIN_PAGE_MAX` (no unbounded listing).
pub fn page_limit(asked: Option<u32>) -> ApiResult<u32> {
    // As the OpenAPI document says: a limit it does not allow is refused, not quietly changed.
    match asked.unwrap_or(ADMIN_PAGE_DEFAULT) {
        n @ 1..=ADMIN_PAGE_MAX => Ok(n),
        _ => Err(ApiError::Client(ErrorCode::BadRequest)),
    }
}

/// Revokes a pending invitation by its id, or (an address) every pending invitation of it. The
/// link of a revoked invitation answers "not found". Returns how many were revoked; none is
/// `not_found`.
pub async fn revoke(state: &AppState, _admin: &Admin, id_or_email: &str) -> ApiResult<u64> {
    let by_email = id_or_email.contains('@');
    let key = if by_email {
        Email::parse(id_or_email)
            .map_err(|_| ApiError::Client(ErrorCode::NotFound))?
            .into_inner()
    } else {
        id_or_email.trim().to_owned()
    };
    let revoked = storage::invitations::delete_pending(&state.db, &key, by_email).await?;
    if revoked == 0 {
        return Err(ApiError::Client(ErrorCode::NotFound));
    }
    tracing::info!(event = "invitation_revoked", count = revoked);
    Ok(revoked)
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
    audit::emit(
        Action::InvitationAccepted,
        Outcome::Success,
        Some(account_id),
    );
    Ok(true)
}
