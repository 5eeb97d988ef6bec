//! Wrong password-reset codes per address, across flows (`reset_code_failures`). The rule and
//! the cap are in `domain::email_code`; this module only counts. Rows are never purged by age:
//! only a proof of the mailbox clears one.

use super::Db;
use sqlx::Row;

/// The wrong reset codes counted against an address since its last proof of the mailbox.
pub async fn failures(db: &Db, email: &str) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT failures FROM reset_code_failures WHERE email = $1")
        .bind(email)
        .fetch_optional(db)
        .await?;
    row.map_or(Ok(0), |r| r.try_get("failures"))
}

/// Counts one try against the address BEFORE its code is compared, only while fewer than
/// `cap` are counted: one conditional upsert, so tries from every flow and every instance on
/// the database add up and concurrent ones can never pass the cap. False: refused, nothing
/// counted. Run it in the transaction that compares the code: a right code clears the count
/// ([`clear`]) and an expired one rolls the try back.
pub async fn claim(
    conn: &mut sqlx::AnyConnection,
    email: &str,
    cap: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO reset_code_failures (email, failures, updated_at) VALUES ($1, 1, $2)
         ON CONFLICT (email) DO UPDATE SET failures = reset_code_failures.failures + 1,
            updated_at = $2
         WHERE reset_code_failures.failures < $3",
    )
    .bind(email)
    .bind(now)
    .bind(cap)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets an address's wrong codes (the mailbox was proven: a right code, a reset link used).
pub async fn clear(conn: &mut sqlx::AnyConnection, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM reset_code_failures WHERE email = $1")
        .bind(email)
        .execute(conn)
        .await?;
    Ok(())
}
