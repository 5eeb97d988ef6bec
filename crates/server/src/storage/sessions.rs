use super::Db;
use sqlx::Row;

pub struct Session {
    pub account_id: String,
    /// The sign-in's time (`auth_time`): a session is made by a sign-in and nothing else.
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The OpenID Connect session id (public); sessions made before the provider have none.
    pub sid: Option<String>,
    /// `local` or the social provider's id.
    pub idp: String,
    /// Space-separated RFC 8176 authentication method references.
    pub amr: String,
}

/// A session to store: `id_hash` is the SHA-256 of the cookie's secret.
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub account_id: &'a str,
    pub sid: &'a str,
    pub idp: &'a str,
    pub amr: &'a str,
    /// The account's credential version the sign-in verified (read with the password hash it
    /// checked, before checking it).
    pub credential_version: i64,
}

pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    session: &NewSession<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at, sid, idp, amr,
            credential_version)
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7)",
    )
    .bind(session.id_hash)
    .bind(session.account_id)
    .bind(now)
    .bind(session.sid)
    .bind(session.idp)
    .bind(session.amr)
    .bind(session.credential_version)
    .execute(conn)
    .await?;
    Ok(())
}

/// The session with this id hash, only while its account is enabled and the credential its
/// sign-in verified is the account's current one: a sign-in that raced a disable (ASVS 5.0
/// V7.4.2) or a reset (a session made with a password since reset, V7.4.3) opens nothing.
/// Every use of a session, the OpenID Provider's included, goes through here
/// (`domain::session::live`).
pub async fn get(db: &Db, id_hash: &str) -> Result<Option<Session>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.account_id, s.created_at, s.last_seen_at, s.sid, s.idp, s.amr
         FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.id_hash = $1 AND a.disabled_at IS NULL
           AND s.credential_version = a.credential_version",
    )
    .bind(id_hash)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Session {
            account_id: r.try_get("account_id")?,
            created_at: r.try_get("created_at")?,
            last_seen_at: r.try_get("last_seen_at")?,
            sid: r.try_get("sid")?,
            idp: r.try_get("idp")?,
            amr: r.try_get("amr")?,
        })
    })
    .transpose()
}

pub async fn touch(db: &Db, id_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends one session (on the pool, or inside a transaction).
pub async fn delete<'e, E>(db: E, id_hash: &str) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of an account (after a password change, ASVS 5.0 V7.4.3).
pub async fn delete_for_account(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// How many sessions of an account are within both timeouts.
pub async fn count_live(
    db: &Db,
    account_id: &str,
    idle_before: i64,
    created_before: i64,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM sessions
         WHERE account_id = $1 AND last_seen_at >= $2 AND created_at >= $3",
    )
    .bind(account_id)
    .bind(idle_before)
    .bind(created_before)
    .fetch_one(db)
    .await?;
    row.try_get("n")
}

/// Removes the sessions past either timeout (they would be refused anyway); returns how many.
pub async fn purge_expired(
    db: &Db,
    idle_before: i64,
    created_before: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_before)
        .bind(created_before)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
