//! `AppState`: what every handler and every use case of `domain/` can reach, built once at
//! start-up from the configuration (which is never read again).

use crate::config::Config;
use crate::domain::passwords::Passwords;
use crate::domain::signing_keys::{self, SigningKeys};
use crate::domain::totp::SealingKey;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::oidc::Providers;
use crate::storage::{self, Db};
use std::sync::Arc;

/// What every handler can reach. Configuration is read once, at start-up.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub mailer: Mailer,
    /// The social sign-in providers (OpenID Connect), with their discovered metadata.
    pub social: Arc<Providers>,
    /// argon2id at the configured cost.
    pub passwords: Passwords,
    /// The OpenID Provider's signing keys (kept in the database; parsed keys cached here).
    pub signing_keys: SigningKeys,
    /// The Prometheus metrics of this instance (`metrics.rs`).
    pub metrics: Metrics,
    /// The WebAuthn relying party (`domain::passkeys`), None when `PUBLIC_URL` has no domain.
    pub passkeys: Option<Arc<webauthn_rs::Webauthn>>,
    /// The key that seals authenticator apps' seeds (`MFA_ENCRYPTION_KEY_FILE`), None when
    /// unset: authenticator apps are off (`domain::mfa`).
    pub mfa_key: Option<Arc<SealingKey>>,
}

impl AppState {
    /// Builds the state from the configuration: database (migrated) and mailer.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        config.check_mail()?;
        let db = storage::connect(&config.database_url).await?;
        let mailer = Mailer::new(&config, &db)?;
        let social = Providers::new(&config.social, &config.api_public_url())?;
        let passwords =
            Passwords::bounded(config.password_hash_cost(), config.password_hash_bounds())?;
        // The first start makes the provider's signing key (OpenID Connect needs one to exist).
        signing_keys::ensure(&db).await?;
        let passkeys = config.relying_party().map(Arc::new);
        if passkeys.is_none() {
            tracing::warn!(
                event = "passkeys_off",
                "PUBLIC_URL has no domain name (an IP address?): passkeys are off"
            );
        }
        let mfa_key = match &config.mfa_encryption_key_file {
            Some(path) => Some(Arc::new(SealingKey::read(path)?)),
            None => {
                // Accounts whose second step is an app would be left with their recovery codes
                // only: refuse to start rather than weaken or lock them out.
                let apps = storage::second_factors::confirmed_apps(&db).await?;
                anyhow::ensure!(
                    apps == 0,
                    "MFA_ENCRYPTION_KEY_FILE is unset but {apps} account(s) have an authenticator app: set it to the key file they were added with"
                );
                tracing::warn!(
                    event = "authenticator_apps_off",
                    "MFA_ENCRYPTION_KEY_FILE is unset: authenticator apps are off"
                );
                None
            }
        };
        Ok(Self {
            config: Arc::new(config),
            db,
            mailer,
            social: Arc::new(social),
            passwords,
            signing_keys: SigningKeys::default(),
            metrics: Metrics::new(),
            passkeys,
            mfa_key,
        })
    }
}
