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
        span.record("client", tracing::field::display(&client));
        span.record("peer", tracing::field::display(peer));
    }
    span
}

#[cfg(test)]
mod tests {
    use super::{path, span};
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};

    /// What a line logged in the request span of a request from `peer` with this
    /// `X-Forwarded-For` says, behind the trusted 10.0.0.0/8.
    fn logged(peer: &str, forwarded_for: &str) -> String {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || Writer(writer.clone()))
            .with_ansi(false)
            .finish();
        let mut request = axum::http::Request::post("/api/session?q=1")
            .header("x-forwarded-for", forwarded_for)
            .body(axum::body::Body::empty())
            .unwrap();
        let peer: SocketAddr = peer.parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        tracing::subscriber::with_default(subscriber, || {
            span(&request, &trusted).in_scope(|| {
                tracing::warn!(event = "rate_limited", action = "sign_in_failure");
            });
        });
        let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
        text
    }

    struct Writer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Writer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// OWASP ASVS 5.0 V16.2.1: a line (a limit's refusal here) says who: the client as the
    /// limits count it and the peer it came through; never the header's own text (V16.4.1).
    #[test]
    fn request_lines_say_the_client_and_the_peer() {
        let line = logged("10.0.0.2:5555", "evil-text, 198.51.100.7");
        assert!(line.contains("client=198.51.100.7"), "{line}");
        assert!(line.contains("peer=10.0.0.2"), "{line}");
        assert!(line.contains("event=\"rate_limited\""), "{line}");
        assert!(!line.contains("evil") && !line.contains("q=1"), "{line}");
        let line = logged("[::ffff:203.0.113.9]:5555", "198.51.100.7");
        assert!(
            line.contains("client=203.0.113.9 peer=203.0.113.9"),
            "{line}"
        );
        let line = logged("[2001:db8:1:2::9]:5555", "198.51.100.7");
        assert!(
            line.contains("client=2001:db8:1:2::/64 peer=2001:db8:1:2::9"),
            "{line}"
        );
    }

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
