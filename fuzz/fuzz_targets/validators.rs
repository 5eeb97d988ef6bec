//! The contract crate's validators on any text: no panic, and what they accept is a fixed point
//! (parsing the stored form again gives the same value), within the documented limits. The
//! same rules the SPA runs in the browser and the server runs as the truth.
#![no_main]

use libfuzzer_sys::fuzz_target;
use partner_login_contract::code::CODE_DIGITS;
use partner_login_contract::email::EMAIL_MAX_CHARS;
use partner_login_contract::language::LANGUAGE_TAG_MAX_CHARS;
use partner_login_contract::name::NAME_MAX_CHARS;
use partner_login_contract::password::check_confirmation;
use partner_login_contract::{
    Email, ErrorCode, LanguageTag, Password, PasswordPolicy, PersonName, VerificationCode,
};

fuzz_target!(|input: &str| {
    if let Ok(email) = Email::parse(input) {
        let stored = email.as_str();
        assert!(
            stored.chars().count() <= EMAIL_MAX_CHARS,
            "{stored:?} is too long"
        );
        assert_eq!(
            stored,
            stored.to_lowercase(),
            "stored addresses are lower case"
        );
        assert_eq!(
            Email::parse(stored).as_ref(),
            Ok(&email),
            "{stored:?} must parse again"
        );
    }
    if let Ok(name) = PersonName::parse(input) {
        let stored = name.as_str();
        assert!(!stored.is_empty() && stored.chars().count() <= NAME_MAX_CHARS);
        assert!(!stored.contains(['<', '>']), "{stored:?} holds markup");
        assert_eq!(PersonName::parse(stored).as_ref(), Ok(&name));
    }
    if let Ok(code) = VerificationCode::parse(input) {
        let digits = code.as_str();
        assert!(digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(VerificationCode::parse(digits).as_ref(), Ok(&code));
    }
    if let Ok(tag) = LanguageTag::parse(input) {
        let stored = tag.as_str();
        assert!(stored.len() <= LANGUAGE_TAG_MAX_CHARS && stored.is_ascii());
        assert!(!tag.primary().is_empty());
        assert_eq!(LanguageTag::parse(stored).as_ref(), Ok(&tag));
    }
    if let Some(code) = ErrorCode::from_wire(input) {
        assert_eq!(code.as_str(), input, "wire codes round-trip");
    }
    for policy in [
        PasswordPolicy::STANDARD,
        PasswordPolicy {
            require_three_classes: true,
            ..PasswordPolicy::STANDARD
        },
    ] {
        let chars = input.chars().count() as u32;
        match Password::parse(input, &policy) {
            // NIST SP 800-63B-4 §3.1.1.2: accepted passwords are kept whole, never truncated.
            Ok(password) => {
                assert_eq!(password.expose(), input);
                assert!((policy.min_chars..=policy.max_chars).contains(&chars));
            }
            Err((ErrorCode::TooShort, Some(min))) => assert!(chars < min && chars > 0),
            Err((ErrorCode::TooLong, Some(max))) => assert!(chars > max),
            Err(_) => {}
        }
    }
    // A password always confirms itself; a different text never does.
    assert!(check_confirmation(input, input).is_ok() || input.is_empty());
    let mut other = input.to_owned();
    other.push('x');
    assert!(check_confirmation(input, &other).is_err());
});
