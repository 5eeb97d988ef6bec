//! The client's address, as the anti-automation limits count it (`domain::limits`, OWASP ASVS
//! 5.0 V2.4.1): the TCP peer, or behind a trusted reverse proxy (`TRUSTED_PROXIES`) the client
//! `X-Forwarded-For` names (the rules are in `proxies`), as a key: an IPv4 address or an IPv6
//! /64.

use crate::config::Config;
use crate::proxies::{self, Cidr};
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The client address of a request (an extractor): the key every per-client limit counts under.
pub struct ClientAddress(pub String);

/// The client key of a request from `peer` with these headers, and the peer's address (both
/// are logged, ASVS 5.0 V16.2.1).
pub fn resolve(peer: SocketAddr, headers: &HeaderMap, trusted: &[Cidr]) -> (String, IpAddr) {
    let forwarded_for = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|value| value.as_bytes());
    let client = proxies::client(peer.ip(), forwarded_for, trusted);
    (proxies::key(client), proxies::canonical(peer.ip()))
}

impl FromRef<AppState> for Arc<Config> {
    fn from_ref(state: &AppState) -> Self {
        state.config.clone()
    }
}

impl<S> FromRequestParts<S> for ClientAddress
where
    S: Send + Sync,
    Arc<Config>: FromRef<S>,
{
    type Rejection = <ConnectInfo<SocketAddr> as FromRequestParts<S>>::Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state).await?;
        let config = Arc::<Config>::from_ref(state);
        let (client, _) = resolve(peer, &parts.headers, &config.trusted_proxies);
        Ok(Self(client))
    }
}
