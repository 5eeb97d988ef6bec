//! A small RFC 6238 of the tests' own, written out here rather than taken from the server, so
//! that each is checked against the RFC and not against the other: the API tests
//! (`crates/server/tests/api/second_factors.rs`) compute an enrolled app's codes with it, and
//! the e2e tests read the key from the page and compute its code as a phone would. Checked against RFC 6238 Appendix B below, so a wrong code is the screens'
//! fault, never this one's.
#![allow(clippy::unwrap_used)]

use std::time::{SystemTime, UNIX_EPOCH};

fn sha1(message: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    let mut data = message.to_vec();
    let bits = (message.len() as u64) * 8;
    data.push(0x80);
    while data.len() % 64 != 56 {
        data.push(0);
    }
    data.extend(bits.to_be_bytes());
    for chunk in data.chunks(64) {
        let mut w = [0u32; 80];
        for i in 0..16 {
            w[i] = u32::from_be_bytes(chunk[4 * i..4 * i + 4].try_into().unwrap());
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A827999),
                20..=39 => (b ^ c ^ d, 0x6ED9EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, word) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// HMAC-SHA-1 (RFC 2104).
fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..20].copy_from_slice(&sha1(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = block
        .iter()
        .map(|b| b ^ 0x36)
        .chain(message.iter().copied())
        .collect();
    let outer: Vec<u8> = block
        .iter()
        .map(|b| b ^ 0x5c)
        .chain(sha1(&inner).iter().copied())
        .collect();
    sha1(&outer)
}

/// TOTP (RFC 6238) of time step `step`, `digits` digits (HMAC-SHA-1, RFC 4226 §5.3).
pub fn totp(secret: &[u8], step: u64, digits: u32) -> String {
    let mac = hmac_sha1(secret, &step.to_be_bytes());
    let offset = (mac[19] & 0x0f) as usize;
    let binary = u32::from_be_bytes(mac[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!(
        "{:0width$}",
        binary % 10u32.pow(digits),
        width = digits as usize
    )
}

/// RFC 4648 base32 (the key as an app takes it); spaces (the page's groups) are skipped.
pub fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let value = ALPHABET
            .find(c.to_ascii_uppercase())
            .unwrap_or_else(|| panic!("{c:?} is not base32"));
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// The current time step, waiting past the last 3 seconds of a 30-second step so that a code
/// computed now (for this step or a neighbour) is still within the server's window when it
/// arrives.
pub async fn steady_step() -> u64 {
    loop {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        if now % 30 < 27 {
            return now / 30;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// The 6-digit code of `key` (base32, as the page shows it) now ([`steady_step`]).
pub async fn code_now(key: &str) -> String {
    totp(&base32_decode(key), steady_step().await, 6)
}

/// The 6-digit code of `base32_secret` for the 30-second step `ahead` steps from now (the
/// server takes one step either side, each step once): for a test that needs two codes of
/// one key in a row.
pub fn code(base32_secret: &str, ahead: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp(&base32_decode(base32_secret), now / 30 + ahead, 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_totp_meets_rfc_6238_appendix_b() {
        let hex: String = sha1(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex, "a9993e364706816aba3e25717850c26c9cd0d89d",
            "FIPS 180 example"
        );
        let seed = b"12345678901234567890";
        for (time, code) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp(seed, time / 30, 8), code, "T = {time}");
        }
        assert_eq!(base32_decode("MZXW 6YTB OI"), b"foobar");
    }
}
