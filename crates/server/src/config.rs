//! Configuration, read once at start-up from the environment (and flags).

use crate::domain::limits::{Limit, Per};
use crate::proxies::TrustedProxies;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the database is when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://partner-login.db?mode=rwc";

/// The settings that hold secrets. Each can also be read from a file, `<NAME>_FILE` (a mounted
/// container secret, say), so that the secret is in no environment listing (OWASP ASVS 5.0
/// V13.3.1); `OIDC_<ID>_CLIENT_SECRET_FILE` too, in [`SocialProvider::from_vars`].
pub const SECRET_SETTINGS: [&str; 3] = ["ADMIN_TOKEN", "SMTP_URL", "DATABASE_URL"];

/// The content of `<name>_FILE` when it is set (its trailing line ends trimmed), `None` when
/// it is not. Refuses both `<name>` and `<name>_FILE` (which would win is a guess), an
/// unreadable file and an empty one.
pub fn secret_from_file(
    name: &str,
    var: &impl Fn(&str) -> Option<String>,
    also_given: bool,
) -> anyhow::Result<Option<String>> {
    let Some(path) = var(&format!("{name}_FILE")).filter(|p| !p.trim().is_empty()) else {
        return Ok(None);
    };
    anyhow::ensure!(
        !also_given && var(name).is_none(),
        "both {name} and {name}_FILE are set: keep one"
    );
    let content = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("{name}_FILE ({path}) cannot be read: {e}"))?;
    let secret = content.trim_end_matches(['\n', '\r']);
    anyhow::ensure!(!secret.is_empty(), "{name}_FILE ({path}) is empty");
    Ok(Some(secret.to_owned()))
}

/// `MAX_BODY_BYTES`'s default: 64 KiB, thirty times the largest legitimate body (a sign-up's
/// "Create", under 2 KiB with a 256-character password and 64-character names).
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// `MFA_POLICY`: whether a second factor is offered or required (`domain::policy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MfaPolicy {
    /// A second factor is offered; a session on one factor is a full session.
    #[default]
    Optional,
    /// Every session that uses the account needs two factors (AAL2); one made on one factor
    /// may only enrol one.
    Required,
}

#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address and port to listen on; port 0 picks a free one.
    #[arg(long, env = "LISTEN_ADDR", default_value = "127.0.0.1:8080")]
    pub listen_addr: SocketAddr,
    /// `sqlite://path?mode=rwc` or `postgres://…`. Unset: `partner-login.db` here.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    /// The relay mail goes to: `smtp://[user:password@]host[:port][?tls=required|opportunistic|none]`
    /// (STARTTLS, required by default unless the host is this machine) or
    /// `smtps://[user:password@]host[:port]` (implicit TLS). Credentials only over TLS. It holds
    /// a secret: its `Debug` hides the password. Unset: DEV_MAILBOX=true is needed.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<SmtpUrl>,
    /// A PEM file of one or more extra CA certificates trusted for the relay's TLS certificate
    /// (an internal CA), besides Mozilla's roots.
    #[arg(long, env = "SMTP_CA_FILE")]
    pub smtp_ca_file: Option<PathBuf>,
    /// Seconds before the first retry of a message the relay did not take; each retry waits
    /// twice as long (at most an hour), and a message is given up after 24 hours.
    #[arg(long, env = "MAIL_RETRY_SECONDS", default_value_t = 30)]
    pub mail_retry_seconds: u64,
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
    /// Bearer tokens of the admin API, comma-separated (several, so that one can be replaced
    /// without downtime); unset disables it.
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
    /// argon2id memory cost of new password hashes, in KiB (OWASP ASVS 5.0 V11.4.2: at least
    /// 19 MiB with t=2; Keycloak's default is 7168 with t=5).
    #[arg(long, env = "PASSWORD_HASH_MEMORY_KIB", default_value_t = 19 * 1024)]
    pub password_hash_memory_kib: u32,
    /// argon2id passes (time cost) of new password hashes.
    #[arg(long, env = "PASSWORD_HASH_ITERATIONS", default_value_t = 2)]
    pub password_hash_iterations: u32,
    /// argon2id lanes of new password hashes.
    #[arg(long, env = "PASSWORD_HASH_PARALLELISM", default_value_t = 1)]
    pub password_hash_parallelism: u32,
    /// Password hashes that may wait for a core (sign-ins, sign-ups and resets); past it a
    /// request is answered 503 `busy` with `Retry-After` instead of queueing (OWASP ASVS 5.0
    /// V2.4.1). Each running hash holds PASSWORD_HASH_MEMORY_KIB; a waiting one holds only its
    /// request.
    #[arg(long, env = "PASSWORD_HASH_QUEUE", default_value_t = crate::domain::passwords::DEFAULT_QUEUE)]
    pub password_hash_queue: usize,
    /// Password-hashing requests (sign-in, "Create", "Continue" of a reset) one client address
    /// may have in flight at once; one more is answered 503 `busy`.
    #[arg(
        long,
        env = "PASSWORD_HASHES_IN_FLIGHT_PER_CLIENT",
        default_value_t = crate::domain::passwords::DEFAULT_PER_CLIENT
    )]
    pub password_hashes_in_flight_per_client: usize,
    /// Largest request body accepted, in bytes, on every route (then 413). The largest
    /// legitimate body, a sign-up's "Create", is under 2 KiB.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Verification codes one client address may have sent in an hour (sign-up and reset
    /// together; then 429). Offices behind one NAT address share it.
    #[arg(long, env = "CODE_SENDS_PER_CLIENT_HOUR", default_value_t = 30)]
    pub code_sends_per_client_hour: i64,
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
    /// Sign-ins, right or wrong, one client address may attempt in an hour (then 429).
    /// Offices behind one NAT address share it: keep it generous.
    #[arg(long, env = "SIGN_INS_PER_CLIENT_HOUR", default_value_t = 600)]
    pub sign_ins_per_client_hour: i64,
    /// Verification-code checks (right or wrong, sign-up and reset together) one client
    /// address may make in an hour (then 429). Each code also allows only 5 wrong tries.
    #[arg(long, env = "CODE_CHECKS_PER_CLIENT_HOUR", default_value_t = 120)]
    pub code_checks_per_client_hour: i64,
    /// Invitations one client address may create through the admin API in an hour.
    #[arg(long, env = "INVITATIONS_PER_CLIENT_HOUR", default_value_t = 200)]
    pub invitations_per_client_hour: i64,
    /// Refused admin tokens one client address may present in an hour (then 429 even with
    /// the right token until the hour passes).
    #[arg(long, env = "ADMIN_REFUSALS_PER_CLIENT_HOUR", default_value_t = 10)]
    pub admin_refusals_per_client_hour: i64,
    /// Social sign-ins one client address may start in an hour.
    #[arg(long, env = "SOCIAL_STARTS_PER_CLIENT_HOUR", default_value_t = 60)]
    pub social_starts_per_client_hour: i64,
    /// Sign-ins one client address may send to the OpenID Provider's authorization endpoint
    /// without a session in an hour (each keeps a waiting request for 30 minutes); past it, the
    /// client gets `temporarily_unavailable`.
    #[arg(
        long,
        env = "AUTHORIZATION_REQUESTS_PER_CLIENT_HOUR",
        default_value_t = 300
    )]
    pub authorization_requests_per_client_hour: i64,
    /// Comma-separated networks of the reverse proxies in front of this server (`10.0.0.0/8`,
    /// `2001:db8::/32`, or single addresses). Only a request whose TCP peer is in one of them has
    /// its client read from `X-Forwarded-For` (`proxies::client`); unset: nobody is trusted, the
    /// peer is the client. Parsed at start-up; an invalid network refuses to start.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: TrustedProxies,
    /// `true`: keep every email in the development outbox, served at /dev/mailbox (only ever
    /// without SMTP_URL; never in production). Unset or `false` without SMTP_URL: no start.
    #[arg(long, env = "DEV_MAILBOX")]
    pub dev_mailbox: Option<bool>,
    /// Where the API is reachable from browsers (what the SPA's `api_base` resolves to); the
    /// OpenID Connect redirect URIs are `{API_PUBLIC_URL}/social/{id}/callback`. Unset: the
    /// origin of PUBLIC_URL followed by `/api`.
    #[arg(long, env = "API_PUBLIC_URL")]
    pub api_public_url: Option<String>,
    /// The OpenID Provider's issuer identifier (what relying parties are configured with; its
    /// metadata is at `{ISSUER_URL}/.well-known/openid-configuration`). Unset: API_PUBLIC_URL.
    #[arg(long, env = "ISSUER_URL")]
    pub issuer_url: Option<String>,
    /// Comma-separated ids of the social sign-in providers, in the order of their buttons
    /// (`unicef,unhcr,wfp,google`). Each one is configured by `OIDC_<ID>_*` variables.
    #[arg(long, env = "OIDC_PROVIDERS", value_delimiter = ',')]
    pub oidc_providers: Vec<String>,
    /// Address and port of the Prometheus metrics listener (`GET /metrics`, OpenMetrics text),
    /// apart from the public one so that only the monitoring network reaches it. Unset: no
    /// metrics listener.
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Seconds the readiness check (`GET /api/ready`) waits for the database before answering
    /// 503.
    #[arg(long, env = "READY_TIMEOUT_SECONDS", default_value_t = 2)]
    pub ready_timeout_seconds: u64,
    /// A file holding the key that seals authenticator apps' seeds at rest (AES-256-GCM): 32
    /// bytes, or 64 hex characters. Read once at start-up. Unset: authenticator apps are off
    /// (their routes answer 404), and the server refuses to start if any account has one.
    #[arg(long, env = "MFA_ENCRYPTION_KEY_FILE")]
    pub mfa_encryption_key_file: Option<PathBuf>,
    /// `optional` (the default: a second factor is offered, "Not now" skips it) or `required`
    /// (OWASP ASVS 5.0 V6.3.3, NIST SP 800-63B-4 AAL2): a session made on one factor is
    /// enrolment-only, and the OpenID Provider issues no code from it (`domain::policy`).
    #[arg(long, env = "MFA_POLICY", value_enum, default_value_t = MfaPolicy::Optional)]
    pub mfa_policy: MfaPolicy,
    /// The providers of `OIDC_PROVIDERS`, read from their `OIDC_<ID>_*` variables by
    /// [`Config::load_social_providers`].
    #[arg(skip)]
    pub social: Vec<SocialProvider>,
}

/// `SMTP_URL` as configured: a secret (it may hold a password), so its `Debug` and `Display`
/// show the password as `***`. Parsed into a `mail::smtp::Relay` at start-up.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    /// The URL itself, password included: for `mail::smtp::Relay::parse` only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SmtpUrl {
    fn from(url: String) -> Self {
        Self(url)
    }
}

impl From<&str> for SmtpUrl {
    fn from(url: &str) -> Self {
        Self(url.to_owned())
    }
}

impl std::str::FromStr for SmtpUrl {
    type Err = std::convert::Infallible;

    // No check here: clap would print a refused value, password and all. `Relay::parse` (in
    // `mail/smtp.rs`) checks it with messages that never quote the password.
    fn from_str(url: &str) -> Result<Self, Self::Err> {
        Ok(Self(url.to_owned()))
    }
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SmtpUrl({self})")
    }
}

impl std::fmt::Display for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match url::Url::parse(&self.0) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                f.write_str(url.as_str())
            }
            Ok(url) => f.write_str(url.as_str()),
            Err(_) => f.write_str("(not a URL)"),
        }
    }
}

/// One OpenID Connect provider of the social sign-in buttons.
#[derive(Clone)]
pub struct SocialProvider {
    /// Lower-case id, used in URLs (`unicef`).
    pub id: String,
    /// The button's text (`UNICEF Employee`).
    pub label: String,
    /// The button's text in other languages, by language tag (`OIDC_<ID>_LABEL_FR`).
    pub labels: std::collections::BTreeMap<String, String>,
    /// The issuer; its `/.well-known/openid-configuration` is read on first use.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Space-separated scopes, `openid` first (`openid email profile`).
    pub scopes: String,
    /// Domains this provider is the authority for (`OIDC_<ID>_EMAIL_DOMAINS`, lower case): an
    /// address in them counts as verified even without `email_verified`, as a workforce
    /// directory (Microsoft Entra ID) owns its organization's domains but sends no such claim.
    pub email_domains: Vec<String>,
    /// `OIDC_<ID>_MFA=amr`: the provider is trusted to say, in its ID token's `amr` (RFC 8176),
    /// that the person used several factors; a sign-in whose `amr` holds `mfa` is then AAL2
    /// (NIST SP 800-63B-4; `domain::session::WayIn::aal`). Unset: every sign-in there is AAL1.
    pub mfa_from_amr: bool,
}

impl std::fmt::Debug for SocialProvider {
    // The client secret never reaches a log (ASVS 5.0 V13.3.1).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocialProvider")
            .field("id", &self.id)
            .field("label", &self.label)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("email_domains", &self.email_domains)
            .field("mfa_from_amr", &self.mfa_from_amr)
            .finish_non_exhaustive()
    }
}

/// The labels of the user guide's four buttons, so that an operator only sets them to differ.
fn default_label(id: &str) -> Option<&'static str> {
    match id {
        "unicef" => Some("UNICEF Employee"),
        "unhcr" => Some("UNHCR Employee"),
        "wfp" => Some("WFP Employee"),
        "google" => Some("Google"),
        _ => None,
    }
}

/// The languages a button label may be given in (`OIDC_<ID>_LABEL_<LANG>`).
const LABEL_LANGUAGES: [&str; 6] = ["en", "fr", "es", "ar", "zh", "ru"];

impl SocialProvider {
    /// Reads `OIDC_<ID>_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET` (required), `_LABEL`
    /// (required unless the id is one of the user guide's), `_LABEL_<LANG>` and `_SCOPES`
    /// (default `openid email profile`), `_EMAIL_DOMAINS` (comma-separated) and `_MFA`
    /// (`amr`, or unset) through `var`.
    pub fn from_vars(id: &str, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let id = id.trim().to_ascii_lowercase();
        anyhow::ensure!(
            !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "OIDC_PROVIDERS: `{id}` is not a usable id (letters, digits and `-`)"
        );
        let prefix = format!("OIDC_{}_", id.to_ascii_uppercase().replace('-', "_"));
        let required = |name: &str| {
            var(&format!("{prefix}{name}"))
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| anyhow::anyhow!("{prefix}{name} is not set"))
        };
        let label = match var(&format!("{prefix}LABEL")).filter(|v| !v.trim().is_empty()) {
            Some(label) => label,
            None => default_label(&id)
                .map(str::to_owned)
                .ok_or_else(|| anyhow::anyhow!("{prefix}LABEL is not set"))?,
        };
        let labels = LABEL_LANGUAGES
            .iter()
            .filter_map(|lang| {
                var(&format!("{prefix}LABEL_{}", lang.to_ascii_uppercase()))
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| ((*lang).to_owned(), v))
            })
            .collect();
        let scopes = var(&format!("{prefix}SCOPES"))
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "openid email profile".to_owned());
        anyhow::ensure!(
            scopes.split_whitespace().any(|s| s == "openid"),
            "{prefix}SCOPES must include openid"
        );
        let email_domains = var(&format!("{prefix}EMAIL_DOMAINS"))
            .unwrap_or_default()
            .split(',')
            .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect::<Vec<_>>();
        anyhow::ensure!(
            email_domains
                .iter()
                .all(|d| d.contains('.') && !d.contains(|c: char| c.is_whitespace() || c == '@')),
            "{prefix}EMAIL_DOMAINS must list domains such as `unicef.org,un.org`"
        );
        let mfa_from_amr = match var(&format!("{prefix}MFA")).as_deref().map(str::trim) {
            None | Some("") => false,
            Some(v) if v.eq_ignore_ascii_case("amr") => true,
            Some(_) => anyhow::bail!(
                "{prefix}MFA must be `amr` (trust the provider's `amr` claim) or unset"
            ),
        };
        let issuer = required("ISSUER")?.trim_end_matches('/').to_owned();
        let client_id = required("CLIENT_ID")?;
        let client_secret = match secret_from_file(&format!("{prefix}CLIENT_SECRET"), &var, false)?
        {
            Some(secret) => secret,
            None => required("CLIENT_SECRET")?,
        };
        Ok(Self {
            issuer,
            client_id,
            client_secret,
            label,
            labels,
            scopes,
            email_domains,
            mfa_from_amr,
            id,
        })
    }
}

impl Config {
    /// Reads the secret settings given as files (`ADMIN_TOKEN_FILE`, `SMTP_URL_FILE`,
    /// `DATABASE_URL_FILE`: [`SECRET_SETTINGS`]) through `var`, once, at start-up, before
    /// anything uses the configuration (`cli::run`); the names are [`SECRET_SETTINGS`]. A setting given both ways (its variable or
    /// flag, and its file) stops the start.
    pub fn read_secret_files(
        &mut self,
        var: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<()> {
        if let Some(token) = secret_from_file("ADMIN_TOKEN", &var, self.admin_token.is_some())? {
            self.admin_token = Some(token);
        }
        if let Some(url) = secret_from_file("SMTP_URL", &var, self.smtp_url.is_some())? {
            self.smtp_url = Some(url.into());
        }
        // DATABASE_URL has a default: given means changed from it.
        let given = self.database_url != DEFAULT_DATABASE_URL;
        if let Some(url) = secret_from_file("DATABASE_URL", &var, given)? {
            self.database_url = url;
        }
        Ok(())
    }

    /// The anti-automation limits of `domain::limits` per client address, from the settings
    /// above.
    pub fn code_send_limit(&self) -> Limit {
        Self::per_client("code_send", self.code_sends_per_client_hour)
    }

    pub fn code_check_limit(&self) -> Limit {
        Self::per_client("code_check", self.code_checks_per_client_hour)
    }

    pub fn sign_in_failure_limit(&self) -> Limit {
        Self::per_client("sign_in_failure", self.sign_in_failures_per_client_hour)
    }

    pub fn sign_in_limit(&self) -> Limit {
        Self::per_client("sign_in", self.sign_ins_per_client_hour)
    }

    pub fn invitation_limit(&self) -> Limit {
        Self::per_client("invitation", self.invitations_per_client_hour)
    }

    /// The admin API's tokens: `ADMIN_TOKEN` split at commas, blanks dropped.
    pub fn admin_tokens(&self) -> Vec<&str> {
        self.admin_token
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect()
    }

    pub fn admin_refusal_limit(&self) -> Limit {
        Self::per_client("admin_refused", self.admin_refusals_per_client_hour)
    }

    pub fn social_start_limit(&self) -> Limit {
        Self::per_client("social_start", self.social_starts_per_client_hour)
    }

    pub fn authorization_request_limit(&self) -> Limit {
        Self::per_client(
            "authorization_request",
            self.authorization_requests_per_client_hour,
        )
    }

    fn per_client(kind: &'static str, per_hour: i64) -> Limit {
        Limit {
            kind,
            per_hour,
            per: Per::ClientAddress,
        }
    }

    pub fn password_hash_cost(&self) -> crate::domain::passwords::HashCost {
        crate::domain::passwords::HashCost {
            memory_kib: self.password_hash_memory_kib,
            iterations: self.password_hash_iterations,
            parallelism: self.password_hash_parallelism,
        }
    }

    pub fn password_hash_bounds(&self) -> crate::domain::passwords::HashBounds {
        crate::domain::passwords::HashBounds {
            queue: self.password_hash_queue,
            per_client: self.password_hashes_in_flight_per_client,
        }
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen_addr))
            .trim_end_matches('/')
            .to_owned()
    }

    /// The WebAuthn relying party of passkeys (`domain::passkeys`), from `PUBLIC_URL` (where the
    /// SPA is served, so where the browser runs the ceremonies): its host is the relying party
    /// id and its origin the one origin accepted (W3C WebAuthn L3 §5.1.3, §7.1 step 9). None
    /// (passkeys off) when `PUBLIC_URL` is on an IP address or has no domain: browsers refuse
    /// WebAuthn there, and so does webauthn-rs.
    pub fn relying_party(&self) -> Option<webauthn_rs::Webauthn> {
        let public = url::Url::parse(&self.public_url()).ok()?;
        let rp_id = public.domain()?.to_owned();
        let origin = url::Url::parse(&public.origin().ascii_serialization()).ok()?;
        webauthn_rs::WebauthnBuilder::new(&rp_id, &origin)
            .ok()?
            .rp_name("UN Partner Portal")
            .build()
            .ok()
    }

    /// Cookies are `Secure` (and `__Host-` prefixed) unless the site is plain HTTP.
    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }

    /// Reads the providers `OIDC_PROVIDERS` names from the environment, once, at start-up.
    pub fn load_social_providers(&mut self) -> anyhow::Result<()> {
        self.social = self
            .oidc_providers
            .iter()
            .filter(|id| !id.trim().is_empty())
            .map(|id| SocialProvider::from_vars(id, |name| std::env::var(name).ok()))
            .collect::<anyhow::Result<_>>()?;
        let mut ids: Vec<&str> = self.social.iter().map(|p| p.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        anyhow::ensure!(
            ids.len() == self.social.len(),
            "OIDC_PROVIDERS names a provider twice"
        );
        Ok(())
    }

    /// The API's public base URL (no trailing slash), see `API_PUBLIC_URL`.
    pub fn api_public_url(&self) -> String {
        match &self.api_public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => {
                let public = self.public_url();
                let origin_end = public
                    .find("://")
                    .and_then(|scheme| public[scheme + 3..].find('/').map(|p| p + scheme + 3))
                    .unwrap_or(public.len());
                format!("{}/api", &public[..origin_end])
            }
        }
    }

    /// The OpenID Provider's issuer: ISSUER_URL, or API_PUBLIC_URL (no trailing slash).
    pub fn issuer(&self) -> String {
        match &self.issuer_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => self.api_public_url(),
        }
    }

    /// The development outbox serves every email, reset codes included, to anyone who asks
    /// (OWASP ASVS 5.0 V13.4.2: no debug features in production): on only when asked for with
    /// `DEV_MAILBOX=true`, and never with SMTP. Nothing is guessed from the public URL: behind a
    /// proxy on loopback every site looks local (issue 19, defect 6).
    pub fn dev_mailbox(&self) -> bool {
        self.smtp_url.is_none() && self.dev_mailbox == Some(true)
    }

    /// A server without SMTP and without an explicit `DEV_MAILBOX=true` would send its codes
    /// nowhere: refuse to start, saying what to set. The SMTP URL itself is checked when the
    /// mailer is built (`Relay::parse` in `mail/smtp.rs`).
    pub fn check_mail(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.smtp_url.is_some() || self.dev_mailbox == Some(true),
            "SMTP_URL is not set: set SMTP_URL (smtp://, smtps://) so that codes reach people, \
             or DEV_MAILBOX=true to keep every email in the development outbox at /dev/mailbox \
             (development only: it shows every code to anyone who can reach the server)"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn a_provider_reads_its_variables_with_the_guides_label_by_default() {
        let p = SocialProvider::from_vars(
            "UNICEF",
            vars(&[
                ("OIDC_UNICEF_ISSUER", "https://login.example/tenant/v2.0/"),
                ("OIDC_UNICEF_CLIENT_ID", "id"),
                ("OIDC_UNICEF_CLIENT_SECRET", "secret"),
                ("OIDC_UNICEF_LABEL_FR", "Personnel de l'UNICEF"),
                ("OIDC_UNICEF_EMAIL_DOMAINS", " unicef.org, @UN.org ,"),
            ]),
        )
        .unwrap();
        assert_eq!(p.email_domains, ["unicef.org", "un.org"]);
        assert_eq!(p.id, "unicef");
        assert_eq!(p.label, "UNICEF Employee");
        assert_eq!(p.labels["fr"], "Personnel de l'UNICEF");
        assert_eq!(p.issuer, "https://login.example/tenant/v2.0");
        assert_eq!(p.scopes, "openid email profile");
        assert!(
            !p.mfa_from_amr,
            "a provider's amr is not trusted unless configured"
        );
        assert!(!format!("{p:?}").contains("secret"), "no secret in logs");
    }

    #[test]
    fn a_provider_is_trusted_for_its_amr_only_when_told() {
        let with = |mfa: &str| {
            SocialProvider::from_vars("acme", |name| match name {
                "OIDC_ACME_ISSUER" => Some("https://a.example".into()),
                "OIDC_ACME_CLIENT_ID" | "OIDC_ACME_CLIENT_SECRET" | "OIDC_ACME_LABEL" => {
                    Some("x".into())
                }
                "OIDC_ACME_MFA" => Some(mfa.to_owned()),
                _ => None,
            })
        };
        assert!(with("amr").unwrap().mfa_from_amr);
        assert!(with(" AMR ").unwrap().mfa_from_amr);
        assert!(!with("").unwrap().mfa_from_amr);
        let err = with("yes").err().unwrap().to_string();
        assert_eq!(
            err,
            "OIDC_ACME_MFA must be `amr` (trust the provider's `amr` claim) or unset"
        );
    }

    #[test]
    fn a_provider_says_which_variable_is_missing() {
        let err = SocialProvider::from_vars("acme", vars(&[("OIDC_ACME_ISSUER", "https://a")]))
            .err()
            .unwrap()
            .to_string();
        assert_eq!(err, "OIDC_ACME_LABEL is not set");
        let err = SocialProvider::from_vars(
            "google",
            vars(&[("OIDC_GOOGLE_ISSUER", "https://accounts.google.com")]),
        )
        .err()
        .unwrap()
        .to_string();
        assert_eq!(err, "OIDC_GOOGLE_CLIENT_ID is not set");
        let err = SocialProvider::from_vars(
            "google",
            vars(&[
                ("OIDC_GOOGLE_ISSUER", "https://accounts.google.com"),
                ("OIDC_GOOGLE_CLIENT_ID", "id"),
                ("OIDC_GOOGLE_CLIENT_SECRET", "s"),
                ("OIDC_GOOGLE_SCOPES", "email profile"),
            ]),
        )
        .err()
        .unwrap()
        .to_string();
        assert_eq!(err, "OIDC_GOOGLE_SCOPES must include openid");
        let err = SocialProvider::from_vars(
            "wfp",
            vars(&[
                ("OIDC_WFP_ISSUER", "https://login.example/wfp/v2.0"),
                ("OIDC_WFP_CLIENT_ID", "id"),
                ("OIDC_WFP_CLIENT_SECRET", "s"),
                ("OIDC_WFP_EMAIL_DOMAINS", "wfp.org gmail.com"),
            ]),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(err.starts_with("OIDC_WFP_EMAIL_DOMAINS must list"), "{err}");
        assert!(SocialProvider::from_vars("bad id", vars(&[])).is_err());
    }

    /// OWASP ASVS 5.0 V13.4.2 (issue 19, defect 6): the outbox that shows every code is on
    /// only when asked for (`DEV_MAILBOX=true`), never because the public URL looks local (a
    /// server behind a proxy on loopback, with PUBLIC_URL unset, looks local); and a server with
    /// neither SMTP nor an explicit outbox does not start.
    #[test]
    fn the_outbox_is_on_only_when_asked_for() {
        let config = |args: &[&str]| {
            let mut all = vec!["x", "--database-url", "sqlite::memory:"];
            all.extend_from_slice(args);
            let mut config = Cli::parse_from(all).config;
            config.smtp_url = None;
            config.dev_mailbox = None;
            config
        };
        for public_url in [
            None,
            Some("http://127.0.0.1:8080"),
            Some("http://localhost:3000/login/"),
            Some("http://[::1]:8080"),
            Some("https://login.example.org"),
            Some("http://10.0.0.5:8080"),
        ] {
            let args: Vec<&str> = public_url
                .map(|url| vec!["--public-url", url])
                .unwrap_or_default();
            let mut c = config(&args);
            assert!(!c.dev_mailbox(), "{public_url:?}: not asked for");
            let err = c.check_mail().unwrap_err().to_string();
            assert!(
                err.contains("SMTP_URL") && err.contains("DEV_MAILBOX=true"),
                "{err}"
            );
            c.dev_mailbox = Some(false);
            assert!(
                !c.dev_mailbox() && c.check_mail().is_err(),
                "{public_url:?}"
            );
            c.dev_mailbox = Some(true);
            assert!(
                c.dev_mailbox() && c.check_mail().is_ok(),
                "{public_url:?}: an explicit choice"
            );
            c.smtp_url = Some("smtp://127.0.0.1:25".into());
            assert!(!c.dev_mailbox() && c.check_mail().is_ok(), "SMTP wins");
        }
    }

    /// An operator's typo in TRUSTED_PROXIES refuses to start, saying what to write, rather
    /// than trusting a wrong network (OWASP ASVS 5.0 V2.4.1: the limits count real clients).
    #[test]
    fn trusted_proxies_are_parsed_at_start_up() {
        let config =
            Cli::parse_from(["x", "--trusted-proxies", "10.0.0.0/8, 2001:db8::/32"]).config;
        assert_eq!(config.trusted_proxies.len(), 2);
        assert!(
            Cli::parse_from(["x"]).config.trusted_proxies.is_empty(),
            "default: none"
        );
        let Err(err) = Cli::try_parse_from(["x", "--trusted-proxies", "10.0.0.0/8,10.1.0.0/8"])
        else {
            panic!("a network with host bits is refused");
        };
        let err = err.to_string();
        assert!(
            err.contains("TRUSTED_PROXIES") && err.contains("write 10.0.0.0/8"),
            "{err}"
        );
    }

    /// OWASP ASVS 5.0 V13.3.1: every secret setting can come from a file, read once at start-up,
    /// its trailing newline trimmed; given both ways, or empty, it stops the start.
    #[test]
    fn secrets_are_read_from_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, content: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, content).unwrap();
            path.display().to_string()
        };
        let token = file("token", "old-token-0123456789,new-token-0123456789\n");
        let smtp = file("smtp", "smtp://user:pass@mail.example.org:587\r\n");
        let db = file("db", "postgres://app:pw@db/app");
        let empty = file("empty", "\n");
        // As if the process had none of these variables (the test's own environment may).
        let parse = || {
            let mut config = Cli::parse_from(["x"]).config;
            config.admin_token = None;
            config.smtp_url = None;
            config.database_url = DEFAULT_DATABASE_URL.into();
            config
        };
        let pairs = [
            ("ADMIN_TOKEN_FILE", token.as_str()),
            ("SMTP_URL_FILE", smtp.as_str()),
            ("DATABASE_URL_FILE", db.as_str()),
        ];
        assert_eq!(
            pairs.len(),
            SECRET_SETTINGS.len(),
            "one file per secret setting"
        );
        let mut config = parse();
        config.read_secret_files(vars(&pairs)).unwrap();
        assert_eq!(
            config.admin_tokens(),
            ["old-token-0123456789", "new-token-0123456789"]
        );
        assert_eq!(
            config.smtp_url.as_ref().map(SmtpUrl::expose),
            Some("smtp://user:pass@mail.example.org:587")
        );
        assert_eq!(config.database_url, "postgres://app:pw@db/app");

        // Without a file, nothing changes.
        let mut config = parse();
        config.read_secret_files(vars(&[])).unwrap();
        assert_eq!(config.admin_token, None);
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);

        // Both ways: refused, whether the variable or the flag gave it.
        let err = parse()
            .read_secret_files(vars(&[("ADMIN_TOKEN", "t"), ("ADMIN_TOKEN_FILE", &token)]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "both ADMIN_TOKEN and ADMIN_TOKEN_FILE are set: keep one"
        );
        let mut flagged = Cli::parse_from(["x", "--smtp-url", "smtp://localhost:25"]).config;
        let err = flagged
            .read_secret_files(vars(&[("SMTP_URL_FILE", &smtp)]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("both SMTP_URL and SMTP_URL_FILE"), "{err}");
        let mut flagged = Cli::parse_from(["x", "--database-url", "sqlite::memory:"]).config;
        assert!(flagged
            .read_secret_files(vars(&[("DATABASE_URL_FILE", &db)]))
            .is_err());

        // An empty or missing file: refused, saying which.
        let err = parse()
            .read_secret_files(vars(&[("ADMIN_TOKEN_FILE", &empty)]))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("ADMIN_TOKEN_FILE (") && err.ends_with("is empty"),
            "{err}"
        );
        let err = parse()
            .read_secret_files(vars(&[("SMTP_URL_FILE", "/nonexistent/smtp")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("SMTP_URL_FILE (/nonexistent/smtp) cannot be read"),
            "{err}"
        );
    }

    #[test]
    fn a_providers_client_secret_can_come_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "from-the-file\n").unwrap();
        let path = path.display().to_string();
        let base = [
            ("OIDC_UNICEF_ISSUER", "https://login.example/tenant/v2.0"),
            ("OIDC_UNICEF_CLIENT_ID", "id"),
            ("OIDC_UNICEF_CLIENT_SECRET_FILE", path.as_str()),
        ];
        let p = SocialProvider::from_vars("unicef", vars(&base)).unwrap();
        assert_eq!(p.client_secret, "from-the-file");
        let mut both = base.to_vec();
        both.push(("OIDC_UNICEF_CLIENT_SECRET", "inline"));
        let err = SocialProvider::from_vars("unicef", vars(&both))
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            "both OIDC_UNICEF_CLIENT_SECRET and OIDC_UNICEF_CLIENT_SECRET_FILE are set: keep one"
        );
    }

    #[test]
    fn the_api_url_defaults_to_the_origin_of_the_public_url() {
        let mut config =
            Cli::parse_from(["x", "--public-url", "https://portal.example/login/"]).config;
        assert_eq!(config.api_public_url(), "https://portal.example/api");
        config.public_url = Some("http://127.0.0.1:8080".into());
        assert_eq!(config.api_public_url(), "http://127.0.0.1:8080/api");
        config.api_public_url = Some("https://api.example/v1/".into());
        assert_eq!(config.api_public_url(), "https://api.example/v1");
    }
}
