//! The smart-lockout guards (`sign_in_guards`). The rules are in `domain::lockout`; this module
//! only keeps state. (Failures per client address are a limit of `domain::limits`.)

use super::Db;
use crate::domain::lockout::Guard;
use sqlx::Row;

/// A guard as read, with the version its update must match (optimistic concurrency: two
/// instances failing the same email at once both count).
pub struct Stored {
    pub guard: Guard,
    pub version: Option<i64>,
}

pub async fn get(db: &Db, email: &str) -> Result<Stored, sqlx::Error> {
    let row = sqlx::query(
        "SELECT failures, lockouts, locked_until, recent_wrong, window_start, window_failures, version
         FROM sign_in_guards WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(Stored {
            guard: Guard::default(),
            version: None,
        });
    };
    let recent: String = row.try_get("recent_wrong")?;
    Ok(Stored {
        guard: Guard {
            failures: row.try_get("failures")?,
            lockouts: row.try_get("lockouts")?,
            locked_until: row.try_get("locked_until")?,
            recent_wrong: recent.split_whitespace().map(str::to_owned).collect(),
            window_start: row.try_get("window_start")?,
            window_failures: row.try_get("window_failures")?,
        },
        version: Some(row.try_get("version")?),
    })
}

/// Writes the guard if nobody changed it since it was read; false when somebody did (read it
/// again and retry).
pub async fn save(db: &Db, email: &str, stored: &Stored) -> Result<bool, sqlx::Error> {
    let g = &stored.guard;
    let recent = g.recent_wrong.join(" ");
    let done = match stored.version {
        Some(version) => {
            sqlx::query(
                "UPDATE sign_in_guards SET failures = $1, lockouts = $2, locked_until = $3,
                    recent_wrong = $4, window_start = $5, window_failures = $6, version = version + 1
                 WHERE email = $7 AND version = $8",
            )
            .bind(g.failures)
            .bind(g.lockouts)
            .bind(g.locked_until)
            .bind(&recent)
            .bind(g.window_start)
            .bind(g.window_failures)
            .bind(email)
            .bind(version)
            .execute(db)
            .await?
        }
        None => {
            sqlx::query(
                "INSERT INTO sign_in_guards (email, failures, lockouts, locked_until, recent_wrong,
                    window_start, window_failures, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0)
                 ON CONFLICT (email) DO NOTHING",
            )
            .bind(email)
            .bind(g.failures)
            .bind(g.lockouts)
            .bind(g.locked_until)
            .bind(&recent)
            .bind(g.window_start)
            .bind(g.window_failures)
            .execute(db)
            .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

/// Forgets an email's failures (a successful sign-in, a password reset).
pub async fn clear<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    email: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_guards WHERE email = $1")
        .bind(email)
        .execute(db)
        .await?;
    Ok(())
}
