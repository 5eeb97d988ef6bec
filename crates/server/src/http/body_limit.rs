//! The request body limit of every route (the API, the OpenID Provider's form endpoints, the
//! static files): a body over `MAX_BODY_BYTES` is refused with 413 problem+json before it is
//! read, when it says its length, or as soon as reading it passes the limit (a chunked body),
//! so one request never holds more than the limit in memory (OWASP ASVS 5.0 V2.4.1 / V4.1:
//! bounded resources per request).
//!
//! A body refused by its declared length is still read and thrown away, up to `DRAIN_BYTES` and
//! for at most `DRAIN_TIME`, before the 413 is sent: the client is usually still sending it, and
//! a server that closes with unread bytes resets the connection, which can destroy the answer
//! before the client reads it (the client then sees a network error instead of the problem).
//! Nothing is kept while draining; past either bound the answer goes at once and the connection
//! closes.

use crate::error::problem_with_status;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use partner_login_contract::ErrorCode;
use std::time::Duration;

pub async fn limit(State(max): State<usize>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(length) = declared.filter(|n| *n > max as u64) {
        tracing::info!(event = "body_too_large", declared = length);
        let mut response = too_large();
        if length > DRAIN_BYTES || !drain(request.into_body()).await {
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
        }
        return response;
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

/// The most of a refused body read before answering: 16 times the default limit.
const DRAIN_BYTES: u64 = 1024 * 1024;
/// The longest a refused body is read before answering.
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// Reads `body` to its end and throws it away, within `DRAIN_BYTES` and `DRAIN_TIME`
/// (ASVS 5.0 V2.4.1: bounded work); true when it was read to its end.
async fn drain(mut body: axum::body::Body) -> bool {
    let read_to_end = async {
        let mut read = 0u64;
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { return false };
            read += frame.data_ref().map_or(0, |data| data.len() as u64);
            if read > DRAIN_BYTES {
                return false;
            }
        }
        true
    };
    tokio::time::timeout(DRAIN_TIME, read_to_end)
        .await
        .unwrap_or(false)
}

fn too_large() -> Response {
    problem_with_status(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::BadRequest,
        Vec::new(),
        None,
    )
}
