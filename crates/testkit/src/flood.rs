//! The flood scenario of issue 19 (defect 2), shared by the server's flood test (which asserts
//! correctness and a memory bound) and `cargo xtask bench` (which reports latency): one client
//! address floods sign-ins with large bodies, over-long passwords and wrong passwords while a
//! second address signs in with the right password, one sign-in after another.
//!
//! Two client addresses on one machine: the flooder's connections come from 127.0.0.1 and the
//! other's from 127.0.0.2 (Linux routes all of 127/8 to the loopback interface).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CSRF: (&str, &str) = ("x-requested-with", "partner-login");

/// What to flood and for how long.
pub struct Flood {
    /// The server, `http://127.0.0.1:<port>`.
    pub base: String,
    /// The second client's account (signed up beforehand) and its password.
    pub email: String,
    pub password: String,
    pub duration: Duration,
    /// Requests the flooder keeps in flight.
    pub flooders: usize,
    /// The server's body limit (`MAX_BODY_BYTES`): the flood sends bodies just under it and
    /// over it.
    pub max_body: usize,
}

/// What each side was answered.
#[derive(Debug, Default)]
pub struct FloodReport {
    /// The flooder's answers by status (`"error"`: the connection ended without one, as when a
    /// server refuses a body it will not read).
    pub flooder: BTreeMap<String, u64>,
    /// The second client's answers by status.
    pub other: BTreeMap<String, u64>,
    /// The second client's sign-in times, in milliseconds, sorted.
    pub other_ms: Vec<f64>,
}

impl FloodReport {
    /// The `q`-th percentile of the second client's sign-in times, in milliseconds.
    pub fn other_percentile_ms(&self, q: usize) -> f64 {
        let n = self.other_ms.len();
        self.other_ms
            .get((n * q / 100).min(n.saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    }
}

fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(source.parse::<IpAddr>().ok())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a client")
}

/// The flooder's `i`-th body: a wrong sign-in padded to just under the limit, a body well over
/// it (valid JSON: a 1.5 MiB password), a password over the policy's maximum, or a plain wrong
/// password (each of an address of no account: no account is locked by the flood).
fn flood_body(i: u64, max_body: usize) -> String {
    let email = format!("flood{i}@example.org");
    match i % 4 {
        0 => {
            let head = format!(r#"{{"email":"{email}","password":"{}"}}"#, "w".repeat(256));
            let pad = max_body.saturating_sub(head.len() + 16);
            format!("{head}{}", " ".repeat(pad))
        }
        1 => format!(
            r#"{{"email":"{email}","password":"{}"}}"#,
            "o".repeat(3 * 512 * 1024)
        ),
        2 => format!(
            r#"{{"email":"{email}","password":"{}"}}"#,
            "l".repeat(10_000)
        ),
        _ => format!(r#"{{"email":"{email}","password":"wrong guess {i}"}}"#),
    }
}

/// Runs the flood; returns when both sides are done.
pub async fn run(flood: &Flood) -> FloodReport {
    let url = format!("{}/api/session", flood.base);
    let deadline = Instant::now() + flood.duration;
    let flooder = client_from("127.0.0.1");
    let tally = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..flood.flooders {
        let (client, url, tally, next) =
            (flooder.clone(), url.clone(), tally.clone(), next.clone());
        let max_body = flood.max_body;
        workers.spawn(async move {
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let answer = client
                    .post(&url)
                    .header(CSRF.0, CSRF.1)
                    .header("content-type", "application/json")
                    .body(flood_body(i, max_body))
                    .send()
                    .await;
                let key = match answer {
                    Ok(response) => {
                        let status = response.status().as_u16().to_string();
                        // Read the answer whole, as a browser would.
                        let _ = response.bytes().await;
                        status
                    }
                    Err(_) => "error".to_owned(),
                };
                *tally.lock().expect("tally").entry(key).or_default() += 1;
            }
        });
    }
    let other = client_from("127.0.0.2");
    let mut report = FloodReport::default();
    let body = format!(
        r#"{{"email":"{}","password":"{}"}}"#,
        flood.email, flood.password
    );
    while Instant::now() < deadline {
        let sent = Instant::now();
        let answer = other
            .post(&url)
            .header(CSRF.0, CSRF.1)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        let key = match answer {
            Ok(response) => {
                let status = response.status().as_u16().to_string();
                let _ = response.bytes().await;
                status
            }
            Err(_) => "error".to_owned(),
        };
        report.other_ms.push(sent.elapsed().as_secs_f64() * 1000.0);
        *report.other.entry(key).or_default() += 1;
    }
    while workers.join_next().await.is_some() {}
    report.other_ms.sort_by(f64::total_cmp);
    report.flooder = std::mem::take(&mut *tally.lock().expect("tally"));
    report
}

/// A field of `/proc/<pid>/status` in KiB (`"VmHWM:"`, the peak resident memory; `"VmRSS:"`).
pub fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
