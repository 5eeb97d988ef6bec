//! What a log line may say about a request's URL (OWASP ASVS 5.0 V16.2.5: no secrets in logs).
//! Flow ids (`/signup/{flow_id}/…`, `/password-reset/{flow_id}/…`) and invitation tokens
//! (`/invitations/{token}`) are bearer secrets, and the social callback's query holds the
//! provider's authorization code and state: a logged path keeps the route's shape only, and
//! no query string is ever logged.

use super::client;
use crate::proxies::Cidr;
use axum::extract::ConnectInfo;
use std::net::SocketAddr;

/// The path with every secret segment replaced by its route parameter's name.
pub fn path(path: &str) -> String {
    let mut out = Vec::new();
    let mut previous = "";
    for segment in path.split('/') {
        let secret =
            matches!(previous, "signup" | "password-reset" | "invitations") && !segment.is_empty();
        out.push(if secret {
            match previous {
                "invitations" => "{token}",
                _ => "{flow_id}",
            }
        } else {
            segment
        });
        previous = segment;
    }
    out.join("/")
}

/// The span `TraceLayer` opens for each request: method, redacted path, the client (as the
/// limits count it: `http/client.rs`) and the TCP peer (the proxy, behind one), so that every
/// line of the request, a refusal by a limit included, says both (ASVS 5.0 V16.2.1). No query,
/// no header: the client is an address parsed from `X-Forwarded-For`, never its text (V16.4.1).
pub fn span(request: &axum::http::Request<axum::body::Body>, trusted: &[Cidr]) -> tracing::Span {
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %path(request.uri().path()),
        client = tracing::field::Empty,
        peer = tracing::field::Empty,
    );
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let (client, peer) = client::resolve(*peer, request.headers(), trusted);
        span.record("client", client.as_str());
        span.record("peer", tracing::field::display(peer));
    }
    span
}

#[cfg(test)]
mod tests {
    use super::path;

    #[test]
    fn secret_segments_are_replaced_and_routes_kept() {
        assert_eq!(
            path("/api/signup/abcDEF123/verify"),
            "/api/signup/{flow_id}/verify"
        );
        assert_eq!(
            path("/api/password-reset/xyz/complete"),
            "/api/password-reset/{flow_id}/complete"
        );
        assert_eq!(path("/api/invitations/tok3n"), "/api/invitations/{token}");
        assert_eq!(path("/api/signup"), "/api/signup");
        assert_eq!(path("/api/admin/invitations"), "/api/admin/invitations");
        assert_eq!(
            path("/api/social/unicef/callback"),
            "/api/social/unicef/callback"
        );
    }
}
