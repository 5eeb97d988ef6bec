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
//!
//! "Use an authenticator app" (when the server offers apps): the QR code, the key, a code to
//! confirm it (`pages::authenticator_app`); then a first set of recovery codes, shown once,
//! and "Continue". Under `MFA_POLICY=required` the confirmed app does not change the session:
//! see [`after_app`].

use crate::address;
use crate::api;
use crate::components::card::{page_title, Card};
use crate::i18n::Msg;
use crate::pages::authenticator_app::{AppEnrolment, RecoveryCodesShown};
use crate::pages::passkeys::Errors;
use crate::storage;
use crate::ui::{focus_id, use_ui};
use crate::webauthn::{self, Failure};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

/// Where "Protect your account" is.
#[derive(Clone, PartialEq)]
enum Step {
    /// The offer: a passkey, an app, "Not now".
    Offer,
    /// Adding an authenticator app.
    App,
    /// The app's first recovery codes, shown once.
    Codes(Vec<String>),
    /// A factor was added (the notice), then "Continue".
    Done(Msg),
    /// `MFA_POLICY=required`: the app is set up; a new sign-in with it goes on.
    SignInAgain,
}

/// What follows a confirmed app. Under `MFA_POLICY=required` (`factor_required`) the session
/// stays what it was, enrolment-only (AAL1): confirming the app proved the app, not the
/// password, in this session (a sign-up's session proved an emailed code, which is no factor),
/// and NIST SP 800-63B-4 §2.2.1 wants both proved in one authentication for AAL2; the server's
/// `domain::policy` says the same ("after an app or recovery codes, the person signs in again
/// with the password and the new factor") and refuses this session any other factor, recovery
/// codes included (§4.1.2, `refuse_enrolment_beyond_the_first`). So the page says to sign in
/// again, and "Sign in again" signs out and goes to the sign-in, whose second step asks for the
/// app's code (AAL2): the person reaches the portal on two factors; the recovery codes are made
/// on the account page then. Under `optional`, a first set of recovery codes is made and shown
/// at once (a fallback when the phone is lost; ASVS 5.0 V6.5.x).
fn after_app(factor_required: bool) -> Step {
    if factor_required {
        Step::SignInAgain
    } else {
        Step::Codes(Vec::new())
    }
}

#[component]
pub fn Protect() -> impl IntoView {
    let ui = use_ui();
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Msg>);
    let step = RwSignal::new(Step::Offer);
    let sign_in_again = RwSignal::new(false);
    let errors = Errors {
        message: error,
        sign_in_again,
    };
    // The server says this session may only enrol a factor (MFA_POLICY=required).
    let factor_required = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(view) = api::session().await {
            factor_required.set(view.factor_required);
        }
    });
    page_title(move || ui.t(Msg::PROTECT_HEADING).to_owned());

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
                            _ => Msg::PASSKEY_SIGN_IN_REFUSED,
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
                    step.set(Step::Done(Msg::PASSKEY_CREATED));
                    ui.announce(ui.t(Msg::PASSKEY_CREATED).to_owned());
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
                        Failure::AlreadyOnThisDevice => Msg::ERROR_PASSKEY_ALREADY_REGISTERED,
                        _ => Msg::ERROR_PASSKEY_REFUSED,
                    };
                    error.set(Some(msg));
                    ui.announce(ui.t(msg).to_owned());
                }
            }
            busy.set(false);
        });
    };

    let app_confirmed = Callback::new(move |()| {
        error.set(None);
        match after_app(factor_required.get_untracked()) {
            Step::SignInAgain => {
                step.set(Step::SignInAgain);
                ui.announce(ui.t(Msg::APP_SIGN_IN_AGAIN).to_owned());
                focus_id("sign-in-again");
            }
            loading => {
                // "Loading…" while the codes are made (no second "Verify" meanwhile).
                step.set(loading);
                spawn_local(async move {
                    match api::new_recovery_codes().await {
                        Ok(set) => step.set(Step::Codes(set.codes)),
                        // The app is a factor all the same: say why no codes show, and go on.
                        Err(err) => {
                            step.set(Step::Done(Msg::APP_CONFIRMED));
                            errors.refused(ui, &err);
                        }
                    }
                });
            }
        }
    });
    let codes_done = Callback::new(move |()| go_on.with_value(|f| f()));
    // Signs out and goes to the sign-in (a stale sign-in, or the required policy's new
    // sign-in with the app); the authorization request, if any, waits in its cookie.
    let again = {
        let navigate = navigate.clone();
        move |_| {
            let navigate = navigate.clone();
            spawn_local(async move {
                let _ = api::sign_out().await;
                navigate("/", Default::default());
            });
        }
    };
    let offer = move || {
        view! {
            <Show when=move || webauthn::offered(ui)>
                <section class="protect-option" aria-labelledby="passkey-option">
                    <h2 id="passkey-option">
                        {ui.tr(Msg::CREATE_PASSKEY)} " "
                        <span class="badge">{ui.tr(Msg::RECOMMENDED)}</span>
                    </h2>
                    <p>{ui.tr(Msg::PROTECT_TEXT)}</p>
                    <button type="button" id="create-passkey" class="primary" on:click=create
                        class:busy=busy aria-busy=crate::ui::aria_busy(busy)
                        disabled=busy>
                        {ui.tr(Msg::CREATE_PASSKEY)}
                    </button>
                </section>
            </Show>
            <Show when=move || ui.config.with(|c| c.authenticator_apps)>
                <section class="protect-option" aria-labelledby="app-option">
                    <h2 id="app-option">{ui.tr(Msg::USE_APP)}</h2>
                    <p>{ui.tr(Msg::APP_TEXT)}</p>
                    <button type="button" id="use-app" on:click=move |_| {
                        error.set(None);
                        step.set(Step::App);
                    } disabled=busy>
                        {ui.tr(Msg::USE_APP)}
                    </button>
                </section>
            </Show>
            <Show when=move || !factor_required.get()>
                <button type="button" id="not-now" on:click=move |_| go_on.with_value(|f| f())
                    disabled=busy>
                    {ui.tr(Msg::NOT_NOW)}
                </button>
            </Show>
        }
    };

    view! {
        <Card>
            <h1>{ui.tr(Msg::PROTECT_HEADING)}</h1>
            <p id="form-error" class="form-error">{move || error.get().map(|m| ui.t(m))}</p>
            {move || match step.get() {
                Step::Offer => offer().into_any(),
                Step::App => view! {
                    <AppEnrolment errors on_confirmed=app_confirmed />
                    <button type="button" id="app-back" on:click=move |_| {
                        error.set(None);
                        step.set(Step::Offer);
                    }>{ui.tr(Msg::CANCEL)}</button>
                }.into_any(),
                Step::Codes(codes) if codes.is_empty() => view! { <p>{ui.tr(Msg::LOADING)}</p> }.into_any(),
                Step::Codes(codes) => view! {
                    <p id="app-notice" class="status notice">{ui.tr(Msg::APP_CONFIRMED)}</p>
                    <RecoveryCodesShown codes on_continue=codes_done />
                }.into_any(),
                Step::Done(notice) => view! {
                    <p id="passkey-notice" class="status notice">{ui.tr(notice)}</p>
                    <button type="button" id="continue" class="primary"
                        on:click=move |_| next_step() disabled=busy>
                        {ui.tr(Msg::CONTINUE_BUTTON)}
                    </button>
                }.into_any(),
                Step::SignInAgain => view! {
                    <p id="app-notice" class="status notice">{ui.tr(Msg::APP_SIGN_IN_AGAIN)}</p>
                }.into_any(),
            }}
            <Show when=move || sign_in_again.get() || step.get() == Step::SignInAgain>
                <button type="button" id="sign-in-again" class="primary" on:click=again.clone()>
                    {ui.tr(Msg::SIGN_IN_AGAIN)}
                </button>
            </Show>
        </Card>
    }
}
