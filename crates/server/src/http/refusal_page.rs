//! The OpenID Provider's own page, for a request it must not redirect (an unknown client or
//! redirect uri, a logout it will not perform): in the person's language (`ui_locales`, else
//! the browser's `Accept-Language`), plain HTML that the CSP allows (no script, no style).

use crate::domain::authorization::Refusal;
use crate::mail::templates::MailLang;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// The language of the page: the first of `ui_locales`, else the browser's first choice.
pub fn language(ui_locales: Option<&str>, headers: &HeaderMap) -> MailLang {
    let from_ui = crate::domain::redirect::screen_language(ui_locales);
    let from_browser = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|tag| tag.split(';').next().unwrap_or_default().trim().to_owned());
    MailLang::from_tag(from_ui.or(from_browser.as_deref()))
}

pub fn page(lang: MailLang, refusal: Refusal) -> Response {
    let t = lang.texts();
    let reason = match refusal {
        Refusal::UnknownClient => t.page_unknown_client,
        Refusal::UnknownRedirectUri => t.page_unknown_redirect_uri,
        Refusal::Malformed => t.page_malformed,
        Refusal::NoPendingRequest => t.page_no_pending_request,
        Refusal::UnknownPostLogoutUri => t.page_unknown_post_logout_uri,
        Refusal::BadIdTokenHint => t.page_bad_id_token_hint,
    };
    let dir = if lang.is_rtl() { "rtl" } else { "ltr" };
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"{tag}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><main><h1>{title}</h1><p id=\"reason\">{reason}</p>\
         <p>{advice}</p></main></body></html>\n",
        tag = lang.tag(),
        title = t.page_title,
        advice = t.page_advice,
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}
