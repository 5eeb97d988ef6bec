//! The database: sqlx's `Any` driver with plain types, so one set of queries and one migration
//! folder serve SQLite (the default) and PostgreSQL. Only this module writes SQL.

pub mod accounts;
pub mod authorizations;
pub mod clients;
pub mod email_code_flows;
pub mod guards;
pub mod invitations;
pub mod mail_queue;
pub mod passkeys;
pub mod rate_events;
pub mod reset_codes;
pub mod second_factors;
pub mod sessions;
pub mod signing_keys;
pub mod social;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use std::time::Duration;

pub type Db = AnyPool;

/// Connects, turns on WAL for SQLite, and runs the migrations.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    let pool = AnyPoolOptions::new()
        .max_connections(if sqlite { 4 } else { 10 })
        .acquire_timeout(Duration::from_secs(5))
        // sqlx pings every idle connection before handing it out: on SQLite, a round trip to
        // the connection's own thread (two thread switches) for a file that cannot hang up,
        // at every one of a sign-in's acquisitions; a PostgreSQL connection can drop
        // (a restart, a proxy's timeout), so it is still checked there.
        .test_before_acquire(!sqlite)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    sqlx::query("PRAGMA journal_mode = WAL")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA busy_timeout = 5000")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA foreign_keys = ON")
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// True when the error is a unique-constraint violation (a double submit, a taken email).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db.message().contains("UNIQUE")
                || db.code().as_deref() == Some("23505")
        }
        _ => false,
    }
}
