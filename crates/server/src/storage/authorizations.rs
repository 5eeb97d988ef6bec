//! The OpenID Provider's grants: authorization requests waiting for a sign-in, authorization
//! codes, access tokens, and which clients got an ID token in which session. Every secret is
//! stored as its SHA-256.

use super::Db;
use partner_login_contract::api::Aal;
use sqlx::Row;

/// An authorization request, checked, waiting for the person to sign in.
#[derive(Clone, Debug)]
pub struct PendingRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    /// Only a sign-in at or after this time answers it (`prompt=login`, `max_age`); 0: any.
    pub sign_in_after: i64,
    /// The session live when the request came, if it may not answer it (`prompt=login`,
    /// `max_age`): only a new sign-in, which makes a new session, does.
    pub stale_sid: Option<String>,
}

pub async fn insert_request(
    db: &Db,
    id_hash: &str,
    request: &PendingRequest,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO authorization_requests (id_hash, client_id, redirect_uri, scope, state, nonce,
         code_challenge, sign_in_after, stale_sid, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id_hash)
    .bind(&request.client_id)
    .bind(&request.redirect_uri)
    .bind(&request.scope)
    .bind(&request.state)
    .bind(&request.nonce)
    .bind(&request.code_challenge)
    .bind(request.sign_in_after)
    .bind(&request.stale_sid)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// A pending request that has not expired.
pub async fn request(
    db: &Db,
    id_hash: &str,
    now: i64,
) -> Result<Option<PendingRequest>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT client_id, redirect_uri, scope, state, nonce, code_challenge, sign_in_after,
         stale_sid FROM authorization_requests WHERE id_hash = $1 AND expires_at >= $2",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(PendingRequest {
            client_id: r.try_get("client_id")?,
            redirect_uri: r.try_get("redirect_uri")?,
            scope: r.try_get("scope")?,
            state: r.try_get("state")?,
            nonce: r.try_get("nonce")?,
            code_challenge: r.try_get("code_challenge")?,
            sign_in_after: r.try_get("sign_in_after")?,
            stale_sid: r.try_get("stale_sid")?,
        })
    })
    .transpose()
}

/// Takes a pending request away: true for the one caller that did.
pub async fn take_request(db: &Db, id_hash: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM authorization_requests WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// An authorization code's grant: what the token endpoint checks and issues.
#[derive(Clone, Debug)]
pub struct Code {
    pub client_id: String,
    pub redirect_uri: String,
    pub account_id: String,
    pub sid: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    pub idp: String,
    pub amr: String,
    /// The session's assurance level (`aal1`, `aal2`): the ID token's `acr`.
    pub aal: Aal,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn insert_code(
    db: &Db,
    code_hash: &str,
    code: &Code,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO authorization_codes (code_hash, client_id, redirect_uri, account_id, sid, scope,
         nonce, code_challenge, auth_time, idp, amr, created_at, expires_at, used_at, aal)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $14)",
    )
    .bind(code_hash)
    .bind(&code.client_id)
    .bind(&code.redirect_uri)
    .bind(&code.account_id)
    .bind(&code.sid)
    .bind(&code.scope)
    .bind(&code.nonce)
    .bind(&code.code_challenge)
    .bind(code.auth_time)
    .bind(&code.idp)
    .bind(&code.amr)
    .bind(now)
    .bind(code.expires_at)
    .bind(code.aal.as_str())
    .execute(db)
    .await?;
    Ok(())
}

pub async fn code(db: &Db, code_hash: &str) -> Result<Option<Code>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT client_id, redirect_uri, account_id, sid, scope, nonce, code_challenge, auth_time,
         idp, amr, aal, expires_at, used_at FROM authorization_codes WHERE code_hash = $1",
    )
    .bind(code_hash)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let aal: String = r.try_get("aal")?;
        Ok(Code {
            client_id: r.try_get("client_id")?,
            redirect_uri: r.try_get("redirect_uri")?,
            account_id: r.try_get("account_id")?,
            sid: r.try_get("sid")?,
            scope: r.try_get("scope")?,
            nonce: r.try_get("nonce")?,
            code_challenge: r.try_get("code_challenge")?,
            auth_time: r.try_get("auth_time")?,
            idp: r.try_get("idp")?,
            amr: r.try_get("amr")?,
            aal: Aal::parse(&aal).ok_or_else(|| {
                sqlx::Error::Decode(format!("authorization_codes.aal is {aal:?}").into())
            })?,
            expires_at: r.try_get("expires_at")?,
            used_at: r.try_get("used_at")?,
        })
    })
    .transpose()
}

/// Marks a code used: true for the one caller that did (a conditional UPDATE, so two
/// concurrent redemptions cannot both succeed).
pub async fn use_code(
    conn: &mut sqlx::AnyConnection,
    code_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE authorization_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(code_hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An access token's grant.
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub client_id: String,
    pub account_id: String,
    pub scope: String,
    pub idp: String,
    pub expires_at: i64,
}

pub async fn insert_access_token(
    conn: &mut sqlx::AnyConnection,
    token_hash: &str,
    code_hash: &str,
    token: &AccessToken,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO access_tokens (token_hash, code_hash, client_id, account_id, scope, idp, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token_hash)
    .bind(code_hash)
    .bind(&token.client_id)
    .bind(&token.account_id)
    .bind(&token.scope)
    .bind(&token.idp)
    .bind(token.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A live access token.
pub async fn access_token(
    db: &Db,
    token_hash: &str,
    now: i64,
) -> Result<Option<AccessToken>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT client_id, account_id, scope, idp, expires_at FROM access_tokens
         WHERE token_hash = $1 AND expires_at >= $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(AccessToken {
            client_id: r.try_get("client_id")?,
            account_id: r.try_get("account_id")?,
            scope: r.try_get("scope")?,
            idp: r.try_get("idp")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

/// Revokes what a code issued (its replay is a sign the code leaked: RFC 6749 §4.1.2).
pub async fn revoke_code_tokens(db: &Db, code_hash: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM access_tokens WHERE code_hash = $1")
        .bind(code_hash)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Records that a client got an ID token in a session (once per pair).
pub async fn add_session_client(
    conn: &mut sqlx::AnyConnection,
    sid: &str,
    client_id: &str,
    account_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO session_clients (sid, client_id, account_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sid, client_id) DO NOTHING",
    )
    .bind(sid)
    .bind(client_id)
    .bind(account_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the clients of a session away (they are told once).
pub async fn take_session_clients(db: &Db, sid: &str) -> Result<Vec<String>, sqlx::Error> {
    // One statement that writes first: a transaction that read, then wrote, failed at once on
    // SQLite (SQLITE_BUSY_SNAPSHOT in WAL: 503 on sign-out) whenever another connection, e.g.
    // the mail queue's worker, committed a write in between.
    let rows = sqlx::query("DELETE FROM session_clients WHERE sid = $1 RETURNING client_id")
        .bind(sid)
        .fetch_all(db)
        .await?;
    rows.iter().map(|r| r.try_get("client_id")).collect()
}

/// Deletes what can no longer be used: waiting requests, codes and access tokens past their
/// expiry (codes an hour later, so that a late replay is still recognised as one), and the
/// clients of sessions recorded before `sessions_before` (ended by their absolute timeout).
/// Returns how many rows went.
pub async fn purge(db: &Db, now: i64, sessions_before: i64) -> Result<u64, sqlx::Error> {
    let mut rows = 0;
    for (sql, before) in [
        (
            "DELETE FROM authorization_requests WHERE expires_at < $1",
            now,
        ),
        (
            "DELETE FROM authorization_codes WHERE expires_at < $1",
            now - 3600,
        ),
        ("DELETE FROM access_tokens WHERE expires_at < $1", now),
        (
            "DELETE FROM session_clients WHERE created_at < $1",
            sessions_before,
        ),
    ] {
        rows += sqlx::query(sql)
            .bind(before)
            .execute(db)
            .await?
            .rows_affected();
    }
    Ok(rows)
}

/// The OpenID Connect session ids of an account that clients got ID tokens in (who is told
/// when the account is signed out everywhere).
pub async fn sids_of_account(db: &Db, account_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT DISTINCT sid FROM session_clients WHERE account_id = $1")
        .bind(account_id)
        .fetch_all(db)
        .await?;
    rows.iter().map(|r| r.try_get("sid")).collect()
}

/// Revokes an account's unused codes and live access tokens (the account is disabled or
/// deleted: no relying party may redeem or use what it was given before).
pub async fn revoke_for_account(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
) -> Result<u64, sqlx::Error> {
    let mut rows = 0;
    for sql in [
        "DELETE FROM access_tokens WHERE account_id = $1",
        "DELETE FROM authorization_codes WHERE account_id = $1",
    ] {
        rows += sqlx::query(sql)
            .bind(account_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(rows)
}
