//! A closed-loop load generator: `concurrency` workers, each sending its next request as soon
//! as the previous answer arrived, for a time or a number of requests.

use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request's result: its HTTP status, or why there was none.
pub type Outcome = Result<u16, String>;
pub type Request = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// When the run stops.
#[derive(Clone, Copy)]
pub enum Until {
    Elapsed(Duration),
    Count(u64),
}

#[derive(Debug, Serialize)]
pub struct Stats {
    pub requests: u64,
    /// Answers by HTTP status (`"200"`), and `"error"` for no answer.
    pub statuses: BTreeMap<String, u64>,
    pub seconds: f64,
    /// Successful (2xx) answers per second.
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Every answer's latency, sorted: to pool several runs ([`pool`]).
    #[serde(skip)]
    latencies: Vec<Duration>,
}

impl Stats {
    pub fn successes(&self) -> u64 {
        self.statuses
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .map(|(_, n)| n)
            .sum()
    }
}

/// Runs `request(i)` for i = 0, 1, 2, … from `concurrency` workers.
pub async fn run<F>(concurrency: usize, until: Until, request: F) -> Stats
where
    F: Fn(u64) -> Request + Send + Sync + 'static,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicU64::new(0));
    let samples = Arc::new(Mutex::new(Vec::<(Duration, Outcome)>::new()));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (request, next, samples) = (request.clone(), next.clone(), samples.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let more = match until {
                    Until::Elapsed(d) => started.elapsed() < d,
                    Until::Count(n) => i < n,
                };
                if !more {
                    break;
                }
                let sent = Instant::now();
                let outcome = request(i).await;
                let took = sent.elapsed();
                samples.lock().expect("not poisoned").push((took, outcome));
            }
        });
    }
    while workers.join_next().await.is_some() {}
    let seconds = started.elapsed().as_secs_f64();
    let samples = std::mem::take(&mut *samples.lock().expect("not poisoned"));
    summarize(samples, seconds)
}

fn summarize(samples: Vec<(Duration, Outcome)>, seconds: f64) -> Stats {
    let mut statuses = BTreeMap::new();
    let mut latencies: Vec<Duration> = Vec::with_capacity(samples.len());
    for (took, outcome) in &samples {
        let key = match outcome {
            Ok(status) => status.to_string(),
            Err(_) => "error".to_owned(),
        };
        *statuses.entry(key).or_insert(0) += 1;
        latencies.push(*took);
    }
    stats(statuses, latencies, seconds)
}

/// Several runs as one: their answers and latencies together, over their summed time.
pub fn pool(runs: Vec<Stats>) -> Stats {
    let mut statuses = BTreeMap::new();
    let (mut latencies, mut seconds) = (Vec::new(), 0.0);
    for run in runs {
        for (status, n) in run.statuses {
            *statuses.entry(status).or_insert(0) += n;
        }
        latencies.extend(run.latencies);
        seconds += run.seconds;
    }
    stats(statuses, latencies, seconds)
}

fn stats(statuses: BTreeMap<String, u64>, mut latencies: Vec<Duration>, seconds: f64) -> Stats {
    latencies.sort_unstable();
    let ms = |q: usize| {
        latencies
            .get((latencies.len() * q / 100).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let mut stats = Stats {
        requests: latencies.len() as u64,
        statuses,
        seconds,
        per_second: 0.0,
        p50_ms: ms(50),
        p99_ms: ms(99),
        max_ms: latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        latencies,
    };
    stats.per_second = stats.successes() as f64 / seconds.max(f64::EPSILON);
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_rates_come_from_the_samples() {
        let samples: Vec<(Duration, Outcome)> = (1..=100)
            .map(|ms| {
                let outcome = if ms == 100 { Ok(500) } else { Ok(200) };
                (Duration::from_millis(ms), outcome)
            })
            .collect();
        let stats = summarize(samples, 2.0);
        assert_eq!(stats.requests, 100);
        assert_eq!(stats.statuses["200"], 99);
        assert_eq!(stats.statuses["500"], 1);
        assert_eq!(stats.per_second, 49.5, "only 2xx answers count");
        assert_eq!(stats.p50_ms, 51.0);
        assert_eq!(stats.p99_ms, 100.0);
        assert_eq!(stats.max_ms, 100.0);
    }

    #[test]
    fn pooled_runs_add_their_answers_and_times() {
        let run = |ms: std::ops::RangeInclusive<u64>, status: u16, seconds: f64| {
            let samples = ms
                .map(|ms| (Duration::from_millis(ms), Ok(status)))
                .collect();
            summarize(samples, seconds)
        };
        let pooled = pool(vec![run(1..=50, 200, 1.0), run(51..=100, 429, 3.0)]);
        assert_eq!(pooled.requests, 100);
        assert_eq!(pooled.statuses["200"], 50);
        assert_eq!(pooled.statuses["429"], 50);
        assert_eq!(pooled.seconds, 4.0);
        assert_eq!(pooled.per_second, 12.5, "50 successes in 4 s");
        assert_eq!(pooled.p50_ms, 51.0, "the percentiles of all the answers");
        assert_eq!(pooled.max_ms, 100.0);
    }

    #[tokio::test]
    async fn a_counted_run_sends_each_index_once() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let stats = run(3, Until::Count(20), move |i| {
            log.lock().unwrap().push(i);
            Box::pin(async { Ok(204) })
        })
        .await;
        assert_eq!(stats.requests, 20);
        let mut seen = seen.lock().unwrap().clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..20).collect::<Vec<_>>());
    }
}
