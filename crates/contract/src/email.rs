//! Email addresses, as the sign-up and sign-in forms accept them.

use crate::error::ErrorCode;
use std::fmt;

/// The most characters an address may have (RFC 5321 §4.5.3.1.3 path limit less the brackets).
pub const EMAIL_MAX_CHARS: usize = 254;
const LOCAL_MAX_CHARS: usize = 64;

/// A syntactically plausible email address, trimmed and lower-cased.
///
/// Deliverability is proven by the emailed code, not by syntax (OWASP ASVS 5.0 V6.4); the parse
/// only rejects what can never be an address, so that a real person's address is never refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        // Lower-cased first, so the limits hold for what is stored: a few letters grow when
        // lower-cased (`İ` becomes two characters), and a stored address must parse again.
        Self::parse_lowered(input.trim().to_lowercase())
    }

    /// [`Email::parse`] of an input the caller has already trimmed and lower-cased with
    /// Unicode's default case mapping. The SPA lower-cases with the browser's
    /// `String.prototype.toLowerCase` (the same mapping, special and final-sigma cases
    /// included), which keeps core's case tables (12 KB) out of its WASM (issue 21); the
    /// server, whose parse is the truth, uses [`Email::parse`].
    pub fn parse_lowered(lowered: String) -> Result<Self, ErrorCode> {
        let trimmed = lowered.as_str();
        if trimmed.is_empty() {
            return Err(ErrorCode::Required);
        }
        if trimmed.chars().count() > EMAIL_MAX_CHARS {
            return Err(ErrorCode::TooLong);
        }
        if trimmed
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
        {
            return Err(ErrorCode::EmailInvalid);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(ErrorCode::EmailInvalid)?;
        let domain_ok = !domain.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        let local_ok = !local.is_empty()
            && local.chars().count() <= LOCAL_MAX_CHARS
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !(domain_ok && local_ok) {
            return Err(ErrorCode::EmailInvalid);
        }
        Ok(Self(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_normalises_them() {
        let email = Email::parse("  Amina.Diallo@Example.ORG ").unwrap();
        assert_eq!(email.as_str(), "amina.diallo@example.org");
        assert!(Email::parse("o'brien+un@sub.example.co.uk").is_ok());
        assert!(Email::parse("josé@exemple.fr").is_ok());
    }

    #[test]
    fn empty_is_required_not_invalid() {
        assert_eq!(Email::parse("   "), Err(ErrorCode::Required));
    }

    #[test]
    fn rejects_what_cannot_be_an_address() {
        for bad in [
            "no-at-sign",
            "@example.org",
            "a@",
            "a@localhost",
            "a@@example.org",
            "a b@example.org",
            "a@example..org",
            ".a@example.org",
            "a@-example.org",
            "a@example.org.",
        ] {
            assert_eq!(Email::parse(bad), Err(ErrorCode::EmailInvalid), "{bad}");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(ErrorCode::TooLong));
        let long_local = format!("{}@example.org", "a".repeat(65));
        assert_eq!(Email::parse(&long_local), Err(ErrorCode::EmailInvalid));
    }
}
