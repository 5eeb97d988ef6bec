//! The sign-up screen of the user guide (steps 3, 5 and 6): the email-code form, whose last step
//! adds the names and "Create".

use crate::api;
use crate::forms::fields::{CONFIRM_PASSWORD, DISPLAY_NAME, GIVEN_NAME, NEW_PASSWORD, SURNAME};
use crate::forms::Form;
use crate::i18n::Msg;
use crate::pages::email_code::{Completion, EmailCodeFlow, LastStep};
use leptos::prelude::*;
use partner_login_contract::api::{CompleteSignupRequest, EmailCodeKind};

static CREATE: LastStep = LastStep {
    fields: &[&DISPLAY_NAME, &GIVEN_NAME, &SURNAME],
    button: Msg::CREATE,
    complete,
    between: None,
};

/// "Create": the account, signed in.
fn complete(flow_id: String, form: Form) -> Completion {
    let name = |spec| form.value_of(spec).trim().to_owned();
    let request = CompleteSignupRequest {
        password: form.value_of(&NEW_PASSWORD),
        password_confirmation: form.value_of(&CONFIRM_PASSWORD),
        display_name: name(&DISPLAY_NAME),
        given_name: name(&GIVEN_NAME),
        surname: name(&SURNAME),
    };
    Box::pin(async move { api::complete_signup(&flow_id, &request).await })
}

#[component]
pub fn SignUp() -> impl IntoView {
    view! { <EmailCodeFlow kind=EmailCodeKind::SignUp last=&CREATE /> }
}
