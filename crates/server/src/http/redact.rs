//! What a log line may say about a request's URL (OWASP ASVS 5.0 V16.2.5: no secrets in logs).
//! Flow ids (`/signup/{flow_id}/…`, `/password-reset/{flow_id}/…`) and invitation tokens
//! (`/invitations/{token}`) are bearer secrets, and the social callback's query holds the
//! provider's authorization code and state: a logged path keeps the route's shape only, and
//! no query string is ever logged.

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

/// The span `TraceLayer` opens for each request: method and redacted path, no query, no
/// headers.
pub fn span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %path(request.uri().path()),
    )
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
