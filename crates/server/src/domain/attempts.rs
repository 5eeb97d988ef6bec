//! The email's lockout guard as the sign-in steps drive it (the password, `domain::sign_in`,
//! and the second factor after it, `domain::mfa`): one attempt at a time per email on an
//! instance, a failure counted against the guard (`domain::lockout`, kept by
//! `storage::guards`), and the answer a lock gets. OWASP ASVS 5.0 V6.3.1; NIST SP 800-63B-4
//! §3.2.2.

use crate::domain::lockout::Failure;
use crate::domain::secrets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage;
use partner_login_contract::ErrorCode;
use std::sync::OnceLock;

/// Sign-in attempts on the same email run one at a time on an instance (64 stripes), so that
/// parallel guesses cannot all pass the lockout check before any of them is counted.
pub fn email_lock(email: &str) -> &'static tokio::sync::Mutex<()> {
    static LOCKS: OnceLock<Vec<tokio::sync::Mutex<()>>> = OnceLock::new();
    let locks = LOCKS.get_or_init(|| (0..64).map(|_| tokio::sync::Mutex::new(())).collect());
    let stripe = secrets::hash(email).bytes().fold(0usize, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    &locks[stripe % locks.len()]
}

/// The answer to an attempt on a locked email: 429 `account_locked` with its `Retry-After`.
pub fn locked(seconds: i64) -> ApiError {
    ApiError::TooMany {
        code: ErrorCode::AccountLocked,
        retry_after: u32::try_from(seconds.max(1)).unwrap_or(u32::MAX),
    }
}

/// Counts a failure against an email's guard, retrying when another instance updated it first.
pub async fn record_failure(
    state: &AppState,
    email: &str,
    fingerprint: &str,
    now: i64,
) -> ApiResult<Failure> {
    for _ in 0..5 {
        let mut stored = storage::guards::get(&state.db, email).await?;
        let outcome = stored.guard.fail(fingerprint, now);
        if outcome == Failure::Repeated || storage::guards::save(&state.db, email, &stored).await? {
            return Ok(outcome);
        }
    }
    Err(anyhow::anyhow!("the sign-in guard kept changing under us").into())
}
