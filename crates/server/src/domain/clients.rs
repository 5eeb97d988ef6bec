//! The applications that sign people in through the OpenID Provider (its clients, the relying
//! parties): registered by an operator with `partner-login-server client add`, never by anyone
//! over HTTP. A confidential client's secret is shown once and kept as its SHA-256 (it is 256
//! bits from the CSPRNG, so a fast hash is enough: ASVS 5.0 V11.4.1); a public client (a
//! single-page or native application) has none and must use PKCE.

use crate::audit::{Action, Audit, Outcome};
use crate::domain::redirect::with_query;
use crate::domain::secrets;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::storage::{self, clients::Client, Db};

/// What an operator registers.
#[derive(Clone, Debug, Default)]
pub struct Registration {
    pub id: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub initiate_login_uri: Option<String>,
    pub public: bool,
}

/// A uri an operator registers: absolute, no fragment (RFC 6749 §3.1.2), `https`, or `http`
/// on a loopback host only (RFC 8252 §7.3; OAuth 2.0 Security BCP §4.1: nothing else travels
/// in clear).
pub fn check_uri(uri: &str) -> Result<(), String> {
    let url = url::Url::parse(uri).map_err(|e| format!("`{uri}` is not an absolute URL: {e}"))?;
    if url.fragment().is_some() {
        return Err(format!(
            "`{uri}` has a fragment (#…), which a redirect uri must not"
        ));
    }
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        other => Err(format!(
            "`{uri}`: {other}:// is refused; use https:// (http:// only on a loopback host)"
        )),
    }
}

/// Registers a client; returns its secret (shown once), or `None` for a public client.
pub async fn add(db: &Db, registration: &Registration) -> anyhow::Result<Option<String>> {
    let id = registration.id.trim();
    anyhow::ensure!(
        !id.is_empty()
            && id.len() <= 100
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
        "--id: `{id}` is not a usable client id (1 to 100 letters, digits, `-`, `_`, `.`)"
    );
    anyhow::ensure!(
        !registration.redirect_uris.is_empty(),
        "a client needs at least one --redirect-uri"
    );
    let uris = registration
        .redirect_uris
        .iter()
        .chain(&registration.post_logout_redirect_uris)
        .chain(&registration.backchannel_logout_uri)
        .chain(&registration.initiate_login_uri);
    for uri in uris {
        check_uri(uri).map_err(anyhow::Error::msg)?;
    }
    let secret = (!registration.public).then(secrets::new_token);
    let client = Client {
        id: id.to_owned(),
        secret_hash: secret.as_deref().map(secrets::hash),
        redirect_uris: registration.redirect_uris.clone(),
        post_logout_redirect_uris: registration.post_logout_redirect_uris.clone(),
        backchannel_logout_uri: registration.backchannel_logout_uri.clone(),
        initiate_login_uri: registration.initiate_login_uri.clone(),
        created_at: storage::now(),
    };
    if let Err(err) = storage::clients::insert(db, &client).await {
        anyhow::ensure!(
            !storage::is_unique_violation(&err),
            "a client `{id}` exists already (`client remove --id {id}` first, or `client rotate-secret`)"
        );
        return Err(err.into());
    }
    Audit::new(Action::ClientAdded, Outcome::Success)
        .detail(id)
        .emit();
    Ok(secret)
}

/// A new secret for a confidential client (the old one stops working at once).
pub async fn rotate_secret(db: &Db, id: &str) -> anyhow::Result<String> {
    let secret = secrets::new_token();
    anyhow::ensure!(
        storage::clients::set_secret(db, id, &secrets::hash(&secret)).await?,
        "no confidential client `{id}`"
    );
    Audit::new(Action::ClientSecretRotated, Outcome::Success)
        .detail(id)
        .emit();
    Ok(secret)
}

pub async fn remove(db: &Db, id: &str) -> anyhow::Result<()> {
    anyhow::ensure!(storage::clients::delete(db, id).await?, "no client `{id}`");
    Audit::new(Action::ClientRemoved, Outcome::Success)
        .detail(id)
        .emit();
    Ok(())
}

pub async fn list(db: &Db) -> anyhow::Result<Vec<Client>> {
    Ok(storage::clients::all(db).await?)
}

pub async fn find(state: &AppState, id: &str) -> ApiResult<Option<Client>> {
    Ok(storage::clients::by_id(&state.db, id).await?)
}

/// How a client authenticated at the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Default)]
pub struct Credentials {
    /// From `Authorization: Basic` (client_secret_basic).
    pub basic: Option<(String, String)>,
    /// From the form (client_secret_post, or a public client's `client_id`).
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// Why a client is refused: `invalid_request` (two methods at once) or `invalid_client`.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    TwoMethods,
    Unknown,
}

/// The client the credentials prove, compared in constant time.
pub async fn authenticate(
    state: &AppState,
    credentials: &Credentials,
) -> ApiResult<Result<Client, Refusal>> {
    let (id, secret) = match (&credentials.basic, &credentials.client_secret) {
        (Some(_), Some(_)) => return Ok(Err(Refusal::TwoMethods)),
        (Some((id, secret)), None) => {
            if credentials
                .client_id
                .as_ref()
                .is_some_and(|form| form != id)
            {
                return Ok(Err(Refusal::TwoMethods));
            }
            (id.clone(), Some(secret.clone()))
        }
        (None, secret) => match &credentials.client_id {
            Some(id) => (id.clone(), secret.clone()),
            None => return Ok(Err(Refusal::Unknown)),
        },
    };
    let Some(client) = find(state, &id).await? else {
        return Ok(Err(Refusal::Unknown));
    };
    let proven = match (&client.secret_hash, secret) {
        (Some(expected), Some(given)) => secrets::same(&secrets::hash(&given), expected),
        // A public client proves nothing but its id; PKCE binds the code to it.
        (None, None) => true,
        _ => false,
    };
    Ok(if proven {
        Ok(client)
    } else {
        Err(Refusal::Unknown)
    })
}

/// The one client's `initiate_login_uri`, when exactly one client has one: where a person who
/// signed in with no request pending goes, with the `iss` the client must start its login at
/// (OpenID Connect Core §4: third-party initiated login).
pub async fn initiate_login_uri(state: &AppState) -> ApiResult<Option<String>> {
    let clients = storage::clients::all(&state.db).await?;
    let mut uris = clients.into_iter().filter_map(|c| c.initiate_login_uri);
    let (Some(uri), None) = (uris.next(), uris.next()) else {
        return Ok(None);
    };
    let iss = state.config.issuer();
    Ok(Some(with_query(&uri, &[("iss", Some(&iss))])))
}

#[cfg(test)]
mod tests {
    use super::check_uri;

    #[test]
    fn registered_uris_are_https_or_loopback_http_without_fragment() {
        assert!(check_uri("https://portal.example/complete/oidc/").is_ok());
        assert!(check_uri("http://127.0.0.1:8000/complete/oidc/").is_ok());
        assert!(check_uri("http://localhost:8000/cb").is_ok());
        assert!(check_uri("http://portal.example/cb").is_err());
        assert!(check_uri("https://portal.example/cb#x").is_err());
        assert!(check_uri("/relative").is_err());
        assert!(check_uri("javascript:alert(1)").is_err());
    }
}
