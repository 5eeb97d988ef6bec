use super::Db;
use sqlx::Row;

#[derive(Clone, Debug)]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub organization: String,
    pub inviter: Option<String>,
    pub language: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Invitation, sqlx::Error> {
    Ok(Invitation {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        organization: row.try_get("organization")?,
        inviter: row.try_get("inviter")?,
        language: row.try_get("language")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        used_at: row.try_get("used_at")?,
    })
}

const COLUMNS: &str = "id, email, organization, inviter, language, created_at, expires_at, used_at";

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    db: &Db,
    id: &str,
    token_hash: &str,
    email: &str,
    organization: &str,
    inviter: Option<&str>,
    language: Option<&str>,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO invitations (id, token_hash, email, organization, inviter, language, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(token_hash)
    .bind(email)
    .bind(organization)
    .bind(inviter)
    .bind(language)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn by_token_hash(db: &Db, token_hash: &str) -> Result<Option<Invitation>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM invitations WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<Invitation>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM invitations WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The invitations of an email that are neither used nor expired, oldest first.
pub async fn pending_for_email(
    db: &Db,
    email: &str,
    now: i64,
) -> Result<Vec<Invitation>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM invitations
         WHERE email = $1 AND used_at IS NULL AND expires_at > $2 ORDER BY created_at"
    ))
    .bind(email)
    .bind(now)
    .fetch_all(db)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Marks the invitation used, once: false when it already was (single use, in a transaction).
pub async fn mark_used(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE invitations SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// At most `limit` pending invitations (neither used nor expired), oldest first, after the
/// invitation `after` (its id) if given, of one address if given.
pub async fn pending_page(
    db: &Db,
    email: Option<&str>,
    after: Option<&str>,
    now: i64,
    limit: i64,
) -> Result<Vec<Invitation>, sqlx::Error> {
    // Keyset paging on (created_at, id); an `after` that names no invitation gives nothing.
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM invitations i
         WHERE used_at IS NULL AND expires_at > $1
           AND ($2 = '' OR email = $2)
           AND ($3 = '' OR created_at > (SELECT created_at FROM invitations WHERE id = $3)
                OR (created_at = (SELECT created_at FROM invitations WHERE id = $3) AND id > $3))
         ORDER BY created_at, id LIMIT $4"
    ))
    .bind(now)
    .bind(email.unwrap_or_default())
    .bind(after.unwrap_or_default())
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Revokes pending invitations: the one with this id, or (`by_email`) every one of an address.
/// A revoked invitation is gone: its link answers "not found". Returns how many went.
pub async fn delete_pending(
    db: &Db,
    id_or_email: &str,
    by_email: bool,
) -> Result<u64, sqlx::Error> {
    let column = if by_email { "email" } else { "id" };
    let done = sqlx::query(&format!(
        "DELETE FROM invitations WHERE {column} = $1 AND used_at IS NULL"
    ))
    .bind(id_or_email)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
