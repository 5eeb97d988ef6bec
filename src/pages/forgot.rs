//! "Forgot your password?": the email-code form, whose last step is New Password, Confirm New
//! Password and "Continue", which signs in.

use crate::api;
use crate::forms::fields::{CONFIRM_PASSWORD, NEW_PASSWORD};
use crate::forms::Form;
use crate::i18n::Msg;
use crate::pages::email_code::{reset_proof, Completion, EmailCodeFlow, LastStep};
use leptos::prelude::*;
use partner_login_contract::api::{CompletePasswordResetRequest, EmailCodeKind};

static CONTINUE: LastStep = LastStep {
    fields: &[],
    button: Msg::CONTINUE_BUTTON,
    complete,
    between: Some(reset_proof::draw),
};

/// "Continue": the new password, signed in.
fn complete(flow_id: String, form: Form) -> Completion {
    let request = CompletePasswordResetRequest {
        password: form.value_of(&NEW_PASSWORD),
        password_confirmation: form.value_of(&CONFIRM_PASSWORD),
    };
    Box::pin(async move { api::complete_reset(&flow_id, &request).await })
}

#[component]
pub fn Forgot() -> impl IntoView {
    view! { <EmailCodeFlow kind=EmailCodeKind::PasswordReset last=&CONTINUE /> }
}
