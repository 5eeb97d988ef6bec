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

/// CPU time (user + system) a process has used, in seconds, from `/proc/<pid>/stat` (fields 14
/// and 15, in clock ticks of 1/100 s, Linux's USER_HZ); `None` is this process.
pub fn cpu_seconds(pid: Option<u32>) -> Result<f64, String> {
    let path = pid.map_or("/proc/self/stat".to_owned(), |p| format!("/proc/{p}/stat"));
    let stat = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => Ok((user + system) as f64 / 100.0),
        _ => Err(format!("{path}: no utime/stime")),
    }
}

#[cfg(test)]
mod tests {
    /// The count follows the CPU this process burns. It spins until the count has risen by
    /// 0.2 s, for at most 20 s of wall time: 300 ms of wall time, as it once spun, is not
    /// 0.2 s of CPU on a loaded machine (it failed with `0 -> 0.14` beside other builds).
    #[test]
    fn this_process_has_used_some_cpu() {
        let before = super::cpu_seconds(None).unwrap();
        let mut x = 0u64;
        let started = std::time::Instant::now();
        let mut after = before;
        while after - before < 0.2 {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "{before} -> {after} after spinning {:?}",
                started.elapsed()
            );
            for _ in 0..1_000_000 {
                x = x.wrapping_mul(31).wrapping_add(1);
            }
            after = super::cpu_seconds(None).unwrap();
        }
        std::hint::black_box(x);
    }
}
