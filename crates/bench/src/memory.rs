//! The server's resident memory, from `/proc/<pid>/status` (Linux).

use serde::Serialize;
use std::time::Duration;

#[derive(Serialize)]
pub struct Figures {
    /// VmRSS once started and settled, before any load.
    pub idle_kib: u64,
    /// VmHWM: the highest VmRSS of the server's life, after all the load.
    pub peak_kib: u64,
    /// VmRSS settled again after the load.
    pub idle_after_load_kib: u64,
}

fn status_field(pid: u32, field: &str) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status"))
}

/// VmRSS after it stopped moving (two readings 500 ms apart within 1 %), in KiB.
pub async fn settled_rss_kib(pid: u32) -> Result<u64, String> {
    let mut last = status_field(pid, "VmRSS:")?;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = status_field(pid, "VmRSS:")?;
        if now.abs_diff(last) * 100 <= last {
            return Ok(now);
        }
        last = now;
    }
    Ok(last)
}

pub fn peak_rss_kib(pid: u32) -> Result<u64, String> {
    status_field(pid, "VmHWM:")
}
