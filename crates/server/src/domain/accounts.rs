//! Account administration, as an operator names it: list, show, disable, enable, end sessions,
//! unlink a social identity, delete. Called by the command line (`cli.rs`: `accounts …`) and
//! the admin API (`http/admin.rs`: `/api/admin/accounts/…`), each with an [`Admin`].
//!
//! A disabled account cannot sign in by any way (ASVS 5.0 V6.3 / V7.4.2): `session::start`, the
//! one place every way in (password, social, reset, sign-up, invitation) opens a session,
//! refuses it, and the session lookup (`storage::sessions::get`) ignores its sessions, so a
//! sign-in racing the disable still opens nothing. Disabling ends its sessions at once, revokes
//! what the OpenID Provider gave out for it (unused codes, access tokens) and tells the relying
//! parties of its sessions (back-channel logout, `domain::logout`).
//!
//! What a disabled person is told: `account_disabled` only once they proved they hold the
//! account (the right password, a verified social identity, a reset code from its mailbox);
//! a wrong password gets the answer an unknown address gets (ASVS 5.0 V6.3.8).

use crate::audit::{Action as AuditAction, Audit, Outcome};
use crate::domain::admin::Admin;
use crate::domain::invitation::{self, page_limit};
use crate::domain::logout::{self, Notices};
use crate::domain::passwords;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage::{self, accounts::Account};
use partner_login_contract::api::{
    AccountDetail, AccountList, AccountSummary, AdminPageQuery, CreateInvitationRequest,
    CreateInvitationResponse, LinkedIdentity, Membership,
};
use partner_login_contract::{Email, ErrorCode, Field, FieldError};

/// The account an administrator names: by its email (anything with an `@`) or its id.
pub async fn find(state: &AppState, _admin: &Admin, account: &str) -> ApiResult<Account> {
    let account = account.trim();
    let found = if account.contains('@') {
        match Email::parse(account) {
            Ok(email) => storage::accounts::by_email(&state.db, email.as_str()).await?,
            Err(_) => None,
        }
    } else {
        storage::accounts::by_id(&state.db, account).await?
    };
    found.ok_or(ApiError::Client(ErrorCode::NotFound))
}

/// A page of accounts by email, after `page.after`; at most `ADMIN_PAGE_MAX`.
pub async fn list(
    state: &AppState,
    _admin: &Admin,
    page: &AdminPageQuery,
) -> ApiResult<AccountList> {
    let limit = page_limit(page.limit)?;
    let after = page.after.as_deref().unwrap_or_default();
    let mut rows = storage::accounts::page(&state.db, after, i64::from(limit) + 1).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_after = more.then(|| rows.last().map(|a| a.email.clone())).flatten();
    let accounts = rows
        .into_iter()
        .map(|a| AccountSummary {
            id: a.id,
            email: a.email,
            display_name: a.display_name,
            created_at: a.created_at,
            disabled_at: a.disabled_at,
            memberships: u32::try_from(a.memberships).unwrap_or(u32::MAX),
            social_providers: a.providers,
        })
        .collect();
    Ok(AccountList {
        accounts,
        next_after,
    })
}

/// Everything about an account that is not a secret (no password hash, no session id).
pub async fn show(state: &AppState, admin: &Admin, account: &str) -> ApiResult<AccountDetail> {
    let account = find(state, admin, account).await?;
    let organizations = storage::accounts::organizations(&state.db, &account.id)
        .await?
        .into_iter()
        .map(|organization| Membership { organization })
        .collect();
    let identities = storage::social::identities_of(&state.db, &account.id)
        .await?
        .into_iter()
        .map(|i| LinkedIdentity {
            provider: i.provider,
            issuer: i.issuer,
            subject: i.subject,
            email: i.email,
            created_at: i.created_at,
            last_used_at: i.last_used_at,
        })
        .collect();
    let now = storage::now();
    let sessions = storage::sessions::count_live(
        &state.db,
        &account.id,
        now - state.config.session_idle_minutes * 60,
        now - state.config.session_absolute_hours * 3600,
    )
    .await?;
    Ok(AccountDetail {
        has_password: account.password_hash != passwords::NO_PASSWORD,
        id: account.id,
        email: account.email,
        display_name: account.display_name,
        given_name: account.given_name,
        surname: account.surname,
        locale: account.locale,
        created_at: account.created_at,
        disabled_at: account.disabled_at,
        organizations,
        identities,
        sessions: u32::try_from(sessions).unwrap_or(u32::MAX),
    })
}

/// What ending an account's sessions did: how many ended, and the logout tokens on their way
/// to the relying parties.
pub struct SignedOut {
    pub sessions_ended: u64,
    pub notices: Notices,
}

/// What happens to the account besides its sessions ending.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    EndSessions,
    Disable,
    Delete,
}

/// Ends every session of the account, in one transaction with the action, then tells the
/// relying parties (ASVS 5.0 V7.4.2: an administrator can end a user's sessions).
async fn sign_out_everywhere(
    state: &AppState,
    account: &Account,
    action: Action,
) -> ApiResult<SignedOut> {
    let mut tx = state.db.begin().await?;
    if action == Action::Disable {
        storage::accounts::set_disabled(&mut tx, &account.id, Some(storage::now())).await?;
    }
    let sessions_ended = storage::sessions::delete_for_account(&mut tx, &account.id).await?;
    if action != Action::EndSessions {
        // Nothing the OpenID Provider gave out for the account stays usable.
        storage::authorizations::revoke_for_account(&mut tx, &account.id).await?;
    }
    if action == Action::Delete {
        storage::accounts::delete(&mut tx, &account.id).await?;
    }
    tx.commit().await?;
    let notices = logout::notify_account_clients(state, &account.id).await?;
    Ok(SignedOut {
        sessions_ended,
        notices,
    })
}

/// Ends every session of the account (sign-out everywhere).
pub async fn end_sessions(state: &AppState, admin: &Admin, account: &str) -> ApiResult<SignedOut> {
    let account = find(state, admin, account).await?;
    let out = sign_out_everywhere(state, &account, Action::EndSessions).await?;
    tracing::info!(
        event = "account_sessions_ended",
        sessions_ended = out.sessions_ended
    );
    Ok(out)
}

/// Disables the account: no way in opens a session for it, its sessions end at once.
pub async fn disable(state: &AppState, admin: &Admin, account: &str) -> ApiResult<SignedOut> {
    let account = find(state, admin, account).await?;
    let out = sign_out_everywhere(state, &account, Action::Disable).await?;
    tracing::info!(
        event = "account_disabled",
        sessions_ended = out.sessions_ended
    );
    Ok(out)
}

/// Enables a disabled account (enabling an enabled one changes nothing).
pub async fn enable(state: &AppState, admin: &Admin, account: &str) -> ApiResult<()> {
    let account = find(state, admin, account).await?;
    let mut tx = state.db.begin().await?;
    storage::accounts::set_disabled(&mut tx, &account.id, None).await?;
    tx.commit().await?;
    tracing::info!(event = "account_enabled");
    Ok(())
}

/// Deletes the account with its sessions, memberships, social identities and the OpenID
/// Provider's grants for it; its sign-in guard (lockout state) goes too. Invitations, which are
/// for addresses rather than accounts, stay.
pub async fn delete(state: &AppState, admin: &Admin, account: &str) -> ApiResult<SignedOut> {
    let account = find(state, admin, account).await?;
    let out = sign_out_everywhere(state, &account, Action::Delete).await?;
    storage::guards::clear(&state.db, &account.email).await?;
    tracing::info!(
        event = "account_deleted",
        sessions_ended = out.sessions_ended
    );
    Ok(out)
}

/// What resetting an account's factors did.
pub struct FactorsReset {
    pub passkeys_removed: u64,
    pub sessions_ended: u64,
    pub notices: Notices,
    /// The new invitation, when one was asked for (`--reinvite`).
    pub invitation: Option<CreateInvitationResponse>,
}

/// For a person who lost every factor (issue 20: `accounts reset-mfa --reinvite`): removes
/// their passkeys (and the ceremonies they had begun), ends every session of the account (the
/// credential version moves, so a sign-in in flight opens nothing either: ASVS 5.0 V7.4.3),
/// revokes what the OpenID Provider gave out for it, and tells the relying parties. The
/// password and the social identities stay: they are single factors, and the person proves
/// the address again through the invitation (or "Forgot your password?").
///
/// `reinvite`: the organization of a new invitation, mailed like `invite` does (in the
/// account's language); `Some("")` takes the account's first organization, and an account in
/// none needs one named.
pub async fn reset_factors(
    state: &AppState,
    admin: &Admin,
    account: &str,
    reinvite: Option<&str>,
) -> ApiResult<FactorsReset> {
    let account = find(state, admin, account).await?;
    let organization = match reinvite.map(str::trim) {
        None => None,
        Some("") => Some(
            storage::accounts::organizations(&state.db, &account.id)
                .await?
                .into_iter()
                .next()
                .ok_or(ApiError::Validation(vec![FieldError::new(
                    Field::Organization,
                    ErrorCode::Required,
                )]))?,
        ),
        Some(named) => Some(named.to_owned()),
    };
    let mut tx = state.db.begin().await?;
    // The version first: it takes the write lock on SQLite (see `domain::session::start`).
    storage::accounts::bump_credential_version(&mut tx, &account.id).await?;
    let passkeys_removed = storage::passkeys::remove_all_of_account(&mut tx, &account.id).await?;
    // The authenticator app, the recovery codes and any second step waiting: every factor
    // goes, so the new invitation's sign-up or sign-in starts from the password alone.
    let app_removed = storage::second_factors::remove_all_of_account(&mut tx, &account.id).await?;
    let sessions_ended = storage::sessions::delete_for_account(&mut tx, &account.id).await?;
    storage::authorizations::revoke_for_account(&mut tx, &account.id).await?;
    tx.commit().await?;
    let notices = logout::notify_account_clients(state, &account.id).await?;
    Audit::new(AuditAction::FactorsReset, Outcome::Success)
        .account(Some(&account.id))
        .emit();
    tracing::info!(
        event = "account_factors_reset",
        passkeys_removed,
        app_removed,
        sessions_ended
    );
    let invitation = match organization {
        None => None,
        Some(organization) => {
            let request = CreateInvitationRequest {
                email: account.email.clone(),
                organization,
                inviter: None,
                language: account.locale.clone(),
            };
            Some(invitation::create(state, &request).await?)
        }
    };
    Ok(FactorsReset {
        passkeys_removed,
        sessions_ended,
        notices,
        invitation,
    })
}

/// Unlinks the account's identities at a provider (by its configured id): signing in there no
/// longer reaches this account (a later sign-in with a verified address links again, as a
/// first one does). Returns how many went; none is `not_found`.
pub async fn unlink(
    state: &AppState,
    admin: &Admin,
    account: &str,
    provider: &str,
) -> ApiResult<u64> {
    let account = find(state, admin, account).await?;
    let unlinked = storage::social::unlink(&state.db, &account.id, provider.trim()).await?;
    if unlinked == 0 {
        return Err(ApiError::Client(ErrorCode::NotFound));
    }
    tracing::info!(
        event = "social_identity_unlinked",
        provider = provider.trim()
    );
    Ok(unlinked)
}
