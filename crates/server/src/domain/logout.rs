//! Signing out everywhere: our session ends, and each client that got an ID token in it is told
//! with a signed logout token (OpenID Connect Back-Channel Logout 1.0); and the end-session
//! endpoint through which a client signs the person out (RP-Initiated Logout 1.0).

use crate::domain::authorization::{Answer, Refusal};
use crate::domain::redirect::{sign_in_url, with_query};
use crate::domain::{clients, secrets, session, signing_keys};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::storage;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// Seconds a logout token lives.
const LOGOUT_TOKEN_SECONDS: i64 = 120;
/// How long a client's back-channel logout endpoint may take to answer.
const BACKCHANNEL_TIMEOUT: Duration = Duration::from_secs(5);
/// The event a logout token carries (Back-Channel Logout 1.0 §2.4).
pub const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Ends the browser's session (if any) and tells its clients.
pub async fn sign_out(state: &AppState, held: Option<&str>) -> ApiResult<()> {
    if let Some(ended) = session::end(state, held).await? {
        notify_clients(state, &ended.sid, &ended.account_id).await?;
    }
    Ok(())
}

/// The logout tokens on their way, in the background. A server need not wait for them; the
/// command line does ([`Notices::sent`]) before it exits.
pub struct Notices(Vec<tokio::task::JoinHandle<()>>);

impl Notices {
    /// Waits until every logout token was delivered or failed (each bounded by
    /// [`BACKCHANNEL_TIMEOUT`]).
    pub async fn sent(self) {
        for notice in self.0 {
            let _ = notice.await;
        }
    }
}

/// Tells every client that got an ID token in any session of the account that the session
/// ended: the account's sessions were just ended all at once (an administrator ended them,
/// disabled or deleted the account).
pub async fn notify_account_clients(state: &AppState, account_id: &str) -> ApiResult<Notices> {
    let mut notices = Vec::new();
    for sid in storage::authorizations::sids_of_account(&state.db, account_id).await? {
        notices.extend(notify_clients(state, &sid, account_id).await?.0);
    }
    Ok(Notices(notices))
}

/// Sends a logout token to each client of the session that has a back-channel logout uri, in
/// the background (a slow client delays no one), each bounded by [`BACKCHANNEL_TIMEOUT`].
pub async fn notify_clients(state: &AppState, sid: &str, account_id: &str) -> ApiResult<Notices> {
    let mut notices = Vec::new();
    for client_id in storage::authorizations::take_session_clients(&state.db, sid).await? {
        let Some(uri) = clients::find(state, &client_id)
            .await?
            .and_then(|c| c.backchannel_logout_uri)
        else {
            continue;
        };
        let now = storage::now();
        let claims = json!({
            "iss": state.config.issuer(),
            "aud": client_id,
            "iat": now,
            "exp": now + LOGOUT_TOKEN_SECONDS,
            "jti": secrets::new_token(),
            "sub": account_id,
            "sid": sid,
            "events": { BACKCHANNEL_EVENT: {} },
        });
        let token = state
            .signing_keys
            .sign(&state.db, "logout+jwt", &claims)
            .await?;
        notices.push(tokio::spawn(async move {
            let sent = reqwest::Client::new()
                .post(&uri)
                .timeout(BACKCHANNEL_TIMEOUT)
                .form(&[("logout_token", token)])
                .send()
                .await;
            match sent {
                Ok(answer) if answer.status().is_success() => {
                    tracing::info!(event = "backchannel_logout_sent", client = client_id);
                }
                Ok(answer) => tracing::warn!(
                    event = "backchannel_logout_refused",
                    client = client_id,
                    status = answer.status().as_u16()
                ),
                Err(err) => tracing::warn!(
                    event = "backchannel_logout_failed",
                    client = client_id,
                    error = %err
                ),
            }
        }));
    }
    Ok(Notices(notices))
}

/// The end-session endpoint's parameters (RP-Initiated Logout 1.0 §2).
#[derive(Debug, Default, Deserialize)]
pub struct EndSessionParams {
    pub id_token_hint: Option<String>,
    pub client_id: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
    pub ui_locales: Option<String>,
}

/// The end-session endpoint: ends our session, tells the clients, and sends the browser to the
/// registered `post_logout_redirect_uri` (with `state`), or to our sign-in screen. A
/// `post_logout_redirect_uri` is honoured only when registered for the client named by the
/// `id_token_hint` or `client_id`, or, with neither, when exactly one client registered it.
pub async fn end_session(
    state: &AppState,
    params: EndSessionParams,
    held: Option<&str>,
) -> ApiResult<Answer> {
    // Forced logout (ASVS 5.0 V10.6.2): a hint must be ours and name the client; an unregistered
    // uri signs nobody out.
    let mut client_id = params.client_id.clone();
    if let Some(hint) = params.id_token_hint.as_deref() {
        let Some(claims) = signing_keys::verify(&state.db, hint).await? else {
            return Ok(Answer::Refuse(Refusal::BadIdTokenHint));
        };
        let audience = claims["aud"].as_str().map(str::to_owned);
        if claims["iss"] != state.config.issuer().as_str()
            || audience.is_none()
            || client_id
                .as_ref()
                .is_some_and(|id| Some(id) != audience.as_ref())
        {
            return Ok(Answer::Refuse(Refusal::BadIdTokenHint));
        }
        client_id = audience;
    }
    let to = match (&client_id, params.post_logout_redirect_uri.as_deref()) {
        (_, None) => None,
        (Some(id), Some(uri)) => match clients::find(state, id).await? {
            None => return Ok(Answer::Refuse(Refusal::UnknownClient)),
            Some(c) if c.post_logout_redirect_uris.iter().any(|u| u == uri) => Some(uri.to_owned()),
            Some(_) => return Ok(Answer::Refuse(Refusal::UnknownPostLogoutUri)),
        },
        (None, Some(uri)) => {
            let registered = storage::clients::all(&state.db)
                .await?
                .into_iter()
                .filter(|c| c.post_logout_redirect_uris.iter().any(|u| u == uri))
                .count();
            if registered != 1 {
                return Ok(Answer::Refuse(Refusal::UnknownPostLogoutUri));
            }
            Some(uri.to_owned())
        }
    };
    sign_out(state, held).await?;
    tracing::info!(
        event = "end_session",
        client = client_id.as_deref().unwrap_or("-")
    );
    Ok(Answer::Redirect(match to {
        Some(uri) => with_query(&uri, &[("state", params.state.as_deref())]),
        None => sign_in_url(state, params.ui_locales.as_deref(), None),
    }))
}
