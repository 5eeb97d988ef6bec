//! Real test infrastructure, shared by the server's integration tests and the end-to-end tests:
//! an SMTP server on loopback that keeps what it receives, throwaway PostgreSQL clusters, and a
//! real OpenID provider.

mod oidc;
mod postgres;
mod smtp;

pub use oidc::{free_port, OidcClient, OidcProvider};
pub use postgres::Postgres;
pub use smtp::{Message, SmtpSink};
