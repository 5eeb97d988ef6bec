//! Email-code flows: sign-up and password reset, one table (`email_code_flows`), told apart by
//! their [`EmailCodeKind`]. A flow id of one kind never opens a flow of the other.

use super::Db;
use partner_login_contract::api::EmailCodeKind;
use sqlx::Row;

#[derive(Clone, Debug)]
pub struct EmailCodeFlow {
    pub id_hash: String,
    pub kind: EmailCodeKind,
    pub email: String,
    pub invitation_id: Option<String>,
    pub language: Option<String>,
    pub account_exists: bool,
    pub code_hash: Option<String>,
    /// The SHA-256 of the one-time reset link's token, when the last email carried a link
    /// instead of a code (a reset past the address's cap of wrong codes).
    pub link_hash: Option<String>,
    pub code_sent_at: i64,
    pub code_expires_at: i64,
    pub code_wrong_tries: i64,
    pub flow_wrong_tries: i64,
    pub verified_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub expires_at: i64,
    /// A reset's second proof, once given (`app`, `recovery_code`, `passkey:<id>`).
    pub second_proof: Option<String>,
    /// Wrong codes typed at a reset's second proof.
    pub proof_wrong_tries: i64,
}

const COLUMNS: &str = "id_hash, kind, email, invitation_id, language, account_exists, code_hash, link_hash, code_sent_at, code_expires_at, code_wrong_tries, flow_wrong_tries, verified_at, completed_at, expires_at, second_proof, proof_wrong_tries";

/// A row as a flow. A kind this version does not know is an error, never read as another kind
/// (a row written by a newer version, or by hand, must not open a sign-up).
fn from_row(row: &sqlx::any::AnyRow) -> Result<EmailCodeFlow, sqlx::Error> {
    let stored: String = row.try_get("kind")?;
    let kind = EmailCodeKind::from_stored(&stored).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "kind".to_owned(),
        source: format!("unknown email-code flow kind `{stored}`").into(),
    })?;
    Ok(EmailCodeFlow {
        id_hash: row.try_get("id_hash")?,
        kind,
        email: row.try_get("email")?,
        invitation_id: row.try_get("invitation_id")?,
        language: row.try_get("language")?,
        account_exists: row.try_get::<i64, _>("account_exists")? != 0,
        code_hash: row.try_get("code_hash")?,
        link_hash: row.try_get("link_hash")?,
        code_sent_at: row.try_get("code_sent_at")?,
        code_expires_at: row.try_get("code_expires_at")?,
        code_wrong_tries: row.try_get("code_wrong_tries")?,
        flow_wrong_tries: row.try_get("flow_wrong_tries")?,
        verified_at: row.try_get("verified_at")?,
        completed_at: row.try_get("completed_at")?,
        expires_at: row.try_get("expires_at")?,
        second_proof: row.try_get("second_proof")?,
        proof_wrong_tries: row.try_get("proof_wrong_tries")?,
    })
}

pub async fn insert(db: &Db, flow: &EmailCodeFlow, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO email_code_flows (id_hash, email, invitation_id, language, account_exists, code_hash,
            code_sent_at, code_expires_at, code_wrong_tries, flow_wrong_tries, created_at, expires_at,
            kind, link_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, $9, $10, $11, $12)",
    )
    .bind(&flow.id_hash)
    .bind(&flow.email)
    .bind(&flow.invitation_id)
    .bind(&flow.language)
    .bind(i64::from(flow.account_exists))
    .bind(&flow.code_hash)
    .bind(flow.code_sent_at)
    .bind(flow.code_expires_at)
    .bind(now)
    .bind(flow.expires_at)
    .bind(flow.kind.as_str())
    .bind(&flow.link_hash)
    .execute(db)
    .await?;
    Ok(())
}

/// The flow of this kind with this id hash.
pub async fn get(
    db: &Db,
    kind: EmailCodeKind,
    id_hash: &str,
) -> Result<Option<EmailCodeFlow>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM email_code_flows WHERE id_hash = $1 AND kind = $2"
    ))
    .bind(id_hash)
    .bind(kind.as_str())
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// A new code (or reset link) replaces the old one. The per-code count restarts; the flow's
/// count does not (NIST SP 800-63B-4 §3.2.2: a new code never resets the failed-attempt limit).
pub async fn replace_code(
    db: &Db,
    id_hash: &str,
    code_hash: Option<&str>,
    link_hash: Option<&str>,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE email_code_flows SET code_hash = $1, link_hash = $5, code_sent_at = $2, code_expires_at = $3, code_wrong_tries = 0
         WHERE id_hash = $4 AND verified_at IS NULL",
    )
    .bind(code_hash)
    .bind(now)
    .bind(expires_at)
    .bind(id_hash)
    .bind(link_hash)
    .execute(db)
    .await?;
    Ok(())
}

/// Opens a reset flow by its link, once: the flow whose live link has this hash is marked
/// verified, its link and code burnt, and its id replaced by `new_id_hash` (so the id it was
/// started with, which whoever asked for the reset holds, no longer opens it). One conditional
/// UPDATE: a second use, an expired link or a finished flow changes nothing. Returns the
/// flow's address when it opened.
pub async fn open_link(
    conn: &mut sqlx::AnyConnection,
    link_hash: &str,
    new_id_hash: &str,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE email_code_flows SET id_hash = $1, link_hash = NULL, code_hash = NULL, verified_at = $2
         WHERE link_hash = $3 AND kind = $4 AND verified_at IS NULL AND completed_at IS NULL
            AND code_expires_at > $2 AND expires_at > $2",
    )
    .bind(new_id_hash)
    .bind(now)
    .bind(link_hash)
    .bind(EmailCodeKind::PasswordReset.as_str())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(None);
    }
    let row = sqlx::query("SELECT email FROM email_code_flows WHERE id_hash = $1")
        .bind(new_id_hash)
        .fetch_one(&mut *conn)
        .await?;
    Ok(Some(row.try_get("email")?))
}

/// What a claimed try is compared with: the flow's code as it is under the claim.
#[derive(Clone, Debug)]
pub struct ClaimedTry {
    pub code_hash: Option<String>,
    pub code_expires_at: i64,
}

/// Counts a try against the code and the flow BEFORE the code is compared, atomically: the
/// conditional UPDATE lets a try through only while both counts are under their limits and the
/// flow is unverified, so concurrent guesses can never be compared beyond the limits (OWASP
/// ASVS 5.0 V6.6.3). `None`: refused, nothing was counted. Run it first in a transaction: the
/// UPDATE takes the row's lock (PostgreSQL) or the write lock (SQLite), which the caller holds
/// while it compares and then commits the count, or marks the flow verified, or rolls back.
pub async fn claim_try(
    conn: &mut sqlx::AnyConnection,
    id_hash: &str,
    max_per_code: i64,
    max_per_flow: i64,
) -> Result<Option<ClaimedTry>, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE email_code_flows SET code_wrong_tries = code_wrong_tries + 1, flow_wrong_tries = flow_wrong_tries + 1
         WHERE id_hash = $1 AND code_wrong_tries < $2 AND flow_wrong_tries < $3 AND verified_at IS NULL",
    )
    .bind(id_hash)
    .bind(max_per_code)
    .bind(max_per_flow)
    .execute(&mut *conn)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(None);
    }
    let row =
        sqlx::query("SELECT code_hash, code_expires_at FROM email_code_flows WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_one(&mut *conn)
            .await?;
    Ok(Some(ClaimedTry {
        code_hash: row.try_get("code_hash")?,
        code_expires_at: row.try_get("code_expires_at")?,
    }))
}

/// Marks the flow verified and burns the code (single use), giving back the try that
/// [`claim_try`] counted: a right code is not a wrong try. Once only: false when the flow
/// already was verified (a concurrent request won).
pub async fn mark_verified(
    conn: &mut sqlx::AnyConnection,
    id_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE email_code_flows SET verified_at = $1, code_hash = NULL,
            code_wrong_tries = CASE WHEN code_wrong_tries > 0 THEN code_wrong_tries - 1 ELSE 0 END,
            flow_wrong_tries = CASE WHEN flow_wrong_tries > 0 THEN flow_wrong_tries - 1 ELSE 0 END
         WHERE id_hash = $2 AND verified_at IS NULL",
    )
    .bind(now)
    .bind(id_hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the flow completed, once: false when a concurrent request already did.
pub async fn mark_completed(
    conn: &mut sqlx::AnyConnection,
    id_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE email_code_flows SET completed_at = $1 WHERE id_hash = $2 AND completed_at IS NULL AND verified_at IS NOT NULL",
    )
    .bind(now)
    .bind(id_hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a verified, unfinished reset flow as second-proven (`proof`), in the caller's
/// transaction (with the recovery code or app step it used). False when the flow is finished,
/// not verified, already proven, or over its wrong tries.
pub async fn mark_proven(
    conn: &mut sqlx::AnyConnection,
    id_hash: &str,
    proof: &str,
    max_wrong_tries: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE email_code_flows SET second_proof = $1
         WHERE id_hash = $2 AND completed_at IS NULL AND verified_at IS NOT NULL
            AND second_proof IS NULL AND proof_wrong_tries < $3",
    )
    .bind(proof)
    .bind(id_hash)
    .bind(max_wrong_tries)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts a wrong code at a reset's second proof.
pub async fn proof_failed(db: &Db, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE email_code_flows SET proof_wrong_tries = proof_wrong_tries + 1 WHERE id_hash = $1",
    )
    .bind(id_hash)
    .execute(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kind this version does not know (written by a newer version, or by hand) is an error,
    /// never read as a sign-up.
    #[tokio::test]
    async fn an_unknown_kind_is_an_error_not_a_sign_up() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = crate::storage::connect(&url).await.unwrap();
        sqlx::query(
            "INSERT INTO email_code_flows (id_hash, email, account_exists, code_sent_at,
                code_expires_at, code_wrong_tries, flow_wrong_tries, created_at, expires_at, kind)
             VALUES ('h', 'a@example.org', 0, 1, 2, 0, 0, 1, 3, 'sign_in')",
        )
        .execute(&db)
        .await
        .unwrap();
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM email_code_flows"))
            .fetch_one(&db)
            .await
            .unwrap();
        let read = from_row(&row);
        assert!(
            matches!(read, Err(sqlx::Error::ColumnDecode { .. })),
            "{:?}",
            read.map(|f| f.kind)
        );
        sqlx::query("UPDATE email_code_flows SET kind = 'password_reset'")
            .execute(&db)
            .await
            .unwrap();
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM email_code_flows"))
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(from_row(&row).unwrap().kind, EmailCodeKind::PasswordReset);
    }
}
