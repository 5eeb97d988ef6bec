//! What every request leaves for the operator: its latency in the metrics (by route template,
//! never the raw path: bounded series), and the request scope (`metrics::scope`) through which
//! the code that answers it counts and audits (`audit.rs`) with the client's address. And the
//! metrics listener's router (`METRICS_ADDR`), which is never merged into the public app.

use super::client::ClientAddress;
use crate::metrics::{self, Method, Metrics};
use crate::state::AppState;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::time::Instant;

pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = Method::of(request.method().as_str());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let (mut parts, body) = request.into_parts();
    let client = ClientAddress::from_request_parts(&mut parts, &state)
        .await
        .ok()
        .map(|ClientAddress(c)| c.into());
    let request = Request::from_parts(parts, body);
    let scope = metrics::Request {
        metrics: state.metrics.clone(),
        client,
    };
    let in_flight = state.metrics.in_flight();
    let response = metrics::scope(scope, next.run(request)).await;
    drop(in_flight);
    state
        .metrics
        .request(method, route, response.status().as_u16(), started.elapsed());
    response
}

/// The metrics listener's only route: `GET /metrics`.
pub fn metrics_router(metrics: Metrics) -> Router {
    Router::new().route(
        "/metrics",
        get(move || async move {
            (
                [(
                    header::CONTENT_TYPE,
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                )],
                metrics.encode(),
            )
                .into_response()
        }),
    )
}
