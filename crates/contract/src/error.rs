//! Stable error codes. The server sends a code (never an English sentence as the thing to show);
//! the SPA maps each code to a translated message. Codes are part of the public API: never
//! rename one, only add.

use serde::{Deserialize, Serialize};

/// The enum, its wire names and the list of every code, from one list: `Name => "wire_name"`
/// (serde's `snake_case` of the name; a test checks that the two agree).
macro_rules! error_codes {
    ($($(#[$doc:meta])* $code:ident => $wire:literal,)*) => {
        /// Every error the API or a client-side check can report.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $code,)*
        }

        impl ErrorCode {
            /// Every code, from the same list as the enum (`from_wire` looks a wire name up here).
            pub const ALL: [ErrorCode; [$($wire),*].len()] = [$(ErrorCode::$code),*];

            /// The code as it travels on the wire (`snake_case`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$code => $wire,)*
                }
            }
        }
    };
}

error_codes! {
    // Field rules.
    Required => "required",
    EmailInvalid => "email_invalid",
    TooShort => "too_short",
    TooLong => "too_long",
    InvalidCharacters => "invalid_characters",
    PasswordTooCommon => "password_too_common",
    PasswordNeedsClasses => "password_needs_classes",
    PasswordMismatch => "password_mismatch",
    CodeFormat => "code_format",
    // Verification codes (NIST SP 800-63B-4 §3.1.3 out-of-band authenticators).
    CodeWrong => "code_wrong",
    CodeExpired => "code_expired",
    CodeExhausted => "code_exhausted",
    ResendCooldown => "resend_cooldown",
    /// Too many wrong password-reset codes for the address, across flows (NIST SP 800-63B-4
    /// §3.2.2): codes are refused, and reset emails carry a one-time link instead.
    ResetLinkRequired => "reset_link_required",
    // Flows and invitations.
    FlowNotFound => "flow_not_found",
    FlowExpired => "flow_expired",
    FlowNotVerified => "flow_not_verified",
    InvitationNotFound => "invitation_not_found",
    InvitationExpired => "invitation_expired",
    InvitationUsed => "invitation_used",
    InvitationEmailMismatch => "invitation_email_mismatch",
    /// The account cannot be created (an account already exists for the verified email).
    AccountExists => "account_exists",
    InvalidCredentials => "invalid_credentials",
    /// The password was right and the account has a second factor: no session yet. The answer
    /// sets the flow's cookie; `GET /session/second-factor` says which factors it may use and
    /// `POST /session/second-factor` finishes it (NIST SP 800-63B-4 §2.2.2, AAL2).
    SecondFactorRequired => "second_factor_required",
    AccountLocked => "account_locked",
    /// An administrator disabled the account. Said only to someone who proved they hold it (the
    /// right password, a verified social identity, a reset code from its mailbox); anyone else
    /// gets the answer an unknown account gets (OWASP ASVS 5.0 V6.3.8).
    AccountDisabled => "account_disabled",
    Unauthenticated => "unauthenticated",
    Forbidden => "forbidden",
    CsrfRejected => "csrf_rejected",
    RateLimited => "rate_limited",
    ValidationFailed => "validation_failed",
    BadRequest => "bad_request",
    NotFound => "not_found",
    ServiceUnavailable => "service_unavailable",
    /// The server has as much password-hashing work waiting as it takes (or this client has its
    /// share in flight): try again after `Retry-After` (503).
    Busy => "busy",
    Internal => "internal",
    // Social sign-in (OpenID Connect). These come back to the sign-in screen in the
    // `social_error` query parameter of the redirect, not in a problem+json body.
    /// No configured provider has that id.
    SocialUnknownProvider => "social_unknown_provider",
    /// The provider cannot be reached or its discovery document is invalid.
    SocialUnavailable => "social_unavailable",
    /// The person declined at the provider (`access_denied`).
    SocialDenied => "social_denied",
    /// The sign-in at the provider took too long, or came back in another browser (no flow for
    /// the `state`).
    SocialExpired => "social_expired",
    /// The provider's answer failed a check (code exchange, ID token signature, issuer,
    /// audience, expiry, nonce) or was an error other than a refusal.
    SocialFailed => "social_failed",
    /// The provider did not say the email address is verified, so it cannot link accounts.
    SocialEmailUnverified => "social_email_unverified",
    // Passkeys (W3C WebAuthn Level 3).
    /// Adding or removing a way in needs a sign-in within the last 5 minutes (OWASP ASVS 5.0
    /// V7.5.1; NIST SP 800-63B-4 §4.6.1): sign in again, then retry (401).
    ReauthenticationRequired => "reauthentication_required",
    /// The authenticator's answer to a registration failed a check (user verification, origin,
    /// challenge, signature, attestation format) (400).
    PasskeyRefused => "passkey_refused",
    /// This authenticator's credential is registered already (W3C WebAuthn L3 §7.1 step 26) (409).
    PasskeyAlreadyRegistered => "passkey_already_registered",
    /// The account has as many passkeys as it may have (403).
    PasskeyLimit => "passkey_limit",
    /// This server offers no passkeys (its `PUBLIC_URL` has no domain name) (404).
    PasskeysUnavailable => "passkeys_unavailable",
}

impl ErrorCode {
    /// Reads a code from its wire form, e.g. the `social_error` query parameter.
    pub fn from_wire(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

/// A code is read by its wire name with [`ErrorCode::from_wire`]'s loop rather than serde's
/// derived matcher: the SPA's first load carries this reader (issue 21: smaller).
impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = String::deserialize(deserializer)?;
        Self::from_wire(&wire).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&wire), &"an error code")
        })
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The input fields a field error can point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Email,
    Code,
    Password,
    PasswordConfirmation,
    DisplayName,
    GivenName,
    Surname,
    Organization,
    Inviter,
    /// The language tag of an invitation, a sign-up or a reset.
    Language,
    /// A passkey's name.
    PasskeyName,
}

/// One field's error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: Field,
    pub code: ErrorCode,
    /// A number the message needs, e.g. the minimum length for `too_short`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl FieldError {
    pub fn new(field: Field, code: ErrorCode) -> Self {
        Self {
            field,
            code,
            limit: None,
        }
    }

    pub fn with_limit(field: Field, code: ErrorCode, limit: u32) -> Self {
        Self {
            field,
            code,
            limit: Some(limit),
        }
    }
}

/// An RFC 9457 problem details document, with this API's extension members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI reference naming the problem type: `urn:partner-login:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short English summary, for developers; the SPA shows its own text for `code`.
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The stable code the SPA translates.
    pub code: ErrorCode,
    /// Field errors, for 422 responses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds until the request may be retried (429, 503, cooldowns, lockouts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

impl Problem {
    pub fn type_uri(code: ErrorCode) -> String {
        format!("urn:partner-login:problem:{code}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code with its wire name, written out by hand: the public API's record, kept apart
    /// from `error_codes!` on purpose (codes are never renamed: a wire name changed there fails
    /// here). The macro makes of one list both an exhaustive `match` (a new code fails to
    /// compile until it is listed here) and the list the test walks, so no code can be left
    /// unchecked.
    macro_rules! every_code {
        ($($code:ident => $wire:literal),* $(,)?) => {
            fn wire_name(code: ErrorCode) -> &'static str {
                match code {
                    $(ErrorCode::$code => $wire,)*
                }
            }
            const EVERY: &[ErrorCode] = &[$(ErrorCode::$code),*];
        };
    }

    every_code! {
        Required => "required",
        EmailInvalid => "email_invalid",
        TooShort => "too_short",
        TooLong => "too_long",
        InvalidCharacters => "invalid_characters",
        PasswordTooCommon => "password_too_common",
        PasswordNeedsClasses => "password_needs_classes",
        PasswordMismatch => "password_mismatch",
        CodeFormat => "code_format",
        CodeWrong => "code_wrong",
        CodeExpired => "code_expired",
        CodeExhausted => "code_exhausted",
        ResendCooldown => "resend_cooldown",
        ResetLinkRequired => "reset_link_required",
        FlowNotFound => "flow_not_found",
        FlowExpired => "flow_expired",
        FlowNotVerified => "flow_not_verified",
        InvitationNotFound => "invitation_not_found",
        InvitationExpired => "invitation_expired",
        InvitationUsed => "invitation_used",
        InvitationEmailMismatch => "invitation_email_mismatch",
        AccountExists => "account_exists",
        InvalidCredentials => "invalid_credentials",
        SecondFactorRequired => "second_factor_required",
        AccountLocked => "account_locked",
        AccountDisabled => "account_disabled",
        Unauthenticated => "unauthenticated",
        Forbidden => "forbidden",
        CsrfRejected => "csrf_rejected",
        RateLimited => "rate_limited",
        ValidationFailed => "validation_failed",
        BadRequest => "bad_request",
        NotFound => "not_found",
        ServiceUnavailable => "service_unavailable",
        Busy => "busy",
        Internal => "internal",
        SocialUnknownProvider => "social_unknown_provider",
        SocialUnavailable => "social_unavailable",
        SocialDenied => "social_denied",
        SocialExpired => "social_expired",
        SocialFailed => "social_failed",
        SocialEmailUnverified => "social_email_unverified",
        ReauthenticationRequired => "reauthentication_required",
        PasskeyRefused => "passkey_refused",
        PasskeyAlreadyRegistered => "passkey_already_registered",
        PasskeyLimit => "passkey_limit",
        PasskeysUnavailable => "passkeys_unavailable",
    }

    #[test]
    fn codes_serialize_as_their_wire_names() {
        for &code in EVERY {
            let wire = wire_name(code);
            assert_eq!(code.as_str(), wire);
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{wire}\""));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
            assert_eq!(ErrorCode::from_wire(wire), Some(code));
        }
        assert!(serde_json::from_str::<ErrorCode>("\"no_such_code\"").is_err());
        assert_eq!(ErrorCode::from_wire("Required"), None, "wire names only");
    }

    #[test]
    fn problem_round_trips_with_rfc9457_member_names() {
        let problem = Problem {
            kind: Problem::type_uri(ErrorCode::ValidationFailed),
            title: "Validation failed".into(),
            status: 422,
            detail: None,
            code: ErrorCode::ValidationFailed,
            errors: vec![FieldError::with_limit(
                Field::Password,
                ErrorCode::TooShort,
                8,
            )],
            retry_after: None,
        };
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["type"], "urn:partner-login:problem:validation_failed");
        assert_eq!(json["errors"][0]["field"], "password");
        assert_eq!(json["errors"][0]["limit"], 8);
        let back: Problem = serde_json::from_value(json).unwrap();
        assert_eq!(back, problem);
    }
}
