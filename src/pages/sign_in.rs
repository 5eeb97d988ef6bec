//! The sign-in screen of the user guide (step 2). Arriving from an invitation link, signing in
//! accepts the invitation. A lockout or throttle says when to try again, counting down.
//!
//! The social buttons (when the server configures providers) start an OpenID Connect sign-in
//! at the server and leave for the provider; a failed one comes back here with
//! `?social_error=<code>`, shown above the buttons.
//!
//! A right password (or a social sign-in) of an account with a second factor goes on to
//! `/second-factor` (`pages::second_factor`).
//!
//! Passkeys (issue 20), when the server offers them and the browser can: the email field offers
//! the account's passkeys in its autofill (`autocomplete="username webauthn"`, a conditional
//! sign-in waiting from the page's load until it is left), and "Sign in with a passkey" asks the
//! browser at once. Either ends as a password sign-in does.

use crate::address;
use crate::api::{self, ApiError};
use crate::components::card::{page_title, Card};
use crate::forms::fields::{EMAIL, PASSWORD};
use crate::forms::{Form, FormError, FormSummary, Input, Submit};
use crate::i18n::Msg;
use crate::nav;
use crate::storage::{self, Draft};
use crate::ui::{focus_id, use_ui};
use crate::webauthn::{self, Failure};
use leptos::prelude::*;
use leptos::task::spawn_local;
use partner_login_contract::api::{SignInRequest, SocialStartRequest, SOCIAL_ERROR_PARAM};
use partner_login_contract::ErrorCode;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// The error a social sign-in came back with, taken out of the address bar (a reload or a
/// bookmark must not show it again).
fn social_error_from_query() -> Option<Msg> {
    let window = web_sys::window()?;
    let code = address::param(&address::search(), SOCIAL_ERROR_PARAM)?;
    if let Ok(history) = window.history() {
        let here = crate::deployment::base_path();
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&here));
    }
    Some(Msg::error(
        ErrorCode::from_wire(&code).unwrap_or(ErrorCode::SocialFailed),
    ))
}

#[component]
pub fn SignIn() -> impl IntoView {
    let ui = use_ui();
    // A page load in the sign-in group, leptos_router's in the full app (`nav`).
    let navigate = nav::use_navigate();
    let form = Form::new(ui);
    let email = form.kept(&EMAIL, Draft::SignIn);
    // An OpenID client's `login_hint` fills an empty field; never what was typed or kept.
    if email.value.with_untracked(String::is_empty) {
        if let Some(hint) = address::login_hint(&address::search()) {
            email.value.set(hint);
        }
    }
    let password = form.field(&PASSWORD);
    // Seconds until the server accepts another try (a lockout or the client throttle).
    let wait = RwSignal::new(0u32);
    let social_error = RwSignal::new(social_error_from_query());
    // A social sign-in that needs the local second factor (issue 20): its step, not a message.
    if social_error.get_untracked() == Some(Msg::ERROR_SECOND_FACTOR_REQUIRED) {
        social_error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move { navigate.to("/second-factor") });
    }
    // The provider whose button was clicked, while its sign-in starts.
    let leaving = RwSignal::new(None::<String>);
    // The message a provider sent the user back with is where focus lands, once the buttons
    // (drawn when the configuration arrives) are on the page (WCAG 2.2 SC 3.3.1, 2.4.3).
    let social_error_ref = NodeRef::<leptos::html::P>::new();
    if let Some(msg) = social_error.get_untracked() {
        ui.announce(ui.t(msg).to_owned());
        let mut focus_pending = true;
        Effect::new(move |_| {
            if let Some(p) = social_error_ref.get() {
                if std::mem::take(&mut focus_pending) {
                    let _ = p.focus();
                }
            }
        });
    }
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if wait.try_get_untracked().unwrap_or(0) > 0 {
                wait.update(|w| *w = w.saturating_sub(1));
            }
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }

    // Passkeys: offered once the configuration says so (and the browser can).
    let passkeys = move || webauthn::offered(ui);
    let passkey_busy = RwSignal::new(false);
    // A passkey refused by the server: said in the form's error region; what was typed stays.
    let passkey_refused = move |err: ApiError| {
        // A ceremony that waited past its 5 minutes is refused as a passkey, not as an
        // emailed code's flow would be.
        let msg = match err.code() {
            Some(
                ErrorCode::InvalidCredentials | ErrorCode::FlowExpired | ErrorCode::FlowNotFound,
            ) => Msg::PASSKEY_SIGN_IN_REFUSED,
            _ => err.message(),
        };
        form.error.set(Some(msg));
        ui.announce(ui.t(msg).to_owned());
    };
    // One passkey sign-in for the autofill (`conditional`: waits until a passkey is chosen in
    // the email field's list) and the button (the browser's prompt now). Refused by the server:
    // said, and the autofill waits again for another choice. The autofill not begun
    // (throttled, no answer) says nothing: the password and the button still work. The
    // button's ceremony ended the autofill's: once it is over, the autofill waits again
    // (unless the page is gone meanwhile). A closed prompt says nothing.
    let passkey = move |mut conditional: bool| {
        spawn_local(async move {
            loop {
                match webauthn::sign_in(conditional).await {
                    // Signed in: on to the OpenID client, else the portal (outside the
                    // sign-in group: a page load of the full app, as `LoadFullApp` would).
                    Ok(view) => {
                        if !address::continue_to(view.continue_url.as_deref()) {
                            if let Some(w) = web_sys::window() {
                                let _ = w.location().assign(&crate::deployment::route("/portal"));
                            }
                        }
                        return;
                    }
                    Err(Failure::Api(err)) => passkey_refused(err),
                    Err(Failure::NotBegun(err)) if !conditional => passkey_refused(err),
                    Err(_) if conditional => return,
                    Err(_) => {}
                }
                if !conditional && passkey_busy.try_set(false).is_some() {
                    return;
                }
                conditional = true;
            }
        });
    };
    // Once passkeys are offered: "or" and "Sign in with a passkey" after the form, their words
    // following the language, disabled while a sign-in is under way (`aria-busy` while the
    // passkey's), and the email field's `autocomplete="username webauthn"`; the autofill waits
    // from when they are first drawn. Drawn by `boot.js` (`webauthn::draw_button`), not by
    // this screen's view: a `<Show>` (or any element more in the view) and the field's
    // `autocomplete` signal cost the first load about 1.9 KB brotli of Leptos' rendering code
    // (issue 20's 3 KB, docs/passkeys-status.md). They are inside the card, so they go with it.
    Effect::new(move |_| {
        if passkeys() {
            let busy = passkey_busy.get();
            let words = (ui.t(Msg::OR), ui.t(Msg::SIGN_IN_WITH_PASSKEY));
            if webauthn::draw_button(words, busy || form.busy.get(), busy) {
                passkey(true);
            }
        }
    });
    on_cleanup(webauthn::abort);
    // Its clicks: a click on the page whose target is the button.
    let clicks = window_event_listener(leptos::ev::click, move |ev| {
        let on_button = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|t| t.id() == "passkey-sign-in");
        if !on_button || passkey_busy.get_untracked() || form.busy.get_untracked() {
            return;
        }
        passkey_busy.set(true);
        form.error.set(None);
        passkey(false);
    });
    on_cleanup(move || clicks.remove());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() || !form.check(&[email, password]) || !form.begin() {
            return;
        }
        wait.set(0);
        let request = SignInRequest {
            email: email.value.get_untracked().trim().to_owned(),
            password: password.value.get_untracked(),
            invitation: storage::invitation(),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::sign_in(&request).await {
                Ok(view) => {
                    storage::clear_invitation();
                    // MFA_POLICY=required, one factor: the session may only enrol one; where
                    // it was going is kept for after (issue 20).
                    if view.factor_required {
                        storage::set_after_protect(view.continue_url.as_deref());
                        form.end();
                        navigate.to("/protect");
                        return;
                    }
                    // Leaving for the OpenID client: the form stays busy until the page goes.
                    if address::continue_to(view.continue_url.as_deref()) {
                        return;
                    }
                    navigate.to("/portal");
                }
                // The password is right and the account has a second factor (issue 20).
                Err(err) if err.code() == Some(ErrorCode::SecondFactorRequired) => {
                    form.end();
                    navigate.to("/second-factor");
                    return;
                }
                Err(err) => {
                    let retry = err.retry_after().unwrap_or(0);
                    wait.set(retry);
                    let lang = ui.lang.get_untracked();
                    form.fail_saying(&err, move |text| match retry {
                        0 => text.to_owned(),
                        _ => format!("{text} {}", lang.try_again_in(retry)),
                    });
                    focus_id("password");
                }
            }
            form.end();
        });
    };

    let start_social = move |provider: String| {
        if leaving.get_untracked().is_some() {
            return;
        }
        leaving.set(Some(provider.clone()));
        social_error.set(None);
        let request = SocialStartRequest {
            invitation: storage::invitation(),
        };
        spawn_local(async move {
            match api::start_social(&provider, &request).await {
                Ok(view) => {
                    // Off to the provider; the invitation stays in sessionStorage for the way back.
                    let gone = web_sys::window()
                        .map(|w| w.location().assign(&view.authorization_url).is_ok())
                        .unwrap_or(false);
                    if gone {
                        return;
                    }
                    social_error.set(Some(Msg::ERROR_INTERNAL));
                }
                Err(err) => {
                    let msg = err.message();
                    social_error.set(Some(msg));
                    ui.announce(ui.t(msg).to_owned());
                }
            }
            leaving.set(None);
        });
    };

    let providers = move || ui.config.with(|c| c.providers.clone());
    page_title(move || ui.t(Msg::EXISTING_HEADING).to_owned());
    view! {
        <Card>
            <Show when=move || ui.config.with(|c| !c.providers.is_empty())>
                <section class="social" aria-labelledby="social-heading">
                    <h2 id="social-heading">{ui.tr(Msg::SOCIAL_HEADING)}</h2>
                    <p id="social-error" class="form-error" tabindex="-1" node_ref=social_error_ref>
                        {move || social_error.get().map(|m| ui.t(m))}
                    </p>
                    <div class="providers">
                        {move || providers().into_iter().map(|provider| {
                            let id = provider.id.clone();
                            let busy_id = provider.id.clone();
                            let is_busy = move || leaving.with(|l| l.as_deref() == Some(busy_id.as_str()));
                            let label = move || provider.label_in(ui.lang.get().tag()).to_owned();
                            view! {
                                <button type="button" class="provider" class:busy=is_busy.clone()
                                    aria-busy=move || is_busy().then_some("true")
                                    on:click=move |_| start_social(id.clone())>
                                    {label}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                    <p class="or" aria-hidden="true"><span>{ui.tr(Msg::OR)}</span></p>
                </section>
            </Show>
            <h1>{ui.tr(Msg::EXISTING_HEADING)}</h1>
            <form novalidate on:submit=submit>
                <FormSummary form />
                <FormError form>
                    {move || (form.error.get().is_some() && wait.get() > 0)
                        .then(|| format!(" {}", ui.lang.get().try_again_in(wait.get())))}
                </FormError>
                <Input field=email />
                <Input field=password />
                <p class="password-row">
                    <a href=crate::deployment::route("/forgot") class="forgot">{ui.tr(Msg::FORGOT_PASSWORD)}</a>
                </p>
                <Submit form label=Msg::SIGN_IN />
            </form>
            <p class="switch">
                {ui.tr(Msg::NO_ACCOUNT)} " "
                <a href=crate::deployment::route("/signup")>{ui.tr(Msg::SIGN_UP_NOW)}</a>
            </p>
        </Card>
    }
}
