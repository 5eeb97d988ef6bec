//! Display name, given name and surname.

use crate::error::ErrorCode;

/// The most characters a name may have (Unicode code points).
pub const NAME_MAX_CHARS: usize = 64;

/// Which of the three names a value is; each is required, trimmed and length-limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Display,
    Given,
    Surname,
}

/// A person's name: any script, any punctuation people use, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ErrorCode::Required);
        }
        if trimmed.chars().count() > NAME_MAX_CHARS {
            return Err(ErrorCode::TooLong);
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() || matches!(c, '<' | '>'))
        {
            return Err(ErrorCode::InvalidCharacters);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keeps_any_script() {
        assert_eq!(PersonName::parse("  Amina ").unwrap().as_str(), "Amina");
        assert!(PersonName::parse("Nguyễn Thị Minh Khai").is_ok());
        assert!(PersonName::parse("عبد الله").is_ok());
        assert!(PersonName::parse("O'Brien-Smith").is_ok());
    }

    #[test]
    fn rejects_empty_long_and_control_characters() {
        assert_eq!(PersonName::parse(" \t"), Err(ErrorCode::Required));
        assert_eq!(
            PersonName::parse(&"é".repeat(NAME_MAX_CHARS + 1)),
            Err(ErrorCode::TooLong)
        );
        assert!(PersonName::parse(&"é".repeat(NAME_MAX_CHARS)).is_ok());
        assert_eq!(
            PersonName::parse("a\u{0}b"),
            Err(ErrorCode::InvalidCharacters)
        );
        assert_eq!(
            PersonName::parse("<script>"),
            Err(ErrorCode::InvalidCharacters)
        );
    }
}
