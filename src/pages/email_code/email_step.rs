//! The first step: the address, and "Send verification code". Once a code is sent the address
//! is read-only, with "Change e-mail" to start over.

use super::{Flow, Phase};
use crate::api;
use crate::flows::email_code::{Event, Step};
use crate::forms::Input;
use crate::i18n::Msg;
use crate::storage;
use crate::ui::focus_id;
use leptos::prelude::*;
use leptos::task::spawn_local;
use partner_login_contract::api::StartEmailCodeRequest;

/// "Send verification code": starts a flow for the address typed.
pub(super) fn send_code(flow: Flow) {
    let form = flow.form;
    if !form.check(&[flow.email]) || !form.begin() {
        return;
    }
    let request = StartEmailCodeRequest {
        email: flow.email.value.get_untracked().trim().to_owned(),
        invitation: storage::invitation(),
        language: Some(flow.ui.lang.get_untracked().tag().to_owned()),
    };
    spawn_local(async move {
        match api::start_flow(flow.kind, &request).await {
            Ok(view) => {
                flow.email.value.set(view.email.clone());
                flow.set_flow_in_url(Some(&view.flow_id));
                flow.apply(Event::CodeSent(view));
                flow.ui.announce(flow.ui.t(Msg::CODE_SENT_INFO).to_owned());
                focus_id("code");
            }
            Err(err) => {
                form.fail(&err);
            }
        }
        form.end();
    });
}

/// "Change e-mail": back to an editable address, the code and its messages gone.
fn change_email(flow: Flow) {
    flow.code.value.set(String::new());
    flow.code.error.set(None);
    flow.form.error.set(None);
    flow.form.summary.set(false);
    flow.set_flow_in_url(None);
    flow.apply(Event::ChangeEmail);
    focus_id("email");
}

#[component]
pub(super) fn EmailStep(flow: Flow) -> impl IntoView {
    let ui = flow.ui;
    let locked = Signal::derive(move || flow.step.with(Step::email_locked));
    view! {
        <Input field=flow.email readonly=locked />
        {move || match flow.phase.get() {
            Phase::EnterEmail => view! {
                <crate::forms::Submit form=flow.form label=Msg::SEND_VERIFICATION_CODE />
            }.into_any(),
            Phase::CodeSent | Phase::Verified => view! {
                <button type="button" class="link" on:click=move |_| change_email(flow)>
                    {ui.tr(Msg::CHANGE_EMAIL)}
                </button>
            }.into_any(),
        }}
    }
}
