//! The server under load: the release binary as a child process, on a free loopback port, a
//! fresh SQLite database, mail to the bench's SMTP sink. Killed when dropped.

use partner_login_server::domain::passwords::HashCost;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`
    pub url: String,
    _data: tempfile::TempDir,
}

impl Server {
    pub fn start(binary: &Path, smtp_url: &str, cost: HashCost) -> Result<Self, String> {
        Self::start_with(binary, smtp_url, cost, &[])
    }

    /// [`Server::start`] with more settings.
    pub fn start_with(
        binary: &Path,
        smtp_url: &str,
        cost: HashCost,
        extra: &[(&str, &str)],
    ) -> Result<Self, String> {
        let data = tempfile::tempdir().map_err(|e| e.to_string())?;
        let database_url = format!(
            "sqlite://{}?mode=rwc",
            data.path().join("bench.db").display()
        );
        let mut child = Command::new(binary)
            .arg("serve")
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env("DATABASE_URL", database_url)
            .env("SMTP_URL", smtp_url)
            .env("STATIC_DIR", data.path().join("no-spa"))
            .env("PASSWORD_HASH_MEMORY_KIB", cost.memory_kib.to_string())
            .env("PASSWORD_HASH_ITERATIONS", cost.iterations.to_string())
            .env("PASSWORD_HASH_PARALLELISM", cost.parallelism.to_string())
            // All the load comes from one loopback address: lift the per-address send cap
            // (a mass invitation is many partners on many addresses).
            .env("CODE_SENDS_PER_CLIENT_HOUR", "1000000000")
            .env("CODE_CHECKS_PER_CLIENT_HOUR", "1000000000")
            // The sign-in runs measure throughput from one address: its hour cap and its share
            // of hashes in flight are lifted too.
            .env("SIGN_INS_PER_CLIENT_HOUR", "1000000000")
            .env("PASSWORD_HASHES_IN_FLIGHT_PER_CLIENT", "1000000")
            .envs(extra.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        break url.trim().trim_end_matches('/').to_owned();
                    }
                }
                _ => {
                    let status = child.wait().map_err(|e| e.to_string())?;
                    return Err(format!("the server stopped before listening ({status})"));
                }
            }
        };
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Ok(Self {
            child,
            url,
            _data: data,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
