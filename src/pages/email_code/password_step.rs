//! The last step, once the email is verified: New Password (with live feedback), "Show
//! password", Confirm New Password, the kind's own fields, and its button ("Create",
//! "Continue"). Drawn from the start, disabled until then.

use super::{flow_gone, Flow};
use crate::flows::email_code::{Event, Step};
use crate::flows::password::feedback;
use crate::forms::{Input, Submit};
use crate::i18n::Msg;
use crate::storage;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The last button: checks every field of the step, then the kind's request.
pub(super) fn complete(flow: Flow) {
    let form = flow.form;
    let Some(flow_id) = flow.id() else {
        return;
    };
    if !flow.step.with_untracked(Step::can_create) || flow.proof_owed() {
        return;
    }
    let mut fields = vec![flow.password, flow.confirmation];
    fields.extend(flow.last_fields.get_value());
    if !form.check(&fields) || !form.begin() {
        return;
    }
    let pending = (flow.last.complete)(flow_id, form);
    spawn_local(async move {
        match pending.await {
            Ok(view) => {
                storage::clear_invitation();
                flow.apply(Event::Completed);
                flow.leave_for(view.continue_url.as_deref());
                return;
            }
            Err(err) => {
                if flow_gone(&err) {
                    flow.lost();
                }
                // The proof is owed after all (a factor added meanwhile): asked again.
                if err.code() == Some(partner_login_contract::ErrorCode::SecondFactorRequired) {
                    flow.proof.set(None);
                }
                form.fail(&err);
            }
        }
        form.end();
    });
}

#[component]
pub(super) fn PasswordStep(flow: Flow) -> impl IntoView {
    let ui = flow.ui;
    let form = flow.form;
    // A reset whose second proof is owed waits for it (issue 20; ASVS 5.0 V6.4.3).
    let not_verified =
        Signal::derive(move || !flow.step.with(Step::can_create) || flow.proof_owed());
    let show_password = RwSignal::new(false);
    let password_type = Signal::derive(move || {
        if show_password.get() {
            "text"
        } else {
            "password"
        }
    });
    let password_hint = Signal::derive(move || {
        let policy = ui.config.with(|c| c.password_policy);
        ui.lang
            .get()
            .password_feedback(feedback(&policy, &flow.password.value.read()))
    });
    view! {
        <Input field=flow.password disabled=not_verified hint=password_hint
            input_type=password_type />
        <label class="toggle">
            <input type="checkbox" id="show-password"
                prop:checked=move || show_password.get()
                disabled=move || not_verified.get()
                on:change=move |_| show_password.update(|s| *s = !*s) />
            {ui.tr(Msg::SHOW_PASSWORD)}
        </label>
        <Input field=flow.confirmation disabled=not_verified input_type=password_type />
        {flow
            .last_fields
            .get_value()
            .into_iter()
            .map(|field| view! { <Input field disabled=not_verified /> })
            .collect_view()}
        <div class="actions">
            <Submit form label=flow.last.button disabled=not_verified />
            <button type="button" on:click=move |_| {
                flow.apply(Event::Cancel);
                flow.leave("/");
            }>{ui.tr(Msg::CANCEL)}</button>
        </div>
    }
}
