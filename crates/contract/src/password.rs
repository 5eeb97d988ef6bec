//! The password policy: NIST SP 800-63B-4 §3.1.1.2 and OWASP ASVS 5.0 V6.2, not Azure AD B2C's
//! old composition rules (those are an operator's opt-in, for compatibility only).
//!
//! - at least 8 characters (ASVS 6.2.1), 15 recommended (ASVS 6.2.9 asks for 15 when the password
//!   is the only factor; the form recommends it without forcing it);
//! - at least 64 allowed (ASVS 6.2.9 / NIST: up to 64 at least); we allow 256, and never truncate;
//! - counted as Unicode code points (NIST: "each Unicode code point SHALL be counted as a single
//!   character");
//! - no composition rules (ASVS 6.2.5) unless the operator turns on `require_three_classes`;
//! - checked against common and breached passwords (ASVS 6.2.4, 6.2.12): the list ships with the
//!   server, which reports [`ErrorCode::PasswordTooCommon`]; it is too large for the browser.

use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};

/// The password rules in force; the server publishes them in its public configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordPolicy {
    pub min_chars: u32,
    pub recommended_chars: u32,
    pub max_chars: u32,
    /// Azure AD B2C compatibility: 3 of lower case, upper case, digit, symbol.
    pub require_three_classes: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self::STANDARD
    }
}

impl PasswordPolicy {
    pub const STANDARD: Self = Self {
        min_chars: 8,
        recommended_chars: 15,
        max_chars: 256,
        require_three_classes: false,
    };

    /// Checks the rules that need no list. Returns the first broken rule and the number the
    /// message needs (a length limit).
    pub fn check(&self, password: &str) -> Result<(), (ErrorCode, Option<u32>)> {
        let chars = password.chars().count();
        if chars == 0 {
            return Err((ErrorCode::Required, None));
        }
        if chars < self.min_chars as usize {
            return Err((ErrorCode::TooShort, Some(self.min_chars)));
        }
        if chars > self.max_chars as usize {
            return Err((ErrorCode::TooLong, Some(self.max_chars)));
        }
        if self.require_three_classes && character_classes(password) < 3 {
            return Err((ErrorCode::PasswordNeedsClasses, Some(3)));
        }
        Ok(())
    }

    /// True when the password meets the rules but is shorter than recommended.
    pub fn below_recommended(&self, password: &str) -> bool {
        password.chars().count() < self.recommended_chars as usize
    }
}

/// How many of the four B2C classes (lower, upper, digit, other) a password uses.
pub fn character_classes(password: &str) -> usize {
    let lower = password.chars().any(char::is_lowercase);
    let upper = password.chars().any(char::is_uppercase);
    let digit = password.chars().any(|c| c.is_ascii_digit());
    let other = password.chars().any(|c| !c.is_alphanumeric());
    [lower, upper, digit, other]
        .into_iter()
        .filter(|b| *b)
        .count()
}

/// The confirmation must equal the password, character for character.
pub fn check_confirmation(password: &str, confirmation: &str) -> Result<(), ErrorCode> {
    if confirmation.is_empty() {
        Err(ErrorCode::Required)
    } else if password != confirmation {
        Err(ErrorCode::PasswordMismatch)
    } else {
        Ok(())
    }
}

/// A password that met the policy. Never trimmed, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(input: &str, policy: &PasswordPolicy) -> Result<Self, (ErrorCode, Option<u32>)> {
        policy.check(input)?;
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(******)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: PasswordPolicy = PasswordPolicy::STANDARD;

    #[test]
    fn length_counts_code_points_not_bytes() {
        // 8 code points, 24 bytes: long enough.
        assert!(P.check("пароль12").is_ok());
        assert!(P.check("密码密码密码密码").is_ok());
        // 7 code points, 21 bytes: too short, whatever the bytes say.
        assert_eq!(
            P.check("密码密码密码密"),
            Err((ErrorCode::TooShort, Some(8)))
        );
    }

    #[test]
    fn limits_are_inclusive() {
        assert_eq!(P.check(""), Err((ErrorCode::Required, None)));
        assert_eq!(P.check("1234567"), Err((ErrorCode::TooShort, Some(8))));
        assert!(P.check("12345678").is_ok());
        assert!(P.check(&"x".repeat(256)).is_ok());
        assert_eq!(
            P.check(&"x".repeat(257)),
            Err((ErrorCode::TooLong, Some(256)))
        );
    }

    #[test]
    fn no_composition_rules_by_default() {
        assert!(P.check("correct horse battery staple").is_ok());
        assert!(P.check("aaaaaaaa").is_ok());
    }

    #[test]
    fn spaces_are_kept_and_never_trimmed() {
        let pw = Password::parse("  spaced out  ", &P).unwrap();
        assert_eq!(pw.expose(), "  spaced out  ");
    }

    #[test]
    fn b2c_compatibility_requires_three_classes() {
        let b2c = PasswordPolicy {
            require_three_classes: true,
            ..P
        };
        assert_eq!(
            b2c.check("alllowercase"),
            Err((ErrorCode::PasswordNeedsClasses, Some(3)))
        );
        assert_eq!(
            b2c.check("lowerUPPER"),
            Err((ErrorCode::PasswordNeedsClasses, Some(3)))
        );
        assert!(b2c.check("lowerUPPER1").is_ok());
        assert!(b2c.check("lower upper 1").is_ok());
    }

    #[test]
    fn recommendation_is_fifteen() {
        assert!(P.below_recommended("fourteen chars"));
        assert!(!P.below_recommended("fifteen chars!!"));
    }

    #[test]
    fn confirmation_must_match_exactly() {
        assert_eq!(check_confirmation("abcdefgh", ""), Err(ErrorCode::Required));
        assert_eq!(
            check_confirmation("abcdefgh", "abcdefgh "),
            Err(ErrorCode::PasswordMismatch)
        );
        assert!(check_confirmation("abcdefgh", "abcdefgh").is_ok());
    }

    #[test]
    fn debug_output_hides_the_password() {
        let pw = Password::parse("hunter2hunter2", &P).unwrap();
        assert!(!format!("{pw:?}").contains("hunter2"));
    }
}
