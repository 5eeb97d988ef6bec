//! The API against its own OpenAPI document: the debug server binary on a free loopback port
//! with a fresh SQLite file and the development outbox, and schemathesis (from PyPI, in
//! `tools/venv`, see `setup.rs`) generating requests from `/api/openapi.json` and checking
//! every answer: no 5xx, only documented status codes, content types, headers and bodies,
//! schema-invalid requests refused, and the stateful checks along the document's links.

use crate::cmd::{self, command, Result};
use crate::timing::Timings;
use crate::{serve, setup};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Stdio};

/// Test cases per operation and phase: enough to find a missing status code, small enough to
/// take well under a minute on two cores.
const MAX_EXAMPLES: &str = "25";
/// A fixed seed, so that a failure in CI is the same failure locally (`--seed` of the report).
const SEED: &str = "20250101";

/// The server, killed when dropped (also when a step in between fails).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What schemathesis reported: test cases generated, and whether it passed.
pub struct Outcome {
    pub cases: Option<u64>,
    pub summary: String,
}

/// `cargo xtask schemathesis`: builds the debug server, then [`run_with`] it.
pub fn run(timings: &mut Timings) -> Result<Outcome> {
    timings.time("schemathesis: server binary", || {
        cmd::run(command("cargo", &["build", "-p", "partner-login-server"]))
    })?;
    run_with(
        &cmd::root().join("target/debug/partner-login-server"),
        timings,
    )
}

/// Schemathesis against the server binary `bin` (`cargo xtask test` passes the one its tests
/// were compiled with).
pub fn run_with(bin: &std::path::Path, timings: &mut Timings) -> Result<Outcome> {
    let started = std::time::Instant::now();
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let admin_token = format!("schemathesis-{}-{port}", std::process::id());
    let log_path = work.path().join("server.log");
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let mut child = command(&bin.to_string_lossy(), &["serve"])
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("PUBLIC_URL", &url)
        .env(
            "DATABASE_URL",
            format!(
                "sqlite://{}?mode=rwc",
                work.path().join("schemathesis.db").display()
            ),
        )
        .env("STATIC_DIR", work.path().join("no-spa"))
        // Authenticator apps on, so that their routes answer what they document.
        .env("MFA_ENCRYPTION_KEY_FILE", serve::dev_mfa_key(work.path())?)
        // The admin API is on, so that its operation is reached with the token below.
        .env("ADMIN_TOKEN", &admin_token)
        // Mail goes to the development outbox (no SMTP_URL), which must be asked for.
        .env_remove("SMTP_URL")
        .env("DEV_MAILBOX", "true")
        // A cheap argon2id: the debug build hashes on every sign-up and sign-in attempt.
        .env("PASSWORD_HASH_MEMORY_KIB", "1024")
        .env("PASSWORD_HASH_ITERATIONS", "1")
        // Every request comes from one address: lift the per-address caps, so that the
        // generated requests reach the flows instead of a 429 (which is documented anyway).
        .env("CODE_SENDS_PER_CLIENT_HOUR", "1000000000")
        .env("CODE_CHECKS_PER_CLIENT_HOUR", "1000000000")
        .env("INVITATIONS_PER_CLIENT_HOUR", "1000000000")
        .env("SOCIAL_STARTS_PER_CLIENT_HOUR", "1000000000")
        .env("SIGN_IN_FAILURES_PER_CLIENT_HOUR", "1000000000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let (listening, lines) = serve::wait_until_listening(&mut child, false)?;
    let _server = Server(child);
    std::thread::spawn(move || for _ in lines.map_while(std::result::Result::ok) {});
    eprintln!("schemathesis: the server is listening on {listening}");

    let schema = format!("{url}/api/openapi.json");
    let csrf = format!(
        "{}: {}",
        partner_login_csrf::HEADER,
        partner_login_csrf::VALUE
    );
    let authorization = format!("Authorization: Bearer {admin_token}");
    let st = setup::schemathesis_bin();
    let mut run = command(
        &st.to_string_lossy(),
        &[
            "run",
            &schema,
            "--checks",
            "all",
            // Positive-data acceptance expects every schema-valid body to be accepted, but the
            // acceptance rules (an email address's shape, the password policy, names without
            // control characters, a six-digit code, a flow that exists) live in the contract
            // crate's `parse` functions, which a JSON Schema cannot state: `{"email": ""}` is
            // a schema-valid string and is rightly refused with 422 `required`.
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            MAX_EXAMPLES,
            // One worker: with two threads, CPython 3.11's `ast.parse` (hypothesis describing a
            // filter's lambda) fails now and then with "AST constructor recursion depth
            // mismatch" (CPython gh-106905, a race in the interpreter, not in the API); it failed
            // the suite twice in two sessions. One worker ran the same cases in 19 s, not 23.
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--seed",
            SEED,
            "-H",
            &csrf,
            "-H",
            &authorization,
        ],
    );
    // Schemathesis keeps its example database in the working folder: the temporary one.
    run.current_dir(work.path()).env("NO_COLOR", "1");
    let outcome = run_and_summarise(run);
    timings.record("schemathesis: run", started.elapsed(), outcome.is_ok());
    if outcome.is_err() {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        if !tail.is_empty() {
            eprintln!("--- the server's last log lines:");
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
        }
    }
    outcome
}

/// Runs schemathesis, echoing its output, and reads its `Test cases:` summary
/// (`378 generated, 378 passed` or `378 generated, 24 found 24 unique failures`).
fn run_and_summarise(mut run: std::process::Command) -> Result<Outcome> {
    eprintln!("$ {run:?}");
    let mut child = run
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start schemathesis: {e}"))?;
    let mut summary = String::new();
    let mut in_cases = false;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::io::Result::ok)
        {
            println!("{line}");
            if line.trim() == "Test cases:" {
                in_cases = true;
            } else if in_cases && !line.trim().is_empty() {
                summary = line.trim().to_owned();
                in_cases = false;
            }
        }
    }
    let cases = summary
        .split_whitespace()
        .next()
        .and_then(|n| n.parse::<u64>().ok());
    let status = child.wait().map_err(|e| e.to_string())?;
    let summary = format!(
        "schemathesis: {} ({status})",
        if summary.is_empty() {
            "no summary"
        } else {
            &summary
        }
    );
    eprintln!("{summary}");
    if status.success() {
        Ok(Outcome { cases, summary })
    } else {
        Err(summary)
    }
}

/// The CSRF header of `crates/contract/src/api.rs` (`CSRF_HEADER`, `CSRF_HEADER_VALUE`); xtask
/// does not depend on the contract crate, so a test of the contract's values is what keeps the
/// two equal (see `csrf_header_matches_the_contract`).
mod partner_login_csrf {
    pub const HEADER: &str = "x-requested-with";
    pub const VALUE: &str = "partner-login";
}

#[cfg(test)]
mod tests {
    #[test]
    fn csrf_header_matches_the_contract() {
        let api =
            std::fs::read_to_string(crate::cmd::root().join("crates/contract/src/api.rs")).unwrap();
        assert!(api.contains(&format!(
            "pub const CSRF_HEADER: &str = \"{}\";",
            super::partner_login_csrf::HEADER
        )));
        assert!(api.contains(&format!(
            "pub const CSRF_HEADER_VALUE: &str = \"{}\";",
            super::partner_login_csrf::VALUE
        )));
    }
}
