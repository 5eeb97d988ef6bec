//! The request body limit of every route (the API, the OpenID Provider's form endpoints, the
//! static files): a body over `MAX_BODY_BYTES` is refused with 413 problem+json before it is
//! read, when it says its length, or as soon as reading it passes the limit (a chunked body),
//! so one request never holds more than the limit in memory (OWASP ASVS 5.0 V2.4.1 / V4.1:
//! bounded resources per request).

use crate::error::problem_with_status;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use partner_login_contract::ErrorCode;

pub async fn limit(State(max): State<usize>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        tracing::info!(event = "body_too_large", declared);
        return too_large();
    }
    let response = next.run(request).await;
    // axum's extractors stop reading at the limit (`DefaultBodyLimit`, set to the same value
    // in `app`) and answer 413 in plain text: the same problem+json as above.
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_problem {
        tracing::info!(event = "body_too_large");
        return too_large();
    }
    response
}

fn too_large() -> Response {
    problem_with_status(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::BadRequest,
        Vec::new(),
        None,
    )
}
