//! A language tag: what the administrator sets on an invitation and what the screens send with a
//! sign-up or reset, so the emails go out in the person's language.
//!
//! Well-formed BCP 47 (RFC 5646) in its common shape: a 2–8 letter primary subtag, then
//! subtags of 1–8 letters or digits, at most 35 characters (RFC 5646 §4.4.1's minimum buffer).
//! `_` is read as `-` (POSIX locales such as `fr_CA`), and the tag is lowercased: tags compare
//! case-insensitively. Whether the language is one the product speaks is a separate question:
//! a well-formed tag in another language is kept, and English is used for it.

use crate::error::ErrorCode;

/// The most characters a tag may have.
pub const LANGUAGE_TAG_MAX_CHARS: usize = 35;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanguageTag(String);

impl LanguageTag {
    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ErrorCode::Required);
        }
        if trimmed.chars().count() > LANGUAGE_TAG_MAX_CHARS {
            return Err(ErrorCode::TooLong);
        }
        let tag = trimmed.replace('_', "-").to_ascii_lowercase();
        let mut subtags = tag.split('-');
        let primary = subtags.next().unwrap_or_default();
        let primary_ok =
            (2..=8).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase());
        let rest_ok = subtags
            .all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()));
        if !(primary_ok && rest_ok) {
            return Err(ErrorCode::InvalidCharacters);
        }
        Ok(Self(tag))
    }

    /// An optional tag, as the API takes it: absent or blank is `None`.
    pub fn parse_optional(input: Option<&str>) -> Result<Option<Self>, ErrorCode> {
        match input.filter(|s| !s.trim().is_empty()) {
            Some(tag) => Self::parse(tag).map(Some),
            None => Ok(None),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language subtag (`zh` of `zh-hans-cn`).
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or_default()
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_tags_are_accepted_and_lowercased() {
        for (input, tag) in [
            ("en", "en"),
            ("fr-CA", "fr-ca"),
            ("zh-Hans-CN", "zh-hans-cn"),
            ("es-419", "es-419"),
            (" ar ", "ar"),
            ("fr_CA", "fr-ca"),
        ] {
            assert_eq!(
                LanguageTag::parse(input).map(|t| t.into_inner()),
                Ok(tag.to_owned())
            );
        }
        assert_eq!(
            LanguageTag::parse("zh-Hans-CN").map(|t| t.primary().to_owned()),
            Ok("zh".to_owned())
        );
        assert_eq!(LanguageTag::parse_optional(None), Ok(None));
        assert_eq!(LanguageTag::parse_optional(Some("  ")), Ok(None));
        assert!(LanguageTag::parse_optional(Some("x y")).is_err());
    }

    #[test]
    fn malformed_tags_are_refused_with_a_reason() {
        assert_eq!(LanguageTag::parse(""), Err(ErrorCode::Required));
        assert_eq!(LanguageTag::parse(&"a".repeat(36)), Err(ErrorCode::TooLong));
        for bad in [
            "e",
            "123",
            "fr--ca",
            "fr-",
            "fr-toolongsubtag",
            "fr ca",
            "<script>",
            "ar\u{202e}",
        ] {
            assert_eq!(
                LanguageTag::parse(bad),
                Err(ErrorCode::InvalidCharacters),
                "{bad:?}"
            );
        }
    }
}
