//! The account page's "Passkeys" section (issue 20): each passkey with its name, when it was
//! made and last used, and whether it is synced or on this device only; "Rename" (an inline,
//! labelled field), "Remove" (after a confirmation), "Add a passkey".
//!
//! Adding or removing needs a sign-in within the last 5 minutes (OWASP ASVS 5.0 V7.5.1): the
//! server's `reauthentication_required` shows, in the page's error region, with "Sign in again".

use crate::api::{self, ApiError};
use crate::components::field::{problem_text, FieldProblem};
use crate::i18n::Msg;
use crate::ui::{focus_id, use_ui, Ui};
use crate::webauthn::{self, Failure};
use leptos::prelude::*;
use leptos::task::spawn_local;
use partner_login_contract::api::PasskeyView;
use partner_login_contract::ErrorCode;

/// What the section tells the page: an error for its region, and whether to offer "Sign in
/// again".
#[derive(Clone, Copy)]
pub struct Errors {
    pub message: RwSignal<Option<Msg>>,
    pub sign_in_again: RwSignal<bool>,
}

impl Errors {
    pub fn clear(self) {
        self.message.set(None);
        self.sign_in_again.set(false);
    }

    pub fn say(self, ui: Ui, msg: Msg) {
        self.message.set(Some(msg));
        ui.announce(ui.t(msg).to_owned());
    }

    /// A refusal by the server; a stale sign-in offers "Sign in again".
    pub fn refused(self, ui: Ui, err: &ApiError) {
        if err.code() == Some(ErrorCode::ReauthenticationRequired) {
            self.sign_in_again.set(true);
        }
        self.say(ui, err.message());
    }
}

/// What a passkey's line shows.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Shown,
    Renaming,
    ConfirmingRemoval,
}

#[component]
pub fn Passkeys(errors: Errors) -> impl IntoView {
    let ui = use_ui();
    let list = RwSignal::new(None::<Vec<PasskeyView>>);
    let notice = RwSignal::new(None::<Msg>);
    let adding = RwSignal::new(false);
    spawn_local(async move {
        match api::passkeys().await {
            Ok(passkeys) => list.set(Some(passkeys)),
            Err(err) => {
                list.set(Some(Vec::new()));
                errors.refused(ui, &err);
            }
        }
    });
    let tell = move |msg: Msg| {
        notice.set(Some(msg));
        ui.announce(ui.t(msg).to_owned());
    };

    let add = move |_| {
        if adding.get_untracked() {
            return;
        }
        adding.set(true);
        errors.clear();
        notice.set(None);
        spawn_local(async move {
            match webauthn::add().await {
                Ok(view) => {
                    list.update(|l| l.get_or_insert_with(Vec::new).push(view));
                    tell(Msg::PASSKEY_ADDED);
                }
                // The prompt closed: nothing alarming to say.
                Err(Failure::Cancelled) => {}
                Err(Failure::Api(err) | Failure::NotBegun(err)) => errors.refused(ui, &err),
                Err(Failure::AlreadyOnThisDevice) => {
                    errors.say(ui, Msg::ERROR_PASSKEY_ALREADY_REGISTERED)
                }
                Err(Failure::Browser) => errors.say(ui, Msg::ERROR_PASSKEY_REFUSED),
            }
            adding.set(false);
        });
    };

    let renamed = Callback::new(move |(id, name): (String, String)| {
        list.update(|l| {
            if let Some(p) = l.iter_mut().flatten().find(|p| p.id == id) {
                p.name = name;
            }
        });
        tell(Msg::PASSKEY_RENAMED);
    });
    let removed = Callback::new(move |id: String| {
        list.update(|l| {
            if let Some(l) = l {
                l.retain(|p| p.id != id);
            }
        });
        tell(Msg::PASSKEY_REMOVED);
        focus_id("passkeys-heading");
    });
    let items = move || list.get().unwrap_or_default();

    view! {
        <section id="passkeys" aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading" tabindex="-1">{ui.tr(Msg::PASSKEYS_HEADING)}</h2>
            <p id="passkey-notice" class="status notice">{move || notice.get().map(|m| ui.t(m))}</p>
            {move || match list.with(|l| l.as_ref().map(Vec::is_empty)) {
                None => Some(view! { <p>{ui.tr(Msg::LOADING)}</p> }.into_any()),
                Some(true) => Some(view! { <p id="no-passkeys">{ui.tr(Msg::NO_PASSKEYS)}</p> }.into_any()),
                Some(false) => None,
            }}
            <ul id="passkey-list">
                <For each=items key=|p| (p.id.clone(), p.name.clone()) let:passkey>
                    <PasskeyItem passkey errors notice renamed removed />
                </For>
            </ul>
            <Show when=webauthn::supported>
                <button type="button" id="add-passkey" on:click=add
                    class:busy=adding aria-busy=crate::ui::aria_busy(adding)
                    disabled=adding>
                    {ui.tr(Msg::ADD_PASSKEY)}
                </button>
            </Show>
        </section>
    }
}

#[component]
fn PasskeyItem(
    passkey: PasskeyView,
    errors: Errors,
    notice: RwSignal<Option<Msg>>,
    renamed: Callback<(String, String)>,
    removed: Callback<String>,
) -> impl IntoView {
    let ui = use_ui();
    let mode = RwSignal::new(Mode::Shown);
    let busy = RwSignal::new(false);
    let typed = RwSignal::new(passkey.name.clone());
    let rename_error = RwSignal::new(None::<(ErrorCode, Option<u32>)>);
    let id = StoredValue::new(passkey.id.clone());
    let name_id = format!("passkey-{}-name", passkey.id);
    let input_id = format!("passkey-{}-new-name", passkey.id);
    let error_id = format!("passkey-{}-error", passkey.id);
    let confirm_id = format!("passkey-{}-confirm", passkey.id);
    let name = passkey.name.clone();
    let created = passkey.created_at;
    let last_used = passkey.last_used_at;
    let synced = passkey.synced;

    let start = move || {
        errors.clear();
        notice.set(None);
    };
    let open_rename = {
        let input_id = input_id.clone();
        move |_| {
            start();
            rename_error.set(None);
            mode.set(Mode::Renaming);
            focus_id(input_id.clone());
        }
    };
    let ask_removal = {
        let confirm_id = confirm_id.clone();
        move |_| {
            start();
            mode.set(Mode::ConfirmingRemoval);
            focus_id(format!("{confirm_id}-button"));
        }
    };
    let back = move |_| mode.set(Mode::Shown);
    let save = {
        let input_id = input_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            start();
            let name = typed.get_untracked().trim().to_owned();
            let input_id = input_id.clone();
            spawn_local(async move {
                match api::rename_passkey(&id.get_value(), &name).await {
                    Ok(()) => renamed.run((id.get_value(), name)),
                    Err(err) => {
                        let field: FieldProblem =
                            err.field_errors().first().map(|e| (e.code, e.limit));
                        match field {
                            Some(problem) => {
                                rename_error.set(Some(problem));
                                ui.announce(problem_text(problem));
                                focus_id(input_id);
                            }
                            None => errors.refused(ui, &err),
                        }
                    }
                }
                busy.try_set(false);
            });
        }
    };
    let remove = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        start();
        spawn_local(async move {
            match api::remove_passkey(&id.get_value()).await {
                Ok(()) => return removed.run(id.get_value()),
                Err(err) => errors.refused(ui, &err),
            }
            busy.set(false);
        });
    };

    let shown_name = name.clone();
    view! {
        <li class="passkey">
            <span class="passkey-name" id=name_id.clone()>{shown_name}</span>
            <span class="passkey-facts">
                <span>{move || ui.f(Msg::PASSKEY_CREATED_ON, &[("date", &ui.lang.get().date_time(created))])}</span>
                <span>{move || match last_used {
                    Some(at) => ui.f(Msg::PASSKEY_LAST_USED, &[("date", &ui.lang.get().date_time(at))]),
                    None => ui.t(Msg::PASSKEY_NEVER_USED).to_owned(),
                }}</span>
                <span>{ui.tr(if synced { Msg::PASSKEY_SYNCED } else { Msg::PASSKEY_DEVICE_ONLY })}</span>
            </span>
            // The line's actions and its rename form are always there, one shown at a time
            // (`hidden`): one static structure, less code in the WASM than views swapped per
            // mode. The confirmation is drawn only while asked, so its button is the page's one
            // `button.confirm-remove`.
            <span class="passkey-actions" hidden=move || mode.get() != Mode::Shown>
                <button type="button" class="rename-passkey" aria-describedby=name_id.clone()
                    on:click=open_rename>{ui.tr(Msg::RENAME)}</button>
                <button type="button" class="remove-passkey" aria-describedby=name_id.clone()
                    on:click=ask_removal>{ui.tr(Msg::REMOVE)}</button>
            </span>
            <form class="rename-passkey-form" novalidate on:submit=save
                hidden=move || mode.get() != Mode::Renaming>
                <div class="field" class:invalid=move || rename_error.get().is_some()>
                    <label for=input_id.clone()>{ui.tr(Msg::PASSKEY_NAME)}</label>
                    <input id=input_id.clone() type="text" autocomplete="off" dir="auto"
                        maxlength="64" aria-required="true"
                        aria-invalid=move || if rename_error.get().is_some() { "true" } else { "false" }
                        aria-describedby=error_id.clone()
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                    <p class="error" id=error_id.clone()>{move || rename_error.get().map(problem_text)}</p>
                </div>
                <button type="submit" class="primary" class:busy=busy
                    aria-busy=crate::ui::aria_busy(busy)
                    disabled=busy>{ui.tr(Msg::SAVE)}</button>
                <button type="button" on:click=back>{ui.tr(Msg::CANCEL)}</button>
            </form>
            {move || (mode.get() == Mode::ConfirmingRemoval).then(|| {
                let question = name.clone();
                view! {
                    <span class="passkey-confirm">
                        <span id=confirm_id.clone()>
                            {move || ui.f(Msg::CONFIRM_REMOVE, &[("name", &question)])}
                        </span>
                        <button type="button" class="confirm-remove danger" id=format!("{confirm_id}-button")
                            aria-describedby=confirm_id.clone() on:click=remove
                            class:busy=busy aria-busy=crate::ui::aria_busy(busy)
                            disabled=busy>{ui.tr(Msg::REMOVE)}</button>
                        <button type="button" class="cancel-remove" on:click=back>{ui.tr(Msg::CANCEL)}</button>
                    </span>
                }
            })}
        </li>
    }
}
