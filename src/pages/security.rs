//! The account page's second factors and sessions (issue 20), beside its passkeys:
//!
//! - "Authenticator app": added on …, "Remove" after a confirmation; "Add an authenticator
//!   app" when there is none ([`AppEnrolment`]), then, for an account with no recovery codes,
//!   a first set shown once.
//! - "Recovery codes": how many are left, "Generate new codes" (the earlier set stops working),
//!   shown once ([`RecoveryCodesShown`]).
//! - "Active sessions" (OWASP ASVS 5.0 V7.5.2): each with how it was signed in, when, and when
//!   last active; "This session" on the current one, "Sign out of this session" on the others.
//!
//! Adding or removing a factor and a new set of codes need a sign-in within the last 5 minutes
//! (OWASP ASVS 5.0 V7.5.1; the server's `reauthentication_required`): the page's error region
//! says so, with "Sign in again" ([`Errors::refused`]).

use crate::api;
use crate::i18n::Msg;
use crate::pages::authenticator_app::{AppEnrolment, RecoveryCodesShown};
use crate::pages::passkeys::Errors;
use crate::ui::{focus_id, use_ui};
use leptos::prelude::*;
use leptos::task::spawn_local;
use partner_login_contract::api::{ActiveSession, FactorsView};

/// What the "Authenticator app" section is doing.
#[derive(Clone, Copy, PartialEq)]
enum AppMode {
    Shown,
    Adding,
    ConfirmingRemoval,
}

/// The "Authenticator app" and "Recovery codes" sections.
#[component]
pub fn SecondFactors(errors: Errors) -> impl IntoView {
    let ui = use_ui();
    let factors = RwSignal::new(None::<FactorsView>);
    let mode = RwSignal::new(AppMode::Shown);
    let codes = RwSignal::new(None::<Vec<String>>);
    let notice = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(false);
    let reload = move || {
        spawn_local(async move {
            match api::factors().await {
                Ok(view) => factors.set(Some(view)),
                Err(err) => errors.refused(ui, &err),
            }
        });
    };
    reload();
    let tell = move |msg: Msg| {
        notice.set(Some(msg));
        ui.announce(ui.t(msg).to_owned());
    };
    let start = move || {
        errors.clear();
        notice.set(None);
    };
    let new_codes = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        start();
        spawn_local(async move {
            match api::new_recovery_codes().await {
                Ok(set) => codes.set(Some(set.codes)),
                Err(err) => errors.refused(ui, &err),
            }
            busy.set(false);
        });
    };
    let confirmed = Callback::new(move |()| {
        mode.set(AppMode::Shown);
        tell(Msg::APP_CONFIRMED);
        // The first set of recovery codes comes with the first app (a fallback if the phone
        // is lost); an account that has codes keeps them.
        if factors.with_untracked(|f| f.as_ref().is_some_and(|f| f.recovery_codes_left == 0)) {
            new_codes();
        }
        reload();
    });
    let codes_done = Callback::new(move |()| {
        codes.set(None);
        reload();
        focus_id("recovery-heading");
    });
    let remove = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        start();
        spawn_local(async move {
            match api::remove_app().await {
                Ok(()) => {
                    mode.set(AppMode::Shown);
                    tell(Msg::APP_REMOVED);
                    reload();
                    focus_id("app-section-heading");
                }
                Err(err) => errors.refused(ui, &err),
            }
            busy.set(false);
        });
    };
    let has_app = move || factors.with(|f| f.as_ref().is_some_and(|f| f.authenticator_app));
    let apps_on = move || ui.config.with(|c| c.authenticator_apps);

    view! {
        <Show when=move || apps_on() || has_app()>
            <section id="authenticator-app" aria-labelledby="app-section-heading">
                <h2 id="app-section-heading" tabindex="-1">{ui.tr(Msg::APP_HEADING)}</h2>
                <p id="app-notice" class="status notice">{move || notice.get().map(|m| ui.t(m))}</p>
                {move || match factors.get() {
                    None => view! { <p>{ui.tr(Msg::LOADING)}</p> }.into_any(),
                    Some(FactorsView { authenticator_app_added_at: Some(at), authenticator_app: true, .. }) => view! {
                        <p id="app-added">{move || ui.f(Msg::APP_ADDED_ON, &[("date", &ui.lang.get().date_time(at))])}</p>
                    }.into_any(),
                    Some(_) => view! { <p id="no-app">{ui.tr(Msg::NO_APP)}</p> }.into_any(),
                }}
                {move || match (mode.get(), has_app()) {
                    (AppMode::Adding, _) => view! {
                        <AppEnrolment errors on_confirmed=confirmed />
                        <button type="button" on:click=move |_| mode.set(AppMode::Shown)>{ui.tr(Msg::CANCEL)}</button>
                    }.into_any(),
                    (AppMode::ConfirmingRemoval, true) => view! {
                        <p id="confirm-remove-app">{ui.tr(Msg::CONFIRM_REMOVE_APP)}</p>
                        <div class="actions">
                            <button type="button" id="confirm-remove-app-button" class="danger"
                                aria-describedby="confirm-remove-app" on:click=remove
                                class:busy=busy aria-busy=crate::ui::aria_busy(busy) disabled=busy>
                                {ui.tr(Msg::REMOVE)}
                            </button>
                            <button type="button" on:click=move |_| mode.set(AppMode::Shown)>{ui.tr(Msg::CANCEL)}</button>
                        </div>
                    }.into_any(),
                    (_, true) => view! {
                        <button type="button" id="remove-app" on:click=move |_| {
                            start();
                            mode.set(AppMode::ConfirmingRemoval);
                            focus_id("confirm-remove-app-button");
                        }>{ui.tr(Msg::REMOVE)}</button>
                    }.into_any(),
                    (_, false) => view! {
                        <Show when=apps_on>
                            <button type="button" id="add-app" on:click=move |_| {
                                start();
                                mode.set(AppMode::Adding);
                            }>{ui.tr(Msg::ADD_APP)}</button>
                        </Show>
                    }.into_any(),
                }}
            </section>
        </Show>
        <section id="recovery" aria-labelledby="recovery-heading">
            <h2 id="recovery-heading" tabindex="-1">{ui.tr(Msg::RECOVERY_CODES_HEADING)}</h2>
            {move || match codes.get() {
                Some(list) => view! { <RecoveryCodesShown codes=list on_continue=codes_done /> }.into_any(),
                None => view! {
                    <p id="codes-left">{move || factors.get().map(|f| {
                        ui.f(Msg::RECOVERY_CODES_LEFT, &[("count", &ui.n(f.recovery_codes_left.into()))])
                    })}</p>
                    <button type="button" id="new-codes" on:click=move |_| new_codes()
                        class:busy=busy aria-busy=crate::ui::aria_busy(busy) disabled=busy>
                        {ui.tr(Msg::GENERATE_CODES)}
                    </button>
                }.into_any(),
            }}
        </section>
    }
}

/// How a session was signed in, as the person knows it: a provider by its button's label, a
/// passkey, a password with a code, a password.
fn way_in(ui: crate::ui::Ui, session: &ActiveSession) -> String {
    let has = |m: &str| session.amr.iter().any(|a| a == m);
    if session.idp != "local" {
        let lang = ui.lang.get_untracked();
        return ui.config.with_untracked(|c| {
            c.providers
                .iter()
                .find(|p| p.id == session.idp)
                .map(|p| p.label_in(lang.tag()).to_owned())
                .unwrap_or_else(|| session.idp.clone())
        });
    }
    let msg = if has("pop") {
        Msg::WAY_PASSKEY
    } else if has("otp") {
        Msg::WAY_PASSWORD_AND_CODE
    } else {
        Msg::WAY_PASSWORD
    };
    ui.t(msg).to_owned()
}

/// "Active sessions" (OWASP ASVS 5.0 V7.5.2: the person sees their sessions and may end any
/// other one).
#[component]
pub fn Sessions(errors: Errors) -> impl IntoView {
    let ui = use_ui();
    let list = RwSignal::new(None::<Vec<ActiveSession>>);
    let notice = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(None::<String>);
    spawn_local(async move {
        match api::sessions().await {
            Ok(sessions) => list.set(Some(sessions)),
            Err(err) => {
                list.set(Some(Vec::new()));
                errors.refused(ui, &err);
            }
        }
    });
    let end = move |id: String| {
        if busy.with_untracked(Option::is_some) {
            return;
        }
        busy.set(Some(id.clone()));
        errors.clear();
        notice.set(None);
        spawn_local(async move {
            match api::end_session(&id).await {
                Ok(()) => {
                    list.update(|l| {
                        if let Some(l) = l {
                            l.retain(|s| s.id != id);
                        }
                    });
                    notice.set(Some(Msg::SESSION_ENDED));
                    ui.announce(ui.t(Msg::SESSION_ENDED).to_owned());
                    focus_id("sessions-heading");
                }
                Err(err) => errors.refused(ui, &err),
            }
            busy.set(None);
        });
    };
    view! {
        <section id="sessions" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading" tabindex="-1">{ui.tr(Msg::SESSIONS_HEADING)}</h2>
            <p id="sessions-notice" class="status notice">{move || notice.get().map(|m| ui.t(m))}</p>
            <ul id="session-list">
                <For each=move || list.get().unwrap_or_default() key=|s| s.id.clone() let:session>
                    {
                        let way = way_in(ui, &session);
                        let id = session.id.clone();
                        let way_id = format!("session-{}-way", session.id);
                        let created = session.created_at;
                        let seen = session.last_seen_at;
                        view! {
                            <li class="session" class:current=session.current>
                                <span class="session-way" id=way_id.clone()>{way}</span>
                                <span class="passkey-facts">
                                    <span>{move || ui.f(Msg::SIGNED_IN_AT, &[("date", &ui.lang.get().date_time(created))])}</span>
                                    <span>{move || ui.f(Msg::LAST_ACTIVE, &[("date", &ui.lang.get().date_time(seen))])}</span>
                                </span>
                                {if session.current {
                                    view! { <strong class="this-session">{ui.tr(Msg::THIS_SESSION)}</strong> }.into_any()
                                } else {
                                    let mine = id.clone();
                                    view! {
                                        <button type="button" class="end-session" aria-describedby=way_id
                                            class:busy=move || busy.with(|b| b.as_deref() == Some(mine.as_str()))
                                            disabled=move || busy.with(Option::is_some)
                                            on:click=move |_| end(id.clone())>
                                            {ui.tr(Msg::END_SESSION)}
                                        </button>
                                    }.into_any()
                                }}
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
}
