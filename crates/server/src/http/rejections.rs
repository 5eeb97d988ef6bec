//! Requests axum refuses before a handler runs (a body that is not JSON, not of the declared
//! `Content-Type`, or not of the expected shape; a method the route does not have) get the same RFC 9457 problem+json as every
//! other error, not axum's plain-text message: one error format for the whole API (OWASP ASVS
//! 5.0 V16.5.1: no framework internals in error bodies).

use crate::error::problem_with_status;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use partner_login_contract::ErrorCode;

pub async fn as_problems(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    // axum's refusals are plain text, or bodiless (405); every handler's answer has a type.
    let from_axum = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    let status = response.status();
    if !(from_axum && status.is_client_error()) {
        return response;
    }
    let code = match status {
        StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::ValidationFailed,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        _ => ErrorCode::BadRequest,
    };
    // The status says what kind of refusal it was (400, 405, 413, 415, 422): kept as axum
    // chose it, in the header and in the body, with the methods a 405 allows.
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut problem = problem_with_status(status, code, Vec::new(), None);
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    problem
}
