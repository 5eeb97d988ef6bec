//! `signing_keys`: the OpenID Provider's token signing keys. The private key never leaves this
//! table except into the signer (`domain::signing_keys`); it is never logged or served.

use super::Db;
use sqlx::Row;

pub struct SigningKey {
    pub kid: String,
    pub alg: String,
    /// PKCS#8 DER, base64 (standard alphabet).
    pub private_key: String,
    /// The public JWK as served in the JWKS (JSON).
    pub public_jwk: String,
    pub created_at: i64,
    pub superseded_at: Option<i64>,
}

const COLUMNS: &str = "kid, alg, private_key, public_jwk, created_at, superseded_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<SigningKey, sqlx::Error> {
    Ok(SigningKey {
        kid: row.try_get("kid")?,
        alg: row.try_get("alg")?,
        private_key: row.try_get("private_key")?,
        public_jwk: row.try_get("public_jwk")?,
        created_at: row.try_get("created_at")?,
        superseded_at: row.try_get("superseded_at")?,
    })
}

pub async fn insert(db: &Db, key: &SigningKey) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO signing_keys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(&key.kid)
    .bind(&key.alg)
    .bind(&key.private_key)
    .bind(&key.public_jwk)
    .bind(key.created_at)
    .bind(key.superseded_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The key that signs: the newest not superseded (several instances starting together may each
/// have made one; they all pick the same).
pub async fn current(db: &Db) -> Result<Option<SigningKey>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM signing_keys WHERE superseded_at IS NULL
         ORDER BY created_at DESC, kid DESC LIMIT 1"
    ))
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The keys still published: current ones, and those superseded after `superseded_after`.
pub async fn published(db: &Db, superseded_after: i64) -> Result<Vec<SigningKey>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM signing_keys WHERE superseded_at IS NULL OR superseded_at > $1
         ORDER BY created_at DESC, kid DESC"
    ))
    .bind(superseded_after)
    .fetch_all(db)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Marks every key but `kid` superseded (from `now`), and deletes the keys superseded at or
/// before `retire_before`. Returns how many were retired.
pub async fn supersede_others(
    db: &Db,
    kid: &str,
    now: i64,
    retire_before: i64,
) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "UPDATE signing_keys SET superseded_at = $1 WHERE superseded_at IS NULL AND kid <> $2",
    )
    .bind(now)
    .bind(kid)
    .execute(db)
    .await?;
    let retired = sqlx::query("DELETE FROM signing_keys WHERE superseded_at <= $1")
        .bind(retire_before)
        .execute(db)
        .await?;
    Ok(retired.rows_affected())
}
