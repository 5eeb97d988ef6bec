//! The hashing pool: one thread per core, each taking the next hash from a bounded queue as soon
//! as its last one ends, in memory it keeps from one hash to the next.
//!
//! The threads are the pool's own, not the async runtime's blocking threads: with those, a
//! hash's end gave its core back through the runtime (the next waiting request was woken, then
//! polled by an async worker, which handed its hash to a blocking thread), and the core sat
//! idle meanwhile whenever the worker was busy elsewhere (docs/sign-in-throughput.md, "Tenth
//! stop"). Here the request's task only queues its hash and awaits the answer.
//!
//! Bounds (OWASP ASVS 5.0 V2.4.1 anti-automation; no unbounded work or memory): at most one
//! hash per core runs, each thread holds one argon2 buffer (`cores × m` in all, however many
//! sign-ins arrive), and at most `capacity` hashes wait; one more is refused at once ([`Busy`]).

use super::Busy;
use crate::metrics::HashWait;
use argon2::Block;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// A hash for the pool: its work, and whether anyone still waits for its answer.
pub(super) trait Job: Send {
    /// Whoever asked is gone (its request was dropped while the hash waited): it is skipped.
    fn abandoned(&self) -> bool;
    /// Runs the hash in the thread's `memory`, keeping its answer.
    fn run(&mut self, memory: &mut Vec<Block>);
    /// Sends the answer, if the hash ran to its end: after the pool has counted the hash, so
    /// that whoever reads the pool's figures on receiving it finds it counted.
    fn answer(self: Box<Self>);
}

/// The pool's queue and threads; dropping it lets the threads end once the queue is empty.
pub(super) struct Pool {
    shared: Arc<Shared>,
}

/// What the pool's figures say (`Passwords::stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct PoolFigures {
    pub waiting: usize,
    pub running: usize,
    pub hashed: u64,
    pub refused_queue_full: u64,
    pub wait_seconds_total: f64,
    pub wait_seconds_max: f64,
    pub buffers: usize,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Signalled when a hash is queued or the pool closes.
    ready: Condvar,
    cores: usize,
    /// Hashes that may wait for a core.
    capacity: usize,
    hashed: AtomicU64,
    refused_queue_full: AtomicU64,
    wait_micros_total: AtomicU64,
    wait_micros_max: AtomicU64,
    /// Threads holding argon2 memory (at most one buffer each).
    buffers: AtomicUsize,
}

struct Queue {
    waiting: VecDeque<Queued>,
    running: usize,
    closed: bool,
}

impl Queue {
    /// Queued hashes beyond those an idle thread is about to take: the ones waiting for a core.
    fn waiting_for_a_core(&self, cores: usize) -> usize {
        let idle = cores.saturating_sub(self.running);
        self.waiting.len().saturating_sub(idle)
    }
}

struct Queued {
    job: Box<dyn Job>,
    since: Instant,
    /// The wait, in the metrics (a gauge while waiting, then the histogram).
    wait: HashWait,
}

impl Pool {
    /// Starts `cores` hashing threads with room for `capacity` waiting hashes.
    pub fn start(cores: usize, capacity: usize) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                waiting: VecDeque::new(),
                running: 0,
                closed: false,
            }),
            ready: Condvar::new(),
            cores,
            capacity,
            hashed: AtomicU64::new(0),
            refused_queue_full: AtomicU64::new(0),
            wait_micros_total: AtomicU64::new(0),
            wait_micros_max: AtomicU64::new(0),
            buffers: AtomicUsize::new(0),
        });
        for n in 0..cores {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || shared.serve())?;
        }
        Ok(Self { shared })
    }

    /// Queues a hash, or refuses it at once when every core is busy and `capacity` hashes
    /// already wait (ASVS 5.0 V2.4.1): the backlog never grows past the bound however many
    /// requests arrive. Called inside a request, for the wait's metrics.
    pub fn submit(&self, job: Box<dyn Job>) -> Result<(), Busy> {
        let shared = &self.shared;
        let mut queue = shared.lock();
        if queue.waiting.len() + queue.running >= shared.cores + shared.capacity {
            drop(queue);
            shared.refused_queue_full.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(event = "hash_refused", reason = "queue_full");
            return Err(Busy);
        }
        queue.waiting.push_back(Queued {
            job,
            since: Instant::now(),
            wait: HashWait::start(),
        });
        drop(queue);
        shared.ready.notify_one();
        Ok(())
    }

    /// How many hashes may wait for a core.
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// Hashes waiting for a core now.
    pub fn waiting(&self) -> usize {
        self.shared.lock().waiting_for_a_core(self.shared.cores)
    }

    pub fn figures(&self) -> PoolFigures {
        let shared = &self.shared;
        let (waiting, running) = {
            let queue = shared.lock();
            (queue.waiting_for_a_core(shared.cores), queue.running)
        };
        let micros = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64 / 1e6;
        PoolFigures {
            waiting,
            running,
            hashed: shared.hashed.load(Ordering::Relaxed),
            refused_queue_full: shared.refused_queue_full.load(Ordering::Relaxed),
            wait_seconds_total: micros(&shared.wait_micros_total),
            wait_seconds_max: micros(&shared.wait_micros_max),
            buffers: shared.buffers.load(Ordering::Relaxed),
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.ready.notify_all();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A panic never happens with the lock held (hashes run outside it): the queue is sound.
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A hashing thread: the next hash as soon as the last one ends, until the pool is dropped
    /// and its queue is empty.
    fn serve(&self) {
        let mut memory: Vec<Block> = Vec::new();
        loop {
            let queued = {
                let mut queue = self.lock();
                loop {
                    if let Some(queued) = queue.waiting.pop_front() {
                        queue.running += 1;
                        break queued;
                    }
                    if queue.closed {
                        return;
                    }
                    queue = self.ready.wait(queue).unwrap_or_else(|p| p.into_inner());
                }
            };
            let waited = u64::try_from(queued.since.elapsed().as_micros()).unwrap_or(u64::MAX);
            self.wait_micros_total.fetch_add(waited, Ordering::Relaxed);
            self.wait_micros_max.fetch_max(waited, Ordering::Relaxed);
            drop(queued.wait);
            let mut job = queued.job;
            if !job.abandoned() {
                let had_memory = memory.capacity() > 0;
                // A panicking hash has no answer: its request gets an error, and the thread
                // goes on.
                let _ = catch_unwind(AssertUnwindSafe(|| job.run(&mut memory)));
                if !had_memory && memory.capacity() > 0 {
                    self.buffers.fetch_add(1, Ordering::Relaxed);
                }
                self.hashed.fetch_add(1, Ordering::Relaxed);
            }
            self.lock().running -= 1;
            job.answer();
        }
    }
}
