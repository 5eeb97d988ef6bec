//! Translations. Every user-facing string is a [`Msg`]; each language file maps every `Msg` in
//! an exhaustive `match`, so a missing translation fails the build. Error codes from the server
//! are translated here too: the SPA never shows the server's English.

mod en;
mod fr;

use crate::flows::password::Feedback;
use partner_login_contract::ErrorCode;

/// The languages the screens speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The BCP 47 tag, for `<html lang>` and the API.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    /// The best match for a BCP 47 tag such as `fr-CA`; English when nothing matches.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.tag() == primary)
    }

    pub fn text(self, msg: Msg) -> &'static str {
        match self {
            Lang::En => en::text(msg),
            Lang::Fr => fr::text(msg),
        }
    }

    /// A message with `{name}` placeholders filled in.
    pub fn format(self, msg: Msg, args: &[(&str, &str)]) -> String {
        let mut out = self.text(msg).to_owned();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

impl Lang {
    /// "Try again in …": seconds under two minutes, whole minutes (rounded up) above.
    pub fn try_again_in(self, seconds: u32) -> String {
        if seconds < 120 {
            self.format(Msg::TryAgainInSeconds, &[("seconds", &seconds.to_string())])
        } else {
            let minutes = seconds.div_ceil(60).to_string();
            self.format(Msg::TryAgainInMinutes, &[("minutes", &minutes)])
        }
    }

    /// The live hint under "New Password".
    pub fn password_feedback(self, feedback: Feedback) -> String {
        match feedback {
            Feedback::Rule { min, recommended } => self.format(
                Msg::PasswordHint,
                &[
                    ("min", &min.to_string()),
                    ("recommended", &recommended.to_string()),
                ],
            ),
            Feedback::TooShort { count, min } => self.format(
                Msg::PasswordTooShortCount,
                &[("count", &count.to_string()), ("min", &min.to_string())],
            ),
            Feedback::BelowRecommended { recommended } => self.format(
                Msg::PasswordBelowRecommended,
                &[("recommended", &recommended.to_string())],
            ),
            Feedback::Good => self.text(Msg::PasswordGood).to_owned(),
        }
    }
}

/// Every string of every screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    PortalName,
    LanguageLabel,
    SocialHeading,
    Or,
    ExistingHeading,
    EmailAddress,
    Password,
    ForgotPassword,
    SignIn,
    NoAccount,
    SignUpNow,
    VerificationNecessary,
    SendVerificationCode,
    NewPassword,
    ConfirmNewPassword,
    DisplayName,
    GivenName,
    Surname,
    Create,
    Cancel,
    CodeSentInfo,
    VerificationCode,
    VerifyCode,
    SendNewCode,
    /// `{seconds}`
    SendNewCodeIn,
    EmailVerified,
    ChangeEmail,
    ShowPassword,
    HidePassword,
    /// `{min}`, `{recommended}`
    PasswordHint,
    /// `{recommended}`
    PasswordBelowRecommended,
    /// `{count}`, `{min}`
    PasswordTooShortCount,
    PasswordGood,
    SignUpHeading,
    /// The social sign-in's page for an address nobody invited.
    InvitationNeededHeading,
    /// `{email}`
    InvitationNeededFor,
    /// The same, when the address is not known.
    InvitationNeededUnknown,
    InvitationNeededAdvice,
    DevMailbox,
    InvitationHeading,
    /// `{inviter}`, `{organization}`
    InvitedBy,
    /// `{organization}`
    Invited,
    /// `{email}`
    InvitationFor,
    InvitationProblemHeading,
    AskAdministrator,
    /// `{name}`
    Welcome,
    Organization,
    SignOut,
    ContinueToPortal,
    Loading,
    NotFoundHeading,
    BackToSignIn,
    ForgotHeading,
    /// config.json could not be fetched.
    ConfigMissing,
    /// config.json is not valid.
    ConfigBroken,
    /// "Continue": the last button of a password reset.
    Continue,
    /// `{seconds}`
    TryAgainInSeconds,
    /// `{minutes}`
    TryAgainInMinutes,
    Busy,
    NetworkError,
    Error(ErrorCode),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_msg() -> Vec<Msg> {
        use Msg::*;
        let mut all = vec![
            PortalName,
            LanguageLabel,
            SocialHeading,
            Or,
            ExistingHeading,
            EmailAddress,
            Password,
            ForgotPassword,
            SignIn,
            NoAccount,
            SignUpNow,
            VerificationNecessary,
            SendVerificationCode,
            NewPassword,
            ConfirmNewPassword,
            DisplayName,
            GivenName,
            Surname,
            Create,
            Cancel,
            CodeSentInfo,
            VerificationCode,
            VerifyCode,
            SendNewCode,
            SendNewCodeIn,
            EmailVerified,
            ChangeEmail,
            ShowPassword,
            HidePassword,
            PasswordHint,
            PasswordBelowRecommended,
            PasswordTooShortCount,
            PasswordGood,
            SignUpHeading,
            InvitationNeededHeading,
            InvitationNeededFor,
            InvitationNeededUnknown,
            InvitationNeededAdvice,
            DevMailbox,
            InvitationHeading,
            InvitedBy,
            Invited,
            InvitationFor,
            InvitationProblemHeading,
            AskAdministrator,
            Welcome,
            Organization,
            SignOut,
            ContinueToPortal,
            Loading,
            NotFoundHeading,
            BackToSignIn,
            ForgotHeading,
            Continue,
            ConfigMissing,
            ConfigBroken,
            TryAgainInSeconds,
            TryAgainInMinutes,
            Busy,
            NetworkError,
        ];
        all.extend(ALL_CODES.iter().map(|c| Error(*c)));
        all
    }

    const ALL_CODES: &[ErrorCode] = &[
        ErrorCode::Required,
        ErrorCode::EmailInvalid,
        ErrorCode::TooShort,
        ErrorCode::TooLong,
        ErrorCode::InvalidCharacters,
        ErrorCode::PasswordTooCommon,
        ErrorCode::PasswordNeedsClasses,
        ErrorCode::PasswordMismatch,
        ErrorCode::CodeFormat,
        ErrorCode::CodeWrong,
        ErrorCode::CodeExpired,
        ErrorCode::CodeExhausted,
        ErrorCode::ResendCooldown,
        ErrorCode::FlowNotFound,
        ErrorCode::FlowExpired,
        ErrorCode::FlowNotVerified,
        ErrorCode::InvitationNotFound,
        ErrorCode::InvitationExpired,
        ErrorCode::InvitationUsed,
        ErrorCode::InvitationEmailMismatch,
        ErrorCode::AccountExists,
        ErrorCode::InvalidCredentials,
        ErrorCode::AccountLocked,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::CsrfRejected,
        ErrorCode::RateLimited,
        ErrorCode::ValidationFailed,
        ErrorCode::BadRequest,
        ErrorCode::NotFound,
        ErrorCode::ServiceUnavailable,
        ErrorCode::Internal,
        ErrorCode::SocialUnknownProvider,
        ErrorCode::SocialUnavailable,
        ErrorCode::SocialDenied,
        ErrorCode::SocialExpired,
        ErrorCode::SocialFailed,
        ErrorCode::SocialEmailUnverified,
    ];

    #[test]
    fn every_message_is_translated_and_keeps_its_placeholders() {
        for msg in every_msg() {
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

    #[test]
    fn the_seed_strings_are_english_word_for_word() {
        assert_eq!(
            Lang::En.text(Msg::ExistingHeading),
            "Sign in with your existing account"
        );
        assert_eq!(
            Lang::En.text(Msg::VerificationNecessary),
            "Verification is necessary. Please click Send button."
        );
        assert_eq!(
            Lang::En.text(Msg::CodeSentInfo),
            "Verification code has been sent to your inbox. Please copy it to the input box below."
        );
        assert_eq!(
            Lang::En.text(Msg::EmailVerified),
            "E-mail address verified. You can now continue."
        );
    }

    #[test]
    fn language_tags_match_by_primary_subtag() {
        assert_eq!(Lang::from_tag("fr-CA"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("en"), Some(Lang::En));
        assert_eq!(Lang::from_tag("sw-KE"), None);
    }

    #[test]
    fn password_feedback_is_translated_with_its_numbers() {
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
        assert_eq!(Lang::En.try_again_in(60), "Try again in 60 s.");
        assert_eq!(Lang::En.try_again_in(121), "Try again in 3 min.");
        assert_eq!(Lang::Fr.try_again_in(5 * 3600), "Réessayez dans 300 min.");
    }

    #[test]
    fn format_fills_placeholders() {
        assert_eq!(
            Lang::En.format(Msg::SendNewCodeIn, &[("seconds", "27")]),
            "Send new code (27 s)"
        );
    }
}
