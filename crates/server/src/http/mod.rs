//! The HTTP surface. Each feature has its own module with its `router()`; `app()` assembles them
//! behind the middleware every response goes through (security headers, CSRF, metrics, tracing).

mod admin;
mod body_limit;
mod client;
mod cookies;
mod csrf;
mod dev;
mod headers;
mod invitations;
mod meta;
mod mfa;
mod observe;
mod openapi;
mod openid;
mod passkeys;
mod password_reset;
mod redact;
mod refusal_page;
mod rejections;
mod session;
mod signup;
mod social;
mod static_files;

use crate::state::AppState;
use axum::Router;
use tower_http::trace::TraceLayer;

/// The tests and the fuzz target invite through it.
pub use crate::domain::invitation::create as create_invitation;
/// The metrics listener's router (`METRICS_ADDR`); never part of [`app`].
pub use observe::metrics_router;

pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .merge(meta::router())
        .merge(openapi::router())
        .merge(invitations::router())
        .merge(admin::router())
        .merge(signup::router())
        .merge(session::router())
        .merge(password_reset::router())
        .merge(social::router())
        .merge(passkeys::router())
        .merge(mfa::router())
        .fallback(meta::api_not_found)
        .layer(axum::middleware::from_fn(rejections::as_problems))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::check,
        ))
        // The OpenID Provider: outside the CSRF check (relying parties' servers call the token
        // endpoint; browsers arrive at the others by navigation from other sites).
        .merge(openid::router().layer(axum::middleware::from_fn(rejections::as_problems)))
        .layer(axum::middleware::from_fn(headers::no_store));
    // Outside the CSRF check, so that preflights are answered here.
    let api = match headers::cors(&state.config) {
        Some(cors) => api.layer(cors),
        None => api,
    };
    let trusted: std::sync::Arc<[_]> = (*state.config.trusted_proxies).into();
    let mut router = Router::new().nest("/api", api).merge(openid::root_router());
    if state.config.dev_mailbox() {
        router = router.merge(dev::router());
    }
    let max_body = state.config.max_body_bytes;
    router
        .merge(static_files::router(&state.config.static_dir))
        // Every route's body is limited (`body_limit`): extractors stop reading at the limit.
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(
            max_body,
            body_limit::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            headers::security_headers(&state.config),
            headers::security,
        ))
        // Latency by route template, and the request scope of metrics and audit events.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(
            move |request: &axum::http::Request<axum::body::Body>| redact::span(request, &trusted),
        ))
        .with_state(state)
}
