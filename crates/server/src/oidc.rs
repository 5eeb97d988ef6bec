//! The OpenID Connect relying party behind the social sign-in buttons (OpenID Connect Core 1.0,
//! authorization code flow, with PKCE (RFC 7636), `state` and `nonce`).
//!
//! Each provider's metadata and signing keys come from its discovery document, read on first
//! use and again after [`METADATA_TTL`] (or at once when an ID token's key is unknown, so a key
//! rotation costs no failed sign-in). The `openidconnect` crate checks the discovery document's
//! issuer, and the ID token's signature (against the provider's JWKS), issuer, audience,
//! authorized party, expiry, issue time and nonce (OIDC Core §3.1.3.7); this module adds the
//! access token hash (`at_hash`, §3.1.3.8) and reads the address from the UserInfo endpoint,
//! for the subject of the ID token only, when the ID token does not carry it.

use crate::config::SocialProvider;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// How long a provider's discovery document and keys are trusted before being read again.
pub const METADATA_TTL: Duration = Duration::from_secs(3600);

type RelyingParty = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a provider could not be used. The text is for the log; it never holds a token or code.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("no provider `{0}` is configured")]
    UnknownProvider(String),
    /// Discovery failed: the provider is down, or its document is invalid.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// The provider's answer failed a check.
    #[error("provider answer rejected: {0}")]
    Rejected(String),
}

/// A sign-in to send the browser off with; the three secrets are kept server-side.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Who the provider says signed in.
#[derive(Clone, Debug)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    /// True only when the provider said so (`email_verified: true`).
    pub email_verified: bool,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// The provider is trusted for its `amr` (`OIDC_<ID>_MFA=amr`) and its ID token's `amr`
    /// said `mfa` (RFC 8176 §2): the person used several factors there.
    pub mfa: bool,
}

/// Whether a provider's sign-in counts as multi-factor: only when the operator trusts the
/// provider's `amr` claim and the claim holds `mfa` (RFC 8176 §2; NIST SP 800-63C-4: the
/// relying party takes the IdP's assertion of the authentication it performed, if it trusts
/// the IdP for it). Anything else (no claim, `pwd` alone, an untrusted provider) is one factor.
pub fn says_mfa(trusted: bool, amr: Option<&[String]>) -> bool {
    trusted && amr.is_some_and(|methods| methods.iter().any(|m| m == "mfa"))
}

struct Provider {
    config: SocialProvider,
    redirect_uri: RedirectUrl,
    discovered: RwLock<Option<(Instant, Arc<RelyingParty>)>>,
}

/// The configured providers, in the order of their buttons.
pub struct Providers {
    http: openidconnect::reqwest::Client,
    providers: Vec<Provider>,
}

impl Providers {
    /// `api_public_url`: where the browser reaches the API; the redirect URIs hang off it.
    pub fn new(configs: &[SocialProvider], api_public_url: &str) -> anyhow::Result<Self> {
        let http = openidconnect::reqwest::Client::builder()
            // Following redirects would open the client to SSRF (openidconnect's advice).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        let providers = configs
            .iter()
            .map(|config| {
                Ok(Provider {
                    redirect_uri: RedirectUrl::new(redirect_uri(api_public_url, &config.id))?,
                    config: config.clone(),
                    discovered: RwLock::new(None),
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self { http, providers })
    }

    pub fn configs(&self) -> impl Iterator<Item = &SocialProvider> {
        self.providers.iter().map(|p| &p.config)
    }

    fn provider(&self, id: &str) -> Result<&Provider, OidcError> {
        self.providers
            .iter()
            .find(|p| p.config.id == id)
            .ok_or_else(|| OidcError::UnknownProvider(id.to_owned()))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.provider(id).is_ok()
    }

    /// The configured issuer of a provider.
    pub fn issuer(&self, id: &str) -> Option<&str> {
        self.provider(id).ok().map(|p| p.config.issuer.as_str())
    }

    /// The domains the operator declared this provider the authority for (none if unknown).
    pub fn email_domains(&self, id: &str) -> &[String] {
        self.provider(id)
            .map(|p| p.config.email_domains.as_slice())
            .unwrap_or_default()
    }

    /// The relying party of a provider, discovering it when not known or too old (or `fresh`).
    async fn relying_party(
        &self,
        provider: &Provider,
        fresh: bool,
    ) -> Result<Arc<RelyingParty>, OidcError> {
        if !fresh {
            if let Some((at, rp)) = provider.discovered.read().await.as_ref() {
                if at.elapsed() < METADATA_TTL {
                    return Ok(rp.clone());
                }
            }
        }
        let issuer = IssuerUrl::new(provider.config.issuer.clone())
            .map_err(|e| OidcError::Unavailable(format!("issuer URL: {e}")))?;
        // Checks that the document's issuer is the configured one (OIDC Discovery §4.3).
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unavailable(error_chain(&e)))?;
        let rp = Arc::new(
            CoreClient::from_provider_metadata(
                metadata,
                ClientId::new(provider.config.client_id.clone()),
                Some(ClientSecret::new(provider.config.client_secret.clone())),
            )
            .set_redirect_uri(provider.redirect_uri.clone()),
        );
        *provider.discovered.write().await = Some((Instant::now(), rp.clone()));
        Ok(rp)
    }

    /// Starts a sign-in at a provider. `login_hint`: the invited address, to preselect it.
    pub async fn authorize(
        &self,
        id: &str,
        login_hint: Option<&str>,
    ) -> Result<Authorization, OidcError> {
        let provider = self.provider(id)?;
        let rp = self.relying_party(provider, false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = rp.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in provider
            .config
            .scopes
            .split_whitespace()
            .filter(|s| *s != "openid")
        {
            request = request.add_scope(Scope::new(scope.to_owned()));
        }
        if let Some(hint) = login_hint {
            request = request.add_extra_param("login_hint", hint.to_owned());
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Redeems the authorization code and validates what comes back.
    pub async fn finish(
        &self,
        id: &str,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Identity, OidcError> {
        let provider = self.provider(id)?;
        let mut rp = self.relying_party(provider, false).await?;
        let token = rp
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Unavailable(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Rejected(format!("code exchange: {}", error_chain(&e))))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| OidcError::Rejected("no ID token in the token response".into()))?;
        let nonce = Nonce::new(nonce.to_owned());
        let first_try = id_token.claims(&rp.id_token_verifier(), &nonce).cloned();
        let claims: CoreIdTokenClaims = match first_try {
            Ok(claims) => claims,
            Err(first) => {
                // Perhaps the provider rotated its keys: read them again, once.
                tracing::info!(event = "oidc_keys_refreshed", provider = id, reason = ?first.to_string());
                rp = self.relying_party(provider, true).await?;
                id_token
                    .claims(&rp.id_token_verifier(), &nonce)
                    .map_err(|e| OidcError::Rejected(format!("ID token: {e}")))?
                    .clone()
            }
        };
        if let Some(expected) = claims.access_token_hash() {
            let verifier = rp.id_token_verifier();
            let rejected = |e: &dyn std::fmt::Display| OidcError::Rejected(format!("at_hash: {e}"));
            let alg = id_token.signing_alg().map_err(|e| rejected(&e))?;
            let key = id_token.signing_key(&verifier).map_err(|e| rejected(&e))?;
            let actual = AccessTokenHash::from_token(token.access_token(), alg, key)
                .map_err(|e| rejected(&e))?;
            if actual != *expected {
                return Err(OidcError::Rejected(
                    "the access token does not match the ID token".into(),
                ));
            }
        }
        let mut identity = Identity {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified() == Some(true),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            given_name: claims
                .given_name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            family_name: claims
                .family_name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            mfa: says_mfa(
                provider.config.mfa_from_amr,
                claims
                    .auth_method_refs()
                    .map(|amr| amr.iter().map(|m| m.to_string()).collect::<Vec<_>>())
                    .as_deref(),
            ),
        };
        if identity.email.is_none() && rp.user_info_url().is_some() {
            // The UserInfo answer must be about the same subject (OIDC Core §5.3.2).
            let info: CoreUserInfoClaims = rp
                .user_info(token.access_token().clone(), Some(claims.subject().clone()))
                .map_err(|e| OidcError::Unavailable(e.to_string()))?
                .request_async(&self.http)
                .await
                .map_err(|e| OidcError::Rejected(format!("userinfo: {}", error_chain(&e))))?;
            identity.email = info.email().map(|e| e.to_string());
            identity.email_verified = info.email_verified() == Some(true);
            let or = |mine: &mut Option<String>, theirs: Option<String>| {
                if mine.is_none() {
                    *mine = theirs;
                }
            };
            or(
                &mut identity.name,
                info.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
            );
            or(
                &mut identity.given_name,
                info.given_name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.to_string()),
            );
            or(
                &mut identity.family_name,
                info.family_name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.to_string()),
            );
        }
        Ok(identity)
    }
}

/// `{api_public_url}/social/{id}/callback`: the URI to register at the provider.
pub fn redirect_uri(api_public_url: &str, id: &str) -> String {
    format!(
        "{}/social/{id}/callback",
        api_public_url.trim_end_matches('/')
    )
}

/// An error with its sources, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::says_mfa;

    #[test]
    fn a_sign_in_is_multi_factor_only_at_a_trusted_provider_saying_mfa() {
        let amr = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(says_mfa(true, Some(&amr(&["pwd", "mfa"]))));
        assert!(!says_mfa(false, Some(&amr(&["pwd", "mfa"]))), "not trusted");
        assert!(!says_mfa(true, Some(&amr(&["pwd"]))));
        assert!(
            !says_mfa(true, Some(&amr(&["MFA"]))),
            "RFC 8176 values are exact"
        );
        assert!(!says_mfa(true, Some(&[])));
        assert!(!says_mfa(true, None), "no claim: one factor");
    }
}
