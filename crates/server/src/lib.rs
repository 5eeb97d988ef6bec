//! The reference backend of partner-login: the REST API under `/api`, the built SPA, and the
//! development outbox. See ARCHITECTURE.md for the map.

pub mod audit;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod oidc;
pub mod proxies;
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
/// requests in flight; with `METRICS_ADDR`, the metrics listener too (see
/// [`serve_with_metrics`]).
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let metrics = match state.config.metrics_addr {
        Some(addr) => Some(tokio::net::TcpListener::bind(addr).await?),
        None => None,
    };
    serve_with_metrics(state, listener, metrics, shutdown).await
}

/// Serves the app on `listener` and, when given, the Prometheus metrics (`GET /metrics`) on
/// `metrics`, a listener of their own, until `shutdown` completes: then no new connection is
/// accepted, the requests in flight are answered, and the background tasks stop.
pub async fn serve_with_metrics(
    state: AppState,
    listener: tokio::net::TcpListener,
    metrics: Option<tokio::net::TcpListener>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    domain::passwords::preload();
    mail::queue::spawn_worker(state.mailer.clone());
    let mailer = state.mailer.clone();
    let purge = domain::limits::spawn_purge(
        state.db.clone(),
        state.config.session_idle_minutes * 60,
        state.config.session_absolute_hours * 3600,
    );
    // One shutdown for both listeners.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|s| *s).await;
    };
    let metrics_server = metrics.map(|listener| {
        let router = http::metrics_router(state.metrics.clone());
        let stopped = until_stopped(stopped.clone());
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(stopped)
                .await
        })
    });
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(until_stopped(stopped))
        .await;
    purge.abort();
    mailer.stop_worker();
    if let Some(metrics_server) = metrics_server {
        metrics_server
            .await
            .map_err(|e| std::io::Error::other(format!("metrics listener: {e}")))??;
    }
    tracing::info!("stopped: the requests in flight were answered");
    served
}
