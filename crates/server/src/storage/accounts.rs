use super::Db;
use sqlx::Row;

#[derive(Clone, Debug)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    /// The person's language (a BCP 47 tag), when known: learnt at sign-up.
    pub locale: Option<String>,
    pub created_at: i64,
    /// Set while an administrator has the account disabled (migration 0008).
    pub disabled_at: Option<i64>,
    /// Incremented by every credential change (a password reset); a session records the
    /// version its sign-in verified and is honoured only while it is current (ASVS 5.0 V7.4.3).
    pub credential_version: i64,
}

pub struct NewAccount<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub given_name: &'a str,
    pub surname: &'a str,
}

const COLUMNS: &str =
    "id, email, password_hash, display_name, given_name, surname, locale, created_at, disabled_at,
     credential_version";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        display_name: row.try_get("display_name")?,
        given_name: row.try_get("given_name")?,
        surname: row.try_get("surname")?,
        locale: row.try_get("locale")?,
        created_at: row.try_get("created_at")?,
        disabled_at: row.try_get("disabled_at")?,
        credential_version: row.try_get("credential_version")?,
    })
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<Account>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE email = $1"))
        .bind(email)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<Account>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    account: &NewAccount<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO accounts (id, email, password_hash, display_name, given_name, surname, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(account.id)
    .bind(account.email)
    .bind(account.password_hash)
    .bind(account.display_name)
    .bind(account.given_name)
    .bind(account.surname)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds a membership; adding one that exists is not an error.
pub async fn add_membership(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    organization: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO memberships (account_id, organization, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id, organization) DO NOTHING",
    )
    .bind(account_id)
    .bind(organization)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn organizations(db: &Db, account_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT organization FROM memberships WHERE account_id = $1 ORDER BY created_at, organization",
    )
    .bind(account_id)
    .fetch_all(db)
    .await?;
    rows.iter().map(|r| r.try_get("organization")).collect()
}

/// Replaces an account's password hash and increments its credential version, which ends every
/// session made with the old one, those of sign-ins still in flight included (ASVS 5.0
/// V7.4.3). Returns the new version.
pub async fn set_password(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    password_hash: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "UPDATE accounts SET password_hash = $1, credential_version = credential_version + 1
         WHERE id = $2",
    )
    .bind(password_hash)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query("SELECT credential_version FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    row.try_get("credential_version")
}

/// Increments the account's credential version: every session made before, and those of
/// sign-ins in flight, stop being honoured (`accounts reset-mfa`, ASVS 5.0 V7.4.3).
pub async fn bump_credential_version(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET credential_version = credential_version + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the person's language (the `locale` claim of the tokens the provider issues).
pub async fn set_locale(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    locale: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET locale = $1 WHERE id = $2")
        .bind(locale)
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Disables (`Some(now)`) or enables (`None`) an account; false when there is no such account.
/// Disabling an account already disabled keeps its first `disabled_at`.
pub async fn set_disabled(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    disabled_at: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let done = match disabled_at {
        Some(now) => {
            sqlx::query("UPDATE accounts SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2")
                .bind(now)
                .bind(account_id)
                .execute(conn)
                .await?
        }
        None => {
            sqlx::query("UPDATE accounts SET disabled_at = NULL WHERE id = $1")
                .bind(account_id)
                .execute(conn)
                .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

/// One line of the administrator's listing.
pub struct Summary {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
    pub memberships: i64,
    /// The providers of its social identities, in order.
    pub providers: Vec<String>,
}

/// At most `limit` accounts whose email sorts after `after`, by email, with their membership
/// counts and social providers (two bounded queries).
pub async fn page(db: &Db, after: &str, limit: i64) -> Result<Vec<Summary>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.id, a.email, a.display_name, a.created_at, a.disabled_at,
                (SELECT COUNT(*) FROM memberships m WHERE m.account_id = a.id) AS memberships
         FROM accounts a WHERE a.email > $1 ORDER BY a.email LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await?;
    let mut page = rows
        .iter()
        .map(|r| {
            Ok(Summary {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                display_name: r.try_get("display_name")?,
                created_at: r.try_get("created_at")?,
                disabled_at: r.try_get("disabled_at")?,
                memberships: r.try_get("memberships")?,
                providers: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let Some(last) = page.last().map(|s| s.email.clone()) else {
        return Ok(page);
    };
    let identities = sqlx::query(
        "SELECT s.account_id, s.provider FROM social_identities s
         JOIN accounts a ON a.id = s.account_id
         WHERE a.email > $1 AND a.email <= $2 ORDER BY s.provider",
    )
    .bind(after)
    .bind(&last)
    .fetch_all(db)
    .await?;
    for row in &identities {
        let account_id: String = row.try_get("account_id")?;
        let provider: String = row.try_get("provider")?;
        if let Some(summary) = page.iter_mut().find(|s| s.id == account_id) {
            if !summary.providers.contains(&provider) {
                summary.providers.push(provider);
            }
        }
    }
    Ok(page)
}

/// Deletes an account and what only it owns: its memberships, social identities, passkeys,
/// WebAuthn ceremonies in progress, authenticator app, recovery codes and second steps waiting. The caller ends its sessions and its OpenID Provider grants
/// first, in the same transaction.
pub async fn delete(conn: &mut sqlx::AnyConnection, account_id: &str) -> Result<bool, sqlx::Error> {
    for sql in [
        "DELETE FROM memberships WHERE account_id = $1",
        "DELETE FROM social_identities WHERE account_id = $1",
        "DELETE FROM passkeys WHERE account_id = $1",
        "DELETE FROM webauthn_ceremonies WHERE account_id = $1",
        "DELETE FROM authenticator_apps WHERE account_id = $1",
        "DELETE FROM recovery_codes WHERE account_id = $1",
        "DELETE FROM second_factor_flows WHERE account_id = $1",
    ] {
        sqlx::query(sql)
            .bind(account_id)
            .execute(&mut *conn)
            .await?;
    }
    let done = sqlx::query("DELETE FROM accounts WHERE id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
