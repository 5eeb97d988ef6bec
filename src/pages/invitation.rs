//! The invitation link's landing page: `/invitation#<token>` (the token rides in the fragment,
//! so it never reaches a server log). It shows who invited whom to which organization, keeps the
//! token for sign-in and sign-up, or says clearly why the invitation cannot be used.

use crate::api::{self, ApiError};
use crate::components::card::{page_title, Card};
use crate::i18n::{Lang, Msg};
use crate::storage::{self, Draft};
use crate::ui::{chosen_lang, use_ui};
use leptos::prelude::*;
use leptos::task::spawn_local;
use partner_login_contract::api::{EmailCodeKind, InvitationView};
use partner_login_contract::{ErrorCode, Field};

fn token_from_fragment() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let token = hash.trim_start_matches('#').trim().to_owned();
    if token.is_empty() {
        return None;
    }
    // The token is kept in sessionStorage; take it out of the address bar (and so out of
    // bookmarks, screenshots and the history list).
    if let Ok(history) = window.history() {
        let path = format!("{}invitation", crate::deployment::base_path());
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    Some(token)
}

#[component]
pub fn Invitation() -> impl IntoView {
    let ui = use_ui();
    let state = RwSignal::new(None::<Result<InvitationView, ApiError>>);
    let token = token_from_fragment().or_else(storage::invitation);
    match token {
        Some(token) => {
            storage::set_invitation(&token);
            spawn_local(async move {
                let result = api::invitation(&token).await;
                if let Ok(view) = &result {
                    let sign_up = Draft::EmailCode(EmailCodeKind::SignUp);
                    storage::save_draft(sign_up, Field::Email, &view.email);
                    storage::save_draft(Draft::SignIn, Field::Email, &view.email);
                    // The administrator's language choice, unless the person made their own.
                    if chosen_lang().is_none() {
                        if let Some(lang) = view.language.as_deref().and_then(Lang::from_tag) {
                            // Its words first, so that the invitation is drawn in it at once
                            // (a failed fetch leaves the language in force and says so).
                            let _ = lang.load().await;
                            ui.choose(lang, |_| ());
                        }
                    }
                } else {
                    storage::clear_invitation();
                }
                state.set(Some(result));
            });
        }
        None => state.set(Some(Err(ApiError::Problem(
            partner_login_contract::Problem {
                kind: String::new(),
                title: String::new(),
                status: 404,
                detail: None,
                code: ErrorCode::InvitationNotFound,
                errors: Vec::new(),
                retry_after: None,
            },
        )))),
    }
    page_title(move || {
        ui.t(state.with(|s| match s {
            None => Msg::LOADING,
            Some(Ok(_)) => Msg::INVITATION_HEADING,
            Some(Err(_)) => Msg::INVITATION_PROBLEM_HEADING,
        }))
        .to_owned()
    });
    view! {
        <Card>
            {move || match state.get() {
                None => view! { <p>{ui.tr(Msg::LOADING)}</p> }.into_any(),
                Some(Ok(invitation)) => {
                    let organization = invitation.organization.clone();
                    let inviter = invitation.inviter.clone();
                    let email = invitation.email.clone();
                    view! {
                        <h1>{ui.tr(Msg::INVITATION_HEADING)}</h1>
                        <p>
                            {move || match &inviter {
                                Some(inviter) => ui.f(Msg::INVITED_BY, &[("inviter", inviter), ("organization", &organization)]),
                                None => ui.f(Msg::INVITED, &[("organization", &organization)]),
                            }}
                        </p>
                        <p>
                            {ui.tr(Msg::ORGANIZATION)} ": "
                            <strong id="invitation-organization">{invitation.organization.clone()}</strong>
                        </p>
                        <p id="invitation-email">{move || ui.f(Msg::INVITATION_FOR, &[("email", &email)])}</p>
                        <p id="invitation-expiry">
                            {move || {
                                let date = ui.lang.get().date_time(invitation.expires_at);
                                ui.f(Msg::INVITATION_VALID_UNTIL, &[("date", &date)])
                            }}
                        </p>
                        <div class="actions">
                            <a href=crate::deployment::route("/signup") class="button primary">{ui.tr(Msg::SIGN_UP_NOW)}</a>
                            <a href=crate::deployment::route("/") class="button">{ui.tr(Msg::SIGN_IN)}</a>
                        </div>
                    }
                    .into_any()
                }
                Some(Err(err)) => {
                    let msg = err.message();
                    view! {
                        <h1>{ui.tr(Msg::INVITATION_PROBLEM_HEADING)}</h1>
                        <p id="form-error" class="form-error">{ui.tr(msg)}</p>
                        <p>{ui.tr(Msg::ASK_ADMINISTRATOR)}</p>
                        <p><a href=crate::deployment::route("/")>{ui.tr(Msg::BACK_TO_SIGN_IN)}</a></p>
                    }
                    .into_any()
                }
            }}
        </Card>
    }
}
