//! Security headers on every response (OWASP ASVS 5.0 V3.4), and CORS for a SPA on another
//! origin (ASVS 5.0 V3.4.2: only the configured origins, with credentials).

use crate::config::Config;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use partner_login_contract::api::CSRF_HEADER;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The headers built once from the configuration at start-up.
#[derive(Clone)]
pub struct SecurityHeaders {
    /// The policy of a page (`text/html`), or of an answer whose type is not said.
    csp: HeaderValue,
    /// `X-Frame-Options: DENY` for browsers without CSP level 2, only when nobody may frame
    /// the pages (the header cannot name origins).
    deny_frames: bool,
}

fn sources(list: &[String]) -> String {
    list.iter()
        .filter(|o| !o.trim().is_empty())
        .map(|o| o.trim().trim_end_matches('/'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The Content-Security-Policy: scripts and styles from this origin only, no inline code; the
/// API on this origin and the CORS origins; framing by FRAME_ANCESTORS only (ASVS 5.0 V3.4.6).
pub fn security_headers(config: &Config) -> SecurityHeaders {
    let connect = format!("'self' {}", sources(&config.cors_allowed_origins));
    let ancestors = sources(&config.frame_ancestors);
    let deny_frames = ancestors.is_empty();
    let ancestors = if deny_frames {
        "'none'".to_owned()
    } else {
        ancestors
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src {}; object-src 'none'; base-uri 'none'; frame-ancestors {ancestors}; form-action 'self'",
        connect.trim_end()
    );
    // An origin with characters a header cannot hold falls back to the strictest policy.
    let csp = HeaderValue::from_str(&csp).unwrap_or_else(|_| {
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        )
    });
    SecurityHeaders { csp, deny_frames }
}

/// The policy of every answer that is not a page: a script, a style sheet, the WASM, an image,
/// `config.json`, a language file, an API answer (OWASP ASVS 5.0 V3.4.3 and V3.4.6: a policy
/// and `frame-ancestors` on every response). Nothing such an answer could hold may load or run
/// if it were opened as a document (an SVG, a JSON text), and none is ever framed. A page's
/// policy governs what the page loads; a subresource's own policy does not, so the page's
/// long one was about 190 B more on the wire for each of them (eight on the first load of `/`,
/// issue 21), and said nothing.
const SUBRESOURCE_CSP: HeaderValue =
    HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'");

/// Whether `response` is a page, which gets the page's policy: `text/html`, or a type not said
/// (a `304 Not Modified` has no `Content-Type`, and its headers replace those the browser kept
/// for the page: it must carry the page's policy, or the page would lose its scripts).
fn is_page(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_none_or(|t| {
            t.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/html"))
        })
}

pub async fn security(
    State(security): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let page = is_page(&response);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        if page { security.csp } else { SUBRESOURCE_CSP },
    );
    headers.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // Elsewhere `frame-ancestors 'none'` refuses framing; this header is for old browsers'
    // pages.
    if security.deny_frames && page {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// CORS for the API: the listed origins only, with credentials (the session cookie), the
/// methods and headers the SPA uses. `None` when no origin is listed: same origin only.
pub fn cors(config: &Config) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = config
        .cors_allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim().trim_end_matches('/')).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true)
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([header::CONTENT_TYPE, HeaderName::from_static(CSRF_HEADER)])
            .expose_headers([header::RETRY_AFTER])
            .max_age(Duration::from_secs(600)),
    )
}

/// API answers are never cached (ASVS 5.0 V14.3.2).
pub async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
