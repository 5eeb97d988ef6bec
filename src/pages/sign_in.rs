//! The sign-in screen of the user guide (step 2). Arriving from an invitation link, signing in
//! accepts the invitation. A lockout or throttle says when to try again, counting down.

use crate::api::{self, ApiError};
use crate::components::card::Card;
use crate::components::field::{rule, Field, FieldProblem};
use crate::i18n::Msg;
use crate::{focus_id, storage, use_ui};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use partner_login_contract::api::SignInRequest;
use partner_login_contract::{Email, ErrorCode};
use std::time::Duration;

fn email_rule(v: &str) -> FieldProblem {
    Email::parse(v).err().map(|c| (c, None))
}

fn required_rule(v: &str) -> FieldProblem {
    v.is_empty().then_some((ErrorCode::Required, None))
}

#[component]
pub fn SignIn() -> impl IntoView {
    let ui = use_ui();
    let navigate = use_navigate();
    let email = RwSignal::new(storage::get("partner-login.signin.email").unwrap_or_default());
    let password = RwSignal::new(String::new());
    let email_error = RwSignal::new(None);
    let password_error = RwSignal::new(None);
    let form_error = RwSignal::new(None::<Msg>);
    // Seconds until the server accepts another try (a lockout or the client throttle).
    let wait = RwSignal::new(0u32);
    let busy = RwSignal::new(false);
    Effect::new(move |_| storage::set("partner-login.signin.email", &email.get()));
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

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        email_error.set(email_rule(&email.get_untracked()));
        password_error.set(required_rule(&password.get_untracked()));
        if email_error.get_untracked().is_some() {
            focus_id("email");
            return;
        }
        if password_error.get_untracked().is_some() {
            focus_id("password");
            return;
        }
        busy.set(true);
        form_error.set(None);
        wait.set(0);
        let request = SignInRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            invitation: storage::invitation(),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::sign_in(&request).await {
                Ok(_) => {
                    storage::clear_invitation();
                    navigate("/portal", Default::default());
                }
                Err(err) => {
                    let msg = match &err {
                        ApiError::Network => Msg::NetworkError,
                        ApiError::Problem(p) => Msg::Error(p.code),
                    };
                    let retry = err.retry_after().unwrap_or(0);
                    form_error.set(Some(msg));
                    wait.set(retry);
                    let mut said = ui.t(msg).to_owned();
                    if retry > 0 {
                        said = format!("{said} {}", ui.lang.get_untracked().try_again_in(retry));
                    }
                    ui.announce(said);
                    focus_id("password");
                }
            }
            busy.set(false);
        });
    };

    let providers = move || ui.config.with(|c| c.providers.clone());
    view! {
        <Card>
            <Show when=move || !providers().is_empty()>
                <section class="social" aria-labelledby="social-heading">
                    <h2 id="social-heading">{move || ui.t(Msg::SocialHeading)}</h2>
                    <div class="providers">
                        <For each=providers key=|p| p.id.clone() let:provider>
                            // Social sign-in is a later issue: the buttons are drawn, not wired.
                            <button type="button" class="provider" disabled
                                title=move || ui.t(Msg::SocialUnavailable)>
                                {provider.label.clone()}
                            </button>
                        </For>
                    </div>
                    <p class="or" aria-hidden="true"><span>{move || ui.t(Msg::Or)}</span></p>
                </section>
            </Show>
            <h1>{move || ui.t(Msg::ExistingHeading)}</h1>
            <form novalidate on:submit=submit>
                <p id="form-error" class="form-error">
                    {move || form_error.get().map(|m| ui.t(m))}
                    {move || (form_error.get().is_some() && wait.get() > 0)
                        .then(|| format!(" {}", ui.lang.get().try_again_in(wait.get())))}
                </p>
                <Field id="email" label=Msg::EmailAddress value=email error=email_error
                    kind="email" autocomplete="email" inputmode="email"
                    validate=rule(email_rule) />
                <Field id="password" label=Msg::Password value=password error=password_error
                    kind="password" autocomplete="current-password" validate=rule(required_rule) />
                <p class="password-row">
                    <A href=crate::deployment::route("/forgot") attr:class="forgot">{move || ui.t(Msg::ForgotPassword)}</A>
                </p>
                <button type="submit" class="primary" class:busy=move || busy.get()
                    aria-busy=move || busy.get().then_some("true") disabled=move || busy.get()>
                    {move || ui.t(Msg::SignIn)}
                </button>
            </form>
            <p class="switch">
                {move || ui.t(Msg::NoAccount)} " "
                <A href=crate::deployment::route("/signup")>{move || ui.t(Msg::SignUpNow)}</A>
            </p>
        </Card>
    }
}
