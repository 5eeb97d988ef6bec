//! The flood test of issue 19 (defect 2; OWASP ASVS 5.0 V2.4.1): one client address floods
//! sign-ins with bodies just under and over the body limit, over-long passwords and wrong
//! passwords (`partner_login_testkit::flood`), while a second address signs in with the right
//! password, one sign-in after another. The server is the real binary in a process of its own,
//! so that its memory can be read (`/proc/PID/status`). Asserted: every sign-in of the second
//! client succeeds, the flooder gets no answer but the bounded ones (401 wrong, 413 too large,
//! 422 too long, 429 capped, 503 busy), and the server's peak resident memory stays under the
//! bound stated at [`memory_bound_kib`]. No latency is asserted: `cargo xtask bench` measures the
//! second client's p50/p99 under the same flood.
//!
//! FLOOD_TEST_SECONDS (10 by default) lengthens the flood.

use partner_login_testkit::flood::{self, Flood};
use partner_login_testkit::SmtpSink;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PASSWORD: &str = "river mango lantern 42";
const MAX_BODY: usize = 64 * 1024;
/// Requests the flooder keeps in flight.
const FLOODERS: usize = 16;
const HASH_MEMORY_KIB: u64 = 19 * 1024;

/// The server binary, started with `env`, killed when dropped.
struct Server {
    child: Child,
    url: String,
    _data: tempfile::TempDir,
}

impl Server {
    fn start(env: &[(&str, String)]) -> Self {
        let data = tempfile::tempdir().unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_partner-login-server"));
        command
            .arg("serve")
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env(
                "DATABASE_URL",
                format!(
                    "sqlite://{}?mode=rwc",
                    data.path().join("flood.db").display()
                ),
            )
            .env("STATIC_DIR", data.path().join("no-spa"))
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("the server listens").unwrap();
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().trim_end_matches('/').to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Self {
            child,
            url,
            _data: data,
        }
    }

    fn kib(&self, field: &str) -> u64 {
        flood::proc_status_kib(self.child.id(), field).expect("/proc/PID/status")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The stated bound on the server's peak resident memory, from its resident memory once warm
/// (started, one sign-up and a few sign-ins done, one after another: the common-password list
/// loaded, one hashing buffer of `m` in the pool):
///
/// - `(cores - 1) × m`: the argon2 memory of one hash per core is the most the hashing pool
///   ever holds (`domain::passwords`), whatever the flood; one buffer is already in `warm`;
/// - `(FLOODERS + 1) × 4 × MAX_BODY`: each request in flight holds at most its body (refused
///   past `MAX_BODY_BYTES` before it is read), the strings parsed from it and hyper's buffers;
/// - 16 MiB for what a busy server grows by beside the work: more runtime and blocking threads
///   (stacks touched), connection state, the allocator's per-thread arenas and fragmentation.
///
/// Without the bounds (before issue 19), the flood's 1.5 MiB bodies were read, parsed and
/// queued for hashing without limit, each waiting request holding copies of its body: the peak
/// went 57 MiB over `warm` on 2 cores, over this bound (34 MiB over `warm` on 2 cores).
fn memory_bound_kib(warm_kib: u64) -> u64 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let bodies = (FLOODERS as u64 + 1) * 4 * MAX_BODY as u64 / 1024;
    warm_kib + (cores - 1) * HASH_MEMORY_KIB + bodies + 16 * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_client_leaves_another_signing_in_within_a_memory_bound() {
    let seconds: u64 = std::env::var("FLOOD_TEST_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let sink = SmtpSink::start().await;
    // The flooder's hour caps are lifted so that it keeps the hashing pool busy for the whole
    // flood (the worst case: its caps are generous for offices behind one NAT address); the
    // queue and the in-flight share per client keep their defaults.
    let server = Server::start(&[
        ("SMTP_URL", sink.url()),
        ("PASSWORD_HASH_MEMORY_KIB", HASH_MEMORY_KIB.to_string()),
        ("SIGN_IN_FAILURES_PER_CLIENT_HOUR", "1000000000".into()),
        ("SIGN_INS_PER_CLIENT_HOUR", "1000000000".into()),
        ("MAX_BODY_BYTES", MAX_BODY.to_string()),
    ]);
    let email = "amina@example.org";
    sign_up(&server.url, &sink, email).await;
    let report = flood::run(&Flood {
        base: server.url.clone(),
        email: email.into(),
        password: PASSWORD.into(),
        duration: Duration::from_secs(1),
        flooders: 0,
        max_body: MAX_BODY,
    })
    .await;
    assert_eq!(
        report.other.keys().collect::<Vec<_>>(),
        ["200"],
        "{report:?}"
    );
    let warm = server.kib("VmRSS:");

    let report = flood::run(&Flood {
        base: server.url.clone(),
        email: email.into(),
        password: PASSWORD.into(),
        duration: Duration::from_secs(seconds),
        flooders: FLOODERS,
        max_body: MAX_BODY,
    })
    .await;
    let peak = server.kib("VmHWM:");
    let bound = memory_bound_kib(warm);
    println!(
        "flood ({seconds} s, {FLOODERS} in flight): flooder {:?}; other client {:?}, \
         p50 {:.0} ms, p99 {:.0} ms; server memory warm {} MiB, peak {} MiB, bound {} MiB",
        report.flooder,
        report.other,
        report.other_percentile_ms(50),
        report.other_percentile_ms(99),
        warm / 1024,
        peak / 1024,
        bound / 1024
    );
    let other_sign_ins: u64 = report.other.values().sum();
    assert!(other_sign_ins > 0);
    assert_eq!(
        report.other.get("200"),
        Some(&other_sign_ins),
        "every sign-in of the other client succeeded: {:?}",
        report.other
    );
    for status in report.flooder.keys() {
        assert!(
            ["401", "413", "422", "429", "503", "error"].contains(&status.as_str()),
            "the flooder was answered {status}: {:?}",
            report.flooder
        );
    }
    assert!(
        report.flooder.contains_key("413") || report.flooder.contains_key("error"),
        "bodies over the limit were refused: {:?}",
        report.flooder
    );
    assert!(report.flooder.contains_key("422"), "{:?}", report.flooder);
    assert!(
        peak <= bound,
        "peak resident memory {peak} KiB over the bound {bound} KiB (warm: {warm} KiB)"
    );
}

/// Signs `email` up through the whole flow, from the second client's address.
async fn sign_up(base: &str, sink: &SmtpSink, email: &str) {
    let client = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().ok())
        .build()
        .unwrap();
    let post = |path: String, body: serde_json::Value| {
        client
            .post(format!("{base}/api{path}"))
            .header("x-requested-with", "partner-login")
            .json(&body)
            .send()
    };
    let flow: serde_json::Value = post("/signup".into(), serde_json::json!({"email": email}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let flow = flow["flow_id"].as_str().unwrap().to_owned();
    let code = sink.wait_for(email, Duration::from_secs(20)).await.code();
    let verified = post(
        format!("/signup/{flow}/verify"),
        serde_json::json!({"code": code}),
    )
    .await
    .unwrap();
    assert_eq!(verified.status(), 200);
    let created = post(
        format!("/signup/{flow}/complete"),
        serde_json::json!({"password": PASSWORD, "password_confirmation": PASSWORD,
            "display_name": "Amina D.", "given_name": "Amina", "surname": "Diallo"}),
    )
    .await
    .unwrap();
    assert_eq!(created.status(), 201);
}
