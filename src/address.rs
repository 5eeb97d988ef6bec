//! The address bar: a parameter of the page's query string (`?lang=`, `?login_hint=`,
//! `?social_error=`), the token of a reset email's link (`/forgot#<token>`, [`take_fragment`]),
//! and leaving the app for a URL of the server once a sign-in succeeded.
//! [`param`] and [`login_hint`] are pure, tested natively.

/// The value of `name` in a query string (`?a=1&b=2`, with or without its `?`), decoded as a
/// form value (`+` is a space, `%XX` a byte); `None` when absent or not UTF-8.
pub fn param(search: &str, name: &str) -> Option<String> {
    let raw = search.trim_start_matches('?').split('&').find_map(|kv| {
        kv.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('='))
    })?;
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes[i] {
            b'+' => Some((b' ', 1)),
            b'%' => raw
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .map(|b| (b, 3)),
            _ => None,
        };
        let (byte, len) = decoded.unwrap_or((bytes[i], 1));
        out.push(byte);
        i += len;
    }
    String::from_utf8(out).ok()
}

/// The address an OpenID client suggested for the sign-in form (`?login_hint=`, OpenID Connect
/// Core §3.1.2.1), as sent, only when it is an email address by the contract's rule.
pub fn login_hint(search: &str) -> Option<String> {
    let hint = param(search, "login_hint")?;
    let hint = hint.trim();
    crate::forms::fields::parse_email(hint)
        .ok()
        .map(|_| hint.to_owned())
}

/// The page's own query string (empty when unreadable).
pub fn search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page's `#fragment` (a reset email's one-time link token, which in the fragment never
/// reaches a server's log), taken out of the address bar (and so out of the history list,
/// bookmarks and screenshots). `None` when there is none.
pub fn take_fragment() -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let hash = location.hash().ok()?;
    let token = hash.trim_start_matches('#').trim().to_owned();
    if token.is_empty() {
        return None;
    }
    let path = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    Some(token)
}

/// Leaves the app for the server's `continue_url` (the authorization request the person came
/// with, or the portal's own login start): a full navigation that replaces this page in the
/// history, so "Back" does not return to a form already submitted. `false` when there is no
/// such URL (or the browser refused it): the caller shows the account page.
pub fn continue_to(url: Option<&str>) -> bool {
    let Some(url) = url.filter(|u| u.starts_with("https://") || u.starts_with("http://")) else {
        return false;
    };
    web_sys::window().is_some_and(|w| w.location().replace(url).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_is_found_by_its_whole_name_and_decoded() {
        let search = "?lang=fr&login_hint=lee%2Bngo%40example.org&x=a+b%20c";
        assert_eq!(param(search, "lang").as_deref(), Some("fr"));
        assert_eq!(
            param(search, "login_hint").as_deref(),
            Some("lee+ngo@example.org")
        );
        assert_eq!(param(search, "x").as_deref(), Some("a b c"));
        assert_eq!(param("login=x", "log"), None);
        assert_eq!(param("", "lang"), None);
        // A broken escape stays as typed; bytes that are not UTF-8 are no value.
        assert_eq!(param("a=100%", "a").as_deref(), Some("100%"));
        assert_eq!(param("a=%zz%4", "a").as_deref(), Some("%zz%4"));
        assert_eq!(param("a=%ff", "a"), None);
        assert_eq!(
            param("a=%C3%A9t%C3%A9", "a").as_deref(),
            Some("\u{e9}t\u{e9}")
        );
    }

    #[test]
    fn a_login_hint_counts_only_when_it_is_an_email_address() {
        assert_eq!(
            login_hint("?lang=en&login_hint=Kofi.Mensah%40ngo.example").as_deref(),
            Some("Kofi.Mensah@ngo.example")
        );
        assert_eq!(login_hint("?login_hint=kofi"), None);
        assert_eq!(login_hint("?login_hint=a%3Cb%40ngo.example"), None);
        assert_eq!(login_hint("?login_hint="), None);
        assert_eq!(login_hint("?lang=en"), None);
    }
}
