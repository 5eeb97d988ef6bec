//! The email-code flow, written once for both of its kinds ([`EmailCodeKind`]): sign-up and
//! "Forgot your password?" mail a 6-digit code, let it be sent again, and check it; only the
//! last step differs ("Create": `domain::sign_up`, "Continue": `domain::password_reset`).
//!
//! Rules (NIST SP 800-63B-4 §3.1.3 out-of-band codes; OWASP ASVS 5.0 V6.6):
//! - a 6-digit code from the CSPRNG, stored hashed and bound to its flow, valid 10 minutes,
//!   single use (burnt when verified);
//! - at most 5 wrong tries per code; then "Send new code" is needed. A new code does not reset
//!   the flow's count: after 10 wrong tries in all, the flow is dead and the person starts over
//!   (subject to the hourly caps), so a new code never buys an attacker fresh guesses for free.
//!   A try is counted atomically before its code is compared, so concurrent guesses cannot
//!   outrun these limits; a right code's try is given back when the flow is marked verified;
//! - "Send new code" waits RESEND_COOLDOWN_SECONDS (30) per flow; at most 30 codes per client
//!   address an hour, and to one email address at most 5 an hour from one client address and 10
//!   an hour in all, except that a client address's first send to an address in an hour is
//!   never refused for the address's total, so that nobody elsewhere can use up the owner's
//!   ability to get a code or link (ASVS 5.0 V2.4.1 anti-automation, `domain::limits`;
//!   [`take_send`]);
//! - password reset only: at most [`MAX_WRONG_RESET_CODES`] wrong codes per address across all
//!   its flows, counted durably in the database (NIST SP 800-63B-4 §3.2.2); past it codes are
//!   refused (`reset_link_required`) and reset emails carry a one-time link instead, which
//!   verifies its flow as the code would ([`open_link`]), so a malicious lockout never locks
//!   the owner out;
//! - no account enumeration (ASVS 5.0 V6.3.8): sign-up to an address that has an account, and
//!   a reset for an address that has none, get the same answers as the other case. Sign-up mails
//!   the owner "you already have an account"; a reset for an unknown address mails nothing, and
//!   its code checks always fail, as a wrong code does.

use crate::audit::{Action, Audit, Outcome};
use crate::domain::invitation;
use crate::domain::limits::{Limit, Per};
use crate::domain::secrets;
use crate::error::{ApiError, ApiResult};
use crate::mail::templates;
use crate::state::AppState;
use crate::storage::{self, email_code_flows::EmailCodeFlow, invitations::Invitation};
use partner_login_contract::api::{
    EmailCodeFlowView, EmailCodeKind, EmailCodeState, StartEmailCodeRequest,
};
use partner_login_contract::{Email, ErrorCode, Field, FieldError, LanguageTag, VerificationCode};

const CODE_TTL_SECONDS: i64 = 600;
const FLOW_TTL_SECONDS: i64 = 3600;
const MAX_WRONG_PER_CODE: i64 = 5;
const MAX_WRONG_PER_FLOW: i64 = 10;

/// Wrong password-reset codes one address may get, across all its flows, until its mailbox is
/// proven again (a right code, or a reset link used); past it, no code is compared and reset
/// emails carry a link instead (NIST SP 800-63B-4 §3.2.2: no more than 100 consecutive failed
/// attempts; a 6-digit code warrants far fewer).
///
/// Why 10: each guess hits with probability at most 10⁻⁶ (a fresh CSPRNG code of 10⁶ values,
/// and no guess repeated usefully since the code changes every 5 tries), so an attacker's chance
/// before the cap is 1 − (1 − 10⁻⁶)¹⁰ ≈ 1.0 × 10⁻⁵. Only the mailbox's owner can clear the count
/// (a password sign-in does not: otherwise every sign-in of the owner would hand an attacker
/// 10 fresh guesses, and the bound would depend on how often the owner signs in). So over the
/// account's life the attacker's chance is at most (r + 1) × 10⁻⁵, where r is the number of
/// times the owner proves the mailbox during the attack: at most 10⁻⁴ for up to 9 such resets.
/// The cost to the owner is nil: past the cap the reset email's link does what the code did.
/// (The cap is one flow's worth of wrong tries, [`MAX_WRONG_PER_FLOW`].)
pub const MAX_WRONG_RESET_CODES: i64 = 10;

/// Codes one email address may be sent in an hour in all (a ceiling against mail bombing,
/// ASVS 5.0 V2.4.1), except each client address's first send in the hour ([`take_send`]).
const SENDS_TO_EMAIL: Limit = Limit {
    kind: "code_send_to_email",
    per_hour: 10,
    per: Per::EmailAddress,
};

/// Codes one client address may have sent to one email address in an hour: the owner's own
/// allowance, which a client elsewhere cannot use up. Its subject is `"<client> <email>"`.
const SENDS_TO_EMAIL_FROM_CLIENT: Limit = Limit {
    kind: "code_send_to_email_from_client",
    per_hour: 5,
    per: Per::EmailAddress,
};

/// What the browser sees of a flow.
fn view(
    state: &AppState,
    flow_id: &str,
    flow: &EmailCodeFlow,
    invitation: Option<&Invitation>,
) -> EmailCodeFlowView {
    let now = storage::now();
    let cooldown = flow.code_sent_at + i64::from(state.config.resend_cooldown_seconds) - now;
    EmailCodeFlowView {
        flow_id: flow_id.to_owned(),
        email: flow.email.clone(),
        state: if flow.verified_at.is_some() {
            EmailCodeState::Verified
        } else {
            EmailCodeState::CodeSent
        },
        resend_after_seconds: cooldown.clamp(0, i64::from(u32::MAX)) as u32,
        code_expires_in_seconds: (flow.code_expires_at - now).max(0) as u32,
        invitation: invitation.map(invitation::to_view),
    }
}

/// The view with the flow's invitation, if any.
async fn view_with_invitation(
    state: &AppState,
    flow_id: &str,
    flow: &EmailCodeFlow,
) -> ApiResult<EmailCodeFlowView> {
    let invitation = invitation::by_id(state, flow.invitation_id.as_deref()).await?;
    Ok(view(state, flow_id, flow, invitation.as_ref()))
}

/// Refuses a send over the hourly caps; else counts it (ASVS 5.0 V2.4.1). Per client address
/// (all addresses), per client address and email address (the owner's own allowance), and per
/// email address in all, a ceiling against mail bombing that never refuses a client address's
/// first send to the address in the hour: an attacker who used up the address's total from
/// elsewhere cannot stop its owner from getting a code, or a link past the cap of wrong codes.
/// A flood from many client addresses adds at most one email per client address an hour.
async fn take_send(state: &AppState, email: &str, client: &str) -> ApiResult<()> {
    let now = storage::now();
    let by_client = state.config.code_send_limit();
    let pair = format!("{client} {email}");
    let sent_from_here = SENDS_TO_EMAIL_FROM_CLIENT
        .used(&state.db, &pair, now)
        .await?;
    let from_pair = SENDS_TO_EMAIL_FROM_CLIENT
        .take(&state.db, &pair, now)
        .await?;
    // The address's own cap never refuses a client address's first send to it in the hour.
    let to_email = if sent_from_here > 0 {
        SENDS_TO_EMAIL.take(&state.db, email, now).await
    } else {
        SENDS_TO_EMAIL.count(&state.db, email, now).await
    };
    let to_email = match to_email {
        Ok(taken) => taken,
        Err(refused) => {
            from_pair.forget(&state.db).await?;
            return Err(refused);
        }
    };
    match by_client.take(&state.db, client, now).await {
        Ok(from_client) => {
            from_client.keep();
            from_pair.keep();
            to_email.keep();
            Ok(())
        }
        Err(refused) => {
            from_pair.forget(&state.db).await?;
            to_email.forget(&state.db).await?;
            Err(refused)
        }
    }
}

/// What an email of the flow carried, as stored: the hashes of its code or of its reset link.
#[derive(Default)]
struct Sent {
    code_hash: Option<String>,
    link_hash: Option<String>,
}

/// Whether the address is past [`MAX_WRONG_RESET_CODES`]: its reset codes are refused and its
/// reset emails carry a link.
async fn reset_codes_capped(state: &AppState, email: &str) -> ApiResult<bool> {
    Ok(storage::reset_codes::failures(&state.db, email).await? >= MAX_WRONG_RESET_CODES)
}

/// Mails what the flow calls for and returns what to store of it (the hash of a code or of a
/// reset link), if anything was sent.
async fn send_code(state: &AppState, flow: &EmailCodeFlow) -> ApiResult<Sent> {
    let lang = flow.language.as_deref();
    // Read for every reset, account or not, so that both take the same work (ASVS 5.0 V6.3.8).
    let capped = match flow.kind {
        EmailCodeKind::PasswordReset => reset_codes_capped(state, &flow.email).await?,
        EmailCodeKind::SignUp => false,
    };
    match (flow.kind, flow.account_exists) {
        (EmailCodeKind::SignUp, true) => {
            let sign_in = format!("{}/", state.config.public_url());
            let mail = templates::account_exists(&flow.email, &sign_in, lang);
            state.mailer.send("account_exists", mail).await?;
            Ok(Sent::default())
        }
        (EmailCodeKind::SignUp, false) => {
            let code = secrets::new_code();
            let mail = templates::code(&flow.email, &code, lang);
            state.mailer.send("verification_code", mail).await?;
            Audit::new(Action::CodeSent, Outcome::Success)
                .detail(flow.kind.as_str())
                .emit();
            crate::metrics::code_sent(flow.kind.as_str());
            Ok(Sent {
                code_hash: Some(secrets::code_hash(&flow.id_hash, &code)),
                link_hash: None,
            })
        }
        (EmailCodeKind::PasswordReset, true) => {
            // Past the cap of wrong codes, a one-time link (256 bits from the CSPRNG: guessing
            // it is infeasible, so it needs no cap) instead of a code (NIST SP 800-63B-4 §3.2.2).
            let (mail, sent, what) = if capped {
                let token = secrets::new_token();
                let link = format!("{}/forgot#{token}", state.config.public_url());
                let mail = templates::reset_link(&flow.email, &link, lang);
                let sent = Sent {
                    code_hash: None,
                    link_hash: Some(secrets::hash(&token)),
                };
                (mail, sent, "password_reset_link")
            } else {
                let code = secrets::new_code();
                let mail = templates::reset_code(&flow.email, &code, lang);
                let sent = Sent {
                    code_hash: Some(secrets::code_hash(&flow.id_hash, &code)),
                    link_hash: None,
                };
                (mail, sent, "password_reset_code")
            };
            // Sent after the answer, so that a known address answers as fast as an unknown one
            // (for which nothing is sent). A mail failure is logged; "Send new code" retries.
            let mailer = state.mailer.clone();
            tokio::spawn(async move {
                if let Err(err) = mailer.send(what, mail).await {
                    tracing::error!(error = ?err, "password reset mail failed");
                }
            });
            Audit::new(Action::CodeSent, Outcome::Success)
                .detail(flow.kind.as_str())
                .emit();
            crate::metrics::code_sent(flow.kind.as_str());
            Ok(sent)
        }
        (EmailCodeKind::PasswordReset, false) => Ok(Sent::default()),
    }
}

/// The live flow an id names: unknown → 404, expired or finished → 410.
pub async fn live_flow(
    state: &AppState,
    kind: EmailCodeKind,
    flow_id: &str,
) -> ApiResult<EmailCodeFlow> {
    let flow = storage::email_code_flows::get(&state.db, kind, &secrets::hash(flow_id))
        .await?
        .ok_or(ApiError::Client(ErrorCode::FlowNotFound))?;
    if flow.expires_at <= storage::now() || flow.completed_at.is_some() {
        return Err(ApiError::Client(ErrorCode::FlowExpired));
    }
    Ok(flow)
}

/// The live and verified flow an id names: the last step's precondition.
pub async fn verified_flow(
    state: &AppState,
    kind: EmailCodeKind,
    flow_id: &str,
) -> ApiResult<EmailCodeFlow> {
    let flow = live_flow(state, kind, flow_id).await?;
    if flow.verified_at.is_none() {
        return Err(ApiError::Client(ErrorCode::FlowNotVerified));
    }
    Ok(flow)
}

/// The invitation a flow of this kind carries from its start, if any. Sign-up needs the
/// invitation the person arrived with to be usable and for the address signing up (an
/// invitation is for its invited person alone; "Create" checks it again). A reset takes it
/// along only when it is for the address being reset (resetting the password then accepts it
/// too); otherwise it is left for a later sign-in to accept.
async fn start_invitation(
    state: &AppState,
    kind: EmailCodeKind,
    token: Option<&str>,
    email: &Email,
) -> ApiResult<Option<Invitation>> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    Ok(match kind {
        EmailCodeKind::SignUp => {
            let invitation = invitation::usable(state, token).await?;
            if invitation.email != email.as_str() {
                tracing::info!(event = "invitation_address_refused");
                return Err(ApiError::Client(ErrorCode::InvitationEmailMismatch));
            }
            Some(invitation)
        }
        EmailCodeKind::PasswordReset => invitation::usable(state, token)
            .await
            .ok()
            .filter(|i| i.email == email.as_str()),
    })
}

/// "Send verification code": starts a flow of this kind and sends its first code; returns the
/// view with the new flow id.
pub async fn start(
    state: &AppState,
    kind: EmailCodeKind,
    request: &StartEmailCodeRequest,
    client: &str,
) -> ApiResult<EmailCodeFlowView> {
    let email = Email::parse(&request.email)
        .map_err(|c| ApiError::Validation(vec![FieldError::new(Field::Email, c)]))?;
    let language = LanguageTag::parse_optional(request.language.as_deref())
        .map_err(|c| ApiError::Validation(vec![FieldError::new(Field::Language, c)]))?;
    let invitation = start_invitation(state, kind, request.invitation.as_deref(), &email).await?;
    let account_exists = storage::accounts::by_email(&state.db, email.as_str())
        .await?
        .is_some();
    take_send(state, email.as_str(), client).await?;
    let flow_id = secrets::new_token();
    let now = storage::now();
    let mut flow = EmailCodeFlow {
        id_hash: secrets::hash(&flow_id),
        kind,
        email: email.into_inner(),
        invitation_id: invitation.as_ref().map(|i| i.id.clone()),
        language: language
            .map(LanguageTag::into_inner)
            .or_else(|| invitation.as_ref().and_then(|i| i.language.clone())),
        account_exists,
        code_hash: None,
        link_hash: None,
        code_sent_at: now,
        code_expires_at: now + CODE_TTL_SECONDS,
        code_wrong_tries: 0,
        flow_wrong_tries: 0,
        verified_at: None,
        completed_at: None,
        expires_at: now + FLOW_TTL_SECONDS,
        second_proof: None,
        proof_wrong_tries: 0,
    };
    let sent = send_code(state, &flow).await?;
    flow.code_hash = sent.code_hash;
    flow.link_hash = sent.link_hash;
    storage::email_code_flows::insert(&state.db, &flow, now).await?;
    Ok(view(state, &flow_id, &flow, invitation.as_ref()))
}

/// The flow's state, to resume after a reload.
pub async fn show(
    state: &AppState,
    kind: EmailCodeKind,
    flow_id: &str,
) -> ApiResult<EmailCodeFlowView> {
    let flow = live_flow(state, kind, flow_id).await?;
    view_with_invitation(state, flow_id, &flow).await
}

/// "Send new code": after the cooldown, within the caps.
pub async fn resend(
    state: &AppState,
    kind: EmailCodeKind,
    flow_id: &str,
    client: &str,
) -> ApiResult<EmailCodeFlowView> {
    let flow = live_flow(state, kind, flow_id).await?;
    if flow.verified_at.is_some() {
        return Err(ApiError::Client(ErrorCode::BadRequest));
    }
    let wait = flow.code_sent_at + i64::from(state.config.resend_cooldown_seconds) - storage::now();
    if wait > 0 {
        return Err(ApiError::TooMany {
            code: ErrorCode::ResendCooldown,
            retry_after: wait as u32,
        });
    }
    take_send(state, &flow.email, client).await?;
    let sent = send_code(state, &flow).await?;
    let now = storage::now();
    storage::email_code_flows::replace_code(
        &state.db,
        &flow.id_hash,
        sent.code_hash.as_deref(),
        sent.link_hash.as_deref(),
        now,
        now + CODE_TTL_SECONDS,
    )
    .await?;
    let flow = EmailCodeFlow {
        code_hash: sent.code_hash,
        link_hash: sent.link_hash,
        code_sent_at: now,
        code_expires_at: now + CODE_TTL_SECONDS,
        code_wrong_tries: 0,
        ..flow
    };
    view_with_invitation(state, flow_id, &flow).await
}

/// "Verify code": a constant-time comparison of hashes, within the wrong-try limits.
///
/// The try is counted before the comparison, atomically
/// ([`storage::email_code_flows::claim_try`]), in a transaction that holds the flow's row until
/// it ends: however many guesses arrive at once, at most the limits' worth are ever compared,
/// and a right code's try is given back as the flow is marked verified, in the same
/// transaction. Verification happens once; a repeat on a verified flow (a double click) gets
/// the same answer, the verified flow.
pub async fn verify(
    state: &AppState,
    kind: EmailCodeKind,
    flow_id: &str,
    code: &str,
    client: &str,
) -> ApiResult<EmailCodeFlowView> {
    let flow = live_flow(state, kind, flow_id).await?;
    if flow.verified_at.is_some() {
        // A double click on "Verify code": the flow is verified once, the answer is the same.
        return view_with_invitation(state, flow_id, &flow).await;
    }
    let code = VerificationCode::parse(code).map_err(ApiError::Client)?;
    // Checks per client address, across flows (ASVS 5.0 V2.4.1): many flows' tries from one
    // address add up.
    let checks = state.config.code_check_limit();
    checks.take(&state.db, client, storage::now()).await?.keep();
    let presented = secrets::code_hash(&flow.id_hash, code.as_str());
    let now = storage::now();
    let mut tx = state.db.begin().await?;
    let Some(claimed) = storage::email_code_flows::claim_try(
        &mut tx,
        &flow.id_hash,
        MAX_WRONG_PER_CODE,
        MAX_WRONG_PER_FLOW,
    )
    .await?
    else {
        tx.rollback().await?;
        // Refused before any comparison: the tries are spent, or a concurrent request verified
        // the flow meanwhile (then this is the double click's answer).
        let flow = live_flow(state, kind, flow_id).await?;
        if flow.verified_at.is_some() {
            return view_with_invitation(state, flow_id, &flow).await;
        }
        Audit::new(Action::CodeCheck, Outcome::Refused)
            .detail(kind.as_str())
            .emit();
        return Err(ApiError::TooMany {
            code: ErrorCode::CodeExhausted,
            retry_after: 0,
        });
    };
    // A reset's try counts against the address too, across its flows, before any comparison
    // (NIST SP 800-63B-4 §3.2.2): past the cap, nothing is compared, for a known address and an
    // unknown one alike (ASVS 5.0 V6.3.8), and the reset email's link is the way on.
    if kind == EmailCodeKind::PasswordReset
        && !storage::reset_codes::claim(&mut tx, &flow.email, MAX_WRONG_RESET_CODES, now).await?
    {
        tx.rollback().await?;
        tracing::warn!(event = "reset_codes_capped");
        return Err(ApiError::Client(ErrorCode::ResetLinkRequired));
    }
    // No code (a reset for an unknown address, or a link sent instead): an empty hash, which
    // nothing matches.
    let expected = claimed.code_hash.unwrap_or_default();
    if !secrets::same(&expected, &presented) {
        // The try stays counted.
        tx.commit().await?;
        Audit::new(Action::CodeCheck, Outcome::Failure)
            .detail(kind.as_str())
            .emit();
        return Err(ApiError::Client(ErrorCode::CodeWrong));
    }
    if claimed.code_expires_at <= now {
        // A right but expired code is not a wrong try: the count is rolled back.
        tx.rollback().await?;
        return Err(ApiError::Client(ErrorCode::CodeExpired));
    }
    // Under the claim no other request can have verified the flow; checked all the same.
    if !storage::email_code_flows::mark_verified(&mut tx, &flow.id_hash, now).await? {
        tx.rollback().await?;
        let flow = live_flow(state, kind, flow_id).await?;
        return view_with_invitation(state, flow_id, &flow).await;
    }
    if kind == EmailCodeKind::PasswordReset {
        // The mailbox is proven: the address's count of wrong codes starts again.
        storage::reset_codes::clear(&mut tx, &flow.email).await?;
    }
    tx.commit().await?;
    Audit::new(Action::CodeCheck, Outcome::Success)
        .detail(kind.as_str())
        .emit();
    let flow = EmailCodeFlow {
        verified_at: Some(now),
        code_hash: None,
        ..flow
    };
    view_with_invitation(state, flow_id, &flow).await
}

/// Opens a reset email's one-time link (sent instead of a code past the address's cap of wrong
/// codes): the flow it is bound to is verified, as a right code would, and answered under a new
/// id, so that whoever started the flow (perhaps an attacker, who holds its first id) cannot
/// go on with it; the address's count of wrong codes starts again. An unknown, used or expired
/// link is `flow_expired`. The token has 256 bits from the CSPRNG and is stored as its SHA-256:
/// guessing is infeasible, so it needs no cap.
pub async fn open_link(state: &AppState, token: &str) -> ApiResult<EmailCodeFlowView> {
    let gone = ApiError::Client(ErrorCode::FlowExpired);
    if token.is_empty() || token.len() > 128 {
        return Err(gone);
    }
    let flow_id = secrets::new_token();
    let id_hash = secrets::hash(&flow_id);
    let now = storage::now();
    let mut tx = state.db.begin().await?;
    let Some(email) =
        storage::email_code_flows::open_link(&mut tx, &secrets::hash(token), &id_hash, now).await?
    else {
        tx.rollback().await?;
        return Err(gone);
    };
    storage::reset_codes::clear(&mut tx, &email).await?;
    tx.commit().await?;
    tracing::info!(event = "reset_link_opened");
    let flow = live_flow(state, EmailCodeKind::PasswordReset, &flow_id).await?;
    view_with_invitation(state, &flow_id, &flow).await
}
