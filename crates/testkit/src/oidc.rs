//! A real OpenID provider on loopback for the social sign-in tests: panva's `oidc-provider`
//! (OpenID Certified, from npm, installed by `cargo xtask setup` into `tools/`) run by Node.js
//! with `oidc/provider.mjs`. Its development pages sign anyone in: the login is the account's
//! email (verified) unless [`OidcProvider::start`] is given other claims for it. Stopped on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A client registered at the provider.
pub struct OidcClient {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
}

pub struct OidcProvider {
    child: Child,
    /// `http://127.0.0.1:<port>`
    pub issuer: String,
    pub port: u16,
}

fn module_dir() -> PathBuf {
    let dir = std::env::var_os("OIDC_PROVIDER_MODULE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/node_modules/oidc-provider")
        });
    assert!(
        dir.join("lib/index.js").exists(),
        "{} is missing: run `cargo xtask setup` (installs oidc-provider from npm)",
        dir.display()
    );
    dir
}

impl OidcProvider {
    /// Starts the provider with its clients; `accounts` maps logins to their claims
    /// (`{"lee@ngo.example": {"email_verified": false}}`).
    pub fn start(clients: &[OidcClient], accounts: serde_json::Value) -> Self {
        let port = crate::free_port();
        let clients: Vec<serde_json::Value> = clients
            .iter()
            .map(|c| {
                serde_json::json!({
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                    "redirect_uris": [c.redirect_uri],
                })
            })
            .collect();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(&script)
            .env("OIDC_PROVIDER_MODULE", module_dir())
            .env("PORT", port.to_string())
            .env("CLIENTS", serde_json::Value::Array(clients).to_string())
            .env("ACCOUNTS", accounts.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs (Node.js is needed for the OpenID provider)");
        // Keep the provider's own errors in the test output, without its start-up warnings
        // about development defaults (in-memory storage, development keys and pages).
        let stderr = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !line.starts_with("oidc-provider WARNING") {
                    eprintln!("[oidc-provider] {line}");
                }
            }
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let issuer = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(issuer) = line.strip_prefix("listening on ") {
                        break issuer.trim().to_owned();
                    }
                }
                _ => panic!("the OpenID provider exited before listening"),
            }
        };
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Self {
            child,
            issuer,
            port,
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
