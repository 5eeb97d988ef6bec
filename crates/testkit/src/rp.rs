//! A real OpenID relying party on loopback, for the tests of our OpenID Provider: panva's
//! `openid-client` 6.x (OpenID Certified, from npm, installed by `cargo xtask setup` into
//! `tools/`) run by Node.js with `oidc/rp.mjs`. It signs people in with the authorization code
//! flow, PKCE (S256), state and nonce, verifies the ID token against the provider's JWKS, reads
//! userinfo, logs out through the provider's end-session endpoint and verifies the back-channel
//! logout tokens it receives. Stopped on drop.
//!
//! Its URLs are known from its port before it starts ([`RelyingPartyUrls`]), so a client can be
//! registered at the provider first, and the relying party started with the secret it got.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The addresses of a relying party listening on `port`: what the provider's client
/// registration names.
#[derive(Clone, Debug)]
pub struct RelyingPartyUrls {
    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub base: String,
    pub port: u16,
}

impl RelyingPartyUrls {
    /// The URLs of a relying party on a free port.
    pub fn on_free_port() -> Self {
        Self::on(crate::free_port())
    }

    pub fn on(port: u16) -> Self {
        Self {
            base: format!("http://127.0.0.1:{port}"),
            port,
        }
    }

    /// The redirect uri (`/callback`).
    pub fn redirect_uri(&self) -> String {
        format!("{}/callback", self.base)
    }

    /// The post-logout redirect uri (`/logged-out`).
    pub fn post_logout_redirect_uri(&self) -> String {
        format!("{}/logged-out", self.base)
    }

    /// The back-channel logout uri (`/backchannel`).
    pub fn backchannel_logout_uri(&self) -> String {
        format!("{}/backchannel", self.base)
    }

    /// Where a sign-in starts (`/login`): its initiate_login_uri.
    pub fn login_uri(&self) -> String {
        format!("{}/login", self.base)
    }

    /// `/login` with these parameters for the authorization request (`prompt`, `max_age`,
    /// `login_hint`, `ui_locales`).
    pub fn login_with(&self, params: &[(&str, &str)]) -> String {
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        if query.is_empty() {
            self.login_uri()
        } else {
            format!("{}?{}", self.login_uri(), query.join("&"))
        }
    }

    /// RP-initiated logout (`/logout`).
    pub fn logout_uri(&self) -> String {
        format!("{}/logout", self.base)
    }
}

/// Percent-encodes a query component (RFC 3986 unreserved characters kept).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub struct TestRelyingParty {
    child: Child,
    pub urls: RelyingPartyUrls,
}

fn module_dir() -> PathBuf {
    let dir = std::env::var_os("OPENID_CLIENT_MODULE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/node_modules/openid-client")
        });
    assert!(
        dir.join("build/index.js").exists(),
        "{} is missing: run `cargo xtask setup` (installs openid-client from npm)",
        dir.display()
    );
    dir
}

impl TestRelyingParty {
    /// Starts the relying party at `urls` for the provider `issuer` (discovery from
    /// `{issuer}/.well-known/openid-configuration`), as the client `client_id`: confidential
    /// (`client_secret_basic`) with `Some(secret)`, public (`none` and PKCE) with `None`.
    /// Returns once discovery succeeded and it listens; panics with its error otherwise.
    pub fn start(
        urls: RelyingPartyUrls,
        issuer: &str,
        client_id: &str,
        client_secret: Option<&str>,
    ) -> Self {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc/rp.mjs");
        let mut child = Command::new("node")
            .arg(&script)
            .env("OPENID_CLIENT_MODULE", module_dir())
            .env("PORT", urls.port.to_string())
            .env("ISSUER", issuer)
            .env("CLIENT_ID", client_id)
            .env("CLIENT_SECRET", client_secret.unwrap_or(""))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs (Node.js is needed for the relying party)");
        let stderr = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[relying party] {line}");
            }
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("listening on ") => break,
                Some(Ok(_)) => {}
                _ => panic!(
                    "the relying party exited before listening (discovery at {issuer} failed?)"
                ),
            }
        }
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Self { child, urls }
    }

    /// The claims of every back-channel logout token the relying party received and verified,
    /// in order (`GET /backchannel/received`).
    pub async fn received_logout_tokens(&self) -> Vec<serde_json::Value> {
        self.get_json("/backchannel/received").await
    }

    /// Why each refused logout token was refused (`GET /backchannel/rejected`).
    pub async fn rejected_logout_tokens(&self) -> Vec<serde_json::Value> {
        self.get_json("/backchannel/rejected").await
    }

    /// POSTs `logout_token` to the relying party's back-channel logout uri, as a provider
    /// would, and returns the status it answered (200 verified, 400 refused).
    pub async fn post_logout_token(&self, token: &str) -> u16 {
        let port = self.urls.port;
        let body = format!("logout_token={}", encode(token));
        let (status, _) =
            tokio::task::spawn_blocking(move || http(port, "POST", "/backchannel", Some(&body)))
                .await
                .expect("the request thread");
        status
    }

    async fn get_json(&self, path: &'static str) -> Vec<serde_json::Value> {
        let port = self.urls.port;
        let (status, body) = tokio::task::spawn_blocking(move || http(port, "GET", path, None))
            .await
            .expect("the request thread");
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path} answered {body:?}: {e}"))
    }
}

/// A plain HTTP/1.0 request on loopback (the server closes the connection after its answer),
/// with a form body or none; returns the status and the body.
fn http(port: u16, method: &str, path: &str, form: Option<&str>) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut request = format!("{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n");
    if let Some(form) = form {
        request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        request.push_str(&format!("Content-Length: {}\r\n", form.len()));
    }
    request.push_str("\r\n");
    request.push_str(form.unwrap_or_default());
    stream.write_all(request.as_bytes()).expect("request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    (status, body.to_owned())
}

impl Drop for TestRelyingParty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_parameters_are_percent_encoded() {
        let urls = RelyingPartyUrls::on(4000);
        assert_eq!(
            urls.login_with(&[("login_hint", "lee+x@ngo.example"), ("prompt", "none")]),
            "http://127.0.0.1:4000/login?login_hint=lee%2Bx%40ngo.example&prompt=none"
        );
        assert_eq!(urls.login_with(&[]), "http://127.0.0.1:4000/login");
    }
}
