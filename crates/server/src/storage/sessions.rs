use super::Db;
use partner_login_contract::api::Aal;
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
    /// The authentication assurance level its sign-in reached (`aal1`, `aal2`).
    pub aal: Aal,
}

/// A session to store: `id_hash` is the SHA-256 of the cookie's secret.
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub account_id: &'a str,
    pub sid: &'a str,
    pub idp: &'a str,
    pub amr: &'a str,
    /// `aal1` or `aal2`.
    pub aal: &'a str,
    /// The passkey the sign-in used, if it used one.
    pub passkey_id: Option<&'a str>,
    /// The account's credential version the sign-in verified (read with the password hash it
    /// checked, before checking it).
    pub credential_version: i64,
}

/// Stores a session, only while its account exists and is enabled: false (nothing stored)
/// otherwise. One statement, a write: on SQLite it takes the write lock before it reads the
/// account, so a disable cannot land between the check and the insert.
pub async fn insert_if_enabled(
    conn: &mut sqlx::AnyConnection,
    session: &NewSession<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at, sid, idp, amr,
            credential_version, aal, passkey_id)
         SELECT $1, a.id, $3, $3, $4, $5, $6, $7, $8, $9
         FROM accounts a WHERE a.id = $2 AND a.disabled_at IS NULL",
    )
    .bind(session.id_hash)
    .bind(session.account_id)
    .bind(now)
    .bind(session.sid)
    .bind(session.idp)
    .bind(session.amr)
    .bind(session.credential_version)
    .bind(session.aal)
    .bind(session.passkey_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The session with this id hash, only while its account is enabled and the credential its
/// sign-in verified is the account's current one: a sign-in that raced a disable (ASVS 5.0
/// V7.4.2) or a reset (a session made with a password since reset, V7.4.3) opens nothing.
/// Every use of a session, the OpenID Provider's included, goes through here
/// (`domain::session::live`).
pub async fn get(db: &Db, id_hash: &str) -> Result<Option<Session>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.account_id, s.created_at, s.last_seen_at, s.sid, s.idp, s.amr, s.aal
         FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.id_hash = $1 AND a.disabled_at IS NULL
           AND s.credential_version = a.credential_version",
    )
    .bind(id_hash)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Session, sqlx::Error> {
    let aal: String = r.try_get("aal")?;
    Ok(Session {
        account_id: r.try_get("account_id")?,
        created_at: r.try_get("created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
        sid: r.try_get("sid")?,
        idp: r.try_get("idp")?,
        amr: r.try_get("amr")?,
        // A value no code writes: fail loudly rather than read it as a default.
        aal: Aal::parse(&aal)
            .ok_or_else(|| sqlx::Error::Decode(format!("sessions.aal is {aal:?}").into()))?,
    })
}

/// The account's sessions within both timeouts and honoured (the conditions of [`get`]),
/// most recently used first, at most `limit` (`GET /api/sessions`, OWASP ASVS 5.0 V7.5.2).
pub async fn live_of_account(
    db: &Db,
    account_id: &str,
    idle_before: i64,
    created_before: i64,
    limit: i64,
) -> Result<Vec<Session>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.account_id, s.created_at, s.last_seen_at, s.sid, s.idp, s.amr, s.aal
         FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.account_id = $1 AND a.disabled_at IS NULL
           AND s.credential_version = a.credential_version
           AND s.sid IS NOT NULL AND s.last_seen_at >= $2 AND s.created_at >= $3
         ORDER BY s.last_seen_at DESC, s.sid
         LIMIT $4",
    )
    .bind(account_id)
    .bind(idle_before)
    .bind(created_before)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Ends the account's session with this public id (`sid`); false when the account has none
/// such (another account's session is not found: it is not this caller's to end).
pub async fn delete_by_sid(db: &Db, account_id: &str, sid: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND sid = $2")
        .bind(account_id)
        .bind(sid)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends the account's sessions a passkey made, but the one `except_id_hash` (the caller's),
/// inside the caller's transaction; returns their `sid`s (for the relying parties to be told).
pub async fn delete_made_with_passkey(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    passkey_id: &str,
    except_id_hash: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "DELETE FROM sessions WHERE account_id = $1 AND passkey_id = $2 AND id_hash <> $3
         RETURNING sid",
    )
    .bind(account_id)
    .bind(passkey_id)
    .bind(except_id_hash)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .filter_map(|r| r.try_get::<Option<String>, _>("sid").transpose())
        .collect()
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
