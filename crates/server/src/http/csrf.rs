//! CSRF defence for every state-changing API request (OWASP ASVS 5.0 V3.5.1, V3.5.3): the
//! custom header (which a cross-site form cannot send and a cross-origin script can only send
//! after a CORS preflight) and, when the browser says where the request comes from, an origin
//! that is this site or a configured one.

use crate::audit::{Action, Audit, Outcome};
use crate::error::problem_response;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::Response;
use partner_login_contract::api::{CSRF_HEADER, CSRF_HEADER_VALUE};
use partner_login_contract::ErrorCode;

pub async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe {
        let headers = request.headers();
        let has_header = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == CSRF_HEADER_VALUE);
        let origin_ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            None => true,
            Some(origin) => {
                origin == state.config.public_url()
                    || state
                        .config
                        .cors_allowed_origins
                        .iter()
                        .any(|o| o == origin)
            }
        };
        let is_admin = request.uri().path().starts_with("/admin/");
        if !(origin_ok && (has_header || is_admin)) {
            tracing::warn!(
                event = "csrf_rejected",
                path = %super::redact::path(request.uri().path())
            );
            Audit::new(Action::Csrf, Outcome::Refused).emit();
            return problem_response(ErrorCode::CsrfRejected, Vec::new(), None);
        }
    }
    next.run(request).await
}
