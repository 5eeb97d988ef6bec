//! The emails' words, in the six official languages of the United Nations: English, French,
//! Spanish, Arabic (right to left), Chinese (Simplified) and Russian, chosen by the language of
//! the screens (or of the invitation).
//!
//! The texts live in `crates/server/locales/<lang>.json`, one flat object per language with
//! `{code}`-style placeholders. `build.rs` checks them against `en.json` (same keys, same
//! placeholders) and compiles them into one `MailTexts` per language, so a missing key or a
//! mismatched placeholder fails the build rather than an email.

use super::Email;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/mail_texts.rs"));
}

pub use generated::MailTexts;

/// The language of an email.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailLang {
    En,
    Fr,
    Es,
    Ar,
    Zh,
    Ru,
}

impl MailLang {
    pub const ALL: [MailLang; 6] = [
        MailLang::En,
        MailLang::Fr,
        MailLang::Es,
        MailLang::Ar,
        MailLang::Zh,
        MailLang::Ru,
    ];

    /// The language of a BCP 47 tag ("fr-CA", "zh-Hans-CN"), by its primary subtag, in any case.
    /// English when there is no tag or when its language is not one of the six.
    pub fn from_tag(tag: Option<&str>) -> MailLang {
        let primary = tag
            .and_then(|tag| tag.trim().split(['-', '_']).next())
            .unwrap_or_default();
        MailLang::ALL
            .into_iter()
            .find(|lang| primary.eq_ignore_ascii_case(lang.tag()))
            .unwrap_or(MailLang::En)
    }

    pub fn texts(self) -> &'static MailTexts {
        match self {
            MailLang::En => &generated::EN,
            MailLang::Fr => &generated::FR,
            MailLang::Es => &generated::ES,
            MailLang::Ar => &generated::AR,
            MailLang::Zh => &generated::ZH,
            MailLang::Ru => &generated::RU,
        }
    }

    /// The language's tag, as in `<html lang>` and as the name of its file in `locales/`.
    pub fn tag(self) -> &'static str {
        match self {
            MailLang::En => "en",
            MailLang::Fr => "fr",
            MailLang::Es => "es",
            MailLang::Ar => "ar",
            MailLang::Zh => "zh",
            MailLang::Ru => "ru",
        }
    }

    /// Written right to left (Arabic): the HTML part says `dir="rtl"`.
    pub fn is_rtl(self) -> bool {
        matches!(self, MailLang::Ar)
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `text` with each `{name}` replaced by its value, in one pass: a value that holds braces (an
/// organization named "{link}") is copied as it is, never read as a placeholder.
fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after.find('}').and_then(|end| {
            let name = &after[..end];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, value)| (end, *value))
        });
        match value {
            Some((end, value)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn html(lang: MailLang, paragraphs: &[String]) -> String {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", escape(p)))
        .collect();
    let tag = lang.tag();
    let dir = if lang.is_rtl() { "rtl" } else { "ltr" };
    format!(
        "<!DOCTYPE html><html lang=\"{tag}\" dir=\"{dir}\"><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family:sans-serif\">{body}</body></html>"
    )
}

/// A multipart message whose paragraphs are `lines`, as plain text and as HTML.
fn email(to: &str, lang: MailLang, subject: String, lines: &[String]) -> Email {
    Email {
        to: to.to_owned(),
        subject,
        text: lines.join("\n\n"),
        html: html(lang, lines),
    }
}

/// The verification code, as the user guide's step 4 shows it.
pub fn code(to: &str, code: &str, lang: Option<&str>) -> Email {
    let lang = MailLang::from_tag(lang);
    let t = lang.texts();
    let values = [("code", code)];
    let lines = [
        t.code_heading.to_owned(),
        t.code_intro.to_owned(),
        fill(t.your_code, &values),
        t.code_validity.to_owned(),
        t.closing.to_owned(),
        t.signature.to_owned(),
    ];
    email(to, lang, fill(t.code_subject, &values), &lines)
}

/// The code of "Forgot your password?", sent only when the address has an account.
pub fn reset_code(to: &str, code: &str, lang: Option<&str>) -> Email {
    let lang = MailLang::from_tag(lang);
    let t = lang.texts();
    let values = [("code", code)];
    let lines = [
        t.reset_heading.to_owned(),
        t.reset_intro.to_owned(),
        fill(t.your_code, &values),
        t.reset_validity.to_owned(),
        t.closing.to_owned(),
        t.signature.to_owned(),
    ];
    email(to, lang, fill(t.reset_subject, &values), &lines)
}

/// Sent instead of a reset code once the address had too many wrong codes (NIST SP 800-63B-4
/// §3.2.2): a one-time link to the new-password step of its flow.
pub fn reset_link(to: &str, link: &str, lang: Option<&str>) -> Email {
    let lang = MailLang::from_tag(lang);
    let t = lang.texts();
    let values = [("link", link)];
    let lines = [
        t.reset_heading.to_owned(),
        t.reset_intro.to_owned(),
        t.reset_link_why.to_owned(),
        fill(t.reset_link, &values),
        t.reset_link_validity.to_owned(),
        t.closing.to_owned(),
        t.signature.to_owned(),
    ];
    email(to, lang, t.reset_link_subject.to_owned(), &lines)
}

/// Sent instead of a code when the address already has an account: the sign-up screens answer
/// the same either way, so only the mailbox's owner learns that the account exists.
pub fn account_exists(to: &str, sign_in_url: &str, lang: Option<&str>) -> Email {
    let lang = MailLang::from_tag(lang);
    let t = lang.texts();
    let lines = [
        t.account_exists_intro.to_owned(),
        fill(t.account_exists_sign_in, &[("sign_in_url", sign_in_url)]),
        t.account_exists_forgot.to_owned(),
    ];
    email(to, lang, t.account_exists_subject.to_owned(), &lines)
}

/// The invitation (user guide step 1). Without an inviter's name, it comes from "your
/// organization's administrator".
pub fn invitation(
    to: &str,
    organization: &str,
    inviter: Option<&str>,
    link: &str,
    lang: Option<&str>,
) -> Email {
    let lang = MailLang::from_tag(lang);
    let t = lang.texts();
    let values = [
        ("organization", organization),
        ("who", inviter.unwrap_or(t.invitation_default_inviter)),
        ("link", link),
    ];
    let lines = [
        fill(t.invitation_intro, &values),
        fill(t.invitation_link, &values),
        t.invitation_personal.to_owned(),
    ];
    email(to, lang, fill(t.invitation_subject, &values), &lines)
}

/// What a notice to an account's owner says happened (`domain::notify`).
#[derive(Clone, Copy, Debug)]
pub enum NoticeText<'a> {
    PasswordChanged,
    /// `method`: the new way in, as the person knows it ("UNICEF Employee").
    SignInMethodAdded {
        method: &'a str,
    },
    /// `name`: the passkey's name, as the person gave it.
    PasskeyAdded {
        name: &'a str,
    },
    PasskeyRemoved {
        name: &'a str,
    },
    /// An authenticator app added (confirmed) or removed.
    AppAdded,
    AppRemoved,
    /// A new set of recovery codes made (the earlier set ends).
    RecoveryCodesNew,
    /// A recovery code used to sign in; `remaining`: how many are left.
    RecoveryCodeUsed {
        remaining: &'a str,
    },
}

/// A notice to the owner of the account at `to`: what changed and when (`when`, in UTC), that
/// nothing is to be done if it was them, and what to do if not. No code, link to act on or
/// other secret (only the sign-in page).
pub fn notice(
    to: &str,
    what: NoticeText<'_>,
    when: &str,
    sign_in_url: &str,
    lang: Option<&str>,
) -> Email {
    let lang = MailLang::from_tag(lang);
    let t = lang.texts();
    let (method, name, remaining) = match what {
        NoticeText::SignInMethodAdded { method } => (method, "", ""),
        NoticeText::PasskeyAdded { name } | NoticeText::PasskeyRemoved { name } => ("", name, ""),
        NoticeText::RecoveryCodeUsed { remaining } => ("", "", remaining),
        NoticeText::PasswordChanged
        | NoticeText::AppAdded
        | NoticeText::AppRemoved
        | NoticeText::RecoveryCodesNew => ("", "", ""),
    };
    let values = [
        ("email", to),
        ("when", when),
        ("sign_in_url", sign_in_url),
        ("method", method),
        ("name", name),
        ("remaining", remaining),
    ];
    let (subject, happened) = match what {
        NoticeText::PasswordChanged => {
            (t.notice_password_changed_subject, t.notice_password_changed)
        }
        NoticeText::SignInMethodAdded { .. } => (
            t.notice_sign_in_method_added_subject,
            t.notice_sign_in_method_added,
        ),
        NoticeText::PasskeyAdded { .. } => (t.notice_passkey_added_subject, t.notice_passkey_added),
        NoticeText::PasskeyRemoved { .. } => {
            (t.notice_passkey_removed_subject, t.notice_passkey_removed)
        }
        NoticeText::AppAdded => (t.notice_app_added_subject, t.notice_app_added),
        NoticeText::AppRemoved => (t.notice_app_removed_subject, t.notice_app_removed),
        NoticeText::RecoveryCodesNew => (
            t.notice_recovery_codes_new_subject,
            t.notice_recovery_codes_new,
        ),
        NoticeText::RecoveryCodeUsed { .. } => (
            t.notice_recovery_code_used_subject,
            t.notice_recovery_code_used,
        ),
    };
    let lines = [
        fill(happened, &values),
        t.notice_if_you.to_owned(),
        fill(t.notice_not_you, &values),
        t.closing.to_owned(),
        t.signature.to_owned(),
    ];
    email(to, lang, subject.to_owned(), &lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_in_subject_and_both_bodies() {
        let mail = code("a@example.org", "701449", None);
        assert!(mail.subject.contains("701449"));
        assert!(mail.text.contains("Your code is: 701449"));
        assert!(mail.html.contains("701449"));
        assert!(code("a@example.org", "701449", Some("fr"))
            .text
            .contains("Votre code est : 701449"));
    }

    #[test]
    fn html_is_escaped() {
        let mail = invitation(
            "a@example.org",
            "<Org & Co>",
            None,
            "http://x/invitation#t",
            None,
        );
        assert!(mail.html.contains("&lt;Org &amp; Co&gt;"));
        assert!(mail.text.contains("<Org & Co>"));
    }

    fn assert_filled(lang: MailLang, mail: &Email) {
        for part in [&mail.subject, &mail.text, &mail.html] {
            assert!(
                !part.contains('{') && !part.contains('}'),
                "{}: a placeholder is left in {part:?}",
                lang.tag()
            );
        }
        let dir = if lang.is_rtl() { "rtl" } else { "ltr" };
        let head = format!(
            "<html lang=\"{}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">",
            lang.tag()
        );
        assert!(mail.html.contains(&head), "{}: {}", lang.tag(), mail.html);
    }

    #[test]
    fn every_language_fills_every_email() {
        let link = "https://portal.example.org/invitation#t0k3n";
        let sign_in = "https://portal.example.org/";
        for lang in MailLang::ALL {
            let tag = Some(lang.tag());

            let mail = code("a@example.org", "701449", tag);
            assert_filled(lang, &mail);
            assert!(mail.subject.contains("701449"), "{}", lang.tag());
            assert!(mail.text.contains("701449"), "{}", lang.tag());
            assert!(mail.html.contains("701449"), "{}", lang.tag());

            let mail = reset_code("a@example.org", "523318", tag);
            assert_filled(lang, &mail);
            assert!(mail.subject.contains("523318"), "{}", lang.tag());
            assert!(mail.text.contains("523318"), "{}", lang.tag());
            assert!(mail.html.contains("523318"), "{}", lang.tag());

            let reset = "https://portal.example.org/forgot#l1nk";
            let mail = reset_link("a@example.org", reset, tag);
            assert_filled(lang, &mail);
            assert!(mail.text.contains(reset), "{}", lang.tag());
            assert!(mail.html.contains(reset), "{}", lang.tag());
            assert!(
                !mail.text.contains(lang.texts().reset_validity),
                "no code's validity"
            );

            let mail = account_exists("a@example.org", sign_in, tag);
            assert_filled(lang, &mail);
            assert!(mail.text.contains(sign_in), "{}", lang.tag());
            assert!(mail.html.contains(sign_in), "{}", lang.tag());

            let when = "2026-11-29 20:41 UTC";
            for what in [
                NoticeText::PasswordChanged,
                NoticeText::SignInMethodAdded {
                    method: "UNICEF Employee",
                },
                NoticeText::PasskeyAdded {
                    name: "Work laptop",
                },
                NoticeText::PasskeyRemoved {
                    name: "Work laptop",
                },
                NoticeText::AppAdded,
                NoticeText::AppRemoved,
                NoticeText::RecoveryCodesNew,
                NoticeText::RecoveryCodeUsed { remaining: "7" },
            ] {
                let mail = notice("a@example.org", what, when, sign_in, tag);
                assert_filled(lang, &mail);
                for part in [&mail.text, &mail.html] {
                    assert!(part.contains(when), "{}", lang.tag());
                    assert!(part.contains(sign_in), "{}", lang.tag());
                    assert!(part.contains("a@example.org"), "{}", lang.tag());
                }
                if let NoticeText::SignInMethodAdded { method } = what {
                    assert!(mail.text.contains(method), "{}", lang.tag());
                }
                if let NoticeText::PasskeyAdded { name } | NoticeText::PasskeyRemoved { name } =
                    what
                {
                    assert!(mail.text.contains(name), "{}", lang.tag());
                }
                if let NoticeText::RecoveryCodeUsed { remaining } = what {
                    assert!(mail.text.contains(remaining), "{}", lang.tag());
                }
            }

            for inviter in [Some("Fatou Ndiaye"), None] {
                let mail = invitation("a@example.org", "Sahel Relief", inviter, link, tag);
                assert_filled(lang, &mail);
                assert!(mail.subject.contains("Sahel Relief"), "{}", lang.tag());
                assert!(mail.text.contains("Sahel Relief"), "{}", lang.tag());
                assert!(mail.text.contains(link), "{}", lang.tag());
                assert!(mail.html.contains(link), "{}", lang.tag());
                let who = inviter.unwrap_or(lang.texts().invitation_default_inviter);
                assert!(mail.text.contains(who), "{}", lang.tag());
            }
        }
    }

    #[test]
    fn arabic_html_is_right_to_left() {
        let mail = code("a@example.org", "701449", Some("ar-EG"));
        assert!(mail.html.contains("lang=\"ar\""));
        assert!(mail.html.contains("dir=\"rtl\""));
        assert!(mail.text.contains("701449"));
        let english = code("a@example.org", "701449", None);
        assert!(english.html.contains("lang=\"en\" dir=\"ltr\""));
    }

    #[test]
    fn the_primary_subtag_chooses_the_language() {
        let cases = [
            (None, MailLang::En),
            (Some(""), MailLang::En),
            (Some("en"), MailLang::En),
            (Some("en-GB"), MailLang::En),
            (Some("fr"), MailLang::Fr),
            (Some("fr-CA"), MailLang::Fr),
            (Some("FR-ca"), MailLang::Fr),
            (Some("es-419"), MailLang::Es),
            (Some("ar"), MailLang::Ar),
            (Some("AR-SA"), MailLang::Ar),
            (Some("zh-Hans-CN"), MailLang::Zh),
            (Some("zh"), MailLang::Zh),
            (Some("ru-RU"), MailLang::Ru),
            (Some("de-DE"), MailLang::En),
            (Some("fra"), MailLang::En),
            (Some("french"), MailLang::En),
        ];
        for (tag, expected) in cases {
            assert_eq!(MailLang::from_tag(tag), expected, "{tag:?}");
        }
        for lang in MailLang::ALL {
            assert_eq!(MailLang::from_tag(Some(lang.tag())), lang);
        }
    }

    #[test]
    fn fill_reads_no_placeholder_inside_a_value() {
        let text = fill(
            "{who} invited you to {organization}: {link} {other}",
            &[("who", "{link}"), ("organization", "a{b}c"), ("link", "L")],
        );
        assert_eq!(text, "{link} invited you to a{b}c: L {other}");
    }

    /// A file added to `locales/` without a `MailLang` for it, or a `MailLang` without a file,
    /// fails here.
    #[test]
    fn the_languages_are_the_files_of_locales() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("locales/")
            .map(|entry| entry.expect("locales/ entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .map(|path| {
                let stem = path.file_stem().expect("a file name");
                stem.to_string_lossy().into_owned()
            })
            .collect();
        files.sort();
        assert_eq!(generated::LANGUAGES, files.as_slice());

        let mut wired: Vec<&str> = MailLang::ALL.iter().map(|lang| lang.tag()).collect();
        wired.sort_unstable();
        assert_eq!(wired, generated::LANGUAGES);
    }
}
