//! Passkeys and the WebAuthn ceremonies in progress (migration 0013). The rules are in
//! `domain::passkeys`; this module only stores. Nothing here is secret: a passkey row holds a
//! public key, and a ceremony is found by the SHA-256 of its id.

use super::Db;
use sqlx::Row;

/// One stored passkey.
#[derive(Clone, Debug)]
pub struct StoredPasskey {
    pub id: String,
    pub account_id: String,
    pub credential_id: String,
    pub user_handle: String,
    /// webauthn-rs's `Passkey`, as JSON.
    pub passkey: String,
    pub name: String,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const COLUMNS: &str = "id, account_id, credential_id, user_handle, passkey, name,
     backup_eligible, backup_state, created_at, last_used_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<StoredPasskey, sqlx::Error> {
    let flag = |name: &str| -> Result<bool, sqlx::Error> {
        match row.try_get::<i64, _>(name)? {
            0 => Ok(false),
            1 => Ok(true),
            // A value no code writes: fail loudly rather than read it as a default.
            other => Err(sqlx::Error::Decode(
                format!("passkeys.{name} is {other}, not 0 or 1").into(),
            )),
        }
    };
    Ok(StoredPasskey {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        credential_id: row.try_get("credential_id")?,
        user_handle: row.try_get("user_handle")?,
        passkey: row.try_get("passkey")?,
        name: row.try_get("name")?,
        backup_eligible: flag("backup_eligible")?,
        backup_state: flag("backup_state")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// Stores a new passkey; a credential id already stored (on any account) is a unique
/// violation (`passkeys_credential_id_key`).
pub async fn insert(db: &Db, passkey: &StoredPasskey) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO passkeys (id, account_id, credential_id, user_handle, passkey, name,
            backup_eligible, backup_state, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&passkey.id)
    .bind(&passkey.account_id)
    .bind(&passkey.credential_id)
    .bind(&passkey.user_handle)
    .bind(&passkey.passkey)
    .bind(&passkey.name)
    .bind(i64::from(passkey.backup_eligible))
    .bind(i64::from(passkey.backup_state))
    .bind(passkey.created_at)
    .bind(passkey.last_used_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The account's passkeys, oldest first.
pub async fn of_account(db: &Db, account_id: &str) -> Result<Vec<StoredPasskey>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE account_id = $1 ORDER BY created_at, id"
    ))
    .bind(account_id)
    .fetch_all(db)
    .await?;
    rows.iter().map(from_row).collect()
}

/// How many passkeys the account has.
pub async fn count(db: &Db, account_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM passkeys WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(db)
        .await?
        .try_get("n")
}

/// The passkey with this credential id (base64url), whichever account holds it.
pub async fn by_credential_id(
    db: &Db,
    credential_id: &str,
) -> Result<Option<StoredPasskey>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1"
    ))
    .bind(credential_id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Records a sign-in with the passkey: its updated state (counter, backup state) and when,
/// inside the caller's transaction; false when the passkey is gone (removed meanwhile).
pub async fn used(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    passkey: &str,
    backup_state: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE passkeys SET passkey = $1, backup_state = $2, last_used_at = $3 WHERE id = $4",
    )
    .bind(passkey)
    .bind(i64::from(backup_state))
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Renames one of the account's passkeys; false when it has none with that id.
pub async fn rename(db: &Db, account_id: &str, id: &str, name: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE passkeys SET name = $1 WHERE id = $2 AND account_id = $3")
        .bind(name)
        .bind(id)
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes one of the account's passkeys and, in the same transaction, the account's sessions
/// it made but the one whose id hash is `except_session` (`domain::passkeys::remove`).
/// Returns the passkey and the `sid`s of the sessions ended; None when the account has no
/// passkey with that id.
pub async fn remove(
    db: &Db,
    account_id: &str,
    id: &str,
    except_session: &str,
) -> Result<Option<(StoredPasskey, Vec<String>)>, sqlx::Error> {
    let mut tx = db.begin().await?;
    // The delete first (it takes the write lock on SQLite: see `domain::session::start`).
    let row = sqlx::query(&format!(
        "DELETE FROM passkeys WHERE id = $1 AND account_id = $2 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(found) = row.as_ref().map(from_row).transpose()? else {
        return Ok(None);
    };
    let ended =
        super::sessions::delete_made_with_passkey(&mut tx, account_id, id, except_session).await?;
    tx.commit().await?;
    Ok(Some((found, ended)))
}

/// Removes every passkey of the account and its ceremonies in progress, inside the caller's
/// transaction (`accounts reset-mfa`); returns how many passkeys went.
pub async fn remove_all_of_account(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM passkeys WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM webauthn_ceremonies WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// A ceremony's kind (`webauthn_ceremonies.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CeremonyKind {
    Registration,
    Authentication,
    /// A passkey of one account as a password reset's second proof (`domain::password_reset`).
    ResetProof,
}

impl CeremonyKind {
    fn as_str(self) -> &'static str {
        match self {
            CeremonyKind::Registration => "registration",
            CeremonyKind::Authentication => "authentication",
            CeremonyKind::ResetProof => "reset_proof",
        }
    }
}

/// A ceremony taken out of the table.
pub struct Ceremony {
    pub account_id: Option<String>,
    pub state: String,
    pub expires_at: i64,
}

pub async fn insert_ceremony(
    db: &Db,
    id_hash: &str,
    kind: CeremonyKind,
    account_id: Option<&str>,
    state: &str,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webauthn_ceremonies (id_hash, kind, account_id, state, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id_hash)
    .bind(kind.as_str())
    .bind(account_id)
    .bind(state)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes the ceremony of this kind out: it is deleted in the same step, so of two requests
/// finishing one ceremony (on one instance or several) only one gets it (one use).
pub async fn take_ceremony(
    db: &Db,
    id_hash: &str,
    kind: CeremonyKind,
) -> Result<Option<Ceremony>, sqlx::Error> {
    let row = sqlx::query(
        "DELETE FROM webauthn_ceremonies WHERE id_hash = $1 AND kind = $2
         RETURNING account_id, state, expires_at",
    )
    .bind(id_hash)
    .bind(kind.as_str())
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Ceremony {
            account_id: r.try_get("account_id")?,
            state: r.try_get("state")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}
