//! The code step: the code from the email, "Verify code", and "Send new code" once its
//! countdown is over.

use super::{flow_gone, Flow, Phase};
use crate::api;
use crate::components::resend::ResendButton;
use crate::flows::email_code::{Event, Step};
use crate::forms::{Input, Submit};
use crate::i18n::Msg;
use crate::ui::focus_id;
use leptos::prelude::*;
use leptos::task::spawn_local;
use partner_login_contract::VerificationCode;

/// "Verify code".
pub(super) fn verify(flow: Flow) {
    let form = flow.form;
    let Some(flow_id) = flow.id() else {
        return;
    };
    if !form.check(&[flow.code]) || !form.begin() {
        return;
    }
    let typed = flow.code.value.get_untracked();
    let code = VerificationCode::parse(&typed).map_or(typed, |c| c.as_str().to_owned());
    spawn_local(async move {
        match api::verify_code(flow.kind, &flow_id, &code).await {
            Ok(view) => {
                flow.code.error.set(None);
                flow.apply(Event::Verified(view));
                flow.ui.announce(flow.ui.t(Msg::EMAIL_VERIFIED).to_owned());
                focus_id("new-password");
            }
            Err(err) if flow_gone(&err) => {
                flow.lost();
                form.fail(&err);
                focus_id("email");
            }
            // A wrong, expired or malformed code is the code field's error.
            Err(err) => {
                form.fail(&err);
            }
        }
        form.end();
    });
}

/// "Send new code".
fn resend(flow: Flow) {
    let form = flow.form;
    let Some(flow_id) = flow.id() else {
        return;
    };
    if !form.begin() {
        return;
    }
    spawn_local(async move {
        match api::resend_code(flow.kind, &flow_id).await {
            Ok(view) => {
                flow.code.value.set(String::new());
                flow.code.error.set(None);
                flow.apply(Event::CodeSent(view));
                flow.ui.announce(flow.ui.t(Msg::CODE_SENT_INFO).to_owned());
                focus_id("code");
            }
            Err(err) => {
                if let Some(seconds) = err.retry_after() {
                    flow.apply(Event::RetryAfter(seconds));
                }
                form.fail(&err);
            }
        }
        form.end();
    });
}

#[component]
pub(super) fn CodeStep(flow: Flow) -> impl IntoView {
    let ui = flow.ui;
    let resend_after = Signal::derive(move || flow.step.with(Step::resend_after));
    let on_resend = Callback::new(move |()| resend(flow));
    view! {
        <Show when=move || flow.phase.get() == Phase::CodeSent>
            <Input field=flow.code />
            <div class="actions">
                <Submit form=flow.form label=Msg::VERIFY_CODE />
                <ResendButton seconds=resend_after busy=flow.form.busy on_click=on_resend />
            </div>
            <Show when=move || ui.config.with(|c| c.dev_mailbox)>
                <p class="hint">
                    <a href=crate::deployment::backend_page("/dev/mailbox") target="_blank"
                        rel="noopener">
                        {ui.tr(Msg::DEV_MAILBOX)}
                    </a>
                </p>
            </Show>
        </Show>
    }
}
