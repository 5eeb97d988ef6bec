//! Who the client is behind reverse proxies (OWASP ASVS 5.0 V2.4.1: the anti-automation limits
//! must count per real client, not per load balancer), as pure functions: the networks of
//! `TRUSTED_PROXIES` ([`Cidr`]), the walk of `X-Forwarded-For` ([`client`]) and the key the
//! limits count under ([`key`]).
//!
//! The rules:
//! - Only when the TCP peer is in a trusted network is `X-Forwarded-For` read at all; otherwise
//!   the peer is the client and every forwarded header is ignored (a client can write anything
//!   there).
//! - The header is read from the RIGHT (each proxy appends the address it received the request
//!   from): past every trusted hop, the first untrusted address is the client. Entries further
//!   left were written by the client and are never used. If every entry is trusted, the
//!   leftmost is the client.
//! - Several `X-Forwarded-For` header lines are one list, in their order.
//! - An entry that is not an IP address (garbage, `unknown`, an obfuscated identifier, an
//!   address with a zone) ends the walk: the client is the nearest trusted hop, the one that
//!   passed the garbage on. Attacker-supplied text never becomes a key.
//! - Entries may carry a port (`192.0.2.1:5678`, `[2001:db8::1]:443`); it is dropped.
//! - IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are IPv4 addresses.
//! - An IPv6 client is counted by its /64 (`2001:db8:1:2::/64`): one subscriber line gets a
//!   whole /64 and may change the rest at will.
//! - The walk stops after [`MAX_HOPS`] entries (the nearest trusted hop is then the client), so
//!   a header's length bounds the work (and hyper bounds the header).
//!
//! Only `X-Forwarded-For` is read, never RFC 7239 `Forwarded`: proxies append to one of them and
//! pass the other on as the client sent it (nginx's `$proxy_add_x_forwarded_for` leaves a
//! client's `Forwarded` untouched), so reading both would let a client choose its own address.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The most `X-Forwarded-For` entries read, from the right.
pub const MAX_HOPS: usize = 32;

/// One network of `TRUSTED_PROXIES`: `10.0.0.0/8`, `2001:db8::/32`, or one address
/// (`192.0.2.7` is `192.0.2.7/32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `ip` (IPv4-mapped IPv6 read as IPv4) is in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        ip.is_ipv4() == self.network.is_ipv4() && masked(ip, self.prefix) == self.network
    }
}

impl FromStr for Cidr {
    type Err = String;

    /// Refuses anything but `address[/prefix]`, and a network with bits set past its prefix
    /// (`10.0.0.1/8` is a typo for `10.0.0.0/8` or for `10.0.0.1/32`: the operator says which).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().map_err(|_| {
            format!("`{text}` is not an IP network such as 10.0.0.0/8, 2001:db8::/32 or 192.0.2.7")
        })?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|n| p.bytes().all(|b| b.is_ascii_digit()) && *n <= max)
                .ok_or_else(|| {
                    format!("`{text}`: the prefix length must be a number from 0 to {max}")
                })?,
        };
        let expected = masked(network, prefix);
        if expected != network {
            return Err(format!(
                "`{text}` has bits set after its /{prefix} prefix: write {expected}/{prefix} (the \
                 network) or {network} (the one address)"
            ));
        }
        // `::ffff:10.0.0.0/104` is `10.0.0.0/8`: addresses are matched as IPv4.
        Ok(match network {
            IpAddr::V6(v6) if prefix >= 96 => match v6.to_ipv4_mapped() {
                Some(v4) => Self {
                    network: IpAddr::V4(v4),
                    prefix: prefix - 96,
                },
                None => Self { network, prefix },
            },
            _ => Self { network, prefix },
        })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The networks of `TRUSTED_PROXIES`: comma-separated [`Cidr`]s (empty entries ignored, so an
/// empty setting trusts nobody).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.split(',')
            .filter(|entry| !entry.trim().is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl std::ops::Deref for TrustedProxies {
    type Target = [Cidr];

    fn deref(&self) -> &[Cidr] {
        &self.0
    }
}

/// `ip` with the bits after `prefix` cleared.
fn masked(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is; any other address unchanged.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

fn trusted(ip: IpAddr, proxies: &[Cidr]) -> bool {
    proxies.iter().any(|cidr| cidr.contains(ip))
}

/// One `X-Forwarded-For` entry: an address, with or without a port; `None` for anything else.
fn entry(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        let port_ok = after.is_empty()
            || after
                .strip_prefix(':')
                .is_some_and(|port| port.parse::<u16>().is_ok() && !port.starts_with('+'));
        return port_ok
            .then(|| v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6))
            .flatten();
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    // `192.0.2.1:5678`: a bare IPv6 address cannot carry a port without brackets.
    let (v4, port) = text.rsplit_once(':')?;
    (port.parse::<u16>().is_ok() && !port.starts_with('+'))
        .then(|| v4.parse::<Ipv4Addr>().ok().map(IpAddr::V4))
        .flatten()
}

/// The client of a request that came from `peer` with these `X-Forwarded-For` header lines (in
/// their order), given the trusted proxies' networks: see the module's rules.
pub fn client<'a>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = &'a [u8]>,
    proxies: &[Cidr],
) -> IpAddr {
    let mut nearest = canonical(peer);
    if !trusted(nearest, proxies) {
        return nearest;
    }
    let mut hops = 0;
    for line in forwarded_for.rev() {
        // Not text: garbage, passed on by `nearest`.
        let Ok(line) = std::str::from_utf8(line) else {
            return nearest;
        };
        for text in line.rsplit(',') {
            hops += 1;
            if hops > MAX_HOPS {
                return nearest;
            }
            let Some(ip) = entry(text).map(canonical) else {
                return nearest;
            };
            if !trusted(ip, proxies) {
                return ip;
            }
            nearest = ip;
        }
    }
    nearest
}

/// What the per-client limits count under: an IPv4 address, or an IPv6 address's /64
/// (`2001:db8:1:2::/64`).
pub fn key(client: IpAddr) -> String {
    match canonical(client) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let network = Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX));
            format!("{network}/64")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidrs(list: &[&str]) -> Vec<Cidr> {
        list.iter().map(|c| c.parse().unwrap()).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// The client key of a request from `peer` with these header lines.
    fn client_of(peer: &str, lines: &[&str], proxies: &[&str]) -> String {
        let proxies = cidrs(proxies);
        key(client(
            ip(peer),
            lines.iter().map(|l| l.as_bytes()),
            &proxies,
        ))
    }

    const PROXIES: &[&str] = &["10.0.0.0/8", "2001:db8:ffff::/48"];

    #[test]
    fn networks_parse_or_say_what_is_wrong() {
        let c: Cidr = " 10.1.0.0/16 ".parse().unwrap();
        assert_eq!(c.to_string(), "10.1.0.0/16");
        assert!(c.contains(ip("10.1.255.3")) && !c.contains(ip("10.2.0.1")));
        assert!(c.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped is IPv4");
        assert!(!c.contains(ip("2001:db8::1")));
        let one: Cidr = "192.0.2.7".parse().unwrap();
        assert_eq!(one.to_string(), "192.0.2.7/32");
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:abcd::1")) && !v6.contains(ip("2001:db9::1")));
        assert_eq!("::1".parse::<Cidr>().unwrap().to_string(), "::1/128");
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")) && !all.contains(ip("::2")));
        assert!("::/0".parse::<Cidr>().unwrap().contains(ip("2001:db8::1")));
        let mapped: Cidr = "::ffff:10.0.0.0/104".parse().unwrap();
        assert_eq!(mapped.to_string(), "10.0.0.0/8");
        assert!(mapped.contains(ip("10.9.9.9")));

        let err = |text: &str| text.parse::<Cidr>().unwrap_err();
        assert!(
            err("10.0.0.1/8").contains("write 10.0.0.0/8"),
            "{}",
            err("10.0.0.1/8")
        );
        assert!(err("10.0.0.0/33").contains("from 0 to 32"));
        assert!(err("2001:db8::/129").contains("from 0 to 128"));
        assert!(err("10.0.0.0/+8").contains("prefix length"));
        assert!(err("10.0.0.0/").contains("prefix length"));
        assert!(err("10.0.0.0/8/9").contains("prefix length"));
        for bad in ["", "localhost", "10.0.0", "fe80::1%eth0", "*"] {
            assert!(
                err(bad).contains("is not an IP network"),
                "{bad}: {}",
                err(bad)
            );
        }
    }

    #[test]
    fn the_setting_is_a_comma_separated_list() {
        let list: TrustedProxies = " 10.0.0.0/8, ,2001:db8::/32,".parse().unwrap();
        assert_eq!(&*list, cidrs(&["10.0.0.0/8", "2001:db8::/32"]).as_slice());
        assert!(
            "".parse::<TrustedProxies>().unwrap().is_empty(),
            "unset: nobody"
        );
        let err = "10.0.0.0/8, 10.0.0.1/8"
            .parse::<TrustedProxies>()
            .unwrap_err();
        assert!(err.starts_with("`10.0.0.1/8` has bits set"), "{err}");
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        assert_eq!(
            client_of("203.0.113.5", &["9.9.9.9"], PROXIES),
            "203.0.113.5"
        );
        assert_eq!(client_of("203.0.113.5", &["9.9.9.9"], &[]), "203.0.113.5");
        assert_eq!(
            client_of("10.0.0.2", &["9.9.9.9"], &[]),
            "10.0.0.2",
            "none trusted"
        );
        assert_eq!(client_of("::ffff:198.51.100.4", &[], &[]), "198.51.100.4");
    }

    #[test]
    fn the_walk_goes_from_the_right_past_trusted_hops() {
        // One proxy: it appended the client.
        assert_eq!(
            client_of("10.0.0.2", &["198.51.100.7"], PROXIES),
            "198.51.100.7"
        );
        // A chain of trusted hops: CDN edge 10.3.3.3, then load balancer 10.0.0.2.
        assert_eq!(
            client_of("10.0.0.2", &["198.51.100.7, 10.3.3.3"], PROXIES),
            "198.51.100.7"
        );
        // Spoofed entries on the left (written by the client) are never used.
        assert_eq!(
            client_of(
                "10.0.0.2",
                &["9.9.9.9, 1.1.1.1, 198.51.100.7, 10.3.3.3"],
                PROXIES
            ),
            "198.51.100.7"
        );
        // A spoofed trusted-looking entry on the left does not move the client either.
        assert_eq!(
            client_of("10.0.0.2", &["10.9.9.9, 198.51.100.7"], PROXIES),
            "198.51.100.7"
        );
        // Every entry trusted: the leftmost.
        assert_eq!(
            client_of("10.0.0.2", &["10.1.1.1, 10.2.2.2"], PROXIES),
            "10.1.1.1"
        );
        // A trusted peer that sent no header is the client (its requests are one client).
        assert_eq!(client_of("10.0.0.2", &[], PROXIES), "10.0.0.2");
    }

    #[test]
    fn several_header_lines_are_one_list_in_order() {
        assert_eq!(
            client_of(
                "10.0.0.2",
                &["9.9.9.9", "198.51.100.7", "10.3.3.3"],
                PROXIES
            ),
            "198.51.100.7"
        );
        assert_eq!(
            client_of(
                "10.0.0.2",
                &["9.9.9.9, 198.51.100.7", "10.3.3.3, 10.4.4.4"],
                PROXIES
            ),
            "198.51.100.7"
        );
    }

    #[test]
    fn ports_are_dropped() {
        assert_eq!(
            client_of("10.0.0.2", &["198.51.100.7:5678"], PROXIES),
            "198.51.100.7"
        );
        assert_eq!(
            client_of("10.0.0.2", &["[2001:db8:1:2::1]:443"], PROXIES),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            client_of("10.0.0.2", &["[2001:db8:1:2::1]"], PROXIES),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            client_of("10.0.0.2", &["198.51.100.7, 10.3.3.3:80"], PROXIES),
            "198.51.100.7"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(
            client_of(
                "2001:db8:ffff::9",
                &["2001:db8:1:2:aaaa:bbbb:cccc:dddd"],
                PROXIES
            ),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            client_of("10.0.0.2", &["2001:db8:1:2::ffff"], PROXIES),
            client_of("10.0.0.2", &["2001:db8:1:2:1234::1"], PROXIES),
        );
        assert_ne!(
            client_of("10.0.0.2", &["2001:db8:1:2::1"], PROXIES),
            client_of("10.0.0.2", &["2001:db8:1:3::1"], PROXIES),
        );
        // An IPv6 peer without proxies too.
        assert_eq!(client_of("2001:db8:5:6::7", &[], &[]), "2001:db8:5:6::/64");
        // IPv4-mapped entries and peers are IPv4, for trust and for the key.
        assert_eq!(
            client_of("::ffff:10.0.0.2", &["::ffff:198.51.100.7"], PROXIES),
            "198.51.100.7"
        );
        assert_eq!(key(ip("::1")), "::/64");
    }

    #[test]
    fn garbage_stops_the_walk_at_the_nearest_trusted_hop() {
        for garbage in [
            "unknown",
            "_hidden",
            "_SEVKISEK",
            "for=198.51.100.7",
            "\"198.51.100.7\"",
            "198.51.100.7:99999",
            "198.51.100.7:+80",
            "2001:db8::1:443]",
            "[2001:db8::1]:x",
            "[198.51.100.7]",
            "fe80::1%eth0",
            "",
            "1.2.3.4 5.6.7.8",
        ] {
            let header = format!("9.9.9.9, {garbage}");
            assert_eq!(
                client_of("10.0.0.2", &[&header], PROXIES),
                "10.0.0.2",
                "{garbage:?}"
            );
            let behind = format!("9.9.9.9, {garbage}, 10.3.3.3");
            assert_eq!(
                client_of("10.0.0.2", &[&behind], PROXIES),
                "10.3.3.3",
                "{garbage:?}"
            );
        }
        // Garbage to the left of the client is never reached.
        assert_eq!(
            client_of("10.0.0.2", &["junk, 198.51.100.7"], PROXIES),
            "198.51.100.7"
        );
        // A header line that is not text.
        let lines: [&[u8]; 2] = [b"198.51.100.7", b"\xff\xfe"];
        let proxies = cidrs(PROXIES);
        assert_eq!(
            client(ip("10.0.0.2"), lines.into_iter(), &proxies),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn the_walk_is_bounded() {
        let mut chain = vec!["198.51.100.7".to_owned()];
        chain.extend((0..MAX_HOPS).map(|i| format!("10.0.0.{}", i + 10)));
        let header = chain.join(", ");
        // The 33rd entry from the right is never read: the client is the last hop read.
        assert_eq!(client_of("10.0.0.2", &[&header], PROXIES), "10.0.0.10");
        chain.remove(1);
        let header = chain.join(", ");
        assert_eq!(client_of("10.0.0.2", &[&header], PROXIES), "198.51.100.7");
    }
}
