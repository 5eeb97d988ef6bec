//! Translations. The words live in `locales/<tag>.json` (English is the user guide's screen
//! strings word for word). Only English is compiled in: build.rs makes each message of
//! `locales/en.json` a constant of [`Msg`] (its key and English text), so a WASM holds only the
//! messages its screens name, and a key missing from `locales/en.json` does not compile. The other five languages are data:
//! Trunk copies their files beside `index.html`, and [`Lang::load`] fetches one when it is
//! needed (at start-up, before the first render, or when the switcher picks it), then
//! [`install`] keeps its words for the page's life. A key a fetched file lacks reads as English.
//! build.rs checks that every file has the keys and placeholders of English (a missing key
//! fails the build); `tests` checks the files the other way round and that no screen can show a
//! raw key.
//!
//! Placeholders are `{name}` (single braces) and are filled by
//! [`Lang::format`] with numbers already formatted for the language ([`Lang::number`]).

mod intl;

use crate::flows::password::Feedback;
use partner_login_contract::config_file::Json;
use partner_login_contract::ErrorCode;
use std::sync::OnceLock;

/// The languages fetched so far, by [`Lang::index`], as their files' JSON trees (the
/// contract's [`Json`], which the WASM already holds for `config.json`: no second JSON model);
/// English's slot stays empty (compiled in). Each is set once and kept for the page's life: at
/// most five files of about 10 KB.
static LOADED: [OnceLock<Json>; 6] = [const { OnceLock::new() }; 6];

/// The largest language file taken (the real ones are about 10 KB): a wrong answer, such as a
/// misconfigured host's huge page, is refused rather than parsed (bounded work and memory).
const MAX_FILE_BYTES: usize = 256 * 1024;

/// Keeps the words of `lang` from its file's JSON text (the text fetched by [`Lang::load`], or
/// a test's copy of the real file). A second install of the same language keeps the first.
pub fn install(lang: Lang, json: &str) -> Result<(), String> {
    let file = parse(json).map_err(|e| format!("{}.json: {e}", lang.tag()))?;
    let _ = LOADED[lang.index()].set(file);
    Ok(())
}

/// A language file's text as a tree: a JSON object, at most [`MAX_FILE_BYTES`] long.
fn parse(json: &str) -> Result<Json, String> {
    if json.len() > MAX_FILE_BYTES {
        return Err(format!("{} bytes", json.len()));
    }
    match crate::json::parse(json)? {
        file @ Json::Object(_) => Ok(file),
        _ => Err("not an object".to_owned()),
    }
}

/// The member `name` of an object.
fn member<'a>(json: &'a Json, name: &str) -> Option<&'a Json> {
    match json {
        Json::Object(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
        _ => None,
    }
}

/// The text of `msg` in `file` (a dotted key such as `error.required` is a nested object), or
/// English when the file lacks it or it is not a non-empty text.
fn text_in(file: Option<&Json>, msg: Msg) -> &str {
    let MsgText { key, en: english } = *msg.0;
    file.and_then(|file| {
        let found = match key.split_once('.') {
            Some((outer, inner)) => member(member(file, outer)?, inner)?,
            None => member(file, key)?,
        };
        match found {
            Json::String(text) if !text.trim().is_empty() => Some(text.as_str()),
            _ => None,
        }
    })
    .unwrap_or(english)
}

/// The languages the screens speak: the six official languages of the United Nations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
    Es,
    Ar,
    Zh,
    Ru,
}

impl Lang {
    /// In the switcher's order: English, then the others by their own names' alphabet as the UN
    /// lists them (Arabic, Chinese, French, Russian, Spanish).
    pub const ALL: [Lang; 6] = [Lang::En, Lang::Ar, Lang::Zh, Lang::Fr, Lang::Ru, Lang::Es];

    /// The BCP 47 tag, for `<html lang>`, the API and the emails.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::Ar => "ar",
            Lang::Zh => "zh",
            Lang::Ru => "ru",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Es => "Español",
            Lang::Ar => "العربية",
            Lang::Zh => "中文",
            Lang::Ru => "Русский",
        }
    }

    /// The writing direction, for `<html dir>`: the layout mirrors for Arabic.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The best match for a BCP 47 tag such as `fr-CA` or `zh-Hans-CN`; `None` when nothing
    /// matches.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.tag() == primary)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Whether the words of this language are here: English always, another once fetched.
    pub fn is_ready(self) -> bool {
        self == Lang::En || LOADED[self.index()].get().is_some()
    }

    /// `<tag>.json?v=<content hash>`: beside `index.html`, where Trunk copies it, fetched under
    /// the base path on the SPA's own origin (`deployment::fetch_text`), so the CSP's
    /// `connect-src 'self'` covers it (OWASP ASVS 5.0 V3.4.3); the hash (build.rs) makes a new
    /// build's URL miss any cached copy of an older file.
    pub fn file_name(self) -> String {
        let version = match self {
            Lang::En => env!("PL_LOCALE_VERSION_EN"),
            Lang::Fr => env!("PL_LOCALE_VERSION_FR"),
            Lang::Es => env!("PL_LOCALE_VERSION_ES"),
            Lang::Ar => env!("PL_LOCALE_VERSION_AR"),
            Lang::Zh => env!("PL_LOCALE_VERSION_ZH"),
            Lang::Ru => env!("PL_LOCALE_VERSION_RU"),
        };
        format!("{}.json?v={version}", self.tag())
    }

    /// Fetches and installs this language's file, unless its words are already here: through
    /// `boot.js`, which fetched the reader's file beside the WASM (`deployment::fetch_file`).
    pub async fn load(self) -> Result<(), String> {
        if self.is_ready() {
            return Ok(());
        }
        let text = crate::deployment::fetch_text(&self.file_name(), "default").await?;
        install(self, &text)
    }

    /// The text of `msg` in this language; English where the language is not loaded or its
    /// file lacks the key (never a raw key).
    pub fn text(self, msg: Msg) -> &'static str {
        text_in(LOADED[self.index()].get(), msg)
    }
}

impl Lang {
    /// A message with `{name}` placeholders filled in. In a right-to-left language each value
    /// is a bidirectional isolate (U+2068 … U+2069, Unicode UAX #9): an email address or a
    /// Latin organization name inside an Arabic sentence keeps its own order and does not
    /// reorder the punctuation around it (WCAG 2.2 SC 1.3.2 Meaningful Sequence).
    pub fn format(self, msg: Msg, args: &[(&str, &str)]) -> String {
        let mut out = self.text(msg).to_owned();
        for (name, value) in args {
            let value = if self.dir() == "rtl" {
                format!("\u{2068}{value}\u{2069}")
            } else {
                (*value).to_owned()
            };
            out = out.replace(&format!("{{{name}}}"), &value);
        }
        out
    }

    /// A whole number written the language's way (Intl.NumberFormat in the browser).
    pub fn number(self, n: u64) -> String {
        intl::number(self.tag(), n)
    }

    /// A date and time (Unix seconds) written the language's way, in the person's time zone.
    pub fn date_time(self, unix_seconds: i64) -> String {
        intl::date_time(self.tag(), unix_seconds)
    }
}

impl Msg {
    /// The message of an error code, such as one the server answered with (any code may come,
    /// so every error message is here).
    pub fn error(code: ErrorCode) -> Msg {
        match code {
            ErrorCode::Required => Msg::ERROR_REQUIRED,
            ErrorCode::EmailInvalid => Msg::ERROR_EMAIL_INVALID,
            ErrorCode::TooShort => Msg::ERROR_TOO_SHORT,
            ErrorCode::TooLong => Msg::ERROR_TOO_LONG,
            ErrorCode::InvalidCharacters => Msg::ERROR_INVALID_CHARACTERS,
            ErrorCode::PasswordTooCommon => Msg::ERROR_PASSWORD_TOO_COMMON,
            ErrorCode::PasswordNeedsClasses => Msg::ERROR_PASSWORD_NEEDS_CLASSES,
            ErrorCode::PasswordMismatch => Msg::ERROR_PASSWORD_MISMATCH,
            ErrorCode::CodeFormat => Msg::ERROR_CODE_FORMAT,
            ErrorCode::CodeWrong => Msg::ERROR_CODE_WRONG,
            ErrorCode::CodeExpired => Msg::ERROR_CODE_EXPIRED,
            ErrorCode::CodeExhausted => Msg::ERROR_CODE_EXHAUSTED,
            ErrorCode::ResendCooldown => Msg::ERROR_RESEND_COOLDOWN,
            ErrorCode::ResetLinkRequired => Msg::ERROR_RESET_LINK_REQUIRED,
            ErrorCode::FlowNotFound => Msg::ERROR_FLOW_NOT_FOUND,
            ErrorCode::FlowExpired => Msg::ERROR_FLOW_EXPIRED,
            ErrorCode::FlowNotVerified => Msg::ERROR_FLOW_NOT_VERIFIED,
            ErrorCode::InvitationNotFound => Msg::ERROR_INVITATION_NOT_FOUND,
            ErrorCode::InvitationExpired => Msg::ERROR_INVITATION_EXPIRED,
            ErrorCode::InvitationUsed => Msg::ERROR_INVITATION_USED,
            ErrorCode::InvitationEmailMismatch => Msg::ERROR_INVITATION_EMAIL_MISMATCH,
            ErrorCode::AccountExists => Msg::ERROR_ACCOUNT_EXISTS,
            ErrorCode::InvalidCredentials => Msg::ERROR_INVALID_CREDENTIALS,
            ErrorCode::SecondFactorRequired => Msg::ERROR_SECOND_FACTOR_REQUIRED,
            ErrorCode::AccountLocked => Msg::ERROR_ACCOUNT_LOCKED,
            ErrorCode::AccountDisabled => Msg::ERROR_ACCOUNT_DISABLED,
            ErrorCode::Unauthenticated => Msg::ERROR_UNAUTHENTICATED,
            ErrorCode::Forbidden => Msg::ERROR_FORBIDDEN,
            ErrorCode::CsrfRejected => Msg::ERROR_CSRF_REJECTED,
            ErrorCode::RateLimited => Msg::ERROR_RATE_LIMITED,
            ErrorCode::ValidationFailed => Msg::ERROR_VALIDATION_FAILED,
            ErrorCode::BadRequest => Msg::ERROR_BAD_REQUEST,
            ErrorCode::NotFound => Msg::ERROR_NOT_FOUND,
            ErrorCode::ServiceUnavailable => Msg::ERROR_SERVICE_UNAVAILABLE,
            ErrorCode::Busy => Msg::ERROR_BUSY,
            ErrorCode::Internal => Msg::ERROR_INTERNAL,
            ErrorCode::SocialUnknownProvider => Msg::ERROR_SOCIAL_UNKNOWN_PROVIDER,
            ErrorCode::SocialUnavailable => Msg::ERROR_SOCIAL_UNAVAILABLE,
            ErrorCode::SocialDenied => Msg::ERROR_SOCIAL_DENIED,
            ErrorCode::SocialExpired => Msg::ERROR_SOCIAL_EXPIRED,
            ErrorCode::SocialFailed => Msg::ERROR_SOCIAL_FAILED,
            ErrorCode::SocialEmailUnverified => Msg::ERROR_SOCIAL_EMAIL_UNVERIFIED,
            ErrorCode::ReauthenticationRequired => Msg::ERROR_REAUTHENTICATION_REQUIRED,
            ErrorCode::PasskeyRefused => Msg::ERROR_PASSKEY_REFUSED,
            ErrorCode::PasskeyAlreadyRegistered => Msg::ERROR_PASSKEY_ALREADY_REGISTERED,
            ErrorCode::PasskeyLimit => Msg::ERROR_PASSKEY_LIMIT,
            ErrorCode::PasskeysUnavailable => Msg::ERROR_PASSKEYS_UNAVAILABLE,
        }
    }
}

impl Lang {
    /// "Try again in …": seconds under two minutes, whole minutes (rounded up) above.
    pub fn try_again_in(self, seconds: u32) -> String {
        if seconds < 120 {
            let seconds = self.number(seconds.into());
            self.format(Msg::TRY_AGAIN_IN_SECONDS, &[("seconds", &seconds)])
        } else {
            let minutes = self.number(seconds.div_ceil(60).into());
            self.format(Msg::TRY_AGAIN_IN_MINUTES, &[("minutes", &minutes)])
        }
    }

    /// The live hint under "New Password".
    pub fn password_feedback(self, feedback: Feedback) -> String {
        match feedback {
            Feedback::Rule { min, recommended } => self.format(
                Msg::PASSWORD_HINT,
                &[
                    ("min", &self.number(min.into())),
                    ("recommended", &self.number(recommended.into())),
                ],
            ),
            Feedback::TooShort { count, min } => self.format(
                Msg::PASSWORD_TOO_SHORT_COUNT,
                &[
                    ("count", &self.number(count.into())),
                    ("min", &self.number(min.into())),
                ],
            ),
            Feedback::BelowRecommended { recommended } => self.format(
                Msg::PASSWORD_BELOW_RECOMMENDED,
                &[("recommended", &self.number(recommended.into()))],
            ),
            Feedback::Good => self.text(Msg::PASSWORD_GOOD).to_owned(),
        }
    }
}

/// A message of the screens: its key in `locales/<tag>.json` and its English text, one
/// constant per key of `locales/en.json` (`Msg::SIGN_IN`, `Msg::ERROR_REQUIRED`, generated by
/// build.rs), shown by [`Lang::text`].
///
/// One pointer to its texts, so that passing, storing and comparing a message costs what an
/// enum's number did (issue 21: two string slices instead cost the full app's WASM more code at
/// each of its many uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msg(&'static MsgText);

/// A message's key in `locales/<tag>.json` and its English text.
#[derive(Debug, PartialEq, Eq)]
pub struct MsgText {
    key: &'static str,
    en: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    /// The real files, installed through the function the fetch path uses.
    fn load_all() {
        for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
            let text = std::fs::read_to_string(format!(
                "{}/locales/{}.json",
                env!("CARGO_MANIFEST_DIR"),
                lang.tag()
            ))
            .expect("the locale file");
            install(lang, &text).expect("a valid locale file");
            assert!(lang.is_ready());
        }
    }

    #[test]
    fn a_missing_key_or_language_reads_as_english() {
        let file = parse(r#"{"portal_name": "Portail", "error": {"required": "Requis"}}"#).unwrap();
        assert_eq!(text_in(Some(&file), Msg::PORTAL_NAME), "Portail");
        assert_eq!(text_in(Some(&file), Msg::ERROR_REQUIRED), "Requis");
        assert_eq!(
            text_in(Some(&file), Msg::SIGN_IN),
            Lang::En.text(Msg::SIGN_IN)
        );
        assert_eq!(
            text_in(None, Msg::PORTAL_NAME),
            Lang::En.text(Msg::PORTAL_NAME)
        );
        // An empty text, a number or a text where an object belongs is no translation either.
        let file = parse(r#"{"portal_name": " ", "sign_in": 3, "error": "Erreur"}"#).unwrap();
        assert_eq!(
            text_in(Some(&file), Msg::SIGN_IN),
            Lang::En.text(Msg::SIGN_IN)
        );
        assert_eq!(
            text_in(Some(&file), Msg::ERROR_REQUIRED),
            Lang::En.text(Msg::ERROR_REQUIRED)
        );
        assert_eq!(
            text_in(Some(&file), Msg::PORTAL_NAME),
            Lang::En.text(Msg::PORTAL_NAME)
        );
    }

    #[test]
    fn a_wrong_file_is_refused() {
        assert!(parse("<!DOCTYPE html><html></html>").is_err());
        assert!(parse(r#"["portal_name"]"#).is_err());
        let huge = format!(r#"{{"portal_name": "{}"}}"#, "a".repeat(MAX_FILE_BYTES));
        assert!(parse(&huge).is_err());
    }

    #[test]
    fn language_files_have_a_versioned_url_beside_index_html() {
        let name = Lang::Ar.file_name();
        assert!(name.starts_with("ar.json?v="), "{name}");
        assert_eq!(name.len(), "ar.json?v=".len() + 16, "{name}");
        // Each file its own hash: different contents, different versions.
        assert_ne!(name, Lang::Fr.file_name().replace("fr", "ar"));
    }

    #[test]
    fn every_message_is_translated_and_keeps_its_placeholders() {
        load_all();
        for msg in Msg::EVERY.iter().copied() {
            let en = Lang::En.text(msg);
            for lang in Lang::ALL {
                let text = lang.text(msg);
                assert!(!text.trim().is_empty(), "{msg:?} is empty in {lang:?}");
                for placeholder in [
                    "{seconds}",
                    "{minutes}",
                    "{min}",
                    "{recommended}",
                    "{inviter}",
                    "{organization}",
                    "{email}",
                    "{name}",
                    "{limit}",
                    "{count}",
                    "{date}",
                ] {
                    assert_eq!(
                        en.contains(placeholder),
                        text.contains(placeholder),
                        "{msg:?} in {lang:?} and English differ on {placeholder}"
                    );
                }
            }
        }
    }

    /// Every error message is the one of its code: `Msg::error` (what an answer's code shows)
    /// gives `error.<code>` for each code that has a message in `locales/en.json`.
    #[test]
    fn each_error_code_shows_its_own_message() {
        let mut codes = 0;
        for msg in Msg::EVERY.iter().copied() {
            if let Some(wire) = msg.0.key.strip_prefix("error.") {
                let code = ErrorCode::from_wire(wire).unwrap_or_else(|| panic!("{wire}"));
                assert_eq!(Msg::error(code), msg);
                codes += 1;
            }
        }
        assert!(codes > 40, "{codes} error messages");
    }

    #[test]
    fn the_seed_strings_are_english_word_for_word() {
        assert_eq!(
            Lang::En.text(Msg::EXISTING_HEADING),
            "Sign in with your existing account"
        );
        assert_eq!(
            Lang::En.text(Msg::VERIFICATION_NECESSARY),
            "Verification is necessary. Please click Send button."
        );
        assert_eq!(
            Lang::En.text(Msg::CODE_SENT_INFO),
            "Verification code has been sent to your inbox. Please copy it to the input box below."
        );
        assert_eq!(
            Lang::En.text(Msg::EMAIL_VERIFIED),
            "E-mail address verified. You can now continue."
        );
    }

    #[test]
    fn language_tags_match_by_primary_subtag() {
        assert_eq!(Lang::from_tag("fr-CA"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("en"), Some(Lang::En));
        assert_eq!(Lang::from_tag("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("AR_eg"), Some(Lang::Ar));
        assert_eq!(Lang::from_tag("es-419"), Some(Lang::Es));
        assert_eq!(Lang::from_tag("ru"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("sw-KE"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn only_arabic_is_right_to_left() {
        for lang in Lang::ALL {
            assert_eq!(lang.dir() == "rtl", lang == Lang::Ar, "{lang:?}");
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
    }

    fn locale_file(lang: Lang) -> std::collections::BTreeMap<String, String> {
        let path = format!("{}/locales/{}.json", env!("CARGO_MANIFEST_DIR"), lang.tag());
        let text = std::fs::read_to_string(&path).expect("the locale file");
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let mut flat = std::collections::BTreeMap::new();
        let mut stack = vec![(String::new(), &json)];
        while let Some((prefix, value)) = stack.pop() {
            match value {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        let key = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        stack.push((key, v));
                    }
                }
                serde_json::Value::String(s) => {
                    flat.insert(prefix, s.clone());
                }
                other => panic!("{prefix} is {other}"),
            }
        }
        flat
    }

    /// Every file holds exactly the keys the screens use, and the compiled-in text of every
    /// message is the file's text: nothing untranslated, nothing orphaned, no raw key shown.
    #[test]
    fn every_translation_file_has_every_key_and_the_screens_show_its_text() {
        load_all();
        let used: std::collections::BTreeSet<String> =
            Msg::EVERY.iter().map(|m| m.0.key.to_owned()).collect();
        assert_eq!(used.len(), Msg::EVERY.len(), "two messages share a key");
        for lang in Lang::ALL {
            let file = locale_file(lang);
            let in_file: std::collections::BTreeSet<String> = file.keys().cloned().collect();
            assert_eq!(
                in_file,
                used,
                "locales/{}.json keys differ from the screens'",
                lang.tag()
            );
            for msg in Msg::EVERY.iter().copied() {
                let key = msg.0.key;
                let text = lang.text(msg);
                assert_eq!(text, file[key], "{lang:?} {msg:?}");
                assert_ne!(text, key, "{lang:?} shows the raw key {key}");
                let identifier_like = text
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
                assert!(
                    !identifier_like,
                    "{lang:?} {msg:?} looks like a key: {text}"
                );
            }
        }
    }

    /// The same English word is not left untranslated across a whole language (a sign of a
    /// copied file): at most the portal-independent few (codes, "OK"-like words) may match.
    #[test]
    fn other_languages_are_not_english_copies() {
        load_all();
        for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
            let same = Msg::EVERY
                .iter()
                .filter(|m| lang.text(**m) == Lang::En.text(**m))
                .count();
            assert!(same <= 2, "{lang:?} has {same} texts identical to English");
        }
    }

    #[test]
    fn password_feedback_is_translated_with_its_numbers() {
        load_all();
        assert_eq!(
            Lang::En.password_feedback(Feedback::TooShort { count: 3, min: 8 }),
            "3 characters: at least 8 needed."
        );
        assert!(Lang::Fr
            .password_feedback(Feedback::Rule {
                min: 8,
                recommended: 15
            })
            .starts_with("Au moins 8 caractères"));
    }

    #[test]
    fn waits_are_said_in_seconds_then_minutes() {
        load_all();
        assert_eq!(Lang::En.try_again_in(60), "Try again in 60 s.");
        assert_eq!(Lang::En.try_again_in(121), "Try again in 3 min.");
        assert_eq!(Lang::Fr.try_again_in(5 * 3600), "Réessayez dans 300 min.");
    }

    #[test]
    fn values_in_arabic_sentences_are_isolated() {
        load_all();
        let text = Lang::Ar.format(Msg::INVITATION_FOR, &[("email", "amina@example.org")]);
        assert!(text.contains("\u{2068}amina@example.org\u{2069}"), "{text}");
        let text = Lang::Fr.format(Msg::INVITATION_FOR, &[("email", "amina@example.org")]);
        assert!(!text.contains('\u{2068}'), "{text}");
    }

    #[test]
    fn format_fills_placeholders() {
        assert_eq!(
            Lang::En.format(Msg::SEND_NEW_CODE_IN, &[("seconds", "27")]),
            "Send new code (27 s)"
        );
    }
}
