//! The last step of "Forgot your password?" (email → "Send verification code" → code by email
//! → "Verify code" → New Password, Confirm New Password → "Continue" → signed in), on a
//! verified email-code flow (`domain::email_code`).
//!
//! An unknown email gets the same screens and the same timing as a known one, and nothing is
//! sent (ASVS 5.0 V6.3.8). Setting the new password ends every session of the account
//! (ASVS 5.0 V7.4.3), clears its lockout (the lock after 100 consecutive failures included),
//! and starts a fresh session, ending the one the browser held (ASVS 5.0 V7.2.4).

use crate::audit::{Action, Outcome};
use crate::domain::email_code;
use crate::domain::invitation::{self, Acceptance};
use crate::domain::new_password;
use crate::domain::session::{self, NewSession, WayIn};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage;
use partner_login_contract::api::{CompletePasswordResetRequest, EmailCodeKind};
use partner_login_contract::ErrorCode;

/// "Continue": sets the new password of the flow's account and signs the person in, ending the
/// session the browser held (`held`). Returns the new session and the account id.
pub async fn set_password(
    state: &AppState,
    flow_id: &str,
    request: &CompletePasswordResetRequest,
    client: &str,
    held: Option<&str>,
) -> ApiResult<(NewSession, String)> {
    let flow = email_code::verified_flow(state, EmailCodeKind::PasswordReset, flow_id).await?;
    let errors = new_password::errors(
        &state.config,
        &request.password,
        &request.password_confirmation,
    );
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // Only a flow for an existing account can be verified (no code was ever sent otherwise).
    let account = storage::accounts::by_email(&state.db, &flow.email)
        .await?
        .ok_or(ApiError::Client(ErrorCode::FlowExpired))?;
    // A disabled account keeps its password and gets no session; the person proved they hold
    // its mailbox, so they may be told why.
    if account.disabled_at.is_some() {
        tracing::info!(event = "password_reset_refused_disabled");
        return Err(ApiError::Client(ErrorCode::AccountDisabled));
    }
    let invitation = invitation::by_id(state, flow.invitation_id.as_deref()).await?;
    // ASVS 5.0 V2.4.1: the password (at most 256 characters, checked above) is hashed within
    // the client's share of hashes in flight.
    let _in_flight = state.passwords.admit(client)?;
    let password_hash = state.passwords.hash(request.password.clone()).await?;
    let now = storage::now();
    let mut tx = state.db.begin().await?;
    if !storage::email_code_flows::mark_completed(&mut tx, &flow.id_hash, now).await? {
        return Err(ApiError::Client(ErrorCode::FlowExpired));
    }
    // A new credential version: every session made with the old password ends, those of
    // sign-ins still in flight included, which the delete below cannot see (ASVS 5.0 V7.4.3).
    let version = storage::accounts::set_password(&mut tx, &account.id, &password_hash).await?;
    let ended = storage::sessions::delete_for_account(&mut tx, &account.id).await?;
    if let Some(invitation) = &invitation {
        let policy = Acceptance::SameAddressIfUsable;
        invitation::accept(
            &mut tx,
            &account.id,
            &account.email,
            invitation,
            policy,
            now,
        )
        .await?;
    }
    // The session the browser held ends too, whoever's it was (ASVS 5.0 V7.2.4).
    let session = session::start(
        state,
        &mut tx,
        held,
        &account.id,
        version,
        WayIn::Password,
        now,
    )
    .await?;
    tx.commit().await?;
    storage::guards::clear(&state.db, &account.email).await?;
    tracing::info!(event = "password_reset", sessions_ended = ended);
    crate::audit::emit(Action::PasswordReset, Outcome::Success, Some(&account.id));
    // The owner is told, whoever reset it (ASVS 5.0 V6.3.7; NIST SP 800-63B-4 §4.2.3).
    let notice = crate::domain::notify::Notice::PasswordChanged;
    crate::domain::notify::notify(state, &account, notice, now).await;
    Ok((session, account.id))
}
