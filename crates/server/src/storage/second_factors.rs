//! Authenticator apps, recovery codes and the second steps of sign-in waiting (migration 0014).
//! The rules are in `domain::mfa`; this module only stores. A seed is stored sealed, a
//! recovery code or a flow id only as its SHA-256. Every "use once" is one conditional write
//! (`UPDATE … WHERE last_step < $step`, `DELETE … RETURNING`), never a read then a write.

use super::Db;
use sqlx::Row;

/// An account's authenticator app.
#[derive(Clone, Debug)]
pub struct StoredApp {
    /// The seed, sealed (`domain::totp::SealingKey`).
    pub secret: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub last_step: i64,
}

pub async fn app(db: &Db, account_id: &str) -> Result<Option<StoredApp>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT secret, created_at, confirmed_at, last_step FROM authenticator_apps WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(StoredApp {
            secret: r.try_get("secret")?,
            created_at: r.try_get("created_at")?,
            confirmed_at: r.try_get("confirmed_at")?,
            last_step: r.try_get("last_step")?,
        })
    })
    .transpose()
}

/// Stores a new, unconfirmed app for the account, replacing an unconfirmed one; false (nothing
/// written) when the account has a confirmed app.
pub async fn enrol(db: &Db, account_id: &str, sealed: &str, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO authenticator_apps (account_id, secret, created_at, confirmed_at, last_step)
         VALUES ($1, $2, $3, NULL, 0)
         ON CONFLICT (account_id) DO UPDATE
           SET secret = excluded.secret, created_at = excluded.created_at, last_step = 0
           WHERE authenticator_apps.confirmed_at IS NULL",
    )
    .bind(account_id)
    .bind(sealed)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Confirms the account's unconfirmed app with a code of time step `step`; false when there
/// is none, it is confirmed already, or `step` is not after the last one accepted.
pub async fn confirm(db: &Db, account_id: &str, step: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE authenticator_apps SET confirmed_at = $1, last_step = $2
         WHERE account_id = $3 AND confirmed_at IS NULL AND last_step < $2",
    )
    .bind(now)
    .bind(step)
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Accepts a code of time step `step` from the account's confirmed app: true once per step and
/// only forward (the step must be after the last accepted; ASVS 5.0 V6.5.1), in one write, so
/// of two requests with the same code only one is accepted.
pub async fn accept_step(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE authenticator_apps SET last_step = $1
         WHERE account_id = $2 AND confirmed_at IS NOT NULL AND last_step < $1",
    )
    .bind(step)
    .bind(account_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes the account's app, confirmed or not; returns whether it had a confirmed one, or
/// None when it had none.
pub async fn remove_app(db: &Db, account_id: &str) -> Result<Option<bool>, sqlx::Error> {
    let row =
        sqlx::query("DELETE FROM authenticator_apps WHERE account_id = $1 RETURNING confirmed_at")
            .bind(account_id)
            .fetch_optional(db)
            .await?;
    row.map(|r| Ok(r.try_get::<Option<i64>, _>("confirmed_at")?.is_some()))
        .transpose()
}

/// Whether the account has a confirmed app.
pub async fn has_app(db: &Db, account_id: &str) -> Result<bool, sqlx::Error> {
    Ok(app(db, account_id)
        .await?
        .is_some_and(|a| a.confirmed_at.is_some()))
}

/// How many confirmed apps there are (the start-up check of `MFA_ENCRYPTION_KEY_FILE`).
pub async fn confirmed_apps(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM authenticator_apps WHERE confirmed_at IS NOT NULL")
        .fetch_one(db)
        .await?
        .try_get("n")
}

/// Replaces the account's recovery codes by these (their hashes), in one transaction.
pub async fn replace_codes(
    db: &Db,
    account_id: &str,
    hashes: &[String],
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    for hash in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (code_hash, account_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(hash)
        .bind(account_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// How many recovery codes the account has left.
pub async fn codes_left<'c, E>(conn: E, account_id: &str) -> Result<i64, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query("SELECT COUNT(*) AS n FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(conn)
        .await?
        .try_get("n")
}

/// Uses one of the account's recovery codes (by its hash): deleted in the same step, so of two
/// requests with the same code only one gets it. False when the account has no such code.
pub async fn take_code(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    code_hash: &str,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "DELETE FROM recovery_codes WHERE account_id = $1 AND code_hash = $2 RETURNING code_hash",
    )
    .bind(account_id)
    .bind(code_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// A second step waiting.
#[derive(Clone, Debug)]
pub struct Flow {
    pub account_id: String,
    pub credential_version: i64,
    pub attempts: i64,
    pub expires_at: i64,
}

pub async fn insert_flow(
    db: &Db,
    id_hash: &str,
    account_id: &str,
    credential_version: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO second_factor_flows
            (id_hash, account_id, credential_version, attempts, expires_at)
         VALUES ($1, $2, $3, 0, $4)",
    )
    .bind(id_hash)
    .bind(account_id)
    .bind(credential_version)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The flow, read without taking it (which factors to offer).
pub async fn flow(db: &Db, id_hash: &str) -> Result<Option<Flow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT account_id, credential_version, attempts, expires_at
         FROM second_factor_flows WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(flow_of).transpose()
}

fn flow_of(r: &sqlx::any::AnyRow) -> Result<Flow, sqlx::Error> {
    Ok(Flow {
        account_id: r.try_get("account_id")?,
        credential_version: r.try_get("credential_version")?,
        attempts: r.try_get("attempts")?,
        expires_at: r.try_get("expires_at")?,
    })
}

/// Takes the flow out inside the caller's transaction (one use: of two finishes only one gets
/// it; the other waits for the first to commit or roll back).
pub async fn take_flow(
    conn: &mut sqlx::AnyConnection,
    id_hash: &str,
) -> Result<Option<Flow>, sqlx::Error> {
    let row = sqlx::query(
        "DELETE FROM second_factor_flows WHERE id_hash = $1
         RETURNING account_id, credential_version, attempts, expires_at",
    )
    .bind(id_hash)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(flow_of).transpose()
}

/// Counts a wrong code against the flow; deletes it at `max_attempts`.
pub async fn flow_failed(db: &Db, id_hash: &str, max_attempts: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE second_factor_flows SET attempts = attempts + 1 WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM second_factor_flows WHERE id_hash = $1 AND attempts >= $2")
        .bind(id_hash)
        .bind(max_attempts)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes the account's authenticator app, its recovery codes and its waiting second steps,
/// inside the caller's transaction (`accounts reset-mfa`); returns whether an app went.
pub async fn remove_all_of_account(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
) -> Result<bool, sqlx::Error> {
    let app = sqlx::query("DELETE FROM authenticator_apps WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    for statement in [
        "DELETE FROM recovery_codes WHERE account_id = $1",
        "DELETE FROM second_factor_flows WHERE account_id = $1",
    ] {
        sqlx::query(statement)
            .bind(account_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(app.rows_affected() > 0)
}
