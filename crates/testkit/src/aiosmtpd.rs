//! A real SMTP relay with TLS and AUTH on loopback: PyPI's `aiosmtpd` with a throwaway
//! certificate authority from PyPI's `trustme` (both installed into `tools/venv` by
//! `cargo xtask setup`), run with `smtp/relay.py`. Either STARTTLS required before AUTH and
//! mail (what `smtp://…?tls=required` speaks) or TLS from the first byte (`smtps://`); AUTH
//! PLAIN or LOGIN with one user, required for mail. Stopped on drop.
//!
//! The certificates ([`RelayCertificates`]) outlive a relay, so that a test can start the
//! server with `SMTP_CA_FILE` first and the relay later, or stop it and start it again on the
//! same port.

use crate::smtp::{parse, Inbox, Message};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, Notify};

/// The only login the relay accepts.
pub const RELAY_USER: &str = "mailer@partner-login.test";
/// Its password: with characters that must be percent-encoded in a URL.
pub const RELAY_PASSWORD: &str = "p@ss:w/rd 42%";

/// How the relay protects the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayTls {
    /// STARTTLS, required before AUTH and mail.
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

fn python() -> PathBuf {
    std::env::var_os("PARTNER_LOGIN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/venv/bin/python")
        })
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("smtp/relay.py")
}

/// A throwaway CA and the relay's certificate (for `localhost` and `127.0.0.1`) it signed.
pub struct RelayCertificates {
    dir: tempfile::TempDir,
}

impl RelayCertificates {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let status = Command::new(python())
            .arg(script())
            .env("CERT_DIR", dir.path())
            .env("MODE", "certs")
            .stdout(Stdio::null())
            .status()
            .await
            .expect("tools/venv/bin/python runs: run `cargo xtask setup`");
        assert!(
            status.success(),
            "relay.py could not make certificates: run `cargo xtask setup` (aiosmtpd, trustme)"
        );
        Self { dir }
    }

    /// The CA's certificate (PEM): what `SMTP_CA_FILE` names.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }
}

#[derive(Default)]
struct Logins {
    /// (accepted, refused)
    counts: Mutex<(usize, usize)>,
    changed: Notify,
}

pub struct TlsRelay {
    pub port: u16,
    pub tls: RelayTls,
    inbox: Arc<Inbox>,
    logins: Arc<Logins>,
    child: Child,
}

impl TlsRelay {
    /// Starts a relay on `port` (`crate::free_port()` for any) with `certificates`; returns
    /// once it listens.
    pub async fn start(tls: RelayTls, certificates: &RelayCertificates, port: u16) -> Self {
        let mut child = Command::new(python())
            .arg(script())
            .env("CERT_DIR", certificates.dir.path())
            .env(
                "MODE",
                match tls {
                    RelayTls::StartTls => "starttls",
                    RelayTls::Implicit => "implicit",
                },
            )
            .env("PORT", port.to_string())
            .env("SMTP_USER", RELAY_USER)
            .env("SMTP_PASSWORD", RELAY_PASSWORD)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("tools/venv/bin/python runs: run `cargo xtask setup`");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        loop {
            let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
                .await
                .expect("the relay starts within 20 s")
                .expect("the relay's output");
            let Some(line) = line else {
                panic!("relay.py exited before listening: run `cargo xtask setup` (aiosmtpd)");
            };
            if line.contains("\"listening\"") {
                break;
            }
        }
        let inbox = Arc::new(Inbox::default());
        let logins = Arc::new(Logins::default());
        {
            let (inbox, logins) = (inbox.clone(), logins.clone());
            tokio::spawn(async move {
                while let Ok(Some(line)) = lines.next_line().await {
                    let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) else {
                        continue;
                    };
                    if let Some(ok) = event["ok"].as_bool() {
                        let mut counts = logins.counts.lock().await;
                        if ok {
                            counts.0 += 1;
                        } else {
                            counts.1 += 1;
                        }
                        logins.changed.notify_waiters();
                    } else if let Some(data) = event["data"].as_str() {
                        let to: Vec<String> = event["to"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|t| t.as_str().map(str::to_owned))
                            .collect();
                        let from = event["from"].as_str().unwrap_or_default();
                        inbox.push(parse(from, &to, data.to_owned())).await;
                    }
                }
            });
        }
        Self {
            port,
            tls,
            inbox,
            logins,
            child,
        }
    }

    /// The `SMTP_URL` of this relay with these credentials (percent-encoded), by the name its
    /// certificate has (`localhost`).
    pub fn url(&self, user: &str, password: &str) -> String {
        Self::url_for(self.tls, self.port, user, password)
    }

    /// The `SMTP_URL` of a relay that is not started yet.
    pub fn url_for(tls: RelayTls, port: u16, user: &str, password: &str) -> String {
        let (user, password) = (encode(user), encode(password));
        match tls {
            RelayTls::StartTls => {
                format!("smtp://{user}:{password}@localhost:{port}?tls=required")
            }
            RelayTls::Implicit => format!("smtps://{user}:{password}@localhost:{port}"),
        }
    }

    pub async fn messages(&self) -> Vec<Message> {
        self.inbox.messages().await
    }

    /// Waits for the first message to `to`.
    pub async fn wait_for(&self, to: &str, timeout: Duration) -> Message {
        self.inbox.wait_for_count(to, 1, timeout).await.remove(0)
    }

    /// Waits until at least `n` logins were refused; returns (accepted, refused) logins.
    pub async fn wait_for_refused_logins(&self, n: usize, timeout: Duration) -> (usize, usize) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.logins.changed.notified();
            let counts = *self.logins.counts.lock().await;
            if counts.1 >= n {
                return counts;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!("{n} refused login(s) did not happen within {timeout:?} ({counts:?})");
            }
        }
    }

    /// Stops the relay (the port is free again once this returns).
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Percent-encodes a URL's user or password (RFC 3986 unreserved characters kept).
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
