//! Password hashing (argon2id) and the common-password list.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

/// argon2id's cost parameters; the defaults are OWASP's minimum (m=19 MiB, t=2, p=1): OWASP
/// ASVS 5.0 V11.4.2. Operators raise them with `PASSWORD_HASH_*` (README), and `cargo xtask
/// bench` measures what they cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Hashes new passwords at the configured cost and verifies stored ones at theirs (a hash
/// keeps its parameters, so raising the cost never locks anyone out).
///
/// At most one hash per core runs at a time, each in memory taken from a pool that never holds
/// more than one buffer per core: the server's memory is bounded by `cores × m` however many
/// sign-ins arrive at once (OWASP ASVS 5.0 V2.4 anti-automation: a burst of password attempts
/// queues instead of exhausting memory), and throughput stays at the machine's hashing rate.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    /// A hash of nothing anyone knows, at the configured cost: what an unknown account's
    /// password is verified against.
    dummy: Arc<str>,
    pool: Arc<Pool>,
}

/// Permits to hash (one per core) and the argon2 memory they reuse.
struct Pool {
    permits: Arc<Semaphore>,
    buffers: Mutex<Vec<Vec<Block>>>,
}

impl Pool {
    fn take(&self, blocks: usize) -> Vec<Block> {
        let reused = self.buffers.lock().ok().and_then(|mut b| b.pop());
        let mut memory = reused.unwrap_or_default();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        memory
    }

    fn give(&self, memory: Vec<Block>) {
        if let Ok(mut buffers) = self.buffers.lock() {
            buffers.push(memory);
        }
    }
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new(HashCost::default()).expect("OWASP's parameters are valid")
    }
}

const DUMMY_PASSWORD: &str = "dummy password for timing";

impl Passwords {
    pub fn new(cost: HashCost) -> anyhow::Result<Self> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| anyhow::anyhow!("argon2id parameters {cost:?}: {e}"))?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut passwords = Self {
            params,
            dummy: Arc::from(""),
            pool: Arc::new(Pool {
                permits: Arc::new(Semaphore::new(cores)),
                buffers: Mutex::new(Vec::new()),
            }),
        };
        // In memory of its own, freed at once: an idle server holds no hashing memory.
        passwords.dummy = passwords
            .hash_with(DUMMY_PASSWORD, &mut passwords.memory())?
            .into();
        Ok(passwords)
    }

    /// argon2 memory for the configured cost (1 KiB blocks).
    pub fn memory(&self) -> Vec<Block> {
        vec![Block::default(); self.params.block_count()]
    }

    /// Hashes a new password (argon2id, the configured cost, a 128-bit random salt) into a PHC
    /// string, on a blocking thread, within the pool's limit.
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        self.in_pool(move |this, memory| this.hash_with(&password, memory))
            .await?
    }

    /// [`Passwords::verify_with`] on a blocking thread, within the pool's limit.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> anyhow::Result<Verification> {
        self.in_pool(move |this, memory| this.verify_with(&password, stored.as_deref(), memory))
            .await
    }

    async fn in_pool<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Self, &mut Vec<Block>) -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let waiting = crate::metrics::HashWait::start();
        let permit = self.pool.permits.clone().acquire_owned().await?;
        waiting.done();
        let this = self.clone();
        // The permit and the memory go with the work: a request dropped while its hash runs
        // still holds them until the hash ends.
        Ok(tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut memory = this.pool.take(this.params.block_count());
            let result = work(&this, &mut memory);
            this.pool.give(memory);
            result
        })
        .await?)
    }

    /// Hashes `password` in the caller's `memory` (at least [`Passwords::memory`]'s length).
    pub fn hash_with(&self, password: &str, memory: &mut Vec<Block>) -> anyhow::Result<String> {
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let mut output = [0u8; 32];
        let blocks = self.params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
            .hash_password_into_with_memory(
                password.as_bytes(),
                &salt,
                &mut output,
                &mut memory[..blocks],
            )
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        let output = Output::new(&output).map_err(|e| anyhow::anyhow!("output: {e}"))?;
        Ok(format!(
            "$argon2id$v=19$m={},t={},p={}${}${}",
            self.params.m_cost(),
            self.params.t_cost(),
            self.params.p_cost(),
            salt.as_str(),
            output
        ))
    }

    /// Verifies a password in the caller's `memory`; `None` (unknown account) verifies against
    /// a dummy hash so that the answer takes the same time either way (no account enumeration
    /// by timing, ASVS 5.0 V6.3.8); so does an account without a password ([`NO_PASSWORD`]).
    /// The comparison of the hash outputs is constant-time (`subtle`, ASVS 5.0 V11.2.4).
    pub fn verify_with(
        &self,
        password: &str,
        stored: Option<&str>,
        memory: &mut Vec<Block>,
    ) -> Verification {
        let failed = Verification {
            ok: false,
            fingerprint: String::new(),
        };
        let (hash, real) = match stored.filter(|h| *h != NO_PASSWORD) {
            Some(h) => (h, true),
            None => (&*self.dummy, false),
        };
        let Ok(parsed) = PasswordHash::new(hash) else {
            return failed;
        };
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return failed;
        };
        let (Ok(params), Ok(algorithm)) = (
            Params::try_from(&parsed),
            Algorithm::try_from(parsed.algorithm),
        ) else {
            return failed;
        };
        let version = match parsed.version.map(Version::try_from) {
            None => Version::V0x13,
            Some(Ok(version)) => version,
            Some(Err(_)) => return failed,
        };
        let mut salt_bytes = [0u8; 64];
        let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
            return failed;
        };
        let blocks = params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let mut output = vec![0u8; expected.len()];
        if Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt,
                &mut output,
                &mut memory[..blocks],
            )
            .is_err()
        {
            return failed;
        }
        let same: bool = expected.as_bytes().ct_eq(&output).into();
        Verification {
            ok: same && real,
            fingerprint: hex::encode(&output),
        }
    }
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

    fn hash_password(password: &str) -> anyhow::Result<String> {
        let passwords = Passwords::default();
        passwords.hash_with(password, &mut passwords.memory())
    }

    fn verify(password: &str, stored: Option<&str>) -> Verification {
        let passwords = Passwords::default();
        passwords.verify_with(password, stored, &mut passwords.memory())
    }

    fn verify_password(password: &str, stored: Option<&str>) -> bool {
        verify(password, stored).ok
    }

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
    fn new_hashes_carry_the_configured_cost_and_old_ones_keep_theirs() {
        let keycloak = Passwords::new(HashCost {
            memory_kib: 7 * 1024,
            iterations: 5,
            parallelism: 1,
        })
        .unwrap();
        let mut memory = Vec::new();
        let h = keycloak
            .hash_with("correct horse battery", &mut memory)
            .unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{h}");
        // A hash made at the default cost still verifies after the cost changed, in memory
        // grown to its size.
        let old = hash_password("correct horse battery").unwrap();
        assert!(
            keycloak
                .verify_with("correct horse battery", Some(&old), &mut memory)
                .ok
        );
        assert_eq!(memory.len(), 19 * 1024);
        assert!(
            !keycloak
                .verify_with("correct horse battery", None, &mut memory)
                .ok
        );
    }

    #[test]
    fn the_hashes_are_standard_phc_strings_any_argon2_library_verifies() {
        use argon2::password_hash::PasswordVerifier;
        let h = hash_password("correct horse battery").unwrap();
        let parsed = PasswordHash::new(&h).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"wrong", &parsed)
            .is_err());
        // And a hash made by the library's own API verifies here.
        use argon2::password_hash::PasswordHasher;
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("correct horse battery", Some(&theirs)));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_of_checks_never_holds_more_memory_than_one_buffer_per_core() {
        let passwords = Passwords::new(HashCost {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap();
        let stored = passwords
            .hash("correct horse battery".into())
            .await
            .unwrap();
        let checks: Vec<_> = (0..32)
            .map(|i| {
                let passwords = passwords.clone();
                let stored = stored.clone();
                tokio::spawn(async move {
                    let guess = if i % 2 == 0 {
                        "correct horse battery"
                    } else {
                        "no"
                    };
                    passwords
                        .verify(guess.into(), Some(stored))
                        .await
                        .unwrap()
                        .ok
                })
            })
            .collect();
        let mut right = 0;
        for check in checks {
            right += usize::from(check.await.unwrap());
        }
        assert_eq!(right, 16);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let buffers = passwords.pool.buffers.lock().unwrap().len();
        assert!(buffers <= cores, "{buffers} buffers for {cores} cores");
        assert_eq!(passwords.pool.permits.available_permits(), cores);
    }

    #[test]
    fn impossible_parameters_are_refused_at_start_up() {
        let zero = HashCost {
            memory_kib: 1,
            iterations: 0,
            parallelism: 1,
        };
        assert!(Passwords::new(zero).is_err());
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
