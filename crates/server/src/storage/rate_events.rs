//! Counted events for the anti-automation limits (`domain::limits`), and the purge of every
//! table that would otherwise only grow. Rows hold a kind, a subject (a client address, or the
//! email address codes are sent to) and a time; nothing secret.

use super::Db;
use crate::domain::lockout;
use sqlx::Row;

/// Records one event of `kind` for `subject` at `now` under `claim` (a random value, so that
/// [`forget`] can delete this one row again), unless `subject` already has `per_hour` events
/// after `since`: then records nothing and returns the oldest of them (to say when the limit
/// lifts). Exact under concurrency: the subject's `rate_subjects` row is locked (PostgreSQL's
/// row lock, SQLite's write lock) from before the count until the event is recorded.
pub async fn take(
    db: &Db,
    kind: &str,
    subject: &str,
    since: i64,
    now: i64,
    per_hour: i64,
    claim: &str,
) -> Result<Result<(), Option<i64>>, sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO rate_subjects (kind, subject, touched_at) VALUES ($1, $2, $3)
         ON CONFLICT (kind, subject) DO UPDATE SET touched_at = excluded.touched_at",
    )
    .bind(kind)
    .bind(subject)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(happened_at) AS oldest FROM rate_events
         WHERE kind = $1 AND subject = $2 AND happened_at > $3",
    )
    .bind(kind)
    .bind(subject)
    .bind(since)
    .fetch_one(&mut *tx)
    .await?;
    let (count, oldest): (i64, Option<i64>) = (row.try_get("n")?, row.try_get("oldest")?);
    if count >= per_hour {
        tx.rollback().await?;
        return Ok(Err(oldest));
    }
    sqlx::query(
        "INSERT INTO rate_events (kind, subject, happened_at, claim) VALUES ($1, $2, $3, $4)",
    )
    .bind(kind)
    .bind(subject)
    .bind(now)
    .bind(claim)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Records one event (for tests and data moved from elsewhere).
pub async fn record(
    db: &Db,
    kind: &str,
    subject: &str,
    now: i64,
    claim: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rate_events (kind, subject, happened_at, claim) VALUES ($1, $2, $3, $4)",
    )
    .bind(kind)
    .bind(subject)
    .bind(now)
    .bind(claim)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes the event recorded under `claim`.
pub async fn forget(db: &Db, kind: &str, subject: &str, claim: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rate_events WHERE kind = $1 AND subject = $2 AND claim = $3")
        .bind(kind)
        .bind(subject)
        .bind(claim)
        .execute(db)
        .await?;
    Ok(())
}

/// Events of `kind` for `subject` after `since`, and the oldest of them (to say when the limit
/// lifts).
pub async fn count_since(
    db: &Db,
    kind: &str,
    subject: &str,
    since: i64,
) -> Result<(i64, Option<i64>), sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(happened_at) AS oldest FROM rate_events
         WHERE kind = $1 AND subject = $2 AND happened_at > $3",
    )
    .bind(kind)
    .bind(subject)
    .bind(since)
    .fetch_one(db)
    .await?;
    Ok((row.try_get("n")?, row.try_get("oldest")?))
}

/// Deletes what no rule needs any more (OWASP ASVS 5.0 V2.4.1: no table grows for ever), and
/// returns the rows deleted:
///
/// - the counters older than `cutoff` (`rate_events`: every limit's, code sends and failed
///   sign-ins included), and the lock rows of subjects untouched since (`rate_subjects`);
/// - the email-code flows whose expiry is older than `cutoff`, finished or not (a flow id that old
///   answers `flow_not_found` instead of `flow_expired`);
/// - the lockout guards with no lock in force since `cutoff` and no failure counted since
///   (a failure falls in the hour its `window_start` opens, so that hour must be over by
///   `cutoff`), unless locked until a password reset
///   ([`lockout::MAX_CONSECUTIVE_FAILURES`], NIST SP 800-63B-4 §3.2.2): those stay however old;
/// - the WebAuthn ceremonies begun and never finished whose expiry is older than `cutoff`
///   (`webauthn_ceremonies`; refused anyway once expired, `domain::passkeys`).
pub async fn purge_before(db: &Db, cutoff: i64) -> Result<u64, sqlx::Error> {
    let mut deleted = 0;
    for sql in [
        "DELETE FROM rate_events WHERE happened_at < $1",
        "DELETE FROM rate_subjects WHERE touched_at < $1",
        "DELETE FROM email_code_flows WHERE expires_at < $1",
        "DELETE FROM webauthn_ceremonies WHERE expires_at < $1",
    ] {
        deleted += sqlx::query(sql)
            .bind(cutoff)
            .execute(db)
            .await?
            .rows_affected();
    }
    deleted += sqlx::query(
        "DELETE FROM sign_in_guards
         WHERE locked_until < $1 AND window_start < $2 AND failures < $3",
    )
    .bind(cutoff)
    .bind(cutoff - lockout::HOUR)
    .bind(lockout::MAX_CONSECUTIVE_FAILURES)
    .execute(db)
    .await?
    .rows_affected();
    Ok(deleted)
}
