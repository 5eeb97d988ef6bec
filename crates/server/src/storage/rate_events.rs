//! Counted events for the anti-automation limits (`domain::limits`), and the purge of every
//! table that would otherwise only grow. Rows hold a kind, a subject (a client address, or the
//! email address codes are sent to) and a time; nothing secret.

use super::Db;
use crate::domain::lockout;
use sqlx::Row;

/// One event to record by [`take_in_order`]: one of `kind` for `subject` under `claim` (a random
/// value, so that [`forget`] can delete this one row again), unless `subject` already has
/// `per_hour` events of `kind` in the window.
pub struct Take<'a> {
    pub kind: &'a str,
    pub subject: &'a str,
    pub per_hour: i64,
    pub claim: &'a str,
}

/// Records each of `takes` at `now` in turn, in one transaction (one commit, one WAL sync on
/// SQLite, for all of a request's limits), unless its subject already has `per_hour` events of
/// its kind after `since`: that one is refused, it and those after it record nothing, and its
/// index and the oldest of its events (to say when the limit lifts) are returned; those before
/// it stay recorded, as if each had been taken alone. Three statements in all whatever the
/// number of takes (lock rows, events, commit; issue 21). Exact under concurrency: each
/// subject's `rate_subjects` row is locked (PostgreSQL's row lock, SQLite's write lock) from
/// before its count until the commit. Callers list their kinds in one fixed order, so that two requests
/// never wait for each other's rows (no deadlock on PostgreSQL), and no kind twice.
pub async fn take_in_order(
    db: &Db,
    takes: &[Take<'_>],
    since: i64,
    now: i64,
) -> Result<Result<(), (usize, Option<i64>)>, sqlx::Error> {
    if takes.is_empty() {
        return Ok(Ok(()));
    }
    let mut tx = db.begin().await?;
    // Every subject's lock row at once, in the order given (one statement).
    let rows: Vec<String> = (0..takes.len())
        .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
        .collect();
    let lock = format!(
        "INSERT INTO rate_subjects (kind, subject, touched_at) VALUES {}
         ON CONFLICT (kind, subject) DO UPDATE SET touched_at = excluded.touched_at",
        rows.join(", ")
    );
    let mut query = sqlx::query(&lock);
    for take in takes {
        query = query.bind(take.kind).bind(take.subject).bind(now);
    }
    query.execute(&mut *tx).await?;
    // Every event in one statement, under the lock rows: take `i`'s event goes in only when
    // its count, and the count of every take before it, is under its `per_hour` (the counts
    // are of the rows before this statement, which sees none of its own). So the events that
    // go in are those of the takes before the first refused one, as if each were taken in
    // turn, and how many went in says which one refused.
    let count = |i: usize| {
        let p = 4 * i + 3;
        format!(
            "(SELECT COUNT(*) FROM rate_events WHERE kind = ${} AND subject = ${} \
             AND happened_at > $2) < ${}",
            p,
            p + 1,
            p + 3
        )
    };
    let selects: Vec<String> = (0..takes.len())
        .map(|i| {
            let p = 4 * i + 3;
            let under: Vec<String> = (0..=i).map(count).collect();
            format!(
                "SELECT ${}, ${}, $1, ${} WHERE {}",
                p,
                p + 1,
                p + 2,
                under.join(" AND ")
            )
        })
        .collect();
    let record = format!(
        "INSERT INTO rate_events (kind, subject, happened_at, claim) {}",
        selects.join(" UNION ALL ")
    );
    let mut query = sqlx::query(&record).bind(now).bind(since);
    for take in takes {
        query = query
            .bind(take.kind)
            .bind(take.subject)
            .bind(take.claim)
            .bind(take.per_hour);
    }
    let recorded = query.execute(&mut *tx).await?.rows_affected() as usize;
    if let Some(refused) = takes.get(recorded) {
        let (_, oldest) = count_since(&mut *tx, refused.kind, refused.subject, since).await?;
        // Nothing to keep when the first is refused; the lock rows are only touched
        // (`touched_at`, which the purge reads), harmless to keep.
        if recorded == 0 {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        return Ok(Err((recorded, oldest)));
    }
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

/// Deletes the event recorded under `claim`, alone or inside the caller's transaction (a
/// sign-in forgets its failure in the transaction that starts its session: one commit).
pub async fn forget<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    kind: &str,
    subject: &str,
    claim: &str,
) -> Result<(), sqlx::Error> {
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
pub async fn count_since<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
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
///   (`webauthn_ceremonies`; refused anyway once expired, `domain::passkeys`), and the second
///   steps of sign-in never finished (`second_factor_flows`, `domain::mfa`).
pub async fn purge_before(db: &Db, cutoff: i64) -> Result<u64, sqlx::Error> {
    let mut deleted = 0;
    for sql in [
        "DELETE FROM rate_events WHERE happened_at < $1",
        "DELETE FROM rate_subjects WHERE touched_at < $1",
        "DELETE FROM email_code_flows WHERE expires_at < $1",
        "DELETE FROM webauthn_ceremonies WHERE expires_at < $1",
        "DELETE FROM second_factor_flows WHERE expires_at < $1",
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
