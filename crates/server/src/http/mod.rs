//! The HTTP surface. Each feature has its own module with its `router()`; `app()` assembles them
//! behind the middleware every response goes through (security headers, CSRF, tracing).

mod code_flow;
mod csrf;
mod dev;
mod headers;
mod invitations;
mod meta;
pub mod openapi;
mod password_reset;
mod redact;
mod rejections;
mod session;
mod signup;
mod social;
mod static_files;

use crate::config::Config;
use crate::mail::Mailer;
use crate::storage::Db;
use axum::Router;
use std::sync::Arc;
use tower_http::trace::TraceLayer;

pub use invitations::create_invitation;
pub use session::SessionCookie;

/// What every handler can reach. Configuration is read once, at start-up.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub mailer: Mailer,
    /// The social sign-in providers (OpenID Connect), with their discovered metadata.
    pub social: Arc<crate::oidc::Providers>,
    /// argon2id at the configured cost.
    pub passwords: crate::domain::passwords::Passwords,
}

pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .merge(meta::router())
        .merge(invitations::router())
        .merge(signup::router())
        .merge(session::router())
        .merge(password_reset::router())
        .merge(social::router())
        .fallback(meta::api_not_found)
        .layer(axum::middleware::from_fn(rejections::as_problems))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::check,
        ))
        .layer(axum::middleware::from_fn(headers::no_store));
    // Outside the CSRF check, so that preflights are answered here.
    let api = match headers::cors(&state.config) {
        Some(cors) => api.layer(cors),
        None => api,
    };
    let mut router = Router::new().nest("/api", api);
    if state.config.dev_mailbox() {
        router = router.merge(dev::router());
    }
    router
        .merge(static_files::router(&state.config.static_dir))
        .layer(axum::middleware::from_fn_with_state(
            headers::security_headers(&state.config),
            headers::security,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(redact::span))
        .with_state(state)
}
