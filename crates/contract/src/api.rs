//! Request and response bodies of the REST API, and the paths they travel on.
//!
//! Every path is relative to the API base (`/api` on the reference server). All bodies are JSON;
//! errors are RFC 9457 `application/problem+json` documents ([`crate::Problem`]).

use crate::password::PasswordPolicy;
use serde::{Deserialize, Serialize};

/// Paths of the API, relative to the API base.
pub mod paths {
    pub const CONFIG: &str = "/config";
    pub const HEALTH: &str = "/health";
    /// Readiness: the database answers (load balancers take an instance out on 503).
    pub const READY: &str = "/ready";
    pub const OPENAPI: &str = "/openapi.json";
    /// `GET /invitations/{token}`
    pub const INVITATION: &str = "/invitations/{token}";
    /// `POST /admin/invitations` (Authorization: Bearer <admin token>)
    pub const ADMIN_INVITATIONS: &str = "/admin/invitations";
    /// `DELETE /admin/invitations/{invitation}`: revoke a pending invitation, by its id, or
    /// every pending invitation of an address.
    pub const ADMIN_INVITATION: &str = "/admin/invitations/{invitation}";
    /// `GET /admin/accounts?after&limit`: the accounts, by email, a page at a time.
    pub const ADMIN_ACCOUNTS: &str = "/admin/accounts";
    /// `GET`, `DELETE /admin/accounts/{account}` (its email or its id).
    pub const ADMIN_ACCOUNT: &str = "/admin/accounts/{account}";
    /// `POST`: no way in opens a session for it, and its sessions end.
    pub const ADMIN_ACCOUNT_DISABLE: &str = "/admin/accounts/{account}/disable";
    /// `POST`: undoes a disable.
    pub const ADMIN_ACCOUNT_ENABLE: &str = "/admin/accounts/{account}/enable";
    /// `POST`: ends every session of the account (sign-out everywhere).
    pub const ADMIN_ACCOUNT_END_SESSIONS: &str = "/admin/accounts/{account}/end-sessions";
    /// `DELETE`: unlinks the account's identities at a social provider (by its configured id).
    pub const ADMIN_ACCOUNT_IDENTITY: &str = "/admin/accounts/{account}/identities/{provider}";
    /// `POST /signup`: start a sign-up flow and send the first code.
    pub const SIGNUP: &str = "/signup";
    /// `GET /signup/{flow_id}`: the flow's state, to resume after a reload.
    pub const SIGNUP_FLOW: &str = "/signup/{flow_id}";
    /// `POST /signup/{flow_id}/code`: send a new code ("Send new code").
    pub const SIGNUP_RESEND: &str = "/signup/{flow_id}/code";
    /// `POST /signup/{flow_id}/verify`: check the code ("Verify code").
    pub const SIGNUP_VERIFY: &str = "/signup/{flow_id}/verify";
    /// `POST /signup/{flow_id}/complete`: create the account ("Create").
    pub const SIGNUP_COMPLETE: &str = "/signup/{flow_id}/complete";
    /// `GET` who is signed in; `POST` sign in; `DELETE` sign out.
    pub const SESSION: &str = "/session";
    /// `POST /password-reset`: "Forgot your password?", start a reset flow and send a code.
    /// The reset flow's bodies are the sign-up flow's (same requests, same [`EmailCodeFlowView`]).
    ///
    /// [`EmailCodeFlowView`]: super::EmailCodeFlowView
    pub const PASSWORD_RESET: &str = "/password-reset";
    /// `GET /password-reset/{flow_id}`: the flow's state, to resume after a reload.
    pub const PASSWORD_RESET_FLOW: &str = "/password-reset/{flow_id}";
    /// `POST /password-reset/{flow_id}/code`: "Send new code".
    pub const PASSWORD_RESET_RESEND: &str = "/password-reset/{flow_id}/code";
    /// `POST /password-reset/{flow_id}/verify`: "Verify code".
    pub const PASSWORD_RESET_VERIFY: &str = "/password-reset/{flow_id}/verify";
    /// `POST /password-reset/{flow_id}/complete`: set the new password and sign in ("Continue").
    pub const PASSWORD_RESET_COMPLETE: &str = "/password-reset/{flow_id}/complete";
    /// `GET /password-reset/{flow_id}/second-factor`: once the emailed code is verified, the
    /// second proofs the account needs before its new password ([`ResetProofView`]; empty
    /// `methods`: none); `POST`: give one, the app's code or a recovery code
    /// ([`SecondFactorRequest`]).
    pub const PASSWORD_RESET_SECOND_FACTOR: &str = "/password-reset/{flow_id}/second-factor";
    /// `POST /password-reset/{flow_id}/passkey`: begin a passkey ceremony of the flow's
    /// account, as its second proof; `…/passkey/finish`: the assertion.
    pub const PASSWORD_RESET_PASSKEY: &str = "/password-reset/{flow_id}/passkey";
    /// `POST /password-reset/{flow_id}/passkey/finish`: the browser's assertion (`toJSON()`).
    pub const PASSWORD_RESET_PASSKEY_FINISH: &str = "/password-reset/{flow_id}/passkey/finish";
    /// `POST /password-reset/link`: open the one-time link a reset email carries once the
    /// address had too many wrong codes; it verifies its flow as the code would, and answers the
    /// flow under a new id (the id the flow was started with no longer opens it).
    pub const PASSWORD_RESET_LINK: &str = "/password-reset/link";
    /// `POST /social/{provider}/start`: begin an OpenID Connect sign-in; answers the provider's
    /// authorization URL to navigate to, and binds the flow to this browser with a cookie.
    pub const SOCIAL_START: &str = "/social/{provider}/start";
    /// `GET /social/{provider}/callback`: where the provider sends the browser back. Always
    /// answers a redirect to the SPA: the portal when signed in, `/social/invitation-needed`
    /// when nobody invited that address, else the sign-in screen with `?social_error=<code>`.
    pub const SOCIAL_CALLBACK: &str = "/social/{provider}/callback";
    /// The OpenID Provider's metadata (Discovery 1.0), under the issuer.
    pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
    /// The OpenID Provider's public signing keys (a JWK Set).
    pub const JWKS: &str = "/oauth2/jwks";
    /// The authorization endpoint (`GET` or `POST`, OpenID Connect Core §3.1.2).
    pub const AUTHORIZE: &str = "/oauth2/authorize";
    /// Where the SPA sends the browser once signed in, to finish the authorization request it
    /// came with ([`SessionView::continue_url`]).
    ///
    /// [`SessionView::continue_url`]: super::SessionView::continue_url
    pub const AUTHORIZE_CONTINUE: &str = "/oauth2/authorize/continue";
    /// The token endpoint (`POST`, form-encoded).
    pub const TOKEN: &str = "/oauth2/token";
    /// The userinfo endpoint (`GET` or `POST`, `Authorization: Bearer`).
    pub const USERINFO: &str = "/oauth2/userinfo";
    /// The end-session endpoint (RP-Initiated Logout 1.0).
    pub const END_SESSION: &str = "/oauth2/logout";
    /// `GET /passkeys`: the signed-in account's passkeys.
    pub const PASSKEYS: &str = "/passkeys";
    /// `PATCH` (rename) or `DELETE` (remove) one of the signed-in account's passkeys, by id.
    pub const PASSKEY: &str = "/passkeys/{passkey}";
    /// `POST /passkeys/registration`: begin adding a passkey to the signed-in account (signed
    /// in within the last 5 minutes); answers the options for `navigator.credentials.create`.
    pub const PASSKEY_REGISTRATION: &str = "/passkeys/registration";
    /// `POST /passkeys/registration/finish`: the browser's new credential (`toJSON()`).
    pub const PASSKEY_REGISTRATION_FINISH: &str = "/passkeys/registration/finish";
    /// `POST /passkeys/sign-in`: begin a sign-in with a passkey (no email: discoverable
    /// credentials); answers the options for `navigator.credentials.get`.
    pub const PASSKEY_SIGN_IN: &str = "/passkeys/sign-in";
    /// `POST /passkeys/sign-in/finish`: the browser's assertion (`toJSON()`); signs in.
    pub const PASSKEY_SIGN_IN_FINISH: &str = "/passkeys/sign-in/finish";
    /// `GET /sessions`: the signed-in account's live sessions (OWASP ASVS 5.0 V7.5.2).
    pub const SESSIONS: &str = "/sessions";
    /// `DELETE /sessions/{session}`: ends one of the signed-in account's sessions, by the id
    /// [`ActiveSession::id`] gives (ending the caller's own is a sign-out).
    ///
    /// [`ActiveSession::id`]: super::ActiveSession::id
    pub const SESSION_BY_ID: &str = "/sessions/{session}";
    /// `GET /session/second-factor`: the factors the sign-in waiting for its second step may
    /// use; `POST`: finish it with one ([`SecondFactorRequest`]); signs in. The flow is the
    /// HttpOnly cookie `POST /session` set with its `second_factor_required` answer.
    pub const SESSION_SECOND_FACTOR: &str = "/session/second-factor";
    /// `POST /authenticator-app`: begin adding an authenticator app (signed in within the last
    /// 5 minutes; [`AuthenticatorAppEnrolment`]); `DELETE`: remove it (the same rule).
    pub const AUTHENTICATOR_APP: &str = "/authenticator-app";
    /// `POST /authenticator-app/confirm`: a code from the app ([`ConfirmAppRequest`]); only
    /// then is the app a factor.
    pub const AUTHENTICATOR_APP_CONFIRM: &str = "/authenticator-app/confirm";
    /// `POST /recovery-codes`: a new set of recovery codes, answered once (signed in within the
    /// last 5 minutes; [`RecoveryCodes`]); `GET`: how many are left ([`RecoveryCodesLeft`]).
    pub const RECOVERY_CODES: &str = "/recovery-codes";
    /// `GET /account/factors`: the signed-in account's factors ([`FactorsView`]).
    pub const ACCOUNT_FACTORS: &str = "/account/factors";
}

/// The SPA's route for a verified provider address that has no account and no invitation; the
/// address follows in the fragment (`#email=…`), which never reaches a server log.
pub const SOCIAL_INVITATION_NEEDED_ROUTE: &str = "/social/invitation-needed";
/// The sign-in screen's query parameter carrying a social sign-in's [`ErrorCode`].
///
/// [`ErrorCode`]: crate::ErrorCode
pub const SOCIAL_ERROR_PARAM: &str = "social_error";

/// The header every state-changing request must carry (CSRF defence, OWASP ASVS 5.0 V3.5.1:
/// a custom header forces a CORS preflight, which only configured origins pass).
pub const CSRF_HEADER: &str = "x-requested-with";
/// The value of [`CSRF_HEADER`].
pub const CSRF_HEADER_VALUE: &str = "partner-login";

/// What the SPA needs to know before it draws a screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicConfig {
    pub password_policy: PasswordPolicy,
    /// Social sign-in buttons, in the configured order; empty: no social section.
    #[serde(default)]
    pub providers: Vec<ProviderButton>,
    /// Seconds between two code sends for the same flow.
    pub resend_cooldown_seconds: u32,
    /// True when mail goes to the development outbox at `/dev/mailbox`.
    #[serde(default)]
    pub dev_mailbox: bool,
    /// True when the server offers passkeys (its `PUBLIC_URL` names a domain, the relying
    /// party): the screens show the passkey buttons only then.
    #[serde(default)]
    pub passkeys: bool,
    /// True when the server offers authenticator apps (`MFA_ENCRYPTION_KEY_FILE` is set): the
    /// screens offer "Use an authenticator app" only then.
    #[serde(default)]
    pub authenticator_apps: bool,
}

/// One social sign-in button.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderButton {
    pub id: String,
    /// The button's text ("UNICEF Employee").
    pub label: String,
    /// The text in other languages, by BCP 47 tag (`{"fr": "Personnel de l'UNICEF"}`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
}

impl ProviderButton {
    /// The label for a language, else the default one.
    pub fn label_in(&self, lang: &str) -> &str {
        self.labels.get(lang).unwrap_or(&self.label)
    }
}

/// `POST /social/{provider}/start`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SocialStartRequest {
    /// The invitation token the browser arrived with, if any: accepted on return when the
    /// provider's verified address is the invited one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<String>,
}

/// Where to send the browser to sign in at the provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SocialStartView {
    pub authorization_url: String,
}

/// An invitation as the invited person sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationView {
    pub email: String,
    pub organization: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inviter: Option<String>,
    /// BCP 47 tag the administrator chose for the invited person, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
}

/// `POST /admin/invitations`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateInvitationRequest {
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    pub organization: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inviter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// The created invitation. The link is the only place the token appears in clear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateInvitationResponse {
    pub link: String,
    pub expires_at: i64,
}

/// How many items an administration listing gives at most, and by default.
pub const ADMIN_PAGE_MAX: u32 = 1000;
pub const ADMIN_PAGE_DEFAULT: u32 = 100;

/// `GET /admin/accounts` and `GET /admin/invitations`: one page, after the `next_after` of the
/// page before (accounts: an email; invitations: an id), at most `limit`
/// ([`ADMIN_PAGE_DEFAULT`], up to [`ADMIN_PAGE_MAX`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AdminPageQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// 1 to [`ADMIN_PAGE_MAX`]; another value is refused (`bad_request`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub limit: Option<u32>,
}

/// One line of the account listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSummary {
    /// The account id (the `sub` of the OpenID Provider's tokens).
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; absent while the account is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<i64>,
    /// How many organizations the account is a member of.
    pub memberships: u32,
    /// The social providers (configured ids) it has identities at.
    pub social_providers: Vec<String>,
}

/// `GET /admin/accounts`: a page of accounts, by email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountList {
    pub accounts: Vec<AccountSummary>,
    /// The `after` of the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after: Option<String>,
}

/// An identity at a social provider, linked to an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedIdentity {
    /// The configured provider id (`unicef`).
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    /// The address the provider gave when it was linked (for information only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub created_at: i64,
    pub last_used_at: i64,
}

/// `GET /admin/accounts/{account}`: everything about an account that is not a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountDetail {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<i64>,
    /// False for an account made by a social sign-in that never set a password.
    pub has_password: bool,
    pub organizations: Vec<Membership>,
    pub identities: Vec<LinkedIdentity>,
    /// Sessions open now.
    pub sessions: u32,
}

/// The answer of disable and end-sessions: how many sessions ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionsEnded {
    pub sessions_ended: u32,
}

/// A pending invitation (neither used nor expired), as an administrator sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingInvitation {
    pub id: String,
    pub email: String,
    pub organization: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inviter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// `GET /admin/invitations`: a page of pending invitations, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationList {
    pub invitations: Vec<PendingInvitation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after: Option<String>,
}

/// The two kinds of email-code flow: the same steps (send a code, "Send new code", "Verify
/// code") with a different last step. One name for one concept, from this enum to the SPA's
/// screens and the server's `email_code_flows` table (its `kind` column holds [`Self::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EmailCodeKind {
    /// "Sign up now": ends with "Create" (`/signup/...`).
    SignUp,
    /// "Forgot your password?": ends with "Continue" (`/password-reset/...`).
    PasswordReset,
}

/// The paths of one kind of email-code flow, relative to the API base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmailCodePaths {
    /// `POST`: start a flow and send the first code.
    pub start: &'static str,
    /// `GET`: the flow's state, to resume after a reload (`{flow_id}`).
    pub flow: &'static str,
    /// `POST`: "Send new code" (`{flow_id}`).
    pub resend: &'static str,
    /// `POST`: "Verify code" (`{flow_id}`).
    pub verify: &'static str,
    /// `POST`: the kind's last step (`{flow_id}`).
    pub complete: &'static str,
}

impl EmailCodeKind {
    pub const ALL: [EmailCodeKind; 2] = [EmailCodeKind::SignUp, EmailCodeKind::PasswordReset];

    /// The stored name of the kind.
    pub const fn as_str(self) -> &'static str {
        match self {
            EmailCodeKind::SignUp => "signup",
            EmailCodeKind::PasswordReset => "password_reset",
        }
    }

    /// The kind a stored name names; `None` for anything else (never a default).
    pub fn from_stored(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub const fn paths(self) -> EmailCodePaths {
        match self {
            EmailCodeKind::SignUp => EmailCodePaths {
                start: paths::SIGNUP,
                flow: paths::SIGNUP_FLOW,
                resend: paths::SIGNUP_RESEND,
                verify: paths::SIGNUP_VERIFY,
                complete: paths::SIGNUP_COMPLETE,
            },
            EmailCodeKind::PasswordReset => EmailCodePaths {
                start: paths::PASSWORD_RESET,
                flow: paths::PASSWORD_RESET_FLOW,
                resend: paths::PASSWORD_RESET_RESEND,
                verify: paths::PASSWORD_RESET_VERIFY,
                complete: paths::PASSWORD_RESET_COMPLETE,
            },
        }
    }
}

/// `POST /signup` and `POST /password-reset`: start an email-code flow.
///
/// The published schema keeps its first name (`StartSignupRequest`): generated clients use it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// The published description stays too (the committed openapi.json is the published API).
#[cfg_attr(
    feature = "openapi",
    schema(as = StartSignupRequest, description = "`POST /signup`")
)]
pub struct StartEmailCodeRequest {
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    /// The invitation token the person arrived with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<String>,
    /// The language of the screens, for the email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// Where an email-code flow stands (Ory Kratos's "sent email → passed challenge").
/// Published as `SignupState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(
        as = SignupState,
        description = "Where a sign-up flow stands (Ory Kratos's \"sent email → passed challenge\")."
    )
)]
#[serde(rename_all = "snake_case")]
pub enum EmailCodeState {
    CodeSent,
    Verified,
}

/// An email-code flow (sign-up or password reset), as returned by every step but the last.
/// Published as `SignupFlowView`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(
        as = SignupFlowView,
        description = "A sign-up flow, as returned by every sign-up endpoint but the last."
    )
)]
pub struct EmailCodeFlowView {
    /// An unguessable id; holding it is what lets a browser continue the flow.
    pub flow_id: String,
    pub email: String,
    pub state: EmailCodeState,
    /// Seconds until "Send new code" may be used again.
    pub resend_after_seconds: u32,
    /// Seconds until the current code expires.
    pub code_expires_in_seconds: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<InvitationView>,
}

/// `POST /signup/{flow_id}/verify`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyCodeRequest {
    pub code: String,
}

/// `POST /password-reset/link`: the token of a reset email's link (from its `#fragment`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenResetLinkRequest {
    pub token: String,
}

/// `POST /signup/{flow_id}/complete`
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompleteSignupRequest {
    pub password: String,
    pub password_confirmation: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
}

impl std::fmt::Debug for CompleteSignupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompleteSignupRequest")
            .field("display_name", &self.display_name)
            .field("given_name", &self.given_name)
            .field("surname", &self.surname)
            .finish_non_exhaustive()
    }
}

/// `POST /password-reset/{flow_id}/complete`
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompletePasswordResetRequest {
    pub password: String,
    pub password_confirmation: String,
}

impl std::fmt::Debug for CompletePasswordResetRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompletePasswordResetRequest")
            .finish_non_exhaustive()
    }
}

/// `POST /session`
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<String>,
}

impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// A membership of an organization on the portal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    pub organization: String,
}

/// Who is signed in (`GET /session`, and the answer of every request that signs in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    pub email: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    pub organizations: Vec<Membership>,
    /// Where the deployment sends signed-in people (an allowlisted portal URL), if configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// Where the browser goes right after signing in, instead of the account page: the
    /// OpenID Provider's continuation of the authorization request the person came with, or
    /// the portal's own login start (a client's `initiate_login_uri`, OpenID Connect Core §4).
    /// Only the answers that sign in carry it; `GET /session` never does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_url: Option<String>,
    /// The authentication assurance level the session's sign-in reached (NIST SP 800-63B-4).
    #[serde(default)]
    pub aal: Aal,
    /// Only in the answer of a second step finished with a recovery code: how many codes the
    /// account has left (the screens offer a new set when few are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_codes_left: Option<u32>,
    /// `MFA_POLICY=required` and this session was made on one factor (`aal1`): it is
    /// enrolment-only until a sign-in with two factors; the screens go to `/protect`.
    #[serde(default)]
    pub factor_required: bool,
}

/// A NIST SP 800-63B-4 authentication assurance level, as a session reached it: `aal1` (one
/// factor: a password, or a social provider not trusted for its second factor), `aal2` (two
/// factors: a passkey that verified its user, a multi-factor social sign-in at a provider
/// trusted for it, a password and a second factor). The ID tokens' `acr` carries it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Aal {
    #[default]
    Aal1,
    Aal2,
}

impl Aal {
    /// `aal1` or `aal2`, as stored and as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Aal::Aal1 => "aal1",
            Aal::Aal2 => "aal2",
        }
    }

    /// The inverse of [`Aal::as_str`]; anything else is `None`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "aal1" => Some(Aal::Aal1),
            "aal2" => Some(Aal::Aal2),
            _ => None,
        }
    }
}

/// One live session of the signed-in account (`GET /sessions`, OWASP ASVS 5.0 V7.5.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActiveSession {
    /// The session's public id (the OpenID Connect `sid`): it names the session, it never
    /// opens it (it is neither the session's cookie nor derived from it).
    pub id: String,
    /// Unix seconds of the sign-in that made it (`auth_time`).
    pub created_at: i64,
    /// Unix seconds of its last use.
    pub last_seen_at: i64,
    /// `local`, or the social provider's configured id.
    pub idp: String,
    /// RFC 8176 authentication method references (`pwd`, `fed`, `pop`, `mfa`…).
    pub amr: Vec<String>,
    pub aal: Aal,
    /// True for the session of the request itself.
    pub current: bool,
}

/// The token endpoint's answer (OpenID Connect Core §3.1.3.3). No refresh token: the relying
/// party keeps its own session, and asks again (at once, while ours lives) when it needs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// Opaque, for the userinfo endpoint only.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds the access token lives.
    pub expires_in: i64,
    /// The ID token: a JWT signed RS256 by a key of the JWKS.
    pub id_token: String,
    /// The scopes granted.
    pub scope: String,
}

/// An OAuth 2.0 error answer of the token and userinfo endpoints (RFC 6749 §5.2): what relying
/// parties read there, rather than a problem+json.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type`,
    /// `invalid_token`.
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let req = CompleteSignupRequest {
            password: "s3cret-passphrase".into(),
            password_confirmation: "s3cret-passphrase".into(),
            display_name: "Amina".into(),
            given_name: "Amina".into(),
            surname: "Diallo".into(),
        };
        assert!(!format!("{req:?}").contains("s3cret"));
        let req = SignInRequest {
            email: "a@example.org".into(),
            password: "s3cret-passphrase".into(),
            invitation: None,
        };
        assert!(!format!("{req:?}").contains("s3cret"));
        let req = CompletePasswordResetRequest {
            password: "s3cret-passphrase".into(),
            password_confirmation: "s3cret-passphrase".into(),
        };
        assert!(!format!("{req:?}").contains("s3cret"));
    }

    #[test]
    fn an_email_code_kind_is_read_back_from_its_stored_name_only() {
        for kind in EmailCodeKind::ALL {
            assert_eq!(EmailCodeKind::from_stored(kind.as_str()), Some(kind));
        }
        assert_eq!(EmailCodeKind::from_stored("sign_up"), None);
        assert_eq!(EmailCodeKind::from_stored(""), None);
    }

    #[test]
    fn email_code_state_uses_snake_case() {
        assert_eq!(
            serde_json::to_string(&EmailCodeState::CodeSent).unwrap(),
            "\"code_sent\""
        );
    }
}

/// One passkey of the signed-in account (`GET /passkeys`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyView {
    /// Its id here (not the authenticator's credential id).
    pub id: String,
    /// The name the person gave it.
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last sign-in with it; absent if never used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<i64>,
    /// True when the passkey is synced between the person's devices (backed up by its
    /// provider, WebAuthn's backup state); false when it lives on this device only.
    pub synced: bool,
}

/// `PATCH /passkeys/{passkey}`: a new name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenamePasskeyRequest {
    /// A person's name's rules ([`crate::PersonName`]): trimmed, 1 to 64 characters, no
    /// control characters, no `<` or `>`.
    pub name: String,
}

/// A factor the second step of a password sign-in may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorMethod {
    /// A 6-digit code from the authenticator app (RFC 6238).
    App,
    /// One of the account's recovery codes.
    RecoveryCode,
    /// Under `MFA_POLICY=required`, for an account with passkeys: a passkey sign-in finishes
    /// it (AAL2 on its own; no link to the waiting step is needed).
    Passkey,
}

/// `GET /session/second-factor`: what the sign-in waiting for its second step may use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorView {
    pub methods: Vec<SecondFactorMethod>,
    /// Unix seconds after which the step must start again from the password.
    pub expires_at: i64,
}

/// `GET`/`POST /password-reset/{flow_id}/second-factor` (and the passkey's finish): the second
/// proof a verified reset of an account with a second factor needs before "Continue".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetProofView {
    /// The proofs the account may give; empty when it needs none (the new password is enough).
    pub methods: Vec<SecondFactorMethod>,
    /// True once a proof was given: "Continue" may set the new password.
    pub proven: bool,
    /// After a recovery code: how many are left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_codes_left: Option<u32>,
}

/// `POST /session/second-factor`: exactly one of `code` (the app's 6 digits) and
/// `recovery_code` (24 characters; spaces and dashes are ignored, letters in any case).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
    /// The invitation the person arrived with, as `POST /session` takes it: accepted once the
    /// second step is right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<String>,
}

/// `POST /authenticator-app`: the new app's seed, to scan or type. Shown once; the app is a
/// factor only once a code confirms it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthenticatorAppEnrolment {
    /// The seed in base32 (RFC 4648, no padding): 160 bits, 32 characters.
    pub secret: String,
    /// `otpauth://totp/<issuer>:<email>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
    pub uri: String,
    /// The URI as a QR code, an SVG document drawn by the server.
    pub qr_svg: String,
}

/// `POST /authenticator-app/confirm`: a code the new app shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmAppRequest {
    pub code: String,
}

/// `POST /recovery-codes`: a new set, shown once (the earlier set no longer works).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    /// 10 codes, each 24 Crockford base32 characters (120 bits) in groups of 4.
    pub codes: Vec<String>,
}

/// `GET /recovery-codes`: how many of the account's recovery codes are left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodesLeft {
    pub remaining: u32,
}

/// `GET /account/factors`: the signed-in account's ways to prove it is them beyond a password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactorsView {
    pub passkeys: u32,
    /// True once an authenticator app is confirmed.
    pub authenticator_app: bool,
    /// Unix seconds of the confirmation of the app, when there is one (the account page's
    /// "Added on …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_app_added_at: Option<i64>,
    pub recovery_codes_left: u32,
}
