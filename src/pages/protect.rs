//! "Protect your account" (route `/protect`, issue 20): right after "Create" in the sign-up,
//! when the server and the browser can do passkeys, a new account is offered a passkey (the
//! recommended second way in: phishing-resistant, NIST SP 800-63B-4 §3.2.5) or "Not now".
//! Where the person was going (the server's `continue_url`, else the account page) is kept in
//! the tab (`storage::after_protect`), so a reload here still goes on to it.
//!
//! Under `MFA_POLICY=required` a session made on one factor says `factor_required`: it may only
//! enrol a factor, so "Not now" is not offered, and once the passkey is made the page signs in
//! with it (the browser's passkey prompt): the session becomes a two-factor one (AAL2), and
//! only then goes on (the passkey sign-in's own `continue_url`, which continues the
//! authorization request still waiting in the browser).

use crate::address;
use crate::api;
use crate::components::card::{page_title, Card};
use crate::i18n::Msg;
use crate::storage;
use crate::ui::{focus_id, use_ui};
use crate::webauthn::{self, Failure};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use partner_login_contract::ErrorCode;

#[component]
pub fn Protect() -> impl IntoView {
    let ui = use_ui();
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Msg>);
    // The passkey was made: the notice and "Continue" replace the offer.
    let created = RwSignal::new(false);
    // The server says this session may only enrol a factor (MFA_POLICY=required).
    let factor_required = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(view) = api::session().await {
            factor_required.set(view.factor_required);
        }
    });
    page_title(move || ui.t(Msg::ProtectHeading).to_owned());

    // Goes on to where the person was going before this step.
    let go_on = {
        let navigate = navigate.clone();
        move || {
            let next = storage::after_protect();
            storage::clear_after_protect();
            if !address::continue_to(next.as_deref()) {
                navigate("/portal", Default::default());
            }
        }
    };
    let go_on = StoredValue::new_local(go_on);

    // Under `factor_required`, the passkey just made signs in (a two-factor session), then
    // goes on; the prompt closed, "Continue" tries again.
    let signing_in = {
        let navigate = navigate.clone();
        move || {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            error.set(None);
            let navigate = navigate.clone();
            spawn_local(async move {
                match webauthn::sign_in(false).await {
                    Ok(view) => {
                        let next = view.continue_url.or_else(storage::after_protect);
                        storage::clear_after_protect();
                        if !address::continue_to(next.as_deref()) {
                            navigate("/portal", Default::default());
                        }
                    }
                    Err(Failure::Cancelled) => {}
                    Err(failure) => {
                        let msg = match failure {
                            Failure::Api(err) | Failure::NotBegun(err) => err.message(),
                            _ => Msg::PasskeySignInRefused,
                        };
                        error.set(Some(msg));
                        ui.announce(ui.t(msg).to_owned());
                    }
                }
                busy.set(false);
            });
        }
    };
    let signing_in = StoredValue::new_local(signing_in);
    let next_step = move || {
        if factor_required.get_untracked() {
            signing_in.with_value(|f| f());
        } else {
            go_on.with_value(|f| f());
        }
    };

    let create = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match webauthn::add().await {
                Ok(_) => {
                    created.set(true);
                    ui.announce(ui.t(Msg::PasskeyCreated).to_owned());
                    focus_id("continue");
                    if factor_required.get_untracked() {
                        busy.set(false);
                        signing_in.with_value(|f| f());
                        return;
                    }
                }
                // The prompt closed: the offer stays, nothing to alarm anyone about.
                Err(Failure::Cancelled) => {}
                Err(failure) => {
                    let msg = match failure {
                        Failure::Api(err) => err.message(),
                        Failure::AlreadyOnThisDevice => {
                            Msg::Error(ErrorCode::PasskeyAlreadyRegistered)
                        }
                        _ => Msg::Error(ErrorCode::PasskeyRefused),
                    };
                    error.set(Some(msg));
                    ui.announce(ui.t(msg).to_owned());
                }
            }
            busy.set(false);
        });
    };

    view! {
        <Card>
            <h1>{ui.tr(Msg::ProtectHeading)}</h1>
            <p id="form-error" class="form-error">{move || error.get().map(|m| ui.t(m))}</p>
            <Show
                when=move || created.get()
                fallback=move || view! {
                    <section class="protect-option" aria-labelledby="passkey-option">
                        <h2 id="passkey-option">
                            {ui.tr(Msg::CreatePasskey)} " "
                            <span class="badge">{ui.tr(Msg::Recommended)}</span>
                        </h2>
                        <p>{ui.tr(Msg::ProtectText)}</p>
                        <button type="button" id="create-passkey" class="primary" on:click=create
                            class:busy=busy aria-busy=crate::ui::aria_busy(busy)
                            disabled=busy>
                            {ui.tr(Msg::CreatePasskey)}
                        </button>
                    </section>
                    // The authenticator-app option (issue 20, built on the server on another
                    // branch) goes here, as a second `section.protect-option`, once its
                    // routes exist: no button until it works.
                    <Show when=move || !factor_required.get()>
                        <button type="button" id="not-now" on:click=move |_| go_on.with_value(|f| f())
                            disabled=busy>
                            {ui.tr(Msg::NotNow)}
                        </button>
                    </Show>
                }
            >
                <p id="passkey-notice" class="status notice">{ui.tr(Msg::PasskeyCreated)}</p>
                <button type="button" id="continue" class="primary"
                    on:click=move |_| next_step() disabled=busy>
                    {ui.tr(Msg::Continue)}
                </button>
            </Show>
        </Card>
    }
}
