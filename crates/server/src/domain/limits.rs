//! Anti-automation limits (OWASP ASVS 5.0 V2.4.1; NIST SP 800-63B-4 §3.2.2 rate limiting): how
//! many times an hour one subject (a client address, or the address codes are mailed to) may
//! do a thing before it gets `429 rate_limited` with a `Retry-After` saying when the oldest
//! counted event ages out.
//!
//! Every "N an hour, then 429" of the API is a [`Limit`] of this one mechanism, named where it
//! is defined: code sends per email and per client address (`domain::email_code`), code checks,
//! sign-ins and failed sign-ins (`domain::sign_in`), admin invitations, refused admin tokens,
//! social sign-in starts and the OpenID Provider's waiting authorization requests per client
//! address (`Config::*_limit`).
//!
//! Counting comes before the work and is exact under concurrency, on one instance or several
//! sharing the database: [`Limit::take`] counts the hour's events and records the new one in
//! one transaction that holds the subject's lock row (`storage::rate_events::take_in_order`),
//! so of any number of concurrent requests exactly `per_hour` pass in an hour, and the others
//! get 429 without being counted. An action that is only counted when it fails (a failed sign-in, a
//! refused admin token) is taken the same way before the work, and [`Taken::forget`]-ten when
//! it succeeds: a burst of wrong passwords runs at most `per_hour` hashes. (The per-email smart lockout of sign-in is not a limit: see
//! `domain::lockout`.)

use crate::audit::{Action, Audit, Outcome};
use crate::domain::secrets;
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
    /// Counts one action of `subject` before it is done, or refuses it (429) when the last
    /// hour already holds `per_hour` of them (see the module's documentation).
    pub async fn take(self, db: &Db, subject: &str, now: i64) -> ApiResult<Taken> {
        let [taken] = take_in_order(db, [self], subject, now).await?;
        Ok(taken)
    }

    /// This limit's 429 for a subject whose oldest counted event in the hour is `oldest`,
    /// audited and counted.
    fn refuse(self, oldest: Option<i64>, now: i64) -> ApiError {
        let retry_after = oldest.map_or(WINDOW_SECONDS, |t| t + WINDOW_SECONDS - now);
        // ASVS 5.0 V16.3.3: a refused attempt past a cap is audited (with the client's address,
        // never the email address a cap may count per) and counted. The request's span adds the
        // client and the TCP peer (`http/redact.rs::span`; ASVS 5.0 V16.2.1): behind a trusted
        // proxy, `client` is the subject and `peer` the proxy.
        Audit::new(Action::RateLimit, Outcome::Refused)
            .detail(self.kind)
            .emit();
        crate::metrics::limit_hit(self.kind);
        ApiError::TooMany {
            code: ErrorCode::RateLimited,
            retry_after: retry_after.clamp(1, WINDOW_SECONDS) as u32,
        }
    }

    /// How many of these `subject` did in the last hour.
    pub async fn used(self, db: &Db, subject: &str, now: i64) -> ApiResult<i64> {
        let since = now - WINDOW_SECONDS;
        let (count, _) = storage::rate_events::count_since(db, self.kind, subject, since).await?;
        Ok(count)
    }

    /// Counts one action without refusing it: for an action a rule lets through whatever the
    /// count (a client address's first code to an address in the hour), which later ones
    /// must still see.
    pub async fn count(self, db: &Db, subject: &str, now: i64) -> ApiResult<Taken> {
        let claim = secrets::new_token();
        storage::rate_events::record(db, self.kind, subject, now, &claim).await?;
        Ok(Taken {
            kind: self.kind,
            subject: subject.to_owned(),
            claim,
        })
    }
}

/// [`Limit::take`] of each of `limits` in turn for the same `subject`, in one transaction (one
/// commit instead of one each: a sign-in takes two limits before its hash). The first limit
/// that refuses answers 429, and the ones after it are not tried; those before it stay counted,
/// exactly as separate [`Limit::take`]s would have left them. Each call site lists its limits
/// in one fixed order (`storage::rate_events::take_in_order`: no deadlock).
pub async fn take_in_order<const N: usize>(
    db: &Db,
    limits: [Limit; N],
    subject: &str,
    now: i64,
) -> ApiResult<[Taken; N]> {
    let claims: [String; N] = std::array::from_fn(|_| secrets::new_token());
    let takes: Vec<storage::rate_events::Take<'_>> = limits
        .iter()
        .zip(&claims)
        .map(|(limit, claim)| storage::rate_events::Take {
            kind: limit.kind,
            subject,
            per_hour: limit.per_hour,
            claim,
        })
        .collect();
    let since = now - WINDOW_SECONDS;
    if let Err((refused, oldest)) =
        storage::rate_events::take_in_order(db, &takes, since, now).await?
    {
        return Err(limits[refused].refuse(oldest, now));
    }
    Ok(std::array::from_fn(|i| Taken {
        kind: limits[i].kind,
        subject: subject.to_owned(),
        claim: claims[i].clone(),
    }))
}

/// An action counted by [`Limit::take`].
#[must_use = "a taken action stays counted unless forgotten"]
pub struct Taken {
    kind: &'static str,
    subject: String,
    claim: String,
}

impl Taken {
    /// Un-counts the action: it turned out not to be one the limit counts (a sign-in that was
    /// right, an admin token that was), or a second limit refused the request.
    pub async fn forget(self, db: &Db) -> ApiResult<()> {
        storage::rate_events::forget(db, self.kind, &self.subject, &self.claim).await?;
        Ok(())
    }

    /// [`Taken::forget`] inside the caller's transaction: un-counted when it commits, still
    /// counted when it rolls back (then the caller may [`Taken::forget`] it alone).
    pub async fn forget_in(&self, conn: &mut sqlx::AnyConnection) -> ApiResult<()> {
        storage::rate_events::forget(conn, self.kind, &self.subject, &self.claim).await?;
        Ok(())
    }
    /// Keeps the action counted.
    pub fn keep(self) {}
}

/// Every 10 minutes, [`purge`].
pub fn spawn_purge(db: Db, idle_seconds: i64, session_seconds: i64) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let period = std::time::Duration::from_secs(600);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tick.tick().await;
            purge(&db, idle_seconds, session_seconds, storage::now()).await;
        }
    })
}

/// Deletes the counters older than a day (their windows are an hour), the email-code flows a
/// day past their expiry and the stale lockout guards (`storage::rate_events::purge_before`;
/// ASVS 5.0 V2.4.1); the sessions idle for `idle_seconds` or older than `session_seconds`,
/// which are refused when presented anyway (`storage::sessions::purge_expired`; ASVS 5.0
/// V7.3.1, V7.3.2); and the OpenID Provider's expired requests, codes and tokens and the
/// clients of sessions older than `session_seconds` (`storage::authorizations::purge`).
/// Failures are logged; the next round tries again.
pub async fn purge(db: &Db, idle_seconds: i64, session_seconds: i64, now: i64) {
    match storage::rate_events::purge_before(db, now - 86_400).await {
        Ok(rows) if rows > 0 => tracing::info!(event = "counters_purged", rows),
        Ok(_) => {}
        Err(e) => tracing::warn!(event = "counters_purge_failed", error = %e),
    }
    match storage::sessions::purge_expired(db, now - idle_seconds, now - session_seconds).await {
        Ok(rows) if rows > 0 => tracing::info!(event = "sessions_purged", rows),
        Ok(_) => {}
        Err(e) => tracing::warn!(event = "sessions_purge_failed", error = %e),
    }
    match storage::authorizations::purge(db, now, now - session_seconds).await {
        Ok(rows) if rows > 0 => tracing::info!(event = "grants_purged", rows),
        Ok(_) => {}
        Err(e) => tracing::warn!(event = "grants_purge_failed", error = %e),
    }
}
