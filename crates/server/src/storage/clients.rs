//! `clients`: the applications registered with the OpenID Provider.

use super::Db;
use sqlx::Row;

#[derive(Clone, Debug)]
pub struct Client {
    pub id: String,
    /// SHA-256 of the secret; `None` for a public client.
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub initiate_login_uri: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, secret_hash, redirect_uris, post_logout_redirect_uris, backchannel_logout_uri, initiate_login_uri, created_at";

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Client, sqlx::Error> {
    Ok(Client {
        id: row.try_get("id")?,
        secret_hash: row.try_get("secret_hash")?,
        redirect_uris: lines(&row.try_get::<String, _>("redirect_uris")?),
        post_logout_redirect_uris: lines(&row.try_get::<String, _>("post_logout_redirect_uris")?),
        backchannel_logout_uri: row.try_get("backchannel_logout_uri")?,
        initiate_login_uri: row.try_get("initiate_login_uri")?,
        created_at: row.try_get("created_at")?,
    })
}

pub async fn insert(db: &Db, client: &Client) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO clients ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(&client.id)
    .bind(&client.secret_hash)
    .bind(client.redirect_uris.join("\n"))
    .bind(client.post_logout_redirect_uris.join("\n"))
    .bind(&client.backchannel_logout_uri)
    .bind(&client.initiate_login_uri)
    .bind(client.created_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<Client>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM clients WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn all(db: &Db) -> Result<Vec<Client>, sqlx::Error> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM clients ORDER BY id"))
        .fetch_all(db)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Removes a client; false when there was none.
pub async fn delete(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM clients WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a confidential client's secret; false when there is no such confidential client.
pub async fn set_secret(db: &Db, id: &str, secret_hash: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE clients SET secret_hash = $1 WHERE id = $2 AND secret_hash IS NOT NULL",
    )
    .bind(secret_hash)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
