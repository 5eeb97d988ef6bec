use super::Db;
use sqlx::Row;

pub struct Session {
    pub account_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    id_hash: &str,
    account_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)")
        .bind(id_hash)
        .bind(account_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get(db: &Db, id_hash: &str) -> Result<Option<Session>, sqlx::Error> {
    let row =
        sqlx::query("SELECT account_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(db)
            .await?;
    row.map(|r| {
        Ok(Session {
            account_id: r.try_get("account_id")?,
            created_at: r.try_get("created_at")?,
            last_seen_at: r.try_get("last_seen_at")?,
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

pub async fn delete(db: &Db, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}
