//! The reference backend of partner-login: the REST API under `/api`, the built SPA, and the
//! development outbox. See ARCHITECTURE.md for the map.

pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod mail;
pub mod oidc;
pub mod state;
pub mod storage;

pub use http::app;
pub use state::AppState;

use config::Config;

/// Builds the state from the configuration: database (migrated) and mailer.
pub async fn state(config: Config) -> anyhow::Result<AppState> {
    AppState::new(config).await
}

/// Serves on an already bound listener until the shutdown future completes, finishing the
/// requests in flight.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    domain::passwords::preload();
    mail::queue::spawn_worker(state.mailer.clone());
    domain::limits::spawn_purge(state.db.clone(), state.config.session_absolute_hours * 3600);
    let mailer = state.mailer.clone();
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    mailer.stop_worker();
    served
}
