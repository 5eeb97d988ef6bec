//! Sessions: server-side records whose id (256 bits, from the CSPRNG) is stored as its SHA-256;
//! the id itself travels only in the session cookie (`http::cookies`). Idle and absolute
//! timeouts (OWASP ASVS 5.0 V7.3.1, V7.3.2); a new id at every sign-in, sign-up and password
//! reset, ending the one the browser held (V7.2.4).

use crate::domain::secrets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage;
use partner_login_contract::api::{Membership, SessionView};
use partner_login_contract::ErrorCode;

/// A session just started: its id (a secret: it goes into the cookie and nowhere else) and
/// how many seconds it may live.
pub struct NewSession {
    pub id: String,
    pub max_age: i64,
}

/// Creates a session for an account inside the caller's transaction, ending the one the
/// browser held, if any (`held`): a new session id at every sign-in, whether by password, by a
/// social provider, at the end of a sign-up or of a password reset, and nothing of the session
/// before it lives on (OWASP ASVS 5.0 V7.2.4, no session fixation).
pub async fn start(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    held: Option<&str>,
    account_id: &str,
    now: i64,
) -> ApiResult<NewSession> {
    if let Some(held) = held {
        storage::sessions::delete(&mut *conn, &secrets::hash(held)).await?;
    }
    let id = secrets::new_token();
    storage::sessions::purge_expired(
        conn,
        now - state.config.session_idle_minutes * 60,
        now - state.config.session_absolute_hours * 3600,
    )
    .await?;
    storage::sessions::insert(conn, &secrets::hash(&id), account_id, now).await?;
    Ok(NewSession {
        id,
        max_age: state.config.session_absolute_hours * 3600,
    })
}

/// The account of a live session, touching it; ends sessions past their timeouts.
pub async fn signed_in(state: &AppState, id: Option<&str>) -> ApiResult<String> {
    let id = id.ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    let id_hash = secrets::hash(id);
    let session = storage::sessions::get(&state.db, &id_hash)
        .await?
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    let now = storage::now();
    let idle = now - session.last_seen_at > state.config.session_idle_minutes * 60;
    let old = now - session.created_at > state.config.session_absolute_hours * 3600;
    if idle || old {
        storage::sessions::delete(&state.db, &id_hash).await?;
        return Err(ApiError::Client(ErrorCode::Unauthenticated));
    }
    storage::sessions::touch(&state.db, &id_hash, now).await?;
    Ok(session.account_id)
}

/// What the browser sees of a signed-in account.
pub async fn view(state: &AppState, account_id: &str) -> ApiResult<SessionView> {
    let account = storage::accounts::by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    let organizations = storage::accounts::organizations(&state.db, account_id)
        .await?
        .into_iter()
        .map(|organization| Membership { organization })
        .collect();
    Ok(SessionView {
        email: account.email,
        display_name: account.display_name,
        given_name: account.given_name,
        surname: account.surname,
        organizations,
        return_url: state.config.return_urls.first().cloned(),
        continue_url: None,
    })
}

/// Signing out ends the session on the server, not only in the browser.
pub async fn end(state: &AppState, id: Option<&str>) -> ApiResult<()> {
    if let Some(id) = id {
        storage::sessions::delete(&state.db, &secrets::hash(id)).await?;
    }
    tracing::info!(event = "signed_out");
    Ok(())
}
