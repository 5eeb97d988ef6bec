//! The pure argon2id rate: the server's own password check ([`Passwords::verify_with`]) on
//! every core, each thread with its own memory: no HTTP, no database, no queue.

use partner_login_server::domain::passwords::{HashCost, Passwords};
use std::time::{Duration, Instant};

/// The pure rate: verifications per second over every thread, and the CPU each took.
pub struct Pure {
    pub per_second: f64,
    /// CPU milliseconds per verification (this process's user + system time over the run,
    /// divided by the verifications): what argon2 alone costs, even when other work on the
    /// machine takes cores from the run.
    pub cpu_ms_each: f64,
    /// The verifications done and this process's CPU seconds over the run (to pool rounds).
    pub verifications: u64,
    pub cpu_seconds: f64,
}

/// Password verifications per second over `threads` threads for `duration`.
pub async fn rate(cost: HashCost, threads: usize, duration: Duration) -> Result<Pure, String> {
    tokio::task::spawn_blocking(move || {
        let passwords = Passwords::new(cost).map_err(|e| e.to_string())?;
        let stored = passwords
            .hash_with("river mango lantern 42", &mut passwords.memory())
            .map_err(|e| e.to_string())?;
        let cpu_before = crate::memory::cpu_seconds(None)?;
        let started = Instant::now();
        let total: u64 = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut memory = passwords.memory();
                        let mut done = 0u64;
                        while started.elapsed() < duration {
                            let check = passwords.verify_with(
                                "river mango lantern 42",
                                Some(&stored),
                                &mut memory,
                            );
                            assert!(check.ok);
                            done += 1;
                        }
                        done
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
        });
        let seconds = started.elapsed().as_secs_f64();
        let cpu = crate::memory::cpu_seconds(None)? - cpu_before;
        Ok(Pure {
            per_second: total as f64 / seconds,
            cpu_ms_each: cpu * 1000.0 / total.max(1) as f64,
            verifications: total,
            cpu_seconds: cpu,
        })
    })
    .await
    .map_err(|e| e.to_string())?
}
