//! Audit events: one structured line for every security-relevant action, on the tracing target
//! `audit` (operators route or keep it apart with `RUST_LOG`, e.g. `RUST_LOG=info,audit=info`
//! and a JSON log, README "Operating"), and a count in the metrics
//! (`partner_login_audit_events_total{action,outcome}`).
//!
//! Each line says who (the account id, when one is known; never an email address: the log
//! keeps no personal data beyond the opaque id), what (`action`), from where (the client
//! address of the request, `http::client::ClientAddress`; `local` for the command line), and
//! the `outcome` (OWASP ASVS 5.0 V16.2.1: when, where, who, what; V16.3.1: authentication
//! events; V16.3.2: failed authorization; V16.3.3: attempts to bypass controls such as limits).
//! It never holds a secret (no password, code, token, session id or cookie: V16.2.5): its
//! fields are closed sets and an id, so none can.

use crate::metrics;

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A sign-in with a password.
    SignIn,
    /// An account locked by failed sign-ins (smart lockout).
    Lockout,
    SignOut,
    /// An account created by "Create" (sign-up) or by a social sign-in.
    SignUp,
    /// A verification code mailed (sign-up or reset: see `kind` in the metrics).
    CodeSent,
    /// A verification code checked.
    CodeCheck,
    /// A password set by "Forgot your password?".
    PasswordReset,
    /// A sign-in through a social provider.
    SocialSignIn,
    /// A social identity linked to an account.
    SocialLink,
    InvitationCreated,
    InvitationAccepted,
    /// The admin API's bearer token checked.
    AdminToken,
    /// A state-changing request without the CSRF header or from a foreign origin.
    Csrf,
    /// A request refused by an hourly cap (`domain::limits`).
    RateLimit,
    /// OpenID Provider: an authorization code issued to a client.
    AuthorizationCode,
    /// OpenID Provider: the token endpoint (a code redeemed, a client authenticated).
    Token,
    ClientAdded,
    ClientRemoved,
    ClientSecretRotated,
    SigningKeyRotated,
    /// A passkey added to an account (`domain::passkeys`); a sign-in with one is a `SignIn`
    /// with the detail `passkey`.
    PasskeyAdded,
    PasskeyRemoved,
    /// An administrator removed every second factor of an account (`accounts reset-mfa`).
    FactorsReset,
    /// An authenticator app begun, confirmed (`domain::mfa`) or removed; a second step finished
    /// with one is a `SignIn` with the detail `app` (or `recovery_code`).
    AuthenticatorAppAdded,
    AuthenticatorAppRemoved,
    /// A new set of recovery codes.
    RecoveryCodesMade,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign_in",
            Action::Lockout => "lockout",
            Action::SignOut => "sign_out",
            Action::SignUp => "sign_up",
            Action::CodeSent => "code_sent",
            Action::CodeCheck => "code_check",
            Action::PasswordReset => "password_reset",
            Action::SocialSignIn => "social_sign_in",
            Action::SocialLink => "social_link",
            Action::InvitationCreated => "invitation_created",
            Action::InvitationAccepted => "invitation_accepted",
            Action::AdminToken => "admin_token",
            Action::Csrf => "csrf",
            Action::RateLimit => "rate_limit",
            Action::AuthorizationCode => "authorization_code",
            Action::Token => "token",
            Action::ClientAdded => "client_added",
            Action::ClientRemoved => "client_removed",
            Action::ClientSecretRotated => "client_secret_rotated",
            Action::SigningKeyRotated => "signing_key_rotated",
            Action::PasskeyAdded => "passkey_added",
            Action::PasskeyRemoved => "passkey_removed",
            Action::FactorsReset => "factors_reset",
            Action::AuthenticatorAppAdded => "authenticator_app_added",
            Action::AuthenticatorAppRemoved => "authenticator_app_removed",
            Action::RecoveryCodesMade => "recovery_codes_made",
        }
    }
}

/// How it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// A wrong password, code or secret.
    Failure,
    /// Refused before any check: locked, capped, not allowed.
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Refused => "refused",
        }
    }
}

/// One audit event (see the module's documentation).
#[derive(Clone, Copy, Debug)]
#[must_use = "an audit event is written by `emit`"]
pub struct Audit<'a> {
    pub action: Action,
    pub outcome: Outcome,
    /// The account acted on or acting, when known (its opaque id).
    pub account: Option<&'a str>,
    /// A word more, from a closed set or an operator-chosen name: why (`account_locked`), a
    /// limit's name, a social provider's or OpenID client's id, a signing key's id, an
    /// invitation's organization (never a person's address).
    pub detail: Option<&'a str>,
}

impl<'a> Audit<'a> {
    pub fn new(action: Action, outcome: Outcome) -> Self {
        Self {
            action,
            outcome,
            account: None,
            detail: None,
        }
    }

    pub fn account(self, account: Option<&'a str>) -> Self {
        Self { account, ..self }
    }

    pub fn detail(self, detail: &'a str) -> Self {
        Self {
            detail: Some(detail),
            ..self
        }
    }

    /// Writes the line (target `audit`; a refusal, a failure or a lockout at `warn`) and counts
    /// it.
    pub fn emit(self) {
        let client = metrics::client();
        let client = client.as_deref().unwrap_or("local");
        let action = self.action.as_str();
        let outcome = self.outcome.as_str();
        let account = self.account.unwrap_or("-");
        let detail = self.detail.unwrap_or("-");
        if self.outcome == Outcome::Success && self.action != Action::Lockout {
            tracing::info!(target: "audit", action, outcome, account, client, detail);
        } else {
            tracing::warn!(target: "audit", action, outcome, account, client, detail);
        }
        metrics::audit_event(action, outcome);
    }
}

/// Shorthand: `audit::emit(Action::SignOut, Outcome::Success, Some(id))`.
pub fn emit(action: Action, outcome: Outcome, account: Option<&str>) {
    Audit {
        action,
        outcome,
        account,
        detail: None,
    }
    .emit();
}
