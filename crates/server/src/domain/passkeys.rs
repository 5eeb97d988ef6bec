//! Passkeys (WebAuthn, issue 20): adding one to the signed-in account, signing in with one
//! (no email: the authenticator offers the account's discoverable credential), and listing,
//! renaming and removing them. The ceremonies' checks are webauthn-rs's (W3C WebAuthn Level 3
//! §7.1 and §7.2: challenge, origin, relying party id hash, signature, user presence and
//! verification, counter); this module keeps its state between the two halves of each
//! ceremony in the database (`webauthn_ceremonies`, one use, 5 minutes), so that any
//! instance finishes what another began, and says who may do what.
//!
//! OWASP ASVS 5.0 V6.3.3 / NIST SP 800-63B-4 §3.1.7: a passkey is a multi-factor cryptographic
//! authenticator when it verifies its user; user verification is required in every ceremony
//! (`UserVerificationPolicy::Required`), so a sign-in with a passkey is phishing-resistant
//! (the origin is signed: NIST SP 800-63B-4 §3.2.5) and multi-factor.
//!
//! The relying party is derived from `PUBLIC_URL` (`Config::relying_party`): its host is the
//! relying party id and its origin the one origin accepted. Browsers refuse WebAuthn on an IP
//! address, and so does webauthn-rs: with `PUBLIC_URL` on an IP address passkeys are off and
//! their routes answer 404.

use crate::audit::{self, Action, Audit, Outcome};
use crate::domain::notify::{self, Notice};
use crate::domain::session::{self, NewSession, WayIn};
use crate::domain::{logout, policy, secrets};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage::passkeys::{CeremonyKind, StoredPasskey};
use crate::storage::{self, is_unique_violation};
use base64::Engine as _;
use partner_login_contract::api::PasskeyView;
use partner_login_contract::{ErrorCode, Field, FieldError, PersonName};
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    CreationChallengeResponse, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, RequestChallengeResponse, Uuid, Webauthn,
};
use webauthn_rs::prelude::{DiscoverableAuthentication, PasskeyAuthentication};
use webauthn_rs_proto::ResidentKeyRequirement;

/// How long a begun ceremony may be finished (W3C WebAuthn L3 §15.4 recommends 5 minutes for
/// user verification required; the browser's timeout is the library's, also 5 minutes).
pub const CEREMONY_SECONDS: i64 = 300;
/// Adding or removing a passkey needs a sign-in this recent (issue 20; OWASP ASVS 5.0 V7.5.1:
/// re-authentication before a change to the factors).
pub const REAUTHENTICATION_SECONDS: i64 = 300;
/// The most passkeys one account may have: bounds the exclusion list sent at each
/// registration and the list page (no unbounded work or memory).
pub const MAX_PER_ACCOUNT: usize = 20;
/// The name a passkey gets when the browser sends none.
pub const DEFAULT_NAME: &str = "Passkey";

fn webauthn(state: &AppState) -> ApiResult<&Webauthn> {
    state
        .passkeys
        .as_deref()
        .ok_or(ApiError::Client(ErrorCode::PasskeysUnavailable))
}

/// A begun ceremony: its id (a secret the browser sends back with the answer) and the options
/// for the browser (`PublicKeyCredential.parseCreationOptionsFromJSON` /
/// `parseRequestOptionsFromJSON` take `options.publicKey`).
pub struct Begun<T> {
    pub ceremony: String,
    pub options: T,
}

/// What a registration keeps between its two halves.
#[derive(Serialize, Deserialize)]
struct RegistrationState {
    user_handle: Uuid,
    state: PasskeyRegistration,
}

/// The signed-in account of `held`, refused unless its sign-in is recent enough to change the
/// ways in (ASVS 5.0 V7.5.1). A session's `auth_time` is its creation: a session is made by a
/// sign-in and nothing else (`storage::sessions`).
///
/// `enrols`: the change adds a factor, which an enrolment-only session may do
/// (`domain::policy`); otherwise such a session is refused (MFA_POLICY=required, ASVS 5.0
/// V6.3.3).
pub(crate) async fn recently_signed_in(
    state: &AppState,
    held: Option<&str>,
    action: Action,
    now: i64,
    enrols: bool,
) -> ApiResult<String> {
    let live = session::live(state, held)
        .await?
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    if !enrols {
        policy::refuse_enrolment_only(state, &live)?;
    } else {
        policy::refuse_enrolment_beyond_the_first(state, &live).await?;
    }
    if now - live.auth_time > REAUTHENTICATION_SECONDS {
        Audit::new(action, Outcome::Refused)
            .account(Some(&live.account_id))
            .detail("reauthentication_required")
            .emit();
        // Its own code, so that the screens say "sign in again" rather than "you are signed
        // out" (NIST SP 800-63B-4 §4.6.1 re-authentication).
        return Err(ApiError::Client(ErrorCode::ReauthenticationRequired));
    }
    Ok(live.account_id)
}

fn parse_passkey(stored: &StoredPasskey) -> ApiResult<Passkey> {
    serde_json::from_str(&stored.passkey)
        .map_err(|e| anyhow::anyhow!("passkey {} unreadable: {e}", stored.id).into())
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Begins adding a passkey to the signed-in account.
pub async fn begin_registration(
    state: &AppState,
    held: Option<&str>,
) -> ApiResult<Begun<CreationChallengeResponse>> {
    let webauthn = webauthn(state)?;
    let now = storage::now();
    let account_id = recently_signed_in(state, held, Action::PasskeyAdded, now, true).await?;
    let account = storage::accounts::by_id(&state.db, &account_id)
        .await?
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    let existing = storage::passkeys::of_account(&state.db, &account_id).await?;
    if existing.len() >= MAX_PER_ACCOUNT {
        return Err(ApiError::Client(ErrorCode::PasskeyLimit));
    }
    // One user handle per account, random (never the email: W3C WebAuthn L3 §14.6.1), so that
    // an authenticator replaces the account's credential rather than adding a second one.
    let user_handle = match existing.first() {
        Some(first) => Uuid::parse_str(&first.user_handle)
            .map_err(|e| anyhow::anyhow!("passkey {} user handle: {e}", first.id))?,
        None => Uuid::new_v4(),
    };
    // The account's credentials are excluded: an authenticator already holding one says so
    // instead of making a second (W3C WebAuthn L3 §5.4 excludeCredentials).
    let exclude = existing
        .iter()
        .map(|p| parse_passkey(p).map(|k| k.cred_id().clone()))
        .collect::<ApiResult<Vec<_>>>()?;
    let (mut options, registration) = webauthn
        .start_passkey_registration(
            user_handle,
            &account.email,
            &account.display_name,
            Some(exclude),
        )
        .map_err(|e| anyhow::anyhow!("start_passkey_registration: {e}"))?;
    // webauthn-rs asks for a non-discoverable credential by default; sign-in without an email
    // (and autofill) needs a discoverable one.
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Required);
        selection.require_resident_key = true;
    }
    let kept = serde_json::to_string(&RegistrationState {
        user_handle,
        state: registration,
    })
    .map_err(anyhow::Error::from)?;
    let ceremony = secrets::new_token();
    storage::passkeys::insert_ceremony(
        &state.db,
        &secrets::hash(&ceremony),
        CeremonyKind::Registration,
        Some(&account_id),
        &kept,
        now + CEREMONY_SECONDS,
    )
    .await?;
    Ok(Begun { ceremony, options })
}

/// Takes a ceremony out (one use, whatever follows): unknown or used → `flow_not_found`;
/// begun for another account → the same answer (nothing said about it); expired →
/// `flow_expired`.
async fn take_ceremony(
    state: &AppState,
    ceremony: &str,
    kind: CeremonyKind,
    account_id: Option<&str>,
    now: i64,
) -> ApiResult<String> {
    let taken = storage::passkeys::take_ceremony(&state.db, &secrets::hash(ceremony), kind).await?;
    let Some(taken) = taken.filter(|c| c.account_id.as_deref() == account_id) else {
        return Err(ApiError::Client(ErrorCode::FlowNotFound));
    };
    if taken.expires_at < now {
        return Err(ApiError::Client(ErrorCode::FlowExpired));
    }
    Ok(taken.state)
}

/// The passkey's name, by a person's name's rules; the default when the browser sends none.
fn parse_name(name: Option<&str>) -> ApiResult<String> {
    match name {
        None => Ok(DEFAULT_NAME.to_owned()),
        Some(name) => PersonName::parse(name)
            .map(PersonName::into_inner)
            .map_err(|code| {
                let error = match code {
                    ErrorCode::TooLong => FieldError::with_limit(
                        Field::PasskeyName,
                        code,
                        partner_login_contract::name::NAME_MAX_CHARS as u32,
                    ),
                    _ => FieldError::new(Field::PasskeyName, code),
                };
                ApiError::Validation(vec![error])
            }),
    }
}

/// Reads a flag of a passkey's credential. webauthn-rs keeps the backup flags inside
/// `Passkey` (its accessors need `danger-credential-internals`), and serialises them.
fn credential_flag(passkey: &Passkey, flag: &str) -> ApiResult<bool> {
    let value = serde_json::to_value(passkey).map_err(anyhow::Error::from)?;
    value["cred"][flag]
        .as_bool()
        .ok_or_else(|| anyhow::anyhow!("a passkey without its {flag} flag").into())
}

/// Finishes adding a passkey: checks the browser's new credential against the ceremony
/// (challenge, origin, relying party, user verification), stores it and tells the owner.
pub async fn finish_registration(
    state: &AppState,
    held: Option<&str>,
    ceremony: &str,
    name: Option<&str>,
    credential: &RegisterPublicKeyCredential,
) -> ApiResult<PasskeyView> {
    let webauthn = webauthn(state)?;
    let now = storage::now();
    let name = parse_name(name)?;
    let live = session::live(state, held)
        .await?
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    let account_id = live.account_id;
    let kept = take_ceremony(
        state,
        ceremony,
        CeremonyKind::Registration,
        Some(&account_id),
        now,
    )
    .await?;
    let kept: RegistrationState = serde_json::from_str(&kept)
        .map_err(|e| anyhow::anyhow!("registration state unreadable: {e}"))?;
    let passkey = match webauthn.finish_passkey_registration(credential, &kept.state) {
        Ok(passkey) => passkey,
        Err(error) => {
            tracing::info!(event = "passkey_registration_refused", %error);
            Audit::new(Action::PasskeyAdded, Outcome::Failure)
                .account(Some(&account_id))
                .emit();
            return Err(ApiError::Client(ErrorCode::PasskeyRefused));
        }
    };
    let stored = StoredPasskey {
        id: secrets::new_token()[..32].to_owned(),
        account_id: account_id.clone(),
        credential_id: b64(passkey.cred_id()),
        user_handle: kept.user_handle.to_string(),
        passkey: serde_json::to_string(&passkey).map_err(anyhow::Error::from)?,
        name,
        backup_eligible: credential_flag(&passkey, "backup_eligible")?,
        backup_state: credential_flag(&passkey, "backup_state")?,
        created_at: now,
        last_used_at: None,
    };
    match storage::passkeys::insert(&state.db, &stored).await {
        Ok(()) => {}
        // W3C WebAuthn L3 §7.1 step 26: a credential id registered already (to any account)
        // is refused.
        Err(e) if is_unique_violation(&e) => {
            Audit::new(Action::PasskeyAdded, Outcome::Refused)
                .account(Some(&account_id))
                .detail("credential_registered")
                .emit();
            return Err(ApiError::Client(ErrorCode::PasskeyAlreadyRegistered));
        }
        Err(e) => return Err(e.into()),
    }
    audit::emit(Action::PasskeyAdded, Outcome::Success, Some(&account_id));
    if let Some(account) = storage::accounts::by_id(&state.db, &account_id).await? {
        let notice = Notice::PasskeyAdded { name: &stored.name };
        notify::notify(state, &account, notice, now).await;
    }
    Ok(view(&stored))
}

/// Begins a sign-in with a passkey. Counted per client address as a sign-in attempt
/// (`Config::sign_in_limit`, ASVS 5.0 V2.4.1), which also bounds the ceremonies stored.
pub async fn begin_sign_in(
    state: &AppState,
    client: &str,
) -> ApiResult<Begun<RequestChallengeResponse>> {
    let webauthn = webauthn(state)?;
    let now = storage::now();
    state
        .config
        .sign_in_limit()
        .take(&state.db, client, now)
        .await?
        .keep();
    let (options, authentication) = webauthn
        .start_discoverable_authentication()
        .map_err(|e| anyhow::anyhow!("start_discoverable_authentication: {e}"))?;
    let kept = serde_json::to_string(&authentication).map_err(anyhow::Error::from)?;
    let ceremony = secrets::new_token();
    storage::passkeys::insert_ceremony(
        &state.db,
        &secrets::hash(&ceremony),
        CeremonyKind::Authentication,
        None,
        &kept,
        now + CEREMONY_SECONDS,
    )
    .await?;
    Ok(Begun { ceremony, options })
}

/// Finishes a sign-in with a passkey: the assertion names its credential and account (user
/// handle); the credential's public key checks the signature over the challenge, origin and
/// relying party, with user verification required. Then a session starts exactly as a
/// sign-in with a password starts one (`session::start`: a new id, the one held ends, a
/// disabled account gets none). Every refusal is one answer, `invalid_credentials`, counted
/// as a failed sign-in of the client (`Config::sign_in_failure_limit`).
pub async fn finish_sign_in(
    state: &AppState,
    client: &str,
    held: Option<&str>,
    ceremony: &str,
    credential: &PublicKeyCredential,
) -> ApiResult<(NewSession, String)> {
    let webauthn = webauthn(state)?;
    let now = storage::now();
    // Counted as a failure until the passkey proves right (`domain::limits`).
    let failure = state
        .config
        .sign_in_failure_limit()
        .take(&state.db, client, now)
        .await?;
    let kept = take_ceremony(state, ceremony, CeremonyKind::Authentication, None, now).await?;
    let authentication: DiscoverableAuthentication = serde_json::from_str(&kept)
        .map_err(|e| anyhow::anyhow!("authentication state unreadable: {e}"))?;
    let refused = |why: &'static str, account: Option<&str>| {
        Audit::new(Action::SignIn, Outcome::Failure)
            .account(account)
            .detail(why)
            .emit();
        ApiError::Client(ErrorCode::InvalidCredentials)
    };
    let Ok((user_handle, credential_id)) =
        webauthn.identify_discoverable_authentication(credential)
    else {
        failure.keep();
        return Err(refused("passkey_without_user_handle", None));
    };
    let found = storage::passkeys::by_credential_id(&state.db, &b64(credential_id)).await?;
    // The credential must be the account's that the authenticator names (W3C WebAuthn L3
    // §7.2 step 6).
    let Some(stored) = found.filter(|p| p.user_handle == user_handle.to_string()) else {
        failure.keep();
        return Err(refused("passkey_unknown", None));
    };
    let mut passkey = parse_passkey(&stored)?;
    let result = match webauthn.finish_discoverable_authentication_v2(
        credential,
        authentication,
        &passkey,
    ) {
        // NIST SP 800-63B-4 §3.1.7 / ASVS 5.0 V6.3.3: the authenticator verified its user
        // (the library refuses otherwise under `Required`; said again here).
        Ok(result) if result.user_verified() => result,
        Ok(_) | Err(_) => {
            failure.keep();
            return Err(refused("passkey_refused", Some(&stored.account_id)));
        }
    };
    failure.forget(&state.db).await?;
    passkey.update_credential(&result);
    let account = storage::accounts::by_id(&state.db, &stored.account_id)
        .await?
        .ok_or(ApiError::Client(ErrorCode::InvalidCredentials))?;
    let updated = serde_json::to_string(&passkey).map_err(anyhow::Error::from)?;
    let mut tx = state.db.begin().await?;
    let session = session::start(
        state,
        &mut tx,
        held,
        &account.id,
        account.credential_version,
        WayIn::Passkey(&stored.id),
        now,
    )
    .await?;
    // In the session's transaction, after its insert: a passkey removed meanwhile opens
    // nothing. The update waits for a removal in flight (its row lock, or SQLite's write
    // lock) and then finds no row, so no session made with a removed passkey outlives it
    // (`remove`; OWASP ASVS 5.0 V7.4.3).
    if !storage::passkeys::used(&mut tx, &stored.id, &updated, result.backup_state(), now).await? {
        drop(tx);
        return Err(refused("passkey_removed", Some(&stored.account_id)));
    }
    tx.commit().await?;
    Audit::new(Action::SignIn, Outcome::Success)
        .account(Some(&account.id))
        .detail("passkey")
        .emit();
    Ok((session, account.id))
}

/// What a reset's passkey ceremony keeps: the reset flow it is bound to (its id hash) and
/// webauthn-rs's state.
#[derive(Serialize, Deserialize)]
struct ResetProofState {
    flow: String,
    state: PasskeyAuthentication,
}

/// Begins a passkey ceremony of `account_id`'s passkeys alone (`allowCredentials`: a passkey
/// of another account cannot answer it), as the second proof of the reset flow whose id hash
/// is `flow` (`domain::password_reset`). Counted per client address as a sign-in attempt
/// (ASVS 5.0 V2.4.1). `flow_not_found` when the account has no passkey.
pub async fn begin_reset_proof(
    state: &AppState,
    client: &str,
    account_id: &str,
    flow: &str,
) -> ApiResult<Begun<RequestChallengeResponse>> {
    let webauthn = webauthn(state)?;
    let now = storage::now();
    state
        .config
        .sign_in_limit()
        .take(&state.db, client, now)
        .await?
        .keep();
    let stored = storage::passkeys::of_account(&state.db, account_id).await?;
    let passkeys = stored
        .iter()
        .map(parse_passkey)
        .collect::<ApiResult<Vec<_>>>()?;
    if passkeys.is_empty() {
        return Err(ApiError::Client(ErrorCode::FlowNotFound));
    }
    let (options, authentication) = webauthn
        .start_passkey_authentication(&passkeys)
        .map_err(|e| anyhow::anyhow!("start_passkey_authentication: {e}"))?;
    let kept = serde_json::to_string(&ResetProofState {
        flow: flow.to_owned(),
        state: authentication,
    })
    .map_err(anyhow::Error::from)?;
    let ceremony = secrets::new_token();
    storage::passkeys::insert_ceremony(
        &state.db,
        &secrets::hash(&ceremony),
        CeremonyKind::ResetProof,
        Some(account_id),
        &kept,
        now + CEREMONY_SECONDS,
    )
    .await?;
    Ok(Begun { ceremony, options })
}

/// Finishes a reset's passkey ceremony: one use (taken out whatever follows), of this account
/// and this reset flow only, a passkey of the account with its user verified (NIST SP
/// 800-63B-4 §3.1.7; ASVS 5.0 V6.4.3). Answers the passkey's id; every refusal is
/// `passkey_refused`, counted as a failed sign-in of the client (ASVS 5.0 V2.4.1). The
/// passkey's counter is updated (a cloned authenticator is refused next time).
pub async fn finish_reset_proof(
    state: &AppState,
    client: &str,
    account_id: &str,
    flow: &str,
    ceremony: &str,
    credential: &PublicKeyCredential,
) -> ApiResult<String> {
    let webauthn = webauthn(state)?;
    let now = storage::now();
    let failure = state
        .config
        .sign_in_failure_limit()
        .take(&state.db, client, now)
        .await?;
    let kept = match take_ceremony(
        state,
        ceremony,
        CeremonyKind::ResetProof,
        Some(account_id),
        now,
    )
    .await
    {
        Ok(kept) => kept,
        Err(e) => {
            failure.keep();
            return Err(e);
        }
    };
    let kept: ResetProofState = serde_json::from_str(&kept)
        .map_err(|e| anyhow::anyhow!("reset proof state unreadable: {e}"))?;
    let refused = |why: &'static str| {
        Audit::new(Action::SignIn, Outcome::Failure)
            .account(Some(account_id))
            .detail(why)
            .emit();
        ApiError::Client(ErrorCode::PasskeyRefused)
    };
    // Bound to the reset flow that began it (a ceremony of another reset of the same account
    // does not prove this one).
    if kept.flow != flow {
        failure.keep();
        return Err(ApiError::Client(ErrorCode::FlowNotFound));
    }
    let result = match webauthn.finish_passkey_authentication(credential, &kept.state) {
        Ok(result) if result.user_verified() => result,
        Ok(_) | Err(_) => {
            failure.keep();
            return Err(refused("reset_passkey_refused"));
        }
    };
    let found = storage::passkeys::by_credential_id(&state.db, &b64(result.cred_id())).await?;
    let Some(stored) = found.filter(|p| p.account_id == account_id) else {
        failure.keep();
        return Err(refused("reset_passkey_unknown"));
    };
    let mut passkey = parse_passkey(&stored)?;
    passkey.update_credential(&result);
    let updated = serde_json::to_string(&passkey).map_err(anyhow::Error::from)?;
    let mut tx = state.db.begin().await?;
    if !storage::passkeys::used(&mut tx, &stored.id, &updated, result.backup_state(), now).await? {
        drop(tx);
        failure.keep();
        return Err(refused("reset_passkey_removed"));
    }
    tx.commit().await?;
    failure.forget(&state.db).await?;
    Ok(stored.id)
}

fn view(stored: &StoredPasskey) -> PasskeyView {
    PasskeyView {
        id: stored.id.clone(),
        name: stored.name.clone(),
        created_at: stored.created_at,
        last_used_at: stored.last_used_at,
        synced: stored.backup_state,
    }
}

/// The signed-in account's passkeys, oldest first.
pub async fn list(state: &AppState, held: Option<&str>) -> ApiResult<Vec<PasskeyView>> {
    webauthn(state)?;
    let account_id = session::signed_in(state, held).await?;
    let stored = storage::passkeys::of_account(&state.db, &account_id).await?;
    Ok(stored.iter().map(view).collect())
}

/// Renames one of the signed-in account's passkeys (no re-authentication: a name is no way in).
pub async fn rename(state: &AppState, held: Option<&str>, id: &str, name: &str) -> ApiResult<()> {
    webauthn(state)?;
    let name = parse_name(Some(name))?;
    // MFA_POLICY=required: not from an enrolment-only session (ASVS 5.0 V6.3.3).
    let account_id = policy::signed_in_fully(state, held).await?;
    if !storage::passkeys::rename(&state.db, &account_id, id, &name).await? {
        return Err(ApiError::Client(ErrorCode::NotFound));
    }
    Ok(())
}

/// Removes one of the signed-in account's passkeys (signed in within the last 5 minutes),
/// ends the other sessions it made, and tells the owner.
///
/// A session made with a passkey ends with it (OWASP ASVS 5.0 V7.4.3: removing a factor ends
/// the sessions it opened; NIST SP 800-63B-4 §4.6: an authenticator removed, perhaps lost or
/// stolen, must not keep a way in open): a device that was lost keeps no session once its
/// passkey is removed. The caller's own session stays, even when that passkey made it: it was
/// signed in within 5 minutes and is the one asking; its owner ends the others from the list
/// of sessions (`GET /api/sessions`, V7.5.2). Sessions made another way (a password, a
/// provider, another passkey) stay: they never relied on this passkey.
pub async fn remove(state: &AppState, held: Option<&str>, id: &str) -> ApiResult<()> {
    webauthn(state)?;
    let now = storage::now();
    let account_id = recently_signed_in(state, held, Action::PasskeyRemoved, now, false).await?;
    let held_hash = held.map(secrets::hash).unwrap_or_default();
    let Some((removed, ended)) =
        storage::passkeys::remove(&state.db, &account_id, id, &held_hash).await?
    else {
        return Err(ApiError::Client(ErrorCode::NotFound));
    };
    audit::emit(Action::PasskeyRemoved, Outcome::Success, Some(&account_id));
    tracing::info!(
        event = "passkey_sessions_ended",
        sessions_ended = ended.len()
    );
    for sid in &ended {
        logout::notify_clients(state, sid, &account_id).await?;
    }
    if let Some(account) = storage::accounts::by_id(&state.db, &account_id).await? {
        let notice = Notice::PasskeyRemoved {
            name: &removed.name,
        };
        notify::notify(state, &account, notice, now).await;
    }
    Ok(())
}
