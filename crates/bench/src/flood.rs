//! The flood of issue 19 (defect 2) on the release server at its defaults, except the
//! flooder's hour caps, lifted so that it keeps hashing the whole time (the worst case):
//! one address floods (`partner_login_testkit::flood`), a second signs in one sign-in after
//! another; its latency and the server's memory are what this reports.

use crate::{flows, memory, server};
use partner_login_server::domain::passwords::HashCost;
use partner_login_testkit::flood::{self, Flood};
use partner_login_testkit::SmtpSink;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Requests the flooder keeps in flight.
const FLOODERS: usize = 32;
/// The server's default body limit (`MAX_BODY_BYTES`).
const MAX_BODY: usize = 64 * 1024;

#[derive(Serialize)]
pub struct Figures {
    pub seconds: f64,
    pub flooders: usize,
    pub flooder_statuses: BTreeMap<String, u64>,
    pub other_statuses: BTreeMap<String, u64>,
    /// The second client's sign-ins under the flood.
    pub other_p50_ms: f64,
    pub other_p99_ms: f64,
    /// The same sign-ins with no flood, just before.
    pub quiet_p50_ms: f64,
    pub quiet_p99_ms: f64,
    pub warm_kib: u64,
    pub peak_kib: u64,
}

pub async fn run(binary: &Path, sink: &SmtpSink, duration: Duration) -> Result<Figures, String> {
    let server = server::Server::start_with(
        binary,
        &sink.url(),
        HashCost::default(),
        &[
            ("SIGN_IN_FAILURES_PER_CLIENT_HOUR", "1000000000"),
            ("SIGN_INS_PER_CLIENT_HOUR", "1000000000"),
            ("PASSWORD_HASHES_IN_FLIGHT_PER_CLIENT", "4"),
        ],
    )?;
    // The second client's account, made from another address than the flood's.
    let accounts = flows::create_accounts(&server.url, sink, 1).await?;
    let flood_of = |flooders: usize, duration: Duration| Flood {
        base: server.url.clone(),
        email: accounts[0].email.clone(),
        password: flows::PASSWORD.into(),
        duration,
        flooders,
        max_body: MAX_BODY,
    };
    let quiet = flood::run(&flood_of(0, Duration::from_secs(3))).await;
    let warm_kib = memory::settled_rss_kib(server.pid()).await?;
    let flooded = flood::run(&flood_of(FLOODERS, duration)).await;
    let peak_kib = memory::peak_rss_kib(server.pid())?;
    Ok(Figures {
        seconds: duration.as_secs_f64(),
        flooders: FLOODERS,
        other_p50_ms: flooded.other_percentile_ms(50),
        other_p99_ms: flooded.other_percentile_ms(99),
        quiet_p50_ms: quiet.other_percentile_ms(50),
        quiet_p99_ms: quiet.other_percentile_ms(99),
        flooder_statuses: flooded.flooder,
        other_statuses: flooded.other,
        warm_kib,
        peak_kib,
    })
}
