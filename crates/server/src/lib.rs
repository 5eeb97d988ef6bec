//! The reference backend of partner-login: the REST API under `/api`, the built SPA, and the
//! development outbox. See ARCHITECTURE.md for the map.

pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod mail;
pub mod oidc;
pub mod storage;

pub use http::{app, AppState};

use config::Config;
use std::sync::Arc;

/// Builds the state from the configuration: database (migrated) and mailer.
pub async fn state(config: Config) -> anyhow::Result<AppState> {
    config.check_mail()?;
    let db = storage::connect(&config.database_url).await?;
    let mailer = mail::Mailer::new(config.smtp_url.as_deref(), &config.mail_from, &db)?;
    let social = oidc::Providers::new(&config.social, &config.api_public_url())?;
    let passwords = domain::passwords::Passwords::new(config.password_hash_cost())?;
    Ok(AppState {
        config: Arc::new(config),
        db,
        mailer,
        social: Arc::new(social),
        passwords,
    })
}

/// Serves on an already bound listener until the shutdown future completes, finishing the
/// requests in flight.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    domain::passwords::preload();
    domain::limits::spawn_purge(state.db.clone());
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
