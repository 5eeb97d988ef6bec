//! Sign-in with a password, guarded three ways: one answer for every wrong email or password,
//! in content and in time (OWASP ASVS 5.0 V6.3.8); smart lockout per email, and a lock until a
//! password reset after 100 consecutive failures (`domain::lockout`, ASVS 5.0 V6.3.1, NIST SP
//! 800-63B-4 §3.2.2); and caps per client address (ASVS 5.0 V2.4.1) on failures
//! (`Config::sign_in_failure_limit`), on all attempts (`Config::sign_in_limit`) and on attempts
//! in flight (`domain::passwords::Passwords::admit`), each counted before the password is
//! hashed, after the password's length is checked (NIST SP 800-63B-4 §3.1.1.2: a maximum length
//! bounds the hashing work).

use crate::audit::{self, Action, Audit, Outcome};
use crate::domain::attempts::{email_lock, locked, record_failure};
use crate::domain::invitation::{self, Acceptance};
use crate::domain::limits;
use crate::domain::lockout::{Failure, UNTIL_RESET_RETRY_SECONDS};
use crate::domain::mfa;
use crate::domain::passwords::HashError;
use crate::domain::session::{self, NewSession, WayIn};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage;
use partner_login_contract::api::SignInRequest;
use partner_login_contract::{Email, ErrorCode, Field, FieldError, PasswordPolicy};

/// What a right password led to.
pub enum SignedIn {
    /// A session (the account has no second factor), and the account as read before the
    /// password was checked.
    Session(NewSession, Box<storage::accounts::Account>),
    /// No session yet: the account has a second factor (`domain::mfa`); the waiting flow's id,
    /// for its cookie.
    SecondFactor { flow: String },
}

/// Signs in with an email and a password (and accepts the invitation the person arrived with),
/// ending the session the browser held (`held`). When the account has a second factor, a
/// right password starts no session but its second step (`domain::mfa`).
pub async fn sign_in(
    state: &AppState,
    request: &SignInRequest,
    client: &str,
    held: Option<&str>,
) -> ApiResult<SignedIn> {
    let now = storage::now();
    // NIST SP 800-63B-4 §3.1.1.2 / ASVS 5.0 V6.2.9: passwords of up to the policy's maximum
    // (256) are accepted; a longer one cannot be anyone's and is refused before any hashing or
    // counting, with the same field error as "Create" gives.
    let max_chars = PasswordPolicy::STANDARD.max_chars;
    if request.password.chars().count() > max_chars as usize {
        return Err(ApiError::Validation(vec![FieldError::with_limit(
            Field::Password,
            ErrorCode::TooLong,
            max_chars,
        )]));
    }
    // ASVS 5.0 V2.4.1: a few attempts in flight per client address (in memory, at once), then
    // the hour's caps, each counted before the work so that a burst cannot pass them.
    // Both caps in one transaction (one commit), in this order: past the first nothing is
    // counted; past the second the attempt stays counted in the first.
    let _in_flight = state.passwords.admit(client)?;
    let [attempt, failure] = limits::take_in_order(
        &state.db,
        [
            state.config.sign_in_limit(),
            // Counted as a failure until the password proves right (`domain::limits`).
            state.config.sign_in_failure_limit(),
        ],
        client,
        now,
    )
    .await?;
    attempt.keep();
    let email = Email::parse(&request.email).ok();
    let _one_at_a_time = match &email {
        Some(email) => Some(email_lock(email.as_str()).lock().await),
        None => None,
    };
    // Whether the email has a guard row (failures since its last success) to clear on success.
    let mut has_guard = false;
    if let Some(email) = &email {
        let stored = storage::guards::get(&state.db, email.as_str()).await?;
        if let Some(wait) = stored.guard.locked_for(now) {
            Audit::new(Action::SignIn, Outcome::Refused)
                .detail("account_locked")
                .emit();
            // No password was tried: the lock answers, not a failure.
            failure.forget(&state.db).await?;
            return Err(locked(wait));
        }
        has_guard = stored.version.is_some();
    }
    // One answer for an unknown email and a wrong password, in content and in time
    // (ASVS 5.0 V6.3.8): the dummy hash is verified when there is no account.
    let account = match &email {
        Some(email) => storage::accounts::by_email(&state.db, email.as_str()).await?,
        None => None,
    };
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let verification = match state
        .passwords
        .verify(request.password.clone(), stored)
        .await
    {
        Ok(verification) => verification,
        Err(busy @ HashError::Busy(_)) => {
            // Not tried, so not failed.
            failure.forget(&state.db).await?;
            return Err(busy.into());
        }
        Err(err) => return Err(err.into()),
    };
    let known = account.as_ref().map(|a| a.id.clone());
    let Some(account) = account.filter(|_| verification.ok) else {
        Audit::new(Action::SignIn, Outcome::Failure)
            .account(known.as_deref())
            .emit();
        failure.keep();
        if let Some(email) = &email {
            let outcome =
                record_failure(state, email.as_str(), &verification.fingerprint, now).await?;
            match outcome {
                Failure::Locked(seconds) => {
                    Audit::new(Action::Lockout, Outcome::Success)
                        .account(known.as_deref())
                        .detail("temporary")
                        .emit();
                    return Err(locked(seconds));
                }
                // NIST SP 800-63B-4 §3.2.2: no more than 100 consecutive failures; the same
                // answer as a lockout, known address or not (ASVS 5.0 V6.3.8).
                Failure::LockedUntilReset => {
                    Audit::new(Action::Lockout, Outcome::Success)
                        .account(known.as_deref())
                        .detail("until_reset")
                        .emit();
                    return Err(locked(UNTIL_RESET_RETRY_SECONDS));
                }
                Failure::Counted | Failure::Repeated => {}
            }
        }
        return Err(ApiError::Client(ErrorCode::InvalidCredentials));
    };
    // The right password on a disabled account: its holder may be told (ASVS 5.0 V6.3.8 hides
    // accounts from those who cannot prove they hold them; this one did). No invitation is
    // accepted, no session starts.
    if account.disabled_at.is_some() {
        failure.forget(&state.db).await?;
        tracing::info!(event = "sign_in_refused_disabled");
        return Err(ApiError::Client(ErrorCode::AccountDisabled));
    }
    // OWASP ASVS 5.0 V6.3.3 / NIST SP 800-63B-4 §2.2.2: an account with a second factor gets
    // no session on its password alone. Said only now, after the password proved right (no
    // factor enumeration, ASVS 5.0 V6.3.8). The email's lockout guard is not cleared: the
    // second step's wrong codes count on (`domain::mfa::finish`), and a right password cannot
    // be used to reset their count.
    if !mfa::methods(state, &account.id).await?.is_empty() {
        failure.forget(&state.db).await?;
        let flow = mfa::begin_flow(state, &account, now).await?;
        return Ok(SignedIn::SecondFactor { flow });
    }
    // The session, the invitation's acceptance, the failure counted before the hash un-counted
    // (the password was right: ASVS 5.0 V2.4.1 counts failures) and the email's lockout guard
    // cleared (ASVS 5.0 V6.3.1: consecutive failures end at a success) in one transaction: one
    // commit (one WAL sync on SQLite) for the whole success instead of one each.
    let started = start_session(state, request, &account, held, &failure, has_guard, now).await;
    let session = match started {
        Ok(session) => session,
        Err(err) => {
            // Rolled back, the failure with it; the password was right all the same (an
            // unusable invitation, a disable that raced the sign-in): not a failure.
            failure.forget(&state.db).await?;
            return Err(err);
        }
    };
    audit::emit(Action::SignIn, Outcome::Success, Some(&account.id));
    Ok(SignedIn::Session(session, Box::new(account)))
}

/// The transaction of a right password's session (see [`sign_in`]).
async fn start_session(
    state: &AppState,
    request: &SignInRequest,
    account: &storage::accounts::Account,
    held: Option<&str>,
    failure: &limits::Taken,
    has_guard: bool,
    now: i64,
) -> ApiResult<NewSession> {
    let mut tx = state.db.begin().await?;
    if let Some(token) = request.invitation.as_deref().filter(|t| !t.is_empty()) {
        let invitation = invitation::usable(state, token).await?;
        let policy = Acceptance::SameAddressRequired;
        invitation::accept(
            &mut tx,
            &account.id,
            &account.email,
            &invitation,
            policy,
            now,
        )
        .await?;
    }
    // A new session id; the one the browser held, if any, ends (ASVS 5.0 V7.2.4). It carries
    // the credential version read with the hash just verified: a reset since then makes it
    // void (ASVS 5.0 V7.4.3).
    let version = account.credential_version;
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
    failure.forget_in(&mut tx).await?;
    if has_guard {
        storage::guards::clear(&mut *tx, &account.email).await?;
    }
    tx.commit().await?;
    Ok(session)
}
