//! Password hashing (argon2id) and the common-password list.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::io::Read;
use std::sync::OnceLock;

/// argon2id with OWASP's minimum (m=19 MiB, t=2, p=1): OWASP ASVS 5.0 V11.4.2.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?
        .to_string())
}

/// The outcome of checking a password.
pub struct Verification {
    pub ok: bool,
    /// The argon2 output of the presented password under the stored hash's salt and parameters
    /// (hex). As hard to reverse as the stored hash itself, so it can be kept to recognise the
    /// same wrong password typed again (smart lockout) without keeping the password.
    pub fingerprint: String,
}

/// The stored hash of an account that has no password: one created by a social sign-in, until
/// "Forgot your password?" sets one. No password ever verifies against it.
pub const NO_PASSWORD: &str = "";

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("dummy password for timing").unwrap_or_default())
}

/// Verifies a password; `None` (unknown account) verifies against a dummy hash so that the
/// answer takes the same time either way (no account enumeration by timing, ASVS 5.0 V6.3.8);
/// so does an account without a password ([`NO_PASSWORD`]).
/// The comparison of the hash outputs is constant-time (argon2's `Output` equality).
pub fn verify(password: &str, stored: Option<&str>) -> Verification {
    let failed = Verification {
        ok: false,
        fingerprint: String::new(),
    };
    let (hash, real) = match stored.filter(|h| *h != NO_PASSWORD) {
        Some(h) => (h, true),
        None => (dummy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return failed;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return failed;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return failed;
    };
    let Ok(computed) = hasher().hash_password_customized(
        password.as_bytes(),
        Some(parsed.algorithm),
        parsed.version,
        params,
        salt,
    ) else {
        return failed;
    };
    let Some(output) = computed.hash else {
        return failed;
    };
    Verification {
        ok: output == expected && real,
        fingerprint: hex::encode(output.as_bytes()),
    }
}

/// Verifies a password (see [`verify`]).
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    verify(password, stored).ok
}

static COMMON: &[u8] = include_bytes!("../../data/common-passwords.txt.gz");

/// The 100,000 most common passwords, lower-cased and sorted for binary search (one string per
/// entry; about 1 MiB resident).
fn common() -> &'static [Box<str>] {
    static LIST: OnceLock<Vec<Box<str>>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut text = String::new();
        let _ = flate2::read::GzDecoder::new(COMMON).read_to_string(&mut text);
        let mut list: Vec<Box<str>> = text.lines().map(|l| l.to_lowercase().into()).collect();
        list.sort_unstable();
        list.dedup();
        list
    })
}

/// NIST SP 800-63B-4 §3.1.1.2 / ASVS 5.0 V6.2.4: refuse passwords from a blocklist of common
/// and breached passwords, without regard to case.
pub fn is_common(password: &str) -> bool {
    let lowered = password.to_lowercase();
    common()
        .binary_search_by(|probe| probe.as_ref().cmp(lowered.as_str()))
        .is_ok()
}

/// Loads the list now rather than on the first sign-up.
pub fn preload() {
    let _ = common().len();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_a_hundred_thousand_entries_and_finds_common_ones() {
        assert!(common().len() > 95_000, "{}", common().len());
        assert!(is_common("password"));
        assert!(is_common("PASSWORD123"));
        assert!(is_common("iloveyou"));
        assert!(!is_common("river mango lantern 42"));
    }

    #[test]
    fn hashes_verify_and_unknown_accounts_never_do() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("wrong", Some(&h)));
        assert!(!verify_password("dummy password for timing", None));
    }

    #[test]
    fn an_account_without_a_password_never_verifies() {
        assert!(!verify_password("", Some(NO_PASSWORD)));
        assert!(!verify_password(
            "dummy password for timing",
            Some(NO_PASSWORD)
        ));
        // It still costs a whole argon2 run, like a wrong password.
        assert_eq!(verify("x", Some(NO_PASSWORD)).fingerprint.len(), 64);
    }

    #[test]
    fn fingerprints_recognise_the_same_wrong_password_only() {
        let h = hash_password("correct horse battery").unwrap();
        let a = verify("wrong one", Some(&h));
        let b = verify("wrong one", Some(&h));
        let c = verify("wrong two", Some(&h));
        assert!(!a.ok);
        assert_eq!(a.fingerprint.len(), 64);
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_ne!(a.fingerprint, c.fingerprint);
        let other = hash_password("correct horse battery").unwrap();
        assert_ne!(
            a.fingerprint,
            verify("wrong one", Some(&other)).fingerprint,
            "salted per account"
        );
    }
}
