//! Where the OpenID Provider sends a browser: a registered uri with parameters added, and our
//! own sign-in screen.

use crate::mail::templates::MailLang;
use crate::state::AppState;

/// `url` with `pairs` added to its query (a registered uri keeps its own query).
pub fn with_query(url: &str, pairs: &[(&str, Option<&str>)]) -> String {
    if pairs.iter().all(|(_, value)| value.is_none()) {
        return url.to_owned();
    }
    match url::Url::parse(url) {
        Ok(mut url) => {
            {
                let mut query = url.query_pairs_mut();
                for (name, value) in pairs {
                    if let Some(value) = value {
                        query.append_pair(name, value);
                    }
                }
            }
            url.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

/// The first of `ui_locales` the screens speak, as the SPA's `?lang=`.
pub fn screen_language(ui_locales: Option<&str>) -> Option<&'static str> {
    ui_locales?.split_whitespace().find_map(|tag| {
        let primary = tag.split('-').next()?;
        MailLang::ALL
            .into_iter()
            .find(|lang| primary.eq_ignore_ascii_case(lang.tag()))
            .map(MailLang::tag)
    })
}

/// The SPA's sign-in screen, in the language asked for, with the email pre-filled.
pub fn sign_in_url(state: &AppState, ui_locales: Option<&str>, login_hint: Option<&str>) -> String {
    let spa = format!("{}/", state.config.public_url().trim_end_matches('/'));
    with_query(
        &spa,
        &[
            ("lang", screen_language(ui_locales)),
            ("login_hint", login_hint),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screen_language_is_the_first_of_ui_locales_the_screens_speak() {
        assert_eq!(screen_language(Some("de-CH fr-CA en")), Some("fr"));
        assert_eq!(screen_language(Some("AR")), Some("ar"));
        assert_eq!(screen_language(Some("de")), None);
        assert_eq!(screen_language(None), None);
    }

    #[test]
    fn query_parameters_are_added_to_a_registered_uri_keeping_its_own() {
        assert_eq!(
            with_query(
                "https://rp.example/cb?x=1",
                &[("code", Some("a b")), ("state", None)]
            ),
            "https://rp.example/cb?x=1&code=a+b"
        );
        assert_eq!(
            with_query("https://rp.example/bye", &[("state", None)]),
            "https://rp.example/bye"
        );
    }
}
