//! The sign-up screen of the user guide (steps 3, 5 and 6): the email-code form, ending with
//! the names and "Create".

use crate::api::FlowKind;
use crate::pages::email_code::EmailCodeFlow;
use leptos::prelude::*;

#[component]
pub fn SignUp() -> impl IntoView {
    view! { <EmailCodeFlow kind=FlowKind::Signup /> }
}
