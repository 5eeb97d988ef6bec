//! The OpenID Provider's token endpoint (OpenID Connect Core §3.1.3, RFC 6749 §4.1.3, PKCE RFC
//! 7636 §4.6) and userinfo endpoint (§5.3).
//!
//! A code is redeemed once, within [`CODE_SECONDS`](super::authorization::CODE_SECONDS), by the
//! client it was issued to, with the redirect uri it was issued for, and with the PKCE verifier
//! of its challenge; a second redemption revokes the access token the first one got (RFC 6749
//! §4.1.2). No refresh tokens: the relying party keeps its own session and asks again, which
//! succeeds at once while ours lives (a refresh token would outlive our session's timeouts).

use crate::audit::{Action, Audit, Outcome};
use crate::domain::clients::{self, Credentials, Refusal};
use crate::domain::{claims, secrets, signing_keys};
use crate::error::{ApiError, OAuthError};
use crate::state::AppState;
use crate::storage::{self, authorizations::AccessToken};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use partner_login_contract::api::{Aal, TokenResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Seconds an ID token and an access token live.
pub const TOKEN_SECONDS: i64 = 600;

/// The token endpoint's form (RFC 6749 §4.1.3), client credentials aside.
#[derive(Debug, Default, Deserialize)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// A PKCE verifier or S256 challenge as RFC 7636 writes them (§4.1, §4.2): 43 to 128
/// unreserved characters.
pub fn is_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// S256: base64url(SHA-256(verifier)).
fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ))
}

/// Redeems an authorization code.
pub async fn exchange(
    state: &AppState,
    basic: Option<(String, String)>,
    request: TokenRequest,
) -> Result<TokenResponse, OAuthError> {
    let now = storage::now();
    let tried_basic = basic.is_some();
    let credentials = Credentials {
        basic,
        client_id: request.client_id.clone(),
        client_secret: request.client_secret.clone(),
    };
    // Confidential clients authenticate (ASVS 5.0 V10.4.10).
    let client = match clients::authenticate(state, &credentials).await? {
        Ok(client) => client,
        Err(Refusal::TwoMethods) => {
            return Err(OAuthError::InvalidRequest(
                "use one client authentication method",
            ))
        }
        Err(Refusal::Unknown) => {
            Audit::new(Action::Token, Outcome::Failure)
                .detail("invalid_client")
                .emit();
            return Err(OAuthError::InvalidClient { basic: tried_basic });
        }
    };
    match request.grant_type.as_deref() {
        Some("authorization_code") => {}
        Some(_) => return Err(OAuthError::UnsupportedGrantType),
        None => return Err(OAuthError::InvalidRequest("grant_type is missing")),
    }
    let code = request
        .code
        .as_deref()
        .ok_or(OAuthError::InvalidRequest("code is missing"))?;
    let code_hash = secrets::hash(code);
    let grant = storage::authorizations::code(&state.db, &code_hash)
        .await?
        .ok_or(OAuthError::InvalidGrant("the code is not valid"))?;
    // Once (ASVS 5.0 V10.4.2).
    if grant.used_at.is_some() {
        return Err(replayed(state, &code_hash, &client.id).await);
    }
    if grant.client_id != client.id {
        Audit::new(Action::Token, Outcome::Refused)
            .detail("wrong_client")
            .emit();
        return Err(OAuthError::InvalidGrant(
            "the code was issued to another client",
        ));
    }
    // A minute (ASVS 5.0 V10.4.3: at most 10 minutes at L2, 1 at L3).
    if now > grant.expires_at {
        return Err(OAuthError::InvalidGrant("the code has expired"));
    }
    if request.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
        return Err(OAuthError::InvalidGrant(
            "redirect_uri is not the one of the request",
        ));
    }
    match (&grant.code_challenge, request.code_verifier.as_deref()) {
        (Some(challenge), Some(verifier)) => {
            if !is_pkce_value(verifier) || !secrets::same(&s256(verifier), challenge) {
                return Err(OAuthError::InvalidGrant("the code_verifier does not match"));
            }
        }
        (Some(_), None) => return Err(OAuthError::InvalidGrant("code_verifier is missing")),
        // RFC 9700 §2.1.1: a verifier without a challenge is a downgrade attempt.
        (None, Some(_)) => {
            return Err(OAuthError::InvalidGrant(
                "no code_challenge was sent for this code",
            ))
        }
        (None, None) => {}
    }
    let access_token = secrets::new_token();
    let token = AccessToken {
        client_id: client.id.clone(),
        account_id: grant.account_id.clone(),
        scope: grant.scope.clone(),
        idp: grant.idp.clone(),
        expires_at: now + TOKEN_SECONDS,
    };
    let mut tx = state.db.begin().await?;
    if !storage::authorizations::use_code(&mut tx, &code_hash, now).await? {
        drop(tx);
        return Err(replayed(state, &code_hash, &client.id).await);
    }
    storage::authorizations::insert_access_token(
        &mut tx,
        &secrets::hash(&access_token),
        &code_hash,
        &token,
    )
    .await?;
    storage::authorizations::add_session_client(
        &mut tx,
        &grant.sid,
        &client.id,
        &grant.account_id,
        now,
    )
    .await?;
    tx.commit().await?;

    let mut id_token = claims::of(state, &grant.account_id, &grant.scope, &grant.idp).await?;
    let amr: Vec<&str> = grant.amr.split_whitespace().collect();
    let standard = json!({
        "iss": state.config.issuer(),
        "aud": client.id,
        "azp": client.id,
        "iat": now,
        "exp": now + TOKEN_SECONDS,
        "auth_time": grant.auth_time,
        "sid": grant.sid,
        "amr": amr,
        "acr": acr(grant.aal),
        "at_hash": signing_keys::at_hash(&access_token),
    });
    if let Value::Object(standard) = standard {
        id_token.extend(standard);
    }
    if let Some(nonce) = grant.nonce {
        id_token.insert("nonce".into(), nonce.into());
    }
    let id_token = state
        .signing_keys
        .sign(&state.db, "JWT", &Value::Object(id_token))
        .await?;
    Audit::new(Action::Token, Outcome::Success)
        .account(Some(&grant.account_id))
        .detail(&client.id)
        .emit();
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: TOKEN_SECONDS,
        id_token,
        scope: grant.scope,
    })
}

/// The ID token's `acr` (OpenID Connect Core §2) for a session's assurance level: the URIs the
/// US federal identity program (FICAM, idmanagement.gov) publishes for NIST SP 800-63 AALs,
/// which login.gov's relying parties send and read. `acr_values_supported` in the discovery
/// document lists them; the value is the level the sign-in reached, never more (a passkey or a
/// trusted multi-factor provider: AAL2; a password or another provider alone: AAL1).
pub fn acr(aal: Aal) -> &'static str {
    match aal {
        Aal::Aal1 => ACR_AAL1,
        Aal::Aal2 => ACR_AAL2,
    }
}

/// `acr` of a single-factor sign-in (NIST SP 800-63B-4 AAL1).
pub const ACR_AAL1: &str = "http://idmanagement.gov/ns/assurance/aal/1";
/// `acr` of a multi-factor sign-in (NIST SP 800-63B-4 AAL2).
pub const ACR_AAL2: &str = "http://idmanagement.gov/ns/assurance/aal/2";

/// A code used a second time: what its first use issued is revoked (RFC 6749 §4.1.2; ASVS 5.0
/// V10.4.2), and the answer is `invalid_grant`.
async fn replayed(state: &AppState, code_hash: &str, client: &str) -> OAuthError {
    match storage::authorizations::revoke_code_tokens(&state.db, code_hash).await {
        Ok(revoked) => {
            tracing::warn!(event = "authorization_code_replayed", client, revoked);
            Audit::new(Action::Token, Outcome::Refused)
                .detail("code_replayed")
                .emit();
            OAuthError::InvalidGrant("the code was used already")
        }
        Err(err) => err.into(),
    }
}

/// The userinfo endpoint: the claims the access token's scopes grant.
pub async fn userinfo(
    state: &AppState,
    bearer: Option<&str>,
) -> Result<Map<String, Value>, OAuthError> {
    let bearer = bearer.ok_or(OAuthError::InvalidToken)?;
    let token =
        storage::authorizations::access_token(&state.db, &secrets::hash(bearer), storage::now())
            .await?
            .ok_or(OAuthError::InvalidToken)?;
    match claims::of(state, &token.account_id, &token.scope, &token.idp).await {
        Ok(claims) => Ok(claims),
        Err(ApiError::Internal(_)) => Err(OAuthError::InvalidToken),
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_is_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(is_pkce_value("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!is_pkce_value("short"));
    }
}
