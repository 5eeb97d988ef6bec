//! Free loopback ports for the processes the tests start (the server, the OpenID provider,
//! PostgreSQL, nginx), which must be told their port before they bind it.
//!
//! A port the kernel hands out for `bind(0)` lies in its ephemeral range, the range it also
//! gives every outgoing connection its local port from: between the moment a test learns such a
//! port and the moment its child binds it, a browser's or a database client's connection could
//! take it, and the child would fail with "Address already in use" (seen once in a CI run: a
//! server of the e2e tests exited 173 ms after its start). So the port is picked below the
//! ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`), where the kernel never assigns
//! one by itself, at random, and checked free by binding it.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::TcpListener;

/// The lowest port picked: above the well-known and most registered services' ports.
const LOWEST: u16 = 20_000;

/// A free TCP port on loopback, below the kernel's ephemeral range when it can be read; a port
/// the kernel chooses otherwise.
pub fn free_port() -> u16 {
    let below = ephemeral_start().filter(|start| *start > LOWEST + 1_000);
    if let Some(start) = below {
        for _ in 0..200 {
            let port = LOWEST + (random() % u64::from(start - LOWEST)) as u16;
            if TcpListener::bind(("127.0.0.1", port)).is_ok() {
                return port;
            }
        }
    }
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The first port of the kernel's ephemeral range (Linux), if it can be read.
fn ephemeral_start() -> Option<u16> {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A random number from the standard library's per-process random hash keys.
fn random() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_is_free_and_below_the_ephemeral_range() {
        let port = free_port();
        assert!(TcpListener::bind(("127.0.0.1", port)).is_ok());
        if let Some(start) = ephemeral_start() {
            assert!((LOWEST..start).contains(&port), "{port} not below {start}");
        }
    }
}
