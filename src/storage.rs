//! What survives a reload, in the tab's sessionStorage. Every key the SPA uses is named here and
//! nowhere else: the invitation token, the language chosen with the switcher, and the typed
//! fields of a form (never a password: [`draft_key`] has no key for one).

use partner_login_contract::api::EmailCodeKind;
use partner_login_contract::Field;

const INVITATION: &str = "partner-login.invitation";
const LANG: &str = "partner-login.lang";
/// Where a new account goes after "Protect your account": the server's `continue_url`, or
/// empty for the account page.
const AFTER_PROTECT: &str = "partner-login.protect.next";

/// A form whose typed fields are kept for the tab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draft {
    /// Sign-in (its address also starts "Forgot your password?").
    SignIn,
    /// Sign-up or "Forgot your password?".
    EmailCode(EmailCodeKind),
}

/// The fields a draft may hold.
const KEPT: [Field; 4] = [
    Field::Email,
    Field::DisplayName,
    Field::GivenName,
    Field::Surname,
];

/// The key of a kept field; `None` for a field that is never kept (passwords, codes).
fn draft_key(draft: Draft, field: Field) -> Option<&'static str> {
    use EmailCodeKind::{PasswordReset, SignUp};
    Some(match (draft, field) {
        (Draft::SignIn, Field::Email) => "partner-login.signin.email",
        (Draft::EmailCode(SignUp), Field::Email) => "partner-login.signup.email",
        (Draft::EmailCode(SignUp), Field::DisplayName) => "partner-login.signup.display_name",
        (Draft::EmailCode(SignUp), Field::GivenName) => "partner-login.signup.given_name",
        (Draft::EmailCode(SignUp), Field::Surname) => "partner-login.signup.surname",
        (Draft::EmailCode(PasswordReset), Field::Email) => "partner-login.reset.email",
        _ => return None,
    })
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn get(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok().flatten()
}

fn set(key: &str, value: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(key, value);
    }
}

fn remove(key: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(key);
    }
}

/// What was typed into `field` of the form `draft`, if kept.
pub fn draft(draft: Draft, field: Field) -> Option<String> {
    draft_key(draft, field).and_then(get)
}

/// Keeps what is typed into `field` of the form `draft` (nothing, for a field never kept).
pub fn save_draft(draft: Draft, field: Field, value: &str) {
    if let Some(key) = draft_key(draft, field) {
        set(key, value);
    }
}

/// Forgets every kept field of the form `draft` (its flow ended or was cancelled).
pub fn forget_draft(draft: Draft) {
    for key in KEPT.into_iter().filter_map(|field| draft_key(draft, field)) {
        remove(key);
    }
}

/// The language tag the person chose with the switcher, for the tab.
pub fn lang() -> Option<String> {
    get(LANG)
}

pub fn set_lang(tag: &str) {
    set(LANG, tag);
}

/// The invitation token the person arrived with, carried through sign-in and sign-up.
pub fn invitation() -> Option<String> {
    get(INVITATION).filter(|t| !t.is_empty())
}

pub fn set_invitation(token: &str) {
    set(INVITATION, token);
}

pub fn clear_invitation() {
    remove(INVITATION);
}

/// Keeps, for the tab, where to go after "Protect your account" (survives a reload there).
pub fn set_after_protect(continue_url: Option<&str>) {
    set(AFTER_PROTECT, continue_url.unwrap_or(""));
}

/// The server's `continue_url` kept by [`set_after_protect`], if any.
pub fn after_protect() -> Option<String> {
    get(AFTER_PROTECT).filter(|u| !u.is_empty())
}

pub fn clear_after_protect() {
    remove(AFTER_PROTECT);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_codes_are_never_kept() {
        for draft in [
            Draft::SignIn,
            Draft::EmailCode(EmailCodeKind::SignUp),
            Draft::EmailCode(EmailCodeKind::PasswordReset),
        ] {
            for field in [Field::Password, Field::PasswordConfirmation, Field::Code] {
                assert_eq!(draft_key(draft, field), None, "{draft:?} {field:?}");
            }
        }
    }

    #[test]
    fn each_form_keeps_its_own_fields() {
        let keys: Vec<_> = [
            Draft::SignIn,
            Draft::EmailCode(EmailCodeKind::SignUp),
            Draft::EmailCode(EmailCodeKind::PasswordReset),
        ]
        .into_iter()
        .flat_map(|d| KEPT.map(|f| draft_key(d, f)))
        .flatten()
        .collect();
        assert_eq!(keys.len(), 6);
        let unique: std::collections::BTreeSet<_> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "two fields share a key");
        assert!(keys.iter().all(|k| k.starts_with("partner-login.")));
    }
}
