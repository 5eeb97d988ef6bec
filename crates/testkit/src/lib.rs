//! Real test infrastructure, shared by the server's integration tests and the end-to-end tests:
//! an SMTP server on loopback that keeps what it receives, and throwaway PostgreSQL clusters.

mod postgres;
mod smtp;

pub use postgres::Postgres;
pub use smtp::{Message, SmtpSink};
