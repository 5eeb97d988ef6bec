//! Where a social sign-in ends when the provider's verified address has neither an account nor
//! an invitation: `/social/invitation-needed#email=<address>` (the address rides in the
//! fragment, which never reaches a server log).

use crate::components::card::{page_title, Card};
use crate::i18n::Msg;
use crate::ui::use_ui;
use leptos::prelude::*;

/// Decodes `%XX` escapes (and `+` as a space, as form encoding writes it).
fn percent_decode(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = input.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The address from a fragment such as `#email=amina%40ngo.example`.
pub fn email_from_fragment(fragment: &str) -> Option<String> {
    fragment
        .trim_start_matches('#')
        .split('&')
        .find_map(|kv| kv.strip_prefix("email="))
        .and_then(percent_decode)
        .filter(|e| !e.trim().is_empty())
}

#[component]
pub fn InvitationNeeded() -> impl IntoView {
    let ui = use_ui();
    let email = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .and_then(|h| email_from_fragment(&h));
    let said = match &email {
        Some(email) => ui.f(Msg::INVITATION_NEEDED_FOR, &[("email", email)]),
        None => ui.t(Msg::INVITATION_NEEDED_UNKNOWN).to_owned(),
    };
    ui.announce(format!("{} {said}", ui.t(Msg::INVITATION_NEEDED_HEADING)));
    page_title(move || ui.t(Msg::INVITATION_NEEDED_HEADING).to_owned());
    view! {
        <Card>
            <h1>{ui.tr(Msg::INVITATION_NEEDED_HEADING)}</h1>
            <p>{move || match &email {
                Some(email) => ui.f(Msg::INVITATION_NEEDED_FOR, &[("email", email)]),
                None => ui.t(Msg::INVITATION_NEEDED_UNKNOWN).to_owned(),
            }}</p>
            <p>{ui.tr(Msg::INVITATION_NEEDED_ADVICE)}</p>
            <p><a href=crate::deployment::route("/")>{ui.tr(Msg::BACK_TO_SIGN_IN)}</a></p>
        </Card>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_read_from_the_fragment() {
        assert_eq!(
            email_from_fragment("#email=stranger%2B1%40elsewhere.example").as_deref(),
            Some("stranger+1@elsewhere.example")
        );
        assert_eq!(
            email_from_fragment("#email=ana%C3%AFs%40ngo.example").as_deref(),
            Some("anaïs@ngo.example")
        );
        assert_eq!(email_from_fragment("#email="), None);
        assert_eq!(email_from_fragment(""), None);
        assert_eq!(email_from_fragment("#email=%4"), None);
    }
}
