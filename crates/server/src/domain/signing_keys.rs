//! The OpenID Provider's signing keys and the JWTs they sign (ID tokens, logout tokens).
//!
//! RS256 (RSA 2048, PKCS#1 v1.5 with SHA-256): what every relying party accepts. The keys live in
//! the database, so that several instances on one PostgreSQL share them; the first start makes
//! one. `partner-login-server keys rotate` adds a key that signs from then on; the one before it
//! stays published in the JWKS for [`RETAIN_SECONDS`], longer than any token it signed lives,
//! then is retired (ASVS 5.0 V9.1.x: tokens verified by keys from a trusted, pre-configured
//! source; V11.6.x: a vetted implementation, `ring`, signs).
//!
//! No private key is ever logged or served: [`SigningKeys`] has no `Debug` of its keys, and
//! only the public JWK (`kty`, `n`, `e`, `kid`, `use`, `alg`) is published.

use crate::audit::{Action, Audit, Outcome};
use crate::error::{ApiError, ApiResult};
use crate::storage::{self, signing_keys::SigningKey, Db};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RsaPublicKeyComponents};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Seconds a superseded key stays published: longer than an ID token (and a logout token)
/// signed by it lives, so that every relying party can still verify what it holds.
pub const RETAIN_SECONDS: i64 = 3600;

/// The one algorithm the provider signs with.
pub const ALG: &str = "RS256";

/// The signing keys, their parsed private halves cached by `kid` (parsing checks the key,
/// which is slow; the database stays the truth of which key signs).
#[derive(Clone, Default)]
pub struct SigningKeys {
    parsed: Arc<Mutex<HashMap<String, Arc<RsaKeyPair>>>>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKeys")
    }
}

/// A new RSA key: its row, with the public JWK computed by ring from the private key.
fn generate(now: i64) -> anyhow::Result<SigningKey> {
    use rsa::pkcs8::EncodePrivateKey;
    // Key generation only (ring cannot generate RSA keys); ring parses and signs.
    let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?;
    let der = key.to_pkcs8_der()?;
    let pair = RsaKeyPair::from_pkcs8(der.as_bytes())
        .map_err(|e| anyhow::anyhow!("the generated key was refused: {e}"))?;
    let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
    let n = URL_SAFE_NO_PAD.encode(&public.n);
    let e = URL_SAFE_NO_PAD.encode(&public.e);
    // RFC 7638 thumbprint as the kid: stable, and names the key, not a secret.
    let thumbprint = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        thumbprint.as_bytes(),
    ));
    let jwk =
        serde_json::json!({ "kty": "RSA", "use": "sig", "alg": ALG, "kid": kid, "n": n, "e": e });
    Ok(SigningKey {
        kid,
        alg: ALG.to_owned(),
        private_key: STANDARD.encode(der.as_bytes()),
        public_jwk: jwk.to_string(),
        created_at: now,
        superseded_at: None,
    })
}

/// Makes a key on the first start (none signs yet). Several instances starting at once may
/// each make one: all are published, and they all sign with the newest.
pub async fn ensure(db: &Db) -> anyhow::Result<()> {
    if storage::signing_keys::current(db).await?.is_none() {
        let key = tokio::task::spawn_blocking(move || generate(storage::now())).await??;
        storage::signing_keys::insert(db, &key).await?;
        tracing::info!(event = "signing_key_created", kid = key.kid);
    }
    Ok(())
}

/// `keys rotate`: a new key signs from now on; the previous ones stay published for
/// [`RETAIN_SECONDS`]; keys superseded longer ago than that are retired. Returns the new kid and
/// how many keys were retired.
pub async fn rotate(db: &Db) -> anyhow::Result<(String, u64)> {
    let now = storage::now();
    let key = tokio::task::spawn_blocking(move || generate(now)).await??;
    storage::signing_keys::insert(db, &key).await?;
    let retired =
        storage::signing_keys::supersede_others(db, &key.kid, now, now - RETAIN_SECONDS).await?;
    Audit::new(Action::SigningKeyRotated, Outcome::Success)
        .detail(&key.kid)
        .emit();
    Ok((key.kid, retired))
}

/// The JWKS: every published key's public JWK.
pub async fn jwks(db: &Db) -> ApiResult<serde_json::Value> {
    let keys = storage::signing_keys::published(db, storage::now() - RETAIN_SECONDS).await?;
    let keys = keys
        .iter()
        .map(|k| serde_json::from_str::<serde_json::Value>(&k.public_jwk))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(serde_json::json!({ "keys": keys }))
}

impl SigningKeys {
    fn pair(&self, key: &SigningKey) -> ApiResult<Arc<RsaKeyPair>> {
        let mut parsed = self.parsed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pair) = parsed.get(&key.kid) {
            return Ok(pair.clone());
        }
        let der = STANDARD
            .decode(&key.private_key)
            .map_err(|e| ApiError::Internal(e.into()))?;
        let pair = RsaKeyPair::from_pkcs8(&der)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing key {}: {e}", key.kid)))?;
        let pair = Arc::new(pair);
        parsed.insert(key.kid.clone(), pair.clone());
        Ok(pair)
    }

    /// A compact JWS of `claims` signed by the current key, with the header's `typ`
    /// (`JWT`, or `logout+jwt` for a logout token).
    pub async fn sign(&self, db: &Db, typ: &str, claims: &serde_json::Value) -> ApiResult<String> {
        let key = storage::signing_keys::current(db)
            .await?
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no signing key")))?;
        let pair = self.pair(&key)?;
        let header = serde_json::json!({ "alg": ALG, "typ": typ, "kid": key.kid });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; pair.public().modulus_len()];
        pair.sign(
            &ring::signature::RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            input.as_bytes(),
            &mut signature,
        )
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("signing failed")))?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

/// The claims of a JWT this provider signed with a key it still publishes (an `id_token_hint`),
/// or `None`. Expiry is not checked: an expired ID token is a fine hint (RP-Initiated Logout
/// 1.0 §2).
pub async fn verify(db: &Db, jwt: &str) -> ApiResult<Option<serde_json::Value>> {
    let Some((input, signature)) = jwt.rsplit_once('.') else {
        return Ok(None);
    };
    let Some((header, claims)) = input.split_once('.') else {
        return Ok(None);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
    };
    let (Some(header), Some(claims), Ok(signature)) = (
        decode(header),
        decode(claims),
        URL_SAFE_NO_PAD.decode(signature),
    ) else {
        return Ok(None);
    };
    if header["alg"] != ALG {
        return Ok(None);
    }
    let keys = storage::signing_keys::published(db, storage::now() - RETAIN_SECONDS).await?;
    let Some(key) = keys.iter().find(|k| header["kid"] == k.kid.as_str()) else {
        return Ok(None);
    };
    let jwk: serde_json::Value =
        serde_json::from_str(&key.public_jwk).map_err(|e| ApiError::Internal(e.into()))?;
    let component = |name: &str| {
        jwk[name]
            .as_str()
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
    };
    let (Some(n), Some(e)) = (component("n"), component("e")) else {
        return Ok(None);
    };
    let public = RsaPublicKeyComponents { n, e };
    let valid = public
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            input.as_bytes(),
            &signature,
        )
        .is_ok();
    Ok(valid.then_some(claims))
}

/// `at_hash`: the left half of the SHA-256 of the access token, base64url (OpenID Connect Core
/// §3.1.3.6).
pub fn at_hash(access_token: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_the_left_half_of_the_sha256() {
        // OpenID Connect Core's example (A.3): access token and its at_hash.
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn a_generated_key_publishes_only_its_public_half() {
        let key = generate(1).expect("a key");
        let jwk: serde_json::Value = serde_json::from_str(&key.public_jwk).expect("JSON");
        let mut names: Vec<&str> = jwk
            .as_object()
            .expect("object")
            .keys()
            .map(|k| k.as_str())
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(jwk["kid"], key.kid.as_str());
        assert_eq!(jwk["alg"], "RS256");
        assert_eq!(jwk["use"], "sig");
        assert!(!key.public_jwk.contains(&key.private_key[..40]));
    }
}
