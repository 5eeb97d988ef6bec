//! The last step of "Forgot your password?" (email → "Send verification code" → code by email
//! → "Verify code" → New Password, Confirm New Password → "Continue" → signed in), on a
//! verified email-code flow (`domain::email_code`).
//!
//! An unknown email gets the same screens and the same timing as a known one, and nothing is
//! sent (ASVS 5.0 V6.3.8). Setting the new password ends every session of the account
//! (ASVS 5.0 V7.4.3), clears its lockout (the lock after 100 consecutive failures included),
//! and starts a fresh session, ending the one the browser held (ASVS 5.0 V7.2.4).
//!
//! **An account with a second factor** (issue 20: "a recovery that does not bypass the second
//! factor"; OWASP ASVS 5.0 V6.4.3 "a secure process for resetting a forgotten password does
//! not bypass any enabled multi-factor authentication mechanisms"; NIST SP 800-63B-4 §4.2,
//! account recovery): the emailed code proves the mailbox, never a factor. Once it is verified
//! (and only then: before it, nothing says which accounts have a factor, ASVS 5.0 V6.3.8),
//! [`proofs`] says which second proofs the account needs: those of a password sign-in's second
//! step (`mfa::methods`, under both policies), and a passkey of the account whenever it has
//! one. One of them marks the flow ([`prove`]: the app's code, or a recovery code, used up;
//! [`begin_passkey`] / [`finish_passkey`]: a WebAuthn ceremony of that account's passkeys,
//! bound to this flow, single use). Until then "Continue" answers `second_factor_required`
//! and the password is **not** changed; after it, the session it starts is two-factor (`aal2`,
//! `amr` `pwd otp mfa` or `pwd pop mfa`). Wrong codes count as a sign-in's do: per client
//! (`Config::sign_in_failure_limit`), against the email's lockout (`domain::attempts`), and
//! [`PROOF_ATTEMPTS`] per flow. A person who lost every factor is re-invited by an
//! administrator (`accounts reset-mfa --reinvite`). An account with no factor under
//! `MFA_POLICY=required` ends in an enrolment-only session (`domain::policy`); under
//! `optional` it is unchanged.

use crate::audit::{Action, Audit, Outcome};
use crate::domain::attempts::{email_lock, locked};
use crate::domain::email_code;
use crate::domain::invitation::{self, Acceptance};
use crate::domain::notify::{self, Notice};
use crate::domain::session::{self, NewSession, WayIn};
use crate::domain::{mfa, new_password, passkeys};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage;
use crate::storage::accounts::Account;
use crate::storage::email_code_flows::EmailCodeFlow;
use partner_login_contract::api::{
    CompletePasswordResetRequest, EmailCodeKind, ResetProofView, SecondFactorMethod,
    SecondFactorRequest,
};
use partner_login_contract::ErrorCode;
use webauthn_rs::prelude::{PublicKeyCredential, RequestChallengeResponse};

/// Wrong codes one reset flow takes at its second proof; then the reset starts again.
pub const PROOF_ATTEMPTS: i64 = mfa::FLOW_ATTEMPTS;

/// The second proofs the account of a reset needs: a password sign-in's (`mfa::methods`),
/// plus a passkey when it has one and passkeys are on. Empty: none.
async fn methods(state: &AppState, account_id: &str) -> ApiResult<Vec<SecondFactorMethod>> {
    let mut methods = mfa::methods(state, account_id).await?;
    if !methods.is_empty()
        && !methods.contains(&SecondFactorMethod::Passkey)
        && state.passkeys.is_some()
        && storage::passkeys::count(&state.db, account_id).await? > 0
    {
        methods.push(SecondFactorMethod::Passkey);
    }
    Ok(methods)
}

/// The verified flow (its mailbox proven) and its account, usable: not disabled.
async fn verified_account(state: &AppState, flow_id: &str) -> ApiResult<(EmailCodeFlow, Account)> {
    let flow = email_code::verified_flow(state, EmailCodeKind::PasswordReset, flow_id).await?;
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
    Ok((flow, account))
}

/// `GET …/second-factor`: what the verified flow's account needs before its new password.
pub async fn proofs(state: &AppState, flow_id: &str) -> ApiResult<ResetProofView> {
    let (flow, account) = verified_account(state, flow_id).await?;
    Ok(ResetProofView {
        methods: methods(state, &account.id).await?,
        proven: flow.second_proof.is_some(),
        recovery_codes_left: None,
    })
}

/// Refuses a proof for a flow that needs none or has one (`bad_request`), or that took its
/// wrong codes (`flow_expired`: the reset starts again).
fn check_provable(flow: &EmailCodeFlow, methods: &[SecondFactorMethod]) -> ApiResult<()> {
    if methods.is_empty() || flow.second_proof.is_some() {
        return Err(ApiError::Client(ErrorCode::BadRequest));
    }
    if flow.proof_wrong_tries >= PROOF_ATTEMPTS {
        return Err(ApiError::Client(ErrorCode::FlowExpired));
    }
    Ok(())
}

/// `POST …/second-factor`: the app's code or a recovery code (used up) as the flow's second
/// proof (ASVS 5.0 V6.4.3). Wrong codes are counted per client (ASVS 5.0 V2.4.1), against the
/// email's lockout (ASVS 5.0 V6.3.1; NIST SP 800-63B-4 §3.2.2) and per flow.
pub async fn prove(
    state: &AppState,
    client: &str,
    flow_id: &str,
    request: &SecondFactorRequest,
) -> ApiResult<ResetProofView> {
    let now = storage::now();
    // The format first: a malformed code is no guess and is not counted.
    let proof = mfa::Proof::parse(request)?;
    let (flow, account) = verified_account(state, flow_id).await?;
    let methods = methods(state, &account.id).await?;
    check_provable(&flow, &methods)?;
    // ASVS 5.0 V2.4.1: counted as a failed sign-in of the client until the code proves right.
    let failure = state
        .config
        .sign_in_failure_limit()
        .take(&state.db, client, now)
        .await?;
    // One attempt at a time per email, with the sign-ins' (`attempts::email_lock`); a
    // temporary lock holds here too (ASVS 5.0 V6.3.1), a lock until reset does not: this is
    // the reset that lifts it.
    let _one_at_a_time = email_lock(&account.email).lock().await;
    let guard = storage::guards::get(&state.db, &account.email).await?;
    if !guard.guard.locked_until_reset() {
        if let Some(wait) = guard.guard.locked_for(now) {
            failure.forget(&state.db).await?;
            return Err(locked(wait));
        }
    }
    let app_step = proof.app_step(state, &account.id, now).await?;
    let mut tx = state.db.begin().await?;
    // The flow first (a write: SQLite's write lock; a flow proven, finished or out of tries
    // meanwhile spends no code), then the code, in one transaction: a recovery code is used
    // up only on a flow it proves (ASVS 5.0 V6.5.1).
    let flow_hash = &flow.id_hash;
    if !storage::email_code_flows::mark_proven(&mut tx, flow_hash, proof.detail(), PROOF_ATTEMPTS)
        .await?
    {
        tx.rollback().await?;
        failure.keep();
        return Err(ApiError::Client(ErrorCode::FlowExpired));
    }
    if !proof.accept(&mut tx, &account.id, app_step).await? {
        tx.rollback().await?;
        storage::email_code_flows::proof_failed(&state.db, flow_hash).await?;
        failure.keep();
        return Err(proof.wrong(state, &account, now, false).await?);
    }
    let left = match proof {
        mfa::Proof::RecoveryCode(_) => Some(mfa::codes_left_in(&mut tx, &account.id).await?),
        mfa::Proof::App(_) => None,
    };
    tx.commit().await?;
    failure.forget(&state.db).await?;
    Audit::new(Action::PasswordReset, Outcome::Success)
        .account(Some(&account.id))
        .detail(proof.detail())
        .emit();
    if let Some(remaining) = left {
        let notice = Notice::RecoveryCodeUsed {
            remaining: i64::from(remaining),
        };
        notify::notify(state, &account, notice, now).await;
    }
    Ok(ResetProofView {
        methods,
        proven: true,
        recovery_codes_left: left,
    })
}

/// `POST …/passkey`: begins a ceremony of the flow's account's passkeys, bound to the flow.
pub async fn begin_passkey(
    state: &AppState,
    client: &str,
    flow_id: &str,
) -> ApiResult<passkeys::Begun<RequestChallengeResponse>> {
    let (flow, account) = verified_account(state, flow_id).await?;
    let methods = methods(state, &account.id).await?;
    check_provable(&flow, &methods)?;
    if !methods.contains(&SecondFactorMethod::Passkey) {
        return Err(ApiError::Client(ErrorCode::BadRequest));
    }
    passkeys::begin_reset_proof(state, client, &account.id, &flow.id_hash).await
}

/// `POST …/passkey/finish`: a passkey of the flow's account, its user verified, as the flow's
/// second proof (ASVS 5.0 V6.4.3; NIST SP 800-63B-4 §3.1.7).
pub async fn finish_passkey(
    state: &AppState,
    client: &str,
    flow_id: &str,
    ceremony: &str,
    credential: &PublicKeyCredential,
) -> ApiResult<ResetProofView> {
    let (flow, account) = verified_account(state, flow_id).await?;
    let methods = methods(state, &account.id).await?;
    check_provable(&flow, &methods)?;
    let passkey = passkeys::finish_reset_proof(
        state,
        client,
        &account.id,
        &flow.id_hash,
        ceremony,
        credential,
    )
    .await?;
    let mut tx = state.db.begin().await?;
    let proof = format!("passkey:{passkey}");
    if !storage::email_code_flows::mark_proven(&mut tx, &flow.id_hash, &proof, PROOF_ATTEMPTS)
        .await?
    {
        tx.rollback().await?;
        return Err(ApiError::Client(ErrorCode::FlowExpired));
    }
    tx.commit().await?;
    Audit::new(Action::PasswordReset, Outcome::Success)
        .account(Some(&account.id))
        .detail("passkey")
        .emit();
    Ok(ResetProofView {
        methods,
        proven: true,
        recovery_codes_left: None,
    })
}

/// "Continue": sets the new password of the flow's account and signs the person in, ending
/// the session the browser held (`held`). An account that needs a second proof (see the
/// module) and has not given it: `second_factor_required`, and nothing changes.
pub async fn set_password(
    state: &AppState,
    flow_id: &str,
    request: &CompletePasswordResetRequest,
    client: &str,
    held: Option<&str>,
) -> ApiResult<(NewSession, String)> {
    let (flow, account) = verified_account(state, flow_id).await?;
    // ASVS 5.0 V6.4.3, V6.3.3; NIST SP 800-63B-4 §4.2: the second proof before the password.
    let needs_proof = !mfa::methods(state, &account.id).await?.is_empty();
    let way = match flow.second_proof.as_deref() {
        Some("app") => WayIn::PasswordAndApp,
        Some("recovery_code") => WayIn::PasswordAndRecoveryCode,
        Some(other) => match other.strip_prefix("passkey:") {
            Some(id) => WayIn::PasswordAndPasskey(id),
            None => return Err(anyhow::anyhow!("unknown second proof `{other}`").into()),
        },
        None if needs_proof => {
            tracing::info!(event = "password_reset_second_factor_required");
            return Err(ApiError::Client(ErrorCode::SecondFactorRequired));
        }
        None => WayIn::Password,
    };
    let errors = new_password::errors(
        &state.config,
        &request.password,
        &request.password_confirmation,
    );
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
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
    let session = session::start(state, &mut tx, held, &account.id, version, way, now).await?;
    tx.commit().await?;
    storage::guards::clear(&state.db, &account.email).await?;
    tracing::info!(event = "password_reset", sessions_ended = ended);
    crate::audit::emit(Action::PasswordReset, Outcome::Success, Some(&account.id));
    // The owner is told, whoever reset it (ASVS 5.0 V6.3.7; NIST SP 800-63B-4 §4.2.3).
    notify::notify(state, &account, Notice::PasswordChanged, now).await;
    Ok((session, account.id))
}
