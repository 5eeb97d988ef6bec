//! The account page (route `/portal`): who is signed in (name and email), their
//! organizations, "Sign out". People whose deployment has an OpenID Connect client go on to it
//! right after signing in (`SessionView::continue_url`); this page is where the others land.
//! When the server offers passkeys, their section (`pages::passkeys`) is here too; then the
//! authenticator app, the recovery codes and the active sessions (`pages::security`). A session
//! the server says needs a second factor (`SessionView::factor_required`) goes to `/protect`.

use crate::api::{self, ApiError};
use crate::components::card::{page_title, Card};
use crate::i18n::Msg;
use crate::pages::passkeys::{Errors, Passkeys};
use crate::pages::security::{SecondFactors, Sessions};
use crate::ui::use_ui;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use partner_login_contract::api::SessionView;

#[component]
pub fn Portal() -> impl IntoView {
    let ui = use_ui();
    let navigate = use_navigate();
    let session = RwSignal::new(None::<SessionView>);
    let failed = RwSignal::new(None::<Msg>);
    {
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::session().await {
                // MFA_POLICY=required and a session on one factor: enrolment-only, the
                // account page is not for it (issue 20).
                Ok(view) if view.factor_required => navigate("/protect", Default::default()),
                Ok(view) => session.set(Some(view)),
                Err(ApiError::Network) => failed.set(Some(Msg::NETWORK_ERROR)),
                Err(_) => navigate("/", Default::default()),
            }
        });
    }
    let busy = RwSignal::new(false);
    let sign_in_again = RwSignal::new(false);
    let errors = Errors {
        message: failed,
        sign_in_again,
    };
    page_title(move || match session.get() {
        Some(view) => ui.f(Msg::WELCOME, &[("name", &view.display_name)]),
        None => ui.t(Msg::LOADING).to_owned(),
    });
    let sign_out = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::sign_out().await {
                // Signing in again comes back here (the sign-in's default).
                Ok(()) => navigate("/", Default::default()),
                Err(err) => {
                    let msg = err.message();
                    failed.set(Some(msg));
                    ui.announce(ui.t(msg).to_owned());
                }
            }
            busy.set(false);
        });
    };
    let sign_in_again_click = sign_out.clone();
    view! {
        <Card>
            <p id="form-error" class="form-error">{move || failed.get().map(|m| ui.t(m))}</p>
            <Show when=move || sign_in_again.get()>
                <p>
                    <button type="button" id="sign-in-again" class="primary" on:click=sign_in_again_click.clone()
                        disabled=busy>{ui.tr(Msg::SIGN_IN_AGAIN)}</button>
                </p>
            </Show>
            {move || match session.get() {
                None => view! { <p>{ui.tr(Msg::LOADING)}</p> }.into_any(),
                Some(view) => {
                    let name = view.display_name.clone();
                    let email = view.email.clone();
                    let organizations = view
                        .organizations
                        .iter()
                        .map(|m| m.organization.clone())
                        .collect::<Vec<_>>()
                        .join(", ");
                    let return_url = view.return_url.clone();
                    view! {
                        <h1>{move || ui.f(Msg::WELCOME, &[("name", &name)])}</h1>
                        <p id="email">{email}</p>
                        <p>
                            {ui.tr(Msg::ORGANIZATION)} ": "
                            <strong id="organization">{organizations}</strong>
                        </p>
                        {return_url.map(|url| view! {
                            <p><a class="button primary" href=url>{ui.tr(Msg::CONTINUE_TO_PORTAL)}</a></p>
                        })}
                        <Show when=move || ui.config.with(|c| c.passkeys)>
                            <Passkeys errors />
                        </Show>
                        <SecondFactors errors />
                        <Sessions errors />
                    }
                    .into_any()
                }
            }}
            <button type="button" id="sign-out" on:click=sign_out class:busy=busy
                aria-busy=crate::ui::aria_busy(busy) disabled=busy>{ui.tr(Msg::SIGN_OUT)}</button>
        </Card>
    }
}
