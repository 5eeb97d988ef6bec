//! The sign-up screen of the user guide (steps 3, 5 and 6): the email-code form, ending with
//! the names and "Create".

use crate::pages::email_code::EmailCodeFlow;
use leptos::prelude::*;
use partner_login_contract::api::EmailCodeKind;

#[component]
pub fn SignUp() -> impl IntoView {
    view! { <EmailCodeFlow kind=EmailCodeKind::SignUp /> }
}
