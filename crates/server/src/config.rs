//! Configuration, read once at start-up from the environment (and flags).

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address and port to listen on; port 0 picks a free one.
    #[arg(long, env = "LISTEN_ADDR", default_value = "127.0.0.1:8080")]
    pub listen_addr: SocketAddr,
    /// `sqlite://path?mode=rwc` or `postgres://…`. Unset: `partner-login.db` here.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://partner-login.db?mode=rwc"
    )]
    pub database_url: String,
    /// `smtp://host:port` for real mail. Unset: the development outbox.
    #[arg(long, env = "SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Sender of every email.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "UN Partner Portal <no-reply@localhost>"
    )]
    pub mail_from: String,
    /// Base of the links in emails. Unset: http://LISTEN_ADDR.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Bearer token of the admin API; unset disables it.
    #[arg(long, env = "ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Comma-separated allowlist of portal URLs; the first is where signed-in people go.
    #[arg(long, env = "RETURN_URLS", value_delimiter = ',')]
    pub return_urls: Vec<String>,
    /// Comma-separated origins allowed to call the API from another origin, with credentials
    /// (`https://login.example.org`: scheme, host and port, no path).
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub cors_allowed_origins: Vec<String>,
    /// Comma-separated origins allowed to show the pages in a frame (CSP frame-ancestors).
    /// Unset: nobody.
    #[arg(long, env = "FRAME_ANCESTORS", value_delimiter = ',')]
    pub frame_ancestors: Vec<String>,
    /// The built SPA.
    #[arg(long, env = "STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,
    /// Azure AD B2C compatibility: require 3 of 4 character classes.
    #[arg(long, env = "PASSWORD_REQUIRE_THREE_CLASSES", default_value_t = false)]
    pub password_require_three_classes: bool,
    /// Days an invitation stays valid.
    #[arg(long, env = "INVITATION_TTL_DAYS", default_value_t = 14)]
    pub invitation_ttl_days: i64,
    /// Seconds between two code sends of one flow.
    #[arg(long, env = "RESEND_COOLDOWN_SECONDS", default_value_t = 30)]
    pub resend_cooldown_seconds: u32,
    /// Minutes without a request after which a session ends.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,
    /// Hours after sign-in after which a session ends.
    #[arg(long, env = "SESSION_ABSOLUTE_HOURS", default_value_t = 12)]
    pub session_absolute_hours: i64,
    /// Failed sign-ins allowed from one client address in an hour (then 429 until the oldest
    /// ages out). Offices behind one NAT address share it: keep it generous.
    #[arg(long, env = "SIGN_IN_FAILURES_PER_CLIENT_HOUR", default_value_t = 100)]
    pub sign_in_failures_per_client_hour: i64,
    /// Serve the development outbox at /dev/mailbox (only ever without SMTP_URL).
    #[arg(long, env = "DEV_MAILBOX")]
    pub dev_mailbox: Option<bool>,
}

impl Config {
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen_addr))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Cookies are `Secure` (and `__Host-` prefixed) unless the site is plain HTTP.
    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }

    pub fn dev_mailbox(&self) -> bool {
        self.smtp_url.is_none() && self.dev_mailbox.unwrap_or(true)
    }
}
