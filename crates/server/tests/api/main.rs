//! The server's integration tests: one binary, a module per flow. Every test runs twice, on
//! SQLite and on a throwaway PostgreSQL cluster, against the real app on a loopback port, with
//! mail going to a real SMTP sink.
#![allow(clippy::unwrap_used)]

mod helpers;

mod active_sessions;
mod admin;
mod architecture;
mod bounds;
mod concurrency;
mod cross_origin;
mod flood;
mod invitations;
mod limits;
mod load;
mod lockout;
mod mail;
mod meta;
mod openapi;
mod openid;
mod operating;
mod passkeys;
mod password_reset;
mod proxies;
mod second_factors;
mod security_doc;
mod security_log;
mod session;
mod signup;
mod social;
mod static_files;
