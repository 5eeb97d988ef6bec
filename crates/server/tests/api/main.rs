//! The server's integration tests: one binary, a module per flow. Every test runs twice, on
//! SQLite and on a throwaway PostgreSQL cluster, against the real app on a loopback port, with
//! mail going to a real SMTP sink.
#![allow(clippy::unwrap_used)]

mod helpers;

mod architecture;
mod bounds;
mod concurrency;
mod cross_origin;
mod flood;
mod invitations;
mod limits;
mod load;
mod lockout;
mod meta;
mod openapi;
mod openid;
mod password_reset;
mod security_log;
mod session;
mod signup;
mod social;
mod static_files;
