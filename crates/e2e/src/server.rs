//! The server under test: the `partner-login-server` binary on a free port, a fresh SQLite file
//! in a temporary folder, serving the release SPA from `PARTNER_LOGIN_DIST`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

pub struct TestServer {
    child: Child,
    /// The server's base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub url: String,
    env: Vec<(String, String)>,
    _dir: tempfile::TempDir,
}

fn server_bin() -> PathBuf {
    std::env::var_os("PARTNER_LOGIN_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/debug/partner-login-server")
        })
}

/// The SPA built with `--public-url /login/` (`cargo xtask test` builds it).
pub fn dist_login_dir() -> PathBuf {
    let dir = std::env::var_os("PARTNER_LOGIN_DIST_LOGIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e/dist-login")
        });
    assert!(
        dir.join("index.html").exists(),
        "{} has no index.html: run `cargo xtask test` (it builds the SPA for /login/)",
        dir.display()
    );
    dir
}

/// The release SPA served at / (`PARTNER_LOGIN_DIST`; `cargo xtask test` builds it).
pub fn dist_dir() -> PathBuf {
    std::env::var_os("PARTNER_LOGIN_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist"))
}

impl TestServer {
    /// Starts the server. `smtp_url`: the SMTP sink to send mail to; None uses the dev outbox.
    pub fn start(smtp_url: Option<&str>) -> Self {
        Self::start_with(smtp_url, &[])
    }

    /// Starts the server with extra environment variables.
    pub fn start_with(smtp_url: Option<&str>, extra: &[(&str, &str)]) -> Self {
        Self::start_on(crate::free_port(), smtp_url, extra)
    }

    /// Starts the server on `http://localhost:PORT` (`PUBLIC_URL` and [`url`](Self::url)):
    /// browsers refuse WebAuthn on an IP address, and the server turns passkeys on only for a
    /// `PUBLIC_URL` whose host is a domain.
    pub fn start_on_localhost(smtp_url: Option<&str>, extra: &[(&str, &str)]) -> Self {
        let port = crate::free_port();
        let url = format!("http://localhost:{port}");
        let mut env = vec![("PUBLIC_URL", url.as_str())];
        env.extend_from_slice(extra);
        let mut server = Self::start_on(port, smtp_url, &env);
        server.url = url;
        server
    }

    /// Starts the server on `port`, for tests that must know its address before it starts
    /// (an OpenID provider registers the callback URL of the server it sends users back to).
    pub fn start_on(port: u16, smtp_url: Option<&str>, extra: &[(&str, &str)]) -> Self {
        let bin = server_bin();
        assert!(
            bin.exists(),
            "{} is missing: run `cargo xtask test` (it builds the server and the SPA first)",
            bin.display()
        );
        let dist = dist_dir();
        assert!(
            dist.join("index.html").exists(),
            "{} has no index.html: run `cargo xtask test` (it runs trunk build --release)",
            dist.display()
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("http://127.0.0.1:{port}");
        let mut env = vec![
            ("LISTEN_ADDR".to_owned(), format!("127.0.0.1:{port}")),
            ("PUBLIC_URL".to_owned(), url.clone()),
            (
                "DATABASE_URL".to_owned(),
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("partner-login.db").display()
                ),
            ),
            ("STATIC_DIR".to_owned(), dist.display().to_string()),
            ("RUST_LOG".to_owned(), "warn".to_owned()),
        ];
        match smtp_url {
            Some(smtp) => env.push(("SMTP_URL".to_owned(), smtp.to_owned())),
            // The outbox is on only when asked for (issue 19, defect 6).
            None => env.push(("DEV_MAILBOX".to_owned(), "true".to_owned())),
        }
        for (k, v) in extra {
            env.push(((*k).to_owned(), (*v).to_owned()));
        }
        let mut child = Command::new(&bin)
            .arg("serve")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let started = Instant::now();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("listening on ") => break,
                Some(Ok(_)) => {}
                _ => panic!(
                    "the server exited before listening (after {:?})",
                    started.elapsed()
                ),
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Self {
            child,
            url,
            env,
            _dir: dir,
        }
    }

    /// Runs `partner-login-server invite` against the same database and mail settings, as an
    /// administrator would, and returns the invitation link (its last line of output).
    pub async fn invite(&self, email: &str, organization: &str, inviter: Option<&str>) -> String {
        self.invite_in(email, organization, inviter, None).await
    }

    /// [`invite`](Self::invite), with the language the administrator chose for the person.
    pub async fn invite_in(
        &self,
        email: &str,
        organization: &str,
        inviter: Option<&str>,
        language: Option<&str>,
    ) -> String {
        let mut args = vec!["invite", "--email", email, "--organization", organization];
        if let Some(inviter) = inviter {
            args.extend(["--inviter", inviter]);
        }
        if let Some(language) = language {
            args.extend(["--language", language]);
        }
        let link = self.cli(&args).await;
        let public_url = self
            .env
            .iter()
            .rev()
            .find(|(k, _)| k == "PUBLIC_URL")
            .map_or(self.url.as_str(), |(_, v)| v.as_str());
        assert!(
            link.starts_with(public_url),
            "the link {link} is not on {public_url}"
        );
        link
    }
}

impl TestServer {
    /// Runs the server binary with `args` (`invite …`, `client add …`) against the same
    /// database and mail settings, as an administrator would, and returns the last non-empty
    /// line of its output (the invitation link, a client's secret). Panics when it fails.
    pub async fn cli(&self, args: &[&str]) -> String {
        // Async: the SMTP sink receiving an invitation runs on this test's runtime.
        let out = tokio::process::Command::new(server_bin())
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .await
            .expect("the server binary runs");
        assert!(
            out.status.success(),
            "partner-login-server {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_else(|| panic!("partner-login-server {} printed nothing", args.join(" ")))
            .trim()
            .to_owned()
    }

    /// Registers an OpenID client (`partner-login-server client add --id ID …`, with the
    /// other options in `args`) and returns its secret, printed alone on the last line
    /// (a public client, `--public`, has none: `None`).
    pub async fn add_client(&self, id: &str, args: &[&str]) -> Option<String> {
        let mut all = vec!["client", "add", "--id", id];
        all.extend_from_slice(args);
        let last = self.cli(&all).await;
        (!args.contains(&"--public")).then_some(last)
    }

    /// The issuer of the server's OpenID Provider (`{PUBLIC_URL}/api` unless `ISSUER_URL`
    /// or `API_PUBLIC_URL` is set).
    pub fn issuer(&self) -> String {
        let var = |name: &str| {
            self.env
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim_end_matches('/').to_owned())
        };
        var("ISSUER_URL")
            .or_else(|| var("API_PUBLIC_URL"))
            .or_else(|| var("PUBLIC_URL").map(|url| format!("{url}/api")))
            .unwrap_or_else(|| format!("{}/api", self.url))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
