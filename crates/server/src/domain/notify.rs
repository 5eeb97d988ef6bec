//! Notices to an account's owner when a way into the account changes: the password was changed
//! (a reset), a new way to sign in was added (a social identity linked to the account; later a
//! passkey). In the account's language, saying what and when, and what to do if it was not
//! them; never a secret. OWASP ASVS 5.0 V6.3.7 (users are notified after their authentication
//! details change); NIST SP 800-63B-4 §4.2.3 and §4.6 (the subscriber is notified of a
//! recovery and of a newly bound authenticator).
//!
//! A notice goes through the mail queue like any mail, after the change is committed; it never
//! fails the change itself (a mail that cannot be queued is logged).

use crate::mail::templates::{self, MailLang, NoticeText};
use crate::state::AppState;
use crate::storage::accounts::Account;

/// What happened to the account.
#[derive(Clone, Copy, Debug)]
pub enum Notice<'a> {
    /// The password was changed (by a reset).
    PasswordChanged,
    /// A new way to sign in.
    SignInMethodAdded(SignInMethod<'a>),
    /// A passkey added, by the name the person gave it.
    PasskeyAdded { name: &'a str },
    /// A passkey removed, by its name.
    PasskeyRemoved { name: &'a str },
    /// An authenticator app confirmed as a second step (`domain::mfa`).
    AppAdded,
    /// The authenticator app removed.
    AppRemoved,
    /// A new set of recovery codes made.
    RecoveryCodesNew,
    /// A recovery code used to sign in, and how many are left.
    RecoveryCodeUsed { remaining: i64 },
}

/// A way to sign in, as the person knows it.
#[derive(Clone, Copy, Debug)]
pub enum SignInMethod<'a> {
    /// A social identity, by the provider's id (`unicef`): named by its button's label.
    Social { provider: &'a str },
}

impl SignInMethod<'_> {
    /// The method's name in `lang`: a social provider's button label in that language.
    fn label(self, state: &AppState, lang: MailLang) -> String {
        match self {
            SignInMethod::Social { provider } => state
                .config
                .social
                .iter()
                .find(|p| p.id == provider)
                .map(|p| p.labels.get(lang.tag()).unwrap_or(&p.label).clone())
                .unwrap_or_else(|| provider.to_owned()),
        }
    }
}

/// Tells the owner of `account` what happened at `now` (Unix seconds).
pub async fn notify(state: &AppState, account: &Account, notice: Notice<'_>, now: i64) {
    let lang = account.locale.as_deref();
    let value = match notice {
        Notice::SignInMethodAdded(method) => method.label(state, MailLang::from_tag(lang)),
        Notice::RecoveryCodeUsed { remaining } => remaining.to_string(),
        Notice::PasswordChanged
        | Notice::PasskeyAdded { .. }
        | Notice::PasskeyRemoved { .. }
        | Notice::AppAdded
        | Notice::AppRemoved
        | Notice::RecoveryCodesNew => String::new(),
    };
    let (kind, what) = match notice {
        Notice::PasswordChanged => ("notice_password_changed", NoticeText::PasswordChanged),
        Notice::SignInMethodAdded(_) => (
            "notice_sign_in_method_added",
            NoticeText::SignInMethodAdded { method: &value },
        ),
        Notice::PasskeyAdded { name } => {
            ("notice_passkey_added", NoticeText::PasskeyAdded { name })
        }
        Notice::PasskeyRemoved { name } => (
            "notice_passkey_removed",
            NoticeText::PasskeyRemoved { name },
        ),
        Notice::AppAdded => ("notice_app_added", NoticeText::AppAdded),
        Notice::AppRemoved => ("notice_app_removed", NoticeText::AppRemoved),
        Notice::RecoveryCodesNew => ("notice_recovery_codes_new", NoticeText::RecoveryCodesNew),
        Notice::RecoveryCodeUsed { .. } => (
            "notice_recovery_code_used",
            NoticeText::RecoveryCodeUsed { remaining: &value },
        ),
    };
    let sign_in = format!("{}/", state.config.public_url());
    let mail = templates::notice(&account.email, what, &utc_minute(now), &sign_in, lang);
    if let Err(error) = state.mailer.send(kind, mail).await {
        tracing::error!(event = "notice_not_sent", kind, %error);
    }
}

/// `2026-11-29 20:41 UTC`: a time every reader reads alike.
pub fn utc_minute(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let minutes = unix.rem_euclid(86_400) / 60;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minutes / 60,
        minutes % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_dates_and_minutes() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minute(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_minute(1_795_985_999), "2026-11-29 20:59 UTC");
        assert_eq!(utc_minute(4_107_542_399), "2100-02-28 23:59 UTC");
        assert_eq!(utc_minute(-1), "1969-12-31 23:59 UTC");
    }
}
