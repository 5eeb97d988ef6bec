//! Prometheus metrics (OpenMetrics text), served on their own listener (`METRICS_ADDR`, off by
//! default; `http::metrics_router`), never on the public one.
//!
//! One [`Metrics`] per `AppState`. Code reaches the metrics of the request it runs in through a
//! task-local [`Request`] scope the HTTP middleware opens (`http::observe`), so that an audit
//! event (`audit.rs`), a limit that refuses (`domain::limits`) or a hash that waits for the pool
//! (`domain::passwords`) counts itself in one line, without the state passed down to it.
//! Outside a request (the command line, a background task) nothing is counted.
//!
//! Every label takes its values from a closed set (enums, the limits' names, the router's route
//! templates), never from the request (no raw path, no address): the series stay bounded.

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every metric of the server, and the registry that encodes them.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    sign_ins: Family<OutcomeLabel, Counter>,
    codes_sent: Family<KindLabel, Counter>,
    limits_hit: Family<LimitLabel, Counter>,
    audit_events: Family<AuditLabels, Counter>,
    hash_waiting: Gauge,
    hash_wait: Histogram,
    requests: Family<RequestLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabel {
    limit: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AuditLabels {
    action: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: Method,
    /// The router's route template (`/api/signup/{flow_id}/verify`), or `unmatched`.
    route: String,
    status: StatusClass,
}

/// The request methods the API answers, and `other` for any other (a client may send any
/// token as a method: it must not become a series of its own).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(clippy::upper_case_acronyms)]
pub enum Method {
    GET,
    HEAD,
    POST,
    PUT,
    PATCH,
    DELETE,
    OPTIONS,
    OTHER,
}

impl Method {
    pub fn of(method: &str) -> Self {
        match method {
            "GET" => Self::GET,
            "HEAD" => Self::HEAD,
            "POST" => Self::POST,
            "PUT" => Self::PUT,
            "PATCH" => Self::PATCH,
            "DELETE" => Self::DELETE,
            "OPTIONS" => Self::OPTIONS,
            _ => Self::OTHER,
        }
    }
}

/// `2xx`, `3xx`, `4xx`, `5xx`.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub struct StatusClass(u16);

impl StatusClass {
    pub fn of(status: u16) -> Self {
        Self((status / 100).clamp(1, 5))
    }
}

impl EncodeLabelValue for StatusClass {
    fn encode(
        &self,
        encoder: &mut prometheus_client::encoding::LabelValueEncoder,
    ) -> std::fmt::Result {
        use std::fmt::Write;
        write!(encoder, "{}xx", self.0)
    }
}

fn request_histogram() -> Histogram {
    // 1 ms to about 16 s: a page of the API answers in milliseconds, a sign-in hashes for tens
    // to hundreds.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("partner_login");
        let sign_ins = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "sign_ins",
            "Password sign-ins by outcome: success, or the refusal's error code",
            sign_ins.clone(),
        );
        let codes_sent = Family::<KindLabel, Counter>::default();
        registry.register(
            "codes_sent",
            "Verification codes mailed, by flow (sign_up, password_reset)",
            codes_sent.clone(),
        );
        let limits_hit = Family::<LimitLabel, Counter>::default();
        registry.register(
            "limits_hit",
            "Requests refused by an hourly cap, by the cap's name",
            limits_hit.clone(),
        );
        let audit_events = Family::<AuditLabels, Counter>::default();
        registry.register(
            "audit_events",
            "Audit events (the `audit` log target) by action and outcome",
            audit_events.clone(),
        );
        let hash_waiting = Gauge::default();
        registry.register(
            "password_hash_waiting",
            "Password hashes waiting for the hashing pool",
            hash_waiting.clone(),
        );
        let hash_wait = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        registry.register_with_unit(
            "password_hash_wait",
            "Time a password hash waited for the hashing pool",
            prometheus_client::registry::Unit::Seconds,
            hash_wait.clone(),
        );
        let requests = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            request_histogram,
        );
        registry.register_with_unit(
            "http_request_duration",
            "HTTP request latency by method, route template and status class",
            prometheus_client::registry::Unit::Seconds,
            requests.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being answered",
            in_flight.clone(),
        );
        Self(Arc::new(Inner {
            registry,
            sign_ins,
            codes_sent,
            limits_hit,
            audit_events,
            hash_waiting,
            hash_wait,
            requests,
            in_flight,
        }))
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.0.registry);
        text
    }

    /// A password sign-in's outcome: `success` or the refusal's error code.
    pub fn sign_in(&self, outcome: &'static str) {
        self.0
            .sign_ins
            .get_or_create(&OutcomeLabel { outcome })
            .inc();
    }

    /// A request answered: its latency under its route template and status class.
    pub fn request(&self, method: Method, route: String, status: u16, took: Duration) {
        let labels = RequestLabels {
            method,
            route,
            status: StatusClass::of(status),
        };
        self.0
            .requests
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    /// Counts a request in flight until the guard drops.
    pub fn in_flight(&self) -> InFlight {
        self.0.in_flight.inc();
        InFlight(self.0.in_flight.clone())
    }

    fn audit(&self, action: &'static str, outcome: &'static str) -> u64 {
        self.0
            .audit_events
            .get_or_create(&AuditLabels { action, outcome })
            .inc()
    }
}

/// A request in flight (see [`Metrics::in_flight`]).
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// What the code running for a request can reach: the metrics and the client's address.
#[derive(Clone)]
pub struct Request {
    pub metrics: Metrics,
    /// The client address as `http::client::ClientAddress` gives it (for audit events).
    pub client: Option<Arc<str>>,
}

tokio::task_local! {
    static REQUEST: Request;
}

/// Runs `work` (a request's handling) with `request` reachable by [`with`] and [`client`].
pub async fn scope<F: std::future::Future>(request: Request, work: F) -> F::Output {
    REQUEST.scope(request, work).await
}

/// Calls `f` with the metrics of the request this code runs for, if any.
fn with<T>(f: impl FnOnce(&Metrics) -> T) {
    let _ = REQUEST.try_with(|r| f(&r.metrics));
}

/// The client address of the request this code runs for, if any.
pub fn client() -> Option<Arc<str>> {
    REQUEST.try_with(|r| r.client.clone()).ok().flatten()
}

/// An audit event, by action and outcome (`audit.rs` calls it).
pub fn audit_event(action: &'static str, outcome: &'static str) {
    with(|m| m.audit(action, outcome));
}

/// A verification code mailed for a flow of `kind` (`sign_up`, `password_reset`).
pub fn code_sent(kind: &'static str) {
    with(|m| m.0.codes_sent.get_or_create(&KindLabel { kind }).inc());
}

/// A request refused by the hourly cap named `limit` (`domain::limits::Limit::kind`).
pub fn limit_hit(limit: &'static str) {
    with(|m| m.0.limits_hit.get_or_create(&LimitLabel { limit }).inc());
}

/// A password hash waiting for the pool: counted in the gauge while it waits; its wait goes to
/// the histogram when [`HashWait::done`] is called (or the wait is abandoned).
pub struct HashWait {
    metrics: Option<Metrics>,
    since: Instant,
}

impl HashWait {
    pub fn start() -> Self {
        let metrics = REQUEST.try_with(|r| r.metrics.clone()).ok();
        if let Some(m) = &metrics {
            m.0.hash_waiting.inc();
        }
        Self {
            metrics,
            since: Instant::now(),
        }
    }

    pub fn done(self) {}
}

impl Drop for HashWait {
    fn drop(&mut self) {
        if let Some(m) = &self.metrics {
            m.0.hash_waiting.dec();
            m.0.hash_wait.observe(self.since.elapsed().as_secs_f64());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes_and_methods_are_a_closed_set() {
        assert_eq!(StatusClass::of(204), StatusClass(2));
        assert_eq!(StatusClass::of(599), StatusClass(5));
        assert_eq!(StatusClass::of(42), StatusClass(1));
        assert_eq!(StatusClass::of(999), StatusClass(5));
        assert_eq!(Method::of("BREW"), Method::OTHER);
        assert_eq!(Method::of("get"), Method::OTHER);
        assert_eq!(Method::of("DELETE"), Method::DELETE);
    }

    #[tokio::test]
    async fn counts_reach_the_text_only_inside_a_request() {
        let metrics = Metrics::new();
        code_sent("sign_up");
        let request = Request {
            metrics: metrics.clone(),
            client: Some("192.0.2.1".into()),
        };
        scope(request, async {
            code_sent("sign_up");
            limit_hit("code_send");
            assert_eq!(client().as_deref(), Some("192.0.2.1"));
            HashWait::start().done();
        })
        .await;
        metrics.request(
            Method::POST,
            "/api/session".into(),
            401,
            Duration::from_millis(3),
        );
        let text = metrics.encode();
        assert!(
            text.contains("partner_login_codes_sent_total{kind=\"sign_up\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("partner_login_limits_hit_total{limit=\"code_send\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("partner_login_password_hash_waiting 0\n"),
            "{text}"
        );
        assert!(
            text.contains("partner_login_password_hash_wait_seconds_count 1\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "partner_login_http_request_duration_seconds_count{method=\"POST\",route=\"/api/session\",status=\"4xx\"} 1\n"
            ),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"));
        assert_eq!(client(), None);
    }
}
