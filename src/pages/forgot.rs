//! "Forgot your password?": the email-code form, ending with New Password, Confirm New Password
//! and "Continue", which signs in.

use crate::api::FlowKind;
use crate::pages::email_code::EmailCodeFlow;
use leptos::prelude::*;

#[component]
pub fn Forgot() -> impl IntoView {
    view! { <EmailCodeFlow kind=FlowKind::PasswordReset /> }
}
