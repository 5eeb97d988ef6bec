//! The pure argon2id rate: the server's own password check ([`Passwords::verify_with`]) on
//! every core, each thread with its own memory: no HTTP, no database, no queue.

use partner_login_server::domain::passwords::{HashCost, Passwords};
use std::time::{Duration, Instant};

/// Password verifications per second over `threads` threads for `duration`.
pub async fn rate(cost: HashCost, threads: usize, duration: Duration) -> Result<f64, String> {
    tokio::task::spawn_blocking(move || {
        let passwords = Passwords::new(cost).map_err(|e| e.to_string())?;
        let stored = passwords
            .hash_with("river mango lantern 42", &mut passwords.memory())
            .map_err(|e| e.to_string())?;
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
        Ok(total as f64 / started.elapsed().as_secs_f64())
    })
    .await
    .map_err(|e| e.to_string())?
}
