//! `TestApp`: the real app on 127.0.0.1:0 with a fresh database and an SMTP sink, and typed
//! helpers over HTTP (in the manner of zero-to-production's `spawn_app`).

use partner_login_contract::api::{CSRF_HEADER, CSRF_HEADER_VALUE};
use partner_login_server::config::Config;
use partner_login_testkit::{Message, Postgres, SmtpSink};
use reqwest::{Client, Response};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(20);
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `<name>::sqlite` and `<name>::postgres` tests from `async fn <name>(Backend)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    )*};
}

pub struct TestApp {
    pub url: String,
    /// `http://…/metrics` of the metrics listener, when the config set `metrics_addr`.
    pub metrics_url: Option<String>,
    pub client: Client,
    pub mail: SmtpSink,
    pub state: partner_login_server::AppState,
    _dir: tempfile::TempDir,
    _pg: Option<Postgres>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (database_url, pg) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
                None,
            ),
            Backend::Postgres => {
                let pg = tokio::task::spawn_blocking(Postgres::start).await.unwrap();
                let url = pg.database();
                (url, Some(pg))
            }
        };
        Self::spawn_on(database_url, pg, dir, tweak).await
    }

    /// Two instances of the app on one PostgreSQL database, as operators run several behind a
    /// load balancer (each its own SMTP sink and loopback port).
    pub async fn spawn_pair(tweak: impl Fn(&mut Config)) -> (Self, Self) {
        let pg = tokio::task::spawn_blocking(Postgres::start).await.unwrap();
        let url = pg.database();
        let first =
            Self::spawn_on(url.clone(), Some(pg), tempfile::tempdir().unwrap(), &tweak).await;
        let second = Self::spawn_on(url, None, tempfile::tempdir().unwrap(), &tweak).await;
        (first, second)
    }

    async fn spawn_on(
        database_url: String,
        pg: Option<Postgres>,
        dir: tempfile::TempDir,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let mail = SmtpSink::start().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = Config {
            listen_addr: addr,
            database_url,
            smtp_url: Some(mail.url().into()),
            smtp_ca_file: None,
            // Retries after a second (then 2, 4…): the tests of a relay that is down wait for
            // them.
            mail_retry_seconds: 1,
            mail_from: "UN Partner Portal <no-reply@localhost>".into(),
            public_url: Some(format!("http://{addr}")),
            admin_token: Some(ADMIN_TOKEN.into()),
            return_urls: Vec::new(),
            cors_allowed_origins: Vec::new(),
            frame_ancestors: Vec::new(),
            static_dir: PathBuf::from("/nonexistent"),
            password_require_three_classes: false,
            password_hash_memory_kib: 19 * 1024,
            password_hash_iterations: 2,
            password_hash_parallelism: 1,
            password_hash_queue: 64,
            password_hashes_in_flight_per_client: 4,
            max_body_bytes: 64 * 1024,
            code_sends_per_client_hour: 30,
            invitation_ttl_days: 14,
            resend_cooldown_seconds: 30,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            sign_in_failures_per_client_hour: 100,
            sign_ins_per_client_hour: 600,
            code_checks_per_client_hour: 120,
            invitations_per_client_hour: 200,
            admin_refusals_per_client_hour: 10,
            social_starts_per_client_hour: 60,
            authorization_requests_per_client_hour: 300,
            trusted_proxies: Default::default(),
            dev_mailbox: None,
            api_public_url: None,
            issuer_url: None,
            oidc_providers: Vec::new(),
            metrics_addr: None,
            ready_timeout_seconds: 2,
            social: Vec::new(),
            mfa_encryption_key_file: Some(mfa_key_file(&dir)),
            mfa_policy: partner_login_server::config::MfaPolicy::Optional,
        };
        tweak(&mut config);
        let metrics = match config.metrics_addr {
            Some(addr) => Some(tokio::net::TcpListener::bind(addr).await.unwrap()),
            None => None,
        };
        let metrics_url = metrics
            .as_ref()
            .map(|l| format!("http://{}/metrics", l.local_addr().unwrap()));
        let state = partner_login_server::state(config).await.unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serving = state.clone();
        tokio::spawn(async move {
            partner_login_server::serve_with_metrics(serving, listener, metrics, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Self {
            url: format!("http://{addr}"),
            metrics_url,
            client: Client::builder().cookie_store(true).build().unwrap(),
            mail,
            state,
            _dir: dir,
            _pg: pg,
            shutdown: Some(tx),
        }
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api{path}", self.url)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_as(&self.client, path).await
    }

    /// A second browser: its own cookie jar.
    pub fn new_client() -> Client {
        Client::builder().cookie_store(true).build().unwrap()
    }

    pub async fn get_as(&self, client: &Client, path: &str) -> Response {
        client.get(self.api(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.post_as(&self.client, path, body).await
    }

    pub async fn post_as(&self, client: &Client, path: &str, body: Value) -> Response {
        client
            .post(self.api(path))
            .header(CSRF_HEADER, CSRF_HEADER_VALUE)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.delete_as(&self.client, path).await
    }

    pub async fn delete_as(&self, client: &Client, path: &str) -> Response {
        client
            .delete(self.api(path))
            .header(CSRF_HEADER, CSRF_HEADER_VALUE)
            .send()
            .await
            .unwrap()
    }

    /// Invites `email` through the admin API; returns the token of the mailed link.
    pub async fn invite(&self, email: &str, organization: &str) -> String {
        let before = self
            .mail
            .messages()
            .await
            .iter()
            .filter(|m| m.to.iter().any(|t| t == email))
            .count();
        let response = self
            .client
            .post(self.api("/admin/invitations"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"email": email, "organization": organization, "inviter": "Fatou Ndiaye"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        let link = body["link"].as_str().unwrap().to_owned();
        let mail = self.nth_mail(email, before + 1).await;
        assert_eq!(mail.link(), link, "the mailed link is the returned one");
        link.split_once('#').unwrap().1.to_owned()
    }

    /// The `n`-th message (1-based) to `to`.
    pub async fn nth_mail(&self, to: &str, n: usize) -> Message {
        self.mail
            .wait_for_count(to, n, WAIT)
            .await
            .swap_remove(n - 1)
    }

    /// Starts a sign-up; returns the flow id.
    pub async fn start_signup(&self, email: &str, invitation: Option<&str>) -> String {
        let response = self
            .post("/signup", json!({"email": email, "invitation": invitation}))
            .await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        body["flow_id"].as_str().unwrap().to_owned()
    }

    /// Starts a password reset for `email`, enters the code of its `n`-th mail, and returns
    /// the verified flow's id and the code.
    pub async fn verified_reset(&self, email: &str, n: usize) -> (String, String) {
        let started = self
            .post("/password-reset", json!({"email": email, "language": "en"}))
            .await;
        assert_eq!(started.status(), 201);
        let view: Value = started.json().await.unwrap();
        let flow = view["flow_id"].as_str().unwrap().to_owned();
        let code = self.nth_mail(email, n).await.code();
        let verified = self
            .post(
                &format!("/password-reset/{flow}/verify"),
                json!({"code": code}),
            )
            .await;
        assert_eq!(verified.status(), 200);
        (flow, code)
    }

    pub async fn verify(&self, flow: &str, code: &str) -> Response {
        self.post(&format!("/signup/{flow}/verify"), json!({"code": code}))
            .await
    }

    pub async fn complete(&self, flow: &str, password: &str) -> Response {
        self.post(
            &format!("/signup/{flow}/complete"),
            json!({
                "password": password, "password_confirmation": password,
                "display_name": "Amina D.", "given_name": "Amina", "surname": "Diallo"
            }),
        )
        .await
    }

    /// Signs `email` in with `password` on this app's client.
    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.post("/session", json!({"email": email, "password": password}))
            .await
    }

    /// Signs up `email` with [`PASSPHRASE`], then signs out.
    pub async fn signed_up(&self, email: &str) {
        let flow = self.start_signup(email, None).await;
        let code = self.nth_mail(email, 1).await.code();
        self.verify(&flow, &code).await;
        assert_eq!(self.complete(&flow, PASSPHRASE).await.status(), 201);
        assert_eq!(self.delete("/session").await.status(), 204);
    }

    /// Runs a statement on the app's database (to move a deadline into the past).
    pub async fn exec(&self, sql: &str) {
        sqlx::query(sql).execute(&self.state.db).await.unwrap();
    }

    /// The `COUNT(*)` (or any single integer) a query returns, e.g. the accounts of an address.
    pub async fn count(&self, sql: &str) -> i64 {
        let row: (i64,) = sqlx::query_as(sql).fetch_one(&self.state.db).await.unwrap();
        row.0
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The session id a response set, from its `Set-Cookie`.
/// The seconds of a response's `Retry-After` header.
pub fn retry_after(response: &Response) -> u32 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

pub fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("partner_login_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .filter(|v| !v.is_empty())
}

/// `GET /api/session` with only this session id (no cookie jar).
pub async fn session_status(app: &TestApp, id: &str) -> u16 {
    Client::new()
        .get(app.api("/session"))
        .header("cookie", format!("partner_login_session={id}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The problem document of a response, checking its media type.
pub async fn problem(response: Response) -> Value {
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "errors are RFC 9457 problem documents"
    );
    response.json().await.unwrap()
}

pub const PASSPHRASE: &str = "river mango lantern 42";

/// A browser at another client address (127.0.0.x on the loopback), e.g. an attacker's.
pub fn client_at(last_octet: u8) -> Client {
    Client::builder()
        .cookie_store(true)
        .local_address(std::net::IpAddr::from([127, 0, 0, last_octet]))
        .build()
        .unwrap()
}

/// A fresh key for authenticator apps' seeds (`MFA_ENCRYPTION_KEY_FILE`), 64 hex characters, in
/// the test's directory.
pub fn mfa_key_file(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("mfa.key");
    let key: [u8; 32] = rand::random();
    std::fs::write(&path, hex_of(&key)).unwrap();
    path
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
