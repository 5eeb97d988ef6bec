//! Real test infrastructure, shared by the server's integration tests and the end-to-end tests:
//! an SMTP server on loopback that keeps what it receives, throwaway PostgreSQL clusters, a real SMTP relay with TLS and AUTH
//! (aiosmtpd), a reverse proxy (nginx), a real OpenID provider, and a real OpenID relying party (for our own
//! provider).

mod aiosmtpd;
pub mod flood;
mod nginx;
mod oidc;
mod port;
mod postgres;
mod rp;
mod smtp;
pub mod totp;

pub use aiosmtpd::{RelayCertificates, RelayTls, TlsRelay, RELAY_PASSWORD, RELAY_USER};
pub use nginx::{Forwarded, Nginx};
pub use oidc::{OidcClient, OidcProvider};
pub use port::free_port;
pub use postgres::Postgres;
pub use rp::{RelyingPartyUrls, TestRelyingParty};
pub use smtp::{Message, SmtpSink};
