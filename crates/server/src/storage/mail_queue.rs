//! The outgoing mail queue (migration 0010): messages waiting for the relay, claimed by one
//! instance at a time with a lease.

use super::Db;
use sqlx::Row;

/// A message's envelope and parts, as stored.
#[derive(Clone, Debug)]
pub struct StoredMessage {
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

/// A claimed message.
pub struct Queued {
    pub id: String,
    pub kind: String,
    pub message: StoredMessage,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub created_at: i64,
}

/// Messages in the queue (sent or not yet due included).
pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM mail_queue")
        .fetch_one(db)
        .await?
        .try_get("n")
}

pub async fn insert(
    db: &Db,
    id: &str,
    kind: &str,
    message: &StoredMessage,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO mail_queue (id, kind, recipient, subject, text_body, html_body, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(kind)
    .bind(&message.recipient)
    .bind(&message.subject)
    .bind(&message.text_body)
    .bind(&message.html_body)
    .bind(now)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Claims the message due first that no instance holds, until `lease_until`, counting one more
/// attempt. Atomic across instances: the outer `claimed_until <= now` is checked again on the
/// row PostgreSQL has locked, so that of two instances that chose the same row in the
/// sub-select, the second updates nothing (and SQLite has one writer at a time).
pub async fn claim(db: &Db, now: i64, lease_until: i64) -> Result<Option<Queued>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE mail_queue SET claimed_until = $1, attempts = attempts + 1
         WHERE id = (SELECT id FROM mail_queue
                     WHERE next_attempt_at <= $2 AND claimed_until <= $3
                     ORDER BY next_attempt_at, id LIMIT 1)
           AND claimed_until <= $4
         RETURNING id, kind, recipient, subject, text_body, html_body, attempts, created_at",
    )
    .bind(lease_until)
    .bind(now)
    .bind(now)
    .bind(now)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Queued {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            message: StoredMessage {
                recipient: r.try_get("recipient")?,
                subject: r.try_get("subject")?,
                text_body: r.try_get("text_body")?,
                html_body: r.try_get("html_body")?,
            },
            attempts: r.try_get("attempts")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

/// Deletes a message: sent, or given up.
pub async fn delete(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM mail_queue WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Puts a claimed message back, for another attempt at `at`.
pub async fn retry_at(db: &Db, id: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE mail_queue SET next_attempt_at = $1, claimed_until = 0 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// When the next message is due, or its claim runs out (None: the queue is empty).
pub async fn next_due(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query(
        "SELECT MIN(CASE WHEN claimed_until > next_attempt_at THEN claimed_until
                         ELSE next_attempt_at END) AS due
         FROM mail_queue",
    )
    .fetch_one(db)
    .await?
    .try_get("due")
}

/// Deletes the messages created before `cutoff` (given up), whatever their state, and returns
/// how many: codes and links do not stay in the database for ever.
pub async fn purge_created_before(db: &Db, cutoff: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM mail_queue WHERE created_at < $1")
        .bind(cutoff)
        .execute(db)
        .await?
        .rows_affected())
}
