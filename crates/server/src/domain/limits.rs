//! Anti-automation limits (OWASP ASVS 5.0 V2.4.1; NIST SP 800-63B-4 §3.2.2 rate limiting): how
//! many times an hour one subject (a client address, or the address codes are mailed to) may
//! do a thing before it gets `429 rate_limited` with a `Retry-After` saying when the oldest
//! counted event ages out.
//!
//! Every "N an hour, then 429" of the API is a [`Limit`] of this one mechanism, named where it
//! is defined: code sends per email and per client address (`domain::email_code`), code checks,
//! failed sign-ins, admin invitations, refused admin tokens, social sign-in starts and the
//! OpenID Provider's waiting authorization requests per client address (`Config::*_limit`). Counting reads then writes, so a burst of concurrent requests
//! may pass a limit by the number of requests in flight; the limits are against automation over
//! an hour, not exact quotas. (The per-email smart lockout of sign-in is not a limit: see
//! `domain::lockout`.)

use crate::audit::{Action, Audit, Outcome};
use crate::error::{ApiError, ApiResult};
use crate::storage::{self, Db};
use partner_login_contract::ErrorCode;

const WINDOW_SECONDS: i64 = 3600;

/// A kind of counted action and how many an hour one subject may do.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// The name the events are counted under (`rate_events.kind`).
    pub kind: &'static str,
    pub per_hour: i64,
    /// What the subject is; a client address is logged when the limit refuses, an email
    /// address is not.
    pub per: Per,
}

/// The subject a limit counts per.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Per {
    ClientAddress,
    EmailAddress,
}

impl Limit {
    /// Refuses when `subject` already did `per_hour` of these in the last hour.
    pub async fn check(self, db: &Db, subject: &str, now: i64) -> ApiResult<()> {
        let since = now - WINDOW_SECONDS;
        let (count, oldest) =
            storage::rate_events::count_since(db, self.kind, subject, since).await?;
        if count < self.per_hour {
            return Ok(());
        }
        let retry_after = oldest.map_or(WINDOW_SECONDS, |t| t + WINDOW_SECONDS - now);
        // ASVS 5.0 V16.3.3: a refused attempt past a cap is audited (with the client's address,
        // never the email address a cap may count per) and counted. The request's span adds the
        // client and the TCP peer (`http/redact.rs::span`; ASVS 5.0 V16.2.1): behind a trusted
        // proxy, `client` is the subject and `peer` the proxy.
        Audit::new(Action::RateLimit, Outcome::Refused)
            .detail(self.kind)
            .emit();
        crate::metrics::limit_hit(self.kind);
        Err(ApiError::TooMany {
            code: ErrorCode::RateLimited,
            retry_after: retry_after.clamp(1, WINDOW_SECONDS) as u32,
        })
    }

    /// How many of these `subject` did in the last hour.
    pub async fn used(self, db: &Db, subject: &str, now: i64) -> ApiResult<i64> {
        let since = now - WINDOW_SECONDS;
        let (count, _) = storage::rate_events::count_since(db, self.kind, subject, since).await?;
        Ok(count)
    }

    /// Counts one action.
    pub async fn record(self, db: &Db, subject: &str, now: i64) -> ApiResult<()> {
        storage::rate_events::record(db, self.kind, subject, now).await?;
        Ok(())
    }

    /// [`Limit::check`], then [`Limit::record`]: for actions counted whether or not they
    /// succeed.
    pub async fn take(self, db: &Db, subject: &str, now: i64) -> ApiResult<()> {
        self.check(db, subject, now).await?;
        self.record(db, subject, now).await
    }
}

/// Every 10 minutes, deletes the counters older than a day (their windows are an hour), the
/// email-code flows a day past their expiry and the stale lockout guards
/// (`storage::rate_events::purge_before`; ASVS 5.0 V2.4.1), and the OpenID Provider's expired
/// requests, codes and tokens and the clients of sessions older than `session_seconds`
/// (`storage::authorizations::purge`).
pub fn spawn_purge(db: Db, session_seconds: i64) -> tokio::task::JoinHandle<()> {
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
            let now = storage::now();
            match storage::authorizations::purge(&db, now, now - session_seconds).await {
                Ok(rows) if rows > 0 => tracing::info!(event = "grants_purged", rows),
                Ok(_) => {}
                Err(e) => tracing::warn!(event = "grants_purge_failed", error = %e),
            }
        }
    })
}
