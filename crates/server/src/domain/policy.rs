//! `MFA_POLICY` (issue 20): `optional` (the default) changes nothing; `required` is the
//! OWASP ASVS 5.0 level 2 configuration (V6.3.3: every way in is multi-factor; NIST SP
//! 800-63B-4 AAL2, §2.2).
//!
//! Under `required`, a session made on one factor (`aal1`: a password alone, a social provider
//! not trusted for its `amr` or that did not say `mfa`, the end of a sign-up or of a password
//! reset of an account with no factor) is **enrolment-only**. It may:
//!
//! - read `GET /api/session` (its `factor_required` is true, so the screens go to `/protect`);
//! - enrol a factor: a passkey (`POST /api/passkeys/registration` and `…/finish`), an
//!   authenticator app (begin and confirm), recovery codes; and read what it has enrolled
//!   (`GET /api/passkeys`, `GET /api/account/factors`, the count of recovery codes left);
//! - sign out (`DELETE /api/session`, and the OpenID Provider's end-session endpoint).
//!
//! Everything else that uses a session refuses it with 403 `forbidden`: the list of sessions
//! and ending one (`GET /api/sessions`, `DELETE /api/sessions/{id}`), renaming or removing a
//! passkey, removing the app ([`signed_in_fully`], [`refuse_enrolment_only`]); and the OpenID
//! Provider issues no authorization code from it: the authorize endpoint and its continuation
//! treat it as "not signed in enough" and send the browser to the sign-in screen, the request
//! waiting in its cookie as it does for no session (`domain::authorization`).
//!
//! The enrolment-only session becomes an AAL2 one by a sign-in with two factors: the screens
//! run a passkey sign-in right after "Create a passkey" (a passkey that verified its user is
//! AAL2 on its own, 63B-4 §3.1.7); after an app or recovery codes, the person signs in again
//! with the password and the new factor. Enrolling the first factor on one factor is the
//! bootstrap 63B-4 §4.1 allows for an account that has none, and only then: an enrolment-only
//! session of an account that has a factor already (one made before the policy was switched
//! on, say) may add no other ([`refuse_enrolment_beyond_the_first`]: 63B-4 §4.1.2, binding
//! another authenticator needs the AAL it will be used at). An account that has a factor
//! never gets an `aal1` session under `required` from a right password, a reset or a provider
//! not trusted for its `amr`: those go through the second step (`domain::mfa`), whose methods
//! include `passkey` when the account has passkeys ([`methods_include_passkeys`]).

use crate::config::{Config, MfaPolicy};
use crate::domain::session::{self, Live};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage;
use partner_login_contract::ErrorCode;

/// Whether a session at an `aal` is enrolment-only (kept in `domain::session`, whose view says
/// it, so that the two modules do not import each other).
pub use crate::domain::session::enrolment_only;

/// Whether a password's second step may be finished by a passkey sign-in: under `required`
/// only (under `optional` the second step is unchanged: an account with passkeys alone signs
/// in with its password on one factor, as the person chose).
pub fn methods_include_passkeys(config: &Config) -> bool {
    config.mfa_policy == MfaPolicy::Required
}

/// Refuses a use of an enrolment-only session other than those the module lists (OWASP ASVS
/// 5.0 V6.3.3; NIST SP 800-63B-4 §2.2: AAL2 is needed to use the account).
pub fn refuse_enrolment_only(state: &AppState, live: &Live) -> ApiResult<()> {
    if enrolment_only(&state.config, live.aal) {
        tracing::info!(event = "enrolment_only_session_refused");
        return Err(ApiError::Client(ErrorCode::Forbidden));
    }
    Ok(())
}

/// The account of a live session that may use it fully (not enrolment-only, see
/// [`refuse_enrolment_only`]), touching it; `unauthenticated` without one.
pub async fn signed_in_fully(state: &AppState, held: Option<&str>) -> ApiResult<String> {
    let live = session::live(state, held)
        .await?
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    refuse_enrolment_only(state, &live)?;
    Ok(live.account_id)
}

/// Refuses an enrolment by an enrolment-only session when the account has a factor already
/// (a passkey, a confirmed app, recovery codes): one factor may bootstrap the first, never add
/// to them (NIST SP 800-63B-4 §4.1.2; OWASP ASVS 5.0 V6.3.3). Such a session exists only if it
/// was made before `MFA_POLICY=required`, or in the very session that enrolled the first.
pub async fn refuse_enrolment_beyond_the_first(state: &AppState, live: &Live) -> ApiResult<()> {
    if !enrolment_only(&state.config, live.aal) {
        return Ok(());
    }
    let id = &live.account_id;
    let has_factor = storage::passkeys::count(&state.db, id).await? > 0
        || storage::second_factors::has_app(&state.db, id).await?
        || storage::second_factors::codes_left(&state.db, id).await? > 0;
    if has_factor {
        tracing::info!(
            event = "enrolment_only_session_refused",
            reason = "has_factor"
        );
        return Err(ApiError::Client(ErrorCode::Forbidden));
    }
    Ok(())
}
