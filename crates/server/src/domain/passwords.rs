//! Password hashing (argon2id) and the common-password list, and the bounds on the work it
//! costs: a bounded queue for the hashing pool and a per-client cap on hashing requests in
//! flight (OWASP ASVS 5.0 V2.4.1 anti-automation; no unbounded work or memory per client).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;

mod pool;

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
/// At most one hash per core runs at a time, on the hashing pool's threads ([`pool`]), each in
/// the one buffer its thread keeps: the server's memory is bounded by `cores × m` however many
/// sign-ins arrive at once (OWASP ASVS 5.0 V2.4 anti-automation: a burst of password attempts
/// queues instead of exhausting memory), and throughput stays at the machine's hashing rate.
///
/// The queue is bounded too ([`HashBounds::queue`]): past it a hash is refused at once
/// ([`Busy`], answered 503 with `Retry-After`) instead of waiting behind a backlog that only
/// grows; and one client address may hold at most [`HashBounds::per_client`] hashing requests
/// in flight ([`Passwords::admit`]), so that one client cannot fill the queue alone.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    /// A hash of nothing anyone knows, at the configured cost: what an unknown account's
    /// password is verified against.
    dummy: Arc<str>,
    pool: Arc<pool::Pool>,
    clients: Arc<Clients>,
}

/// How much hashing work may wait: `PASSWORD_HASH_QUEUE` and
/// `PASSWORD_HASHES_IN_FLIGHT_PER_CLIENT` (README).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashBounds {
    /// Hashes that may wait for a core; one more is refused ([`Busy`]).
    pub queue: usize,
    /// Hashing requests one client address may have in flight (waiting or running).
    pub per_client: usize,
}

impl Default for HashBounds {
    fn default() -> Self {
        Self {
            queue: DEFAULT_QUEUE,
            per_client: DEFAULT_PER_CLIENT,
        }
    }
}

/// `PASSWORD_HASH_QUEUE`'s default: at the default cost a core hashes about 20 passwords a
/// second, so 64 waiting hashes are a few seconds of work on a small machine, and each waiting
/// hash holds only its request (not argon2 memory, which only a running hash holds).
pub const DEFAULT_QUEUE: usize = 64;
/// `PASSWORD_HASHES_IN_FLIGHT_PER_CLIENT`'s default: a person signs in once at a time; an
/// office behind one NAT address rarely has four sign-ins in the same fraction of a second.
pub const DEFAULT_PER_CLIENT: usize = 4;
/// The `Retry-After` of a [`Busy`] answer, in seconds: the queue drains in about that long.
pub const BUSY_RETRY_SECONDS: u32 = 2;

/// The hashing queue is full, or the client has its share of hashes in flight: try again in
/// [`BUSY_RETRY_SECONDS`].
#[derive(Debug, thiserror::Error)]
#[error("password hashing is busy")]
pub struct Busy;

/// Why a hash did not run.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// What the hashing pool is doing, for metrics (`Passwords::stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HashStats {
    /// Hashes waiting for a core now.
    pub queue_depth: usize,
    /// The most that may wait ([`HashBounds::queue`]).
    pub queue_capacity: usize,
    /// Hashes running now (at most one per core).
    pub running: usize,
    /// Hashes run since start-up (verifications included).
    pub hashed: u64,
    /// Hashes refused because the queue was full, and requests refused because their client
    /// had its share in flight, since start-up.
    pub refused_queue_full: u64,
    pub refused_per_client: u64,
    /// Total time hashes waited for a core, in seconds, and the longest wait, since start-up
    /// (the mean wait is `wait_seconds_total / hashed`).
    pub wait_seconds_total: f64,
    pub wait_seconds_max: f64,
    /// Client addresses with hashing requests in flight now.
    pub clients_in_flight: usize,
}

/// Hashing requests in flight per client address ([`Passwords::admit`]).
struct Clients {
    per_client: usize,
    refused: AtomicU64,
    /// An entry leaves when its count drops to zero, so the map holds at most one entry per
    /// request in flight.
    in_flight: Mutex<HashMap<String, usize>>,
}

/// A client's hashing request in flight ([`Passwords::admit`]); dropping it ends the request.
pub struct Admitted {
    clients: Arc<Clients>,
    client: String,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        if let Ok(mut in_flight) = self.clients.in_flight.lock() {
            if let Some(count) = in_flight.get_mut(&self.client) {
                *count -= 1;
                if *count == 0 {
                    in_flight.remove(&self.client);
                }
            }
        }
    }
}

/// A request's hash in the pool: the work, where its answer goes, and the hasher it runs with.
struct Ask<T, F> {
    work: Option<F>,
    result: Option<T>,
    answer: oneshot::Sender<T>,
    passwords: Passwords,
}

impl<T, F> pool::Job for Ask<T, F>
where
    T: Send,
    F: FnOnce(&Passwords, &mut Vec<Block>) -> T + Send,
{
    fn abandoned(&self) -> bool {
        self.answer.is_closed()
    }

    fn run(&mut self, memory: &mut Vec<Block>) {
        if let Some(work) = self.work.take() {
            self.result = Some(work(&self.passwords, memory));
        }
    }

    fn answer(self: Box<Self>) {
        if let Some(result) = self.result {
            let _ = self.answer.send(result);
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
        Self::bounded(cost, HashBounds::default())
    }

    /// [`Passwords::new`] with the given bounds on waiting work.
    pub fn bounded(cost: HashCost, bounds: HashBounds) -> anyhow::Result<Self> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| anyhow::anyhow!("argon2id parameters {cost:?}: {e}"))?;
        anyhow::ensure!(
            bounds.per_client >= 1,
            "PASSWORD_HASHES_IN_FLIGHT_PER_CLIENT must be at least 1"
        );
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut passwords = Self {
            params,
            dummy: Arc::from(""),
            pool: Arc::new(pool::Pool::start(cores, bounds.queue)?),
            clients: Arc::new(Clients {
                per_client: bounds.per_client,
                refused: AtomicU64::new(0),
                in_flight: Mutex::new(HashMap::new()),
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

    /// Admits one hashing request of `client` (a client address), or refuses it when that
    /// client already has [`HashBounds::per_client`] in flight (ASVS 5.0 V2.4.1). Taken before
    /// any other work of the request; the request ends when the returned guard drops.
    pub fn admit(&self, client: &str) -> Result<Admitted, Busy> {
        let mut in_flight = self.clients.in_flight.lock().map_err(|_| Busy)?;
        let count = in_flight.entry(client.to_owned()).or_insert(0);
        if *count >= self.clients.per_client {
            drop(in_flight);
            self.clients.refused.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(event = "hash_refused", reason = "client_in_flight", client);
            return Err(Busy);
        }
        *count += 1;
        Ok(Admitted {
            clients: self.clients.clone(),
            client: client.to_owned(),
        })
    }

    /// Hashes waiting for a core now.
    pub fn queue_depth(&self) -> usize {
        self.pool.waiting()
    }

    /// The hashing pool's figures (for metrics).
    pub fn stats(&self) -> HashStats {
        let pool = self.pool.figures();
        HashStats {
            queue_depth: pool.waiting,
            queue_capacity: self.pool.capacity(),
            running: pool.running,
            hashed: pool.hashed,
            refused_queue_full: pool.refused_queue_full,
            refused_per_client: self.clients.refused.load(Ordering::Relaxed),
            wait_seconds_total: pool.wait_seconds_total,
            wait_seconds_max: pool.wait_seconds_max,
            clients_in_flight: self.clients.in_flight.lock().map_or(0, |c| c.len()),
        }
    }

    /// Hashes a new password (argon2id, the configured cost, a 128-bit random salt) into a PHC
    /// string, on a blocking thread, within the pool's limit.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        Ok(self
            .in_pool(move |this, memory| this.hash_with(&password, memory))
            .await??)
    }

    /// [`Passwords::verify_with`] on a blocking thread, within the pool's limit.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<Verification, HashError> {
        self.in_pool(move |this, memory| this.verify_with(&password, stored.as_deref(), memory))
            .await
    }

    /// Runs `work` on a hashing thread, or refuses it at once when the queue is full.
    async fn in_pool<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Self, &mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (answer, answered) = oneshot::channel();
        // The work holds this hasher: a request dropped while its hash runs still holds the
        // thread and its memory until the hash ends; one dropped while it waits is skipped.
        self.pool.submit(Box::new(Ask {
            work: Some(work),
            result: None,
            answer,
            passwords: self.clone(),
        }))?;
        answered
            .await
            .map_err(|_| HashError::Failed(anyhow::anyhow!("the hash ended without an answer")))
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
        let figures = passwords.pool.figures();
        assert!(
            (1..=cores).contains(&figures.buffers),
            "{} buffers for {cores} cores",
            figures.buffers
        );
        assert_eq!((figures.running, figures.hashed), (0, 33));
    }

    /// A job that holds a hashing thread until its sender is dropped.
    struct Hold(std::sync::mpsc::Receiver<()>);

    impl pool::Job for Hold {
        fn abandoned(&self) -> bool {
            false
        }

        fn run(&mut self, _memory: &mut Vec<Block>) {
            let _ = self.0.recv();
        }

        fn answer(self: Box<Self>) {}
    }

    /// Until the held threads have let go too (nobody awaits their answers).
    async fn until_every_thread_is_free(passwords: &Passwords) {
        while passwords.stats().running > 0 {
            tokio::task::yield_now().await;
        }
    }

    /// Every hashing thread held; dropping the returned senders lets them go.
    async fn hold_every_core(passwords: &Passwords) -> Vec<std::sync::mpsc::Sender<()>> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut holds = Vec::new();
        for _ in 0..cores {
            let (hold, held) = std::sync::mpsc::channel();
            passwords.pool.submit(Box::new(Hold(held))).unwrap();
            holds.push(hold);
        }
        while passwords.stats().running < cores {
            tokio::task::yield_now().await;
        }
        holds
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_at_once_and_says_how_deep_it_is() {
        let passwords = Passwords::bounded(
            HashCost {
                memory_kib: 1024,
                iterations: 1,
                parallelism: 1,
            },
            HashBounds {
                queue: 2,
                per_client: 4,
            },
        )
        .unwrap();
        // Every core busy: what comes next waits.
        let busy = hold_every_core(&passwords).await;
        let cores = busy.len() as u64;
        let waiting: Vec<_> = (0..2)
            .map(|_| {
                let passwords = passwords.clone();
                tokio::spawn(async move { passwords.verify("x".into(), None).await })
            })
            .collect();
        while passwords.queue_depth() < 2 {
            tokio::task::yield_now().await;
        }
        // The third is refused without waiting (ASVS 5.0 V2.4.1).
        assert!(matches!(
            passwords.verify("x".into(), None).await,
            Err(HashError::Busy(_))
        ));
        let stats = passwords.stats();
        assert_eq!((stats.queue_depth, stats.queue_capacity), (2, 2));
        assert_eq!(stats.refused_queue_full, 1);
        drop(busy);
        for w in waiting {
            assert!(!w.await.unwrap().unwrap().ok);
        }
        until_every_thread_is_free(&passwords).await;
        let stats = passwords.stats();
        assert_eq!(
            (stats.queue_depth, stats.hashed, stats.running),
            (0, cores + 2, 0)
        );
        assert!(stats.wait_seconds_max > 0.0 && stats.wait_seconds_total >= stats.wait_seconds_max);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hash_whose_request_left_while_it_waited_is_not_run() {
        let passwords = Passwords::new(HashCost {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap();
        let busy = hold_every_core(&passwords).await;
        let cores = busy.len() as u64;
        let left = {
            let passwords = passwords.clone();
            tokio::spawn(async move { passwords.verify("x".into(), None).await })
        };
        while passwords.queue_depth() < 1 {
            tokio::task::yield_now().await;
        }
        left.abort();
        assert!(matches!(left.await, Err(e) if e.is_cancelled()));
        drop(busy);
        // The next hash runs after the abandoned one left the queue, unrun.
        assert!(!passwords.verify("x".into(), None).await.unwrap().ok);
        until_every_thread_is_free(&passwords).await;
        let stats = passwords.stats();
        assert_eq!((stats.queue_depth, stats.hashed), (0, cores + 1));
    }

    #[test]
    fn each_client_gets_its_share_of_requests_in_flight_and_leaves_no_trace() {
        let passwords = Passwords::bounded(
            HashCost {
                memory_kib: 1024,
                iterations: 1,
                parallelism: 1,
            },
            HashBounds {
                queue: 8,
                per_client: 2,
            },
        )
        .unwrap();
        let a1 = passwords.admit("192.0.2.1").unwrap();
        let a2 = passwords.admit("192.0.2.1").unwrap();
        assert!(passwords.admit("192.0.2.1").is_err());
        let b = passwords.admit("192.0.2.2").unwrap();
        drop(a1);
        let a3 = passwords.admit("192.0.2.1").unwrap();
        assert_eq!(passwords.stats().clients_in_flight, 2);
        assert_eq!(passwords.stats().refused_per_client, 1);
        drop((a2, a3, b));
        // Bounded memory: a client with nothing in flight has no entry.
        assert_eq!(passwords.stats().clients_in_flight, 0);
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
