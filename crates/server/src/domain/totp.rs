//! Authenticator-app codes (TOTP, RFC 6238 over HOTP, RFC 4226): HMAC-SHA-1, 6 digits, 30-second
//! steps, a code of the step before or after accepted too (clock drift: RFC 6238 §5.2). The
//! caller keeps the last step accepted and refuses it and every earlier one (replay, OWASP ASVS
//! 5.0 V6.5.1; NIST SP 800-63B-4 §3.1.4.2: a time-based OTP is accepted once). The time is the
//! server's clock, never the client's (ASVS 5.0 V6.5.8).
//!
//! The seed (160 bits from the OS RNG: RFC 4226 §4 R6 recommends 160; ASVS 5.0 V6.5.3) is kept
//! sealed by [`SealingKey`] (AES-256-GCM), opened only to check a code.
//!
//! ring does both (already a direct dependency: it signs the provider's tokens): its HMAC-SHA-1
//! is `HMAC_SHA1_FOR_LEGACY_USE_ONLY`, which is what RFC 6238's default and every authenticator
//! app need (HMAC-SHA-1 is still approved for HMAC: NIST SP 800-131A Rev. 2 §9).

use anyhow::Context as _;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use subtle::ConstantTimeEq;

/// Seconds per time step (RFC 6238 §4.1 X).
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps accepted either side of the current one.
pub const WINDOW: i64 = 1;
/// Bytes of a seed: 160 bits (RFC 4226 §4 R6).
pub const SECRET_BYTES: usize = 20;

/// HOTP (RFC 4226 §5.3): HMAC-SHA-1 of the counter, dynamically truncated, `digits` digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = ring::hmac::sign(&key, &counter.to_be_bytes());
    let mac = mac.as_ref();
    let offset = usize::from(mac[19] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    binary % 10u32.pow(digits)
}

/// The time step of Unix time `now` (RFC 6238 §4.2, T0 = 0).
pub fn step_of(now: i64) -> i64 {
    now.div_euclid(STEP_SECONDS)
}

/// The step within [`WINDOW`] of `now` whose code `code` is, newest first, or None. `code` must
/// be exactly [`DIGITS`] ASCII digits (spaces the caller removed). Each candidate is compared
/// in constant time.
pub fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_of(now);
    let mut found = None;
    for step in (current - WINDOW..=current + WINDOW).rev() {
        let Ok(counter) = u64::try_from(step) else {
            continue;
        };
        let expected = format!(
            "{:0width$}",
            hotp(secret, counter, DIGITS),
            width = DIGITS as usize
        );
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// A new seed from the OS RNG.
pub fn new_secret() -> anyhow::Result<[u8; SECRET_BYTES]> {
    let mut secret = [0u8; SECRET_BYTES];
    SystemRandom::new()
        .fill(&mut secret)
        .map_err(|_| anyhow::anyhow!("the OS RNG failed"))?;
    Ok(secret)
}

/// RFC 4648 base32 without padding (what authenticator apps read in `secret=`).
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The key that seals the seeds at rest: AES-256-GCM (NIST SP 800-38D), read once at start-up
/// from `MFA_ENCRYPTION_KEY_FILE` (32 raw bytes, or 64 hex characters). A random 96-bit nonce
/// per seal (at most one seal per enrolment: far below GCM's 2^32 random-nonce bound); the
/// account id is the associated data. Its `Debug` shows nothing.
pub struct SealingKey(LessSafeKey);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(***)")
    }
}

impl SealingKey {
    /// Reads the key file: 32 bytes as they are, or 64 hex characters (surrounding whitespace
    /// ignored). Anything else is an error that names the file, never its content.
    pub fn read(path: &std::path::Path) -> anyhow::Result<Self> {
        let raw = std::fs::read(path)
            .with_context(|| format!("MFA_ENCRYPTION_KEY_FILE {}: cannot read", path.display()))?;
        Self::from_file_bytes(&raw).with_context(|| {
            format!(
                "MFA_ENCRYPTION_KEY_FILE {}: not 32 bytes or 64 hex characters",
                path.display()
            )
        })
    }

    fn from_file_bytes(raw: &[u8]) -> anyhow::Result<Self> {
        let key: Vec<u8> = if raw.len() == 32 {
            raw.to_vec()
        } else {
            let text = std::str::from_utf8(raw)?.trim();
            anyhow::ensure!(text.len() == 64, "wrong length");
            hex::decode(text)?
        };
        let unbound = UnboundKey::new(&aead::AES_256_GCM, &key)
            .map_err(|_| anyhow::anyhow!("not an AES-256 key"))?;
        Ok(Self(LessSafeKey::new(unbound)))
    }

    /// Seals `secret` for `account_id`: hex of nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, account_id: &str, secret: &[u8]) -> anyhow::Result<String> {
        let mut nonce = [0u8; aead::NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| anyhow::anyhow!("the OS RNG failed"))?;
        let mut sealed = secret.to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(account_id.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| anyhow::anyhow!("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(hex::encode(out))
    }

    /// Opens what [`SealingKey::seal`] sealed for the same account; an error for anything
    /// else (another key, another account's row, a changed byte).
    pub fn open(&self, account_id: &str, sealed: &str) -> anyhow::Result<Vec<u8>> {
        let mut bytes = hex::decode(sealed).context("sealed seed: not hex")?;
        anyhow::ensure!(bytes.len() > aead::NONCE_LEN, "sealed seed: too short");
        let rest = bytes.split_off(aead::NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&bytes)
            .map_err(|_| anyhow::anyhow!("sealed seed: bad nonce"))?;
        let mut rest = rest;
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(account_id.as_bytes()), &mut rest)
            .map_err(|_| anyhow::anyhow!("sealed seed: does not open with this key"))?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, the SHA-1 rows (seed "12345678901234567890", 8 digits).
    #[test]
    fn rfc_6238_appendix_b_sha1_vectors() {
        let seed = b"12345678901234567890";
        for (time, code) in [
            (59i64, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            let step = u64::try_from(step_of(time)).unwrap();
            assert_eq!(hotp(seed, step, 8), code, "T = {time}");
            // Six digits are the last six of the same number (RFC 4226 §5.3).
            assert_eq!(hotp(seed, step, 6), code % 1_000_000, "T = {time}");
        }
    }

    #[test]
    fn one_step_either_side_is_accepted_two_are_not() {
        let seed = b"12345678901234567890";
        let now = 1_111_111_111;
        let code = |step: i64| format!("{:06}", hotp(seed, step as u64, 6));
        let here = step_of(now);
        assert_eq!(matching_step(seed, &code(here), now), Some(here));
        assert_eq!(matching_step(seed, &code(here - 1), now), Some(here - 1));
        assert_eq!(matching_step(seed, &code(here + 1), now), Some(here + 1));
        assert_eq!(matching_step(seed, &code(here - 2), now), None);
        assert_eq!(matching_step(seed, &code(here + 2), now), None);
        assert_eq!(matching_step(seed, "12345", now), None);
        assert_eq!(matching_step(seed, "１２３４５６", now), None);
    }

    #[test]
    fn base32_is_rfc_4648() {
        // RFC 4648 §10.
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), encoded);
        }
        assert_eq!(base32(&[0u8; SECRET_BYTES]).len(), 32);
    }

    #[test]
    fn a_sealed_seed_opens_only_with_its_key_and_account() {
        let key = SealingKey::from_file_bytes(&[7u8; 32]).unwrap();
        let other = SealingKey::from_file_bytes("ab".repeat(32).as_bytes()).unwrap();
        let secret = new_secret().unwrap();
        let sealed = key.seal("account-1", &secret).unwrap();
        assert!(!sealed.contains(&hex::encode(secret)));
        assert_eq!(key.open("account-1", &sealed).unwrap(), secret);
        assert!(key.open("account-2", &sealed).is_err());
        assert!(other.open("account-1", &sealed).is_err());
        assert_ne!(
            key.seal("account-1", &secret).unwrap(),
            sealed,
            "a new nonce each time"
        );
        assert!(SealingKey::from_file_bytes(b"short").is_err());
        assert!(SealingKey::from_file_bytes(format!("{}\n", "0f".repeat(32)).as_bytes()).is_ok());
    }
}
