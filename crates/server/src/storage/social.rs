//! Social sign-in: the flows started at a provider and the identities linked to accounts.

use super::Db;
use sqlx::Row;

/// A sign-in started at a provider, as stored (see migration 0004).
pub struct SocialFlow {
    pub provider: String,
    pub state_hash: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub invitation_id: Option<String>,
    pub expires_at: i64,
}

pub async fn insert_flow(
    db: &Db,
    id_hash: &str,
    flow: &SocialFlow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO social_flows
            (id_hash, provider, state_hash, nonce, pkce_verifier, invitation_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id_hash)
    .bind(&flow.provider)
    .bind(&flow.state_hash)
    .bind(&flow.nonce)
    .bind(&flow.pkce_verifier)
    .bind(flow.invitation_id.as_deref())
    .bind(now)
    .bind(flow.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes a flow out of the table: it can be finished once. `None` when another request took it
/// first (a replayed callback) or it never existed.
pub async fn take_flow(db: &Db, id_hash: &str) -> Result<Option<SocialFlow>, sqlx::Error> {
    // One statement, a write: taken once even by two callbacks at once, and no transaction that
    // reads before it writes (on SQLite such a transaction fails at once, "database is locked",
    // when another connection, e.g. the mail queue's worker, writes in between).
    let row = sqlx::query(
        "DELETE FROM social_flows WHERE id_hash = $1
         RETURNING provider, state_hash, nonce, pkce_verifier, invitation_id, expires_at",
    )
    .bind(id_hash)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(SocialFlow {
        provider: row.try_get("provider")?,
        state_hash: row.try_get("state_hash")?,
        nonce: row.try_get("nonce")?,
        pkce_verifier: row.try_get("pkce_verifier")?,
        invitation_id: row.try_get("invitation_id")?,
        expires_at: row.try_get("expires_at")?,
    }))
}

/// Deletes the flows nobody came back to.
pub async fn purge_expired_flows(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM social_flows WHERE expires_at < $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// The account an identity is linked to.
pub async fn account_of(
    db: &Db,
    issuer: &str,
    subject: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row =
        sqlx::query("SELECT account_id FROM social_identities WHERE issuer = $1 AND subject = $2")
            .bind(issuer)
            .bind(subject)
            .fetch_optional(db)
            .await?;
    row.map(|r| r.try_get("account_id")).transpose()
}

pub struct NewIdentity<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    pub provider: &'a str,
    pub account_id: &'a str,
    pub email: &'a str,
}

/// Links an identity to an account; linking the same identity again only refreshes it.
pub async fn link(
    conn: &mut sqlx::AnyConnection,
    identity: &NewIdentity<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO social_identities
            (issuer, subject, provider, account_id, email, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (issuer, subject) DO NOTHING",
    )
    .bind(identity.issuer)
    .bind(identity.subject)
    .bind(identity.provider)
    .bind(identity.account_id)
    .bind(identity.email)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn touch(
    conn: &mut sqlx::AnyConnection,
    issuer: &str,
    subject: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE social_identities SET last_used_at = $1 WHERE issuer = $2 AND subject = $3",
    )
    .bind(now)
    .bind(issuer)
    .bind(subject)
    .execute(conn)
    .await?;
    Ok(())
}

/// An identity linked to an account, as the administrator sees it.
pub struct LinkedIdentity {
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub created_at: i64,
    pub last_used_at: i64,
}

/// The identities of an account, by provider.
pub async fn identities_of(db: &Db, account_id: &str) -> Result<Vec<LinkedIdentity>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT provider, issuer, subject, email, created_at, last_used_at
         FROM social_identities WHERE account_id = $1 ORDER BY provider, created_at",
    )
    .bind(account_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LinkedIdentity {
                provider: r.try_get("provider")?,
                issuer: r.try_get("issuer")?,
                subject: r.try_get("subject")?,
                email: r.try_get("email")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
            })
        })
        .collect()
}

/// Unlinks the account's identities at a provider; returns how many went.
pub async fn unlink(db: &Db, account_id: &str, provider: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM social_identities WHERE account_id = $1 AND provider = $2")
        .bind(account_id)
        .bind(provider)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
