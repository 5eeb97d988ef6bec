//! Anti-automation limits per client address (OWASP ASVS 5.0 V2.4.1; NIST SP 800-63B-4 §3.2.2
//! rate limiting): how many times an hour one address may do a thing before it gets
//! `429 rate_limited` with a `Retry-After` saying when the oldest counted event ages out.
//!
//! Sign-in failures (`storage::guards`) and code sends (`storage::flows::sends_last_hour`) have
//! their own counters; this module covers the rest: code checks, invitations through the admin
//! API, refused admin tokens and social sign-in starts. Counting reads then writes, so a burst
//! of concurrent requests may pass a limit by the number of requests in flight; the limits are
//! against automation over an hour, not exact quotas.

use crate::error::{ApiError, ApiResult};
use crate::storage::{self, Db};
use partner_login_contract::ErrorCode;

const WINDOW_SECONDS: i64 = 3600;

/// A kind of counted action and how many an hour one client address may do.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub kind: &'static str,
    pub per_hour: i64,
}

/// Refuses when `subject` already did `limit.per_hour` of these in the last hour.
pub async fn check(db: &Db, limit: Limit, subject: &str, now: i64) -> ApiResult<()> {
    let (count, oldest) =
        storage::rate_events::count_since(db, limit.kind, subject, now - WINDOW_SECONDS).await?;
    if count >= limit.per_hour {
        let retry_after = oldest.map_or(WINDOW_SECONDS, |t| t + WINDOW_SECONDS - now);
        tracing::warn!(
            event = "rate_limited",
            action = limit.kind,
            client = subject
        );
        return Err(ApiError::TooMany {
            code: ErrorCode::RateLimited,
            retry_after: retry_after.clamp(1, WINDOW_SECONDS) as u32,
        });
    }
    Ok(())
}

/// Counts one action.
pub async fn record(db: &Db, limit: Limit, subject: &str, now: i64) -> ApiResult<()> {
    storage::rate_events::record(db, limit.kind, subject, now).await?;
    Ok(())
}

/// [`check`], then [`record`]: for actions counted whether or not they succeed.
pub async fn take(db: &Db, limit: Limit, subject: &str, now: i64) -> ApiResult<()> {
    check(db, limit, subject, now).await?;
    record(db, limit, subject, now).await
}

/// Every 10 minutes, deletes the counters older than a day (their windows are an hour), the
/// email flows a day past their expiry and the stale lockout guards
/// (`storage::rate_events::purge_before`; ASVS 5.0 V2.4.1).
pub fn spawn_purge(db: Db) {
    tokio::spawn(async move {
        let period = std::time::Duration::from_secs(600);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tick.tick().await;
            let cutoff = storage::now() - 86_400;
            match storage::rate_events::purge_before(&db, cutoff).await {
                Ok(rows) if rows > 0 => tracing::info!(event = "counters_purged", rows),
                Ok(_) => {}
                Err(e) => tracing::warn!(event = "counters_purge_failed", error = %e),
            }
        }
    });
}
