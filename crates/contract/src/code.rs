//! The six-digit email verification code.

use crate::error::ErrorCode;

/// How many digits a verification code has.
pub const CODE_DIGITS: usize = 6;

/// A verification code as typed or pasted: spaces and dashes are dropped, so "701 449" and
/// "701-449" are accepted (WCAG 2.2 SC 3.3.8, accessible authentication: no retyping needed).
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationCode(String);

impl VerificationCode {
    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.is_empty() {
            return Err(ErrorCode::Required);
        }
        if digits.chars().count() != CODE_DIGITS || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ErrorCode::CodeFormat);
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Never print a code, not even in debug output (OWASP ASVS 5.0 V16.2.5: no secrets in logs).
impl std::fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerificationCode(******)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_six_digits_with_spaces_or_dashes() {
        assert_eq!(
            VerificationCode::parse("701449").unwrap().as_str(),
            "701449"
        );
        assert_eq!(
            VerificationCode::parse(" 701 449 ").unwrap().as_str(),
            "701449"
        );
        assert_eq!(
            VerificationCode::parse("701-449").unwrap().as_str(),
            "701449"
        );
    }

    #[test]
    fn rejects_other_shapes() {
        assert_eq!(VerificationCode::parse(""), Err(ErrorCode::Required));
        assert_eq!(VerificationCode::parse("70144"), Err(ErrorCode::CodeFormat));
        assert_eq!(
            VerificationCode::parse("7014490"),
            Err(ErrorCode::CodeFormat)
        );
        assert_eq!(
            VerificationCode::parse("70144a"),
            Err(ErrorCode::CodeFormat)
        );
        assert_eq!(
            VerificationCode::parse("７０１４４９"),
            Err(ErrorCode::CodeFormat)
        );
    }

    #[test]
    fn debug_output_hides_the_code() {
        let code = VerificationCode::parse("701449").unwrap();
        assert!(!format!("{code:?}").contains("701449"));
    }
}
