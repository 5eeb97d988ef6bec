//! Sessions: server-side records whose id (256 bits, from the CSPRNG) is stored as its SHA-256;
//! the id itself travels only in the session cookie (`http::cookies`). Idle and absolute
//! timeouts (OWASP ASVS 5.0 V7.3.1, V7.3.2); a new id at every sign-in, sign-up and password
//! reset, ending the one the browser held (V7.2.4).

use crate::audit::{self, Action, Outcome};
use crate::domain::secrets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage;
use partner_login_contract::api::{Aal, Membership, SessionView};
use partner_login_contract::ErrorCode;

/// A session just started: its id (a secret: it goes into the cookie and nowhere else) and
/// how many seconds it may live.
pub struct NewSession {
    pub id: String,
    pub max_age: i64,
    /// The assurance level its sign-in reached (the answer's [`SessionView::aal`]).
    pub aal: Aal,
}

/// How a person signed in: it becomes the session's `idp`, `amr` and `aal`, and through them
/// the claims of the ID tokens issued from the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WayIn<'a> {
    /// With a password (a sign-in, or the password just set by "Create" or "Continue").
    Password,
    /// Through a social provider, by its configured id; `mfa` when the provider is trusted for
    /// its `amr` (`OIDC_<ID>_MFA=amr`) and its ID token said `mfa` (`domain::social_link`).
    Social { provider: &'a str, mfa: bool },
    /// With a passkey (its id in `passkeys`), its user verified (`domain::passkeys`).
    Passkey(&'a str),
    /// With a password, then a code from the authenticator app (`domain::mfa`).
    PasswordAndApp,
    /// With a password, then a recovery code (`domain::mfa`).
    PasswordAndRecoveryCode,
    /// A password reset's new password, after a passkey of the account (its id) as the reset's
    /// second proof (`domain::password_reset`).
    PasswordAndPasskey(&'a str),
}

impl<'a> WayIn<'a> {
    /// `local`, or the social provider's id exactly as configured (the portal reads it).
    pub fn idp(self) -> String {
        match self {
            WayIn::Password
            | WayIn::Passkey(_)
            | WayIn::PasswordAndApp
            | WayIn::PasswordAndRecoveryCode
            | WayIn::PasswordAndPasskey(_) => LOCAL_IDP.to_owned(),
            WayIn::Social { provider, .. } => provider.to_owned(),
        }
    }

    /// RFC 8176 method references: `pwd`, `fed` (a federated sign-in at another provider, and
    /// `mfa` when that provider said it used several factors), or for a passkey `pop mfa`
    /// (proof of possession of a key, synced or not, and user verification by the
    /// authenticator: more than one factor); after a password, a second factor adds `otp mfa`:
    /// an authenticator app's code is RFC 8176's `otp` (RFC 6238 is named there), and so is a
    /// recovery code (a one-time password from a printed list; RFC 8176 has no value for
    /// look-up secrets, and `kba` is knowledge, which it is not). The audit log's `detail`
    /// tells the two apart.
    pub fn amr(self) -> &'static str {
        match self {
            WayIn::Password => "pwd",
            WayIn::Social { mfa: false, .. } => "fed",
            WayIn::Social { mfa: true, .. } => "fed mfa",
            WayIn::Passkey(_) => "pop mfa",
            WayIn::PasswordAndApp | WayIn::PasswordAndRecoveryCode => "pwd otp mfa",
            WayIn::PasswordAndPasskey(_) => "pwd pop mfa",
        }
    }

    /// The authentication assurance level this way in reaches (NIST SP 800-63B-4 §2.1, §2.2;
    /// OWASP ASVS 5.0 V6.3.3): a password alone is AAL1; a passkey that verified its user is a
    /// multi-factor cryptographic authenticator (63B-4 §3.1.7), AAL2; a social sign-in is AAL1
    /// unless the provider is trusted for its `amr` and said `mfa` (63C-4: the IdP asserts the
    /// authentication it performed); a password followed by an authenticator app's code or a
    /// recovery code (a look-up secret, 63B-4 §3.1.2) is two factors, AAL2.
    pub fn aal(self) -> Aal {
        match self {
            WayIn::Password | WayIn::Social { mfa: false, .. } => Aal::Aal1,
            WayIn::Social { mfa: true, .. }
            | WayIn::Passkey(_)
            | WayIn::PasswordAndApp
            | WayIn::PasswordAndRecoveryCode
            | WayIn::PasswordAndPasskey(_) => Aal::Aal2,
        }
    }

    /// The passkey that made the session, if a passkey did: removing it ends the session
    /// (`domain::passkeys::remove`).
    pub fn passkey(self) -> Option<&'a str> {
        match self {
            WayIn::Passkey(id) | WayIn::PasswordAndPasskey(id) => Some(id),
            WayIn::Password
            | WayIn::Social { .. }
            | WayIn::PasswordAndApp
            | WayIn::PasswordAndRecoveryCode => None,
        }
    }
}

/// The `idp` of a sign-in with a password.
pub const LOCAL_IDP: &str = "local";

/// Creates a session for an account inside the caller's transaction, ending the one the
/// browser held, if any (`held`): a new session id at every sign-in, whether by password, by a
/// social provider, at the end of a sign-up or of a password reset, and nothing of the session
/// before it lives on (OWASP ASVS 5.0 V7.2.4, no session fixation).
///
/// `credential_version` is the account's version as the sign-in read it, with the credential it
/// verified and before verifying it: should a password reset land between the check and this
/// insert, the session carries the old version and is never honoured (ASVS 5.0 V7.4.3).
pub async fn start(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    held: Option<&str>,
    account_id: &str,
    credential_version: i64,
    way: WayIn<'_>,
    now: i64,
) -> ApiResult<NewSession> {
    // A write first (the insert below reads the account inside its own statement): on SQLite
    // it takes the write lock, waiting its turn, before anything is read; a transaction that reads first must upgrade its snapshot later, and fails at once
    // (SQLITE_BUSY) when another writer went in between. (Expired sessions are purged every 10
    // minutes, `domain::limits::purge`, not here: a scan of every session at each sign-in.)
    let id = secrets::new_token();
    let sid = secrets::new_token();
    let idp = way.idp();
    let session = storage::sessions::NewSession {
        id_hash: &secrets::hash(&id),
        account_id,
        sid: &sid,
        idp: &idp,
        amr: way.amr(),
        aal: way.aal().as_str(),
        passkey_id: way.passkey(),
        credential_version,
    };
    // A disabled account gets no session, whichever way in led here (ASVS 5.0 V6.3, issue 19):
    // the insert checks it in the same statement, and the caller's transaction rolls back
    // with the error.
    if !storage::sessions::insert_if_enabled(&mut *conn, &session, now).await? {
        tracing::info!(event = "sign_in_refused_disabled");
        return Err(ApiError::Client(ErrorCode::AccountDisabled));
    }
    if let Some(held) = held {
        storage::sessions::delete(&mut *conn, &secrets::hash(held)).await?;
    }
    Ok(NewSession {
        id,
        max_age: state.config.session_absolute_hours * 3600,
        aal: way.aal(),
    })
}

/// A live session, as the OpenID Provider sees it.
#[derive(Clone, Debug)]
pub struct Live {
    pub account_id: String,
    /// The OpenID Connect session id (sessions older than the provider get their id hash's
    /// first characters: stable, and no secret).
    pub sid: String,
    pub auth_time: i64,
    pub idp: String,
    pub amr: String,
    pub aal: Aal,
}

/// The live session of the browser, touching it; ends sessions past their timeouts.
pub async fn live(state: &AppState, id: Option<&str>) -> ApiResult<Option<Live>> {
    let Some(id) = id else { return Ok(None) };
    let id_hash = secrets::hash(id);
    let Some(session) = storage::sessions::get(&state.db, &id_hash).await? else {
        return Ok(None);
    };
    let now = storage::now();
    let idle = now - session.last_seen_at > state.config.session_idle_minutes * 60;
    let old = now - session.created_at > state.config.session_absolute_hours * 3600;
    if idle || old {
        storage::sessions::delete(&state.db, &id_hash).await?;
        return Ok(None);
    }
    storage::sessions::touch(&state.db, &id_hash, now).await?;
    Ok(Some(Live {
        account_id: session.account_id,
        sid: session.sid.unwrap_or_else(|| id_hash[..32].to_owned()),
        auth_time: session.created_at,
        idp: session.idp,
        amr: session.amr,
        aal: session.aal,
    }))
}

/// The account of a live session, touching it; ends sessions past their timeouts.
pub async fn signed_in(state: &AppState, id: Option<&str>) -> ApiResult<String> {
    live(state, id)
        .await?
        .map(|live| live.account_id)
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))
}

/// What the browser sees of a signed-in account, in a session of this assurance level.
pub async fn view(state: &AppState, account_id: &str, aal: Aal) -> ApiResult<SessionView> {
    let account = storage::accounts::by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    view_of(state, account, aal).await
}

/// [`view`] of an account already read (a sign-in read it to check the password).
pub async fn view_of(
    state: &AppState,
    account: storage::accounts::Account,
    aal: Aal,
) -> ApiResult<SessionView> {
    let organizations = storage::accounts::organizations(&state.db, &account.id)
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
        aal,
        recovery_codes_left: None,
        // MFA_POLICY=required: a session on one factor is enrolment-only (ASVS 5.0 V6.3.3).
        factor_required: enrolment_only(&state.config, aal),
    })
}

/// Whether a session at `aal` is enrolment-only (`domain::policy`): `MFA_POLICY=required` and
/// one factor (OWASP ASVS 5.0 V6.3.3; NIST SP 800-63B-4 AAL2, §2.2).
pub fn enrolment_only(config: &crate::config::Config, aal: Aal) -> bool {
    config.mfa_policy == crate::config::MfaPolicy::Required && aal == Aal::Aal1
}

/// Signing out ends the session on the server, not only in the browser. Returns the session
/// that ended, for the clients to be told (`domain::logout`).
pub async fn end(state: &AppState, id: Option<&str>) -> ApiResult<Option<Live>> {
    let ended = live(state, id).await?;
    if let Some(id) = id {
        storage::sessions::delete(&state.db, &secrets::hash(id)).await?;
    }
    let account = ended.as_ref().map(|live| live.account_id.as_str());
    audit::emit(Action::SignOut, Outcome::Success, account);
    Ok(ended)
}
