//! The person's own sessions (OWASP ASVS 5.0 V7.5.2: "users are able to view and (having
//! authenticated again with at least one factor) terminate any or all currently active
//! sessions"): the list of the signed-in account's live sessions, and ending one of them.
//!
//! A session is named by its public id, the OpenID Connect `sid` (random, already given to
//! the relying parties in ID and logout tokens): never by the session's cookie nor its hash,
//! so the list cannot be used to open a session. Ending the caller's own session is signing
//! out; ending another needs a sign-in within the last 5 minutes (V7.5.2's "authenticated
//! again"), as adding or removing a passkey does. Either way the relying parties of the ended
//! session are told (back-channel logout, `domain::logout`).

use crate::audit::{Action, Audit, Outcome};
use crate::domain::session::{self, Live};
use crate::domain::{logout, policy};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage;
use partner_login_contract::api::ActiveSession;
use partner_login_contract::ErrorCode;

/// The most sessions listed, most recently used first (no unbounded work or memory); an
/// account with more sees its 50 most recent.
pub const MAX_LISTED: i64 = 50;
/// Ending another session needs a sign-in this recent (ASVS 5.0 V7.5.2, V7.5.1).
pub const REAUTHENTICATION_SECONDS: i64 = 300;

fn signed_in(live: Option<Live>) -> ApiResult<Live> {
    live.ok_or(ApiError::Client(ErrorCode::Unauthenticated))
}

/// The signed-in account's live sessions (within both timeouts, honoured by the lookup), the
/// caller's marked `current`.
pub async fn list(state: &AppState, held: Option<&str>) -> ApiResult<Vec<ActiveSession>> {
    let live = signed_in(session::live(state, held).await?)?;
    // MFA_POLICY=required: an enrolment-only session lists nothing (ASVS 5.0 V6.3.3).
    policy::refuse_enrolment_only(state, &live)?;
    let now = storage::now();
    let rows = storage::sessions::live_of_account(
        &state.db,
        &live.account_id,
        now - state.config.session_idle_minutes * 60,
        now - state.config.session_absolute_hours * 3600,
        MAX_LISTED,
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|s| {
            let id = s.sid?;
            Some(ActiveSession {
                current: id == live.sid,
                id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                idp: s.idp,
                amr: s.amr.split_whitespace().map(str::to_owned).collect(),
                aal: s.aal,
            })
        })
        .collect())
}

/// What ending a session did.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// The caller's own session: the browser is signed out (its cookie must go).
    Current,
    /// Another session of the account.
    Other,
}

/// Ends one of the signed-in account's sessions by its public id. Another account's session,
/// or one that ended already, is `not_found` (the same answer: nothing is said about sessions
/// that are not the caller's).
pub async fn end(state: &AppState, held: Option<&str>, id: &str) -> ApiResult<Ended> {
    let live = signed_in(session::live(state, held).await?)?;
    if id == live.sid {
        logout::sign_out(state, held).await?;
        return Ok(Ended::Current);
    }
    // MFA_POLICY=required: an enrolment-only session may sign out (above), and end no other
    // session (ASVS 5.0 V6.3.3, NIST SP 800-63B-4 AAL2).
    policy::refuse_enrolment_only(state, &live)?;
    let now = storage::now();
    if now - live.auth_time > REAUTHENTICATION_SECONDS {
        Audit::new(Action::SignOut, Outcome::Refused)
            .account(Some(&live.account_id))
            .detail("reauthentication_required")
            .emit();
        // The same answer as `domain::passkeys::recently_signed_in`: the screens say to sign
        // in again.
        return Err(ApiError::Client(ErrorCode::ReauthenticationRequired));
    }
    // Bound to the account: the id of another account's session matches nothing.
    if !storage::sessions::delete_by_sid(&state.db, &live.account_id, id).await? {
        return Err(ApiError::Client(ErrorCode::NotFound));
    }
    Audit::new(Action::SignOut, Outcome::Success)
        .account(Some(&live.account_id))
        .detail("other_session")
        .emit();
    logout::notify_clients(state, id, &live.account_id).await?;
    Ok(Ended::Other)
}
