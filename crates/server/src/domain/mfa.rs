//! Second factors after a password (issue 20): an authenticator app (TOTP, `domain::totp`) and
//! recovery codes, how they are added and removed, and the second step of a password sign-in.
//!
//! - **The second step.** When the account has a confirmed app or recovery codes left, a right
//!   password starts no session: `POST /session` answers 401 `second_factor_required` and sets
//!   the flow's cookie (HttpOnly: only the browser that proved the password holds it). Said only
//!   after the password is right, so that the password step tells nobody which accounts have a
//!   second factor (no enumeration, ASVS 5.0 V6.3.8). The flow lives [`FLOW_SECONDS`], is bound
//!   to its account (and the credential version read with the password), takes
//!   [`FLOW_ATTEMPTS`] wrong codes, and is used once (`DELETE … RETURNING` in the transaction
//!   that starts the session). Wrong codes count as failed sign-ins, per client address
//!   (`Config::sign_in_failure_limit`, ASVS 5.0 V2.4.1) and against the email's lockout
//!   (`domain::lockout`, ASVS 5.0 V6.3.1, NIST SP 800-63B-4 §3.2.2), which the password's
//!   success does not clear until the second step succeeds. OWASP ASVS 5.0 V6.3.3: password
//!   and app (or recovery code) are two factors (NIST SP 800-63B-4 AAL2, §2.2.2). Email is never
//!   one.
//! - **Adding or removing a factor** needs a sign-in in the last 5 minutes (the rule passkeys
//!   follow, `passkeys::recently_signed_in`; ASVS 5.0 V7.5.1), and the owner is told by email
//!   (ASVS 5.0 V6.3.7).
//! - **Recovery codes** (look-up secrets, NIST SP 800-63B-4 §3.1.2): [`RECOVERY_CODES`] codes of
//!   [`RECOVERY_CODE_CHARS`] Crockford base32 characters from the OS RNG, 120 bits each (ASVS 5.0
//!   V6.5.3, V6.5.4). Stored as their SHA-256: with 112 bits or more, NIST SP 800-63B-4 §3.1.2.2
//!   and ASVS 5.0 V6.5.2 allow an approved one-way function without salt or a password hash,
//!   because guessing 2^112 inputs offline is out of reach whatever the hash's speed. Each is
//!   used once (ASVS 5.0 V6.5.1: deleted as it is used, under concurrency); using one tells the
//!   owner, with how many are left.

use crate::audit::{self, Action, Audit, Outcome};
use crate::domain::attempts::{email_lock, locked, record_failure};
use crate::domain::invitation::{self, Acceptance};
use crate::domain::lockout::{Failure, UNTIL_RESET_RETRY_SECONDS};
use crate::domain::notify::{self, Notice};
use crate::domain::passkeys::recently_signed_in;
use crate::domain::policy;
use crate::domain::secrets;
use crate::domain::session::{self, NewSession, WayIn};
use crate::domain::totp::{self, SealingKey};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage::{self, accounts::Account, second_factors};
use partner_login_contract::api::{
    AuthenticatorAppEnrolment, FactorsView, SecondFactorMethod, SecondFactorRequest,
    SecondFactorView,
};
use partner_login_contract::{ErrorCode, Field, FieldError};
use rand::rngs::OsRng;
use rand::Rng as _;

/// How long a password sign-in waits for its second step.
pub const FLOW_SECONDS: i64 = 300;
/// Wrong codes one waiting sign-in takes; then the password again.
pub const FLOW_ATTEMPTS: i64 = 5;
/// How long an app added may wait for the code that confirms it.
pub const ENROLMENT_SECONDS: i64 = 600;
/// Codes in a set.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code: 24 × 5 bits = 120 bits (at least 112: NIST SP 800-63B-4
/// §3.1.2.2, ASVS 5.0 V6.5.2).
pub const RECOVERY_CODE_CHARS: usize = 24;
// 5 bits a character: at least 112 bits, checked when this compiles.
const _: () = assert!(RECOVERY_CODE_CHARS * 5 >= 112);
/// Crockford's base32: no I, L, O or U (read aloud and typed without confusion).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// The issuer authenticator apps show (the product's name, as passkeys' relying party name).
pub const ISSUER: &str = "UN Partner Portal";

fn sealing_key(state: &AppState) -> ApiResult<&SealingKey> {
    state
        .mfa_key
        .as_deref()
        .ok_or(ApiError::Client(ErrorCode::NotFound))
}

/// `code_format` / `code_wrong` (422, with the field `code`, as the emailed codes' are) or
/// `required`.
fn field(code: ErrorCode) -> ApiError {
    match code {
        ErrorCode::Required => ApiError::Validation(vec![FieldError::new(Field::Code, code)]),
        _ => ApiError::Client(code),
    }
}

/// An app's code as typed: spaces dropped; exactly 6 digits or `code_format`.
fn app_code(typed: &str) -> ApiResult<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != totp::DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(field(ErrorCode::CodeFormat));
    }
    Ok(code)
}

/// A recovery code as typed: spaces and dashes dropped, upper case, Crockford's readings (I and
/// L are 1, O is 0); exactly [`RECOVERY_CODE_CHARS`] of its alphabet or `code_format`.
pub fn recovery_code(typed: &str) -> ApiResult<String> {
    if typed.len() > 4 * RECOVERY_CODE_CHARS {
        return Err(field(ErrorCode::CodeFormat));
    }
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect();
    if code.len() != RECOVERY_CODE_CHARS || !code.bytes().all(|b| CROCKFORD.contains(&b)) {
        return Err(field(ErrorCode::CodeFormat));
    }
    Ok(code)
}

/// A new recovery code from the OS RNG, in groups of 4 (`XXXX-XXXX-…`).
fn new_recovery_code() -> String {
    let chars: Vec<char> = (0..RECOVERY_CODE_CHARS)
        .map(|_| char::from(CROCKFORD[OsRng.gen_range(0..CROCKFORD.len())]))
        .collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

fn recovery_hash(account_id: &str, normalized: &str) -> String {
    // The account id is bound in, so a code is only ever one account's.
    secrets::hash(&format!("recovery:{account_id}:{normalized}"))
}

/// `otpauth://totp/<issuer>:<email>?secret=…` (the Key Uri Format authenticator apps read).
fn otpauth_uri(email: &str, secret: &str) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits={}&period={}",
        enc(ISSUER),
        enc(email),
        enc(ISSUER),
        totp::DIGITS,
        totp::STEP_SECONDS
    )
}

fn qr_svg(uri: &str) -> ApiResult<String> {
    let code = qrcode::QrCode::with_error_correction_level(uri, qrcode::EcLevel::M)
        .map_err(|e| anyhow::anyhow!("QR code: {e}"))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build())
}

/// Begins adding an authenticator app to the signed-in account (signed in within 5 minutes):
/// a new seed, answered once as base32, URI and QR code. Not a factor until confirmed; a new
/// begin replaces an unconfirmed one. One app per account: `forbidden` when it has one.
pub async fn begin_app(
    state: &AppState,
    held: Option<&str>,
) -> ApiResult<AuthenticatorAppEnrolment> {
    let key = sealing_key(state)?;
    let now = storage::now();
    let account_id =
        recently_signed_in(state, held, Action::AuthenticatorAppAdded, now, true).await?;
    let account = storage::accounts::by_id(&state.db, &account_id)
        .await?
        .ok_or(ApiError::Client(ErrorCode::Unauthenticated))?;
    let secret = totp::new_secret()?;
    let sealed = key.seal(&account_id, &secret)?;
    if !second_factors::enrol(&state.db, &account_id, &sealed, now).await? {
        Audit::new(Action::AuthenticatorAppAdded, Outcome::Refused)
            .account(Some(&account_id))
            .detail("app_exists")
            .emit();
        return Err(ApiError::Client(ErrorCode::Forbidden));
    }
    let secret = totp::base32(&secret);
    let uri = otpauth_uri(&account.email, &secret);
    let qr_svg = qr_svg(&uri)?;
    Ok(AuthenticatorAppEnrolment {
        secret,
        uri,
        qr_svg,
    })
}

/// Confirms the signed-in account's new app with a code it shows (one step either side); only
/// then is it a factor, and the owner is told.
pub async fn confirm_app(state: &AppState, held: Option<&str>, typed: &str) -> ApiResult<()> {
    let key = sealing_key(state)?;
    let code = app_code(typed)?;
    let now = storage::now();
    let account_id = session::signed_in(state, held).await?;
    let Some(app) = second_factors::app(&state.db, &account_id)
        .await?
        .filter(|a| a.confirmed_at.is_none())
    else {
        return Err(ApiError::Client(ErrorCode::FlowNotFound));
    };
    if now - app.created_at > ENROLMENT_SECONDS {
        return Err(ApiError::Client(ErrorCode::FlowExpired));
    }
    let secret = key.open(&account_id, &app.secret)?;
    let confirmed = match totp::matching_step(&secret, &code, now) {
        Some(step) => second_factors::confirm(&state.db, &account_id, step, now).await?,
        None => false,
    };
    if !confirmed {
        Audit::new(Action::AuthenticatorAppAdded, Outcome::Failure)
            .account(Some(&account_id))
            .emit();
        return Err(field(ErrorCode::CodeWrong));
    }
    audit::emit(
        Action::AuthenticatorAppAdded,
        Outcome::Success,
        Some(&account_id),
    );
    if let Some(account) = storage::accounts::by_id(&state.db, &account_id).await? {
        notify::notify(state, &account, Notice::AppAdded, now).await;
    }
    Ok(())
}

/// Removes the signed-in account's app (signed in within 5 minutes); the owner is told when it
/// was a factor.
pub async fn remove_app(state: &AppState, held: Option<&str>) -> ApiResult<()> {
    let now = storage::now();
    let account_id =
        recently_signed_in(state, held, Action::AuthenticatorAppRemoved, now, false).await?;
    let Some(was_confirmed) = second_factors::remove_app(&state.db, &account_id).await? else {
        return Err(ApiError::Client(ErrorCode::NotFound));
    };
    audit::emit(
        Action::AuthenticatorAppRemoved,
        Outcome::Success,
        Some(&account_id),
    );
    if was_confirmed {
        if let Some(account) = storage::accounts::by_id(&state.db, &account_id).await? {
            notify::notify(state, &account, Notice::AppRemoved, now).await;
        }
    }
    Ok(())
}

/// A new set of recovery codes for the signed-in account (signed in within 5 minutes),
/// replacing the earlier set; answered once, stored as hashes; the owner is told.
pub async fn new_recovery_codes(state: &AppState, held: Option<&str>) -> ApiResult<Vec<String>> {
    let now = storage::now();
    let account_id = recently_signed_in(state, held, Action::RecoveryCodesMade, now, true).await?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| recovery_hash(&account_id, &c.replace('-', "")))
        .collect();
    second_factors::replace_codes(&state.db, &account_id, &hashes, now).await?;
    audit::emit(
        Action::RecoveryCodesMade,
        Outcome::Success,
        Some(&account_id),
    );
    if let Some(account) = storage::accounts::by_id(&state.db, &account_id).await? {
        notify::notify(state, &account, Notice::RecoveryCodesNew, now).await;
    }
    Ok(codes)
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// How many recovery codes the signed-in account has left.
pub async fn recovery_codes_left(state: &AppState, held: Option<&str>) -> ApiResult<u32> {
    let account_id = session::signed_in(state, held).await?;
    Ok(count(
        second_factors::codes_left(&state.db, &account_id).await?,
    ))
}

/// The signed-in account's factors beyond its password.
pub async fn factors(state: &AppState, held: Option<&str>) -> ApiResult<FactorsView> {
    let account_id = session::signed_in(state, held).await?;
    let added_at = second_factors::app(&state.db, &account_id)
        .await?
        .and_then(|a| a.confirmed_at);
    Ok(FactorsView {
        passkeys: count(storage::passkeys::count(&state.db, &account_id).await?),
        authenticator_app: added_at.is_some(),
        authenticator_app_added_at: added_at,
        recovery_codes_left: count(second_factors::codes_left(&state.db, &account_id).await?),
    })
}

/// The second factors an account's password sign-in asks for: its confirmed app (when apps
/// are on) and its recovery codes, if any are left. Empty: the password is enough.
pub async fn methods(state: &AppState, account_id: &str) -> ApiResult<Vec<SecondFactorMethod>> {
    let mut methods = Vec::new();
    if state.mfa_key.is_some() && second_factors::has_app(&state.db, account_id).await? {
        methods.push(SecondFactorMethod::App);
    }
    if second_factors::codes_left(&state.db, account_id).await? > 0 {
        methods.push(SecondFactorMethod::RecoveryCode);
    }
    // MFA_POLICY=required: an account with passkeys (and perhaps nothing else) gets no session
    // on its password alone either (ASVS 5.0 V6.3.3, NIST SP 800-63B-4 §2.2.2); the screens
    // finish with a passkey sign-in, AAL2 on its own (`domain::policy`).
    if policy::methods_include_passkeys(&state.config)
        && storage::passkeys::count(&state.db, account_id).await? > 0
    {
        methods.push(SecondFactorMethod::Passkey);
    }
    Ok(methods)
}

/// Begins the second step of a password sign-in that proved `account`'s password: the flow's
/// id, for the cookie.
pub async fn begin_flow(state: &AppState, account: &Account, now: i64) -> ApiResult<String> {
    let flow = secrets::new_token();
    second_factors::insert_flow(
        &state.db,
        &secrets::hash(&flow),
        &account.id,
        account.credential_version,
        now + FLOW_SECONDS,
    )
    .await?;
    Audit::new(Action::SignIn, Outcome::Refused)
        .account(Some(&account.id))
        .detail("second_factor_required")
        .emit();
    Ok(flow)
}

/// What the waiting sign-in of the cookie `flow` may use.
pub async fn flow_view(state: &AppState, flow: Option<&str>) -> ApiResult<SecondFactorView> {
    let now = storage::now();
    let flow = flow.ok_or(ApiError::Client(ErrorCode::FlowNotFound))?;
    let found = second_factors::flow(&state.db, &secrets::hash(flow))
        .await?
        .ok_or(ApiError::Client(ErrorCode::FlowNotFound))?;
    if found.expires_at < now {
        return Err(ApiError::Client(ErrorCode::FlowExpired));
    }
    Ok(SecondFactorView {
        methods: methods(state, &found.account_id).await?,
        expires_at: found.expires_at,
    })
}

/// A second step signed in: the session, the account, and for a recovery code how many are
/// left.
pub struct Finished {
    pub session: NewSession,
    pub account: Account,
    pub recovery_codes_left: Option<u32>,
}

/// A second proof as typed, its format checked (`domain::password_reset` gives one too).
pub(crate) enum Proof {
    App(String),
    RecoveryCode(String),
}

impl Proof {
    /// Exactly one of the app's code and a recovery code, each of its format: a malformed
    /// code is no guess and is not counted.
    pub(crate) fn parse(request: &SecondFactorRequest) -> ApiResult<Proof> {
        match (&request.code, &request.recovery_code) {
            (Some(code), None) => Ok(Proof::App(app_code(code)?)),
            (None, Some(code)) => Ok(Proof::RecoveryCode(recovery_code(code)?)),
            (None, None) => Err(field(ErrorCode::Required)),
            (Some(_), Some(_)) => Err(ApiError::Client(ErrorCode::BadRequest)),
        }
    }

    /// `app` or `recovery_code`, for the audit log (and a reset flow's `second_proof`).
    pub(crate) fn detail(&self) -> &'static str {
        match self {
            Proof::App(_) => "app",
            Proof::RecoveryCode(_) => "recovery_code",
        }
    }

    fn typed(&self) -> &str {
        match self {
            Proof::App(code) | Proof::RecoveryCode(code) => code,
        }
    }

    /// The app's time step the code matches (found before the transaction: the seed is
    /// opened outside it); `None` for a recovery code or a code that matches none.
    pub(crate) async fn app_step(
        &self,
        state: &AppState,
        account_id: &str,
        now: i64,
    ) -> ApiResult<Option<i64>> {
        let Proof::App(code) = self else {
            return Ok(None);
        };
        Ok(
            match (
                state.mfa_key.as_deref(),
                second_factors::app(&state.db, account_id).await?,
            ) {
                (Some(key), Some(app)) if app.confirmed_at.is_some() => {
                    let secret = key.open(account_id, &app.secret)?;
                    totp::matching_step(&secret, code, now)
                }
                _ => None,
            },
        )
    }

    /// Uses the proof in the caller's transaction: the app's step accepted only forward, a
    /// recovery code deleted (ASVS 5.0 V6.5.1, one use). False when wrong.
    pub(crate) async fn accept(
        &self,
        tx: &mut sqlx::AnyConnection,
        account_id: &str,
        app_step: Option<i64>,
    ) -> ApiResult<bool> {
        Ok(match self {
            Proof::App(_) => match app_step {
                Some(step) => second_factors::accept_step(tx, account_id, step).await?,
                None => false,
            },
            Proof::RecoveryCode(code) => {
                let hash = recovery_hash(account_id, code);
                second_factors::take_code(tx, account_id, &hash).await?
            }
        })
    }

    /// Counts a wrong proof as a failed sign-in of the account (the caller counts it for the
    /// client), and the answer: `code_wrong`, or `account_locked` once the lockout says so
    /// (ASVS 5.0 V6.3.1, NIST SP 800-63B-4 §3.2.2). The same wrong code typed again is not
    /// counted again. `until_reset_locks`: false for a reset's proof, whose password reset is
    /// what lifts a lock until reset (it is still counted and still answered `code_wrong`).
    pub(crate) async fn wrong(
        &self,
        state: &AppState,
        account: &Account,
        now: i64,
        until_reset_locks: bool,
    ) -> ApiResult<ApiError> {
        Audit::new(Action::SignIn, Outcome::Failure)
            .account(Some(&account.id))
            .detail(self.detail())
            .emit();
        let fingerprint = secrets::hash(&format!("second-factor:{}", self.typed()));
        match record_failure(state, &account.email, &fingerprint, now).await? {
            Failure::Locked(seconds) => {
                Audit::new(Action::Lockout, Outcome::Success)
                    .account(Some(&account.id))
                    .detail("temporary")
                    .emit();
                Ok(locked(seconds))
            }
            Failure::LockedUntilReset => {
                Audit::new(Action::Lockout, Outcome::Success)
                    .account(Some(&account.id))
                    .detail("until_reset")
                    .emit();
                Ok(if until_reset_locks {
                    locked(UNTIL_RESET_RETRY_SECONDS)
                } else {
                    field(ErrorCode::CodeWrong)
                })
            }
            Failure::Counted | Failure::Repeated => Ok(field(ErrorCode::CodeWrong)),
        }
    }
}

/// Recovery codes left, as the answers give them.
pub(crate) async fn codes_left_in(
    tx: &mut sqlx::AnyConnection,
    account_id: &str,
) -> ApiResult<u32> {
    Ok(count(
        second_factors::codes_left(&mut *tx, account_id).await?,
    ))
}

/// Finishes the second step of the sign-in of the cookie `flow` with an app's code or a
/// recovery code (see the module's documentation), starting the session as a password
/// sign-in does (`session::start`).
pub async fn finish(
    state: &AppState,
    client: &str,
    held: Option<&str>,
    flow: Option<&str>,
    request: &SecondFactorRequest,
) -> ApiResult<Finished> {
    let now = storage::now();
    // The format first: a malformed code is no guess and is not counted.
    let proof = Proof::parse(request)?;
    let flow = flow.ok_or(ApiError::Client(ErrorCode::FlowNotFound))?;
    let id_hash = secrets::hash(flow);
    // ASVS 5.0 V2.4.1: counted as a failed sign-in of the client until the code proves right.
    let failure = state
        .config
        .sign_in_failure_limit()
        .take(&state.db, client, now)
        .await?;
    let Some(waiting) = second_factors::flow(&state.db, &id_hash).await? else {
        failure.keep();
        return Err(ApiError::Client(ErrorCode::FlowNotFound));
    };
    let account = storage::accounts::by_id(&state.db, &waiting.account_id)
        .await?
        .ok_or(ApiError::Client(ErrorCode::FlowNotFound))?;
    // One attempt at a time per email, with the password attempts (`attempts::email_lock`).
    let _one_at_a_time = email_lock(&account.email).lock().await;
    let guard = storage::guards::get(&state.db, &account.email).await?;
    if let Some(wait) = guard.guard.locked_for(now) {
        Audit::new(Action::SignIn, Outcome::Refused)
            .account(Some(&account.id))
            .detail("account_locked")
            .emit();
        failure.forget(&state.db).await?;
        return Err(locked(wait));
    }
    let app_step = proof.app_step(state, &account.id, now).await?;
    let mut tx = state.db.begin().await?;
    // One use: of two finishes of one flow, only the first to take it goes on (the other
    // waits for it, then finds nothing).
    let Some(taken) = second_factors::take_flow(&mut tx, &id_hash).await? else {
        tx.rollback().await?;
        failure.keep();
        return Err(ApiError::Client(ErrorCode::FlowNotFound));
    };
    if taken.expires_at < now {
        tx.commit().await?;
        failure.forget(&state.db).await?;
        return Err(ApiError::Client(ErrorCode::FlowExpired));
    }
    let right = proof.accept(&mut tx, &account.id, app_step).await?;
    let (way, detail) = match &proof {
        Proof::App(_) => (WayIn::PasswordAndApp, "app"),
        Proof::RecoveryCode(_) => (WayIn::PasswordAndRecoveryCode, "recovery_code"),
    };
    if !right {
        tx.rollback().await?;
        second_factors::flow_failed(&state.db, &id_hash, FLOW_ATTEMPTS).await?;
        failure.keep();
        return Err(proof.wrong(state, &account, now, true).await?);
    }
    if let Some(token) = request.invitation.as_deref().filter(|t| !t.is_empty()) {
        let invitation = invitation::usable(state, token).await?;
        invitation::accept(
            &mut tx,
            &account.id,
            &account.email,
            &invitation,
            Acceptance::SameAddressRequired,
            now,
        )
        .await?;
    }
    // The credential version read with the password: a reset since voids this session
    // (ASVS 5.0 V7.4.3).
    let session = session::start(
        state,
        &mut tx,
        held,
        &account.id,
        taken.credential_version,
        way,
        now,
    )
    .await?;
    let left = match way {
        WayIn::PasswordAndRecoveryCode => Some(codes_left_in(&mut tx, &account.id).await?),
        _ => None,
    };
    tx.commit().await?;
    failure.forget(&state.db).await?;
    if guard.version.is_some() {
        storage::guards::clear(&state.db, &account.email).await?;
    }
    Audit::new(Action::SignIn, Outcome::Success)
        .account(Some(&account.id))
        .detail(detail)
        .emit();
    if let Some(remaining) = left {
        let notice = Notice::RecoveryCodeUsed {
            remaining: i64::from(remaining),
        };
        notify::notify(state, &account, notice, now).await;
    }
    Ok(Finished {
        session,
        account,
        recovery_codes_left: left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_24_crockford_characters_in_groups_of_four() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 24 + 5);
        assert_eq!(code.split('-').count(), 6);
        let plain = recovery_code(&code).unwrap();
        assert_eq!(plain.len(), RECOVERY_CODE_CHARS);
        assert_eq!(
            recovery_code(&code.to_lowercase().replace('-', " ")).unwrap(),
            plain
        );
        assert_eq!(
            recovery_code("oooo-iiii-llll-0000-1111-2222").unwrap(),
            "000011111111000011112222"
        );
        assert!(recovery_code("UUUU-0000-0000-0000-0000-0000").is_err());
        assert!(recovery_code("0000-0000").is_err());
        assert!(recovery_code(&"0".repeat(1000)).is_err());
    }

    #[test]
    fn the_uri_names_the_issuer_and_the_account() {
        let uri = otpauth_uri("a.b+c@example.org", "JBSWY3DPEHPK3PXP");
        assert_eq!(
            uri,
            "otpauth://totp/UN%20Partner%20Portal:a%2Eb%2Bc%40example%2Eorg?secret=JBSWY3DPEHPK3PXP&issuer=UN%20Partner%20Portal&algorithm=SHA1&digits=6&period=30"
        );
        assert!(qr_svg(&uri).unwrap().starts_with("<?xml"));
    }
}
