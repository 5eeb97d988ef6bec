//! The release server as a child process of the bench, on a free loopback port, with its own
//! throwaway SQLite database; killed when dropped.

use crate::cmd::{self, command, Result};
use std::process::{Child, Stdio};

pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub url: String,
    _data: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts `target/release/partner-login-server serve` (built by the caller) with `env`
    /// on top of a fresh SQLite database and `LISTEN_ADDR=127.0.0.1:0`.
    pub fn start(env: &[(&str, String)]) -> Result<Self> {
        let data = tempfile::tempdir().map_err(|e| e.to_string())?;
        let database_url = format!(
            "sqlite://{}?mode=rwc",
            data.path().join("bench.db").display()
        );
        let binary = cmd::root().join("target/release/partner-login-server");
        let mut server = command(&binary.to_string_lossy(), &["serve"]);
        server
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env("DATABASE_URL", &database_url)
            .env("RUST_LOG", "warn")
            // Mail to the outbox unless `env` sets SMTP_URL (the server starts only when told).
            .env("DEV_MAILBOX", "true")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (name, value) in env {
            server.env(name, value);
        }
        let mut child = server
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let (url, lines) = crate::serve::wait_until_listening(&mut child, false)?;
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(std::result::Result::ok) {});
        Ok(Self {
            child,
            url,
            _data: data,
        })
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
