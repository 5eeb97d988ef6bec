//! Social sign-in: the two ends of an OpenID Connect authorization code flow (`crate::oidc`
//! speaks to the provider), and the linking of the provider's identity to an account.
//!
//! [`start`] binds the flow to this browser with a random id (the row is stored under its hash;
//! `http::cookies` puts the id in an HttpOnly cookie), and to the provider's answer with
//! `state`; [`finish`] needs both and uses the flow once.
//!
//! Linking (OWASP ASVS 5.0 V6.8, OIDC Core §5.7): an identity is found by (issuer, subject)
//! only. A first sign-in links to the account, or the pending invitation, of the provider's
//! address only when the provider says the address is verified.

use crate::audit::{self, Action, Audit};
use crate::domain::invitation::{self, Acceptance};
use crate::domain::session::{self, NewSession, WayIn};
use crate::domain::{mfa, passwords, policy, secrets};
use crate::error::{ApiError, ApiResult};
use crate::oidc::{Identity, OidcError};
use crate::state::AppState;
use crate::storage;
use crate::storage::accounts::NewAccount;
use crate::storage::invitations::Invitation;
use crate::storage::social::{NewIdentity, SocialFlow};
use partner_login_contract::api::{SocialStartRequest, SocialStartView};
use partner_login_contract::{Email, ErrorCode, PersonName};
use serde::Deserialize;

/// Seconds a person has to sign in at the provider and come back.
pub const FLOW_SECONDS: i64 = 600;

/// A started flow: its id (a secret, for the browser's cookie only) and where to send the
/// browser.
pub struct Started {
    pub flow_id: String,
    pub view: SocialStartView,
}

/// Starts a sign-in at a provider, with the invitation the person arrived with, if any.
pub async fn start(
    state: &AppState,
    provider: &str,
    request: &SocialStartRequest,
    client: &str,
) -> ApiResult<Started> {
    if !state.social.contains(provider) {
        return Err(ApiError::Client(ErrorCode::SocialUnknownProvider));
    }
    // Each start stores a flow row and calls the provider: capped per client address (ASVS 5.0
    // V2.4.1).
    let starts = state.config.social_start_limit();
    starts.take(&state.db, client, storage::now()).await?.keep();
    let invitation = match request.invitation.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => Some(invitation::usable(state, token).await?),
        None => None,
    };
    let authorization = state
        .social
        .authorize(provider, invitation.as_ref().map(|i| i.email.as_str()))
        .await
        .map_err(|e| {
            tracing::warn!(event = "social_unavailable", provider, reason = ?e.to_string());
            ApiError::Client(ErrorCode::SocialUnavailable)
        })?;
    let flow_id = secrets::new_token();
    let now = storage::now();
    storage::social::purge_expired_flows(&state.db, now).await?;
    let flow = SocialFlow {
        provider: provider.to_owned(),
        state_hash: secrets::hash(&authorization.state),
        nonce: authorization.nonce,
        pkce_verifier: authorization.pkce_verifier,
        invitation_id: invitation.map(|i| i.id),
        expires_at: now + FLOW_SECONDS,
    };
    storage::social::insert_flow(&state.db, &secrets::hash(&flow_id), &flow, now).await?;
    tracing::info!(event = "social_started", provider);
    Ok(Started {
        flow_id,
        view: SocialStartView {
            authorization_url: authorization.url,
        },
    })
}

/// What a provider sends back (RFC 6749 §4.1.2, §4.1.2.1).
#[derive(Debug, Default, Deserialize)]
pub struct ProviderAnswer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    /// The issuer of the answer (RFC 9207), against mix-ups between providers.
    iss: Option<String>,
}

pub enum Outcome {
    SignedIn(NewSession),
    /// `MFA_POLICY=required`, a provider not trusted for its second factor (or that did not say
    /// `mfa`), and an account with a local factor: the second step's flow id (for its cookie),
    /// no session, as after a right password (`domain::mfa`).
    SecondFactor {
        flow: String,
    },
    /// A verified address with neither an account nor a pending invitation.
    InvitationNeeded(String),
}

/// Checks the flow the browser's cookie names (`flow_id`), redeems the code, and finds (or
/// makes) the account; then signs in, ending the session the browser held (`held`).
pub async fn finish(
    state: &AppState,
    provider: &str,
    flow_id: Option<&str>,
    held: Option<&str>,
    answer: ProviderAnswer,
) -> ApiResult<Outcome> {
    let expired = ApiError::Client(ErrorCode::SocialExpired);
    // No cookie: the flow was started in another browser, or long ago (login CSRF defence,
    // RFC 9700 §4.7.1: the answer must come back to the browser that asked).
    let flow_id = flow_id.ok_or(expired)?;
    let flow = storage::social::take_flow(&state.db, &secrets::hash(flow_id))
        .await?
        .ok_or(ApiError::Client(ErrorCode::SocialExpired))?;
    let now = storage::now();
    let presented = secrets::hash(answer.state.as_deref().unwrap_or_default());
    // Constant-time comparison of the state's hash (ASVS 5.0 V11.2.4).
    if flow.expires_at <= now
        || flow.provider != provider
        || !secrets::same(&presented, &flow.state_hash)
    {
        return Err(ApiError::Client(ErrorCode::SocialExpired));
    }
    // Mix-up defence (RFC 9207): an answer naming an issuer must name this provider's.
    if let Some(iss) = answer.iss.as_deref() {
        if Some(iss.trim_end_matches('/')) != state.social.issuer(provider) {
            tracing::warn!(event = "social_issuer_mismatch", provider);
            return Err(ApiError::Client(ErrorCode::SocialFailed));
        }
    }
    if let Some(error) = answer.error {
        return Err(ApiError::Client(if error == "access_denied" {
            ErrorCode::SocialDenied
        } else {
            ErrorCode::SocialFailed
        }));
    }
    let code = answer
        .code
        .filter(|c| !c.is_empty())
        .ok_or(ApiError::Client(ErrorCode::SocialFailed))?;
    let identity = state
        .social
        .finish(provider, &code, &flow.pkce_verifier, &flow.nonce)
        .await
        .map_err(|e| {
            tracing::warn!(event = "social_rejected", provider, reason = ?e.to_string());
            ApiError::Client(match e {
                OidcError::Unavailable(_) => ErrorCode::SocialUnavailable,
                OidcError::UnknownProvider(_) => ErrorCode::SocialUnknownProvider,
                OidcError::Rejected(_) => ErrorCode::SocialFailed,
            })
        })?;
    let invitation = invitation::by_id(state, flow.invitation_id.as_deref()).await?;
    let linked =
        storage::social::account_of(&state.db, &identity.issuer, &identity.subject).await?;
    // OWASP ASVS 5.0 V6.3.3, NIST SP 800-63B-4 §2.2 (MFA_POLICY=required): a sign-in that is
    // one factor (the provider is not trusted for its `amr`, or it did not say `mfa`) at an
    // account with a local factor goes through the second step, as a right password does
    // (`domain::policy`). Read before the transaction. An account with no factor (a new one
    // included) gets an enrolment-only session.
    let second_step = if policy::methods_include_passkeys(&state.config) && !identity.mfa {
        let existing = match &linked {
            Some(id) => Some(id.clone()),
            None => match verified_email(&identity, state.social.email_domains(provider)) {
                Some(email) => storage::accounts::by_email(&state.db, email.as_str())
                    .await?
                    .map(|a| a.id),
                None => None,
            },
        };
        match existing {
            Some(id) => !mfa::methods(state, &id).await?.is_empty(),
            None => false,
        }
    } else {
        false
    };
    let mut tx = state.db.begin().await?;
    // An identity newly linked to an account that existed: its owner is told after the commit.
    let mut new_way_into: Option<storage::accounts::Account> = None;
    // The account's credential version as read here: a password reset from now on ends the
    // session this sign-in makes (ASVS 5.0 V7.4.3).
    let (account_id, account_email, version) = match linked {
        Some(account_id) => {
            let account = storage::accounts::by_id(&state.db, &account_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("a social identity without its account"))?;
            storage::social::touch(&mut tx, &identity.issuer, &identity.subject, now).await?;
            (account_id, account.email, account.credential_version)
        }
        None => {
            // Only a verified address may link (never trust an unverified provider email).
            let Some(email) = verified_email(&identity, state.social.email_domains(provider))
            else {
                return Err(ApiError::Client(ErrorCode::SocialEmailUnverified));
            };
            let (account_id, version) =
                match storage::accounts::by_email(&state.db, email.as_str()).await? {
                    Some(account) => {
                        let found = (account.id.clone(), account.credential_version);
                        new_way_into = Some(account);
                        found
                    }
                    None => {
                        let pending =
                            storage::invitations::pending_for_email(&state.db, email.as_str(), now)
                                .await?;
                        if pending.is_empty() {
                            return Ok(Outcome::InvitationNeeded(email.into_inner()));
                        }
                        // A new account: the column's default version, 0.
                        (
                            create_account(&mut tx, &identity, &email, &pending, now).await?,
                            0,
                        )
                    }
                };
            let link = NewIdentity {
                issuer: &identity.issuer,
                subject: &identity.subject,
                provider,
                account_id: &account_id,
                email: email.as_str(),
            };
            storage::social::link(&mut tx, &link, now).await?;
            Audit::new(Action::SocialLink, audit::Outcome::Success)
                .account(Some(&account_id))
                .detail(provider)
                .emit();
            (account_id, email.into_inner(), version)
        }
    };
    if second_step {
        // The link (or its use) is kept; no invitation is accepted and no session starts until
        // the second step, which reads the credential version read here.
        tx.commit().await?;
        if let Some(account) = &new_way_into {
            let method = crate::domain::notify::SignInMethod::Social { provider };
            let notice = crate::domain::notify::Notice::SignInMethodAdded(method);
            crate::domain::notify::notify(state, account, notice, now).await;
        }
        let account = storage::accounts::by_id(&state.db, &account_id)
            .await?
            .ok_or(ApiError::Client(ErrorCode::SocialFailed))?;
        let account = storage::accounts::Account {
            credential_version: version,
            ..account
        };
        let flow = mfa::begin_flow(state, &account, now).await?;
        return Ok(Outcome::SecondFactor { flow });
    }
    // The invitation the browser arrived with must be for the account's address (as with a
    // password sign-in). One already accepted (just now, among the pending ones) or expired
    // meanwhile is left as it is: the sign-in itself stands.
    if let Some(invitation) = invitation {
        let policy = Acceptance::SameAddressIfUsable;
        invitation::accept(
            &mut tx,
            &account_id,
            &account_email,
            &invitation,
            policy,
            now,
        )
        .await?;
    }
    // A new session id; the one the browser held, if any, ends (ASVS 5.0 V7.2.4).
    let session = session::start(
        state,
        &mut tx,
        held,
        &account_id,
        version,
        WayIn::Social {
            provider,
            mfa: identity.mfa,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Audit::new(Action::SocialSignIn, audit::Outcome::Success)
        .account(Some(&account_id))
        .detail(provider)
        .emit();
    if let Some(account) = new_way_into {
        // ASVS 5.0 V6.3.7; NIST SP 800-63B-4 §4.6: a new authenticator bound to the account.
        let method = crate::domain::notify::SignInMethod::Social { provider };
        let notice = crate::domain::notify::Notice::SignInMethodAdded(method);
        crate::domain::notify::notify(state, &account, notice, now).await;
    }
    Ok(Outcome::SignedIn(session))
}

/// The provider's address, when the provider vouches for it and it is a valid address: it
/// says `email_verified: true`, or the operator declared it the authority for the address's
/// domain (`OIDC_<ID>_EMAIL_DOMAINS`). An unverified address would let anyone who can create
/// an account at the provider with someone else's address take over that person's account
/// (OWASP ASVS 5.0 V10.5 "OIDC client": claims used for account linking must be trustworthy).
fn verified_email(identity: &Identity, authority_for: &[String]) -> Option<Email> {
    let email = Email::parse(identity.email.as_deref()?).ok()?;
    let domain = email.as_str().rsplit_once('@')?.1.to_ascii_lowercase();
    (identity.email_verified || authority_for.contains(&domain)).then_some(email)
}

/// Creates the account of an invited address from the provider's claims, without a password
/// ("Forgot your password?" can set one), and accepts every pending invitation of the address.
async fn create_account(
    tx: &mut sqlx::AnyConnection,
    identity: &Identity,
    email: &Email,
    pending: &[Invitation],
    now: i64,
) -> ApiResult<String> {
    let account_id = secrets::new_token();
    let (display_name, given_name, surname) = names(identity, email);
    let new = NewAccount {
        id: &account_id,
        email: email.as_str(),
        password_hash: passwords::NO_PASSWORD,
        display_name: &display_name,
        given_name: &given_name,
        surname: &surname,
    };
    storage::accounts::insert(tx, &new, now).await?;
    for invitation in pending {
        let policy = Acceptance::SameAddressIfUsable;
        invitation::accept(tx, &account_id, email.as_str(), invitation, policy, now).await?;
    }
    Audit::new(Action::SignUp, audit::Outcome::Success)
        .account(Some(&account_id))
        .detail("social")
        .emit();
    Ok(account_id)
}

/// Names from the provider's claims, each kept only if it passes the contract's name rule; the
/// display name falls back to the given and family names, then to the address's local part.
fn names(identity: &Identity, email: &Email) -> (String, String, String) {
    let clean = |v: Option<&str>| {
        v.and_then(|v| PersonName::parse(v).ok())
            .map(PersonName::into_inner)
    };
    let given = clean(identity.given_name.as_deref()).unwrap_or_default();
    let family = clean(identity.family_name.as_deref()).unwrap_or_default();
    let local = email.as_str().split('@').next().unwrap_or_default();
    let display = clean(identity.name.as_deref())
        .or_else(|| clean(Some(format!("{given} {family}").trim())))
        .or_else(|| clean(Some(local)))
        .unwrap_or_else(|| {
            local
                .chars()
                .take(partner_login_contract::name::NAME_MAX_CHARS)
                .collect()
        });
    (display, given, family)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(name: Option<&str>, given: Option<&str>, family: Option<&str>) -> Identity {
        Identity {
            issuer: "https://id.example".into(),
            subject: "1".into(),
            email: Some("amina@ngo.example".into()),
            email_verified: true,
            name: name.map(Into::into),
            given_name: given.map(Into::into),
            family_name: family.map(Into::into),
            mfa: false,
        }
    }

    #[test]
    fn names_come_from_the_claims_and_fall_back_sensibly() {
        let email = Email::parse("amina@ngo.example").unwrap();
        let all = identity(Some("Amina D."), Some("Amina"), Some("Diallo"));
        assert_eq!(
            names(&all, &email),
            ("Amina D.".into(), "Amina".into(), "Diallo".into())
        );
        let no_name = identity(None, Some("Amina"), Some("Diallo"));
        assert_eq!(names(&no_name, &email).0, "Amina Diallo");
        let nothing = identity(None, None, None);
        assert_eq!(
            names(&nothing, &email),
            ("amina".into(), String::new(), String::new())
        );
        let control = identity(Some("bad\u{7}name"), Some("A\u{0}"), None);
        assert_eq!(
            names(&control, &email),
            ("amina".into(), String::new(), String::new())
        );
    }

    #[test]
    fn only_a_verified_valid_address_counts() {
        let mut id = identity(None, None, None);
        let none: &[String] = &[];
        assert_eq!(
            verified_email(&id, none).map(Email::into_inner).as_deref(),
            Some("amina@ngo.example")
        );
        id.email_verified = false;
        assert!(verified_email(&id, none).is_none());
        // A directory the operator made the authority for ngo.example vouches for it, and for
        // it only (not for a subdomain, not for another domain).
        let authority = ["ngo.example".to_owned()];
        assert!(verified_email(&id, &authority).is_some());
        id.email = Some("Amina@NGO.Example".into());
        assert!(verified_email(&id, &authority).is_some());
        id.email = Some("amina@evil.ngo.example".into());
        assert!(verified_email(&id, &authority).is_none());
        id.email = Some("amina@ngo.example.evil".into());
        assert!(verified_email(&id, &authority).is_none());
        id.email_verified = true;
        id.email = Some("not an address".into());
        assert!(verified_email(&id, none).is_none());
    }
}
